//! The ablation matrix (`pact validate --ablate`): the full model, the null model (every
//! registered mechanism off: the exogenous inputs, the dated policies and homogeneous agents
//! only) and the model with each registered mechanism switched off in turn, each run over the
//! same replicates (the same seeds: common random numbers) and judged against every target. A
//! pattern the null model passes is carried by the inputs; a mechanism whose removal fails no
//! pattern carries none of them.

use super::validate::{Verdict, judge};
use crate::model::record::RunRecord;
use crate::model::registry::Mechanism;
use crate::scenario::Resolved;
use crate::scenario::targets::Pattern;

/// One variant of the model and its verdicts.
pub struct Row {
    /// `full`, `null`, or `no_` and the mechanism's name.
    pub variant: String,
    pub verdicts: Vec<Verdict>,
}

/// The variants after the full model: the null model, then each mechanism the scenario leaves
/// on, switched off alone (on top of those the scenario switches off).
pub fn variants(res: &Resolved) -> Vec<(String, Resolved)> {
    let with = |names: Vec<String>| {
        let mut r = res.clone();
        r.scenario.mechanisms.off = names;
        r
    };
    let mut out = vec![("null".to_string(), with(vec!["all".into()]))];
    for m in ablated(res) {
        let mut names = res.scenario.mechanisms.off.clone();
        names.push(m.name().into());
        out.push((format!("no_{}", m.name()), with(names)));
    }
    out
}

/// The replicate-weeks the variants take (for a progress bar).
pub fn work(res: &Resolved) -> u64 {
    let one = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    one * (1 + ablated(res).len() as u64)
}

/// The mechanisms the scenario leaves on: each is switched off in a variant of its own.
fn ablated(res: &Resolved) -> Vec<Mechanism> {
    let on = res.switches();
    Mechanism::ALL.into_iter().filter(|&m| on.on(m)).collect()
}

/// Runs every variant (`full`: the verdicts of the full model, already judged) and judges it.
pub fn matrix(
    patterns: &[Pattern],
    res: &Resolved,
    full: Vec<Verdict>,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Row> {
    let mut rows = vec![Row {
        variant: "full".into(),
        verdicts: full,
    }];
    for (variant, r) in variants(res) {
        let runs: Vec<RunRecord> = super::run::run_all(&r, progress);
        rows.push(Row {
            variant,
            verdicts: judge(patterns, &r, &runs),
        });
    }
    rows
}

/// `ablation.csv`, tidy: a row per variant and pattern.
pub fn csv(rows: &[Row]) -> String {
    let mut s = String::from("variant,pattern,median,p05,p95,pass\n");
    for r in rows {
        for v in &r.verdicts {
            s.push_str(&format!(
                "{},{},{},{},{},{}\n",
                r.variant,
                v.id,
                v.median,
                v.p5,
                v.p95,
                if v.pass { "PASS" } else { "FAIL" }
            ));
        }
    }
    s
}

/// `ablation.md`: the matrix (a row per variant, a column per pattern), each row's failures,
/// and what the matrix says: the patterns the null model passes, the mechanisms whose removal
/// fails no pattern, the patterns no removal fails.
pub fn markdown(rows: &[Row], res: &Resolved) -> String {
    let Some(full) = rows.first() else {
        return String::new();
    };
    let ids: Vec<&str> = full.verdicts.iter().map(|v| v.id.as_str()).collect();
    let mut s = format!(
        "# Ablation: {} ({} replicates, {} workers; each variant on the same seeds)\n\n",
        res.name, res.scenario.run.replicates, res.scenario.run.scale
    );
    s.push_str("Each column a pattern (targets.toml), each row the model with what it names switched off (`null`: every mechanism). `.` passes, `X` fails.\n\n");
    s.push_str("| variant | fails |");
    for (i, _) in ids.iter().enumerate() {
        s.push_str(&format!(" {} |", i + 1));
    }
    s.push_str("\n| --- | --- |");
    s.push_str(&" :-: |".repeat(ids.len()));
    s.push('\n');
    for r in rows {
        let fails = r.verdicts.iter().filter(|v| !v.pass).count();
        s.push_str(&format!("| {} | {fails} |", r.variant));
        for v in &r.verdicts {
            s.push_str(if v.pass { " . |" } else { " X |" });
        }
        s.push('\n');
    }
    s.push_str("\nPatterns: ");
    let named: Vec<String> = (ids.iter().enumerate())
        .map(|(i, id)| format!("{} `{id}`", i + 1))
        .collect();
    s.push_str(&named.join(", "));
    s.push_str(".\n\n");
    for line in findings(rows) {
        s.push_str(&format!("- {line}\n"));
    }
    s
}

/// What the matrix says, in sentences.
pub fn findings(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    let by = |name: &str| rows.iter().find(|r| r.variant == name);
    let (Some(full), Some(null)) = (by("full"), by("null")) else {
        return out;
    };
    let n = full.verdicts.len();
    let full_fails: Vec<&str> = (full.verdicts.iter())
        .filter(|v| !v.pass)
        .map(|v| v.id.as_str())
        .collect();
    out.push(format!(
        "The full model passes {} of {n} patterns{}.",
        n - full_fails.len(),
        if full_fails.is_empty() {
            String::new()
        } else {
            format!(" (fails: {})", full_fails.join(", "))
        }
    ));
    let null_pass: Vec<&str> = (null.verdicts.iter())
        .filter(|v| v.pass)
        .map(|v| v.id.as_str())
        .collect();
    out.push(format!(
        "The null model passes {} of {n}{}.",
        null_pass.len(),
        if null_pass.is_empty() {
            String::new()
        } else {
            format!(
                ": {} (carried by the inputs, not the mechanisms)",
                null_pass.join(", ")
            )
        }
    ));
    // A removal breaks a pattern when the full model passes it and the variant fails it.
    let ablations: Vec<&Row> = rows
        .iter()
        .filter(|r| r.variant.starts_with("no_"))
        .collect();
    let breaks = |r: &Row| -> Vec<usize> {
        (0..n)
            .filter(|&i| full.verdicts[i].pass && !r.verdicts[i].pass)
            .collect()
    };
    let idle: Vec<&str> = (ablations.iter())
        .filter(|r| breaks(r).is_empty())
        .map(|r| r.variant.trim_start_matches("no_"))
        .collect();
    out.push(if idle.is_empty() {
        "Every mechanism's removal fails at least one pattern the full model passes.".into()
    } else {
        format!(
            "{} of {} mechanisms break no pattern when switched off: {}.",
            idle.len(),
            ablations.len(),
            idle.join(", ")
        )
    });
    let uncarried: Vec<&str> = (0..n)
        .filter(|&i| full.verdicts[i].pass && ablations.iter().all(|r| r.verdicts[i].pass))
        .map(|i| full.verdicts[i].id.as_str())
        .collect();
    out.push(if uncarried.is_empty() {
        "Every pattern the full model passes fails under some mechanism's removal.".into()
    } else {
        format!(
            "{} patterns fail under no single removal (carried by a constant, an input or several mechanisms at once): {}.",
            uncarried.len(),
            uncarried.join(", ")
        )
    });
    out
}

/// The files `--ablate` adds to a validation: `ablation.csv` and `ablation.md`.
pub fn files(
    patterns: &[Pattern],
    res: &Resolved,
    full: Vec<Verdict>,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<(String, String)> {
    let rows = matrix(patterns, res, full, progress);
    vec![
        ("ablation.csv".to_string(), csv(&rows)),
        ("ablation.md".to_string(), markdown(&rows, res)),
    ]
}
