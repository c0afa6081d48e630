//! Phase 3 of the step, the worker phase: the week's constants and each workplace's context,
//! then every worker's decision ([`decide`]) and count toward this week's view, in parallel over
//! fixed chunks, block by block and group by group ([`crate::model::lanes`]), in code compiled
//! for the CPU's vector extensions (the same bits on every CPU). Each worker writes only its own
//! slot.

use crate::model::counts::{Agg, CHUNK, RecordCtx, fold_mut};
use crate::model::economy::{DOLE, special_ration};
use crate::model::lane_counts::{Counting, count_one};
use crate::model::lanes::{self, G, Isa, Kind, Path, held, kind, lanes, opaque};
use crate::model::mechanisms as mech;
use crate::model::registry::Mechanism::*;
use crate::model::rng::{self, Stream};
use crate::model::workers::{Consts, FearRates, Gathered, Uniform, WpCtx, custody, decide_at};
use crate::model::world::{OFFICE_SECTOR, SECTORS, SizeClass, WorkersMut, World};
use crate::scenario::params::{MechanismCfg, PaySystem, UnionFunding};

/// Workers per block: a block's columns (about 14 KB) stay in the L1 cache between the passes
/// over the block (decisions, custody, counts). 256 measured faster than 64 or 1,024.
pub(crate) const B: usize = 256;

/// Phase 3: every worker decides, in parallel over fixed chunks, and is counted toward this
/// week's view (before the strike cascades). `prev`: each workplace's strike share last week.
pub(crate) fn workers(world: &mut World, m: &MechanismCfg, prev: &[f32], path: Path) -> Agg {
    let wp = contexts(world, m, prev);
    let k = consts(world, m);
    let r = RecordCtx::new(&world.wps.class, m, world.week, &world.policy);
    let isa = Isa::of(path);
    fold_mut(world.workers.chunks_mut(CHUNK), wp.len(), |a, mut c| {
        chunk(isa, &mut c, &wp, &k, &r, a)
    })
}

/// What each workplace shows its workers this week.
pub(crate) fn contexts(world: &World, m: &MechanismCfg, prev: &[f32]) -> Vec<WpCtx> {
    let (e, wps, view) = (&world.economy, &world.wps, &world.view);
    let union_signal = union_signals(world, m);
    let sw = world.switches;
    let special = special_ration(&world.policy);
    let inclusion = sw.gate(Inclusion, m.inclusion_rate as f32);
    let best_ration = e.ration[0] * special;
    (0..wps.len())
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
                cell: sw.gate(Cells, view.cell_strength[k]),
                arrested: view.arrested_share[k],
                inclusion: if wps.excluded[k] {
                    -inclusion
                } else if world.city.inclusive {
                    inclusion
                } else {
                    0.0
                },
                risk_quiet: sw.gate(ArrestRisk, view.risk_quiet[k]),
                risk_public: sw.gate(ArrestRisk, view.risk_public[k]),
                peer_public: view.public[k] as f32 / n_emp,
                union_signal: union_signal[wps.sector[k] as usize],
                need_shift: need_shift(world, m, k, ration / best_ration.max(1e-6)),
                prev: prev[k],
                sector: wps.sector[k],
                office: wps.class[k] == SizeClass::Office,
            }
        })
        .collect()
}

/// Each sector's union signal this week (ODD 7.8): what its union's meetings carry of its
/// strikes to its other workplaces, `union_spread` × the sector's strike share last week; 0 with
/// `union_assembly` off, and in the offices (no union meets there).
pub(crate) fn union_signals(world: &World, m: &MechanismCfg) -> [f32; SECTORS.len()] {
    let mut signal = [0.0f32; SECTORS.len()];
    for (s, u) in world.unions.iter().enumerate() {
        if s != OFFICE_SECTOR as usize {
            signal[s] = world
                .switches
                .gate(UnionAssembly, m.union_spread as f32 * u.strike_share);
        }
    }
    signal
}

