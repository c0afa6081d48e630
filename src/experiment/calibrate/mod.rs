//! `pact calibrate FILE`: history matching of a scenario's uncertain parameters against its
//! targets, in waves ([`super::history_matching`]). Every wave is an ordinary sweep with explicit
//! points (`OUT/wave-K/sweep.toml`, run in `OUT/wave-K/sweep/`), so it records runs as they finish,
//! resumes after a kill, and can be sharded and merged like any sweep; running the same
//! calibration again resumes it wave by wave (the points of wave K depend only on the results of
//! the waves before). The calibration's own files: `waves.csv`, `points.csv`, `ensemble.csv`
//! and `manifest.json` in `OUT`.

mod file;

pub use file::{
    Calibration, CalibrationCfg, ParameterCfg, from_manifest, load, load_with, wave_sweep,
};
pub(crate) use file::{
    Ran, Study, check_study_out, points_sweep, recorded_study, rerun_points_sweep,
    run_points_sweep, study, values,
};

use super::history_matching::{Design, Stat, Wave, history_match};
use super::{Done, Error, OutDir, Progress};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

type Result<T> = super::Result<T>;

/// Each point's statistic per target from a wave's `results.csv`: mean, variance across
/// replicates (n − 1), count.
fn stats(cal: &Calibration, results: &str, points: usize) -> Result<Vec<Vec<Stat>>> {
    let mut lines = results.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |n: &str| {
        head.iter()
            .position(|h| *h == n)
            .ok_or_else(|| Error::Failure(format!("results.csv: no column `{n}`")))
    };
    let (cp, co, cv) = (col("point")?, col("outcome")?, col("value")?);
    let mut values: BTreeMap<(usize, String), Vec<f64>> = BTreeMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let point: usize = f[cp]
            .parse()
            .map_err(|_| Error::Failure(format!("results.csv: bad point in `{l}`")))?;
        let v: f64 = f[cv].parse().unwrap_or(f64::NAN);
        values
            .entry((point, f[co].to_string()))
            .or_default()
            .push(v);
    }
    Ok((0..points)
        .map(|k| {
            cal.patterns
                .iter()
                .map(|p| {
                    let xs = values
                        .get(&(k, p.target.id.clone()))
                        .cloned()
                        .unwrap_or_default();
                    let n = xs.len();
                    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
                    let var = if n > 1 {
                        xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64
                    } else {
                        0.0
                    };
                    Stat {
                        mean: if n == 0 { f64::NAN } else { mean },
                        var,
                        n,
                    }
                })
                .collect()
        })
        .collect())
}

/// Writes a calibration file atomically (the sweeps' temporary-and-rename).
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    super::sweep::command::write_atomic(path, text, "calibrate")
}

