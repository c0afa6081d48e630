//! `pact run SCENARIO --ensemble FILE`: the scenario under every member of an ensemble, each
//! with the scenario's replicates (common random numbers: replicate k has the same seed in every
//! member). The folder holds `ensemble.md` and `ensemble.csv` (each headline outcome and window:
//! the median across members of the member's mean, its 5–95% range across members, the
//! parameters' uncertainty, and the median Monte Carlo half-width within a member, the seed's),
//! `members.csv` (every member's mean and 95% interval), `series.csv` (the headline outputs week
//! by week: median and 5–95% across members of the member's mean), a figure per headline output
//! and `manifest.json` (kind `run_ensemble`), from which `pact verify` re-runs every member.

use super::{
    Ensemble, Result, load, parse, quantile, recorded_overrides, recorded_pairs, same_id,
    scenario_manifest, write_study,
};
use crate::experiment::paired::{Table, headline_values, headlines, t975};
use crate::experiment::{self as experiment, Done, OutDir, Overrides, Progress, input};
use crate::model::record::WeekRecord;
use crate::output::{self, FIGURED, svg};
use crate::scenario::{self, Resolved};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What one member's runs give: per headline (outcome, window), each replicate's value; per
/// figured output, the mean across replicates week by week.
pub struct MemberRuns {
    pub headlines: Vec<(String, String, Vec<f64>)>,
    pub series: Vec<Vec<f64>>,
}

