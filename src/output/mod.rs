//! Output files: `timeseries.csv`, `elections.csv`, `campaigns.csv`, `summary.json`,
//! `manifest.json`, and the atomic write of an output folder.
//!
//! Numbers are written with Rust's shortest round-trip formatting of `f64` (never an exponent),
//! so a value read back is the value written. Rows are in (replicate, week) order.

pub mod svg;

use crate::experiment::run::summarise;
use crate::model::record::{RunRecord, WeekRecord};
use crate::scenario::Resolved;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Columns of `elections.csv`, in order.
pub const ELECTION_COLUMNS: &[&str] = &[
    "replicate",
    "week",
    "date",
    "size_class",
    "electorate",
    "votes_party",
    "votes_nonparty",
    "votes_other_socialist",
    "abstentions",
    "abstention_share",
    "delegates_party",
    "delegates_nonparty",
    "delegates_other_socialist",
    "workplaces_won_party",
    "workplaces_won_nonparty",
    "workplaces_won_other_socialist",
    "executive",
    "executive_party_share",
];

/// Columns of `campaigns.csv`, in order.
pub const CAMPAIGN_COLUMNS: &[&str] = &[
    "replicate",
    "week",
    "date",
    "campaign",
    "size_class",
    "workers",
    "votes_for",
    "votes_against",
    "stayed_away",
    "share_for",
    "share_against",
    "share_away",
];

fn num(s: &mut String, x: f64) {
    let _ = write!(s, "{x}");
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// The header line of `timeseries.csv`.
fn timeseries_header() -> String {
    let mut s = String::from("replicate,seed,week,date");
    for c in WeekRecord::COLUMNS {
        s.push(',');
        s.push_str(c);
    }
    s.push('\n');
    s
}

/// The rows of replicate `r` in `timeseries.csv`, appended to `s`.
fn timeseries_rows(s: &mut String, res: &Resolved, r: usize, seed: u64, run: &RunRecord) {
    for (w, rec) in run.weeks.iter().enumerate() {
        let _ = write!(s, "{r},{seed},{w},{}", res.clock.date(w));
        for v in rec.values() {
            s.push(',');
            num(s, v);
        }
        s.push('\n');
    }
}

/// `timeseries.csv`: one row per replicate × week.
pub fn timeseries_csv(res: &Resolved, seeds: &[u64], runs: &[RunRecord]) -> String {
    let mut s = timeseries_header();
    for (r, run) in runs.iter().enumerate() {
        timeseries_rows(&mut s, res, r, seeds[r], run);
    }
    s
}

/// `elections.csv`: one row per replicate × election × workplace size class.
pub fn elections_csv(res: &Resolved, runs: &[RunRecord]) -> String {
    let mut s = ELECTION_COLUMNS.join(",");
    s.push('\n');
    for (r, run) in runs.iter().enumerate() {
        election_rows(&mut s, res, r, run);
    }
    s
}

/// The rows of replicate `r` in `elections.csv`, appended to `s`.
fn election_rows(s: &mut String, res: &Resolved, r: usize, run: &RunRecord) {
    for e in &run.elections {
        let _ = write!(s, "{r},{},{},{}", e.week, res.clock.date(e.week), e.class);
        for v in [
            e.electorate,
            e.votes_party,
            e.votes_nonparty,
            e.votes_other_socialist,
            e.abstentions,
            ratio(e.abstentions, e.electorate),
            e.delegates_party,
            e.delegates_nonparty,
            e.delegates_other_socialist,
            e.won_party,
            e.won_nonparty,
            e.won_other_socialist,
        ] {
            s.push(',');
            num(s, v);
        }
        let _ = writeln!(s, ",{},{}", e.executive, e.executive_party_share);
    }
}

/// `campaigns.csv`: one row per replicate × campaign × workplace size class.
pub fn campaigns_csv(res: &Resolved, runs: &[RunRecord]) -> String {
    let mut s = CAMPAIGN_COLUMNS.join(",");
    s.push('\n');
    for (r, run) in runs.iter().enumerate() {
        campaign_rows(&mut s, res, r, run);
    }
    s
}

/// The rows of replicate `r` in `campaigns.csv`, appended to `s`.
fn campaign_rows(s: &mut String, res: &Resolved, r: usize, run: &RunRecord) {
    for c in &run.campaigns {
        let _ = write!(
            s,
            "{r},{},{},{},{}",
            c.week,
            res.clock.date(c.week),
            c.campaign,
            c.class
        );
        for v in [
            c.workers,
            c.votes_for,
            c.votes_against,
            c.stayed_away,
            ratio(c.votes_for, c.workers),
            ratio(c.votes_against, c.workers),
            ratio(c.stayed_away, c.workers),
        ] {
            s.push(',');
            num(s, v);
        }
        s.push('\n');
    }
}

/// `summary.json`.
pub fn summary_json(res: &Resolved, runs: &[RunRecord]) -> String {
    summary_text(&summarise(res, runs))
}

fn summary_text(summary: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("summary serialises");
    s.push('\n');
    s
}

/// The environment a run was made in; recorded, never used by the model.
#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    pub threads: usize,
    pub platform: String,
    pub command: Vec<String>,
}

