//! `pact sensitivity`: Sobol and Morris end to end on a small scenario (tables of the right
//! shape, the seed's share a share, resumed, verified, reported, cited), and its file's errors.

use crate::support::*;
use std::path::Path;

const SOBOL: &str = r#"
base = "tiny.toml"
targets = "targets.toml"
name = "tiny"
method = "sobol"
samples = 4
replicates = 2
resamples = 50

[[parameter]]
key = "mechanisms.outrage_rate"
from = 0.1
to = 0.6

[[parameter]]
key = "economy.ration_scale"
from = 0.8
to = 1.2
"#;

fn setup(d: &Dir, file: &str) -> std::path::PathBuf {
    d.write("tiny.toml", TINY);
    d.write("targets.toml", TINY_TARGETS);
    d.write("sens.toml", file)
}

fn sensitivity(file: &Path, out: &Path) -> std::process::Output {
    pact(&[
        "sensitivity",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn sobol_end_to_end_resumes_verifies_reports_and_cites() {
    let d = Dir::new();
    let f = setup(&d, SOBOL);
    let out = d.path("out");
    let o = sensitivity(&f, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    // 4 × (2 + 2) points × 2 replicates, run as a sweep.
    let results = std::fs::read_to_string(out.join("sweep/results.csv")).unwrap();
    assert_eq!(results.lines().count(), 1 + 16 * 2 * 2);
    let indices = std::fs::read_to_string(out.join("indices.csv")).unwrap();
    let rows: Vec<&str> = indices.lines().skip(1).collect();
    // Two outcomes × two parameters × (first, total), unless an outcome is undefined.
    assert!(rows.len() == 8 || rows.len() == 4, "{indices}");
    assert!(
        rows.iter()
            .all(|r| r.contains(",first,") || r.contains(",total,"))
    );
    let variance = std::fs::read_to_string(out.join("variance.csv")).unwrap();
    for line in variance.lines().skip(1) {
        let share: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        assert!(
            share.is_nan() || (0.0..=1.0 + 1e-12).contains(&share),
            "{line}"
        );
    }
    assert!(out.join("figures/real_wage.svg").exists());
    // Running again resumes: nothing re-run, the same tables.
    let again = sensitivity(&f, &out);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(out.join("indices.csv")).unwrap(),
        indices
    );
    // Verified whole from the manifest's texts.
    let v = pact(&["verify", out.to_str().unwrap()]);
    assert!(
        v.status.success(),
        "{}{}",
        String::from_utf8_lossy(&v.stdout),
        stderr(&v)
    );
    assert!(String::from_utf8_lossy(&v.stdout).contains("indices.csv: identical"));
    let c = pact(&["cite", out.to_str().unwrap()]);
    assert!(c.status.success(), "{}", stderr(&c));
    assert!(String::from_utf8_lossy(&c.stdout).contains("sensitivity analysis \"tiny\""));
    let r = pact(&["report", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("How much is the seed"));
    assert!(!html.contains("<script"));
}

#[test]
fn a_design_run_as_shards_and_merged_gives_the_unsharded_indices() {
    let d = Dir::new();
    let f = setup(&d, SOBOL);
    let (whole, sliced) = (d.path("whole"), d.path("sliced"));
    assert!(sensitivity(&f, &whole).status.success());
    let run = |extra: &[&str]| {
        let mut args = vec![
            "sensitivity",
            f.to_str().unwrap(),
            "--out",
            sliced.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        pact(&args)
    };
    for k in ["0/2", "1/2"] {
        let o = run(&["--shard", k]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!sliced.join("indices.csv").exists());
    }
    let o = pact(&["merge", sliced.join("sweep").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for t in ["sweep/results.csv", "indices.csv", "variance.csv"] {
        assert_eq!(
            std::fs::read_to_string(whole.join(t)).unwrap(),
            std::fs::read_to_string(sliced.join(t)).unwrap(),
            "{t}"
        );
    }
}

#[test]
fn a_tampered_index_is_found() {
    let d = Dir::new();
    let f = setup(&d, SOBOL);
    let out = d.path("out");
    assert!(sensitivity(&f, &out).status.success());
    let p = out.join("indices.csv");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replacen(",first,", ",first,9", 1)).unwrap();
    let v = pact(&["verify", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stdout).contains("indices.csv: different"));
}

#[test]
fn morris_screens_with_its_own_statistics() {
    let d = Dir::new();
    let f = setup(
        &d,
        &SOBOL
            .replace("method = \"sobol\"", "method = \"morris\"")
            .replace("samples = 4", "samples = 3"),
    );
    let out = d.path("out");
    let o = sensitivity(&f, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let results = std::fs::read_to_string(out.join("sweep/results.csv")).unwrap();
    // 3 trajectories × (2 + 1) points × 2 replicates × 2 outcomes.
    assert_eq!(results.lines().count(), 1 + 9 * 2 * 2);
    let indices = std::fs::read_to_string(out.join("indices.csv")).unwrap();
    assert!(
        indices.contains(",mu_star,") && indices.contains(",sigma,"),
        "{indices}"
    );
}

#[test]
fn every_sensitivity_file_error_is_refused_before_anything_starts() {
    let cases: [(&str, String, &str); 6] = [
        ("method", SOBOL.replace("\"sobol\"", "\"fast\""), "sobol"),
        (
            "samples",
            SOBOL.replace("samples = 4", "samples = 1"),
            "samples",
        ),
        (
            "levels",
            SOBOL.replace("resamples = 50", "resamples = 50\nlevels = 3"),
            "even",
        ),
        (
            "outcome",
            SOBOL.replace("resamples = 50", "resamples = 50\noutcomes = [\"nope\"]"),
            "`nope` is not a target",
        ),
        (
            "range",
            SOBOL.replace("from = 0.8\nto = 1.2", "from = 1.2\nto = 0.8"),
            "empty range",
        ),
        (
            "replicates",
            SOBOL.replace("replicates = 2", "replicates = 0"),
            "replicates",
        ),
    ];
    for (what, text, expect) in cases {
        let d = Dir::new();
        let f = setup(&d, &text);
        let out = d.path("out");
        let o = sensitivity(&f, &out);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains("sens.toml"), "{what}: {}", stderr(&o));
        assert!(!out.exists(), "{what}: wrote {}", out.display());
    }
}

#[test]
fn a_bad_sensitivity_shard_is_refused_before_anything_is_written() {
    let d = Dir::new();
    let f = setup(&d, SOBOL);
    let out = d.path("out");
    let o = pact(&[
        "sensitivity",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--shard",
        "2/2",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--shard 2/2"), "{}", stderr(&o));
    assert!(!out.exists());
}
