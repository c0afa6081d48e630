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
        "run_ensemble" => run_ensemble_page(dir, &m)?,
        "validate_ensemble" => validate_ensemble_page(dir, &m)?,
        other => {
            return Err(input(format!(
                "{}: `kind` is `{other}`; allowed: run, run_ensemble, validate, validate_ensemble, compare, compare_ensemble, sweep, calibrate, sensitivity",
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
    for col in crate::output::FIGURED {
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

mod pages;
use pages::*;

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
