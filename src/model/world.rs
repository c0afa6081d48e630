//! The state of the simulated city: every entity of the model brief, in structure-of-arrays form
//! with dense ids, and its initialisation from a resolved scenario.
//!
//! Workers are agents (one per person represented, `weight` persons per agent). Workplaces, their
//! factory cells and committees, unions, party organs (city committee, Cheka, secretariat), the
//! soviet, dissident groups and the city economy are collectives with state of their own.

use crate::model::registry::{Mechanism, Switches};
use crate::model::rng::{self, Stream};
pub use crate::model::storage::{GROUP, Politics, Status, Workers, WorkersMut, flag};
use crate::scenario::Resolved;
use crate::scenario::params::{EconomyCfg, PolicyCfg, PopulationCfg};

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
    /// Workers without a job in the city last week (for the dole's share of money demand).
    pub unemployed: f64,
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
    /// Agents in the city at the start.
    pub city_agents_start: f64,
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
        let n_admin = (pop.party_in_administration / weight).round() as usize;
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
            city_agents_start: (n_city + n_admin) as f64,
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

/// Workplaces by size class (sizes in persons, members in agents), sectors, defence work,
/// cells and committees.
fn workplaces(res: &Resolved, weight: f64, seed: u64) -> Workplaces {
    let sc = &res.scenario;
    let pop = &sc.population;
    let wcfg = &sc.workplaces;
    let n_city = sc.run.scale as usize;
    let mut wps = Workplaces::default();
    let mut wp_id = 0u64;
    for (class, share, size) in [
        (SizeClass::Large, wcfg.large_share, wcfg.large_size),
        (SizeClass::Small, wcfg.small_share, wcfg.small_size),
        (SizeClass::Office, wcfg.office_share, wcfg.office_size),
    ] {
        let agents = (n_city as f64 * share).round() as usize;
        if agents == 0 {
            continue;
        }
        let nominal_agents = (size / weight).max(3.0);
        let count = ((agents as f64 / nominal_agents).round() as usize).max(1);
        let real_count = pop.represented_workers * share / size;
        // Heterogeneous sizes (0.4..1.6 × mean), then scaled so the class holds `agents`.
        let raw: Vec<f64> = (0..count)
            .map(|i| 0.4 + 1.2 * f64::from(rng::uniform(seed, Stream::Init, wp_id + i as u64, 0)))
            .collect();
        let total: f64 = raw.iter().sum();
        let mut assigned = 0usize;
        for (i, r) in raw.iter().enumerate() {
            let jobs = if i + 1 == count {
                agents - assigned
            } else {
                ((r / total) * agents as f64).round().max(1.0) as usize
            };
            let jobs = jobs
                .min(agents - assigned)
                .max(usize::from(assigned < agents));
            assigned += jobs;
            let u = rng::uniform(seed, Stream::Init, wp_id, 1);
            let sector = if class == SizeClass::Office {
                OFFICE_SECTOR
            } else {
                pick(&wcfg.sector_shares, u) as u8
            };
            let defence = class != SizeClass::Office
                && (sector == 0 || sector == 2)
                && rng::uniform(seed, Stream::Init, wp_id, 2) < (wcfg.defence_share * 2.0) as f32;
            let category = match (class, sector) {
                (SizeClass::Office, _) => 2,
                (_, 0) | (_, 3) => 0,
                _ => 1,
            };
            wps.class.push(class);
            wps.sector.push(sector);
            wps.weight.push((real_count / count as f64) as f32);
            wps.base_jobs.push(jobs as u32);
            wps.jobs.push(jobs as u32);
            wps.category.push(category);
            wps.defence.push(defence);
            wps.leased.push(false);
            wps.arrears.push(0);
            wps.concession.push(0.0);
            wps.strike.push(0);
            wps.strike_weeks.push(0);
            wps.cooldown.push(0.0);
            wps.committee_nonparty.push(false);
            wps.excluded.push(false);
            wps.efficacy.push(1.0);
            wps.cell_vigour.push(0.5);
            wps.output.push(0.0);
            wp_id += 1;
        }
    }
    wps
}

