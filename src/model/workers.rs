//! The workers' weekly decision, phase 3 of the step (ODD 7.3–7.8): consumption, hardship,
//! the social contract's expectations, legitimacy, fear, grievance, private and public stance
//! (Kuran), the strike need each worker brings to the workplace's cascade (Granovetter, Epstein),
//! effort, migration, and custody, exile and blacklist timers. In parallel over fixed chunks;
//! each worker writes only its own slot and is counted as it goes.

use crate::model::counts::{Agent, Agg, CHUNK, RecordCtx, fold_mut};
use crate::model::economy::{SKILL_PAY, special_ration};
use crate::model::mechanisms as mech;
use crate::model::rng::{self, Stream};
use crate::model::world::{Economy, Politics, SizeClass, Status, WorkersMut, World, flag};
use crate::scenario::params::{MechanismCfg, PaySystem, PolicyCfg, UnionFunding};

/// Read-only inputs of the worker phase.
pub(crate) struct Ctx<'a> {
    pub(crate) m: &'a MechanismCfg,
    /// The mechanism parameters the worker phase reads, converted once.
    pub(crate) k: MechF32,
    pub(crate) pol: &'a PolicyCfg,
    pub(crate) e: &'a Economy,
    /// What each workplace shows its workers this week.
    pub(crate) wp: &'a [WpCtx],
    pub(crate) piece_rates: bool,
    pub(crate) seed: u64,
    pub(crate) week: u64,
    /// Relative deprivation of the unemployed's ration.
    pub(crate) unemployed_deprivation: f32,
    /// What the unemployed get in money; the share of money demand the market meets.
    pub(crate) dole: f32,
    pub(crate) market_fill: f32,
    pub(crate) subsistence: f32,
    pub(crate) village_pull: f32,
    pub(crate) city_pull: f32,
    /// The week's rates of the legitimacy and fear updates, the same for every worker.
    pub(crate) legitimacy: mech::LegitimacyRates,
    pub(crate) fear: FearRates,
}

/// Mechanism parameters in single precision (the worker state's precision), converted once a
/// step rather than once per worker.
pub(crate) struct MechF32 {
    pub(crate) cell_rate: f32,
    pub(crate) contract_rate: f32,
    pub(crate) deprivation_weight: f32,
    pub(crate) effort_base: f32,
    pub(crate) effort_fear: f32,
    pub(crate) effort_legitimacy: f32,
    pub(crate) effort_piece: f32,
    pub(crate) epstein_threshold: f32,
    pub(crate) exile_share: f32,
    pub(crate) exile_weeks: f32,
    pub(crate) expectation_rate: f32,
    pub(crate) expressive_cost: f32,
    pub(crate) fear_city: f32,
    pub(crate) fear_decay: f32,
    pub(crate) fear_witness: f32,
    pub(crate) information_rate: f32,
    pub(crate) legitimacy_anchor_rate: f32,
    pub(crate) migrate_leave: f32,
    pub(crate) migrate_return: f32,
    pub(crate) outrage_rate: f32,
    pub(crate) privilege_rate: f32,
    pub(crate) strike_grievance_weight: f32,
}

