//! Strikes and unions, phases 3–5 of the step: the Granovetter cascade that decides who strikes
//! at each workplace, union assemblies and dues, and what becomes of strikes (settled by
//! negotiation, suppressed with arrests and sackings, fading out).

use crate::model::counts::Tally;
use crate::model::counts::{Agent, Agg, Counts, RecordCtx, gather};
use crate::model::mechanisms as mech;
use crate::model::registry::Mechanism;
use crate::model::rng::{self, Stream};
use crate::model::worker_phase::union_signals;
use crate::model::world::{OFFICE_SECTOR, SECTORS, Status, World, flag};
use crate::par::{self};
use crate::scenario::params::{MechanismCfg, UnionFunding};
use rayon::prelude::*;

/// Granovetter cascades, one per workplace: who strikes this week given everyone's need
/// (computed by the worker phase) and last week's strike share. A cascade that stops below the
/// minimum share is a failed walkout: nobody is counted on strike. Only workplaces with an
/// initiator, or with a strike that still sustains itself, can have one; their members are
/// found and their cascades resolved in parallel. Updates the counts in `a` and returns the
/// strikers in id order, and for each workplace whether its union called it out: its cascade
/// holds only with the union signal (without it, it would end below the minimum share).
pub(crate) fn strike_cascades(
    world: &mut World,
    m: &MechanismCfg,
    a: &mut Agg,
    prev: &[f32],
) -> (Vec<u32>, Vec<bool>) {
    let nw = world.wps.len();
    let min_share = m.strike_min_share as f32;
    let peers = world.switches.on(Mechanism::PeerThresholds);
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
        return (Vec::new(), vec![false; nw]);
    }
    let signal = union_signals(world, m);
    let cascade = |needs: &[f32], prev: f32| {
        // Without peer thresholds only those who need no one strike.
        if peers {
            mech::cascade(needs, prev)
        } else {
            needs.partition_point(|&x| x <= 0.0) as f32 / needs.len().max(1) as f32
        }
    };
    let w = &world.workers;
    let members = gather(w, Status::Employed, 0, |i| candidate[w.wp[i] as usize]);
    let (offsets, grouped) = par::group_by(&members, &w.wp, nw);
    // The need of the last worker to join (-∞ where no strike holds), and whether the strike
    // holds only with the union's signal.
    let (cut, called): (Vec<f32>, Vec<bool>) = (0..nw)
        .into_par_iter()
        .map_init(Vec::new, |needs: &mut Vec<f32>, k| {
            if !candidate[k] {
                return (f32::NEG_INFINITY, false);
            }
            let ids = &grouped[offsets[k]..offsets[k + 1]];
            needs.clear();
            needs.extend(ids.iter().map(|&i| w.need[i as usize]));
            needs.sort_unstable_by(f32::total_cmp);
            let share = cascade(needs, prev[k]);
            if share < min_share {
                return (f32::NEG_INFINITY, false);
            }
            let cut = needs[((share * ids.len() as f32).round() as usize).clamp(1, ids.len()) - 1];
            let s = signal[world.wps.sector[k] as usize];
            let called = s > 0.0 && {
                needs.iter_mut().for_each(|x| *x += s);
                cascade(needs, prev[k]) < min_share
            };
            (cut, called)
        })
        .unzip();
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
    (strikers, called)
}

