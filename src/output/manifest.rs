//! `manifest.json`: what made a folder (version, commit, scenario files, resolved parameters,
//! seeds, the command that reproduces it), the run id, and the digests of every output.

use crate::scenario::Resolved;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

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

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
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
