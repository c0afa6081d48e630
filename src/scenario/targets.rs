//! Targets: the patterns of the historical record a run is checked against
//! (`scenarios/targets.toml`), or a sweep's outcomes, as data: read, checked against the run
//! they will be applied to (outputs, windows, dates of elections and campaigns, bands) and
//! resolved to weeks. Errors name the file, line and key.

use crate::date::Date;
use crate::model::record::WeekRecord;
use crate::scenario::{self, Resolved, ScenarioError, find_key_line};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One pattern, as written in the targets file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Identifier (also the figure's file name).
    pub id: String,
    /// What is measured, in words (optional in a sweep's outcomes).
    #[serde(default)]
    pub description: String,
    /// Where the target comes from (book, page or document); required in a targets file.
    #[serde(default)]
    pub source: String,
    /// `mean`, `max`, `value`, `ratio`, `peak_date`, `election` or `campaign`.
    pub statistic: String,
    /// A `timeseries.csv` column (mean, value, ratio, peak_date).
    pub output: Option<String>,
    /// Window [from, to) for mean, ratio (numerator) and peak_date.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The date for value, election and campaign.
    pub date: Option<String>,
    /// Ratio denominator: columns summed (default: `output`) over [base_from, base_to)
    /// (default: the numerator's window).
    pub base_output: Option<Vec<String>>,
    pub base_from: Option<String>,
    pub base_to: Option<String>,
    /// Election and campaign: `all`, `large_factory`, `small_workplace`, `office`, `small_and_office`.
    pub class: Option<String>,
    /// Election: `delegate_share_party`, `delegate_share_nonparty`, `delegate_share_other_socialist`,
    /// `abstention_share`, `won_share_party`, `won_share_nonparty`. Campaign: `share_for`,
    /// `share_against`, `share_away`, `share_falsified`.
    pub metric: Option<String>,
    /// Campaign: `church_valuables` or `sr_trial_death_penalty`.
    pub campaign: Option<String>,
    /// [min, max]; dates (`YYYY-MM-DD`) for peak_date. Required in a targets file; a sweep's
    /// outcomes have none.
    #[serde(default)]
    pub band: Vec<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(rename = "target")]
    targets: Vec<Target>,
}

/// A target checked and resolved against a run's clock.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub target: Target,
    pub kind: Kind,
    pub band: (f64, f64),
}

/// What to compute, with weeks resolved.
#[derive(Clone, Debug)]
pub enum Kind {
    Mean {
        col: usize,
        from: usize,
        to: usize,
    },
    /// The sum of the weekly values over the window (counts of events, such as strikes
    /// started).
    Sum {
        col: usize,
        from: usize,
        to: usize,
    },
    /// The largest weekly value in the window.
    Max {
        col: usize,
        from: usize,
        to: usize,
    },
    Value {
        col: usize,
        week: usize,
    },
    Ratio {
        col: usize,
        from: usize,
        to: usize,
        base: Vec<usize>,
        base_from: usize,
        base_to: usize,
    },
    /// Fractional year of the maximum in the window.
    PeakDate {
        col: usize,
        from: usize,
        to: usize,
    },
    Election {
        week: usize,
        classes: Vec<&'static str>,
        metric: String,
    },
    Campaign {
        week: usize,
        classes: Vec<&'static str>,
        metric: String,
        campaign: String,
    },
}

const CLASSES: [&str; 3] = ["large_factory", "small_workplace", "office"];
const ELECTION_METRICS: [&str; 6] = [
    "delegate_share_party",
    "delegate_share_nonparty",
    "delegate_share_other_socialist",
    "abstention_share",
    "won_share_party",
    "won_share_nonparty",
];
const CAMPAIGN_METRICS: [&str; 4] = [
    "share_for",
    "share_against",
    "share_away",
    "share_falsified",
];

/// Reads and checks a targets file against the run it will be applied to.
pub fn load_targets(path: &Path, res: &Resolved) -> Result<Vec<Pattern>, ScenarioError> {
    load_targets_text(path, &read_targets(path)?, res)
}

