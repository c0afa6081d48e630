//! A sweep's design: each `[[parameter]]` checked and turned into an axis (a list of values, or
//! a range for the Latin hypercube), grids crossed, ranges sampled jointly, and every point
//! checked to run before anything is written.

use super::{ParameterCfg, SweepCfg};
use crate::scenario::{self, Resolved, ScenarioError, find_key_line};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// At most this many design points (each is checked before the sweep starts) and runs.
pub const MAX_POINTS: usize = 100_000;
pub const MAX_RUNS: usize = 10_000_000;

/// Grid parameters (index, values) and Latin-hypercube ranges (index, from, to).
type Grid = Vec<(usize, Vec<toml::Value>)>;
pub(crate) type Ranges = Vec<(usize, f64, f64)>;

/// The sweep file, for errors that name its lines.
pub(super) struct File<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl File<'_> {
    /// An error at dotted `key`.
    pub fn err(&self, key: &str, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.path.display().to_string(),
            line: find_key_line(self.text, key),
            key: Some(key.to_string()),
            message,
        }
    }

    /// An error of the `i`-th `[[parameter]]`, at its `key =` line.
    fn param_err(&self, i: usize, p: &ParameterCfg, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.path.display().to_string(),
            line: param_line(self.text, i),
            key: Some(format!("parameter `{}`", p.key)),
            message,
        }
    }
}

fn param_line(text: &str, i: usize) -> Option<usize> {
    // The line of the `key =` of the i-th [[parameter]] (or of its header).
    let lines: Vec<&str> = text.lines().collect();
    let head = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[parameter]]")
        .nth(i)
        .map(|(n, _)| n)?;
    let key = lines[head + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| l.trim_start().starts_with("key"));
    Some(key.map(|k| head + 2 + k).unwrap_or(head + 1))
}

/// Every parameter checked (a key varied once, a form that is a list or a range, a key outside
/// `[run]` but for the scale, values the key admits) and sorted into grid and ranges.
pub(super) fn axes(
    f: &File,
    cfg: &SweepCfg,
    base: &Resolved,
) -> Result<(Grid, Ranges), ScenarioError> {
    if cfg.parameters.is_empty() {
        return Err(f.err(
            "parameter",
            "no parameters; allowed: one or more [[parameter]] tables".into(),
        ));
    }
    let mut grid: Grid = Vec::new();
    let mut lhs: Ranges = Vec::new();
    for (i, p) in cfg.parameters.iter().enumerate() {
        let perr = |m: String| f.param_err(i, p, m);
        if cfg.parameters[..i].iter().any(|q| q.key == p.key) {
            return Err(perr(
                "the key is varied twice; allowed: one [[parameter]] per key".into(),
            ));
        }
        if let Some(fixed) = p.key.strip_prefix("run.").filter(|k| *k != "scale") {
            return Err(perr(format!(
                "run.{fixed} cannot be varied: the sweep's own `seed`, `replicates` and the base's dates hold for every point; allowed: run.scale or any key outside [run]"
            )));
        }
        let probes = match (&p.values, p.from, p.to, p.step, &cfg.points) {
            // Explicit points: the parameter only names its key (each point is checked whole).
            (None, None, None, None, Some(_)) => continue,
            (_, _, _, _, Some(_)) => {
                return Err(perr(
                    "with `points`, a [[parameter]] names only its `key`; allowed: `values` or `from`/`to` without `points`, or `points` with keys alone".into(),
                ))
            }
            (Some(v), None, None, None, None) => {
                if v.is_empty() {
                    return Err(perr("empty list of values; allowed: one or more values".into()));
                }
                grid.push((i, v.clone()));
                v.clone()
            }
            (None, Some(a), Some(b), step, None) => {
                if a.is_nan() || b.is_nan() || a >= b {
                    return Err(perr(format!("empty range {a}..{b}; allowed: from < to")));
                }
                match step {
                    Some(s) if s > 0.0 && (b - a) / s <= 10_000.0 => {
                        let n = ((b - a) / s + 1e-9).floor() as usize;
                        let v: Vec<toml::Value> =
                            (0..=n).map(|k| toml::Value::Float(a + k as f64 * s)).collect();
                        grid.push((i, v.clone()));
                        v
                    }
                    Some(s) => return Err(perr(format!("step {s}; allowed: a positive step giving at most 10000 values"))),
                    None => {
                        lhs.push((i, a, b));
                        vec![toml::Value::Float(a), toml::Value::Float(b)]
                    }
                }
            }
            _ => return Err(perr("allowed: either `values = [...]`, or `from` and `to` (with `step` for a grid, without for a Latin hypercube), or only `key` with a top-level `points` list".into())),
        };
        // The key must exist; every value of a list must be admissible (checked one by one, so
        // the message names the value), and so must both ends of a range.
        for v in probes {
            scenario::with_overrides(base, &[(p.key.clone(), v.clone())]).map_err(|m| {
                perr(format!(
                    "value {v}: {m}; allowed: a scenario key path such as policy.repression or event.nep.date, with values in its range"
                ))
            })?;
        }
    }
    Ok((grid, lhs))
}

