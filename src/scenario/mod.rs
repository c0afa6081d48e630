//! Loading a scenario: reading files, resolving `extends`, checking every key, and producing the
//! resolved parameters and the dated timeline the simulation runs on.
//!
//! Two stages, as in ripgrep's flags: the TOML types of [`crate::scenario::params`] mirror the file and only
//! validate; [`Resolved`] holds derived, ready-to-use values (the clock, events by week, the
//! policy and economy in force after each event).

pub mod params;
pub mod targets;

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

/// Reads one file and its parents, returning the merged table.
fn load_table(
    path: &Path,
    read: &Reader,
    stack: &mut Vec<PathBuf>,
    sources: &mut Vec<SourceFile>,
) -> Result<toml::Table, ScenarioError> {
    let text = read(path).map_err(|e| ScenarioError::Read {
        file: path.display().to_string(),
        what: "scenario",
        reason: e.to_string(),
        hint: "",
    })?;
    let canon = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if stack.contains(&canon) {
        let chain: Vec<String> = stack
            .iter()
            .chain(std::iter::once(&canon))
            .map(|p| p.display().to_string())
            .collect();
        return Err(ScenarioError::invalid(
            path,
            find_key_line(&text, "extends"),
            Some("extends".into()),
            format!(
                "`extends` cycle: {}; allowed: a chain without cycles",
                chain.join(" -> ")
            ),
        ));
    }
    stack.push(canon);
    // Stage 1: the file alone must be a valid (partial) scenario: syntax, known keys, types.
    let table: toml::Table =
        toml::from_str(&text).map_err(|e: toml::de::Error| toml_err(path, &text, &e))?;
    let _: Scenario =
        toml::from_str(&text).map_err(|e: toml::de::Error| toml_err(path, &text, &e))?;
    check_event_order(path, &text, &table)?;
    check_event_ids(path, &text, &table)?;
    sources.push(SourceFile {
        path: path.display().to_string(),
        text: text.clone(),
    });
    let merged = match table.get("extends") {
        Some(toml::Value::String(parent)) => {
            let parent_path = path.parent().unwrap_or(Path::new(".")).join(parent);
            if let Err(e) = read(&parent_path) {
                return Err(ScenarioError::invalid(
                    path,
                    find_key_line(&text, "extends"),
                    Some("extends".into()),
                    format!(
                        "parent scenario `{}` not found ({e}); allowed: a path relative to this file",
                        parent_path.display()
                    ),
                ));
            }
            // The parent's name is not inherited: a child is named by its own `name` or file.
            let mut parent = load_table(&parent_path, read, stack, sources)?;
            parent.remove("name");
            check_event_targets(path, &text, &table, Some(&parent))?;
            let mut base = toml::Value::Table(parent);
            let mut child = table.clone();
            child.remove("extends");
            merge(&mut base, &toml::Value::Table(child));
            match base {
                toml::Value::Table(t) => t,
                _ => unreachable!("merging tables yields a table"),
            }
        }
        _ => {
            check_event_targets(path, &text, &table, None)?;
            table
        }
    };
    stack.pop();
    Ok(merged)
}

