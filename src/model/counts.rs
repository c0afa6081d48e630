//! What the step counts about the workers, exactly and in any order: per-workplace and city
//! counts (integers and fixed-point sums, [`crate::par::fx`]) gathered in the worker phase and
//! kept up to date by every later change to a worker, the parallel folds and scans over the
//! workers, and the view the institutions and next week's workers read ([`finish_view`]).

use crate::model::mechanisms as mech;
use crate::model::registry::Mechanism;
use crate::model::world::{Politics, SizeClass, Status, Workers, WorkersMut, World, flag};
use crate::par::{self, fx, unfx};
use crate::scenario::params::{MechanismCfg, PolicyCfg};
use std::ops::Range;

/// Workers per parallel chunk. Fixed: chunk boundaries never depend on the thread count.
pub const CHUNK: usize = 4096;

/// Workforce (persons) at which standing surveillance is exactly `surveillance` per worker.
pub(crate) const SURVEILLANCE_REF: f32 = 60.0;
/// Counters of this week's institutional events (in agents or model workplaces).
#[derive(Default, Clone, Debug)]
pub(crate) struct Tally {
    pub(crate) started: [f64; 2],
    /// Strikes started where wages are in arrears.
    pub(crate) started_arrears: f64,
    pub(crate) settled: [f64; 2],
    pub(crate) suppressed: [f64; 2],
    pub(crate) faded: f64,
    pub(crate) arrests: usize,
    pub(crate) strikers: usize,
    pub(crate) sackings: usize,
    pub(crate) exiles: usize,
    pub(crate) promotions: usize,
    pub(crate) recruits: usize,
    pub(crate) exits: usize,
}

/// Per-workplace counts of the employed (the view).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct WpTally {
    pub(crate) employed: i32,
    pub(crate) strikers: i32,
    pub(crate) public: i32,
    pub(crate) party: i32,
    pub(crate) dissidents: i32,
    /// Cheka target weight of those who speak out.
    pub(crate) target: i32,
    /// Sum of effort (fixed point).
    pub(crate) effort: i64,
}

/// Per-workplace counts of one pass only (not part of [`Counts`]).
#[derive(Clone, Copy, Default)]
pub(crate) struct WpExtra {
    /// Worker phase: employed whose strike need is ≤ 0 (they would walk out alone), ≤ last
    /// week's strike share (they would stay out), ≤ the minimum strike share.
    pub(crate) initiators: u32,
    pub(crate) sustaining: u32,
    pub(crate) ready: u32,
    /// Cheka arrests this week.
    pub(crate) arrests: u32,
}

/// Everything the view and the week's record add up over the agents, as integers (counts and
/// fixed-point sums). Kept up to date through the step: the worker phase counts every agent,
/// and every later change to an agent takes its old contribution out and puts the new one in
/// ([`Counts::tally`] with sign −1, then +1), so the totals always equal a fresh count of the
/// current state (checked against [`aggregate`] in debug builds).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub(crate) struct Counts {
    pub(crate) wp: Vec<WpTally>,
    /// Agents by [`Status`].
    pub(crate) status: [i64; 6],
    /// City workers (employed or unemployed) speaking out, holding dissent privately, blacklisted.
    pub(crate) public: i64,
    pub(crate) private: i64,
    pub(crate) blacklisted: i64,
    /// Sums over city workers (fixed point).
    pub(crate) legitimacy: i64,
    pub(crate) hardship: i64,
    pub(crate) grievance: i64,
    pub(crate) fear: i64,
    /// Sums over the employed (fixed point) and strikers.
    pub(crate) consumption: i64,
    pub(crate) effort: i64,
    pub(crate) strikers: i64,
    /// Party members in the city by where they are; joined in the last 52 weeks.
    pub(crate) party_factory: i64,
    pub(crate) party_office: i64,
    pub(crate) party_admin: i64,
    pub(crate) party_recent: i64,
    /// Agents in the city by [`Politics`] (dissident groups, party).
    pub(crate) politics: [i64; 7],
}

