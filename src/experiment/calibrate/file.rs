//! A calibration file: read, checked (its numbers, the base scenario, the targets, every
//! parameter's key and range), re-loaded from a manifest's recorded texts, and each wave's sweep
//! file written from it.

use crate::experiment::history_matching::Observation;
use crate::experiment::{Error, input};
use crate::output::sha256_hex;
use crate::scenario::targets::{Pattern, Target, load_targets_text};
use crate::scenario::{self, ScenarioError, find_key_line};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

type Result<T> = crate::experiment::Result<T>;

/// One uncalibrated parameter and its prior range.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterCfg {
    /// Scenario key path, e.g. `mechanisms.outrage_rate`.
    pub key: String,
    pub from: f64,
    pub to: f64,
    /// Sample the range log-uniformly (both ends positive).
    #[serde(default)]
    pub log: bool,
}

/// A calibration file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationCfg {
    /// Base scenario and targets file, relative to the calibration file.
    pub base: String,
    pub targets: String,
    pub name: Option<String>,
    pub seed: Option<u64>,
    /// Replicates per point.
    pub replicates: i64,
    pub scale: Option<u64>,
    /// Points per wave and waves.
    pub points: i64,
    pub waves: i64,
    /// Implausibility cutoff (default 3).
    #[serde(default = "default_cutoff")]
    pub cutoff: f64,
    /// Model discrepancy, as a share of each observation's magnitude (default 0.1).
    #[serde(default = "default_discrepancy")]
    pub discrepancy: f64,
    /// Judge points by their second-largest implausibility (default: the largest).
    #[serde(default)]
    pub second_largest: bool,
    /// Widening of the survivors' box for the next wave, a share of its width (default 0.1).
    #[serde(default = "default_margin")]
    pub margin: f64,
    #[serde(rename = "parameter")]
    pub parameters: Vec<ParameterCfg>,
}

impl ParameterCfg {
    /// The value at `u` of the unit interval (linear, or log-uniform with `log`).
    pub fn value(&self, u: f64) -> f64 {
        if self.log {
            (self.from.ln() + u * (self.to.ln() - self.from.ln())).exp()
        } else {
            self.from + u * (self.to - self.from)
        }
    }
}

fn default_cutoff() -> f64 {
    3.0
}
fn default_discrepancy() -> f64 {
    0.1
}
fn default_margin() -> f64 {
    0.1
}

/// A point of the unit cube as the values of `parameters` (each linear or log-uniform in its
/// range).
pub(crate) fn values(parameters: &[ParameterCfg], x: &[f64]) -> Vec<f64> {
    parameters.iter().zip(x).map(|(p, &u)| p.value(u)).collect()
}

/// A checked calibration.
pub struct Calibration {
    pub name: String,
    pub text: String,
    pub cfg: CalibrationCfg,
    /// The base scenario's path, absolute (the waves' sweep files name it).
    pub base: PathBuf,
    pub patterns: Vec<Pattern>,
    /// The files read: the base chain (child first) and the targets file, as (path, text).
    pub sources: Vec<(String, String)>,
    pub targets_file: (String, String),
    /// The calibration file's absolute path.
    pub path: PathBuf,
    pub id: String,
    /// The master seed: the file's `seed`, else the base scenario's `run.seed` (the waves'
    /// sampling and their sweeps' replicate seeds).
    pub seed: u64,
}

impl Calibration {
    /// A point of the unit cube as parameter values (linear or log-uniform in each range).
    pub fn values(&self, x: &[f64]) -> Vec<f64> {
        values(&self.cfg.parameters, x)
    }

    /// The targets as observations, with the calibration's model discrepancy.
    pub fn observations(&self) -> Vec<Observation> {
        self.patterns
            .iter()
            .map(|p| Observation::of_band(p.band.0, p.band.1, self.cfg.discrepancy))
            .collect()
    }
}

fn err(path: &Path, text: &str, key: &str, message: String) -> Error {
    ScenarioError::Invalid {
        file: path.display().to_string(),
        line: find_key_line(text, key),
        key: Some(key.to_string()),
        message,
    }
    .into()
}

/// Reads and checks a calibration file: its numbers, the base scenario, the targets and every
/// parameter's key (both ends of its range must be admissible).
pub fn load(path: &Path) -> Result<Calibration> {
    let path = std::path::absolute(path).map_err(|e| input(format!("{}: {e}", path.display())))?;
    load_with(&path, &|p| std::fs::read_to_string(p))
}