/// What workplace `k` adds to every worker's strike need (ODD 7.8): demobilisation after a
/// strike ended, the fatigue of a long one, less its concrete shared demand (all of it while
/// wages are in arrears, else the gap of its ration to the best, `ration_to_best` below 1).
fn need_shift(world: &World, m: &MechanismCfg, k: usize, ration_to_best: f32) -> f32 {
    let (sw, wps) = (world.switches, &world.wps);
    let demand = if wps.arrears[k] > 0 {
        1.0
    } else {
        (1.0 - ration_to_best).max(0.0)
    };
    sw.gate(Demobilisation, m.demobilisation as f32 * wps.cooldown[k])
        + sw.gate(
            StrikeCost,
            m.strike_fatigue as f32 * f32::from(wps.strike_weeks[k]),
        )
        - sw.gate(SharedDemand, m.shared_demand as f32) * demand
}

/// The week's constants of the worker phase.
pub(crate) fn consts(world: &World, m: &MechanismCfg) -> Consts {
    let (e, pol) = (&world.economy, &world.policy);
    let jobs: f64 = world.wps.jobs.iter().map(|&j| j as f64).sum();
    let employed: f64 = world.view.employed.iter().map(|&j| j as f64).sum();
    let vacancy = ((jobs - employed) / jobs.max(1.0)).max(0.0) as f32;
    let real_wage = e.ration[1] + (e.wage_rate * e.market_fill * e.mean_effort) as f32;
    let village_food = (world.exo.village_food * world.harvest_now) as f32;
    let subsistence = world.exo.subsistence as f32;
    let village_pull = (village_food / subsistence).clamp(0.2, 2.0);
    let best_ration = e.ration[0] * special_ration(pol);
    let f = |x: f64| x as f32;
    let sw = world.switches;
    let piece_rates = pol.pay_system == PaySystem::PieceRates;
    Consts {
        seed: world.seed,
        week: world.week as u64,
        key_migrate: rng::key(world.seed, Stream::Migrate),
        key_return: rng::key(world.seed, Stream::Return),
        week_term: rng::week_term(world.week as u64),
        week0: world.week == 0,
        min_share: f(m.strike_min_share),
        voluntary: pol.union_funding == UnionFunding::Dues,
        unemployed_ration: e.ration[3],
        unemployed_dep: mech::deprivation(e.ration[3], best_ration, world.city.visible_privilege),
        cons_village: village_pull * subsistence,
        cons_admin: e.ration[2] * pol.privilege as f32,
        legitimacy: mech::LegitimacyRates {
            contract: sw.gate(SocialContract, f(m.contract_rate)),
            cell: f(m.cell_rate),
            privilege: f(m.privilege_rate) * world.city.visible_privilege,
            outrage: sw.gate(Outrage, f(m.outrage_rate)),
            exemplary: sw.gate(Outrage, 0.1 * world.party.exemplary),
            information: sw.gate(Information, f(m.information_rate)) * world.city.public_surprise,
            anchor: f(m.legitimacy_anchor_rate),
        },
        fear: FearRates {
            keep: sw.gate(Deterrence, 1.0 - f(m.fear_decay)),
            witness: sw.gate(Deterrence, f(m.fear_witness)),
            city: sw.gate(Deterrence, f(m.fear_city) * world.city.arrest_rate),
            exemplary: sw.gate(Deterrence, 0.3 * world.party.exemplary),
        },
        piece: if piece_rates { f(m.effort_piece) } else { 0.0 },
        piece_rates,
        mobilised: pol.labour_mobilisation,
        dole: (DOLE * e.wage_rate) as f32,
        market_fill: e.market_fill as f32,
        dep_weight: sw.gate(RelativeDeprivation, f(m.deprivation_weight)),
        expectation_rate: f(m.expectation_rate),
        threshold: f(m.epstein_threshold),
        expressive_cost: sw.gate(ExpressivePressure, f(m.expressive_cost)),
        strike_weight: f(m.strike_grievance_weight),
        subsistence,
        effort_base: f(m.effort_base),
        effort_legitimacy: sw.gate(EffortMotivation, f(m.effort_legitimacy)),
        effort_fear: sw.gate(EffortMotivation, f(m.effort_fear)),
        migrate_leave: sw.gate(Migration, f(m.migrate_leave)),
        village_pull,
        migrate_return: sw.gate(Migration, f(m.migrate_return)),
        city_pull: ((vacancy * 5.0).min(1.0)
            * ((real_wage - village_food) / 0.3 + 0.5).clamp(0.0, 1.0))
        .max(0.0),
        strike_cost: sw.gate(StrikeCost, f(m.strike_cost)),
        unpaid_strikes: sw.on(StrikeCost),
        reserves_rate: if sw.on(Reserves) {
            f(m.reserves_rate)
        } else {
            1.0
        },
        exile_share: f(m.exile_share),
        exile_weeks: f(m.exile_weeks),
        blacklist_weeks: m.blacklist_weeks as u16,
    }
}