/// `pact calibrate FILE [--out DIR] [--shard K/N]`: runs (or resumes) the waves and writes the
/// calibration's tables. With `--shard`, it runs only slice K of N of the first wave not yet
/// complete and stops there: when every slice of that wave has run, `pact merge DIR/wave-W/sweep`
/// completes it, and the same command goes on to the next wave (`scripts/slurm_study.sh` chains
/// them on a cluster). Waves already complete are read, not run again.
pub fn command(
    file: &Path,
    shard: Option<&str>,
    dest: &OutDir,
    progress: &dyn Progress,
) -> Result<Done> {
    if let Some(s) = shard {
        super::sweep::command::parse_shard(s)?;
    }
    let cal = load(file)?;
    let out = dest.folder(|| PathBuf::from("results").join(format!("calibration_{}", cal.name)));
    check_study_out(&out, "calibration_id", &cal.id, "calibration")?;
    let mpath = out.join("manifest.json");
    std::fs::create_dir_all(&out).map_err(|e| Error::Failure(format!("{}: {e}", out.display())))?;
    let manifest = serde_json::json!({
        "kind": "calibrate",
        "pact_version": crate::VERSION,
        "git_commit": crate::output::GIT_COMMIT,
        "calibration_id": cal.id,
        "calibration_path": cal.path.display().to_string(),
        "calibration_file": cal.text,
        "base_files": cal.sources,
        "targets_file": cal.targets_file,
    });
    write_atomic(
        &mpath,
        &(serde_json::to_string_pretty(&manifest).expect("json") + "\n"),
    )?;
    let mut wave = 0usize;
    let matched = history_match(
        &design(&cal),
        &cal.observations(),
        &mut |points: &[Vec<f64>]| -> std::result::Result<Vec<Vec<Stat>>, Halt> {
            let dir = out.join(format!("wave-{}", wave + 1));
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::Failure(format!("{}: {e}", dir.display())))?;
            match run_points_sweep(
                &dir.join("sweep.toml"),
                &wave_sweep(&cal, wave, points),
                &dir.join("sweep"),
                shard,
                progress,
            )? {
                Ran::Results(results) => {
                    wave += 1;
                    Ok(stats(&cal, &results, points.len())?)
                }
                Ran::Slice(note) => Err(Halt::Slice(format!(
                    "wave {}: {note}; then `pact calibrate {} --out {}` (with or without --shard) goes on from its results",
                    wave + 1,
                    file.display(),
                    out.display()
                ))),
            }
        },
    );
    let waves = match matched {
        Ok(waves) => waves,
        Err(Halt::Slice(next)) => return Ok(Done::note(next)),
        Err(Halt::Failed(e)) => return Err(e),
    };
    write_atomic(&out.join("waves.csv"), &waves_csv(&cal, &waves))?;
    write_atomic(&out.join("points.csv"), &points_csv(&cal, &waves))?;
    write_atomic(&out.join("ensemble.csv"), &ensemble_csv(&cal, &waves))?;
    std::fs::create_dir_all(out.join("figures"))
        .map_err(|e| Error::Failure(format!("{}: {e}", out.display())))?;
    write_atomic(&out.join("figures/pairs.svg"), &pairs_figure(&cal, &waves))?;
    write_atomic(&out.join("figures/bands.svg"), &bands_figure(&cal, &waves))?;
    let last = waves.last().expect("at least one wave");
    let summary = format!(
        "{} waves; the last kept {} of {} points; non-implausible share of the space {:.3e}",
        waves.len(),
        last.survivors(),
        last.points.len(),
        last.share
    );
    let mut done = Done::note(format!("wrote {}: {summary}", out.display()));
    if last.survivors() == 0 {
        done.failed = Some(format!(
            "wave {} ruled out every point: no setting of these parameters in their ranges meets every target (points.csv says which targets rule them out)",
            waves.len()
        ));
    }
    Ok(done)
}

/// Why a calibration's matching stopped before its last wave: one slice of a wave was run
/// (`--shard`; what to do next), or a wave failed.
enum Halt {
    Slice(String),
    Failed(Error),
}

impl From<Error> for Halt {
    fn from(e: Error) -> Halt {
        Halt::Failed(e)
    }
}

/// How the calibration's waves are run.
fn design(cal: &Calibration) -> Design {
    let c = &cal.cfg;
    Design {
        dims: c.parameters.len(),
        points_per_wave: c.points as usize,
        waves: c.waves as usize,
        cutoff: c.cutoff,
        second_largest: c.second_largest,
        margin: c.margin,
        seed: cal.seed,
    }
}

/// Re-derives a calibration from its recorded files alone (`pact verify`): every wave's sweep
/// re-run in full in memory, then the tables. Returns the files expected in its folder `out`,
/// by name: each wave's `sweep.toml` and `sweep/results.csv`, and `waves.csv`, `points.csv`,
/// `ensemble.csv`.
pub fn rederive(cal: &Calibration, out: &Path) -> Result<Vec<(String, String)>> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut wave = 0usize;
    let mut simulate = |points: &[Vec<f64>]| -> Result<Vec<Vec<Stat>>> {
        let name = format!("wave-{}", wave + 1);
        let text = wave_sweep(cal, wave, points);
        let results = rerun_points_sweep(&out.join(&name).join("sweep.toml"), &text, &cal.sources)?;
        files.push((format!("{name}/sweep.toml"), text));
        files.push((format!("{name}/sweep/results.csv"), results.clone()));
        wave += 1;
        stats(cal, &results, points.len())
    };
    let waves = history_match(&design(cal), &cal.observations(), &mut simulate)?;
    files.push(("waves.csv".into(), waves_csv(cal, &waves)));
    files.push(("points.csv".into(), points_csv(cal, &waves)));
    files.push(("ensemble.csv".into(), ensemble_csv(cal, &waves)));
    files.push(("figures/pairs.svg".into(), pairs_figure(cal, &waves)));
    files.push(("figures/bands.svg".into(), bands_figure(cal, &waves)));
    Ok(files)
}

