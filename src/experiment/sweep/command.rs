//! `pact sweep` and `pact merge`: a sweep's folder, its slices and their records. Runs are
//! recorded as they finish (one write per run, under a lock per slice), a killed sweep resumes
//! where it stopped, and the results are written when every run is in, by the sweep itself or
//! by `merge` from the slices.

use super::{Sweep, from_manifest, in_shard, parse_records, records_name};
use crate::experiment::{Done, Error, OutDir, Progress, input};
use crate::output;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Result<T> = crate::experiment::Result<T>;

/// Completed runs: each run's outcome values, by run.
type Runs = BTreeMap<usize, Vec<f64>>;

fn io_failure(e: std::io::Error, what: &Path) -> Error {
    Error::Failure(format!("{}: {e}", what.display()))
}

/// Writes `text` to `path` atomically (a temporary file renamed). The temporary name carries the
/// process id and a tag (the shard), so slices on different machines never share one.
pub(crate) fn write_atomic(path: &Path, text: &str, tag: &str) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{tag}-{}", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| io_failure(e, path))
}

/// `--shard K/N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || input(format!("--shard {s}: allowed K/N with N ≥ 1 and 0 ≤ K < N"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// `pact sweep SPEC [--shard K/N]`: runs what is missing of the sweep (or of one slice), then,
/// unsharded, writes the results. `stop_after` stops after that many runs (to test resuming).
pub fn sweep(
    spec: &Path,
    shard: Option<&str>,
    dest: &OutDir,
    stop_after: Option<usize>,
    progress: &dyn Progress,
) -> Result<Done> {
    // Every argument is checked before any work or any write.
    let shard = shard.map(parse_shard).transpose()?;
    let sw = super::load(spec)?;
    let out = dest.folder(|| PathBuf::from("results").join(&sw.name));
    crate::experiment::check_parent(&out)?;
    check_folder(&out, &sw)?;
    std::fs::create_dir_all(&out).map_err(|e| io_failure(e, &out))?;
    // One process per slice of a folder at a time: a second one would rewrite the records the
    // first is appending to.
    let _lock = output::lock(&out.join(format!(".{}.lock", records_name(shard)))).map_err(
        |e| match e {
            output::LockError::Busy(pid) => input(format!(
                "{}: in use by process {pid} (another pact sweep on the same slice); allowed: one process per slice of a folder",
                out.display()
            )),
            output::LockError::Io(e) => io_failure(e, &out),
        },
    )?;
    let tag = shard.map_or_else(|| "all".into(), |(k, n)| format!("{k}of{n}"));
    let mpath = out.join("manifest.json");
    if !mpath.exists() {
        write_atomic(
            &mpath,
            &super::manifest(&sw, &spec.display().to_string()),
            &tag,
        )?;
    }
    let rpath = out.join(records_name(shard));
    let done = resume(&sw, &rpath, &tag)?;
    let mut todo: Vec<usize> = (0..sw.runs())
        .filter(|&r| in_shard(r, shard) && !done.contains_key(&r))
        .collect();
    if let Some(n) = stop_after {
        todo.truncate(n);
    }
    run_missing(&sw, &todo, &rpath, progress)?;
    finish(&sw, &out, &rpath, shard)
}

/// The `results.csv` of the sweep `spec` if `out` already holds it complete (written when the
/// last run was recorded, or by `pact merge`): same sweep id, results present.
pub(crate) fn complete_results(spec: &Path, out: &Path) -> Result<Option<String>> {
    let (Ok(m), Ok(results)) = (
        std::fs::read_to_string(out.join("manifest.json")),
        std::fs::read_to_string(out.join("results.csv")),
    ) else {
        return Ok(None);
    };
    let sw = super::load(spec)?;
    let m = serde_json::from_str::<serde_json::Value>(&m).unwrap_or_default();
    Ok((m["sweep_id"].as_str() == Some(sw.id.as_str())).then_some(results))
}

