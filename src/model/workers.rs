//! The workers' weekly decision, phase 3 of the step (ODD 7.3–7.10): consumption, hardship,
//! the social contract's expectations, legitimacy, fear, grievance, private and public stance
//! (Kuran), the strike need each worker brings to the workplace's cascade (Granovetter,
//! Epstein), effort, migration; custody, exile and blacklist timers. [`decide`] is the decision,
//! written once as a loop over lanes (a group of workers, [`crate::model::lanes`]);
//! [`custody`] the week of a worker in custody or exile. The phase's loop over the workers is
//! [`crate::model::worker_phase`].

use crate::model::counts::Agg;
use crate::model::economy::SKILL_PAY;
use crate::model::lanes::{ANCHOR, CONVICTION, G, select};
use crate::model::mechanisms as mech;
use crate::model::rng::{self, Stream};
use crate::model::world::{Politics, Status, WorkersMut, flag};

/// The week's constants of the worker phase, the same for every worker (derived once a week
/// from the world and the mechanism parameters, in the worker state's single precision).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Consts {
    pub(crate) seed: u64,
    pub(crate) week: u64,
    /// The keys and week term of the draws to leave for and return from the village.
    pub(crate) key_migrate: u64,
    pub(crate) key_return: u64,
    pub(crate) week_term: u64,
    /// The first week: expectations start at what it delivers.
    pub(crate) week0: bool,
    /// The share of coworkers out that a strike needs to start (`strike_min_share`).
    pub(crate) min_share: f32,
    /// Unions funded by voluntary dues.
    pub(crate) voluntary: bool,
    pub(crate) unemployed_ration: f32,
    /// Relative deprivation of the unemployed's ration.
    pub(crate) unemployed_dep: f32,
    /// Consumption in the village and of officials.
    pub(crate) cons_village: f32,
    pub(crate) cons_admin: f32,
    /// The week's rates of the legitimacy and fear updates.
    pub(crate) legitimacy: mech::LegitimacyRates,
    pub(crate) fear: FearRates,
    /// Effort's response to piece rates (0 under time wages).
    pub(crate) piece: f32,
    pub(crate) piece_rates: bool,
    pub(crate) mobilised: bool,
    /// What the unemployed get in money; the share of money demand the market meets.
    pub(crate) dole: f32,
    pub(crate) market_fill: f32,
    pub(crate) dep_weight: f32,
    pub(crate) expectation_rate: f32,
    pub(crate) threshold: f32,
    pub(crate) expressive_cost: f32,
    pub(crate) strike_weight: f32,
    pub(crate) subsistence: f32,
    pub(crate) effort_base: f32,
    pub(crate) effort_legitimacy: f32,
    pub(crate) effort_fear: f32,
    pub(crate) migrate_leave: f32,
    pub(crate) village_pull: f32,
    pub(crate) migrate_return: f32,
    pub(crate) city_pull: f32,
    /// The weekly rate at which consumption follows what is delivered (1: no reserves).
    pub(crate) reserves_rate: f32,
    /// What a strike costs (ODD 7.8): strikers are not paid, and the share of the household's
    /// consumption a week's pay buys raises the strike need by this much (0 when switched off).
    pub(crate) strike_cost: f32,
    pub(crate) unpaid_strikes: bool,
    /// Custody's end: the share exiled, the mean weeks of exile, the weeks on the blacklist.
    pub(crate) exile_share: f32,
    pub(crate) exile_weeks: f32,
    pub(crate) blacklist_weeks: u16,
}

