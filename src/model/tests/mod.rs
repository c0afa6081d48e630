//! Unit tests of the step's phases: the worker phase and the party pass compiled for each
//! vector extension against the baseline build, the worker's decision against its rules, the
//! party pass's filter against the pass on every worker, hiring against the algorithm as first
//! written, the counts kept through the step against a fresh count.

use crate::model::counts::Tally;
use crate::model::counts::{Agent, Agg, Counts, RecordCtx, aggregate};
use crate::model::economy::SKILL_PAY;
use crate::model::lanes::{Isa, Path};
use crate::model::management::hire;
use crate::model::party::cheka_and_party;
use crate::model::record::RunRecord;
use crate::model::rng::{self, Stream};
use crate::model::step::step;
use crate::model::worker_phase::workers;
use crate::model::world::{Politics, SizeClass, Status, Workers, World, flag};
use crate::par::{self};
use crate::scenario::params::MechanismCfg;

/// The worker phase from one state by every [`Path`]: the workers' columns and the counts.
fn phase3(world: &World, m: &MechanismCfg, path: Path) -> (World, Agg) {
    let mut w = world.clone();
    let prev: Vec<f32> = (0..w.wps.len())
        .map(|k| w.view.strikers[k] as f32 / w.view.employed[k].max(1) as f32)
        .collect();
    let a = workers(&mut w, m, &prev, path);
    (w, a)
}

fn same(a: &(World, Agg), b: &(World, Agg), what: &str) {
    let (wa, aa) = (&a.0.workers, &a.1);
    let (wb, ab) = (&b.0.workers, &b.1);
    macro_rules! column {
        ($($c:ident),*) => {$(
            for i in 0..wa.len() {
                assert!(
                    wa.$c[i] == wb.$c[i],
                    "{what}: worker {i}, {}: {:?} vs {:?}",
                    stringify!($c),
                    wa.$c[i],
                    wb.$c[i]
                );
            }
        )*};
    }
    column!(
        wp,
        status,
        need,
        politics,
        skill,
        flags,
        timer,
        party_since,
        ties,
        threshold,
        risk,
        consumption,
        expectation,
        hardship,
        legitimacy,
        fear,
        dissent,
        effort
    );
    assert!(aa.c == ab.c, "{what}: counts differ");
    for (k, (x, y)) in aa.extra.iter().zip(&ab.extra).enumerate() {
        assert_eq!(
            (x.initiators, x.sustaining, x.ready, x.arrests),
            (y.initiators, y.sustaining, y.ready, y.arrests),
            "{what}: workplace {k}"
        );
    }
    assert_eq!(aa.payers, ab.payers, "{what}: dues payers");
    assert_eq!(aa.exiles, ab.exiles, "{what}: exiles");
}

/// The world with every worker's state drawn at random (statuses, identities, flags,
/// timers, stances) and migration made likely, so that every branch of the worker phase
/// is taken many times.
fn stirred(world: &World, m: &mut MechanismCfg) -> World {
    let mut w = world.clone();
    let u = |i: usize, salt: u64| rng::uniform(99, Stream::Init, i as u64, 7_000 + salt);
    let n = w.workers.len();
    let x = &mut w.workers;
    for i in 0..n {
        x.status[i] = Status::ALL[(u(i, 0) * 6.0) as usize % 6];
        x.politics[i] = match (u(i, 1) * 7.0) as usize {
            0 => Politics::Party,
            1 => Politics::NonPartySocialist,
            2 => Politics::Sr,
            3 => Politics::Menshevik,
            4 => Politics::Anarchist,
            5 => Politics::DissidentCommunist,
            _ => Politics::Unaffiliated,
        };
        x.flags[i] = (u(i, 2) * 64.0) as u8;
        x.timer[i] = (u(i, 3) * 3.0) as u16;
        x.skill[i] = (u(i, 4) * 3.0) as u8 % 3;
        x.party_since[i] = (u(i, 5) * 200.0) as i16 - 50;
        x.legitimacy[i] = u(i, 6);
        x.dissent[i] = u(i, 7);
        x.fear[i] = u(i, 8);
        x.effort[i] = u(i, 9);
        x.expectation[i] = 0.2 + u(i, 10);
        x.ties[i] = u(i, 11);
    }
    m.migrate_leave = 0.5;
    m.migrate_return = 0.5;
    w
}