/// What made an output folder: the command kind, the command that reproduces it, and inputs
/// besides the scenario (e.g. the targets file of `pact validate`), stored whole.
#[derive(Clone, Debug, Serialize)]
pub struct Provenance {
    pub kind: String,
    pub reproduce: String,
    pub inputs: Vec<(String, String)>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    pact_version: &'a str,
    git_commit: &'a str,
    kind: &'a str,
    run_id: String,
    reproduce: &'a str,
    scenario_name: &'a str,
    scenario_files: Vec<SourceEntry<'a>>,
    other_inputs: Vec<SourceEntry<'a>>,
    resolved_parameters: &'a Resolved,
    parameters_sha256: String,
    master_seed: u64,
    replicates: u32,
    seed_derivation: &'a str,
    replicate_seeds: &'a [u64],
    weeks: usize,
    floating_point: &'a str,
    environment: &'a Environment,
    outputs: Vec<(String, String)>,
}

#[derive(Serialize)]
struct SourceEntry<'a> {
    path: &'a str,
    sha256: String,
    text: &'a str,
}

/// A count with its noun, singular or plural: `1 replicate`, `2 replicates`.
pub fn counted(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The git commit pact was built from, if known at build time.
pub const GIT_COMMIT: &str = match option_env!("PACT_GIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

/// The run id: a hash of what determines the results (pact version, resolved parameters,
/// replicate seeds), never of the time, the thread count, the machine or the output folder.
pub fn run_id(res: &Resolved, seeds: &[u64]) -> String {
    let key = serde_json::json!({ "pact_version": crate::VERSION, "parameters": res, "replicate_seeds": seeds });
    sha256_hex(key.to_string().as_bytes())
}

/// The data files of a run: timeseries, elections, campaigns and summary.
pub fn data_files(res: &Resolved, seeds: &[u64], runs: &[RunRecord]) -> Vec<(String, String)> {
    vec![
        (
            "timeseries.csv".to_string(),
            timeseries_csv(res, seeds, runs),
        ),
        ("elections.csv".to_string(), elections_csv(res, runs)),
        ("campaigns.csv".to_string(), campaigns_csv(res, runs)),
        ("summary.json".to_string(), summary_json(res, runs)),
    ]
}

/// `manifest.json` for `files`, appended to them.
pub fn with_manifest(
    res: &Resolved,
    seeds: &[u64],
    mut files: Vec<(String, String)>,
    env: &Environment,
    prov: &Provenance,
) -> Vec<(String, String)> {
    let outputs = files
        .iter()
        .map(|(n, c)| (n.clone(), sha256_hex(c.as_bytes())))
        .collect();
    files.push((
        "manifest.json".to_string(),
        manifest(res, seeds, outputs, env, prov),
    ));
    files
}

/// The text of `manifest.json`, given the outputs' names and SHA-256 digests.
pub fn manifest(
    res: &Resolved,
    seeds: &[u64],
    outputs: Vec<(String, String)>,
    env: &Environment,
    prov: &Provenance,
) -> String {
    let params = serde_json::to_string(res).expect("parameters serialise");
    let manifest = Manifest {
        pact_version: crate::VERSION,
        git_commit: GIT_COMMIT,
        kind: &prov.kind,
        run_id: run_id(res, seeds),
        reproduce: &prov.reproduce,
        scenario_name: &res.name,
        scenario_files: res
            .sources
            .iter()
            .map(|s| SourceEntry {
                path: &s.path,
                sha256: sha256_hex(s.text.as_bytes()),
                text: &s.text,
            })
            .collect(),
        other_inputs: prov
            .inputs
            .iter()
            .map(|(p, t)| SourceEntry {
                path: p,
                sha256: sha256_hex(t.as_bytes()),
                text: t,
            })
            .collect(),
        resolved_parameters: res,
        parameters_sha256: sha256_hex(params.as_bytes()),
        master_seed: res.scenario.run.seed,
        replicates: res.scenario.run.replicates,
        seed_derivation: "replicate k uses the first u64 of ChaCha8Rng::seed_from_u64(master_seed) on stream k (rand_chacha 0.10)",
        replicate_seeds: seeds,
        weeks: res.clock.weeks,
        floating_point: "IEEE 754 arithmetic without fast-math; exp and pow from the pure-Rust libm crate; float sums in a fixed order; numbers written in shortest round-trip form",
        environment: env,
        outputs,
    };
    let mut m = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    m.push('\n');
    m
}

/// Every output file of `pact run`, as (name, contents), manifest last.
pub fn run_outputs(
    res: &Resolved,
    seeds: &[u64],
    runs: &[RunRecord],
    env: &Environment,
    prov: &Provenance,
) -> Vec<(String, String)> {
    with_manifest(res, seeds, data_files(res, seeds, runs), env, prov)
}

/// The command that reproduces a run of `res` (paths as they were given).
pub fn reproduce_command(verb: &str, res: &Resolved, extra: &str) -> String {
    let path = res
        .sources
        .first()
        .map(|s| s.path.as_str())
        .unwrap_or("SCENARIO");
    let r = &res.scenario.run;
    format!(
        "pact {verb} {path}{extra} --seed {} --replicates {} --scale {}",
        r.seed, r.replicates, r.scale
    )
}

/// Whether `dir` is a folder pact wrote (it holds a `manifest.json` naming a pact version): the
/// only kind of existing path `--force` may replace.
pub fn is_pact_folder(dir: &Path) -> bool {
    dir.is_dir()
        && std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|m| m["pact_version"].is_string())
}

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Held by another process (its id, as it wrote it).
    Busy(String),
    Io(std::io::Error),
}

