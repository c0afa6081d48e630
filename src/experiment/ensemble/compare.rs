//! `pact compare A B --ensemble FILE`: both scenarios under every member. The folder holds
//! `ensemble.md`, `ensemble.csv` (one row per outcome and window), `members.csv` (every member's
//! paired row) and `manifest.json` (kind `compare_ensemble`: the scenario files' and the
//! ensemble's texts, seed, replicates, scale), from which `pact verify` re-runs every member.

use super::{
    Ensemble, Result, load, parse, quantile, recorded_overrides, recorded_pairs, write_study,
};
use crate::experiment::paired::{self, Row, Table};
use crate::experiment::{self as experiment, Done, Error, OutDir, Overrides, Progress, input};
use crate::output::{self, sha256_hex, svg};
use crate::scenario::{self, Resolved};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    let seeds = experiment::run::replicate_seeds(run.seed, run.replicates);
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
        let runs_a = experiment::run::run_all(&ra, &|k| progress.advance(k));
        let runs_b = experiment::run::run_all(&rb, &|k| progress.advance(k));
        let ta = Table::from_runs(&ra.name, &seeds, dates.clone(), &runs_a);
        let tb = Table::from_runs(&rb.name, &seeds, dates.clone(), &runs_b);
        out.push(paired::compare(&ta, &tb).map_err(|e| input(e.to_string()))?);
    }
    progress.finish();
    Ok(out)
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
    let ra = experiment::load(a, ov)?;
    let run = ra.scenario.run.clone();
    experiment::held(
        run.replicates as usize,
        "compare",
        "fewer replicates per member",
    )?;
    let same = Overrides {
        seed: Some(run.seed),
        replicates: Some(run.replicates),
        scale: Some(run.scale),
    };
    let rb = experiment::load(b, same)?;
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
    experiment::check_out(&out, dest.force)?;
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
    let files = tables(&spec, &rows);
    let m = manifest(&spec, (a, b), &reproduce);
    write_study(&out, files, &m, dest.force)
}

/// Re-derives an ensemble comparison from its manifest's texts alone (`pact verify`).
pub fn rederive(m: &serde_json::Value) -> Result<Vec<(String, String)>> {
    let bad = |what: &str| {
        input(format!(
            "manifest.json: malformed ensemble comparison: {what}"
        ))
    };
    let pairs = |k: &str| recorded_pairs(m, k, "ensemble comparison");
    let s = |k: &str| m[k].as_str().ok_or_else(|| bad(k));
    let ov = recorded_overrides(m);
    let a = experiment::load_via(
        Path::new(s("a_path")?),
        ov,
        &scenario::recorded(pairs("a_files")?),
    )?;
    let b = experiment::load_via(
        Path::new(s("b_path")?),
        ov,
        &scenario::recorded(pairs("b_files")?),
    )?;
    let ensemble = parse(s("ensemble_path")?, s("ensemble_file")?)?;
    let spec = Spec { a, b, ensemble };
    let rows = member_rows(&spec, &experiment::Silent)?;
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
