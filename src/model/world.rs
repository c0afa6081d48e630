//! The state of the simulated city: every entity of the model brief, in structure-of-arrays form
//! with dense ids, and its initialisation from a resolved scenario.
//!
//! Workers are agents (one per person represented, `weight` persons per agent). Workplaces, their
//! factory cells and committees, unions, party organs (city committee, Cheka, secretariat), the
//! soviet, dissident groups and the city economy are collectives with state of their own. Who
//! the workplaces and workers are at the start is drawn in [`crate::model::population`].

pub use crate::model::population::pick;
use crate::model::population::{workers, workplaces};
use crate::model::registry::Switches;
pub use crate::model::storage::{GROUP, Politics, Status, Workers, WorkersMut, flag};
use crate::scenario::Resolved;
use crate::scenario::params::{EconomyCfg, PolicyCfg};

/// Workplace size class (the April 1921 election hinged on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SizeClass {
    Large = 0,
    Small = 1,
    Office = 2,
}

impl SizeClass {
    pub const ALL: [SizeClass; 3] = [SizeClass::Large, SizeClass::Small, SizeClass::Office];
    pub fn name(self) -> &'static str {
        match self {
            SizeClass::Large => "large_factory",
            SizeClass::Small => "small_workplace",
            SizeClass::Office => "office",
        }
    }
}

/// Sectors; unions are organised by sector.
pub const SECTORS: [&str; 7] = [
    "metal",
    "textile",
    "clothing",
    "transport",
    "food",
    "other",
    "office",
];
pub const OFFICE_SECTOR: u8 = 6;

/// Workplaces (with their factory cells and elected committees), structure of arrays.
#[derive(Clone, Debug, Default)]
pub struct Workplaces {
    pub class: Vec<SizeClass>,
    pub sector: Vec<u8>,
    /// Real workplaces this one stands for (scale-invariant counting of strikes and elections).
    pub weight: Vec<f32>,
    /// Jobs at the start (agents).
    pub base_jobs: Vec<u32>,
    /// Jobs now (agents).
    pub jobs: Vec<u32>,
    /// Ration category: 0 heavy/defence work, 1 ordinary factory, 2 office.
    pub category: Vec<u8>,
    pub defence: Vec<bool>,
    /// Leased to a private operator under NEP.
    pub leased: Vec<bool>,
    /// Weeks of wage arrears outstanding (0 = paid on time).
    pub arrears: Vec<u16>,
    /// Wage concession won by negotiation (multiplier bonus, decays).
    pub concession: Vec<f32>,
    /// Ongoing strike: 0 none, 1 local, 2 solidarity.
    pub strike: Vec<u8>,
    pub strike_weeks: Vec<u16>,
    /// Demobilisation after a strike was settled or broken (1 just after, decays by 20% a week).
    pub cooldown: Vec<f32>,
    /// The factory committee is held by non-party workers.
    pub committee_nonparty: Vec<bool>,
    /// The workplace's delegates were shut out of the soviet executive.
    pub excluded: Vec<bool>,
    /// Its workers' faith that their vote counts (0..1): 0 when its delegates were shut out,
    /// 1 under an inclusive executive, recovering weekly in between.
    pub efficacy: Vec<f32>,
    /// Cell vigour (0..1): how actively the cell explains policy and presses for discipline.
    pub cell_vigour: Vec<f32>,
    /// Output this week (1913 units of one worker's weekly output).
    pub output: Vec<f32>,
}

impl Workplaces {
    pub fn len(&self) -> usize {
        self.class.len()
    }
    pub fn is_empty(&self) -> bool {
        self.class.is_empty()
    }
}

/// Per-workplace aggregates of last week's worker state: what a worker can see this week.
#[derive(Clone, Debug, Default)]
pub struct WpView {
    pub employed: Vec<u32>,
    pub strikers: Vec<u32>,
    pub public: Vec<u32>,
    pub party: Vec<u32>,
    pub dissidents: Vec<u32>,
    /// Cheka presence C (agents watching: surveillance, informers, reactive allocation).
    pub cheka: Vec<f32>,
    /// Reactive Cheka presence allocated by last week's reports.
    pub cheka_alloc: Vec<f32>,
    /// Epstein's estimated arrest probability for a worker who was quiet last week (the
    /// workplace's active plus the worker) and for one who spoke out (already counted).
    pub risk_quiet: Vec<f32>,
    pub risk_public: Vec<f32>,
    /// Arrests at this workplace last week, as a share of its workforce.
    pub arrested_share: Vec<f32>,
    /// Cell strength: party members' share of the workforce × vigour.
    pub cell_strength: Vec<f32>,
    /// Sum of effort (last week).
    pub effort_sum: Vec<f32>,
}

impl WpView {
    pub fn new(n: usize) -> Self {
        WpView {
            employed: vec![0; n],
            strikers: vec![0; n],
            public: vec![0; n],
            party: vec![0; n],
            dissidents: vec![0; n],
            cheka: vec![0.0; n],
            cheka_alloc: vec![0.0; n],
            risk_quiet: vec![0.0; n],
            risk_public: vec![0.0; n],
            arrested_share: vec![0.0; n],
            cell_strength: vec![0.0; n],
            effort_sum: vec![0.0; n],
        }
    }
}

/// A union (one per sector).
#[derive(Clone, Debug, Default)]
pub struct Union {
    /// A city-wide assembly is sitting (like the metalworkers' conference of February 1921).
    pub assembly: bool,
    /// Share of the sector's workers striking last week.
    pub strike_share: f32,
    /// The sector's strikers and employed last week.
    pub strikers: u32,
    pub employed: u32,
    /// Share of the sector's workers expressing dissent last week.
    pub dissent_share: f32,
    /// Share of members paying dues (1 when dues are deducted by the state).
    pub dues_share: f32,
}