lanes::dispatch! {
    /// Decides and counts one chunk of workers, in code compiled for `isa`.
    fn chunk(
        c: &mut WorkersMut,
        ctx: &[WpCtx],
        k: &Consts,
        r: &RecordCtx,
        a: &mut Agg
    ) -> () = chunk_body
}

/// Decides and counts one chunk, block by block (decisions, then custody, then counts), each
/// block group by group, a group's workers reading one workplace's context or gathering their
/// own by its [`Kind`]. The chunk's last workers that do not fill a group (at the very end of
/// the agents only) decide as a group of fewer lanes and are counted one by one
/// ([`count_one`]).
#[inline(always)]
fn chunk_body<const AVX512: bool>(
    c: &mut WorkersMut,
    ctx: &[WpCtx],
    k: &Consts,
    r: &RecordCtx,
    a: &mut Agg,
) {
    c.assert_columns();
    let n = c.len();
    let whole = n - n % G;
    let mut counting = Counting::default();
    let mut b0 = 0;
    while b0 < whole {
        let end = (b0 + B).min(whole);
        // Decisions.
        for g0 in (b0..end).step_by(G) {
            let kd = kind::<AVX512>(lanes(c.status, g0), lanes(c.wp, g0));
            a.groups += 1;
            a.mixed += i64::from(kd == Kind::Mixed);
            decide_group(c, g0, kd, k, ctx);
        }
        // Custody and exile (rare; their lanes were left as they were above).
        for g0 in (b0..end).step_by(G) {
            if held(lanes(c.status, g0)) {
                for j in g0..g0 + G {
                    custody(c, j, k, a);
                }
            }
        }
        counting.block::<AVX512>(c, b0..end, ctx, k, r, a);
        b0 = end;
    }
    counting.finish(ctx, a);
    if whole < n {
        let wp: Vec<u32> = c.wp[whole..n].to_vec();
        decide_at(k, Gathered { ctx, wp: &wp }, c, whole, n - whole);
        for j in whole..n {
            custody(c, j, k, a);
            count_one(c, j, k, r, ctx, a);
        }
    }
}

/// One group decides: a workplace's context read once, or gathered lane by lane. A group
/// without city workers reads a blank context, which only city workers would use.
#[inline(always)]
fn decide_group(c: &mut WorkersMut, g0: usize, kd: Kind, k: &Consts, ctx: &[WpCtx]) {
    match kd {
        Kind::Quiet => decide_at(k, Uniform(WpCtx::default()), c, g0, G),
        Kind::Uniform(w) => decide_at(k, Uniform(ctx[w as usize]), c, g0, G),
        Kind::Mixed => {
            // The workplace ids are read before any column is borrowed mutably.
            let wp = *lanes(c.wp, g0);
            let n = opaque(G);
            decide_at(k, Gathered { ctx, wp: &wp[..n] }, c, g0, n);
        }
    }
}
