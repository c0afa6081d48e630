//! `pact compare A B`: two scenarios run with common random numbers, or two finished runs read
//! back, compared outcome by outcome ([`super::paired`]); the folder holds both runs (so
//! `pact verify` re-derives it), the table, the CSV and the figures.

use super::paired::{self, Table};
use super::{Done, OutDir, Overrides, Progress, input};
use crate::output;
use crate::scenario::Resolved;
use std::path::{Path, PathBuf};

/// One side of a comparison: its table, its resolved parameters (as JSON, for the policy marks)
/// and the files of its run folder.
struct Side {
    table: Table,
    params: serde_json::Value,
}

/// `pact compare A B`: A and B are both scenario files or both output folders of finished runs.
pub fn command(
    a: &Path,
    b: &Path,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
    command_line: &[String],
) -> super::Result<Done> {
    let mut files: Vec<(String, String)> = Vec::new();
    let (sa, sb, mut manifest) = match (a.is_dir(), b.is_dir()) {
        (true, true) => finished(a, b, ov, dest, &mut files)?,
        (false, false) => scenarios(a, b, ov, dest, progress, command_line, &mut files)?,
        (da, db) => {
            for p in [a, b] {
                if !p.exists() {
                    return Err(input(format!(
                        "{}: no such file or folder; allowed: a scenario file or the output folder of a finished run",
                        p.display()
                    )));
                }
            }
            let kind = |d: bool| if d { "folder" } else { "file" };
            return Err(input(format!(
                "{} is a {} and {} a {}; allowed: two scenario files or two output folders",
                a.display(),
                kind(da),
                b.display(),
                kind(db)
            )));
        }
    };
    let rows = paired::compare(&sa.table, &sb.table)
        .map_err(|e| input(format!("{} vs {}: {e}", a.display(), b.display())))?;
    let out = out_folder(dest, &sa.table.name, &sb.table.name);
    super::check_out(&out, dest.force)?;
    let marks = paired::policy_marks(&sa.params, &sb.params);
    let id = |k: &str| manifest[k].as_str().unwrap_or("").to_string();
    let note = paired::note(&sa.table, &sb.table, (&id("run_id_a"), &id("run_id_b")));
    let top = paired::files(&sa.table, &sb.table, &rows, &marks, &note);
    manifest["outputs"] = serde_json::json!(
        top.iter()
            .map(|(n, c)| (n.clone(), output::sha256_hex(c.as_bytes())))
            .collect::<Vec<_>>()
    );
    files.push((
        "manifest.json".into(),
        format!(
            "{}\n",
            serde_json::to_string_pretty(&manifest).expect("manifest serialises")
        ),
    ));
    files.extend(top);
    output::write_folder(&out, &files, dest.force).map_err(|e| super::write_failure(&out, e))?;
    Ok(Done {
        stdout: paired::markdown(&sa.table, &sb.table, &rows),
        note: format!("wrote {}", out.display()),
        failed: None,
    })
}

/// A comparison's output folder: `--out`, or `results/compare_A_B`.
fn out_folder(dest: &OutDir, a: &str, b: &str) -> PathBuf {
    dest.folder(|| PathBuf::from("results").join(format!("compare_{a}_{b}")))
}

/// Two scenario files, run with common random numbers (B with A's seed, replicates and scale).
fn scenarios(
    a: &Path,
    b: &Path,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
    command_line: &[String],
    files: &mut Vec<(String, String)>,
) -> super::Result<(Side, Side, serde_json::Value)> {
    let ra = super::load(a, ov)?;
    let run = ra.scenario.run.clone();
    super::held(
        run.replicates as usize,
        "compare",
        "pact run streams up to 100000",
    )?;
    let same = Overrides {
        seed: Some(run.seed),
        replicates: Some(run.replicates),
        scale: Some(run.scale),
    };
    let rb = super::load(b, same)?;
    if ra.clock != rb.clock {
        return Err(input(format!(
            "{} and {} cover different dates ({} + {} weeks vs {} + {} weeks); allowed: the same run.start and run.end",
            a.display(),
            b.display(),
            ra.clock.start,
            ra.clock.weeks,
            rb.clock.start,
            rb.clock.weeks
        )));
    }
    super::check_out(&out_folder(dest, &ra.name, &rb.name), dest.force)?;
    let total = 2 * u64::from(run.replicates) * ra.clock.weeks as u64;
    progress.start(total, &format!("compare {} / {}", ra.name, rb.name));
    let seeds = super::run::replicate_seeds(run.seed, run.replicates);
    let runs_a = super::run::run_all(&ra, &|n| progress.advance(n));
    let runs_b = super::run::run_all(&rb, &|n| progress.advance(n));
    progress.finish();
    let env = super::environment(command_line);
    let (da, db) = run_folders(&ra.name, &rb.name);
    for (dir, res, runs) in [(&da, &ra, &runs_a), (&db, &rb, &runs_b)] {
        let prov = output::Provenance {
            kind: "run".into(),
            reproduce: output::reproduce_command("run", res, ""),
            inputs: Vec::new(),
        };
        for (n, c) in output::run_outputs(res, &seeds, runs, &env, &prov) {
            files.push((format!("{dir}/{n}"), c));
        }
    }
    let ids = [output::run_id(&ra, &seeds), output::run_id(&rb, &seeds)];
    let reproduce = format!(
        "pact compare {} {} --seed {} --replicates {} --scale {}",
        a.display(),
        b.display(),
        run.seed,
        run.replicates,
        run.scale
    );
    let mut m = manifest(&da, &db, &ids, reproduce);
    m["environment"] = serde_json::json!(env);
    let dates: Vec<crate::date::Date> = (0..ra.clock.weeks).map(|w| ra.clock.date(w)).collect();
    let side = |res: &Resolved, runs| Side {
        table: Table::from_runs(&res.name, &seeds, dates.clone(), runs),
        params: serde_json::to_value(res).expect("parameters serialise"),
    };
    Ok((side(&ra, &runs_a), side(&rb, &runs_b), m))
}

