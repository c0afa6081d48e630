//! Figures for print: SVG written by hand, deterministic to the byte (fixed decimal formatting,
//! `libm` for the logarithms), sized for a printed column (16 cm wide).
//!
//! Every figure has a title in words, axes named in words with their units, "nice" ticks (1, 2,
//! 2.5 or 5 times a power of ten), dates on time axes, a legend inside the plot (in the corner
//! the data leave emptiest), dated policy changes numbered on the plot with a key below it (so
//! labels never overlap), a one-line statement of the result, and a provenance note (pact
//! version, scenario, replicates, seed, run id) so that a printed figure leads back to its run.
//!
//! Why by hand: the figures are outputs that `pact verify` re-derives byte for byte, so the
//! drawing must not depend on fonts, the platform's maths library or a rasteriser; the needs are
//! few (lines, bands, dots, boxes, text); and a crate such as `plotters` would still leave the
//! non-overlapping event key, the legend's placement and the provenance note to write. PNG
//! copies for word processors are rendered from these SVGs (`pact report --png`).

use crate::date::Date;
use std::fmt::Write as _;

/// Width of the drawing (user units; printed at 16 cm).
const W: f64 = 640.0;
/// Left margin (y tick labels and the y axis title).
const L: f64 = 72.0;
/// Right margin.
const R: f64 = 16.0;
/// Height of the plotting area.
const PH: f64 = 260.0;
/// Characters per line of a 14-point title, of 11-point text.
const TITLE_CHARS: usize = 72;
const TEXT_CHARS: usize = 90;

const INK: &str = "#222222";
const GREY: &str = "#6c757d";
const TARGET_FILL: &str = "#f4a261";
const TARGET_STROKE: &str = "#e76f51";
const WINDOW_FILL: &str = "#e9c46a";
const WINDOW_FILL_2: &str = "#b8c0ff";

/// Something drawn over a time chart.
pub enum Mark {
    /// The target band over a window (x in fractional years).
    Box { x0: f64, x1: f64, y0: f64, y1: f64 },
    /// A shaded window, named in the legend.
    Window { x0: f64, x1: f64, label: String },
    /// A dated policy change: a dashed line, numbered, with its label in the key below.
    Line { x: f64, label: String },
}

/// One scenario's median and 5–95% band, points (x, y).
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
    pub fill: &'a str,
    pub med: &'a [(f64, f64)],
    pub lo: &'a [(f64, f64)],
    pub hi: &'a [(f64, f64)],
}

/// The provenance note of a figure: what made it, so that a printed copy can be traced.
pub fn provenance(scenario: &str, replicates: usize, seed: u64, run_id: &str) -> String {
    format!(
        "pact {} · {scenario} · {replicates} replicate{} · seed {seed} · run {}",
        crate::VERSION,
        if replicates == 1 { "" } else { "s" },
        &run_id[..run_id.len().min(12)]
    )
}

/// `s` with its first letter capitalised (a description as a title).
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Greedy word wrap to lines of at most `width` characters (a longer word stands alone).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Ticks for an axis over [lo, hi]: a step of 1, 2, 2.5 or 5 times a power of ten giving 4 to 7
/// ticks, the axis widened to whole steps. Returns (ticks, decimals to print them with).
pub(crate) fn nice_ticks(lo: f64, hi: f64) -> (Vec<f64>, usize) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo, lo + 1.0)
    } else {
        (0.0, 1.0)
    };
    let raw = (hi - lo) / 5.0;
    // libm, not the platform maths library: figure bytes are the same on every machine.
    let p = libm::pow(10.0, libm::floor(libm::log10(raw)));
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|m| m * p >= raw * 0.999)
        .unwrap_or(10.0);
    let step = m * p;
    let first = libm::floor(lo / step + 1e-9) * step;
    let last = libm::ceil(hi / step - 1e-9) * step;
    let n = ((last - first) / step).round() as usize;
    let ticks = (0..=n).map(|i| first + i as f64 * step).collect();
    let mut decimals = (-libm::floor(libm::log10(step) + 1e-9)).max(0.0) as usize;
    if m == 2.5 && step < 10.0 {
        decimals += 1;
    }
    (ticks, decimals)
}

/// A tick label: fixed decimals, thousands separated by commas.
pub(crate) fn tick_label(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, if v == 0.0 { 0.0 } else { v });
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A value as a reader expects it: three significant figures, thousands separated.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "undefined".into()
        } else {
            "∞".into()
        };
    }
    let a = v.abs();
    let decimals = if a >= 100.0 || a == 0.0 {
        0
    } else {
        (2.0 - libm::floor(libm::log10(a))) as usize
    };
    let s = tick_label(v, decimals);
    // Trailing zeros say nothing: 5, not 5.00.
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Ticks of a time axis (fractional years from `x0` to `x1`): 1 January of each year over
/// long spans, quarters over two years or less. (position, label).
fn time_ticks(x0: f64, x1: f64) -> Vec<(f64, String)> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let months: &[u32] = if x1 - x0 > 2.5 { &[1] } else { &[1, 4, 7, 10] };
    let mut out = Vec::new();
    for year in (x0.floor() as i32)..=(x1.ceil() as i32) {
        for &month in months {
            let x = Date {
                year,
                month,
                day: 1,
            }
            .year_fraction();
            if x >= x0 - 1e-9 && x <= x1 + 1e-9 {
                out.push((
                    x,
                    if months.len() == 1 {
                        year.to_string()
                    } else {
                        format!("{} {year}", MONTHS[month as usize - 1])
                    },
                ));
            }
        }
    }
    out
}

