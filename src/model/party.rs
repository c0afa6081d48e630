//! The party and the Cheka, phase 5 of the step: one parallel pass over the workers in which the
//! Cheka arrests, the secretariat promotes into administration (the pump), the city committee
//! recruits and members leave, and dissident groups gain and lose members.

use crate::model::counts::Tally;
use crate::model::counts::{Agent, Agg, CHUNK, Counts, RecordCtx, Targets, fold_mut};
use crate::model::lanes::{self, CONVICTION, G, Isa, Kind, Path, kind, lanes, select};
use crate::model::mechanisms as mech;
use crate::model::registry::Mechanism;
use crate::model::rng::{self, Stream};
use crate::model::strikes::arrest;
use crate::model::world::{Politics, SizeClass, Status, WorkersMut, World, flag};
use crate::scenario::params::MechanismCfg;

/// The Cheka (reactive allocation of its capacity to where dissent is reported; arrests), the
/// secretariat (officials; promotions out of the factories), the city committee (recruitment,
/// exits) and the dissident groups (joining, drifting away). One parallel pass over the
/// workers: each decision reads only the worker's own state, the view and city-wide totals, so
/// no decision competes with another's.
pub(crate) fn cheka_and_party(
    world: &mut World,
    m: &MechanismCfg,
    tally: &mut Tally,
    counts: &mut Counts,
    path: Path,
) {
    let sw = world.switches;
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
        rec: sw.gate(Mechanism::Recruitment, pol.recruitment as f32),
        dissident_join: sw.gate(Mechanism::DissidentGroups, m.dissident_join as f32),
        party_leave: sw.gate(Mechanism::PartyExit, m.party_leave as f32),
        exit_below: m.party_exit_legitimacy as f32,
        leavers_organise: sw.on(Mechanism::DissidentGroups),
        arrest_weeks: m.arrest_weeks,
        incapacitate: sw.on(Mechanism::Incapacitation),
        wp: &(0..nw)
            .map(|k| {
                let promote = promotion_rate(world, k);
                PartyWp {
                    presence: view.dissidents[k] as f32 / view.employed[k].max(1) as f32,
                    promote,
                    career: mech::career_pull(world.city.visible_privilege, promote),
                }
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

/// The weekly rate at which the secretariat promotes the members of workplace `k` into
/// administration (the pump): the policy's rate in a factory, 0 in an office or without the
/// pump.
pub(crate) fn promotion_rate(world: &World, k: usize) -> f32 {
    if world.wps.class[k] != SizeClass::Office {
        world
            .switches
            .gate(Mechanism::Pump, world.policy.promotion as f32)
    } else {
        0.0
    }
}

/// What the Cheka/party pass reads of a worker: identity, flags, skill, legitimacy, private
/// dissent and fear.
#[derive(Clone, Copy)]
pub(crate) struct Seen {
    pub(crate) p: u8,
    pub(crate) f: u8,
    pub(crate) skill: u8,
    pub(crate) l: f32,
    pub(crate) d: f32,
    pub(crate) fear: f32,
}

/// What a workplace shows the Cheka/party pass.
#[derive(Clone, Copy)]
pub(crate) struct PartyWp {
    /// Share of the employed in dissident groups (last week's view).
    pub(crate) presence: f32,
    /// Probability scale of a member's promotion here (the pump): the policy's rate in a
    /// factory, 0 in an office.
    pub(crate) promote: f32,
    /// The career membership opens here ([`mech::career_pull`]).
    pub(crate) career: f32,
}

/// What the Cheka/party pass can do to a worker, in the order met: the first slot is the
/// arrest; the second promotion (members), recruitment (unaffiliated) or drifting away from the
/// groups (dissidents); the third exit (members) or joining the groups (unaffiliated).
pub(crate) const OUTCOMES: usize = 3;

/// The probability of each of a worker's outcomes ([`OUTCOMES`]) given that none before it
/// happened; 0 where the worker does not meet it. Shared by the pass worker by worker and the
/// filter ([`filtered`]), so that both compute the same values.
#[inline(always)]
pub(crate) fn party_odds(x: &PartyCtx, s: Seen, w: PartyWp) -> [f32; OUTCOMES] {
    let Seen {
        p,
        f,
        skill,
        l,
        d,
        fear,
    } = s;
    let public = f & flag::PUBLIC != 0;
    let party = p == Politics::Party as u8;
    let unaffiliated = p == Politics::Unaffiliated as u8;
    // Arrest: expected arrests at a workplace equal its allocated capacity, shared by target
    // weight (the weight by identity plus what striking adds).
    let t = select(p, &x.weights)
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
        // The committee offers the card to the loyal; whether they take it is the uptake.
        if l > 0.55 {
            x.rec * mech::party_uptake(l, fear, w.career)
        } else {
            0.0
        }
    } else if d - select(p, &CONVICTION) < 0.1 {
        // The content drift away: little grievance left beneath the group's conviction
        // (D = G + conviction, and every group's conviction is above 0.1).
        x.dissident_join * 0.5
    } else {
        0.0
    };
    // Exits of disillusioned members; open dissenters drawn into the non-party groups.
    let third = if party {
        if l < x.exit_below {
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
pub(crate) fn party_thresholds(p: [f32; OUTCOMES]) -> [f32; OUTCOMES] {
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
pub(crate) fn party_draw(x: &PartyCtx, id: u32) -> f32 {
    rng::unit(rng::hash_keyed(x.key, u64::from(id), x.week_term))
}

/// Read-only inputs of the Cheka/party pass.
pub(crate) struct PartyCtx<'a> {
    pub(crate) seed: u64,
    pub(crate) week: u64,
    pub(crate) arrests_on: bool,
    /// The Cheka's capacity left this week and the total target weight reported.
    pub(crate) capacity: f32,
    pub(crate) total: f32,
    /// [`Targets::table`].
    pub(crate) weights: [f32; 7],
    pub(crate) striking: f32,
    /// The key and week term of the pass's draws.
    pub(crate) key: u64,
    pub(crate) week_term: u64,
    pub(crate) rec: f32,
    pub(crate) dissident_join: f32,
    pub(crate) party_leave: f32,
    /// Legitimacy below which members leave the party.
    pub(crate) exit_below: f32,
    /// Whether members who leave in dissent form dissident communist groups.
    pub(crate) leavers_organise: bool,
    pub(crate) arrest_weeks: f64,
    /// Whether an arrest takes the worker out ([`Mechanism::Incapacitation`]).
    pub(crate) incapacitate: bool,
    pub(crate) wp: &'a [PartyWp],
    pub(crate) r: RecordCtx<'a>,
}

/// The Cheka/party pass over one chunk: on the workers the filter finds a draw succeeding for
/// ([`filtered`]), or (`Path::Unfiltered`, in tests) on every worker: the same results
/// (`party_filter_equals_unfiltered`).
fn party_chunk(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg, path: Path) {
    c.assert_columns();
    #[cfg(test)]
    if path == Path::Unfiltered {
        for j in 0..c.len() {
            party_worker(c, j, x, a);
        }
        return;
    }
    filtered(Isa::of(path), c, x, a);
}

/// The Cheka/party pass on worker `j` of a chunk, counting what it changed.
#[inline(always)]
pub(crate) fn party_worker(c: &mut WorkersMut, j: usize, x: &PartyCtx, a: &mut Agg) {
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
pub(crate) fn party_one(c: &mut WorkersMut, j: usize, x: &PartyCtx, a: &mut Agg) -> bool {
    let k = c.wp[j] as usize;
    let id = u64::from(c.id[j]);
    let (pol, f, l, d) = (c.politics[j], c.flags[j], c.legitimacy[j], c.dissent[j]);
    let seen = Seen {
        p: pol as u8,
        f,
        skill: c.skill[j],
        l,
        d,
        fear: c.fear[j],
    };
    let odds = party_odds(x, seen, x.wp[k]);
    let t = party_thresholds(odds);
    let u = party_draw(x, c.id[j]);
    if u < t[0] {
        arrest(
            (&mut c.status[j], &mut c.flags[j], &mut c.timer[j]),
            id,
            x.seed,
            x.week,
            x.arrest_weeks,
            x.incapacitate,
        );
        a.extra[k].arrests += 1;
        return true;
    }

    match pol {
        Politics::Party if u < t[1] => {
            c.status[j] = Status::Administration;
            c.flags[j] &= !(flag::PUBLIC | flag::STRIKING);
            a.promotions += 1;
        }
        Politics::Party if u < t[2] => {
            c.politics[j] = if x.leavers_organise && d > 0.1 {
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

lanes::dispatch! {
    /// The filtered pass over one chunk, in code compiled for `isa`.
    fn filtered(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg) -> () = filtered_body
}

/// The filtered pass: a filter over lanes computes, for every lane of a group, the worker's
/// draw and the probability that the pass changes it ([`party_odds`], [`party_thresholds`]);
/// only the workers whose draw falls below it go through [`party_worker`] (about one in a
/// thousand a week). The others the pass leaves unchanged, so the results are those of the pass
/// worker by worker.
#[inline(always)]
fn filtered_body<const AVX512: bool>(c: &mut WorkersMut, x: &PartyCtx, a: &mut Agg) {
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
            party_worker(c, g0 + l, x, a);
        }
    }
    for j in whole..n {
        party_worker(c, j, x, a);
    }
}

/// The lanes of the group at `g0` (as bits) holding an employed worker whose draw falls below
/// the probability that the Cheka/party pass changes it.
#[inline(always)]
fn party_hits(c: &WorkersMut, g0: usize, x: &PartyCtx, at: impl Fn(usize) -> PartyWp) -> u32 {
    let (st, fl, po) = (
        lanes(c.status, g0),
        lanes(c.flags, g0),
        lanes(c.politics, g0),
    );
    let (ids, skill) = (lanes(c.id, g0), lanes(c.skill, g0));
    let (leg, dis, fear) = (
        lanes(c.legitimacy, g0),
        lanes(c.dissent, g0),
        lanes(c.fear, g0),
    );
    let mut hit = [false; G];
    for l in 0..G {
        let seen = Seen {
            p: po[l] as u8,
            f: fl[l],
            skill: skill[l],
            l: leg[l],
            d: dis[l],
            fear: fear[l],
        };
        let odds = party_odds(x, seen, at(l));
        let t = party_thresholds(odds);
        let u = party_draw(x, ids[l]);
        hit[l] = (st[l] as u8 == Status::Employed as u8) & (u < t[OUTCOMES - 1]);
    }
    let mut bits = 0u32;
    for (l, h) in hit.iter().enumerate() {
        bits |= u32::from(*h) << l;
    }
    bits
}
