//! The city's economy, phase 2 of the step: food reaching the city (harvest, transport,
//! procurement), rations by category, the market, wages and the wage fund, capacity and jobs.

use crate::model::mechanisms as mech;
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
/// Pay differentials by skill.
pub(crate) const SKILL_PAY: [f32; 3] = [0.8, 1.0, 1.3];

/// Phase 2: the city's economy this week.
pub(crate) fn economy(world: &mut World, res: &Resolved) {
    let exo = &world.exo;
    let pol = &world.policy;
    let date = res.clock.date(world.week);
    let h = exo.harvest_at(date.year, date.month);
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
