//! Setting keys of a resolved scenario by their dotted paths (`policy.repression`,
//! `event.nep.date`): how sweeps make their design points.

use super::params::Scenario;
use super::{Resolved, resolve};

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
pub(crate) fn set_path(
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
