//! Groups of lanes: the shape of the vector loops of the worker phase and the Cheka/party pass.
//! The workers are stored by workplace ([`Workers::sort`](crate::model::world::Workers::sort))
//! and walked in groups of [`G`] (one AVX-512 vector of 32-bit values); a group's [`Kind`] says
//! whether its city workers read one workplace's context (read once, broadcast), several
//! (gathered lane by lane), or none. The code over lanes is written once and compiled for the
//! CPU's vector extensions, chosen at run time ([`Isa`]); the same IEEE operations in the same
//! order on every lane and no fused multiply-add (Rust never contracts), so every build and every
//! CPU gives the same bits (`dispatched_equals_portable` in the tests).

use crate::model::world::{Politics, Status};

/// Lanes per group. The loops run over groups, so every loop has a fixed trip count and
/// compiles to straight vector code with no remainder.
pub(crate) const G: usize = crate::model::world::GROUP;

/// The first `G` elements of `s` from `at`, as an array.
#[inline(always)]
pub(crate) fn lanes<T>(s: &[T], at: usize) -> &[T; G] {
    s[at..at + G].try_into().expect("a whole group")
}

/// Which code the vector loops run: all give the same results (tested).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Path {
    /// Compiled for the best vector extensions the CPU has ([`Isa::detect`]).
    Fastest,
    /// Compiled for these extensions, or the best the CPU has if it lacks them.
    #[cfg(test)]
    Only(Isa),
    /// The Cheka/party pass on every worker, without its filter (the worker phase runs as
    /// `Fastest`).
    #[cfg(test)]
    Unfiltered,
}

/// The vector extensions the loops are compiled for, in order: each holds the ones after it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[repr(u8)]
pub enum Isa {
    /// x86-64 with AVX-512 (F, VL, BW, DQ): 16 lanes of 32 bits per instruction.
    Avx512,
    /// x86-64 with AVX2: 8 lanes.
    Avx2,
    /// The architecture's baseline (SSE2 on x86-64, NEON on AArch64).
    Baseline,
}

impl std::str::FromStr for Isa {
    type Err = String;
    fn from_str(s: &str) -> Result<Isa, String> {
        match s {
            "avx512" => Ok(Isa::Avx512),
            "avx2" => Ok(Isa::Avx2),
            "baseline" => Ok(Isa::Baseline),
            _ => Err(format!("`{s}`: avx512, avx2 or baseline")),
        }
    }
}

/// The best [`Isa`] the loops may use ([`limit`]); `Avx512` (no limit) unless set.
static LIMIT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(Isa::Avx512 as u8);

/// Keeps the vector loops to `isa` or less, for this process: for benchmarks on one machine of
/// what pact costs on CPUs without AVX-512 (`examples/step_time`). Results do not change.
pub fn limit(isa: Isa) {
    LIMIT.store(isa as u8, std::sync::atomic::Ordering::Relaxed);
}

impl Isa {
    /// The best the CPU has (std's run-time detection, cached after the first call), within
    /// the [`limit`].
    pub fn detect() -> Isa {
        let limit = LIMIT.load(std::sync::atomic::Ordering::Relaxed);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if limit <= Isa::Avx512 as u8
                && has!("avx512f")
                && has!("avx512vl")
                && has!("avx512bw")
                && has!("avx512dq")
            {
                return Isa::Avx512;
            }
            if limit <= Isa::Avx2 as u8 && has!("avx2") {
                return Isa::Avx2;
            }
        }
        let _ = limit;
        Isa::Baseline
    }

    /// What `path` runs on this CPU.
    pub(crate) fn of(path: Path) -> Isa {
        match path {
            Path::Fastest => Isa::detect(),
            #[cfg(test)]
            Path::Only(isa) => isa.max(Isa::detect()),
            #[cfg(test)]
            Path::Unfiltered => Isa::detect(),
        }
    }
}

/// Defines `$name(args) -> ret` that runs `$body::<AVX512>` compiled for the [`Isa`] given as
/// its first argument: `#[target_feature]` copies of one generic body (one source).
macro_rules! dispatch {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:ident) => {
        $(#[$m])*
        $vis fn $name(isa: $crate::model::lanes::Isa, $($a: $t),*) -> $r {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq")]
                fn avx512($($a: $t),*) -> $r {
                    $body::<true>($($a),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2($($a: $t),*) -> $r {
                    $body::<false>($($a),*)
                }
                match isa {
                    // SAFETY: `Isa::detect` found these extensions on this CPU.
                    $crate::model::lanes::Isa::Avx512 => return unsafe { avx512($($a),*) },
                    // SAFETY: as above.
                    $crate::model::lanes::Isa::Avx2 => return unsafe { avx2($($a),*) },
                    $crate::model::lanes::Isa::Baseline => {}
                }
            }
            let _ = isa;
            $body::<false>($($a),*)
        }
    };
}
pub(crate) use dispatch;

/// What a group of lanes holds, for the choice of its loop. Only city workers (employed or
/// unemployed) read their workplace's context; the other lanes take whatever context the group
/// reads and select their own values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// No city worker: only the village, administration, custody and exile.
    Quiet,
    /// Every city worker of the group belongs to this workplace: its context is read once.
    Uniform(u32),
    /// City workers of several workplaces: each lane gathers its own context.
    Mixed,
}