/// Re-loads the calibration a manifest describes from the texts it recorded (the calibration
/// file, its base chain and its targets), not from the files on disk; its id must be the one
/// recorded.
pub fn from_manifest(m: &serde_json::Value) -> Result<Calibration> {
    let (path, files) = recorded_study(m, "calibration")?;
    let cal = load_with(Path::new(&path), &scenario::recorded(files))?;
    if m["calibration_id"].as_str() != Some(cal.id.as_str()) {
        return Err(input(
            "manifest.json: key `calibration_id`: the recorded files give another id; the manifest was edited",
        ));
    }
    Ok(cal)
}

/// The texts a study's manifest recorded (kind `what`: its `<what>_path` and `<what>_file`, the
/// base chain and the targets file), as (the study file's path, every (path, text)).
pub(crate) fn recorded_study(
    m: &serde_json::Value,
    what: &str,
) -> Result<(String, Vec<(String, String)>)> {
    let bad = |k: &str| input(format!("manifest.json: malformed {what} manifest: {k}"));
    let pair = |v: &serde_json::Value| match (v[0].as_str(), v[1].as_str()) {
        (Some(p), Some(t)) => Ok((p.to_string(), t.to_string())),
        _ => Err(bad("allowed [path, text] pairs")),
    };
    let path = m[format!("{what}_path")]
        .as_str()
        .ok_or_else(|| bad(&format!("no {what}_path")))?;
    let text = m[format!("{what}_file")]
        .as_str()
        .ok_or_else(|| bad(&format!("no {what}_file")))?;
    let mut files = vec![(path.to_string(), text.to_string())];
    for f in m["base_files"]
        .as_array()
        .ok_or_else(|| bad("no base_files"))?
    {
        files.push(pair(f)?);
    }
    files.push(pair(&m["targets_file"])?);
    Ok((path.to_string(), files))
}

/// A study's output folder, before anything is written: new, empty, or holding this same
/// study (recorded under `id_key` in its manifest), which is then resumed. A manifest another
/// process is writing (its temporary file) counts as empty: the slices of a study start at once.
pub(crate) fn check_study_out(out: &Path, id_key: &str, id: &str, what: &str) -> Result<()> {
    crate::experiment::check_parent(out)?;
    if out.exists() {
        let same = std::fs::read_to_string(out.join("manifest.json"))
            .ok()
            .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
            .is_some_and(|m| m[id_key].as_str() == Some(id));
        let empty = std::fs::read_dir(out).is_ok_and(|d| {
            d.flatten()
                .all(|e| e.file_name().to_string_lossy().starts_with("manifest.tmp-"))
        });
        if !same && !empty {
            return Err(input(format!(
                "{}: holds something else than this {what} (another file, targets, base or pact version); allowed: the same {what} to resume it, or a new --out",
                out.display()
            )));
        }
    }
    Ok(())
}

/// [`load`], reading the calibration file, its base chain and its targets through `read`
/// (`path` absolute).
pub fn load_with(path: &Path, read: &scenario::Reader) -> Result<Calibration> {
    let text = read(path).map_err(|e| ScenarioError::Read {
        file: path.display().to_string(),
        what: "calibration file",
        reason: e.to_string(),
        hint: "",
    })?;
    let cfg: CalibrationCfg =
        toml::from_str(&text).map_err(|e: toml::de::Error| scenario::toml_err(path, &text, &e))?;
    let bad = |key: &str, m: String| err(path, &text, key, m);
    if !(1..=100_000).contains(&cfg.replicates) {
        return Err(bad(
            "replicates",
            format!("{} is out of range; allowed 1 to 100000", cfg.replicates),
        ));
    }
    if !(2..=100_000).contains(&cfg.points) {
        return Err(bad(
            "points",
            format!(
                "{} is out of range; allowed 2 to 100000 points a wave",
                cfg.points
            ),
        ));
    }
    if !(1..=50).contains(&cfg.waves) {
        return Err(bad(
            "waves",
            format!("{} is out of range; allowed 1 to 50", cfg.waves),
        ));
    }
    if !(cfg.cutoff > 0.0 && cfg.cutoff.is_finite()) {
        return Err(bad(
            "cutoff",
            format!("{}; allowed a positive number (3 is usual)", cfg.cutoff),
        ));
    }
    if !(cfg.discrepancy >= 0.0 && cfg.discrepancy.is_finite()) {
        return Err(bad(
            "discrepancy",
            format!(
                "{}; allowed 0 or more (a share of each observation)",
                cfg.discrepancy
            ),
        ));
    }
    if !(cfg.margin >= 0.0 && cfg.margin <= 1.0) {
        return Err(bad("margin", format!("{}; allowed 0 to 1", cfg.margin)));
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
    let name = cfg.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "calibration".into())
    });
    let id = sha256_hex(format!("{}\u{0}{text}\u{0}{chain}", crate::VERSION).as_bytes());
    let seed = cfg.seed.unwrap_or(res.scenario.run.seed);
    Ok(Calibration {
        name,
        text,
        cfg,
        base,
        patterns,
        sources,
        targets_file,
        path: path.to_path_buf(),
        seed,
        id,
    })
}

