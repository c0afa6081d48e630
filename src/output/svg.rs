//! Small, dependency-free SVG charts for validation figures: a median line with a 5–95% band
//! over time and the target drawn on it, or one dot per replicate against a band.
//! Output is deterministic (fixed decimal formatting).

use std::fmt::Write as _;

const W: f64 = 760.0;
const H: f64 = 400.0;
const L: f64 = 70.0;
const R: f64 = 20.0;
const T: f64 = 50.0;
const B: f64 = 60.0;

/// Something drawn over a time chart.
pub enum Mark {
    /// The target band over a window.
    Box { x0: f64, x1: f64, y0: f64, y1: f64 },
    /// A shaded window with a label.
    Window { x0: f64, x1: f64, label: String },
    /// A dated vertical line with a label (a policy change).
    Line { x: f64, label: String },
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn header(title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n<text x=\"{L}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
        esc(title)
    );
    s
}

/// A nice upper bound for an axis.
fn nice_max(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    // libm, not the platform maths library: figure bytes are the same on every machine.
    let p = libm::pow(10.0, libm::floor(libm::log10(x)));
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x {
            return m * p;
        }
    }
    10.0 * p
}

/// Median and band over time (x in fractional years), with the target marks.
pub fn time_chart(
    title: &str,
    ylabel: &str,
    med: &[(f64, f64)],
    lo: &[(f64, f64)],
    hi: &[(f64, f64)],
    marks: &[Mark],
    footer: &str,
) -> String {
    let series = [Series {
        name: "",
        colour: "#264653",
        fill: "#2a9d8f",
        med,
        lo,
        hi,
    }];
    chart(
        title,
        ylabel,
        &series,
        marks,
        &format!("{footer} (line: median; shade: 5–95% of replicates; orange: target)"),
    )
}

/// Two scenarios' medians and bands over time; `dates` marks policy changes (x, label).
#[allow(clippy::type_complexity)]
pub fn two_series_chart(
    title: &str,
    ylabel: &str,
    a: (&str, &[(f64, f64)], &[(f64, f64)], &[(f64, f64)]),
    b: (&str, &[(f64, f64)], &[(f64, f64)], &[(f64, f64)]),
    dates: &[(f64, String)],
) -> String {
    let series = [
        Series {
            name: a.0,
            colour: "#264653",
            fill: "#2a9d8f",
            med: a.1,
            lo: a.2,
            hi: a.3,
        },
        Series {
            name: b.0,
            colour: "#9b2226",
            fill: "#e76f51",
            med: b.1,
            lo: b.2,
            hi: b.3,
        },
    ];
    let marks: Vec<Mark> = dates
        .iter()
        .map(|(x, l)| Mark::Line {
            x: *x,
            label: l.clone(),
        })
        .collect();
    chart(
        title,
        ylabel,
        &series,
        &marks,
        &format!(
            "A: {} (blue-green), B: {} (red); lines: medians, shades: 5–95% of replicates",
            a.0, b.0
        ),
    )
}

/// One scenario's median and 5–95% band.
struct Series<'a> {
    name: &'a str,
    colour: &'a str,
    fill: &'a str,
    med: &'a [(f64, f64)],
    lo: &'a [(f64, f64)],
    hi: &'a [(f64, f64)],
}

