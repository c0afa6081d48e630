//! The worker's decision against its rules, worker by worker, and the rules against their
//! formulas.

use super::*;

/// The worker's decision against its rules, worker by worker: what each column becomes is the
/// rule's value on the worker's state before the week and its workplace's context.
#[test]
fn decision_against_its_rules() {
    use crate::model::worker_phase::{consts, contexts};
    use crate::model::workers::*;
    let mut seen = [0usize; 6];
    every_quarter(&["historical", "nep"], 3, 104, |name, week, world, m| {
        let mut m2 = m.clone();
        for (w, m) in [
            (world.clone(), m.clone()),
            (stirred(world, &mut m2), m2.clone()),
        ] {
            let m = &m;
            let prev = vec![0.1; w.wps.len()];
            let (ctx, k) = (contexts(&w, m, &prev), consts(&w, m));
            let mut after = w.clone();
            workers(&mut after, m, &prev, Path::Fastest);
            let (b, a) = (&w.workers, &after.workers);
            for i in 0..b.len() {
                let what = format!("{name}, week {week}, worker {i}");
                let (s0, s1) = (b.status[i], a.status[i]);
                seen[s0 as usize] += 1;
                match s0 {
                    Status::Arrested | Status::Exiled => continue,
                    Status::Administration => {
                        assert_eq!(a.consumption[i], k.cons_admin, "{what}");
                        assert_eq!(a.legitimacy[i], official_loyalty(b.legitimacy[i]), "{what}");
                        assert_eq!(a.flags[i] & (flag::PUBLIC | flag::STRIKING), 0, "{what}");
                        continue;
                    }
                    Status::Village => {
                        assert_eq!(a.consumption[i], k.cons_village, "{what}");
                        let back = rng::chance(
                            k.seed,
                            Stream::Return,
                            u64::from(b.id[i]),
                            k.week,
                            return_chance(k.migrate_return, b.ties[i], k.city_pull),
                        );
                        let to = if back {
                            Status::Unemployed
                        } else {
                            Status::Village
                        };
                        assert_eq!(s1, to, "{what}");
                        continue;
                    }
                    Status::Employed | Status::Unemployed => {}
                }
                check_city_worker(b, a, i, &ctx, &k, &what);
            }
        }
    });
    // Every status met, many times.
    assert!(seen.iter().all(|&n| n > 1000), "{seen:?}");
}

/// One city worker's week against the rules (see `decision_against_its_rules`): `b` before,
/// `a` after.
fn check_city_worker(
    b: &Workers,
    a: &Workers,
    i: usize,
    ctx: &[crate::model::workers::WpCtx],
    k: &crate::model::workers::Consts,
    what: &str,
) {
    use crate::model::mechanisms as mech;
    use crate::model::workers::*;
    let (s0, s1) = (b.status[i], a.status[i]);
    let g = &ctx[b.wp[i] as usize];
    let employed = s0 == Status::Employed;
    let (ration, dep) = if employed {
        (g.ration, g.deprivation)
    } else {
        (k.unemployed_ration, k.unemployed_dep)
    };
    let pay = SKILL_PAY[b.skill[i] as usize];
    let money = money(
        employed,
        k.piece_rates,
        b.effort[i],
        g.mean_effort,
        g.pay,
        pay,
        k.dole,
    );
    let striker = b.flags[i] & flag::STRIKING != 0;
    let paid = if striker && k.unpaid_strikes {
        0.0
    } else {
        money
    };
    let delivered = ration + paid * k.market_fill;
    let cons = if k.week0 {
        delivered
    } else {
        b.consumption[i] + k.reserves_rate * (delivered - b.consumption[i])
    };
    let e0 = if k.week0 { cons } else { b.expectation[i] };
    let hard = mech::hardship(cons, e0, dep, k.dep_weight);
    let p = b.politics[i];
    let l = mech::legitimacy_week(
        b.legitimacy[i],
        cons,
        e0,
        p.anchor(),
        g.cell,
        g.arrested,
        g.inclusion,
        &k.legitimacy,
    );
    let f = fear_week(b.fear[i], g.arrested, &k.fear);
    let d = dissent(hard, l, p.conviction());
    assert_eq!(a.consumption[i], cons, "{what}: consumption");
    assert_eq!(
        a.expectation[i],
        e0 + k.expectation_rate * (cons - e0),
        "{what}"
    );
    assert_eq!(a.hardship[i], hard, "{what}: hardship");
    assert_eq!(a.legitimacy[i], l, "{what}: legitimacy");
    assert_eq!(a.fear[i], f, "{what}: fear");
    assert_eq!(a.dissent[i], d, "{what}: dissent");
    let risk = if b.flags[i] & flag::PUBLIC != 0 {
        g.risk_public
    } else {
        g.risk_quiet
    };
    let net = net_risk(b.risk[i], f, risk);
    let public = mech::expresses(d, net, k.threshold, k.expressive_cost, g.peer_public);
    let need = strike_need(
        employed,
        b.threshold[i],
        d,
        net,
        k.threshold,
        k.strike_weight,
        g.union_signal,
        g.need_shift,
    ) + mech::strike_cost(
        k.strike_cost,
        ration,
        mech::forgone_pay(employed, g.pay, pay) * k.market_fill,
    );
    assert_eq!(a.need[i], need, "{what}: need");
    let h = hunger(cons, k.subsistence);
    let leave = rng::chance(
        k.seed,
        Stream::Migrate,
        u64::from(b.id[i]),
        k.week,
        leave_chance(
            k.migrate_leave,
            b.ties[i],
            h,
            employed,
            k.village_pull,
            k.mobilised,
            p == Politics::Party,
        ),
    );
    if leave {
        assert_eq!(s1, Status::Village, "{what}: left");
        assert_eq!(a.effort[i], 0.0, "{what}");
        assert_eq!(a.flags[i] & (flag::PUBLIC | flag::STRIKING), 0, "{what}");
        return;
    }
    assert_eq!(s1, s0, "{what}: stayed");
    assert_eq!(a.flags[i] & flag::PUBLIC != 0, public, "{what}: public");
    assert_eq!(a.flags[i] & flag::STRIKING, 0, "{what}: striking");
    let effort = if employed {
        mech::effort(
            k.effort_base,
            k.effort_legitimacy,
            l,
            k.effort_fear,
            f,
            k.piece,
            g.cell,
            h,
        )
    } else {
        0.0
    };
    assert_eq!(a.effort[i], effort, "{what}: effort");
}