/// What a worker reads of its workplace in the worker phase, gathered into one cache line
/// (workers of one workplace are scattered over the ids once hiring has moved them).
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
pub(crate) struct WpCtx {
    /// Ration of an employed worker (category; special rations for defence work).
    pub(crate) ration: f32,
    /// Relative deprivation of that ration against the best one, with visible privilege.
    pub(crate) deprivation: f32,
    /// Money wage per unit of skill pay and effort: 0 while wages are in arrears.
    pub(crate) pay: f32,
    /// Mean effort last week (what a time wage pays for).
    pub(crate) mean_effort: f32,
    /// Cell strength.
    pub(crate) cell: f32,
    /// Arrests last week as a share of the workforce.
    pub(crate) arrested: f32,
    /// Change of legitimacy from the soviet executive: shut out, included, or neither.
    pub(crate) inclusion: f32,
    /// Epstein's arrest probability for a worker who was quiet / who spoke out last week.
    pub(crate) risk_quiet: f32,
    pub(crate) risk_public: f32,
    /// Share of coworkers speaking out last week.
    pub(crate) peer_public: f32,
    /// The sector union's strike signal while its assembly sits.
    pub(crate) union_signal: f32,
    /// What the workplace adds to every worker's strike need: demobilisation after a settled or
    /// broken strike and the fatigue of a long one, less its shared demand (wages in arrears,
    /// unequal rations): `worker_phase::need_shift`.
    pub(crate) need_shift: f32,
    /// Last week's strike share.
    pub(crate) prev: f32,
    pub(crate) sector: u8,
    /// An office (the party counts its members there apart).
    pub(crate) office: bool,
}

/// Where the lanes of a group read their workplace's context.
pub(crate) trait Source {
    fn at(&self, l: usize) -> &WpCtx;
    /// Whether lanes `0..n` have a context.
    fn covers(&self, n: usize) -> bool;
}

/// Each lane its own workplace's context (a gather per field).
#[derive(Clone, Copy)]
pub(crate) struct Gathered<'a> {
    pub(crate) ctx: &'a [WpCtx],
    pub(crate) wp: &'a [u32],
}

impl Source for Gathered<'_> {
    #[inline(always)]
    fn at(&self, l: usize) -> &WpCtx {
        // Every id is a workplace; the clamp (a no-op) lets the compiler drop the bounds check.
        &self.ctx[(self.wp[l] as usize).min(self.ctx.len() - 1)]
    }
    #[inline(always)]
    fn covers(&self, n: usize) -> bool {
        self.wp.len() == n && !self.ctx.is_empty()
    }
}

/// One context for every lane (a broadcast per field).
pub(crate) struct Uniform(pub(crate) WpCtx);

impl Source for Uniform {
    #[inline(always)]
    fn at(&self, _: usize) -> &WpCtx {
        &self.0
    }
    #[inline(always)]
    fn covers(&self, _: usize) -> bool {
        true
    }
}

/// The decisions of the workers `at..at + n` of a chunk (a group, or the chunk's last workers):
/// [`decide`] on their columns. Workers in custody or exile keep every value ([`custody`]).
#[inline(always)]
pub(crate) fn decide_at(k: &Consts, src: impl Source, c: &mut WorkersMut, at: usize, n: usize) {
    let m = at..at + n;
    decide(
        &c.id[m.clone()],
        k,
        src,
        &mut c.status[m.clone()],
        &mut c.flags[m.clone()],
        &mut c.timer[m.clone()],
        &c.skill[m.clone()],
        &c.politics[m.clone()],
        &c.ties[m.clone()],
        &c.threshold[m.clone()],
        &c.risk[m.clone()],
        &mut c.need[m.clone()],
        &mut c.consumption[m.clone()],
        &mut c.expectation[m.clone()],
        &mut c.hardship[m.clone()],
        &mut c.legitimacy[m.clone()],
        &mut c.fear[m.clone()],
        &mut c.dissent[m.clone()],
        &mut c.effort[m],
    );
}

