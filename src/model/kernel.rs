//! The worker phase's kernel: every worker's weekly decision and its count toward the view, in
//! groups of 16 workers, written as straight-line arithmetic on the columns (selects instead of
//! branches, one counter-based draw per worker with the stream chosen per lane) so that the
//! compiler vectorises it: 16 workers per instruction with AVX-512 (detected at run time). The
//! workers are stored by workplace ([`Workers::sort`](crate::model::world::Workers::sort)), so most
//! groups read one workplace's context once and add their counts to it as reductions; groups
//! without city workers take a short path; mixed groups gather. Elsewhere the worker phase runs the reference, worker by
//! worker (the compiler's cost model does not vectorise this loop for AVX2 or SSE2, and a
//! scalar run of the kernel is slower than the reference).
//!
//! Bit for bit the same as the reference, [`decide`] followed by [`Counts::tally`] for each
//! worker (`kernel_equals_reference` in the tests): the same IEEE operations in the same order
//! on every lane, and no fused multiply-add (Rust never contracts). Workers in custody or exile
//! (a few per thousand) go through [`decide`] itself.
//!
//! The module also holds the Cheka/party pass's filter ([`party_chunk`]): the same groups, one
//! draw a lane, and only the workers the pass will change sent on to it.

use crate::model::counts::{Agg, RecordCtx};
use crate::model::economy::SKILL_PAY;
use crate::model::party::{PartyCtx, PartyWp};
use crate::model::rng::{self, Stream};
use crate::model::workers::{
    Ctx, FearRates, WpCtx, decide, dissent, fear_week, hunger, leave_chance, money, net_risk,
    official_loyalty, return_chance, strike_need,
};
use crate::model::world::{Politics, Status, WorkersMut, flag};
use crate::par::fx;

/// Workers per block: a block's columns (about 14 KB) stay in the L1 cache between the passes
/// over the block (decisions, custody, counts). 256 measured faster than 64 or 1,024.
pub(crate) const B: usize = 256;

/// Per-step constants of the kernel, derived once from the [`Ctx`].
#[derive(Clone, Copy)]
pub(crate) struct Consts {
    pub(crate) key_migrate: u64,
    pub(crate) key_return: u64,
    pub(crate) week_term: u64,
    pub(crate) week0: bool,
    pub(crate) min_share: f32,
    pub(crate) voluntary: bool,
    pub(crate) unemployed_ration: f32,
    pub(crate) cons_village: f32,
    pub(crate) cons_admin: f32,
    /// The week's rates of the legitimacy and fear updates (one function each, for both
    /// paths).
    pub(crate) legitimacy: crate::model::mechanisms::LegitimacyRates,
    pub(crate) fear: FearRates,
    pub(crate) piece: f32,
    pub(crate) piece_rates: bool,
    pub(crate) mobilised: bool,
    pub(crate) unemployed_dep: f32,
    pub(crate) dole: f32,
    pub(crate) market_fill: f32,
    pub(crate) dep_weight: f32,
    pub(crate) expectation_rate: f32,
    pub(crate) threshold: f32,
    pub(crate) expressive_cost: f32,
    pub(crate) strike_weight: f32,
    pub(crate) subsistence: f32,
    pub(crate) effort_base: f32,
    pub(crate) effort_legitimacy: f32,
    pub(crate) effort_fear: f32,
    pub(crate) migrate_leave: f32,
    pub(crate) village_pull: f32,
    pub(crate) migrate_return: f32,
    pub(crate) city_pull: f32,
}

impl Consts {
    pub(super) fn new(x: &Ctx, min_share: f32, voluntary: bool) -> Consts {
        Consts {
            key_migrate: rng::key(x.seed, Stream::Migrate),
            key_return: rng::key(x.seed, Stream::Return),
            week_term: rng::week_term(x.week),
            week0: x.week == 0,
            min_share,
            voluntary,
            unemployed_ration: x.e.ration[3],
            cons_village: x.village_pull * x.subsistence,
            cons_admin: x.e.ration[2] * x.pol.privilege as f32,
            legitimacy: x.legitimacy,
            fear: x.fear,
            piece: if x.piece_rates { x.k.effort_piece } else { 0.0 },
            piece_rates: x.piece_rates,
            mobilised: x.pol.labour_mobilisation,
            unemployed_dep: x.unemployed_deprivation,
            dole: x.dole,
            market_fill: x.market_fill,
            dep_weight: x.k.deprivation_weight,
            expectation_rate: x.k.expectation_rate,
            threshold: x.k.epstein_threshold,
            expressive_cost: x.k.expressive_cost,
            strike_weight: x.k.strike_grievance_weight,
            subsistence: x.subsistence,
            effort_base: x.k.effort_base,
            effort_legitimacy: x.k.effort_legitimacy,
            effort_fear: x.k.effort_fear,
            migrate_leave: x.k.migrate_leave,
            village_pull: x.village_pull,
            migrate_return: x.k.migrate_return,
            city_pull: x.city_pull,
        }
    }
}

