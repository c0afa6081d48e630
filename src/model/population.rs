//! The initial city: its workplaces (size classes, sectors, defence work) and its workers, each
//! worker's traits drawn by person ([`trait_key`]) from the replicate's seed.

use crate::model::registry::Mechanism;
use crate::model::rng::{self, Stream};
use crate::model::storage::{Politics, Status, Workers, flag};
use crate::model::world::{OFFICE_SECTOR, SizeClass, Workplaces};
use crate::scenario::Resolved;
use crate::scenario::params::PopulationCfg;

/// Workplaces by size class (sizes in persons, members in agents), sectors, defence work,
/// cells and committees.
pub(crate) fn workplaces(res: &Resolved, weight: f64, seed: u64) -> Workplaces {
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
/// members already in administration. Each worker's traits are drawn by its [`trait_key`].
pub(crate) fn workers(res: &Resolved, wps: &Workplaces, weight: f64, seed: u64) -> Workers {
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
            let wp = at.map_or(0, |(wp, _)| wp);
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
