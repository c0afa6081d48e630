//! The published mechanisms, each a small pure function of its inputs and parameters.
//!
//! Every function here is tested against its formula on hand-computed cases. Sources:
//! Epstein (2002) civil violence; Granovetter (1978) thresholds; Kuran (1989, 1995) preference
//! falsification; Kim & Hanneman (2011) relative deprivation; Lohmann (1994) informational
//! cascades. The equations are written out in docs/ODD.md (section 7, Submodels).

/// Hardship H = (1 − λ)·(W + S)/2 + λ·D: absolute want W = clamp(1 − c, 0, 1) (consumption `c`
/// against the 1913 standard of 1), the shortfall against expectation S = clamp((e − c)/e, 0, 1)
/// (a cut hurts more than a steady low level), and relative deprivation `d` (ration gaps,
/// visible privilege) with weight λ.
#[inline]
pub fn hardship(consumption: f32, expectation: f32, deprivation: f32, lambda: f32) -> f32 {
    let want = (1.0 - consumption).clamp(0.0, 1.0);
    let shortfall = ((expectation - consumption) / expectation.max(0.01)).clamp(0.0, 1.0);
    ((1.0 - lambda) * 0.5 * (want + shortfall) + lambda * deprivation.clamp(0.0, 1.0))
        .clamp(0.0, 1.0)
}

/// Relative deprivation D = clamp(visible privilege + ration gap, 0, 1), where the ration gap is
/// `1 − own / best` (Kim & Hanneman 2011: grievance from the gap to better-off groups).
#[inline]
pub fn deprivation(own_ration: f32, best_ration: f32, visible_privilege: f32) -> f32 {
    let gap = if best_ration > 0.0 {
        (1.0 - own_ration / best_ration).max(0.0)
    } else {
        0.0
    };
    (visible_privilege + gap).clamp(0.0, 1.0)
}

/// Visible privilege V = visibility·(ρ − 1)/(ρ + 1) for officials' consumption ratio ρ ≥ 1.
#[inline]
pub fn visible_privilege(ratio: f32, visibility: f32) -> f32 {
    visibility * (ratio - 1.0).max(0.0) / (ratio + 1.0)
}

/// The career membership opens to a worker, C = V·(1 − (1 − π)⁵²): the visible privilege `V` of
/// the officials a member may become, times the chance of promotion into administration within
/// a year at the workplace's weekly rate `π` (the pump; 0 in an office). A worker sees the
/// career only as far as the officials' privilege is visible.
#[inline]
pub fn career_pull(visible_privilege: f32, promote: f32) -> f32 {
    // libm's powf: the same bits on every platform.
    visible_privilege * (1.0 - libm::powf((1.0 - promote).clamp(0.0, 1.0), 52.0))
}

/// The uptake of the party's offer of membership, U = 1 − (1 − L)(1 − F)(1 − C): the worker
/// takes the card if any of three reasons moves it, each on its own: loyalty (legitimacy `L`),
/// fear (`F`: a card as protection from the Cheka) and the career (`C`, [`career_pull`]).
/// Every term is a share in [0, 1], so U is one too, and U = L where neither fear nor the
/// career moves anyone.
#[inline]
pub fn party_uptake(legitimacy: f32, fear: f32, career: f32) -> f32 {
    1.0 - (1.0 - legitimacy.clamp(0.0, 1.0))
        * (1.0 - fear.clamp(0.0, 1.0))
        * (1.0 - career.clamp(0.0, 1.0))
}

/// Epstein's grievance G = H·(1 − L).
#[inline]
pub fn grievance(hardship: f32, legitimacy: f32) -> f32 {
    hardship * (1.0 - legitimacy)
}

/// Epstein's estimated arrest probability P = 1 − exp(−k·C/A), counted in persons: C watchers
/// and A the active, the worker deciding counted among them as one person. `cops` and
/// `active_others` are in agents, each standing for `weight` persons, so that P does not
/// depend on how many agents stand for the city (at one person an agent, as at the default
/// scale, A = `active_others + 1`).
#[inline]
pub fn arrest_probability(k: f32, cops: f32, active_others: u32, weight: f32) -> f32 {
    // libm's expf: a pure-Rust port of musl's, the same bits on every platform.
    1.0 - libm::expf(-k * (cops * weight) / (active_others as f32 * weight + 1.0))
}

/// The social contract: the weekly change in legitimacy from delivered living standards `c`
/// against expectation `e`: rate·s/(1 + |s|) with s = 3(c − e)/max(e, 0.05), a saturating
/// response (arithmetic only, so it is bit-reproducible on every platform).
#[inline]
pub fn contract_effect(consumption: f32, expectation: f32, rate: f32) -> f32 {
    let s = 3.0 * (consumption - expectation) / expectation.max(0.05);
    rate * s / (1.0 + s.abs())
}

