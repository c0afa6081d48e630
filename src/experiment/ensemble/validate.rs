//! `pact validate SCENARIO --ensemble FILE`: every member judged against the targets.

use super::{
    Ensemble, Result, load, parse, quantile, recorded_overrides, recorded_pairs, same_id,
    scenario_manifest, write_study,
};
use crate::experiment::{self as experiment, Done, OutDir, Overrides, Progress, input};
use crate::output::{self, svg};
use crate::scenario::{self, Resolved};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How every member of an ensemble meets the targets: per target, the members passing and the
/// spread of the members' medians.
pub fn validation_tables(
    res: &Resolved,
    ens: &Ensemble,
    verdicts: &[Vec<experiment::validate::Verdict>],
) -> Vec<(String, String)> {
    let n = verdicts.len();
    let mut csv = String::from("member,id,median,pass\n");
    for (m, vs) in verdicts.iter().enumerate() {
        for v in vs {
            let _ = writeln!(
                csv,
                "{m},{},{},{}",
                v.id,
                v.median,
                if v.pass { "PASS" } else { "FAIL" }
            );
        }
    }
    let mut table =
        String::from("id,band_min,band_max,members,passing,median_of_medians,p05,p95\n");
    let mut md = format!(
        "# Validation of `{}` over an ensemble\n\n{} members of `{}`, {} each (master seed {}, {} workers). A member passes a pattern when its median across replicates lies in the band; *5–95%* is across members' medians.\n\n| pattern | band | members passing | median of members | 5–95% across members |\n| --- | --- | --- | --- | --- |\n",
        res.name,
        n,
        ens.path,
        output::counted(res.scenario.run.replicates, "replicate"),
        res.scenario.run.seed,
        res.scenario.run.scale
    );
    let mut all = true;
    for (i, v0) in verdicts[0].iter().enumerate() {
        let meds: Vec<f64> = verdicts
            .iter()
            .map(|vs| vs[i].median)
            .filter(|x| x.is_finite())
            .collect();
        let passing = verdicts.iter().filter(|vs| vs[i].pass).count();
        all &= passing == n;
        let (m, lo, hi) = (
            quantile(&meds, 0.5),
            quantile(&meds, 0.05),
            quantile(&meds, 0.95),
        );
        let _ = writeln!(
            table,
            "{},{},{},{n},{passing},{m},{lo},{hi}",
            v0.id, v0.band.0, v0.band.1
        );
        let show = |x: f64| {
            if v0.statistic == "peak_date" && x.is_finite() {
                crate::date::Date::from_year_fraction(x).to_string()
            } else {
                svg::number(x)
            }
        };
        let _ = writeln!(
            md,
            "| {} | {} to {} | {passing} of {n} | {} | {} to {} |",
            v0.id,
            show(v0.band.0),
            show(v0.band.1),
            show(m),
            show(lo),
            show(hi)
        );
    }
    let _ = writeln!(
        md,
        "\n{}",
        if all {
            "Every member passes every pattern.".to_string()
        } else {
            "Not every member passes every pattern (a calibration keeps the points no target rules out at its cutoff, which is looser than a band).".to_string()
        }
    );
    let mut files = vec![
        ("ensemble_validation.md".into(), md),
        ("ensemble_validation.csv".into(), table),
        ("members_validation.csv".into(), csv),
    ];
    // Each target's band against the members' medians (peak dates are read in the table).
    let note = format!(
        "pact {} · {} over {} · {} members × {} · seed {}",
        crate::VERSION,
        res.name,
        ens.path,
        n,
        output::counted(res.scenario.run.replicates, "replicate"),
        res.scenario.run.seed
    );
    for (i, v0) in verdicts[0].iter().enumerate() {
        if v0.statistic == "peak_date" {
            continue;
        }
        let meds: Vec<f64> = verdicts.iter().map(|vs| vs[i].median).collect();
        let passing = verdicts.iter().filter(|vs| vs[i].pass).count();
        files.push((
            format!("figures/{}.svg", v0.id),
            svg::dot_chart(
                &svg::upper_first(&v0.description),
                ("median across replicates", "member"),
                &meds,
                v0.band,
                &format!("{passing} of {n} members pass. Source: {}", v0.source),
                &note,
            ),
        ));
    }
    files
}

