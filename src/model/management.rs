//! Management, phase 5 of the step: wage arrears, factory committees, redundancies and hiring
//! (vacancies filled from the unemployed in a fixed order).

use crate::model::counts::Tally;
use crate::model::counts::{Agent, Counts, RecordCtx, gather, scan};
use crate::model::rng::{self, Stream};
use crate::model::world::{Status, Workers, World, flag};
use crate::par::{self};
use crate::scenario::Resolved;
use crate::scenario::params::PaySystem;

/// Management: wage arrears, committee elections, redundancies and hiring, by the employed per
/// workplace in `counts` (which follow every change made).
pub(crate) fn management(
    world: &mut World,
    res: &Resolved,
    tally: &mut Tally,
    counts: &mut Counts,
) {
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
pub(crate) fn hire(
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
pub(crate) struct Candidate {
    pub(crate) rank: u32,
    pub(crate) index: u32,
    pub(crate) wp: u32,
}

/// [`Candidate::wp`] of a candidate hired in the first pass.
pub(crate) const HIRED: u32 = u32::MAX;