/// The weekly decision of a group of workers (at most [`G`]), lane by lane: the arithmetic for
/// a city worker on every lane, each column's new value selected by the worker's status (so
/// that the loop has no branches and vectorises). The loop of [`decide_at`]. Each column is its own argument: the compiler knows that
/// mutable references never overlap, which is what lets it vectorise the loop.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn decide(
    ids: &[u32],
    k: &Consts,
    src: impl Source,
    st: &mut [Status],
    fl: &mut [u8],
    tm: &mut [u16],
    skill: &[u8],
    pol: &[Politics],
    ties: &[f32],
    theta: &[f32],
    risk_av: &[f32],
    need: &mut [f32],
    cons_c: &mut [f32],
    exp_c: &mut [f32],
    hard_c: &mut [f32],
    leg_c: &mut [f32],
    fear_c: &mut [f32],
    dis_c: &mut [f32],
    eff_c: &mut [f32],
) {
    let n = st.len();
    assert!(
        n <= G
            && fl.len() == n
            && tm.len() == n
            && skill.len() == n
            && pol.len() == n
            && ties.len() == n
            && theta.len() == n
            && risk_av.len() == n
            && need.len() == n
            && cons_c.len() == n
            && exp_c.len() == n
            && hard_c.len() == n
            && leg_c.len() == n
            && fear_c.len() == n
            && dis_c.len() == n
            && eff_c.len() == n
            && ids.len() == n
            && src.covers(n)
    );
    let k = *k;
    // The week's draw of every lane (migration in the city, return from the village): its own
    // loop, as 64-bit multiplies are dear in vectors.
    let mut draws = [0.0f32; G];
    for l in 0..n {
        let key = if st[l] == Status::Village {
            k.key_return
        } else {
            k.key_migrate
        };
        draws[l] = rng::unit(rng::hash_keyed(key, u64::from(ids[l]), k.week_term));
    }
    for l in 0..n {
        let g = src.at(l);
        let s = st[l] as u8;
        let employed = s == Status::Employed as u8;
        let city = s <= Status::Unemployed as u8;
        let village = s == Status::Village as u8;
        let admin = s == Status::Administration as u8;
        let f0 = fl[l];
        // The blacklist runs out.
        let listed = city && f0 & flag::BLACKLISTED != 0;
        let t0 = tm[l];
        let t1 = if listed { t0.saturating_sub(1) } else { t0 };
        let f1 = if listed && t1 == 0 {
            f0 & !flag::BLACKLISTED
        } else {
            f0
        };
        let was_public = f1 & flag::PUBLIC != 0;
        // Consumption.
        let ration = if employed {
            g.ration
        } else {
            k.unemployed_ration
        };
        let dep = if employed {
            g.deprivation
        } else {
            k.unemployed_dep
        };
        let earned = money(
            employed,
            k.piece_rates,
            eff_c[l],
            g.mean_effort,
            g.pay,
            skill_pay(skill[l]),
            k.dole,
        );
        // A striker is not paid for last week's strike.
        let striker = f1 & flag::STRIKING != 0;
        let paid = if striker && k.unpaid_strikes {
            0.0
        } else {
            earned
        };
        let delivered = ration + paid * k.market_fill;
        // Household reserves: what is consumed follows what is delivered at a weekly rate.
        let cons = if k.week0 {
            delivered
        } else {
            cons_c[l] + k.reserves_rate * (delivered - cons_c[l])
        };
        let e0 = if k.week0 { cons } else { exp_c[l] };
        let hard = mech::hardship(cons, e0, dep, k.dep_weight);
        let p = pol[l] as u8;
        // Legitimacy.
        let lg = mech::legitimacy_week(
            leg_c[l],
            cons,
            e0,
            select(p, &ANCHOR),
            g.cell,
            g.arrested,
            g.inclusion,
            &k.legitimacy,
        );
        let e1 = e0 + k.expectation_rate * (cons - e0);
        // Fear.
        let fe = fear_week(fear_c[l], g.arrested, &k.fear);
        // Stance.
        let d = dissent(hard, lg, select(p, &CONVICTION));
        let wp_risk = if was_public {
            g.risk_public
        } else {
            g.risk_quiet
        };
        let net = net_risk(risk_av[l], fe, wp_risk);
        let public = mech::expresses(d, net, k.threshold, k.expressive_cost, g.peer_public);
        let nd = strike_need(
            employed,
            theta[l],
            d,
            net,
            k.threshold,
            k.strike_weight,
            g.union_signal,
            g.need_shift,
        ) + mech::strike_cost(
            k.strike_cost,
            ration,
            mech::forgone_pay(employed, g.pay, skill_pay(skill[l])) * k.market_fill,
        );
        let fl_city =
            (f1 & !(flag::PUBLIC | flag::STRIKING)) | if public { flag::PUBLIC } else { 0 };
        // Effort.
        let hunger = hunger(cons, k.subsistence);
        let eff = if employed {
            mech::effort(
                k.effort_base,
                k.effort_legitimacy,
                lg,
                k.effort_fear,
                fe,
                k.piece,
                g.cell,
                hunger,
            )
        } else {
            0.0
        };
        // Migration (city) or return (village): one draw, the stream chosen by the status.
        let p_leave = leave_chance(
            k.migrate_leave,
            ties[l],
            hunger,
            employed,
            k.village_pull,
            k.mobilised,
            p == Politics::Party as u8,
        );
        let p_return = return_chance(k.migrate_return, ties[l], k.city_pull);
        let u = draws[l];
        let leave = city && u < p_leave;
        let back = village && u < p_return;
        // Write back by status.
        tm[l] = t1;
        cons_c[l] = if city {
            cons
        } else if village {
            k.cons_village
        } else if admin {
            k.cons_admin
        } else {
            cons_c[l]
        };
        exp_c[l] = if city {
            e1
        } else if back {
            k.cons_village
        } else {
            exp_c[l]
        };
        hard_c[l] = if city { hard } else { hard_c[l] };
        let l_old = leg_c[l];
        leg_c[l] = if city {
            lg
        } else if admin {
            official_loyalty(l_old)
        } else {
            l_old
        };
        fear_c[l] = if city { fe } else { fear_c[l] };
        dis_c[l] = if city { d } else { dis_c[l] };
        need[l] = if city { nd } else { need[l] };
        eff_c[l] = if leave {
            0.0
        } else if city {
            eff
        } else {
            eff_c[l]
        };
        fl[l] = if leave || admin {
            f1 & !(flag::PUBLIC | flag::STRIKING)
        } else if city {
            fl_city
        } else {
            f0
        };
        st[l] = if leave {
            Status::Village
        } else if back {
            Status::Unemployed
        } else {
            st[l]
        };
    }
}

