//! The weekly step, in explicit phases:
//!
//! 1. **events**: the scenario's dated events due this week (policy, exogenous inputs, actions);
//! 2. **economy**: food reaching the city, rations by category, markets, wages, capacity, jobs;
//! 3. **workers** (parallel): each worker reads last week's aggregates ([`WpView`], [`CityView`])
//!    and writes only its own slot: consumption, hardship, expectation, legitimacy, fear,
//!    grievance, private and public stance, strike need, effort, migration, custody; the same
//!    pass counts the view;
//! 4. **strike cascades** (parallel per workplace, where a strike can hold), then the view;
//! 5. **institutions**: unions (assemblies, dues), strikes (start, settlement, suppression, mass
//!    sackings) and management (arrears, committees, firing, hiring) in fixed order; then one
//!    parallel pass for the Cheka (arrests), the secretariat (promotions), the city committee
//!    (recruitment, exits) and dissident groups; every change to a worker updates the counts
//!    the view and the record are made of;
//! 6. **soviet**: elections and campaign resolutions when due;
//! 7. **record**: aggregates become next week's view and this week's [`WeekRecord`].
//!
//! **Architecture Invariant:** the step does no I/O and cannot fail. Every random draw is
//! `rng::uniform(seed, stream, id, week)`; contended outcomes (strike leaders' arrests under the
//! Cheka's capacity, hiring, firing) are resolved sequentially in id order; every aggregate over
//! workers is an integer (counts, fixed-point sums), so its total is exact in any merge order.
//! Results do not depend on the thread count.
//!
//! [`WpView`]: crate::model::world::WpView
//! [`CityView`]: crate::model::world::CityView

use crate::model::mechanisms as mech;
use crate::model::record::{CampaignRecord, ElectionRecord, RunRecord, WeekRecord};
use crate::model::rng::{self, Stream};
use crate::model::world::{
    CityView, Economy, OFFICE_SECTOR, Politics, SECTORS, SizeClass, Status, Workers, WorkersMut,
    World, flag,
};
use crate::par::{self, fx, unfx};
use crate::scenario::params::{
    Campaign, Executive, MechanismCfg, PaySystem, PolicyCfg, Regime, UnionFunding,
};
use crate::scenario::{Resolved, ResolvedEvent};
use rayon::prelude::*;
use std::ops::Range;

mod kernel;

/// Workers per parallel chunk. Fixed: chunk boundaries never depend on the thread count.
pub const CHUNK: usize = 4096;

/// Base ration weights by category (heavy/defence, ordinary factory, office) and for the unemployed.
const RATION_WEIGHTS: [f32; 4] = [1.4, 1.0, 1.1, 0.5];
/// Extra on the ration of defence workplaces while special rations are in force.
const SPECIAL_RATION: f32 = 1.3;

/// The factor on a defence workplace's ration under the policy in force.
fn special_ration(pol: &PolicyCfg) -> f32 {
    if pol.special_rations {
        SPECIAL_RATION
    } else {
        1.0
    }
}
/// Workforce (persons) at which standing surveillance is exactly `surveillance` per worker.
const SURVEILLANCE_REF: f32 = 60.0;
/// Pay differentials by skill.
const SKILL_PAY: [f32; 3] = [0.8, 1.0, 1.3];

/// Share of the worker phase's groups that were mixed, beyond those mixed right after the last
/// sort, above which the workers are sorted again at the start of the next step
/// ([`Workers::sort`]).
const RESORT_DISORDER: f32 = 0.05;

/// Counters of this week's institutional events (in agents or model workplaces).
#[derive(Default, Clone, Debug)]
struct Tally {
    started: [f64; 2],
    settled: [f64; 2],
    suppressed: [f64; 2],
    faded: f64,
    arrests: usize,
    strikers: usize,
    sackings: usize,
    exiles: usize,
    promotions: usize,
    recruits: usize,
    exits: usize,
}

/// Advances the world by one week, appending this week's records to `out`.
pub fn step(world: &mut World, res: &Resolved, out: &mut RunRecord) {
    let m = &res.scenario.mechanisms;
    // Storage order: restored when the worker phase found it drifting (speed only).
    if world.disorder > world.disorder_floor + RESORT_DISORDER {
        world.disorder_floor = world.workers.sort(world.wps.len());
    }
    let mut tally = Tally::default();
    // Phase 1: events.
    let due: Vec<&ResolvedEvent> = res.events.iter().filter(|e| e.week == world.week).collect();
    for ev in &due {
        apply_event(world, ev, m, &mut tally);
    }
    // Phase 2: economy.
    economy(world, res);
    // Phase 3: workers (counting as they go), then the strike cascades their needs imply.
    let prev: Vec<f32> = (0..world.wps.len())
        .map(|k| world.view.strikers[k] as f32 / world.view.employed[k].max(1) as f32)
        .collect();
    let mut agg = workers(world, m, &prev, Path::Fastest);
    world.disorder = agg.mixed as f32 / agg.groups.max(1) as f32;
    let strikers = strike_cascades(world, m, &mut agg, &prev);
    // From here on, `counts` follows every change to an agent (see [`Counts`]).
    let mut counts = std::mem::take(&mut agg.c);
    // Phase 4: this week's decisions become the view the institutions act on.
    finish_view(world, m, &counts);
    tally.strikers = counts.strikers as usize;
    tally.exiles = agg.exiles as usize;
    let city = counts.status[Status::Employed as usize] as f64;
    world.party.cheka_capacity = world.policy.repression * m.cheka_capacity / 1000.0 * city;
    // Phase 5: institutions.
    unions(world, m, &agg);
    strikes(world, m, &strikers, &mut tally, &mut counts);
    management(world, res, &mut tally, &mut counts);
    cheka_and_party(world, m, &mut tally, &mut counts, Path::Fastest);
    // Phase 6: soviet elections and campaigns (they only read the workers).
    for ev in &due {
        if ev.event.soviet_election {
            election(world, res, out);
        }
        if let Some(c) = ev.event.campaign {
            campaign(world, c, out);
        }
    }
    // Phase 7: record.
    if cfg!(debug_assertions) {
        assert!(
            counts == aggregate(world, m),
            "week {}: the counts kept through the step differ from a fresh count",
            world.week
        );
    }
    finish_view(world, m, &counts);
    out.weeks.push(record(world, res, &tally, &counts));
    world.week += 1;
}

/// Per-workplace counts of the employed (the view).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct WpTally {
    employed: i32,
    strikers: i32,
    public: i32,
    party: i32,
    dissidents: i32,
    /// Cheka target weight of those who speak out.
    target: i32,
    /// Sum of effort (fixed point).
    effort: i64,
}

/// Per-workplace counts of one pass only (not part of [`Counts`]).
#[derive(Clone, Copy, Default)]
struct WpExtra {
    /// Worker phase: employed whose strike need is ≤ 0 (they would walk out alone), ≤ last
    /// week's strike share (they would stay out), ≤ the minimum strike share.
    initiators: u32,
    sustaining: u32,
    ready: u32,
    /// Cheka arrests this week.
    arrests: u32,
}

/// Everything the view and the week's record add up over the agents, as integers (counts and
/// fixed-point sums). Kept up to date through the step: the worker phase counts every agent,
/// and every later change to an agent takes its old contribution out and puts the new one in
/// ([`Counts::tally`] with sign −1, then +1), so the totals always equal a fresh count of the
/// current state (checked against [`aggregate`] in debug builds).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
struct Counts {
    wp: Vec<WpTally>,
    /// Agents by [`Status`].
    status: [i64; 6],
    /// City workers (employed or unemployed) speaking out, holding dissent privately, blacklisted.
    public: i64,
    private: i64,
    blacklisted: i64,
    /// Sums over city workers (fixed point).
    legitimacy: i64,
    hardship: i64,
    grievance: i64,
    fear: i64,
    /// Sums over the employed (fixed point) and strikers.
    consumption: i64,
    effort: i64,
    strikers: i64,
    /// Party members in the city by where they are; joined in the last 52 weeks.
    party_factory: i64,
    party_office: i64,
    party_admin: i64,
    party_recent: i64,
    /// Agents in the city by [`Politics`] (dissident groups, party).
    politics: [i64; 7],
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
    fn new(nw: usize) -> Counts {
        Counts {
            wp: vec![WpTally::default(); nw],
            ..Counts::default()
        }
    }