/// What a study of parameters (a calibration, a sensitivity analysis) shares: the base scenario
/// (at `scale` if given), the targets read against it, every parameter's key and range checked.
pub(crate) struct Study {
    pub res: scenario::Resolved,
    pub base: PathBuf,
    pub patterns: Vec<Pattern>,
    /// The base chain (child first), as (path, text).
    pub sources: Vec<(String, String)>,
    pub targets_file: (String, String),
    /// The texts of the base chain and targets, joined: what a study's id covers besides its file.
    pub chain: String,
}

/// Loads and checks a study's base, targets (paths relative to the study file `path`, whose
/// text `text` gives error lines) and parameters.
pub(crate) fn study(
    path: &Path,
    text: &str,
    read: &scenario::Reader,
    (base_rel, targets_rel): (&str, &str),
    scale: Option<u64>,
    parameters: &[ParameterCfg],
) -> Result<Study> {
    let bad = |key: &str, m: String| err(path, text, key, m);
    let dir = path.parent().unwrap_or(Path::new("."));
    let base = dir.join(base_rel);
    let mut res = scenario::load_with(&base, read)?;
    if let Some(s) = scale {
        res.scenario.run.scale = s;
        res.scenario
            .validate_ranges()
            .map_err(|e| bad("scale", e.message))?;
    }
    if parameters.is_empty() {
        return Err(bad(
            "parameter",
            "no parameters; allowed: one or more [[parameter]] tables with key, from and to".into(),
        ));
    }
    for (i, p) in parameters.iter().enumerate() {
        let quoted = format!("{:?}", p.key);
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("key") && l.contains(&quoted))
            .map(|n| n + 1);
        let pbad = |m: String| {
            ScenarioError::Invalid {
                file: path.display().to_string(),
                line,
                key: Some(format!("parameter `{}`", p.key)),
                message: m,
            }
            .to_string()
        };
        if parameters[..i].iter().any(|q| q.key == p.key) {
            return Err(input(pbad(
                "varied twice; allowed: one [[parameter]] per key".into(),
            )));
        }
        if p.from >= p.to || p.from.is_nan() || !p.from.is_finite() || !p.to.is_finite() {
            return Err(input(pbad(format!(
                "empty range {}..{}; allowed: from < to",
                p.from, p.to
            ))));
        }
        if p.log && p.from <= 0.0 {
            return Err(input(pbad(format!(
                "log range from {}; allowed: from > 0 with log = true",
                p.from
            ))));
        }
        if p.key.starts_with("run.") {
            return Err(input(pbad(
                "a [run] key cannot be varied; allowed: any key outside [run]".into(),
            )));
        }
        for v in [p.from, p.to] {
            scenario::with_overrides(&res, &[(p.key.clone(), toml::Value::Float(v))]).map_err(
                |m| {
                    input(pbad(format!(
                        "value {v}: {m}; allowed: a scenario key path with values in its range"
                    )))
                },
            )?;
        }
    }
    let tpath = dir.join(targets_rel);
    let ttext = read(&tpath).map_err(|e| ScenarioError::Read {
        file: tpath.display().to_string(),
        what: "targets file",
        reason: e.to_string(),
        hint: "",
    })?;
    let patterns = load_targets_text(&tpath, &ttext, &res)?;
    let chain: String = res
        .sources
        .iter()
        .map(|s| s.text.as_str())
        .chain([ttext.as_str()])
        .collect::<Vec<_>>()
        .join("\u{0}");
    let sources = res
        .sources
        .iter()
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    Ok(Study {
        res,
        base,
        patterns,
        sources,
        targets_file: (tpath.display().to_string(), ttext),
        chain,
    })
}