/// A value per identity (indexed by the discriminant, as [`Politics::ALL`] lists them).
pub(crate) type ByIdentity = [f32; 7];

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

pub(crate) const ANCHOR: ByIdentity = by_identity!(anchor);
pub(crate) const CONVICTION: ByIdentity = by_identity!(conviction);

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

/// [`SKILL_PAY`] as selects on the skill (0, 1, 2).
#[inline(always)]
pub(crate) fn skill_pay(s: u8) -> f32 {
    if s == 0 {
        SKILL_PAY[0]
    } else if s == 1 {
        SKILL_PAY[1]
    } else {
        SKILL_PAY[2]
    }
}

/// Decides and counts one chunk of workers: the kernel where the CPU has AVX-512, else the
/// reference (the same results).
pub(crate) fn chunk(c: &mut WorkersMut, x: &Ctx, k: &Consts, r: &RecordCtx, a: &mut Agg) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512() {
            // SAFETY: the CPU has these AVX-512 extensions (checked just above).
            unsafe { chunk_avx512(c, x, k, r, a) };
            return;
        }
    }
    crate::model::workers::reference_chunk(c, x, r, k.min_share, k.voluntary, a);
}

/// The kernel compiled without AVX-512 (for tests on any CPU).
#[cfg(test)]
pub(crate) fn chunk_portable(c: &mut WorkersMut, x: &Ctx, k: &Consts, r: &RecordCtx, a: &mut Agg) {
    chunk_body::<false>(c, x, k, r, a);
}

/// Whether the CPU has the AVX-512 extensions the kernel is compiled for.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512dq")
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq")]
pub(crate) fn chunk_avx512(c: &mut WorkersMut, x: &Ctx, k: &Consts, r: &RecordCtx, a: &mut Agg) {
    chunk_body::<true>(c, x, k, r, a);
}

/// Lanes per group: one AVX-512 vector of 32-bit values. The kernel's loops run over groups, so
/// every loop has a fixed trip count and compiles to straight vector code with no remainder.
pub(crate) const G: usize = crate::model::world::GROUP;

/// The first `G` elements of `s` from `at`, as an array.
#[inline(always)]
pub(crate) fn lanes<T>(s: &[T], at: usize) -> &[T; G] {
    s[at..at + G].try_into().expect("a whole group")
}

/// The first `G` elements of `s` from `at`, as a mutable array.
#[inline(always)]
pub(crate) fn lanes_mut<T>(s: &mut [T], at: usize) -> &mut [T; G] {
    (&mut s[at..at + G]).try_into().expect("a whole group")
}

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
/// `AVX512`, which only the kernel's AVX-512 functions pass, two masked vector reductions;
/// else lane by lane).
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

/// Where the lanes of a group read their workplace's context.
pub(crate) trait Source {
    fn at(&self, l: usize) -> &WpCtx;
    /// Whether lanes `0..n` have a context.
    fn covers(&self, n: usize) -> bool;
}

/// Each lane its own workplace's context (a gather per field).
#[derive(Clone, Copy)]
pub(crate) struct Gathered<'a> {
    pub(crate) ctx: &'a [WpCtx],
    pub(crate) wp: &'a [u32],
}

impl Source for Gathered<'_> {
    #[inline(always)]
    fn at(&self, l: usize) -> &WpCtx {
        // Every id is a workplace; the clamp (a no-op) lets the compiler drop the bounds check.
        &self.ctx[(self.wp[l] as usize).min(self.ctx.len() - 1)]
    }
    #[inline(always)]
    fn covers(&self, n: usize) -> bool {
        self.wp.len() == n && !self.ctx.is_empty()
    }
}

/// One context for every lane (a broadcast per field).
pub(crate) struct Uniform(WpCtx);

impl Source for Uniform {
    #[inline(always)]
    fn at(&self, _: usize) -> &WpCtx {
        &self.0
    }
    #[inline(always)]
    fn covers(&self, _: usize) -> bool {
        true
    }
}

