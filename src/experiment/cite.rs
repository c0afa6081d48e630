//! `pact cite`: what to quote of an output folder (run id, version, commit, the command that
//! reproduces it) and a BibTeX entry, read from its manifest, which is checked like any input.

use super::{Done, input, read_manifest};
use crate::output;
use crate::scenario;
use serde_json::Value;
use std::path::Path;

/// A manifest field without the form pact writes.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("malformed manifest: {0}")]
pub struct Malformed(String);

/// `pact cite DIR`.
pub fn command(dir: &Path) -> super::Result<Done> {
    let m = read_manifest(dir)?;
    let c =
        citation(&m).map_err(|e| input(format!("{}: {e}", dir.join("manifest.json").display())))?;
    Ok(Done {
        stdout: c.text(&dir.display().to_string()),
        ..Done::default()
    })
}

/// What `pact cite` prints of a folder, read from its manifest and checked like any input: the
/// manifest is a file anyone can edit, so every field cite prints must have its form.
#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    /// The short id: 16 hex digits of the run id (`A+B` for a comparison, the sweep id for a
    /// sweep).
    pub id: String,
    pub version: String,
    pub commit: String,
    pub reproduce: String,
    /// What was run, in words.
    pub what: String,
}

impl Citation {
    /// The citation's text and BibTeX entry, as `pact cite` prints them.
    pub fn text(&self, dir: &str) -> String {
        let Citation {
            id,
            version,
            commit,
            reproduce,
            what,
        } = self;
        let authors = crate::AUTHORS.replace(':', " and ");
        let year = crate::RELEASE_YEAR;
        format!(
            "run id: {id}\npact version: {version} (git commit {commit})\nreproduce with: {reproduce}\ncheck with: pact verify {dir}\n\n\
             Cite as: {authors} ({year}). pact {version}, {what}; run id {id}. Reproduce with `{reproduce}` and check with `pact verify`.\n\n\
             @software{{pact_run_{id},\n  author = {{{{{authors}}}}},\n  year = {{{year}}},\n  title = {{pact: an agent-based simulator of the social contract between the Bolshevik party and Moscow's workers, 1920--1925}},\n  version = {{{version}}},\n  note = {{{what}; run id {id}; git commit {commit}; reproduce with: {reproduce}}}\n}}\n"
        )
    }
}

/// Reads the citation of a manifest, refusing any field that has not the form pact writes.
pub fn citation(m: &Value) -> Result<Citation, Malformed> {
    let field = |k: &str| -> Result<&str, Malformed> {
        m[k].as_str()
            .ok_or_else(|| Malformed(format!("`{k}` is missing or not a string")))
    };
    let hex = |k: &str| -> Result<String, Malformed> {
        let v = field(k)?;
        if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(v[..16].to_string())
        } else {
            Err(Malformed(format!(
                "`{k}` is not a run id (64 hexadecimal digits)"
            )))
        }
    };
    let printable = |k: &str| -> Result<String, Malformed> {
        let v = field(k)?;
        if v.is_empty() || v.len() > 4096 || v.chars().any(char::is_control) {
            return Err(Malformed(format!(
                "`{k}` is empty, too long or holds control characters"
            )));
        }
        Ok(v.to_string())
    };
    let name = |k: &str| -> Result<String, Malformed> {
        let v = field(k)?;
        scenario::check_name(v).map_err(|e| Malformed(format!("`{k}`: {e}")))?;
        Ok(v.to_string())
    };
    let number = |k: &str| -> Result<u64, Malformed> {
        m[k].as_u64()
            .ok_or_else(|| Malformed(format!("`{k}` is not a whole number")))
    };
    let version = printable("pact_version")?;
    let commit = printable("git_commit")?;
    let kind = field("kind")?;
    let (id, what, reproduce) = match kind {
        "run" | "validate" => (
            hex("run_id")?,
            format!(
                "scenario \"{}\", master seed {}, {}",
                name("scenario_name")?,
                number("master_seed")?,
                output::counted(number("replicates")?, "replicate")
            ),
            printable("reproduce")?,
        ),
        "compare" => (
            format!("{}+{}", hex("run_id_a")?, hex("run_id_b")?),
            format!("comparison of {} and {}", name("a")?, name("b")?),
            printable("reproduce")?,
        ),
        "sweep" => (
            hex("sweep_id")?,
            format!(
                "sweep \"{}\", {}, master seed {}",
                name("sweep_name")?,
                output::counted(number("runs")?, "run"),
                number("master_seed")?
            ),
            format!("pact sweep {}", printable("sweep_path")?),
        ),
        "calibrate" => (
            hex("calibration_id")?,
            format!("calibration \"{}\"", printable("calibration_path")?),
            format!("pact calibrate {}", printable("calibration_path")?),
        ),
        "compare_ensemble" => (
            hex("ensemble_id")?,
            format!(
                "comparison of {} and {} over an ensemble of {}",
                name("a")?,
                name("b")?,
                output::counted(number("members")?, "member")
            ),
            printable("reproduce")?,
        ),
        "run_ensemble" => (
            hex("ensemble_id")?,
            format!(
                "scenario \"{}\" over an ensemble of {}, master seed {}, {} each",
                name("scenario_name")?,
                output::counted(number("members")?, "member"),
                number("master_seed")?,
                output::counted(number("replicates")?, "replicate")
            ),
            printable("reproduce")?,
        ),
        "validate_ensemble" => (
            hex("ensemble_id")?,
            format!(
                "validation of scenario \"{}\" over an ensemble of {}, master seed {}",
                name("scenario_name")?,
                output::counted(number("members")?, "member"),
                number("master_seed")?
            ),
            printable("reproduce")?,
        ),
        "sensitivity" => (
            hex("sensitivity_id")?,
            format!("sensitivity analysis \"{}\"", name("sensitivity_name")?),
            format!("pact sensitivity {}", printable("sensitivity_path")?),
        ),
        other => {
            return Err(Malformed(format!(
                "`kind` is `{other}`; allowed: run, run_ensemble, validate, validate_ensemble, compare, compare_ensemble, sweep, calibrate, sensitivity"
            )));
        }
    };
    Ok(Citation {
        id,
        version,
        commit,
        reproduce,
        what,
    })
}