impl std::ops::AddAssign for WpTally {
    fn add_assign(&mut self, o: WpTally) {
        self.employed += o.employed;
        self.strikers += o.strikers;
        self.public += o.public;
        self.party += o.party;
        self.dissidents += o.dissidents;
        self.target += o.target;
        self.effort += o.effort;
    }
}

impl Counts {
    pub(crate) fn new(nw: usize) -> Counts {
        Counts {
            wp: vec![WpTally::default(); nw],
            ..Counts::default()
        }
    }

    pub(crate) fn add(&mut self, o: &Counts) {
        for (a, b) in self.wp.iter_mut().zip(&o.wp) {
            *a += *b;
        }
        for (a, b) in self.status.iter_mut().zip(o.status) {
            *a += b;
        }
        self.public += o.public;
        self.private += o.private;
        self.blacklisted += o.blacklisted;
        self.legitimacy += o.legitimacy;
        self.hardship += o.hardship;
        self.grievance += o.grievance;
        self.fear += o.fear;
        self.consumption += o.consumption;
        self.effort += o.effort;
        self.strikers += o.strikers;
        self.party_factory += o.party_factory;
        self.party_office += o.party_office;
        self.party_admin += o.party_admin;
        self.party_recent += o.party_recent;
        for (a, b) in self.politics.iter_mut().zip(o.politics) {
            *a += b;
        }
    }

    /// Adds (`S` = 1) or takes out (`S` = −1) one agent's contribution to the view and the
    /// week's record.
    #[inline(always)]
    pub(crate) fn tally<const S: i64>(&mut self, x: &Agent, r: &RecordCtx) {
        let s32 = S as i32;
        self.status[x.st as usize] += S;
        if x.st.in_city() {
            self.politics[x.pol as usize] += S;
            if x.pol == Politics::Party {
                if x.st == Status::Administration {
                    self.party_admin += S;
                } else if r.class[x.wp as usize] == SizeClass::Office {
                    self.party_office += S;
                } else {
                    self.party_factory += S;
                }
                if i32::from(x.since) > r.recent {
                    self.party_recent += S;
                }
            }
        }
        if !matches!(x.st, Status::Employed | Status::Unemployed) {
            return;
        }
        let public = x.fl & flag::PUBLIC != 0;
        self.public += S * i64::from(public);
        self.legitimacy += S * fx(x.legitimacy);
        self.hardship += S * fx(x.hardship);
        self.grievance += S * fx(mech::grievance(x.hardship, x.legitimacy));
        self.fear += S * fx(x.fear);
        if !public && x.dissent > r.threshold {
            self.private += S;
        }
        if x.st == Status::Unemployed {
            if x.fl & flag::BLACKLISTED != 0 {
                self.blacklisted += S;
            }
            return;
        }
        self.consumption += S * fx(x.consumption);
        let t = &mut self.wp[x.wp as usize];
        t.employed += s32;
        let striking = x.fl & flag::STRIKING != 0;
        t.strikers += s32 * i32::from(striking);
        self.strikers += S * i64::from(striking);
        t.public += s32 * i32::from(public);
        t.party += s32 * i32::from(x.pol == Politics::Party);
        t.dissidents += s32 * i32::from(x.pol.dissident());
        if public {
            t.target += s32 * r.targets.weight(x.pol, x.fl);
        }
        let e = fx(x.effort);
        t.effort += S * e;
        self.effort += S * e;
    }
}