/// Unions: sector strike and dissent shares (the strike share net of the strikes that end this
/// week, see [`strikes`]); assemblies; dues.
pub(crate) fn unions(world: &mut World, m: &MechanismCfg, a: &Agg) {
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
pub(crate) fn strikes(
    world: &mut World,
    m: &MechanismCfg,
    (strikers, called): (&[u32], &[bool]),
    tally: &mut Tally,
    counts: &mut Counts,
) {
    for c in &mut world.wps.cooldown {
        *c *= 0.8;
    }
    let (settle, suppress) = outcomes(world, m, called, tally);
    to_strikers(world, m, strikers, (&settle, &suppress), tally, counts);
    for k in 0..world.wps.len() {
        if settle[k] || suppress[k] {
            // The union carries news only of the strikes still on.
            let u = &mut world.unions[world.wps.sector[k] as usize];
            u.strikers -= world.view.strikers[k];
            u.strike_share = u.strikers as f32 / u.employed.max(1) as f32;
            world.wps.strike[k] = 0;
            world.wps.strike_weeks[k] = 0;
            world.wps.cooldown[k] = 1.0;
        }
        world.wps.concession[k] *= 0.995;
    }
}

/// Each workplace's strike this week: starts (local or solidarity), fades, or goes on; settled
/// by negotiation or suppressed by force (the policy's choices and the union's power). Which
/// workplaces' strikes were settled and which suppressed.
fn outcomes(
    world: &mut World,
    m: &MechanismCfg,
    called: &[bool],
    tally: &mut Tally,
) -> (Vec<bool>, Vec<bool>) {
    let sw = world.switches;
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
                // A strike that wore out demobilises its workplace as one that ended otherwise.
                tally.faded += wt;
                wps.cooldown[k] = 1.0;
            }
            wps.strike[k] = 0;
            wps.strike_weeks[k] = 0;
            continue;
        }
        if wps.strike[k] == 0 {
            // A solidarity strike is one the union called out: it would not have held
            // without the sector's strikes elsewhere (the union signal).
            wps.strike[k] = if called[k] { 2 } else { 1 };
            tally.started[wps.strike[k] as usize - 1] += wt;
            if wps.arrears[k] > 0 {
                tally.started_arrears += wt;
            }
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
                (sw.gate(Mechanism::Negotiation, m.settle_rate as f32) * union_power).min(1.0),
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
    (settle, suppress)
}

/// What a settled or suppressed strike does to its strikers, in id order: released with a
/// little less fear, or broken in front of them (fear), leaders arrested out of the Cheka's
/// capacity, the rest sacked (and the outspoken blacklisted) under mass sackings.
fn to_strikers(
    world: &mut World,
    m: &MechanismCfg,
    strikers: &[u32],
    (settle, suppress): (&[bool], &[bool]),
    tally: &mut Tally,
    counts: &mut Counts,
) {
    let pol = &world.policy;
    let (seed, week) = (world.seed, world.week as u64);
    let nw = world.wps.len();
    let sw = world.switches;
    let incapacitate = sw.on(Mechanism::Incapacitation);
    // Apply to the strikers, in id order.
    let r = RecordCtx::new(&world.wps.class, m, world.week, pol);
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
            w.fear[i] =
                (w.fear[i] + sw.gate(Mechanism::Deterrence, m.suppression_fear as f32)).min(1.0);
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
                    incapacitate,
                );
                tally.arrests += 1;
            } else if pol.mass_sackings {
                tally.sackings += 1;
                if incapacitate {
                    w.status[i] = Status::Unemployed;
                    if w.flags[i] & flag::PUBLIC != 0 && w.dissent[i] > 0.4 {
                        w.flags[i] |= flag::BLACKLISTED;
                        w.timer[i] = m.blacklist_weeks as u16;
                    }
                }
            }
        }
        counts.tally::<1>(&Agent::of(w, i), &r);
    }
}

/// Puts a worker (status, flags, custody timer) in custody for half to one and a half times
/// `mean_weeks`: incapacitation. Without it (`incapacitate` false, the mechanism switched
/// off) the arrest is counted and witnessed by the caller but takes no one out.
#[inline]
pub(crate) fn arrest(
    (status, flags, timer): (&mut Status, &mut u8, &mut u16),
    id: u64,
    seed: u64,
    week: u64,
    mean_weeks: f64,
    incapacitate: bool,
) {
    if !incapacitate {
        return;
    }
    *status = Status::Arrested;
    *flags &= !(flag::PUBLIC | flag::STRIKING);
    *timer = (mean_weeks as f32 * (0.5 + rng::uniform(seed, Stream::Release, id, week + 31)))
        .max(1.0) as u16;
}
