//! One page builder per kind of folder.

use super::*;

pub(super) fn run_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let params = &m["resolved_parameters"];
    let name = m["scenario_name"]
        .as_str()
        .unwrap_or("scenario")
        .to_string();
    let validate = m["kind"] == "validate";
    let mut page = Page::new(format!(
        "pact {}: {name}",
        if validate { "validation" } else { "run" }
    ));
    let lede = m["scenario_files"][0]["text"]
        .as_str()
        .map(question)
        .unwrap_or_default();
    page.section("what", "What was run", what_was_run(m, params, &[]));
    if let Some(md) = read(dir, "validation.md") {
        page.section("validation", "Validation against the record", markdown(&md));
    }
    if let Some(md) = read(dir, "ablation.md") {
        page.section(
            "ablation",
            "What carries each pattern (ablation)",
            markdown(&md),
        );
    }
    page.section(
        "headline",
        "Headline results",
        read(dir, "summary.json")
            .map(|s| headline(&s))
            .unwrap_or_default(),
    );
    let seeds = m["replicates"].as_u64().unwrap_or(0) as usize;
    let note = svg::provenance(
        &name,
        seeds,
        m["master_seed"].as_u64().unwrap_or(0),
        m["run_id"].as_str().unwrap_or(""),
    );
    let mut figs = run_figures(dir, &name, &note);
    figs.push_str(&figures_in(dir, "figures"));
    page.section("figures", "Figures", figs);
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&lede))
}

pub(super) fn compare_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let (a, b) = (
        m["a"].as_str().unwrap_or("A").to_string(),
        m["b"].as_str().unwrap_or("B").to_string(),
    );
    let mut page = Page::new(format!("pact comparison: {a} (A) and {b} (B)"));
    let mut lede = String::new();
    let (fa, fb) = crate::experiment::compare::run_folders(&a, &b);
    let mut what = String::new();
    for (tag, name, sub) in [("A", &a, &fa), ("B", &b, &fb)] {
        let Ok(sm) = read_manifest(&dir.join(sub)) else {
            continue;
        };
        if tag == "B" {
            lede = sm["scenario_files"][0]["text"]
                .as_str()
                .map(question)
                .unwrap_or_default();
        }
        let _ = write!(
            what,
            "<h3>{tag}: {} (folder <code>{}</code>)</h3>\n{}",
            esc(name),
            esc(sub),
            what_was_run(&sm, &sm["resolved_parameters"], &[])
        );
    }
    page.section("what", "What was run", what);
    if let Some(md) = read(dir, "compare.md") {
        page.section("headline", "Paired differences (B − A)", markdown(&md));
    }
    page.section("figures", "Figures", figures_in(dir, "figures"));
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&lede))
}

pub(super) fn sweep_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let name = m["sweep_name"].as_str().unwrap_or("sweep");
    let mut page = Page::new(format!("pact sweep: {name}"));
    let text = m["sweep_file"].as_str().unwrap_or("");
    let num = |v: &Value| v.as_u64().map(|x| x.to_string()).unwrap_or_default();
    let keys: Vec<&str> = m["keys"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut what = facts(&[
        ("sweep", name.to_string()),
        ("parameters varied", keys.join(", ")),
        ("runs", num(&m["runs"])),
        ("replicates per point", num(&m["replicates"])),
        ("master seed", num(&m["master_seed"])),
        (
            "pact version",
            m["pact_version"].as_str().unwrap_or("").into(),
        ),
        ("sweep id", m["sweep_id"].as_str().unwrap_or("").into()),
    ]);
    let _ = write!(
        what,
        "<details><summary>Sweep file</summary>\n<pre>{}</pre>\n</details>\n",
        esc(text)
    );
    page.section("what", "What was run", what);
    if let Some(csv) = read(dir, "results.csv") {
        page.section("headline", "Medians by point", point_medians(&csv));
    }
    page.section("figures", "Figures", figures_in(dir, "figures"));
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&question(text)))
}

