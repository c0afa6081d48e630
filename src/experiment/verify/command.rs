//! `pact verify DIR`: re-derives a folder of `run`, `validate`, `compare`, `sweep` or `calibrate` from its
//! manifest alone (all replicates, or a sample) and reports each file and each claim as
//! identical, different, false or not checked.

use super::{Derivation, Status};
use crate::experiment::paired::{self, Table};
use crate::experiment::sweep;
use crate::experiment::{Done, input, read_manifest, this_version};
use crate::model::record::RunRecord;
use std::path::Path;

type Result<T> = crate::experiment::Result<T>;
type Report = Vec<(String, Status)>;

/// `pact verify DIR [--sample N]`.
pub fn command(dir: &Path, sample: Option<usize>) -> Result<Done> {
    if sample == Some(0) {
        return Err(input(
            "--sample 0: allowed 1 or more replicates to re-run (or no --sample to re-run all)",
        ));
    }
    let m = read_manifest(dir)?;
    let mut report = Vec::new();
    match m["kind"].as_str() {
        Some("sweep") => verify_sweep(dir, &m, sample, &mut report)?,
        Some("calibrate") => verify_whole(
            dir,
            &m,
            sample,
            &format!(
                "a calibration is verified whole (each wave's points depend on the waves before); allowed: no --sample, or pact verify {}/wave-K/sweep --sample N",
                dir.display()
            ),
            &|| {
                let cal = crate::experiment::calibrate::from_manifest(&m)?;
                crate::experiment::calibrate::rederive(&cal, dir)
            },
            &mut report,
        )?,
        Some("sensitivity") => verify_whole(
            dir,
            &m,
            sample,
            &format!(
                "a sensitivity analysis is verified whole (its indices need every point); allowed: no --sample, or pact verify {}/sweep --sample N",
                dir.display()
            ),
            &|| {
                let s = crate::experiment::sensitivity::from_manifest(&m)?;
                crate::experiment::sensitivity::rederive(&s, dir)
            },
            &mut report,
        )?,
        Some("validate_ensemble") => verify_whole(
            dir,
            &m,
            sample,
            "a validation over an ensemble is verified whole; allowed: no --sample",
            &|| crate::experiment::ensemble::rederive_validation(&m),
            &mut report,
        )?,
        Some("run_ensemble") => verify_whole(
            dir,
            &m,
            sample,
            "a run over an ensemble is verified whole; allowed: no --sample",
            &|| crate::experiment::ensemble::rederive_run(&m),
            &mut report,
        )?,
        Some("compare_ensemble") => verify_whole(
            dir,
            &m,
            sample,
            "an ensemble comparison is verified whole; allowed: no --sample",
            &|| crate::experiment::ensemble::rederive(&m),
            &mut report,
        )?,
        Some("compare") => verify_compare(dir, &m, sample, &mut report)?,
        _ => {
            verify_folder(dir, "", sample, &mut report)?;
        }
    }
    Ok(summary(dir, &report))
}

/// The report as text, and the verdict: failed when any file differs or any claim is false.
fn summary(dir: &Path, report: &Report) -> Done {
    let mut stdout = String::new();
    let mut different = 0;
    for (name, status) in report {
        let line = match status {
            Status::Identical => format!("{name}: identical"),
            Status::Missing => format!("{name}: missing"),
            Status::NotChecked(why) => format!("{name}: not checked ({why})"),
            Status::FalseClaim { claimed, derived } => format!(
                "{name}: false: the manifest says {claimed}, its scenario and seeds give {derived}"
            ),
            Status::Different { line, column } => match (line, column) {
                // Only line endings differ (the manifest's claims are reported as false ones).
                (0, _) => format!("{name}: different (in its line endings)"),
                (l, Some(c)) => format!("{name}: different, first at line {l}, column `{c}`"),
                (l, None) => format!("{name}: different, first at line {l}"),
            },
        };
        if !matches!(status, Status::Identical | Status::NotChecked(_)) {
            different += 1;
        }
        stdout.push_str(&line);
        stdout.push('\n');
    }
    let unchecked = report
        .iter()
        .filter(|(_, s)| matches!(s, Status::NotChecked(_)))
        .count();
    let mut done = Done {
        stdout,
        ..Done::default()
    };
    if different > 0 {
        done.failed = Some(format!(
            "{}: {different} of {} files differ from what the manifest re-derives",
            dir.display(),
            report.len()
        ));
    } else if unchecked == 0 {
        done.note = format!(
            "{}: all {} files and claims re-derived identically",
            dir.display(),
            report.len()
        );
    } else {
        done.note = format!(
            "{}: {} files and claims re-derived identically; {unchecked} not checked (see above)",
            dir.display(),
            report.len() - unchecked
        );
    }
    done
}

/// Verifies one folder of kind run or validate; returns the re-derived runs (all replicates, or
/// the sample) for a comparison's top-level files.
fn verify_folder(
    dir: &Path,
    prefix: &str,
    sample: Option<usize>,
    report: &mut Report,
) -> Result<(Derivation, Vec<RunRecord>)> {
    let m = read_manifest(dir)?;
    let d = super::derivation(&m)
        .map_err(|e| input(format!("{}: {e}", dir.join("manifest.json").display())))?;
    let which = super::sample(d.seeds.len(), sample);
    crate::experiment::held(which.len(), "verify", "re-run a sample with --sample N")?;
    let runs = super::rerun(&d, &which);
    let expected = super::expected_files(&d, &which, &runs)
        .map_err(|e| input(format!("{}: {e}", dir.display())))?;
    let sampled = which.len() < d.seeds.len();
    let read = |n: &str| {
        let text = std::fs::read_to_string(dir.join(n)).ok()?;
        Some(if sampled && n.ends_with(".csv") {
            super::select_replicates(&text, &which)
        } else {
            text
        })
    };
    for (name, status) in super::check(&expected, &read) {
        let status = if sampled && !name.ends_with(".csv") {
            Status::NotChecked(format!(
                "only {} of {} replicates re-run",
                which.len(),
                d.seeds.len()
            ))
        } else {
            status
        };
        report.push((format!("{prefix}{name}"), status));
    }
    for (name, status) in super::claims(&m, &d) {
        report.push((format!("{prefix}{name}"), status));
    }
    Ok((d, runs))
}

