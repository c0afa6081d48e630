//! Re-deriving an output folder from its manifest alone, and comparing the result with the
//! files on disk: the check behind `pact verify`. Nothing here trusts the output files; they are
//! only compared with what the manifest's scenario, parameters and seeds produce.

pub mod command;

use crate::experiment::run;
use crate::model::record::RunRecord;
use crate::output;
use crate::scenario::params::Scenario;
use crate::scenario::{self, Resolved, SourceFile};
use rayon::prelude::*;
use serde_json::Value;
use std::path::Path;

/// Why a manifest cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VerifyError {
    #[error("malformed manifest: {0}")]
    Malformed(String),
    #[error(
        "made by pact {0}; this is pact {1}: a different version does not promise the same bytes"
    )]
    Incompatible(String, String),
}

/// The verdict on one output file.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Identical,
    /// First differing line (1-based) and, for CSV, the column.
    Different {
        line: usize,
        column: Option<String>,
    },
    Missing,
    /// Not re-derived (e.g. a summary when only a sample of replicates was run).
    NotChecked(String),
    /// A claim of the manifest (what `pact cite` prints) that its own scenario and seeds do not
    /// give: what it says, and what they give.
    FalseClaim {
        claimed: String,
        derived: String,
    },
}

/// What the manifest says was run, re-resolved.
pub struct Derivation {
    pub res: Resolved,
    pub seeds: Vec<u64>,
    pub kind: String,
    pub run_id: String,
    pub targets: Option<String>,
    /// A validation with its ablation matrix (`--ablate` in the command that reproduces it).
    pub ablate: bool,
}

/// Reads the manifest's scenario, parameters and seeds back into a runnable form.
pub fn derivation(m: &Value) -> Result<Derivation, VerifyError> {
    let version = m["pact_version"]
        .as_str()
        .ok_or_else(|| VerifyError::Malformed("no pact_version".into()))?;
    if version != crate::VERSION {
        return Err(VerifyError::Incompatible(
            version.into(),
            crate::VERSION.into(),
        ));
    }
    let kind = m["kind"]
        .as_str()
        .ok_or_else(|| VerifyError::Malformed("no kind".into()))?
        .to_string();
    let params = &m["resolved_parameters"];
    let sc: Scenario = serde_json::from_value(params["scenario"].clone())
        .map_err(|e| VerifyError::Malformed(format!("resolved_parameters.scenario: {e}")))?;
    let name = params["name"]
        .as_str()
        .ok_or_else(|| VerifyError::Malformed("no resolved_parameters.name".into()))?
        .to_string();
    let sources: Vec<SourceFile> = m["scenario_files"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|f| SourceFile {
                    path: f["path"].as_str().unwrap_or("").into(),
                    text: f["text"].as_str().unwrap_or("").into(),
                })
                .collect()
        })
        .unwrap_or_default();
    let res =
        scenario::resolve(name, sc, sources).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let seeds = run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let run_id = m["run_id"]
        .as_str()
        .ok_or_else(|| VerifyError::Malformed("no run_id".into()))?
        .to_string();
    let targets = m["other_inputs"]
        .as_array()
        .and_then(|v| v.iter().find(|i| i["path"] == "targets.toml"))
        .and_then(|i| i["text"].as_str())
        .map(str::to_string);
    let ablate = kind == "validate"
        && m["reproduce"]
            .as_str()
            .is_some_and(|r| r.split_whitespace().any(|w| w == "--ablate"));
    Ok(Derivation {
        res,
        seeds,
        kind,
        run_id,
        targets,
        ablate,
    })
}

