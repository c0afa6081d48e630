//! What a run records: one [`WeekRecord`] per week, one [`ElectionRecord`] per soviet election
//! and workplace size class, one [`CampaignRecord`] per campaign resolution and size class.
//!
//! Counts of people are in persons (agents × persons per agent), so they do not depend on
//! `run.scale`; counts of strikes are in real workplaces for the same reason.

use crate::model::counts::Counts;
use crate::model::counts::Tally;
use crate::model::economy::special_ration;
use crate::model::world::{Politics, SizeClass, Status, World};
use crate::par::unfx;
use crate::scenario::Resolved;

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
        /// Strikes (local or solidarity) started this week where wages are in arrears.
        strikes_started_arrears,
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
    /// Voted for while against in private: would have voted against with nothing to fear
    /// (preference falsification).
    pub falsified: f64,
}

/// Everything one replicate records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    pub weeks: Vec<WeekRecord>,
    pub elections: Vec<ElectionRecord>,
    pub campaigns: Vec<CampaignRecord>,
}

/// Phase 7 of the step: this week's record, from the counts kept through the step.
pub(crate) fn record(world: &World, res: &Resolved, t: &Tally, a: &Counts) -> WeekRecord {
    let per = world.weight;
    let pop = &res.scenario.population;
    let counts = a.status.map(|c| c as usize);
    let (party_fact, party_office, party_admin) = (
        a.party_factory as usize,
        a.party_office as usize,
        a.party_admin as usize,
    );
    let n_emp = counts[Status::Employed as usize];
    let (legit, hard, griev, fear) = (
        unfx(a.legitimacy),
        unfx(a.hardship),
        unfx(a.grievance),
        unfx(a.fear),
    );
    let (cons_emp, eff) = (unfx(a.consumption), unfx(a.effort));
    let workers_city = (counts[0] + counts[1]).max(1) as f64;
    let in_city = (counts[0] + counts[1] + counts[5]) as f64;
    let e = &world.economy;
    let nw = world.wps.len();
    let wp = workplaces(world);
    let best = f64::from(e.ration[0] * special_ration(&world.policy));
    let worst = f64::from(e.ration[1].min(e.ration[2]));
    let party_total = party_fact + party_office + party_admin;
    let pop_city = in_city * per * pop.persons_per_worker;
    WeekRecord {
        population_city: pop_city,
        population_villages: counts[Status::Village as usize] as f64 * per,
        population_index: pop_city / pop.population_1917,
        employed: counts[0] as f64 * per,
        unemployed: counts[1] as f64 * per,
        vacancies: (0..nw)
            .map(|k| f64::from(world.wps.jobs[k].saturating_sub(world.view.employed[k])))
            .sum::<f64>()
            * per,
        blacklisted: a.blacklisted as f64 * per,
        in_custody: counts[3] as f64 * per,
        in_exile: counts[4] as f64 * per,
        real_wage: if n_emp > 0 {
            cons_emp / n_emp as f64
        } else {
            0.0
        },
        output_index: e.output_index,
        capacity: e.capacity,
        food_supply: e.ration_pool + e.market_food,
        ration_pool: e.ration_pool,
        market_food: e.market_food,
        price_index: 1.0 / e.market_fill.max(1e-6),
        markets: world.policy.markets,
        strikers: t.strikers as f64 * per,
        strikes_active: wp.strikes_active,
        strikes_started_local: t.started[0],
        strikes_started_solidarity: t.started[1],
        strikes_started_arrears: t.started_arrears,
        strikes_settled_local: t.settled[0],
        strikes_settled_solidarity: t.settled[1],
        strikes_suppressed_local: t.suppressed[0],
        strikes_suppressed_solidarity: t.suppressed[1],
        strikes_faded: t.faded,
        arrests: t.arrests as f64 * per,
        sackings: t.sackings as f64 * per,
        exiles: t.exiles as f64 * per,
        legitimacy: legit / workers_city,
        grievance: griev / workers_city,
        hardship: hard / workers_city,
        fear: fear / workers_city,
        effort: if n_emp > 0 { eff / n_emp as f64 } else { 0.0 },
        dissent_private: a.private as f64 / workers_city,
        dissent_public: a.public as f64 / workers_city,
        party_members: party_total as f64 * per,
        party_in_factories: party_fact as f64 * per,
        party_in_administration: party_admin as f64 * per,
        party_recent_share: a.party_recent as f64 / party_total.max(1) as f64,
        cell_strength: wp.cell_strength,
        promotions: t.promotions as f64 * per,
        recruits: t.recruits as f64 * per,
        party_exits: t.exits as f64 * per,
        union_dues_share: wp.dues_share,
        union_assemblies: world.unions.iter().filter(|u| u.assembly).count() as f64,
        dissident_nonparty: a.politics[Politics::NonPartySocialist as usize] as f64 * per,
        dissident_socialist_parties: (a.politics[Politics::Sr as usize]
            + a.politics[Politics::Menshevik as usize]
            + a.politics[Politics::Anarchist as usize]) as f64
            * per,
        dissident_communists: a.politics[Politics::DissidentCommunist as usize] as f64 * per,
        officials: world.party.officials,
        privilege_ratio: world.policy.privilege,
        ration_inequality: if worst > 0.0 { best / worst } else { 0.0 },
        arrears_share: wp.arrears_share,
        committees_nonparty: wp.committees_nonparty,
    }
}

/// What the week's record says of the workplaces (weighted by the workplaces they stand for)
/// and of the unions.
struct Workplaces {
    strikes_active: f64,
    arrears_share: f64,
    committees_nonparty: f64,
    /// Mean cell strength of the employed outside offices.
    cell_strength: f64,
    /// Mean share paying union dues, over the employed.
    dues_share: f64,
}

fn workplaces(world: &World) -> Workplaces {
    let nw = world.wps.len();
    let mut strikes_active = 0.0;
    let mut arrears = 0.0;
    let mut committees = 0.0;
    let mut wp_total = 0.0;
    let mut cell_num = 0.0f64;
    let mut cell_den = 0.0f64;
    for k in 0..nw {
        let wt = f64::from(world.wps.weight[k]);
        wp_total += wt;
        if world.wps.strike[k] != 0 {
            strikes_active += wt;
        }
        if world.wps.arrears[k] > 0 {
            arrears += wt;
        }
        if world.wps.committee_nonparty[k] {
            committees += wt;
        }
        if world.wps.class[k] != SizeClass::Office {
            let n = f64::from(world.view.employed[k]);
            cell_num += f64::from(world.view.cell_strength[k]) * n;
            cell_den += n;
        }
    }
    let mut dues_num = 0.0;
    let mut dues_den = 0.0;
    for (s, u) in world.unions.iter().enumerate() {
        let n: f64 = (0..nw)
            .filter(|&k| world.wps.sector[k] as usize == s)
            .map(|k| f64::from(world.view.employed[k]))
            .sum();
        dues_num += f64::from(u.dues_share) * n;
        dues_den += n;
    }
    Workplaces {
        strikes_active,
        arrears_share: arrears / wp_total.max(1e-9),
        committees_nonparty: committees / wp_total.max(1e-9),
        cell_strength: if cell_den > 0.0 {
            cell_num / cell_den
        } else {
            0.0
        },
        dues_share: if dues_den > 0.0 {
            dues_num / dues_den
        } else {
            0.0
        },
    }
}
