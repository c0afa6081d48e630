//! Model parameters: the TOML-facing types of a scenario, their defaults and their ranges.
//!
//! Every struct has `#[serde(default, deny_unknown_fields)]`: a scenario file only states what it
//! changes, an unknown key is an error, and a missing key takes the default documented here and
//! in `docs/ODD.md`. `validate` checks ranges after `extends` has been resolved.

pub use super::mechanisms::MechanismCfg;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[run]`: the clock, the randomness and the size of the city.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RunCfg {
    /// First day of the first week (`YYYY-MM-DD`).
    pub start: String,
    /// Last day covered by the run.
    pub end: String,
    /// Master seed; replicate seeds derive from it.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: u32,
    /// Number of worker agents (1,000 to 5,000,000). Counts are reported in persons.
    pub scale: u64,
    /// Dates at which `summary.json` reports medians and bands.
    pub summary_dates: Vec<String>,
}

impl Default for RunCfg {
    fn default() -> Self {
        RunCfg {
            start: "1920-01-05".into(),
            end: "1925-12-28".into(),
            seed: 1921,
            replicates: 1,
            scale: 200_000,
            summary_dates: [
                "1920-07-05",
                "1921-03-01",
                "1922-03-01",
                "1923-03-01",
                "1924-03-01",
                "1925-10-01",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }
}

/// `[population]`: who the workers are at the start.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationCfg {
    /// Persons represented by the worker agents in the city at the start (workers, incl. unemployed).
    pub represented_workers: f64,
    /// City residents per worker (households, dependants): city population = workers × this.
    pub persons_per_worker: f64,
    /// Moscow's population in 1917, for the population index (reporting only).
    pub population_1917: f64,
    /// Former workers living in the villages at the start, relative to workers in the city.
    pub village_pool: f64,
    /// Share of city workers unemployed at the start.
    pub unemployed_share: f64,
    pub female_share: f64,
    /// Share of pre-war cadre workers (the rest are recent migrants).
    pub cadre_share: f64,
    /// Mean village ties (0..1) of cadre workers and of recent migrants.
    pub ties_cadre: f64,
    pub ties_migrant: f64,
    pub skilled_share: f64,
    pub semiskilled_share: f64,
    /// Political identities among city workers at the start (the rest are unaffiliated).
    pub party_share: f64,
    pub nonparty_socialist_share: f64,
    pub sr_share: f64,
    pub menshevik_share: f64,
    pub anarchist_share: f64,
    /// Party members already in administration at the start, in persons.
    pub party_in_administration: f64,
    /// Share of party members who joined in the year before the start.
    pub party_recent_share: f64,
    /// Responsible officials at the start, in persons.
    pub officials: f64,
    /// Mean initial legitimacy the workers grant the party (0..1) and its spread.
    pub legitimacy_mean: f64,
    pub legitimacy_spread: f64,
}

impl Default for PopulationCfg {
    fn default() -> Self {
        PopulationCfg {
            represented_workers: 200_000.0,
            persons_per_worker: 2.5,
            population_1917: 1_000_000.0,
            village_pool: 1.0,
            unemployed_share: 0.03,
            female_share: 0.42,
            cadre_share: 0.4,
            ties_cadre: 0.25,
            ties_migrant: 0.7,
            skilled_share: 0.3,
            semiskilled_share: 0.35,
            party_share: 0.06,
            nonparty_socialist_share: 0.10,
            sr_share: 0.025,
            menshevik_share: 0.02,
            anarchist_share: 0.01,
            party_in_administration: 16_000.0,
            party_recent_share: 0.3,
            officials: 9_000.0,
            legitimacy_mean: 0.6,
            legitimacy_spread: 0.15,
        }
    }
}

/// `[workplaces]`: the city's workplaces by size class and sector.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WorkplaceCfg {
    /// Shares of the workforce in large factories, small workplaces and offices (sum to 1).
    pub large_share: f64,
    pub small_share: f64,
    pub office_share: f64,
    /// Mean size (workers) of each class.
    pub large_size: f64,
    pub small_size: f64,
    pub office_size: f64,
    /// Shares of factory workers by sector: metal, textile, clothing, transport, food, other.
    pub sector_shares: [f64; 6],
    /// Share of factories supplying the army (entitled to special rations).
    pub defence_share: f64,
    /// Soviet delegates per worker (at least one per workplace).
    pub delegates_per_worker: f64,
    /// Share of soviet seats held by delegates of party, union and army bodies (party members).
    pub institutional_delegates: f64,
    /// Weeks between factory-committee elections.
    pub committee_term_weeks: u32,
}

impl Default for WorkplaceCfg {
    fn default() -> Self {
        WorkplaceCfg {
            large_share: 0.55,
            small_share: 0.25,
            office_share: 0.20,
            large_size: 1200.0,
            small_size: 60.0,
            office_size: 120.0,
            sector_shares: [0.34, 0.24, 0.12, 0.14, 0.10, 0.06],
            defence_share: 0.3,
            delegates_per_worker: 0.01,
            institutional_delegates: 0.15,
            committee_term_weeks: 26,
        }
    }
}

/// `[economy]`: the city's economy. Harvests, transport and fuel are exogenous inputs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct EconomyCfg {
    /// Exogenous: harvest index (1913 = 1) by agricultural year; the harvest of year Y feeds the
    /// city from 1 September of Y to 31 August of Y+1.
    pub harvest: BTreeMap<String, f64>,
    /// Exogenous: rail transport index (1913 = 1): share of procured food that reaches Moscow.
    pub transport: f64,
    /// Exogenous: fuel supply index (1913 = 1) limiting industrial production.
    pub fuel: f64,
    /// Share of the harvest the state procures under requisitioning / under the tax in kind.
    pub procurement_requisition: f64,
    pub procurement_tax: f64,
    /// Conversion of procured food reaching Moscow into the ration pool (1913 consumption units per worker).
    pub ration_scale: f64,
    /// Scale of peasant food sold on markets (per worker, 1913 units) when markets are fully open.
    pub market_scale: f64,
    /// Peasant incentive to sell (0..1) at the start; it moves toward 1 under the tax in kind
    /// and toward `incentive_requisition` under requisitioning.
    pub incentive_start: f64,
    pub incentive_requisition: f64,
    /// Weekly adjustment rate of peasant incentive.
    pub incentive_rate: f64,
    /// Terms of trade: the share of the peasants' incentive to sell under the tax in kind that
    /// waits on industrial goods to buy (the output index, 1913 = 1); the rest is sold for the
    /// tax and for money.
    pub incentive_goods: f64,
    /// Industrial capacity (1913 = 1) at the start.
    pub capacity_start: f64,
    /// Weekly investment out of output (share of output index) and weekly depreciation.
    pub investment_requisition: f64,
    pub investment_tax: f64,
    pub depreciation: f64,
    /// Money wage of a worker at 1913 productivity, in 1913 consumption units.
    pub wage_scale: f64,
    /// Real value of money wages under war-communism inflation (most value destroyed).
    pub wc_money_value: f64,
    /// Consumption (1913 = 1) below which a worker goes hungry.
    pub subsistence: f64,
    /// Village food per person relative to 1913 city consumption, times the harvest.
    pub village_food: f64,
    /// Weekly probability a workplace with cash shortfalls falls into wage arrears under money wages.
    pub arrears_risk: f64,
}

impl Default for EconomyCfg {
    fn default() -> Self {
        let harvest = [
            ("1919", 0.62),
            ("1920", 0.55),
            ("1921", 0.42),
            ("1922", 0.72),
            ("1923", 0.8),
            ("1924", 0.78),
            ("1925", 0.95),
        ]
        .iter()
        .map(|(y, h)| (y.to_string(), *h))
        .collect();
        EconomyCfg {
            harvest,
            transport: 0.6,
            fuel: 0.6,
            procurement_requisition: 0.3,
            procurement_tax: 0.18,
            ration_scale: 1.1,
            market_scale: 1.1,
            incentive_start: 0.5,
            incentive_requisition: 0.4,
            incentive_rate: 0.01,
            incentive_goods: 0.5,
            capacity_start: 0.4,
            investment_requisition: 0.001,
            investment_tax: 0.016,
            depreciation: 0.0004,
            wage_scale: 1.2,
            wc_money_value: 0.05,
            subsistence: 0.4,
            village_food: 0.7,
            arrears_risk: 0.06,
        }
    }
}

/// The economic regime.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Requisitioning, rations by category, market bans, labour mobilisation.
    WarCommunism,
    /// Tax in kind, legal markets, money wages, leasing.
    Nep,
}

/// How workers are paid.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PaySystem {
    /// Payment in kind: rations are the wage.
    Rations,
    /// Money wages (plus whatever rations remain).
    Money,
    /// Money wages by piece rates: pay follows individual effort.
    PieceRates,
}

/// How the soviet executive is formed after an election.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Executive {
    /// Only the party's delegates (the historical April 1921 choice).
    PartyOnly,
    /// Seats in proportion to delegates, non-party socialists included.
    Inclusive,
}

/// How unions are funded.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnionFunding {
    /// Dues deducted from wages; the apparatus is state-funded.
    State,
    /// Dues paid voluntarily by members to shop-floor activists.
    Dues,
}

/// `[policy]`: every lever of the brief. All can be changed by date through `[[event]]`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyCfg {
    pub regime: Regime,
    pub pay_system: PaySystem,
    /// Market openness (0 closed by force .. 1 legal markets).
    pub markets: f64,
    /// Labour mobilisation: workers held at their posts, jobs kept regardless of output.
    pub labour_mobilisation: bool,
    /// Share of rations still paid in kind alongside money wages (1 under war communism).
    pub ration_share: f64,
    /// Ration equality (0 = full category differentials, 1 = one ration for all).
    pub ration_equality: f64,
    /// Special rations for defence factories and favoured organisations.
    pub special_rations: bool,
    /// Officials' consumption relative to a worker's (the privilege ratio).
    pub privilege: f64,
    /// How visible privilege is to workers (0 hidden .. 1 flaunted).
    pub privilege_visibility: f64,
    /// Share of the ration pool lost to corruption and officials' extra rations.
    pub corruption: f64,
    /// Share of small workplaces leased to private operators.
    pub leased_share: f64,
    /// Repression intensity (multiplier of the Cheka's arrest capacity; 1 = historical 1920).
    pub repression: f64,
    /// Targeting of the Cheka.
    pub target_activists: bool,
    pub target_strike_leaders: bool,
    pub target_dissident_groups: bool,
    pub target_other_socialists: bool,
    /// Strike policy: negotiate local disputes; clamp down on solidarity strikes; sack whole workforces.
    pub negotiate_local: bool,
    pub clamp_solidarity: bool,
    pub mass_sackings: bool,
    /// How the soviet executive is formed.
    pub executive: Executive,
    pub union_funding: UnionFunding,
    /// Party recruitment: weekly probability scale for sympathetic workers to join.
    pub recruitment: f64,
    /// Promotions ("the pump"): weekly share of factory party members promoted into administration.
    pub promotion: f64,
    /// Responsible officials demanded per unit of output index (the apparatus the secretariat builds).
    pub officials_per_output: f64,
    /// Weekly rate at which the secretariat closes the gap to the officials it demands.
    pub appointment_rate: f64,
}

impl Default for PolicyCfg {
    fn default() -> Self {
        PolicyCfg {
            regime: Regime::WarCommunism,
            pay_system: PaySystem::Rations,
            markets: 0.3,
            labour_mobilisation: true,
            ration_share: 1.0,
            ration_equality: 0.2,
            special_rations: true,
            privilege: 3.0,
            privilege_visibility: 0.3,
            corruption: 0.15,
            leased_share: 0.0,
            repression: 1.0,
            target_activists: true,
            target_strike_leaders: true,
            target_dissident_groups: true,
            target_other_socialists: true,
            negotiate_local: false,
            clamp_solidarity: true,
            mass_sackings: false,
            executive: Executive::PartyOnly,
            union_funding: UnionFunding::State,
            recruitment: 0.0006,
            promotion: 0.007,
            officials_per_output: 36_000.0,
            appointment_rate: 0.01,
        }
    }
}

/// A one-shot campaign put to workplace meetings.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Campaign {
    /// 1922: confiscation of church valuables for famine relief.
    ChurchValuables,
    /// 1922: death-penalty resolutions at the trial of the SR leaders.
    SrTrial,
}

impl Campaign {
    /// The campaign's name in `campaigns.csv` and in targets.
    pub fn name(self) -> &'static str {
        match self {
            Campaign::ChurchValuables => "church_valuables",
            Campaign::SrTrial => "sr_trial_death_penalty",
        }
    }
}

/// `[[event]]`: something that happens on a date: policy or exogenous changes, and actions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EventCfg {
    /// Identifier; an `extends` child replaces the parent's event with the same id.
    pub id: String,
    /// `YYYY-MM-DD` (or `YYYY-MM`).
    pub date: String,
    /// What happened, for the reader.
    pub label: String,
    /// Set to false in a child scenario to remove a parent's event.
    pub enabled: Option<bool>,
    /// Policy keys changed from this date (a partial `[policy]` table).
    pub policy: Option<toml::Table>,
    /// Exogenous economy keys changed from this date (a partial `[economy]` table).
    pub economy: Option<toml::Table>,
    /// Hold soviet elections this week.
    pub soviet_election: bool,
    /// Put a campaign resolution to the workplace meetings this week.
    pub campaign: Option<Campaign>,
    /// Purge: share of party members expelled (the least loyal and most recent first).
    pub purge: f64,
    /// Mass recruitment (Lenin enrolment): share of non-party employed workers invited to join.
    pub enrolment: f64,
    /// A visible act of state violence (Kronshtadt, the Butyrka beatings): fear and outrage, 0..1.
    pub exemplary_repression: f64,
    /// Crackdown on dissident groups: share of their members arrested this week.
    pub crackdown: f64,
    /// Inner-party debate: party cells come to life (cell vigour is raised by this amount).
    pub party_debate: f64,
}

impl EventCfg {
    /// The keys an `[[event]]` accepts.
    pub fn fields(&self) -> Vec<String> {
        match toml::Value::try_from(self) {
            Ok(toml::Value::Table(t)) => t
                .keys()
                .cloned()
                .chain(["enabled", "policy", "economy", "campaign"].map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A scenario file as written (after `extends` is resolved, the merged scenario).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name (default: the file stem).
    pub name: Option<String>,
    /// Parent scenario, relative to this file.
    pub extends: Option<String>,
    pub run: RunCfg,
    pub population: PopulationCfg,
    pub workplaces: WorkplaceCfg,
    pub economy: EconomyCfg,
    pub mechanisms: MechanismCfg,
    pub policy: PolicyCfg,
    #[serde(rename = "event")]
    pub events: Vec<EventCfg>,
}

impl EconomyCfg {
    /// Harvest index for the agricultural year of (`year`, `month`): the harvest of year Y feeds
    /// the city from September of Y; a year missing from the table takes the nearest earlier
    /// (else later) year. An exogenous input.
    pub fn harvest_at(&self, year: i32, month: u32) -> f64 {
        let ag_year = if month >= 9 { year } else { year - 1 };
        let years = || {
            self.harvest
                .iter()
                .filter_map(|(y, h)| y.parse::<i32>().ok().map(|y| (y, *h)))
        };
        let latest_before = years()
            .filter(|(y, _)| *y <= ag_year)
            .max_by_key(|(y, _)| *y);
        let earliest = years().min_by_key(|(y, _)| *y);
        latest_before.or(earliest).map(|(_, h)| h).unwrap_or(1.0)
    }
}
