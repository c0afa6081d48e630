//! Running replicates: each replicate is an independent city with its own derived seed.
//! Replicates run in parallel (rayon) and are handed on in replicate order, a few batches at a
//! time (`pact run` writes each to its files as it comes); each replicate's worker phase is
//! itself parallel over fixed chunks. Results never depend on the thread count.

use crate::model::record::RunRecord;
use crate::model::rng;
use crate::model::step;
use crate::scenario::Resolved;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// `pact run SCENARIO`: every replicate, written to its files as it finishes (only what
/// `summary.json` needs is kept), into `results/<name>` or `--out`, atomically.
pub fn command(
    scenario: &Path,
    ov: super::Overrides,
    dest: &super::OutDir,
    progress: &dyn super::Progress,
    command_line: &[String],
) -> super::Result<super::Done> {
    use crate::output;
    let res = super::load(scenario, ov)?;
    let out = dest.folder(|| PathBuf::from("results").join(&res.name));
    super::check_out(&out, dest.force)?;
    let env = super::environment(command_line);
    let prov = output::Provenance {
        kind: "run".into(),
        reproduce: output::reproduce_command("run", &res, ""),
        inputs: Vec::new(),
    };
    let seeds = replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let fail = |e: std::io::Error| super::write_failure(&out, e);
    let mut writer = output::RunWriter::create(&res, &seeds, &out, dest.force).map_err(fail)?;
    let total = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    progress.start(
        total,
        &format!("{} × {}", res.name, res.scenario.run.replicates),
    );
    run_each(&res, &|n| progress.advance(n), |_, run| writer.push(&run)).map_err(fail)?;
    progress.finish();
    writer.finish(&env, &prov).map_err(fail)?;
    Ok(super::Done::note(format!(
        "wrote {} ({} × {})",
        out.display(),
        output::counted(res.scenario.run.replicates, "replicate"),
        output::counted(res.clock.weeks as u64, "week")
    )))
}

/// Runs one replicate with seed `seed` from the first week to the last.
pub fn run_replicate(res: &Resolved, seed: u64, progress: &(dyn Fn(u64) + Sync)) -> RunRecord {
    let mut world = crate::model::step::start(res, seed);
    let mut out = RunRecord::default();
    out.weeks.reserve(res.clock.weeks);
    for _ in 0..res.clock.weeks {
        step::step(&mut world, res, &mut out);
        progress(1);
    }
    out
}

/// The seeds of replicates `0..n` derived from the master seed.
pub fn replicate_seeds(master: u64, n: u32) -> Vec<u64> {
    (0..u64::from(n))
        .map(|k| rng::replicate_seed(master, k))
        .collect()
}

/// Runs every replicate of the scenario (master seed and count from `[run]`) in parallel.
/// `progress` is called with the number of weeks just simulated.
pub fn run_all(res: &Resolved, progress: &(dyn Fn(u64) + Sync)) -> Vec<RunRecord> {
    let mut runs = Vec::with_capacity(res.scenario.run.replicates as usize);
    run_each(
        res,
        progress,
        |_, run| -> Result<(), std::convert::Infallible> {
            runs.push(run);
            Ok(())
        },
    )
    .unwrap_or_else(|e| match e {});
    runs
}

/// Runs every replicate in parallel and hands each to `sink` in replicate order (0, 1, ...) as
/// soon as it and those before it are done: a few batches of replicates are held at a time,
/// never the whole run, so memory does not grow with the number of replicates. Stops at the
/// first error of `sink`.
pub fn run_each<E>(
    res: &Resolved,
    progress: &(dyn Fn(u64) + Sync),
    mut sink: impl FnMut(usize, RunRecord) -> Result<(), E>,
) -> Result<(), E> {
    let seeds = replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    // A batch keeps every thread busy; its size changes how much is held, never a result.
    let batch = 2 * rayon::current_num_threads().max(1);
    for (b, chunk) in seeds.chunks(batch).enumerate() {
        let runs: Vec<RunRecord> = chunk
            .par_iter()
            .map(|&s| run_replicate(res, s, progress))
            .collect();
        for (k, run) in runs.into_iter().enumerate() {
            sink(b * batch + k, run)?;
        }
    }
    Ok(())
}