/// Deep-merges `over` onto `base`. Tables merge key by key; the `event` array merges by `id`
/// (same id: merged key by key; `enabled = false`: removed; new: appended); any other value is
/// replaced.
pub fn merge(base: &mut toml::Value, over: &toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                if k == "event" {
                    merge_events(
                        b.entry(k.clone())
                            .or_insert_with(|| toml::Value::Array(Vec::new())),
                        v,
                    );
                } else if let Some(slot) = b.get_mut(k) {
                    merge(slot, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

fn merge_events(base: &mut toml::Value, over: &toml::Value) {
    let (toml::Value::Array(b), toml::Value::Array(o)) = (base, over) else {
        return;
    };
    let id_of = |v: &toml::Value| v.get("id").and_then(|x| x.as_str()).map(str::to_owned);
    for ev in o {
        let disabled = ev.get("enabled").and_then(|x| x.as_bool()) == Some(false);
        let pos = id_of(ev).and_then(|id| b.iter().position(|x| id_of(x).as_deref() == Some(&id)));
        match (pos, disabled) {
            (Some(p), true) => {
                b.remove(p);
            }
            (Some(p), false) => merge(&mut b[p], ev),
            (None, true) => {}
            (None, false) => b.push(ev.clone()),
        }
    }
}

/// The ids of the `[[event]]`s of a table, in order (events without an id are skipped).
fn event_ids(table: &toml::Table) -> Vec<&str> {
    match table.get("event") {
        Some(toml::Value::Array(events)) => events
            .iter()
            .filter_map(|e| e.get("id").and_then(|v| v.as_str()))
            .filter(|id| !id.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// Within one file, an event id names one event.
fn check_event_ids(path: &Path, text: &str, table: &toml::Table) -> Result<(), ScenarioError> {
    let ids = event_ids(table);
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            let line = find_event_lines(text, id, "id").get(1).copied();
            return Err(ScenarioError::invalid(
                path,
                line,
                Some(format!("event.{id}.id")),
                format!("`{id}` names two events in this file; allowed: one [[event]] per id"),
            ));
        }
    }
    Ok(())
}

/// An event of a child that disables or changes an event (`enabled = false`, or no `date` of its
/// own) must name an event of its parent chain: a misspelt id would otherwise be a counterfactual
/// that silently changes nothing.
fn check_event_targets(
    path: &Path,
    text: &str,
    table: &toml::Table,
    parent: Option<&toml::Table>,
) -> Result<(), ScenarioError> {
    let Some(toml::Value::Array(events)) = table.get("event") else {
        return Ok(());
    };
    let known = parent.map(event_ids).unwrap_or_default();
    for ev in events {
        let id = ev.get("id").and_then(|v| v.as_str()).unwrap_or("");
        let disables = ev.get("enabled").and_then(|x| x.as_bool()) == Some(false);
        let patches = ev.get("date").is_none();
        if !(disables || patches) || (!id.is_empty() && known.contains(&id)) {
            continue;
        }
        let what = if disables { "disables" } else { "changes" };
        let key = if disables { "enabled" } else { "id" };
        let line = find_event_lines(text, id, key)
            .first()
            .copied()
            .or_else(|| find_event_block(text, id, "").map(|(l, _)| l + 1));
        let label = if id.is_empty() {
            "event".to_string()
        } else {
            format!("event.{id}")
        };
        let message = match parent {
            None if disables => "disables an event, but this scenario extends none; allowed: `enabled = false` only in a scenario with `extends`, naming one of its parent's events".to_string(),
            None => "has no date; allowed: a new event with a date (a quoted \"YYYY-MM-DD\"), or, in a scenario with `extends`, the id of a parent's event to change".to_string(),
            Some(_) => format!(
                "{what} an event that is not in the parent chain{}; allowed: the id of one of the parent's {} events, or a new event with a date",
                nearest(id, &known)
                    .map(|n| format!(" (nearest: {n})"))
                    .unwrap_or_default(),
                known.len()
            ),
        };
        return Err(ScenarioError::invalid(
            path,
            line,
            Some(format!("{label}.{key}")),
            message,
        ));
    }
    Ok(())
}

/// The known names closest to `name` (at most three, by edit distance), as `a`, `b` or `c`.
pub fn nearest(name: &str, known: &[&str]) -> Option<String> {
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(name.len()) / 2).max(2))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    let names: Vec<String> = scored
        .iter()
        .take(3)
        .map(|(_, k)| format!("`{k}`"))
        .collect();
    match names.len() {
        0 => None,
        1 => Some(names[0].clone()),
        n => Some(format!("{} or {}", names[..n - 1].join(", "), names[n - 1])),
    }
}

/// Within one file, events must be listed in date order (a reader scans them as a timeline).
fn check_event_order(path: &Path, text: &str, table: &toml::Table) -> Result<(), ScenarioError> {
    let Some(toml::Value::Array(events)) = table.get("event") else {
        return Ok(());
    };
    let mut last: Option<Date> = None;
    for (i, ev) in events.iter().enumerate() {
        let id = ev.get("id").and_then(|v| v.as_str()).unwrap_or("");
        let Some(ds) = ev.get("date").and_then(|v| v.as_str()) else {
            continue;
        };
        let key = if id.is_empty() {
            format!("event[{i}].date")
        } else {
            format!("event.{id}.date")
        };
        let line = find_event_line(text, id, ds, "date");
        let d = Date::parse(ds).ok_or_else(|| {
            ScenarioError::invalid(
                path,
                line,
                Some(key.clone()),
                format!("`{ds}` is not a date; allowed: YYYY-MM-DD or YYYY-MM"),
            )
        })?;
        if let Some(prev) = last.filter(|p| d < *p) {
            return Err(ScenarioError::invalid(
                path,
                line,
                Some(key),
                format!(
                    "{d} is out of order (an earlier event is dated {prev}); allowed: events listed in date order"
                ),
            ));
        }
        last = Some(d);
    }
    Ok(())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// A TOML syntax or type error as one line: file, line, the key on that line, the message.
pub fn toml_err(path: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let line = e.span().map(|s| line_of(text, s.start));
    let key = line.and_then(|l| key_at_line(text, l));
    let msg = e.message().trim().replace('\n', " ");
    // TOML reads `date = 1921-03-21` as a date-time, which serde reports as a map.
    let unquoted_date = e
        .span()
        .and_then(|s| text.get(s.start..s.end))
        .is_some_and(|v| {
            let v = v.trim();
            v.len() >= 7
                && v.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && v.as_bytes()[4] == b'-'
        });
    let msg = if msg.starts_with("unknown field") {
        format!("{msg} (unknown key)")
    } else if unquoted_date {
        format!(
            "{msg}: dates are quoted strings; allowed: \"YYYY-MM-DD\" in quotes, e.g. date = \"1921-03-21\""
        )
    } else {
        msg
    };
    ScenarioError::invalid(path, line, key, msg)
}

/// The dotted key defined on line `line` (1-based), with its table header.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let mut header = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            header = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
        if i + 1 == line {
            if t.starts_with('[') {
                return Some(header);
            }
            let k = t.split('=').next()?.trim().trim_matches('"');
            if k.is_empty() {
                return None;
            }
            return Some(if header.is_empty() {
                k.to_string()
            } else {
                format!("{header}.{k}")
            });
        }
    }
    None
}

/// The line (1-based) where dotted `key` (e.g. `policy.repression`) is set, if it is.
pub fn find_key_line(text: &str, key: &str) -> Option<usize> {
    let key = key.split('[').next().unwrap_or(key);
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let mut header = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            header = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let full = if header.is_empty() {
            k.to_string()
        } else {
            format!("{header}.{k}")
        };
        if full == key || (header == table && k == leaf) {
            return Some(i + 1);
        }
    }
    None
}