    fn add(&mut self, o: &Counts) {
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
    fn tally<const S: i64>(&mut self, x: &Agent, r: &RecordCtx) {
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
struct Agg {
    c: Counts,
    extra: Vec<WpExtra>,
    /// Employed who would pay voluntary union dues, by sector.
    payers: [i64; 7],
    exiles: i64,
    promotions: i64,
    recruits: i64,
    exits: i64,
    /// Worker phase (the vectorised kernel only): groups of workers, and those of them with
    /// city workers of several workplaces (how far the storage order has drifted).
    groups: i64,
    mixed: i64,
}

impl Agg {
    fn new(nw: usize) -> Agg {
        Agg {
            c: Counts::new(nw),
            extra: vec![WpExtra::default(); nw],
            ..Agg::default()
        }
    }

    fn merge(mut self, o: Agg) -> Agg {
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
struct Agent {
    st: Status,
    fl: u8,
    pol: Politics,
    wp: u32,
    since: i16,
    legitimacy: f32,
    hardship: f32,
    fear: f32,
    dissent: f32,
    consumption: f32,
    effort: f32,
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
    fn of(w: &Workers, i: usize) -> Agent {
        agent_at!(w, i)
    }

    #[inline(always)]
    fn of_chunk(c: &WorkersMut, j: usize) -> Agent {
        agent_at!(c, j)
    }
}

/// The Cheka's target weights of a worker who speaks out, as the policy sets them.
#[derive(Clone, Copy)]
struct Targets {
    activists: bool,
    strike_leaders: bool,
    dissident_groups: bool,
    other_socialists: bool,
}

impl Targets {
    fn of(pol: &PolicyCfg) -> Targets {
        Targets {
            activists: pol.target_activists,
            strike_leaders: pol.target_strike_leaders,
            dissident_groups: pol.target_dissident_groups,
            other_socialists: pol.target_other_socialists,
        }
    }

    /// The weights by identity of a worker not striking (indexed by the discriminant), and
    /// what striking adds: [`Targets::weight`] as a table, for the vectorised filter.
    fn table(self) -> ([f32; 7], f32) {
        let mut t = [0.0; 7];
        for (q, w) in t.iter_mut().enumerate() {
            *w = self.weight(Politics::ALL[q], 0) as f32;
        }
        (t, if self.strike_leaders { 1.0 } else { 0.0 })
    }

    /// 1 (activists), +1 (strikers), +2 (non-party socialists, dissident communists), +3 (other
    /// socialist parties), as far as the policy targets each.
    #[inline(always)]
    fn weight(self, p: Politics, fl: u8) -> i32 {
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
struct RecordCtx<'a> {
    class: &'a [SizeClass],
    threshold: f32,
    recent: i32,
    targets: Targets,
}

impl RecordCtx<'_> {
    fn new<'a>(
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

    fn of<'a>(world: &'a World, m: &MechanismCfg) -> RecordCtx<'a> {
        RecordCtx::new(&world.wps.class, m, world.week, &world.policy)
    }
}

/// Runs `body` on every chunk of workers in parallel (mutable), adding into one [`Agg`].
fn fold_mut<'a>(
    chunks: Vec<WorkersMut<'a>>,
    nw: usize,
    body: impl Fn(&mut Agg, WorkersMut<'a>) + Sync + Send,
) -> Agg {
    par::fold(chunks, || Agg::new(nw), body, Agg::merge)
}

/// Runs `body` on every range of [`CHUNK`] worker ids in parallel (read-only), adding into one
/// [`Agg`].
fn fold_ref(n: usize, nw: usize, body: impl Fn(&mut Agg, Range<usize>) + Sync + Send) -> Agg {
    par::fold(par::ranges(n, CHUNK), || Agg::new(nw), body, Agg::merge)
}

/// The workers with status `want` and none of the flags `clear`, in storage order, scanned in
/// parallel ([`par::scan`]): each parallel task's accumulator from `init` is passed every such
/// worker with `take`.
fn scan<A: Send>(
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
fn gather(
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

fn apply_event(world: &mut World, ev: &ResolvedEvent, m: &MechanismCfg, tally: &mut Tally) {
    world.policy = ev.policy.clone();
    world.exo = ev.economy.clone();
    let (seed, week) = (world.seed, world.week as u64);
    for i in 0..world.wps.len() {
        world.wps.leased[i] = world.wps.class[i] == SizeClass::Small
            && rng::uniform(seed, Stream::Init, i as u64, 99) < world.policy.leased_share as f32;
    }
    world.party.exemplary = ev.event.exemplary_repression as f32;
    if ev.event.party_debate > 0.0 {
        for v in &mut world.wps.cell_vigour {
            *v = (*v + ev.event.party_debate as f32).min(1.0);
        }
    }
    let e = &ev.event;
    if e.purge <= 0.0 && e.enrolment <= 0.0 && e.crackdown <= 0.0 {
        return;
    }
    let w = &mut world.workers;
    for i in 0..w.len() {
        let id = u64::from(w.id[i]);
        let l = w.legitimacy[i];
        if ev.event.purge > 0.0
            && w.politics[i] == Politics::Party
            && w.status[i] != Status::Administration
        {
            // The least loyal and the most recent are purged first.
            let recent = if i32::from(w.party_since[i]) > world.week as i32 - 52 {
                1.5
            } else {
                1.0
            };
            let p = (ev.event.purge as f32 * 2.0 * (1.0 - l) * recent).min(1.0);
            if rng::chance(seed, Stream::Purge, id, week, p) {
                w.politics[i] = Politics::Unaffiliated;
                w.party_since[i] = i16::MIN;
                tally.exits += 1;
            }
        }
        if ev.event.enrolment > 0.0
            && w.politics[i] == Politics::Unaffiliated
            && w.status[i] == Status::Employed
        {
            let p = (ev.event.enrolment as f32 * 2.0 * l).min(1.0);
            if rng::chance(seed, Stream::Recruit, id, week + 7919, p) {
                w.politics[i] = Politics::Party;
                w.party_since[i] = world.week as i16;
                tally.recruits += 1;
            }
        }
        // The crackdown falls on dissident communists and the other socialist parties.
        if ev.event.crackdown > 0.0
            && w.politics[i].dissident()
            && w.politics[i] != Politics::NonPartySocialist
            && w.status[i].in_city()
            && rng::chance(
                seed,
                Stream::Arrest,
                id,
                week + 104_729,
                ev.event.crackdown as f32,
            )
        {
            arrest(
                (&mut w.status[i], &mut w.flags[i], &mut w.timer[i]),
                id,
                seed,
                week,
                m.arrest_weeks,
            );
            tally.arrests += 1;
        }
    }
}

/// Harvest index for the agricultural year of week `t`: the harvest of year Y feeds the city
/// from September of Y; a year missing from the table takes the nearest earlier (else later) year.
pub fn harvest_at(exo: &crate::scenario::params::EconomyCfg, year: i32, month: u32) -> f64 {
    let ag_year = if month >= 9 { year } else { year - 1 };
    let years = || {
        exo.harvest
            .iter()
            .filter_map(|(y, h)| y.parse::<i32>().ok().map(|y| (y, *h)))
    };
    let latest_before = years()
        .filter(|(y, _)| *y <= ag_year)
        .max_by_key(|(y, _)| *y);
    let earliest = years().min_by_key(|(y, _)| *y);
    latest_before.or(earliest).map(|(_, h)| h).unwrap_or(1.0)
}

/// Phase 2: the city's economy this week.
fn economy(world: &mut World, res: &Resolved) {
    let exo = &world.exo;
    let pol = &world.policy;
    let date = res.clock.date(world.week);
    let h = harvest_at(exo, date.year, date.month);
    world.harvest_now = h;
    let e = &mut world.economy;
    let nep = pol.regime == Regime::Nep;
    let target = if nep { 1.0 } else { exo.incentive_requisition };
    e.incentive += exo.incentive_rate * (target - e.incentive);
    let procured = if nep {
        h * exo.procurement_tax
    } else {
        h * exo.procurement_requisition * (0.6 + 0.4 * e.incentive)
    };
    let in_city = world
        .view
        .employed
        .iter()
        .map(|&x| x as f64)
        .sum::<f64>()
        .max(1.0);
    let pop_ratio = (in_city / world.city_agents_start).max(0.2);
    let state_pool = exo.ration_scale * procured * exo.transport / pop_ratio;
    e.ration_pool = state_pool * (1.0 - pol.corruption) * pol.ration_share;
    e.market_food =
        exo.market_scale * h * e.incentive * pol.markets * (exo.transport + 0.3).min(1.0)
            / pop_ratio;
    // Rations by category: the pool is shared by weight among last week's employed.
    let mut weight_sum = 0.0f64;
    let mut heads = 0.0f64;
    let eq = pol.ration_equality as f32;
    for i in 0..world.wps.len() {
        let n = world.view.employed[i] as f64;
        let mut w = mech::ration_weight(RATION_WEIGHTS[world.wps.category[i] as usize], eq);
        if world.wps.defence[i] {
            w *= special_ration(pol);
        }
        weight_sum += n * f64::from(w);
        heads += n;
    }
    let per_weight = if weight_sum > 0.0 {
        e.ration_pool * heads / weight_sum
    } else {
        e.ration_pool
    };
    for k in 0..4 {
        e.ration[k] = (per_weight * f64::from(mech::ration_weight(RATION_WEIGHTS[k], eq))) as f32;
    }
    let productivity = e.capacity * (0.5 + 0.5 * exo.fuel.min(1.0));
    e.wage_rate = exo.wage_scale
        * productivity
        * if pol.pay_system == PaySystem::Rations {
            exo.wc_money_value
        } else {
            1.0
        };
    e.market_fill = if e.money_demand > 1e-9 {
        (e.market_food / e.money_demand).min(1.0)
    } else {
        1.0
    };
    let inv = if nep {
        exo.investment_tax
    } else {
        exo.investment_requisition
    };
    e.capacity += inv * e.mean_effort * (1.0 - e.capacity) - exo.depreciation * e.capacity;
    e.capacity = e.capacity.clamp(0.01, 1.5);
    // Jobs: held under labour mobilisation; otherwise what the capacity can pay for.
    let factor = if pol.labour_mobilisation {
        1.0
    } else {
        0.55 + 0.6 * e.capacity
    };
    for i in 0..world.wps.len() {
        let f = if world.wps.leased[i] {
            factor * 0.9
        } else {
            factor
        };
        world.wps.jobs[i] = ((world.wps.base_jobs[i] as f64 * f).round() as u32).max(1);
    }
}

/// Read-only inputs of the worker phase.
struct Ctx<'a> {
    m: &'a MechanismCfg,
    /// The mechanism parameters the worker phase reads, converted once.
    k: MechF32,
    pol: &'a PolicyCfg,
    e: &'a Economy,
    /// What each workplace shows its workers this week.
    wp: &'a [WpCtx],
    city: CityView,
    piece_rates: bool,
    seed: u64,
    week: u64,
    /// Relative deprivation of the unemployed's ration.
    unemployed_deprivation: f32,
    /// What the unemployed get in money; the share of money demand the market meets.
    dole: f32,
    market_fill: f32,
    subsistence: f32,
    village_pull: f32,
    city_pull: f32,
    exemplary: f32,
}

/// Mechanism parameters in single precision (the worker state's precision), converted once a
/// step rather than once per worker.
struct MechF32 {
    cell_rate: f32,
    contract_rate: f32,
    deprivation_weight: f32,
    effort_base: f32,
    effort_fear: f32,
    effort_legitimacy: f32,
    effort_piece: f32,
    epstein_threshold: f32,
    exile_share: f32,
    exile_weeks: f32,
    expectation_rate: f32,
    expressive_cost: f32,
    fear_city: f32,
    fear_decay: f32,
    fear_witness: f32,
    information_rate: f32,
    legitimacy_anchor_rate: f32,
    migrate_leave: f32,
    migrate_return: f32,
    outrage_rate: f32,
    privilege_rate: f32,
    strike_grievance_weight: f32,
}

impl MechF32 {
    fn new(m: &MechanismCfg) -> MechF32 {
        MechF32 {
            cell_rate: m.cell_rate as f32,
            contract_rate: m.contract_rate as f32,
            deprivation_weight: m.deprivation_weight as f32,
            effort_base: m.effort_base as f32,
            effort_fear: m.effort_fear as f32,
            effort_legitimacy: m.effort_legitimacy as f32,
            effort_piece: m.effort_piece as f32,
            epstein_threshold: m.epstein_threshold as f32,
            exile_share: m.exile_share as f32,
            exile_weeks: m.exile_weeks as f32,
            expectation_rate: m.expectation_rate as f32,
            expressive_cost: m.expressive_cost as f32,
            fear_city: m.fear_city as f32,
            fear_decay: m.fear_decay as f32,
            fear_witness: m.fear_witness as f32,
            information_rate: m.information_rate as f32,
            legitimacy_anchor_rate: m.legitimacy_anchor_rate as f32,
            migrate_leave: m.migrate_leave as f32,
            migrate_return: m.migrate_return as f32,
            outrage_rate: m.outrage_rate as f32,
            privilege_rate: m.privilege_rate as f32,
            strike_grievance_weight: m.strike_grievance_weight as f32,
        }
    }
}

/// What a worker reads of its workplace in the worker phase, gathered into one cache line
/// (workers of one workplace are scattered over the ids once hiring has moved them).
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
struct WpCtx {
    /// Ration of an employed worker (category; special rations for defence work).
    ration: f32,
    /// Relative deprivation of that ration against the best one, with visible privilege.
    deprivation: f32,
    /// Money wage per unit of skill pay and effort: 0 while wages are in arrears.
    pay: f32,
    /// Mean effort last week (what a time wage pays for).
    mean_effort: f32,
    /// Cell strength.
    cell: f32,
    /// Arrests last week as a share of the workforce.
    arrested: f32,
    /// Change of legitimacy from the soviet executive: shut out, included, or neither.
    inclusion: f32,
    /// Epstein's arrest probability for a worker who was quiet / who spoke out last week.
    risk_quiet: f32,
    risk_public: f32,
    /// Share of coworkers speaking out last week.
    peer_public: f32,
    /// The sector union's strike signal while its assembly sits.
    union_signal: f32,
    /// Demobilisation after a settled or broken strike, added to every worker's need.
    demobilisation: f32,
    /// Last week's strike share.
    prev: f32,
    sector: u8,
    /// An office (the party counts its members there apart).
    office: bool,
}

/// How the worker phase runs: all give the same results (tested).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    /// The vectorised [`kernel`] where the CPU has AVX-512, else the reference.
    Fastest,
    /// Worker by worker: [`decide`], then [`Counts::tally`].
    #[cfg(test)]
    Reference,
    /// The kernel's code without AVX-512, on any CPU.
    #[cfg(test)]
    Portable,
}

/// Phase 3: every worker decides, in parallel over fixed chunks, and is counted toward this
/// week's view (before the strike cascades).
fn workers(world: &mut World, m: &MechanismCfg, prev: &[f32], path: Path) -> Agg {
    let e = &world.economy;
    let mut union_signal = [0.0f32; 7];
    for (s, u) in world.unions.iter().enumerate() {
        if u.assembly {
            union_signal[s] = m.union_spread as f32 * u.strike_share;
        }
    }
    let jobs: f64 = world.wps.jobs.iter().map(|&j| j as f64).sum();
    let employed: f64 = world.view.employed.iter().map(|&j| j as f64).sum();
    let vacancy = ((jobs - employed) / jobs.max(1.0)).max(0.0) as f32;
    let real_wage = world.economy.ration[1]
        + (world.economy.wage_rate * world.economy.market_fill * world.economy.mean_effort) as f32;
    let village_food = (world.exo.village_food * world.harvest_now) as f32;
    let (wps, view) = (&world.wps, &world.view);
    let special = special_ration(&world.policy);
    let inclusion = m.inclusion_rate as f32;
    let best_ration = e.ration[0] * special;
    let wp: Vec<WpCtx> = (0..wps.len())
        .map(|k| {
            let n_emp = view.employed[k].max(1) as f32;
            let ration =
                e.ration[wps.category[k] as usize] * if wps.defence[k] { special } else { 1.0 };
            WpCtx {
                ration,
                deprivation: mech::deprivation(ration, best_ration, world.city.visible_privilege),
                pay: if wps.arrears[k] == 0 {
                    e.wage_rate as f32 * (1.0 + wps.concession[k])
                } else {
                    0.0
                },
                mean_effort: view.effort_sum[k] / n_emp,
                cell: view.cell_strength[k],
                arrested: view.arrested_share[k],
                inclusion: if wps.excluded[k] {
                    -inclusion
                } else if world.city.inclusive {
                    inclusion
                } else {
                    0.0
                },
                risk_quiet: view.risk_quiet[k],
                risk_public: view.risk_public[k],
                peer_public: view.public[k] as f32 / n_emp,
                union_signal: union_signal[wps.sector[k] as usize],
                demobilisation: m.demobilisation as f32 * wps.cooldown[k],
                prev: prev[k],
                sector: wps.sector[k],
                office: wps.class[k] == SizeClass::Office,
            }
        })
        .collect();
    let ctx = Ctx {
        m,
        k: MechF32::new(m),
        pol: &world.policy,
        e,
        wp: &wp,
        city: world.city,
        piece_rates: world.policy.pay_system == PaySystem::PieceRates,
        seed: world.seed,
        week: world.week as u64,
        unemployed_deprivation: mech::deprivation(
            e.ration[3],
            best_ration,
            world.city.visible_privilege,
        ),
        dole: 0.1 * e.wage_rate as f32,
        market_fill: e.market_fill as f32,
        subsistence: world.exo.subsistence as f32,
        village_pull: (village_food / world.exo.subsistence as f32).clamp(0.2, 2.0),
        city_pull: ((vacancy * 5.0).min(1.0)
            * ((real_wage - village_food) / 0.3 + 0.5).clamp(0.0, 1.0))
        .max(0.0),
        exemplary: world.party.exemplary,
    };
    let nw = world.wps.len();
    let min_share = m.strike_min_share as f32;
    let voluntary = world.policy.union_funding == UnionFunding::Dues;
    let r = RecordCtx::new(&world.wps.class, m, world.week, &world.policy);
    let k = kernel::Consts::new(&ctx, min_share, voluntary);
    fold_mut(world.workers.chunks_mut(CHUNK), nw, |a, mut c| match path {
        Path::Fastest => kernel::chunk(&mut c, &ctx, &k, &r, a),
        #[cfg(test)]
        Path::Reference => reference_chunk(&mut c, &ctx, &r, min_share, voluntary, a),
        #[cfg(test)]
        Path::Portable => kernel::chunk_portable(&mut c, &ctx, &k, &r, a),
    })
}

/// The worker phase of one chunk, worker by worker: [`reference_one`] for each. The reference
/// the vectorised [`kernel`] is tested against.
fn reference_chunk(
    c: &mut WorkersMut,
    ctx: &Ctx,
    r: &RecordCtx,
    min_share: f32,
    voluntary: bool,
    a: &mut Agg,
) {
    c.assert_columns();
    for j in 0..c.len() {
        reference_one(c, j, ctx, r, min_share, voluntary, a);
    }
}

/// One worker of a chunk: [`decide`], then [`Counts::tally`] and the strike and dues counts.
#[inline(always)]
fn reference_one(
    c: &mut WorkersMut,
    j: usize,
    ctx: &Ctx,
    r: &RecordCtx,
    min_share: f32,
    voluntary: bool,
    a: &mut Agg,
) {
    decide(c, j, ctx, a);
    let x = Agent::of_chunk(c, j);
    a.c.tally::<1>(&x, r);
    if x.st == Status::Employed {
        let w = x.wp as usize;
        let (p, t) = (&ctx.wp[w], &mut a.extra[w]);
        t.initiators += u32::from(c.need[j] <= 0.0);
        t.sustaining += u32::from(c.need[j] <= p.prev);
        t.ready += u32::from(c.need[j] <= min_share);
        // Would pay voluntary union dues: grants the union (an arm of the state) some trust.
        if voluntary && x.legitimacy + 0.3 * (1.0 - x.fear) > 0.7 {
            a.payers[p.sector as usize] += 1;
        }
    }
}

/// One worker's week: consumption, hardship, legitimacy, fear, stance, strike need, effort,
/// migration; custody, exile and blacklist timers.
#[inline(always)]
fn decide(c: &mut WorkersMut, j: usize, x: &Ctx, a: &mut Agg) {
    let m = x.m;
    let id = u64::from(c.id[j]);
    match c.status[j] {
        Status::Arrested => {
            // Custody ends: exile for some, release (sacked, blacklisted) for the rest.
            c.timer[j] = c.timer[j].saturating_sub(1);
            if c.timer[j] == 0 {
                if rng::chance(x.seed, Stream::Release, id, x.week, x.k.exile_share) {
                    c.status[j] = Status::Exiled;
                    c.timer[j] = (x.k.exile_weeks
                        * (0.5 + rng::uniform(x.seed, Stream::Release, id, x.week + 1)))
                    .max(1.0) as u16;
                    a.exiles += 1;
                } else {
                    c.status[j] = Status::Unemployed;
                    c.flags[j] |= flag::BLACKLISTED;
                    c.timer[j] = m.blacklist_weeks as u16;
                }
            }
            return;
        }
        Status::Exiled => {
            c.timer[j] = c.timer[j].saturating_sub(1);
            if c.timer[j] == 0 {
                c.status[j] = Status::Village;
            }
            return;
        }
        Status::Administration => {
            // Officials live on privileged rations; their loyalty is their post.
            c.consumption[j] = x.e.ration[2] * x.pol.privilege as f32;
            c.legitimacy[j] += 0.02 * (0.9 - c.legitimacy[j]);
            c.flags[j] &= !(flag::PUBLIC | flag::STRIKING);
            return;
        }
        Status::Village => {
            c.consumption[j] = x.village_pull * x.subsistence;
            let p = x.k.migrate_return * (1.0 - 0.5 * c.ties[j]) * x.city_pull;
            if rng::chance(x.seed, Stream::Return, id, x.week, p) {
                c.status[j] = Status::Unemployed;
                c.expectation[j] = c.consumption[j];
            }
            return;
        }
        Status::Employed | Status::Unemployed => {}
    }
    if c.flags[j] & flag::BLACKLISTED != 0 {
        c.timer[j] = c.timer[j].saturating_sub(1);
        if c.timer[j] == 0 {
            c.flags[j] &= !flag::BLACKLISTED;
        }
    }
    let w = c.wp[j] as usize;
    let employed = c.status[j] == Status::Employed;
    let was_public = c.flags[j] & flag::PUBLIC != 0;
    // Consumption: rations by category plus what money wages buy on the market.
    let p = &x.wp[w];
    let (ration, dep) = if employed {
        (p.ration, p.deprivation)
    } else {
        (x.e.ration[3], x.unemployed_deprivation)
    };
    let money = if employed {
        let own = if x.piece_rates {
            1.1 * c.effort[j]
        } else {
            p.mean_effort
        };
        p.pay * SKILL_PAY[c.skill[j] as usize] * own
    } else {
        x.dole
    };
    let cons = ration + money * x.market_fill;
    c.consumption[j] = cons;
    // Hardship: absolute want and relative deprivation (of the worker's ration category).
    let vis = x.city.visible_privilege;
    if x.week == 0 {
        // Expectations start at what the first week delivers.
        c.expectation[j] = cons;
    }
    let hard = mech::hardship(cons, c.expectation[j], dep, x.k.deprivation_weight);
    c.hardship[j] = hard;
    // Legitimacy: the social contract, fairness, inclusion, cells, repression, information.
    let pol = c.politics[j];
    let mut l = c.legitimacy[j];
    l += mech::contract_effect(cons, c.expectation[j], x.k.contract_rate);
    c.expectation[j] += x.k.expectation_rate * (cons - c.expectation[j]);
    l += x.k.cell_rate * p.cell * (1.0 - l);
    l -= x.k.privilege_rate * vis * l;
    l -= x.k.outrage_rate * p.arrested;
    l -= 0.1 * x.exemplary * l;
    l -= x.k.information_rate * x.city.public_surprise * l;
    l += p.inclusion;
    l += x.k.legitimacy_anchor_rate * (pol.anchor() - l);
    let l = l.clamp(0.0, 1.0);
    c.legitimacy[j] = l;
    // Fear: deterrence from arrests witnessed at work and in the city.
    let f = c.fear[j] * (1.0 - x.k.fear_decay)
        + x.k.fear_witness * p.arrested
        + x.k.fear_city * x.city.arrest_rate
        + 0.3 * x.exemplary;
    let f = f.clamp(0.0, 1.0);
    c.fear[j] = f;
    // Grievance and private stance.
    let g = mech::grievance(hard, l);
    let d = (g + pol.conviction()).clamp(0.0, 1.0);
    c.dissent[j] = d;
    // Epstein's net risk at this workplace; Kuran's expression rule.
    // Epstein's P for this worker: the workplace's value with the worker counted once among
    // the active (precomputed per workplace for a worker who was, or was not, speaking out).
    let risk = if was_public {
        p.risk_public
    } else {
        p.risk_quiet
    };
    let r = (c.risk[j] * (1.0 + f)).min(1.0);
    let net = r * risk;
    let peer_public = p.peer_public;
    let public = mech::expresses(
        d,
        net,
        x.k.epstein_threshold,
        x.k.expressive_cost,
        peer_public,
    );
    // Granovetter: the share of coworkers this worker needs to see out before joining; the
    // cascade itself is resolved per workplace after this phase.
    c.need[j] = if employed {
        mech::strike_need(
            c.threshold[j],
            d - net - x.k.epstein_threshold,
            x.k.strike_grievance_weight,
            p.union_signal,
        ) + p.demobilisation
    } else {
        f32::INFINITY
    };
    let mut fl = c.flags[j] & !(flag::PUBLIC | flag::STRIKING);
    if public {
        fl |= flag::PUBLIC;
    }
    c.flags[j] = fl;
    // Effort and discipline.
    let hunger = ((x.subsistence - cons) / x.subsistence).clamp(0.0, 1.0);
    let piece = if x.piece_rates { x.k.effort_piece } else { 0.0 };
    c.effort[j] = if !employed {
        0.0
    } else {
        mech::effort(
            x.k.effort_base,
            x.k.effort_legitimacy,
            l,
            x.k.effort_fear,
            f,
            piece,
            p.cell,
            hunger,
        )
    };
    // Migration: hunger and village ties pull workers back to the villages.
    let push = hunger + if employed { 0.0 } else { 0.5 };
    let mut p_leave = x.k.migrate_leave * c.ties[j] * push * x.village_pull;
    if x.pol.labour_mobilisation && employed {
        p_leave *= 0.5;
    }
    if pol == Politics::Party {
        p_leave *= 0.2;
    }
    if rng::chance(x.seed, Stream::Migrate, id, x.week, p_leave) {
        c.status[j] = Status::Village;
        c.flags[j] &= !(flag::PUBLIC | flag::STRIKING);
        c.effort[j] = 0.0;
    }
}

/// Granovetter cascades, one per workplace: who strikes this week given everyone's need
/// (computed by the worker phase) and last week's strike share. A cascade that stops below the
/// minimum share is a failed walkout: nobody is counted on strike. Only workplaces with an
/// initiator, or with a strike that still sustains itself, can have one; their members are
/// found and their cascades resolved in parallel. Updates the counts in `a` and returns the
/// strikers in id order.
fn strike_cascades(world: &mut World, m: &MechanismCfg, a: &mut Agg, prev: &[f32]) -> Vec<u32> {
    let nw = world.wps.len();
    let min_share = m.strike_min_share as f32;
    // Where can a strike hold? Known from the counts of the worker phase (see the proof at
    // `strike_possible`); elsewhere the cascade's result is below the minimum share.
    let candidate: Vec<bool> = (0..nw)
        .map(|k| {
            let t = &a.extra[k];
            mech::strike_possible(
                a.c.wp[k].employed as u32,
                t.initiators,
                t.sustaining,
                t.ready,
                prev[k],
                min_share,
            )
        })
        .collect();
    if !candidate.contains(&true) {
        return Vec::new();
    }
    let w = &world.workers;
    let members = gather(w, Status::Employed, 0, |i| candidate[w.wp[i] as usize]);
    let (offsets, grouped) = par::group_by(&members, &w.wp, nw);
    // The need of the last worker to join; -∞ where no strike holds.
    let cut: Vec<f32> = (0..nw)
        .into_par_iter()
        .map_init(Vec::new, |needs: &mut Vec<f32>, k| {
            if !candidate[k] {
                return f32::NEG_INFINITY;
            }
            let ids = &grouped[offsets[k]..offsets[k + 1]];
            needs.clear();
            needs.extend(ids.iter().map(|&i| w.need[i as usize]));
            needs.sort_unstable_by(f32::total_cmp);
            let share = mech::cascade(needs, prev[k]);
            if share >= min_share {
                needs[((share * ids.len() as f32).round() as usize).clamp(1, ids.len()) - 1]
            } else {
                f32::NEG_INFINITY
            }
        })
        .collect();
    let r = RecordCtx::new(&world.wps.class, m, world.week, &world.policy);
    let w = &mut world.workers;
    let mut strikers = Vec::new();
    for &i in &members {
        let i = i as usize;
        let k = w.wp[i] as usize;
        if w.need[i] <= cut[k] {
            a.c.tally::<-1>(&Agent::of(w, i), &r);
            w.flags[i] |= flag::STRIKING | flag::PUBLIC;
            w.effort[i] = 0.0;
            a.c.tally::<1>(&Agent::of(w, i), &r);
            strikers.push(i as u32);
        }
    }
    par::by_id(&mut strikers, &w.id);
    strikers
}

/// Counts every agent toward the view and the week's record (one parallel pass).
fn aggregate(world: &World, m: &MechanismCfg) -> Counts {
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
fn finish_view(world: &mut World, m: &MechanismCfg, a: &Counts) {
    let v = &mut world.view;
    let surveillance = (world.policy.repression * m.surveillance) as f32;
    let gamma = m.surveillance_exponent as f32;
    let weight = world.weight as f32;
    let k_e = m.epstein_k as f32;
    // libm's powf: the same bits on every platform (not the system's libm).
    let reference = libm::powf(SURVEILLANCE_REF, 1.0 - gamma);
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
        v.cheka[k] = watchers + m.informer_share as f32 * v.party[k] as f32 + v.cheka_alloc[k];
        v.risk_quiet[k] = mech::arrest_probability(k_e, v.cheka[k], v.public[k]);
        v.risk_public[k] = mech::arrest_probability(k_e, v.cheka[k], v.public[k].saturating_sub(1));
    }
    let employed = a.status[Status::Employed as usize];
    let effort = unfx(a.effort);
    let e = &mut world.economy;
    e.mean_effort = if employed > 0 {
        effort / employed as f64
    } else {
        0.0
    };
    e.money_demand = e.wage_rate * effort / world.city_agents_start.max(1.0);
    e.output_index = e.capacity * (0.5 + 0.5 * world.exo.fuel.min(1.0)) * effort
        / world.city_agents_start.max(1.0);
    let c = &mut world.city;
    let in_city_workers =
        a.status[Status::Employed as usize] + a.status[Status::Unemployed as usize];
    let share = a.public as f32 / in_city_workers.max(1) as f32;
    c.public_surprise = (share - c.public_trend).max(0.0);
    c.public_trend += 0.1 * (share - c.public_trend);
    c.public_share = share;
    c.strike_share = a.strikers as f32 / employed.max(1) as f32;
    c.visible_privilege = mech::visible_privilege(
        world.policy.privilege as f32,
        world.policy.privilege_visibility as f32,
    );
    c.inclusive = world.soviet.executive_party_share < 0.999 && world.soviet.elections_held > 0;
}

/// Unions: sector strike and dissent shares; assemblies; dues.
fn unions(world: &mut World, m: &MechanismCfg, a: &Agg) {
    let n = SECTORS.len();
    let mut emp = vec![0u32; n];
    let mut strk = vec![0u32; n];
    let mut publ = vec![0u32; n];
    for k in 0..world.wps.len() {
        let s = world.wps.sector[k] as usize;
        emp[s] += world.view.employed[k];
        strk[s] += world.view.strikers[k];
        publ[s] += world.view.public[k];
    }
    let voluntary = world.policy.union_funding == UnionFunding::Dues;
    for s in 0..n {
        let u = &mut world.unions[s];
        let e = emp[s].max(1) as f32;
        u.strike_share = strk[s] as f32 / e;
        u.strikers = strk[s];
        u.employed = emp[s];
        u.dissent_share = publ[s] as f32 / e;
        u.assembly = s != OFFICE_SECTOR as usize && u.dissent_share >= m.assembly_threshold as f32;
        // Voluntary dues: members pay if they grant the union some trust.
        u.dues_share = if voluntary {
            a.payers[s] as f32 / e
        } else {
            1.0
        };
    }
}

/// Strikes: start, settlement by negotiation, suppression, mass sackings.
/// `strikers` are this week's strikers in id order; `counts` follow every change made.
fn strikes(
    world: &mut World,
    m: &MechanismCfg,
    strikers: &[u32],
    tally: &mut Tally,
    counts: &mut Counts,
) {
    let pol = world.policy.clone();
    let (seed, week) = (world.seed, world.week as u64);
    let nw = world.wps.len();
    let mut settle = vec![false; nw];
    let mut suppress = vec![false; nw];
    for k in 0..nw {
        let n = world.view.employed[k];
        let share = world.view.strikers[k] as f32 / n.max(1) as f32;
        let on = n > 0 && share >= m.strike_min_share as f32;
        let wps = &mut world.wps;
        let wt = f64::from(wps.weight[k]);
        let sector = wps.sector[k] as usize;
        if !on {
            if wps.strike[k] != 0 {
                tally.faded += wt;
            }
            wps.strike[k] = 0;
            wps.strike_weeks[k] = 0;
            continue;
        }
        if wps.strike[k] == 0 {
            // A strike is a solidarity strike when it starts while the union's assembly sits and
            // other workplaces of the sector are already out.
            let u = &world.unions[sector];
            let others = u.strikers.saturating_sub(world.view.strikers[k]) as f32
                / u.employed.saturating_sub(n).max(1) as f32;
            wps.strike[k] = if u.assembly && others >= m.strike_min_share as f32 * 0.25 {
                2
            } else {
                1
            };
            tally.started[wps.strike[k] as usize - 1] += wt;
        }
        wps.strike_weeks[k] += 1;
        let kind = wps.strike[k] as usize - 1;
        let solidarity = kind == 1;
        let u = &world.unions[sector];
        let union_power = if pol.union_funding == UnionFunding::Dues {
            0.5 + u.dues_share
        } else {
            1.0
        } * if wps.committee_nonparty[k] { 1.2 } else { 1.0 };
        // Force is used as far as the repression intensity allows (always at intensity ≥ 1).
        let force = rng::chance(
            seed,
            Stream::Settle,
            k as u64,
            week + 3_000_017,
            pol.repression.min(1.0) as f32,
        );
        if solidarity && pol.clamp_solidarity && force {
            suppress[k] = true;
        } else if pol.negotiate_local || (solidarity && !pol.clamp_solidarity) {
            if rng::chance(
                seed,
                Stream::Settle,
                k as u64,
                week,
                (m.settle_rate as f32 * union_power).min(1.0),
            ) {
                settle[k] = true;
            }
        } else if wps.strike_weeks[k] >= 2 && force {
            suppress[k] = true;
        }
        if settle[k] {
            wps.arrears[k] = 0;
            wps.concession[k] = (wps.concession[k] + 0.1 * union_power).min(0.5);
            tally.settled[kind] += wt;
        }
        if suppress[k] {
            tally.suppressed[kind] += wt;
        }
    }
    // Apply to the strikers, in id order.
    let r = RecordCtx::new(&world.wps.class, m, world.week, &pol);
    let w = &mut world.workers;
    let mut leaders_left: Vec<u32> = (0..nw)
        .map(|k| {
            if suppress[k] && pol.target_strike_leaders {
                (world.view.strikers[k] / 20).max(1)
            } else {
                0
            }
        })
        .collect();
    for &i in strikers {
        let i = i as usize;
        let k = w.wp[i] as usize;
        if !(settle[k] || suppress[k]) {
            continue;
        }
        counts.tally::<-1>(&Agent::of(w, i), &r);
        if settle[k] {
            w.flags[i] &= !flag::STRIKING;
            w.fear[i] *= 0.9;
        } else if suppress[k] {
            // Deterrence: the strike is broken by force in front of everyone who struck.
            w.flags[i] &= !flag::STRIKING;
            w.fear[i] = (w.fear[i] + m.suppression_fear as f32).min(1.0);
            // Leaders: the most aggrieved strikers, found by the cell's informers, arrested
            // first out of the Cheka's capacity.
            if leaders_left[k] > 0
                && w.dissent[i] > 0.5
                && (tally.arrests as f64) < world.party.cheka_capacity
            {
                leaders_left[k] -= 1;
                arrest(
                    (&mut w.status[i], &mut w.flags[i], &mut w.timer[i]),
                    u64::from(w.id[i]),
                    seed,
                    week,
                    m.arrest_weeks,
                );
                tally.arrests += 1;
            } else if pol.mass_sackings {
                w.status[i] = Status::Unemployed;
                tally.sackings += 1;
                if w.flags[i] & flag::PUBLIC != 0 && w.dissent[i] > 0.4 {
                    w.flags[i] |= flag::BLACKLISTED;
                    w.timer[i] = m.blacklist_weeks as u16;
                }
            }
        }
        counts.tally::<1>(&Agent::of(w, i), &r);
    }
    for k in 0..nw {
        world.wps.cooldown[k] *= 0.8;
        if settle[k] || suppress[k] {
            world.wps.strike[k] = 0;
            world.wps.strike_weeks[k] = 0;
            world.wps.cooldown[k] = 1.0;
        }
        world.wps.concession[k] *= 0.995;
    }
}

/// Puts a worker (status, flags, custody timer) in custody for half to one and a half times
/// `mean_weeks`.
#[inline]
fn arrest(
    (status, flags, timer): (&mut Status, &mut u8, &mut u16),
    id: u64,
    seed: u64,
    week: u64,
    mean_weeks: f64,
) {
    *status = Status::Arrested;
    *flags &= !(flag::PUBLIC | flag::STRIKING);
    *timer = (mean_weeks as f32 * (0.5 + rng::uniform(seed, Stream::Release, id, week + 31)))
        .max(1.0) as u16;
}

/// Management: wage arrears, committee elections, redundancies and hiring, by the employed per
/// workplace in `counts` (which follow every change made).
fn management(world: &mut World, res: &Resolved, tally: &mut Tally, counts: &mut Counts) {
    let (seed, week) = (world.seed, world.week as u64);
    let money = world.policy.pay_system != PaySystem::Rations;
    let cap = world.economy.capacity as f32;
    let term = res.scenario.workplaces.committee_term_weeks as usize;
    let nw = world.wps.len();
    for k in 0..nw {
        let wps = &mut world.wps;
        if money {
            if wps.arrears[k] == 0 {
                let risk = world.exo.arrears_risk as f32
                    * (1.0 - cap).max(0.0)
                    * if wps.leased[k] { 0.5 } else { 1.0 };
                if rng::chance(seed, Stream::Arrears, k as u64, week, risk) {
                    wps.arrears[k] = 1;
                }
            } else if rng::chance(seed, Stream::Arrears, k as u64, week + 1_000_003, 0.2) {
                wps.arrears[k] = 0;
            } else {
                wps.arrears[k] += 1;
            }
        } else {
            wps.arrears[k] = 0;
        }
        if world.week % term == (k % term) {
            // Factory committee election: non-party workers win where open dissent outweighs the cell.
            let n = world.view.employed[k];
            wps.committee_nonparty[k] = n > 0
                && world.view.public[k] + world.view.dissidents[k] / 2
                    > world.view.party[k] * 2 + n / 5;
        }
    }
    let r = RecordCtx::new(
        &world.wps.class,
        &res.scenario.mechanisms,
        world.week,
        &world.policy,
    );
    // Redundancies: where jobs fell below the workforce, the excess is let go.
    let mut excess: Vec<u32> = (0..nw)
        .map(|k| (counts.wp[k].employed as u32).saturating_sub(world.wps.jobs[k]))
        .collect();
    if excess.iter().any(|&x| x > 0) {
        // Choose the redundant by a per-week random priority, in id order of draws.
        let w = &world.workers;
        let mut members = gather(w, Status::Employed, 0, |i| excess[w.wp[i] as usize] > 0);
        par::by_id(&mut members, &w.id);
        let w = &mut world.workers;
        for &i in &members {
            let i = i as usize;
            let k = w.wp[i] as usize;
            if excess[k] == 0 {
                continue;
            }
            let p = excess[k] as f32 / counts.wp[k].employed.max(1) as f32;
            if rng::chance(seed, Stream::Fire, u64::from(w.id[i]), week, p * 1.05) {
                counts.tally::<-1>(&Agent::of(w, i), &r);
                w.status[i] = Status::Unemployed;
                w.flags[i] &= !(flag::STRIKING | flag::PUBLIC);
                counts.tally::<1>(&Agent::of(w, i), &r);
                excess[k] -= 1;
                tally.sackings += 1;
            }
        }
    }
    // Hiring: vacancies filled from the unemployed, first at their own workplace, then
    // anywhere, scanning from a rotating start so no id is always first.
    let mut vac: Vec<u32> = (0..nw)
        .map(|k| world.wps.jobs[k].saturating_sub(counts.wp[k].employed as u32))
        .collect();
    if vac.iter().all(|&v| v == 0) {
        return;
    }
    let n = world.workers.len();
    let start = (rng::hash(seed, Stream::Hire, 0, week) % n as u64) as usize;
    let next_wp = (rng::hash(seed, Stream::Hire, 1, week) % nw as u64) as usize;
    hire(&mut world.workers, &mut vac, start, next_wp, counts, &r);
}

/// Fills the vacancies `vac` (per workplace) from the unemployed who are not blacklisted, in
/// id order from the id `start` (wrapping round): first each at its own workplace where it has
/// a vacancy, then the rest anywhere, each to the next workplace with a vacancy from
/// `next_wp` on (wrapping round), until no vacancy is left.
fn hire(
    workers: &mut Workers,
    vac: &mut [u32],
    start: usize,
    mut next_wp: usize,
    counts: &mut Counts,
    r: &RecordCtx,
) {
    let w = &*workers;
    let (n, nw) = (w.len(), vac.len());
    let total_vac: u64 = vac.iter().map(|&v| u64::from(v)).sum();
    // Candidates are taken in id order from the rotating start: by rank (id - start) mod n
    // (ids are the workers' indices at creation, 0..n). One parallel scan lists them with
    // their workplaces; sorted by rank, both passes then read that list in order and touch a
    // worker's columns only to hire it.
    let parts = scan(
        w,
        Status::Unemployed,
        flag::BLACKLISTED,
        Vec::new,
        |found: &mut Vec<Candidate>, i| {
            let id = w.id[i] as usize;
            debug_assert!(id < n, "worker ids are indices at creation");
            found.push(Candidate {
                rank: (if id >= start {
                    id - start
                } else {
                    id + n - start
                }) as u32,
                index: i as u32,
                wp: w.wp[i],
            });
        },
    );
    let mut candidates = parts.concat();
    // Where the storage is in id order (until the first sort after workers change workplace:
    // the week of the benchmarks, 123 of the 312 weeks with vacancies at default scale), the
    // list is in rank order but for the rotation, and is read in two parts.
    let split = match (1..candidates.len())
        .filter(|&j| candidates[j].rank < candidates[j - 1].rank)
        .take(2)
        .collect::<Vec<usize>>()[..]
    {
        [] => 0,
        [j] if candidates[candidates.len() - 1].rank < candidates[0].rank => j,
        _ => {
            par::radix(&mut candidates, n, |c| c.rank as usize);
            0
        }
    };
    let mut hired: Vec<(u32, u32)> = Vec::with_capacity((total_vac as usize).min(candidates.len()));
    let (late, early) = candidates.split_at_mut(split);
    // First pass: at their own workplace (a hired candidate is struck off the list).
    for c in early.iter_mut().chain(late.iter_mut()) {
        let k = c.wp as usize;
        if vac[k] > 0 {
            vac[k] -= 1;
            hired.push((c.index, c.wp));
            c.wp = HIRED;
        }
    }
    // Second pass: anywhere, each to the next workplace with a vacancy in a rotation, while
    // vacancies are left (every hire fills one).
    for c in early.iter().chain(late.iter()).filter(|c| c.wp != HIRED) {
        if hired.len() as u64 == total_vac {
            break;
        }
        while vac[next_wp] == 0 {
            next_wp = (next_wp + 1) % nw;
        }
        vac[next_wp] -= 1;
        hired.push((c.index, next_wp as u32));
        next_wp = (next_wp + 1) % nw;
    }
    let w = workers;
    for &(i, k) in &hired {
        let i = i as usize;
        counts.tally::<-1>(&Agent::of(w, i), r);
        w.wp[i] = k;
        w.status[i] = Status::Employed;
        counts.tally::<1>(&Agent::of(w, i), r);
    }
}

/// An unemployed worker who may be hired this week: the rank of its id in this week's order,
/// its index, its workplace (or [`HIRED`]).
#[derive(Clone, Copy, Default)]
struct Candidate {
    rank: u32,
    index: u32,
    wp: u32,
}

/// [`Candidate::wp`] of a candidate hired in the first pass.
const HIRED: u32 = u32::MAX;

/// The Cheka (reactive allocation of its capacity to where dissent is reported; arrests), the
/// secretariat (officials; promotions out of the factories), the city committee (recruitment,
/// exits) and the dissident groups (joining, drifting away). One parallel pass over the
/// workers: each decision reads only the worker's own state, the view and city-wide totals, so
/// no decision competes with another's.
fn cheka_and_party(
    world: &mut World,
    m: &MechanismCfg,
    tally: &mut Tally,
    counts: &mut Counts,
    path: Path,
) {
    let pol = world.policy.clone();
    let (seed, week) = (world.seed, world.week as u64);
    let nw = world.wps.len();
    // What strike suppression already used of this week's capacity is not available again.
    let capacity = (world.party.cheka_capacity - tally.arrests as f64).max(0.0);
    // Reports: the target weight of those speaking out at each workplace (kept in the counts).
    let (weights, striking) = Targets::of(&pol).table();
    let total: i64 = counts.wp.iter().map(|t| i64::from(t.target)).sum();
    // Reactive presence: capacity goes where dissent is reported.
    for k in 0..nw {
        world.view.cheka_alloc[k] = if total > 0 {
            (capacity * f64::from(counts.wp[k].target) / total as f64) as f32
        } else {
            0.0
        };
    }
    let arrests_on = total > 0 && capacity > 0.0;
    let demand = pol.officials_per_output * world.economy.output_index;
    let o = &mut world.party.officials;
    *o += pol.appointment_rate * (demand - *o).max(0.0) - 0.001 * *o;
    let wps = &world.wps;
    let view = &world.view;
    let x = PartyCtx {
        seed,
        week,
        arrests_on,
        capacity: capacity as f32,
        total: total as f32,
        weights,
        striking,
        key: rng::key(seed, Stream::Party),
        week_term: rng::week_term(week),
        rec: pol.recruitment as f32,
        dissident_join: m.dissident_join as f32,
        party_leave: m.party_leave as f32,
        arrest_weeks: m.arrest_weeks,
        wp: &(0..nw)
            .map(|k| PartyWp {
                presence: view.dissidents[k] as f32 / view.employed[k].max(1) as f32,
                promote: if wps.class[k] != SizeClass::Office {
                    pol.promotion as f32
                } else {
                    0.0
                },
            })
            .collect::<Vec<_>>(),
        r: RecordCtx::new(&wps.class, m, world.week, &pol),
    };
    // Each task adds the changes it makes to the counts (old contribution out, new in).
    let a = fold_mut(world.workers.chunks_mut(CHUNK), nw, |a, mut c| {
        party_chunk(&mut c, &x, a, path)
    });
    counts.add(&a.c);
    for k in 0..nw {
        world.view.arrested_share[k] =
            a.extra[k].arrests as f32 / world.view.employed[k].max(1) as f32;
    }
    tally.arrests += a.extra.iter().map(|t| t.arrests as usize).sum::<usize>();
    tally.promotions += a.promotions as usize;
    tally.recruits += a.recruits as usize;
    tally.exits += a.exits as usize;
    for v in &mut world.wps.cell_vigour {
        *v += 0.02 * (0.5 - *v);
    }
    world.party.exemplary = 0.0;
}

/// What a workplace shows the Cheka/party pass.
#[derive(Clone, Copy)]
struct PartyWp {
    /// Share of the employed in dissident groups (last week's view).
    presence: f32,
    /// Probability scale of a member's promotion here (the pump): the policy's rate in a
    /// factory, 0 in an office.
    promote: f32,
}

/// What the Cheka/party pass can do to a worker, in the order met: the first slot is the
/// arrest; the second promotion (members), recruitment (unaffiliated) or drifting away from the
/// groups (dissidents); the third exit (members) or joining the groups (unaffiliated).
const OUTCOMES: usize = 3;

/// The probability of each of a worker's outcomes ([`OUTCOMES`]) given that none before it
/// happened; 0 where the worker does not meet it. Shared by the pass worker by worker and the
/// vectorised filter ([`kernel::party_chunk`]), so that both compute the same values.
#[inline(always)]
fn party_odds(
    x: &PartyCtx,
    p: u8,
    f: u8,
    skill: u8,
    l: f32,
    d: f32,
    w: PartyWp,
) -> [f32; OUTCOMES] {
    let public = f & flag::PUBLIC != 0;
    let party = p == Politics::Party as u8;
    let unaffiliated = p == Politics::Unaffiliated as u8;
    // Arrest: expected arrests at a workplace equal its allocated capacity, shared by target
    // weight (the weight by identity plus what striking adds).
    let t = kernel::select(p, &x.weights)
        + if f & flag::STRIKING != 0 {
            x.striking
        } else {
            0.0
        };
    let arrest = if x.arrests_on && public {
        x.capacity * t / x.total
    } else {
        0.0
    };
    // The pump: factory members promoted into administration; recruitment of loyal workers;
    // dissidents drifting away.
    let bonus = 0.5 + 0.5 * f32::from(skill) + if f & flag::CADRE != 0 { 0.5 } else { 0.0 };
    let second = if party {
        w.promote * bonus
    } else if unaffiliated {
        if l > 0.55 { x.rec * l } else { 0.0 }
    } else if d < 0.1 {
        x.dissident_join * 0.5
    } else {
        0.0
    };
    // Exits of disillusioned members; open dissenters drawn into the non-party groups.
    let third = if party {
        if l < 0.45 {
            x.party_leave * 2.0 * (1.0 - l)
        } else {
            0.0
        }
    } else if unaffiliated && public {
        x.dissident_join * d * (1.0 + 5.0 * w.presence)
    } else {
        0.0
    };
    [arrest, second, third]
}

/// The ends of the intervals of one uniform draw that decide a worker's outcomes: outcome `i`
/// when the draw falls in `[T[i-1], T[i])`, with `T[i] = T[i-1] + (1 − T[i-1]) · p[i]` (each `p`
/// clamped to [0, 1]). Each outcome then has the probability it has when drawn on its own after
/// the others failed.
#[inline(always)]
#[allow(clippy::manual_clamp)] // `max` then `min`: a NaN probability counts as 0, as in `chance`
fn party_thresholds(p: [f32; OUTCOMES]) -> [f32; OUTCOMES] {
    let mut t = [0.0; OUTCOMES];
    let mut below = 0.0f32;
    for i in 0..OUTCOMES {
        below += (1.0 - below) * p[i].max(0.0).min(1.0);
        t[i] = below;
    }
    t
}

/// Worker `id`'s draw of the week in the Cheka/party pass (stream `Party`).
#[inline(always)]
fn party_draw(x: &PartyCtx, id: u32) -> f32 {
    rng::unit(rng::hash_keyed(x.key, u64::from(id), x.week_term))
}

/// Read-only inputs of the Cheka/party pass.
struct PartyCtx<'a> {
    seed: u64,
    week: u64,
    arrests_on: bool,
    /// The Cheka's capacity left this week and the total target weight reported.
    capacity: f32,
    total: f32,
    /// [`Targets::table`].
    weights: [f32; 7],
    striking: f32,
    /// The key and week term of the pass's draws.
    key: u64,
    week_term: u64,
    rec: f32,
    dissident_join: f32,
    party_leave: f32,
    arrest_weeks: f64,
    wp: &'a [PartyWp],
    r: RecordCtx<'a>,
}

/// The Cheka/party pass over one chunk: on the workers the vectorised filter finds a draw
/// succeeding for ([`kernel::party_chunk`], where the CPU has AVX-512), else on every worker.
/// The same results either way (`party_filter_equals_reference`).
fn party_chunk(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg, path: Path) {
    c.assert_columns();
    match path {
        Path::Fastest => {
            if kernel::party_chunk(c, x, a) {
                return;
            }
        }
        #[cfg(test)]
        Path::Portable => return kernel::party_portable(c, x, a),
        #[cfg(test)]
        Path::Reference => {}
    }
    for j in 0..c.len() {
        party_worker(c, j, x, a);
    }
}

/// The Cheka/party pass on worker `j` of a chunk, counting what it changed.
#[inline(always)]
fn party_worker(c: &mut WorkersMut, j: usize, x: &PartyCtx, a: &mut Agg) {
    if c.status[j] != Status::Employed {
        return;
    }
    // Only status, flags, identity and membership date change here.
    let (st, fl, pol, since) = (c.status[j], c.flags[j], c.politics[j], c.party_since[j]);
    if party_one(c, j, x, a) {
        let after = Agent::of_chunk(c, j);
        let before = Agent {
            st,
            fl,
            pol,
            since,
            ..Agent::of_chunk(c, j)
        };
        a.c.tally::<-1>(&before, &x.r);
        a.c.tally::<1>(&after, &x.r);
    }
}

/// One employed worker meets the Cheka (arrest), the secretariat (promotion), the city committee
/// (recruitment, exit) and the dissident groups (joining, drifting away), the first of these
/// that its draw decides ([`party_thresholds`]); true when it changed the worker.
#[inline(always)]
fn party_one(c: &mut WorkersMut, j: usize, x: &PartyCtx, a: &mut Agg) -> bool {
    let k = c.wp[j] as usize;
    let id = u64::from(c.id[j]);
    let (pol, f, l, d) = (c.politics[j], c.flags[j], c.legitimacy[j], c.dissent[j]);
    let odds = party_odds(x, pol as u8, f, c.skill[j], l, d, x.wp[k]);
    let t = party_thresholds(odds);
    let u = party_draw(x, c.id[j]);
    if u < t[0] {
        arrest(
            (&mut c.status[j], &mut c.flags[j], &mut c.timer[j]),
            id,
            x.seed,
            x.week,
            x.arrest_weeks,
        );
        a.extra[k].arrests += 1;
        return true;
    }
    let public = f & flag::PUBLIC != 0;
    match pol {
        Politics::Party if u < t[1] => {
            c.status[j] = Status::Administration;
            c.flags[j] &= !(flag::PUBLIC | flag::STRIKING);
            a.promotions += 1;
        }
        Politics::Party if u < t[2] => {
            c.politics[j] = if public && d > 0.25 {
                Politics::DissidentCommunist
            } else {
                Politics::Unaffiliated
            };
            c.party_since[j] = i16::MIN;
            a.exits += 1;
        }
        Politics::Unaffiliated if u < t[1] => {
            c.politics[j] = Politics::Party;
            c.party_since[j] = x.week as i16;
            a.recruits += 1;
        }
        Politics::Unaffiliated if u < t[2] => c.politics[j] = Politics::NonPartySocialist,
        p if p.dissident() && u < t[1] => c.politics[j] = Politics::Unaffiliated,
        _ => return false,
    }
    true
}

/// Current of a vote: 0 party, 1 non-party socialists, 2 other socialist parties, 3 abstain.
fn vote(world: &World, i: usize, m: &MechanismCfg, salt: u64) -> usize {
    let w = &world.workers;
    let d = w.dissent[i];
    let public = w.flags[i] & flag::PUBLIC != 0;
    let k = w.wp[i] as usize;
    let excluded = if world.wps.excluded[k] { 0.3 } else { 0.0 };
    let l = w.legitimacy[i];
    // Voting with their feet: hidden dissent (Kuran), political alienation from a party that
    // rules alone, a workplace shut out of the executive, and fear.
    let p_abstain = (0.05
        + m.abstention as f32 * d * if public { 0.1 } else { 1.0 }
        + m.alienation as f32 * (1.0 - l)
        + excluded
        + 0.2 * w.fear[i] * d)
        .min(0.95);
    if rng::chance(
        world.seed,
        Stream::Vote,
        u64::from(w.id[i]),
        world.week as u64 + salt,
        p_abstain,
    ) {
        return 3;
    }
    // Voting against the party takes open dissent and withdrawn legitimacy, or a dissident's
    // convictions.
    let dissident = w.politics[i].dissident();
    // An unaffiliated worker who speaks out votes against the party with a probability that
    // ramps from 0 to 1 as legitimacy falls through `opposition_vote` ± 0.1.
    let against = ((m.opposition_vote as f32 - l) / 0.2 + 0.5).clamp(0.0, 1.0);
    let opposes = public
        && rng::chance(
            world.seed,
            Stream::Vote,
            u64::from(w.id[i]),
            world.week as u64 + salt + 1_000_033,
            against,
        );
    if (public && dissident) || opposes || (dissident && d > 0.35) {
        if w.politics[i].other_socialist() {
            2
        } else {
            1
        }
    } else {
        0
    }
}

/// A soviet election: votes by workplace, delegates by D'Hondt within each workplace, the
/// executive formed under the policy in force.
fn election(world: &mut World, res: &Resolved, out: &mut RunRecord) {
    let m = &res.scenario.mechanisms;
    let nw = world.wps.len();
    let mut votes = vec![[0u32; 4]; nw];
    for i in 0..world.workers.len() {
        if world.workers.status[i] == Status::Employed {
            let v = vote(world, i, m, 0);
            votes[world.workers.wp[i] as usize][v] += 1;
        }
    }
    let mut rows: Vec<ElectionRecord> = SizeClass::ALL
        .iter()
        .map(|c| ElectionRecord {
            week: world.week,
            class: c.name(),
            ..Default::default()
        })
        .collect();
    let per = world.weight;
    let mut seats_total = [0.0f64; 3];
    for k in 0..nw {
        let v = votes[k];
        let persons = f64::from(v.iter().sum::<u32>()) * per;
        // One delegate per 1/delegates_per_worker voters, at least one per real workplace.
        let exact = (persons * res.scenario.workplaces.delegates_per_worker)
            .max(f64::from(world.wps.weight[k]));
        let u = f64::from(rng::uniform(
            world.seed,
            Stream::Vote,
            k as u64,
            world.week as u64 + 77,
        ));
        let seats = (exact + u).floor() as u32;
        let won = mech::dhondt(&v[..3], seats);
        let r = &mut rows[world.wps.class[k] as usize];
        let wt = f64::from(world.wps.weight[k]);
        r.electorate += persons;
        r.votes_party += f64::from(v[0]) * per;
        r.votes_nonparty += f64::from(v[1]) * per;
        r.votes_other_socialist += f64::from(v[2]) * per;
        r.abstentions += f64::from(v[3]) * per;
        r.delegates_party += f64::from(won[0]);
        r.delegates_nonparty += f64::from(won[1]);
        r.delegates_other_socialist += f64::from(won[2]);
        for (s, t) in seats_total.iter_mut().enumerate() {
            *t += f64::from(won[s]);
        }
        if v[..3].iter().any(|&x| x > 0) {
            let top = (0..3).max_by_key(|&s| (v[s], 3 - s)).unwrap_or(0);
            match top {
                0 => r.won_party += wt,
                1 => r.won_nonparty += wt,
                _ => r.won_other_socialist += wt,
            }
        }
        world.wps.excluded[k] = false;
    }
    // Delegates of party, union and army bodies (not elected by workplaces): party members.
    let inst = res.scenario.workplaces.institutional_delegates;
    let workplace_seats: f64 = seats_total.iter().sum();
    let inst_seats = (workplace_seats * inst / (1.0 - inst)).round();
    seats_total[0] += inst_seats;
    rows.push(ElectionRecord {
        week: world.week,
        class: "institutions",
        delegates_party: inst_seats,
        ..Default::default()
    });
    let total: f64 = seats_total.iter().sum();
    let inclusive = world.policy.executive == Executive::Inclusive;
    let party_share = if inclusive && total > 0.0 {
        seats_total[0] / total
    } else {
        1.0
    };
    world.soviet.executive_party_share = party_share as f32;
    world.soviet.elections_held += 1;
    // Workplaces whose delegates are mostly non-party are shut out of a party-only executive.
    if !inclusive {
        for k in 0..nw {
            let v = votes[k];
            world.wps.excluded[k] = v[1] + v[2] > v[0];
        }
    }
    for r in &mut rows {
        r.executive = if inclusive { "inclusive" } else { "party_only" };
        r.executive_party_share = party_share;
    }
    out.elections.extend(rows);
}

/// A campaign resolution put to workplace meetings: for, against, or staying away.
fn campaign(world: &mut World, c: Campaign, out: &mut RunRecord) {
    let name = c.name();
    let mut rows: Vec<CampaignRecord> = SizeClass::ALL
        .iter()
        .map(|s| CampaignRecord {
            week: world.week,
            campaign: name,
            class: s.name(),
            ..Default::default()
        })
        .collect();
    let w = &world.workers;
    let per = world.weight;
    for i in 0..w.len() {
        if w.status[i] != Status::Employed {
            continue;
        }
        let k = w.wp[i] as usize;
        let r = &mut rows[world.wps.class[k] as usize];
        r.workers += per;
        let d = w.dissent[i];
        let public = w.flags[i] & flag::PUBLIC != 0;
        let p_away = (0.08 + 0.6 * d * if public { 0.3 } else { 1.0 }).min(0.9);
        if rng::chance(
            world.seed,
            Stream::Campaign,
            u64::from(w.id[i]),
            world.week as u64,
            p_away,
        ) {
            r.stayed_away += per;
            continue;
        }
        let against = match c {
            // Refusing the death penalty out of principle, not sympathy with the SRs: it takes
            // conviction and not too much fear (party pressure at the meeting).
            Campaign::SrTrial => {
                w.flags[i] & flag::ABOLITIONIST != 0
                    && w.fear[i] < 0.6
                    && w.politics[i] != Politics::Party
            }
            Campaign::ChurchValuables => public && d > 0.5 && w.politics[i] != Politics::Party,
        };
        if against {
            r.votes_against += per;
        } else {
            r.votes_for += per;
        }
    }
    out.campaigns.extend(rows);
}

/// Phase 7: this week's record.
fn record(world: &World, res: &Resolved, t: &Tally, a: &Counts) -> WeekRecord {
    let per = world.weight;
    let pop = &res.scenario.population;
    let counts = a.status.map(|c| c as usize);
    let (party_fact, party_office, party_admin) = (
        a.party_factory as usize,
        a.party_office as usize,
        a.party_admin as usize,
    );
    let n_emp = counts[Status::Employed as usize];
    let (legit, hard, griev, fear) = (
        unfx(a.legitimacy),
        unfx(a.hardship),
        unfx(a.grievance),
        unfx(a.fear),
    );
    let (cons_emp, eff) = (unfx(a.consumption), unfx(a.effort));
    let workers_city = (counts[0] + counts[1]).max(1) as f64;
    let in_city = (counts[0] + counts[1] + counts[5]) as f64;
    let e = &world.economy;
    let nw = world.wps.len();
    let mut strikes_active = 0.0;
    let mut arrears = 0.0;
    let mut committees = 0.0;
    let mut wp_total = 0.0;
    let mut cell_num = 0.0f64;
    let mut cell_den = 0.0f64;
    for k in 0..nw {
        let wt = f64::from(world.wps.weight[k]);
        wp_total += wt;
        if world.wps.strike[k] != 0 {
            strikes_active += wt;
        }
        if world.wps.arrears[k] > 0 {
            arrears += wt;
        }
        if world.wps.committee_nonparty[k] {
            committees += wt;
        }
        if world.wps.class[k] != SizeClass::Office {
            let n = f64::from(world.view.employed[k]);
            cell_num += f64::from(world.view.cell_strength[k]) * n;
            cell_den += n;
        }
    }
    let mut dues_num = 0.0;
    let mut dues_den = 0.0;
    for (s, u) in world.unions.iter().enumerate() {
        let n: f64 = (0..nw)
            .filter(|&k| world.wps.sector[k] as usize == s)
            .map(|k| f64::from(world.view.employed[k]))
            .sum();
        dues_num += f64::from(u.dues_share) * n;
        dues_den += n;
    }
    let best = f64::from(e.ration[0] * special_ration(&world.policy));
    let worst = f64::from(e.ration[1].min(e.ration[2]));
    let party_total = party_fact + party_office + party_admin;
    let pop_city = in_city * per * pop.persons_per_worker;
    WeekRecord {
        population_city: pop_city,
        population_villages: counts[Status::Village as usize] as f64 * per,
        population_index: pop_city / pop.population_1917,
        employed: counts[0] as f64 * per,
        unemployed: counts[1] as f64 * per,
        vacancies: (0..nw)
            .map(|k| f64::from(world.wps.jobs[k].saturating_sub(world.view.employed[k])))
            .sum::<f64>()
            * per,
        blacklisted: a.blacklisted as f64 * per,
        in_custody: counts[3] as f64 * per,
        in_exile: counts[4] as f64 * per,
        real_wage: if n_emp > 0 {
            cons_emp / n_emp as f64
        } else {
            0.0
        },
        output_index: e.output_index,
        capacity: e.capacity,
        food_supply: e.ration_pool + e.market_food,
        ration_pool: e.ration_pool,
        market_food: e.market_food,
        price_index: 1.0 / e.market_fill.max(1e-6),
        markets: world.policy.markets,
        strikers: t.strikers as f64 * per,
        strikes_active,
        strikes_started_local: t.started[0],
        strikes_started_solidarity: t.started[1],
        strikes_settled_local: t.settled[0],
        strikes_settled_solidarity: t.settled[1],
        strikes_suppressed_local: t.suppressed[0],
        strikes_suppressed_solidarity: t.suppressed[1],
        strikes_faded: t.faded,
        arrests: t.arrests as f64 * per,
        sackings: t.sackings as f64 * per,
        exiles: t.exiles as f64 * per,
        legitimacy: legit / workers_city,
        grievance: griev / workers_city,
        hardship: hard / workers_city,
        fear: fear / workers_city,
        effort: if n_emp > 0 { eff / n_emp as f64 } else { 0.0 },
        dissent_private: a.private as f64 / workers_city,
        dissent_public: a.public as f64 / workers_city,
        party_members: party_total as f64 * per,
        party_in_factories: party_fact as f64 * per,
        party_in_administration: party_admin as f64 * per,
        party_recent_share: a.party_recent as f64 / party_total.max(1) as f64,
        cell_strength: if cell_den > 0.0 {
            cell_num / cell_den
        } else {
            0.0
        },
        promotions: t.promotions as f64 * per,
        recruits: t.recruits as f64 * per,
        party_exits: t.exits as f64 * per,
        union_dues_share: if dues_den > 0.0 {
            dues_num / dues_den
        } else {
            0.0
        },
        union_assemblies: world.unions.iter().filter(|u| u.assembly).count() as f64,
        dissident_nonparty: a.politics[Politics::NonPartySocialist as usize] as f64 * per,
        dissident_socialist_parties: (a.politics[Politics::Sr as usize]
            + a.politics[Politics::Menshevik as usize]
            + a.politics[Politics::Anarchist as usize]) as f64
            * per,
        dissident_communists: a.politics[Politics::DissidentCommunist as usize] as f64 * per,
        officials: world.party.officials,
        privilege_ratio: world.policy.privilege,
        ration_inequality: if worst > 0.0 { best / worst } else { 0.0 },
        arrears_share: arrears / wp_total.max(1e-9),
        committees_nonparty: committees / wp_total.max(1e-9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worker phase from one state by every [`Path`]: the workers' columns and the counts.
    fn phase3(world: &World, m: &MechanismCfg, path: Path) -> (World, Agg) {
        let mut w = world.clone();
        let prev: Vec<f32> = (0..w.wps.len())
            .map(|k| w.view.strikers[k] as f32 / w.view.employed[k].max(1) as f32)
            .collect();
        let a = workers(&mut w, m, &prev, path);
        (w, a)
    }

    fn same(a: &(World, Agg), b: &(World, Agg), what: &str) {
        let (wa, aa) = (&a.0.workers, &a.1);
        let (wb, ab) = (&b.0.workers, &b.1);
        macro_rules! column {
            ($($c:ident),*) => {$(
                for i in 0..wa.len() {
                    assert!(
                        wa.$c[i] == wb.$c[i],
                        "{what}: worker {i}, {}: {:?} vs {:?}",
                        stringify!($c),
                        wa.$c[i],
                        wb.$c[i]
                    );
                }
            )*};
        }
        column!(
            wp,
            status,
            need,
            politics,
            skill,
            flags,
            timer,
            party_since,
            ties,
            threshold,
            risk,
            consumption,
            expectation,
            hardship,
            legitimacy,
            fear,
            dissent,
            effort
        );
        assert!(aa.c == ab.c, "{what}: counts differ");
        for (k, (x, y)) in aa.extra.iter().zip(&ab.extra).enumerate() {
            assert_eq!(
                (x.initiators, x.sustaining, x.ready, x.arrests),
                (y.initiators, y.sustaining, y.ready, y.arrests),
                "{what}: workplace {k}"
            );
        }
        assert_eq!(aa.payers, ab.payers, "{what}: dues payers");
        assert_eq!(aa.exiles, ab.exiles, "{what}: exiles");
    }

    /// The world with every worker's state drawn at random (statuses, identities, flags,
    /// timers, stances) and migration made likely, so that every branch of the worker phase
    /// is taken many times.
    fn stirred(world: &World, m: &mut MechanismCfg) -> World {
        let mut w = world.clone();
        let u = |i: usize, salt: u64| rng::uniform(99, Stream::Init, i as u64, 7_000 + salt);
        let n = w.workers.len();
        let x = &mut w.workers;
        for i in 0..n {
            x.status[i] = Status::ALL[(u(i, 0) * 6.0) as usize % 6];
            x.politics[i] = match (u(i, 1) * 7.0) as usize {
                0 => Politics::Party,
                1 => Politics::NonPartySocialist,
                2 => Politics::Sr,
                3 => Politics::Menshevik,
                4 => Politics::Anarchist,
                5 => Politics::DissidentCommunist,
                _ => Politics::Unaffiliated,
            };
            x.flags[i] = (u(i, 2) * 64.0) as u8;
            x.timer[i] = (u(i, 3) * 3.0) as u16;
            x.skill[i] = (u(i, 4) * 3.0) as u8 % 3;
            x.party_since[i] = (u(i, 5) * 200.0) as i16 - 50;
            x.legitimacy[i] = u(i, 6);
            x.dissent[i] = u(i, 7);
            x.fear[i] = u(i, 8);
            x.effort[i] = u(i, 9);
            x.expectation[i] = 0.2 + u(i, 10);
            x.ties[i] = u(i, 11);
        }
        m.migrate_leave = 0.5;
        m.migrate_return = 0.5;
        w
    }

    #[test]
    fn by_id_sorts_indices_by_id() {
        let n = 100_000u32;
        // ids: a permutation of 0..n; indices: a random subset, in storage order.
        let mut id: Vec<u32> = (0..n).collect();
        id.sort_by_key(|&i| rng::hash(5, Stream::Init, u64::from(i), 0));
        let mut idx: Vec<u32> = (0..n)
            .filter(|&i| rng::uniform(5, Stream::Init, u64::from(i), 1) < 0.3)
            .collect();
        let mut expected = idx.clone();
        expected.sort_by_key(|&i| id[i as usize]);
        par::by_id(&mut idx, &id);
        assert_eq!(idx, expected);
        // Already in id order: unchanged.
        let ordered: Vec<u32> = (0..n).collect();
        let mut same = ordered.clone();
        par::by_id(&mut same, &ordered);
        assert_eq!(same, ordered);
        par::by_id(&mut [], &ordered);
    }

    /// Hiring as first written: the candidates' indices sorted by id, then both passes in id
    /// order from `start`, reading each candidate's status and workplace.
    fn hire_reference(
        w: &mut Workers,
        vac: &mut [u32],
        start: usize,
        mut next_wp: usize,
        counts: &mut Counts,
        r: &RecordCtx,
    ) {
        let nw = vac.len();
        let mut candidates: Vec<u32> = (0..w.len() as u32)
            .filter(|&i| {
                w.status[i as usize] == Status::Unemployed
                    && w.flags[i as usize] & flag::BLACKLISTED == 0
            })
            .collect();
        candidates.sort_by_key(|&i| w.id[i as usize]);
        let split = candidates.partition_point(|&i| (w.id[i as usize] as usize) < start);
        for pass in 0..2 {
            for &i in candidates[split..].iter().chain(&candidates[..split]) {
                let i = i as usize;
                if w.status[i] != Status::Unemployed {
                    continue;
                }
                let own = w.wp[i] as usize;
                if pass == 0 {
                    if vac[own] > 0 {
                        vac[own] -= 1;
                        counts.tally::<-1>(&Agent::of(w, i), r);
                        w.status[i] = Status::Employed;
                        counts.tally::<1>(&Agent::of(w, i), r);
                    }
                } else {
                    let mut tries = 0;
                    while vac[next_wp] == 0 && tries < nw {
                        next_wp = (next_wp + 1) % nw;
                        tries += 1;
                    }
                    if vac[next_wp] == 0 {
                        return;
                    }
                    vac[next_wp] -= 1;
                    counts.tally::<-1>(&Agent::of(w, i), r);
                    w.wp[i] = next_wp as u32;
                    w.status[i] = Status::Employed;
                    counts.tally::<1>(&Agent::of(w, i), r);
                    next_wp = (next_wp + 1) % nw;
                }
            }
        }
    }

    #[test]
    fn hiring_equals_reference() {
        // Real states every quarter and stirred ones (random statuses and flags), stored in
        // workplace order and shuffled, with vacancies from none to more than there are
        // candidates, scattered or at one workplace, and starts at either end and between:
        // the same workers hired to the same workplaces, the same counts, the same vacancies
        // left.
        let mut cases = 0;
        every_quarter(&["historical", "nep"], 3, 200, |name, week, world, m| {
            let mut m2 = m.clone();
            for (mut world, what) in [
                (world.clone(), "as run"),
                (stirred(world, &mut m2), "stirred"),
            ] {
                for shuffle in [false, true] {
                    if shuffle {
                        let n = world.workers.len() as u32;
                        let mut order: Vec<u32> = (0..n).collect();
                        order.sort_by_key(|&i| {
                            rng::hash(11, Stream::Init, u64::from(i), week as u64)
                        });
                        world.workers.reorder(&order);
                    }
                    let (n, nw) = (world.workers.len(), world.wps.len());
                    let counts = aggregate(&world, m);
                    let r = RecordCtx::of(&world, m);
                    let unemployed = counts.status[Status::Unemployed as usize] as u32;
                    let u = |k: usize, salt: u64| rng::uniform(4, Stream::Init, k as u64, salt);
                    let vacancies: [Vec<u32>; 4] = [
                        vec![0; nw],
                        (0..nw)
                            .map(|k| (u(k, 1) * 3.0) as u32 * u32::from(u(k, 2) < 0.3))
                            .collect(),
                        (0..nw)
                            .map(|k| (u(k, 3) * 2.0 * unemployed as f32 / nw as f32) as u32 + 1)
                            .collect(),
                        (0..nw)
                            .map(|k| if k == nw / 2 { unemployed / 3 + 1 } else { 0 })
                            .collect(),
                    ];
                    for (v, vac) in vacancies.iter().enumerate() {
                        for (start, next_wp) in [(0, 0), (n - 1, nw - 1), (n / 3, nw / 2)] {
                            let (mut wa, mut ca, mut va) =
                                (world.workers.clone(), counts.clone(), vac.clone());
                            let (mut wb, mut cb, mut vb) =
                                (world.workers.clone(), counts.clone(), vac.clone());
                            hire(&mut wa, &mut va, start, next_wp, &mut ca, &r);
                            hire_reference(&mut wb, &mut vb, start, next_wp, &mut cb, &r);
                            let what = format!(
                                "{name}, week {week}, {what}, shuffled {shuffle}, vacancies {v}, start {start}"
                            );
                            assert!(
                                wa.wp == wb.wp && wa.status == wb.status,
                                "{what}: workers differ"
                            );
                            assert!(ca == cb, "{what}: counts differ");
                            assert_eq!(va, vb, "{what}: vacancies left");
                            cases += 1;
                        }
                    }
                }
            }
        });
        assert_eq!(cases, 2 * 16 * 2 * 2 * 4 * 3);
    }

    /// Runs each scenario at 6,000 workers with `seed` through weeks 0..=`last`, calling `check`
    /// on the world before every 13th week's step; returns the final worlds.
    fn every_quarter(
        names: &[&str],
        seed: u64,
        last: usize,
        mut check: impl FnMut(&str, usize, &World, &MechanismCfg),
    ) -> Vec<World> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        names
            .iter()
            .map(|name| {
                let mut res = crate::scenario::load(&dir.join(format!("{name}.toml"))).unwrap();
                res.scenario.run.scale = 6_000;
                let m = res.scenario.mechanisms.clone();
                let mut world = World::new(&res, seed);
                let mut out = RunRecord::default();
                for week in 0..=last {
                    if week % 13 == 0 {
                        check(name, week, &world, &m);
                    }
                    step(&mut world, &res, &mut out);
                }
                world
            })
            .collect()
    }

    #[test]
    fn party_filter_equals_reference() {
        // The Cheka/party pass through the vectorised filter (with and without AVX-512) and
        // worker by worker: the same workers, counts and tallies, in real states and in stirred
        // ones where every outcome is frequent.
        let mut changed = [0usize; 6];
        every_quarter(&["historical", "nep"], 5, 104, |name, week, world, m| {
            let mut m2 = m.clone();
            let mut stir = stirred(world, &mut m2);
            m2.party_leave = 0.2;
            m2.dissident_join = 0.2;
            stir.policy.promotion = 0.2;
            stir.policy.recruitment = 0.3;
            for (w, m, what) in [(world, m, "as run"), (&stir, &m2, "stirred")] {
                let what = format!("{name}, week {week}, {what}");
                let pass = |path| {
                    let mut w = w.clone();
                    let mut counts = aggregate(&w, m);
                    let mut tally = Tally {
                        arrests: 7,
                        ..Tally::default()
                    };
                    w.party.cheka_capacity = 0.05 * counts.status[0] as f64;
                    cheka_and_party(&mut w, m, &mut tally, &mut counts, path);
                    let tallies = format!("{tally:?}");
                    ((w, Agg::new(0)), counts, tallies)
                };
                let reference = pass(Path::Reference);
                for path in [Path::Fastest, Path::Portable] {
                    let other = pass(path);
                    same(&other.0, &reference.0, &what);
                    assert!(other.1 == reference.1, "{what}: counts differ");
                    assert_eq!(other.2, reference.2, "{what}: tallies");
                    assert_eq!(
                        other.0.0.view.arrested_share, reference.0.0.view.arrested_share,
                        "{what}"
                    );
                }
            }
            // What the stirred pass did, outcome by outcome.
            let mut after = stir.clone();
            let mut counts = aggregate(&after, &m2);
            let mut tally = Tally::default();
            after.party.cheka_capacity = 0.05 * counts.status[0] as f64;
            cheka_and_party(&mut after, &m2, &mut tally, &mut counts, Path::Reference);
            let (b, a) = (&stir.workers, &after.workers);
            let moved = |from: fn(Politics) -> bool, to: Politics| {
                (0..a.len())
                    .filter(|&i| from(b.politics[i]) && a.politics[i] == to)
                    .count()
            };
            changed[0] += tally.arrests;
            changed[1] += tally.promotions;
            changed[2] += tally.recruits;
            changed[3] += tally.exits;
            changed[4] += moved(|p| p == Politics::Unaffiliated, Politics::NonPartySocialist);
            changed[5] += moved(|p| p.dissident(), Politics::Unaffiliated);
        });
        // Every outcome (arrest, promotion, recruitment, exit, joining and leaving the groups)
        // was met, so every branch of both paths was compared.
        assert!(changed.iter().all(|&n| n > 50), "{changed:?}");
    }

    #[test]
    fn kernel_equals_reference() {
        // Rations and labour mobilisation (1920), money wages and markets (1921), piece rates
        // (from 1920 in `nep`), voluntary union dues (`independent_unions`); the first week
        // (expectations start at what it delivers) and weeks with workers in custody and exile.
        let mut checked = 0;
        let names = ["historical", "nep", "independent_unions"];
        let ends = every_quarter(&names, 11, 130, |name, week, world, m| {
            let reference = phase3(world, m, Path::Reference);
            let what = format!("{name}, week {week}");
            same(&phase3(world, m, Path::Fastest), &reference, &what);
            same(&phase3(world, m, Path::Portable), &reference, &what);
            let mut m2 = m.clone();
            let stir = stirred(world, &mut m2);
            let what = format!("{name}, week {week}, stirred");
            let reference = phase3(&stir, &m2, Path::Reference);
            same(&phase3(&stir, &m2, Path::Fastest), &reference, &what);
            same(&phase3(&stir, &m2, Path::Portable), &reference, &what);
            checked += 1;
        });
        for world in ends {
            let held = world.status_counts();
            assert!(held[Status::Arrested as usize] + held[Status::Exiled as usize] > 0);
        }
        assert_eq!(checked, 33);
    }
}