fn chart(title: &str, ylabel: &str, series: &[Series], marks: &[Mark], footer: &str) -> String {
    let finite = |v: &[(f64, f64)]| {
        v.iter()
            .map(|p| p.1)
            .filter(|y| y.is_finite())
            .fold(0.0f64, f64::max)
    };
    let data_max = series
        .iter()
        .map(|s| finite(s.hi).max(finite(s.med)))
        .fold(0.0f64, f64::max);
    let mut ymax = data_max;
    for m in marks {
        if let Mark::Box { y1, y0, .. } = m {
            // Open-ended bands (e.g. "at least 5") do not stretch the axis.
            ymax = ymax.max(if *y1 > 10.0 * data_max.max(1e-9) {
                *y0
            } else {
                *y1
            });
        }
    }
    let ymax = nice_max(ymax * 1.05);
    let first = series.first().map(|s| s.med).unwrap_or(&[]);
    let x0 = first.first().map(|p| p.0).unwrap_or(0.0);
    let x1 = first.last().map(|p| p.0).unwrap_or(1.0).max(x0 + 1e-9);
    let px = |x: f64| L + (x - x0) / (x1 - x0) * (W - L - R);
    let py = |y: f64| H - B - (y.clamp(0.0, ymax) / ymax) * (H - T - B);
    let mut s = header(title);
    for m in marks {
        match m {
            Mark::Box {
                x0: a,
                x1: b,
                y0,
                y1,
            } => {
                let (top, bottom) = (py(y1.min(ymax)), py(*y0));
                let _ = writeln!(
                    s,
                    "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"#f4a261\" fill-opacity=\"0.35\" stroke=\"#e76f51\"/>",
                    px(*a),
                    top,
                    (px(*b) - px(*a)).max(2.0),
                    (bottom - top).max(2.0)
                );
            }
            Mark::Window {
                x0: a,
                x1: b,
                label,
            } => {
                let _ = writeln!(
                    s,
                    "<rect x=\"{:.2}\" y=\"{T}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"#e9c46a\" fill-opacity=\"0.3\"/>",
                    px(*a),
                    (px(*b) - px(*a)).max(2.0),
                    H - T - B
                );
                let _ = writeln!(
                    s,
                    "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"10\">{}</text>",
                    px(*a) + 2.0,
                    T + 12.0,
                    esc(label)
                );
            }
            Mark::Line { x, label } => {
                let _ = writeln!(
                    s,
                    "<line x1=\"{0:.2}\" y1=\"{T}\" x2=\"{0:.2}\" y2=\"{1}\" stroke=\"#6c757d\" stroke-dasharray=\"4 3\"/>",
                    px(*x),
                    H - B
                );
                let _ = writeln!(
                    s,
                    "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"9\" transform=\"rotate(-90 {:.2} {:.2})\" text-anchor=\"end\">{}</text>",
                    px(*x) - 2.0,
                    T + 4.0,
                    px(*x) - 2.0,
                    T + 4.0,
                    esc(label)
                );
            }
        }
    }
    for se in series {
        // Band polygon: hi forward, lo backward.
        let mut pts = String::new();
        for p in se.hi.iter().chain(se.lo.iter().rev()) {
            if p.1.is_finite() {
                let _ = write!(pts, "{:.2},{:.2} ", px(p.0), py(p.1));
            }
        }
        let _ = writeln!(
            s,
            "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"none\"/>",
            pts.trim_end(),
            se.fill
        );
        let mut line = String::new();
        for p in se.med {
            if p.1.is_finite() {
                let _ = write!(line, "{:.2},{:.2} ", px(p.0), py(p.1));
            }
        }
        let _ = writeln!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"><title>{}</title></polyline>",
            line.trim_end(),
            se.colour,
            esc(se.name)
        );
    }
    axes(&mut s, ymax, ylabel);
    let mut year = x0.ceil();
    while year <= x1 {
        let _ = writeln!(
            s,
            "<line x1=\"{0:.2}\" y1=\"{1}\" x2=\"{0:.2}\" y2=\"{2}\" stroke=\"#999\"/><text x=\"{0:.2}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            px(year),
            H - B,
            H - B + 5.0,
            H - B + 18.0,
            year as i32
        );
        year += 1.0;
    }
    let _ = writeln!(
        s,
        "<text x=\"{L}\" y=\"{}\">{}</text>",
        H - 15.0,
        esc(footer)
    );
    s.push_str("</svg>\n");
    s
}

