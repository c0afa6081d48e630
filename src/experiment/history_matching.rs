//! History matching by direct simulation (Vernon et al. 2010; Andrianakis et al. 2015): waves of
//! parameter points, each run and judged against every observation by its implausibility, the
//! points that no observation rules out kept, and the next wave sampled where they are.
//!
//! The engine knows nothing of the simulator: `simulate` maps a wave's points (in the unit cube;
//! the caller maps them onto the parameters' ranges) to, for each point and observation, the
//! mean of the statistic over the point's replicates, its variance across them and their count.
//!
//! **Observations.** A target's band is read as the observation: a two-sided band [lo, hi] is
//! z = (lo + hi)/2 with σ_obs = (hi − lo)/4 (the band as ±2σ); a one-sided band (lo or hi
//! infinite) is an inequality: the distance is how far the mean lies beyond its finite bound (0
//! inside), and σ_obs is a quarter of the bound's magnitude. Model discrepancy:
//! σ_disc = `discrepancy` × |z| (of the finite bound, one-sided). A two-sided band whose ends
//! are positive and a factor of 10 or more apart is read on a log scale (z, σ_obs and the mean
//! in ln; σ_disc = `discrepancy`; V_rep by the delta method, var / mean²; a mean of 0 or less
//! is ruled out). Implausibility
//! I = distance / √(σ_obs² + σ_disc² + V_rep/n). A point is ruled out when its largest
//! implausibility (or, with `second_largest`, its second largest) exceeds the cutoff; a statistic
//! undefined (NaN) on the point rules it out.
//!
//! **Waves.** Wave 1 is a Latin hypercube over the whole cube. Each later wave samples the
//! *region found so far*: uniform candidates in the bounding box of the previous wave's
//! survivors (widened on each side by `margin` × its width, at least `margin` × the previous
//! box's width, clipped to the previous box), each kept only if the nearest point run so far, in
//! any wave, was non-implausible (the region is the union of the survivors' nearest-neighbour
//! cells). The non-implausible share of the original space is estimated as the box's volume ×
//! the share of candidates kept × the share of the wave's points that survive: exact if the
//! region found so far holds every non-implausible point, else low (with few points in many
//! dimensions the survivors' cells miss part of the region; wave 1's estimate, from a Latin
//! hypercube over the whole cube, is the unbiased one). The ensemble is the last wave's
//! survivors. If a wave rules out every point, the
//! matching stops there: that is a finding about the model (no setting of these parameters
//! meets every observation), reported, not hidden.

use crate::experiment::sweep::design::latin_hypercube;

/// The span (hi / lo) from which a band is judged on a log scale.
pub const LOG_SPAN: f64 = 10.0;

/// One target as an observation.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The band's lower and upper ends (either may be infinite, not both).
    pub lo: f64,
    pub hi: f64,
    /// Model discrepancy, as a share of the observation's magnitude.
    pub discrepancy: f64,
    /// Judged on a log scale ([`Observation::of_band`]).
    pub log: bool,
}

impl Observation {
    /// The observation a target's band gives. A two-sided band of positive ends spanning a
    /// factor of [`LOG_SPAN`] or more (a count known to within an order of magnitude, e.g.
    /// "hundreds" as 200–2,000) is judged on a log scale: on a linear one its centre sits near
    /// the upper end, so nothing below it, not even zero, could be ruled out.
    pub fn of_band(lo: f64, hi: f64, discrepancy: f64) -> Observation {
        Observation {
            lo,
            hi,
            discrepancy,
            log: lo > 0.0 && hi.is_finite() && hi / lo >= LOG_SPAN,
        }
    }

