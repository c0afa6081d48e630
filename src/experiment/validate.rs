//! Validation against the historical record: target patterns as data (`scenarios/targets.toml`),
//! each evaluated on every replicate's own outputs, summarised as a median and a 5–95% range
//! across replicates, and judged PASS when the median lies in the target band.
//!
//! Every statistic reads only what `pact run` writes (`timeseries.csv`, `elections.csv`,
//! `campaigns.csv`), so anyone can re-check a pattern by hand.

use super::{Done, OutDir, Overrides, Progress};
use crate::date::Date;
use crate::model::record::{ElectionRecord, RunRecord, WeekRecord};
use crate::output;
use crate::output::summary::quantile;
use crate::output::svg;
use crate::scenario::Resolved;
use crate::scenario::targets::{Kind, Pattern, load_targets_text, read_targets};
use serde::Serialize;
use std::path::Path;
use std::path::PathBuf;

/// Column `col` over the weeks `from..to` that the run has.
fn column(run: &RunRecord, col: usize, from: usize, to: usize) -> impl Iterator<Item = f64> {
    let to = to.min(run.weeks.len());
    run.weeks[from.min(to)..to]
        .iter()
        .map(move |r| r.values()[col])
}

fn mean_of(run: &RunRecord, col: usize, from: usize, to: usize) -> f64 {
    let n = to.min(run.weeks.len()).saturating_sub(from);
    if n == 0 {
        return f64::NAN;
    }
    column(run, col, from, to).sum::<f64>() / n as f64
}

fn election_metric(rows: &[&ElectionRecord], metric: &str) -> f64 {
    let sum = |f: fn(&ElectionRecord) -> f64| rows.iter().map(|r| f(r)).sum::<f64>();
    let delegates = sum(|r| r.delegates_party + r.delegates_nonparty + r.delegates_other_socialist);
    let won = sum(|r| r.won_party + r.won_nonparty + r.won_other_socialist);
    let share = |x: f64, d: f64| if d > 0.0 { x / d } else { f64::NAN };
    match metric {
        "delegate_share_party" => share(sum(|r| r.delegates_party), delegates),
        "delegate_share_nonparty" => share(sum(|r| r.delegates_nonparty), delegates),
        "delegate_share_other_socialist" => share(sum(|r| r.delegates_other_socialist), delegates),
        "abstention_share" => share(sum(|r| r.abstentions), sum(|r| r.electorate)),
        "won_share_party" => share(sum(|r| r.won_party), won),
        "won_share_nonparty" => share(sum(|r| r.won_nonparty), won),
        _ => f64::NAN,
    }
}

/// The pattern's statistic on one replicate.
pub fn evaluate(p: &Pattern, res: &Resolved, run: &RunRecord) -> f64 {
    match &p.kind {
        Kind::Mean { col, from, to } => mean_of(run, *col, *from, *to),
        Kind::Sum { col, from, to } => column(run, *col, *from, *to).sum(),
        Kind::Max { col, from, to } => column(run, *col, *from, *to).fold(f64::NAN, f64::max),
        Kind::Value { col, week } => run
            .weeks
            .get(*week)
            .map(|r| r.values()[*col])
            .unwrap_or(f64::NAN),
        Kind::Ratio {
            col,
            from,
            to,
            base,
            base_from,
            base_to,
        } => {
            let num = mean_of(run, *col, *from, *to);
            let den: f64 = base
                .iter()
                .map(|c| mean_of(run, *c, *base_from, *base_to))
                .sum();
            // Something against nothing is infinitely more; nothing against nothing is undefined.
            match (num > 0.0, den > 0.0) {
                (_, true) => num / den,
                (true, false) => f64::INFINITY,
                (false, false) => f64::NAN,
            }
        }
        Kind::PeakDate { col, from, to } => {
            let to = (*to).min(run.weeks.len());
            let mut best = (f64::NEG_INFINITY, *from);
            for w in *from..to {
                let v = run.weeks[w].values()[*col];
                if v > best.0 {
                    best = (v, w);
                }
            }
            res.clock.date(best.1).year_fraction()
        }
        Kind::Election {
            week,
            classes,
            metric,
        } => {
            let rows: Vec<&ElectionRecord> = run
                .elections
                .iter()
                .filter(|e| e.week == *week && classes.contains(&e.class))
                .collect();
            election_metric(&rows, metric)
        }
        Kind::Campaign {
            week,
            classes,
            metric,
            campaign,
        } => {
            let rows: Vec<_> = run
                .campaigns
                .iter()
                .filter(|c| c.week == *week && c.campaign == campaign && classes.contains(&c.class))
                .collect();
            let workers: f64 = rows.iter().map(|c| c.workers).sum();
            let x: f64 = rows
                .iter()
                .map(|c| match metric.as_str() {
                    "share_for" => c.votes_for,
                    "share_against" => c.votes_against,
                    "share_falsified" => c.falsified,
                    _ => c.stayed_away,
                })
                .sum();
            if workers > 0.0 { x / workers } else { f64::NAN }
        }
    }
}