/// The manifest's claims that `pact cite` prints (scenario name, master seed, replicates, seeds,
/// weeks, the command that reproduces it, the run id), each checked against what its scenario
/// files and resolved parameters give. `extra` is what the reproduce command holds between the
/// scenario's path and `--seed` (` --targets PATH` for validate).
pub fn claims(m: &Value, d: &Derivation) -> Vec<(String, Status)> {
    let r = &d.res.scenario.run;
    let verb = if d.kind == "validate" {
        "validate"
    } else {
        "run"
    };
    let reproduce = m["reproduce"].as_str().unwrap_or("");
    let extra = if d.kind == "validate" {
        reproduce
            .split_once(" --targets ")
            .and_then(|(_, t)| t.split_once(" --seed "))
            .map(|(t, _)| format!(" --targets {t}"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let json = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "nothing".into(),
        other => other.to_string(),
    };
    let expected: Vec<(&str, Value)> = vec![
        ("scenario_name", Value::from(d.res.name.clone())),
        ("master_seed", Value::from(r.seed)),
        ("replicates", Value::from(r.replicates)),
        ("replicate_seeds", Value::from(d.seeds.clone())),
        ("weeks", Value::from(d.res.clock.weeks)),
        (
            "reproduce",
            Value::from(output::reproduce_command(verb, &d.res, &extra)),
        ),
        ("run_id", Value::from(output::run_id(&d.res, &d.seeds))),
        (
            "parameters_sha256",
            Value::from(output::sha256_hex(
                serde_json::to_string(&d.res)
                    .expect("parameters serialise")
                    .as_bytes(),
            )),
        ),
    ];
    expected
        .into_iter()
        .map(|(key, want)| {
            let got = &m[key];
            let status = if *got == want {
                Status::Identical
            } else {
                Status::FalseClaim {
                    claimed: json(got),
                    derived: json(&want),
                }
            };
            (format!("manifest.json ({key})"), status)
        })
        .collect()
}

/// The claims of a comparison's manifest: the two run ids are those of its runs, and the
/// command that reproduces it names their seed, replicates and scale.
pub fn compare_claims(m: &Value, a: &Derivation, b: &Derivation) -> Vec<(String, Status)> {
    let r = &a.res.scenario.run;
    let mut out = Vec::new();
    let mut check = |key: &str, ok: bool, derived: String| {
        let status = if ok {
            Status::Identical
        } else {
            Status::FalseClaim {
                claimed: m[key].as_str().unwrap_or("nothing").to_string(),
                derived,
            }
        };
        out.push((format!("manifest.json ({key})"), status));
    };
    for (key, d) in [("run_id_a", a), ("run_id_b", b)] {
        let id = output::run_id(&d.res, &d.seeds);
        check(key, m[key].as_str() == Some(id.as_str()), id);
    }
    // From scenario files, the command names the run settings; from finished runs, only folders.
    let reproduce = m["reproduce"].as_str().unwrap_or("");
    let settings = format!(
        " --seed {} --replicates {} --scale {}",
        r.seed, r.replicates, r.scale
    );
    let ok = reproduce.starts_with("pact compare ")
        && (!reproduce.contains(" --") || reproduce.ends_with(&settings));
    check("reproduce", ok, format!("pact compare A B{settings}"));
    out
}

/// Replicates to re-run: all, or `n` evenly spaced (always including the first).
pub fn sample(replicates: usize, n: Option<usize>) -> Vec<usize> {
    match n {
        Some(n) if n < replicates => (0..n.max(1)).map(|k| k * replicates / n.max(1)).collect(),
        _ => (0..replicates).collect(),
    }
}

/// Re-runs the chosen replicates.
pub fn rerun(d: &Derivation, which: &[usize]) -> Vec<RunRecord> {
    which
        .par_iter()
        .map(|&k| run::run_replicate(&d.res, d.seeds[k], &|_| {}))
        .collect()
}

/// The files a folder of kind `run` or `validate` should hold (manifest excluded), re-derived
/// from the replicates `which` (all replicates unless sampling).
pub fn expected_files(
    d: &Derivation,
    which: &[usize],
    runs: &[RunRecord],
) -> Result<Vec<(String, String)>, VerifyError> {
    let seeds: Vec<u64> = which.iter().map(|&k| d.seeds[k]).collect();
    let mut files = output::data_files(&d.res, &seeds, runs);
    if d.kind == "validate" && which.len() == d.seeds.len() {
        let text = d.targets.as_deref().ok_or_else(|| {
            VerifyError::Malformed("a validate manifest without targets.toml".into())
        })?;
        let patterns =
            crate::scenario::targets::load_targets_text(Path::new("targets.toml"), text, &d.res)
                .map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let verdicts = crate::experiment::validate::judge(&patterns, &d.res, runs);
        files.extend(crate::experiment::validate::files(
            &patterns,
            &verdicts,
            &d.res,
            runs,
            text,
            &output::figure_note(&d.res, &seeds),
        ));
        if d.ablate {
            files.extend(crate::experiment::ablate::files(
                &patterns,
                &d.res,
                verdicts,
                &|_| {},
            ));
        }
    }
    Ok(files)
}

/// Keeps the rows of replicates `which` of a CSV whose first column is the replicate, renumbered
/// 0.. in that order (to compare a sample with a re-run of just those replicates).
pub fn select_replicates(csv: &str, which: &[usize]) -> String {
    let mut out = String::new();
    let mut lines = csv.lines();
    if let Some(h) = lines.next() {
        out.push_str(h);
        out.push('\n');
    }
    for (pos, &k) in which.iter().enumerate() {
        for l in csv.lines().skip(1) {
            let (r, rest) = l.split_once(',').unwrap_or((l, ""));
            if r.parse::<usize>().ok() == Some(k) {
                out.push_str(&format!("{pos},{rest}\n"));
            }
        }
    }
    out
}

/// Where `actual` first departs from `expected`: line (1-based) and, for CSV, the column.
pub fn first_difference(
    name: &str,
    expected: &str,
    actual: &str,
) -> Option<(usize, Option<String>)> {
    if expected == actual {
        return None;
    }
    let header: Vec<&str> = expected.lines().next().unwrap_or("").split(',').collect();
    let (mut e, mut a) = (expected.lines(), actual.lines());
    let mut line = 0;
    loop {
        line += 1;
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                let col = if name.ends_with(".csv") {
                    x.split(',')
                        .zip(y.split(','))
                        .position(|(p, q)| p != q)
                        .or_else(|| Some(x.split(',').count().min(y.split(',').count())))
                        .and_then(|i| header.get(i).map(|h| h.to_string()))
                } else {
                    None
                };
                return Some((line, col));
            }
            (None, None) => return Some((line - 1, None)), // a difference in line endings
            _ => return Some((line, None)),
        }
    }
}

