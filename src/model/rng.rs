//! Counter-based randomness: every draw is a pure function of (seed, stream, index, week).
//!
//! No generator state is carried between draws, so a worker's draw never depends on how the
//! workers were split across threads or in what order they were visited.
//! Replicate seeds are derived from the master seed with ChaCha8 (one stream per replicate).
//!
//! **Architecture Invariant:** nothing in the library draws randomness any other way.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Named random streams; each decision that needs randomness has its own. The values key the
/// draws, so they are part of what a run's outputs depend on: never renumber one (a stream no
/// longer used leaves a gap).
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub enum Stream {
    Init = 1,
    InitPolitics = 2,
    InitTraits = 3,
    Migrate = 4,
    Return = 5,
    Hire = 6,
    Fire = 7,
    Arrest = 8,
    Release = 9,
    // 10, 12 and 14 (promotion, exit, dissident groups) until 0.2.0: now `Party`.
    Recruit = 11,
    Purge = 13,
    Vote = 15,
    Settle = 16,
    Arrears = 17,
    Campaign = 18,
    Committee = 19,
    /// The Cheka/party pass: one draw per employed worker and week decides its arrest,
    /// promotion, recruitment, exit, joining or leaving the dissident groups.
    Party = 20,
}

/// Derives the seed of replicate `k` from the master seed: the `k`-th output of a ChaCha8
/// stream keyed by the master seed. Stable across versions of this crate by construction.
pub fn replicate_seed(master: u64, k: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(master);
    rng.set_stream(k);
    rng.next_u64()
}

#[inline(always)]
fn mix(mut z: u64) -> u64 {
    // SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijection with full avalanche.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key of one stream of one replicate: the first stage of [`hash`], the same for every
/// index and week (loops over many agents compute it once).
#[inline(always)]
pub fn key(seed: u64, stream: Stream) -> u64 {
    mix(seed ^ (stream as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The week's term of [`hash`] (computed once per week by loops over many agents).
#[inline(always)]
pub fn week_term(week: u64) -> u64 {
    week.wrapping_mul(0xa076_1d64_78bd_642f)
}

/// [`hash`] from a stream's [`key`] and a [`week_term`]: two mixing rounds, written with
/// 64-bit integer operations only so that loops over agents vectorise.
#[inline(always)]
pub fn hash_keyed(key: u64, index: u64, week_term: u64) -> u64 {
    mix(mix(key ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03)) ^ week_term)
}

/// A 64-bit hash of (seed, stream, index, week).
#[inline(always)]
pub fn hash(seed: u64, stream: Stream, index: u64, week: u64) -> u64 {
    hash_keyed(key(seed, stream), index, week_term(week))
}

/// A hash's uniform draw in [0, 1): its top 24 bits. They fit an `i32`, whose conversion to
/// `f32` is exact and one vector instruction.
#[inline(always)]
pub fn unit(h: u64) -> f32 {
    ((h >> 40) as u32 as i32) as f32 * (1.0 / 16_777_216.0)
}

/// A uniform draw in [0, 1) with 24 bits of resolution.
#[inline(always)]
pub fn uniform(seed: u64, stream: Stream, index: u64, week: u64) -> f32 {
    unit(hash(seed, stream, index, week))
}

/// A Bernoulli trial with probability `p`: `uniform(..) < p`. As the draw lies in [0, 1), the
/// outcome of `p ≤ 0` or `p ≥ 1` is known without hashing (the same result, cheaper).
#[inline(always)]
pub fn chance(seed: u64, stream: Stream, index: u64, week: u64, p: f32) -> bool {
    if p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        uniform(seed, stream, index, week) < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chance_is_the_draw_below_p() {
        for i in 0..10_000u64 {
            let u = uniform(3, Stream::Arrest, i, 5);
            for p in [-1.0, 0.0, 1e-6, 0.3, u, 0.999_999, 1.0, 2.0, f32::NAN] {
                assert_eq!(chance(3, Stream::Arrest, i, 5, p), u < p, "{i} {p}");
            }
        }
    }

    #[test]
    fn neighbouring_draws_are_uncorrelated() {
        // Adjacent agents in a week, and one agent in adjacent weeks: correlation ~ 0 (|r| <
        // 0.01 with 200,000 pairs, about 4.5 standard errors), and 16 equal bins equally full.
        let n = 200_000u64;
        let corr = |pairs: &dyn Fn(u64) -> (f32, f32)| {
            let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for i in 0..n {
                let (x, y) = pairs(i);
                let (x, y) = (f64::from(x), f64::from(y));
                sx += x;
                sy += y;
                sxx += x * x;
                syy += y * y;
                sxy += x * y;
            }
            let nf = n as f64;
            (sxy / nf - sx / nf * sy / nf)
                / ((sxx / nf - (sx / nf).powi(2)) * (syy / nf - (sy / nf).powi(2))).sqrt()
        };
        let agents = corr(&|i| {
            (
                uniform(9, Stream::Migrate, i, 40),
                uniform(9, Stream::Migrate, i + 1, 40),
            )
        });
        let weeks = corr(&|i| {
            (
                uniform(9, Stream::Migrate, 7, i),
                uniform(9, Stream::Migrate, 7, i + 1),
            )
        });
        let streams = corr(&|i| {
            (
                uniform(9, Stream::Migrate, i, 40),
                uniform(9, Stream::Recruit, i, 40),
            )
        });
        for r in [agents, weeks, streams] {
            assert!(r.abs() < 0.01, "{agents} {weeks} {streams}");
        }
        let mut bins = [0u32; 16];
        for i in 0..n {
            bins[(uniform(9, Stream::Arrest, i, 3) * 16.0) as usize] += 1;
        }
        let expected = n as f64 / 16.0;
        let chi2: f64 = bins
            .iter()
            .map(|&b| (f64::from(b) - expected).powi(2) / expected)
            .sum();
        // 15 degrees of freedom: the 99.9% point is 37.7.
        assert!(chi2 < 37.7, "{chi2} {bins:?}");
    }

    #[test]
    fn hash_is_stable() {
        // Values of the documented construction (three SplitMix64 finalisers), computed
        // independently: a change here changes every random stream of every run.
        assert_eq!(hash(12345, Stream::Arrest, 77, 40), 0x95e1_5b6c_bb20_8187);
        assert_eq!(hash(0, Stream::Init, 0, 0), 0x33fe_8bd4_f9c5_7863);
        assert_eq!(
            hash(1 << 63 | 5, Stream::Committee, 1_000_000_000, 312),
            0x2ab8_ff83_1060_d03c
        );
        for i in 0..1000 {
            let h = hash(9, Stream::Migrate, i, 17);
            assert_eq!(hash_keyed(key(9, Stream::Migrate), i, week_term(17)), h);
            assert_eq!(unit(h), (h >> 40) as i64 as f32 / 16_777_216.0);
        }
    }

    #[test]
    fn pure_and_uniform() {
        assert_eq!(hash(1, Stream::Arrest, 5, 9), hash(1, Stream::Arrest, 5, 9));
        assert_ne!(
            hash(1, Stream::Arrest, 5, 9),
            hash(1, Stream::Arrest, 5, 10)
        );
        assert_ne!(hash(1, Stream::Arrest, 5, 9), hash(1, Stream::Hire, 5, 9));
        let n = 100_000;
        let mean: f64 = (0..n)
            .map(|i| f64::from(uniform(7, Stream::Init, i, 0)))
            .sum::<f64>()
            / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert_ne!(replicate_seed(1, 0), replicate_seed(1, 1));
        assert_eq!(replicate_seed(1, 3), replicate_seed(1, 3));
    }
}
