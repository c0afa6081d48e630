//! Paired comparisons of two scenarios run with common random numbers: replicate k of both uses
//! the same derived seed, so a difference comes from the policy, not from noise. For each headline outcome and
//! window: each scenario's mean, the paired difference (B − A) with a 95% t-interval across
//! replicates, and its sign stability (share of replicates where the difference has the sign of
//! the mean difference).
//!
//! Works on tables (replicate × week × column), built from runs in memory or read back from the
//! `timeseries.csv` and `elections.csv` of finished runs.

use crate::date::Date;
use crate::model::record::{RunRecord, WeekRecord};
use crate::output::summary::quantile;
use crate::output::svg;
use serde::Serialize;

/// One scenario's outputs: weekly values by replicate, and election abstention by replicate.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub name: String,
    pub seeds: Vec<u64>,
    pub dates: Vec<Date>,
    /// `weeks[r][w][c]`: replicate r, week w, column c of [`WeekRecord::COLUMNS`].
    pub weeks: Vec<Vec<Vec<f64>>>,
    /// `abstention[r]`: (election date, abstention share over all size classes) per election.
    pub abstention: Vec<Vec<(Date, f64)>>,
}

impl Table {
    /// A table from runs in memory.
    pub fn from_runs(name: &str, seeds: &[u64], dates: Vec<Date>, runs: &[RunRecord]) -> Table {
        let weeks = runs
            .iter()
            .map(|r| r.weeks.iter().map(WeekRecord::values).collect())
            .collect();
        let abstention = runs
            .iter()
            .map(|r| {
                let mut by: Vec<(usize, f64, f64)> = Vec::new();
                for e in &r.elections {
                    match by.iter_mut().find(|x| x.0 == e.week) {
                        Some(x) => {
                            x.1 += e.abstentions;
                            x.2 += e.electorate;
                        }
                        None => by.push((e.week, e.abstentions, e.electorate)),
                    }
                }
                by.into_iter()
                    .map(|(w, a, n)| (dates[w], if n > 0.0 { a / n } else { 0.0 }))
                    .collect()
            })
            .collect();
        Table {
            name: name.to_string(),
            seeds: seeds.to_vec(),
            dates,
            weeks,
            abstention,
        }
    }

    /// Mean of column `c` over [from, to) in replicate `r`.
    fn mean(&self, r: usize, c: usize, from: Date, to: Date) -> f64 {
        let xs: Vec<f64> = self
            .dates
            .iter()
            .zip(&self.weeks[r])
            .filter(|(d, _)| **d >= from && **d < to)
            .map(|(_, row)| row[c])
            .collect();
        if xs.is_empty() {
            f64::NAN
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        }
    }
}

/// A headline outcome: a column averaged over a window, or election abstention.
#[derive(Clone, Debug)]
pub struct Headline {
    pub outcome: &'static str,
    pub window: (&'static str, &'static str),
}

/// The headline outcomes and windows `pact compare` reports.
pub fn headlines() -> Vec<Headline> {
    let mut v = Vec::new();
    let windows = [
        ("1920-01-01", "1921-01-01"),
        ("1921-01-01", "1921-07-01"),
        ("1922-01-01", "1924-01-01"),
        ("1924-01-01", "1926-01-01"),
    ];
    for outcome in [
        "strikers",
        "real_wage",
        "legitimacy",
        "dissent_public",
        "dissent_private",
        "arrests",
        "party_in_factories",
        "dissident_nonparty",
        "population_index",
        "output_index",
    ] {
        for w in windows {
            v.push(Headline { outcome, window: w });
        }
    }
    v.push(Headline {
        outcome: "abstention",
        window: ("1920-01-01", "1926-01-01"),
    });
    v
}

/// One row of `compare.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub outcome: String,
    pub window: String,
    pub mean_a: f64,
    pub mean_b: f64,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub sign_stability: f64,
    pub replicates: usize,
}

/// Columns of `compare.csv`, in order.
pub const COLUMNS: &[&str] = &[
    "outcome",
    "window",
    "mean_a",
    "mean_b",
    "difference",
    "ci_low",
    "ci_high",
    "sign_stability",
    "replicates",
];

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        // Beyond 30: the normal quantile with the first-order correction 1.96 + 2.4/df.
        _ => 1.959_964 + 2.4 / df as f64,
    }
}

/// Mean, 95% interval and sign stability of paired differences.
pub fn paired(diffs: &[f64]) -> (f64, f64, f64, f64) {
    let n = diffs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let half = if n > 1 {
        let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t975(n - 1) * (var / n as f64).sqrt()
    } else {
        f64::NAN
    };
    let same = diffs
        .iter()
        .filter(|d| {
            if mean > 0.0 {
                **d > 0.0
            } else if mean < 0.0 {
                **d < 0.0
            } else {
                **d == 0.0
            }
        })
        .count();
    (mean, mean - half, mean + half, same as f64 / n as f64)
}

