//! Ensembles: the parameter settings a calibration kept (`ensemble.csv`: `member`, then one
//! column per scenario key), run as members. `pact compare A B --ensemble FILE` runs both
//! scenarios under every member with its replicates (common random numbers across members and
//! scenarios: replicate k has the same seed everywhere) and reports, for each outcome, the
//! effect's median across members, its 5–95% range across members (the parameters'
//! uncertainty), the median Monte Carlo interval within a member, and the share of members
//! whose effect has the sign of the median ("robust" when all agree).
//!
//! The folder holds `ensemble.md`, `ensemble.csv` (one row per outcome and window),
//! `members.csv` (every member's paired row) and `manifest.json` (kind `compare_ensemble`: the
//! scenario files' and the ensemble's texts, seed, replicates, scale), from which `pact verify`
//! re-runs every member.

use super::paired::{self, Row, Table};
use super::{Done, Error, OutDir, Overrides, Progress, input};
use crate::output::{self, sha256_hex, svg};
use crate::scenario::{self, Resolved};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

type Result<T> = super::Result<T>;

/// An ensemble: scenario keys and each member's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensemble {
    pub path: String,
    pub text: String,
    pub keys: Vec<String>,
    pub members: Vec<Vec<f64>>,
}

/// Reads an ensemble file's text (`path` names it in errors): a header `member,<key>,...` and a
/// row per member of numbers.
pub fn parse(path: &str, text: &str) -> Result<Ensemble> {
    let bad = |line: usize, m: String| input(format!("{path}: line {line}: {m}"));
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| {
        bad(
            1,
            "empty; allowed: a header `member,<key>,...` and a row per member".into(),
        )
    })?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols.first() != Some(&"member") || cols.len() < 2 {
        return Err(bad(
            1,
            format!(
                "header `{header}`; allowed: `member` then one scenario key per column (as pact calibrate writes ensemble.csv)"
            ),
        ));
    }
    let keys: Vec<String> = cols[1..].iter().map(|s| s.to_string()).collect();
    let mut members = Vec::new();
    for (i, l) in lines {
        let f: Vec<&str> = l.split(',').map(str::trim).collect();
        if f.len() != cols.len() {
            return Err(bad(
                i + 1,
                format!(
                    "{} fields; allowed {} (member and one value per key)",
                    f.len(),
                    cols.len()
                ),
            ));
        }
        let vals = f[1..]
            .iter()
            .zip(&keys)
            .map(|(v, k)| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad(i + 1, format!("`{k}` = `{v}`; allowed a finite number")))
            })
            .collect::<Result<Vec<f64>>>()?;
        members.push(vals);
    }
    if members.is_empty() {
        return Err(bad(
            2,
            "no members; allowed: one row per member (a calibration that kept none has no ensemble)".into(),
        ));
    }
    Ok(Ensemble {
        path: path.to_string(),
        text: text.to_string(),
        keys,
        members,
    })
}

/// Reads an ensemble file.
pub fn load(path: &Path) -> Result<Ensemble> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        input(format!(
            "{}: cannot read the ensemble file: {e}",
            path.display()
        ))
    })?;
    parse(&path.display().to_string(), &text)
}

impl Ensemble {
    /// `res` with member `m`'s values set (each a scenario key; checked like any override).
    pub fn member(&self, res: &Resolved, m: usize) -> Result<Resolved> {
        let sets: Vec<(String, toml::Value)> = self
            .keys
            .iter()
            .zip(&self.members[m])
            .map(|(k, v)| (k.clone(), toml::Value::Float(*v)))
            .collect();
        scenario::with_overrides(res, &sets).map_err(|e| {
            input(format!(
                "{}: member {m}: {e}; allowed: scenario keys with values in their ranges",
                self.path
            ))
        })
    }
}

/// What a compare over an ensemble needs to be re-derived: both scenarios (paths and the texts
/// of their files), the ensemble, and the run settings.
pub struct Spec {
    pub a: Resolved,
    pub b: Resolved,
    pub ensemble: Ensemble,
}

