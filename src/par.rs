//! The deterministic-parallel toolkit: how work over many items is split, folded, scanned and
//! sorted so that no result depends on the number of threads or on the order in which they
//! finish. Model-agnostic: it knows items, keys and accumulators, not workers.
//!
//! Invariants every user relies on:
//! - Items are split into chunks of a fixed size (`chunk`): the split depends on the number of
//!   items only, never on the threads.
//! - Folds merge accumulators in whatever order the threads finish, so what they accumulate
//!   must be exact under reordering: integer counts and fixed-point sums ([`fx`]), never float
//!   sums.
//! - Scans return their accumulators in item order; sorts are stable and keyed by an identity
//!   (a worker's id), never by where an item happens to be stored.

use rayon::prelude::*;
use std::ops::Range;

/// Ranges of `chunk` items (the last may be shorter) over `0..n`: fixed by `n` only.
pub fn ranges(n: usize, chunk: usize) -> impl IndexedParallelIterator<Item = Range<usize>> {
    (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(move |c| c * chunk..((c + 1) * chunk).min(n))
}

/// Runs `body` on every item in parallel, each parallel task folding into an accumulator from
/// `init`, the accumulators merged with `merge` (which must be exact under reordering).
pub fn fold<I: Send, A: Send>(
    items: impl IntoParallelIterator<Item = I>,
    init: impl Fn() -> A + Sync + Send,
    body: impl Fn(&mut A, I) + Sync + Send,
    merge: impl Fn(A, A) -> A + Sync + Send,
) -> A {
    items
        .into_par_iter()
        .fold(&init, |mut a, item| {
            body(&mut a, item);
            a
        })
        .reduce_with(merge)
        .unwrap_or_else(init)
}

/// The indices `i` in `0..a.len()` with `passes(a[i], b[i])`, in order, scanned in parallel over
/// ranges of `chunk`: each parallel task starts an accumulator with `init` and passes it every
/// such index of its consecutive ranges with `take`; the accumulators come back in index order.
/// The test runs 32 items at a time without a branch per item (the compiler vectorises it).
/// One accumulator per task, not per chunk: hundreds of small allocations from two threads at
/// once contend in the system allocator and made a scan slower on two threads than on one
/// (docs/BENCHMARKS.md, sixth round).
pub fn scan<X: Copy + Sync, Y: Copy + Sync, A: Send>(
    a: &[X],
    b: &[Y],
    chunk: usize,
    passes: impl Fn(X, Y) -> bool + Sync + Send,
    init: impl Fn() -> A + Sync + Send,
    take: impl Fn(&mut A, usize) + Sync + Send,
) -> Vec<A> {
    const L: usize = 32;
    assert_eq!(a.len(), b.len(), "scan: columns of different lengths");
    ranges(a.len(), chunk)
        .fold(&init, |mut acc, r| {
            let (xs, ys) = (&a[r.clone()], &b[r.clone()]);
            for (g, (x, y)) in xs.chunks_exact(L).zip(ys.chunks_exact(L)).enumerate() {
                let mut bits = 0u32;
                for l in 0..L {
                    bits |= u32::from(passes(x[l], y[l])) << l;
                }
                while bits != 0 {
                    take(&mut acc, r.start + g * L + bits.trailing_zeros() as usize);
                    bits &= bits - 1;
                }
            }
            for i in r.start + xs.len() / L * L..r.end {
                if passes(a[i], b[i]) {
                    take(&mut acc, i);
                }
            }
            acc
        })
        .collect()
}

/// Sorts indices by `id[index]`, the order of every choice taken in order: at once when they
/// are already in that order, else a radix sort of (id, index) pairs ([`radix`]). Ids are
/// distinct.
pub fn by_id(idx: &mut [u32], id: &[u32]) {
    if idx
        .windows(2)
        .all(|p| id[p[0] as usize] < id[p[1] as usize])
    {
        return;
    }
    let mut keys: Vec<u64> = idx
        .iter()
        .map(|&i| (u64::from(id[i as usize]) << 32) | u64::from(i))
        .collect();
    radix(&mut keys, id.len(), |k| (k >> 32) as usize);
    for (i, k) in idx.iter_mut().zip(keys) {
        *i = k as u32;
    }
}

/// Sorts `items` by `key` (every key below `bound`), stably: least significant digit first,
/// 11 bits a digit (two passes for keys below 2^22).
pub fn radix<T: Copy + Default>(items: &mut Vec<T>, bound: usize, key: impl Fn(&T) -> usize) {
    let mut tmp = vec![T::default(); items.len()];
    let bits = usize::BITS - bound.leading_zeros();
    let mut shift = 0;
    while shift < bits {
        let digit = |x: &T| (key(x) >> shift) & 0x7ff;
        let mut at = [0usize; 0x801];
        for x in items.iter() {
            at[digit(x) + 1] += 1;
        }
        for d in 1..at.len() {
            at[d] += at[d - 1];
        }
        for x in items.iter() {
            tmp[at[digit(x)]] = *x;
            at[digit(x)] += 1;
        }
        std::mem::swap(items, &mut tmp);
        shift += 11;
    }
}

/// Indices `ids` grouped by `group[index]` (every group below `groups`), their order kept within
/// each: a counting sort. Returns the offsets (group k's members are
/// `grouped[offsets[k]..offsets[k + 1]]`) and the grouped indices.
pub fn group_by(ids: &[u32], group: &[u32], groups: usize) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; groups + 1];
    for &i in ids {
        offsets[group[i as usize] as usize + 1] += 1;
    }
    for k in 0..groups {
        offsets[k + 1] += offsets[k];
    }
    let mut fill = offsets.clone();
    let mut grouped = vec![0u32; ids.len()];
    for &i in ids {
        let k = group[i as usize] as usize;
        grouped[fill[k]] = i;
        fill[k] += 1;
    }
    (offsets, grouped)
}

