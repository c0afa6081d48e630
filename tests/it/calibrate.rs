//! `pact calibrate`: history matching end to end on a small scenario (waves run as sweeps,
//! resumed, independent of the thread count), and every calibration-file error refused.

use crate::support::*;

const CAL: &str = r#"
base = "tiny.toml"
targets = "targets.toml"
name = "tiny"
replicates = 2
points = 6
waves = 2

[[parameter]]
key = "mechanisms.outrage_rate"
from = 0.1
to = 0.6

[[parameter]]
key = "economy.ration_scale"
from = 0.5
to = 2.0
log = true
"#;

fn setup(d: &Dir, cal: &str) -> std::path::PathBuf {
    d.write("tiny.toml", TINY);
    d.write("targets.toml", TINY_TARGETS);
    d.write("cal.toml", cal)
}

fn calibrate(
    spec: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "calibrate",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    pact(&args)
}

const TABLES: [&str; 5] = [
    "waves.csv",
    "points.csv",
    "ensemble.csv",
    "figures/pairs.svg",
    "figures/bands.svg",
];

#[test]
fn calibration_runs_its_waves_as_sweeps_and_resumes_to_the_same_tables() {
    let d = Dir::new();
    let spec = setup(&d, CAL);
    let (one, two) = (d.path("one"), d.path("two"));
    let o = calibrate(&spec, &one, &["--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(calibrate(&spec, &two, &["--threads", "2"]).status.success());
    for t in TABLES {
        assert_eq!(
            std::fs::read_to_string(one.join(t)).unwrap(),
            std::fs::read_to_string(two.join(t)).unwrap(),
            "{t}"
        );
    }
    // The manifest holds what re-derives it: the calibration file, the base chain, the targets.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(one.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["kind"], "calibrate");
    assert_eq!(m["calibration_file"].as_str().unwrap(), CAL);
    assert_eq!(m["base_files"][0][1].as_str().unwrap(), TINY);
    assert_eq!(m["targets_file"][1].as_str().unwrap(), TINY_TARGETS);
    // Two waves of six points, each a sweep of 6 × 2 runs.
    let waves = std::fs::read_to_string(one.join("waves.csv")).unwrap();
    assert_eq!(waves.lines().count(), 3, "{waves}");
    assert!(waves.starts_with("wave,points,survivors,share,mechanisms.outrage_rate_from,"));
    let points = std::fs::read_to_string(one.join("points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 12);
    assert!(
        points
            .lines()
            .next()
            .unwrap()
            .ends_with("I_real_wage,I_strikers,implausibility,non_implausible")
    );
    let sweep = std::fs::read_to_string(one.join("wave-2/sweep/results.csv")).unwrap();
    assert_eq!(sweep.lines().count(), 1 + 6 * 2 * 2);
    // The log range is sampled within its ends.
    for l in points.lines().skip(1) {
        let r: f64 = l.split(',').nth(3).unwrap().parse().unwrap();
        assert!((0.5..=2.0).contains(&r), "{l}");
    }
    // A wave's records lost: running again resumes it and gives the same tables.
    std::fs::remove_file(one.join("wave-2/sweep/results.csv")).unwrap();
    let rec = one.join("wave-2/sweep/records.csv");
    let kept: String = std::fs::read_to_string(&rec)
        .unwrap()
        .lines()
        .take(10)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&rec, kept).unwrap();
    let o = calibrate(&spec, &one, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for t in TABLES {
        assert_eq!(
            std::fs::read_to_string(one.join(t)).unwrap(),
            std::fs::read_to_string(two.join(t)).unwrap(),
            "{t} after resuming"
        );
    }
}

/// The slices' path for a cluster: every wave run as slices (`--shard K/N`), merged by `pact
/// merge`, then the next wave. The tables and every wave's results must be the unsharded
/// calibration's, byte for byte.
#[test]
fn calibration_waves_run_as_shards_and_merged_equal_the_unsharded_calibration() {
    let d = Dir::new();
    let spec = setup(&d, CAL);
    let (whole, sliced) = (d.path("whole"), d.path("sliced"));
    assert!(calibrate(&spec, &whole, &[]).status.success());
    for wave in 1..=2 {
        for k in 0..3 {
            let shard = format!("{k}/3");
            let o = calibrate(&spec, &sliced, &["--shard", &shard, "--threads", "1"]);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(
                stderr(&o).contains(&format!("wave {wave}: ")),
                "{}",
                stderr(&o)
            );
            // A slice does not complete the wave, nor write the tables.
            assert!(
                !sliced
                    .join(format!("wave-{wave}/sweep/results.csv"))
                    .exists()
            );
            assert!(!sliced.join("waves.csv").exists());
        }
        let dir = sliced.join(format!("wave-{wave}/sweep"));
        let o = pact(&["merge", dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // Every wave complete: the same command (a slice's, here) reads them and writes the tables.
    let o = calibrate(&spec, &sliced, &["--shard", "0/3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for t in TABLES
        .iter()
        .copied()
        .chain(["wave-1/sweep/results.csv", "wave-2/sweep/results.csv"])
    {
        assert_eq!(
            std::fs::read_to_string(whole.join(t)).unwrap(),
            std::fs::read_to_string(sliced.join(t)).unwrap(),
            "{t}"
        );
    }
    // A merged wave is read, not re-run: the unsharded command has nothing left to run.
    let o = calibrate(&spec, &sliced, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!sliced.join("wave-1/sweep/records.csv").exists());
    let o = pact(&["verify", sliced.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// `scripts/slurm_study.sh` under a stand-in `sbatch` (the real Slurm run is in the README):
/// each wave a job array and a merge, the next wave after the merge, the tables last; the
/// folder is the unsharded calibration's.
#[test]
fn the_slurm_script_chains_the_waves_and_gives_the_unsharded_calibration() {
    let d = Dir::new();
    let spec = setup(&d, CAL);
    let whole = d.path("whole");
    assert!(calibrate(&spec, &whole, &[]).status.success());
    let (path, log) = stand_in_sbatch(&d);
    let out = d.path("out dir/cal");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm_study.sh");
    let o = std::process::Command::new("bash")
        .arg(&script)
        .args([
            "calibrate",
            spec.to_str().unwrap(),
            out.to_str().unwrap(),
            "3",
        ])
        .env("PATH", path)
        .env("PACT", env!("CARGO_BIN_EXE_pact"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let calls: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    // Wave 1 (101) and its merge (102), wave 2 after that merge (103) and its merge (104), the
    // tables after the last merge.
    assert_eq!(calls.len(), 5, "{calls:?}");
    assert!(
        calls[0].contains("--array=0-2") && calls[0].contains("--shard $SLURM_ARRAY_TASK_ID/3")
    );
    assert!(calls[1].contains("--dependency=afterany:101") && calls[1].contains("merge"));
    assert!(calls[2].contains("--dependency=afterok:102") && calls[2].contains("--array=0-2"));
    assert!(calls[3].contains("--dependency=afterany:103"));
    assert!(calls[4].contains("--dependency=afterok:104") && !calls[4].contains("--shard"));
    for t in TABLES {
        assert_eq!(
            std::fs::read_to_string(whole.join(t)).unwrap(),
            std::fs::read_to_string(out.join(t)).unwrap(),
            "{t}"
        );
    }
    // Bad arguments: exit 2, nothing submitted.
    let o = std::process::Command::new("bash")
        .arg(&script)
        .args(["validate", spec.to_str().unwrap(), out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("allowed calibrate or sensitivity"));
}

#[test]
fn a_bad_calibration_shard_is_refused_before_anything_is_written() {
    let d = Dir::new();
    let spec = setup(&d, CAL);
    let out = d.path("out");
    let o = calibrate(&spec, &out, &["--shard", "3/3"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--shard 3/3"), "{}", stderr(&o));
    assert!(!out.exists());
}

fn check_bad(cal: &str, needles: &[&str]) {
    let d = Dir::new();
    let spec = setup(&d, cal);
    let out = d.path("out");
    let o = calibrate(&spec, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in {err}");
    }
    assert!(!out.exists(), "something was written");
}

#[test]
fn every_calibration_file_error_is_refused_before_anything_starts() {
    check_bad(
        &CAL.replace("waves = 2", "waves = 0"),
        &["cal.toml:7", "key `waves`", "1 to 50"],
    );
    check_bad(
        &CAL.replace("points = 6", "points = 1"),
        &["cal.toml:6", "key `points`"],
    );
    check_bad(
        &CAL.replace("from = 0.5", "from = 0.0"),
        &["cal.toml:15", "parameter `economy.ration_scale`", "log"],
    );
    check_bad(
        &CAL.replace("to = 0.6", "to = 0.05"),
        &["cal.toml:10", "empty range"],
    );
    check_bad(
        &CAL.replace("outrage_rate", "outrage_rat"),
        &["cal.toml:10", "unknown key"],
    );
    check_bad(
        &CAL.replace("targets.toml", "missing.toml"),
        &["missing.toml", "cannot read"],
    );
    check_bad(
        &CAL.replace("waves = 2", "waves = 2\ncutoff = -1"),
        &["cal.toml:8", "key `cutoff`", "positive"],
    );
    check_bad(
        &CAL.replace("name = \"tiny\"", "name = \"tiny\"\nbogus = 1"),
        &["cal.toml:5", "bogus"],
    );
}

#[test]
fn the_shipped_calibration_loads_with_at_least_twelve_parameters() {
    let f = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/calibration/historical.toml");
    let cal = pact::experiment::calibrate::load(&f).unwrap_or_else(|e| panic!("{e}"));
    assert!(cal.cfg.parameters.len() >= 12);
    assert_eq!(cal.patterns.len(), 28);
    // The unit cube's corners are the ranges' ends, log ranges included.
    let lo = cal.values(&vec![0.0; cal.cfg.parameters.len()]);
    let hi = cal.values(&vec![1.0; cal.cfg.parameters.len()]);
    for ((p, a), b) in cal.cfg.parameters.iter().zip(lo).zip(hi) {
        assert!(
            (a - p.from).abs() < 1e-12 && (b - p.to).abs() < 1e-12,
            "{}",
            p.key
        );
    }
}

#[test]
fn a_calibration_verifies_from_its_manifest_and_a_tampered_table_is_caught() {
    let d = Dir::new();
    let spec = setup(&d, CAL);
    let out = d.path("out");
    assert!(calibrate(&spec, &out, &[]).status.success());
    // From the recorded texts alone: the files on disk may change without changing the verdict.
    std::fs::write(d.path("tiny.toml"), "garbage").unwrap();
    let o = pact(&["verify", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    for f in [
        "wave-2/sweep/results.csv",
        "waves.csv",
        "points.csv",
        "ensemble.csv",
        "figures/pairs.svg",
        "figures/bands.svg",
    ] {
        assert!(report.contains(&format!("{f}: identical")), "{report}");
    }
    let p = out.join("ensemble.csv");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replacen('0', "1", 2)).unwrap();
    let o = pact(&["verify", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ensemble.csv: different"));
    let o = pact(&["verify", out.to_str().unwrap(), "--sample", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