/// What a legend entry shows beside its text.
enum Swatch {
    Line(&'static str),
    Fill(&'static str),
    Target,
    Window(&'static str),
    Dot(&'static str),
}

/// A figure being laid out: the plot's extent in data and pixels, and the text around it.
struct Frame {
    title: Vec<String>,
    x: (f64, f64),
    y: (f64, f64),
    top: f64,
    legend: Vec<(Swatch, String)>,
    /// Points drawn (pixels), to place the legend where it hides least.
    ink: Vec<(f64, f64)>,
    /// Marks the legend must not hide (the numbered event markers).
    keep_clear: Vec<(f64, f64)>,
    body: String,
}

impl Frame {
    fn new(title: &str, x: (f64, f64), y: (f64, f64)) -> Frame {
        let title = wrap(title, TITLE_CHARS);
        let top = 14.0 + 18.0 * title.len() as f64;
        let x1 = if x.1 > x.0 { x.1 } else { x.0 + 1.0 };
        Frame {
            title,
            x: (x.0, x1),
            y,
            top,
            legend: Vec::new(),
            ink: Vec::new(),
            keep_clear: Vec::new(),
            body: String::new(),
        }
    }
    fn px(&self, x: f64) -> f64 {
        L + (x - self.x.0) / (self.x.1 - self.x.0) * (W - L - R)
    }
    fn py(&self, y: f64) -> f64 {
        let t = ((y - self.y.0) / (self.y.1 - self.y.0)).clamp(0.0, 1.0);
        self.top + PH - t * PH
    }
    fn bottom(&self) -> f64 {
        self.top + PH
    }

    fn band(&mut self, s: &Series) {
        // The band's upper edge is ink the legend should not hide either.
        for p in s.hi.iter().filter(|p| p.1.is_finite()) {
            self.ink.push((self.px(p.0), self.py(p.1)));
        }
        let mut pts = String::new();
        for p in s.hi.iter().chain(s.lo.iter().rev()) {
            if p.1.is_finite() {
                let _ = write!(pts, "{:.2},{:.2} ", self.px(p.0), self.py(p.1));
            }
        }
        let _ = writeln!(
            self.body,
            "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"none\"/>",
            pts.trim_end(),
            s.fill
        );
    }
    fn line(&mut self, pts: &[(f64, f64)], colour: &str, name: &str) {
        let mut line = String::new();
        for p in pts.iter().filter(|p| p.1.is_finite()) {
            let (x, y) = (self.px(p.0), self.py(p.1));
            self.ink.push((x, y));
            let _ = write!(line, "{x:.2},{y:.2} ");
        }
        let _ = writeln!(
            self.body,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\"><title>{}</title></polyline>",
            line.trim_end(),
            esc(name)
        );
    }
    fn target(&mut self, x0: f64, x1: f64, y0: f64, y1: f64) {
        let (top, bottom) = (self.py(y1.min(self.y.1)), self.py(y0));
        let (a, b) = (self.px(x0), self.px(x1));
        let _ = writeln!(
            self.body,
            "<rect x=\"{a:.2}\" y=\"{top:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{TARGET_FILL}\" fill-opacity=\"0.35\" stroke=\"{TARGET_STROKE}\"/>",
            (b - a).max(2.0),
            (bottom - top).max(2.0)
        );
    }

    /// Axes, ticks and their titles; the x axis as dates or as numbers.
    fn axes(&mut self, yticks: &(Vec<f64>, usize), ylabel: &str, x: XTicks) {
        let (b, top) = (self.bottom(), self.top);
        let _ = writeln!(
            self.body,
            "<line x1=\"{L}\" y1=\"{b:.2}\" x2=\"{:.2}\" y2=\"{b:.2}\" stroke=\"{INK}\"/>\n<line x1=\"{L}\" y1=\"{top:.2}\" x2=\"{L}\" y2=\"{b:.2}\" stroke=\"{INK}\"/>",
            W - R
        );
        for &v in &yticks.0 {
            let y = self.py(v);
            let _ = writeln!(
                self.body,
                "<line x1=\"{L}\" y1=\"{y:.2}\" x2=\"{:.2}\" y2=\"{y:.2}\" stroke=\"#e5e5e5\"/><line x1=\"{:.2}\" y1=\"{y:.2}\" x2=\"{L}\" y2=\"{y:.2}\" stroke=\"{INK}\"/><text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
                W - R,
                L - 4.0,
                L - 6.0,
                y + 4.0,
                tick_label(v, yticks.1)
            );
        }
        let mid = top + PH / 2.0;
        let _ = writeln!(
            self.body,
            "<text x=\"14\" y=\"{mid:.2}\" transform=\"rotate(-90 14 {mid:.2})\" text-anchor=\"middle\">{}</text>",
            esc(ylabel)
        );
        let ticks: Vec<(f64, String)> = match x {
            XTicks::Time => time_ticks(self.x.0, self.x.1),
            XTicks::Numbers(label) => {
                let (t, d) = nice_ticks(self.x.0, self.x.1);
                let _ = writeln!(
                    self.body,
                    "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
                    L + (W - L - R) / 2.0,
                    b + 34.0,
                    esc(label)
                );
                t.into_iter()
                    .filter(|v| *v >= self.x.0 - 1e-9 && *v <= self.x.1 + 1e-9)
                    .map(|v| (v, tick_label(v, d)))
                    .collect()
            }
            XTicks::Labels(label, names) => {
                let _ = writeln!(
                    self.body,
                    "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
                    L + (W - L - R) / 2.0,
                    b + 34.0,
                    esc(label)
                );
                names
            }
        };
        for (v, label) in ticks {
            let x = self.px(v);
            let _ = writeln!(
                self.body,
                "<line x1=\"{x:.2}\" y1=\"{b:.2}\" x2=\"{x:.2}\" y2=\"{:.2}\" stroke=\"{INK}\"/><text x=\"{x:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
                b + 4.0,
                b + 17.0,
                esc(&label)
            );
        }
    }

    /// The legend, inside the plot, in the corner that hides the fewest points drawn.
    fn draw_legend(&mut self) {
        if self.legend.is_empty() {
            return;
        }
        let width = 34.0
            + 6.2
                * self
                    .legend
                    .iter()
                    .map(|(_, t)| t.chars().count())
                    .max()
                    .unwrap_or(0) as f64;
        let height = 8.0 + 16.0 * self.legend.len() as f64;
        // Candidates: the four corners first, then a grid (right, left, centre × top, below
        // the event markers, middle, bottom); ties go to the earlier.
        let (xr, xl) = (W - R - width - 6.0, L + 6.0);
        let xc = (xl + xr) / 2.0;
        let (yt, yb) = (self.top + 6.0, self.bottom() - height - 6.0);
        let (ym, yk) = ((yt + yb) / 2.0, self.top + 58.0);
        let corners = [
            (xr, yt),
            (xl, yt),
            (xr, yb),
            (xl, yb),
            (xr, yk),
            (xl, yk),
            (xc, yt),
            (xc, yk),
            (xr, ym),
            (xl, ym),
            (xc, ym),
            (xc, yb),
        ];
        let hidden = |&(x, y): &(f64, f64)| {
            let inside = |p: &&(f64, f64)| {
                p.0 >= x - 8.0
                    && p.0 <= x + width + 8.0
                    && p.1 >= y - 8.0
                    && p.1 <= y + height + 8.0
            };
            self.ink.iter().filter(inside).count()
                + 100_000 * self.keep_clear.iter().filter(inside).count()
        };
        // Fewest points hidden; ties to the earlier candidate.
        let (x, y) = corners
            .iter()
            .enumerate()
            .min_by_key(|(i, c)| (hidden(c), *i))
            .map(|(_, c)| *c)
            .unwrap_or(corners[0]);
        let _ = writeln!(
            self.body,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{width:.2}\" height=\"{height:.2}\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#cccccc\"/>"
        );
        for (i, (swatch, text)) in self.legend.iter().enumerate() {
            let cy = y + 12.0 + 16.0 * i as f64;
            let sx = x + 8.0;
            let shape = match swatch {
                Swatch::Line(c) => format!(
                    "<line x1=\"{sx:.2}\" y1=\"{cy:.2}\" x2=\"{:.2}\" y2=\"{cy:.2}\" stroke=\"{c}\" stroke-width=\"2\"/>",
                    sx + 18.0
                ),
                Swatch::Fill(c) => format!(
                    "<rect x=\"{sx:.2}\" y=\"{:.2}\" width=\"18\" height=\"10\" fill=\"{c}\" fill-opacity=\"0.35\"/>",
                    cy - 5.0
                ),
                Swatch::Target => format!(
                    "<rect x=\"{sx:.2}\" y=\"{:.2}\" width=\"18\" height=\"10\" fill=\"{TARGET_FILL}\" fill-opacity=\"0.35\" stroke=\"{TARGET_STROKE}\"/>",
                    cy - 5.0
                ),
                Swatch::Window(c) => format!(
                    "<rect x=\"{sx:.2}\" y=\"{:.2}\" width=\"18\" height=\"10\" fill=\"{c}\" fill-opacity=\"0.5\"/>",
                    cy - 5.0
                ),
                Swatch::Dot(c) => format!(
                    "<circle cx=\"{:.2}\" cy=\"{cy:.2}\" r=\"4\" fill=\"{c}\"/>",
                    sx + 9.0
                ),
            };
            let _ = writeln!(
                self.body,
                "{shape}<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"11\">{}</text>",
                sx + 24.0,
                cy + 4.0,
                esc(text)
            );
        }
    }

    /// Dated policy changes: dashed lines numbered at the top of the plot (a marker that would
    /// touch its neighbour drops a row), their labels in a key under the figure.
    fn events(&mut self, events: &[(f64, &str)]) -> Vec<String> {
        let mut last_x = [f64::NEG_INFINITY; 3];
        let mut key = Vec::new();
        for (n, (x, label)) in events.iter().enumerate() {
            if *x < self.x.0 || *x > self.x.1 {
                continue;
            }
            let px = self.px(*x);
            let row = (0..3).find(|&r| px - last_x[r] >= 16.0).unwrap_or(0);
            last_x[row] = px;
            let cy = self.top + 9.0 + 16.0 * row as f64;
            self.keep_clear.push((px, cy));
            let _ = writeln!(
                self.body,
                "<line x1=\"{px:.2}\" y1=\"{:.2}\" x2=\"{px:.2}\" y2=\"{:.2}\" stroke=\"{GREY}\" stroke-dasharray=\"4 3\"/><circle cx=\"{px:.2}\" cy=\"{cy:.2}\" r=\"7\" fill=\"white\" stroke=\"{GREY}\"/><text x=\"{px:.2}\" y=\"{:.2}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
                cy + 7.0,
                self.bottom(),
                cy + 3.0,
                n + 1
            );
            let date = Date::from_year_fraction(*x);
            key.push(format!("({}) {date} {label}", n + 1));
        }
        key
    }

    /// The whole SVG: title, body, legend, then under the plot the result line, the key of
    /// events and the provenance note.
    fn finish(mut self, below_axis: f64, lines: &[String], note: &str) -> String {
        self.draw_legend();
        let first = self.bottom() + below_axis + 18.0;
        document(L, &self.title, &self.body, first, lines, note)
    }
}

/// The whole SVG document: the title (lines, at `title_x`), the drawing `body`, then from `first`
/// down the text lines under it (each wrapped to the figure's width) and the grey provenance
/// `note`; its height follows from them.
fn document(
    title_x: f64,
    title: &[String],
    body: &str,
    first: f64,
    lines: &[String],
    note: &str,
) -> String {
    let mut text: Vec<(String, &str)> = Vec::new();
    for l in lines {
        for w in wrap(l, TEXT_CHARS) {
            text.push((w, INK));
        }
    }
    for w in wrap(note, TEXT_CHARS + 10) {
        text.push((w, GREY));
    }
    let h = first + 15.0 * text.len() as f64 + 4.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16cm\" height=\"{:.2}cm\" viewBox=\"0 0 {W} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\" fill=\"{INK}\">\n<rect width=\"{W}\" height=\"{h:.0}\" fill=\"white\"/>",
        16.0 * h / W
    );
    for (i, t) in title.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{title_x}\" y=\"{:.2}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
            22.0 + 18.0 * i as f64,
            esc(t)
        );
    }
    s.push_str(body);
    for (i, (t, colour)) in text.iter().enumerate() {
        let size = if *colour == GREY { 9.5 } else { 11.0 };
        let _ = writeln!(
            s,
            "<text x=\"{L}\" y=\"{:.2}\" font-size=\"{size}\" fill=\"{colour}\">{}</text>",
            first + 15.0 * i as f64,
            esc(t)
        );
    }
    s.push_str("</svg>\n");
    s
}

enum XTicks<'a> {
    Time,
    Numbers(&'a str),
    Labels(&'a str, Vec<(f64, String)>),
}

/// The y range of series and target marks: from 0 (or the data's minimum if negative) to a
/// nice maximum; open-ended bands (e.g. "at least 5") do not stretch the axis.
fn y_range(series: &[Series], boxes: &[(f64, f64)]) -> (Vec<f64>, usize) {
    let vals = series
        .iter()
        .flat_map(|s| s.med.iter().chain(s.lo).chain(s.hi))
        .map(|p| p.1)
        .filter(|y| y.is_finite());
    let (mut lo, mut hi) = vals.fold((0.0f64, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    let data_hi = if hi.is_finite() { hi } else { 0.0 };
    for &(y0, y1) in boxes {
        hi = hi.max(if y1 > 10.0 * data_hi.max(1e-9) {
            y0
        } else {
            y1
        });
        lo = lo.min(y0);
    }
    if !hi.is_finite() || hi <= lo {
        hi = lo + 1.0;
    }
    nice_ticks(lo, hi)
}

/// A time chart: each series' median and 5–95% band across replicates, the target marks and
/// the dated policy changes.
pub struct TimeChart<'a> {
    pub title: &'a str,
    pub ylabel: &'a str,
    pub series: &'a [Series<'a>],
    pub marks: &'a [Mark],
    /// One line stating the result (e.g. the median and the verdict); may be empty.
    pub result: &'a str,
    pub note: &'a str,
}

impl TimeChart<'_> {
    pub fn svg(&self) -> String {
        let boxes: Vec<(f64, f64)> = (self.marks.iter())
            .filter_map(|m| match m {
                Mark::Box { y0, y1, .. } => Some((*y0, *y1)),
                _ => None,
            })
            .collect();
        let yt = y_range(self.series, &boxes);
        let xs = self.series.iter().flat_map(|s| s.med.iter().map(|p| p.0));
        let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        let (x0, x1) = if x0.is_finite() { (x0, x1) } else { (0.0, 1.0) };
        // A run starting a few days into January still shows that year's tick.
        let x0 = if x0 - x0.floor() < 0.05 {
            x0.floor()
        } else {
            x0
        };
        let x1 = if x1.ceil() - x1 < 0.05 { x1.ceil() } else { x1 };
        let mut f = Frame::new(
            self.title,
            (x0, x1),
            (yt.0[0], *yt.0.last().unwrap_or(&1.0)),
        );
        let mut events = Vec::new();
        for m in self.marks {
            match m {
                Mark::Box { x0, x1, y0, y1 } => f.target(*x0, *x1, *y0, *y1),
                Mark::Window { x0, x1, label } => {
                    let (a, b) = (f.px(x0.max(f.x.0)), f.px(x1.min(f.x.1)));
                    let fill = if f.legend.is_empty() {
                        WINDOW_FILL
                    } else {
                        WINDOW_FILL_2
                    };
                    let _ = writeln!(
                        f.body,
                        "<rect x=\"{a:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{PH}\" fill=\"{fill}\" fill-opacity=\"0.3\"/>",
                        f.top,
                        (b - a).max(2.0)
                    );
                    f.legend.push((Swatch::Window(fill), label.clone()));
                }
                Mark::Line { x, label } => events.push((*x, label.as_str())),
            }
        }
        let key = f.events(&events);
        for s in self.series {
            f.band(s);
        }
        for s in self.series {
            f.line(s.med, s.colour, s.name);
        }
        f.axes(&yt, self.ylabel, XTicks::Time);
        let two = self.series.len() > 1;
        let mut legend: Vec<(Swatch, String)> = Vec::new();
        for s in self.series {
            let (line, fill) = match s.colour {
                "#9b2226" => ("#9b2226", "#e76f51"),
                _ => ("#264653", "#2a9d8f"),
            };
            // One replicate has no band: say so rather than show an empty swatch.
            let banded = s.lo.iter().zip(s.hi).any(|(a, b)| a.1 != b.1);
            let prefix = if two {
                format!("{}: ", s.name)
            } else {
                String::new()
            };
            if banded {
                legend.push((Swatch::Line(line), format!("{prefix}median of replicates")));
                legend.push((Swatch::Fill(fill), format!("{prefix}5–95% of replicates")));
            } else {
                legend.push((
                    Swatch::Line(line),
                    format!("{prefix}the run (no spread across replicates)"),
                ));
            }
        }
        if !boxes.is_empty() {
            legend.push((Swatch::Target, "target (the historical record)".into()));
        }
        legend.append(&mut f.legend);
        f.legend = legend;
        let mut lines = Vec::new();
        if !self.result.is_empty() {
            lines.push(self.result.to_string());
        }
        if !key.is_empty() {
            lines.push(format!("Policy changes: {}", key.join("; ")));
        }
        f.finish(22.0, &lines, self.note)
    }
}

/// Points (x, y) of a line.
pub type Points<'a> = &'a [(f64, f64)];

/// A blue-green series (the first or only scenario) and a red one (the second).
pub fn series<'a>(
    name: &'a str,
    second: bool,
    (med, lo, hi): (Points<'a>, Points<'a>, Points<'a>),
) -> Series<'a> {
    let (colour, fill) = if second {
        ("#9b2226", "#e76f51")
    } else {
        ("#264653", "#2a9d8f")
    };
    Series {
        name,
        colour,
        fill,
        med,
        lo,
        hi,
    }
}