/// The text of a targets file (an error names it as the targets file, and `--targets`).
pub fn read_targets(path: &Path) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
        file: path.display().to_string(),
        what: "targets file",
        reason: e.to_string(),
        hint: " (the targets file is targets.toml beside the scenario unless --targets FILE names another)",
    })
}

/// Checks targets given as text (`path` names them in errors).
pub fn load_targets_text(
    path: &Path,
    text: &str,
    res: &Resolved,
) -> Result<Vec<Pattern>, ScenarioError> {
    let file: TargetsFile =
        toml::from_str(text).map_err(|e: toml::de::Error| scenario::toml_err(path, text, &e))?;
    if file.targets.is_empty() {
        return Err(ScenarioError::Invalid {
            file: path.display().to_string(),
            line: None,
            key: Some("target".into()),
            message: "no targets; allowed: one or more [[target]] tables".into(),
        });
    }
    resolve_targets(path, text, "target", file.targets, res)
}

/// Checks targets (or a sweep's outcomes, written as `[[block]]` tables in `text`) against the
/// run they will be applied to; errors name the file, line and key.
pub fn resolve_targets(
    path: &Path,
    text: &str,
    block: &str,
    targets: Vec<Target>,
    res: &Resolved,
) -> Result<Vec<Pattern>, ScenarioError> {
    let mut out: Vec<Pattern> = Vec::new();
    for (i, t) in targets.into_iter().enumerate() {
        let c = Check {
            path,
            text,
            block,
            i,
            t: &t,
            res,
        };
        scenario::check_name(&t.id).map_err(|m| c.err("id", m))?;
        let kind = c.kind()?;
        if block == "target" && t.source.trim().is_empty() {
            return Err(c.err(
                "source",
                "missing; allowed: where the target comes from (book, page or document)".into(),
            ));
        }
        let band = c.band(&kind)?;
        if out.iter().any(|p| p.target.id == t.id) {
            return Err(c.err(
                "id",
                format!("duplicate id `{}`; allowed: unique ids", t.id),
            ));
        }
        out.push(Pattern {
            target: t,
            kind,
            band,
        });
    }
    Ok(out)
}

/// One target being checked: where it is written (for errors) and the run it applies to.
struct Check<'a> {
    path: &'a Path,
    text: &'a str,
    block: &'a str,
    i: usize,
    t: &'a Target,
    res: &'a Resolved,
}

