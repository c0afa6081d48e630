//! `pact sweep` and `pact merge`: shards, resume after an interruption, thread counts, errors,
//! and the Slurm script under a stand-in `sbatch`.

use crate::support::*;
use std::path::{Path, PathBuf};

const SWEEP: &str = r#"
base = "tiny.toml"
name = "small"
replicates = 2

[[parameter]]
key = "policy.repression"
values = [0.5, 2.0]

[[parameter]]
key = "policy.ration_equality"
from = 0.0
to = 1.0
step = 0.5

[[outcome]]
id = "strikers"
statistic = "mean"
output = "strikers"
from = "1921-01-03"
to = "1921-06-27"

[[outcome]]
id = "arrests"
statistic = "mean"
output = "arrests"
from = "1921-01-03"
to = "1921-06-27"
"#;

fn setup(d: &Dir, sweep: &str) -> PathBuf {
    d.write("tiny.toml", TINY);
    d.write("sweep.toml", sweep)
}

const FINAL: [&str; 4] = [
    "results.csv",
    "manifest.json",
    "figures/strikers.svg",
    "figures/arrests.svg",
];

fn same(a: &Path, b: &Path) {
    for f in FINAL {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn sharded_then_merged_equals_unsharded() {
    let d = Dir::new();
    let spec = setup(&d, SWEEP);
    let whole = d.path("whole");
    assert!(sweep(&spec, &whole, &[]).status.success());
    let csv = std::fs::read_to_string(whole.join("results.csv")).unwrap();
    assert!(csv.starts_with(
        "run,point,replicate,seed,policy.repression,policy.ration_equality,outcome,value\n"
    ));
    assert_eq!(csv.lines().count(), 1 + 2 * 3 * 2 * 2);
    for n in [1usize, 3, 4] {
        let out = d.path(&format!("shards{n}"));
        for k in 0..n {
            let o = sweep(&spec, &out, &["--shard", &format!("{k}/{n}")]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        assert!(!out.join("results.csv").exists());
        let o = pact(&["merge", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        same(&whole, &out);
    }
}

#[test]
fn interrupted_then_resumed_equals_uninterrupted_on_any_thread_count() {
    let d = Dir::new();
    let spec = setup(&d, SWEEP);
    let whole = d.path("whole");
    assert!(sweep(&spec, &whole, &["--threads", "1"]).status.success());
    let two = d.path("two");
    assert!(sweep(&spec, &two, &["--threads", "2"]).status.success());
    same(&whole, &two);
    // Stopped after 5 runs, then a record torn by a kill in the middle of a write.
    let cut = d.path("cut");
    let o = sweep(&spec, &cut, &["--stop-after", "5", "--threads", "1"]);
    assert!(
        o.status.code() == Some(1) && stderr(&o).contains("5 of 12 runs recorded"),
        "{}",
        stderr(&o)
    );
    assert!(!cut.join("results.csv").exists());
    let mut rec = std::fs::read_to_string(cut.join("records.csv")).unwrap();
    rec.push_str("7,3,1,1234,strikers,12");
    std::fs::write(cut.join("records.csv"), &rec).unwrap();
    let o = sweep(&spec, &cut, &["--threads", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    same(&whole, &cut);
    // Nothing duplicated: each run's outcomes recorded exactly once.
    let rec = std::fs::read_to_string(cut.join("records.csv")).unwrap();
    assert_eq!(rec.lines().filter(|l| !l.starts_with('#')).count(), 12 * 2);
    // Running again changes nothing.
    assert!(sweep(&spec, &cut, &[]).status.success());
    same(&whole, &cut);
}

fn check_bad(sweep_text: &str, extra: &[&str], needles: &[&str]) {
    let d = Dir::new();
    let spec = setup(&d, sweep_text);
    let out = d.path("out");
    let o = sweep(&spec, &out, extra);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in {err}");
    }
    assert!(!out.exists(), "something was started");
}

#[test]
fn every_sweep_file_error_is_refused_before_anything_starts() {
    check_bad(
        &SWEEP.replace("policy.repression", "policy.represion"),
        &[],
        &[
            "sweep.toml:7",
            "parameter `policy.represion`",
            "unknown key",
        ],
    );
    check_bad(
        &SWEEP.replace("to = 1.0\nstep", "to = 0.0\nstep"),
        &[],
        &["sweep.toml:11", "empty range"],
    );
    check_bad(
        &SWEEP.replace("values = [0.5, 2.0]", "values = []"),
        &[],
        &["parameter `policy.repression`", "empty list"],
    );
    check_bad(
        &SWEEP.replace("step = 0.5", "step = -0.5"),
        &[],
        &["step -0.5"],
    );
    check_bad(
        &SWEEP.replace("step = 0.5\n", ""),
        &[],
        &["sweep.toml", "lhs", "samples"],
    );
    check_bad(
        &SWEEP.replace("output = \"arrests\"", "output = \"arests\""),
        &[],
        &[
            "sweep.toml:26",
            "outcome `arrests`.output",
            "unknown output",
        ],
    );
    check_bad(
        &SWEEP.replace(
            "statistic = \"mean\"\noutput = \"arrests\"",
            "statistic = \"average\"\noutput = \"arrests\"",
        ),
        &[],
        &["outcome `arrests`.statistic", "unknown statistic"],
    );
    check_bad(
        &SWEEP.replace("replicates = 2", "replicates = -1"),
        &[],
        &["sweep.toml:4", "replicates", "allowed 1 to 100000"],
    );
    check_bad(
        &SWEEP.replace("replicates = 2", "replicates = 0"),
        &[],
        &["replicates", "allowed 1 to 100000"],
    );
    check_bad(
        &SWEEP.replace("name = \"small\"", "nme = \"small\""),
        &[],
        &["sweep.toml:3", "unknown field `nme`"],
    );
    check_bad(SWEEP, &["--shard", "3/3"], &["--shard 3/3", "allowed K/N"]);
    check_bad(
        &SWEEP.replace("base = \"tiny.toml\"", "base = \"absent.toml\""),
        &[],
        &["absent.toml", "cannot read"],
    );
}

#[test]
fn merge_refuses_missing_or_foreign_slices() {
    let d = Dir::new();
    let spec = setup(&d, SWEEP);
    let out = d.path("out");
    assert!(sweep(&spec, &out, &["--shard", "0/3"]).status.success());
    assert!(sweep(&spec, &out, &["--shard", "2/3"]).status.success());
    // Missing slices are a failure to finish (exit 1), named with the command that runs them.
    let o = pact(&["merge", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("missing slices 1/3") && stderr(&o).contains("--shard K/3"),
        "{}",
        stderr(&o)
    );
    // A different sweep into the same folder is refused.
    let other = d.write(
        "other.toml",
        &SWEEP.replace("values = [0.5, 2.0]", "values = [0.5, 3.0]"),
    );
    let o = sweep(&other, &out, &["--shard", "1/3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds a different sweep"));
}

#[test]
fn the_slurm_script_runs_slices_and_the_dependent_merge() {
    let d = Dir::new();
    // Paths with spaces (regression: they broke every slice).
    std::fs::create_dir(d.path("in dir")).unwrap();
    d.write("in dir/tiny.toml", TINY);
    let spec = d.write("in dir/sweep.toml", SWEEP);
    let whole = d.path("whole");
    assert!(sweep(&spec, &whole, &[]).status.success());
    let (path, log) = stand_in_sbatch(&d);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm_sweep.sh");
    let out = d.path("out dir/cluster");
    let o = std::process::Command::new("bash")
        .arg(&script)
        .args([spec.to_str().unwrap(), out.to_str().unwrap(), "4"])
        .env("PATH", path)
        .env("PACT", env!("CARGO_BIN_EXE_pact"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains("--array=0-3") && calls.contains("--shard $SLURM_ARRAY_TASK_ID/4"),
        "{calls}"
    );
    assert!(
        calls.contains("--dependency=afterany:101") && calls.contains("merge"),
        "{calls}"
    );
    same(&whole, &out);
}

#[test]
fn a_sweep_verifies_in_full_and_by_sample() {
    let d = Dir::new();
    let spec = setup(&d, SWEEP);
    let out = d.path("out");
    assert!(sweep(&spec, &out, &[]).status.success());
    let o = pact(&["verify", out.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    let o = pact(&["verify", out.to_str().unwrap(), "--sample", "3"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("figures: not checked"));
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    std::fs::write(
        out.join("results.csv"),
        csv.replacen(",strikers,", ",strikers,1", 1),
    )
    .unwrap();
    let o = pact(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("results.csv: different, first at line 2, column `value`"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// The same design written as explicit points (the parameters naming only their keys).
const POINTS: &str = r#"
base = "tiny.toml"
name = "small"
replicates = 2
points = [[0.5, 0.0], [0.5, 0.5], [0.5, 1.0], [2.0, 0.0], [2.0, 0.5], [2.0, 1.0]]

[[parameter]]
key = "policy.repression"

[[parameter]]
key = "policy.ration_equality"

[[outcome]]
id = "strikers"
statistic = "mean"
output = "strikers"
from = "1921-01-03"
to = "1921-06-27"

[[outcome]]
id = "arrests"
statistic = "mean"
output = "arrests"
from = "1921-01-03"
to = "1921-06-27"
"#;

#[test]
fn explicit_points_run_as_the_grid_they_list() {
    let d = Dir::new();
    let grid = setup(&d, SWEEP);
    let listed = d.write("points.toml", POINTS);
    let (a, b) = (d.path("grid"), d.path("listed"));
    assert!(sweep(&grid, &a, &[]).status.success());
    let o = sweep(&listed, &b, &["--shard", "0/2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sweep(&listed, &b, &["--shard", "1/2"]).status.success());
    assert!(pact(&["merge", b.to_str().unwrap()]).status.success());
    let (ra, rb) = (
        std::fs::read_to_string(a.join("results.csv")).unwrap(),
        std::fs::read_to_string(b.join("results.csv")).unwrap(),
    );
    assert_eq!(ra, rb);
}

#[test]
fn every_points_error_is_refused_before_anything_starts() {
    let one = |from: &str, to: &str| POINTS.replacen(from, to, 1);
    check_bad(
        &one("[2.0, 1.0]]", "[2.0]]"),
        &[],
        &[
            "sweep.toml:5",
            "key `points`",
            "point 5 has 1 values",
            "one per [[parameter]] (2)",
        ],
    );
    check_bad(
        &one(
            "points = [[0.5, 0.0], [0.5, 0.5], [0.5, 1.0], [2.0, 0.0], [2.0, 0.5], [2.0, 1.0]]",
            "points = []",
        ),
        &[],
        &["sweep.toml:5", "no points"],
    );
    check_bad(
        &one("[0.5, 0.5]", "[0.5, 7.0]"),
        &[],
        &[
            "sweep.toml:5",
            "key `points`",
            "design point 1",
            "policy.ration_equality",
        ],
    );
    check_bad(
        &one(
            "key = \"policy.repression\"",
            "key = \"policy.repression\"\nvalues = [1.0]",
        ),
        &[],
        &["parameter `policy.repression`", "names only its `key`"],
    );
    check_bad(
        &format!("{POINTS}\n[lhs]\nsamples = 4\n"),
        &[],
        &["key `lhs`", "not both"],
    );
}
