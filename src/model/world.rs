//! The state of the simulated city: every entity of the model brief, in structure-of-arrays form
//! with dense ids, and its initialisation from a resolved scenario.
//!
//! Workers are agents (one per person represented, `weight` persons per agent). Workplaces, their
//! factory cells and committees, unions, party organs (city committee, Cheka, secretariat), the
//! soviet, dissident groups and the city economy are collectives with state of their own.

use crate::model::rng::{self, Stream};
use crate::scenario::Resolved;
use crate::scenario::params::{EconomyCfg, PolicyCfg};

/// What a worker is doing. Each worker is in exactly one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    Employed = 0,
    Unemployed = 1,
    /// Gone to the village (voting with their feet).
    Village = 2,
    /// In Cheka custody.
    Arrested = 3,
    /// Exiled (Siberia).
    Exiled = 4,
    /// Promoted into administration (the "pump").
    Administration = 5,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Employed,
        Status::Unemployed,
        Status::Village,
        Status::Arrested,
        Status::Exiled,
        Status::Administration,
    ];
    /// Lives in Moscow (counts toward the city's population).
    pub fn in_city(self) -> bool {
        matches!(
            self,
            Status::Employed | Status::Unemployed | Status::Administration
        )
    }
}

/// Political identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Politics {
    Party = 0,
    NonPartySocialist = 1,
    Sr = 2,
    Menshevik = 3,
    Anarchist = 4,
    DissidentCommunist = 5,
    Unaffiliated = 6,
}

impl Politics {
    /// Every identity, in the order of the discriminants.
    pub const ALL: [Politics; 7] = [
        Politics::Party,
        Politics::NonPartySocialist,
        Politics::Sr,
        Politics::Menshevik,
        Politics::Anarchist,
        Politics::DissidentCommunist,
        Politics::Unaffiliated,
    ];
    /// Long-run anchor of the legitimacy a worker of this identity grants the party.
    pub const fn anchor(self) -> f32 {
        match self {
            Politics::Party => 0.9,
            Politics::Unaffiliated => 0.7,
            Politics::NonPartySocialist => 0.5,
            Politics::DissidentCommunist => 0.4,
            Politics::Sr | Politics::Menshevik | Politics::Anarchist => 0.35,
        }
    }
    /// Principled dissent added to grievance in the private stance.
    pub const fn conviction(self) -> f32 {
        match self {
            Politics::Party => -0.15,
            Politics::Unaffiliated => 0.0,
            Politics::NonPartySocialist => 0.12,
            Politics::DissidentCommunist
            | Politics::Sr
            | Politics::Menshevik
            | Politics::Anarchist => 0.18,
        }
    }
    /// Member of another socialist party (SR, Menshevik, anarchist).
    pub fn other_socialist(self) -> bool {
        matches!(
            self,
            Politics::Sr | Politics::Menshevik | Politics::Anarchist
        )
    }
    /// Member of a dissident group of any kind.
    pub fn dissident(self) -> bool {
        !matches!(self, Politics::Party | Politics::Unaffiliated)
    }
}

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

/// Workers per group of the worker phase's vector code (one AVX-512 vector of 32-bit lanes):
/// [`Workers::sort`] lays each workplace's workers out in whole groups.
pub const GROUP: usize = 16;

/// Flag bits of a worker.
pub mod flag {
    /// Expresses dissent publicly this week.
    pub const PUBLIC: u8 = 1;
    /// On strike this week.
    pub const STRIKING: u8 = 2;
    /// Marked as a troublemaker (not re-hired until the timer runs out).
    pub const BLACKLISTED: u8 = 4;
    /// Holds the principle that the death penalty must be abolished (1917's slogan).
    pub const ABOLITIONIST: u8 = 8;
    /// Female.
    pub const FEMALE: u8 = 16;
    /// Pre-war cadre worker (else a recent migrant).
    pub const CADRE: u8 = 32;
}