/// Party organs: the city committee, the Cheka and the secretariat.
#[derive(Clone, Debug, Default)]
pub struct PartyOrgans {
    /// Responsible officials appointed by the secretariat (persons).
    pub officials: f64,
    /// The Cheka's arrest capacity this week (agents).
    pub cheka_capacity: f64,
    /// A visible act of state violence this week (0..1).
    pub exemplary: f32,
}

/// The soviet.
#[derive(Clone, Debug, Default)]
pub struct Soviet {
    /// Share of executive seats held by the party after the last election (1 before any).
    pub executive_party_share: f32,
    pub elections_held: u32,
}

/// The city's economy.
#[derive(Clone, Debug, Default)]
pub struct Economy {
    /// Industrial capacity (1913 = 1).
    pub capacity: f64,
    /// Peasants' incentive to sell (0..1).
    pub incentive: f64,
    /// Ration pool per employed worker this week (1913 units).
    pub ration_pool: f64,
    /// Market food per employed worker this week (1913 units).
    pub market_food: f64,
    /// Money wage per unit effort (1913 consumption units).
    pub wage_rate: f64,
    /// Share of money demand the market can meet (1/price pressure).
    pub market_fill: f64,
    /// Money demand of last week: what the employed earn and the unemployed get (1913 units).
    pub money_demand: f64,
    /// Ration per category (0..2) and for the unemployed, this week.
    pub ration: [f32; 4],
    /// Output index (1913 = 1).
    pub output_index: f64,
    /// Mean effort of the employed last week.
    pub mean_effort: f64,
}

/// The whole simulated city for one replicate.
#[derive(Clone, Debug)]
pub struct World {
    pub seed: u64,
    pub week: usize,
    /// Persons represented by one worker agent.
    pub weight: f64,
    /// The 1913 workforce in agents (`population_1917 / persons_per_worker / weight`): what
    /// output, food supplies and jobs are measured against (1913 = 1 per worker).
    pub workforce_1913: f64,
    pub workers: Workers,
    pub wps: Workplaces,
    pub view: WpView,
    pub unions: Vec<Union>,
    pub party: PartyOrgans,
    pub soviet: Soviet,
    pub economy: Economy,
    pub policy: PolicyCfg,
    pub exo: EconomyCfg,
    /// City-wide aggregates of last week visible to every worker.
    pub city: CityView,
    /// Harvest index in force this week (set by the economy phase).
    pub harvest_now: f64,
    /// Share of last week's worker-phase groups that held city workers of several workplaces:
    /// how far the storage order has drifted from [`Workers::sort`]'s. Performance only
    /// (no result depends on the storage order).
    pub disorder: f32,
    /// The same share just after the last sort (above zero where too few workers outside the
    /// city are left to fill every workplace's last group).
    pub disorder_floor: f32,
    /// The mechanisms switched off in this run.
    pub switches: Switches,
}

/// City-wide signals of last week.
#[derive(Clone, Copy, Debug, Default)]
pub struct CityView {
    /// Arrests last week per city worker.
    pub arrest_rate: f32,
    /// Share of city workers expressing dissent publicly.
    pub public_share: f32,
    /// What workers had come to expect of that share (moving average, 10 weeks).
    pub public_trend: f32,
    /// Lohmann's surprise: open dissent beyond what was expected, which informs workers that
    /// others share their view.
    pub public_surprise: f32,
    /// Share of employed on strike.
    pub strike_share: f32,
    /// Visible privilege (0..1).
    pub visible_privilege: f32,
    /// Inclusive soviet executive in force.
    pub inclusive: bool,
}

impl World {
    /// Builds the initial city for replicate seed `seed`, without its view (what the step's
    /// workers read of last week): `model::step::start` makes a city ready to step.
    pub fn new(res: &Resolved, seed: u64) -> World {
        let sc = &res.scenario;
        let pop = &sc.population;
        let n_city = sc.run.scale as usize;
        let weight = pop.represented_workers / n_city as f64;
        let wps = workplaces(res, weight, seed);
        let n_wp = wps.len();
        let w = workers(res, &wps, weight, seed);
        let unions = SECTORS
            .iter()
            .map(|_| Union {
                dues_share: 1.0,
                ..Union::default()
            })
            .collect();
        let economy = Economy {
            capacity: sc.economy.capacity_start,
            incentive: sc.economy.incentive_start,
            market_fill: 1.0,
            mean_effort: 0.5,
            ..Economy::default()
        };
        let mut world = World {
            seed,
            week: 0,
            weight,
            workforce_1913: pop.population_1917 / pop.persons_per_worker / weight,
            workers: w,
            wps,
            view: WpView::new(n_wp),
            unions,
            party: PartyOrgans {
                officials: pop.officials,
                ..PartyOrgans::default()
            },
            soviet: Soviet {
                executive_party_share: 1.0,
                elections_held: 0,
            },
            economy,
            policy: sc.policy.clone(),
            exo: sc.economy.clone(),
            city: CityView::default(),
            disorder: 0.0,
            disorder_floor: 0.0,
            switches: res.switches(),
            harvest_now: sc
                .economy
                .harvest_at(res.clock.start.year, res.clock.start.month),
        };
        world.disorder_floor = world.workers.sort(world.wps.len());
        world.disorder = world.disorder_floor;
        world
    }

    /// Number of agents in each status.
    pub fn status_counts(&self) -> [usize; 6] {
        let mut c = [0usize; 6];
        for s in &self.workers.status {
            c[*s as usize] += 1;
        }
        c
    }
}
