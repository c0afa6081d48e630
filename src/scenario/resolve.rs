//! Resolving a merged scenario: the clock, every range, the summary dates and the dated
//! timeline (the policy and exogenous economy in force after each event), with errors
//! attributed to the file of the `extends` chain that sets the key, at its line.

use super::extends::merge;
use super::locate::{find_event_block, find_event_line, find_key_line};
use super::params::{EconomyCfg, EventCfg, PolicyCfg, Scenario};
use super::{Resolved, ResolvedEvent, ScenarioError, SourceFile};
use crate::date::{Clock, Date};
use std::path::{Path, PathBuf};

/// The files of a scenario's chain (child first), for errors that name where a key is set.
struct Chain<'a> {
    sources: &'a [SourceFile],
    main: PathBuf,
}

impl Chain<'_> {
    /// An error at `key`, in the child-most file that sets it, at its line.
    fn err(&self, key: &str, message: String) -> ScenarioError {
        for s in self.sources {
            if let Some(line) = find_key_line(&s.text, key) {
                return ScenarioError::invalid(
                    Path::new(&s.path),
                    Some(line),
                    Some(key.to_string()),
                    message,
                );
            }
        }
        ScenarioError::invalid(&self.main, None, Some(key.to_string()), message)
    }

    /// An error at `key` of event `e` (the `i`-th), named by its id, at the line of the
    /// innermost key written out (e.g. `policy` for an inline table).
    fn event_err(&self, i: usize, e: &EventCfg, key: &str, message: String) -> ScenarioError {
        let label = if e.id.is_empty() {
            format!("event[{i}]")
        } else {
            format!("event.{}", e.id)
        };
        for s in self.sources {
            let line = key
                .rsplit('.')
                .find_map(|k| find_event_line(&s.text, &e.id, &e.date, k))
                .or_else(|| find_event_block(&s.text, &e.id, &e.date).map(|(l, _)| l + 1));
            if let Some(line) = line {
                return ScenarioError::invalid(
                    Path::new(&s.path),
                    Some(line),
                    Some(format!("{label}.{key}")),
                    message,
                );
            }
        }
        ScenarioError::invalid(&self.main, None, Some(format!("{label}.{key}")), message)
    }

    fn date(&self, key: &str, s: &str) -> Result<Date, ScenarioError> {
        Date::parse(s).ok_or_else(|| {
            self.err(
                key,
                format!("`{s}` is not a date; allowed: YYYY-MM-DD or YYYY-MM"),
            )
        })
    }

    /// The child-most file (index in the chain, 0 = the file run) that sets `key`.
    fn origin(&self, key: &str) -> Option<usize> {
        self.sources
            .iter()
            .position(|s| find_key_line(&s.text, key).is_some())
    }
}

