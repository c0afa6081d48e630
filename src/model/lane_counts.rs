//! The worker phase's counts toward the view and the week's record, lane by lane: each lane of
//! a group adds into its own slot (which vectorises), and the slots are summed once per chunk
//! (or once per run of one workplace's groups). The same totals as [`Counts::tally`] for each
//! worker (the scalar count every later change to a worker uses; `counts_kept` in the tests
//! checks the two against a fresh count every week).
//!
//! [`Counts::tally`]: crate::model::counts::Counts::tally

use crate::model::counts::{Agent, Agg, RecordCtx};
use crate::model::lanes::{G, Kind, kind, lanes};
use crate::model::workers::{Consts, Gathered, Source, Uniform, WpCtx};
use crate::model::world::{Politics, Status, WorkersMut, flag};
use crate::par::fx;

/// Would pay voluntary union dues: trusts the union (an arm of the state) enough, from
/// legitimacy and the absence of fear.
#[inline(always)]
pub(crate) fn pays_dues(legitimacy: f32, fear: f32) -> bool {
    legitimacy + 0.3 * (1.0 - fear) > 0.7
}

/// What an employed worker's strike need (the share of coworkers out they need to see) makes
/// them for the cascade: an initiator (needs no one), a sustainer of last week's share `prev`,
/// ready to join a strike of the minimum share.
#[inline(always)]
pub(crate) fn readiness(need: f32, prev: f32, min_share: f32) -> [bool; 3] {
    [need <= 0.0, need <= prev, need <= min_share]
}

/// The counts of a chunk in the making.
#[derive(Default)]
pub(crate) struct Counting {
    counts: LaneCounts,
    /// The workplace whose run of groups is being counted, and its counts.
    run: WpLanes,
    run_wp: Option<u32>,
}

impl Counting {
    /// Counts the workers `blk` (whole groups) after their decisions: with AVX-512 lane by lane,
    /// by the kinds of the groups after this week's moves (one workplace's context read once,
    /// [`count_run`]; no city workers, [`count_quiet`]; several workplaces, [`scatter_group`]);
    /// else one by one ([`count_one`]).
    #[inline(always)]
    pub(crate) fn block<const AVX512: bool>(
        &mut self,
        c: &WorkersMut,
        blk: std::ops::Range<usize>,
        ctx: &[WpCtx],
        k: &Consts,
        r: &RecordCtx,
        a: &mut Agg,
    ) {
        // Counts: without AVX-512, one by one (lane counts in scalar code cost more).
        if !AVX512 {
            for j in blk {
                count_one(c, j, k, r, ctx, a);
            }
            return;
        }
        // With AVX-512, lane by lane, by the kinds after this week's moves.
        for g0 in blk.step_by(G) {
            let kd = kind::<AVX512>(lanes(c.status, g0), lanes(c.wp, g0));
            // A run of one workplace's groups ends.
            if let Some(w) = self.run_wp
                && kd != Kind::Uniform(w)
            {
                self.run.flush(w as usize, ctx[w as usize].sector, a);
                self.run_wp = None;
            }
            match kd {
                Kind::Quiet => count_quiet(c, g0, r, &mut self.counts),
                Kind::Uniform(w) => {
                    let g = Uniform(ctx[w as usize]);
                    count_group(c, g0, r, &g, &mut self.counts);
                    count_run(c, g0, k, r, g.0.prev, &mut self.run);
                    self.run_wp = Some(w);
                }
                Kind::Mixed => {
                    let src = Gathered {
                        ctx,
                        wp: lanes(c.wp, g0),
                    };
                    count_group(c, g0, r, &src, &mut self.counts);
                    scatter_group(c, g0, k, r, ctx, a);
                }
            }
        }
    }

    /// Adds what is left to the pass's counts.
    #[inline(always)]
    pub(crate) fn finish(mut self, ctx: &[WpCtx], a: &mut Agg) {
        if let Some(w) = self.run_wp {
            self.run.flush(w as usize, ctx[w as usize].sector, a);
        }
        self.counts.flush(a);
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
        let [init, sustain, ready] = readiness(g.need[l], prev, k.min_share);
        t.initiators[l] += i32::from(e && init);
        t.sustaining[l] += i32::from(e && sustain);
        t.ready[l] += i32::from(e && ready);
        t.payers[l] += i32::from(e && k.voluntary && pays_dues(g.leg[l], g.fear[l]));
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
        count_extra(w, g.need[l], g.leg[l], g.fear[l], k, ctx, a);
    }
}

/// An employed worker of workplace `w` into the workplace's strike readiness and the sector's
/// dues payers.
#[inline(always)]
fn count_extra(w: usize, need: f32, leg: f32, fear: f32, k: &Consts, ctx: &[WpCtx], a: &mut Agg) {
    let pc = &ctx[w];
    let x = &mut a.extra[w];
    let [init, sustain, ready] = readiness(need, pc.prev, k.min_share);
    x.initiators += u32::from(init);
    x.sustaining += u32::from(sustain);
    x.ready += u32::from(ready);
    if k.voluntary && pays_dues(leg, fear) {
        a.payers[pc.sector as usize] += 1;
    }
}

/// Worker `j` of a chunk, counted alone: [`Counts::tally`](crate::model::counts::Counts::tally),
/// then its workplace's strike readiness and dues (the chunk's last workers, which do not fill
/// a group).
#[inline(always)]
pub(crate) fn count_one(
    c: &WorkersMut,
    j: usize,
    k: &Consts,
    r: &RecordCtx,
    ctx: &[WpCtx],
    a: &mut Agg,
) {
    let x = Agent::of_chunk(c, j);
    a.c.tally::<1>(&x, r);
    if x.st == Status::Employed {
        count_extra(x.wp as usize, c.need[j], x.legitimacy, x.fear, k, ctx, a);
    }
}
