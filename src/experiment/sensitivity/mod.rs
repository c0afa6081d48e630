//! `pact sensitivity FILE`: global sensitivity analysis of the targets' statistics to a set of
//! parameters over their ranges, by Sobol indices (Saltelli's design; first-order and total
//! effects with bootstrap intervals) or Morris's elementary effects (a cheaper screening). The
//! design is run as a sweep with explicit points (`OUT/sweep.toml`, `OUT/sweep/`: resumable,
//! shardable with `pact sweep OUT/sweep.toml --shard K/N`), then:
//!
//! - `indices.csv`: tidy, `outcome, parameter, statistic, value, lo, hi` (Sobol: `first`,
//!   `total` with 95% bootstrap intervals; Morris: `mu_star`, `sigma`);
//! - `variance.csv`: per outcome, the mean and variance over all runs and the **seed's share**:
//!   the mean variance between replicates at the same point over the variance over all runs
//!   (population variances, so that with equal replicates per point the two parts, between
//!   points and within them, add up to the whole): how much of what the outcome does is Monte
//!   Carlo noise rather than the parameters;
//! - `figures/<outcome>.svg`: the indices as bars with their intervals;
//! - `manifest.json` (kind `sensitivity`): the file, its base chain and targets, the id.
//!
//! The indices are computed on each point's mean over its replicates. `pact verify` re-runs the
//! whole design and compares every file.

mod estimators;

pub use estimators::{
    Effects, Index, morris_design, morris_effects, saltelli_design, sobol_indices,
};

use super::calibrate::{
    ParameterCfg, Ran, Study, check_study_out, points_sweep, recorded_study, rerun_points_sweep,
    run_points_sweep, study, values,
};
use super::{Done, Error, OutDir, Progress, input};
use crate::output::{sha256_hex, svg};
use crate::scenario::targets::Pattern;
use crate::scenario::{self, ScenarioError, find_key_line};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

type Result<T> = super::Result<T>;

/// The method of a sensitivity file.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Sobol,
    Morris,
}

/// A sensitivity file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityCfg {
    /// Base scenario and targets file, relative to this file.
    pub base: String,
    pub targets: String,
    pub name: Option<String>,
    pub method: Method,
    /// Sobol: the base sample N (N·(d + 2) points); Morris: trajectories r (r·(d + 1) points).
    pub samples: i64,
    /// Morris: grid levels (even; default 4).
    #[serde(default = "default_levels")]
    pub levels: i64,
    /// Bootstrap resamples for the Sobol intervals (default 500).
    #[serde(default = "default_resamples")]
    pub resamples: i64,
    /// Replicates per point.
    pub replicates: i64,
    pub scale: Option<u64>,
    pub seed: Option<u64>,
    /// Targets (by id) whose statistics are analysed; default all.
    #[serde(default)]
    pub outcomes: Vec<String>,
    #[serde(rename = "parameter")]
    pub parameters: Vec<ParameterCfg>,
}

fn default_levels() -> i64 {
    4
}
fn default_resamples() -> i64 {
    500
}

/// A checked sensitivity analysis.
pub struct Sensitivity {
    pub name: String,
    pub text: String,
    pub cfg: SensitivityCfg,
    pub base: PathBuf,
    /// The outcomes analysed.
    pub patterns: Vec<Pattern>,
    pub sources: Vec<(String, String)>,
    pub targets_file: (String, String),
    pub path: PathBuf,
    pub id: String,
    pub seed: u64,
}

impl Sensitivity {
    /// The design in the unit cube.
    pub fn design(&self) -> Vec<Vec<f64>> {
        let d = self.cfg.parameters.len();
        let n = self.cfg.samples as usize;
        match self.cfg.method {
            Method::Sobol => saltelli_design(d, n, self.seed),
            Method::Morris => morris_design(d, n, self.cfg.levels as usize, self.seed),
        }
    }
    fn values(&self, x: &[f64]) -> Vec<f64> {
        values(&self.cfg.parameters, x)
    }
}

/// Reads and checks a sensitivity file.
pub fn load(path: &Path) -> Result<Sensitivity> {
    let path = std::path::absolute(path).map_err(|e| input(format!("{}: {e}", path.display())))?;
    load_with(&path, &|p| std::fs::read_to_string(p))
}

