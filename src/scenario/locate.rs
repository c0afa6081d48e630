//! Where a key is in a file: the line of a dotted key, of an event's key, of a TOML error, so
//! that every error names the file, the line and the key.

use super::ScenarioError;
use std::path::Path;

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
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
pub(crate) fn key_at_line(text: &str, line: usize) -> Option<String> {
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
pub(crate) fn find_event_lines(text: &str, id: &str, key: &str) -> Vec<usize> {
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
pub(crate) fn event_blocks(text: &str) -> Vec<(usize, Vec<&str>)> {
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
pub(crate) fn find_event_line(text: &str, id: &str, date: &str, key: &str) -> Option<usize> {
    let (s, block) = find_event_block(text, id, date)?;
    block
        .iter()
        .position(|l| l.split_once('=').is_some_and(|(a, _)| a.trim() == key))
        .map(|j| s + j + 1)
}

/// The first line index and the lines of the `[[event]]` block with this id (or, without an
/// id, this date).
pub(crate) fn find_event_block<'t>(
    text: &'t str,
    id: &str,
    date: &str,
) -> Option<(usize, Vec<&'t str>)> {
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