/// Counts of one chunk, lane by lane (each lane's column of the group adds into its own slot,
/// which vectorises; the slots are summed once per chunk). 32-bit counts: a chunk has at most
/// [`CHUNK`](crate::model::counts::CHUNK) workers.
#[derive(Clone, Copy, Default)]
pub(crate) struct LaneCounts {
    pub(crate) status: [[i32; G]; 6],
    pub(crate) politics: [[i32; G]; 7],
    pub(crate) party_admin: [i32; G],
    pub(crate) party_office: [i32; G],
    pub(crate) party_factory: [i32; G],
    pub(crate) party_recent: [i32; G],
    pub(crate) public: [i32; G],
    pub(crate) private: [i32; G],
    pub(crate) blacklisted: [i32; G],
    pub(crate) strikers: [i32; G],
    pub(crate) legitimacy: [i64; G],
    pub(crate) hardship: [i64; G],
    pub(crate) grievance: [i64; G],
    pub(crate) fear: [i64; G],
    pub(crate) consumption: [i64; G],
    pub(crate) effort: [i64; G],
}

/// Counts of the employed of one workplace over a run of [`Kind::Uniform`] groups, lane by lane.
#[derive(Clone, Copy, Default)]
pub(crate) struct WpLanes {
    pub(crate) employed: [i32; G],
    pub(crate) strikers: [i32; G],
    pub(crate) public: [i32; G],
    pub(crate) party: [i32; G],
    pub(crate) dissidents: [i32; G],
    pub(crate) target: [i32; G],
    pub(crate) effort: [i64; G],
    pub(crate) initiators: [i32; G],
    pub(crate) sustaining: [i32; G],
    pub(crate) ready: [i32; G],
    pub(crate) payers: [i32; G],
}

pub(crate) fn sum32(x: &[i32; G]) -> i64 {
    x.iter().map(|&v| i64::from(v)).sum()
}

impl LaneCounts {
    /// Adds the lanes' counts to the pass's counts.
    pub(crate) fn flush(&self, a: &mut Agg) {
        let t = &mut a.c;
        for (a, b) in t.status.iter_mut().zip(&self.status) {
            *a += sum32(b);
        }
        for (a, b) in t.politics.iter_mut().zip(&self.politics) {
            *a += sum32(b);
        }
        t.party_admin += sum32(&self.party_admin);
        t.party_office += sum32(&self.party_office);
        t.party_factory += sum32(&self.party_factory);
        t.party_recent += sum32(&self.party_recent);
        t.public += sum32(&self.public);
        t.private += sum32(&self.private);
        t.blacklisted += sum32(&self.blacklisted);
        t.strikers += sum32(&self.strikers);
        t.legitimacy += self.legitimacy.iter().sum::<i64>();
        t.hardship += self.hardship.iter().sum::<i64>();
        t.grievance += self.grievance.iter().sum::<i64>();
        t.fear += self.fear.iter().sum::<i64>();
        t.consumption += self.consumption.iter().sum::<i64>();
        t.effort += self.effort.iter().sum::<i64>();
    }
}

impl WpLanes {
    /// Adds the lanes' counts to workplace `w` (of `sector`), and clears them.
    pub(crate) fn flush(&mut self, w: usize, sector: u8, a: &mut Agg) {
        let t = &mut a.c.wp[w];
        t.employed += sum32(&self.employed) as i32;
        t.strikers += sum32(&self.strikers) as i32;
        t.public += sum32(&self.public) as i32;
        t.party += sum32(&self.party) as i32;
        t.dissidents += sum32(&self.dissidents) as i32;
        t.target += sum32(&self.target) as i32;
        t.effort += self.effort.iter().sum::<i64>();
        let x = &mut a.extra[w];
        x.initiators += sum32(&self.initiators) as u32;
        x.sustaining += sum32(&self.sustaining) as u32;
        x.ready += sum32(&self.ready) as u32;
        a.payers[sector as usize] += sum32(&self.payers);
        *self = WpLanes::default();
    }
}