/// From a sweep's `results.csv`: each point's varied values and each outcome's median.
fn point_medians(csv: &str) -> String {
    let mut lines = csv.lines();
    let header = split_csv(lines.next().unwrap_or(""));
    let (Some(oi), Some(vi)) = (
        header.iter().position(|h| h == "outcome"),
        header.iter().position(|h| h == "value"),
    ) else {
        return String::new();
    };
    // Columns between `seed` and `outcome` are the varied parameters.
    let keys = &header[4..oi];
    let mut outcomes: Vec<String> = Vec::new();
    // Each point: its varied values, and (outcome, value) of each of its runs.
    type Point = (Vec<String>, Vec<(String, f64)>);
    let mut points: std::collections::BTreeMap<usize, Point> = Default::default();
    for line in lines {
        let f = split_csv(line);
        let (Ok(p), Some(o), Some(v)) = (f[1].parse::<usize>(), f.get(oi), f.get(vi)) else {
            continue;
        };
        if !outcomes.contains(o) {
            outcomes.push(o.clone());
        }
        let e = points
            .entry(p)
            .or_insert_with(|| (f[4..oi].to_vec(), Vec::new()));
        e.1.push((o.clone(), v.parse().unwrap_or(f64::NAN)));
    }
    let mut s = String::from("<table>\n<tr><th>point</th>");
    for k in keys.iter().chain(&outcomes) {
        let _ = write!(s, "<th>{}</th>", esc(k));
    }
    s.push_str("</tr>\n");
    for (p, (vals, obs)) in points.iter().take(200) {
        let _ = write!(s, "<tr><td class=\"num\">{p}</td>");
        for v in vals {
            let _ = write!(s, "<td class=\"num\">{}</td>", esc(v));
        }
        for o in &outcomes {
            let xs: Vec<f64> = obs.iter().filter(|x| &x.0 == o).map(|x| x.1).collect();
            let med = crate::output::summary::quantile(&xs, 0.5);
            // Peak dates are fractional years: show them as dates.
            let shown = if (1900.0..2000.0).contains(&med) && med.fract() != 0.0 {
                Date::from_year_fraction(med).to_string()
            } else {
                svg::number(med)
            };
            let _ = write!(s, "<td class=\"num\">{}</td>", esc(&shown));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

pub(super) fn calibrate_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let path = m["calibration_path"].as_str().unwrap_or("");
    let text = m["calibration_file"].as_str().unwrap_or("");
    let mut page = Page::new(format!("pact calibration: {path}"));
    let mut what = facts(&[
        ("calibration file", path.to_string()),
        (
            "pact version",
            m["pact_version"].as_str().unwrap_or("").into(),
        ),
        (
            "calibration id",
            m["calibration_id"].as_str().unwrap_or("").into(),
        ),
    ]);
    let _ = write!(
        what,
        "<details><summary>Calibration file</summary>\n<pre>{}</pre>\n</details>\n",
        esc(text)
    );
    page.section("what", "What was run", what);
    if let Some(csv) = read(dir, "waves.csv") {
        page.section(
            "waves",
            "Waves of history matching",
            format!(
                "<p>Each wave: the points run, those no target rules out, and the estimated share of the parameter box still plausible.</p>\n{}",
                csv_table(&csv, 50)
            ),
        );
    }
    if let Some(csv) = read(dir, "ensemble.csv") {
        page.section(
            "ensemble",
            "The ensemble (points not ruled out)",
            csv_table(&csv, 100),
        );
    }
    let mut figs = figures_in(dir, "figures");
    for wave in 1..=50 {
        let sub = format!("wave-{wave}/sweep/figures");
        if !dir.join(&sub).is_dir() {
            break;
        }
        figs.push_str(&figures_in(dir, &sub));
    }
    page.section("figures", "Figures", figs);
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&question(text)))
}