/// What one parallel pass over the workers adds up: the [`Counts`] (or their changes), the
/// pass's own per-workplace counts and its tallies.
#[derive(Clone, Default)]
pub(crate) struct Agg {
    pub(crate) c: Counts,
    pub(crate) extra: Vec<WpExtra>,
    /// Employed who would pay voluntary union dues, by sector.
    pub(crate) payers: [i64; 7],
    pub(crate) exiles: i64,
    pub(crate) promotions: i64,
    pub(crate) recruits: i64,
    pub(crate) exits: i64,
    /// Worker phase: groups of workers, and those of them with
    /// city workers of several workplaces (how far the storage order has drifted).
    pub(crate) groups: i64,
    pub(crate) mixed: i64,
}

impl Agg {
    pub(crate) fn new(nw: usize) -> Agg {
        Agg {
            c: Counts::new(nw),
            extra: vec![WpExtra::default(); nw],
            ..Agg::default()
        }
    }

    pub(crate) fn merge(mut self, o: Agg) -> Agg {
        self.c.add(&o.c);
        for (a, b) in self.extra.iter_mut().zip(o.extra) {
            a.initiators += b.initiators;
            a.sustaining += b.sustaining;
            a.ready += b.ready;
            a.arrests += b.arrests;
        }
        for (a, b) in self.payers.iter_mut().zip(o.payers) {
            *a += b;
        }
        self.exiles += o.exiles;
        self.promotions += o.promotions;
        self.recruits += o.recruits;
        self.exits += o.exits;
        self.groups += o.groups;
        self.mixed += o.mixed;
        self
    }
}

/// One agent's state as the view and the record count it.
pub(crate) struct Agent {
    pub(crate) st: Status,
    pub(crate) fl: u8,
    pub(crate) pol: Politics,
    pub(crate) wp: u32,
    pub(crate) since: i16,
    pub(crate) legitimacy: f32,
    pub(crate) hardship: f32,
    pub(crate) fear: f32,
    pub(crate) dissent: f32,
    pub(crate) consumption: f32,
    pub(crate) effort: f32,
}

/// The [`Agent`] at index `i` of a set of worker columns (whole, or one parallel chunk).
macro_rules! agent_at {
    ($w:expr, $i:expr) => {
        Agent {
            st: $w.status[$i],
            fl: $w.flags[$i],
            pol: $w.politics[$i],
            wp: $w.wp[$i],
            since: $w.party_since[$i],
            legitimacy: $w.legitimacy[$i],
            hardship: $w.hardship[$i],
            fear: $w.fear[$i],
            dissent: $w.dissent[$i],
            consumption: $w.consumption[$i],
            effort: $w.effort[$i],
        }
    };
}

impl Agent {
    #[inline(always)]
    pub(crate) fn of(w: &Workers, i: usize) -> Agent {
        agent_at!(w, i)
    }

    #[inline(always)]
    pub(crate) fn of_chunk(c: &WorkersMut, j: usize) -> Agent {
        agent_at!(c, j)
    }
}

/// The Cheka's target weights of a worker who speaks out, as the policy sets them.
#[derive(Clone, Copy)]
pub(crate) struct Targets {
    pub(crate) activists: bool,
    pub(crate) strike_leaders: bool,
    pub(crate) dissident_groups: bool,
    pub(crate) other_socialists: bool,
}

impl Targets {
    pub(crate) fn of(pol: &PolicyCfg) -> Targets {
        Targets {
            activists: pol.target_activists,
            strike_leaders: pol.target_strike_leaders,
            dissident_groups: pol.target_dissident_groups,
            other_socialists: pol.target_other_socialists,
        }
    }

    /// The weights by identity of a worker not striking (indexed by the discriminant), and
    /// what striking adds: [`Targets::weight`] as a table, for the vectorised filter.
    pub(crate) fn table(self) -> ([f32; 7], f32) {
        let mut t = [0.0; 7];
        for (q, w) in t.iter_mut().enumerate() {
            *w = self.weight(Politics::ALL[q], 0) as f32;
        }
        (t, if self.strike_leaders { 1.0 } else { 0.0 })
    }

