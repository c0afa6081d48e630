//! The range of every number of a scenario, checked after `extends` is resolved (and again for
//! every event's policy and economy, and every design point of a sweep): a range the model can
//! run, the first violation named by its dotted key with what is allowed.

use super::params::{EconomyCfg, PolicyCfg, Scenario};

/// A range violation: the dotted key and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeError {
    pub key: String,
    pub message: String,
}

struct Checker(Vec<RangeError>);

impl Checker {
    fn range(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(v >= lo && v <= hi) {
            self.0.push(RangeError {
                key: key.into(),
                message: format!("{v} is out of range; allowed {lo} to {hi}"),
            });
        }
    }
}

impl Scenario {
    /// Checks every numeric parameter against its range. Returns the first violation.
    pub fn validate_ranges(&self) -> Result<(), RangeError> {
        let mut c = Checker(Vec::new());
        // A strike is a share of the workforce out: a share of zero would be no strike at all.
        c.range(
            "mechanisms.strike_min_share",
            self.mechanisms.strike_min_share,
            0.01,
            1.0,
        );
        self.run_ranges(&mut c);
        self.population_ranges(&mut c);
        self.workplace_ranges(&mut c);
        self.economy.check(&mut c, "economy");
        self.mechanism_ranges(&mut c);
        self.policy.check(&mut c, "policy");
        self.event_ranges(&mut c);
        match c.0.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `[run]`: replicates and scale.
    fn run_ranges(&self, c: &mut Checker) {
        let r = &self.run;
        if r.replicates == 0 || r.replicates > 100_000 {
            c.0.push(RangeError {
                key: "run.replicates".into(),
                message: format!("{} is out of range; allowed 1 to 100000", r.replicates),
            });
        }
        if !(1_000..=5_000_000).contains(&r.scale) {
            c.0.push(RangeError {
                key: "run.scale".into(),
                message: format!(
                    "{} is out of range; allowed 1000 to 5000000 worker agents",
                    r.scale
                ),
            });
        }
    }

    /// `[population]`: counts, shares, and shares that must sum to at most 1.
    fn population_ranges(&self, c: &mut Checker) {
        let p = &self.population;
        c.range(
            "population.represented_workers",
            p.represented_workers,
            1_000.0,
            10_000_000.0,
        );
        c.range(
            "population.persons_per_worker",
            p.persons_per_worker,
            1.0,
            10.0,
        );
        c.range(
            "population.population_1917",
            p.population_1917,
            1.0,
            100_000_000.0,
        );
        c.range("population.village_pool", p.village_pool, 0.0, 5.0);
        for (k, v) in [
            ("unemployed_share", p.unemployed_share),
            ("female_share", p.female_share),
            ("cadre_share", p.cadre_share),
            ("ties_cadre", p.ties_cadre),
            ("ties_migrant", p.ties_migrant),
            ("skilled_share", p.skilled_share),
            ("semiskilled_share", p.semiskilled_share),
            ("party_share", p.party_share),
            ("nonparty_socialist_share", p.nonparty_socialist_share),
            ("sr_share", p.sr_share),
            ("menshevik_share", p.menshevik_share),
            ("anarchist_share", p.anarchist_share),
            ("party_recent_share", p.party_recent_share),
            ("legitimacy_mean", p.legitimacy_mean),
            ("legitimacy_spread", p.legitimacy_spread),
        ] {
            c.range(&format!("population.{k}"), v, 0.0, 1.0);
        }
        let pol_sum = p.party_share
            + p.nonparty_socialist_share
            + p.sr_share
            + p.menshevik_share
            + p.anarchist_share;
        c.range("population.party_share", pol_sum, 0.0, 1.0);
        c.range(
            "population.semiskilled_share",
            p.skilled_share + p.semiskilled_share,
            0.0,
            1.0,
        );
        // Party members in administration are agents of their own: no more of them than the
        // workers the city's agents stand for, or the agents would outnumber the scale.
        c.range(
            "population.party_in_administration",
            p.party_in_administration,
            0.0,
            p.represented_workers.clamp(0.0, 10_000_000.0),
        );
        c.range("population.officials", p.officials, 0.0, 10_000_000.0);
    }

    /// `[workplaces]`: shares summing to 1, sizes, delegates, committee terms.
    fn workplace_ranges(&self, c: &mut Checker) {
        let w = &self.workplaces;
        for (k, v) in [
            ("large_share", w.large_share),
            ("small_share", w.small_share),
            ("office_share", w.office_share),
            ("defence_share", w.defence_share),
        ] {
            c.range(&format!("workplaces.{k}"), v, 0.0, 1.0);
        }
        let total = w.large_share + w.small_share + w.office_share;
        if (total - 1.0).abs() > 1e-6 {
            c.0.push(RangeError {
                key: "workplaces.large_share".into(),
                message: format!(
                    "large_share + small_share + office_share = {total}; allowed: they sum to 1"
                ),
            });
        }
        c.range("workplaces.large_size", w.large_size, 500.0, 20_000.0);
        c.range("workplaces.small_size", w.small_size, 2.0, 499.0);
        c.range("workplaces.office_size", w.office_size, 2.0, 5_000.0);
        let ss: f64 = w.sector_shares.iter().sum();
        if w.sector_shares.iter().any(|s| s.is_nan() || *s < 0.0) || (ss - 1.0).abs() > 1e-6 {
            c.0.push(RangeError { key: "workplaces.sector_shares".into(), message: "allowed: six non-negative shares (metal, textile, clothing, transport, food, other) summing to 1".into() });
        }
        c.range(
            "workplaces.delegates_per_worker",
            w.delegates_per_worker,
            0.0001,
            0.1,
        );
        c.range(
            "workplaces.institutional_delegates",
            w.institutional_delegates,
            0.0,
            0.9,
        );
        if w.committee_term_weeks == 0 {
            c.0.push(RangeError {
                key: "workplaces.committee_term_weeks".into(),
                message: "0 is out of range; allowed 1 or more".into(),
            });
        }
    }

    /// `[mechanisms]`: the names of the mechanisms switched off; rates, shares and durations.
    fn mechanism_ranges(&self, c: &mut Checker) {
        let m = &self.mechanisms;
        for name in &m.off {
            if name == "all" || crate::model::registry::Mechanism::named(name).is_some() {
                continue;
            }
            if let Some(now) = crate::model::registry::Mechanism::formerly(name) {
                c.0.push(RangeError {
                    key: "mechanisms.off".into(),
                    message: format!(
                        "`{name}` is no longer a mechanism of its own: it is part of `{}` (`pact mechanisms` lists them)",
                        now.name()
                    ),
                });
            } else {
                let mut known: Vec<&str> = crate::model::registry::Mechanism::ALL
                    .iter()
                    .map(|m| m.name())
                    .collect();
                known.sort_by_key(|k| strsim::levenshtein(k, name));
                c.0.push(RangeError {
                    key: "mechanisms.off".into(),
                    message: format!(
                        "`{name}` is no mechanism of the registry (nearest: `{}`; \"all\" for every one; `pact mechanisms` lists them)",
                        known[0]
                    ),
                });
            }
        }
        c.range("mechanisms.epstein_k", m.epstein_k, 0.0, 20.0);
        c.range(
            "mechanisms.epstein_threshold",
            m.epstein_threshold,
            0.0,
            1.0,
        );
        c.range(
            "mechanisms.deprivation_weight",
            m.deprivation_weight,
            0.0,
            1.0,
        );
        for (k, v) in [
            ("contract_rate", m.contract_rate),
            ("privilege_rate", m.privilege_rate),
            ("outrage_rate", m.outrage_rate),
            ("inclusion_rate", m.inclusion_rate),
            ("cell_rate", m.cell_rate),
            ("information_rate", m.information_rate),
            ("fear_witness", m.fear_witness),
            ("fear_city", m.fear_city),
            ("strike_grievance_weight", m.strike_grievance_weight),
            ("union_spread", m.union_spread),
            ("expressive_cost", m.expressive_cost),
        ] {
            c.range(&format!("mechanisms.{k}"), v, 0.0, 100.0);
        }
        for (k, v) in [
            ("legitimacy_anchor_rate", m.legitimacy_anchor_rate),
            ("expectation_rate", m.expectation_rate),
            ("fear_decay", m.fear_decay),
            ("strike_threshold_mean", m.strike_threshold_mean),
            ("assembly_threshold", m.assembly_threshold),
            ("effort_base", m.effort_base),
            ("effort_legitimacy", m.effort_legitimacy),
            ("effort_fear", m.effort_fear),
            ("effort_piece", m.effort_piece),
            ("migrate_leave", m.migrate_leave),
            ("migrate_return", m.migrate_return),
            ("party_leave", m.party_leave),
            ("party_exit_legitimacy", m.party_exit_legitimacy),
            ("dissident_join", m.dissident_join),
            ("exile_share", m.exile_share),
            ("suppression_fear", m.suppression_fear),
            ("demobilisation", m.demobilisation),
            ("strike_fatigue", m.strike_fatigue),
            ("strike_cost", m.strike_cost),
            ("shared_demand", m.shared_demand),
            ("informer_share", m.informer_share),
            ("settle_rate", m.settle_rate),
        ] {
            c.range(&format!("mechanisms.{k}"), v, 0.0, 1.0);
        }
        c.range("mechanisms.arrest_weeks", m.arrest_weeks, 1.0, 520.0);
        c.range("mechanisms.exile_weeks", m.exile_weeks, 1.0, 1040.0);
        c.range("mechanisms.blacklist_weeks", m.blacklist_weeks, 0.0, 520.0);
        c.range("mechanisms.cheka_capacity", m.cheka_capacity, 0.0, 100.0);
        c.range("mechanisms.surveillance", m.surveillance, 0.0, 1.0);
        c.range(
            "mechanisms.surveillance_exponent",
            m.surveillance_exponent,
            0.0,
            1.0,
        );
        c.range(
            "mechanisms.office_supervision",
            m.office_supervision,
            0.0,
            10.0,
        );
        c.range("mechanisms.abstention", m.abstention, 0.0, 1.0);
        c.range("mechanisms.alienation", m.alienation, 0.0, 1.0);
        // A rate of 0 would freeze consumption at the first week's.
        c.range("mechanisms.reserves_rate", m.reserves_rate, 0.01, 1.0);
        c.range(
            "mechanisms.efficacy_recovery",
            m.efficacy_recovery,
            0.0,
            1.0,
        );
        c.range("mechanisms.opposition_vote", m.opposition_vote, 0.0, 1.0);
    }

    /// Each event's one-shot actions (shares of 0 to 1).
    fn event_ranges(&self, c: &mut Checker) {
        for (i, e) in self.events.iter().enumerate() {
            for (k, v) in [
                ("purge", e.purge),
                ("enrolment", e.enrolment),
                ("exemplary_repression", e.exemplary_repression),
                ("crackdown", e.crackdown),
                ("party_debate", e.party_debate),
            ] {
                c.range(&format!("event[{i}].{k}"), v, 0.0, 1.0);
            }
        }
    }
}

impl EconomyCfg {
    fn check(&self, c: &mut Checker, at: &str) {
        for (y, h) in &self.harvest {
            if y.len() != 4 || y.parse::<i32>().is_err() {
                c.0.push(RangeError {
                    key: format!("{at}.harvest.{y}"),
                    message: "allowed: a four-digit year as the key".into(),
                });
            }
            c.range(&format!("{at}.harvest.{y}"), *h, 0.0, 2.0);
        }
        for (k, v) in [("transport", self.transport), ("fuel", self.fuel)] {
            c.range(&format!("{at}.{k}"), v, 0.0, 2.0);
        }
        for (k, v) in [
            ("procurement_requisition", self.procurement_requisition),
            ("procurement_tax", self.procurement_tax),
            ("incentive_start", self.incentive_start),
            ("incentive_requisition", self.incentive_requisition),
            ("incentive_rate", self.incentive_rate),
            ("incentive_goods", self.incentive_goods),
            ("investment_requisition", self.investment_requisition),
            ("investment_tax", self.investment_tax),
            ("depreciation", self.depreciation),
            ("wc_money_value", self.wc_money_value),
            ("arrears_risk", self.arrears_risk),
        ] {
            c.range(&format!("{at}.{k}"), v, 0.0, 1.0);
        }
        for (k, v) in [
            ("ration_scale", self.ration_scale),
            ("market_scale", self.market_scale),
            ("capacity_start", self.capacity_start),
            ("wage_scale", self.wage_scale),
            ("subsistence", self.subsistence),
            ("village_food", self.village_food),
        ] {
            c.range(&format!("{at}.{k}"), v, 0.0, 10.0);
        }
    }
}

impl PolicyCfg {
    fn check(&self, c: &mut Checker, at: &str) {
        for (k, v) in [
            ("markets", self.markets),
            ("ration_share", self.ration_share),
            ("ration_equality", self.ration_equality),
            ("privilege_visibility", self.privilege_visibility),
            ("corruption", self.corruption),
            ("leased_share", self.leased_share),
            ("recruitment", self.recruitment),
            ("promotion", self.promotion),
            ("appointment_rate", self.appointment_rate),
        ] {
            c.range(&format!("{at}.{k}"), v, 0.0, 1.0);
        }
        c.range(&format!("{at}.privilege"), self.privilege, 1.0, 100.0);
        c.range(&format!("{at}.repression"), self.repression, 0.0, 20.0);
        c.range(
            &format!("{at}.officials_per_output"),
            self.officials_per_output,
            0.0,
            10_000_000.0,
        );
    }
}
