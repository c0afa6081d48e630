//! Summaries across replicates: quantiles (Hyndman & Fan type 7) and `summary.json`'s median
//! and 5–95% band of every weekly output at each summary date, gathered replicate by replicate.

use crate::model::record::{RunRecord, WeekRecord};
use crate::scenario::Resolved;
use serde::Serialize;
use std::collections::BTreeMap;

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

/// What `summary.json` needs of the replicates: each summary week's values, replicate by
/// replicate. Filled as replicates finish, so a run need not keep its replicates whole.
#[derive(Clone, Debug, Default)]
pub struct SummaryValues {
    /// `rows[i][r]`: the values of summary week i in replicate r (absent if the run is shorter).
    rows: Vec<Vec<Vec<f64>>>,
}

impl SummaryValues {
    pub fn new(res: &Resolved) -> SummaryValues {
        SummaryValues {
            rows: vec![Vec::new(); res.summary_weeks.len()],
        }
    }

    /// Takes what the summary needs of the next replicate.
    pub fn push(&mut self, res: &Resolved, run: &RunRecord) {
        for (i, &w) in res.summary_weeks.iter().enumerate() {
            if let Some(rec) = run.weeks.get(w) {
                self.rows[i].push(rec.values());
            }
        }
    }

    /// For each summary date, each metric's median and 5–95% band across replicates.
    pub fn summarise(&self, res: &Resolved) -> BTreeMap<String, BTreeMap<String, Band>> {
        let mut out = BTreeMap::new();
        for (i, &w) in res.summary_weeks.iter().enumerate() {
            let date = res.clock.date(w).to_string();
            let mut metrics = BTreeMap::new();
            for (c, name) in WeekRecord::COLUMNS.iter().enumerate() {
                let xs: Vec<f64> = self.rows[i].iter().map(|row| row[c]).collect();
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
}

/// `summary.json`: for each summary date, each metric's median and 5–95% band across replicates.
pub fn summarise(res: &Resolved, runs: &[RunRecord]) -> BTreeMap<String, BTreeMap<String, Band>> {
    let mut v = SummaryValues::new(res);
    for run in runs {
        v.push(res, run);
    }
    v.summarise(res)
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