/// Runs the scenario under every member.
fn member_runs(res: &Resolved, ens: &Ensemble, progress: &dyn Progress) -> Result<Vec<MemberRuns>> {
    let run = &res.scenario.run;
    let seeds = experiment::run::replicate_seeds(run.seed, run.replicates);
    let dates: Vec<crate::date::Date> = (0..res.clock.weeks).map(|w| res.clock.date(w)).collect();
    let n = ens.members.len();
    progress.start(
        n as u64 * u64::from(run.replicates) * res.clock.weeks as u64,
        &format!("{} over {n} members", res.name),
    );
    let columns: Vec<usize> = FIGURED
        .iter()
        .map(|o| {
            WeekRecord::COLUMNS
                .iter()
                .position(|c| c == o)
                .expect("figured column")
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for m in 0..n {
        let r = ens.member(res, m)?;
        let runs = experiment::run::run_all(&r, &|k| progress.advance(k));
        let t = Table::from_runs(&r.name, &seeds, dates.clone(), &runs);
        let headlines = headlines()
            .iter()
            .map(|h| {
                let (window, v) = headline_values(&t, h);
                (h.outcome.to_string(), window, v)
            })
            .collect();
        let reps = t.weeks.len().max(1) as f64;
        let series = columns
            .iter()
            .map(|&c| {
                (0..dates.len())
                    .map(|w| t.weeks.iter().map(|r| r[w][c]).sum::<f64>() / reps)
                    .collect()
            })
            .collect();
        out.push(MemberRuns { headlines, series });
    }
    progress.finish();
    Ok(out)
}

/// Mean and 95% t half-width of a member's replicate values (NaN half-width with one replicate).
fn mean_halfwidth(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
    if n < 2 {
        return (mean, f64::NAN);
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, t975(n - 1) * (var / n as f64).sqrt())
}

/// The tables and figures of a run over an ensemble.
pub fn run_tables(res: &Resolved, ens: &Ensemble, members: &[MemberRuns]) -> Vec<(String, String)> {
    let run = &res.scenario.run;
    let n = members.len();
    // Headlines some member has a value of (not a window outside the run, or no elections).
    let kept: Vec<usize> = (0..members[0].headlines.len())
        .filter(|&i| {
            members
                .iter()
                .any(|mr| mean_halfwidth(&mr.headlines[i].2).0.is_finite())
        })
        .collect();
    let mut members_csv = String::from("member,outcome,window,mean,ci_low,ci_high,replicates\n");
    for (m, mr) in members.iter().enumerate() {
        for &i in &kept {
            let (outcome, window, v) = &mr.headlines[i];
            let (mean, hw) = mean_halfwidth(v);
            let _ = writeln!(
                members_csv,
                "{m},{outcome},{window},{mean},{},{},{}",
                mean - hw,
                mean + hw,
                v.len()
            );
        }
    }
    let mut csv = String::from("outcome,window,members,median,p05,p95,mc_halfwidth_median\n");
    let mut md = format!(
        "# {} over an ensemble\n\n{} members of `{}`, {} each (master seed {}, {} workers), common random numbers across members. \
         Each member's value is its mean over its replicates. *Median* and *5–95%* are across members (the parameters' uncertainty); \
         *MC ±* is the median half-width of the 95% interval within a member (the seed's).\n\n\
         | outcome | window | median | 5–95% across members | MC ± |\n| --- | --- | --- | --- | --- |\n",
        res.name,
        n,
        ens.path,
        output::counted(run.replicates, "replicate"),
        run.seed,
        run.scale
    );
    for &i in &kept {
        let (outcome, window, _) = &members[0].headlines[i];
        let stats: Vec<(f64, f64)> = members
            .iter()
            .map(|mr| mean_halfwidth(&mr.headlines[i].2))
            .filter(|s| s.0.is_finite())
            .collect();
        let means: Vec<f64> = stats.iter().map(|s| s.0).collect();
        let hws: Vec<f64> = stats
            .iter()
            .map(|s| s.1)
            .filter(|h| h.is_finite())
            .collect();
        let (med, p05, p95, mc) = (
            quantile(&means, 0.5),
            quantile(&means, 0.05),
            quantile(&means, 0.95),
            quantile(&hws, 0.5),
        );
        let _ = writeln!(
            csv,
            "{outcome},{window},{},{med},{p05},{p95},{mc}",
            means.len()
        );
        let _ = writeln!(
            md,
            "| {outcome} | {window} | {} | {} to {} | {} |",
            svg::number(med),
            svg::number(p05),
            svg::number(p95),
            if mc.is_finite() {
                svg::number(mc)
            } else {
                "–".into()
            }
        );
    }
    let mut series = String::from("date,output,median,p05,p95\n");
    let mut figures = Vec::new();
    let note = format!(
        "pact {} · {} · {} members × {} · seed {} · ensemble {}",
        crate::VERSION,
        res.name,
        n,
        output::counted(run.replicates, "replicate"),
        run.seed,
        ens.path
    );
    for (k, o) in FIGURED.iter().enumerate() {
        let (mut med, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
        for w in 0..res.clock.weeks {
            let xs: Vec<f64> = members.iter().map(|mr| mr.series[k][w]).collect();
            let date = res.clock.date(w);
            let q = |p| quantile(&xs, p);
            let _ = writeln!(series, "{date},{o},{},{},{}", q(0.5), q(0.05), q(0.95));
            let x = date.year_fraction();
            med.push((x, q(0.5)));
            lo.push((x, q(0.05)));
            hi.push((x, q(0.95)));
        }
        let c = WeekRecord::COLUMNS
            .iter()
            .position(|c| c == o)
            .expect("figured column");
        let what = experiment::validate::axis_title(c);
        figures.push((
            format!("figures/{o}.svg"),
            svg::TimeChart {
                title: &format!(
                    "{}, {}, over the ensemble",
                    what.split(" (").next().unwrap_or(&what),
                    res.name
                ),
                ylabel: &what,
                series: &[svg::series(&res.name, false, (&med, &lo, &hi)).across("members")],
                marks: &[],
                result: "Each member's value is its mean over its replicates; the band is the members' spread: the parameters' uncertainty.",
                note: &note,
            }
            .svg(),
        ));
    }
    let mut files = vec![
        ("ensemble.md".into(), md),
        ("ensemble.csv".into(), csv),
        ("members.csv".into(), members_csv),
        ("series.csv".into(), series),
    ];
    files.extend(figures);
    files
}

/// `pact run SCENARIO --ensemble FILE`.
pub fn run_command(
    scenario: &Path,
    ensemble: &Path,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
) -> Result<Done> {
    let res = experiment::load(scenario, ov)?;
    let ens = load(ensemble)?;
    for m in 0..ens.members.len() {
        ens.member(&res, m)?;
    }
    let out = dest.folder(|| PathBuf::from("results").join(format!("{}_ensemble", res.name)));
    experiment::check_out(&out, dest.force)?;
    let run = &res.scenario.run;
    let reproduce = format!(
        "pact run {} --ensemble {} --seed {} --replicates {} --scale {}",
        scenario.display(),
        ensemble.display(),
        run.seed,
        run.replicates,
        run.scale
    );
    let members = member_runs(&res, &ens, progress)?;
    let files = run_tables(&res, &ens, &members);
    let m = scenario_manifest("run_ensemble", &res, scenario, &ens, &[], &reproduce);
    write_study(&out, files, &m, dest.force)
}

/// Re-derives a run over an ensemble from its manifest's texts alone (`pact verify`).
pub fn rederive_run(m: &serde_json::Value) -> Result<Vec<(String, String)>> {
    let bad = |what: &str| {
        input(format!(
            "manifest.json: malformed run over an ensemble: {what}"
        ))
    };
    let s = |k: &str| m[k].as_str().ok_or_else(|| bad(k));
    let files = recorded_pairs(m, "scenario_files", "run over an ensemble")?;
    let res = experiment::load_via(
        Path::new(s("scenario_path")?),
        recorded_overrides(m),
        &scenario::recorded(files),
    )?;
    let ens = parse(s("ensemble_path")?, s("ensemble_file")?)?;
    let fresh = scenario_manifest(
        "run_ensemble",
        &res,
        Path::new(s("scenario_path")?),
        &ens,
        &[],
        s("reproduce")?,
    );
    same_id(m, &fresh)?;
    let members = member_runs(&res, &ens, &experiment::Silent)?;
    Ok(run_tables(&res, &ens, &members))
}