/// The Latin hypercube's sample count (1 without ranges), after the design's size is checked
/// against the limits, before anything is built.
pub(super) fn samples(
    f: &File,
    cfg: &SweepCfg,
    grid: &Grid,
    lhs: &Ranges,
) -> Result<usize, ScenarioError> {
    if let Some(points) = &cfg.points {
        return explicit(f, cfg, points);
    }
    let design: usize = grid
        .iter()
        .map(|g| g.1.len())
        .chain(
            lhs.first()
                .map(|_| cfg.lhs.as_ref().map_or(1, |l| l.samples.max(1) as usize)),
        )
        .try_fold(1usize, |a, n| a.checked_mul(n))
        .unwrap_or(usize::MAX);
    if design > MAX_POINTS || design.saturating_mul(cfg.replicates as usize) > MAX_RUNS {
        return Err(f.err(
            "parameter",
            format!(
                "the design has {design} points × {} replicates; allowed: at most {MAX_POINTS} points and {MAX_RUNS} runs",
                cfg.replicates
            ),
        ));
    }
    match (&cfg.lhs, lhs.is_empty()) {
        (Some(l), false) if l.samples >= 1 && l.samples <= 100_000 => Ok(l.samples as usize),
        (Some(l), false) => Err(f.err(
            "lhs.samples",
            format!("{} is out of range; allowed 1 to 100000", l.samples),
        )),
        (None, false) => Err(f.err(
            "lhs",
            "ranges without `step` need `[lhs] samples = N`".into(),
        )),
        (_, true) => Ok(1),
    }
}

/// Latin hypercube: each range in `samples` strata, one draw per stratum, the strata permuted
/// independently per parameter (ChaCha8 keyed by the master seed, stream 1000 + the range's
/// position).
pub(crate) fn latin_hypercube(lhs: &Ranges, samples: usize, seed: u64) -> Vec<Vec<f64>> {
    lhs.iter()
        .enumerate()
        .map(|(j, (_, a, b))| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_stream(1_000 + j as u64);
            let mut perm: Vec<usize> = (0..samples).collect();
            for k in (1..samples).rev() {
                let m = (r.next_u64() % (k as u64 + 1)) as usize;
                perm.swap(k, m);
            }
            (0..samples)
                .map(|s| {
                    a + (perm[s] as f64 + (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
                        / samples as f64
                        * (b - a)
                })
                .collect()
        })
        .collect()
}

/// Explicit points: at least one, each with one value per parameter, within the limits, and no
/// `[lhs]` (nothing to sample). Each point is checked whole by [`check_points`].
fn explicit(f: &File, cfg: &SweepCfg, points: &[Vec<toml::Value>]) -> Result<usize, ScenarioError> {
    if cfg.lhs.is_some() {
        return Err(f.err(
            "lhs",
            "explicit `points` are not sampled; allowed: `points` or `[lhs]`, not both".into(),
        ));
    }
    if points.is_empty() {
        return Err(f.err(
            "points",
            "no points; allowed: one or more lists of values".into(),
        ));
    }
    if let Some((n, q)) = points
        .iter()
        .enumerate()
        .find(|(_, q)| q.len() != cfg.parameters.len())
    {
        return Err(f.err(
            "points",
            format!(
                "point {n} has {} values; allowed: one per [[parameter]] ({})",
                q.len(),
                cfg.parameters.len()
            ),
        ));
    }
    if points.len() > MAX_POINTS || points.len().saturating_mul(cfg.replicates as usize) > MAX_RUNS
    {
        return Err(f.err(
            "points",
            format!(
                "{} points × {} replicates; allowed: at most {MAX_POINTS} points and {MAX_RUNS} runs",
                points.len(),
                cfg.replicates
            ),
        ));
    }
    Ok(1)
}

/// The design points, one value per key: grids crossed in order, then each point with every
/// sample of the hypercube.
pub(super) fn points(
    keys: usize,
    grid: &Grid,
    lhs: &Ranges,
    samples: usize,
    seed: u64,
) -> Vec<Vec<toml::Value>> {
    let mut points: Vec<Vec<toml::Value>> = vec![vec![toml::Value::Boolean(false); keys]];
    for (i, vals) in grid {
        points = points
            .into_iter()
            .flat_map(|p| {
                vals.iter().map(move |v| {
                    let mut q = p.clone();
                    q[*i] = v.clone();
                    q
                })
            })
            .collect();
    }
    if lhs.is_empty() {
        return points;
    }
    let values = latin_hypercube(lhs, samples, seed);
    points
        .into_iter()
        .flat_map(|p| {
            let values = &values;
            (0..samples).map(move |s| {
                let mut q = p.clone();
                for (j, (i, _, _)) in lhs.iter().enumerate() {
                    q[*i] = toml::Value::Float(values[j][s]);
                }
                q
            })
        })
        .collect()
}

/// Every point must run: values can be admissible alone and not together (shares that must sum
/// to one, an event moved past another), and a sweep that fails at its 40th point has already
/// written records. Checked in parallel; the first bad point in design order is named.
pub(super) fn check_points(
    f: &File,
    keys: &[String],
    points: &[Vec<toml::Value>],
    base: &Resolved,
    at_key: &str,
) -> Result<(), ScenarioError> {
    use rayon::prelude::*;
    let bad = points
        .par_iter()
        .enumerate()
        .filter_map(|(n, q)| {
            let sets: Vec<(String, toml::Value)> =
                keys.iter().cloned().zip(q.iter().cloned()).collect();
            scenario::with_overrides(base, &sets).err().map(|m| (n, m))
        })
        .min_by_key(|(n, _)| *n);
    match bad {
        None => Ok(()),
        Some((n, m)) => {
            let at: Vec<String> = keys
                .iter()
                .zip(&points[n])
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            Err(f.err(
                at_key,
                format!(
                    "design point {n} ({}) cannot run: {m}; allowed: values that are admissible together",
                    at.join(", ")
                ),
            ))
        }
    }
}
