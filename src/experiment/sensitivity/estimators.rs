//! Global sensitivity analysis, the estimators behind `pact sensitivity` (issue in progress):
//! Sobol first-order and total indices by Saltelli's design (Saltelli et al. 2010: first order
//! by their estimator, total by Jansen's), with bootstrap intervals, and Morris's elementary
//! effects (μ*, σ; Campolongo et al. 2007). Like the history-matching engine, it knows nothing of
//! the simulator: designs are points of the unit cube, and the caller maps them onto ranges and
//! runs them. Draws come from ChaCha8 keyed by the seed, so a design is the same on any machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn unit(r: &mut ChaCha8Rng) -> f64 {
    (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Saltelli's design for `d` parameters and base sample `n`: the rows of A, then of B, then of
/// each A_B^i (A with column i from B), i = 0..d; n·(d + 2) points in all.
pub fn saltelli_design(d: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let a: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..d).map(|_| unit(&mut r)).collect())
        .collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..d).map(|_| unit(&mut r)).collect())
        .collect();
    let mut rows = a.clone();
    rows.extend(b.iter().cloned());
    for i in 0..d {
        rows.extend(a.iter().zip(&b).map(|(ra, rb)| {
            let mut x = ra.clone();
            x[i] = rb[i];
            x
        }));
    }
    rows
}

/// Sobol indices of one parameter with an interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub first: f64,
    pub total: f64,
    /// 95% bootstrap intervals (percentile).
    pub first_ci: (f64, f64),
    pub total_ci: (f64, f64),
}

/// First-order and total indices from the outputs `y` of [`saltelli_design`] (same order), on
/// the rows `rows` of the base sample (all of them, or a bootstrap resample).
fn indices_on(y: &[f64], n: usize, d: usize, rows: &[usize]) -> Vec<(f64, f64)> {
    let fa = |j: usize| y[j];
    let fb = |j: usize| y[n + j];
    let fab = |i: usize, j: usize| y[(2 + i) * n + j];
    let m = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa(j) + fb(j)).sum::<f64>() / (2.0 * m);
    let var = rows
        .iter()
        .map(|&j| (fa(j) - mean).powi(2) + (fb(j) - mean).powi(2))
        .sum::<f64>()
        / (2.0 * m - 1.0);
    (0..d)
        .map(|i| {
            // Centred (f_B − mean): the uncentred estimator's error grows with the output's
            // mean against its spread (a date near 1921 varying by days is all error).
            let first = rows
                .iter()
                .map(|&j| (fb(j) - mean) * (fab(i, j) - fa(j)))
                .sum::<f64>()
                / m
                / var;
            let total = rows
                .iter()
                .map(|&j| (fa(j) - fab(i, j)).powi(2))
                .sum::<f64>()
                / (2.0 * m)
                / var;
            (first, total)
        })
        .collect()
}