/// Compares expected files with those on disk, read by `read`.
pub fn check(
    expected: &[(String, String)],
    read: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, Status)> {
    expected
        .iter()
        .map(|(name, want)| {
            let status = match read(name) {
                None => Status::Missing,
                Some(got) => match first_difference(name, want, &got) {
                    None => Status::Identical,
                    Some((line, column)) => Status::Different { line, column },
                },
            };
            (name.clone(), status)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_located() {
        let e = "a,b,c\n1,2,3\n4,5,6\n";
        assert_eq!(first_difference("x.csv", e, e), None);
        assert_eq!(
            first_difference("x.csv", e, "a,b,c\n1,2,3\n4,9,6\n"),
            Some((3, Some("b".into())))
        );
        assert_eq!(
            first_difference("x.csv", e, "a,b,c\n4,5,6\n"),
            Some((2, Some("a".into())))
        );
        assert_eq!(
            first_difference("x.csv", e, "a,b,c\n1,2,3\n"),
            Some((3, None))
        );
        assert_eq!(
            first_difference("x.json", "{\n1\n}", "{\n2\n}"),
            Some((2, None))
        );
        assert_eq!(sample(10, Some(3)), vec![0, 3, 6]);
        assert_eq!(sample(2, Some(5)), vec![0, 1]);
        assert_eq!(
            select_replicates("r,x\n0,a\n1,b\n2,c\n", &[2, 0]),
            "r,x\n0,c\n1,a\n"
        );
    }
}
