//! The registry of the model's behavioural mechanisms: each has a name, what it does, and one
//! switch that neutralises it (what "off" means, docs/ODD.md section 7). A scenario switches
//! mechanisms off by name (`[mechanisms] off = ["outrage"]`, or `["all"]` for the null model),
//! so an ablation is an ordinary, citable scenario; `pact validate --ablate` runs the model with
//! each switched off in turn. The model asks [`Switches::on`] where each mechanism acts.

/// A behavioural mechanism that can be switched off.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[repr(u8)]
pub enum Mechanism {
    SocialContract,
    FoodMarket,
    TermsOfTrade,
    Recovery,
    Reserves,
    RelativeDeprivation,
    VisiblePrivilege,
    Cells,
    Outrage,
    Deterrence,
    Incapacitation,
    Information,
    Inclusion,
    ArrestRisk,
    ExpressivePressure,
    PeerThresholds,
    UnionAssembly,
    Demobilisation,
    Negotiation,
    StrikeCost,
    SharedDemand,
    EffortMotivation,
    Migration,
    Pump,
    Recruitment,
    PartyExit,
    DissidentGroups,
    DissentAbstention,
    AlienationAbstention,
    Heterogeneity,
}

impl Mechanism {
    pub const ALL: [Mechanism; 30] = [
        Mechanism::SocialContract,
        Mechanism::FoodMarket,
        Mechanism::TermsOfTrade,
        Mechanism::Recovery,
        Mechanism::Reserves,
        Mechanism::RelativeDeprivation,
        Mechanism::VisiblePrivilege,
        Mechanism::Cells,
        Mechanism::Outrage,
        Mechanism::Deterrence,
        Mechanism::Incapacitation,
        Mechanism::Information,
        Mechanism::Inclusion,
        Mechanism::ArrestRisk,
        Mechanism::ExpressivePressure,
        Mechanism::PeerThresholds,
        Mechanism::UnionAssembly,
        Mechanism::Demobilisation,
        Mechanism::Negotiation,
        Mechanism::StrikeCost,
        Mechanism::SharedDemand,
        Mechanism::EffortMotivation,
        Mechanism::Migration,
        Mechanism::Pump,
        Mechanism::Recruitment,
        Mechanism::PartyExit,
        Mechanism::DissidentGroups,
        Mechanism::DissentAbstention,
        Mechanism::AlienationAbstention,
        Mechanism::Heterogeneity,
    ];

