//! `pact report DIR`: an output folder (run, validate, compare, sweep or calibrate) as one
//! self-contained HTML page, `DIR/report.html`: what was run (the scenario's question, the dated
//! policies, dates, replicates, seed, version, ids), the headline table, every figure (inline
//! SVG), the verdicts where there are any, how to reproduce and verify it and how to cite it.
//! No script, no network, no external file; styles for paper and for a phone.
//!
//! The page is derived from the folder alone (its manifest and outputs), deterministically, and
//! written atomically beside them; it is not one of the folder's outputs (the manifest does not
//! list it and `pact verify` ignores it).

use super::{Done, input, read_manifest};
use crate::date::Date;
use crate::experiment::paired::{self, Table};
use crate::experiment::validate::axis_title;
use crate::model::record::WeekRecord;
use crate::output::svg;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// The outputs drawn for a run's headline figures.
const HEADLINE: [&str; 6] = [
    "real_wage",
    "strikers",
    "legitimacy",
    "dissent_public",
    "party_members",
    "population_index",
];

/// `pact report DIR [--png]`: with `png`, every figure of the page also as a PNG in `DIR/png/`
/// (1,600 pixels wide: 16 cm at 254 dpi).
pub fn command(dir: &Path, png: bool) -> super::Result<Done> {
    let m = read_manifest(dir)?;
    let kind = m["kind"].as_str().unwrap_or("").to_string();
    let page = match kind.as_str() {
        "run" | "validate" => run_page(dir, &m)?,
        "compare" => compare_page(dir, &m)?,
        "sweep" => sweep_page(dir, &m)?,
        "calibrate" => calibrate_page(dir, &m)?,
        "sensitivity" => sensitivity_page(dir, &m)?,
        "compare_ensemble" => ensemble_page(dir, &m)?,
        "validate_ensemble" => validate_ensemble_page(dir, &m)?,
        other => {
            return Err(input(format!(
                "{}: `kind` is `{other}`; allowed: run, validate, validate_ensemble, compare, compare_ensemble, sweep, calibrate, sensitivity",
                dir.join("manifest.json").display()
            )));
        }
    };
    let path = dir.join("report.html");
    let mut pngs = 0;
    if png {
        for (name, svg) in page_figures(&page) {
            let bytes = crate::output::png::render(svg, 1600)
                .map_err(|e| super::Error::Failure(format!("{name}: {e}")))?;
            let target = dir
                .join("png")
                .join(name.trim_end_matches(".svg").to_string() + ".png");
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| super::write_failure(parent, e))?;
            }
            let tmp = target.with_extension(format!("tmp-{}", std::process::id()));
            std::fs::write(&tmp, &bytes)
                .and_then(|_| std::fs::rename(&tmp, &target))
                .map_err(|e| super::write_failure(&target, e))?;
            pngs += 1;
        }
    }
    super::sweep::command::write_atomic(&path, &page, "report")?;
    Ok(Done::note(if png {
        format!(
            "wrote {} and {pngs} PNG figures in {}",
            path.display(),
            dir.join("png").display()
        )
    } else {
        format!("wrote {}", path.display())
    }))
}

/// The figures of a page as written by [`figure`]: (caption, SVG).
fn page_figures(page: &str) -> Vec<(&str, &str)> {
    page.split("<figure>\n")
        .skip(1)
        .filter_map(|f| {
            let (svg, rest) = f.split_once("<figcaption>")?;
            let (caption, _) = rest.split_once("</figcaption>")?;
            Some((caption, svg))
        })
        .collect()
}

/// A page being built: sections in order, with a table of contents.
struct Page {
    title: String,
    sections: Vec<(String, String, String)>,
}

impl Page {
    fn new(title: String) -> Page {
        Page {
            title,
            sections: Vec::new(),
        }
    }
    fn section(&mut self, id: &str, heading: &str, body: String) {
        if !body.trim().is_empty() {
            self.sections
                .push((id.to_string(), heading.to_string(), body));
        }
    }
    fn html(&self, lede: &str) -> String {
        let mut s = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
            esc(&self.title),
            esc(&self.title)
        );
        if !lede.is_empty() {
            let _ = writeln!(s, "<p class=\"lede\">{}</p>", esc(lede));
        }
        s.push_str("<nav><ul>\n");
        for (id, h, _) in &self.sections {
            let _ = writeln!(s, "<li><a href=\"#{id}\">{}</a></li>", esc(h));
        }
        s.push_str("</ul></nav>\n");
        for (id, h, body) in &self.sections {
            let _ = write!(
                s,
                "<section id=\"{id}\">\n<h2>{}</h2>\n{body}</section>\n",
                esc(h)
            );
        }
        let _ = write!(
            s,
            "<footer>Written by <code>pact report</code> (pact {}) from the folder's manifest and outputs.</footer>\n</main>\n</body>\n</html>\n",
            crate::VERSION
        );
        s
    }
}