/// Decides and counts one chunk, block by block (decisions, then custody, then counts), each
/// block group by group by the loop the group's [`Kind`] calls for: one workplace's context
/// read once ([`decide_group`], [`count_group`], [`count_run`]), the short path of a group
/// without city workers ([`quiet_lanes`], [`count_quiet`]), or each lane gathering its own
/// context ([`decide_lanes`], [`count_group`], [`scatter_group`]). The chunk's last workers that
/// do not fill a group (at the very end of the agents only) go through the reference.
#[inline(always)]
pub(crate) fn chunk_body<const AVX512: bool>(
    c: &mut WorkersMut,
    x: &Ctx,
    k: &Consts,
    r: &RecordCtx,
    a: &mut Agg,
) {
    c.assert_columns();
    let n = c.len();
    let whole = n - n % G;
    let mut counts = LaneCounts::default();
    let mut run = WpLanes::default();
    let mut run_wp: Option<u32> = None;
    let mut b0 = 0;
    while b0 < whole {
        let end = (b0 + B).min(whole);
        // Decisions.
        for g0 in (b0..end).step_by(G) {
            let kd = kind::<AVX512>(lanes(c.status, g0), lanes(c.wp, g0));
            a.groups += 1;
            a.mixed += i64::from(kd == Kind::Mixed);
            decide_group(c, g0, kd, k, x.wp);
        }
        // Custody and exile: the reference (rare; their lanes were left untouched above).
        for g0 in (b0..end).step_by(G) {
            if held(lanes(c.status, g0)) {
                for j in g0..g0 + G {
                    if matches!(c.status[j], Status::Arrested | Status::Exiled) {
                        decide(c, j, x, a);
                    }
                }
            }
        }
        // Counts, by the kinds after this week's moves.
        for g0 in (b0..end).step_by(G) {
            let kd = kind::<AVX512>(lanes(c.status, g0), lanes(c.wp, g0));
            // A run of one workplace's groups ends.
            if let Some(w) = run_wp
                && kd != Kind::Uniform(w)
            {
                run.flush(w as usize, x.wp[w as usize].sector, a);
                run_wp = None;
            }
            match kd {
                Kind::Quiet => count_quiet(c, g0, r, &mut counts),
                Kind::Uniform(w) => {
                    let g = Uniform(x.wp[w as usize]);
                    count_group(c, g0, r, &g, &mut counts);
                    count_run(c, g0, k, r, g.0.prev, &mut run);
                    run_wp = Some(w);
                }
                Kind::Mixed => {
                    let src = Gathered {
                        ctx: x.wp,
                        wp: lanes(c.wp, g0),
                    };
                    count_group(c, g0, r, &src, &mut counts);
                    scatter_group(c, g0, k, r, x.wp, a);
                }
            }
        }
        b0 = end;
    }
    if let Some(w) = run_wp {
        run.flush(w as usize, x.wp[w as usize].sector, a);
    }
    counts.flush(a);
    for j in whole..n {
        crate::model::workers::reference_one(c, j, x, r, k.min_share, k.voluntary, a);
    }
}

/// `n`, hidden from the optimiser: a mixed group runs the decision loop over slices
/// (vectorised, with gathers) for 16 lanes; with the trip count known, the compiler would
/// unroll it into scalar code instead.
#[inline(always)]
pub(crate) fn opaque(n: usize) -> usize {
    std::hint::black_box(n)
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

/// One group decides, by the loop its [`Kind`] calls for.
#[inline(always)]
pub(crate) fn decide_group(c: &mut WorkersMut, g0: usize, kd: Kind, k: &Consts, ctx: &[WpCtx]) {
    match kd {
        Kind::Quiet => quiet_lanes(
            lanes(c.id, g0),
            k,
            lanes_mut(c.status, g0),
            lanes_mut(c.flags, g0),
            lanes(c.ties, g0),
            lanes_mut(c.consumption, g0),
            lanes_mut(c.expectation, g0),
            lanes_mut(c.legitimacy, g0),
        ),
        Kind::Uniform(w) => decide_lanes(k, Uniform(ctx[w as usize]), c, g0, G),
        Kind::Mixed => {
            // The workplace ids are read before any column is borrowed mutably.
            let wp = *lanes(c.wp, g0);
            let n = opaque(G);
            decide_lanes(k, Gathered { ctx, wp: &wp[..n] }, c, g0, n);
        }
    }
}

/// The week of a group without city workers: the village's draw to return and its
/// consumption; officials' rations and loyalty. As [`decide`] for these statuses; custody and
/// exile lanes keep every value.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn quiet_lanes(
    ids: &[u32; G],
    k: &Consts,
    st: &mut [Status; G],
    fl: &mut [u8; G],
    ties: &[f32; G],
    cons_c: &mut [f32; G],
    exp_c: &mut [f32; G],
    leg_c: &mut [f32; G],
) {
    let k = *k;
    let mut draws = [0.0f32; G];
    for (l, d) in draws.iter_mut().enumerate() {
        *d = rng::unit(rng::hash_keyed(
            k.key_return,
            u64::from(ids[l]),
            k.week_term,
        ));
    }
    for l in 0..G {
        let s = st[l] as u8;
        let village = s == Status::Village as u8;
        let admin = s == Status::Administration as u8;
        let p_return = return_chance(k.migrate_return, ties[l], k.city_pull);
        let back = village && draws[l] < p_return;
        cons_c[l] = if village {
            k.cons_village
        } else if admin {
            k.cons_admin
        } else {
            cons_c[l]
        };
        exp_c[l] = if back { k.cons_village } else { exp_c[l] };
        let l_old = leg_c[l];
        leg_c[l] = if admin {
            official_loyalty(l_old)
        } else {
            l_old
        };
        fl[l] = if admin {
            fl[l] & !(flag::PUBLIC | flag::STRIKING)
        } else {
            fl[l]
        };
        st[l] = if back { Status::Unemployed } else { st[l] };
    }
}

