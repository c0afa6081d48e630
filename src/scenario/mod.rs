//! Loading a scenario: reading files, resolving `extends`, checking every key, and producing the
//! resolved parameters and the dated timeline the simulation runs on.
//!
//! Two stages, as in ripgrep's flags: the TOML types of [`crate::scenario::params`] mirror the file and only
//! validate; [`Resolved`] holds derived, ready-to-use values (the clock, events by week, the
//! policy and economy in force after each event).

mod extends;
mod locate;
mod overrides;
pub mod params;
pub mod ranges;
pub mod targets;

use extends::load_table;
pub use extends::{merge, nearest};
use locate::{find_event_block, find_event_line};
pub use locate::{find_key_line, toml_err};
pub use overrides::with_overrides;

use crate::date::{Clock, Date};
use params::{EconomyCfg, EventCfg, PolicyCfg, Scenario};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A scenario error: one line naming the file, the key, the line where known and what is allowed.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ScenarioError {
    /// A file that cannot be read: `what` it is (the scenario, the targets file, ...), the
    /// system's reason, and a hint (may be empty).
    #[error("{file}: cannot read the {what}: {reason}{hint}")]
    Read {
        file: String,
        what: &'static str,
        reason: String,
        hint: &'static str,
    },
    #[error("{file}{}: {}{message}", line.map(|l| format!(":{l}")).unwrap_or_default(), key.as_ref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
    Invalid {
        file: String,
        line: Option<usize>,
        key: Option<String>,
        message: String,
    },
}

impl ScenarioError {
    fn invalid(
        file: &Path,
        line: Option<usize>,
        key: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        ScenarioError::Invalid {
            file: file.display().to_string(),
            line,
            key,
            message: message.into(),
        }
    }
}

/// One file of an `extends` chain, as read.
#[derive(Clone, Debug, Serialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A dated event with the policy and exogenous economy in force after it.
#[derive(Clone, Debug, Serialize)]
pub struct ResolvedEvent {
    pub week: usize,
    pub date: String,
    /// The policy and exogenous economy in force after the event.
    pub policy: PolicyCfg,
    pub economy: EconomyCfg,
    /// The event as written (id, label, its one-shot actions).
    pub event: EventCfg,
}

/// A fully resolved scenario, ready to run.
#[derive(Clone, Debug, Serialize)]
pub struct Resolved {
    pub name: String,
    pub scenario: Scenario,
    #[serde(skip)]
    pub clock: Clock,
    pub events: Vec<ResolvedEvent>,
    pub summary_weeks: Vec<usize>,
    /// The files read, child first.
    #[serde(skip)]
    pub sources: Vec<SourceFile>,
}

/// Reads a scenario file, resolves its `extends` chain and validates everything.
pub fn load(path: &Path) -> Result<Resolved, ScenarioError> {
    load_with(path, &|p| std::fs::read_to_string(p))
}

/// How scenario files are read: from the file system, or from the texts a manifest recorded
/// (so that a folder is re-derived from what it holds, wherever it is read from).
pub type Reader<'a> = dyn Fn(&Path) -> std::io::Result<String> + Sync + 'a;

/// A reader serving the texts of `files` (path as recorded, text) and nothing else.
pub fn recorded(files: Vec<(String, String)>) -> impl Fn(&Path) -> std::io::Result<String> + Sync {
    move |p: &Path| {
        let key = p.display().to_string();
        files
            .iter()
            .find(|(path, _)| *path == key)
            .map(|(_, text)| text.clone())
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not among the files the manifest recorded",
                )
            })
    }
}

/// [`load`], reading the files through `read`.
pub fn load_with(path: &Path, read: &Reader) -> Result<Resolved, ScenarioError> {
    let mut sources = Vec::new();
    let mut stack = Vec::new();
    let merged = load_table(path, read, &mut stack, &mut sources)?;
    let scenario: Scenario =
        toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| {
                ScenarioError::invalid(path, None, None, e.message().to_string())
            })?;
    let name = match &scenario.name {
        Some(n) => {
            check_name(n).map_err(|m| {
                let text = &sources[0].text;
                ScenarioError::invalid(path, find_key_line(text, "name"), Some("name".into()), m)
            })?;
            n.clone()
        }
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            check_name(&stem).map_err(|m| {
                ScenarioError::invalid(
                    path,
                    None,
                    Some("name".into()),
                    format!("{m}; the file's name gives the scenario's name unless `name = \"...\"` is set"),
                )
            })?;
            stem
        }
    };
    resolve(name, scenario, sources)
}

/// Checks that `name` is a name, not a path: letters, digits, `-`, `_` and `.`, not empty, not
/// only dots. Scenario, sweep, target and outcome names become file and folder names.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.chars().any(|c| c != '.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a name; allowed: 1 to 100 letters, digits, `-`, `_` and `.` (not only dots; no spaces or path separators)"
        ))
    }
}

