//! Figures of parameter studies: Sobol bars with intervals, the Morris μ*–σ plane, the pair plot
//! of history matching.

use super::*;

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

/// A row of a band strip: the target's label, its band (either end may be infinite, not
/// both) and the values to place in it (one per ensemble member).
pub type BandRow = (String, (f64, f64), Vec<f64>);

/// Where values sit in their targets' bands: a row per target, each value a dot at its
/// position in the band (0 its lower end, 1 its upper end; a one-sided band is scaled by its
/// bound's magnitude and shaded to the open edge), dark inside, red outside, values beyond the
/// axis drawn as arrows at its edge, and the count inside at the right.
pub fn band_strip(title: &str, rows: &[BandRow], result: &str, note: &str) -> String {
    const LEFT: f64 = -1.0;
    const RIGHT: f64 = 2.0;
    let title_lines = wrap(title, TITLE_CHARS);
    let top = 14.0 + 18.0 * title_lines.len() as f64 + 12.0;
    let label_w = (rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(4) as f64 * 6.4 + 12.0)
        .clamp(60.0, 240.0);
    let (x0, x1) = (label_w, W - R - 44.0);
    let row_h = 16.0;
    let ph = row_h * rows.len().max(1) as f64;
    let px = |u: f64| x0 + (u.clamp(LEFT, RIGHT) - LEFT) / (RIGHT - LEFT) * (x1 - x0);
    let mut body = String::new();
    let ticks = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0];
    for &t in &ticks {
        let x = px(t);
        let _ = writeln!(
            body,
            "<line x1=\"{x:.2}\" y1=\"{top:.2}\" x2=\"{x:.2}\" y2=\"{:.2}\" stroke=\"#e5e5e5\"/><text x=\"{x:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
            top + ph,
            top + ph + 16.0,
            tick_label(t, 1)
        );
    }
    for (i, (label, (lo, hi), values)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let cy = y + row_h / 2.0;
        // Position in the band, offset + (v − origin) / scale, and where the band is drawn.
        let ((origin, scale, offset), shade) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) => ((*lo, (hi - lo).max(f64::MIN_POSITIVE), 0.0), (0.0, 1.0)),
            (true, false) => ((*lo, lo.abs().max(f64::MIN_POSITIVE), 0.0), (0.0, RIGHT)),
            _ => ((*hi, hi.abs().max(f64::MIN_POSITIVE), 1.0), (LEFT, 1.0)),
        };
        let pos = |v: f64| offset + (v - origin) / scale;
        let _ = writeln!(
            body,
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{TARGET_FILL}\" fill-opacity=\"0.35\" stroke=\"{TARGET_STROKE}\" stroke-width=\"0.6\"/><text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
            px(shade.0),
            y + 2.0,
            px(shade.1) - px(shade.0),
            row_h - 4.0,
            x0 - 6.0,
            cy + 4.0,
            esc(label)
        );
        let mut inside = 0usize;
        for (m, &v) in values.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let ok = v >= *lo && v <= *hi;
            inside += usize::from(ok);
            let colour = if ok { "#264653" } else { "#c1121f" };
            // A small vertical spread, by member, so dots at one value stay countable.
            let dy = ((m % 5) as f64 - 2.0) * 1.6;
            let u = pos(v);
            let x = px(u);
            if (LEFT..=RIGHT).contains(&u) {
                let _ = writeln!(
                    body,
                    "<circle cx=\"{x:.2}\" cy=\"{:.2}\" r=\"2.2\" fill=\"{colour}\" fill-opacity=\"0.75\"><title>{}: {}</title></circle>",
                    cy + dy,
                    esc(label),
                    number(v)
                );
            } else {
                let s = if u < LEFT { 1.0 } else { -1.0 };
                let _ = writeln!(
                    body,
                    "<path d=\"M{:.2},{:.2} l{:.2},-3 l0,6 z\" fill=\"{colour}\"><title>{}: {} (off the axis)</title></path>",
                    x - s * 1.0,
                    cy + dy,
                    s * 5.0,
                    esc(label),
                    number(v)
                );
            }
        }
        let n = values.iter().filter(|v| !v.is_nan()).count();
        let _ = writeln!(
            body,
            "<text x=\"{:.2}\" y=\"{:.2}\">{inside}/{n}</text>",
            x1 + 6.0,
            cy + 4.0
        );
    }
    let (yb, xm, yl) = (top + ph, (x0 + x1) / 2.0, top + ph + 34.0);
    let _ = writeln!(
        body,
        "<line x1=\"{x0:.2}\" y1=\"{yb:.2}\" x2=\"{x1:.2}\" y2=\"{yb:.2}\" stroke=\"{INK}\"/><text x=\"{xm:.2}\" y=\"{yl:.2}\" text-anchor=\"middle\">Position in the target's band (0: its lower end, 1: its upper end)</text><text x=\"{:.2}\" y=\"{:.2}\" font-size=\"10\">inside</text>",
        x1 + 2.0,
        top - 4.0
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