/// The decisions of the workers `at..at + n` (a group, or a whole block): the arithmetic of
/// [`decide`] on every lane, each column's new value selected by the worker's status. Workers in
/// custody or exile keep every value.
#[inline(always)]
pub(crate) fn decide_lanes(k: &Consts, src: impl Source, c: &mut WorkersMut, at: usize, n: usize) {
    let m = at..at + n;
    decide_arrays(
        &c.id[m.clone()],
        k,
        src,
        &mut c.status[m.clone()],
        &mut c.flags[m.clone()],
        &mut c.timer[m.clone()],
        &c.skill[m.clone()],
        &c.politics[m.clone()],
        &c.ties[m.clone()],
        &c.threshold[m.clone()],
        &c.risk[m.clone()],
        &mut c.need[m.clone()],
        &mut c.consumption[m.clone()],
        &mut c.expectation[m.clone()],
        &mut c.hardship[m.clone()],
        &mut c.legitimacy[m.clone()],
        &mut c.fear[m.clone()],
        &mut c.dissent[m.clone()],
        &mut c.effort[m],
    );
}

/// The loop of [`decide_lanes`]. Each column is its own argument: the compiler knows that
/// mutable references never overlap, which is what lets it vectorise the loop.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decide_arrays(
    ids: &[u32],
    k: &Consts,
    src: impl Source,
    st: &mut [Status],
    fl: &mut [u8],
    tm: &mut [u16],
    skill: &[u8],
    pol: &[Politics],
    ties: &[f32],
    theta: &[f32],
    risk_av: &[f32],
    need: &mut [f32],
    cons_c: &mut [f32],
    exp_c: &mut [f32],
    hard_c: &mut [f32],
    leg_c: &mut [f32],
    fear_c: &mut [f32],
    dis_c: &mut [f32],
    eff_c: &mut [f32],
) {
    let n = st.len();
    assert!(
        n <= B
            && fl.len() == n
            && tm.len() == n
            && skill.len() == n
            && pol.len() == n
            && ties.len() == n
            && theta.len() == n
            && risk_av.len() == n
            && need.len() == n
            && cons_c.len() == n
            && exp_c.len() == n
            && hard_c.len() == n
            && leg_c.len() == n
            && fear_c.len() == n
            && dis_c.len() == n
            && eff_c.len() == n
            && ids.len() == n
            && src.covers(n)
    );
    let k = *k;
    // The week's draw of every lane (migration in the city, return from the village): its own
    // loop, as 64-bit multiplies are dear in vectors.
    let mut draws = [0.0f32; B];
    for l in 0..n {
        let key = if st[l] == Status::Village {
            k.key_return
        } else {
            k.key_migrate
        };
        draws[l] = rng::unit(rng::hash_keyed(key, u64::from(ids[l]), k.week_term));
    }
    for l in 0..n {
        let g = src.at(l);
        let s = st[l] as u8;
        let employed = s == Status::Employed as u8;
        let city = s <= Status::Unemployed as u8;
        let village = s == Status::Village as u8;
        let admin = s == Status::Administration as u8;
        let f0 = fl[l];
        // The blacklist runs out.
        let listed = city && f0 & flag::BLACKLISTED != 0;
        let t0 = tm[l];
        let t1 = if listed { t0.saturating_sub(1) } else { t0 };
        let f1 = if listed && t1 == 0 {
            f0 & !flag::BLACKLISTED
        } else {
            f0
        };
        let was_public = f1 & flag::PUBLIC != 0;
        // Consumption.
        let ration = if employed {
            g.ration
        } else {
            k.unemployed_ration
        };
        let dep = if employed {
            g.deprivation
        } else {
            k.unemployed_dep
        };
        let money = money(
            employed,
            k.piece_rates,
            eff_c[l],
            g.mean_effort,
            g.pay,
            skill_pay(skill[l]),
            k.dole,
        );
        let cons = ration + money * k.market_fill;
        let e0 = if k.week0 { cons } else { exp_c[l] };
        let hard = crate::model::mechanisms::hardship(cons, e0, dep, k.dep_weight);
        let p = pol[l] as u8;
        // Legitimacy.
        let lg = crate::model::mechanisms::legitimacy_week(
            leg_c[l],
            cons,
            e0,
            select(p, &ANCHOR),
            g.cell,
            g.arrested,
            g.inclusion,
            &k.legitimacy,
        );
        let e1 = e0 + k.expectation_rate * (cons - e0);
        // Fear.
        let fe = fear_week(fear_c[l], g.arrested, &k.fear);
        // Stance.
        let d = dissent(hard, lg, select(p, &CONVICTION));
        let wp_risk = if was_public {
            g.risk_public
        } else {
            g.risk_quiet
        };
        let net = net_risk(risk_av[l], fe, wp_risk);
        let public = crate::model::mechanisms::expresses(
            d,
            net,
            k.threshold,
            k.expressive_cost,
            g.peer_public,
        );
        let nd = strike_need(
            employed,
            theta[l],
            d,
            net,
            k.threshold,
            k.strike_weight,
            g.union_signal,
            g.demobilisation,
        );
        let fl_city =
            (f1 & !(flag::PUBLIC | flag::STRIKING)) | if public { flag::PUBLIC } else { 0 };
        // Effort.
        let hunger = hunger(cons, k.subsistence);
        let eff = if employed {
            crate::model::mechanisms::effort(
                k.effort_base,
                k.effort_legitimacy,
                lg,
                k.effort_fear,
                fe,
                k.piece,
                g.cell,
                hunger,
            )
        } else {
            0.0
        };
        // Migration (city) or return (village): one draw, the stream chosen by the status.
        let p_leave = leave_chance(
            k.migrate_leave,
            ties[l],
            hunger,
            employed,
            k.village_pull,
            k.mobilised,
            p == Politics::Party as u8,
        );
        let p_return = return_chance(k.migrate_return, ties[l], k.city_pull);
        let u = draws[l];
        let leave = city && u < p_leave;
        let back = village && u < p_return;
        // Write back by status.
        tm[l] = t1;
        cons_c[l] = if city {
            cons
        } else if village {
            k.cons_village
        } else if admin {
            k.cons_admin
        } else {
            cons_c[l]
        };
        exp_c[l] = if city {
            e1
        } else if back {
            k.cons_village
        } else {
            exp_c[l]
        };
        hard_c[l] = if city { hard } else { hard_c[l] };
        let l_old = leg_c[l];
        leg_c[l] = if city {
            lg
        } else if admin {
            official_loyalty(l_old)
        } else {
            l_old
        };
        fear_c[l] = if city { fe } else { fear_c[l] };
        dis_c[l] = if city { d } else { dis_c[l] };
        need[l] = if city { nd } else { need[l] };
        eff_c[l] = if leave {
            0.0
        } else if city {
            eff
        } else {
            eff_c[l]
        };
        fl[l] = if leave || admin {
            f1 & !(flag::PUBLIC | flag::STRIKING)
        } else if city {
            fl_city
        } else {
            f0
        };
        st[l] = if leave {
            Status::Village
        } else if back {
            Status::Unemployed
        } else {
            st[l]
        };
    }
}

