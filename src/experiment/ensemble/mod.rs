//! Ensembles: the parameter settings a calibration kept (`ensemble.csv`: `member`, then one
//! column per scenario key), run as members. `pact compare A B --ensemble FILE` runs both
//! scenarios under every member with its replicates (common random numbers across members and
//! scenarios: replicate k has the same seed everywhere) and reports, for each outcome, the
//! effect's median across members, its 5–95% range across members (the parameters'
//! uncertainty), the median Monte Carlo interval within a member, and the share of members
//! whose effect has the sign of the median ("robust" when all agree).
//!
//! `pact validate SCENARIO --ensemble FILE` judges every member against the targets, and `pact
//! run SCENARIO --ensemble FILE` runs the scenario under every member ([`run`]).
//!
//! This module reads ensemble files and sets a member's values; [`compare`], [`validate`] and
//! [`run`] run them, and each writes a folder `pact verify` re-derives from its manifest's texts.

mod compare;
mod run;
mod validate;

pub use compare::{Spec, command, rederive, tables};
pub use run::{MemberRuns, rederive_run, run_command, run_tables};
pub use validate::{rederive_validation, validate_command, validation_tables};

use super::{Overrides, input};
use crate::scenario::{self, Resolved};
use std::path::Path;

type Result<T> = super::Result<T>;

/// An ensemble: scenario keys and each member's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensemble {
    pub path: String,
    pub text: String,
    pub keys: Vec<String>,
    pub members: Vec<Vec<f64>>,
}

/// Reads an ensemble file's text (`path` names it in errors): a header `member,<key>,...` and a
/// row per member of numbers.
pub fn parse(path: &str, text: &str) -> Result<Ensemble> {
    let bad = |line: usize, m: String| input(format!("{path}: line {line}: {m}"));
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| {
        bad(
            1,
            "empty; allowed: a header `member,<key>,...` and a row per member".into(),
        )
    })?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols.first() != Some(&"member") || cols.len() < 2 {
        return Err(bad(
            1,
            format!(
                "header `{header}`; allowed: `member` then one scenario key per column (as pact calibrate writes ensemble.csv)"
            ),
        ));
    }
    let keys: Vec<String> = cols[1..].iter().map(|s| s.to_string()).collect();
    let mut members = Vec::new();
    for (i, l) in lines {
        let f: Vec<&str> = l.split(',').map(str::trim).collect();
        if f.len() != cols.len() {
            return Err(bad(
                i + 1,
                format!(
                    "{} fields; allowed {} (member and one value per key)",
                    f.len(),
                    cols.len()
                ),
            ));
        }
        let vals = f[1..]
            .iter()
            .zip(&keys)
            .map(|(v, k)| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad(i + 1, format!("`{k}` = `{v}`; allowed a finite number")))
            })
            .collect::<Result<Vec<f64>>>()?;
        members.push(vals);
    }
    if members.is_empty() {
        return Err(bad(
            2,
            "no members; allowed: one row per member (a calibration that kept none has no ensemble)".into(),
        ));
    }
    Ok(Ensemble {
        path: path.to_string(),
        text: text.to_string(),
        keys,
        members,
    })
}

/// Reads an ensemble file.
pub fn load(path: &Path) -> Result<Ensemble> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        input(format!(
            "{}: cannot read the ensemble file: {e}",
            path.display()
        ))
    })?;
    parse(&path.display().to_string(), &text)
}

impl Ensemble {
    /// `res` with member `m`'s values set (each a scenario key; checked like any override).
    pub fn member(&self, res: &Resolved, m: usize) -> Result<Resolved> {
        let sets: Vec<(String, toml::Value)> = self
            .keys
            .iter()
            .zip(&self.members[m])
            .map(|(k, v)| (k.clone(), toml::Value::Float(*v)))
            .collect();
        scenario::with_overrides(res, &sets).map_err(|e| {
            input(format!(
                "{}: member {m}: {e}; allowed: scenario keys with values in their ranges",
                self.path
            ))
        })
    }
}

/// The median (or any quantile) of finite values.
fn quantile(xs: &[f64], q: f64) -> f64 {
    crate::output::summary::quantile(xs, q)
}

