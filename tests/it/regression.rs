//! One test per defect a hostile user found in pact 0.3.0, named after it, so that each stays
//! fixed (the numbers are those of the issue "Nothing silently wrong"). Each checks the exit
//! code, that the message is one line naming what is wrong, and that nothing was written.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Exit code 2, one line of stderr holding every needle.
fn refused(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
}

fn historical_child(d: &Dir, name: &str, body: &str) -> PathBuf {
    let base = scenario("historical.toml");
    d.write(
        name,
        &format!("extends = {:?}\n{body}", base.display().to_string()),
    )
}

fn run_to(s: &Path, out: &Path, extra: &[&str]) -> Output {
    pact(
        &[
            &["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()],
            extra,
        ]
        .concat(),
    )
}

// 1. A counterfactual that silently does nothing.

#[test]
fn r01_disabling_a_misspelt_event_is_an_error() {
    let d = Dir::new();
    let s = historical_child(
        &d,
        "c.toml",
        "[[event]]\nid = \"lenin_enrollment\"\nenabled = false\n",
    );
    let out = d.path("out");
    refused(
        &run_to(&s, &out, &[]),
        &[
            "c.toml:4",
            "event.lenin_enrollment.enabled",
            "not in the parent chain",
            "`lenin_enrolment`",
        ],
    );
    assert!(!out.exists());
}

#[test]
fn r01_changing_a_missing_event_is_an_error() {
    let d = Dir::new();
    let s = historical_child(&d, "c.toml", "[[event]]\nid = \"nepp\"\npurge = 0.1\n");
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &[
            "c.toml:3",
            "event.nepp",
            "(nearest: `nep`",
            "not in the parent chain",
        ],
    );
}

#[test]
fn r01_disabling_in_a_scenario_without_parent_is_an_error() {
    let d = Dir::new();
    let s = d.write(
        "c.toml",
        &format!("{TINY}\n[[event]]\nid = \"crisis2\"\nenabled = false\n"),
    );
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &["c.toml", "event.crisis2.enabled", "extends none"],
    );
}

#[test]
fn r01_duplicate_event_ids_in_one_file_are_an_error() {
    let d = Dir::new();
    let text = format!("{TINY}\n[[event]]\nid = \"crisis\"\ndate = \"1921-05-02\"\n");
    let lines: Vec<&str> = text.lines().collect();
    let second = lines.iter().rposition(|l| *l == "id = \"crisis\"").unwrap() + 1;
    let s = d.write("c.toml", &text);
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &[
            &format!("c.toml:{second}"),
            "event.crisis.id",
            "names two events",
        ],
    );
}

#[test]
fn r01_a_correct_event_override_still_works() {
    let d = Dir::new();
    let s = historical_child(
        &d,
        "c.toml",
        "[[event]]\nid = \"lenin_enrolment\"\nenabled = false\n[[event]]\nid = \"nep\"\nlabel = \"relabelled\"\n",
    );
    let res = pact::scenario::load(&s).unwrap();
    assert!(
        res.scenario
            .events
            .iter()
            .all(|e| e.id != "lenin_enrolment")
    );
    let nep = res.scenario.events.iter().find(|e| e.id == "nep").unwrap();
    assert_eq!(nep.label, "relabelled");
    assert_eq!(nep.date, "1921-03-21");
}

// 2. Two [[parameter]] blocks with the same key.

const SWEEP_HEAD: &str = "base = \"tiny.toml\"\nreplicates = 1\n";
const SWEEP_OUTCOME: &str = "\n[[outcome]]\nid = \"strikers\"\nstatistic = \"mean\"\noutput = \"strikers\"\nfrom = \"1921-01-03\"\nto = \"1921-06-27\"\n";

fn sweep_file(d: &Dir, params: &str) -> PathBuf {
    d.write("tiny.toml", TINY);
    d.write(
        "sweep.toml",
        &format!("{SWEEP_HEAD}{params}{SWEEP_OUTCOME}"),
    )
}