/// Counts a group toward the view and the record as [`Counts::tally`] does, except the
/// per-workplace counts of the employed ([`count_run`], [`scatter_group`]).
///
/// [`Counts::tally`]: crate::model::counts::Counts::tally
#[inline(always)]
pub(crate) fn count_group(
    c: &WorkersMut,
    g0: usize,
    r: &RecordCtx,
    src: &impl Source,
    t: &mut LaneCounts,
) {
    let (st, fl, pol) = (
        lanes(c.status, g0),
        lanes(c.flags, g0),
        lanes(c.politics, g0),
    );
    let (since, dis) = (lanes(c.party_since, g0), lanes(c.dissent, g0));
    let (leg, hard, fear) = (
        lanes(c.legitimacy, g0),
        lanes(c.hardship, g0),
        lanes(c.fear, g0),
    );
    let (cons, eff) = (lanes(c.consumption, g0), lanes(c.effort, g0));
    for l in 0..G {
        let s = st[l] as u8;
        for q in 0..6 {
            t.status[q][l] += i32::from(s == q as u8);
        }
        let in_city = s <= Status::Unemployed as u8 || s == Status::Administration as u8;
        let p = pol[l] as u8;
        for q in 0..7 {
            t.politics[q][l] += i32::from(in_city && p == q as u8);
        }
        let party = in_city && p == Politics::Party as u8;
        let admin = s == Status::Administration as u8;
        let office = src.at(l).office;
        t.party_admin[l] += i32::from(party && admin);
        t.party_office[l] += i32::from(party && !admin && office);
        t.party_factory[l] += i32::from(party && !admin && !office);
        t.party_recent[l] += i32::from(party && i32::from(since[l]) > r.recent);
        let city = s <= Status::Unemployed as u8;
        let employed = s == Status::Employed as u8;
        let f = fl[l];
        let speaks = f & flag::PUBLIC != 0;
        t.public[l] += i32::from(city && speaks);
        t.private[l] += i32::from(city && !speaks && dis[l] > r.threshold);
        t.blacklisted[l] += i32::from(s == Status::Unemployed as u8 && f & flag::BLACKLISTED != 0);
        t.strikers[l] += i32::from(employed && f & flag::STRIKING != 0);
        // Fixed-point sums.
        let lv = if city { leg[l] } else { 0.0 };
        let hv = if city { hard[l] } else { 0.0 };
        t.legitimacy[l] += fx(lv);
        t.hardship[l] += fx(hv);
        t.grievance[l] += fx(crate::model::mechanisms::grievance(hv, lv));
        t.fear[l] += fx(if city { fear[l] } else { 0.0 });
        t.consumption[l] += fx(if employed { cons[l] } else { 0.0 });
        t.effort[l] += fx(if employed { eff[l] } else { 0.0 });
    }
}