    /// The name a scenario uses (`[mechanisms] off`).
    pub fn name(self) -> &'static str {
        self.about().0
    }

    /// What the mechanism is, and what switching it off does.
    pub fn describe(self) -> (&'static str, &'static str) {
        let (_, what, off) = self.about();
        (what, off)
    }

    fn about(self) -> (&'static str, &'static str, &'static str) {
        use Mechanism::*;
        match self {
            SocialContract => (
                "social_contract",
                "legitimacy follows consumption against expectations (ODD 7.4)",
                "contract_rate taken as 0",
            ),
            FoodMarket => (
                "food_market",
                "money buys food at a price set by supply against money demand (ODD 7.2)",
                "the market fills every demand at the 1913 price",
            ),
            TermsOfTrade => (
                "terms_of_trade",
                "peasants sell food for the goods industry makes (ODD 7.2)",
                "the peasants' NEP incentive does not depend on output",
            ),
            Recovery => (
                "recovery",
                "capacity is rebuilt out of output and jobs follow capacity (ODD 7.2)",
                "capacity and the NEP job count stay where they start",
            ),
            Reserves => (
                "reserves",
                "household reserves: consumption follows what is delivered over weeks (ODD 7.2)",
                "reserves_rate taken as 1 (consumption is what is delivered)",
            ),
            RelativeDeprivation => (
                "relative_deprivation",
                "hardship from one's ration against the best (Kim & Hanneman; ODD 7.3)",
                "deprivation_weight taken as 0",
            ),
            VisiblePrivilege => (
                "visible_privilege",
                "officials' visible privilege deprives and delegitimises, and shows the career membership opens (ODD 7.3, 7.4, 7.13)",
                "visible privilege V taken as 0 (so no career draws anyone to the party)",
            ),
            Cells => (
                "factory_cells",
                "party cells explain policy (legitimacy), press for discipline (effort) and for the party's resolutions at meetings, and inform on dissent (in Epstein's C) (ODD 7.4, 7.7, 7.9, 7.18)",
                "cell strength taken as 0 wherever it acts (persuasion, effort, meetings), and no informers in C",
            ),
            Outrage => (
                "outrage",
                "arrests of coworkers cost legitimacy among those who witness them (ODD 7.4)",
                "outrage_rate taken as 0",
            ),
            Deterrence => (
                "deterrence",
                "fear from arrests witnessed, in the city, exemplary and of broken strikes (ODD 7.5)",
                "fear stays 0",
            ),
            Incapacitation => (
                "incapacitation",
                "the arrested are taken out of their workplace, its strike and its dissent for their custody, and the sacked out of work (ODD 7.8, 7.12)",
                "an arrest or sacking is counted and witnessed (fear, outrage) but takes no one out",
            ),
            Information => (
                "information",
                "a surprise in public dissent costs legitimacy (Lohmann; ODD 7.4)",
                "information_rate taken as 0",
            ),
            Inclusion => (
                "inclusion",
                "who sits on the executive is felt: a workplace shut out of it loses legitimacy and the faith that its vote counts (a memory that fades), an inclusive executive gains legitimacy (ODD 7.4, 7.17)",
                "inclusion_rate taken as 0 and efficacy as 1 (every vote counts)",
            ),
            ArrestRisk => (
                "arrest_risk",
                "speaking out risks arrest by the watchers present (Epstein; ODD 7.7)",
                "estimated arrest probability P taken as 0",
            ),
            ExpressivePressure => (
                "expressive_pressure",
                "coworkers speaking out draw dissenters to speak (Kuran; ODD 7.7)",
                "expressive_cost taken as 0",
            ),
            PeerThresholds => (
                "peer_thresholds",
                "workers join a strike once enough coworkers are out (Granovetter; ODD 7.8)",
                "a worker strikes only if they need no one (need ≤ 0)",
            ),
            UnionAssembly => (
                "union_assembly",
                "the sector's union carries its strikes still on to its other workplaces, and calls solidarity strikes (ODD 7.8, 7.15)",
                "union signal taken as 0",
            ),
            Demobilisation => (
                "demobilisation",
                "after a strike ends its workplace needs more to strike again (ODD 7.8)",
                "demobilisation taken as 0",
            ),
            Negotiation => (
                "negotiation",
                "strikes under negotiation settle (ODD 7.8)",
                "settle_rate taken as 0",
            ),
            StrikeCost => (
                "strike_cost",
                "a strike costs its strikers: they are not paid, the pay it forgoes raises the strike need, and savings and strike funds run out as it lasts (ODD 7.8)",
                "strikers are paid; strike_cost and strike_fatigue taken as 0",
            ),
            SharedDemand => (
                "shared_demand",
                "a workplace's concrete demand (wages in arrears paid; a ration below the best made equal) lowers its workers' need of others (ODD 7.8)",
                "shared_demand taken as 0",
            ),
            EffortMotivation => (
                "effort_motivation",
                "effort follows legitimacy and fear (ODD 7.9)",
                "effort_legitimacy and effort_fear taken as 0",
            ),
            Migration => (
                "migration",
                "hunger sends workers to the villages and vacancies bring them back (ODD 7.10)",
                "migrate_leave and migrate_return taken as 0",
            ),
            Pump => (
                "pump",
                "the secretariat promotes factory members into administration, the career that draws workers to the card (ODD 7.13)",
                "promotion taken as 0 (so no career draws anyone to the party)",
            ),
            Recruitment => (
                "recruitment",
                "the committee offers the card to loyal workers, who take it out of loyalty, fear or for the career; in an enrolment it is offered to all (ODD 7.13)",
                "recruitment taken as 0; an enrolment's uptake blind to legitimacy",
            ),
            PartyExit => (
                "party_exit",
                "disillusioned members leave the party (ODD 7.13)",
                "party_leave taken as 0 (purges, dated policies, still fall)",
            ),
            DissidentGroups => (
                "dissident_groups",
                "outspoken workers join the dissident groups, members who leave in dissent form dissident communist groups; the content drift away (ODD 7.13, 7.14)",
                "dissident_join taken as 0, and members who leave become unaffiliated",
            ),
            DissentAbstention => (
                "dissent_abstention",
                "dissenters stay away from elections and meetings, and those who hide their opposition at a meeting leave it (ODD 7.17, 7.18)",
                "abstention, the dissent term of meetings and exit from them taken as 0",
            ),
            AlienationAbstention => (
                "alienation_abstention",
                "workers who see no legitimacy stay away from elections (ODD 7.17)",
                "alienation taken as 0",
            ),
            Heterogeneity => (
                "heterogeneity",
                "workers differ in thresholds, risk aversion, ties and legitimacy (ODD 5)",
                "every worker draws these at their mean",
            ),
        }
    }

    /// The mechanism named `name`, if any.
    pub fn named(name: &str) -> Option<Mechanism> {
        Mechanism::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The mechanism a name of an earlier pact version became part of (0.4.0 renamed and merged
    /// some), so that a scenario naming it is told where it went.
    pub fn formerly(name: &str) -> Option<Mechanism> {
        match name {
            "cell_persuasion" => Some(Mechanism::Cells),
            "withdrawal" | "exclusion_abstention" => Some(Mechanism::Inclusion),
            "strike_fatigue" => Some(Mechanism::StrikeCost),
            _ => None,
        }
    }
}

/// Which mechanisms are switched off (a bit each); the default has every one on.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Hash)]
pub struct Switches(u32);

impl Switches {
    /// Every mechanism off (with the exogenous inputs and dated policies, the null model).
    pub fn null() -> Switches {
        Mechanism::ALL
            .into_iter()
            .fold(Switches::default(), |s, m| s.without(m))
    }

    /// These switches with `m` off too.
    pub fn without(self, m: Mechanism) -> Switches {
        Switches(self.0 | 1 << m as u8)
    }

    /// Whether `m` acts.
    #[inline(always)]
    pub fn on(self, m: Mechanism) -> bool {
        self.0 & (1 << m as u8) == 0
    }

    /// `x` where `m` acts, else 0.
    #[inline(always)]
    pub fn gate(self, m: Mechanism, x: f32) -> f32 {
        if self.on(m) { x } else { 0.0 }
    }

    /// The names of the mechanisms off, in the registry's order.
    pub fn off_names(self) -> Vec<&'static str> {
        Mechanism::ALL
            .into_iter()
            .filter(|&m| !self.on(m))
            .map(Mechanism::name)
            .collect()
    }

    /// The switches a scenario's `off` list names; `Err` with the first unknown name.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Switches, String> {
        let mut s = Switches::default();
        for n in names {
            let n = n.as_ref();
            if n == "all" {
                s = Switches::null();
            } else {
                s = s.without(Mechanism::named(n).ok_or_else(|| n.to_string())?);
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Mechanism::ALL.iter().map(|m| m.name()).collect();
        for (i, m) in Mechanism::ALL.into_iter().enumerate() {
            assert_eq!(m as usize, i, "ALL lists the variants in order");
            assert_eq!(Mechanism::named(m.name()), Some(m));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Mechanism::ALL.len());
    }

    #[test]
    fn switches_from_names() {
        let s = Switches::from_names(&["outrage", "pump"]).unwrap();
        assert!(!s.on(Mechanism::Outrage) && !s.on(Mechanism::Pump));
        assert!(s.on(Mechanism::Deterrence));
        assert_eq!(s.off_names(), ["outrage", "pump"]);
        assert_eq!(s.gate(Mechanism::Outrage, 0.3), 0.0);
        assert_eq!(s.gate(Mechanism::Deterrence, 0.3), 0.3);
        assert_eq!(Switches::from_names(&["all"]).unwrap(), Switches::null());
        assert!(Mechanism::ALL.iter().all(|&m| !Switches::null().on(m)));
        assert_eq!(Switches::from_names(&["outrag"]), Err("outrag".to_string()));
        assert_eq!(
            Switches::from_names::<&str>(&[]).unwrap(),
            Switches::default()
        );
    }
}