fn axes(s: &mut String, ymax: f64, ylabel: &str) {
    let _ = writeln!(
        s,
        "<line x1=\"{L}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>",
        H - B,
        W - R,
        H - B
    );
    let _ = writeln!(
        s,
        "<line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{}\" stroke=\"black\"/>",
        H - B
    );
    for i in 0..=4 {
        let y = ymax * f64::from(i) / 4.0;
        let py = H - B - (f64::from(i) / 4.0) * (H - T - B);
        let label = if ymax >= 100.0 {
            format!("{y:.0}")
        } else {
            format!("{y:.2}")
        };
        let _ = writeln!(
            s,
            "<line x1=\"{}\" y1=\"{py:.2}\" x2=\"{L}\" y2=\"{py:.2}\" stroke=\"black\"/><text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\">{label}</text>",
            L - 4.0,
            L - 6.0,
            py + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"14\" y=\"{:.2}\" transform=\"rotate(-90 14 {:.2})\" text-anchor=\"middle\">{}</text>",
        (T + H - B) / 2.0,
        (T + H - B) / 2.0,
        esc(ylabel)
    );
}

/// One dot per replicate against the target band (for election and campaign patterns).
pub fn dot_chart(title: &str, values: &[f64], band: (f64, f64), footer: &str) -> String {
    let data_max = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let ymax = nice_max(data_max.max(band.1.min(10.0 * data_max.max(1.0))) * 1.05);
    let py = |y: f64| H - B - (y.clamp(0.0, ymax) / ymax) * (H - T - B);
    let mut s = header(title);
    let (top, bottom) = (py(band.1.min(ymax)), py(band.0));
    let _ = writeln!(
        s,
        "<rect x=\"{L}\" y=\"{top:.2}\" width=\"{}\" height=\"{:.2}\" fill=\"#f4a261\" fill-opacity=\"0.35\" stroke=\"#e76f51\"/>",
        W - L - R,
        (bottom - top).max(2.0)
    );
    let n = values.len().max(1) as f64;
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            let x = L + (i as f64 + 0.5) / n * (W - L - R);
            let _ = writeln!(
                s,
                "<circle cx=\"{x:.2}\" cy=\"{:.2}\" r=\"4\" fill=\"#264653\"/>",
                py(*v)
            );
        }
    }
    axes(&mut s, ymax, "value");
    let _ = writeln!(
        s,
        "<text x=\"{L}\" y=\"{}\">{} (dots: replicates; orange: target band)</text>",
        H - 15.0,
        esc(footer)
    );
    s.push_str("</svg>\n");
    s
}

/// A response curve: median and 5–95% band of an outcome against one varied parameter.
pub fn response_curve(
    title: &str,
    xlabel: &str,
    ylabel: &str,
    pts: &[(f64, f64, f64, f64)],
) -> String {
    let mut pts = pts.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let med: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
    let lo: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.2)).collect();
    let hi: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
    let series = [Series {
        name: ylabel,
        colour: "#264653",
        fill: "#2a9d8f",
        med: &med,
        lo: &lo,
        hi: &hi,
    }];
    let mut s = chart(
        title,
        ylabel,
        &series,
        &[],
        &format!("x: {xlabel} (line: median across replicates; shade: 5–95%)"),
    );
    // The time chart labels whole years; label the parameter's values instead.
    s = s.replace("</svg>\n", "");
    let (x0, x1) = (
        med.first().map(|p| p.0).unwrap_or(0.0),
        med.last()
            .map(|p| p.0)
            .unwrap_or(1.0)
            .max(med.first().map(|p| p.0).unwrap_or(0.0) + 1e-9),
    );
    for p in &med {
        let px = L + (p.0 - x0) / (x1 - x0) * (W - L - R);
        let _ = writeln!(
            s,
            "<text x=\"{px:.2}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
            H - B + 30.0,
            p.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A heatmap of medians over two varied parameters (rows: the first, columns: the second).
pub fn heatmap(title: &str, ylabel: &str, xlabel: &str, cells: &[(String, String, f64)]) -> String {
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
    let mut s = header(title);
    let (cw, ch) = (
        (W - L - R) / cols.len().max(1) as f64,
        (H - T - B) / rows.len().max(1) as f64,
    );
    for c in cells {
        let (i, j) = (
            rows.iter().position(|r| *r == c.0).unwrap_or(0),
            cols.iter().position(|x| *x == c.1).unwrap_or(0),
        );
        let t = if hi > lo && c.2.is_finite() {
            (c.2 - lo) / (hi - lo)
        } else {
            0.5
        };
        let (r, g, b) = (
            (255.0 - 200.0 * t) as u8,
            (255.0 - 120.0 * t) as u8,
            (255.0 - 60.0 * t) as u8,
        );
        let (x, y) = (L + j as f64 * cw, T + i as f64 * ch);
        let _ = writeln!(
            s,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{cw:.2}\" height=\"{ch:.2}\" fill=\"rgb({r},{g},{b})\" stroke=\"white\"/>"
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            x + cw / 2.0,
            y + ch / 2.0 + 4.0,
            if c.2.is_finite() {
                format!("{:.4}", c.2)
            } else {
                "NaN".into()
            }
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
            L - 6.0,
            T + i as f64 * ch + ch / 2.0 + 4.0,
            esc(r)
        );
    }
    for (j, c) in cols.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
            L + j as f64 * cw + cw / 2.0,
            H - B + 18.0,
            esc(c)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{L}\" y=\"{}\">rows: {}; columns: {}; darker: higher median</text>",
        H - 15.0,
        esc(ylabel),
        esc(xlabel)
    );
    s.push_str("</svg>\n");
    s
}