/// The week of worker `j` of a chunk in custody or exile (the lanes [`decide`] leaves as they
/// are): custody ends in exile for some, release (sacked, blacklisted) for the rest; exile ends
/// in the village.
pub(crate) fn custody(c: &mut WorkersMut, j: usize, k: &Consts, a: &mut Agg) {
    let id = u64::from(c.id[j]);
    match c.status[j] {
        Status::Arrested => {
            c.timer[j] = c.timer[j].saturating_sub(1);
            if c.timer[j] == 0 {
                if rng::chance(k.seed, Stream::Release, id, k.week, k.exile_share) {
                    c.status[j] = Status::Exiled;
                    c.timer[j] = (k.exile_weeks
                        * (0.5 + rng::uniform(k.seed, Stream::Release, id, k.week + 1)))
                    .max(1.0) as u16;
                    a.exiles += 1;
                } else {
                    c.status[j] = Status::Unemployed;
                    c.flags[j] |= flag::BLACKLISTED;
                    c.timer[j] = k.blacklist_weeks;
                }
            }
        }
        Status::Exiled => {
            c.timer[j] = c.timer[j].saturating_sub(1);
            if c.timer[j] == 0 {
                c.status[j] = Status::Village;
            }
        }
        _ => {}
    }
}

/// [`SKILL_PAY`] as selects on the skill (0, 1, 2).
#[inline(always)]
pub(crate) fn skill_pay(s: u8) -> f32 {
    if s == 0 {
        SKILL_PAY[0]
    } else if s == 1 {
        SKILL_PAY[1]
    } else {
        SKILL_PAY[2]
    }
}

// The worker's rules, each a function of a worker's values and the week's (the loop above
// calls them lane by lane; tested against their formulas).