#[test]
fn by_id_sorts_indices_by_id() {
    let n = 100_000u32;
    // ids: a permutation of 0..n; indices: a random subset, in storage order.
    let mut id: Vec<u32> = (0..n).collect();
    id.sort_by_key(|&i| rng::hash(5, Stream::Init, u64::from(i), 0));
    let mut idx: Vec<u32> = (0..n)
        .filter(|&i| rng::uniform(5, Stream::Init, u64::from(i), 1) < 0.3)
        .collect();
    let mut expected = idx.clone();
    expected.sort_by_key(|&i| id[i as usize]);
    par::by_id(&mut idx, &id);
    assert_eq!(idx, expected);
    // Already in id order: unchanged.
    let ordered: Vec<u32> = (0..n).collect();
    let mut same = ordered.clone();
    par::by_id(&mut same, &ordered);
    assert_eq!(same, ordered);
    par::by_id(&mut [], &ordered);
}

/// Hiring as first written: the candidates' indices sorted by id, then both passes in id
/// order from `start`, reading each candidate's status and workplace.
fn hire_reference(
    w: &mut Workers,
    vac: &mut [u32],
    start: usize,
    mut next_wp: usize,
    counts: &mut Counts,
    r: &RecordCtx,
) {
    let nw = vac.len();
    let mut candidates: Vec<u32> = (0..w.len() as u32)
        .filter(|&i| {
            w.status[i as usize] == Status::Unemployed
                && w.flags[i as usize] & flag::BLACKLISTED == 0
        })
        .collect();
    candidates.sort_by_key(|&i| w.id[i as usize]);
    let split = candidates.partition_point(|&i| (w.id[i as usize] as usize) < start);
    for pass in 0..2 {
        for &i in candidates[split..].iter().chain(&candidates[..split]) {
            let i = i as usize;
            if w.status[i] != Status::Unemployed {
                continue;
            }
            let own = w.wp[i] as usize;
            if pass == 0 {
                if vac[own] > 0 {
                    vac[own] -= 1;
                    counts.tally::<-1>(&Agent::of(w, i), r);
                    w.status[i] = Status::Employed;
                    counts.tally::<1>(&Agent::of(w, i), r);
                }
            } else {
                let mut tries = 0;
                while vac[next_wp] == 0 && tries < nw {
                    next_wp = (next_wp + 1) % nw;
                    tries += 1;
                }
                if vac[next_wp] == 0 {
                    return;
                }
                vac[next_wp] -= 1;
                counts.tally::<-1>(&Agent::of(w, i), r);
                w.wp[i] = next_wp as u32;
                w.status[i] = Status::Employed;
                counts.tally::<1>(&Agent::of(w, i), r);
                next_wp = (next_wp + 1) % nw;
            }
        }
    }
}