/// Two finished runs, read back and copied whole (data files and manifests) so that the
/// comparison is self-contained and `pact verify` re-derives it.
fn finished(
    a: &Path,
    b: &Path,
    ov: Overrides,
    dest: &OutDir,
    files: &mut Vec<(String, String)>,
) -> super::Result<(Side, Side, serde_json::Value)> {
    if ov.replicates.is_some() || ov.seed.is_some() || ov.scale.is_some() {
        return Err(input(
            "--replicates, --seed and --scale apply to scenario files, not to finished runs",
        ));
    }
    let (sa, ma) = read_run(a)?;
    let (sb, mb) = read_run(b)?;
    same_run_settings(a, &sa.params, b, &sb.params)?;
    super::check_out(
        &out_folder(dest, &sa.table.name, &sb.table.name),
        dest.force,
    )?;
    let (da, db) = run_folders(&sa.table.name, &sb.table.name);
    let mut ids = Vec::new();
    for (dir, src, m) in [(&da, a, &ma), (&db, b, &mb)] {
        ids.push(m["run_id"].as_str().unwrap_or("").to_string());
        let names: Vec<String> = m["outputs"]
            .as_array()
            .map(|o| {
                o.iter()
                    .filter_map(|x| x[0].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for n in names.into_iter().chain(["manifest.json".to_string()]) {
            crate::scenario::check_name(&n)
                .map_err(|e| input(format!("{}: key `outputs`: {e}", src.display())))?;
            let text = std::fs::read_to_string(src.join(&n))
                .map_err(|e| input(format!("{}: cannot read: {e}", src.join(&n).display())))?;
            files.push((format!("{dir}/{n}"), text));
        }
    }
    let reproduce = format!("pact compare {} {}", a.display(), b.display());
    Ok((sa, sb, manifest(&da, &db, &ids, reproduce)))
}

/// A finished run's table and resolved parameters, checked against this version of pact; and
/// its manifest.
fn read_run(dir: &Path) -> super::Result<(Side, serde_json::Value)> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .map_err(|e| input(format!("{}: cannot read: {e}", dir.join(f).display())))
    };
    let manifest = super::read_manifest(dir)?;
    super::this_version(dir, &manifest)?;
    let name = manifest["scenario_name"].as_str().unwrap_or("").to_string();
    crate::scenario::check_name(&name).map_err(|e| {
        input(format!(
            "{}: key `scenario_name`: {e}",
            dir.join("manifest.json").display()
        ))
    })?;
    let table = paired::table_from_csv(&name, &read("timeseries.csv")?, &read("elections.csv")?)
        .map_err(|e| input(format!("{}: {e}", dir.display())))?;
    let seeds: Vec<u64> = manifest["replicate_seeds"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x.as_u64()).collect())
        .unwrap_or_default();
    if seeds != table.seeds {
        return Err(input(format!(
            "{}: timeseries.csv seeds do not match manifest.json",
            dir.display()
        )));
    }
    let params = manifest["resolved_parameters"].clone();
    Ok((Side { table, params }, manifest))
}

/// Two finished runs compare only if they differ in their scenarios, not in how they were run:
/// a difference of scale, dates, seed or replicates would be reported as the policy's effect.
fn same_run_settings(
    a: &Path,
    pa: &serde_json::Value,
    b: &Path,
    pb: &serde_json::Value,
) -> super::Result<()> {
    for key in ["scale", "start", "end", "seed", "replicates"] {
        let (x, y) = (&pa["scenario"]["run"][key], &pb["scenario"]["run"][key]);
        if x != y {
            return Err(input(format!(
                "{} and {}: run.{key} differs ({x} vs {y}); allowed: two runs made with the same run settings (scale, dates, seed, replicates), differing only in their scenarios",
                a.display(),
                b.display()
            )));
        }
    }
    Ok(())
}

/// Folders of the two runs inside a comparison: the scenarios' names, or `a` and `b` when the
/// names are the same.
pub(crate) fn run_folders(a: &str, b: &str) -> (String, String) {
    if a == b {
        ("a".to_string(), "b".to_string())
    } else {
        (a.to_string(), b.to_string())
    }
}

/// The core of a comparison folder's manifest: the two runs' folders and ids, and the command
/// that makes it again.
fn manifest(a: &str, b: &str, run_ids: &[String], reproduce: String) -> serde_json::Value {
    serde_json::json!({
        "pact_version": crate::VERSION,
        "git_commit": output::GIT_COMMIT,
        "kind": "compare",
        "a": a,
        "b": b,
        "run_id_a": run_ids[0],
        "run_id_b": run_ids[1],
        "reproduce": reproduce,
    })
}
