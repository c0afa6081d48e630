//! `pact run` end to end on a tiny scenario.

use crate::support::*;

#[test]
fn run_writes_every_output_with_documented_columns() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let out = d.path("out");
    let o = pact(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Not a terminal: no progress bar, one closing line.
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    for f in [
        "timeseries.csv",
        "elections.csv",
        "campaigns.csv",
        "summary.json",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    let mut expected = vec!["replicate", "seed", "week", "date"];
    expected.extend(pact::model::record::WeekRecord::COLUMNS);
    assert_eq!(header, expected);
    // 2 replicates × 26 weeks.
    assert_eq!(ts.lines().count(), 1 + 2 * 26);
    assert!(ts.lines().nth(1).unwrap().starts_with("0,"));
    assert!(ts.lines().nth(2).unwrap().contains(",1921-01-10,"));
    let el = std::fs::read_to_string(out.join("elections.csv")).unwrap();
    assert_eq!(
        el.lines().next().unwrap(),
        pact::output::ELECTION_COLUMNS.join(",")
    );
    // One election × (3 size classes + institutional delegates) × 2 replicates.
    assert_eq!(el.lines().count(), 1 + 8);
    for class in ["large_factory", "small_workplace", "office", "institutions"] {
        assert!(el.contains(class), "{class}");
    }
    let ca = std::fs::read_to_string(out.join("campaigns.csv")).unwrap();
    assert_eq!(
        ca.lines().next().unwrap(),
        pact::output::CAMPAIGN_COLUMNS.join(",")
    );
    assert_eq!(ca.lines().count(), 1 + 6);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let band = &summary["1921-02-28"]["real_wage"];
    assert!(band["p5"].as_f64().unwrap() <= band["median"].as_f64().unwrap());
    assert!(band["median"].as_f64().unwrap() <= band["p95"].as_f64().unwrap());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["pact_version"], pact::VERSION);
    assert_eq!(manifest["master_seed"], 5);
    assert_eq!(manifest["replicate_seeds"].as_array().unwrap().len(), 2);
    assert_eq!(
        manifest["replicate_seeds"][1],
        pact::model::rng::replicate_seed(5, 1)
    );
    assert!(
        manifest["scenario_files"][0]["text"]
            .as_str()
            .unwrap()
            .contains("name = \"tiny\"")
    );
    let hash = pact::output::sha256_hex(ts.as_bytes());
    assert!(
        manifest["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o[0] == "timeseries.csv" && o[1] == hash.as_str())
    );
}

#[test]
fn existing_output_is_kept_without_force_and_replaced_with_it() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let out = d.path("out");
    let first = pact(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    std::fs::write(out.join("keep.txt"), "precious").unwrap();
    let o = pact(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "precious"
    );
    let o = pact(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--force",
        "--replicates",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("timeseries.csv").is_file());
    // No temporary folders left beside it.
    let left: Vec<_> = std::fs::read_dir(d.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn default_output_folder_is_results_slash_name() {
    let d = Dir::new();
    d.write("tiny.toml", TINY);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pact"))
        .current_dir(d.dir.path())
        .args(["run", "tiny.toml", "--replicates", "1"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.path("results/tiny/timeseries.csv").is_file());
}

#[test]
fn help_lists_the_options() {
    let o = pact(&["run", "--help"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for opt in [
        "--seed",
        "--replicates",
        "--threads",
        "--out",
        "--force",
        "--scale",
    ] {
        assert!(text.contains(opt), "{opt}");
    }
}