    /// The implausibility of a point whose statistic has `mean` and replicate variance `var`
    /// over `n` replicates.
    pub fn implausibility(&self, mean: f64, var: f64, n: usize) -> f64 {
        if mean.is_nan() {
            return f64::INFINITY;
        }
        if self.log {
            // ln of the band and of the mean (the replicates' variance by the delta method:
            // var / mean²); model discrepancy `discrepancy` on this scale is a relative error.
            if mean <= 0.0 {
                return f64::INFINITY;
            }
            let (lo, hi) = (self.lo.ln(), self.hi.ln());
            let (z, sd_obs) = (0.5 * (lo + hi), 0.25 * (hi - lo));
            let distance = (mean.ln() - z).abs();
            let v = sd_obs * sd_obs
                + self.discrepancy * self.discrepancy
                + var / (mean * mean) / n.max(1) as f64;
            return distance / v.sqrt();
        }
        let (distance, scale, sd_obs) = match (self.lo.is_finite(), self.hi.is_finite()) {
            (true, true) => {
                let z = 0.5 * (self.lo + self.hi);
                ((mean - z).abs(), z.abs(), 0.25 * (self.hi - self.lo))
            }
            (true, false) => (
                (self.lo - mean).max(0.0),
                self.lo.abs(),
                0.25 * self.lo.abs(),
            ),
            (false, true) => (
                (mean - self.hi).max(0.0),
                self.hi.abs(),
                0.25 * self.hi.abs(),
            ),
            (false, false) => return 0.0,
        };
        if distance == 0.0 {
            return 0.0;
        }
        let sd_disc = self.discrepancy * scale;
        let v = sd_obs * sd_obs + sd_disc * sd_disc + var / n.max(1) as f64;
        if v > 0.0 {
            distance / v.sqrt()
        } else {
            f64::INFINITY
        }
    }
}

/// How the waves are run.
#[derive(Clone, Debug)]
pub struct Design {
    /// Parameters (the cube's dimension).
    pub dims: usize,
    pub points_per_wave: usize,
    pub waves: usize,
    /// A point is ruled out above this implausibility (3: Pukelsheim's three-sigma rule).
    pub cutoff: f64,
    /// Judge by the second-largest implausibility instead of the largest.
    pub second_largest: bool,
    /// Widening of the survivors' box, as a share of its width on each side.
    pub margin: f64,
    pub seed: u64,
}

/// What `simulate` returns for one point and one observation.
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    pub mean: f64,
    pub var: f64,
    pub n: usize,
}

/// The simulator as the engine sees it: a wave's points (unit cube) to, per point, one [`Stat`]
/// per observation.
/// A failure to simulate (`E`) stops the matching and is returned.
pub type Simulate<'a, E> = dyn FnMut(&[Vec<f64>]) -> Result<Vec<Vec<Stat>>, E> + 'a;

/// One wave: where it sampled, its points and their verdicts.
#[derive(Clone, Debug)]
pub struct Wave {
    /// The box sampled, in the unit cube.
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// Points in the unit cube.
    pub points: Vec<Vec<f64>>,
    /// What `simulate` gave, per point and observation.
    pub stats: Vec<Vec<Stat>>,
    /// Implausibility per point and observation.
    pub implausibility: Vec<Vec<f64>>,
    /// The implausibility the point is judged by (largest or second largest).
    pub judged: Vec<f64>,
    pub survives: Vec<bool>,
    /// Estimated non-implausible share of the original space.
    pub share: f64,
}

impl Wave {
    pub fn survivors(&self) -> usize {
        self.survives.iter().filter(|&&s| s).count()
    }
}

/// The implausibility a point is judged by: the largest, or the second largest (the largest
/// with a single observation).
pub fn judged(imp: &[f64], second_largest: bool) -> f64 {
    let mut v: Vec<f64> = imp.to_vec();
    v.sort_by(|a, b| b.total_cmp(a));
    match (second_largest, v.len()) {
        (_, 0) => 0.0,
        (true, n) if n >= 2 => v[1],
        _ => v[0],
    }
}

