//! `pact validate`: the shipped baseline against its scale-robust patterns, a mechanism switched
//! off making a pattern fail, and every class of targets-file error.

use crate::support::*;

/// The shipped targets without the election patterns (which need workplaces at full size) and
/// the solidarity strikes under NEP (a handful in four years at the default scale: at 4,000
/// workers a sector has too few workplaces for one to strike while another is out) and the
/// week strikers peak (at 4,000 workers the hungry spring of 1921 is a few dozen workplaces'
/// strikes, and its highest week falls anywhere from March to May).
fn scale_robust_targets() -> String {
    let text = std::fs::read_to_string(scenario("targets.toml")).unwrap();
    let mut blocks = text.split("[[target]]");
    let head = blocks.next().unwrap().to_string();
    let kept: Vec<&str> = blocks
        .filter(|b| {
            !b.contains("statistic = \"election\"")
                && !b.contains("solidarity")
                && !b.contains("statistic = \"peak_date\"")
        })
        .collect();
    assert!(kept.len() >= 15);
    head + &kept
        .iter()
        .map(|b| format!("[[target]]{b}"))
        .collect::<String>()
}

fn validate(d: &Dir, scenario_path: &str, targets: &str, extra: &[&str]) -> std::process::Output {
    let t = d.write("targets.toml", targets);
    let out = d.path("val");
    let mut a = vec![
        "validate",
        scenario_path,
        "--targets",
        t.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--force",
    ];
    a.extend(extra);
    pact(&a)
}