#[test]
fn r02_sweep_with_a_key_varied_twice_is_an_error() {
    let d = Dir::new();
    let spec = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [0.5]\n[[parameter]]\nkey = \"policy.repression\"\nvalues = [2.0]\n",
    );
    let out = d.path("out");
    refused(
        &sweep(&spec, &out, &[]),
        &["sweep.toml:7", "policy.repression", "varied twice"],
    );
    assert!(!out.exists());
}

// 3. compare of finished runs made at different settings.

#[test]
fn r03_compare_of_runs_at_different_scales_is_an_error() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let (a, b) = (d.path("a"), d.path("b"));
    assert!(run_to(&s, &a, &[]).status.success());
    assert!(run_to(&s, &b, &["--scale", "2000"]).status.success());
    let out = d.path("cmp");
    let o = pact(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    refused(&o, &["run.scale differs", "1000 vs 2000"]);
    assert!(!out.exists());
}

// 4. One replicate: no NaN, no "100%".

#[test]
fn r04_compare_with_one_replicate_prints_no_nan() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let out = d.path("cmp");
    let o = pact(&[
        "compare",
        s.to_str().unwrap(),
        s.to_str().unwrap(),
        "--replicates",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(!table.contains("NaN") && !table.contains("100%"), "{table}");
    assert!(table.contains("need at least 2 replicates"), "{table}");
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(!csv.contains("NaN"), "{csv}");
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!((f[5], f[6], f[7]), ("", "", ""), "{line}");
    }
    assert!(
        !std::fs::read_to_string(out.join("compare.md"))
            .unwrap()
            .contains("NaN")
    );
}

// 5. verify trusts the manifest's own claims.

#[test]
fn r05_verify_finds_edited_manifest_claims() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    for (field, from, to) in [
        ("master_seed", "\"master_seed\": 5", "\"master_seed\": 6"),
        ("replicates", "\"replicates\": 2", "\"replicates\": 20"),
        (
            "scenario_name",
            "\"scenario_name\": \"tiny\"",
            "\"scenario_name\": \"big\"",
        ),
        (
            "reproduce",
            "--seed 5 --replicates 2",
            "--seed 7 --replicates 2",
        ),
    ] {
        let r = d.path(field);
        assert!(run_to(&s, &r, &[]).status.success());
        let m = std::fs::read_to_string(r.join("manifest.json")).unwrap();
        let edited = m.replacen(from, to, 1);
        assert_ne!(m, edited, "{field}");
        std::fs::write(r.join("manifest.json"), edited).unwrap();
        let o = pact(&["verify", r.to_str().unwrap()]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{field}: {out}");
        assert!(
            out.contains(&format!("manifest.json ({field}): false")),
            "{field}: {out}"
        );
    }
}

#[test]
fn r05_verify_sample_zero_is_an_error_and_counts_only_checked_files() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let r = d.path("r");
    assert!(run_to(&s, &r, &[]).status.success());
    refused(
        &pact(&["verify", r.to_str().unwrap(), "--sample", "0"]),
        &["--sample 0", "1 or more"],
    );
    let o = pact(&["verify", r.to_str().unwrap(), "--sample", "1"]);
    assert!(o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("not checked") && !err.contains("all "),
        "{err}"
    );
    // More than the replicates: all of them are re-run, and every file is checked.
    let o = pact(&["verify", r.to_str().unwrap(), "--sample", "9"]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("all "), "{}", stderr(&o));
}

// 6. A sweep that panics at its second value after writing.