/// The verdict on one pattern across replicates.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub id: String,
    pub description: String,
    pub source: String,
    pub statistic: String,
    pub band: (f64, f64),
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    pub pass: bool,
    pub values: Vec<f64>,
}

/// Evaluates every pattern on every replicate. PASS: the median across replicates lies in the band.
pub fn judge(patterns: &[Pattern], res: &Resolved, runs: &[RunRecord]) -> Vec<Verdict> {
    patterns
        .iter()
        .map(|p| {
            let values: Vec<f64> = runs.iter().map(|r| evaluate(p, res, r)).collect();
            // A replicate where the statistic is undefined (NaN) fails the pattern.
            let defined: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            let (median, p5, p95) = (
                quantile(&defined, 0.5),
                quantile(&defined, 0.05),
                quantile(&defined, 0.95),
            );
            let pass = defined.len() == values.len() && median >= p.band.0 && median <= p.band.1;
            Verdict {
                id: p.target.id.clone(),
                description: p.target.description.clone(),
                source: p.target.source.clone(),
                statistic: p.target.statistic.clone(),
                band: p.band,
                median,
                p5,
                p95,
                pass,
                values,
            }
        })
        .collect()
}

/// `validation.csv`: one row per pattern.
pub fn csv(verdicts: &[Verdict]) -> String {
    let mut s = String::from(
        "id,statistic,band_min,band_max,median,p5,p95,pass,replicates,description,source\n",
    );
    for v in verdicts {
        let q = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            v.id,
            v.statistic,
            v.band.0,
            v.band.1,
            v.median,
            v.p5,
            v.p95,
            if v.pass { "PASS" } else { "FAIL" },
            v.values.len(),
            q(&v.description),
            q(&v.source)
        ));
    }
    s
}

/// A value for the table: dates for peak timing, numbers otherwise.
fn show(v: &Verdict, x: f64) -> String {
    if v.statistic == "peak_date" && x.is_finite() {
        Date::from_year_fraction(x).to_string()
    } else {
        svg::number(x)
    }
}

/// The table, as Markdown (also what `pact validate` prints).
pub fn markdown(verdicts: &[Verdict], res: &Resolved) -> String {
    let passed = verdicts.iter().filter(|v| v.pass).count();
    let mut s = format!(
        "# Validation of `{}`\n\n{}, master seed {}, {} workers. PASS when the median across replicates lies in the band.\n\n{} of {} patterns pass.\n\n",
        res.name,
        crate::output::counted(res.scenario.run.replicates, "replicate"),
        res.scenario.run.seed,
        res.scenario.run.scale,
        passed,
        verdicts.len()
    );
    s.push_str("| pattern | what is measured | band | median | 5–95% | result | source |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for v in verdicts {
        s.push_str(&format!(
            "| {} | {} | {} – {} | {} | {} – {} | {} | {} |\n",
            v.id,
            v.description,
            show(v, v.band.0),
            show(v, v.band.1),
            show(v, v.median),
            show(v, v.p5),
            show(v, v.p95),
            if v.pass { "PASS" } else { "FAIL" },
            v.source
        ));
    }
    s
}

/// Every file `pact validate` adds to the run's own: the table as Markdown and CSV, the targets
/// file as used, and one figure per pattern.
pub fn files(
    patterns: &[Pattern],
    verdicts: &[Verdict],
    res: &Resolved,
    runs: &[RunRecord],
    targets_text: &str,
    note: &str,
) -> Vec<(String, String)> {
    let mut files = vec![
        ("validation.md".to_string(), markdown(verdicts, res)),
        ("validation.csv".to_string(), csv(verdicts)),
        ("targets.toml".to_string(), targets_text.to_string()),
    ];
    for (p, v) in patterns.iter().zip(verdicts) {
        files.push((
            format!("figures/{}.svg", p.target.id),
            figure(p, v, res, runs, note),
        ));
    }
    files
}

