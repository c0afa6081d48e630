//! Loading a scenario: reading files, resolving `extends`, checking every key, and producing the
//! resolved parameters and the dated timeline the simulation runs on.
//!
//! Two stages, as in ripgrep's flags: the TOML types of [`crate::scenario::params`] mirror the file and only
//! validate; [`Resolved`] holds derived, ready-to-use values (the clock, events by week, the
//! policy and economy in force after each event).

mod extends;
mod locate;
pub mod mechanisms;
mod overrides;
pub mod params;
pub mod ranges;
mod resolve;
pub mod targets;

use extends::load_table;
pub use extends::{merge, nearest};

pub use locate::{find_key_line, toml_err};
pub use overrides::with_overrides;
pub use resolve::resolve;

use crate::date::Clock;
use params::{EconomyCfg, EventCfg, PolicyCfg, Scenario};
use serde::Serialize;
use std::path::Path;

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

impl Resolved {
    /// The mechanisms switched off (`[mechanisms] off`, checked when the scenario was loaded;
    /// names it does not know would be ignored).
    pub fn switches(&self) -> crate::model::registry::Switches {
        let known: Vec<&String> = (self.scenario.mechanisms.off.iter())
            .filter(|n| *n == "all" || crate::model::registry::Mechanism::named(n).is_some())
            .collect();
        crate::model::registry::Switches::from_names(&known).unwrap_or_default()
    }
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