/// The [`Kind`] of a group: the least and greatest workplace of its city workers (with
/// `AVX512`, which only functions compiled for AVX-512 pass, two masked vector reductions; else
/// lane by lane).
#[inline(always)]
pub(crate) fn kind<const AVX512: bool>(st: &[Status; G], wp: &[u32; G]) -> Kind {
    #[cfg(target_arch = "x86_64")]
    let (lo, hi) = if AVX512 {
        // SAFETY: `AVX512` is true only in functions compiled for AVX-512, which run only
        // where the CPU has it.
        unsafe { city_range_avx512(st, wp) }
    } else {
        city_range(st, wp)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (lo, hi) = city_range(st, wp);
    if lo == u32::MAX {
        Kind::Quiet
    } else if lo == hi {
        Kind::Uniform(lo)
    } else {
        Kind::Mixed
    }
}

/// The least and greatest workplace of the group's city workers (`u32::MAX` and 0 if none).
#[inline(always)]
pub(crate) fn city_range(st: &[Status; G], wp: &[u32; G]) -> (u32, u32) {
    let (mut lo, mut hi) = (u32::MAX, 0u32);
    for l in 0..G {
        let city = st[l] as u8 <= Status::Unemployed as u8;
        lo = lo.min(if city { wp[l] } else { u32::MAX });
        hi = hi.max(if city { wp[l] } else { 0 });
    }
    (lo, hi)
}

/// [`city_range`] with AVX-512 (the compiler turns the loop into scalar code).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq")]
#[inline]
pub(crate) fn city_range_avx512(st: &[Status; G], wp: &[u32; G]) -> (u32, u32) {
    use std::arch::x86_64::*;
    // SAFETY: both arrays are 16 elements of 1 and 4 bytes (`Status` is `repr(u8)`): one
    // unaligned 128-bit and one 512-bit load.
    let (s, w) = unsafe {
        (
            _mm_loadu_si128(st.as_ptr().cast()),
            _mm512_loadu_si512(wp.as_ptr().cast()),
        )
    };
    let city = _mm_cmple_epu8_mask(s, _mm_set1_epi8(Status::Unemployed as i8));
    (
        _mm512_mask_reduce_min_epu32(city, w),
        _mm512_mask_reduce_max_epu32(city, w),
    )
}

/// Whether any lane of a group is in custody or exile (a reduction, which vectorises).
#[inline(always)]
pub(crate) fn held(st: &[Status; G]) -> bool {
    let mut any = false;
    for s in st {
        any |= (*s as u8).wrapping_sub(Status::Arrested as u8) <= 1;
    }
    any
}

/// A value per identity (indexed by the discriminant, as [`Politics::ALL`] lists them).
pub(crate) type ByIdentity = [f32; 7];

/// `t[p]` as a chain of selects on the discriminant `p` (a table lookup would need a gather).
#[inline(always)]
pub(crate) fn select(p: u8, t: &ByIdentity) -> f32 {
    let mut v = t[0];
    for (q, &x) in t.iter().enumerate().skip(1) {
        if p == q as u8 {
            v = x;
        }
    }
    v
}

/// A [`Politics`] method's values by identity (evaluated at compile time).
macro_rules! by_identity {
    ($method:ident) => {{
        let mut t = [0.0; 7];
        let mut q = 0;
        while q < 7 {
            assert!(Politics::ALL[q] as usize == q);
            t[q] = Politics::ALL[q].$method();
            q += 1;
        }
        t
    }};
}

/// [`Politics::anchor`] and [`Politics::conviction`] by identity, for [`select`].
pub(crate) const ANCHOR: ByIdentity = by_identity!(anchor);
pub(crate) const CONVICTION: ByIdentity = by_identity!(conviction);

/// `n`, hidden from the optimiser: a mixed group runs the decision loop over slices
/// (vectorised, with gathers) for 16 lanes; with the trip count known, the compiler would
/// unroll it into scalar code instead.
#[inline(always)]
pub(crate) fn opaque(n: usize) -> usize {
    std::hint::black_box(n)
}