/// Declares the worker columns once: the [`Workers`] struct (one `Vec` per column), its
/// mutable view of a contiguous range of workers ([`WorkersMut`], the unit of parallel work),
/// the splitter [`Workers::chunks_mut`] and the byte count per worker.
macro_rules! worker_columns {
    ($($(#[$doc:meta])* $col:ident : $ty:ty),* $(,)?) => {
        /// Worker agents, structure of arrays; the index is the worker's id.
        #[derive(Clone, Debug, Default)]
        pub struct Workers {
            $($(#[$doc])* pub $col: Vec<$ty>,)*
        }

        /// Every column of a contiguous range of workers, mutable: what one parallel task owns.
        pub struct WorkersMut<'a> {
            /// Id of the first worker of the range.
            pub base: usize,
            $(pub $col: &'a mut [$ty],)*
        }

        impl Workers {
            /// Bytes of state per worker: the sum of the column widths.
            pub const BYTES_PER_WORKER: usize = 0 $(+ std::mem::size_of::<$ty>())*;

            /// Moves the worker at `from(j)` to index `j`, for every `j`, in every column
            /// except those left empty (one new column at a time, filled in parallel).
            fn permute(&mut self, from: impl Fn(usize) -> usize + Sync) {
                use rayon::prelude::*;
                let n = self.len();
                $(if !self.$col.is_empty() {
                    let old = &self.$col;
                    let mut new = Vec::with_capacity(n);
                    (0..n).into_par_iter().map(|j| old[from(j)]).collect_into_vec(&mut new);
                    self.$col = new;
                })*
            }

            /// Splits every column into consecutive ranges of `size` workers (the last may be
            /// shorter). The ranges depend on `size` only, never on the thread count.
            pub fn chunks_mut(&mut self, size: usize) -> Vec<WorkersMut<'_>> {
                let size = size.max(1);
                let n = self.len();
                let mut out = Vec::with_capacity(n.div_ceil(size));
                let mut rest = WorkersMut { base: 0, $($col: self.$col.as_mut_slice(),)* };
                while rest.base < n {
                    let len = size.min(n - rest.base);
                    let chunk = WorkersMut {
                        base: rest.base,
                        $($col: {
                            let (head, tail) = std::mem::take(&mut rest.$col).split_at_mut(len);
                            rest.$col = tail;
                            head
                        },)*
                    };
                    rest.base += len;
                    out.push(chunk);
                }
                out
            }
        }

        impl WorkersMut<'_> {
            pub fn len(&self) -> usize {
                self.wp.len()
            }
            /// Every column has [`len`](Self::len) entries (true by construction). Asserted once
            /// at the top of a loop over the chunk, it lets the compiler drop the per-access
            /// bounds checks of every column.
            #[inline(always)]
            pub fn assert_columns(&self) {
                let n = self.len();
                $(assert!(self.$col.len() == n);)*
            }
            pub fn is_empty(&self) -> bool {
                self.wp.is_empty()
            }
        }
    };
}

worker_columns! {
    /// Permanent identity: the worker's index at creation. It keys the worker's random draws and
    /// its place in every choice taken in order (strike leaders, redundancies, hiring), so the
    /// order the workers are stored in never changes a result (see [`Workers::sort`]).
    id: u32,
    /// Current (or last) workplace.
    wp: u32,
    status: Status,
    /// Scratch of the worker phase: the share of coworkers on strike this worker needs to see
    /// before joining (Granovetter); +∞ for workers not employed.
    need: f32,
    politics: Politics,
    /// Skill: 0 unskilled, 1 semi-skilled, 2 skilled.
    skill: u8,
    /// See [`flag`].
    flags: u8,
    /// Weeks left in custody, exile or on the blacklist.
    timer: u16,
    /// Week the worker joined the party (negative: before the run).
    party_since: i16,
    /// Village ties (0..1).
    ties: f32,
    /// Granovetter strike threshold (0..1), fixed.
    threshold: f32,
    /// Epstein risk aversion R (0..1), fixed.
    risk: f32,
    /// Consumption this week (1913 = 1).
    consumption: f32,
    /// Living standard the worker expects (adaptive).
    expectation: f32,
    /// Hardship H (0..1).
    hardship: f32,
    /// Legitimacy L the worker grants the party (0..1).
    legitimacy: f32,
    /// Fear (0..1).
    fear: f32,
    /// Private stance: dissent held privately (0..1).
    dissent: f32,
    /// Effort (0..1).
    effort: f32,
}

impl Workers {
    pub fn len(&self) -> usize {
        self.wp.len()
    }

    /// Stores the worker `order[j]` at index `j`, for every `j`: any storage order (no result
    /// depends on it; see [`sort`](Self::sort)). Panics unless `order` is a permutation of the
    /// indices.
    pub fn reorder(&mut self, order: &[u32]) {
        let n = self.len();
        let mut seen = vec![false; n];
        assert!(
            order.len() == n,
            "an order of {} workers for {n}",
            order.len()
        );
        for &i in order {
            assert!(
                !std::mem::replace(&mut seen[i as usize], true),
                "worker {i} twice in an order"
            );
        }
        self.permute(|j| order[j] as usize);
    }

    /// Stores the workers grouped by where they stand: the city workers (employed or not) of
    /// each workplace together, each workplace's run filled up to a whole number of [`GROUP`]s
    /// with officials (else villagers), then the rest of administration, the village, custody
    /// and exile. Stable (a counting sort), so the new order is a function of the old one and
    /// the state alone. Only the speed of the worker phase depends on the order (a group of
    /// one workplace's workers reads its context once); every result is the same in any order,
    /// as each worker's draws and place in ordered choices come from its [`id`](Self::id). The
    /// permutation is kept in the strike need column, which is dead between steps (reset to
    /// infinity, as at the start), so that sorting needs one column's memory beyond the state.
    /// Returns the share of whole groups that still hold city workers of several workplaces.
    pub fn sort(&mut self, workplaces: usize) -> f32 {
        let group = GROUP;
        let n = self.len();
        let key = |i: usize| match self.status[i] {
            Status::Employed | Status::Unemployed => self.wp[i] as usize,
            Status::Administration => workplaces,
            Status::Village => workplaces + 1,
            Status::Arrested => workplaces + 2,
            Status::Exiled => workplaces + 3,
        };
        let mut count = vec![0usize; workplaces + 4];
        for i in 0..n {
            count[key(i)] += 1;
        }
        // Where each workplace's run starts, and the padding after it: (index of its first
        // padding worker among the others, position).
        let mut spare: usize = count[workplaces..].iter().sum();
        let (mut at, mut padded) = (0, 0);
        let mut city_at = Vec::with_capacity(workplaces);
        let mut pads = Vec::new();
        for &c in &count[..workplaces] {
            city_at.push(at);
            at += c;
            let pad = ((group - c % group) % group).min(spare);
            if pad > 0 {
                pads.push((padded, at));
            }
            (at, padded, spare) = (at + pad, padded + pad, spare - pad);
        }
        let rest_at = at;
        // The others in order: the q-th goes to the padding while there is any, then to the
        // rest; each kind of status has its cursor `q` and its place `p` in `pads`.
        let mut others = [(0usize, 0usize); 4];
        for s in 1..4 {
            others[s].0 = others[s - 1].0 + count[workplaces + s - 1];
        }
        let mut order = std::mem::take(&mut self.need);
        for i in 0..n {
            let k = key(i);
            let to = if k < workplaces {
                city_at[k] += 1;
                city_at[k] - 1
            } else {
                let (q, p) = &mut others[k - workplaces];
                while *p + 1 < pads.len() && pads[*p + 1].0 <= *q {
                    *p += 1;
                }
                let to = if *q < padded {
                    pads[*p].1 + *q - pads[*p].0
                } else {
                    rest_at + *q - padded
                };
                *q += 1;
                to
            };
            order[to] = f32::from_bits(i as u32);
        }
        self.permute(|j| order[j].to_bits() as usize);
        order.fill(f32::INFINITY);
        self.need = order;
        self.mixed_share()
    }

    /// Share of whole groups of [`GROUP`] workers that hold city workers (employed or not) of
    /// more than one workplace.
    pub fn mixed_share(&self) -> f32 {
        let group = GROUP;
        let groups = self.len() / group;
        let mixed = (0..groups)
            .filter(|&g| {
                let mut city = (g * group..(g + 1) * group)
                    .filter(|&i| matches!(self.status[i], Status::Employed | Status::Unemployed))
                    .map(|i| self.wp[i]);
                city.next().is_some_and(|first| city.any(|k| k != first))
            })
            .count();
        mixed as f32 / groups.max(1) as f32
    }
    pub fn is_empty(&self) -> bool {
        self.wp.is_empty()
    }
}

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
    /// Ration pool per worker this week (1913 units).
    pub ration_pool: f64,
    /// Market food per worker this week (1913 units).
    pub market_food: f64,
    /// Money wage per unit effort (1913 consumption units).
    pub wage_rate: f64,
    /// Share of money demand the market can meet (1/price pressure).
    pub market_fill: f64,
    /// Money demand of last week (1913 units per worker).
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
    /// Agents in the city at the start (for per-capita food).
    pub city_agents_start: f64,
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
        let wcfg = &sc.workplaces;
        let n_city = sc.run.scale as usize;
        let weight = pop.represented_workers / n_city as f64;
        // Workplaces: sizes in persons, members in agents.
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
                .map(|i| {
                    0.4 + 1.2 * f64::from(rng::uniform(seed, Stream::Init, wp_id + i as u64, 0))
                })
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
                    && rng::uniform(seed, Stream::Init, wp_id, 2)
                        < (wcfg.defence_share * 2.0) as f32;
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
                wps.cell_vigour.push(0.5);
                wps.output.push(0.0);
                wp_id += 1;
            }
        }
        let n_wp = wps.len();
        // Workers: city workers assigned to workplaces in order; then the village pool; then
        // party members already in administration.
        let n_village = (n_city as f64 * pop.village_pool).round() as usize;
        let n_admin = (pop.party_in_administration / weight).round() as usize;
        let n = n_city + n_village + n_admin;
        let mut w = Workers::default();
        let mut slots: Vec<u32> = Vec::with_capacity(n_city);
        for (i, &j) in wps.base_jobs.iter().enumerate() {
            slots.extend(std::iter::repeat_n(i as u32, j as usize));
        }
        for id in 0..n {
            let u = |k: u64| rng::uniform(seed, Stream::InitTraits, id as u64, k);
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
            let skill = {
                let s = u(4);
                if s < pop.skilled_share as f32 {
                    2
                } else if s < (pop.skilled_share + pop.semiskilled_share) as f32 {
                    1
                } else {
                    0
                }
            };
            let politics = if status == Status::Administration {
                Politics::Party
            } else {
                let p = rng::uniform(seed, Stream::InitPolitics, id as u64, 0);
                // Cadre workers carry the socialist traditions; offices hold more party members.
                let office = status != Status::Village
                    && wps.class.get(wp as usize) == Some(&SizeClass::Office);
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
            };
            let ties_mean = if cadre {
                pop.ties_cadre
            } else {
                pop.ties_migrant
            } as f32;
            let ties = (ties_mean + 0.5 * (u(5) - 0.5)).clamp(0.0, 1.0);
            let legit = (politics.anchor()
                + (pop.legitimacy_mean as f32 - 0.5)
                + pop.legitimacy_spread as f32 * 2.0 * (u(6) - 0.5))
                .clamp(0.0, 1.0);
            let since = if politics == Politics::Party {
                // Recent members joined in the party weeks of autumn 1919 (the 12 weeks before).
                if u(7) < pop.party_recent_share as f32 {
                    -(1 + (u(8) * 11.0) as i16)
                } else {
                    -(53 + (u(8) * 300.0) as i16)
                }
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
            // Abolition of the death penalty was a socialist principle of 1917: more common among
            // the socialists and the cadre.
            let abol = match politics {
                Politics::Party => 0.1,
                Politics::Unaffiliated => {
                    if cadre {
                        0.3
                    } else {
                        0.15
                    }
                }
                _ => 0.7,
            };
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
            let t = sc.mechanisms.strike_threshold_mean as f32 + 0.5 * (u(10) + u(11) - 1.0);
            w.threshold.push(t.clamp(0.0, 1.0));
            w.risk.push(u(12));
            w.consumption.push(0.2);
            w.expectation.push(0.25);
            w.hardship.push(0.0);
            w.legitimacy.push(legit);
            w.fear.push(0.1);
            w.dissent.push(0.0);
            w.effort.push(0.5);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The real-valued columns but the strike need and effort.
    fn reals(w: &mut Workers) -> [&mut Vec<f32>; 9] {
        [
            &mut w.ties,
            &mut w.threshold,
            &mut w.risk,
            &mut w.consumption,
            &mut w.expectation,
            &mut w.hardship,
            &mut w.legitimacy,
            &mut w.fear,
            &mut w.dissent,
        ]
    }

    #[test]
    fn chunks_cover_every_worker_once_in_order() {
        let mut w = Workers::default();
        for i in 0..10_001u32 {
            w.id.push(i);
            w.wp.push(i);
            w.effort.push(i as f32);
        }
        w.status.resize(10_001, Status::Employed);
        w.need.resize(10_001, 0.0);
        w.politics.resize(10_001, Politics::Unaffiliated);
        w.skill.resize(10_001, 0);
        w.flags.resize(10_001, 0);
        w.timer.resize(10_001, 0);
        w.party_since.resize(10_001, 0);
        for col in reals(&mut w) {
            col.resize(10_001, 0.0);
        }
        let chunks = w.chunks_mut(4096);
        assert_eq!(
            chunks.iter().map(WorkersMut::len).collect::<Vec<_>>(),
            [4096, 4096, 1809]
        );
        let mut next = 0;
        for c in chunks {
            assert_eq!(c.base, next);
            for j in 0..c.len() {
                assert_eq!(c.wp[j] as usize, c.base + j);
                assert_eq!(c.effort[j], (c.base + j) as f32);
                c.timer[j] = 1;
            }
            next += c.len();
        }
        assert_eq!(next, 10_001);
        assert!(w.timer.iter().all(|&t| t == 1));
        assert_eq!(Workers::BYTES_PER_WORKER, 60);
    }

    #[test]
    fn sort_groups_each_workplace_in_whole_groups() {
        // Random statuses and workplaces: after the sort, every group of 16 holds city workers
        // of one workplace at most (as long as there are officials and villagers to fill
        // with), the order is stable within each workplace, and no worker is lost.
        let n = 5_000usize;
        let nw = 37;
        let mut w = Workers::default();
        for i in 0..n {
            let u = |k: u64| rng::uniform(3, Stream::Init, i as u64, k);
            w.id.push(i as u32);
            w.wp.push((u(0) * nw as f32) as u32);
            w.status.push(Status::ALL[(u(1) * 6.0) as usize % 6]);
            w.need.push(0.5);
            for col in reals(&mut w) {
                col.push(i as f32);
            }
            w.effort.push(i as f32);
            w.politics.push(Politics::Unaffiliated);
            w.skill.push(1);
            w.flags.push(i as u8);
            w.timer.push(i as u16);
            w.party_since.push(i as i16);
        }
        let before = w.clone();
        assert_eq!(w.sort(nw), 0.0, "a mixed group after the sort");
        let city = |s: Status| matches!(s, Status::Employed | Status::Unemployed);
        for g in w.status.chunks(16).zip(w.wp.chunks(16)) {
            let wps: std::collections::BTreeSet<u32> =
                g.0.iter()
                    .zip(g.1)
                    .filter(|(s, _)| city(**s))
                    .map(|(_, &k)| k)
                    .collect();
            assert!(wps.len() <= 1, "a group with workplaces {wps:?}");
        }
        // Every worker once, its columns moved together; stable within a workplace.
        let mut seen = vec![false; n];
        let mut last = vec![None; nw];
        for j in 0..n {
            let i = w.id[j] as usize;
            assert!(!std::mem::replace(&mut seen[i], true));
            assert_eq!((w.wp[j], w.status[j]), (before.wp[i], before.status[i]));
            assert_eq!((w.effort[j], w.timer[j]), (i as f32, i as u16));
            assert_eq!(w.need[j], f32::INFINITY);
            if city(w.status[j]) {
                let k = w.wp[j] as usize;
                assert!(last[k] < Some(i), "workplace {k}: {:?} before {i}", last[k]);
                last[k] = Some(i);
            }
        }
    }
}
