//! Shared helpers: temporary scenarios, running the binary, running the library.

use pact::model::record::RunRecord;
use pact::scenario::Resolved;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Absolute path of a shipped scenario.
pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// A small scenario of the historical period's first half-year with an election and a campaign.
pub const TINY: &str = r#"
name = "tiny"

[run]
start = "1921-01-03"
end = "1921-06-27"
seed = 5
replicates = 2
scale = 1000
summary_dates = ["1921-03-01", "1921-06-01"]

[[event]]
id = "crisis"
date = "1921-01-17"
label = "transport crisis"
economy = { transport = 0.3 }

[[event]]
id = "election"
date = "1921-04-18"
label = "soviet elections"
soviet_election = true
campaign = "sr_trial"
"#;

/// A temporary folder holding files written by a test.
pub struct Dir {
    pub dir: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// Writes `text` to `name` and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

/// Runs the `pact` binary.
pub fn pact(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pact"))
        .args(args)
        .output()
        .expect("run pact")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Loads a scenario from text (written to a temp file, so `extends` may use absolute paths).
pub fn load_text(text: &str) -> Resolved {
    let d = Dir::new();
    let p = d.write("s.toml", text);
    pact::scenario::load(&p).unwrap_or_else(|e| panic!("{e}"))
}

/// A scenario extending the historical baseline with `extra` appended, at `scale` workers,
/// from 1920 to `end`.
pub fn historical_with(extra: &str, scale: u64, end: &str) -> Resolved {
    let base = scenario("historical.toml");
    let text = format!(
        "extends = {:?}\n[run]\nscale = {scale}\nend = {end:?}\nsummary_dates = []\n{extra}\n",
        base.display().to_string()
    );
    load_text(&text)
}

/// Runs replicate 0 of a resolved scenario through the library.
pub fn run0(res: &Resolved) -> RunRecord {
    pact::experiment::run::run_replicate(
        res,
        pact::model::rng::replicate_seed(res.scenario.run.seed, 0),
        &|_| {},
    )
}

/// Mean of a weekly column over weeks whose start date lies in [from, to).
pub fn mean(res: &Resolved, run: &RunRecord, column: &str, from: &str, to: &str) -> f64 {
    let c = pact::model::record::WeekRecord::COLUMNS
        .iter()
        .position(|x| *x == column)
        .expect("column");
    let (from, to) = (
        pact::date::Date::parse(from).unwrap(),
        pact::date::Date::parse(to).unwrap(),
    );
    let xs: Vec<f64> = run
        .weeks
        .iter()
        .enumerate()
        .filter(|(w, _)| {
            let d = res.clock.date(*w);
            d >= from && d < to
        })
        .map(|(_, r)| r.values()[c])
        .collect();
    assert!(!xs.is_empty(), "no weeks in window");
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Every entry of a folder, recursively, with its contents (to show nothing changed).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
                out.push((p, Vec::new()));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Runs `pact sweep SPEC --out OUT` with `extra` arguments.
pub fn sweep(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    pact(
        &[
            &[
                "sweep",
                spec.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            extra,
        ]
        .concat(),
    )
}

/// A stand-in `sbatch` in `d/bin`: runs an array's tasks one after another with
/// `SLURM_ARRAY_TASK_ID` set, or a single job, at once (so jobs run in the order submitted,
/// which respects their dependencies), prints job ids 101, 102, … and records every call in
/// `d/sbatch.log`. Returns the `PATH` that finds it first, and the log's path.
pub fn stand_in_sbatch(d: &Dir) -> (String, std::path::PathBuf) {
    let bin = d.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = d.path("sbatch.log");
    let fake = format!(
        r#"#!/usr/bin/env bash
echo "$@" >> {log}
id=$((101 + $(wc -l < {log}) - 1))
array=""; wrap=""
for a in "$@"; do
  case "$a" in
    --array=*) array="${{a#--array=}}" ;;
    --wrap=*) wrap="${{a#--wrap=}}" ;;
  esac
done
if [ -n "$array" ]; then
  for i in $(seq "${{array%-*}}" "${{array#*-}}"); do SLURM_ARRAY_TASK_ID=$i bash -c "$wrap" || exit 1; done
else
  bash -c "$wrap" || exit 1
fi
echo $id
"#,
        log = format!("'{}'", log.display())
    );
    let sbatch = bin.join("sbatch");
    std::fs::write(&sbatch, fake).unwrap();
    std::process::Command::new("chmod")
        .args(["+x", sbatch.to_str().unwrap()])
        .status()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, log)
}

/// Two targets of the first half of 1921 for [`TINY`]: the real wage in a band, and strikers
/// present (a one-sided band). The calibration and sensitivity tests study them.
pub const TINY_TARGETS: &str = r#"
[[target]]
id = "real_wage"
source = "test"
statistic = "mean"
output = "real_wage"
from = "1921-01-03"
to = "1921-06-27"
band = [0.1, 0.3]

[[target]]
id = "strikers"
source = "test"
statistic = "mean"
output = "strikers"
from = "1921-01-03"
to = "1921-06-27"
band = [1, inf]
"#;
