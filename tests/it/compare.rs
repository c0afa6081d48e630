//! `pact compare`: common random numbers, zero differences against itself, documented columns,
//! and mismatched inputs.

use crate::support::*;

fn compare(args: &[&str]) -> std::process::Output {
    pact(&[&["compare"], args].concat())
}

#[test]
fn a_scenario_against_itself_differs_by_exactly_zero() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let out = d.path("cmp");
    let o = compare(&[
        s.to_str().unwrap(),
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("common random numbers"));
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        pact::experiment::paired::COLUMNS.join(",")
    );
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), pact::experiment::paired::COLUMNS.len());
        assert_eq!(f[2], f[3], "{l}");
        assert_eq!(
            (f[4], f[5], f[6], f[7], f[8]),
            ("0", "0", "0", "1", "2"),
            "{l}"
        );
        n += 1;
    }
    assert!(n >= 10);
    for f in [
        "compare.md",
        "figures/strikers.svg",
        "a/timeseries.csv",
        "b/manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
}

#[test]
fn finished_runs_compare_like_scenarios() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let b = d.write(
        "tiny_b.toml",
        &TINY.replace(
            "name = \"tiny\"",
            "name = \"tiny_b\"\n[policy]\nrepression = 3.0",
        ),
    );
    let (ra, rb) = (d.path("ra"), d.path("rb"));
    assert!(
        pact(&["run", s.to_str().unwrap(), "--out", ra.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        pact(&["run", b.to_str().unwrap(), "--out", rb.to_str().unwrap()])
            .status
            .success()
    );
    let from_dirs = d.path("c1");
    let from_files = d.path("c2");
    let o = compare(&[
        ra.to_str().unwrap(),
        rb.to_str().unwrap(),
        "--out",
        from_dirs.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = compare(&[
        s.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        from_files.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c1 = std::fs::read_to_string(from_dirs.join("compare.csv")).unwrap();
    assert_eq!(
        c1,
        std::fs::read_to_string(from_files.join("compare.csv")).unwrap()
    );
    // Both folders are self-contained and re-derive from their manifests.
    for dir in [&from_dirs, &from_files] {
        let o = pact(&["verify", dir.to_str().unwrap()]);
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
    }
    // The policy made a difference somewhere.
    assert!(
        c1.lines().skip(1).any(|l| l.split(',').nth(4) != Some("0")),
        "{c1}"
    );
}

#[test]
fn mismatched_inputs_are_refused() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let longer = d.write(
        "longer.toml",
        &TINY.replace("end = \"1921-06-27\"", "end = \"1921-09-26\""),
    );
    let o = compare(&[
        s.to_str().unwrap(),
        longer.to_str().unwrap(),
        "--out",
        d.path("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("different dates"), "{}", stderr(&o));
    let (ra, rb, rc) = (d.path("ra"), d.path("rb"), d.path("rc"));
    assert!(
        pact(&["run", s.to_str().unwrap(), "--out", ra.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        pact(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            rb.to_str().unwrap(),
            "--seed",
            "99"
        ])
        .status
        .success()
    );
    let o = compare(&[
        ra.to_str().unwrap(),
        rb.to_str().unwrap(),
        "--out",
        d.path("y").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("run.seed differs"), "{}", stderr(&o));
    // A run made by another version of pact.
    assert!(
        pact(&["run", s.to_str().unwrap(), "--out", rc.to_str().unwrap()])
            .status
            .success()
    );
    let m = std::fs::read_to_string(rc.join("manifest.json")).unwrap();
    std::fs::write(
        rc.join("manifest.json"),
        m.replacen(
            &format!("\"pact_version\": \"{}\"", pact::VERSION),
            "\"pact_version\": \"0.0.0\"",
            1,
        ),
    )
    .unwrap();
    let o = compare(&[
        ra.to_str().unwrap(),
        rc.to_str().unwrap(),
        "--out",
        d.path("z").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pact 0.0.0"), "{}", stderr(&o));
    let o = compare(&[s.to_str().unwrap(), ra.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    for p in ["x", "y", "z"] {
        assert!(!d.path(p).exists());
    }
}