/// Every member's paired rows: both scenarios run under the member, with A's seed, replicates
/// and scale.
fn member_rows(spec: &Spec, progress: &dyn Progress) -> Result<Vec<Vec<Row>>> {
    let run = &spec.a.scenario.run;
    let seeds = super::run::replicate_seeds(run.seed, run.replicates);
    let dates: Vec<crate::date::Date> = (0..spec.a.clock.weeks)
        .map(|w| spec.a.clock.date(w))
        .collect();
    let n = spec.ensemble.members.len();
    progress.start(
        2 * n as u64 * u64::from(run.replicates) * spec.a.clock.weeks as u64,
        &format!("compare {} / {} over {n} members", spec.a.name, spec.b.name),
    );
    let mut out = Vec::with_capacity(n);
    for m in 0..n {
        let (ra, rb) = (
            spec.ensemble.member(&spec.a, m)?,
            spec.ensemble.member(&spec.b, m)?,
        );
        let runs_a = super::run::run_all(&ra, &|k| progress.advance(k));
        let runs_b = super::run::run_all(&rb, &|k| progress.advance(k));
        let ta = Table::from_runs(&ra.name, &seeds, dates.clone(), &runs_a);
        let tb = Table::from_runs(&rb.name, &seeds, dates.clone(), &runs_b);
        out.push(paired::compare(&ta, &tb).map_err(|e| input(e.to_string()))?);
    }
    progress.finish();
    Ok(out)
}

fn quantile(xs: &[f64], q: f64) -> f64 {
    crate::output::summary::quantile(xs, q)
}

/// The tables of an ensemble comparison from every member's rows.
pub fn tables(spec: &Spec, rows: &[Vec<Row>]) -> Vec<(String, String)> {
    let mut members = String::from(
        "member,outcome,window,mean_a,mean_b,difference,ci_low,ci_high,sign_stability,replicates\n",
    );
    for (m, rs) in rows.iter().enumerate() {
        for r in rs {
            let _ = writeln!(
                members,
                "{m},{},{},{},{},{},{},{},{},{}",
                r.outcome,
                r.window,
                r.mean_a,
                r.mean_b,
                r.difference,
                r.ci_low,
                r.ci_high,
                r.sign_stability,
                r.replicates
            );
        }
    }
    let mut csv = String::from(
        "outcome,window,members,mean_a,mean_b,effect_median,effect_p05,effect_p95,mc_halfwidth_median,sign_agreement,robust\n",
    );
    let n = rows.len();
    let mut md = format!(
        "# {} (A) against {} (B) over an ensemble\n\n{} members of `{}`, {} each (master seed {}, {} workers), common random numbers across members and scenarios. \
         *Effect*: B − A. *Median* and *5–95%* are across members (the parameters' uncertainty); *MC ±* is the median half-width of the 95% interval within a member (the seed's); \
         *agree*: the share of members whose effect has the sign of the median, *robust* when all do.\n\n\
         | outcome | window | A | B | effect (median) | 5–95% across members | MC ± | agree |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
        spec.a.name,
        spec.b.name,
        n,
        spec.ensemble.path,
        output::counted(spec.a.scenario.run.replicates, "replicate"),
        spec.a.scenario.run.seed,
        spec.a.scenario.run.scale
    );
    for (i, r0) in rows[0].iter().enumerate() {
        let col = |f: &dyn Fn(&Row) -> f64| -> Vec<f64> {
            rows.iter()
                .filter_map(|rs| rs.get(i))
                .map(f)
                .filter(|x| x.is_finite())
                .collect()
        };
        let eff = col(&|r| r.difference);
        let (med, p05, p95) = (
            quantile(&eff, 0.5),
            quantile(&eff, 0.05),
            quantile(&eff, 0.95),
        );
        let mc = quantile(&col(&|r| (r.ci_high - r.ci_low) / 2.0), 0.5);
        let (ma, mb) = (
            quantile(&col(&|r| r.mean_a), 0.5),
            quantile(&col(&|r| r.mean_b), 0.5),
        );
        let agree = if eff.is_empty() {
            f64::NAN
        } else {
            eff.iter()
                .filter(|e| e.signum() == med.signum() || (**e == 0.0 && med == 0.0))
                .count() as f64
                / eff.len() as f64
        };
        let robust = agree == 1.0;
        let _ = writeln!(
            csv,
            "{},{},{},{ma},{mb},{med},{p05},{p95},{mc},{agree},{robust}",
            r0.outcome,
            r0.window,
            eff.len()
        );
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} to {} | {} | {}{} |",
            r0.outcome,
            r0.window,
            svg::number(ma),
            svg::number(mb),
            signed(med),
            signed(p05),
            signed(p95),
            if mc.is_finite() {
                svg::number(mc)
            } else {
                "–".into()
            },
            if agree.is_finite() {
                format!("{:.0}%", 100.0 * agree)
            } else {
                "–".into()
            },
            if robust { " (robust)" } else { "" }
        );
    }
    vec![
        ("ensemble.md".into(), md),
        ("ensemble.csv".into(), csv),
        ("members.csv".into(), members),
    ]
}