/// The lines of `key` inside every `[[event]]` block with this id, in file order.
fn find_event_lines(text: &str, id: &str, key: &str) -> Vec<usize> {
    event_blocks(text)
        .into_iter()
        .filter(|(_, block)| {
            block.iter().any(|l| {
                l.split_once('=')
                    .is_some_and(|(a, b)| a.trim() == "id" && b.trim().trim_matches('"') == id)
            })
        })
        .filter_map(|(s, block)| {
            block
                .iter()
                .position(|l| l.split_once('=').is_some_and(|(a, _)| a.trim() == key))
                .map(|j| s + j + 1)
        })
        .collect()
}

/// Every `[[event]]` block of a file: its first line index and its lines (up to the next table
/// header).
fn event_blocks(text: &str) -> Vec<(usize, Vec<&str>)> {
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[event]]")
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .map(|&s| {
            let len = lines[s + 1..]
                .iter()
                .position(|l| l.trim_start().starts_with('['))
                .map_or(lines.len() - s, |n| n + 1);
            (s, lines[s..s + len].to_vec())
        })
        .collect()
}

/// The line of `key` inside the `[[event]]` block with this id (or date).
fn find_event_line(text: &str, id: &str, date: &str, key: &str) -> Option<usize> {
    let (s, block) = find_event_block(text, id, date)?;
    block
        .iter()
        .position(|l| l.split_once('=').is_some_and(|(a, _)| a.trim() == key))
        .map(|j| s + j + 1)
}