/// Resolves an already-merged scenario (used by `load` and by tests that build scenarios in code).
pub fn resolve(
    name: String,
    scenario: Scenario,
    sources: Vec<SourceFile>,
) -> Result<Resolved, ScenarioError> {
    let main_file = sources
        .first()
        .map(|s| PathBuf::from(&s.path))
        .unwrap_or_else(|| PathBuf::from("<scenario>"));
    // Attribute a key to the file of the chain that sets it (child first), with its line.
    let locate_err = |key: &str, message: String| -> ScenarioError {
        for s in &sources {
            if let Some(line) = find_key_line(&s.text, key) {
                return ScenarioError::invalid(
                    Path::new(&s.path),
                    Some(line),
                    Some(key.to_string()),
                    message,
                );
            }
        }
        ScenarioError::invalid(&main_file, None, Some(key.to_string()), message)
    };
    let date = |key: &str, s: &str| -> Result<Date, ScenarioError> {
        Date::parse(s).ok_or_else(|| {
            locate_err(
                key,
                format!("`{s}` is not a date; allowed: YYYY-MM-DD or YYYY-MM"),
            )
        })
    };
    let start = date("run.start", &scenario.run.start)?;
    let end = date("run.end", &scenario.run.end)?;
    if end <= start {
        return Err(locate_err(
            "run.end",
            format!("{end} is not after run.start {start}; allowed: a later date"),
        ));
    }
    if end.to_days() - start.to_days() > 366 * 30 {
        return Err(locate_err(
            "run.end",
            "the run is longer than 30 years; allowed: at most 30 years".into(),
        ));
    }
    scenario.validate_ranges().map_err(|e| {
        // An event's field (`event[i].purge`) is named by the event's id, at its line.
        let event = e.key.strip_prefix("event[").and_then(|r| {
            let (i, k) = r.split_once("].")?;
            let i: usize = i.parse().ok()?;
            Some((i, scenario.events.get(i)?, k))
        });
        match event {
            Some((i, ev, k)) => event_err(&sources, &main_file, i, ev, k, e.message),
            None => locate_err(&e.key, e.message),
        }
    })?;
    let clock = Clock::new(start, end);
    // Provenance: the child-most file (index in `sources`, 0 = the file run) that sets the run's
    // dates. Summary dates and events inherited from above that file fall outside a run it
    // shortened without being errors: they are dropped. Anything set in that file or below it
    // must lie within the run.
    let origin = |key: &str| {
        sources
            .iter()
            .position(|s| find_key_line(&s.text, key).is_some())
    };
    let run_origin = [origin("run.start"), origin("run.end")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(usize::MAX);
    let summary_inherited = origin("run.summary_dates").is_none_or(|o| o > run_origin);
    let mut summary_weeks = Vec::new();
    for (i, s) in scenario.run.summary_dates.iter().enumerate() {
        let key = format!("run.summary_dates[{i}]");
        let d = date("run.summary_dates", s)?;
        if clock.week_of(d).is_none() && summary_inherited {
            continue;
        }
        let w = clock.week_of(d).ok_or_else(|| {
            locate_err(
                "run.summary_dates",
                format!("{key} = {d} is outside the run ({start} to {end})"),
            )
        })?;
        summary_weeks.push(w);
    }
    let mut events = Vec::new();
    let mut policy = toml::Value::try_from(&scenario.policy).expect("policy serialises");
    let mut economy = toml::Value::try_from(&scenario.economy).expect("economy serialises");
    let mut order: Vec<(Date, usize)> = Vec::new();
    for (i, e) in scenario.events.iter().enumerate() {
        let d = Date::parse(&e.date).ok_or_else(|| {
            event_err(
                &sources,
                &main_file,
                i,
                e,
                "date",
                format!("`{}` is not a date; allowed: YYYY-MM-DD or YYYY-MM", e.date),
            )
        })?;
        order.push((d, i));
    }
    order.sort(); // stable by (date, position)
    for (d, i) in order {
        let e = &scenario.events[i];
        let event_origin = sources.iter().position(|s| {
            find_event_line(&s.text, &e.id, &e.date, "date").is_some()
                || (!e.id.is_empty() && find_event_line(&s.text, &e.id, "", "id").is_some())
        });
        if clock.week_of(d).is_none() && event_origin.is_some_and(|o| o > run_origin) {
            continue;
        }
        let week = clock.week_of(d).ok_or_else(|| {
            event_err(
                &sources,
                &main_file,
                i,
                e,
                "date",
                format!(
                    "{d} is outside the run ({start} to {end}); allowed: a date within the run"
                ),
            )
        })?;
        if let Some(p) = &e.policy {
            merge(&mut policy, &toml::Value::Table(p.clone()));
        }
        if let Some(x) = &e.economy {
            merge(&mut economy, &toml::Value::Table(x.clone()));
        }
        let pol: PolicyCfg = policy.clone().try_into().map_err(|err: toml::de::Error| {
            event_err(
                &sources,
                &main_file,
                i,
                e,
                "policy",
                err.message().to_string(),
            )
        })?;
        let eco: EconomyCfg = economy.clone().try_into().map_err(|err: toml::de::Error| {
            event_err(
                &sources,
                &main_file,
                i,
                e,
                "economy",
                err.message().to_string(),
            )
        })?;
        let mut probe = scenario.clone();
        probe.policy = pol.clone();
        probe.economy = eco.clone();
        probe.events.clear();
        if let Err(r) = probe.validate_ranges() {
            return Err(event_err(&sources, &main_file, i, e, &r.key, r.message));
        }
        events.push(ResolvedEvent {
            week,
            date: d.to_string(),
            policy: pol,
            economy: eco,
            event: e.clone(),
        });
    }
    Ok(Resolved {
        name,
        scenario,
        clock,
        events,
        summary_weeks,
        sources,
    })
}

fn event_err(
    sources: &[SourceFile],
    main: &Path,
    i: usize,
    e: &EventCfg,
    key: &str,
    message: String,
) -> ScenarioError {
    let label = if e.id.is_empty() {
        format!("event[{i}]")
    } else {
        format!("event.{}", e.id)
    };
    for s in sources {
        // The line of the innermost key that is written out (e.g. `policy` for an inline table).
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
    ScenarioError::invalid(main, None, Some(format!("{label}.{key}")), message)
}