/// One dot per replicate (or per ensemble member: `unit`) against the target band.
pub fn dot_chart(
    title: &str,
    (ylabel, unit): (&str, &str),
    values: &[f64],
    band: (f64, f64),
    result: &str,
    note: &str,
) -> String {
    let pts: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64 + 1.0, *v))
        .collect();
    let s = [series("replicates", false, (&pts, &pts, &pts))];
    let yt = y_range(&s, &[band]);
    let n = values.len().max(1) as f64;
    let mut f = Frame::new(
        title,
        (0.5, n + 0.5),
        (yt.0[0], *yt.0.last().unwrap_or(&1.0)),
    );
    f.target(0.5, n + 0.5, band.0, band.1);
    for (x, v) in &pts {
        if v.is_finite() {
            let (cx, cy) = (f.px(*x), f.py(*v));
            f.ink.push((cx, cy));
            let _ = writeln!(
                f.body,
                "<circle cx=\"{cx:.2}\" cy=\"{cy:.2}\" r=\"4\" fill=\"#264653\"/>"
            );
        }
    }
    // Label every replicate up to 20, else about ten of them.
    let every = values.len().div_ceil(10).max(1);
    let labels = (1..=values.len())
        .filter(|i| values.len() <= 20 || (i - 1) % every == 0)
        .map(|i| (i as f64, i.to_string()))
        .collect();
    f.axes(&yt, ylabel, XTicks::Labels(unit, labels));
    f.legend = vec![
        (Swatch::Dot("#264653"), format!("one {unit}")),
        (Swatch::Target, "target (the historical record)".into()),
    ];
    f.finish(36.0, &[result.to_string()], note)
}

