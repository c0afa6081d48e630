//! What the commands do with the model: run replicates, validate against the record, compare
//! scenarios, sweep parameters, verify a folder from its manifest and cite it. Experiments read
//! their inputs and write their folders (through [`crate::output`]); the model they drive does
//! no I/O. They never print and never end the process: each returns what it has to say
//! ([`Done`]) or an [`Error`] that says whether the input was bad or the work failed, and
//! reports progress through [`Progress`].

pub mod ablate;
pub mod calibrate;
pub mod cite;
pub mod compare;
pub mod ensemble;
pub mod history_matching;
pub mod paired;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod validate;
pub mod verify;

use crate::output::{self, Environment};
use crate::scenario::{self, Resolved, ScenarioError};
use std::path::{Path, PathBuf};

/// Why a command stopped: bad input (the file, key and what is allowed; nothing was written),
/// or a failure while running or writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Failure(String),
}

impl From<ScenarioError> for Error {
    fn from(e: ScenarioError) -> Error {
        Error::Input(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A bad-input error from anything printable.
pub fn input(message: impl std::fmt::Display) -> Error {
    Error::Input(message.to_string())
}

/// A failure while writing `what`.
pub fn write_failure(what: &Path, e: impl std::fmt::Display) -> Error {
    Error::Failure(format!("cannot write {}: {e}", what.display()))
}

/// `pact mechanisms`: the registry as a table.
pub fn mechanisms() -> Done {
    use crate::model::registry::Mechanism;
    let mut s = String::from("| name | what it does | switched off |\n| --- | --- | --- |\n");
    for m in Mechanism::ALL {
        let (what, off) = m.describe();
        s.push_str(&format!("| `{}` | {what} | {off} |\n", m.name()));
    }
    s.push_str(
        "\nSwitch mechanisms off in a scenario with `[mechanisms] off = [\"name\", ...]` (`[\"all\"]`: the null model); `pact validate --ablate` switches each off in turn.\n",
    );
    Done {
        stdout: s,
        note: String::new(),
        failed: None,
    }
}

/// What a command has to say when it is done: text for standard output (a table, a report), a
/// line for standard error, and, for the commands that check something, what failed the check
/// (exit code 1).
#[derive(Debug, Default)]
pub struct Done {
    pub stdout: String,
    pub note: String,
    pub failed: Option<String>,
}

impl Done {
    pub fn note(note: String) -> Done {
        Done {
            note,
            ..Done::default()
        }
    }
}

/// How a command reports progress; the binary draws a bar, tests stay silent.
pub trait Progress: Sync {
    /// Work of `total` units (worker-weeks, runs) begins.
    fn start(&self, total: u64, label: &str);
    /// `n` units are done.
    fn advance(&self, n: u64);
    /// The work is done.
    fn finish(&self);
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64, _: &str) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Command-line overrides of a scenario's `[run]` table.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    pub replicates: Option<u32>,
    pub scale: Option<u64>,
}

/// Where a command writes: `--out` (else the command's default) and whether `--force` may
/// replace a folder pact wrote.
#[derive(Clone, Debug, Default)]
pub struct OutDir {
    pub out: Option<PathBuf>,
    pub force: bool,
}

impl OutDir {
    /// The output folder: `--out`, or `default`.
    pub fn folder(&self, default: impl FnOnce() -> PathBuf) -> PathBuf {
        self.out.clone().unwrap_or_else(default)
    }
}

/// Loads a scenario and applies command-line overrides, re-validating them.
pub fn load(path: &Path, ov: Overrides) -> Result<Resolved> {
    load_via(path, ov, &|p| std::fs::read_to_string(p))
}

/// [`load`], reading the scenario's files through `read` (from disk, or a manifest's texts).
pub fn load_via(path: &Path, ov: Overrides, read: &scenario::Reader) -> Result<Resolved> {
    let mut res = scenario::load_with(path, read)?;
    if let Some(s) = ov.seed {
        res.scenario.run.seed = s;
    }
    if let Some(r) = ov.replicates {
        res.scenario.run.replicates = r;
    }
    if let Some(s) = ov.scale {
        res.scenario.run.scale = s;
    }
    res.scenario.validate_ranges().map_err(|e| {
        let flag = e
            .key
            .strip_prefix("run.")
            .map(|k| format!("--{k}"))
            .unwrap_or(e.key);
        input(format!("{flag}: {}", e.message))
    })?;
    Ok(res)
}

/// Replicates that `validate`, `compare` and `verify` hold whole in memory (about 0.3 MB a
/// replicate at the default dates, twice for a comparison); `pact run` streams them instead.
pub const MAX_HELD: usize = 5_000;

/// Refuses more replicates than a command that holds them all can keep.
pub fn held(replicates: usize, command: &str, instead: &str) -> Result<()> {
    if replicates > MAX_HELD {
        return Err(input(format!(
            "--replicates: {replicates} is out of range for pact {command}, which holds every replicate in memory; allowed 1 to {MAX_HELD} ({instead})"
        )));
    }
    Ok(())
}

/// `--force` replaces only a folder pact wrote (one with a manifest), never a file or a folder
/// of the user's.
pub fn check_out(out: &Path, force: bool) -> Result<()> {
    check_parent(out)?;
    if out.exists() && !force {
        return Err(input(format!(
            "{}: output folder already exists; pass --force to replace it",
            out.display()
        )));
    }
    if out.exists() && !output::is_pact_folder(out) {
        return Err(input(format!(
            "{}: exists and is not an output folder of pact (no manifest.json); --force replaces only folders pact wrote; allowed: a new path, or a pact output folder",
            out.display()
        )));
    }
    Ok(())
}

/// Every existing ancestor of `out` must be a folder (`--out file/x` is an error, not an OS
/// message after the work).
pub fn check_parent(out: &Path) -> Result<()> {
    if out.as_os_str().is_empty() {
        return Err(input("--out: empty path; allowed: a folder path"));
    }
    for a in out.ancestors().skip(1) {
        if !a.as_os_str().is_empty() && a.exists() && !a.is_dir() {
            return Err(input(format!(
                "{}: `{}` is a file, not a folder; allowed: --out inside a folder",
                out.display(),
                a.display()
            )));
        }
    }
    if out.exists() && !out.is_dir() {
        return Err(input(format!(
            "{}: is a file; allowed: a folder path (pact writes a folder)",
            out.display()
        )));
    }
    Ok(())
}

/// Reads and parses `manifest.json` of a folder (bad input when missing or malformed).
pub fn read_manifest(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| input(format!("{}: cannot read: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| input(format!("{}: malformed manifest: {e}", path.display())))
}

/// Refuses a folder whose manifest was written by another version of pact.
pub fn this_version(dir: &Path, manifest: &serde_json::Value) -> Result<()> {
    let version = manifest["pact_version"].as_str().unwrap_or("unknown");
    if version != crate::VERSION {
        return Err(input(format!(
            "{}: made by pact {version}, this is pact {}; allowed: a folder made by this version",
            dir.display(),
            crate::VERSION
        )));
    }
    Ok(())
}

/// How this command runs (in the current thread pool): recorded in manifests, never used by the
/// model.
pub fn environment(command: &[String]) -> Environment {
    Environment {
        threads: rayon::current_num_threads(),
        platform: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        command: command.to_vec(),
    }
}

/// Runs every replicate of `res`, reporting progress; returns the seeds and the records.
pub fn run_held(
    res: &Resolved,
    progress: &dyn Progress,
    label: &str,
) -> (Vec<u64>, Vec<crate::model::record::RunRecord>) {
    let total = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    progress.start(
        total,
        &format!("{label}{} × {}", res.name, res.scenario.run.replicates),
    );
    let seeds = run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let runs = run::run_all(res, &|n| progress.advance(n));
    progress.finish();
    (seeds, runs)
}
