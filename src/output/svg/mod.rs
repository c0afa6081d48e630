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
    /// What the median and band are taken across ("replicates", or "members" of an ensemble).
    pub across: &'a str,
}

impl<'a> Series<'a> {
    /// The same series, its median and band taken across `what` (e.g. "members").
    pub fn across(self, what: &'a str) -> Series<'a> {
        Series {
            across: what,
            ..self
        }
    }
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

mod charts;
mod study;

pub use charts::*;
pub use study::*;

#[cfg(test)]
mod tests;