/// The key a worker's initial traits are drawn by. Where an agent stands for less than a person
/// (`weight` < 1), the agents of a workplace come in runs of `1 / weight` that are one person
/// and share the person's traits (thresholds, risk aversion, ties, legitimacy, politics, skill:
/// keyed by the workplace and the person's index in it), so that a workplace's workforce is a
/// sample of persons at every scale, as at weight 1: how often its few lowest thresholds start a
/// strike does not depend on how many agents stand for the city. Otherwise, and in the villages
/// and the administration, each agent is its own key (its id).
pub(crate) fn trait_key(id: usize, workplace: Option<(u32, usize)>, weight: f64) -> u64 {
    match workplace {
        Some((wp, j)) if weight < 1.0 => {
            let person = (j as f64 * weight).floor() as u64;
            (1 << 63) | (u64::from(wp) << 32) | person
        }
        _ => id as u64,
    }
}

/// Workers: city workers assigned to workplaces in order; then the village pool; then party
/// members already in administration. Each worker's traits are drawn from its own id.
fn workers(res: &Resolved, wps: &Workplaces, weight: f64, seed: u64) -> Workers {
    let sc = &res.scenario;
    let pop = &sc.population;
    let n_city = sc.run.scale as usize;
    let n_wp = wps.len();
    let n_village = (n_city as f64 * pop.village_pool).round() as usize;
    let n_admin = (pop.party_in_administration / weight).round() as usize;
    let n = n_city + n_village + n_admin;
    // Without heterogeneity every worker draws its thresholds, risk aversion, ties and
    // legitimacy at their mean.
    let sw = res.switches();
    let hetero = sw.on(Mechanism::Heterogeneity);
    // Without deterrence there is no fear, from the start.
    let fear = if sw.on(Mechanism::Deterrence) {
        0.1
    } else {
        0.0
    };
    let spread = |u: f32| if hetero { u } else { 0.5 };
    let mut w = Workers::default();
    let mut slots: Vec<u32> = Vec::with_capacity(n_city);
    let mut first: Vec<usize> = Vec::with_capacity(n_wp);
    for (i, &j) in wps.base_jobs.iter().enumerate() {
        first.push(slots.len());
        slots.extend(std::iter::repeat_n(i as u32, j as usize));
    }
    for id in 0..n {
        let at = slots
            .get(id)
            .filter(|_| id < n_city)
            .map(|&wp| (wp, id - first[wp as usize]));
        let key = trait_key(id, at, weight);
        let u = |k: u64| rng::uniform(seed, Stream::InitTraits, key, k);
        let (status, wp) = if id < n_city {
            let wp = slots.get(id).copied().unwrap_or(0);
            let st = if u(0) < pop.unemployed_share as f32 {
                Status::Unemployed
            } else {
                Status::Employed
            };
            (st, wp)
        } else if id < n_city + n_village {
            (
                Status::Village,
                (u(1) * n_wp as f32) as u32 % n_wp.max(1) as u32,
            )
        } else {
            (Status::Administration, 0)
        };
        let cadre = u(2) < pop.cadre_share as f32;
        let female = u(3) < pop.female_share as f32;
        let skill = draw_skill(pop, u(4));
        let politics = draw_politics(pop, wps, seed, key, status, wp, cadre);
        let ties_mean = if cadre {
            pop.ties_cadre
        } else {
            pop.ties_migrant
        } as f32;
        let ties = (ties_mean + 0.5 * (spread(u(5)) - 0.5)).clamp(0.0, 1.0);
        let legit = (politics.anchor()
            + (pop.legitimacy_mean as f32 - 0.5)
            + pop.legitimacy_spread as f32 * 2.0 * (spread(u(6)) - 0.5))
            .clamp(0.0, 1.0);
        let since = if politics == Politics::Party {
            joined(pop, u(7), u(8))
        } else {
            i16::MIN
        };
        let mut flags = 0u8;
        if female {
            flags |= flag::FEMALE;
        }
        if cadre {
            flags |= flag::CADRE;
        }
        let abol = abolitionist_share(politics, cadre);
        if u(9) < abol {
            flags |= flag::ABOLITIONIST;
        }
        w.id.push(u32::try_from(id).expect("fewer than 2^32 agents"));
        w.wp.push(wp);
        w.status.push(status);
        w.need.push(f32::INFINITY);
        w.politics.push(politics);
        w.skill.push(skill);
        w.flags.push(flags);
        w.timer.push(0);
        w.party_since.push(since);
        w.ties.push(ties);
        // Thresholds: mean `strike_threshold_mean`, triangular spread.
        let t = sc.mechanisms.strike_threshold_mean as f32
            + 0.5 * (spread(u(10)) + spread(u(11)) - 1.0);
        w.threshold.push(t.clamp(0.0, 1.0));
        w.risk.push(spread(u(12)));
        w.consumption.push(0.2);
        w.expectation.push(0.25);
        w.hardship.push(0.0);
        w.legitimacy.push(legit);
        w.fear.push(fear);
        w.dissent.push(0.0);
        w.effort.push(0.5);
    }
    w
}