/// A pattern's band in words: "0.15 to 0.25", "at least 5", dates for peak timing.
fn band_words(v: &Verdict) -> String {
    if v.band.1.is_infinite() {
        format!("at least {}", show(v, v.band.0))
    } else {
        format!("{} to {}", show(v, v.band.0), show(v, v.band.1))
    }
}

/// An output column's name in words with its unit, for an axis: its documentation up to the
/// first colon ("Real wage index (1913 = 1)", "Workers on strike (persons)").
pub fn axis_title(c: usize) -> String {
    let doc = WeekRecord::DOCS[c];
    doc.split(':')
        .next()
        .unwrap_or(doc)
        .trim_end_matches('.')
        .trim()
        .to_string()
}

/// One SVG figure per pattern: the output's median and 5–95% band over time with the target
/// drawn on it (time-series patterns), or each replicate's value against the band. `note` is
/// the provenance line ([`svg::provenance`]).
pub fn figure(p: &Pattern, v: &Verdict, res: &Resolved, runs: &[RunRecord], note: &str) -> String {
    let title = crate::output::svg::upper_first(&p.target.description);
    let x_of = |w: usize| res.clock.date(w.min(res.clock.weeks)).year_fraction();
    let col = match &p.kind {
        Kind::Mean { col, .. }
        | Kind::Max { col, .. }
        | Kind::Sum { col, .. }
        | Kind::Value { col, .. }
        | Kind::Ratio { col, .. }
        | Kind::PeakDate { col, .. } => Some(*col),
        _ => None,
    };
    let verdict = if v.pass { "PASS" } else { "FAIL" };
    let result = format!(
        "{verdict}: median of {} {} (5–95%: {} to {}); target {}. Source: {}",
        crate::output::counted(v.values.len() as u32, "replicate"),
        show(v, v.median),
        show(v, v.p5),
        show(v, v.p95),
        band_words(v),
        p.target.source
    );
    match col {
        Some(c) => {
            let (mut med, mut lo, mut hi) = band_series(res, runs, c);
            // A peak is looked for in a window: show that window.
            if let Kind::PeakDate { from, to, .. } = p.kind {
                let keep = |v: &mut Series| {
                    v.retain(|q| q.0 >= x_of(from) && q.0 < x_of(to));
                };
                keep(&mut med);
                keep(&mut lo);
                keep(&mut hi);
            }
            let marks = marks(p, v, &x_of);
            svg::TimeChart {
                title: &title,
                ylabel: &axis_title(c),
                series: &[svg::series(&res.name, false, (&med, &lo, &hi))],
                marks: &marks,
                result: &result,
                note,
            }
            .svg()
        }
        None => svg::dot_chart(
            &title,
            (&metric_title(&p.kind), "replicate"),
            &v.values,
            p.band,
            &result,
            note,
        ),
    }
}

/// An election or campaign metric in words, for an axis.
fn metric_title(k: &Kind) -> String {
    let metric = match k {
        Kind::Election { metric, .. } | Kind::Campaign { metric, .. } => metric.as_str(),
        _ => "",
    };
    match metric {
        m if m.starts_with("delegate_share") => "Share of delegates",
        m if m.starts_with("won_share") => "Share of workplaces won",
        "abstention_share" => "Share of workers abstaining",
        "share_for" | "share_against" | "share_away" | "share_falsified" => {
            "Share of workers at the workplaces"
        }
        _ => "Share",
    }
    .to_string()
}

/// Points of a figure: (fractional year, value).
type Series = Vec<(f64, f64)>;

/// A column's median and 5–95% band across replicates, week by week, against fractional years.
fn band_series(res: &Resolved, runs: &[RunRecord], c: usize) -> (Series, Series, Series) {
    let weeks = res.clock.weeks;
    let mut med = Vec::with_capacity(weeks);
    let mut lo = Vec::with_capacity(weeks);
    let mut hi = Vec::with_capacity(weeks);
    for w in 0..weeks {
        let xs: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.weeks.get(w))
            .map(|r| r.values()[c])
            .collect();
        let x = res.clock.date(w.min(res.clock.weeks)).year_fraction();
        med.push((x, quantile(&xs, 0.5)));
        lo.push((x, quantile(&xs, 0.05)));
        hi.push((x, quantile(&xs, 0.95)));
    }
    (med, lo, hi)
}