fn signed(x: f64) -> String {
    let s = svg::number(x);
    if x > 0.0 { format!("+{s}") } else { s }
}

/// The manifest of an ensemble comparison.
fn manifest(spec: &Spec, paths: (&Path, &Path), reproduce: &str) -> serde_json::Value {
    let files = |r: &Resolved| -> Vec<(String, String)> {
        r.sources
            .iter()
            .map(|s| (s.path.clone(), s.text.clone()))
            .collect()
    };
    let run = &spec.a.scenario.run;
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}",
        crate::VERSION,
        serde_json::to_string(&spec.a).expect("json"),
        serde_json::to_string(&spec.b).expect("json"),
        spec.ensemble.text
    );
    serde_json::json!({
        "kind": "compare_ensemble",
        "pact_version": crate::VERSION,
        "git_commit": output::GIT_COMMIT,
        "ensemble_id": sha256_hex(key.as_bytes()),
        "a": spec.a.name,
        "b": spec.b.name,
        "a_path": paths.0.display().to_string(),
        "b_path": paths.1.display().to_string(),
        "a_files": files(&spec.a),
        "b_files": files(&spec.b),
        "ensemble_path": spec.ensemble.path,
        "ensemble_file": spec.ensemble.text,
        "master_seed": run.seed,
        "replicates": run.replicates,
        "scale": run.scale,
        "members": spec.ensemble.members.len(),
        "reproduce": reproduce,
    })
}

/// `pact compare A B --ensemble FILE`.
pub fn command(
    a: &Path,
    b: &Path,
    ensemble: &Path,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
) -> Result<Done> {
    if a.is_dir() || b.is_dir() {
        return Err(input(
            "--ensemble: compares two scenario files (each member is run); allowed: two scenario files, not output folders",
        ));
    }
    let ra = super::load(a, ov)?;
    let run = ra.scenario.run.clone();
    super::held(
        run.replicates as usize,
        "compare",
        "fewer replicates per member",
    )?;
    let same = Overrides {
        seed: Some(run.seed),
        replicates: Some(run.replicates),
        scale: Some(run.scale),
    };
    let rb = super::load(b, same)?;
    if ra.clock != rb.clock {
        return Err(input(format!(
            "{} and {} cover different dates; allowed: the same run.start and run.end",
            a.display(),
            b.display()
        )));
    }
    let ens = load(ensemble)?;
    // Every member must apply to both scenarios before anything runs.
    for m in 0..ens.members.len() {
        ens.member(&ra, m)?;
        ens.member(&rb, m)?;
    }
    let out = dest.folder(|| {
        PathBuf::from("results").join(format!("compare_{}_{}_ensemble", ra.name, rb.name))
    });
    super::check_out(&out, dest.force)?;
    let reproduce = format!(
        "pact compare {} {} --ensemble {} --seed {} --replicates {} --scale {}",
        a.display(),
        b.display(),
        ensemble.display(),
        run.seed,
        run.replicates,
        run.scale
    );
    let spec = Spec {
        a: ra,
        b: rb,
        ensemble: ens,
    };
    let rows = member_rows(&spec, progress)?;
    let mut files = tables(&spec, &rows);
    let m = manifest(&spec, (a, b), &reproduce);
    files.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(&m).expect("json") + "\n",
    ));
    output::write_folder(&out, &files, dest.force).map_err(|e| super::write_failure(&out, e))?;
    Ok(Done {
        stdout: files[0].1.clone(),
        note: format!("wrote {}", out.display()),
        failed: None,
    })
}

