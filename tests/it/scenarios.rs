//! The scenario library: every file loads, validates and runs; each counterfactual changes the
//! levers it claims to.

use crate::support::*;

/// Every scenario in `scenarios/` (the targets files, `targets*.toml`, excepted).
fn all_scenarios() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && !p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("targets")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_loads_and_runs_at_small_scale() {
    let files = all_scenarios();
    assert!(files.len() >= 13, "{files:?}");
    for f in files {
        let mut res = pact::scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.starts_with('#'),
            "{}: opens without a comment saying what it asks",
            f.display()
        );
        assert_eq!(
            res.name,
            f.file_stem().unwrap().to_string_lossy(),
            "{}",
            f.display()
        );
        res.scenario.run.scale = 1_000;
        let run = run0(&res);
        assert_eq!(run.weeks.len(), res.clock.weeks);
    }
}

#[test]
fn exogenous_inputs_and_policies_are_separate_events() {
    // So that a counterfactual removing a policy event never removes an exogenous input.
    let text = std::fs::read_to_string(scenario("historical.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    for ev in table["event"].as_array().unwrap() {
        let label = ev["label"].as_str().unwrap();
        let exogenous = ev.get("economy").is_some();
        assert_eq!(exogenous, label.starts_with("Exogenous:"), "{label}");
        if exogenous {
            let actions = [
                "policy",
                "soviet_election",
                "campaign",
                "purge",
                "enrolment",
                "exemplary_repression",
                "crackdown",
                "party_debate",
            ];
            assert!(
                actions.iter().all(|k| ev.get(*k).is_none()),
                "{label} mixes an exogenous input with a policy"
            );
        }
    }
}

fn load(name: &str) -> pact::scenario::Resolved {
    let mut r = pact::scenario::load(&scenario(name)).unwrap();
    r.scenario.run.scale = 3_000;
    r
}

/// The policy in force in week `w`.
fn policy_at(res: &pact::scenario::Resolved, date: &str) -> pact::scenario::params::PolicyCfg {
    let w = res
        .clock
        .week_of(pact::date::Date::parse(date).unwrap())
        .unwrap();
    res.events
        .iter()
        .rfind(|e| e.week <= w)
        .map(|e| e.policy.clone())
        .unwrap_or_else(|| res.scenario.policy.clone())
}

#[test]
fn counterfactuals_change_the_levers_they_claim() {
    use pact::scenario::params::{Executive, Regime, UnionFunding};
    let h = load("historical.toml");
    let early = load("early_nep.toml");
    assert_eq!(policy_at(&early, "1920-04-01").regime, Regime::Nep);
    assert_eq!(policy_at(&h, "1920-04-01").regime, Regime::WarCommunism);
    let (rh, re) = (run0(&h), run0(&early));
    assert!(mean(&early, &re, "markets", "1920-03-08", "1921-01-01") == 1.0);
    assert!(
        mean(&early, &re, "market_food", "1920-04", "1921-01")
            > 2.0 * mean(&h, &rh, "market_food", "1920-04", "1921-01")
    );

    let inc = load("inclusive_soviet.toml");
    assert_eq!(
        policy_at(&inc, "1921-05-01").executive,
        Executive::Inclusive
    );
    assert!(!policy_at(&inc, "1921-05-01").target_other_socialists);
    assert!(
        inc.events
            .iter()
            .all(|e| e.event.id != "butyrka" && e.event.id != "workers_group")
    );
    assert!(
        run0(&inc)
            .elections
            .iter()
            .filter(|e| e.class == "large_factory")
            .all(|e| e.executive_party_share < 1.0)
    );

    let eq = load("equal_rations.toml");
    let req = run0(&eq);
    assert_eq!(
        mean(&eq, &req, "ration_inequality", "1920-01", "1921-01"),
        1.0
    );
    assert_eq!(
        mean(&eq, &req, "privilege_ratio", "1920-01", "1922-08"),
        1.0
    );

    let np = load("no_privileges.toml");
    let rnp = run0(&np);
    assert_eq!(
        mean(&np, &rnp, "privilege_ratio", "1920-01", "1925-12"),
        1.0
    );

    let iu = load("independent_unions.toml");
    assert_eq!(
        policy_at(&iu, "1924-01-01").union_funding,
        UnionFunding::Dues
    );
    assert!(!policy_at(&iu, "1924-01-01").clamp_solidarity);
    let riu = run0(&iu);
    assert!(mean(&iu, &riu, "union_dues_share", "1923-01", "1924-01") < 1.0);
    assert_eq!(mean(&h, &rh, "union_dues_share", "1923-02", "1924-01"), 1.0);

    let nle = load("no_lenin_enrolment.toml");
    let rnle = run0(&nle);
    let jump = |res, run| {
        mean(res, run, "party_in_factories", "1924-03", "1924-06")
            / mean(res, run, "party_in_factories", "1923-09", "1924-01")
    };
    assert!(
        jump(&h, &rh) > 1.3 && jump(&nle, &rnle) < 1.1,
        "{} {}",
        jump(&h, &rh),
        jump(&nle, &rnle)
    );

    let nmc = load("no_market_closure.toml");
    assert_eq!(
        policy_at(&nmc, "1921-01-01").markets,
        policy_at(&h, "1920-06-01").markets
    );
    let pump = load("no_pump.toml");
    assert_eq!(
        mean(&pump, &run0(&pump), "promotions", "1920-01", "1925-12"),
        0.0
    );

    let wc = load("war_communism.toml");
    assert_eq!(policy_at(&wc, "1925-01-01").regime, Regime::WarCommunism);
    let lo = load("repression_low.toml");
    let hi = load("repression_high.toml");
    assert_eq!(
        (
            policy_at(&lo, "1923-01-01").repression,
            policy_at(&hi, "1923-01-01").repression
        ),
        (0.5, 2.0)
    );
    assert!(
        !policy_at(&lo, "1923-01-01").mass_sackings
            && !policy_at(&lo, "1923-01-01").target_strike_leaders
    );
    assert!(policy_at(&hi, "1920-06-01").mass_sackings);
}