/// The sweep file of a study's design: `header` (a comment), the base, `name`, replicates, scale
/// and seed (when given), the points (one row of values per point), the parameters' keys and the
/// targets as outcomes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn points_sweep(
    header: &str,
    base: &Path,
    name: &str,
    (replicates, scale, seed): (i64, Option<u64>, Option<u64>),
    rows: &[Vec<f64>],
    parameters: &[ParameterCfg],
    patterns: &[Pattern],
) -> String {
    #[derive(Serialize)]
    struct Outcomes {
        outcome: Vec<Target>,
    }
    let mut s = String::new();
    let _ = writeln!(s, "# {header}");
    let _ = writeln!(s, "base = {:?}", base.display().to_string());
    let _ = writeln!(s, "name = {name:?}");
    let _ = writeln!(s, "replicates = {replicates}");
    if let Some(x) = scale {
        let _ = writeln!(s, "scale = {x}");
    }
    if let Some(x) = seed {
        let _ = writeln!(s, "seed = {x}");
    }
    let rows: Vec<String> = rows
        .iter()
        .map(|v| {
            let v: Vec<String> = v.iter().map(|v| format!("{v:?}")).collect();
            format!("[{}]", v.join(", "))
        })
        .collect();
    let _ = writeln!(s, "points = [\n    {},\n]", rows.join(",\n    "));
    for p in parameters {
        let _ = writeln!(s, "\n[[parameter]]\nkey = {:?}", p.key);
    }
    let outcomes = Outcomes {
        outcome: patterns
            .iter()
            .map(|p| Target {
                band: Vec::new(),
                ..p.target.clone()
            })
            .collect(),
    };
    s.push('\n');
    s.push_str(&toml::to_string(&outcomes).expect("targets serialise"));
    s
}

/// The sweep file of one wave: the base, the calibration's replicates, scale and seed, the
/// wave's points, and the targets as outcomes.
pub fn wave_sweep(cal: &Calibration, wave: usize, points: &[Vec<f64>]) -> String {
    let c = &cal.cfg;
    let rows: Vec<Vec<f64>> = points.iter().map(|x| cal.values(x)).collect();
    points_sweep(
        &format!(
            "Wave {} of the calibration `{}` (written by pact calibrate).",
            wave + 1,
            cal.name
        ),
        &cal.base,
        &format!("{}-wave-{}", cal.name, wave + 1),
        (c.replicates, c.scale, c.seed),
        &rows,
        &c.parameters,
        &cal.patterns,
    )
}

/// What running a study's sweep gave.
pub(crate) enum Ran {
    /// The sweep is complete: its `results.csv`.
    Results(String),
    /// One slice of it (`--shard K/N`) is complete, the sweep is not: what to do next.
    Slice(String),
}

/// Writes a study's sweep file `spec` and runs (or resumes) it into `out`, or only its slice
/// `shard` (`K/N`). A sweep already complete in `out` (run whole, or its slices merged by `pact
/// merge`) is read, not run again.
pub(crate) fn run_points_sweep(
    spec: &Path,
    text: &str,
    out: &Path,
    shard: Option<&str>,
    progress: &dyn crate::experiment::Progress,
) -> Result<Ran> {
    use crate::experiment::sweep::command;
    command::write_atomic(spec, text, "study")?;
    if let Some(results) = command::complete_results(spec, out)? {
        return Ok(Ran::Results(results));
    }
    let done = command::sweep(
        spec,
        shard,
        &crate::experiment::OutDir {
            out: Some(out.to_path_buf()),
            force: false,
        },
        None,
        progress,
    )?;
    if shard.is_some() {
        return Ok(Ran::Slice(done.note));
    }
    std::fs::read_to_string(out.join("results.csv"))
        .map(Ran::Results)
        .map_err(|e| crate::experiment::Error::Failure(format!("{}: {e}", out.display())))
}

/// A study's sweep re-run in full in memory from its text `text` (as at `spec`) and the base
/// chain `sources` (`pact verify`): its `results.csv`.
pub(crate) fn rerun_points_sweep(
    spec: &Path,
    text: &str,
    sources: &[(String, String)],
) -> Result<String> {
    use crate::experiment::sweep;
    use rayon::prelude::*;
    let mut recorded = sources.to_vec();
    recorded.push((spec.display().to_string(), text.to_string()));
    let sw = sweep::load_with(spec, &scenario::recorded(recorded))?;
    let lines: Vec<String> = (0..sw.runs())
        .into_par_iter()
        .map(|r| sweep::run_one(&sw, r))
        .collect();
    let runs = sweep::parse_records(&sw, &lines.concat());
    Ok(sweep::results_csv(&sw, &runs))
}