#[test]
fn hiring_equals_reference() {
    // Real states every quarter and stirred ones (random statuses and flags), stored in
    // workplace order and shuffled, with vacancies from none to more than there are
    // candidates, scattered or at one workplace, and starts at either end and between:
    // the same workers hired to the same workplaces, the same counts, the same vacancies
    // left.
    let mut cases = 0;
    every_quarter(&["historical", "nep"], 3, 200, |name, week, world, m| {
        let mut m2 = m.clone();
        for (mut world, what) in [
            (world.clone(), "as run"),
            (stirred(world, &mut m2), "stirred"),
        ] {
            for shuffle in [false, true] {
                if shuffle {
                    let n = world.workers.len() as u32;
                    let mut order: Vec<u32> = (0..n).collect();
                    order.sort_by_key(|&i| rng::hash(11, Stream::Init, u64::from(i), week as u64));
                    world.workers.reorder(&order);
                }
                let (n, nw) = (world.workers.len(), world.wps.len());
                let counts = aggregate(&world, m);
                let r = RecordCtx::of(&world, m);
                let unemployed = counts.status[Status::Unemployed as usize] as u32;
                let u = |k: usize, salt: u64| rng::uniform(4, Stream::Init, k as u64, salt);
                let vacancies: [Vec<u32>; 4] = [
                    vec![0; nw],
                    (0..nw)
                        .map(|k| (u(k, 1) * 3.0) as u32 * u32::from(u(k, 2) < 0.3))
                        .collect(),
                    (0..nw)
                        .map(|k| (u(k, 3) * 2.0 * unemployed as f32 / nw as f32) as u32 + 1)
                        .collect(),
                    (0..nw)
                        .map(|k| if k == nw / 2 { unemployed / 3 + 1 } else { 0 })
                        .collect(),
                ];
                for (v, vac) in vacancies.iter().enumerate() {
                    for (start, next_wp) in [(0, 0), (n - 1, nw - 1), (n / 3, nw / 2)] {
                        let (mut wa, mut ca, mut va) =
                            (world.workers.clone(), counts.clone(), vac.clone());
                        let (mut wb, mut cb, mut vb) =
                            (world.workers.clone(), counts.clone(), vac.clone());
                        hire(&mut wa, &mut va, start, next_wp, &mut ca, &r);
                        hire_reference(&mut wb, &mut vb, start, next_wp, &mut cb, &r);
                        let what = format!(
                            "{name}, week {week}, {what}, shuffled {shuffle}, vacancies {v}, start {start}"
                        );
                        assert!(
                            wa.wp == wb.wp && wa.status == wb.status,
                            "{what}: workers differ"
                        );
                        assert!(ca == cb, "{what}: counts differ");
                        assert_eq!(va, vb, "{what}: vacancies left");
                        cases += 1;
                    }
                }
            }
        }
    });
    assert_eq!(cases, 2 * 16 * 2 * 2 * 4 * 3);
}

/// Runs each scenario at 6,000 workers with `seed` through weeks 0..=`last`, calling `check`
/// on the world before every 13th week's step; returns the final worlds.
fn every_quarter(
    names: &[&str],
    seed: u64,
    last: usize,
    mut check: impl FnMut(&str, usize, &World, &MechanismCfg),
) -> Vec<World> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    names
        .iter()
        .map(|name| {
            let mut res = crate::scenario::load(&dir.join(format!("{name}.toml"))).unwrap();
            res.scenario.run.scale = 6_000;
            let m = res.scenario.mechanisms.clone();
            let mut world = crate::model::step::start(&res, seed);
            let mut out = RunRecord::default();
            for week in 0..=last {
                if week % 13 == 0 {
                    check(name, week, &world, &m);
                }
                step(&mut world, &res, &mut out);
            }
            world
        })
        .collect()
}

