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

use crate::model::counts::{Tally, aggregate, finish_view, refresh_view};
use crate::model::economy::economy;
use crate::model::lanes::Path;
use crate::model::management::management;
use crate::model::mechanisms as mech;
use crate::model::party::{cheka_and_party, promotion_rate};
use crate::model::record::RunRecord;
use crate::model::record::record;
use crate::model::registry::Mechanism;
use crate::model::rng::{self, Stream};
use crate::model::soviet::{campaign, efficacy_week, election};
use crate::model::strikes::{arrest, strike_cascades, strikes, unions};
use crate::model::worker_phase::workers;
use crate::model::world::{Politics, SizeClass, Status, World};
use crate::scenario::params::MechanismCfg;
use crate::scenario::{Resolved, ResolvedEvent};

/// Share of the worker phase's groups that were mixed, beyond those mixed right after the last
/// sort, above which the workers are sorted again at the start of the next step
/// ([`Workers::sort`]).
pub(crate) const RESORT_DISORDER: f32 = 0.05;

/// The initial city for replicate seed `seed`, ready to step: the world, and the view its
/// workers read in the first week.
pub fn start(res: &Resolved, seed: u64) -> World {
    let mut world = World::new(res, seed);
    refresh_view(&mut world, &res.scenario.mechanisms);
    world
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
    let (strikers, called) = strike_cascades(world, m, &mut agg, &prev);
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
    strikes(world, m, (&strikers, &called), &mut tally, &mut counts);
    management(world, res, &mut tally, &mut counts);
    cheka_and_party(world, m, &mut tally, &mut counts, Path::Fastest);
    // Phase 6: soviet elections and campaigns (they only read the workers); the memory of
    // exclusion fades.
    efficacy_week(world, m);
    for ev in &due {
        if ev.event.soviet_election {
            election(world, res, out);
        }
        if let Some(c) = ev.event.campaign {
            campaign(world, m, c, out);
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

pub(crate) fn apply_event(
    world: &mut World,
    ev: &ResolvedEvent,
    m: &MechanismCfg,
    tally: &mut Tally,
) {
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
    // Without recruitment an enrolment is blind to legitimacy (as if every worker's were one
    // half).
    let sw = world.switches;
    let enrol_l = |l: f32| {
        if sw.on(Mechanism::Recruitment) {
            l
        } else {
            0.5
        }
    };
    // The career membership opens at each workplace, as the recruitment sees it.
    let career: Vec<f32> = (0..world.wps.len())
        .map(|k| mech::career_pull(world.city.visible_privilege, promotion_rate(world, k)))
        .collect();
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
            // The uptake of the offer, as in the recruitment (ODD 7.13).
            let u = mech::party_uptake(enrol_l(l), w.fear[i], career[w.wp[i] as usize]);
            let p = (ev.event.enrolment as f32 * 2.0 * u).min(1.0);
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
                sw.on(Mechanism::Incapacitation),
            );
            tally.arrests += 1;
        }
    }
}
