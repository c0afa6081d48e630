//! `[mechanisms]`: the behavioural parameters of the published mechanisms and the mechanisms a
//! scenario switches off (docs/ODD.md section 7 and 7.19), with their defaults. Re-exported by
//! [`params`](super::params) with the other tables of a scenario.

use serde::{Deserialize, Serialize};

/// `[mechanisms]`: behavioural parameters of the published mechanisms (see docs/ODD.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MechanismCfg {
    /// Mechanisms switched off, by their names in the registry (`model::registry`; `"all"` for
    /// every one: the null model). Empty: the full model.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub off: Vec<String>,
    /// Epstein (2002): arrest-probability constant k and activation threshold T.
    pub epstein_k: f64,
    pub epstein_threshold: f64,
    /// Weight of relative deprivation (ration gaps, visible privilege) in hardship (Kim & Hanneman 2011).
    pub deprivation_weight: f64,
    /// Legitimacy: response to delivered vs expected living standards (the social contract).
    pub contract_rate: f64,
    /// Legitimacy lost per week per unit of visible privilege.
    pub privilege_rate: f64,
    /// Legitimacy lost per week per unit of witnessed repression (outrage).
    pub outrage_rate: f64,
    /// Legitimacy gained per week when the soviet executive includes the workers' choice,
    /// lost when the workplace's delegates were shut out of it.
    pub inclusion_rate: f64,
    /// Legitimacy gained per week per unit of cell strength (explaining policy).
    pub cell_rate: f64,
    /// Lohmann (1994): legitimacy lost per week per unit of surprise in citywide open dissent.
    pub information_rate: f64,
    /// Weekly pull of legitimacy back toward its long-run anchor (habit, loyalty).
    pub legitimacy_anchor_rate: f64,
    /// Expectations adapt to delivered consumption at this weekly rate.
    pub expectation_rate: f64,
    /// Fear: weekly decay, response to arrests witnessed at the workplace and citywide.
    pub fear_decay: f64,
    pub fear_witness: f64,
    pub fear_city: f64,
    /// Granovetter: weight of a worker's own net grievance against its strike threshold;
    /// thresholds are Beta-like around `strike_threshold_mean`.
    pub strike_grievance_weight: f64,
    pub strike_threshold_mean: f64,
    /// Share of a workforce striking for the workplace to count as on strike.
    pub strike_min_share: f64,
    /// Weight of the sector's strike share (strikes still on) in the union signal.
    pub union_spread: f64,
    /// Sector share expressing dissent at which a union's city-wide assembly sits (recorded).
    pub assembly_threshold: f64,
    /// Kuran: expressive cost of hiding dissent (lowers the bar to speak out).
    pub expressive_cost: f64,
    /// Effort: base, weight of legitimacy, of fear (discipline), of piece rates; hunger penalty.
    pub effort_base: f64,
    pub effort_legitimacy: f64,
    pub effort_fear: f64,
    pub effort_piece: f64,
    /// Weekly probability scale of leaving for the village (× hardship × ties) and of returning.
    pub migrate_leave: f64,
    pub migrate_return: f64,
    /// Weekly probability scale of a party member leaving (× (1 − legitimacy)).
    pub party_leave: f64,
    /// Legitimacy below which party members leave (× `party_leave`).
    pub party_exit_legitimacy: f64,
    /// Weekly probability scale of a dissenting worker joining a dissident group.
    pub dissident_join: f64,
    /// Arrest: mean weeks in custody; share of the arrested who are exiled.
    pub arrest_weeks: f64,
    pub exile_share: f64,
    /// Mean weeks in exile before return (to the village).
    pub exile_weeks: f64,
    /// Weekly share of a party cell's members who report dissent to the Cheka (informers).
    pub informer_share: f64,
    /// Weekly probability a union settles a local strike by negotiation (state-funded union).
    pub settle_rate: f64,
    /// Weeks after which a sacked worker may be re-hired.
    pub blacklist_weeks: f64,
    /// Fear added to every striker of a strike broken by force (deterrence).
    pub suppression_fear: f64,
    /// Household reserves: the weekly rate at which what a household consumes follows what is
    /// delivered (rations and what pay buys); 1 is no reserves.
    pub reserves_rate: f64,
    /// Demobilisation: strike need added just after a strike ended (decays by 20% a week).
    pub demobilisation: f64,
    /// Strike fatigue: need added to every worker of a workplace on strike per week the strike
    /// has lasted (strikers lose pay, funds run out).
    pub strike_fatigue: f64,
    /// Strike need added by what a strike costs: times the share of a household's consumption
    /// that a week's pay buys (strikers are not paid).
    pub strike_cost: f64,
    /// Need taken off every worker of a workplace with a concrete demand: all of it while its
    /// wages are in arrears, its ration's gap to the best ration (1 − ration/best) otherwise.
    pub shared_demand: f64,
    /// Cheka arrest capacity: arrests per 1,000 city workers per week at repression intensity 1.
    pub cheka_capacity: f64,
    /// Standing surveillance: watchers per worker at repression intensity 1 (Epstein's cop density)
    /// in a workplace of 60; it grows as workforce^`surveillance_exponent`.
    pub surveillance: f64,
    /// Exponent of standing surveillance in the workforce (< 1: safety in a big factory's crowd).
    pub surveillance_exponent: f64,
    /// Extra supervision of office workers (multiplier of standing surveillance).
    pub office_supervision: f64,
    /// Abstention per unit of private dissent not expressed (Kuran: hidden dissent stays away).
    pub abstention: f64,
    /// Abstention per unit of legitimacy withheld (1 − L): the soviet seen as a formality.
    pub alienation: f64,
    /// Weekly recovery of a workplace's faith that its vote counts after its delegates were
    /// shut out of the executive (the memory of exclusion fades).
    pub efficacy_recovery: f64,
    /// Legitimacy below which an unaffiliated worker who speaks out votes against the party.
    pub opposition_vote: f64,
}