/// A worker's skill (2 skilled, 1 semi-skilled, 0 unskilled) from its draw `s`.
fn draw_skill(pop: &PopulationCfg, s: f32) -> u8 {
    if s < pop.skilled_share as f32 {
        2
    } else if s < (pop.skilled_share + pop.semiskilled_share) as f32 {
        1
    } else {
        0
    }
}

/// The week a party member joined (before the start): recent members in the party weeks of
/// autumn 1919 (the 12 weeks before), the others a year to seven years before; `r` chooses
/// which, `t` when.
fn joined(pop: &PopulationCfg, r: f32, t: f32) -> i16 {
    if r < pop.party_recent_share as f32 {
        -(1 + (t * 11.0) as i16)
    } else {
        -(53 + (t * 300.0) as i16)
    }
}

/// A worker's political current at the start: party members are rarer in the villages and
/// more common in offices; cadre workers carry the socialist traditions; the non-party groups
/// were strongest in the big factories (AMO).
fn draw_politics(
    pop: &PopulationCfg,
    wps: &Workplaces,
    seed: u64,
    key: u64,
    status: Status,
    wp: u32,
    cadre: bool,
) -> Politics {
    if status == Status::Administration {
        Politics::Party
    } else {
        let p = rng::uniform(seed, Stream::InitPolitics, key, 0);
        // Cadre workers carry the socialist traditions; offices hold more party members.
        let office =
            status != Status::Village && wps.class.get(wp as usize) == Some(&SizeClass::Office);
        let party_share = pop.party_share * if office { 2.5 } else { 1.0 };
        let tradition = if cadre { 1.5 } else { 0.67 };
        // The non-party groups were strongest in the big factories (AMO).
        let class_bias = match wps.class.get(wp as usize) {
            Some(SizeClass::Large) if status != Status::Village => 1.4,
            Some(SizeClass::Small) if status != Status::Village => 0.7,
            Some(SizeClass::Office) if status != Status::Village => 0.4,
            _ => 1.0,
        };
        let cum = [
            party_share,
            pop.nonparty_socialist_share * tradition * class_bias,
            pop.sr_share * tradition,
            pop.menshevik_share * tradition,
            pop.anarchist_share,
        ];
        let mut acc = 0.0;
        let mut pol = Politics::Unaffiliated;
        for (k, s) in cum.iter().enumerate() {
            acc += s;
            if (p as f64) < acc {
                pol = [
                    Politics::Party,
                    Politics::NonPartySocialist,
                    Politics::Sr,
                    Politics::Menshevik,
                    Politics::Anarchist,
                ][k];
                break;
            }
        }
        if status == Status::Village && pol == Politics::Party {
            Politics::Unaffiliated
        } else {
            pol
        }
    }
}

/// The chance that a worker holds abolition of the death penalty, a socialist principle of
/// 1917: more common among the socialists and the cadre.
fn abolitionist_share(politics: Politics, cadre: bool) -> f32 {
    match politics {
        Politics::Party => 0.1,
        Politics::Unaffiliated => {
            if cadre {
                0.3
            } else {
                0.15
            }
        }
        _ => 0.7,
    }
}

/// Index into `shares` selected by `u` in [0,1) (cumulative); the last index if shares fall short.
pub fn pick(shares: &[f64], u: f32) -> usize {
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate() {
        acc += s;
        if (u as f64) < acc {
            return i;
        }
    }
    shares.len() - 1
}