impl Check<'_> {
    /// An error at the target's `key`.
    fn err(&self, key: &str, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.path.display().to_string(),
            line: target_line(self.text, self.block, self.i, key),
            key: Some(format!("{} `{}`.{key}", self.block, self.t.id)),
            message,
        }
    }

    /// A `timeseries.csv` column.
    fn col(&self, key: &str, name: &Option<String>) -> Result<usize, ScenarioError> {
        let name = name
            .as_deref()
            .ok_or_else(|| self.err(key, "missing; allowed: a timeseries.csv column".into()))?;
        WeekRecord::COLUMNS
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| {
                self.err(
                    key,
                    format!("unknown output `{name}`; allowed: a timeseries.csv column (see docs/outputs.md)"),
                )
            })
    }

    /// A date as a week boundary: `end = false` gives the week containing the date (it must lie
    /// in the run); `end = true` the first week not before it (it may be the day after).
    fn boundary(&self, key: &str, s: &Option<String>, end: bool) -> Result<usize, ScenarioError> {
        let clock = &self.res.clock;
        let s = s
            .as_deref()
            .ok_or_else(|| self.err(key, "missing; allowed: a date YYYY-MM-DD".into()))?;
        let d = Date::parse(s).ok_or_else(|| {
            self.err(
                key,
                format!("`{s}` is not a date; allowed: YYYY-MM-DD or YYYY-MM"),
            )
        })?;
        let outside = || {
            self.err(
                key,
                format!(
                    "{d} is outside the run ({} to {})",
                    clock.start,
                    clock.date(clock.weeks - 1)
                ),
            )
        };
        let off = d.to_days() - clock.start.to_days();
        if !end {
            return clock.week_of(d).ok_or_else(outside);
        }
        if off <= 0 || off > 7 * clock.weeks as i64 + 7 {
            return Err(outside());
        }
        Ok(((off + 6) / 7).min(clock.weeks as i64) as usize)
    }

    fn week(&self, key: &str, s: &Option<String>) -> Result<usize, ScenarioError> {
        self.boundary(key, s, false)
    }

    /// A window [from, to) of weeks, not empty.
    fn window(
        &self,
        fk: &str,
        f: &Option<String>,
        tk: &str,
        to: &Option<String>,
    ) -> Result<(usize, usize), ScenarioError> {
        let (a, b) = (self.week(fk, f)?, self.boundary(tk, to, true)?);
        if a >= b {
            return Err(self.err(
                tk,
                format!(
                    "the window {}..{} is empty; allowed: `to` after `from`",
                    f.as_deref().unwrap_or(""),
                    to.as_deref().unwrap_or("")
                ),
            ));
        }
        Ok((a, b))
    }

    /// The size classes a `class` names.
    fn classes(&self) -> Result<Vec<&'static str>, ScenarioError> {
        match self.t.class.as_deref().unwrap_or("all") {
            "all" => Ok(vec!["large_factory", "small_workplace", "office", "institutions"]),
            "small_and_office" => Ok(vec!["small_workplace", "office"]),
            x => CLASSES.iter().find(|c| **c == x).map(|c| vec![*c]).ok_or_else(|| {
                self.err(
                    "class",
                    format!("unknown class `{x}`; allowed: all, large_factory, small_workplace, office, small_and_office"),
                )
            }),
        }
    }

    /// The `metric`, one of `allowed`.
    fn metric(&self, allowed: &[&str]) -> Result<String, ScenarioError> {
        let m = self.t.metric.clone().ok_or_else(|| {
            self.err(
                "metric",
                format!("missing; allowed: {}", allowed.join(", ")),
            )
        })?;
        if allowed.contains(&m.as_str()) {
            Ok(m)
        } else {
            Err(self.err(
                "metric",
                format!("unknown metric `{m}`; allowed: {}", allowed.join(", ")),
            ))
        }
    }

    /// What to compute, by `statistic`.
    fn kind(&self) -> Result<Kind, ScenarioError> {
        let t = self.t;
        Ok(match t.statistic.as_str() {
            "mean" | "max" | "sum" => {
                let (from, to) = self.window("from", &t.from, "to", &t.to)?;
                let col = self.col("output", &t.output)?;
                match t.statistic.as_str() {
                    "max" => Kind::Max { col, from, to },
                    "sum" => Kind::Sum { col, from, to },
                    _ => Kind::Mean { col, from, to },
                }
            }
            "value" => Kind::Value {
                col: self.col("output", &t.output)?,
                week: self.week("date", &t.date)?,
            },
            "ratio" => self.ratio()?,
            "peak_date" => {
                let (from, to) = self.window("from", &t.from, "to", &t.to)?;
                Kind::PeakDate {
                    col: self.col("output", &t.output)?,
                    from,
                    to,
                }
            }
            "election" => self.election()?,
            "campaign" => self.campaign()?,
            s => {
                return Err(self.err(
                    "statistic",
                    format!(
                        "unknown statistic `{s}`; allowed: mean, sum, max, value, ratio, peak_date, election, campaign"
                    ),
                ));
            }
        })
    }

    fn ratio(&self) -> Result<Kind, ScenarioError> {
        let t = self.t;
        let col = self.col("output", &t.output)?;
        let (from, to) = self.window("from", &t.from, "to", &t.to)?;
        let base = match &t.base_output {
            None => vec![col],
            Some(v) if v.is_empty() => {
                return Err(self.err(
                    "base_output",
                    "empty; allowed: one or more timeseries.csv columns".into(),
                ));
            }
            Some(v) => v
                .iter()
                .map(|n| self.col("base_output", &Some(n.clone())))
                .collect::<Result<_, _>>()?,
        };
        let (base_from, base_to) = match (&t.base_from, &t.base_to) {
            (None, None) => (from, to),
            _ => self.window("base_from", &t.base_from, "base_to", &t.base_to)?,
        };
        Ok(Kind::Ratio {
            col,
            from,
            to,
            base,
            base_from,
            base_to,
        })
    }

    /// An election target, dated in the week of a soviet election.
    fn election(&self) -> Result<Kind, ScenarioError> {
        let (t, res) = (self.t, self.res);
        let w = self.week("date", &t.date)?;
        if !res
            .events
            .iter()
            .any(|e| e.week == w && e.event.soviet_election)
        {
            return Err(self.err(
                "date",
                format!(
                    "no soviet election is held in the week of {}; allowed: the date of an election (an event with soviet_election = true: {})",
                    t.date.as_deref().unwrap_or(""),
                    dates_of(res, |e| e.soviet_election)
                ),
            ));
        }
        Ok(Kind::Election {
            week: w,
            classes: self.classes()?,
            metric: self.metric(&ELECTION_METRICS)?,
        })
    }

    /// A campaign target, dated in the week of that campaign.
    fn campaign(&self) -> Result<Kind, ScenarioError> {
        let (t, res) = (self.t, self.res);
        let campaign = t.campaign.clone().ok_or_else(|| {
            self.err(
                "campaign",
                "missing; allowed: church_valuables, sr_trial_death_penalty".into(),
            )
        })?;
        if !["church_valuables", "sr_trial_death_penalty"].contains(&campaign.as_str()) {
            return Err(self.err(
                "campaign",
                format!(
                    "unknown campaign `{campaign}`; allowed: church_valuables, sr_trial_death_penalty"
                ),
            ));
        }
        let w = self.week("date", &t.date)?;
        let named = |e: &crate::scenario::params::EventCfg| {
            e.campaign.is_some_and(|c| c.name() == campaign)
        };
        if !res.events.iter().any(|e| e.week == w && named(&e.event)) {
            return Err(self.err(
                "date",
                format!(
                    "no {campaign} campaign is held in the week of {}; allowed: the date of that campaign ({})",
                    t.date.as_deref().unwrap_or(""),
                    dates_of(res, named)
                ),
            ));
        }
        Ok(Kind::Campaign {
            week: w,
            classes: self.classes()?,
            metric: self.metric(&CAMPAIGN_METRICS)?,
            campaign,
        })
    }

    /// The band [min, max]: numbers, or dates for a peak date; not NaN; min ≤ max.
    fn band(&self, kind: &Kind) -> Result<(f64, f64), ScenarioError> {
        let band = &self.t.band;
        if band.len() != 2 {
            return Err(self.err("band", "allowed: [min, max]".into()));
        }
        let peak = matches!(kind, Kind::PeakDate { .. });
        let bound = |v: &toml::Value| -> Option<f64> {
            match v {
                toml::Value::String(s) if peak => Date::parse(s).map(Date::year_fraction),
                toml::Value::Float(f) => Some(*f),
                toml::Value::Integer(i) => Some(*i as f64),
                _ => None,
            }
        };
        let allowed = if peak { "two dates" } else { "two numbers" };
        let (lo, hi) = match (bound(&band[0]), bound(&band[1])) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(self.err("band", format!("allowed: [min, max] as {allowed}"))),
        };
        if lo.is_nan() || hi.is_nan() {
            return Err(self.err("band", format!("allowed: [min, max] as {allowed}, not NaN")));
        }
        if lo > hi {
            return Err(self.err(
                "band",
                format!("min {lo} is greater than max {hi}; allowed: min ≤ max"),
            ));
        }
        Ok((lo, hi))
    }
}

/// The dates of the run's events that `pick` selects, as a list for a message.
fn dates_of(res: &Resolved, pick: impl Fn(&crate::scenario::params::EventCfg) -> bool) -> String {
    let d: Vec<&str> = res
        .events
        .iter()
        .filter(|e| pick(&e.event))
        .map(|e| e.date.as_str())
        .collect();
    if d.is_empty() {
        "this run has none".into()
    } else {
        d.join(", ")
    }
}

/// The line of `key` in the `i`-th `[[target]]` block (or of the block itself).
fn target_line(text: &str, block: &str, i: usize, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let header = format!("[[{block}]]");
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(n, _)| n)
        .collect();
    let s = *starts.get(i)?;
    let e = starts.get(i + 1).copied().unwrap_or(lines.len());
    let sub = lines[s..e].join("\n");
    Some(
        find_key_line(&sub, &format!("{block}.{key}"))
            .map(|l| s + l)
            .unwrap_or(s + 1),
    )
}