#[test]
fn r06_sweep_checks_every_value_before_writing() {
    let cases = [
        (
            "out of range",
            "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, 25.0]\n",
            "25",
        ),
        (
            "grid past the range",
            "[[parameter]]\nkey = \"policy.markets\"\nfrom = 0.5\nto = 1.5\nstep = 0.5\n",
            "1.5",
        ),
        (
            "LHS past the range",
            "[[parameter]]\nkey = \"policy.markets\"\nfrom = 0.5\nto = 1.5\n[lhs]\nsamples = 4\n",
            "1.5",
        ),
        (
            "mixed types",
            "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, \"high\"]\n",
            "high",
        ),
        (
            "unknown enum value",
            "[[parameter]]\nkey = \"policy.regime\"\nvalues = [\"nep\", \"anarchy\"]\n",
            "anarchy",
        ),
        (
            "event date outside the run",
            "[[parameter]]\nkey = \"event.crisis.date\"\nvalues = [\"1921-02-01\", \"1930-01-01\"]\n",
            "1930",
        ),
        (
            "run.replicates",
            "[[parameter]]\nkey = \"run.replicates\"\nvalues = [1, 0]\n",
            "run.replicates cannot be varied",
        ),
        (
            "values admissible alone, not together",
            "[[parameter]]\nkey = \"workplaces.large_share\"\nvalues = [0.55, 0.9]\n",
            "workplaces.large_share",
        ),
    ];
    for (what, params, needle) in cases {
        let d = Dir::new();
        let spec = sweep_file(&d, params);
        let out = d.path("out");
        let o = sweep(&spec, &out, &[]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
        assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{what}");
        assert!(stderr(&o).contains(needle), "{what}: {}", stderr(&o));
        assert!(!out.exists(), "{what}: the output folder was created");
    }
}

#[test]
fn r06_a_refused_sweep_does_not_poison_its_folder() {
    let d = Dir::new();
    let bad = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, 25.0]\n",
    );
    let out = d.path("out");
    assert_eq!(sweep(&bad, &out, &[]).status.code(), Some(2));
    let good = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, 2.0]\n",
    );
    let o = sweep(&good, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("results.csv").is_file());
}

// 7. cite panics on a non-hex run id; manifests read back are untrusted.

#[test]
fn r07_cite_of_a_malformed_manifest_is_an_error() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let r = d.path("r");
    assert!(run_to(&s, &r, &[]).status.success());
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.join("manifest.json")).unwrap()).unwrap();
    for (key, value) in [
        ("run_id", serde_json::json!("€€€€€€€€€€€€€€€€€€€€€€")),
        ("run_id", serde_json::json!(12)),
        ("scenario_name", serde_json::json!("../../x")),
        ("master_seed", serde_json::json!("five")),
        ("kind", serde_json::json!("party")),
        ("reproduce", serde_json::json!("pact run\nrm -rf /")),
    ] {
        let mut bad = m.clone();
        bad[key] = value;
        std::fs::write(r.join("manifest.json"), bad.to_string()).unwrap();
        let o = pact(&["cite", r.to_str().unwrap()]);
        refused(&o, &["manifest.json", key]);
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn r07_cite_names_authors_and_year() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let r = d.path("r");
    assert!(run_to(&s, &r, &[]).status.success());
    let o = pact(&["cite", r.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("author = {{The pact developers}}")
            && text.contains(&format!("year = {{{}}}", pact::RELEASE_YEAR)),
        "{text}"
    );
}

// 8. No upper bounds.

#[test]
fn r08_huge_numbers_are_out_of_range() {
    for (table, key, value) in [
        ("population", "represented_workers", "1e300"),
        ("population", "party_in_administration", "1e13"),
        ("population", "population_1917", "1e300"),
        ("population", "officials", "1e300"),
        ("policy", "officials_per_output", "1e300"),
    ] {
        let d = Dir::new();
        let s = d.write("c.toml", &format!("{TINY}\n[{table}]\n{key} = {value}\n"));
        let out = d.path("out");
        refused(
            &run_to(&s, &out, &[]),
            &[&format!("{table}.{key}"), "out of range; allowed"],
        );
        assert!(!out.exists());
    }
}

#[test]
fn r08_a_huge_sweep_grid_is_refused_before_it_is_built() {
    let d = Dir::new();
    let spec = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [0.5, 1.0, 2.0]\n[[parameter]]\nkey = \"policy.markets\"\nfrom = 0.0\nto = 1.0\nstep = 0.0001\n[[parameter]]\nkey = \"policy.ration_share\"\nfrom = 0.0\nto = 1.0\nstep = 0.0001\n",
    );
    let out = d.path("out");
    refused(&sweep(&spec, &out, &[]), &["points", "allowed: at most"]);
    assert!(!out.exists());
}