/// The week's rates of the legitimacy update ([`legitimacy_week`]), the same for every worker:
/// the social contract's rate, cell persuasion, erosion by visible privilege, outrage at
/// arrests witnessed, erosion by exemplary violence and by what public protest reveals, and
/// the pull back to the worker's political anchor.
#[derive(Clone, Copy, Debug, Default)]
pub struct LegitimacyRates {
    pub contract: f32,
    pub cell: f32,
    /// `privilege_rate · visible privilege`.
    pub privilege: f32,
    pub outrage: f32,
    /// `0.1 · exemplary repression` this week.
    pub exemplary: f32,
    /// `information_rate · public surprise` (Lohmann).
    pub information: f32,
    pub anchor: f32,
}

/// One worker's legitimacy after the week (ODD 7.4), clamped to [0, 1]: the social contract
/// (consumption `c` against expectation `e`), the workplace's cell (`cell`), privilege,
/// outrage at the share of coworkers arrested (`arrested`), exemplary violence, information,
/// inclusion in the soviet (`inclusion`) and the pull to the worker's `anchor`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn legitimacy_week(
    l: f32,
    c: f32,
    e: f32,
    anchor: f32,
    cell: f32,
    arrested: f32,
    inclusion: f32,
    r: &LegitimacyRates,
) -> f32 {
    let mut l = l + contract_effect(c, e, r.contract);
    l += r.cell * cell * (1.0 - l);
    l -= r.privilege * l;
    l -= r.outrage * arrested;
    l -= r.exemplary * l;
    l -= r.information * l;
    l += inclusion;
    l += r.anchor * (anchor - l);
    l.clamp(0.0, 1.0)
}

/// Kuran/Epstein: a worker expresses dissent publicly when private dissent, plus the expressive
/// cost of hiding it (which grows with the share of peers already speaking out), minus the net
/// risk N = R·P exceeds the threshold T.
#[inline]
pub fn expresses(
    dissent: f32,
    net_risk: f32,
    threshold: f32,
    expressive_cost: f32,
    peer_public: f32,
) -> bool {
    dissent + expressive_cost * peer_public * dissent - net_risk > threshold
}

/// Granovetter: the share of coworkers a worker needs to see striking before joining: its
/// personal threshold θ, lowered by the pull of its own net grievance (`weight·(dissent − N − T)`)
/// and by a sitting union assembly's signal. A need ≤ 0 makes the worker an initiator.
#[inline]
pub fn strike_need(theta: f32, own_net: f32, weight: f32, union_signal: f32) -> f32 {
    theta - weight * own_net - union_signal
}

/// Granovetter (1978): the equilibrium of a threshold cascade. `sorted_needs` are the workers'
/// needs in ascending order; F(r) is the share whose need is ≤ r. Starting from `start` (last
/// week's strike share if it still sustains itself, else 0) the cascade r ← F(r) runs until it
/// stops growing. Returns the share on strike (those with need ≤ the final r).
pub fn cascade(sorted_needs: &[f32], start: f32) -> f32 {
    let n = sorted_needs.len();
    if n == 0 {
        return 0.0;
    }
    let f = |r: f32| sorted_needs.partition_point(|&t| t <= r) as f32 / n as f32;
    let mut r = if start > 0.0 && f(start) >= start {
        start
    } else {
        0.0
    };
    loop {
        let next = f(r);
        if next > r {
            r = next;
        } else {
            return next;
        }
    }
}

/// Whether a cascade at a workplace of `n` workers can end at or above the minimum share `m`,
/// from counts alone: `initiators` (need ≤ 0), `sustaining` (need ≤ `prev`, last week's share)
/// and `ready` (need ≤ m). From last week's share, if it still sustains itself, the cascade ends
/// at or above it (enough if `prev` ≥ m); otherwise a cascade that ends at or above m passes from
/// a share r < m to F(r) ≥ m, and F(r) ≤ F(m), so F(m) = ready/n ≥ m is necessary. `false`
/// means [`cascade`] would return a share below m.
#[inline]
pub fn strike_possible(
    n: u32,
    initiators: u32,
    sustaining: u32,
    ready: u32,
    prev: f32,
    m: f32,
) -> bool {
    if n == 0 {
        return false;
    }
    let n = n as f32;
    let reach = ready as f32 / n >= m;
    let sustained = prev > 0.0 && sustaining as f32 / n >= prev;
    (initiators > 0 && reach) || (sustained && (prev >= m || reach))
}