/// Morris's plane: one numbered dot per parameter at (μ*, σ), the parameters named in a key. Far
/// right: influential; high: nonlinear or interacting; near the origin: negligible.
pub fn mu_sigma(
    title: &str,
    names: &[String],
    pts: &[(f64, f64)],
    result: &str,
    note: &str,
) -> String {
    let finite: Vec<(f64, f64)> = pts
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let xmax = finite.iter().map(|p| p.0).fold(0.0f64, f64::max);
    let ymax = finite.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let (xt, _) = nice_ticks(0.0, if xmax > 0.0 { xmax } else { 1.0 });
    let yt = nice_ticks(0.0, if ymax > 0.0 { ymax } else { 1.0 });
    let mut f = Frame::new(
        title,
        (0.0, *xt.last().unwrap_or(&1.0)),
        (0.0, *yt.0.last().unwrap_or(&1.0)),
    );
    for (i, &(x, y)) in pts.iter().enumerate() {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let (cx, cy) = (f.px(x), f.py(y));
        f.ink.push((cx, cy));
        let _ = writeln!(
            f.body,
            "<circle cx=\"{cx:.2}\" cy=\"{cy:.2}\" r=\"4\" fill=\"#264653\"/><text x=\"{:.2}\" y=\"{:.2}\" font-size=\"10\">{}</text>",
            cx + 6.0,
            cy - 4.0,
            i + 1
        );
    }
    f.axes(
        &yt,
        "σ: spread of the elementary effects",
        XTicks::Numbers("μ*: mean absolute elementary effect (across the parameter's range)"),
    );
    let key: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("({}) {n}", i + 1))
        .collect();
    f.finish(36.0, &[result.to_string(), key.join("; ")], note)
}

