//! `pact compare A B --ensemble FILE`: every member run for both scenarios with common random
//! numbers, effects summarised across members, verified from the manifest, cited and reported;
//! bad ensembles refused before anything runs.

use crate::support::*;

const ENSEMBLE: &str =
    "member,mechanisms.outrage_rate,economy.ration_scale\n0,0.2,0.9\n1,0.3,1.0\n2,0.5,1.1\n";

fn setup(d: &Dir) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let a = d.write("a.toml", TINY);
    let b = d.write(
        "b.toml",
        &TINY
            .replace("name = \"tiny\"", "name = \"tiny_soft\"")
            .replace(
                "[[event]]\nid = \"crisis\"",
                "[policy]\nrepression = 0.3\n\n[[event]]\nid = \"crisis\"",
            ),
    );
    let e = d.write("ensemble.csv", ENSEMBLE);
    (a, b, e)
}

fn compare(
    a: &std::path::Path,
    b: &std::path::Path,
    e: &std::path::Path,
    out: &std::path::Path,
) -> std::process::Output {
    pact(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--ensemble",
        e.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn every_member_is_compared_and_the_folder_verifies() {
    let d = Dir::new();
    let (a, b, e) = setup(&d);
    let out = d.path("out");
    let o = compare(&a, &b, &e, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = std::fs::read_to_string(out.join("ensemble.csv")).unwrap();
    let members = std::fs::read_to_string(out.join("members.csv")).unwrap();
    let rows = table.lines().count() - 1;
    assert!(rows > 0);
    assert_eq!(
        members.lines().count() - 1,
        3 * rows,
        "three members × every row"
    );
    // The median effect lies within the members' 5–95% range; agreement is a share.
    for l in table.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (med, lo, hi, agree): (f64, f64, f64, f64) = (
            f[5].parse().unwrap(),
            f[6].parse().unwrap(),
            f[7].parse().unwrap(),
            f[9].parse().unwrap(),
        );
        if med.is_finite() {
            assert!(lo <= med && med <= hi, "{l}");
            assert!((0.0..=1.0).contains(&agree), "{l}");
            assert_eq!(f[10] == "true", agree == 1.0, "{l}");
        }
    }
    assert!(String::from_utf8_lossy(&o.stdout).contains("across members"));
    let v = pact(&["verify", out.to_str().unwrap()]);
    assert!(
        v.status.success(),
        "{}{}",
        String::from_utf8_lossy(&v.stdout),
        stderr(&v)
    );
    assert!(String::from_utf8_lossy(&v.stdout).contains("members.csv: identical"));
    let c = pact(&["cite", out.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&c.stdout).contains("over an ensemble of 3 members"),
        "{}",
        stderr(&c)
    );
    let r = pact(&["report", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(
        std::fs::read_to_string(out.join("report.html"))
            .unwrap()
            .contains("Effects across the ensemble")
    );
    // A tampered table is found.
    std::fs::write(
        out.join("ensemble.csv"),
        table.replacen(",true", ",false", 1) + "x\n",
    )
    .unwrap();
    let v = pact(&["verify", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
}

#[test]
fn a_member_is_the_scenario_with_its_values() {
    // A one-member ensemble at the scenario's own values gives the plain comparison's effects.
    let d = Dir::new();
    let (a, b, _) = setup(&d);
    let e = d.write("one.csv", "member,mechanisms.outrage_rate\n0,0.3\n");
    let out = d.path("ens");
    assert!(compare(&a, &b, &e, &out).status.success());
    let plain = d.path("plain");
    let o = pact(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p = std::fs::read_to_string(plain.join("compare.csv")).unwrap();
    let m = std::fs::read_to_string(out.join("members.csv")).unwrap();
    // members.csv is compare.csv with the member's index in front.
    for (pl, ml) in p.lines().skip(1).zip(m.lines().skip(1)) {
        assert_eq!(format!("0,{pl}"), ml);
    }
}

#[test]
fn bad_ensembles_are_refused_before_anything_runs() {
    let cases = [
        ("member,nope.key\n0,1\n", "member 0"),
        ("member,mechanisms.outrage_rate\n0,abc\n", "line 2"),
        ("id,mechanisms.outrage_rate\n0,1\n", "line 1"),
        ("member,mechanisms.outrage_rate\n0,-1\n", "member 0"),
    ];
    for (text, expect) in cases {
        let d = Dir::new();
        let (a, b, _) = setup(&d);
        let e = d.write("bad.csv", text);
        let out = d.path("out");
        let o = compare(&a, &b, &e, &out);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(expect) && stderr(&o).contains("bad.csv"),
            "{text}: {}",
            stderr(&o)
        );
        assert!(!out.exists());
    }
}

const TARGETS: &str = r#"
[[target]]
id = "real_wage"
source = "test"
statistic = "mean"
output = "real_wage"
from = "1921-01-03"
to = "1921-06-27"
band = [0.1, 0.3]
"#;

#[test]
fn validate_counts_the_members_passing_each_target_and_verifies() {
    let d = Dir::new();
    let (a, _, e) = setup(&d);
    let t = d.write("targets.toml", TARGETS);
    let out = d.path("val");
    let o = pact(&[
        "validate",
        a.to_str().unwrap(),
        "--targets",
        t.to_str().unwrap(),
        "--ensemble",
        e.to_str().unwrap(),
        "--replicates",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&o)
    );
    let table = std::fs::read_to_string(out.join("ensemble_validation.csv")).unwrap();
    let row: Vec<&str> = table.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[0], row[3]), ("real_wage", "3"));
    let passing: usize = row[4].parse().unwrap();
    let members = std::fs::read_to_string(out.join("members_validation.csv")).unwrap();
    assert_eq!(members.matches(",PASS").count(), passing);
    // Exit 1 exactly when some member fails.
    assert_eq!(o.status.code() == Some(0), passing == 3);
    let v = pact(&["verify", out.to_str().unwrap()]);
    assert!(
        v.status.success(),
        "{}{}",
        String::from_utf8_lossy(&v.stdout),
        stderr(&v)
    );
    let c = pact(&["cite", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&c.stdout).contains("over an ensemble of 3 members"));
    assert!(pact(&["report", out.to_str().unwrap()]).status.success());
}