/// What a pattern's figure marks: its window and band, or the expected peak.
fn marks(p: &Pattern, v: &Verdict, x_of: &dyn Fn(usize) -> f64) -> Vec<svg::Mark> {
    let mut marks = Vec::new();
    match &p.kind {
        Kind::Mean { from, to, .. } | Kind::Max { from, to, .. } | Kind::Sum { from, to, .. } => {
            marks.push(svg::Mark::Box {
                x0: x_of(*from),
                x1: x_of(*to),
                y0: p.band.0,
                y1: p.band.1,
            })
        }
        Kind::Value { week, .. } => marks.push(svg::Mark::Box {
            x0: x_of(*week) - 0.03,
            x1: x_of(*week) + 0.03,
            y0: p.band.0,
            y1: p.band.1,
        }),
        Kind::Ratio {
            from,
            to,
            base_from,
            base_to,
            ..
        } => {
            marks.push(svg::Mark::Window {
                x0: x_of(*base_from),
                x1: x_of(*base_to),
                label: "base period (the ratio's denominator)".into(),
            });
            marks.push(svg::Mark::Window {
                x0: x_of(*from),
                x1: x_of(*to),
                label: format!("period compared (target ratio {})", band_words(v)),
            });
        }
        Kind::PeakDate { .. } => marks.push(svg::Mark::Window {
            x0: p.band.0,
            x1: p.band.1,
            label: format!("target: peak {}", band_words(v)),
        }),
        _ => {}
    }
    marks
}

/// `pact validate SCENARIO`: runs the replicates, judges every pattern of the targets file
/// (`--targets`, else `targets.toml` beside the scenario) and writes the run's outputs, the
/// verdicts and the figures; with `ablate`, the ablation matrix too ([`super::ablate`]).
/// `failed` names the patterns the full model fails (exit code 1).
#[allow(clippy::too_many_arguments)]
pub fn command(
    scenario: &Path,
    targets: Option<&Path>,
    ablate: bool,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
    command_line: &[String],
) -> super::Result<Done> {
    let res = super::load(scenario, ov)?;
    super::held(
        res.scenario.run.replicates as usize,
        "validate",
        "pact run streams up to 100000",
    )?;
    let targets = targets.map(Path::to_path_buf).unwrap_or_else(|| {
        scenario
            .parent()
            .unwrap_or(Path::new("."))
            .join("targets.toml")
    });
    let text = read_targets(&targets)?;
    let patterns = load_targets_text(&targets, &text, &res)?;
    let out = dest.folder(|| PathBuf::from("results").join("validation"));
    super::check_out(&out, dest.force)?;
    let (seeds, runs) = super::run_held(&res, progress, "validate ");
    let verdicts = judge(&patterns, &res, &runs);
    let mut files = output::data_files(&res, &seeds, &runs);
    let note = output::figure_note(&res, &seeds);
    files.extend(self::files(&patterns, &verdicts, &res, &runs, &text, &note));
    if ablate {
        progress.start(
            super::ablate::work(&res),
            "ablation: every mechanism off in turn",
        );
        files.extend(super::ablate::files(
            &patterns,
            &res,
            verdicts.clone(),
            &|n| progress.advance(n),
        ));
        progress.finish();
    }
    let prov = output::Provenance {
        kind: "validate".into(),
        reproduce: output::reproduce_command(
            "validate",
            &res,
            &format!(
                " --targets {}{}",
                targets.display(),
                if ablate { " --ablate" } else { "" }
            ),
        ),
        inputs: vec![("targets.toml".into(), text)],
    };
    let env = super::environment(command_line);
    let files = output::with_manifest(&res, &seeds, files, &env, &prov);
    output::write_folder(&out, &files, dest.force).map_err(|e| super::write_failure(&out, e))?;
    let failed: Vec<&str> = verdicts
        .iter()
        .filter(|v| !v.pass)
        .map(|v| v.id.as_str())
        .collect();
    Ok(Done {
        stdout: markdown(&verdicts, &res),
        note: format!("wrote {}", out.display()),
        failed: (!failed.is_empty()).then(|| {
            format!(
                "{} of {} patterns fail: {}",
                failed.len(),
                verdicts.len(),
                failed.join(", ")
            )
        }),
    })
}