    /// 1 (activists), +1 (strikers), +2 (non-party socialists, dissident communists), +3 (other
    /// socialist parties), as far as the policy targets each.
    #[inline(always)]
    pub(crate) fn weight(self, p: Politics, fl: u8) -> i32 {
        let mut t = i32::from(self.activists);
        if self.strike_leaders && fl & flag::STRIKING != 0 {
            t += 1;
        }
        if self.dissident_groups
            && matches!(
                p,
                Politics::NonPartySocialist | Politics::DissidentCommunist
            )
        {
            t += 2;
        }
        if self.other_socialists && p.other_socialist() {
            t += 3;
        }
        t
    }
}

/// What counting needs besides the agent: the class of each workplace, the dissent threshold
/// of the private stance, the week before which party members are not recent, Cheka targets.
pub(crate) struct RecordCtx<'a> {
    pub(crate) class: &'a [SizeClass],
    pub(crate) threshold: f32,
    pub(crate) recent: i32,
    pub(crate) targets: Targets,
}

impl RecordCtx<'_> {
    pub(crate) fn new<'a>(
        class: &'a [SizeClass],
        m: &MechanismCfg,
        week: usize,
        pol: &PolicyCfg,
    ) -> RecordCtx<'a> {
        RecordCtx {
            class,
            threshold: m.epstein_threshold as f32,
            recent: week as i32 - 52,
            targets: Targets::of(pol),
        }
    }

    pub(crate) fn of<'a>(world: &'a World, m: &MechanismCfg) -> RecordCtx<'a> {
        RecordCtx::new(&world.wps.class, m, world.week, &world.policy)
    }
}

/// Runs `body` on every chunk of workers in parallel (mutable), adding into one [`Agg`].
pub(crate) fn fold_mut<'a>(
    chunks: Vec<WorkersMut<'a>>,
    nw: usize,
    body: impl Fn(&mut Agg, WorkersMut<'a>) + Sync + Send,
) -> Agg {
    par::fold(chunks, || Agg::new(nw), body, Agg::merge)
}

/// Runs `body` on every range of [`CHUNK`] worker ids in parallel (read-only), adding into one
/// [`Agg`].
pub(crate) fn fold_ref(
    n: usize,
    nw: usize,
    body: impl Fn(&mut Agg, Range<usize>) + Sync + Send,
) -> Agg {
    par::fold(par::ranges(n, CHUNK), || Agg::new(nw), body, Agg::merge)
}

/// The workers with status `want` and none of the flags `clear`, in storage order, scanned in
/// parallel ([`par::scan`]): each parallel task's accumulator from `init` is passed every such
/// worker with `take`.
pub(crate) fn scan<A: Send>(
    w: &Workers,
    want: Status,
    clear: u8,
    init: impl Fn() -> A + Sync + Send,
    take: impl Fn(&mut A, usize) + Sync + Send,
) -> Vec<A> {
    par::scan(
        &w.status,
        &w.flags,
        CHUNK,
        |s: Status, f: u8| (s == want) & (f & clear == 0),
        init,
        take,
    )
}

/// Indices of the workers with status `want`, none of the flags `clear` and `also` true (of
/// the index), in storage order, found in parallel ([`scan`]); `also` is asked only of the
/// workers that pass the first two tests.
pub(crate) fn gather(
    w: &Workers,
    want: Status,
    clear: u8,
    also: impl Fn(usize) -> bool + Sync + Send,
) -> Vec<u32> {
    let parts = scan(w, want, clear, Vec::new, |found: &mut Vec<u32>, i| {
        if also(i) {
            found.push(i as u32);
        }
    });
    parts.concat()
}

/// Counts every agent toward the view and the week's record (one parallel pass).
pub(crate) fn aggregate(world: &World, m: &MechanismCfg) -> Counts {
    let w = &world.workers;
    let r = RecordCtx::of(world, m);
    fold_ref(w.len(), world.wps.len(), |a, range| {
        for i in range {
            a.c.tally::<1>(&Agent::of(w, i), &r);
        }
    })
    .c
}