/// Counts a [`Kind::Quiet`] group as [`count_group`] would: only statuses, and officials'
/// identities, are not zero there.
#[inline(always)]
pub(crate) fn count_quiet(c: &WorkersMut, g0: usize, r: &RecordCtx, t: &mut LaneCounts) {
    let (st, pol, since) = (
        lanes(c.status, g0),
        lanes(c.politics, g0),
        lanes(c.party_since, g0),
    );
    for l in 0..G {
        let s = st[l] as u8;
        for q in 0..6 {
            t.status[q][l] += i32::from(s == q as u8);
        }
        let admin = s == Status::Administration as u8;
        let p = pol[l] as u8;
        for q in 0..7 {
            t.politics[q][l] += i32::from(admin && p == q as u8);
        }
        let party = admin && p == Politics::Party as u8;
        t.party_admin[l] += i32::from(party);
        t.party_recent[l] += i32::from(party && i32::from(since[l]) > r.recent);
    }
}

/// What the per-workplace counts of the employed read of a group.
pub(crate) struct Employed<'a> {
    pub(crate) st: &'a [Status; G],
    pub(crate) fl: &'a [u8; G],
    pub(crate) pol: &'a [Politics; G],
    pub(crate) need: &'a [f32; G],
    pub(crate) leg: &'a [f32; G],
    pub(crate) fear: &'a [f32; G],
    pub(crate) eff: &'a [f32; G],
}

impl<'a> Employed<'a> {
    #[inline(always)]
    pub(crate) fn of(c: &'a WorkersMut, g0: usize) -> Employed<'a> {
        Employed {
            st: lanes(c.status, g0),
            fl: lanes(c.flags, g0),
            pol: lanes(c.politics, g0),
            need: lanes(c.need, g0),
            leg: lanes(c.legitimacy, g0),
            fear: lanes(c.fear, g0),
            eff: lanes(c.effort, g0),
        }
    }
}

/// The employed of a [`Kind::Uniform`] group into the lane counts of their workplace's run
/// (`prev`: the workplace's strike share last week).
#[inline(always)]
pub(crate) fn count_run(
    c: &WorkersMut,
    g0: usize,
    k: &Consts,
    r: &RecordCtx,
    prev: f32,
    t: &mut WpLanes,
) {
    let g = Employed::of(c, g0);
    for l in 0..G {
        let e = g.st[l] == Status::Employed;
        let (f, p) = (g.fl[l], g.pol[l]);
        let speaks = f & flag::PUBLIC != 0;
        t.employed[l] += i32::from(e);
        t.strikers[l] += i32::from(e && f & flag::STRIKING != 0);
        t.public[l] += i32::from(e && speaks);
        t.party[l] += i32::from(e && p == Politics::Party);
        t.dissidents[l] += i32::from(e && p.dissident());
        t.target[l] += if e && speaks {
            r.targets.weight(p, f)
        } else {
            0
        };
        t.effort[l] += fx(if e { g.eff[l] } else { 0.0 });
        t.initiators[l] += i32::from(e && g.need[l] <= 0.0);
        t.sustaining[l] += i32::from(e && g.need[l] <= prev);
        t.ready[l] += i32::from(e && g.need[l] <= k.min_share);
        // Would pay voluntary union dues: grants the union (an arm of the state) some trust.
        t.payers[l] += i32::from(e && k.voluntary && g.leg[l] + 0.3 * (1.0 - g.fear[l]) > 0.7);
    }
}

/// The employed of a [`Kind::Mixed`] group into their workplaces' counts, one by one (what
/// [`count_run`] does for a group of one workplace).
#[inline(always)]
pub(crate) fn scatter_group(
    c: &WorkersMut,
    g0: usize,
    k: &Consts,
    r: &RecordCtx,
    ctx: &[WpCtx],
    a: &mut Agg,
) {
    let g = Employed::of(c, g0);
    let wp = lanes(c.wp, g0);
    for l in 0..G {
        if g.st[l] != Status::Employed {
            continue;
        }
        let w = wp[l] as usize;
        let (f, p) = (g.fl[l], g.pol[l]);
        let t = &mut a.c.wp[w];
        t.employed += 1;
        let speaks = f & flag::PUBLIC != 0;
        t.strikers += i32::from(f & flag::STRIKING != 0);
        t.public += i32::from(speaks);
        t.party += i32::from(p == Politics::Party);
        t.dissidents += i32::from(p.dissident());
        if speaks {
            t.target += r.targets.weight(p, f);
        }
        t.effort += fx(g.eff[l]);
        let pc = &ctx[w];
        let x = &mut a.extra[w];
        x.initiators += u32::from(g.need[l] <= 0.0);
        x.sustaining += u32::from(g.need[l] <= pc.prev);
        x.ready += u32::from(g.need[l] <= k.min_share);
        // Would pay voluntary union dues: grants the union (an arm of the state) some trust.
        if k.voluntary && g.leg[l] + 0.3 * (1.0 - g.fear[l]) > 0.7 {
            a.payers[pc.sector as usize] += 1;
        }
    }
}

/// The Cheka/party pass over a chunk where the CPU has AVX-512: a vectorised filter computes,
/// for every lane of a group, the worker's draw and the probability that the pass changes it
/// ([`party_odds`](crate::model::party::party_odds), [`party_thresholds`](crate::model::party::party_thresholds)); only the
/// workers whose draw falls below it go through [`party_worker`](crate::model::party::party_worker) (about
/// one in a thousand a week). The others the pass leaves unchanged, so the results are those
/// of the pass worker by worker. False (nothing done) on other CPUs.
pub(crate) fn party_chunk(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512() {
            // SAFETY: the CPU has these AVX-512 extensions (checked just above).
            unsafe { party_avx512(c, x, a) };
            return true;
        }
    }
    let _ = (c, x, a);
    false
}