// 10. The scenario name used as a path.

#[test]
fn r10_a_scenario_name_that_is_a_path_is_an_error() {
    let d = Dir::new();
    let results = d.path("results");
    std::fs::create_dir(&results).unwrap();
    std::fs::write(results.join("keep.txt"), "precious").unwrap();
    let before = snapshot(d.dir.path());
    for name in ["", "../x", "/tmp/abs", "a/b", "..", "a b"] {
        let s = d.write(
            "n.toml",
            &TINY.replace("name = \"tiny\"", &format!("name = {name:?}")),
        );
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_pact"))
            .args(["run", s.to_str().unwrap(), "--force"])
            .current_dir(d.dir.path())
            .output()
            .unwrap();
        refused(&o, &["n.toml:2", "key `name`", "is not a name"]);
    }
    std::fs::remove_file(d.path("n.toml")).unwrap();
    assert_eq!(snapshot(d.dir.path()), before);
}

#[test]
fn r10_a_file_name_that_is_no_name_needs_a_name_key() {
    let d = Dir::new();
    let s = d.write("my scenario.toml", &TINY.replace("name = \"tiny\"", ""));
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &["my scenario.toml", "is not a name", "name = "],
    );
}

// 11. Names in manifests and ids in targets are paths.

#[test]
fn r11_compare_refuses_a_manifest_name_that_is_a_path() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let (a, b) = (d.path("w/a"), d.path("w/b"));
    assert!(run_to(&s, &a, &[]).status.success());
    assert!(run_to(&s, &b, &[]).status.success());
    let m = std::fs::read_to_string(b.join("manifest.json")).unwrap();
    std::fs::write(
        b.join("manifest.json"),
        m.replacen(
            "\"scenario_name\": \"tiny\"",
            "\"scenario_name\": \"../../x\"",
            1,
        ),
    )
    .unwrap();
    let before = snapshot(d.dir.path());
    let out = d.path("w/cmp");
    let o = pact(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    refused(&o, &["scenario_name", "is not a name"]);
    assert_eq!(snapshot(d.dir.path()), before);
}

#[test]
fn r11_target_ids_are_names() {
    for id in ["../evil", "a/b", "a,b", ""] {
        let d = Dir::new();
        let s = d.write("tiny.toml", TINY);
        let t = d.write(
            "t.toml",
            &format!(
                "[[target]]\nid = {id:?}\ndescription = \"x\"\nsource = \"y\"\nstatistic = \"mean\"\noutput = \"strikers\"\nfrom = \"1921-01-03\"\nto = \"1921-06-27\"\nband = [0, 1]\n"
            ),
        );
        let out = d.path("v");
        let o = pact(&[
            "validate",
            s.to_str().unwrap(),
            "--targets",
            t.to_str().unwrap(),
            "--replicates",
            "1",
            "--out",
            out.to_str().unwrap(),
        ]);
        refused(&o, &["t.toml:2", "is not a name"]);
        assert!(!out.exists() && !d.path("evil.svg").exists());
    }
}

// 12. --force replaces what is not pact's; temporaries left for ever.

#[test]
fn r12_force_does_not_replace_a_file_or_a_folder_pact_did_not_write() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let file = d.write("precious.txt", "precious");
    let folder = d.path("mine");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("thesis.tex"), "chapter 1").unwrap();
    let before = snapshot(d.dir.path());
    refused(
        &run_to(&s, &file, &["--force"]),
        &["precious.txt", "is a file"],
    );
    refused(
        &run_to(&s, &folder, &["--force"]),
        &["mine", "not an output folder of pact"],
    );
    assert_eq!(snapshot(d.dir.path()), before);
}