/// Effort: base + a·L + b·fear + piece bonus + cell pressure, less hunger; clamped to [0.05, 1].
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn effort(
    base: f32,
    a_legit: f32,
    legitimacy: f32,
    b_fear: f32,
    fear: f32,
    piece: f32,
    cell: f32,
    hunger: f32,
) -> f32 {
    (base + a_legit * legitimacy + b_fear * fear + piece + 0.1 * cell - 0.3 * hunger)
        .clamp(0.05, 1.0)
}

/// Ration weight of a category after equalisation: w' = 1 + (1 − equality)·(w − 1).
#[inline]
pub fn ration_weight(base_weight: f32, equality: f32) -> f32 {
    1.0 + (1.0 - equality) * (base_weight - 1.0)
}

/// Share of money demand the food market meets: supply `food` against money demand `money`
/// (both in 1913 consumption units), 1 when supply covers demand at the 1913 price, else the
/// price rises to clear the market and money buys `food / money` of its 1913 worth.
#[inline]
pub fn market_fill(food: f64, money: f64) -> f64 {
    if money > food && money > 0.0 {
        food / money
    } else {
        1.0
    }
}

/// The peasants' incentive to sell under the tax in kind (terms of trade): 1 − g·(1 − min(1,
/// y)), where `y` is industry's output index (1913 = 1) and `g` the share of the incentive that
/// waits on goods to buy.
#[inline]
pub fn terms_of_trade(output_index: f64, goods_share: f64) -> f64 {
    1.0 - goods_share * (1.0 - output_index.clamp(0.0, 1.0))
}

/// What a week on strike would cost an employed worker in money (ODD 7.8): the workplace's pay
/// by skill for a week's full effort; 0 for the unemployed and while wages are in arrears (`pay`
/// 0).
#[inline(always)]
pub fn forgone_pay(employed: bool, pay: f32, skill_pay: f32) -> f32 {
    if employed { pay * skill_pay } else { 0.0 }
}

/// What a strike costs, added to the strike need (ODD 7.8): `cost` times the share of the
/// household's consumption that the forgone pay (what it buys, `forgone`) is, beside the ration
/// it keeps. Strikes cost little where the ration is the wage or wages are in arrears.
#[inline(always)]
pub fn strike_cost(cost: f32, ration: f32, forgone: f32) -> f32 {
    cost * forgone / (ration + forgone).max(0.01)
}