/// An existing folder must hold this sweep (same sweep id: its content, not its path) or be
/// empty but for the locks of slices that are starting.
fn check_folder(out: &Path, sw: &Sweep) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    match std::fs::read_to_string(out.join("manifest.json")) {
        Ok(m) => {
            let m = serde_json::from_str::<serde_json::Value>(&m).unwrap_or_default();
            if m["sweep_id"].as_str() == Some(sw.id.as_str()) {
                Ok(())
            } else if let Some(kind) = m["kind"].as_str().filter(|k| *k != "sweep") {
                Err(input(format!(
                    "{}: holds the output of a pact {kind}, not of a sweep; allowed: a new --out",
                    out.display()
                )))
            } else {
                Err(input(format!(
                    "{}: holds a different sweep (or one made by another pact version); allowed: the same sweep file, or a new --out",
                    out.display()
                )))
            }
        }
        Err(_) => {
            let empty = std::fs::read_dir(out).is_ok_and(|d| {
                d.flatten().all(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.starts_with(".records") && n.ends_with(".lock")
                })
            });
            if empty {
                Ok(())
            } else {
                Err(input(format!(
                    "{}: exists and is not a sweep folder; allowed: a new or empty folder",
                    out.display()
                )))
            }
        }
    }
}

/// Keeps the complete, intact runs already recorded (a torn line of a killed sweep is dropped)
/// and rewrites the records file with just those.
fn resume(sw: &Sweep, rpath: &Path, tag: &str) -> Result<Runs> {
    let done = parse_records(sw, &std::fs::read_to_string(rpath).unwrap_or_default());
    let text = format!("# sweep {}\n{}", sw.id, super::records_text(sw, &done));
    write_atomic(rpath, &text, tag)?;
    Ok(done)
}

/// Runs `todo` in parallel, appending each run's record lines to the records file in one write
/// as it finishes: a run is recorded whole or (if killed mid-write) detected as torn.
fn run_missing(sw: &Sweep, todo: &[usize], rpath: &Path, progress: &dyn Progress) -> Result<()> {
    use rayon::prelude::*;
    use std::io::Write as _;
    progress.start(todo.len() as u64, &format!("sweep {}", sw.name));
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(rpath)
        .map_err(|e| io_failure(e, rpath))?;
    let file = std::sync::Mutex::new(file);
    let failed = std::sync::Mutex::new(None);
    todo.par_iter().for_each(|&r| {
        let lines = super::run_one(sw, r);
        let mut f = file.lock().expect("records file lock");
        if let Err(e) = f.write_all(lines.as_bytes()).and_then(|_| f.flush()) {
            *failed.lock().expect("lock") = Some(e);
        }
        progress.advance(1);
    });
    progress.finish();
    match failed.into_inner().expect("lock") {
        Some(e) => Err(io_failure(e, rpath)),
        None => Ok(()),
    }
}

/// After the runs: every run of the slice must be recorded (else exit 1: run again); an
/// unsharded sweep then writes its results.
fn finish(sw: &Sweep, out: &Path, rpath: &Path, shard: Option<(usize, usize)>) -> Result<Done> {
    let recorded = parse_records(
        sw,
        &std::fs::read_to_string(rpath).map_err(|e| io_failure(e, rpath))?,
    );
    let expected = (0..sw.runs()).filter(|&r| in_shard(r, shard)).count();
    if recorded.len() < expected {
        return Err(Error::Failure(format!(
            "{}: {} of {} runs recorded; run the same command again to finish",
            out.display(),
            recorded.len(),
            expected
        )));
    }
    let note = match shard {
        Some((k, n)) => format!(
            "{}: slice {k}/{n} complete ({}); when all slices are done: pact merge {}",
            out.display(),
            output::counted(recorded.len() as u64, "run"),
            out.display()
        ),
        None => {
            write_results(sw, out, &recorded)?;
            format!(
                "wrote {} ({} × {})",
                out.display(),
                output::counted(recorded.len() as u64, "run"),
                output::counted(sw.outcomes.len() as u64, "outcome")
            )
        }
    };
    Ok(Done::note(note))
}

/// results.csv and the figures, from the complete set of runs.
fn write_results(sw: &Sweep, out: &Path, runs: &Runs) -> Result<()> {
    write_atomic(
        &out.join("results.csv"),
        &super::results_csv(sw, runs),
        "results",
    )?;
    std::fs::create_dir_all(out.join("figures")).map_err(|e| io_failure(e, out))?;
    for (name, svg) in super::figures(sw, runs) {
        write_atomic(&out.join(name), &svg, "results")?;
    }
    Ok(())
}

/// The sweep a folder's manifest describes, re-loaded from the texts it recorded; its id must be
/// the one recorded (the manifest was not edited).
pub fn sweep_of(dir: &Path, m: &serde_json::Value) -> Result<Sweep> {
    let mpath = dir.join("manifest.json");
    let sw = from_manifest(m).map_err(|e| input(format!("{}: {e}", mpath.display())))?;
    if m["sweep_id"].as_str() != Some(sw.id.as_str()) {
        return Err(input(format!(
            "{}: key `sweep_id`: the recorded sweep file and base files give another id; the manifest was edited",
            mpath.display()
        )));
    }
    Ok(sw)
}