/// An exclusive lock on a file (created if missing), held until dropped; the file records the
/// holder's process id for the message another process gets.
pub fn lock(path: &Path) -> Result<std::fs::File, LockError> {
    use std::io::{Read as _, Seek as _, Write as _};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(LockError::Io)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            return Err(LockError::Busy(pid.trim().to_string()));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
    }
    f.set_len(0)
        .and_then(|_| f.rewind())
        .and_then(|_| write!(f, "{}", std::process::id()))
        .map_err(LockError::Io)?;
    Ok(f)
}

/// Whether process `pid` is alive on this machine (Linux: `/proc`); elsewhere assumed alive, so
/// nothing of another process's is ever removed.
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes the temporaries (`.NAME.tmp-PID`, `.NAME.old-PID`) that a killed pact left in
/// `parent` for an output named `name`: only those whose process is gone.
pub fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = [".tmp-", ".old-"].iter().find_map(|k| {
            file.strip_prefix(&format!(".{name}{k}"))
                .and_then(|p| p.parse::<u32>().ok())
        });
        if pid.is_some_and(|p| p != std::process::id() && !alive(p)) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Writes `files` into folder `out` atomically: everything goes to a temporary sibling folder
/// first, which then replaces `out` in one rename. A killed run leaves no partial folder under
/// the final name (and its temporary is removed by the next write into that parent); an existing
/// folder is replaced only when `force` is set, only if pact wrote it, and only at the end.
pub fn write_folder(out: &Path, files: &[(String, String)], force: bool) -> std::io::Result<()> {
    let stage = Staging::create(out, force)?;
    for (n, c) in files {
        stage.write(n, c)?;
    }
    stage.commit()
}

/// An output folder being written: a temporary sibling (`.NAME.tmp-PID`) that [`commit`]
/// renames over the final name, or that is removed if dropped uncommitted.
///
/// [`commit`]: Staging::commit
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    parent: PathBuf,
    name: String,
    committed: bool,
}