/// [`load`] through `read` (`path` absolute): from disk, or from a manifest's recorded texts.
pub fn load_with(path: &Path, read: &scenario::Reader) -> Result<Sensitivity> {
    let text = read(path).map_err(|e| ScenarioError::Read {
        file: path.display().to_string(),
        what: "sensitivity file",
        reason: e.to_string(),
        hint: "",
    })?;
    let cfg: SensitivityCfg =
        toml::from_str(&text).map_err(|e: toml::de::Error| scenario::toml_err(path, &text, &e))?;
    let bad = |key: &str, m: String| -> Error {
        ScenarioError::Invalid {
            file: path.display().to_string(),
            line: find_key_line(&text, key),
            key: Some(key.to_string()),
            message: m,
        }
        .into()
    };
    if !(1..=10_000).contains(&cfg.replicates) {
        return Err(bad(
            "replicates",
            format!("{} is out of range; allowed 1 to 10000", cfg.replicates),
        ));
    }
    let min = if cfg.method == Method::Sobol { 2 } else { 1 };
    if !(min..=100_000).contains(&cfg.samples) {
        return Err(bad(
            "samples",
            format!(
                "{} is out of range; allowed {min} to 100000 (Sobol: the base sample N; Morris: trajectories)",
                cfg.samples
            ),
        ));
    }
    if !(2..=20).contains(&cfg.levels) || cfg.levels % 2 != 0 {
        return Err(bad(
            "levels",
            format!("{}; allowed an even number from 2 to 20", cfg.levels),
        ));
    }
    if !(0..=100_000).contains(&cfg.resamples) {
        return Err(bad(
            "resamples",
            format!("{} is out of range; allowed 0 to 100000", cfg.resamples),
        ));
    }
    let Study {
        res,
        base,
        patterns,
        sources,
        targets_file,
        chain,
    } = study(
        path,
        &text,
        read,
        (&cfg.base, &cfg.targets),
        cfg.scale,
        &cfg.parameters,
    )?;
    let patterns = if cfg.outcomes.is_empty() {
        patterns
    } else {
        let mut chosen = Vec::new();
        for id in &cfg.outcomes {
            let p = patterns
                .iter()
                .find(|p| &p.target.id == id)
                .ok_or_else(|| {
                    let ids: Vec<&str> = patterns.iter().map(|p| p.target.id.as_str()).collect();
                    bad(
                        "outcomes",
                        format!(
                            "`{id}` is not a target of {}; allowed: {}",
                            targets_file.0,
                            ids.join(", ")
                        ),
                    )
                })?;
            chosen.push(p.clone());
        }
        chosen
    };
    let name = cfg.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sensitivity".into())
    });
    scenario::check_name(&name).map_err(|e| bad("name", e))?;
    let id = sha256_hex(format!("{}\u{0}{text}\u{0}{chain}", crate::VERSION).as_bytes());
    let seed = cfg.seed.unwrap_or(res.scenario.run.seed);
    Ok(Sensitivity {
        name,
        text,
        cfg,
        base,
        patterns,
        sources,
        targets_file,
        path: path.to_path_buf(),
        id,
        seed,
    })
}

/// The sweep file of the design: the base, replicates, scale and seed, the design's points and
/// the outcomes.
pub fn design_sweep(s: &Sensitivity) -> String {
    let c = &s.cfg;
    let rows: Vec<Vec<f64>> = s.design().iter().map(|x| s.values(x)).collect();
    points_sweep(
        &format!(
            "The design of the sensitivity analysis `{}` (written by pact sensitivity).",
            s.name
        ),
        &s.base,
        &format!("{}-design", s.name),
        (c.replicates, c.scale, Some(s.seed)),
        &rows,
        &c.parameters,
        &s.patterns,
    )
}

/// Per outcome, per point: the values of its replicates, from a sweep's `results.csv`.
fn by_point(s: &Sensitivity, results: &str, points: usize) -> Result<Vec<Vec<Vec<f64>>>> {
    let mut out = vec![vec![Vec::new(); points]; s.patterns.len()];
    let mut lines = results.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| Error::Failure(format!("results.csv: no column {name}")))
    };
    let (pc, oc, vc) = (col("point")?, col("outcome")?, col("value")?);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let point: usize = f[pc]
            .parse()
            .map_err(|_| Error::Failure(format!("results.csv: bad point in {line}")))?;
        let Some(o) = s.patterns.iter().position(|p| p.target.id == f[oc]) else {
            continue;
        };
        if let (Some(slot), Ok(v)) = (out[o].get_mut(point), f[vc].parse::<f64>()) {
            slot.push(v);
        }
    }
    Ok(out)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// Population variance (divided by n): with equal groups, the variance over all runs is exactly