#[test]
fn party_filter_equals_unfiltered() {
    // The Cheka/party pass through the filter (compiled for each vector extension) and on
    // every worker: the same workers, counts and tallies, in real states and in stirred
    // ones where every outcome is frequent.
    let mut changed = [0usize; 6];
    every_quarter(&["historical", "nep"], 5, 104, |name, week, world, m| {
        let mut m2 = m.clone();
        let mut stir = stirred(world, &mut m2);
        m2.party_leave = 0.2;
        m2.dissident_join = 0.2;
        stir.policy.promotion = 0.2;
        stir.policy.recruitment = 0.3;
        for (w, m, what) in [(world, m, "as run"), (&stir, &m2, "stirred")] {
            let what = format!("{name}, week {week}, {what}");
            let pass = |path| {
                let mut w = w.clone();
                let mut counts = aggregate(&w, m);
                let mut tally = Tally {
                    arrests: 7,
                    ..Tally::default()
                };
                w.party.cheka_capacity = 0.05 * counts.status[0] as f64;
                cheka_and_party(&mut w, m, &mut tally, &mut counts, path);
                let tallies = format!("{tally:?}");
                ((w, Agg::new(0)), counts, tallies)
            };
            let reference = pass(Path::Unfiltered);
            for path in [
                Path::Fastest,
                Path::Only(Isa::Avx2),
                Path::Only(Isa::Baseline),
            ] {
                let other = pass(path);
                same(&other.0, &reference.0, &what);
                assert!(other.1 == reference.1, "{what}: counts differ");
                assert_eq!(other.2, reference.2, "{what}: tallies");
                assert_eq!(
                    other.0.0.view.arrested_share, reference.0.0.view.arrested_share,
                    "{what}"
                );
            }
        }
        // What the stirred pass did, outcome by outcome.
        let mut after = stir.clone();
        let mut counts = aggregate(&after, &m2);
        let mut tally = Tally::default();
        after.party.cheka_capacity = 0.05 * counts.status[0] as f64;
        cheka_and_party(&mut after, &m2, &mut tally, &mut counts, Path::Unfiltered);
        let (b, a) = (&stir.workers, &after.workers);
        let moved = |from: fn(Politics) -> bool, to: Politics| {
            (0..a.len())
                .filter(|&i| from(b.politics[i]) && a.politics[i] == to)
                .count()
        };
        changed[0] += tally.arrests;
        changed[1] += tally.promotions;
        changed[2] += tally.recruits;
        changed[3] += tally.exits;
        changed[4] += moved(|p| p == Politics::Unaffiliated, Politics::NonPartySocialist);
        changed[5] += moved(|p| p.dissident(), Politics::Unaffiliated);
    });
    // Every outcome (arrest, promotion, recruitment, exit, joining and leaving the groups)
    // was met, so every branch of both paths was compared.
    assert!(changed.iter().all(|&n| n > 50), "{changed:?}");
}

#[test]
fn dispatched_equals_portable() {
    // The worker phase compiled for the CPU's best vector extensions, for AVX2 and for the
    // baseline: the same bits (and counts equal to a fresh count). Rations and labour
    // mobilisation (1920), money wages and markets (1921), piece rates (from 1920 in `nep`),
    // voluntary union dues (`independent_unions`); the first week (expectations start at what
    // it delivers) and weeks with workers in custody and exile.
    eprintln!("this CPU: {:?}", Isa::detect());
    let mut checked = 0;
    let names = ["historical", "nep", "independent_unions"];
    let ends = every_quarter(&names, 11, 130, |name, week, world, m| {
        let mut m2 = m.clone();
        let stir = stirred(world, &mut m2);
        for (w, m, what) in [(world, m, "as run"), (&stir, &m2, "stirred")] {
            let what = format!("{name}, week {week}, {what}");
            let portable = phase3(w, m, Path::Only(Isa::Baseline));
            assert!(portable.1.c == aggregate(&portable.0, m), "{what}: counts");
            same(&phase3(w, m, Path::Fastest), &portable, &what);
            same(&phase3(w, m, Path::Only(Isa::Avx2)), &portable, &what);
        }
        checked += 1;
    });
    for world in ends {
        let held = world.status_counts();
        assert!(held[Status::Arrested as usize] + held[Status::Exiled as usize] > 0);
    }
    assert_eq!(checked, 33);
}

mod decision;

/// Where an agent is less than a person, a workplace's agents share their traits' key in runs of
/// one person's agents; at a person or more per agent, and outside a workplace, each agent is its
/// own key.
#[test]
fn traits_are_drawn_by_person_below_one_person_per_agent() {
    use crate::model::population::trait_key;
    // Weight 0.2: five agents a person.
    let k: Vec<u64> = (0..20)
        .map(|j| trait_key(1000 + j, Some((3, j)), 0.2))
        .collect();
    for (j, x) in k.iter().enumerate() {
        assert_eq!(*x, k[j - j % 5], "agent {j}");
    }
    assert!(k[0] != k[5] && k[5] != k[10]);
    // The same index in another workplace is another person, and no person is an agent's id.
    assert!(trait_key(0, Some((4, 0)), 0.2) != k[0]);
    assert!(k.iter().all(|&x| x >= 1 << 63));
    for weight in [1.0, 2.5] {
        assert_eq!(trait_key(7, Some((3, 0)), weight), 7);
    }
    assert_eq!(trait_key(7, None, 0.2), 7);
}