/// A response curve: median and 5–95% band of an outcome against one varied parameter.
pub fn response_curve(
    title: &str,
    xlabel: &str,
    ylabel: &str,
    pts: &[(f64, f64, f64, f64)],
    note: &str,
) -> String {
    let mut pts = pts.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let med: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
    let lo: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.2)).collect();
    let hi: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
    let s = [series(ylabel, false, (&med, &lo, &hi))];
    let yt = y_range(&s, &[]);
    let (x0, x1) = (
        med.first().map_or(0.0, |p| p.0),
        med.last().map_or(1.0, |p| p.0),
    );
    let mut f = Frame::new(title, (x0, x1), (yt.0[0], *yt.0.last().unwrap_or(&1.0)));
    f.band(&s[0]);
    f.line(&med, "#264653", ylabel);
    for &(x, y) in &med {
        if y.is_finite() {
            let _ = writeln!(
                f.body,
                "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"3\" fill=\"#264653\"/>",
                f.px(x),
                f.py(y)
            );
        }
    }
    f.axes(&yt, ylabel, XTicks::Numbers(xlabel));
    f.legend = vec![
        (
            Swatch::Line("#264653"),
            "median of replicates (dots: points run)".into(),
        ),
        (Swatch::Fill("#2a9d8f"), "5–95% of replicates".into()),
    ];
    f.finish(36.0, &[], note)
}