/// Delegates for vote counts by D'Hondt (highest averages), ties to the lower index.
pub fn dhondt(votes: &[u32], seats: u32) -> Vec<u32> {
    let mut won = vec![0u32; votes.len()];
    if votes.iter().all(|&v| v == 0) {
        return won;
    }
    for _ in 0..seats {
        let mut best = 0;
        let mut best_q = -1.0f64;
        for (i, &v) in votes.iter().enumerate() {
            let q = f64::from(v) / f64::from(won[i] + 1);
            if q > best_q {
                best_q = q;
                best = i;
            }
        }
        won[best] += 1;
    }
    won
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }

    #[test]
    fn market_fill_binds_only_when_money_exceeds_food() {
        assert_eq!(market_fill(2.0, 1.0), 1.0);
        assert_eq!(market_fill(1.0, 1.0), 1.0);
        assert_eq!(market_fill(1.0, 4.0), 0.25);
        assert_eq!(market_fill(0.0, 0.0), 1.0);
        // What money buys never exceeds the food on the market, and all of it is bought when
        // money exceeds it.
        for (f, m) in [(0.3, 0.9), (1.0, 3.0), (0.2, 0.7)] {
            assert!((market_fill(f, m) * m - f).abs() < 1e-12);
        }
    }

    #[test]
    fn strike_cost_against_formula() {
        assert_eq!(forgone_pay(true, 0.5, 1.3), 0.65);
        assert_eq!(forgone_pay(false, 0.5, 1.3), 0.0);
        // Pay is 0.3 of what the household gets beside a ration of 0.7.
        close(strike_cost(0.2, 0.7, 0.3), 0.06);
        // The ration is the wage: the strike costs nothing; wages in arrears likewise.
        assert_eq!(strike_cost(0.2, 0.5, 0.0), 0.0);
        // All of consumption is pay: the whole cost.
        close(strike_cost(0.2, 0.0, 0.8), 0.2);
        assert_eq!(strike_cost(0.2, 0.0, 0.0), 0.0);
    }

    #[test]
    fn terms_of_trade_against_formula() {
        assert_eq!(terms_of_trade(1.0, 0.5), 1.0);
        assert_eq!(terms_of_trade(2.0, 0.5), 1.0);
        assert_eq!(terms_of_trade(0.0, 0.5), 0.5);
        assert!((terms_of_trade(0.4, 0.5) - 0.7).abs() < 1e-12);
        assert_eq!(terms_of_trade(0.4, 0.0), 1.0);
    }

    #[test]
    fn strike_possible_never_misses_a_cascade_that_holds() {
        // Random workplaces (sizes 1..60, needs in −0.3..1.2, last week's share, minimum share):
        // whenever the cascade ends at or above the minimum, the count test says it can.
        let mut held = 0;
        let mut skipped = 0;
        for case in 0..20_000u64 {
            let u =
                |k: u64| crate::model::rng::uniform(42, crate::model::rng::Stream::Init, case, k);
            let n = 1 + (u(0) * 60.0) as usize;
            let mut needs: Vec<f32> = (0..n).map(|i| -0.3 + 1.5 * u(10 + i as u64)).collect();
            needs.sort_by(f32::total_cmp);
            let prev = if u(1) < 0.5 { 0.0 } else { u(2) };
            let m = 0.01 + 0.99 * u(3) * u(3);
            let count = |r: f32| needs.iter().filter(|&&t| t <= r).count() as u32;
            let possible = strike_possible(n as u32, count(0.0), count(prev), count(m), prev, m);
            if cascade(&needs, prev) >= m {
                held += 1;
                assert!(possible, "case {case}: n {n} prev {prev} m {m}");
            } else if !possible {
                skipped += 1;
            }
        }
        // Both kinds occur, so the test exercises the filter.
        assert!(
            held > 1000 && skipped > 1000,
            "{held} held, {skipped} skipped"
        );
    }

    #[test]
    fn epstein_formulas() {
        // P = 1 − exp(−2.3 · 1/1) with one cop and the agent alone active.
        close(arrest_probability(2.3, 1.0, 0, 1.0), 1.0 - (-2.3f32).exp());
        // 2 cops, 3 others active: C/A = 2/4.
        close(arrest_probability(2.3, 2.0, 3, 1.0), 1.0 - (-1.15f32).exp());
        close(arrest_probability(2.3, 0.0, 10, 1.0), 0.0);
        // In persons: agents of 10 persons, 2 cops and 3 others active: C/A = 20/31; the same
        // city of agents of 2 persons (5 times as many agents): the same P.
        close(
            arrest_probability(2.3, 2.0, 3, 10.0),
            1.0 - (-2.3f32 * 20.0 / 31.0).exp(),
        );
        close(
            arrest_probability(2.3, 10.0, 15, 2.0),
            arrest_probability(2.3, 2.0, 3, 10.0),
        );
        close(grievance(0.8, 0.25), 0.6);
        // G − N > T with N = R·P.
        assert!(expresses(0.6, 0.3 * 0.5, 0.1, 0.0, 0.0));
        assert!(!expresses(0.2, 0.9 * 0.5, 0.1, 0.0, 0.0));
        // Expressive cost: 0.2 + 0.5·0.5·0.2 − 0.1 = 0.15 > 0.1.
        assert!(expresses(0.2, 0.1, 0.1, 0.5, 0.5));
        assert!(!expresses(0.2, 0.1, 0.1, 0.0, 0.5));
    }

    #[test]
    fn hardship_and_deprivation() {
        close(hardship(0.2, 0.2, 0.0, 0.0), 0.4);
        close(hardship(1.3, 1.0, 0.0, 0.0), 0.0);
        // A ration cut from 0.2 to 0.1: want 0.9, shortfall 0.5.
        close(hardship(0.1, 0.2, 0.0, 0.0), 0.7);
        close(hardship(0.2, 0.2, 0.5, 0.3), 0.7 * 0.4 + 0.3 * 0.5);
        close(deprivation(0.5, 1.0, 0.1), 0.6);
        close(deprivation(1.0, 1.0, 0.0), 0.0);
        close(visible_privilege(3.0, 0.4), 0.4 * 2.0 / 4.0);
        close(visible_privilege(1.0, 1.0), 0.0);
    }

    #[test]
    fn party_uptake_against_its_formula() {
        // A year at 0.007 a week: 1 − 0.993^52 = 0.30601; seen through V = 0.5·3.5/5.5.
        let v = visible_privilege(4.5, 0.5);
        close(career_pull(v, 0.007), v * (1.0 - 0.993f32.powi(52)));
        close(career_pull(v, 0.007), 0.318_18 * 0.306_01);
        // No pump (an office, or promotion 0) or no privilege in sight: no career.
        close(career_pull(v, 0.0), 0.0);
        close(career_pull(0.0, 0.007), 0.0);
        // 1 − 0.2·0.9·0.9 = 0.838; loyalty alone where nothing else moves the worker.
        close(party_uptake(0.8, 0.1, 0.1), 0.838);
        close(party_uptake(0.8, 0.0, 0.0), 0.8);
        close(party_uptake(0.0, 0.0, 0.3), 0.3);
        close(party_uptake(1.0, 0.5, 0.5), 1.0);
        // Out-of-range inputs are shares clamped, so the uptake is a probability.
        close(party_uptake(1.5, -1.0, 2.0), 1.0);
        close(party_uptake(-0.5, -0.5, -0.5), 0.0);
    }

    #[test]
    fn legitimacy_week_against_its_formula() {
        let r = LegitimacyRates {
            contract: 0.02,
            cell: 0.1,
            privilege: 0.05,
            outrage: 0.2,
            exemplary: 0.03,
            information: 0.01,
            anchor: 0.04,
        };
        // By hand: l = 0.5 + contract(0.3, 0.4) = 0.5 + 0.02·(−0.75)/1.75; then each term.
        let mut l = 0.5 + 0.02 * (-0.75 / 1.75);
        l += 0.1 * 0.6 * (1.0 - l);
        l -= 0.05 * l;
        l -= 0.2 * 0.1;
        l -= 0.03 * l;
        l -= 0.01 * l;
        l += 0.02;
        l += 0.04 * (0.7 - l);
        close(legitimacy_week(0.5, 0.3, 0.4, 0.7, 0.6, 0.1, 0.02, &r), l);
        // Clamped to [0, 1]; with every rate zero only inclusion moves it.
        let zero = LegitimacyRates::default();
        close(
            legitimacy_week(0.5, 0.3, 0.4, 0.7, 0.6, 0.1, 0.02, &zero),
            0.52,
        );
        close(
            legitimacy_week(0.99, 0.3, 0.4, 0.7, 0.6, 0.1, 0.5, &zero),
            1.0,
        );
        close(legitimacy_week(0.1, 0.3, 0.4, 0.7, 0.6, 5.0, 0.0, &r), 0.0);
    }

    #[test]
    fn contract_and_thresholds() {
        close(contract_effect(0.3, 0.3, 0.02), 0.0);
        // s = 3·(0.1 − 0.2)/0.2 = −1.5 → 0.02·(−1.5/2.5).
        close(contract_effect(0.1, 0.2, 0.02), -0.012);
        assert!(contract_effect(10.0, 0.2, 0.02) < 0.02);
        assert!(contract_effect(0.4, 0.2, 0.02) > 0.0);
        close(strike_need(0.6, 0.5, 1.0, 0.1), 0.0);
        close(strike_need(0.6, 0.1, 2.0, 0.0), 0.4);
        close(ration_weight(1.5, 0.0), 1.5);
        close(ration_weight(1.5, 1.0), 1.0);
        close(ration_weight(0.8, 0.5), 0.9);
        close(effort(0.4, 0.4, 0.5, 0.1, 0.0, 0.0, 0.0, 0.0), 0.6);
        close(effort(0.4, 0.4, 0.5, 0.1, 0.0, 0.0, 0.0, 10.0), 0.05);
    }

    #[test]
    fn granovetter_cascade() {
        // Granovetter's riot: thresholds 0, 1/n, 2/n, ... all join one after another.
        let uniform: Vec<f32> = (0..10).map(|i| i as f32 / 10.0).collect();
        close(cascade(&uniform, 0.0), 1.0);
        // Remove the one with threshold 0.1: the cascade stops after the instigator.
        let broken: Vec<f32> = [0.0, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].to_vec();
        close(cascade(&broken, 0.0), 0.1);
        // No initiator, no strike; but a strike already at 0.5 sustains itself.
        let high: Vec<f32> = [0.1, 0.2, 0.3, 0.4, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9].to_vec();
        close(cascade(&high, 0.0), 0.0);
        close(cascade(&high, 0.5), 0.5);
        // A previous share that no longer sustains itself collapses to the initiators.
        close(cascade(&high, 0.6), 0.0);
        close(cascade(&[], 0.3), 0.0);
    }

    #[test]
    fn dhondt_allocates() {
        assert_eq!(dhondt(&[100, 80, 30], 8), vec![4, 3, 1]);
        assert_eq!(dhondt(&[10, 0, 0], 3), vec![3, 0, 0]);
        assert_eq!(dhondt(&[0, 0, 0], 3), vec![0, 0, 0]);
        assert_eq!(dhondt(&[5, 5], 1), vec![1, 0]);
    }
}
