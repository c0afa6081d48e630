//! Reading a scenario's files: each file checked alone (syntax, known keys, events in date
//! order, one event per id), then its `extends` chain merged child over parent, an event of a
//! child naming an event of the chain it disables or changes.

use super::locate::{find_event_block, find_event_line, find_event_lines, find_key_line, toml_err};
use super::params::Scenario;
use super::{Reader, ScenarioError, SourceFile};
use crate::date::Date;
use std::path::{Path, PathBuf};

/// Reads one file and its parents, returning the merged table.
pub(crate) fn load_table(
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

pub(crate) fn merge_events(base: &mut toml::Value, over: &toml::Value) {
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
pub(crate) fn event_ids(table: &toml::Table) -> Vec<&str> {
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
pub(crate) fn check_event_ids(
    path: &Path,
    text: &str,
    table: &toml::Table,
) -> Result<(), ScenarioError> {
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
pub(crate) fn check_event_targets(
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
pub(crate) fn check_event_order(
    path: &Path,
    text: &str,
    table: &toml::Table,
) -> Result<(), ScenarioError> {
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