/// Recomputes the per-workplace view and the city view from the workers' current state.
pub fn refresh_view(world: &mut World, m: &MechanismCfg) {
    let counts = aggregate(world, m);
    finish_view(world, m, &counts);
}

/// The per-workplace view (counts, cell strength, Cheka presence, Epstein's arrest risk), the
/// economy's effort aggregates and the city view, from the counts of a pass over the workers.
pub(crate) fn finish_view(world: &mut World, m: &MechanismCfg, a: &Counts) {
    let v = &mut world.view;
    let surveillance = (world.policy.repression * m.surveillance) as f32;
    let gamma = m.surveillance_exponent as f32;
    let weight = world.weight as f32;
    let k_e = m.epstein_k as f32;
    // libm's powf: the same bits on every platform (not the system's libm).
    let reference = libm::powf(SURVEILLANCE_REF, 1.0 - gamma);
    let informers = world
        .switches
        .gate(Mechanism::Cells, m.informer_share as f32);
    for k in 0..world.wps.len() {
        let t = &a.wp[k];
        v.employed[k] = t.employed as u32;
        v.strikers[k] = t.strikers as u32;
        v.public[k] = t.public as u32;
        v.party[k] = t.party as u32;
        v.dissidents[k] = t.dissidents as u32;
        v.effort_sum[k] = unfx(t.effort) as f32;
        // Standing watchers grow less than proportionally with the workforce (safety in the
        // crowd of a big factory); offices are watched more closely by their superiors.
        let persons = v.employed[k] as f32 * weight;
        let office = if world.wps.class[k] == SizeClass::Office {
            m.office_supervision as f32
        } else {
            1.0
        };
        let watchers = surveillance * office * libm::powf(persons, gamma) * reference / weight;
        let n = v.employed[k].max(1) as f32;
        v.cell_strength[k] = (v.party[k] as f32 / n) * world.wps.cell_vigour[k] * 2.0;
        // Epstein's C: standing surveillance, the cell's informers, and reactive Cheka presence.
        v.cheka[k] = watchers + informers * v.party[k] as f32 + v.cheka_alloc[k];
        v.risk_quiet[k] = mech::arrest_probability(k_e, v.cheka[k], v.public[k], weight);
        v.risk_public[k] =
            mech::arrest_probability(k_e, v.cheka[k], v.public[k].saturating_sub(1), weight);
    }
    let employed = a.status[Status::Employed as usize];
    let effort = unfx(a.effort);
    let e = &mut world.economy;
    e.mean_effort = if employed > 0 {
        effort / employed as f64
    } else {
        0.0
    };
    // What the employed earn (at the workplace's mean rate) and the unemployed get.
    let unemployed = a.status[Status::Unemployed as usize] as f64;
    e.money_demand = e.wage_rate * (effort + crate::model::economy::DOLE * unemployed);
    e.output_index = world.exo.wage_scale
        * crate::model::economy::productivity(e.capacity, world.exo.fuel)
        * effort
        / world.workforce_1913.max(1.0);
    let c = &mut world.city;
    let in_city_workers =
        a.status[Status::Employed as usize] + a.status[Status::Unemployed as usize];
    let share = a.public as f32 / in_city_workers.max(1) as f32;
    c.public_surprise = (share - c.public_trend).max(0.0);
    c.public_trend += 0.1 * (share - c.public_trend);
    c.public_share = share;
    c.strike_share = a.strikers as f32 / employed.max(1) as f32;
    c.visible_privilege = world.switches.gate(
        Mechanism::VisiblePrivilege,
        mech::visible_privilege(
            world.policy.privilege as f32,
            world.policy.privilege_visibility as f32,
        ),
    );
    c.inclusive = world.soviet.executive_party_share < 0.999 && world.soviet.elections_held > 0;
}
