//! Charts of runs: time series with bands and targets, dots per replicate or member, sweep
//! response curves and heatmaps.

use super::*;

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
                legend.push((
                    Swatch::Line(line),
                    format!("{prefix}median of {}", s.across),
                ));
                legend.push((Swatch::Fill(fill), format!("{prefix}5–95% of {}", s.across)));
            } else {
                legend.push((
                    Swatch::Line(line),
                    format!("{prefix}the run (no spread across {})", s.across),
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
        across: "replicates",
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