/// Fixed-point resolution of sums of per-item reals: 2^24 units per 1.0 (the resolution of an
/// f32 in [0, 1)). Integer sums are exact, so a total never depends on how the items were split
/// into parallel tasks or in which order the partial sums were added, and an item's
/// contribution can be taken out again exactly.
pub const FX: f32 = 16_777_216.0;

/// `x` (in [0, 2^27)) in fixed point, rounded to the nearest unit. Adding 2^28 in f64 puts the
/// unit of least precision at exactly 2^-24, so the low bits of the sum are the fixed-point
/// value: four instructions, no float-to-integer conversion.
#[inline(always)]
pub fn fx(x: f32) -> i64 {
    const BIAS: f64 = (1u64 << 28) as f64;
    debug_assert!(
        (0.0..134_217_728.0).contains(&x),
        "{x} out of fixed-point range"
    );
    ((f64::from(x) + BIAS).to_bits() - BIAS.to_bits()) as i64
}

/// A fixed-point sum as a real.
pub fn unfx(s: i64) -> f64 {
    s as f64 / f64::from(FX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_is_exact_and_rounds_to_nearest() {
        assert_eq!(fx(0.0), 0);
        assert_eq!(fx(1.0), 1 << 24);
        assert_eq!(fx(0.5), 1 << 23);
        assert_eq!(unfx(fx(3.25)), 3.25);
        // Sums do not depend on order.
        let xs: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).fract()).collect();
        let fwd: i64 = xs.iter().map(|&x| fx(x)).sum();
        let back: i64 = xs.iter().rev().map(|&x| fx(x)).sum();
        assert_eq!(fwd, back);
    }

    #[test]
    fn radix_sorts_stably() {
        let mut v: Vec<(u32, u32)> = vec![(5, 0), (1, 1), (5, 2), (0, 3), (4000, 4), (1, 5)];
        radix(&mut v, 5000, |x| x.0 as usize);
        assert_eq!(v, vec![(0, 3), (1, 1), (1, 5), (5, 0), (5, 2), (4000, 4)]);
    }

    #[test]
    fn group_by_keeps_order_within_groups() {
        let group = [2, 0, 2, 1, 0];
        let (off, g) = group_by(&[0, 1, 2, 3, 4], &group, 3);
        assert_eq!(off, vec![0, 2, 3, 5]);
        assert_eq!(g, vec![1, 4, 3, 0, 2]);
    }

    #[test]
    fn scan_finds_every_passing_index_in_order_for_any_chunk() {
        let a: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 5) as u8).collect();
        let b: Vec<u8> = (0..1000u32).map(|i| (i % 3) as u8).collect();
        let want: Vec<usize> = (0..1000).filter(|&i| a[i] == 2 && b[i] != 1).collect();
        for chunk in [1, 31, 32, 100, 4096] {
            let parts = scan(
                &a,
                &b,
                chunk,
                |x, y| x == 2 && y != 1,
                Vec::new,
                |v, i| v.push(i),
            );
            assert_eq!(parts.concat(), want, "chunk {chunk}");
        }
    }

    #[test]
    fn by_id_orders_by_identity() {
        let id = [30, 10, 20, 0];
        let mut idx = [0u32, 1, 2, 3];
        by_id(&mut idx, &id);
        assert_eq!(idx, [3, 1, 2, 0]);
    }
}