/// A city at weight 0.2 has as many distinct city workers as persons: its agents are persons
/// five times over (thresholds, risk aversion and legitimacy alike).
#[test]
fn a_finer_city_is_its_persons_repeated() {
    let mut res = crate::scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/historical.toml"
    )))
    .unwrap();
    res.scenario.population.represented_workers = 4_000.0;
    res.scenario.run.scale = 20_000;
    let world = World::new(&res, 5);
    assert!((world.weight - 0.2).abs() < 1e-12);
    let w = &world.workers;
    let mut persons = std::collections::HashMap::new();
    let mut agents = 0;
    for i in 0..w.len() {
        if matches!(w.status[i], Status::Employed | Status::Unemployed) {
            let t = (
                w.wp[i],
                w.threshold[i].to_bits(),
                w.risk[i].to_bits(),
                w.legitimacy[i].to_bits(),
            );
            *persons.entry(t).or_insert(0) += 1;
            agents += 1;
        }
    }
    assert_eq!(agents, 20_000);
    // Runs of five, but where a workplace's agents are not a multiple of five.
    let fives = persons.values().filter(|&&c| c == 5).count();
    assert!(fives * 5 > 19_000, "{fives} persons of five agents");
    assert!(persons.len() < 4_000 + world.wps.len());
}

/// The death-penalty vote (ODD 7.18): fear turns votes against into hidden opposition (exit or
/// a falsified vote for), and with nothing to fear at the meeting no one hides it.
#[test]
fn fear_turns_votes_against_into_exit_and_falsified_votes() {
    use crate::model::soviet::campaign;
    use crate::scenario::params::Campaign;
    let mut res = crate::scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/historical.toml"
    )))
    .unwrap();
    res.scenario.run.scale = 20_000;
    let m = res.scenario.mechanisms.clone();
    let vote = |watched: f32, fear: f32| {
        let mut w = World::new(&res, 5);
        w.view.risk_public.iter_mut().for_each(|p| *p = watched);
        w.view.cell_strength.iter_mut().for_each(|c| *c = 0.0);
        w.workers.fear.iter_mut().for_each(|f| *f = fear);
        let mut out = RunRecord::default();
        campaign(&mut w, &m, Campaign::SrTrial, &mut out);
        let sum = |f: &dyn Fn(&crate::model::record::CampaignRecord) -> f64| {
            out.campaigns.iter().map(f).sum::<f64>()
        };
        (
            sum(&|c| c.votes_against),
            sum(&|c| c.stayed_away),
            sum(&|c| c.falsified),
            sum(&|c| c.workers),
        )
    };
    let (against0, away0, hidden0, n) = vote(0.0, 0.0);
    assert!(against0 > 0.05 * n, "{against0} of {n}");
    assert_eq!(hidden0, 0.0, "no risk, no falsification");
    let (against1, away1, hidden1, _) = vote(0.6, 0.0);
    let (against2, away2, hidden2, _) = vote(0.6, 1.0);
    assert!(
        against1 < against0 && against2 < against1,
        "{against0} {against1} {against2}"
    );
    assert!(hidden1 > 0.0 && hidden2 > hidden1, "{hidden1} {hidden2}");
    assert!(away2 > away0 && away1 >= away0, "{away0} {away1} {away2}");
}

