//! What a run records: one [`WeekRecord`] per week, one [`ElectionRecord`] per soviet election
//! and workplace size class, one [`CampaignRecord`] per campaign resolution and size class.
//!
//! Counts of people are in persons (agents × persons per agent), so they do not depend on
//! `run.scale`; counts of strikes are in real workplaces for the same reason.

macro_rules! columns {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[doc = $doc:literal])* $field:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name { $($(#[doc = $doc])* pub $field: f64,)* }
        impl $name {
            /// Column names, in output order.
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            /// Column descriptions, in output order.
            pub const DOCS: &'static [&'static str] = &[$(concat!($($doc),*)),*];
            /// Values, in column order.
            pub fn values(&self) -> Vec<f64> { vec![$(self.$field),*] }
        }
    };
}

columns! {
    /// The weekly outputs of the brief.
    pub struct WeekRecord {
        /// City population (persons): workers and officials in Moscow with their households.
        population_city,
        /// Former workers in the villages (persons).
        population_villages,
        /// City population relative to 1917.
        population_index,
        /// Employed workers (persons).
        employed,
        /// Unemployed workers in the city (persons).
        unemployed,
        /// Vacancies: jobs the workplaces can pay for, not filled (persons).
        vacancies,
        /// Unemployed workers blacklisted as troublemakers (persons).
        blacklisted,
        /// Workers in Cheka custody (persons).
        in_custody,
        /// Workers in exile (persons).
        in_exile,
        /// Real wage index (1913 = 1): mean consumption of the employed.
        real_wage,
        /// Industrial output index (1913 = 1).
        output_index,
        /// Industrial capacity (1913 = 1).
        capacity,
        /// Food reaching the city per worker (1913 consumption units): rations plus markets.
        food_supply,
        /// Ration pool per worker (1913 units).
        ration_pool,
        /// Market food per worker (1913 units).
        market_food,
        /// Market price pressure (1 = money demand fully met).
        price_index,
        /// Market openness in force (policy).
        markets,
        /// Workers on strike (persons).
        strikers,
        /// Workplaces on strike (real workplaces).
        strikes_active,
        /// Local strikes started this week.
        strikes_started_local,
        /// Solidarity strikes started this week.
        strikes_started_solidarity,
        /// Local strikes settled by negotiation this week.
        strikes_settled_local,
        /// Solidarity strikes settled by negotiation this week.
        strikes_settled_solidarity,
        /// Local strikes suppressed this week.
        strikes_suppressed_local,
        /// Solidarity strikes suppressed this week.
        strikes_suppressed_solidarity,
        /// Strikes that ended by themselves this week.
        strikes_faded,
        /// Arrests this week (persons).
        arrests,
        /// Sackings this week (persons): mass sackings after suppressed strikes and redundancies.
        sackings,
        /// Sentences of exile this week (persons).
        exiles,
        /// Mean legitimacy city workers grant the party (0..1).
        legitimacy,
        /// Mean grievance G = H(1 − L).
        grievance,
        /// Mean hardship H.
        hardship,
        /// Mean fear.
        fear,
        /// Mean effort of the employed.
        effort,
        /// Share of city workers who dissent privately but do not say so (preference falsification).
        dissent_private,
        /// Share of city workers who express dissent publicly.
        dissent_public,
        /// Party members (persons), in factories and offices and in administration.
        party_members,
        /// Party members working in factories (large and small workplaces).
        party_in_factories,
        /// Party members in administration (promoted).
        party_in_administration,
        /// Share of party members who joined in the past 52 weeks.
        party_recent_share,
        /// Cell strength: party share of factory workforces × cell vigour.
        cell_strength,
        /// Promotions into administration this week (persons).
        promotions,
        /// Recruits to the party this week (persons).
        recruits,
        /// Members expelled or leaving this week (persons).
        party_exits,
        /// Share of union members paying dues voluntarily (1 where dues are deducted).
        union_dues_share,
        /// Unions holding a city-wide assembly this week.
        union_assemblies,
        /// Non-party socialist group members in the city (persons).
        dissident_nonparty,
        /// Members of other socialist parties (SR, Menshevik, anarchist) in the city (persons).
        dissident_socialist_parties,
        /// Dissident communists in the city (persons).
        dissident_communists,
        /// Responsible officials (persons).
        officials,
        /// Officials' consumption relative to a worker's (policy in force).
        privilege_ratio,
        /// Ration inequality: best worker ration / worst worker ration.
        ration_inequality,
        /// Share of workplaces in wage arrears.
        arrears_share,
        /// Share of factory committees held by non-party workers.
        committees_nonparty,
    }
}

/// Votes and delegates by current for one size class in one soviet election.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElectionRecord {
    pub week: usize,
    pub class: &'static str,
    pub electorate: f64,
    pub votes_party: f64,
    pub votes_nonparty: f64,
    pub votes_other_socialist: f64,
    pub abstentions: f64,
    pub delegates_party: f64,
    pub delegates_nonparty: f64,
    pub delegates_other_socialist: f64,
    /// Workplaces (real) where each current won the most votes.
    pub won_party: f64,
    pub won_nonparty: f64,
    pub won_other_socialist: f64,
    /// The executive formed: "party_only" or "inclusive", and the party's share of its seats.
    pub executive: &'static str,
    pub executive_party_share: f64,
}

/// Votes on a campaign resolution for one size class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignRecord {
    pub week: usize,
    pub campaign: &'static str,
    pub class: &'static str,
    pub workers: f64,
    pub votes_for: f64,
    pub votes_against: f64,
    pub stayed_away: f64,
}

/// Everything one replicate records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    pub weeks: Vec<WeekRecord>,
    pub elections: Vec<ElectionRecord>,
    pub campaigns: Vec<CampaignRecord>,
}