/// the variance of the group means plus the mean variance within groups.
fn variance(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let m = mean(xs);
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64
}

/// A bar chart's axis title and bounds.
type Axis<'a> = (&'a str, Option<(f64, f64)>);

/// The tables and figures of an analysis from its design's `results.csv`.
pub fn tables(s: &Sensitivity, results: &str) -> Result<Vec<(String, String)>> {
    let design = s.design();
    let d = s.cfg.parameters.len();
    let per = by_point(s, results, design.len())?;
    let mut indices = String::from("outcome,parameter,statistic,value,lo,hi\n");
    let mut var = String::from("outcome,runs,mean,variance,seed_share\n");
    let mut figures = Vec::new();
    let note = format!(
        "pact {} · sensitivity {} · {} points × {} · seed {} · id {}",
        crate::VERSION,
        s.name,
        design.len(),
        crate::output::counted(s.cfg.replicates as u32, "replicate"),
        s.seed,
        &s.id[..12]
    );
    for (o, p) in s.patterns.iter().enumerate() {
        let id = &p.target.id;
        let runs: Vec<f64> = per[o].iter().flatten().copied().collect();
        let within = mean(&per[o].iter().map(|r| variance(r)).collect::<Vec<_>>());
        let total = variance(&runs);
        let seed_share = if total > 0.0 {
            within / total
        } else {
            f64::NAN
        };
        let _ = writeln!(
            var,
            "{id},{},{},{},{}",
            runs.len(),
            mean(&runs),
            total,
            seed_share
        );
        let y: Vec<f64> = per[o].iter().map(|r| mean(r)).collect();
        if y.iter().any(|v| !v.is_finite()) {
            // An outcome undefined at some point (e.g. a ratio over nothing): no indices.
            continue;
        }
        let mut rows = Vec::new();
        let (measures, axis): (Vec<&str>, Axis) = match s.cfg.method {
            Method::Sobol => {
                let ix = sobol_indices(&y, d, s.cfg.resamples as usize, s.seed);
                for (par, i) in s.cfg.parameters.iter().zip(&ix) {
                    let _ = writeln!(
                        indices,
                        "{id},{},first,{},{},{}",
                        par.key, i.first, i.first_ci.0, i.first_ci.1
                    );
                    let _ = writeln!(
                        indices,
                        "{id},{},total,{},{},{}",
                        par.key, i.total, i.total_ci.0, i.total_ci.1
                    );
                    rows.push((
                        par.key.clone(),
                        vec![
                            (i.first, i.first_ci.0, i.first_ci.1),
                            (i.total, i.total_ci.0, i.total_ci.1),
                        ],
                    ));
                }
                (
                    vec![
                        "first-order index (the parameter alone)",
                        "total index (with its interactions)",
                    ],
                    (
                        "Sobol index (share of variance); whiskers: 95% bootstrap intervals",
                        Some((-0.25, 1.25)),
                    ),
                )
            }
            Method::Morris => {
                let fx = morris_effects(&design, &y, d);
                for (par, e) in s.cfg.parameters.iter().zip(&fx) {
                    let _ = writeln!(indices, "{id},{},mu_star,{},,", par.key, e.mu_star);
                    let _ = writeln!(indices, "{id},{},sigma,{},,", par.key, e.sigma);
                    rows.push((
                        par.key.clone(),
                        vec![
                            (e.mu_star, f64::NAN, f64::NAN),
                            (e.sigma, f64::NAN, f64::NAN),
                        ],
                    ));
                }
                (
                    vec![
                        "μ*: mean absolute elementary effect",
                        "σ: spread of the effects (interactions, nonlinearity)",
                    ],
                    (
                        "elementary effect: change in the outcome across the parameter's range",
                        None,
                    ),
                )
            }
        };
        let result = format!(
            "Seed's share of the variance across runs: {} (the rest is the parameters').",
            if seed_share.is_finite() {
                format!("{:.0}%", 100.0 * seed_share)
            } else {
                "undefined (no variance)".into()
            }
        );
        let title = format!(
            "What moves: {}",
            if p.target.description.is_empty() {
                id.as_str()
            } else {
                p.target.description.as_str()
            }
        );
        let figure = match s.cfg.method {
            Method::Sobol => svg::bars(&title, axis, &measures, &rows, &result, &note),
            Method::Morris => {
                let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
                let pts: Vec<(f64, f64)> = rows.iter().map(|r| (r.1[0].0, r.1[1].0)).collect();
                svg::mu_sigma(&title, &names, &pts, &result, &note)
            }
        };
        figures.push((format!("figures/{id}.svg"), figure));
    }
    let mut files = vec![
        ("indices.csv".to_string(), indices),
        ("variance.csv".to_string(), var),
    ];
    files.extend(figures);
    Ok(files)
}