#[test]
fn regression_dissident_drift_never_fired() {
    // Bug (0.4.0 before release): members of the dissident groups drifted away when D < 0.1,
    // but D = G + conviction and every group's conviction is at least 0.12, so no one ever
    // drifted. The rule reads the grievance beneath the conviction: with none left, members
    // drift away at dissident_join / 2 a week.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut res = crate::scenario::load(&dir.join("historical.toml")).unwrap();
    res.scenario.run.scale = 6_000;
    let mut m = res.scenario.mechanisms.clone();
    m.dissident_join = 0.2;
    let mut world = crate::model::step::start(&res, 3);
    let w = &mut world.workers;
    let mut members = 0;
    for i in 0..w.len() {
        if w.politics[i].dissident() && w.status[i] == Status::Employed {
            // No grievance: D is the conviction alone; and silent, so the Cheka passes by.
            w.dissent[i] = w.politics[i].conviction();
            w.flags[i] &= !flag::PUBLIC;
            members += 1;
        }
    }
    let before = world.workers.politics.clone();
    let mut counts = aggregate(&world, &m);
    let mut tally = Tally::default();
    cheka_and_party(&mut world, &m, &mut tally, &mut counts, Path::Fastest);
    let drifted = (0..before.len())
        .filter(|&i| before[i].dissident() && world.workers.politics[i] == Politics::Unaffiliated)
        .count();
    // About a tenth of them (0.2 / 2), and certainly some.
    assert!(members > 300, "{members} members");
    let share = drifted as f64 / members as f64;
    assert!(
        (0.06..0.14).contains(&share),
        "{drifted} of {members} drifted"
    );
}

#[test]
fn enrolment_uptake_follows_legitimacy_fear_and_career() {
    // The Lenin enrolment offers the card to every unaffiliated employed worker, who takes it
    // with probability enrolment · 2 · U, U = 1 − (1 − L)(1 − F)(1 − C) and C = V·(1 − (1 −
    // π)^52) at the worker's workplace (π the pump's weekly rate, 0 in an office): worker by
    // worker, the event's draw against that formula, written out here.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut res = crate::scenario::load(&dir.join("historical.toml")).unwrap();
    res.scenario.run.scale = 6_000;
    let m = res.scenario.mechanisms.clone();
    let mut ev = res
        .events
        .iter()
        .find(|e| e.event.id == "lenin_enrolment")
        .unwrap()
        .clone();
    ev.event.enrolment = 0.2;
    ev.policy.promotion = 0.01;
    let mut world = crate::model::step::start(&res, 11);
    world.week = ev.week;
    world.city.visible_privilege = 0.3;
    let w = &mut world.workers;
    for i in 0..w.len() {
        // Legitimacy and fear spread over [0, 1) and uncorrelated.
        w.legitimacy[i] = (i % 10) as f32 / 10.0;
        w.fear[i] = (i / 10 % 7) as f32 / 7.0;
    }
    let before = world.clone();
    let mut tally = Tally::default();
    crate::model::step::apply_event(&mut world, &ev, &m, &mut tally);
    let (b, a) = (&before.workers, &world.workers);
    let (mut offered, mut joined, mut fearful_joined, mut fearful) = (0, 0, 0, 0);
    for i in 0..b.len() {
        if b.politics[i] != Politics::Unaffiliated || b.status[i] != Status::Employed {
            assert_eq!(a.politics[i], b.politics[i], "worker {i}");
            continue;
        }
        let office = before.wps.class[b.wp[i] as usize] == SizeClass::Office;
        let pi: f32 = if office { 0.0 } else { 0.01 };
        let career = 0.3 * (1.0 - (1.0 - pi).powi(52));
        let u = 1.0 - (1.0 - b.legitimacy[i]) * (1.0 - b.fear[i]) * (1.0 - career);
        let p = 0.2 * 2.0 * u;
        let week = before.week as u64;
        let took = a.politics[i] == Politics::Party;
        // The event's draw; one within float rounding of p could go either way.
        let draw = rng::uniform(11, Stream::Recruit, u64::from(b.id[i]), week + 7919);
        if (draw - p).abs() > 1e-5 {
            assert_eq!(
                took,
                draw < p,
                "worker {i}: L {} F {} p {p}",
                b.legitimacy[i],
                b.fear[i]
            );
        }
        offered += 1;
        joined += usize::from(took);
        if b.fear[i] > 0.5 {
            fearful += 1;
            fearful_joined += usize::from(took);
        }
    }
    assert!(offered > 3000, "{offered} offered");
    // Fear adds to loyalty: the fearful take the card more often than the rest.
    let rest = (joined - fearful_joined) as f64 / (offered - fearful) as f64;
    assert!(
        fearful_joined as f64 / fearful as f64 > rest + 0.05,
        "{fearful_joined}/{fearful} against {rest}"
    );
    assert_eq!(tally.recruits, joined);
}