/// The worker's rules written once, against their formulas.
#[test]
fn worker_rules_against_their_formulas() {
    use crate::model::workers::{
        FearRates, dissent, fear_week, hunger, leave_chance, money, net_risk, official_loyalty,
        return_chance, strike_need,
    };
    let close = |a: f32, b: f32| assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    let r = FearRates {
        keep: 0.9,
        witness: 0.5,
        city: 0.01,
        exemplary: 0.03,
    };
    close(fear_week(0.2, 0.1, &r), 0.2 * 0.9 + 0.5 * 0.1 + 0.01 + 0.03);
    close(fear_week(0.9, 1.0, &r), 1.0);
    close(hunger(0.5, 1.0), 0.5);
    close(hunger(1.5, 1.0), 0.0);
    // Employed, hungry 0.4: 0.01 · 0.8 · 0.4 · 1.2; halved under mobilisation; a fifth for the
    // party; the unemployed are pushed by another 0.5.
    close(
        leave_chance(0.01, 0.8, 0.4, true, 1.2, false, false),
        0.01 * 0.8 * 0.4 * 1.2,
    );
    close(
        leave_chance(0.01, 0.8, 0.4, true, 1.2, true, false),
        0.01 * 0.8 * 0.4 * 1.2 * 0.5,
    );
    close(
        leave_chance(0.01, 0.8, 0.4, true, 1.2, false, true),
        0.01 * 0.8 * 0.4 * 1.2 * 0.2,
    );
    close(
        leave_chance(0.01, 0.8, 0.4, false, 1.2, true, false),
        0.01 * 0.8 * 0.9 * 1.2,
    );
    close(return_chance(0.02, 0.6, 0.5), 0.02 * 0.7 * 0.5);
    close(official_loyalty(0.5), 0.5 + 0.02 * 0.4);
    // Pay: the rate by skill for own effort (piece rates) or the mean; the dole otherwise.
    close(
        money(true, true, 0.5, 0.8, 2.0, 1.3, 0.1),
        2.0 * 1.3 * (1.1 * 0.5),
    );
    close(money(true, false, 0.5, 0.8, 2.0, 1.3, 0.1), 2.0 * 1.3 * 0.8);
    close(money(false, true, 0.5, 0.8, 2.0, 1.3, 0.1), 0.1);
    // Dissent: grievance H(1 − L) plus conviction, clamped.
    close(dissent(0.6, 0.5, 0.1), 0.6 * 0.5 + 0.1);
    close(dissent(0.9, 0.0, 0.5), 1.0);
    // Net risk: min(1, R(1 + F)) · P.
    close(net_risk(0.4, 0.5, 0.3), 0.6 * 0.3);
    close(net_risk(0.8, 0.5, 0.3), 0.3);
    // Need: θ − w(D − N − T) − union signal + the workplace's shift; never for the unemployed.
    close(
        strike_need(true, 0.5, 0.6, 0.1, 0.2, 0.8, 0.05, 0.02),
        0.5 - 0.8 * (0.6 - 0.1 - 0.2) - 0.05 + 0.02,
    );
    assert_eq!(
        strike_need(false, 0.5, 0.6, 0.1, 0.2, 0.8, 0.05, 0.02),
        f32::INFINITY
    );
}