impl MechF32 {
    pub(crate) fn new(m: &MechanismCfg) -> MechF32 {
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
pub(crate) struct WpCtx {
    /// Ration of an employed worker (category; special rations for defence work).
    pub(crate) ration: f32,
    /// Relative deprivation of that ration against the best one, with visible privilege.
    pub(crate) deprivation: f32,
    /// Money wage per unit of skill pay and effort: 0 while wages are in arrears.
    pub(crate) pay: f32,
    /// Mean effort last week (what a time wage pays for).
    pub(crate) mean_effort: f32,
    /// Cell strength.
    pub(crate) cell: f32,
    /// Arrests last week as a share of the workforce.
    pub(crate) arrested: f32,
    /// Change of legitimacy from the soviet executive: shut out, included, or neither.
    pub(crate) inclusion: f32,
    /// Epstein's arrest probability for a worker who was quiet / who spoke out last week.
    pub(crate) risk_quiet: f32,
    pub(crate) risk_public: f32,
    /// Share of coworkers speaking out last week.
    pub(crate) peer_public: f32,
    /// The sector union's strike signal while its assembly sits.
    pub(crate) union_signal: f32,
    /// Demobilisation after a settled or broken strike, added to every worker's need.
    pub(crate) demobilisation: f32,
    /// Last week's strike share.
    pub(crate) prev: f32,
    pub(crate) sector: u8,
    /// An office (the party counts its members there apart).
    pub(crate) office: bool,
}

/// How the worker phase runs: all give the same results (tested).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Path {
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
pub(crate) fn workers(world: &mut World, m: &MechanismCfg, prev: &[f32], path: Path) -> Agg {
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
    let k = MechF32::new(m);
    let fear = FearRates {
        keep: 1.0 - k.fear_decay,
        witness: k.fear_witness,
        city: k.fear_city * world.city.arrest_rate,
        exemplary: 0.3 * world.party.exemplary,
    };
    let legitimacy = mech::LegitimacyRates {
        contract: k.contract_rate,
        cell: k.cell_rate,
        privilege: k.privilege_rate * world.city.visible_privilege,
        outrage: k.outrage_rate,
        exemplary: 0.1 * world.party.exemplary,
        information: k.information_rate * world.city.public_surprise,
        anchor: k.legitimacy_anchor_rate,
    };
    let ctx = Ctx {
        m,
        k,
        pol: &world.policy,
        e,
        wp: &wp,
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
        legitimacy,
        fear,
    };
    let nw = world.wps.len();
    let min_share = m.strike_min_share as f32;
    let voluntary = world.policy.union_funding == UnionFunding::Dues;
    let r = RecordCtx::new(&world.wps.class, m, world.week, &world.policy);
    let k = crate::model::kernel::Consts::new(&ctx, min_share, voluntary);
    fold_mut(world.workers.chunks_mut(CHUNK), nw, |a, mut c| match path {
        Path::Fastest => crate::model::kernel::chunk(&mut c, &ctx, &k, &r, a),
        #[cfg(test)]
        Path::Reference => reference_chunk(&mut c, &ctx, &r, min_share, voluntary, a),
        #[cfg(test)]
        Path::Portable => crate::model::kernel::chunk_portable(&mut c, &ctx, &k, &r, a),
    })
}

/// The worker phase of one chunk, worker by worker: [`reference_one`] for each. The reference
/// the vectorised [`kernel`] is tested against.
pub(crate) fn reference_chunk(
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
pub(crate) fn reference_one(
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
pub(crate) fn decide(c: &mut WorkersMut, j: usize, x: &Ctx, a: &mut Agg) {
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
            c.legitimacy[j] = official_loyalty(c.legitimacy[j]);
            c.flags[j] &= !(flag::PUBLIC | flag::STRIKING);
            return;
        }
        Status::Village => {
            c.consumption[j] = x.village_pull * x.subsistence;
            let p = return_chance(x.k.migrate_return, c.ties[j], x.city_pull);
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
    let money = money(
        employed,
        x.piece_rates,
        c.effort[j],
        p.mean_effort,
        p.pay,
        SKILL_PAY[c.skill[j] as usize],
        x.dole,
    );
    let cons = ration + money * x.market_fill;
    c.consumption[j] = cons;
    // Hardship: absolute want and relative deprivation (of the worker's ration category).
    if x.week == 0 {
        // Expectations start at what the first week delivers.
        c.expectation[j] = cons;
    }
    let hard = mech::hardship(cons, c.expectation[j], dep, x.k.deprivation_weight);
    c.hardship[j] = hard;
    // Legitimacy: the social contract, fairness, inclusion, cells, repression, information.
    let pol = c.politics[j];
    let l = mech::legitimacy_week(
        c.legitimacy[j],
        cons,
        c.expectation[j],
        pol.anchor(),
        p.cell,
        p.arrested,
        p.inclusion,
        &x.legitimacy,
    );
    c.expectation[j] += x.k.expectation_rate * (cons - c.expectation[j]);
    c.legitimacy[j] = l;
    // Fear: deterrence from arrests witnessed at work and in the city.
    let f = fear_week(c.fear[j], p.arrested, &x.fear);
    c.fear[j] = f;
    // Grievance and private stance.
    let d = dissent(hard, l, pol.conviction());
    c.dissent[j] = d;
    // Epstein's net risk at this workplace; Kuran's expression rule.
    // Epstein's P for this worker: the workplace's value with the worker counted once among
    // the active (precomputed per workplace for a worker who was, or was not, speaking out).
    let risk = if was_public {
        p.risk_public
    } else {
        p.risk_quiet
    };
    let net = net_risk(c.risk[j], f, risk);
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
    c.need[j] = strike_need(
        employed,
        c.threshold[j],
        d,
        net,
        x.k.epstein_threshold,
        x.k.strike_grievance_weight,
        p.union_signal,
        p.demobilisation,
    );
    let mut fl = c.flags[j] & !(flag::PUBLIC | flag::STRIKING);
    if public {
        fl |= flag::PUBLIC;
    }
    c.flags[j] = fl;
    // Effort and discipline.
    let hunger = hunger(cons, x.subsistence);
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
    let p_leave = leave_chance(
        x.k.migrate_leave,
        c.ties[j],
        hunger,
        employed,
        x.village_pull,
        x.pol.labour_mobilisation,
        pol == Politics::Party,
    );
    if rng::chance(x.seed, Stream::Migrate, id, x.week, p_leave) {
        c.status[j] = Status::Village;
        c.flags[j] &= !(flag::PUBLIC | flag::STRIKING);
        c.effort[j] = 0.0;
    }
}

// The worker's rules, each written once: the worker-by-worker step (`decide`) and the vector
// kernel (`model/kernel.rs`) both call these, so the two can only differ in how they loop.

/// The week's rates of the fear update, the same for every worker (ODD 7.5).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FearRates {
    /// `1 − fear_decay`.
    pub(crate) keep: f32,
    pub(crate) witness: f32,
    /// `fear_city · the city's arrest rate`.
    pub(crate) city: f32,
    /// `0.3 · exemplary repression` this week.
    pub(crate) exemplary: f32,
}

/// Fear after the week (ODD 7.5): what is left of last week's, plus deterrence by the share of
/// coworkers arrested (`arrested`), by arrests in the city and by exemplary violence; in [0, 1].
#[inline(always)]
pub(crate) fn fear_week(f: f32, arrested: f32, r: &FearRates) -> f32 {
    (f * r.keep + r.witness * arrested + r.city + r.exemplary).clamp(0.0, 1.0)
}

/// Hunger: the shortfall of consumption below subsistence, as a share of it, in [0, 1].
#[inline(always)]
pub(crate) fn hunger(consumption: f32, subsistence: f32) -> f32 {
    ((subsistence - consumption) / subsistence).clamp(0.0, 1.0)
}

/// The chance that a city worker leaves for the village this week (ODD 7.10): hunger (and
/// unemployment) push, village ties and the village's pull; halved under labour mobilisation
/// for the employed, a fifth for party members.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn leave_chance(
    rate: f32,
    ties: f32,
    hunger: f32,
    employed: bool,
    village_pull: f32,
    mobilised: bool,
    party: bool,
) -> f32 {
    let push = hunger + if employed { 0.0 } else { 0.5 };
    let mut p = rate * ties * push * village_pull;
    if mobilised && employed {
        p *= 0.5;
    }
    if party {
        p *= 0.2;
    }
    p
}

/// The chance that a worker in the village returns to the city this week (ODD 7.10): weaker
/// ties to the village, and the city's pull (vacancies, the real wage against village food).
#[inline(always)]
pub(crate) fn return_chance(rate: f32, ties: f32, city_pull: f32) -> f32 {
    rate * (1.0 - 0.5 * ties) * city_pull
}

/// An official's legitimacy after the week: their loyalty is their post.
#[inline(always)]
pub(crate) fn official_loyalty(l: f32) -> f32 {
    l + 0.02 * (0.9 - l)
}

/// What a worker's pay is worth in money this week (ODD 7.2): the employed are paid the
/// workplace's rate by skill for their own effort (piece rates) or the workplace's mean effort;
/// the unemployed get the dole.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn money(
    employed: bool,
    piece_rates: bool,
    effort: f32,
    mean_effort: f32,
    pay: f32,
    skill_pay: f32,
    dole: f32,
) -> f32 {
    let own = if piece_rates {
        1.1 * effort
    } else {
        mean_effort
    };
    if employed {
        pay * skill_pay * own
    } else {
        dole
    }
}

/// Private dissent (ODD 7.6): grievance (Epstein) plus the worker's political conviction, in
/// [0, 1].
#[inline(always)]
pub(crate) fn dissent(hardship: f32, legitimacy: f32, conviction: f32) -> f32 {
    (mech::grievance(hardship, legitimacy) + conviction).clamp(0.0, 1.0)
}

/// Epstein's net risk N = R·P (ODD 7.7): risk aversion raised by fear (at most 1), times the
/// workplace's estimated arrest probability for this worker.
#[inline(always)]
pub(crate) fn net_risk(risk_aversion: f32, fear: f32, arrest_probability: f32) -> f32 {
    (risk_aversion * (1.0 + fear)).min(1.0) * arrest_probability
}

/// The share of coworkers an employed worker needs to see striking before joining (ODD 7.8,
/// Granovetter), plus the workplace's demobilisation; never, for the unemployed.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn strike_need(
    employed: bool,
    theta: f32,
    dissent: f32,
    net: f32,
    threshold: f32,
    weight: f32,
    union_signal: f32,
    demobilisation: f32,
) -> f32 {
    if employed {
        mech::strike_need(theta, dissent - net - threshold, weight, union_signal) + demobilisation
    } else {
        f32::INFINITY
    }
}