/// The filtered pass compiled without AVX-512 (for tests on any CPU).
#[cfg(test)]
pub(crate) fn party_portable(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg) {
    party_body::<false>(c, x, a);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq")]
pub(crate) fn party_avx512(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg) {
    party_body::<true>(c, x, a);
}

#[inline(always)]
pub(crate) fn party_body<const AVX512: bool>(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg) {
    c.assert_columns();
    let n = c.len();
    let whole = n - n % G;
    for g0 in (0..whole).step_by(G) {
        let mut hits = match kind::<AVX512>(lanes(c.status, g0), lanes(c.wp, g0)) {
            Kind::Quiet => 0,
            Kind::Uniform(w) => {
                let w = x.wp[w as usize];
                party_hits(c, g0, x, |_| w)
            }
            Kind::Mixed => {
                let wp = lanes(c.wp, g0);
                let last = x.wp.len() - 1;
                party_hits(c, g0, x, |l| x.wp[(wp[l] as usize).min(last)])
            }
        };
        while hits != 0 {
            let l = hits.trailing_zeros() as usize;
            hits &= hits - 1;
            crate::model::party::party_worker(c, g0 + l, x, a);
        }
    }
    for j in whole..n {
        crate::model::party::party_worker(c, j, x, a);
    }
}

/// The lanes of the group at `g0` (as bits) holding an employed worker whose draw falls below
/// the probability that the Cheka/party pass changes it.
#[inline(always)]
pub(crate) fn party_hits(
    c: &WorkersMut,
    g0: usize,
    x: &PartyCtx,
    at: impl Fn(usize) -> PartyWp,
) -> u32 {
    let (st, fl, po) = (
        lanes(c.status, g0),
        lanes(c.flags, g0),
        lanes(c.politics, g0),
    );
    let (ids, skill) = (lanes(c.id, g0), lanes(c.skill, g0));
    let (leg, dis) = (lanes(c.legitimacy, g0), lanes(c.dissent, g0));
    let mut hit = [false; G];
    for l in 0..G {
        let odds =
            crate::model::party::party_odds(x, po[l] as u8, fl[l], skill[l], leg[l], dis[l], at(l));
        let t = crate::model::party::party_thresholds(odds);
        let u = crate::model::party::party_draw(x, ids[l]);
        hit[l] =
            (st[l] as u8 == Status::Employed as u8) & (u < t[crate::model::party::OUTCOMES - 1]);
    }
    let mut bits = 0u32;
    for (l, h) in hit.iter().enumerate() {
        bits |= u32::from(*h) << l;
    }
    bits
}