/// The ensemble against the record: every target's band and, in it, each member's mean over
/// its replicates.
fn bands_figure(cal: &Calibration, waves: &[Wave]) -> String {
    let members: Vec<&Vec<Stat>> = waves
        .last()
        .map(|w| {
            w.stats
                .iter()
                .zip(&w.survives)
                .filter(|(_, s)| **s)
                .map(|(x, _)| x)
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<crate::output::svg::BandRow> = cal
        .patterns
        .iter()
        .enumerate()
        .map(|(t, p)| {
            (
                p.target.id.clone(),
                p.band,
                members.iter().map(|m| m[t].mean).collect(),
            )
        })
        .collect();
    let n = members.len();
    let all_in = (0..n)
        .filter(|&m| rows.iter().all(|r| r.2[m] >= r.1.0 && r.2[m] <= r.1.1))
        .count();
    crate::output::svg::band_strip(
        &format!(
            "The ensemble against the record: each target's band and the {n} members' means ({})",
            cal.name
        ),
        &rows,
        &format!(
            "Each dot is one member's mean over its {} replicates at {}; {all_in} of {n} members have every mean inside every band. Non-implausible is not inside: a member is kept when no mean lies more than {} standard deviations (observation, model discrepancy and replicates) from its band. One-sided bands run to the open edge.",
            cal.cfg.replicates,
            cal.cfg.scale.map_or_else(
                || "the base scenario's scale".to_string(),
                |s| format!("{} workers", crate::output::svg::number(s as f64))
            ),
            cal.cfg.cutoff
        ),
        &provenance_note(cal),
    )
}

fn provenance_note(cal: &Calibration) -> String {
    format!(
        "pact {} · calibration {} · {} replicates a point · seed {} · id {}",
        crate::VERSION,
        cal.name,
        cal.cfg.replicates,
        cal.seed,
        &cal.id[..12]
    )
}

/// The pair plot of every point of every wave.
fn pairs_figure(cal: &Calibration, waves: &[Wave]) -> String {
    let names: Vec<String> = cal.cfg.parameters.iter().map(|p| p.key.clone()).collect();
    let points: Vec<Vec<f64>> = waves
        .iter()
        .flat_map(|w| w.points.iter().cloned())
        .collect();
    let judged: Vec<f64> = waves
        .iter()
        .flat_map(|w| w.judged.iter().copied())
        .collect();
    let kept = waves.last().map_or(0, Wave::survivors);
    crate::output::svg::pairs(
        &format!(
            "Where the record rules the parameters out: {} ({} waves, {} points; {} kept)",
            cal.name,
            waves.len(),
            points.len(),
            kept
        ),
        &names,
        &points,
        &judged,
        cal.cfg.cutoff,
        &provenance_note(cal),
    )
}

fn waves_csv(cal: &Calibration, waves: &[Wave]) -> String {
    let mut s = String::from("wave,points,survivors,share");
    for p in &cal.cfg.parameters {
        let _ = write!(s, ",{0}_from,{0}_to", p.key);
    }
    s.push('\n');
    for (k, w) in waves.iter().enumerate() {
        let _ = write!(
            s,
            "{},{},{},{}",
            k + 1,
            w.points.len(),
            w.survivors(),
            w.share
        );
        let (lo, hi) = (cal.values(&w.lo), cal.values(&w.hi));
        for j in 0..lo.len() {
            let _ = write!(s, ",{},{}", lo[j], hi[j]);
        }
        s.push('\n');
    }
    s
}

fn points_csv(cal: &Calibration, waves: &[Wave]) -> String {
    let mut s = String::from("wave,point");
    for p in &cal.cfg.parameters {
        let _ = write!(s, ",{}", p.key);
    }
    for p in &cal.patterns {
        let _ = write!(s, ",I_{}", p.target.id);
    }
    s.push_str(",implausibility,non_implausible\n");
    for (k, w) in waves.iter().enumerate() {
        for (i, x) in w.points.iter().enumerate() {
            let _ = write!(s, "{},{}", k + 1, i);
            for v in cal.values(x) {
                let _ = write!(s, ",{v}");
            }
            for v in &w.implausibility[i] {
                let _ = write!(s, ",{v}");
            }
            let _ = writeln!(s, ",{},{}", w.judged[i], w.survives[i]);
        }
    }
    s
}

fn ensemble_csv(cal: &Calibration, waves: &[Wave]) -> String {
    let mut s = String::from("member");
    for p in &cal.cfg.parameters {
        let _ = write!(s, ",{}", p.key);
    }
    s.push('\n');
    if let Some(w) = waves.last() {
        for (m, x) in w
            .points
            .iter()
            .zip(&w.survives)
            .filter(|(_, s)| **s)
            .map(|(x, _)| x)
            .enumerate()
        {
            let _ = write!(s, "{m}");
            for v in cal.values(x) {
                let _ = write!(s, ",{v}");
            }
            s.push('\n');
        }
    }
    s
}
