//! Running replicates: each replicate is an independent city with its own derived seed.
//! Replicates run in parallel (rayon) and are collected in replicate order; each replicate's
//! worker phase is itself parallel over fixed chunks. Results never depend on the thread count.

use crate::record::{RunRecord, WeekRecord};
use crate::rng;
use crate::scenario::Resolved;
use crate::step;
use crate::world::World;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Runs one replicate with seed `seed` from the first week to the last.
pub fn run_replicate(res: &Resolved, seed: u64, progress: &(dyn Fn(u64) + Sync)) -> RunRecord {
    let mut world = World::new(res, seed);
    let mut out = RunRecord::default();
    out.weeks.reserve(res.clock.weeks);
    for _ in 0..res.clock.weeks {
        step::step(&mut world, res, &mut out);
        progress(1);
    }
    out
}

/// The seeds of replicates `0..n` derived from the master seed.
pub fn replicate_seeds(master: u64, n: u32) -> Vec<u64> {
    (0..u64::from(n))
        .map(|k| rng::replicate_seed(master, k))
        .collect()
}

/// Runs every replicate of the scenario (master seed and count from `[run]`) in parallel.
/// `progress` is called with the number of weeks just simulated.
pub fn run_all(res: &Resolved, progress: &(dyn Fn(u64) + Sync)) -> Vec<RunRecord> {
    let seeds = replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    seeds
        .par_iter()
        .map(|&s| run_replicate(res, s, progress))
        .collect()
}

/// Median and 5–95% band of one metric at one date across replicates.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Band {
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
}

/// Quantile `q` of `xs` by linear interpolation between order statistics (Hyndman & Fan type 7).
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let frac = h - lo as f64;
    if frac == 0.0 || v[lo] == v[hi] {
        // Exact order statistic (also keeps infinite values from turning into NaN).
        return v[lo];
    }
    v[lo] + frac * (v[hi] - v[lo])
}

/// `summary.json`: for each summary date, each metric's median and 5–95% band across replicates.
pub fn summarise(res: &Resolved, runs: &[RunRecord]) -> BTreeMap<String, BTreeMap<String, Band>> {
    let mut out = BTreeMap::new();
    for &w in &res.summary_weeks {
        let date = res.clock.date(w).to_string();
        let mut metrics = BTreeMap::new();
        for (c, name) in WeekRecord::COLUMNS.iter().enumerate() {
            let xs: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.weeks.get(w))
                .map(|rec| rec.values()[c])
                .collect();
            metrics.insert(
                name.to_string(),
                Band {
                    median: quantile(&xs, 0.5),
                    p5: quantile(&xs, 0.05),
                    p95: quantile(&xs, 0.95),
                },
            );
        }
        out.insert(date, metrics);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_type7() {
        let xs = [3.0, 1.0, 2.0, 4.0];
        assert_eq!(quantile(&xs, 0.5), 2.5);
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 1.0), 4.0);
        assert!((quantile(&xs, 0.05) - 1.15).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.95), 7.0);
        assert_eq!(
            quantile(&[1.0, f64::INFINITY, f64::INFINITY], 0.5),
            f64::INFINITY
        );
        assert_eq!(quantile(&[1.0, 2.0, f64::INFINITY], 0.5), 2.0);
    }
}
