//! Invariants that hold every week of a run.

use crate::support::*;
use pact::model::record::RunRecord;
use pact::model::world::{Politics, SizeClass, Status, flag};

#[test]
fn every_week_counts_add_up_and_nothing_is_nan_or_negative() {
    let res = historical_with("", 3_000, "1925-12-28");
    let mut world = pact::model::step::start(&res, 42);
    let n = world.workers.len();
    let mut out = RunRecord::default();
    for week in 0..res.clock.weeks {
        pact::model::step::step(&mut world, &res, &mut out);
        let w = &world.workers;
        // Each worker is in exactly one status; the status counts add up to the agents.
        let counts = world.status_counts();
        assert_eq!(counts.iter().sum::<usize>(), n);
        // Workplace counts add up to the city's.
        let employed: u32 = world.view.employed.iter().sum();
        assert_eq!(
            employed as usize,
            counts[Status::Employed as usize],
            "week {week}"
        );
        for k in 0..world.wps.len() {
            assert!(world.view.strikers[k] <= world.view.employed[k]);
            assert!(world.view.party[k] + world.view.dissidents[k] <= world.view.employed[k]);
        }
        for i in 0..n {
            let st = w.status[i];
            for (name, x) in [
                ("consumption", w.consumption[i]),
                ("legitimacy", w.legitimacy[i]),
                ("fear", w.fear[i]),
                ("hardship", w.hardship[i]),
                ("dissent", w.dissent[i]),
                ("effort", w.effort[i]),
            ] {
                assert!(
                    x.is_finite() && x >= 0.0,
                    "week {week} worker {i} {name} = {x}"
                );
            }
            for x in [
                w.legitimacy[i],
                w.fear[i],
                w.hardship[i],
                w.dissent[i],
                w.effort[i],
            ] {
                assert!(x <= 1.0);
            }
            // Only the employed strike; only city workers express dissent.
            if w.flags[i] & flag::STRIKING != 0 {
                assert_eq!(
                    st,
                    Status::Employed,
                    "week {week}: a {st:?} worker on strike"
                );
            }
            if w.flags[i] & flag::PUBLIC != 0 {
                assert!(matches!(st, Status::Employed | Status::Unemployed));
            }
            if st == Status::Administration {
                assert_eq!(w.politics[i], Politics::Party);
            }
            assert!((w.wp[i] as usize) < world.wps.len());
        }
        let rec = out.weeks.last().unwrap();
        for (c, v) in pact::model::record::WeekRecord::COLUMNS
            .iter()
            .zip(rec.values())
        {
            assert!(v.is_finite() && v >= 0.0, "week {week}: {c} = {v}");
        }
        // Party members split exactly into factories, offices and administration.
        let office_members = (0..n)
            .filter(|&i| {
                w.politics[i] == Politics::Party
                    && matches!(w.status[i], Status::Employed | Status::Unemployed)
                    && world.wps.class[w.wp[i] as usize] == SizeClass::Office
            })
            .count() as f64
            * world.weight;
        assert!(
            (rec.party_in_factories + rec.party_in_administration + office_members
                - rec.party_members)
                .abs()
                < 1e-6
        );
        let workers = (counts[0] + counts[1]) as f64 * world.weight;
        assert!((rec.employed + rec.unemployed - workers).abs() < 1e-6);
        for share in [
            rec.dissent_private,
            rec.dissent_public,
            rec.union_dues_share,
            rec.arrears_share,
            rec.committees_nonparty,
            rec.party_recent_share,
        ] {
            assert!(share <= 1.0 + 1e-12);
        }
        assert!(rec.dissent_private + rec.dissent_public <= 1.0 + 1e-12);
    }
    // Elections: votes and abstentions add up to the electorate; delegates near the target.
    // Two elections × (3 size classes + institutional delegates).
    assert_eq!(out.elections.len(), 8);
    for e in &out.elections {
        let sum = e.votes_party + e.votes_nonparty + e.votes_other_socialist + e.abstentions;
        assert!((sum - e.electorate).abs() < 1e-6);
    }
    let seats = |e: &pact::model::record::ElectionRecord| {
        e.delegates_party + e.delegates_nonparty + e.delegates_other_socialist
    };
    let delegates: f64 = out.elections[..3].iter().map(seats).sum();
    let electorate: f64 = out.elections[..3].iter().map(|e| e.electorate).sum();
    // At least one delegate per 1/delegates_per_worker voters (and one per workplace).
    let target = electorate * res.scenario.workplaces.delegates_per_worker;
    assert!(
        delegates >= 0.9 * target - 10.0,
        "{delegates} delegates for {target}"
    );
    assert_eq!(out.elections[3].class, "institutions");
    let inst = out.elections[3].delegates_party / (delegates + out.elections[3].delegates_party);
    assert!(
        (inst - res.scenario.workplaces.institutional_delegates).abs() < 0.01,
        "{inst}"
    );
    for c in &out.campaigns {
        assert!((c.votes_for + c.votes_against + c.stayed_away - c.workers).abs() < 1e-6);
    }
}

#[test]
fn counts_are_in_persons_whatever_the_scale() {
    // At two scales the city starts with the same number of persons.
    let small = historical_with("", 2_000, "1920-02-01");
    let large = historical_with("", 8_000, "1920-02-01");
    let (a, b) = (run0(&small), run0(&large));
    let ra = &a.weeks[0];
    let rb = &b.weeks[0];
    assert!(
        (ra.population_city - rb.population_city).abs() / rb.population_city < 0.02,
        "{} vs {}",
        ra.population_city,
        rb.population_city
    );
    assert!(
        (ra.party_members - rb.party_members).abs() / rb.party_members < 0.15,
        "{} vs {}",
        ra.party_members,
        rb.party_members
    );
}
