//! Output folders written atomically: a temporary sibling renamed into place at the end
//! ([`Staging`]), `pact run`'s folder written replicate by replicate ([`RunWriter`]), what
//! `--force` may replace ([`is_pact_folder`]), the temporaries of killed runs cleaned
//! ([`clean_stale`]), and the lock a sweep's slice holds ([`lock`]).

use super::manifest::{Environment, Provenance, hex, manifest, sha256_hex};
use super::{
    CAMPAIGN_COLUMNS, ELECTION_COLUMNS, campaign_rows, election_rows, summary_text,
    timeseries_header, timeseries_rows,
};
use crate::model::record::RunRecord;
use crate::scenario::Resolved;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

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
    summary: crate::output::summary::SummaryValues,
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
            summary: crate::output::summary::SummaryValues::new(res),
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