/// Every member's verdicts.
fn member_verdicts(
    res: &Resolved,
    ens: &Ensemble,
    patterns: &[crate::scenario::targets::Pattern],
    progress: &dyn Progress,
) -> Result<Vec<Vec<experiment::validate::Verdict>>> {
    let n = ens.members.len();
    progress.start(
        n as u64 * u64::from(res.scenario.run.replicates) * res.clock.weeks as u64,
        &format!("validate {} over {n} members", res.name),
    );
    let mut out = Vec::with_capacity(n);
    for m in 0..n {
        let r = ens.member(res, m)?;
        let runs = experiment::run::run_all(&r, &|k| progress.advance(k));
        out.push(experiment::validate::judge(patterns, &r, &runs));
    }
    progress.finish();
    Ok(out)
}

/// `pact validate SCENARIO --ensemble FILE`: every member judged against the targets.
pub fn validate_command(
    scenario: &Path,
    targets: Option<&Path>,
    ensemble: &Path,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
) -> Result<Done> {
    let res = experiment::load(scenario, ov)?;
    experiment::held(
        res.scenario.run.replicates as usize,
        "validate",
        "fewer replicates per member",
    )?;
    let tpath = targets.map(Path::to_path_buf).unwrap_or_else(|| {
        scenario
            .parent()
            .unwrap_or(Path::new("."))
            .join("targets.toml")
    });
    let ttext = crate::scenario::targets::read_targets(&tpath)?;
    let patterns = crate::scenario::targets::load_targets_text(&tpath, &ttext, &res)?;
    let ens = load(ensemble)?;
    for m in 0..ens.members.len() {
        ens.member(&res, m)?;
    }
    let out = dest.folder(|| PathBuf::from("results").join("validation_ensemble"));
    experiment::check_out(&out, dest.force)?;
    let verdicts = member_verdicts(&res, &ens, &patterns, progress)?;
    let files = validation_tables(&res, &ens, &verdicts);
    let run = &res.scenario.run;
    let reproduce = format!(
        "pact validate {} --targets {} --ensemble {} --seed {} --replicates {} --scale {}",
        scenario.display(),
        tpath.display(),
        ensemble.display(),
        run.seed,
        run.replicates,
        run.scale
    );
    let tp = tpath.display().to_string();
    let m = scenario_manifest(
        "validate_ensemble",
        &res,
        scenario,
        &ens,
        &[("targets_path", &tp), ("targets_file", &ttext)],
        &reproduce,
    );
    let mut done = write_study(&out, files, &m, dest.force)?;
    let failing = verdicts
        .iter()
        .filter(|vs| vs.iter().any(|v| !v.pass))
        .count();
    done.failed = (failing > 0).then(|| {
        format!(
            "{failing} of {} members fail at least one pattern",
            verdicts.len()
        )
    });
    Ok(done)
}

/// Re-derives a validation over an ensemble from its manifest's texts (`pact verify`).
pub fn rederive_validation(m: &serde_json::Value) -> Result<Vec<(String, String)>> {
    let bad = |what: &str| {
        input(format!(
            "manifest.json: malformed ensemble validation: {what}"
        ))
    };
    let s = |k: &str| m[k].as_str().ok_or_else(|| bad(k));
    let files = recorded_pairs(m, "scenario_files", "ensemble validation")?;
    let ov = recorded_overrides(m);
    let res = experiment::load_via(
        Path::new(s("scenario_path")?),
        ov,
        &scenario::recorded(files),
    )?;
    let (tpath, ttext) = (Path::new(s("targets_path")?), s("targets_file")?);
    let patterns = crate::scenario::targets::load_targets_text(tpath, ttext, &res)?;
    let ens = parse(s("ensemble_path")?, s("ensemble_file")?)?;
    let fresh = scenario_manifest(
        "validate_ensemble",
        &res,
        Path::new(s("scenario_path")?),
        &ens,
        &[
            ("targets_path", &tpath.display().to_string()),
            ("targets_file", ttext),
        ],
        s("reproduce")?,
    );
    same_id(m, &fresh)?;
    let verdicts = member_verdicts(&res, &ens, &patterns, &experiment::Silent)?;
    Ok(validation_tables(&res, &ens, &verdicts))
}