/// The week's rates of the fear update, the same for every worker (ODD 7.5).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FearRates {
    /// `1 − fear_decay`.
    pub(crate) keep: f32,
    pub(crate) witness: f32,
    /// `fear_city · the city's arrest rate`.
    pub(crate) city: f32,
    /// `0.3 · exemplary repression` this week.
    pub(crate) exemplary: f32,
}

/// Fear after the week (ODD 7.5): what is left of last week's, plus deterrence by the share of
/// coworkers arrested (`arrested`), by arrests in the city and by exemplary violence; in [0, 1].
#[inline(always)]
pub(crate) fn fear_week(f: f32, arrested: f32, r: &FearRates) -> f32 {
    (f * r.keep + r.witness * arrested + r.city + r.exemplary).clamp(0.0, 1.0)
}

/// Hunger: the shortfall of consumption below subsistence, as a share of it, in [0, 1].
#[inline(always)]
pub(crate) fn hunger(consumption: f32, subsistence: f32) -> f32 {
    ((subsistence - consumption) / subsistence).clamp(0.0, 1.0)
}

/// The chance that a city worker leaves for the village this week (ODD 7.10): hunger (and
/// unemployment) push, village ties and the village's pull; halved under labour mobilisation
/// for the employed, a fifth for party members.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn leave_chance(
    rate: f32,
    ties: f32,
    hunger: f32,
    employed: bool,
    village_pull: f32,
    mobilised: bool,
    party: bool,
) -> f32 {
    let push = hunger + if employed { 0.0 } else { 0.5 };
    let mut p = rate * ties * push * village_pull;
    if mobilised && employed {
        p *= 0.5;
    }
    if party {
        p *= 0.2;
    }
    p
}

/// The chance that a worker in the village returns to the city this week (ODD 7.10): weaker
/// ties to the village, and the city's pull (vacancies, the real wage against village food).
#[inline(always)]
pub(crate) fn return_chance(rate: f32, ties: f32, city_pull: f32) -> f32 {
    rate * (1.0 - 0.5 * ties) * city_pull
}

/// An official's legitimacy after the week: their loyalty is their post.
#[inline(always)]
pub(crate) fn official_loyalty(l: f32) -> f32 {
    l + 0.02 * (0.9 - l)
}

/// What a worker's pay is worth in money this week (ODD 7.2): the employed are paid the
/// workplace's rate by skill for their own effort (piece rates) or the workplace's mean effort;
/// the unemployed get the dole.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn money(
    employed: bool,
    piece_rates: bool,
    effort: f32,
    mean_effort: f32,
    pay: f32,
    skill_pay: f32,
    dole: f32,
) -> f32 {
    let own = if piece_rates {
        1.1 * effort
    } else {
        mean_effort
    };
    if employed {
        pay * skill_pay * own
    } else {
        dole
    }
}

/// Private dissent (ODD 7.6): grievance (Epstein) plus the worker's political conviction, in
/// [0, 1].
#[inline(always)]
pub(crate) fn dissent(hardship: f32, legitimacy: f32, conviction: f32) -> f32 {
    (mech::grievance(hardship, legitimacy) + conviction).clamp(0.0, 1.0)
}

/// Epstein's net risk N = R·P (ODD 7.7): risk aversion raised by fear (at most 1), times the
/// workplace's estimated arrest probability for this worker.
#[inline(always)]
pub(crate) fn net_risk(risk_aversion: f32, fear: f32, arrest_probability: f32) -> f32 {
    (risk_aversion * (1.0 + fear)).min(1.0) * arrest_probability
}

/// The share of coworkers an employed worker needs to see striking before joining (ODD 7.8,
/// Granovetter), plus what the workplace adds ([`WpCtx::need_shift`]); never, for the unemployed.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn strike_need(
    employed: bool,
    theta: f32,
    dissent: f32,
    net: f32,
    threshold: f32,
    weight: f32,
    union_signal: f32,
    need_shift: f32,
) -> f32 {
    if employed {
        mech::strike_need(theta, dissent - net - threshold, weight, union_signal) + need_shift
    } else {
        f32::INFINITY
    }
}