/// Sobol first-order and total indices for each of `d` parameters, with 95% percentile
/// intervals from `resamples` bootstrap resamples of the base rows (ChaCha8 keyed by `seed`).
pub fn sobol_indices(y: &[f64], d: usize, resamples: usize, seed: u64) -> Vec<Index> {
    let n = y.len() / (d + 2);
    assert_eq!(
        n * (d + 2),
        y.len(),
        "outputs of a Saltelli design of {d} parameters"
    );
    let all: Vec<usize> = (0..n).collect();
    let point = indices_on(y, n, d, &all);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let boots: Vec<Vec<(f64, f64)>> = (0..resamples)
        .map(|_| {
            let rows: Vec<usize> = (0..n).map(|_| (r.next_u64() % n as u64) as usize).collect();
            indices_on(y, n, d, &rows)
        })
        .collect();
    let ci = |xs: &mut Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        let q = |p: f64| xs[((p * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
        (q(0.025), q(0.975))
    };
    (0..d)
        .map(|i| {
            let mut f: Vec<f64> = boots.iter().map(|b| b[i].0).collect();
            let mut t: Vec<f64> = boots.iter().map(|b| b[i].1).collect();
            Index {
                first: point[i].0,
                total: point[i].1,
                first_ci: if f.is_empty() {
                    (f64::NAN, f64::NAN)
                } else {
                    ci(&mut f)
                },
                total_ci: if t.is_empty() {
                    (f64::NAN, f64::NAN)
                } else {
                    ci(&mut t)
                },
            }
        })
        .collect()
}

/// Morris's design: `r` trajectories of `d + 1` points on a grid of `levels` levels, each
/// trajectory moving one parameter at a time by Δ = levels / (2 (levels − 1)), in a random
/// order and direction. Rows trajectory by trajectory.
pub fn morris_design(d: usize, r: usize, levels: usize, seed: u64) -> Vec<Vec<f64>> {
    assert!(
        levels >= 2 && levels.is_multiple_of(2),
        "an even number of levels"
    );
    let mut g = ChaCha8Rng::seed_from_u64(seed);
    let step = 1.0 / (levels - 1) as f64;
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);
    let mut rows = Vec::with_capacity(r * (d + 1));
    for _ in 0..r {
        // A start from which every move stays in [0, 1]: the lower half of the grid, then each
        // parameter's direction chosen, starting from the far end when it goes down.
        let up: Vec<bool> = (0..d).map(|_| g.next_u64().is_multiple_of(2)).collect();
        let mut x: Vec<f64> = (0..d)
            .map(|i| {
                let k = (g.next_u64() % (levels / 2) as u64) as f64 * step;
                if up[i] { k } else { k + delta }
            })
            .collect();
        let mut order: Vec<usize> = (0..d).collect();
        for k in (1..d).rev() {
            let m = (g.next_u64() % (k as u64 + 1)) as usize;
            order.swap(k, m);
        }
        rows.push(x.clone());
        for &i in &order {
            x[i] += if up[i] { delta } else { -delta };
            rows.push(x.clone());
        }
    }
    rows
}

/// Morris statistics of one parameter: μ* (mean absolute elementary effect) and σ (standard
/// deviation of the effects).
#[derive(Clone, Debug, PartialEq)]
pub struct Effects {
    pub mu_star: f64,
    pub sigma: f64,
}

/// μ* and σ for each of `d` parameters from a [`morris_design`] and its outputs `y`.
pub fn morris_effects(design: &[Vec<f64>], y: &[f64], d: usize) -> Vec<Effects> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); d];
    for (t, y) in design.chunks(d + 1).zip(y.chunks(d + 1)) {
        for k in 0..d {
            let i = (0..d)
                .find(|&i| t[k + 1][i] != t[k][i])
                .expect("each step moves one parameter");
            effects[i].push((y[k + 1] - y[k]) / (t[k + 1][i] - t[k][i]));
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len().max(1) as f64;
            let mean = e.iter().sum::<f64>() / n;
            Effects {
                mu_star: e.iter().map(|x| x.abs()).sum::<f64>() / n,
                sigma: (e.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0))
                    .sqrt(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami (a = 7, b = 0.1) on [−π, π]³, from the unit cube.
    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let z: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
        z[0].sin() + a * z[1].sin().powi(2) + b * z[2].powi(4) * z[0].sin()
    }

    #[test]
    fn sobol_indices_of_ishigami_match_the_analytic_values() {
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let vt3 = 8.0 * b * b * PI.powi(8) / 225.0;
        let v = v1 + v2 + vt3;
        let (s, st) = ([v1 / v, v2 / v, 0.0], [(v1 + vt3) / v, v2 / v, vt3 / v]);
        let rows = saltelli_design(3, 1 << 14, 11);
        let y: Vec<f64> = rows.iter().map(|x| ishigami(x)).collect();
        let idx = sobol_indices(&y, 3, 100, 5);
        for i in 0..3 {
            assert!(
                (idx[i].first - s[i]).abs() < 0.03,
                "S{i} {} against {}",
                idx[i].first,
                s[i]
            );
            assert!(
                (idx[i].total - st[i]).abs() < 0.03,
                "ST{i} {} against {}",
                idx[i].total,
                st[i]
            );
            // The intervals hold the estimate and are narrow at this sample size.
            assert!(idx[i].first_ci.0 <= idx[i].first && idx[i].first <= idx[i].first_ci.1);
            assert!(idx[i].total_ci.1 - idx[i].total_ci.0 < 0.1, "{:?}", idx[i]);
        }
    }

    /// Regression (the indices of a date): the first-order estimator was uncentred, so an
    /// output far from zero (a year near 1921 moving by days) gave indices in the thousands.
    #[test]
    fn sobol_indices_do_not_depend_on_the_outputs_mean() {
        let rows = saltelli_design(3, 1 << 12, 3);
        let y: Vec<f64> = rows.iter().map(|x| ishigami(x)).collect();
        let shifted: Vec<f64> = y.iter().map(|v| 1921.0 + v / 1000.0).collect();
        let (a, b) = (sobol_indices(&y, 3, 0, 1), sobol_indices(&shifted, 3, 0, 1));
        for i in 0..3 {
            assert!(
                (a[i].first - b[i].first).abs() < 1e-6,
                "{:?} {:?}",
                a[i],
                b[i]
            );
            assert!((a[i].total - b[i].total).abs() < 1e-6);
        }
    }

    #[test]
    fn morris_ranks_a_function_with_known_influential_inputs() {
        // y = 10 x0 + x1 + 0 x2 + 4 x3²: x0 most influential and linear (σ = 0), x3 nonlinear
        // (σ > 0), x2 inert.
        let f = |x: &[f64]| 10.0 * x[0] + x[1] + 4.0 * x[3] * x[3];
        let design = morris_design(4, 40, 4, 3);
        assert!(design.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        let y: Vec<f64> = design.iter().map(|x| f(x)).collect();
        let e = morris_effects(&design, &y, 4);
        assert!(
            (e[0].mu_star - 10.0).abs() < 1e-9 && e[0].sigma < 1e-9,
            "{:?}",
            e[0]
        );
        assert!((e[1].mu_star - 1.0).abs() < 1e-9, "{:?}", e[1]);
        assert_eq!(e[2].mu_star, 0.0);
        assert!(e[3].mu_star > 1.0 && e[3].sigma > 0.1, "{:?}", e[3]);
        let mut rank: Vec<usize> = (0..4).collect();
        rank.sort_by(|&i, &j| e[j].mu_star.total_cmp(&e[i].mu_star));
        assert_eq!(rank, vec![0, 3, 1, 2]);
    }

    #[test]
    fn designs_are_deterministic() {
        assert_eq!(saltelli_design(2, 8, 1), saltelli_design(2, 8, 1));
        assert_ne!(saltelli_design(2, 8, 1), saltelli_design(2, 8, 2));
        assert_eq!(morris_design(3, 5, 4, 9), morris_design(3, 5, 4, 9));
    }
}
