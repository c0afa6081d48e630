//! Parameter sweeps: a design of points (grids and Latin hypercubes over scenario keys), each
//! run for several replicates, each run reduced to outcomes (the statistics of `pact validate`).
//!
//! Run `r` of the design is point `r / replicates`, replicate `r % replicates`; its seed is the
//! replicate's seed derived from the master seed, the same at every point (common random
//! numbers across the design). Results depend only on the sweep file and the pact version: not
//! on the thread count, the shards or the order in which runs finish. Records are written as
//! runs finish, one line per run × outcome, each line carrying a checksum, so a sweep killed at
//! any moment resumes where it stopped and a half-written record is detected and discarded.

pub mod command;
pub(crate) mod design;
pub mod records;

use crate::model::rng;
use crate::output::sha256_hex;
use crate::scenario::targets::{self, Pattern, Target};
use crate::scenario::{self, Resolved, ScenarioError};
use records::cell;
pub use records::{figures, parse_records, records_text, results_csv, run_one};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One varied parameter, as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterCfg {
    /// Scenario key path, e.g. `policy.repression` or `event.nep.date`.
    pub key: String,
    /// An explicit list of values (numbers, strings, dates).
    pub values: Option<Vec<toml::Value>>,
    /// A range: with `step`, a grid; without, sampled by Latin hypercube (`[lhs] samples`).
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub step: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LhsCfg {
    pub samples: u32,
}

/// A sweep file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepCfg {
    /// Base scenario, relative to the sweep file.
    pub base: String,
    pub name: Option<String>,
    /// Master seed (default: the base's `run.seed`).
    pub seed: Option<u64>,
    /// Replicates per point.
    pub replicates: i64,
    /// Worker agents (default: the base's `run.scale`).
    pub scale: Option<u64>,
    #[serde(rename = "parameter")]
    pub parameters: Vec<ParameterCfg>,
    pub lhs: Option<LhsCfg>,
    /// Explicit design points, one value per `[[parameter]]` in order (the parameters then name
    /// only their keys): the design of a history-matching wave, or any list of settings.
    pub points: Option<Vec<Vec<toml::Value>>>,
    /// Outcomes: targets of `pact validate` without a band (description and source optional).
    #[serde(rename = "outcome")]
    pub outcomes: Vec<Target>,
}

/// A checked, ready-to-run sweep.
pub struct Sweep {
    pub name: String,
    pub text: String,
    pub base: Resolved,
    pub keys: Vec<String>,
    /// Design points: one value per key.
    pub points: Vec<Vec<toml::Value>>,
    pub replicates: u32,
    pub seed: u64,
    pub outcomes: Vec<Pattern>,
    /// SHA-256 of the sweep file, its base chain and the pact version: what shards must share.
    pub id: String,
}

impl Sweep {
    pub fn runs(&self) -> usize {
        self.points.len() * self.replicates as usize
    }
    /// The seed of run `r` (its replicate's seed).
    pub fn seed_of(&self, r: usize) -> u64 {
        rng::replicate_seed(self.seed, (r % self.replicates as usize) as u64)
    }
}

/// Reads and checks a sweep file: every key path, range, outcome and statistic.
pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
    load_with(path, &|p| std::fs::read_to_string(p))
}

/// Re-loads the sweep a manifest describes from the texts it recorded (the sweep file and its
/// base chain), not from the files on disk: a sweep is identified by its content, wherever it
/// is read from.
pub fn from_manifest(m: &serde_json::Value) -> Result<Sweep, ScenarioError> {
    let bad = |message: &str| ScenarioError::Invalid {
        file: "manifest.json".into(),
        line: None,
        key: None,
        message: message.into(),
    };
    let path = m["sweep_path"]
        .as_str()
        .ok_or_else(|| bad("no sweep_path"))?;
    let text = m["sweep_file"]
        .as_str()
        .ok_or_else(|| bad("no sweep_file"))?;
    let mut files = vec![(path.to_string(), text.to_string())];
    for f in m["base_files"]
        .as_array()
        .ok_or_else(|| bad("no base_files"))?
    {
        match (f[0].as_str(), f[1].as_str()) {
            (Some(p), Some(t)) => files.push((p.to_string(), t.to_string())),
            _ => return Err(bad("base_files: allowed [path, text] pairs")),
        }
    }
    load_with(Path::new(path), &scenario::recorded(files))
}

/// [`load`], reading the sweep file and its base chain through `read`.
pub fn load_with(path: &Path, read: &scenario::Reader) -> Result<Sweep, ScenarioError> {
    let text = read(path).map_err(|e| ScenarioError::Read {
        file: path.display().to_string(),
        what: "sweep file",
        reason: e.to_string(),
        hint: "",
    })?;
    let cfg: SweepCfg =
        toml::from_str(&text).map_err(|e: toml::de::Error| scenario::toml_err(path, &text, &e))?;
    let f = design::File { path, text: &text };
    let base = base_of(&f, &cfg, read)?;
    let (grid, lhs) = design::axes(&f, &cfg, &base)?;
    let samples = design::samples(&f, &cfg, &grid, &lhs)?;
    let seed = base.scenario.run.seed;
    let points = match &cfg.points {
        Some(p) => p.clone(),
        None => design::points(keys_of(&cfg).len(), &grid, &lhs, samples, seed),
    };
    let at_key = if cfg.points.is_some() {
        "points"
    } else {
        "parameter"
    };
    design::check_points(&f, &keys_of(&cfg), &points, &base, at_key)?;
    let outcomes = outcomes(&f, &cfg, &base)?;
    let name = cfg.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sweep".into())
    });
    let chain: String = base
        .sources
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\u{0}");
    let id = sha256_hex(format!("{}\u{0}{text}\u{0}{chain}", crate::VERSION).as_bytes());
    Ok(Sweep {
        name,
        text: text.clone(),
        base,
        keys: keys_of(&cfg),
        points,
        replicates: cfg.replicates as u32,
        seed,
        outcomes,
        id,
    })
}