/// `pact merge DIR`: the slices' records, checked complete and from this sweep, become the
/// results an unsharded sweep writes.
pub fn merge(dir: &Path) -> Result<Done> {
    if dir.is_dir() && !dir.join("manifest.json").exists() {
        return Err(input(format!(
            "{}: no slice of a sweep has started here (no manifest.json): the slices never ran (cancelled, or failed before starting); run them with `pact sweep SWEEP --out {} --shard K/N`, then merge",
            dir.display(),
            dir.display()
        )));
    }
    let m = crate::experiment::read_manifest(dir)?;
    if m["kind"] != "sweep" {
        return Err(input(format!("{}: not a sweep folder", dir.display())));
    }
    crate::experiment::this_version(dir, &m)?;
    let sw = sweep_of(dir, &m)?;
    let spec = m["sweep_path"].as_str().unwrap_or("SWEEP");
    let slices = slices(dir, spec)?;
    let all = read_slices(&sw, dir, spec, &slices)?;
    write_results(&sw, dir, &all)?;
    Ok(Done::note(format!(
        "merged {} slices into {} ({})",
        slices.len(),
        dir.display(),
        output::counted(all.len() as u64, "run")
    )))
}

/// The slices' records files (`records-K-of-N.csv`) of a folder, all of one split and none
/// missing (exit 1 otherwise, naming the command that runs the missing ones).
fn slices(dir: &Path, spec: &str) -> Result<Vec<(usize, usize, PathBuf)>> {
    let mut slices: Vec<(usize, usize, PathBuf)> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| io_failure(e, dir))? {
        let p = e.map_err(|e| io_failure(e, dir))?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(rest) = name
            .strip_prefix("records-")
            .and_then(|r| r.strip_suffix(".csv"))
        {
            let (k, n) = rest
                .split_once("-of-")
                .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)))
                .ok_or_else(|| input(format!("{}: unexpected file name", p.display())))?;
            slices.push((k, n, p));
        }
    }
    slices.sort();
    let n = slices.first().map(|s| s.1).ok_or_else(|| {
        input(format!(
            "{}: no slices (records-K-of-N.csv) to merge",
            dir.display()
        ))
    })?;
    if slices.iter().any(|s| s.1 != n) {
        return Err(input(format!(
            "{}: slices of different shard counts; allowed: one --shard K/N split",
            dir.display()
        )));
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !slices.iter().any(|s| s.0 == *k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Failure(format!(
            "{}: missing slices {} (never started, failed before recording, or cancelled); run each with `pact sweep {spec} --out {} --shard K/{n}` (or submit the same Slurm script again), then merge",
            dir.display(),
            missing.join(", "),
            dir.display()
        )));
    }
    Ok(slices)
}

/// Every slice's runs, each slice checked to be of this sweep, to hold only its own runs, and
/// to be complete.
fn read_slices(
    sw: &Sweep,
    dir: &Path,
    spec: &str,
    slices: &[(usize, usize, PathBuf)],
) -> Result<Runs> {
    let mut all = BTreeMap::new();
    for (k, n, p) in slices {
        let (k, n) = (*k, *n);
        let text = std::fs::read_to_string(p).map_err(|e| io_failure(e, p))?;
        if text.lines().next() != Some(format!("# sweep {}", sw.id).as_str()) {
            return Err(input(format!(
                "{}: from a different sweep or pact version",
                p.display()
            )));
        }
        let runs = parse_records(sw, &text);
        if let Some(r) = runs.keys().find(|r| !in_shard(**r, Some((k, n)))) {
            return Err(input(format!(
                "{}: holds run {r}, which belongs to another slice",
                p.display()
            )));
        }
        let expected = (0..sw.runs())
            .filter(|&r| in_shard(r, Some((k, n))))
            .count();
        if runs.len() != expected {
            return Err(Error::Failure(format!(
                "{}: slice {k}/{n} has {} of its {expected} runs; run it again to finish (`pact sweep {spec} --out {} --shard {k}/{n}`), then merge",
                p.display(),
                runs.len(),
                dir.display()
            )));
        }
        all.extend(runs);
    }
    Ok(all)
}
