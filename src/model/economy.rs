//! The city's economy, phase 2 of the step: food reaching the city (harvest, transport,
//! procurement), rations by category, the market, wages and the wage fund, capacity and jobs.

use crate::model::mechanisms as mech;
use crate::model::registry::Mechanism;
use crate::model::world::World;
use crate::scenario::Resolved;
use crate::scenario::params::{PaySystem, PolicyCfg, Regime};

/// Base ration weights by category (heavy/defence, ordinary factory, office) and for the unemployed.
pub(crate) const RATION_WEIGHTS: [f32; 4] = [1.4, 1.0, 1.1, 0.5];
/// Extra on the ration of defence workplaces while special rations are in force.
pub(crate) const SPECIAL_RATION: f32 = 1.3;

/// The factor on a defence workplace's ration under the policy in force.
pub(crate) fn special_ration(pol: &PolicyCfg) -> f32 {
    if pol.special_rations {
        SPECIAL_RATION
    } else {
        1.0
    }
}
/// The dole, as a share of the wage of a unit of effort.
pub(crate) const DOLE: f64 = 0.1;
/// Pay differentials by skill.
pub(crate) const SKILL_PAY: [f32; 3] = [0.8, 1.0, 1.3];

/// Phase 2: the city's economy this week (ODD 7.2). Supplies, output and jobs are measured
/// against the 1913 workforce ([`World::workforce_1913`]): 1 is what fed, employed and was
/// produced by the 1913 city.
pub(crate) fn economy(world: &mut World, res: &Resolved) {
    let sw = world.switches;
    let exo = &world.exo;
    let pol = &world.policy;
    let date = res.clock.date(world.week);
    let h = exo.harvest_at(date.year, date.month);
    world.harvest_now = h;
    let n_ref = world.workforce_1913;
    let e = &mut world.economy;
    let nep = pol.regime == Regime::Nep;
    // The peasants' incentive to sell: under requisitioning what they grow above their needs
    // is taken; under the tax in kind they sell for the goods industry makes (terms of trade).
    let target = if !nep {
        exo.incentive_requisition
    } else if sw.on(Mechanism::TermsOfTrade) {
        mech::terms_of_trade(e.output_index, exo.incentive_goods)
    } else {
        1.0
    };
    e.incentive += exo.incentive_rate * (target - e.incentive);
    let procured = if nep {
        h * exo.procurement_tax
    } else {
        h * exo.procurement_requisition * (0.6 + 0.4 * e.incentive)
    };
    let employed = world
        .view
        .employed
        .iter()
        .map(|&x| x as f64)
        .sum::<f64>()
        .max(1.0);
    let state_food = exo.ration_scale * procured * exo.transport * n_ref;
    e.ration_pool = state_food * (1.0 - pol.corruption) * pol.ration_share / employed;
    let market_food =
        exo.market_scale * n_ref * h * e.incentive * pol.markets * (exo.transport + 0.3).min(1.0);
    e.market_food = market_food / employed;
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
    // The wage fund: what a unit of effort produces, paid in money (only a small part of it
    // while the wage is paid in rations).
    e.wage_rate = exo.wage_scale
        * productivity(e.capacity, exo.fuel)
        * if pol.pay_system == PaySystem::Rations {
            exo.wc_money_value
        } else {
            1.0
        };
    // The food market: money buys what the peasants bring at the price that clears it, never
    // below the 1913 price (last week's money demand against this week's supply).
    e.market_fill = if sw.on(Mechanism::FoodMarket) {
        mech::market_fill(market_food, e.money_demand)
    } else {
        1.0
    };
    // Capacity is rebuilt out of effort and wears out.
    if sw.on(Mechanism::Recovery) {
        let inv = if nep {
            exo.investment_tax
        } else {
            exo.investment_requisition
        };
        e.capacity += inv * e.mean_effort * (1.0 - e.capacity) - exo.depreciation * e.capacity;
        e.capacity = e.capacity.clamp(0.01, 1.5);
    }
    // Jobs: held under labour mobilisation; otherwise what the capacity can employ of each
    // workplace's share of the 1913 workforce.
    let per_job = n_ref
        / world
            .wps
            .base_jobs
            .iter()
            .map(|&j| j as f64)
            .sum::<f64>()
            .max(1.0);
    let factor = if pol.labour_mobilisation {
        1.0
    } else {
        per_job * e.capacity
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

/// Output per unit of effort (1913 = 1): capacity, limited by fuel.
pub(crate) fn productivity(capacity: f64, fuel: f64) -> f64 {
    capacity * (0.5 + 0.5 * fuel.min(1.0))
}