/// The base scenario (relative to the sweep file) with the sweep's replicates, scale and seed.
fn base_of(
    f: &design::File,
    cfg: &SweepCfg,
    read: &scenario::Reader,
) -> Result<Resolved, ScenarioError> {
    if cfg.replicates < 1 || cfg.replicates > 100_000 {
        return Err(f.err(
            "replicates",
            format!("{} is out of range; allowed 1 to 100000", cfg.replicates),
        ));
    }
    let mut base = scenario::load_with(
        &f.path.parent().unwrap_or(Path::new(".")).join(&cfg.base),
        read,
    )?;
    if let Some(s) = cfg.scale {
        base.scenario.run.scale = s;
    }
    base.scenario.run.replicates = cfg.replicates as u32;
    if let Some(s) = cfg.seed {
        base.scenario.run.seed = s;
    }
    base.scenario
        .validate_ranges()
        .map_err(|e| f.err("scale", e.message))?;
    Ok(base)
}

/// The outcomes: targets without a band (every value is admissible: an outcome is recorded,
/// not judged), checked against the base run.
fn outcomes(
    f: &design::File,
    cfg: &SweepCfg,
    base: &Resolved,
) -> Result<Vec<Pattern>, ScenarioError> {
    let all_reals = vec![
        toml::Value::Float(f64::NEG_INFINITY),
        toml::Value::Float(f64::INFINITY),
    ];
    let outcomes: Vec<Target> = cfg
        .outcomes
        .iter()
        .map(|o| Target {
            description: if o.description.is_empty() {
                o.id.clone()
            } else {
                o.description.clone()
            },
            band: all_reals.clone(),
            ..o.clone()
        })
        .collect();
    if outcomes.is_empty() {
        return Err(f.err(
            "outcome",
            "no outcomes; allowed: one or more [[outcome]] tables".into(),
        ));
    }
    targets::resolve_targets(f.path, f.text, "outcome", outcomes, base)
}

pub use design::{MAX_POINTS, MAX_RUNS};

pub(crate) fn keys_of(cfg: &SweepCfg) -> Vec<String> {
    cfg.parameters.iter().map(|p| p.key.clone()).collect()
}

/// The design, as written into the manifest.
#[derive(Serialize)]
struct Design<'a> {
    pact_version: &'a str,
    git_commit: &'a str,
    kind: &'a str,
    sweep_id: &'a str,
    sweep_name: &'a str,
    sweep_path: &'a str,
    sweep_file: &'a str,
    base_files: Vec<(&'a str, &'a str)>,
    keys: &'a [String],
    points: Vec<Vec<String>>,
    replicates: u32,
    master_seed: u64,
    seed_derivation: &'a str,
    replicate_seeds: Vec<u64>,
    runs: usize,
}

/// `manifest.json` of a sweep: identical for every shard.
pub fn manifest(sw: &Sweep, sweep_path: &str) -> String {
    let d = Design {
        pact_version: crate::VERSION,
        git_commit: crate::output::GIT_COMMIT,
        kind: "sweep",
        sweep_id: &sw.id,
        sweep_name: &sw.name,
        sweep_path,
        sweep_file: &sw.text,
        base_files: sw
            .base
            .sources
            .iter()
            .map(|s| (s.path.as_str(), s.text.as_str()))
            .collect(),
        keys: &sw.keys,
        points: sw
            .points
            .iter()
            .map(|p| p.iter().map(cell).collect())
            .collect(),
        replicates: sw.replicates,
        master_seed: sw.seed,
        seed_derivation: "run r uses the seed of replicate r % replicates: the first u64 of ChaCha8Rng::seed_from_u64(master_seed) on that stream (common random numbers across points)",
        replicate_seeds: (0..sw.replicates as usize).map(|k| sw.seed_of(k)).collect(),
        runs: sw.runs(),
    };
    let mut s = serde_json::to_string_pretty(&d).expect("manifest serialises");
    s.push('\n');
    s
}

/// Which runs a shard does: those with `run % n == k`.
pub fn in_shard(r: usize, shard: Option<(usize, usize)>) -> bool {
    shard.is_none_or(|(k, n)| r % n == k)
}

/// Name of the records file of a shard.
pub fn records_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        None => "records.csv".into(),
        Some((k, n)) => format!("records-{k}-of-{n}.csv"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        for n in 1..5 {
            for r in 0..20 {
                assert_eq!((0..n).filter(|&k| in_shard(r, Some((k, n)))).count(), 1);
            }
        }
        assert_eq!(records_name(Some((3, 16))), "records-3-of-16.csv");
    }
}