/// Re-derives an ensemble comparison from its manifest's texts alone (`pact verify`).
pub fn rederive(m: &serde_json::Value) -> Result<Vec<(String, String)>> {
    let bad = |what: &str| {
        input(format!(
            "manifest.json: malformed ensemble comparison: {what}"
        ))
    };
    let pairs = |k: &str| -> Result<Vec<(String, String)>> {
        m[k].as_array()
            .ok_or_else(|| bad(k))?
            .iter()
            .map(|v| match (v[0].as_str(), v[1].as_str()) {
                (Some(p), Some(t)) => Ok((p.to_string(), t.to_string())),
                _ => Err(bad(k)),
            })
            .collect()
    };
    let s = |k: &str| m[k].as_str().ok_or_else(|| bad(k));
    let ov = Overrides {
        seed: m["master_seed"].as_u64(),
        replicates: m["replicates"].as_u64().map(|r| r as u32),
        scale: m["scale"].as_u64(),
    };
    let a = super::load_via(
        Path::new(s("a_path")?),
        ov,
        &scenario::recorded(pairs("a_files")?),
    )?;
    let b = super::load_via(
        Path::new(s("b_path")?),
        ov,
        &scenario::recorded(pairs("b_files")?),
    )?;
    let ensemble = parse(s("ensemble_path")?, s("ensemble_file")?)?;
    let spec = Spec { a, b, ensemble };
    let rows = member_rows(&spec, &super::Silent)?;
    let files = tables(&spec, &rows);
    let fresh = manifest(
        &spec,
        (Path::new(s("a_path")?), Path::new(s("b_path")?)),
        s("reproduce")?,
    );
    if fresh["ensemble_id"] != m["ensemble_id"] {
        return Err(Error::Input(
            "manifest.json: key `ensemble_id`: the recorded files give another id; the manifest was edited".into(),
        ));
    }
    Ok(files)
}

/// How every member of an ensemble meets the targets: per target, the members passing and the
/// spread of the members' medians.
pub fn validation_tables(
    res: &Resolved,
    ens: &Ensemble,
    verdicts: &[Vec<super::validate::Verdict>],
) -> Vec<(String, String)> {
    let n = verdicts.len();
    let mut csv = String::from("member,id,median,pass\n");
    for (m, vs) in verdicts.iter().enumerate() {
        for v in vs {
            let _ = writeln!(
                csv,
                "{m},{},{},{}",
                v.id,
                v.median,
                if v.pass { "PASS" } else { "FAIL" }
            );
        }
    }
    let mut table =
        String::from("id,band_min,band_max,members,passing,median_of_medians,p05,p95\n");
    let mut md = format!(
        "# Validation of `{}` over an ensemble\n\n{} members of `{}`, {} each (master seed {}, {} workers). A member passes a pattern when its median across replicates lies in the band; *5–95%* is across members' medians.\n\n| pattern | band | members passing | median of members | 5–95% across members |\n| --- | --- | --- | --- | --- |\n",
        res.name,
        n,
        ens.path,
        output::counted(res.scenario.run.replicates, "replicate"),
        res.scenario.run.seed,
        res.scenario.run.scale
    );
    let mut all = true;
    for (i, v0) in verdicts[0].iter().enumerate() {
        let meds: Vec<f64> = verdicts
            .iter()
            .map(|vs| vs[i].median)
            .filter(|x| x.is_finite())
            .collect();
        let passing = verdicts.iter().filter(|vs| vs[i].pass).count();
        all &= passing == n;
        let (m, lo, hi) = (
            quantile(&meds, 0.5),
            quantile(&meds, 0.05),
            quantile(&meds, 0.95),
        );
        let _ = writeln!(
            table,
            "{},{},{},{n},{passing},{m},{lo},{hi}",
            v0.id, v0.band.0, v0.band.1
        );
        let show = |x: f64| {
            if v0.statistic == "peak_date" && x.is_finite() {
                crate::date::Date::from_year_fraction(x).to_string()
            } else {
                svg::number(x)
            }
        };
        let _ = writeln!(
            md,
            "| {} | {} to {} | {passing} of {n} | {} | {} to {} |",
            v0.id,
            show(v0.band.0),
            show(v0.band.1),
            show(m),
            show(lo),
            show(hi)
        );
    }
    let _ = writeln!(
        md,
        "\n{}",
        if all {
            "Every member passes every pattern.".to_string()
        } else {
            "Not every member passes every pattern (a calibration keeps the points no target rules out at its cutoff, which is looser than a band).".to_string()
        }
    );
    let mut files = vec![
        ("ensemble_validation.md".into(), md),
        ("ensemble_validation.csv".into(), table),
        ("members_validation.csv".into(), csv),
    ];
    // Each target's band against the members' medians (peak dates are read in the table).
    let note = format!(
        "pact {} · {} over {} · {} members × {} · seed {}",
        crate::VERSION,
        res.name,
        ens.path,
        n,
        output::counted(res.scenario.run.replicates, "replicate"),
        res.scenario.run.seed
    );
    for (i, v0) in verdicts[0].iter().enumerate() {
        if v0.statistic == "peak_date" {
            continue;
        }
        let meds: Vec<f64> = verdicts.iter().map(|vs| vs[i].median).collect();
        let passing = verdicts.iter().filter(|vs| vs[i].pass).count();
        files.push((
            format!("figures/{}.svg", v0.id),
            svg::dot_chart(
                &svg::upper_first(&v0.description),
                ("median across replicates", "member"),
                &meds,
                v0.band,
                &format!("{passing} of {n} members pass. Source: {}", v0.source),
                &note,
            ),
        ));
    }
    files
}