impl Default for MechanismCfg {
    fn default() -> Self {
        MechanismCfg {
            off: Vec::new(),
            epstein_k: 2.3,
            epstein_threshold: 0.1,
            deprivation_weight: 0.3,
            contract_rate: 0.02,
            privilege_rate: 0.01,
            outrage_rate: 0.3,
            inclusion_rate: 0.002,
            cell_rate: 0.01,
            information_rate: 0.05,
            legitimacy_anchor_rate: 0.02,
            expectation_rate: 0.03,
            fear_decay: 0.05,
            fear_witness: 2.0,
            fear_city: 20.0,
            strike_grievance_weight: 1.2,
            strike_threshold_mean: 0.4,
            strike_min_share: 0.2,
            union_spread: 1.0,
            assembly_threshold: 0.25,
            expressive_cost: 0.3,
            effort_base: 0.45,
            effort_legitimacy: 0.35,
            effort_fear: 0.1,
            effort_piece: 0.2,
            migrate_leave: 0.004,
            migrate_return: 0.04,
            party_leave: 0.01,
            party_exit_legitimacy: 0.55,
            dissident_join: 0.003,
            arrest_weeks: 8.0,
            exile_share: 0.2,
            exile_weeks: 104.0,
            informer_share: 0.2,
            settle_rate: 0.5,
            blacklist_weeks: 26.0,
            suppression_fear: 0.4,
            reserves_rate: 0.4,
            demobilisation: 0.5,
            strike_fatigue: 0.05,
            strike_cost: 0.2,
            shared_demand: 0.2,
            cheka_capacity: 0.3,
            surveillance: 0.1,
            surveillance_exponent: 0.8,
            office_supervision: 2.0,
            abstention: 0.8,
            alienation: 0.7,
            efficacy_recovery: 0.003,
            opposition_vote: 0.48,
        }
    }
}
