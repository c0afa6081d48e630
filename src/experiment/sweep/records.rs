//! A sweep's records and results: each run reduced to its outcomes as checksummed lines (so a
//! torn line is detected and the run done again), the tidy `results.csv`, and the figures.

use super::Sweep;
use crate::experiment::validate;
use crate::model::record::RunRecord;
use crate::output::sha256_hex;
use crate::output::summary::quantile;
use crate::scenario;
use std::fmt::Write as _;

/// The text of a value in a CSV cell (strings unquoted).
pub(crate) fn cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => format!("{f}"),
        other => other.to_string(),
    }
}

/// Runs run `r` and returns its record lines (one per outcome, each with its checksum).
pub fn run_one(sw: &Sweep, r: usize) -> String {
    let point = r / sw.replicates as usize;
    let sets: Vec<(String, toml::Value)> = sw
        .keys
        .iter()
        .cloned()
        .zip(sw.points[point].iter().cloned())
        .collect();
    let res = scenario::with_overrides(&sw.base, &sets)
        .expect("design points were checked when the sweep was loaded");
    let record: RunRecord = crate::experiment::run::run_replicate(&res, sw.seed_of(r), &|_| {});
    let mut out = String::new();
    for p in &sw.outcomes {
        let v = validate::evaluate(p, &res, &record);
        let body = format!(
            "{r},{point},{},{},{},{}",
            r % sw.replicates as usize,
            sw.seed_of(r),
            p.target.id,
            v
        );
        let _ = writeln!(out, "{body},{}", &sha256_hex(body.as_bytes())[..12]);
    }
    out
}

/// Parses record lines: complete runs only (all outcomes present, every checksum right), keyed
/// by run. A torn or corrupted line, or a run missing an outcome, is discarded.
pub fn parse_records(sw: &Sweep, text: &str) -> std::collections::BTreeMap<usize, Vec<f64>> {
    let mut by_run: std::collections::BTreeMap<usize, Vec<Option<f64>>> =
        std::collections::BTreeMap::new();
    for line in text.lines() {
        let Some((body, check)) = line.rsplit_once(',') else {
            continue;
        };
        if check.len() != 12 || &sha256_hex(body.as_bytes())[..12] != check {
            continue;
        }
        let f: Vec<&str> = body.split(',').collect();
        if f.len() != 6 {
            continue;
        }
        let (Ok(r), Ok(v)) = (f[0].parse::<usize>(), f[5].parse::<f64>()) else {
            continue;
        };
        let Some(o) = sw.outcomes.iter().position(|p| p.target.id == f[4]) else {
            continue;
        };
        if r >= sw.runs() {
            continue;
        }
        by_run
            .entry(r)
            .or_insert_with(|| vec![None; sw.outcomes.len()])[o] = Some(v);
    }
    by_run
        .into_iter()
        .filter_map(|(r, v)| v.into_iter().collect::<Option<Vec<f64>>>().map(|v| (r, v)))
        .collect()
}

/// Re-serialises complete runs as record lines (to rewrite a records file cleanly on resume).
pub fn records_text(sw: &Sweep, runs: &std::collections::BTreeMap<usize, Vec<f64>>) -> String {
    let mut out = String::new();
    for (r, vals) in runs {
        for (p, v) in sw.outcomes.iter().zip(vals) {
            let body = format!(
                "{r},{},{},{},{},{v}",
                r / sw.replicates as usize,
                r % sw.replicates as usize,
                sw.seed_of(*r),
                p.target.id
            );
            let _ = writeln!(out, "{body},{}", &sha256_hex(body.as_bytes())[..12]);
        }
    }
    out
}

/// `results.csv`: one row per run × outcome, varied parameters as columns, in run order.
pub fn results_csv(sw: &Sweep, runs: &std::collections::BTreeMap<usize, Vec<f64>>) -> String {
    let mut s = String::from("run,point,replicate,seed");
    for k in &sw.keys {
        s.push(',');
        s.push_str(k);
    }
    s.push_str(",outcome,value\n");
    for (r, vals) in runs {
        let point = r / sw.replicates as usize;
        let mut prefix = format!(
            "{r},{point},{},{}",
            r % sw.replicates as usize,
            sw.seed_of(*r)
        );
        for v in &sw.points[point] {
            prefix.push(',');
            prefix.push_str(&cell(v));
        }
        for (p, v) in sw.outcomes.iter().zip(vals) {
            let _ = writeln!(s, "{prefix},{},{v}", p.target.id);
        }
    }
    s
}

/// Figures: for each outcome, a response curve (one varied parameter) or a heatmap (two) of the
/// median across replicates; none for more than two parameters.
pub fn figures(
    sw: &Sweep,
    runs: &std::collections::BTreeMap<usize, Vec<f64>>,
) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let num = |v: &toml::Value| match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    };
    let per_point = |o: usize| -> Vec<(f64, f64, f64)> {
        (0..sw.points.len())
            .map(|p| {
                let xs: Vec<f64> = (0..sw.replicates as usize)
                    .filter_map(|k| runs.get(&(p * sw.replicates as usize + k)).map(|v| v[o]))
                    .filter(|x| !x.is_nan())
                    .collect();
                (quantile(&xs, 0.5), quantile(&xs, 0.05), quantile(&xs, 0.95))
            })
            .collect()
    };
    let note = format!(
        "pact {} · sweep {} · {} points × {} · seed {} · sweep id {}",
        crate::VERSION,
        sw.name,
        sw.points.len(),
        crate::output::counted(sw.replicates, "replicate"),
        sw.seed,
        &sw.id[..sw.id.len().min(12)]
    );
    for (o, pat) in sw.outcomes.iter().enumerate() {
        let stats = per_point(o);
        let peak = matches!(pat.kind, crate::scenario::targets::Kind::PeakDate { .. });
        let show = |v: f64| {
            if peak && v.is_finite() {
                crate::date::Date::from_year_fraction(v).to_string()
            } else {
                crate::output::svg::number(v)
            }
        };
        let what = pat.target.description.clone();
        let svg = match sw.keys.len() {
            1 if !peak => {
                let pts: Vec<(f64, f64, f64, f64)> = sw
                    .points
                    .iter()
                    .zip(&stats)
                    .filter_map(|(p, s)| num(&p[0]).map(|x| (x, s.0, s.1, s.2)))
                    .collect();
                if pts.len() != sw.points.len() {
                    continue;
                }
                crate::output::svg::response_curve(
                    &format!(
                        "{} against {}",
                        crate::output::svg::upper_first(&what),
                        sw.keys[0]
                    ),
                    &sw.keys[0],
                    &crate::output::svg::upper_first(&what),
                    &pts,
                    &note,
                )
            }
            1 | 2 => {
                let second = |p: &Vec<toml::Value>| p.get(1).map(cell).unwrap_or_default();
                let cells: Vec<(String, String, f64)> = sw
                    .points
                    .iter()
                    .zip(&stats)
                    .map(|(p, s)| (cell(&p[0]), second(p), s.0))
                    .collect();
                crate::output::svg::heatmap(
                    &format!(
                        "{} by {}",
                        crate::output::svg::upper_first(&what),
                        sw.keys.join(" and ")
                    ),
                    (&sw.keys[0], sw.keys.get(1).map_or("", String::as_str)),
                    &cells,
                    &show,
                    &format!(
                        "median across {}",
                        crate::output::counted(sw.replicates, "replicate")
                    ),
                    &note,
                )
            }
            _ => continue,
        };
        files.push((format!("figures/{}.svg", pat.target.id), svg));
    }
    files
}