/// Every member's verdicts.
fn member_verdicts(
    res: &Resolved,
    ens: &Ensemble,
    patterns: &[crate::scenario::targets::Pattern],
    progress: &dyn Progress,
) -> Result<Vec<Vec<super::validate::Verdict>>> {
    let n = ens.members.len();
    progress.start(
        n as u64 * u64::from(res.scenario.run.replicates) * res.clock.weeks as u64,
        &format!("validate {} over {n} members", res.name),
    );
    let mut out = Vec::with_capacity(n);
    for m in 0..n {
        let r = ens.member(res, m)?;
        let runs = super::run::run_all(&r, &|k| progress.advance(k));
        out.push(super::validate::judge(patterns, &r, &runs));
    }
    progress.finish();
    Ok(out)
}

/// `pact validate SCENARIO --ensemble FILE`: every member judged against the targets.
pub fn validate_command(
    scenario: &Path,
    targets: Option<&Path>,
    ensemble: &Path,
    ov: Overrides,
    dest: &OutDir,
    progress: &dyn Progress,
) -> Result<Done> {
    let res = super::load(scenario, ov)?;
    super::held(
        res.scenario.run.replicates as usize,
        "validate",
        "fewer replicates per member",
    )?;
    let tpath = targets.map(Path::to_path_buf).unwrap_or_else(|| {
        scenario
            .parent()
            .unwrap_or(Path::new("."))
            .join("targets.toml")
    });
    let ttext = crate::scenario::targets::read_targets(&tpath)?;
    let patterns = crate::scenario::targets::load_targets_text(&tpath, &ttext, &res)?;
    let ens = load(ensemble)?;
    for m in 0..ens.members.len() {
        ens.member(&res, m)?;
    }
    let out = dest.folder(|| PathBuf::from("results").join("validation_ensemble"));
    super::check_out(&out, dest.force)?;
    let verdicts = member_verdicts(&res, &ens, &patterns, progress)?;
    let mut files = validation_tables(&res, &ens, &verdicts);
    let run = &res.scenario.run;
    let reproduce = format!(
        "pact validate {} --targets {} --ensemble {} --seed {} --replicates {} --scale {}",
        scenario.display(),
        tpath.display(),
        ensemble.display(),
        run.seed,
        run.replicates,
        run.scale
    );
    let m = validate_manifest(&res, (scenario, &tpath, &ttext), &ens, &reproduce);
    files.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(&m).expect("json") + "\n",
    ));
    output::write_folder(&out, &files, dest.force).map_err(|e| super::write_failure(&out, e))?;
    let failing = verdicts
        .iter()
        .filter(|vs| vs.iter().any(|v| !v.pass))
        .count();
    Ok(Done {
        stdout: files[0].1.clone(),
        note: format!("wrote {}", out.display()),
        failed: (failing > 0).then(|| {
            format!(
                "{failing} of {} members fail at least one pattern",
                verdicts.len()
            )
        }),
    })
}