/// Why two tables cannot be compared.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Mismatch {
    #[error("the runs cover different weeks ({0} vs {1}); allowed: runs over the same dates")]
    Dates(String, String),
    #[error(
        "the runs used different replicate seeds; allowed: the same master seed and replicates (common random numbers)"
    )]
    Seeds,
}

/// Each replicate's value of the headline `h` in `t` (its column's mean over the window, or
/// the mean abstention over the elections; NaN where the window lies outside the run or there
/// were no elections), and the window's label.
pub fn headline_values(t: &Table, h: &Headline) -> (String, Vec<f64>) {
    if h.outcome == "abstention" {
        let mean = |x: &Vec<(Date, f64)>| {
            if x.is_empty() {
                f64::NAN
            } else {
                x.iter().map(|p| p.1).sum::<f64>() / x.len() as f64
            }
        };
        return (
            "all elections".to_string(),
            t.abstention.iter().map(mean).collect(),
        );
    }
    let (from, to) = (
        Date::parse(h.window.0).expect("window"),
        Date::parse(h.window.1).expect("window"),
    );
    let c = WeekRecord::COLUMNS
        .iter()
        .position(|x| *x == h.outcome)
        .expect("headline column");
    (
        format!("{}..{}", h.window.0, h.window.1),
        (0..t.weeks.len()).map(|r| t.mean(r, c, from, to)).collect(),
    )
}

/// Compares B against A on every headline outcome.
pub fn compare(a: &Table, b: &Table) -> Result<Vec<Row>, Mismatch> {
    if a.dates != b.dates {
        let span = |t: &Table| {
            format!(
                "{} to {}",
                t.dates.first().map(|d| d.to_string()).unwrap_or_default(),
                t.dates.last().map(|d| d.to_string()).unwrap_or_default()
            )
        };
        return Err(Mismatch::Dates(span(a), span(b)));
    }
    if a.seeds != b.seeds {
        return Err(Mismatch::Seeds);
    }
    let mut rows = Vec::new();
    for h in headlines() {
        let (window, va) = headline_values(a, &h);
        let (_, vb) = headline_values(b, &h);
        if va.iter().chain(&vb).any(|x| x.is_nan()) {
            continue; // the window lies outside the run, or there were no elections
        }
        let diffs: Vec<f64> = va.iter().zip(&vb).map(|(x, y)| y - x).collect();
        let (d, lo, hi, stab) = paired(&diffs);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        rows.push(Row {
            outcome: h.outcome.to_string(),
            window,
            mean_a: mean(&va),
            mean_b: mean(&vb),
            difference: d,
            ci_low: lo,
            ci_high: hi,
            sign_stability: stab,
            replicates: diffs.len(),
        });
    }
    Ok(rows)
}

/// Why a comparison has no intervals, if it has none: a paired interval and a sign stability
/// need at least two replicates.
pub fn no_intervals(replicates: usize) -> Option<String> {
    (replicates < 2).then(|| {
        format!(
            "with {replicates} replicate there is no interval and no sign stability (both need at least 2 replicates; run with --replicates 2 or more)"
        )
    })
}

/// `compare.csv`. Without intervals (one replicate) their cells are empty, never NaN.
pub fn csv(rows: &[Row]) -> String {
    let mut s = COLUMNS.join(",");
    s.push('\n');
    for r in rows {
        let (lo, hi, stab) = if no_intervals(r.replicates).is_some() {
            (String::new(), String::new(), String::new())
        } else {
            (
                r.ci_low.to_string(),
                r.ci_high.to_string(),
                r.sign_stability.to_string(),
            )
        };
        s.push_str(&format!(
            "{},{},{},{},{},{lo},{hi},{stab},{}\n",
            r.outcome, r.window, r.mean_a, r.mean_b, r.difference, r.replicates
        ));
    }
    s
}

