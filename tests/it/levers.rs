//! Each policy lever moves the outputs it drives in the direction it should. Same seed on both
//! sides (common random numbers), small scale.

use crate::support::*;

const SCALE: u64 = 4_000;

/// Runs the historical baseline with `extra` TOML appended, to `end`.
fn with(extra: &str, end: &str) -> (pact::scenario::Resolved, pact::model::record::RunRecord) {
    let res = historical_with(extra, SCALE, end);
    let run = run0(&res);
    (res, run)
}

fn m(
    r: &(pact::scenario::Resolved, pact::model::record::RunRecord),
    col: &str,
    from: &str,
    to: &str,
) -> f64 {
    mean(&r.0, &r.1, col, from, to)
}

#[test]
fn repression_raises_arrests_and_fear_and_lowers_open_dissent() {
    let low = with("[policy]\nrepression = 0.3\n", "1921-12-31");
    let high = with("[policy]\nrepression = 3.0\n", "1921-12-31");
    assert!(
        m(&high, "arrests", "1920-01", "1922-01") > 2.0 * m(&low, "arrests", "1920-01", "1922-01")
    );
    // Deterrence, with strikes (and their suppression) switched off: fear follows arrests.
    let calm = "[mechanisms]\nstrike_threshold_mean = 1.0\nstrike_grievance_weight = 0.0\n";
    let low = with(&format!("{calm}[policy]\nrepression = 0.3\n"), "1920-12-31");
    let high = with(&format!("{calm}[policy]\nrepression = 3.0\n"), "1920-12-31");
    assert_eq!(
        m(&high, "strikers", "1920-01", "1921-01") + m(&low, "strikers", "1920-01", "1921-01"),
        0.0
    );
    assert!(m(&high, "fear", "1920-01", "1921-01") > m(&low, "fear", "1920-01", "1921-01"));
    assert!(
        m(&high, "dissent_public", "1920-01", "1922-01")
            < m(&low, "dissent_public", "1920-01", "1922-01")
    );
}

#[test]
fn the_january_1921_ration_cut_drives_the_strike_wave() {
    let base = with("", "1921-06-30");
    let no_cut = with(
        "[[event]]\nid = \"transport_crisis\"\nenabled = false\n",
        "1921-06-30",
    );
    let wave = m(&base, "strikers", "1921-01-17", "1921-05-01");
    assert!(wave > 0.0);
    assert!(
        wave > 2.0 * m(&no_cut, "strikers", "1921-01-17", "1921-05-01"),
        "{wave} vs {}",
        m(&no_cut, "strikers", "1921-01-17", "1921-05-01")
    );
    assert!(
        m(&base, "real_wage", "1921-02", "1921-03") < m(&no_cut, "real_wage", "1921-02", "1921-03")
    );
}

#[test]
fn equal_rations_lower_ration_inequality() {
    let unequal = with("[policy]\nration_equality = 0.0\n", "1920-06-30");
    let equal = with(
        "[policy]\nration_equality = 1.0\nspecial_rations = false\n",
        "1920-06-30",
    );
    assert!(m(&unequal, "ration_inequality", "1920-01", "1920-07") > 1.5);
    assert!((m(&equal, "ration_inequality", "1920-01", "1920-07") - 1.0).abs() < 1e-6);
}

#[test]
fn markets_and_nep_feed_the_city_and_raise_wages() {
    let closed = with("[policy]\nmarkets = 0.0\n", "1920-06-30");
    let open = with("[policy]\nmarkets = 1.0\n", "1920-06-30");
    assert!(
        m(&open, "market_food", "1920-01", "1920-07")
            > m(&closed, "market_food", "1920-01", "1920-07")
    );
    assert_eq!(m(&closed, "market_food", "1920-01", "1920-07"), 0.0);
    let wc = historical_with("", SCALE, "1923-12-31");
    let wc_file = pact::scenario::load(&scenario("war_communism.toml")).unwrap();
    assert!(wc_file.events.iter().all(|e| e.event.id != "nep"));
    let nep = run0(&wc);
    let mut wc_res = wc_file.clone();
    wc_res.scenario.run.scale = SCALE;
    let wc_run = run0(&wc_res);
    assert!(
        mean(&wc, &nep, "real_wage", "1923-01", "1924-01")
            > 2.0 * mean(&wc_res, &wc_run, "real_wage", "1923-01", "1924-01")
    );
    assert!(
        mean(&wc, &nep, "capacity", "1923-06", "1923-07")
            > mean(&wc_res, &wc_run, "capacity", "1923-06", "1923-07")
    );
}

#[test]
fn visible_privilege_costs_legitimacy() {
    let hidden = with("[policy]\nprivilege_visibility = 0.0\n", "1920-12-31");
    let flaunted = with(
        "[policy]\nprivilege_visibility = 1.0\nprivilege = 10.0\n",
        "1920-12-31",
    );
    assert!(
        m(&flaunted, "legitimacy", "1920-06", "1921-01")
            < m(&hidden, "legitimacy", "1920-06", "1921-01")
    );
}

#[test]
fn inclusive_executive_shares_seats() {
    let party_only = with("", "1921-05-31");
    let inclusive = with(
        "[[event]]\nid = \"nep\"\npolicy = { executive = \"inclusive\" }\n",
        "1921-05-31",
    );
    assert!(
        party_only
            .1
            .elections
            .iter()
            .all(|e| e.executive == "party_only" && e.executive_party_share == 1.0)
    );
    assert!(
        inclusive
            .1
            .elections
            .iter()
            .all(|e| e.executive == "inclusive" && e.executive_party_share < 1.0)
    );
}