/// Resolves an already-merged scenario (used by `load` and by tests that build scenarios in
/// code).
pub fn resolve(
    name: String,
    scenario: Scenario,
    sources: Vec<SourceFile>,
) -> Result<Resolved, ScenarioError> {
    let chain = Chain {
        sources: &sources,
        main: sources
            .first()
            .map(|s| PathBuf::from(&s.path))
            .unwrap_or_else(|| PathBuf::from("<scenario>")),
    };
    let (clock, end) = clock(&chain, &scenario)?;
    scenario.validate_ranges().map_err(|e| {
        // An event's field (`event[i].purge`) is named by the event's id, at its line.
        let event = e.key.strip_prefix("event[").and_then(|r| {
            let (i, k) = r.split_once("].")?;
            let i: usize = i.parse().ok()?;
            Some((i, scenario.events.get(i)?, k))
        });
        match event {
            Some((i, ev, k)) => chain.event_err(i, ev, k, e.message),
            None => chain.err(&e.key, e.message),
        }
    })?;
    // Provenance: the child-most file that sets the run's dates. Summary dates and events
    // inherited from above that file fall outside a run it shortened without being errors: they
    // are dropped. Anything set in that file or below it must lie within the run.
    let run_origin = [chain.origin("run.start"), chain.origin("run.end")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(usize::MAX);
    let summary_weeks = summary_weeks(&chain, &scenario, &clock, end, run_origin)?;
    let events = timeline(&chain, &scenario, &clock, end, run_origin)?;
    Ok(Resolved {
        name,
        scenario,
        clock,
        events,
        summary_weeks,
        sources,
    })
}

/// The run's weeks: `run.start` to `run.end`, at most 30 years; and the end date.
fn clock(chain: &Chain, scenario: &Scenario) -> Result<(Clock, Date), ScenarioError> {
    let start = chain.date("run.start", &scenario.run.start)?;
    let end = chain.date("run.end", &scenario.run.end)?;
    if end <= start {
        return Err(chain.err(
            "run.end",
            format!("{end} is not after run.start {start}; allowed: a later date"),
        ));
    }
    if end.to_days() - start.to_days() > 366 * 30 {
        return Err(chain.err(
            "run.end",
            "the run is longer than 30 years; allowed: at most 30 years".into(),
        ));
    }
    Ok((Clock::new(start, end), end))
}

/// The weeks of `run.summary_dates` (inherited ones outside a shortened run dropped).
fn summary_weeks(
    chain: &Chain,
    scenario: &Scenario,
    clock: &Clock,
    end: Date,
    run_origin: usize,
) -> Result<Vec<usize>, ScenarioError> {
    let inherited = chain
        .origin("run.summary_dates")
        .is_none_or(|o| o > run_origin);
    let mut weeks = Vec::new();
    for (i, s) in scenario.run.summary_dates.iter().enumerate() {
        let key = format!("run.summary_dates[{i}]");
        let d = chain.date("run.summary_dates", s)?;
        if clock.week_of(d).is_none() && inherited {
            continue;
        }
        let w = clock.week_of(d).ok_or_else(|| {
            chain.err(
                "run.summary_dates",
                format!(
                    "{key} = {d} is outside the run ({} to {})",
                    clock.start, end
                ),
            )
        })?;
        weeks.push(w);
    }
    Ok(weeks)
}

/// The events in date order (stable by position), each with the policy and exogenous economy
/// in force after it, every range checked; inherited events outside a shortened run dropped.
fn timeline(
    chain: &Chain,
    scenario: &Scenario,
    clock: &Clock,
    end: Date,
    run_origin: usize,
) -> Result<Vec<ResolvedEvent>, ScenarioError> {
    let mut order: Vec<(Date, usize)> = Vec::new();
    for (i, e) in scenario.events.iter().enumerate() {
        let d = Date::parse(&e.date).ok_or_else(|| {
            chain.event_err(
                i,
                e,
                "date",
                format!("`{}` is not a date; allowed: YYYY-MM-DD or YYYY-MM", e.date),
            )
        })?;
        order.push((d, i));
    }
    order.sort();
    let mut events = Vec::new();
    let mut policy = toml::Value::try_from(&scenario.policy).expect("policy serialises");
    let mut economy = toml::Value::try_from(&scenario.economy).expect("economy serialises");
    for (d, i) in order {
        let e = &scenario.events[i];
        let origin = chain.sources.iter().position(|s| {
            find_event_line(&s.text, &e.id, &e.date, "date").is_some()
                || (!e.id.is_empty() && find_event_line(&s.text, &e.id, "", "id").is_some())
        });
        if clock.week_of(d).is_none() && origin.is_some_and(|o| o > run_origin) {
            continue;
        }
        let week = clock.week_of(d).ok_or_else(|| {
            chain.event_err(
                i,
                e,
                "date",
                format!(
                    "{d} is outside the run ({} to {}); allowed: a date within the run",
                    clock.start, end
                ),
            )
        })?;
        if let Some(p) = &e.policy {
            merge(&mut policy, &toml::Value::Table(p.clone()));
        }
        if let Some(x) = &e.economy {
            merge(&mut economy, &toml::Value::Table(x.clone()));
        }
        let as_err = |key: &'static str| {
            move |err: toml::de::Error| chain.event_err(i, e, key, err.message().to_string())
        };
        let pol: PolicyCfg = policy.clone().try_into().map_err(as_err("policy"))?;
        let eco: EconomyCfg = economy.clone().try_into().map_err(as_err("economy"))?;
        let mut probe = scenario.clone();
        probe.policy = pol.clone();
        probe.economy = eco.clone();
        probe.events.clear();
        if let Err(r) = probe.validate_ranges() {
            return Err(chain.event_err(i, e, &r.key, r.message));
        }
        events.push(ResolvedEvent {
            week,
            date: d.to_string(),
            policy: pol,
            economy: eco,
            event: e.clone(),
        });
    }
    Ok(events)
}
