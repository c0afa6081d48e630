//! Output files: `timeseries.csv`, `elections.csv`, `campaigns.csv`, `summary.json`,
//! `manifest.json`, and the atomic write of an output folder.
//!
//! Numbers are written with Rust's shortest round-trip formatting of `f64` (never an exponent),
//! so a value read back is the value written. Rows are in (replicate, week) order.

pub mod folder;
pub mod manifest;
pub mod png;
pub mod summary;
pub mod svg;

pub use folder::{LockError, RunWriter, Staging, clean_stale, is_pact_folder, lock, write_folder};
pub use manifest::{
    Environment, GIT_COMMIT, Provenance, manifest, reproduce_command, run_id, sha256_hex,
    with_manifest,
};

use crate::model::record::{RunRecord, WeekRecord};
use crate::scenario::Resolved;
use serde::Serialize;
use std::fmt::Write as _;
use summary::summarise;

/// The outputs a run's headline figures draw (`pact report`, `pact run --ensemble`).
pub const FIGURED: [&str; 6] = [
    "real_wage",
    "strikers",
    "legitimacy",
    "dissent_public",
    "party_members",
    "population_index",
];

/// Columns of `elections.csv`, in order.
pub const ELECTION_COLUMNS: &[&str] = &[
    "replicate",
    "week",
    "date",
    "size_class",
    "electorate",
    "votes_party",
    "votes_nonparty",
    "votes_other_socialist",
    "abstentions",
    "abstention_share",
    "delegates_party",
    "delegates_nonparty",
    "delegates_other_socialist",
    "workplaces_won_party",
    "workplaces_won_nonparty",
    "workplaces_won_other_socialist",
    "executive",
    "executive_party_share",
];

/// Columns of `campaigns.csv`, in order.
pub const CAMPAIGN_COLUMNS: &[&str] = &[
    "replicate",
    "week",
    "date",
    "campaign",
    "size_class",
    "workers",
    "votes_for",
    "votes_against",
    "stayed_away",
    "falsified",
    "share_for",
    "share_against",
    "share_away",
    "share_falsified",
];

fn num(s: &mut String, x: f64) {
    let _ = write!(s, "{x}");
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// The header line of `timeseries.csv`.
pub(crate) fn timeseries_header() -> String {
    let mut s = String::from("replicate,seed,week,date");
    for c in WeekRecord::COLUMNS {
        s.push(',');
        s.push_str(c);
    }
    s.push('\n');
    s
}

/// The rows of replicate `r` in `timeseries.csv`, appended to `s`.
pub(crate) fn timeseries_rows(
    s: &mut String,
    res: &Resolved,
    r: usize,
    seed: u64,
    run: &RunRecord,
) {
    for (w, rec) in run.weeks.iter().enumerate() {
        let _ = write!(s, "{r},{seed},{w},{}", res.clock.date(w));
        for v in rec.values() {
            s.push(',');
            num(s, v);
        }
        s.push('\n');
    }
}

/// `timeseries.csv`: one row per replicate × week.
pub fn timeseries_csv(res: &Resolved, seeds: &[u64], runs: &[RunRecord]) -> String {
    let mut s = timeseries_header();
    for (r, run) in runs.iter().enumerate() {
        timeseries_rows(&mut s, res, r, seeds[r], run);
    }
    s
}

/// `elections.csv`: one row per replicate × election × workplace size class.
pub fn elections_csv(res: &Resolved, runs: &[RunRecord]) -> String {
    let mut s = ELECTION_COLUMNS.join(",");
    s.push('\n');
    for (r, run) in runs.iter().enumerate() {
        election_rows(&mut s, res, r, run);
    }
    s
}

/// The rows of replicate `r` in `elections.csv`, appended to `s`.
pub(crate) fn election_rows(s: &mut String, res: &Resolved, r: usize, run: &RunRecord) {
    for e in &run.elections {
        let _ = write!(s, "{r},{},{},{}", e.week, res.clock.date(e.week), e.class);
        for v in [
            e.electorate,
            e.votes_party,
            e.votes_nonparty,
            e.votes_other_socialist,
            e.abstentions,
            ratio(e.abstentions, e.electorate),
            e.delegates_party,
            e.delegates_nonparty,
            e.delegates_other_socialist,
            e.won_party,
            e.won_nonparty,
            e.won_other_socialist,
        ] {
            s.push(',');
            num(s, v);
        }
        let _ = writeln!(s, ",{},{}", e.executive, e.executive_party_share);
    }
}

/// `campaigns.csv`: one row per replicate × campaign × workplace size class.
pub fn campaigns_csv(res: &Resolved, runs: &[RunRecord]) -> String {
    let mut s = CAMPAIGN_COLUMNS.join(",");
    s.push('\n');
    for (r, run) in runs.iter().enumerate() {
        campaign_rows(&mut s, res, r, run);
    }
    s
}

/// The rows of replicate `r` in `campaigns.csv`, appended to `s`.
pub(crate) fn campaign_rows(s: &mut String, res: &Resolved, r: usize, run: &RunRecord) {
    for c in &run.campaigns {
        let _ = write!(
            s,
            "{r},{},{},{},{}",
            c.week,
            res.clock.date(c.week),
            c.campaign,
            c.class
        );
        for v in [
            c.workers,
            c.votes_for,
            c.votes_against,
            c.stayed_away,
            c.falsified,
            ratio(c.votes_for, c.workers),
            ratio(c.votes_against, c.workers),
            ratio(c.stayed_away, c.workers),
            ratio(c.falsified, c.workers),
        ] {
            s.push(',');
            num(s, v);
        }
        s.push('\n');
    }
}

/// `summary.json`.
pub fn summary_json(res: &Resolved, runs: &[RunRecord]) -> String {
    summary_text(&summarise(res, runs))
}

pub(crate) fn summary_text(summary: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("summary serialises");
    s.push('\n');
    s
}

/// A count with its noun, singular or plural: `1 replicate`, `2 replicates`.
pub fn counted(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The data files of a run: timeseries, elections, campaigns and summary.
pub fn data_files(res: &Resolved, seeds: &[u64], runs: &[RunRecord]) -> Vec<(String, String)> {
    vec![
        (
            "timeseries.csv".to_string(),
            timeseries_csv(res, seeds, runs),
        ),
        ("elections.csv".to_string(), elections_csv(res, runs)),
        ("campaigns.csv".to_string(), campaigns_csv(res, runs)),
        ("summary.json".to_string(), summary_json(res, runs)),
    ]
}

/// Every output file of `pact run`, as (name, contents), manifest last.
pub fn run_outputs(
    res: &Resolved,
    seeds: &[u64],
    runs: &[RunRecord],
    env: &Environment,
    prov: &Provenance,
) -> Vec<(String, String)> {
    with_manifest(res, seeds, data_files(res, seeds, runs), env, prov)
}

/// The provenance line of a run's figures: pact version, scenario, replicates, seed, run id.
pub fn figure_note(res: &Resolved, seeds: &[u64]) -> String {
    svg::provenance(
        &res.name,
        seeds.len(),
        res.scenario.run.seed,
        &run_id(res, seeds),
    )
}
