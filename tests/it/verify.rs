//! `pact verify` and `pact cite`: outputs re-derived from the manifest alone; run ids.

use crate::support::*;
use std::path::Path;

fn run_tiny(d: &Dir, out: &str, args: &[&str]) -> std::path::PathBuf {
    let s = d.write("tiny.toml", TINY);
    let p = d.path(out);
    let mut a = vec!["run", s.to_str().unwrap(), "--out", p.to_str().unwrap()];
    a.extend(args);
    let o = pact(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    p
}

fn verify(dir: &Path, extra: &[&str]) -> std::process::Output {
    pact(&[&["verify", dir.to_str().unwrap()], extra].concat())
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn fresh_outputs_verify() {
    let d = Dir::new();
    let r = run_tiny(&d, "run", &[]);
    let o = verify(&r, &[]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    for f in [
        "timeseries.csv: identical",
        "elections.csv: identical",
        "campaigns.csv: identical",
        "summary.json: identical",
        "manifest.json (run_id): identical",
    ] {
        assert!(out.contains(f), "{out}");
    }
    // A sample of replicates.
    let o = verify(&r, &["--sample", "1"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("summary.json: not checked"));
    // A compare folder (both runs and the comparison).
    let s = d.path("tiny.toml");
    let c = d.path("cmp");
    assert!(
        pact(&[
            "compare",
            s.to_str().unwrap(),
            s.to_str().unwrap(),
            "--out",
            c.to_str().unwrap()
        ])
        .status
        .success()
    );
    let o = verify(&c, &[]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("compare.csv: identical"));
    // A validate folder (run outputs, validation table and figures).
    let t = d.write("targets.toml", "[[target]]\nid = \"w\"\ndescription = \"d\"\nsource = \"s\"\nstatistic = \"mean\"\noutput = \"real_wage\"\nfrom = \"1921-01-03\"\nto = \"1921-06-01\"\nband = [0.0, 5.0]\n");
    let v = d.path("val");
    assert!(
        pact(&[
            "validate",
            s.to_str().unwrap(),
            "--targets",
            t.to_str().unwrap(),
            "--replicates",
            "2",
            "--out",
            v.to_str().unwrap()
        ])
        .status
        .success()
    );
    let o = verify(&v, &[]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("figures/w.svg: identical"));
}

#[test]
fn tampering_is_found() {
    let d = Dir::new();
    let r = run_tiny(&d, "run", &[]);
    let ts = std::fs::read_to_string(r.join("timeseries.csv")).unwrap();
    // One byte changed in row 5.
    let mut lines: Vec<String> = ts.lines().map(String::from).collect();
    lines[4] = lines[4].replacen(",1921-", ",1922-", 1);
    std::fs::write(r.join("timeseries.csv"), lines.join("\n") + "\n").unwrap();
    let o = verify(&r, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("timeseries.csv: different, first at line 5, column `date`"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // A row deleted.
    let r2 = run_tiny(&d, "run2", &[]);
    let el = std::fs::read_to_string(r2.join("elections.csv")).unwrap();
    let kept: Vec<&str> = el
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(r2.join("elections.csv"), kept.join("\n") + "\n").unwrap();
    let o = verify(&r2, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("elections.csv: different, first at line 3")
    );
    // The manifest's parameters edited.
    let r3 = run_tiny(&d, "run3", &[]);
    let m = std::fs::read_to_string(r3.join("manifest.json")).unwrap();
    let edited = m.replacen("\"repression\": 1.0", "\"repression\": 2.5", 1);
    assert_ne!(m, edited);
    std::fs::write(r3.join("manifest.json"), edited).unwrap();
    let o = verify(&r3, &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("manifest.json (run_id): false") && out.contains("timeseries.csv: different"),
        "{out}"
    );
}

#[test]
fn unusable_manifests_exit_2() {
    let d = Dir::new();
    let r = run_tiny(&d, "run", &[]);
    let m = std::fs::read_to_string(r.join("manifest.json")).unwrap();
    std::fs::write(r.join("manifest.json"), &m[..m.len() / 2]).unwrap();
    let o = verify(&r, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("malformed manifest"), "{}", stderr(&o));
    std::fs::write(
        r.join("manifest.json"),
        m.replacen(
            &format!("\"pact_version\": \"{}\"", pact::VERSION),
            "\"pact_version\": \"9.9.9\"",
            1,
        ),
    )
    .unwrap();
    let o = verify(&r, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pact 9.9.9"), "{}", stderr(&o));
    std::fs::remove_file(r.join("manifest.json")).unwrap();
    assert_eq!(verify(&r, &[]).status.code(), Some(2));
    assert_eq!(pact(&["cite", r.to_str().unwrap()]).status.code(), Some(2));
}

#[test]
fn run_id_depends_on_what_determines_results_only() {
    let d = Dir::new();
    let id = |p: &Path| manifest(p)["run_id"].as_str().unwrap().to_string();
    let a = run_tiny(&d, "a", &["--threads", "1"]);
    let b = run_tiny(&d, "elsewhere", &["--threads", "2"]);
    assert_eq!(id(&a), id(&b));
    let c = run_tiny(&d, "c", &["--seed", "6"]);
    assert_ne!(id(&a), id(&c));
    let e = run_tiny(&d, "e", &["--replicates", "3"]);
    assert_ne!(id(&a), id(&e));
    let s = d.write(
        "tiny_p.toml",
        &TINY.replace(
            "name = \"tiny\"",
            "name = \"tiny\"\n[policy]\nrepression = 1.1",
        ),
    );
    let f = d.path("f");
    assert!(
        pact(&["run", s.to_str().unwrap(), "--out", f.to_str().unwrap()])
            .status
            .success()
    );
    assert_ne!(id(&a), id(&f));
    let cite = pact(&["cite", a.to_str().unwrap()]);
    assert!(cite.status.success());
    let text = String::from_utf8_lossy(&cite.stdout);
    assert!(
        text.contains(&id(&a)[..16])
            && text.contains("@software{")
            && text.contains("pact run ")
            && text.contains(pact::VERSION),
        "{text}"
    );
}
