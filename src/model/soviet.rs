//! The soviet, phase 6 of the step: elections (votes, abstention, delegates by D'Hondt, the
//! executive formed) and campaign resolutions put to workplace meetings.

use crate::model::mechanisms as mech;
use crate::model::record::{CampaignRecord, ElectionRecord, RunRecord};
use crate::model::registry::Mechanism;
use crate::model::rng::{self, Stream};
use crate::model::world::{Politics, SizeClass, Status, World, flag};
use crate::scenario::Resolved;
use crate::scenario::params::{Campaign, Executive, MechanismCfg};

/// Current of a vote: 0 party, 1 non-party socialists, 2 other socialist parties, 3 abstain.
pub(crate) fn vote(world: &World, i: usize, m: &MechanismCfg, salt: u64) -> usize {
    let w = &world.workers;
    let d = w.dissent[i];
    let public = w.flags[i] & flag::PUBLIC != 0;
    let k = w.wp[i] as usize;
    let sw = world.switches;
    // A vote is worth legitimacy times the faith that it counts (withdrawal: none where the
    // workplace's delegates were shut out, recovering as the memory fades).
    let efficacy = if sw.on(Mechanism::Inclusion) {
        world.wps.efficacy[k]
    } else {
        1.0
    };
    let l = w.legitimacy[i];
    // Voting with their feet: hidden dissent (Kuran), political alienation from a party that
    // rules alone, withdrawal where the vote was made to count for nothing, and fear.
    let p_abstain = (0.05
        + sw.gate(Mechanism::DissentAbstention, m.abstention as f32)
            * d
            * if public { 0.1 } else { 1.0 }
        + sw.gate(Mechanism::AlienationAbstention, m.alienation as f32) * (1.0 - l * efficacy)
        + 0.2 * w.fear[i] * d)
        .min(0.95);
    if rng::chance(
        world.seed,
        Stream::Vote,
        u64::from(w.id[i]),
        world.week as u64 + salt,
        p_abstain,
    ) {
        return 3;
    }
    // Voting against the party takes open dissent and withdrawn legitimacy, or a dissident's
    // convictions.
    let dissident = w.politics[i].dissident();
    // An unaffiliated worker who speaks out votes against the party with a probability that
    // ramps from 0 to 1 as legitimacy falls through `opposition_vote` ± 0.1.
    let against = ((m.opposition_vote as f32 - l) / 0.2 + 0.5).clamp(0.0, 1.0);
    let opposes = public
        && rng::chance(
            world.seed,
            Stream::Vote,
            u64::from(w.id[i]),
            world.week as u64 + salt + 1_000_033,
            against,
        );
    if (public && dissident) || opposes || (dissident && d > 0.35) {
        if w.politics[i].other_socialist() {
            2
        } else {
            1
        }
    } else {
        0
    }
}

/// A soviet election: votes by workplace, delegates by D'Hondt within each workplace, the
/// executive formed under the policy in force.
pub(crate) fn election(world: &mut World, res: &Resolved, out: &mut RunRecord) {
    let m = &res.scenario.mechanisms;
    let nw = world.wps.len();
    let mut votes = vec![[0u32; 4]; nw];
    for i in 0..world.workers.len() {
        if world.workers.status[i] == Status::Employed {
            let v = vote(world, i, m, 0);
            votes[world.workers.wp[i] as usize][v] += 1;
        }
    }
    let mut rows: Vec<ElectionRecord> = SizeClass::ALL
        .iter()
        .map(|c| ElectionRecord {
            week: world.week,
            class: c.name(),
            ..Default::default()
        })
        .collect();
    let per = world.weight;
    let mut seats_total = [0.0f64; 3];
    for k in 0..nw {
        let v = votes[k];
        let persons = f64::from(v.iter().sum::<u32>()) * per;
        // One delegate per 1/delegates_per_worker voters, at least one per real workplace.
        let exact = (persons * res.scenario.workplaces.delegates_per_worker)
            .max(f64::from(world.wps.weight[k]));
        let u = f64::from(rng::uniform(
            world.seed,
            Stream::Vote,
            k as u64,
            world.week as u64 + 77,
        ));
        let seats = (exact + u).floor() as u32;
        let won = mech::dhondt(&v[..3], seats);
        let r = &mut rows[world.wps.class[k] as usize];
        let wt = f64::from(world.wps.weight[k]);
        r.electorate += persons;
        r.votes_party += f64::from(v[0]) * per;
        r.votes_nonparty += f64::from(v[1]) * per;
        r.votes_other_socialist += f64::from(v[2]) * per;
        r.abstentions += f64::from(v[3]) * per;
        r.delegates_party += f64::from(won[0]);
        r.delegates_nonparty += f64::from(won[1]);
        r.delegates_other_socialist += f64::from(won[2]);
        for (s, t) in seats_total.iter_mut().enumerate() {
            *t += f64::from(won[s]);
        }
        if v[..3].iter().any(|&x| x > 0) {
            let top = (0..3).max_by_key(|&s| (v[s], 3 - s)).unwrap_or(0);
            match top {
                0 => r.won_party += wt,
                1 => r.won_nonparty += wt,
                _ => r.won_other_socialist += wt,
            }
        }
        world.wps.excluded[k] = false;
    }
    // Delegates of party, union and army bodies (not elected by workplaces): party members.
    let inst = res.scenario.workplaces.institutional_delegates;
    let workplace_seats: f64 = seats_total.iter().sum();
    let inst_seats = (workplace_seats * inst / (1.0 - inst)).round();
    seats_total[0] += inst_seats;
    rows.push(ElectionRecord {
        week: world.week,
        class: "institutions",
        delegates_party: inst_seats,
        ..Default::default()
    });
    executive(world, &votes, &seats_total, &mut rows);
    out.elections.extend(rows);
}