impl Staging {
    /// Starts a folder for `out`, refusing an existing `out` unless `force` is set and pact wrote
    /// it; removes what killed runs left beside it.
    pub fn create(out: &Path, force: bool) -> std::io::Result<Staging> {
        if out.exists() && !(force && is_pact_folder(out)) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists{}",
                    out.display(),
                    if force {
                        " and is not a folder pact wrote"
                    } else {
                        "; pass --force to replace it"
                    }
                ),
            ));
        }
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&parent)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        clean_stale(&parent, &name);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            parent,
            name,
            committed: false,
        })
    }

    /// Where a file named `name` (a relative path) of the folder is being written.
    pub fn path(&self, name: &str) -> std::io::Result<PathBuf> {
        let p = self.tmp.join(name);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(p)
    }

    /// Writes one file of the folder.
    pub fn write(&self, name: &str, contents: &str) -> std::io::Result<()> {
        std::fs::write(self.path(name)?, contents)
    }

    /// Puts the folder in place under its final name.
    pub fn commit(mut self) -> std::io::Result<()> {
        if self.out.exists() {
            let old = self
                .parent
                .join(format!(".{}.old-{}", self.name, std::process::id()));
            std::fs::rename(&self.out, &old)?;
            std::fs::rename(&self.tmp, &self.out)?;
            std::fs::remove_dir_all(&old)?;
        } else {
            std::fs::rename(&self.tmp, &self.out)?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// A file written as it grows, its SHA-256 computed on the way (for the manifest).
struct Hashed {
    name: &'static str,
    file: std::io::BufWriter<std::fs::File>,
    hash: Sha256,
    buf: String,
}

impl Hashed {
    fn create(stage: &Staging, name: &'static str, header: &str) -> std::io::Result<Hashed> {
        let file = std::io::BufWriter::new(std::fs::File::create(stage.path(name)?)?);
        let mut h = Hashed {
            name,
            file,
            hash: Sha256::new(),
            buf: String::new(),
        };
        h.buf.push_str(header);
        h.flush()?;
        Ok(h)
    }

    /// Writes out what was appended to `buf`.
    fn flush(&mut self) -> std::io::Result<()> {
        use std::io::Write as _;
        self.hash.update(self.buf.as_bytes());
        self.file.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<(String, String)> {
        use std::io::Write as _;
        self.flush()?;
        self.file.flush()?;
        Ok((self.name.to_string(), hex(&self.hash.finalize())))
    }
}

/// The output folder of `pact run`, written replicate by replicate: each replicate's rows go to
/// the files as it finishes and only what `summary.json` needs is kept, so memory does not grow
/// with the number of replicates. The bytes are those of [`run_outputs`].
pub struct RunWriter<'a> {
    res: &'a Resolved,
    seeds: &'a [u64],
    stage: Staging,
    files: [Hashed; 3],
    summary: crate::experiment::run::SummaryValues,
    next: usize,
}

impl<'a> RunWriter<'a> {
    /// Starts the folder `out` (see [`Staging::create`]) and writes the files' headers.
    pub fn create(
        res: &'a Resolved,
        seeds: &'a [u64],
        out: &Path,
        force: bool,
    ) -> std::io::Result<RunWriter<'a>> {
        let stage = Staging::create(out, force)?;
        let files = [
            Hashed::create(&stage, "timeseries.csv", &timeseries_header())?,
            Hashed::create(
                &stage,
                "elections.csv",
                &format!("{}\n", ELECTION_COLUMNS.join(",")),
            )?,
            Hashed::create(
                &stage,
                "campaigns.csv",
                &format!("{}\n", CAMPAIGN_COLUMNS.join(",")),
            )?,
        ];
        Ok(RunWriter {
            res,
            seeds,
            stage,
            files,
            summary: crate::experiment::run::SummaryValues::new(res),
            next: 0,
        })
    }

    /// Writes the next replicate (replicates arrive in order: 0, 1, ...).
    pub fn push(&mut self, run: &RunRecord) -> std::io::Result<()> {
        let (r, res) = (self.next, self.res);
        let [ts, el, ca] = &mut self.files;
        timeseries_rows(&mut ts.buf, res, r, self.seeds[r], run);
        election_rows(&mut el.buf, res, r, run);
        campaign_rows(&mut ca.buf, res, r, run);
        for f in &mut self.files {
            f.flush()?;
        }
        self.summary.push(res, run);
        self.next += 1;
        Ok(())
    }

    /// Writes `summary.json` and `manifest.json` and puts the folder in place.
    pub fn finish(self, env: &Environment, prov: &Provenance) -> std::io::Result<()> {
        let mut outputs = Vec::new();
        for f in self.files {
            outputs.push(f.finish()?);
        }
        let summary = summary_text(&self.summary.summarise(self.res));
        self.stage.write("summary.json", &summary)?;
        outputs.push(("summary.json".to_string(), sha256_hex(summary.as_bytes())));
        let m = manifest(self.res, self.seeds, outputs, env, prov);
        self.stage.write("manifest.json", &m)?;
        self.stage.commit()
    }
}
