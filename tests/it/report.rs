//! `pact report`: one self-contained page for every kind of output folder (every figure and
//! table there, nothing fetched from outside), the folder still verifying afterwards, bad
//! folders refused with nothing written, and the page opened in a real browser (headless
//! Chromium) when one is installed (`.ci/run` installs it and sets `PACT_REQUIRE_BROWSER`).

use crate::support::*;
use std::path::{Path, PathBuf};

const TARGETS: &str = r#"
[[target]]
id = "real_wage"
description = "real wage index, first half of 1921"
source = "test"
statistic = "mean"
output = "real_wage"
from = "1921-01-03"
to = "1921-06-27"
band = [0.1, 0.3]

[[target]]
id = "abstention"
description = "abstention, April 1921"
source = "test"
statistic = "election"
date = "1921-04-18"
class = "all"
metric = "abstention_share"
band = [0.0, 1.0]
"#;

const SWEEP: &str = r#"
base = "tiny.toml"
name = "tiny_sweep"
replicates = 2

[[parameter]]
key = "policy.repression"
values = [0.5, 1.0]

[[outcome]]
id = "strikers"
description = "mean strikers, first half of 1921"
statistic = "mean"
output = "strikers"
from = "1921-01-03"
to = "1921-06-27"
"#;

/// Runs `pact report DIR`, checks it succeeded, and returns the page.
fn report(dir: &Path) -> String {
    let o = pact(&["report", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(dir.join("report.html")).expect("report.html")
}

fn svgs_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "svg"))
                .count()
        })
        .unwrap_or(0)
}

/// What every page must be: a whole HTML document with no script and no outside reference,
/// its sections, and `figures` inline figures.
fn check_page(html: &str, figures: usize) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "@import", "url(",
    ] {
        assert!(!html.contains(banned), "the page holds {banned}");
    }
    for section in [
        "id=\"what\"",
        "id=\"reproduce\"",
        "id=\"cite\"",
        "pact verify",
        "@software{",
    ] {
        assert!(html.contains(section), "no {section}");
    }
    assert!(html.contains("@media print"), "no print styles");
    assert!(html.contains("name=\"viewport\""), "no phone layout");
    assert_eq!(html.matches("<figure>").count(), figures, "figures");
    assert_eq!(html.matches("<svg ").count(), figures, "inline SVGs");
}

#[test]
fn run_and_validate_folders_become_pages_that_still_verify() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let t = d.write("targets.toml", TARGETS);
    let run = d.path("run");
    let o = pact(&["run", s.to_str().unwrap(), "--out", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = report(&run);
    // A run's page draws its six headline figures from timeseries.csv.
    check_page(&html, 6);
    assert!(html.contains("pact run: tiny"));
    assert!(html.contains("transport crisis"), "the dated events");
    assert!(
        html.contains("Real wage index (1913 = 1)"),
        "the headline table"
    );
    // With --png, every figure of the page also as a PNG.
    let o = pact(&["report", run.to_str().unwrap(), "--png"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pngs: Vec<_> = std::fs::read_dir(run.join("png")).unwrap().collect();
    assert_eq!(pngs.len(), 6);
    let bytes = std::fs::read(run.join("png/strikers.png")).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    // The report is not one of the folder's outputs: the folder still verifies.
    let v = pact(&["verify", run.to_str().unwrap()]);
    assert!(v.status.success(), "{}", stderr(&v));

    let val = d.path("val");
    let o = pact(&[
        "validate",
        s.to_str().unwrap(),
        "--targets",
        t.to_str().unwrap(),
        "--out",
        val.to_str().unwrap(),
    ]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        stderr(&o)
    );
    let html = report(&val);
    check_page(&html, 6 + svgs_in(&val.join("figures")));
    assert!(html.contains("class=\"pass\"") || html.contains("class=\"fail\""));
    assert!(html.contains("Validation against the record"));
}

#[test]
fn compare_and_sweep_folders_become_pages() {
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let cmp = d.path("cmp");
    let o = pact(&[
        "compare",
        s.to_str().unwrap(),
        s.to_str().unwrap(),
        "--out",
        cmp.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = report(&cmp);
    check_page(&html, svgs_in(&cmp.join("figures")));
    assert!(html.contains("Paired differences"));

    let spec = d.write("sweep.toml", SWEEP);
    let sw = d.path("sw");
    let o = sweep(&spec, &sw, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = report(&sw);
    check_page(&html, svgs_in(&sw.join("figures")));
    assert!(html.contains("Medians by point"));
    assert!(html.contains("policy.repression"));
}

#[test]
fn a_folder_without_a_manifest_is_refused_and_nothing_is_written() {
    let d = Dir::new();
    let empty = d.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = pact(&["report", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("manifest.json"));
    assert!(!empty.join("report.html").exists());
    let odd = d.path("odd");
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(odd.join("manifest.json"), "{\"kind\": \"photo\"}").unwrap();
    let o = pact(&["report", odd.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(
        "allowed: run, run_ensemble, validate, validate_ensemble, compare, compare_ensemble, sweep, calibrate, sensitivity"
    ));
    assert!(!odd.join("report.html").exists());
}

/// Headless Chromium, if installed.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|n| Path::new("/usr/bin").join(n))
        .find(|p| p.exists())
}

#[test]
fn the_page_opens_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("PACT_REQUIRE_BROWSER").is_none(),
            "PACT_REQUIRE_BROWSER is set but no Chromium is installed"
        );
        eprintln!("skipped: no headless Chromium here (.ci/run installs it)");
        return;
    };
    let d = Dir::new();
    let s = d.write("tiny.toml", TINY);
    let run = d.path("run");
    let o = pact(&["run", s.to_str().unwrap(), "--out", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    report(&run);
    let url = format!("file://{}", run.join("report.html").display());
    let headless = |extra: &[&str]| {
        std::process::Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-dev-shm-usage",
                &format!("--user-data-dir={}", d.path("profile").display()),
            ])
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium")
    };
    // The DOM the browser built holds every figure and table, and nothing failed to load.
    let dom = headless(&["--dump-dom"]);
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.status.success(), "{}", stderr(&dom));
    assert_eq!(html.matches("<figure>").count(), 6, "figures in the DOM");
    assert!(html.matches("<table").count() >= 3, "tables in the DOM");
    let log = stderr(&dom);
    assert!(
        !log.contains("ERR_FILE_NOT_FOUND") && !log.contains("Uncaught"),
        "{log}"
    );
    // A phone-width screenshot renders.
    let png = d.path("page.png");
    let shot = headless(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=412,900",
    ]);
    assert!(shot.status.success(), "{}", stderr(&shot));
    let bytes = std::fs::read(&png).expect("screenshot");
    assert_eq!(&bytes[1..4], b"PNG");
    assert!(bytes.len() > 5_000, "an empty screenshot");
}