/// `pact sensitivity FILE [--out DIR] [--shard K/N]`: runs (or resumes) the design and writes the
/// indices. With `--shard`, it runs only slice K of N of the design's sweep; once every slice has
/// run and `pact merge DIR/sweep` has combined them, the same command writes the indices.
pub fn command(
    file: &Path,
    shard: Option<&str>,
    dest: &OutDir,
    progress: &dyn Progress,
) -> Result<Done> {
    if let Some(k) = shard {
        super::sweep::command::parse_shard(k)?;
    }
    let s = load(file)?;
    let out = dest.folder(|| PathBuf::from("results").join(format!("sensitivity_{}", s.name)));
    check_study_out(&out, "sensitivity_id", &s.id, "sensitivity analysis")?;
    let mpath = out.join("manifest.json");
    std::fs::create_dir_all(out.join("figures"))
        .map_err(|e| Error::Failure(format!("{}: {e}", out.display())))?;
    let manifest = serde_json::json!({
        "kind": "sensitivity",
        "pact_version": crate::VERSION,
        "git_commit": crate::output::GIT_COMMIT,
        "sensitivity_id": s.id,
        "sensitivity_name": s.name,
        "sensitivity_path": s.path.display().to_string(),
        "sensitivity_file": s.text,
        "base_files": s.sources,
        "targets_file": s.targets_file,
    });
    let write = |p: &Path, t: &str| super::sweep::command::write_atomic(p, t, "sensitivity");
    write(
        &mpath,
        &(serde_json::to_string_pretty(&manifest).expect("json") + "\n"),
    )?;
    let results = match run_points_sweep(
        &out.join("sweep.toml"),
        &design_sweep(&s),
        &out.join("sweep"),
        shard,
        progress,
    )? {
        Ran::Results(r) => r,
        Ran::Slice(note) => {
            return Ok(Done::note(format!(
                "{note}; then `pact sensitivity {} --out {}` writes the indices",
                file.display(),
                out.display()
            )));
        }
    };
    let files = tables(&s, &results)?;
    for (name, text) in &files {
        write(&out.join(name), text)?;
    }
    Ok(Done::note(format!(
        "wrote {}: {} points × {} ({}); indices.csv, variance.csv, figures/",
        out.display(),
        s.design().len(),
        crate::output::counted(s.cfg.replicates as u32, "replicate"),
        match s.cfg.method {
            Method::Sobol => "Sobol",
            Method::Morris => "Morris",
        }
    )))
}

/// Re-loads the analysis a manifest describes from the texts it recorded; its id must match.
pub fn from_manifest(m: &serde_json::Value) -> Result<Sensitivity> {
    let (path, files) = recorded_study(m, "sensitivity")?;
    let s = load_with(Path::new(&path), &scenario::recorded(files))?;
    if m["sensitivity_id"].as_str() != Some(s.id.as_str()) {
        return Err(input(
            "manifest.json: key `sensitivity_id`: the recorded files give another id; the manifest was edited",
        ));
    }
    Ok(s)
}

/// Re-derives an analysis from its recorded files alone (`pact verify`): the design re-run in
/// full, then the tables. The files expected in its folder `out`, by name.
pub fn rederive(s: &Sensitivity, out: &Path) -> Result<Vec<(String, String)>> {
    let text = design_sweep(s);
    let results = rerun_points_sweep(&out.join("sweep.toml"), &text, &s.sources)?;
    let mut files = vec![
        ("sweep.toml".to_string(), text),
        ("sweep/results.csv".to_string(), results.clone()),
    ];
    files.extend(tables(s, &results)?);
    Ok(files)
}