const STYLE: &str = "body{font-family:Georgia,'DejaVu Serif',serif;line-height:1.5;color:#222;margin:0;background:#fff}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}
.lede{font-size:1.05rem;color:#444}
nav ul{display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;list-style:none;font-size:.9rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ddd;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td:first-child{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1b7a3a;font-weight:bold}.fail{color:#b00020;font-weight:bold}
figure{margin:1.2rem 0;page-break-inside:avoid;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.8rem;color:#666}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-word}
code{font-size:.85em}footer{margin-top:2rem;font-size:.8rem;color:#666}
@media print{nav{display:none}main{max-width:none;padding:0}a{color:inherit;text-decoration:none}h2{page-break-after:avoid;break-after:avoid}pre,table{page-break-inside:avoid;break-inside:avoid}}
@media (max-width:600px){main{padding:.5rem}h1{font-size:1.35rem}}
";

fn esc(s: &str) -> String {
    svg::esc(s)
}

/// A file of the folder, if present.
fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

/// Markdown (the folder's own tables: validation.md, compare.md, ablation.md) as HTML, with
/// PASS and FAIL marked.
fn markdown(md: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    // The page has its own title: drop the file's first heading.
    let body = md
        .strip_prefix('#')
        .and_then(|r| r.split_once('\n'))
        .map_or(md, |(_, rest)| rest);
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(body, Options::ENABLE_TABLES));
    out.replace("<td>PASS</td>", "<td class=\"pass\">PASS</td>")
        .replace("<td>FAIL</td>", "<td class=\"fail\">FAIL</td>")
}

/// A CSV file as an HTML table (numbers right-aligned); at most `max_rows` rows, saying so.
fn csv_table(text: &str, max_rows: usize) -> String {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return String::new();
    };
    let mut s = String::from("<table>\n<tr>");
    for h in split_csv(header) {
        let _ = write!(s, "<th>{}</th>", esc(&h));
    }
    s.push_str("</tr>\n");
    let rows: Vec<&str> = lines.collect();
    for line in rows.iter().take(max_rows) {
        s.push_str("<tr>");
        for c in split_csv(line) {
            match c.parse::<f64>() {
                Ok(v) if !c.is_empty() => {
                    let _ = write!(s, "<td class=\"num\">{}</td>", esc(&svg::number(v)));
                }
                _ => {
                    let _ = write!(s, "<td>{}</td>", esc(&c));
                }
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    if rows.len() > max_rows {
        let _ = writeln!(
            s,
            "<p>The first {max_rows} of {} rows; the whole table is in the folder.</p>",
            rows.len()
        );
    }
    s
}

/// Fields of one CSV line (quoted fields with doubled quotes, as pact writes them).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Every SVG figure under `dir/sub`, inline, in name order.
fn figures_in(dir: &Path, sub: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(sub))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".svg"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut s = String::new();
    for n in names {
        if let Some(svg) = read(dir, &format!("{sub}/{n}")) {
            s.push_str(&figure(&svg, &format!("{sub}/{n}")));
        }
    }
    s
}

fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>\n{}<figcaption>{}</figcaption>\n</figure>\n",
        svg.trim_start_matches("<?xml version=\"1.0\"?>"),
        esc(caption)
    )
}

/// A facts table (label, value) with code-like values in `code`.
fn facts(rows: &[(&str, String)]) -> String {
    let mut s = String::from("<table class=\"facts\">\n");
    for (k, v) in rows {
        if !v.is_empty() {
            let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
        }
    }
    s.push_str("</table>\n");
    s
}

/// The question a scenario file states: its leading comment block, joined.
fn question(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .map(|l| l.trim_start_matches('#').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How to reproduce, verify and cite the folder.
fn reproduce_and_cite(page: &mut Page, dir: &Path, m: &Value) {
    let reproduce = m["reproduce"]
        .as_str()
        .map(str::to_string)
        .or_else(|| m["sweep_path"].as_str().map(|p| format!("pact sweep {p}")))
        .or_else(|| {
            m["calibration_path"]
                .as_str()
                .map(|p| format!("pact calibrate {p}"))
        })
        .or_else(|| {
            m["sensitivity_path"]
                .as_str()
                .map(|p| format!("pact sensitivity {p}"))
        })
        .unwrap_or_default();
    page.section(
        "reproduce",
        "Reproduce and verify",
        format!(
            "<p>The same pact version, scenario and seed give byte-identical outputs on any machine and thread count. Re-run with</p>\n<pre>{}</pre>\n<p>and check this folder against its manifest (every output re-derived and compared byte for byte) with</p>\n<pre>pact verify {}</pre>\n",
            esc(&reproduce),
            esc(&dir.display().to_string())
        ),
    );
    let cite = match super::cite::citation(m) {
        Ok(c) => format!("<pre>{}</pre>\n", esc(&c.text(&dir.display().to_string()))),
        Err(e) => format!(
            "<p>This folder cannot be cited: {}.</p>\n",
            esc(&e.to_string())
        ),
    };
    page.section("cite", "How to cite", cite);
}

/// The dated policies and events of a resolved scenario (from its manifest).
fn events_table(params: &Value) -> String {
    let empty = Vec::new();
    let events = params["scenario"]["event"].as_array().unwrap_or(&empty);
    if events.is_empty() {
        return String::new();
    }
    let mut s = String::from("<table>\n<tr><th>date</th><th>event</th><th>id</th></tr>\n");
    for e in events {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(e["date"].as_str().unwrap_or("")),
            esc(e["label"].as_str().unwrap_or("")),
            esc(e["id"].as_str().unwrap_or(""))
        );
    }
    s.push_str("</table>\n");
    s
}

/// What was run: the scenario's facts and the texts of its files.
fn what_was_run(m: &Value, params: &Value, extra: &[(&str, String)]) -> String {
    let run = &params["scenario"]["run"];
    let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_default();
    let num = |v: &Value| v.as_u64().map(|x| x.to_string()).unwrap_or_default();
    let mut rows = vec![
        ("scenario", text(&m["scenario_name"])),
        (
            "dates",
            format!("{} to {}", text(&run["start"]), text(&run["end"])),
        ),
        ("replicates", num(&m["replicates"])),
        ("master seed", num(&m["master_seed"])),
        ("workers simulated", num(&run["scale"])),
        ("mechanisms switched off", {
            let off: Vec<&str> = params["scenario"]["mechanisms"]["off"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            off.join(", ")
        }),
        ("pact version", text(&m["pact_version"])),
        ("git commit", text(&m["git_commit"])),
        ("run id", text(&m["run_id"])),
    ];
    rows.extend(extra.iter().cloned());
    let mut s = facts(&rows);
    let ev = events_table(params);
    if !ev.is_empty() {
        s.push_str("<h3>Dated policies and events</h3>\n");
        s.push_str(&ev);
    }
    if let Some(files) = m["scenario_files"].as_array() {
        for f in files {
            let _ = write!(
                s,
                "<details><summary>Scenario file <code>{}</code></summary>\n<pre>{}</pre>\n</details>\n",
                esc(f["path"].as_str().unwrap_or("")),
                esc(f["text"].as_str().unwrap_or(""))
            );
        }
    }
    s
}

/// The headline table of a run: each output's median (5–95%) at the summary dates.
fn headline(summary: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(summary) else {
        return String::new();
    };
    let Some(dates) = v.as_object() else {
        return String::new();
    };
    let dates: Vec<&String> = dates.keys().collect();
    let mut s = String::from(
        "<p>Median across replicates at each summary date, with the 5–95% range of replicates beneath.</p>\n<table>\n<tr><th>output</th>",
    );
    for d in &dates {
        let _ = write!(s, "<th>{}</th>", esc(d));
    }
    s.push_str("</tr>\n");
    for (c, col) in WeekRecord::COLUMNS.iter().enumerate() {
        if v[dates[0].as_str()][col].is_null() {
            continue;
        }
        let _ = write!(s, "<tr><td>{}</td>", esc(&axis_title(c)));
        for d in &dates {
            let x = &v[d.as_str()][col];
            let f = |k: &str| x[k].as_f64().map_or("–".into(), svg::number);
            let _ = write!(
                s,
                "<td class=\"num\">{}<br><small>{} – {}</small></td>",
                f("median"),
                f("p5"),
                f("p95")
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// A run's headline figures, drawn from its `timeseries.csv`.
fn run_figures(dir: &Path, name: &str, note: &str) -> String {
    let (Some(ts), Some(el)) = (read(dir, "timeseries.csv"), read(dir, "elections.csv")) else {
        return String::new();
    };
    let Ok(t) = paired::table_from_csv(name, &ts, &el) else {
        return String::new();
    };
    let mut s = String::new();
    for col in HEADLINE {
        if let Some(svg) = one_series(&t, col, note) {
            s.push_str(&figure(&svg, col));
        }
    }
    s
}

/// One output's median and 5–95% band over time.
fn one_series(t: &Table, outcome: &str, note: &str) -> Option<String> {
    let c = WeekRecord::COLUMNS.iter().position(|x| *x == outcome)?;
    let (mut med, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for (w, d) in t.dates.iter().enumerate() {
        let xs: Vec<f64> = t.weeks.iter().map(|r| r[w][c]).collect();
        let x = d.year_fraction();
        med.push((x, crate::output::summary::quantile(&xs, 0.5)));
        lo.push((x, crate::output::summary::quantile(&xs, 0.05)));
        hi.push((x, crate::output::summary::quantile(&xs, 0.95)));
    }
    let what = axis_title(c);
    Some(
        svg::TimeChart {
            title: &format!("{}, {}", what.split(" (").next().unwrap_or(&what), t.name),
            ylabel: &what,
            series: &[svg::series(&t.name, false, (&med, &lo, &hi))],
            marks: &[],
            result: "",
            note,
        }
        .svg(),
    )
}

fn run_page(dir: &Path, m: &Value) -> super::Result<String> {
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

fn compare_page(dir: &Path, m: &Value) -> super::Result<String> {
    let (a, b) = (
        m["a"].as_str().unwrap_or("A").to_string(),
        m["b"].as_str().unwrap_or("B").to_string(),
    );
    let mut page = Page::new(format!("pact comparison: {a} (A) and {b} (B)"));
    let mut lede = String::new();
    let (fa, fb) = super::compare::run_folders(&a, &b);
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

fn sweep_page(dir: &Path, m: &Value) -> super::Result<String> {
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

fn calibrate_page(dir: &Path, m: &Value) -> super::Result<String> {
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

fn ensemble_page(dir: &Path, m: &Value) -> super::Result<String> {
    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
    let num = |k: &str| m[k].as_u64().map(|x| x.to_string()).unwrap_or_default();
    let mut page = Page::new(format!(
        "pact comparison over an ensemble: {} (A) and {} (B)",
        s("a"),
        s("b")
    ));
    let lede = m["b_files"][0][1]
        .as_str()
        .map(question)
        .unwrap_or_default();
    let mut what = facts(&[
        ("A", s("a_path")),
        ("B", s("b_path")),
        ("ensemble", s("ensemble_path")),
        ("members", num("members")),
        ("replicates per member", num("replicates")),
        ("master seed", num("master_seed")),
        ("workers simulated", num("scale")),
        ("pact version", s("pact_version")),
        ("ensemble comparison id", s("ensemble_id")),
    ]);
    let _ = write!(
        what,
        "<details><summary>Ensemble file</summary>\n<pre>{}</pre>\n</details>\n",
        esc(&s("ensemble_file"))
    );
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

fn validate_ensemble_page(dir: &Path, m: &Value) -> super::Result<String> {
    let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
    let num = |k: &str| m[k].as_u64().map(|x| x.to_string()).unwrap_or_default();
    let mut page = Page::new(format!(
        "pact validation over an ensemble: {}",
        s("scenario_name")
    ));
    let lede = m["scenario_files"][0][1]
        .as_str()
        .map(question)
        .unwrap_or_default();
    let what = facts(&[
        ("scenario", s("scenario_path")),
        ("targets", s("targets_path")),
        ("ensemble", s("ensemble_path")),
        ("members", num("members")),
        ("replicates per member", num("replicates")),
        ("master seed", num("master_seed")),
        ("workers simulated", num("scale")),
        ("pact version", s("pact_version")),
        ("id", s("ensemble_id")),
    ]);
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

fn sensitivity_page(dir: &Path, m: &Value) -> super::Result<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_quotes_and_commas() {
        assert_eq!(
            split_csv("a,\"b, c\",\"say \"\"hi\"\"\",4"),
            ["a", "b, c", "say \"hi\"", "4"]
        );
    }

    #[test]
    fn the_question_is_the_leading_comment() {
        let t = "# The baseline.\n#\n# Question: what if?\n\nname = \"x\"\n# not this\n";
        assert_eq!(question(t), "The baseline. Question: what if?");
    }

    #[test]
    fn markdown_tables_mark_verdicts() {
        let html = markdown("# Title\n\n| a | r |\n| --- | --- |\n| x | PASS |\n| y | FAIL |\n");
        assert!(!html.contains("Title"));
        assert!(html.contains("<td class=\"pass\">PASS</td>"));
        assert!(html.contains("<td class=\"fail\">FAIL</td>"));
    }
}