/// Latin hypercube of `n` points in the box [lo, hi] (wave `wave`'s own stream of the seed).
fn sample(lo: &[f64], hi: &[f64], n: usize, seed: u64, wave: usize) -> Vec<Vec<f64>> {
    let ranges: Vec<(usize, f64, f64)> = (0..lo.len()).map(|j| (j, lo[j], hi[j])).collect();
    let cols = latin_hypercube(
        &ranges,
        n,
        seed ^ (wave as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    (0..n)
        .map(|i| cols.iter().map(|c| c[i]).collect())
        .collect()
}

/// Most candidates tried per point wanted before a wave settles for fewer points.
const MAX_TRIES: usize = 100_000;

/// A later wave's points: uniform candidates in the box [lo, hi] (ChaCha8 keyed by the seed, on
/// the wave's stream), each kept when its nearest point run so far (Euclidean, in the unit cube)
/// was non-implausible: the non-implausible region found so far is the union of the surviving
/// points' nearest-neighbour cells. Returns the points and the share of candidates kept.
fn refocus(
    lo: &[f64],
    hi: &[f64],
    run: &[(&[f64], bool)],
    n: usize,
    seed: u64,
    wave: usize,
) -> (Vec<Vec<f64>>, f64) {
    use rand::{Rng, SeedableRng};
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(wave as u64);
    let mut points = Vec::with_capacity(n);
    let mut tried = 0usize;
    while points.len() < n && tried < n.saturating_mul(MAX_TRIES) {
        tried += 1;
        let x: Vec<f64> = lo
            .iter()
            .zip(hi)
            .map(|(a, b)| a + (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * (b - a))
            .collect();
        let nearest = run
            .iter()
            .map(|(p, ok)| {
                let d: f64 = p.iter().zip(&x).map(|(a, b)| (a - b) * (a - b)).sum();
                (d, *ok)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if nearest.is_some_and(|(_, ok)| ok) {
            points.push(x);
        }
    }
    let accepted = points.len() as f64 / tried.max(1) as f64;
    (points, accepted)
}

/// The next wave's box: the survivors' bounding box widened by `margin` × its width (at least
/// `margin` × the previous box's width) on each side, clipped to the previous box.
fn next_box(w: &Wave, margin: f64) -> (Vec<f64>, Vec<f64>) {
    let d = w.lo.len();
    let mut lo = vec![f64::INFINITY; d];
    let mut hi = vec![f64::NEG_INFINITY; d];
    for (p, _) in w.points.iter().zip(&w.survives).filter(|(_, s)| **s) {
        for j in 0..d {
            lo[j] = lo[j].min(p[j]);
            hi[j] = hi[j].max(p[j]);
        }
    }
    for j in 0..d {
        let pad = margin * (hi[j] - lo[j]).max(w.hi[j] - w.lo[j]);
        lo[j] = (lo[j] - pad).max(w.lo[j]);
        hi[j] = (hi[j] + pad).min(w.hi[j]);
    }
    (lo, hi)
}

/// Runs the waves. Stops early when a wave rules out every point.
pub fn history_match<E>(
    design: &Design,
    observations: &[Observation],
    simulate: &mut Simulate<E>,
) -> Result<Vec<Wave>, E> {
    let mut waves: Vec<Wave> = Vec::new();
    let (mut lo, mut hi) = (vec![0.0; design.dims], vec![1.0; design.dims]);
    for k in 0..design.waves {
        if let Some(w) = waves.last() {
            if w.survivors() == 0 {
                break;
            }
            (lo, hi) = next_box(w, design.margin);
        }
        // Wave 1: a Latin hypercube over the cube. Later: uniform candidates in the box, kept
        // when the nearest point run so far (any wave) was non-implausible.
        let (points, accepted) = if k == 0 {
            (
                sample(&lo, &hi, design.points_per_wave, design.seed, k),
                1.0,
            )
        } else {
            let run: Vec<(&[f64], bool)> = waves
                .iter()
                .flat_map(|w| {
                    w.points
                        .iter()
                        .map(|p| p.as_slice())
                        .zip(w.survives.iter().copied())
                })
                .collect();
            refocus(&lo, &hi, &run, design.points_per_wave, design.seed, k)
        };
        let stats = simulate(&points)?;
        let implausibility: Vec<Vec<f64>> = stats
            .iter()
            .map(|s| {
                observations
                    .iter()
                    .zip(s)
                    .map(|(o, s)| o.implausibility(s.mean, s.var, s.n))
                    .collect()
            })
            .collect();
        let judged_: Vec<f64> = implausibility
            .iter()
            .map(|i| judged(i, design.second_largest))
            .collect();
        let survives: Vec<bool> = judged_.iter().map(|&i| i <= design.cutoff).collect();
        let volume: f64 = lo.iter().zip(&hi).map(|(a, b)| b - a).product();
        let kept = survives.iter().filter(|&&s| s).count();
        let share = volume * accepted * kept as f64 / points.len().max(1) as f64;
        waves.push(Wave {
            lo: lo.clone(),
            hi: hi.clone(),
            points,
            stats,
            implausibility,
            judged: judged_,
            survives,
            share,
        });
    }
    Ok(waves)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} against {b} (±{tol})");
    }

    #[test]
    fn a_band_spanning_an_order_of_magnitude_is_judged_on_a_log_scale() {
        let o = Observation::of_band(200.0, 2000.0, 0.0);
        assert!(o.log);
        assert!(!Observation::of_band(0.4, 0.6, 0.1).log);
        assert!(!Observation::of_band(0.0, 1.0, 0.1).log);
        assert!(!Observation::of_band(5.0, f64::INFINITY, 0.1).log);
        // ln z = (ln 200 + ln 2000) / 2, σ_obs = ln 10 / 4: the geometric centre scores 0 and
        // a tenth of the lower end lies (ln 10 / 2 + ln 10) / (ln 10 / 4) = 6 σ away.
        close(
            o.implausibility(200f64.sqrt() * 2000f64.sqrt(), 0.0, 1),
            0.0,
            1e-12,
        );
        close(o.implausibility(20.0, 0.0, 1), 6.0, 1e-12);
        // Symmetric in ratios: ten times the upper end is as far.
        close(o.implausibility(20_000.0, 0.0, 1), 6.0, 1e-12);
        // Nothing at all is ruled out, whatever the band's width.
        assert_eq!(o.implausibility(0.0, 0.0, 1), f64::INFINITY);
        // Discrepancy is a relative error here, and replicates enter as var / mean².
        let d = Observation::of_band(200.0, 2000.0, 0.2);
        let v = (10f64.ln() / 4.0).powi(2) + 0.04 + 400.0 / (20.0 * 20.0) / 4.0;
        close(
            d.implausibility(20.0, 400.0, 4),
            1.5 * 10f64.ln() / v.sqrt(),
            1e-12,
        );
    }

    #[test]
    fn implausibility_against_formula() {
        let o = Observation {
            lo: 0.4,
            hi: 0.6,
            discrepancy: 0.0,
            log: false,
        };
        // z = 0.5, σ_obs = 0.05.
        close(o.implausibility(0.65, 0.0, 1), 3.0, 1e-12);
        close(o.implausibility(0.5, 0.0, 1), 0.0, 1e-12);
        // Replicate variance 0.01 over 4 runs: V = 0.0025 + 0.0025.
        close(o.implausibility(0.6, 0.01, 4), 0.1 / 0.005f64.sqrt(), 1e-12);
        // Discrepancy 10% of z = 0.05: V = 0.0025 + 0.0025.
        let d = Observation {
            discrepancy: 0.1,
            ..o.clone()
        };
        close(d.implausibility(0.6, 0.0, 1), 0.1 / 0.005f64.sqrt(), 1e-12);
        assert_eq!(o.implausibility(f64::NAN, 0.0, 1), f64::INFINITY);
    }

    #[test]
    fn a_one_sided_band_is_an_inequality() {
        let o = Observation {
            lo: 5.0,
            hi: f64::INFINITY,
            discrepancy: 0.0,
            log: false,
        };
        assert_eq!(o.implausibility(300.0, 0.0, 1), 0.0);
        // σ_obs = 5/4: a mean of 2 is 3/1.25 = 2.4 from the bound.
        close(o.implausibility(2.0, 0.0, 1), 2.4, 1e-12);
        let u = Observation {
            lo: f64::NEG_INFINITY,
            hi: 4.0,
            discrepancy: 0.0,
            log: false,
        };
        close(u.implausibility(7.0, 0.0, 1), 3.0, 1e-12);
    }

    #[test]
    fn second_largest_forgives_one_observation() {
        assert_eq!(judged(&[0.5, 7.0, 2.0], false), 7.0);
        assert_eq!(judged(&[0.5, 7.0, 2.0], true), 2.0);
        assert_eq!(judged(&[7.0], true), 7.0);
    }

    /// y = (x0, x0 + x1) observed at 0.5 ± 0.1 and 1.0 ± 0.1 (bands as ±2σ, σ = 0.05), no noise,
    /// no discrepancy: with cutoff 3 the non-implausible region is |x0 − 0.5| ≤ 0.15 and
    /// |x0 + x1 − 1| ≤ 0.15, a parallelogram of area 0.3 × 0.3 = 0.09 inside the unit square.
    fn known(points: usize, waves: usize) -> Vec<Wave> {
        let design = Design {
            dims: 2,
            points_per_wave: points,
            waves,
            cutoff: 3.0,
            second_largest: false,
            margin: 0.1,
            seed: 7,
        };
        let obs = [
            Observation {
                lo: 0.4,
                hi: 0.6,
                discrepancy: 0.0,
                log: false,
            },
            Observation {
                lo: 0.9,
                hi: 1.1,
                discrepancy: 0.0,
                log: false,
            },
        ];
        let mut f = |pts: &[Vec<f64>]| {
            Ok::<_, ()>(
                pts.iter()
                    .map(|x| {
                        [x[0], x[0] + x[1]]
                            .iter()
                            .map(|&m| Stat {
                                mean: m,
                                var: 0.0,
                                n: 1,
                            })
                            .collect()
                    })
                    .collect(),
            )
        };
        history_match(&design, &obs, &mut f).unwrap()
    }

    #[test]
    fn history_matching_finds_a_known_region() {
        let waves = known(4000, 3);
        assert_eq!(waves.len(), 3);
        for w in &waves {
            for (p, s) in w.points.iter().zip(&w.survives) {
                let inside =
                    (p[0] - 0.5).abs() <= 0.15 + 1e-12 && (p[0] + p[1] - 1.0).abs() <= 0.15 + 1e-12;
                assert_eq!(*s, inside, "{p:?}");
            }
            // The share of the original space is the region's area, in every wave.
            close(w.share, 0.09, 0.012);
        }
        // Later waves sample where the region is: most of their points survive.
        let first = waves[0].survivors() as f64 / 4000.0;
        let last = waves[2].survivors() as f64 / 4000.0;
        assert!(last > 0.85 && first < 0.15, "{first} then {last}");
        // The box holds the whole region: x0 in [0.35, 0.65], x1 in [0.2, 0.8].
        let w = &waves[2];
        assert!(w.lo[0] <= 0.36 && w.hi[0] >= 0.64, "{:?} {:?}", w.lo, w.hi);
        assert!(w.lo[1] <= 0.21 && w.hi[1] >= 0.79, "{:?} {:?}", w.lo, w.hi);
    }

    #[test]
    fn history_matching_is_deterministic() {
        let (a, b) = (known(200, 2), known(200, 2));
        assert_eq!(a[1].points, b[1].points);
        assert_eq!(a[1].survives, b[1].survives);
    }

    #[test]
    fn a_wave_that_rules_out_everything_stops_the_matching() {
        let design = Design {
            dims: 1,
            points_per_wave: 50,
            waves: 4,
            cutoff: 3.0,
            second_largest: false,
            margin: 0.1,
            seed: 1,
        };
        // y = x ∈ [0, 1] can never be observed at 5 ± 0.1.
        let obs = [Observation {
            lo: 4.9,
            hi: 5.1,
            discrepancy: 0.0,
            log: false,
        }];
        let mut f = |pts: &[Vec<f64>]| {
            Ok::<_, ()>(
                pts.iter()
                    .map(|x| {
                        vec![Stat {
                            mean: x[0],
                            var: 0.0,
                            n: 1,
                        }]
                    })
                    .collect(),
            )
        };
        let waves = history_match(&design, &obs, &mut f).unwrap();
        assert_eq!(waves.len(), 1);
        assert_eq!(waves[0].survivors(), 0);
        assert_eq!(waves[0].share, 0.0);
    }
}