/// A manifest's `[path, text]` pairs under `key` (`what`: the folder's kind, for the error).
fn recorded_pairs(m: &serde_json::Value, key: &str, what: &str) -> Result<Vec<(String, String)>> {
    let bad = || input(format!("manifest.json: malformed {what}: {key}"));
    m[key]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| match (v[0].as_str(), v[1].as_str()) {
            (Some(p), Some(t)) => Ok((p.to_string(), t.to_string())),
            _ => Err(bad()),
        })
        .collect()
}

/// The manifest of one scenario studied over an ensemble (`kind`: `run_ensemble`,
/// `validate_ensemble`): the scenario's files and the ensemble as texts, the run settings, the
/// `extra` fields (e.g. the targets file), and an id over the version, the kind, the resolved
/// scenario, the ensemble and the `extra` fields' values.
fn scenario_manifest(
    kind: &str,
    res: &Resolved,
    path: &Path,
    ens: &Ensemble,
    extra: &[(&str, &str)],
    reproduce: &str,
) -> serde_json::Value {
    let files: Vec<(String, String)> = res
        .sources
        .iter()
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    let mut key = format!(
        "{}\u{0}{kind}\u{0}{}\u{0}{}",
        crate::VERSION,
        serde_json::to_string(res).expect("json"),
        ens.text
    );
    for (_, v) in extra {
        key.push('\u{0}');
        key.push_str(v);
    }
    let run = &res.scenario.run;
    let mut m = serde_json::json!({
        "kind": kind,
        "pact_version": crate::VERSION,
        "git_commit": crate::output::GIT_COMMIT,
        "ensemble_id": crate::output::sha256_hex(key.as_bytes()),
        "scenario_name": res.name,
        "scenario_path": path.display().to_string(),
        "scenario_files": files,
        "ensemble_path": ens.path,
        "ensemble_file": ens.text,
        "master_seed": run.seed,
        "replicates": run.replicates,
        "scale": run.scale,
        "members": ens.members.len(),
        "reproduce": reproduce,
    });
    for (k, v) in extra {
        m[*k] = serde_json::Value::String(v.to_string());
    }
    m
}

/// A recorded manifest's id against the one its texts give (`fresh`): equal, or the manifest
/// was edited.
fn same_id(m: &serde_json::Value, fresh: &serde_json::Value) -> Result<()> {
    if fresh["ensemble_id"] == m["ensemble_id"] {
        Ok(())
    } else {
        Err(super::Error::Input(
            "manifest.json: key `ensemble_id`: the recorded files give another id; the manifest was edited".into(),
        ))
    }
}

/// Writes a study's folder at once (its files, then `manifest`): what the command prints (the
/// first file, its table) and says.
fn write_study(
    out: &Path,
    mut files: Vec<(String, String)>,
    manifest: &serde_json::Value,
    force: bool,
) -> Result<super::Done> {
    files.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(manifest).expect("json") + "\n",
    ));
    crate::output::write_folder(out, &files, force).map_err(|e| super::write_failure(out, e))?;
    Ok(super::Done {
        stdout: files[0].1.clone(),
        note: format!("wrote {}", out.display()),
        failed: None,
    })
}

/// The run settings a manifest recorded (master seed, replicates, scale).
fn recorded_overrides(m: &serde_json::Value) -> Overrides {
    Overrides {
        seed: m["master_seed"].as_u64(),
        replicates: m["replicates"].as_u64().map(|r| r as u32),
        scale: m["scale"].as_u64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ensemble_file_parses_and_its_errors_name_the_line() {
        let e = parse("e.csv", "member,a.b,c.d\n0,1,2\n1,3.5,4\n").unwrap();
        assert_eq!(e.keys, ["a.b", "c.d"]);
        assert_eq!(e.members, vec![vec![1.0, 2.0], vec![3.5, 4.0]]);
        let err = |t: &str| parse("e.csv", t).unwrap_err().to_string();
        assert!(err("").contains("empty"));
        assert!(err("id,a\n0,1\n").contains("line 1"));
        assert!(err("member,a\n0,1\n1,x\n").contains("e.csv: line 3: `a` = `x`"));
        assert!(err("member,a\n0,1,2\n").contains("line 2: 3 fields"));
        assert!(err("member,a\n").contains("no members"));
        assert!(err("member,a\n0,inf\n").contains("finite"));
    }
}