fn validate_manifest(
    res: &Resolved,
    (scenario, tpath, ttext): (&Path, &Path, &str),
    ens: &Ensemble,
    reproduce: &str,
) -> serde_json::Value {
    let files: Vec<(String, String)> = res
        .sources
        .iter()
        .map(|s| (s.path.clone(), s.text.clone()))
        .collect();
    let key = format!(
        "{}\u{0}{}\u{0}{ttext}\u{0}{}",
        crate::VERSION,
        serde_json::to_string(res).expect("json"),
        ens.text
    );
    let run = &res.scenario.run;
    serde_json::json!({
        "kind": "validate_ensemble",
        "pact_version": crate::VERSION,
        "git_commit": output::GIT_COMMIT,
        "ensemble_id": sha256_hex(key.as_bytes()),
        "scenario_name": res.name,
        "scenario_path": scenario.display().to_string(),
        "scenario_files": files,
        "targets_path": tpath.display().to_string(),
        "targets_file": ttext,
        "ensemble_path": ens.path,
        "ensemble_file": ens.text,
        "master_seed": run.seed,
        "replicates": run.replicates,
        "scale": run.scale,
        "members": ens.members.len(),
        "reproduce": reproduce,
    })
}

/// Re-derives a validation over an ensemble from its manifest's texts (`pact verify`).
pub fn rederive_validation(m: &serde_json::Value) -> Result<Vec<(String, String)>> {
    let bad = |what: &str| {
        input(format!(
            "manifest.json: malformed ensemble validation: {what}"
        ))
    };
    let s = |k: &str| m[k].as_str().ok_or_else(|| bad(k));
    let files: Vec<(String, String)> = m["scenario_files"]
        .as_array()
        .ok_or_else(|| bad("scenario_files"))?
        .iter()
        .map(|v| match (v[0].as_str(), v[1].as_str()) {
            (Some(p), Some(t)) => Ok((p.to_string(), t.to_string())),
            _ => Err(bad("scenario_files")),
        })
        .collect::<Result<_>>()?;
    let ov = Overrides {
        seed: m["master_seed"].as_u64(),
        replicates: m["replicates"].as_u64().map(|r| r as u32),
        scale: m["scale"].as_u64(),
    };
    let res = super::load_via(
        Path::new(s("scenario_path")?),
        ov,
        &scenario::recorded(files),
    )?;
    let (tpath, ttext) = (Path::new(s("targets_path")?), s("targets_file")?);
    let patterns = crate::scenario::targets::load_targets_text(tpath, ttext, &res)?;
    let ens = parse(s("ensemble_path")?, s("ensemble_file")?)?;
    let fresh = validate_manifest(
        &res,
        (Path::new(s("scenario_path")?), tpath, ttext),
        &ens,
        s("reproduce")?,
    );
    if fresh["ensemble_id"] != m["ensemble_id"] {
        return Err(Error::Input(
            "manifest.json: key `ensemble_id`: the recorded files give another id; the manifest was edited".into(),
        ));
    }
    let verdicts = member_verdicts(&res, &ens, &patterns, &super::Silent)?;
    Ok(validation_tables(&res, &ens, &verdicts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ensemble_file_parses_and_its_errors_name_the_line() {
        let e = parse("e.csv", "member,a.b,c.d\n0,1,2\n1,3.5,4\n").unwrap();
        assert_eq!(e.keys, ["a.b", "c.d"]);
        assert_eq!(e.members, vec![vec![1.0, 2.0], vec![3.5, 4.0]]);
        let err = |t: &str| parse("e.csv", t).unwrap_err().to_string();
        assert!(err("").contains("empty"));
        assert!(err("id,a\n0,1\n").contains("line 1"));
        assert!(err("member,a\n0,1\n1,x\n").contains("e.csv: line 3: `a` = `x`"));
        assert!(err("member,a\n0,1,2\n").contains("line 2: 3 fields"));
        assert!(err("member,a\n").contains("no members"));
        assert!(err("member,a\n0,inf\n").contains("finite"));
    }
}