#[test]
fn r12_stale_temporaries_of_a_killed_run_are_cleaned() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    // What `kill -9` during the final write leaves: a temporary of a process that is gone.
    let dead = 4_000_000; // above Linux's largest process id
    let stale = d.path(&format!(".out.tmp-{dead}"));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("timeseries.csv"), "half").unwrap();
    // And one of a live process (this test), which must be left alone.
    let live = d.path(&format!(".out.tmp-{}", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    assert!(run_to(&s, &d.path("out"), &[]).status.success());
    assert!(!stale.exists(), "the stale temporary was kept");
    assert!(live.exists(), "a live process's temporary was removed");
}

// 13. Arguments checked only after work or writes.

#[test]
fn r13_sweep_with_zero_threads_writes_nothing() {
    let d = Dir::new();
    let spec = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, 2.0]\n",
    );
    let out = d.path("out");
    refused(
        &sweep(&spec, &out, &["--threads", "0"]),
        &["--threads", "allowed 1 to"],
    );
    assert!(!out.exists());
    refused(
        &sweep(&spec, &out, &["--threads", "100000"]),
        &["--threads: 100000", "allowed 1 to"],
    );
}

#[test]
fn r13_compare_checks_its_output_folder_before_simulating() {
    // At this size the simulation would take hours: the test ends only if --out is checked first.
    let d = Dir::new();
    let s = d.write(
        "big.toml",
        &TINY
            .replace("scale = 1000", "scale = 5000000")
            .replace("replicates = 2", "replicates = 5000"),
    );
    let out = d.path("out");
    std::fs::create_dir(&out).unwrap();
    let o = pact(&[
        "compare",
        s.to_str().unwrap(),
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    refused(&o, &["already exists", "--force"]);
}

// 14. A sweep identified by its path.

#[test]
fn r14_a_sweep_is_identified_by_its_content_not_its_path() {
    let d = Dir::new();
    let spec = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, 2.0]\n",
    );
    let out = d.path("out");
    let o = pact(&[
        "sweep",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--stop-after",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Resumed through another spelling of the same file, from its folder.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pact"))
        .args(["sweep", "./sweep.toml", "--out", out.to_str().unwrap()])
        .current_dir(d.dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // Verified and merged from another working directory, with the sweep file gone.
    std::fs::remove_file(&spec).unwrap();
    std::fs::remove_file(d.path("tiny.toml")).unwrap();
    let elsewhere = Dir::new();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pact"))
        .args(["verify", out.to_str().unwrap()])
        .current_dir(elsewhere.dir.path())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
}

// 15. Two sweeps on one folder.

#[test]
fn r15_a_second_sweep_on_the_same_slice_is_refused_while_the_first_holds_it() {
    let d = Dir::new();
    let spec = sweep_file(
        &d,
        "[[parameter]]\nkey = \"policy.repression\"\nvalues = [1.0, 2.0]\n",
    );
    let out = d.path("out");
    std::fs::create_dir(&out).unwrap();
    // The first process's lock, held here.
    let held = pact::output::lock(&out.join(".records.csv.lock")).unwrap();
    let o = sweep(&spec, &out, &[]);
    refused(&o, &["in use by process", &std::process::id().to_string()]);
    assert!(!out.join("records.csv").exists());
    drop(held);
    assert!(sweep(&spec, &out, &[]).status.success());
}

// 17. Messages.

#[test]
fn r17_a_missing_targets_file_is_named_as_such() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let o = pact(&[
        "validate",
        s.to_str().unwrap(),
        "--out",
        d.path("v").to_str().unwrap(),
    ]);
    refused(
        &o,
        &["targets.toml", "cannot read the targets file", "--targets"],
    );
}

#[test]
fn r17_a_bad_event_field_names_the_event_and_its_line() {
    let d = Dir::new();
    let s = historical_child(
        &d,
        "c.toml",
        "[[event]]\nid = \"lenin_enrolment\"\npurge = 2.0\n",
    );
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &["c.toml:4", "event.lenin_enrolment.purge", "allowed 0 to 1"],
    );
}

#[test]
fn r17_an_event_without_a_date_says_so() {
    let d = Dir::new();
    let s = d.write(
        "c.toml",
        &format!("{TINY}\n[[event]]\nid = \"strike\"\nlabel = \"x\"\n"),
    );
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &["event.strike", "has no date", "YYYY-MM-DD"],
    );
}