/// A heatmap of medians over two varied parameters (rows: the first, columns: the second),
/// each cell's value written with `show`.
pub fn heatmap(
    title: &str,
    (ylabel, xlabel): (&str, &str),
    cells: &[(String, String, f64)],
    show: &dyn Fn(f64) -> String,
    what: &str,
    note: &str,
) -> String {
    let mut rows: Vec<&str> = Vec::new();
    let mut cols: Vec<&str> = Vec::new();
    for c in cells {
        if !rows.contains(&c.0.as_str()) {
            rows.push(&c.0);
        }
        if !cols.contains(&c.1.as_str()) {
            cols.push(&c.1);
        }
    }
    let finite: Vec<f64> = cells
        .iter()
        .map(|c| c.2)
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = (
        finite.iter().copied().fold(f64::INFINITY, f64::min),
        finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let shade = |v: f64| {
        let t = if hi > lo && v.is_finite() {
            (v - lo) / (hi - lo)
        } else {
            0.5
        };
        (
            (255.0 - 200.0 * t) as u8,
            (255.0 - 120.0 * t) as u8,
            (255.0 - 60.0 * t) as u8,
            t > 0.6,
        )
    };
    let mut f = Frame::new(title, (0.0, 1.0), (0.0, 1.0));
    let (cw, ch) = (
        (W - L - R) / cols.len().max(1) as f64,
        PH / rows.len().max(1) as f64,
    );
    for c in cells {
        let (i, j) = (
            rows.iter().position(|r| *r == c.0).unwrap_or(0),
            cols.iter().position(|x| *x == c.1).unwrap_or(0),
        );
        let (r, g, b, dark) = shade(c.2);
        let (x, y) = (L + j as f64 * cw, f.top + i as f64 * ch);
        let _ = writeln!(
            f.body,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{cw:.2}\" height=\"{ch:.2}\" fill=\"rgb({r},{g},{b})\" stroke=\"white\"/><text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
            x + cw / 2.0,
            y + ch / 2.0 + 4.0,
            if dark { "white" } else { INK },
            esc(&show(c.2))
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            f.body,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
            L - 6.0,
            f.top + i as f64 * ch + ch / 2.0 + 4.0,
            esc(r)
        );
    }
    for (j, c) in cols.iter().enumerate() {
        let _ = writeln!(
            f.body,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
            L + j as f64 * cw + cw / 2.0,
            f.bottom() + 16.0,
            esc(c)
        );
    }
    let mid = f.top + PH / 2.0;
    let _ = writeln!(
        f.body,
        "<text x=\"14\" y=\"{mid:.2}\" transform=\"rotate(-90 14 {mid:.2})\" text-anchor=\"middle\">{}</text><text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
        esc(ylabel),
        L + (W - L - R) / 2.0,
        f.bottom() + 34.0,
        esc(xlabel)
    );
    let range = if finite.is_empty() {
        String::new()
    } else {
        format!(" (lightest {}, darkest {})", show(lo), show(hi))
    };
    f.finish(36.0, &[format!("Each cell: {what}{range}.")], note)
}

/// A row of a bar chart: its label and, per measure, (value, interval low, interval high).
pub type BarRow = (String, Vec<(f64, f64, f64)>);

/// Horizontal bars with intervals: for each row (a parameter), one bar per measure (e.g. the
/// first-order and total Sobol indices), each with its 95% interval as a whisker (NaN: none).
/// `rows`: (label, [(value, lo, hi)] one per measure). With `cap`, the axis stays within it
/// (an interval beyond it runs to the edge).
pub fn bars(
    title: &str,
    (xlabel, cap): (&str, Option<(f64, f64)>),
    measures: &[&str],
    rows: &[BarRow],
    result: &str,
    note: &str,
) -> String {
    const COLOURS: [&str; 3] = ["#264653", "#e76f51", "#2a9d8f"];
    let title_lines = wrap(title, TITLE_CHARS);
    let top = 14.0 + 18.0 * title_lines.len() as f64 + 22.0 + 16.0 * measures.len() as f64;
    let label_w = (rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(4) as f64 * 6.4 + 12.0)
        .clamp(60.0, 280.0);
    let (x0, x1) = (label_w, W - R);
    let bar_h = 9.0;
    let row_h = bar_h * measures.len() as f64 + 10.0;
    let ph = row_h * rows.len().max(1) as f64;
    let vmax = rows
        .iter()
        .flat_map(|r| r.1.iter().flat_map(|v| [v.0, v.2]))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let vmin = rows
        .iter()
        .flat_map(|r| r.1.iter().flat_map(|v| [v.0, v.1]))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let (vmin, vmax) = match cap {
        Some((lo, hi)) => (vmin.max(lo), vmax.min(hi)),
        None => (vmin, vmax),
    };
    let (ticks, decimals) = nice_ticks(vmin, vmax.max(1e-9));
    let (t0, t1) = (ticks[0], *ticks.last().unwrap_or(&1.0));
    let px = |v: f64| x0 + (v.clamp(t0, t1) - t0) / (t1 - t0) * (x1 - x0);
    let mut body = String::new();
    // Legend above the plot, one line per measure.
    for (m, name) in measures.iter().enumerate() {
        let y = top - 16.0 * (measures.len() - m) as f64 - 2.0;
        let _ = writeln!(
            body,
            "<rect x=\"{x0:.2}\" y=\"{:.2}\" width=\"18\" height=\"9\" fill=\"{}\"/><text x=\"{:.2}\" y=\"{:.2}\">{}</text>",
            y - 8.0,
            COLOURS[m % 3],
            x0 + 24.0,
            y,
            esc(name)
        );
    }
    for &t in &ticks {
        let x = px(t);
        let _ = writeln!(
            body,
            "<line x1=\"{x:.2}\" y1=\"{top:.2}\" x2=\"{x:.2}\" y2=\"{:.2}\" stroke=\"#e5e5e5\"/><text x=\"{x:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
            top + ph,
            top + ph + 16.0,
            tick_label(t, decimals)
        );
    }
    for (i, (label, vals)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h + 5.0;
        let _ = writeln!(
            body,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
            x0 - 6.0,
            y + row_h / 2.0,
            esc(label)
        );
        for (m, &(v, lo, hi)) in vals.iter().enumerate() {
            let by = y + m as f64 * bar_h;
            if v.is_finite() {
                let (a, b) = (px(0.0_f64.max(t0)), px(v));
                let _ = writeln!(
                    body,
                    "<rect x=\"{:.2}\" y=\"{by:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"><title>{}: {}</title></rect>",
                    a.min(b),
                    (b - a).abs().max(0.5),
                    bar_h - 1.0,
                    COLOURS[m % 3],
                    esc(measures.get(m).copied().unwrap_or("")),
                    number(v)
                );
            }
            if lo.is_finite() && hi.is_finite() {
                let cy = by + (bar_h - 1.0) / 2.0;
                let _ = writeln!(
                    body,
                    "<line x1=\"{:.2}\" y1=\"{cy:.2}\" x2=\"{:.2}\" y2=\"{cy:.2}\" stroke=\"{INK}\"/><line x1=\"{0:.2}\" y1=\"{:.2}\" x2=\"{0:.2}\" y2=\"{:.2}\" stroke=\"{INK}\"/><line x1=\"{1:.2}\" y1=\"{2:.2}\" x2=\"{1:.2}\" y2=\"{3:.2}\" stroke=\"{INK}\"/>",
                    px(lo),
                    px(hi),
                    cy - 3.0,
                    cy + 3.0
                );
            }
        }
    }
    let (yb, xz, xm, yl) = (
        top + ph,
        px(0.0_f64.max(t0)),
        (x0 + x1) / 2.0,
        top + ph + 34.0,
    );
    let _ = writeln!(
        body,
        "<line x1=\"{x0:.2}\" y1=\"{yb:.2}\" x2=\"{x1:.2}\" y2=\"{yb:.2}\" stroke=\"{INK}\"/><line x1=\"{xz:.2}\" y1=\"{top:.2}\" x2=\"{xz:.2}\" y2=\"{yb:.2}\" stroke=\"{INK}\"/><text x=\"{xm:.2}\" y=\"{yl:.2}\" text-anchor=\"middle\">{}</text>",
        esc(xlabel)
    );
    document(
        16.0,
        &title_lines,
        &body,
        top + ph + 56.0,
        &[result.to_string()],
        note,
    )
}

/// The pair plot of history matching over `names.len()` parameters, from points of the unit
/// cube and the implausibility each is judged by: below the diagonal, each bin's minimum
/// implausibility (dark where some point is plausible, light where every point is ruled out;
/// blank where none was run); above it, the optical depth, the share of the bin's points that
/// are non-implausible (at `cutoff`). Parameters are numbered on the diagonal, named in a key.
pub fn pairs(
    title: &str,
    names: &[String],
    points: &[Vec<f64>],
    judged: &[f64],
    cutoff: f64,
    note: &str,
) -> String {
    let d = names.len().max(1);
    // Fewer, fuller bins when the panels are small.
    let bins: usize = if d > 8 { 4 } else { 6 };
    let title_lines = wrap(title, TITLE_CHARS);
    let top = 14.0 + 18.0 * title_lines.len() as f64 + 8.0;
    let side = W - L - R;
    let cell = side / d as f64;
    let bin = cell / bins as f64;
    let mut body = String::new();
    // Bin statistics for a pair (i, j): (minimum implausibility, points, non-implausible).
    let stats = |i: usize, j: usize| {
        let mut min = vec![f64::INFINITY; bins * bins];
        let mut n = vec![0usize; bins * bins];
        let mut ok = vec![0usize; bins * bins];
        for (x, &imp) in points.iter().zip(judged) {
            let b = |u: f64| ((u * bins as f64) as usize).min(bins - 1);
            let k = b(x[i]) * bins + b(x[j]);
            n[k] += 1;
            if imp.is_finite() {
                min[k] = min[k].min(imp);
            }
            if imp <= cutoff {
                ok[k] += 1;
            }
        }
        (min, n, ok)
    };
    // Colour: 0 → dark blue-green, 1 → near white.
    let shade = |t: f64| {
        let t = t.clamp(0.0, 1.0);
        (
            (38.0 + (250.0 - 38.0) * t) as u8,
            (70.0 + (250.0 - 70.0) * t) as u8,
            (83.0 + (250.0 - 83.0) * t) as u8,
        )
    };
    for r in 0..d {
        for c in 0..d {
            let (x0, y0) = (L + c as f64 * cell, top + r as f64 * cell);
            if r == c {
                let _ = writeln!(
                    body,
                    "<rect x=\"{x0:.2}\" y=\"{y0:.2}\" width=\"{cell:.2}\" height=\"{cell:.2}\" fill=\"#f4f4f4\" stroke=\"white\"/><text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"{:.1}\" font-weight=\"bold\">{}</text>",
                    x0 + cell / 2.0,
                    y0 + cell / 2.0 + 4.0,
                    (cell / 3.0).clamp(6.0, 13.0),
                    r + 1
                );
                continue;
            }
            // Row r is the vertical parameter, column c the horizontal one.
            let (min, n, ok) = stats(c, r);
            for bx in 0..bins {
                for by in 0..bins {
                    let k = bx * bins + by;
                    if n[k] == 0 {
                        continue;
                    }
                    let t = if r > c {
                        (min[k] / (2.0 * cutoff)).min(1.0)
                    } else {
                        1.0 - ok[k] as f64 / n[k] as f64
                    };
                    let (cr, cg, cb) = shade(t);
                    let _ = writeln!(
                        body,
                        "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{bin:.2}\" height=\"{bin:.2}\" fill=\"rgb({cr},{cg},{cb})\"/>",
                        x0 + bx as f64 * bin,
                        y0 + cell - (by + 1) as f64 * bin
                    );
                }
            }
            let _ = writeln!(
                body,
                "<rect x=\"{x0:.2}\" y=\"{y0:.2}\" width=\"{cell:.2}\" height=\"{cell:.2}\" fill=\"none\" stroke=\"#bbbbbb\" stroke-width=\"0.5\"/>"
            );
        }
    }
    let key: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("({}) {n}", i + 1))
        .collect();
    document(
        L,
        &title_lines,
        &body,
        top + side + 22.0,
        &[
            format!(
                "Below the diagonal: each bin's smallest implausibility (dark: some point is plausible; light: every point there is ruled out at {cutoff}). Above it: the optical depth, the share of the bin's points not ruled out (dark: all). Each panel: the column's parameter across, the row's up, each over its range; blank: no point run."
            ),
            key.join("; "),
        ],
        note,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice_and_cover_the_range() {
        let (t, d) = nice_ticks(0.0, 1.12);
        assert_eq!(t, vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25]);
        assert_eq!(d, 2);
        let (t, d) = nice_ticks(0.0, 51_600.0);
        assert_eq!(t, vec![0.0, 20_000.0, 40_000.0, 60_000.0]);
        assert_eq!(d, 0);
        let (t, _) = nice_ticks(0.0, 0.38);
        assert_eq!(t.len(), 5, "{t:?}");
        assert!((t[4] - 0.4).abs() < 1e-12);
        // A degenerate range still gives an axis.
        assert!(nice_ticks(3.0, 3.0).0.len() >= 2);
    }

    #[test]
    fn tick_labels_group_thousands() {
        assert_eq!(tick_label(50_000.0, 0), "50,000");
        assert_eq!(tick_label(1_234_567.5, 1), "1,234,567.5");
        assert_eq!(tick_label(-2_500.0, 0), "-2,500");
        assert_eq!(tick_label(0.25, 2), "0.25");
        assert_eq!(number(0.12345), "0.123");
        assert_eq!(number(1921.1205), "1,921");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(5.0), "5");
        assert_eq!(number(0.1), "0.1");
    }

    #[test]
    fn time_axes_show_years_or_quarters() {
        let long = time_ticks(1920.0, 1926.0);
        assert_eq!(long.first().unwrap().1, "1920");
        assert_eq!(long.len(), 7);
        let short = time_ticks(1921.0, 1922.0);
        let labels: Vec<&str> = short.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            labels,
            ["Jan 1921", "Apr 1921", "Jul 1921", "Oct 1921", "Jan 1922"]
        );
    }

    #[test]
    fn wrap_keeps_lines_short_and_words_whole() {
        let lines = wrap("one two three four five six", 9);
        assert_eq!(lines, ["one two", "three", "four five", "six"]);
    }

    #[test]
    fn close_events_are_numbered_on_separate_rows_and_keyed() {
        let med = [(1920.0, 1.0), (1926.0, 2.0)];
        let marks = [
            Mark::Line {
                x: 1921.2,
                label: "NEP".into(),
            },
            Mark::Line {
                x: 1921.21,
                label: "markets open".into(),
            },
        ];
        let svg = TimeChart {
            title: "t",
            ylabel: "y",
            series: &[series("a", false, (&med, &med, &med))],
            marks: &marks,
            result: "",
            note: "pact test",
        }
        .svg();
        assert!(
            svg.contains("(1) 1921-03-15 NEP; (2) 1921-03-19 markets open"),
            "{svg}"
        );
        // The two markers are on different rows (different circle heights).
        let cys: Vec<&str> = svg
            .match_indices("<circle cx=")
            .map(|(i, _)| {
                svg[i..]
                    .split("cy=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(cys.len(), 2);
        assert_ne!(cys[0], cys[1]);
        assert!(svg.contains("pact test"));
    }

    #[test]
    fn the_legend_avoids_the_data() {
        // Data high on the right: the legend goes to the top left.
        let med: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i), f64::from(i))).collect();
        let svg = TimeChart {
            title: "t",
            ylabel: "y",
            series: &[series("a", false, (&med, &med, &med))],
            marks: &[],
            result: "",
            note: "",
        }
        .svg();
        let legend = svg.split("fill-opacity=\"0.9\"").next().unwrap();
        let x: f64 = legend
            .rsplit("<rect x=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(x < W / 2.0, "legend at x = {x}");
    }
}