/// The executive formed after an election under the policy in force: party-only (the workplaces
/// whose delegates are mostly non-party are shut out of it) or inclusive (seats in proportion).
fn executive(
    world: &mut World,
    votes: &[[u32; 4]],
    seats_total: &[f64; 3],
    rows: &mut [ElectionRecord],
) {
    let nw = world.wps.len();
    let total: f64 = seats_total.iter().sum();
    let inclusive = world.policy.executive == Executive::Inclusive;
    let party_share = if inclusive && total > 0.0 {
        seats_total[0] / total
    } else {
        1.0
    };
    world.soviet.executive_party_share = party_share as f32;
    world.soviet.elections_held += 1;
    // Workplaces whose delegates are mostly non-party are shut out of a party-only executive:
    // their vote counted for nothing. Under an inclusive executive every vote counts.
    for k in 0..nw {
        let v = votes[k];
        world.wps.excluded[k] = !inclusive && v[1] + v[2] > v[0];
        if inclusive {
            world.wps.efficacy[k] = 1.0;
        } else if world.wps.excluded[k] {
            world.wps.efficacy[k] = 0.0;
        }
    }
    for r in rows.iter_mut() {
        r.executive = if inclusive { "inclusive" } else { "party_only" };
        r.executive_party_share = party_share;
    }
}

/// The week's recovery of each workplace's faith that its vote counts: the memory of exclusion
/// fades (ODD 7.17).
pub(crate) fn efficacy_week(world: &mut World, m: &MechanismCfg) {
    let r = m.efficacy_recovery as f32;
    for e in &mut world.wps.efficacy {
        *e += r * (1.0 - *e);
    }
}

/// Index of a worker's draw of the strength of its conviction (one draw per worker for the run,
/// apart from the weekly draws).
const CONVICTION: u64 = 1 << 40;
/// Offset of the week index of the draw of exit by one who hides its opposition.
const EXIT: u64 = 1 << 41;

/// A campaign resolution put to workplace meetings: for, against, or staying away.
pub(crate) fn campaign(world: &mut World, m: &MechanismCfg, c: Campaign, out: &mut RunRecord) {
    let sw = world.switches;
    let (threshold, cost) = (
        m.epstein_threshold as f32,
        sw.gate(Mechanism::ExpressivePressure, m.expressive_cost as f32),
    );
    let name = c.name();
    let mut rows: Vec<CampaignRecord> = SizeClass::ALL
        .iter()
        .map(|s| CampaignRecord {
            week: world.week,
            campaign: name,
            class: s.name(),
            ..Default::default()
        })
        .collect();
    let w = &world.workers;
    let per = world.weight;
    for i in 0..w.len() {
        if w.status[i] != Status::Employed {
            continue;
        }
        let k = w.wp[i] as usize;
        let r = &mut rows[world.wps.class[k] as usize];
        r.workers += per;
        let d = w.dissent[i];
        let public = w.flags[i] & flag::PUBLIC != 0;
        let p_away = (0.08
            + world.switches.gate(Mechanism::DissentAbstention, 0.6)
                * d
                * if public { 0.3 } else { 1.0 })
        .min(0.9);
        if rng::chance(
            world.seed,
            Stream::Campaign,
            u64::from(w.id[i]),
            world.week as u64,
            p_away,
        ) {
            r.stayed_away += per;
            continue;
        }
        // The worker's private opposition to the resolution. To the death penalty: the
        // principle of abolition (not sympathy with the SRs), held with a strength of the
        // worker's own, and firmer the more the worker opposes this regime (the loyal accept
        // the party's case that a higher interest comes first). To the confiscation: dissent.
        // Members vote as the party moves.
        let id = u64::from(w.id[i]);
        let opposition = match c {
            Campaign::SrTrial if w.flags[i] & flag::ABOLITIONIST != 0 => {
                0.5 + 0.5 * rng::uniform(world.seed, Stream::Campaign, id, CONVICTION)
            }
            Campaign::SrTrial => 0.0,
            Campaign::ChurchValuables => d,
        };
        let v = &world.view;
        let n_emp = v.employed[k].max(1) as f32;
        let peers = v.public[k] as f32 / n_emp;
        // Voting against in the open meeting is speaking out (Kuran, Epstein): the risk of
        // being seen by the watchers, raised by fear, plus the cell's pressure (party members
        // move the resolution), against the pull of coworkers already speaking out.
        let pressure = crate::model::workers::net_risk(
            w.risk[i],
            w.fear[i],
            sw.gate(Mechanism::ArrestRisk, v.risk_public[k]),
        ) + sw.gate(Mechanism::Cells, v.cell_strength[k]);
        let opposed = w.politics[i] != Politics::Party && opposition > 0.0;
        let against = opposed && mech::expresses(opposition, pressure, threshold, cost, peers);
        // Preference falsification: one who would vote against with nothing to fear, but not
        // under this pressure, stays away (exit) as often as the conviction is firm, and
        // otherwise votes for while against in private.
        let hidden =
            opposed && !against && mech::expresses(opposition, 0.0, threshold, cost, peers);
        if against {
            r.votes_against += per;
        } else if hidden
            && rng::chance(
                world.seed,
                Stream::Campaign,
                id,
                world.week as u64 + EXIT,
                sw.gate(Mechanism::DissentAbstention, opposition),
            )
        {
            r.stayed_away += per;
        } else {
            r.votes_for += per;
            if hidden {
                r.falsified += per;
            }
        }
    }
    out.campaigns.extend(rows);
}