#[test]
fn promotions_pump_members_out_of_the_factories() {
    let pump = with("[policy]\npromotion = 0.02\n", "1920-12-31");
    let none = with("[policy]\npromotion = 0.0\n", "1920-12-31");
    assert!(
        m(&pump, "party_in_administration", "1920-12", "1921-01")
            > m(&none, "party_in_administration", "1920-12", "1921-01")
    );
    assert!(
        m(&pump, "party_in_factories", "1920-12", "1921-01")
            < m(&none, "party_in_factories", "1920-12", "1921-01")
    );
    assert_eq!(m(&none, "promotions", "1920-01", "1921-01"), 0.0);
}

#[test]
fn enrolment_and_purge_move_membership() {
    let r = with("", "1924-03-31");
    let before = m(&r, "party_in_factories", "1924-01-14", "1924-01-21");
    let after = m(&r, "party_in_factories", "1924-02-04", "1924-02-11");
    assert!(after > 1.3 * before, "enrolment: {before} -> {after}");
    let before = m(&r, "party_members", "1921-08-08", "1921-08-15");
    let after = m(&r, "party_members", "1921-08-15", "1921-08-22");
    assert!(after < 0.97 * before, "purge: {before} -> {after}");
}

#[test]
fn dues_funding_shows_in_the_dues_share() {
    let state = with("", "1920-03-31");
    let dues = with("[policy]\nunion_funding = \"dues\"\n", "1920-03-31");
    assert_eq!(m(&state, "union_dues_share", "1920-01", "1920-04"), 1.0);
    assert!(m(&dues, "union_dues_share", "1920-01", "1920-04") < 1.0);
}

#[test]
fn mass_sackings_and_negotiation_change_how_strikes_end() {
    // A lower strike threshold so strikes happen in 1920 under either policy.
    let hot = "[mechanisms]\nstrike_threshold_mean = 0.2\n";
    let sack = with(
        &format!("{hot}[policy]\nmass_sackings = true\nnegotiate_local = false\n"),
        "1921-06-30",
    );
    let talk = with(
        &format!(
            "{hot}[policy]\nmass_sackings = false\nnegotiate_local = true\nclamp_solidarity = false\n"
        ),
        "1921-06-30",
    );
    // Before NEP (whose event turns negotiation on in March 1921).
    let (a, b) = ("1920-01", "1921-03-15");
    let settled =
        |r| m(r, "strikes_settled_local", a, b) + m(r, "strikes_settled_solidarity", a, b);
    let suppressed =
        |r| m(r, "strikes_suppressed_local", a, b) + m(r, "strikes_suppressed_solidarity", a, b);
    assert!(
        settled(&talk) > 0.0 && suppressed(&talk) == 0.0,
        "{} {}",
        settled(&talk),
        suppressed(&talk)
    );
    assert!(
        suppressed(&sack) > 0.0 && settled(&sack) == 0.0,
        "{} {}",
        suppressed(&sack),
        settled(&sack)
    );
    assert!(m(&sack, "sackings", a, b) > m(&talk, "sackings", a, b));
}

#[test]
fn crackdown_shrinks_dissident_groups() {
    let r = with("", "1923-04-30");
    let before = m(
        &r,
        "dissident_socialist_parties",
        "1923-02-26",
        "1923-03-05",
    );
    let after = m(
        &r,
        "dissident_socialist_parties",
        "1923-03-05",
        "1923-03-12",
    );
    assert!(after < 0.8 * before, "{before} -> {after}");
}

/// Share voting against the death-penalty resolution at the June 1922 meetings.
fn sr_trial_against(r: &pact::model::record::RunRecord) -> f64 {
    let rows: Vec<_> = r
        .campaigns
        .iter()
        .filter(|c| c.campaign == "sr_trial_death_penalty")
        .collect();
    let voted: f64 = rows.iter().map(|c| c.votes_for + c.votes_against).sum();
    rows.iter().map(|c| c.votes_against).sum::<f64>() / voted
}

#[test]
fn repression_and_fear_silence_the_vote_against_the_death_penalty() {
    // Voting against in an open meeting is speaking out: the risk of being seen and fear
    // weigh on it, so fewer refuse the resolution under heavier repression.
    let low = with("[policy]\nrepression = 0.3\n", "1922-07-01");
    let high = with("[policy]\nrepression = 3.0\n", "1922-07-01");
    let (l, h) = (sr_trial_against(&low.1), sr_trial_against(&high.1));
    assert!(l > h + 0.01 && h > 0.0, "low repression {l}, high {h}");
}

#[test]
fn an_inclusive_executive_restores_the_vote_s_efficacy() {
    // Political withdrawal: workplaces shut out of the April 1921 executive abstain in 1923;
    // under an inclusive executive every vote counts and they abstain far less.
    let abstain = |r: &pact::model::record::RunRecord| {
        let rows: Vec<_> = r
            .elections
            .iter()
            .filter(|e| e.week > 180 && e.class == "large_factory")
            .collect();
        rows.iter().map(|e| e.abstentions).sum::<f64>()
            / rows.iter().map(|e| e.electorate).sum::<f64>()
    };
    let party_only = with("", "1923-12-31");
    let inclusive = with("[policy]\nexecutive = \"inclusive\"\n", "1923-12-31");
    let (p, i) = (abstain(&party_only.1), abstain(&inclusive.1));
    assert!(p > i + 0.1, "party-only {p}, inclusive {i}");
}