fn g(x: f64) -> String {
    if !x.is_finite() {
        "NaN".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// `compare.md` (also what `pact compare` prints).
pub fn markdown(a: &Table, b: &Table, rows: &[Row]) -> String {
    let mut s = format!(
        "# {} (B) against {} (A)\n\n{} with common random numbers: replicate k of both scenarios uses the same seed, so differences come from the policy, not from noise. Difference = B − A with a 95% t-interval across replicates; sign stability = share of replicates where the difference has the sign of the mean difference.\n\n",
        b.name,
        a.name,
        crate::output::counted(a.seeds.len() as u64, "replicate")
    );
    let intervals = no_intervals(a.seeds.len());
    if let Some(why) = &intervals {
        s.push_str(&format!("No intervals: {why}.\n\n"));
    }
    let mut head = vec!["outcome", "window", "A", "B", "B − A"];
    if intervals.is_none() {
        head.extend(["95% interval", "sign stability"]);
    }
    s.push_str(&format!(
        "| {} |\n|{}\n",
        head.join(" | "),
        " --- |".repeat(head.len())
    ));
    for r in rows {
        let mut cells = vec![
            r.outcome.clone(),
            r.window.clone(),
            g(r.mean_a),
            g(r.mean_b),
            g(r.difference),
        ];
        if intervals.is_none() {
            cells.push(format!("{} to {}", g(r.ci_low), g(r.ci_high)));
            cells.push(format!("{:.0}%", 100.0 * r.sign_stability));
        }
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    s
}

/// The provenance line of a comparison's figures: both runs' ids, replicates, seeds.
pub fn note(a: &Table, b: &Table, run_ids: (&str, &str)) -> String {
    let short = |id: &str| id[..id.len().min(12)].to_string();
    format!(
        "pact {} · A: {} (run {}) · B: {} (run {}) · {}, common random numbers",
        crate::VERSION,
        a.name,
        short(run_ids.0),
        b.name,
        short(run_ids.1),
        crate::output::counted(a.seeds.len() as u32, "replicate"),
    )
}

/// Figure of one outcome: both scenarios' medians and 5–95% bands over time, `marks` dated.
pub fn figure(
    a: &Table,
    b: &Table,
    outcome: &str,
    marks: &[(f64, String)],
    note: &str,
) -> Option<String> {
    let c = WeekRecord::COLUMNS.iter().position(|x| *x == outcome)?;
    let series = |t: &Table| {
        let mut med = Vec::new();
        let mut lo = Vec::new();
        let mut hi = Vec::new();
        for (w, d) in t.dates.iter().enumerate() {
            let xs: Vec<f64> = t.weeks.iter().map(|r| r[w][c]).collect();
            let x = d.year_fraction();
            med.push((x, quantile(&xs, 0.5)));
            lo.push((x, quantile(&xs, 0.05)));
            hi.push((x, quantile(&xs, 0.95)));
        }
        (med, lo, hi)
    };
    let (sa, sb) = (series(a), series(b));
    let what = crate::experiment::validate::axis_title(c);
    let marks: Vec<svg::Mark> = marks
        .iter()
        .map(|(x, label)| svg::Mark::Line {
            x: *x,
            label: label.clone(),
        })
        .collect();
    let (na, nb) = (format!("A: {}", a.name), format!("B: {}", b.name));
    Some(
        svg::TimeChart {
            title: &format!(
                "{}: {} (A) and {} (B)",
                what.split(" (").next().unwrap_or(&what),
                a.name,
                b.name
            ),
            ylabel: &what,
            series: &[
                svg::series(&na, false, (&sa.0, &sa.1, &sa.2)),
                svg::series(&nb, true, (&sb.0, &sb.1, &sb.2)),
            ],
            marks: &marks,
            result: "",
            note,
        }
        .svg(),
    )
}

/// Reads a table back from the `timeseries.csv` and `elections.csv` of a finished run.
pub fn table_from_csv(name: &str, timeseries: &str, elections: &str) -> Result<Table, String> {
    let mut lines = timeseries.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or("timeseries.csv is empty")?
        .split(',')
        .collect();
    if header.len() < 4 || header[..4] != ["replicate", "seed", "week", "date"] {
        return Err("timeseries.csv does not start with replicate,seed,week,date".into());
    }
    // Columns by name, so files from a run with extra or reordered columns still compare.
    let idx: Vec<Option<usize>> = WeekRecord::COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect();
    if let Some(missing) = WeekRecord::COLUMNS
        .iter()
        .zip(&idx)
        .find(|(_, i)| i.is_none())
    {
        return Err(format!("timeseries.csv has no column `{}`", missing.0));
    }
    let mut t = Table {
        name: name.to_string(),
        ..Table::default()
    };
    for (n, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("timeseries.csv row {}: malformed", n + 2);
        if f.len() != header.len() {
            return Err(bad());
        }
        let r: usize = f[0].parse().map_err(|_| bad())?;
        let seed: u64 = f[1].parse().map_err(|_| bad())?;
        let date = Date::parse(f[3]).ok_or_else(bad)?;
        if r == t.weeks.len() {
            t.weeks.push(Vec::new());
            t.seeds.push(seed);
        } else if r + 1 != t.weeks.len() {
            return Err(format!(
                "timeseries.csv row {}: replicates out of order",
                n + 2
            ));
        }
        if r == 0 {
            t.dates.push(date);
        }
        let row: Result<Vec<f64>, _> = idx
            .iter()
            .map(|i| f[i.expect("checked")].parse::<f64>())
            .collect();
        t.weeks[r].push(row.map_err(|_| bad())?);
    }
    t.abstention = abstention(elections, t.weeks.len())?;
    Ok(t)
}

/// Each replicate's abstention share at each election (over all size classes), from
/// `elections.csv`.
fn abstention(elections: &str, replicates: usize) -> Result<Vec<Vec<(Date, f64)>>, String> {
    let mut lines = elections.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |c: &str| {
        header
            .iter()
            .position(|h| *h == c)
            .ok_or(format!("elections.csv has no column `{c}`"))
    };
    let (ci, cd, ce, ca) = (
        col("replicate")?,
        col("date")?,
        col("electorate")?,
        col("abstentions")?,
    );
    let mut sums: Vec<Vec<(Date, f64, f64)>> = vec![Vec::new(); replicates];
    for (n, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("elections.csv row {}: malformed", n + 2);
        let r: usize = f.get(ci).and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let d = f.get(cd).and_then(|x| Date::parse(x)).ok_or_else(bad)?;
        let e: f64 = f.get(ce).and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let a: f64 = f.get(ca).and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let v = sums.get_mut(r).ok_or_else(bad)?;
        match v.iter_mut().find(|x| x.0 == d) {
            Some(x) => {
                x.1 += a;
                x.2 += e;
            }
            None => v.push((d, a, e)),
        }
    }
    Ok(sums
        .into_iter()
        .map(|v| {
            v.into_iter()
                .map(|(d, a, e)| (d, if e > 0.0 { a / e } else { 0.0 }))
                .collect()
        })
        .collect())
}

/// Dates at which B's policy differs from A's: events B has that A has not (same id, date and
/// content), events of A that B removed, and a difference in the starting policy.
pub fn policy_marks(a: &serde_json::Value, b: &serde_json::Value) -> Vec<(f64, String)> {
    let at = |v: &serde_json::Value| v.as_str().and_then(Date::parse).map(|d| d.year_fraction());
    let mut marks = Vec::new();
    if let (true, Some(x)) = (
        a["scenario"]["policy"] != b["scenario"]["policy"],
        at(&b["scenario"]["run"]["start"]),
    ) {
        marks.push((x, "policy from the start".to_string()));
    }
    // Events as written (their own changes), not the policy snapshots after them.
    let empty = Vec::new();
    let ev_a = a["scenario"]["event"].as_array().unwrap_or(&empty);
    let ev_b = b["scenario"]["event"].as_array().unwrap_or(&empty);
    let id = |e: &serde_json::Value| e["id"].as_str().unwrap_or("").to_string();
    // In words where the event has a label.
    let words = |e: &serde_json::Value| match e["label"].as_str() {
        Some(l) if !l.is_empty() => format!("{} ({})", l, id(e)),
        _ => id(e),
    };
    for e in ev_b.iter().filter(|e| !ev_a.contains(e)) {
        marks.extend(at(&e["date"]).map(|x| (x, format!("B: {}", words(e)))));
    }
    for e in ev_a
        .iter()
        .filter(|e| !ev_b.iter().any(|x| x["id"] == e["id"]))
    {
        marks.extend(at(&e["date"]).map(|x| (x, format!("only in A: {}", words(e)))));
    }
    marks
}

/// Every file `pact compare` writes at the top of its folder (the runs go in subfolders).
pub fn files(
    a: &Table,
    b: &Table,
    rows: &[Row],
    marks: &[(f64, String)],
    note: &str,
) -> Vec<(String, String)> {
    let mut files = vec![
        ("compare.md".to_string(), markdown(a, b, rows)),
        ("compare.csv".to_string(), csv(rows)),
    ];
    let mut outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
    outcomes.dedup();
    for o in outcomes {
        if let Some(svg) = figure(a, b, o, marks, note) {
            files.push((format!("figures/{o}.svg"), svg));
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_differences() {
        let (m, lo, hi, s) = paired(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        // sd = 1, se = 1/√3, t(2) = 4.303.
        assert!(
            (hi - 2.0 - 4.303 / 3f64.sqrt()).abs() < 1e-9
                && (2.0 - lo - 4.303 / 3f64.sqrt()).abs() < 1e-9
        );
        assert_eq!(s, 1.0);
        let (m, lo, hi, s) = paired(&[0.0, 0.0]);
        assert_eq!((m, lo, hi, s), (0.0, 0.0, 0.0, 1.0));
        let (_, _, _, s) = paired(&[1.0, 1.0, -0.5, 2.0]);
        assert_eq!(s, 0.75);
        assert!((t975(40) - 2.021).abs() < 0.002);
    }
}