#[test]
fn baseline_passes_its_scale_robust_patterns_and_writes_the_table_and_figures() {
    let d = Dir::new();
    let base = scenario("historical.toml");
    let o = validate(
        &d,
        base.to_str().unwrap(),
        &scale_robust_targets(),
        &["--scale", "4000", "--replicates", "2"],
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{}", stderr(&o));
    assert!(stdout.contains("| real_wage_1920 |") && stdout.contains("PASS"));
    let out = d.path("val");
    for f in [
        "validation.md",
        "validation.csv",
        "timeseries.csv",
        "manifest.json",
        "figures/real_wage_1925.svg",
        "figures/sr_trial_away.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("validation.csv")).unwrap();
    assert!(csv.starts_with(
        "id,statistic,band_min,band_max,median,p5,p95,pass,replicates,description,source\n"
    ));
    assert!(csv.lines().skip(1).all(|l| l.contains(",PASS,")), "{csv}");
    let svg = std::fs::read_to_string(out.join("figures/strikes_1920.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("<polyline") && svg.trim_end().ends_with("</svg>")
    );
}

#[test]
fn without_the_january_ration_cut_the_strike_peak_pattern_fails() {
    let d = Dir::new();
    let base = scenario("historical.toml");
    let s = d.write(
        "no_cut.toml",
        &format!(
            "extends = {:?}\n[[event]]\nid = \"transport_crisis\"\nenabled = false\n",
            base.display().to_string()
        ),
    );
    let targets: String = scale_robust_targets()
        .split("[[target]]")
        .filter(|b| b.contains("id = \"strike_") || !b.contains("id ="))
        .collect::<Vec<_>>()
        .join("[[target]]");
    let o = validate(
        &d,
        s.to_str().unwrap(),
        &targets,
        &["--scale", "4000", "--replicates", "2"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(stderr(&o).contains("patterns fail"));
}

/// A bad targets file: exit 2, one line with the file, line and key, nothing written.
fn check_bad(target: &str, needles: &[&str]) {
    let d = Dir::new();
    let tiny = d.write("tiny.toml", TINY);
    let o = validate(
        &d,
        tiny.to_str().unwrap(),
        &format!("[[target]]\n{target}"),
        &[],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in {err}");
    }
    assert!(!d.path("val").exists());
}

const HEAD: &str = "id = \"t\"\ndescription = \"d\"\nsource = \"s\"\n";

#[test]
fn unknown_output() {
    check_bad(
        &format!(
            "{HEAD}statistic = \"mean\"\noutput = \"wages\"\nfrom = \"1921-02-01\"\nto = \"1921-03-01\"\nband = [0.0, 1.0]\n"
        ),
        &[
            "targets.toml:6",
            "target `t`.output",
            "unknown output `wages`",
        ],
    );
}

#[test]
fn bad_window() {
    check_bad(
        &format!(
            "{HEAD}statistic = \"mean\"\noutput = \"real_wage\"\nfrom = \"1921-03-01\"\nto = \"1921-02-01\"\nband = [0.0, 1.0]\n"
        ),
        &["targets.toml:8", "target `t`.to", "empty"],
    );
    check_bad(
        &format!(
            "{HEAD}statistic = \"mean\"\noutput = \"real_wage\"\nfrom = \"1919-03-01\"\nto = \"1921-02-01\"\nband = [0.0, 1.0]\n"
        ),
        &["target `t`.from", "outside the run"],
    );
    check_bad(
        &format!(
            "{HEAD}statistic = \"value\"\noutput = \"real_wage\"\ndate = \"1921-13-01\"\nband = [0.0, 1.0]\n"
        ),
        &["target `t`.date", "not a date"],
    );
}

#[test]
fn band_min_above_max() {
    check_bad(
        &format!(
            "{HEAD}statistic = \"value\"\noutput = \"real_wage\"\ndate = \"1921-03-01\"\nband = [1.0, 0.5]\n"
        ),
        &["targets.toml:8", "target `t`.band", "greater than max"],
    );
}

#[test]
fn unknown_statistic_metric_and_key() {
    check_bad(
        &format!("{HEAD}statistic = \"median\"\noutput = \"real_wage\"\nband = [0.0, 1.0]\n"),
        &["target `t`.statistic", "unknown statistic"],
    );
    check_bad(
        &format!(
            "{HEAD}statistic = \"election\"\ndate = \"1921-04-18\"\nmetric = \"turnout\"\nband = [0.0, 1.0]\n"
        ),
        &["target `t`.metric", "unknown metric"],
    );
    check_bad(
        &format!(
            "{HEAD}statistic = \"value\"\noutput = \"real_wage\"\ndate = \"1921-03-01\"\nbands = [0.0, 1.0]\n"
        ),
        &["targets.toml", "unknown field `bands`"],
    );
}

#[test]
fn the_max_statistic_reads_the_largest_week() {
    let d = Dir::new();
    let base = scenario("historical.toml");
    let t = format!(
        "[[target]]\n{HEAD}statistic = \"max\"\noutput = \"real_wage\"\nfrom = \"1920-01-05\"\nto = \"1925-12-29\"\nband = [0.9, 2.0]\n"
    );
    let o = validate(
        &d,
        base.to_str().unwrap(),
        &t,
        &["--scale", "3000", "--replicates", "1"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    // The same window's mean is far lower: max really is the maximum.
    let t = t.replace("\"max\"", "\"mean\"");
    let o = validate(
        &d,
        base.to_str().unwrap(),
        &t,
        &["--scale", "3000", "--replicates", "1"],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_target_needs_its_source() {
    check_bad(
        "id = \"t\"\ndescription = \"d\"\nstatistic = \"value\"\noutput = \"real_wage\"\ndate = \"1921-03-01\"\nband = [0.0, 1.0]\n",
        &["target `t`.source", "missing"],
    );
}

#[test]
fn ablate_writes_the_matrix_and_verify_re_derives_it() {
    let d = Dir::new();
    let base = scenario("historical.toml");
    let s = d.write(
        "small.toml",
        &format!(
            "extends = \"{}\"\n[run]\nscale = 1000\nend = \"1921-12-31\"\n",
            base.display()
        ),
    );
    let targets = "[[target]]\nid = \"legit\"\ndescription = \"mean legitimacy, 1921\"\nsource = \"test\"\nstatistic = \"mean\"\noutput = \"legitimacy\"\nfrom = \"1921-01-01\"\nto = \"1921-12-31\"\nband = [0.0, 1.0]\n\n[[target]]\nid = \"fear\"\ndescription = \"mean fear, 1921\"\nsource = \"test\"\nstatistic = \"mean\"\noutput = \"fear\"\nfrom = \"1921-01-01\"\nto = \"1921-12-31\"\nband = [0.01, 1.0]\n";
    let o = validate(
        &d,
        s.to_str().unwrap(),
        targets,
        &["--replicates", "2", "--ablate"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = std::fs::read_to_string(d.path("val/ablation.csv")).unwrap();
    let n = pact::model::registry::Mechanism::ALL.len();
    // The full model, the null model and each mechanism off, each judged on both targets.
    assert_eq!(csv.lines().count(), 1 + 2 * (n + 2), "{csv}");
    assert!(csv.starts_with("variant,pattern,median,p05,p95,pass\n"));
    // Without deterrence fear stays 0: the fear target fails there and in the null model only.
    let fails: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains(",fear,") && l.ends_with("FAIL"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(fails, ["null", "no_deterrence"], "{csv}");
    let md = std::fs::read_to_string(d.path("val/ablation.md")).unwrap();
    assert!(md.contains("| no_deterrence | 1 |"), "{md}");
    assert!(md.contains("The null model passes 1 of 2: legit"), "{md}");
    let manifest = std::fs::read_to_string(d.path("val/manifest.json")).unwrap();
    assert!(manifest.contains("--ablate"), "{manifest}");
    let v = pact(&["verify", d.path("val").to_str().unwrap()]);
    let said = format!("{}{}", String::from_utf8_lossy(&v.stdout), stderr(&v));
    assert_eq!(v.status.code(), Some(0), "{said}");
    assert!(
        said.contains("ablation.csv") && said.contains("ablation.md"),
        "{said}"
    );
    assert!(!said.contains("not checked"), "{said}");
    // A matrix altered by hand is found out.
    let altered = csv.replacen("no_deterrence,fear", "no_outrage,fear", 1);
    std::fs::write(d.path("val/ablation.csv"), altered).unwrap();
    let v = pact(&["verify", d.path("val").to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1), "{}", stderr(&v));
}