/// Verifies a comparison: both runs' folders, the manifest's claims, and (when every replicate
/// is re-run) the comparison's own files.
fn verify_compare(
    dir: &Path,
    m: &serde_json::Value,
    sample: Option<usize>,
    report: &mut Report,
) -> Result<()> {
    this_version(dir, m)?;
    let folder = |k: &str| {
        let name = m[k].as_str().unwrap_or("");
        crate::scenario::check_name(name)
            .map(|_| name)
            .map_err(|e| {
                input(format!(
                    "{}: key `{k}`: {e}",
                    dir.join("manifest.json").display()
                ))
            })
    };
    let (a, b) = (folder("a")?, folder("b")?);
    let (da, ra) = verify_folder(&dir.join(a), &format!("{a}/"), sample, report)?;
    let (db, rb) = verify_folder(&dir.join(b), &format!("{b}/"), sample, report)?;
    report.extend(super::compare_claims(m, &da, &db));
    if super::sample(da.seeds.len(), sample).len() < da.seeds.len() {
        report.push((
            "compare.csv".into(),
            Status::NotChecked("a sample cannot re-derive the comparison".into()),
        ));
        return Ok(());
    }
    let dates: Vec<crate::date::Date> = (0..da.res.clock.weeks)
        .map(|w| da.res.clock.date(w))
        .collect();
    let ta = Table::from_runs(&da.res.name, &da.seeds, dates.clone(), &ra);
    let tb = Table::from_runs(&db.res.name, &db.seeds, dates, &rb);
    let rows = paired::compare(&ta, &tb).map_err(input)?;
    let json = |d: &Derivation| serde_json::to_value(&d.res).expect("parameters serialise");
    let marks = paired::policy_marks(&json(&da), &json(&db));
    let note = paired::note(
        &ta,
        &tb,
        (
            &crate::output::run_id(&da.res, &da.seeds),
            &crate::output::run_id(&db.res, &db.seeds),
        ),
    );
    let expected = paired::files(&ta, &tb, &rows, &marks, &note);
    report.extend(super::check(&expected, &|n| {
        std::fs::read_to_string(dir.join(n)).ok()
    }));
    Ok(())
}

/// A folder verified whole from its manifest's recorded texts (a calibration: every wave re-run,
/// since a wave's points depend on the waves before; a sensitivity analysis: the whole design;
/// an ensemble's validation or comparison: every member): `rederive` gives the expected files.
fn verify_whole(
    dir: &Path,
    m: &serde_json::Value,
    sample: Option<usize>,
    no_sample: &str,
    rederive: &dyn Fn() -> Result<Vec<(String, String)>>,
    report: &mut Report,
) -> Result<()> {
    this_version(dir, m)?;
    if sample.is_some() {
        return Err(input(format!("--sample: {no_sample}")));
    }
    report.extend(super::check(&rederive()?, &|n| {
        std::fs::read_to_string(dir.join(n)).ok()
    }));
    Ok(())
}

/// Verifies a sweep folder: the sweep is re-loaded from the texts its manifest recorded (its id
/// must be the one recorded); the runs (all, or a sample) are re-run and compared with
/// results.csv; the figures when all are re-run.
fn verify_sweep(
    dir: &Path,
    m: &serde_json::Value,
    sample: Option<usize>,
    report: &mut Report,
) -> Result<()> {
    use rayon::prelude::*;
    this_version(dir, m)?;
    let sw = sweep::command::sweep_of(dir, m)?;
    let which = super::sample(sw.runs(), sample);
    let text: Vec<String> = which.par_iter().map(|&r| sweep::run_one(&sw, r)).collect();
    let runs = sweep::parse_records(&sw, &text.concat());
    let expected = sweep::results_csv(&sw, &runs);
    let keep: std::collections::BTreeSet<usize> = which.iter().copied().collect();
    // The header and the rows of the re-run runs.
    let actual = std::fs::read_to_string(dir.join("results.csv"))
        .ok()
        .map(|t| {
            t.lines()
                .enumerate()
                .filter(|(i, l)| {
                    *i == 0
                        || l.split(',')
                            .next()
                            .and_then(|r| r.parse().ok())
                            .is_some_and(|r: usize| keep.contains(&r))
                })
                .map(|(_, l)| format!("{l}\n"))
                .collect::<String>()
        });
    report.extend(super::check(&[("results.csv".into(), expected)], &|_| {
        actual.clone()
    }));
    if which.len() == sw.runs() {
        report.extend(super::check(&sweep::figures(&sw, &runs), &|n| {
            std::fs::read_to_string(dir.join(n)).ok()
        }));
    } else {
        report.push((
            "figures".into(),
            Status::NotChecked(format!("only {} of {} runs re-run", which.len(), sw.runs())),
        ));
    }
    report.push(("manifest.json (sweep id)".into(), Status::Identical));
    Ok(())
}
