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

fn run_ensemble(
    a: &std::path::Path,
    e: &std::path::Path,
    out: &std::path::Path,
    threads: &str,
) -> std::process::Output {
    pact(&[
        "run",
        a.to_str().unwrap(),
        "--ensemble",
        e.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        threads,
    ])
}

#[test]
fn a_run_over_an_ensemble_summarises_members_and_verifies() {
    let d = Dir::new();
    let (a, _, e) = setup(&d);
    let (one, two) = (d.path("one"), d.path("two"));
    let o = run_ensemble(&a, &e, &one, "1");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(run_ensemble(&a, &e, &two, "2").status.success());
    let files = [
        "ensemble.md",
        "ensemble.csv",
        "members.csv",
        "series.csv",
        "figures/real_wage.svg",
        "figures/strikers.svg",
    ];
    for f in files {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} depends on the thread count"
        );
    }
    let table = std::fs::read_to_string(one.join("ensemble.csv")).unwrap();
    let rows = table.lines().count() - 1;
    assert!(rows > 0);
    let members = std::fs::read_to_string(one.join("members.csv")).unwrap();
    assert_eq!(members.lines().count() - 1, 3 * rows, "{members}");
    for l in table.lines().skip(1) {
        let f: Vec<f64> = l.split(',').skip(3).map(|x| x.parse().unwrap()).collect();
        let (med, p05, p95) = (f[0], f[1], f[2]);
        assert!(p05 <= med && med <= p95, "{l}");
    }
    // The members differ in the ration scale: the 1921 real wage differs between them.
    let wage: Vec<f64> = members
        .lines()
        .filter(|l| l.contains(",real_wage,1921-01-01..1921-07-01,"))
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(wage.len(), 3);
    assert!(wage[0] < wage[2], "{wage:?}");
    let svg = std::fs::read_to_string(one.join("figures/real_wage.svg")).unwrap();
    assert!(svg.contains("5–95% of members"), "{svg}");
    let v = pact(&["verify", one.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let c = pact(&["cite", one.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&c.stdout).contains("over an ensemble of 3 members"));
    let r = pact(&["report", one.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 6);
    // A tampered table is caught.
    std::fs::write(one.join("series.csv"), "date,output,median,p05,p95\n").unwrap();
    let v = pact(&["verify", one.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
}

#[test]
fn a_one_member_run_is_the_plain_runs_mean_over_replicates() {
    let d = Dir::new();
    let (a, _, _) = setup(&d);
    let e = d.write("one.csv", "member,mechanisms.outrage_rate\n0,0.3\n");
    let out = d.path("ens");
    assert!(run_ensemble(&a, &e, &out, "2").status.success());
    let plain = d.path("plain");
    assert!(
        pact(&["run", a.to_str().unwrap(), "--out", plain.to_str().unwrap()])
            .status
            .success()
    );
    let ts = std::fs::read_to_string(plain.join("timeseries.csv")).unwrap();
    let head: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    let (cw, cr) = (
        head.iter().position(|h| *h == "week").unwrap(),
        head.iter().position(|h| *h == "real_wage").unwrap(),
    );
    let mut by_week: std::collections::BTreeMap<usize, Vec<f64>> = Default::default();
    for l in ts.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        by_week
            .entry(f[cw].parse().unwrap())
            .or_default()
            .push(f[cr].parse().unwrap());
    }
    let series = std::fs::read_to_string(out.join("series.csv")).unwrap();
    let wage: Vec<f64> = series
        .lines()
        .filter(|l| l.contains(",real_wage,"))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(wage.len(), by_week.len());
    for (w, xs) in &by_week {
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!(
            (wage[*w] - mean).abs() < 1e-12,
            "week {w}: {} vs {mean}",
            wage[*w]
        );
    }
}

#[test]
fn a_run_over_a_bad_ensemble_is_refused_and_writes_nothing() {
    let d = Dir::new();
    let (a, _, _) = setup(&d);
    let e = d.write("bad.csv", "member,mechanisms.no_such_key\n0,0.3\n");
    let out = d.path("out");
    let o = run_ensemble(&a, &e, &out, "1");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.csv: member 0"), "{}", stderr(&o));
    assert!(!out.exists());
}