/// "What was run" for a study over an ensemble: `first` (what was run under it), then the
/// ensemble, its members, the run settings, version and id, and the ensemble file.
fn ensemble_facts(m: &Value, first: &[(&str, String)]) -> String {
    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
    let num = |k: &str| m[k].as_u64().map(|x| x.to_string()).unwrap_or_default();
    let mut rows: Vec<(&str, String)> = first.to_vec();
    rows.extend([
        ("ensemble", s("ensemble_path")),
        ("members", num("members")),
        ("replicates per member", num("replicates")),
        ("master seed", num("master_seed")),
        ("workers simulated", num("scale")),
        ("pact version", s("pact_version")),
        ("id", s("ensemble_id")),
    ]);
    let mut what = facts(&rows);
    let _ = write!(
        what,
        "<details><summary>Ensemble file</summary>\n<pre>{}</pre>\n</details>\n",
        esc(&s("ensemble_file"))
    );
    what
}

pub(super) fn ensemble_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
    let mut page = Page::new(format!(
        "pact comparison over an ensemble: {} (A) and {} (B)",
        s("a"),
        s("b")
    ));
    let lede = m["b_files"][0][1]
        .as_str()
        .map(question)
        .unwrap_or_default();
    let what = ensemble_facts(m, &[("A", s("a_path")), ("B", s("b_path"))]);
    page.section("what", "What was run", what);
    if let Some(md) = read(dir, "ensemble.md") {
        page.section(
            "headline",
            "Effects across the ensemble (B − A)",
            markdown(&md),
        );
    }
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&lede))
}

pub(super) fn run_ensemble_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
    let mut page = Page::new(format!("pact run over an ensemble: {}", s("scenario_name")));
    let lede = m["scenario_files"][0][1]
        .as_str()
        .map(question)
        .unwrap_or_default();
    let what = ensemble_facts(m, &[("scenario", s("scenario_path"))]);
    page.section("what", "What was run", what);
    if let Some(md) = read(dir, "ensemble.md") {
        page.section("headline", "Outcomes across the ensemble", markdown(&md));
    }
    page.section("figures", "Figures", figures_in(dir, "figures"));
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&lede))
}

pub(super) fn validate_ensemble_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
    let mut page = Page::new(format!(
        "pact validation over an ensemble: {}",
        s("scenario_name")
    ));
    let lede = m["scenario_files"][0][1]
        .as_str()
        .map(question)
        .unwrap_or_default();
    let what = ensemble_facts(
        m,
        &[
            ("scenario", s("scenario_path")),
            ("targets", s("targets_path")),
        ],
    );
    page.section("what", "What was run", what);
    if let Some(md) = read(dir, "ensemble_validation.md") {
        page.section(
            "validation",
            "Validation across the ensemble",
            markdown(&md),
        );
    }
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&lede))
}

pub(super) fn sensitivity_page(dir: &Path, m: &Value) -> crate::experiment::Result<String> {
    let path = m["sensitivity_path"].as_str().unwrap_or("");
    let text = m["sensitivity_file"].as_str().unwrap_or("");
    let mut page = Page::new(format!(
        "pact sensitivity: {}",
        m["sensitivity_name"].as_str().unwrap_or("")
    ));
    let mut what = facts(&[
        ("sensitivity file", path.to_string()),
        (
            "pact version",
            m["pact_version"].as_str().unwrap_or("").into(),
        ),
        (
            "analysis id",
            m["sensitivity_id"].as_str().unwrap_or("").into(),
        ),
    ]);
    let _ = write!(
        what,
        "<details><summary>Sensitivity file</summary>\n<pre>{}</pre>\n</details>\n",
        esc(text)
    );
    page.section("what", "What was run", what);
    if let Some(csv) = read(dir, "variance.csv") {
        page.section(
            "headline",
            "How much is the seed's",
            format!(
                "<p>For each outcome, its variance over all runs and the seed's share of it (the mean variance between replicates at the same point): what the parameters cannot explain.</p>\n{}",
                csv_table(&csv, 200)
            ),
        );
    }
    if let Some(csv) = read(dir, "indices.csv") {
        page.section("indices", "Indices", csv_table(&csv, 400));
    }
    page.section("figures", "Figures", figures_in(dir, "figures"));
    reproduce_and_cite(&mut page, dir, m);
    Ok(page.html(&question(text)))
}