/// The first line index and the lines of the `[[event]]` block with this id (or, without an
/// id, this date).
fn find_event_block<'t>(text: &'t str, id: &str, date: &str) -> Option<(usize, Vec<&'t str>)> {
    let blocks: Vec<(usize, usize)> = {
        let lines: Vec<&str> = text.lines().collect();
        let mut starts: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[event]]")
            .map(|(i, _)| i)
            .collect();
        starts.push(lines.len());
        starts.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let lines: Vec<&str> = text.lines().collect();
    for (s, e) in blocks {
        let block = &lines[s..e];
        let has = |k: &str, v: &str| {
            !v.is_empty()
                && block.iter().any(|l| {
                    l.split_once('=')
                        .is_some_and(|(a, b)| a.trim() == k && b.trim().trim_matches('"') == v)
                })
        };
        if has("id", id) || (id.is_empty() && has("date", date)) {
            return Some((s, block.to_vec()));
        }
    }
    None
}

/// Sets dotted keys of a resolved scenario and resolves it again: `policy.repression`,
/// `economy.harvest.1921`, or `event.<id>.<key>` (e.g. `event.nep.date`,
/// `event.nep.policy.markets`). Only keys that exist may be set. Errors say which key and why.
pub fn with_overrides(res: &Resolved, sets: &[(String, toml::Value)]) -> Result<Resolved, String> {
    let mut v = toml::Value::try_from(&res.scenario).map_err(|e| e.to_string())?;
    for (key, value) in sets {
        let parts: Vec<&str> = key.split('.').collect();
        if parts.first() == Some(&"event") && parts.len() >= 3 {
            let events = v
                .get_mut("event")
                .and_then(|e| e.as_array_mut())
                .ok_or_else(|| format!("`{key}`: the scenario has no events"))?;
            let ev = events
                .iter_mut()
                .find(|e| e.get("id").and_then(|i| i.as_str()) == Some(parts[1]))
                .ok_or_else(|| format!("`{key}`: no event with id `{}`", parts[1]))?;
            set_path(ev, &parts[2..], value, key, true)?;
        } else {
            set_path(&mut v, &parts, value, key, false)?;
        }
    }
    let scenario: Scenario = v
        .try_into()
        .map_err(|e: toml::de::Error| e.message().trim().to_string())?;
    resolve(res.name.clone(), scenario, res.sources.clone()).map_err(|e| e.to_string())
}

/// Sets `path` inside `v`. Inside an event, the `policy` and `economy` patches may gain keys
/// (checked when the scenario is resolved again); elsewhere the key must already exist.
fn set_path(
    v: &mut toml::Value,
    path: &[&str],
    value: &toml::Value,
    key: &str,
    in_event: bool,
) -> Result<(), String> {
    let mut cur = v;
    for (n, p) in path.iter().enumerate() {
        let last = n + 1 == path.len();
        let table = cur
            .as_table_mut()
            .ok_or_else(|| format!("`{key}`: `{p}` is not inside a table"))?;
        if last {
            // Inside an event any key may be set: unknown ones fail when the scenario is resolved.
            if !table.contains_key(*p) && !in_event {
                return Err(format!("`{key}`: unknown key"));
            }
            table.insert(p.to_string(), value.clone());
            return Ok(());
        }
        if in_event && !table.contains_key(*p) && (*p == "policy" || *p == "economy") {
            table.insert(p.to_string(), toml::Value::Table(toml::Table::new()));
        }
        cur = table
            .get_mut(*p)
            .ok_or_else(|| format!("`{key}`: unknown key"))?;
    }
    Err(format!("`{key}`: empty key"))
}