#[test]
fn r17_an_unquoted_date_says_dates_are_quoted() {
    let d = Dir::new();
    let s = d.write("c.toml", "[run]\nstart = 1920-01-05\n");
    refused(
        &run_to(&s, &d.path("out"), &[]),
        &["c.toml:2", "run.start", "dates are quoted strings"],
    );
}

#[test]
fn r17_out_under_a_file_is_named() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let f = d.write("f", "a file");
    refused(
        &run_to(&s, &f.join("out"), &[]),
        &["is a file, not a folder"],
    );
}

#[test]
fn r17_compare_with_a_missing_folder_names_it() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let r = d.path("r");
    assert!(run_to(&s, &r, &[]).status.success());
    let o = pact(&[
        "compare",
        r.to_str().unwrap(),
        d.path("gone").to_str().unwrap(),
    ]);
    refused(&o, &["gone", "no such file or folder"]);
}

#[test]
fn r17_bad_targets_files_are_refused() {
    let target = |extra: &str| {
        format!("[[target]]\nid = \"t\"\ndescription = \"x\"\nsource = \"y\"\n{extra}\n")
    };
    for (what, text, needle) in [
        (
            "NaN band",
            target(
                "statistic = \"mean\"\noutput = \"strikers\"\nfrom = \"1921-01-03\"\nto = \"1921-06-27\"\nband = [nan, 1.0]",
            ),
            "not NaN",
        ),
        (
            "election without an election",
            target(
                "statistic = \"election\"\ndate = \"1921-03-07\"\nmetric = \"abstention_share\"\nband = [0, 1]",
            ),
            "no soviet election",
        ),
        (
            "campaign without that campaign",
            target(
                "statistic = \"campaign\"\ncampaign = \"church_valuables\"\ndate = \"1921-04-18\"\nmetric = \"share_for\"\nband = [0, 1]",
            ),
            "no church_valuables campaign",
        ),
        ("no targets", "target = []\n".to_string(), "no targets"),
    ] {
        let d = Dir::new();
        let s = d.write("tiny.toml", TINY);
        let t = d.write("t.toml", &text);
        let out = d.path("v");
        let o = pact(&[
            "validate",
            s.to_str().unwrap(),
            "--targets",
            t.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{what}: {}", stderr(&o));
        assert!(!out.exists(), "{what}");
    }
}

// 9. Memory grew with replicates: `pact run` now streams them to its files.

#[test]
fn r09_streamed_run_writes_the_bytes_of_the_run_held_in_memory() {
    let res = load_text(&TINY.replace("replicates = 2", "replicates = 5"));
    let seeds =
        pact::experiment::run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let env = pact::output::Environment {
        threads: 1,
        platform: "test".into(),
        command: vec!["pact".into()],
    };
    let prov = pact::output::Provenance {
        kind: "run".into(),
        reproduce: pact::output::reproduce_command("run", &res, ""),
        inputs: Vec::new(),
    };
    let runs = pact::experiment::run::run_all(&res, &|_| {});
    let held = pact::output::run_outputs(&res, &seeds, &runs, &env, &prov);
    let d = Dir::new();
    let out = d.path("out");
    let mut w = pact::output::RunWriter::create(&res, &seeds, &out, false).unwrap();
    pact::experiment::run::run_each(&res, &|_| {}, |_, run| w.push(&run)).unwrap();
    w.finish(&env, &prov).unwrap();
    for (name, text) in &held {
        assert_eq!(
            &std::fs::read_to_string(out.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
    let written = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(written, held.len());
}

#[test]
fn r09_commands_that_hold_every_replicate_refuse_more_than_they_can_keep() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let o = pact(&[
        "validate",
        s.to_str().unwrap(),
        "--replicates",
        "100000",
        "--out",
        d.path("v").to_str().unwrap(),
    ]);
    refused(
        &o,
        &["--replicates: 100000", "pact validate", "allowed 1 to 5000"],
    );
    let o = pact(&[
        "compare",
        s.to_str().unwrap(),
        s.to_str().unwrap(),
        "--replicates",
        "5001",
        "--out",
        d.path("c").to_str().unwrap(),
    ]);
    refused(&o, &["--replicates: 5001", "pact compare"]);
}
