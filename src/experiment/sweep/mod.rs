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
pub mod records;

use crate::model::rng;
use crate::output::sha256_hex;
use crate::scenario::targets::{self, Pattern, Target};
use crate::scenario::{self, Resolved, ScenarioError, find_key_line};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
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

fn err(path: &Path, text: &str, key: &str, message: String) -> ScenarioError {
    ScenarioError::Invalid {
        file: path.display().to_string(),
        line: find_key_line(text, key),
        key: Some(key.to_string()),
        message,
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
    if cfg.replicates < 1 || cfg.replicates > 100_000 {
        return Err(err(
            path,
            &text,
            "replicates",
            format!("{} is out of range; allowed 1 to 100000", cfg.replicates),
        ));
    }
    let mut base = scenario::load_with(
        &path.parent().unwrap_or(Path::new(".")).join(&cfg.base),
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
        .map_err(|e| err(path, &text, "scale", e.message))?;
    if cfg.parameters.is_empty() {
        return Err(err(
            path,
            &text,
            "parameter",
            "no parameters; allowed: one or more [[parameter]] tables".into(),
        ));
    }
    // Value lists of grid parameters; LHS parameters are sampled jointly.
    let mut grid: Vec<(usize, Vec<toml::Value>)> = Vec::new();
    let mut lhs: Vec<(usize, f64, f64)> = Vec::new();
    for (i, p) in cfg.parameters.iter().enumerate() {
        if cfg.parameters[..i].iter().any(|q| q.key == p.key) {
            return Err(ScenarioError::Invalid {
                file: path.display().to_string(),
                line: param_line(&text, i),
                key: Some(format!("parameter `{}`", p.key)),
                message: "the key is varied twice; allowed: one [[parameter]] per key".into(),
            });
        }
        let perr = |message: String| {
            let line = param_line(&text, i);
            ScenarioError::Invalid {
                file: path.display().to_string(),
                line,
                key: Some(format!("parameter `{}`", p.key)),
                message,
            }
        };
        match (&p.values, p.from, p.to, p.step) {
            (Some(v), None, None, None) => {
                if v.is_empty() {
                    return Err(perr("empty list of values; allowed: one or more values".into()));
                }
                grid.push((i, v.clone()));
            }
            (None, Some(a), Some(b), step) => {
                if a.is_nan() || b.is_nan() || a >= b {
                    return Err(perr(format!("empty range {a}..{b}; allowed: from < to")));
                }
                match step {
                    Some(s) if s > 0.0 && (b - a) / s <= 10_000.0 => {
                        let n = ((b - a) / s + 1e-9).floor() as usize;
                        grid.push((i, (0..=n).map(|k| toml::Value::Float(a + k as f64 * s)).collect()));
                    }
                    Some(s) => return Err(perr(format!("step {s}; allowed: a positive step giving at most 10000 values"))),
                    None => lhs.push((i, a, b)),
                }
            }
            _ => return Err(perr("allowed: either `values = [...]`, or `from` and `to` (with `step` for a grid, without for a Latin hypercube)".into())),
        }
        if let Some(fixed) = p.key.strip_prefix("run.").filter(|k| *k != "scale") {
            return Err(perr(format!(
                "run.{fixed} cannot be varied: the sweep's own `seed`, `replicates` and the base's dates hold for every point; allowed: run.scale or any key outside [run]"
            )));
        }
        // The key must exist; every value of a list must be admissible (checked one by one, so
        // the message names the value), and so must both ends of a range.
        let probes: Vec<toml::Value> = match grid.last().filter(|g| g.0 == i) {
            Some(g) => g.1.clone(),
            None => vec![
                toml::Value::Float(p.from.unwrap_or(0.0)),
                toml::Value::Float(p.to.unwrap_or(0.0)),
            ],
        };
        for v in probes {
            scenario::with_overrides(&base, &[(p.key.clone(), v.clone())]).map_err(|m| {
                perr(format!(
                    "value {v}: {m}; allowed: a scenario key path such as policy.repression or event.nep.date, with values in its range"
                ))
            })?;
        }
    }
    let design: usize = grid
        .iter()
        .map(|g| g.1.len())
        .chain(
            lhs.first()
                .map(|_| cfg.lhs.as_ref().map_or(1, |l| l.samples.max(1) as usize)),
        )
        .try_fold(1usize, |a, n| a.checked_mul(n))
        .unwrap_or(usize::MAX);
    if design > MAX_POINTS || design.saturating_mul(cfg.replicates as usize) > MAX_RUNS {
        return Err(err(
            path,
            &text,
            "parameter",
            format!(
                "the design has {design} points × {} replicates; allowed: at most {MAX_POINTS} points and {MAX_RUNS} runs",
                cfg.replicates
            ),
        ));
    }
    let samples = match (&cfg.lhs, lhs.is_empty()) {
        (Some(l), false) if l.samples >= 1 && l.samples <= 100_000 => l.samples as usize,
        (Some(l), false) => {
            return Err(err(
                path,
                &text,
                "lhs.samples",
                format!("{} is out of range; allowed 1 to 100000", l.samples),
            ));
        }
        (None, false) => {
            return Err(err(
                path,
                &text,
                "lhs",
                "ranges without `step` need `[lhs] samples = N`".into(),
            ));
        }
        (_, true) => 1,
    };
    let seed = base.scenario.run.seed;
    // Latin hypercube: each LHS parameter's range in `samples` strata, one draw per stratum, the
    // strata permuted independently per parameter (ChaCha8 keyed by the master seed).
    let mut lhs_values: Vec<Vec<f64>> = Vec::new();
    for (j, (_, a, b)) in lhs.iter().enumerate() {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(1_000 + j as u64);
        let mut perm: Vec<usize> = (0..samples).collect();
        for k in (1..samples).rev() {
            let m = (r.next_u64() % (k as u64 + 1)) as usize;
            perm.swap(k, m);
        }
        lhs_values.push(
            (0..samples)
                .map(|s| {
                    a + (perm[s] as f64 + (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
                        / samples as f64
                        * (b - a)
                })
                .collect(),
        );
    }
    let keys = keys_of(&cfg);
    let mut points: Vec<Vec<toml::Value>> = vec![vec![toml::Value::Boolean(false); keys.len()]];
    for (i, vals) in &grid {
        points = points
            .into_iter()
            .flat_map(|p| {
                vals.iter().map(move |v| {
                    let mut q = p.clone();
                    q[*i] = v.clone();
                    q
                })
            })
            .collect();
    }
    if !lhs.is_empty() {
        points = points
            .into_iter()
            .flat_map(|p| {
                let lhs = &lhs;
                let lhs_values = &lhs_values;
                (0..samples).map(move |s| {
                    let mut q = p.clone();
                    for (j, (i, _, _)) in lhs.iter().enumerate() {
                        q[*i] = toml::Value::Float(lhs_values[j][s]);
                    }
                    q
                })
            })
            .collect();
    }
    // Every point must run: values can be admissible alone and not together (shares that must
    // sum to one, an event moved past another), and a sweep that fails at its 40th point has
    // already written records. Checked in parallel; the first bad point in design order is named.
    let bad = {
        use rayon::prelude::*;
        points
            .par_iter()
            .enumerate()
            .filter_map(|(n, q)| {
                let sets: Vec<(String, toml::Value)> =
                    keys_of(&cfg).into_iter().zip(q.iter().cloned()).collect();
                scenario::with_overrides(&base, &sets).err().map(|m| (n, m))
            })
            .min_by_key(|(n, _)| *n)
    };
    if let Some((n, m)) = bad {
        let at: Vec<String> = keys_of(&cfg)
            .iter()
            .zip(&points[n])
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        return Err(err(
            path,
            &text,
            "parameter",
            format!(
                "design point {n} ({}) cannot run: {m}; allowed: values that are admissible together",
                at.join(", ")
            ),
        ));
    }
    // Every value is admissible: an outcome is recorded, not judged.
    let all_reals = vec![
        toml::Value::Float(f64::NEG_INFINITY),
        toml::Value::Float(f64::INFINITY),
    ];
    let targets: Vec<Target> = cfg
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
    if targets.is_empty() {
        return Err(err(
            path,
            &text,
            "outcome",
            "no outcomes; allowed: one or more [[outcome]] tables".into(),
        ));
    }
    let outcomes = targets::resolve_targets(path, &text, "outcome", targets, &base)?;
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
        text,
        base,
        keys,
        points,
        replicates: cfg.replicates as u32,
        seed,
        outcomes,
        id,
    })
}

/// At most this many design points (each is checked before the sweep starts) and runs.
pub const MAX_POINTS: usize = 100_000;
pub const MAX_RUNS: usize = 10_000_000;

fn keys_of(cfg: &SweepCfg) -> Vec<String> {
    cfg.parameters.iter().map(|p| p.key.clone()).collect()
}

fn param_line(text: &str, i: usize) -> Option<usize> {
    // The line of the `key =` of the i-th [[parameter]] (or of its header).
    let lines: Vec<&str> = text.lines().collect();
    let head = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[parameter]]")
        .nth(i)
        .map(|(n, _)| n)?;
    let key = lines[head + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| l.trim_start().starts_with("key"));
    Some(key.map(|k| head + 2 + k).unwrap_or(head + 1))
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
