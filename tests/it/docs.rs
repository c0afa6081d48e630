//! The documentation lists every scenario key and every output column.

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) if prefix != "economy.harvest" => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&p, x, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn scenarios_md_documents_every_key() {
    let doc = read("docs/scenarios.md");
    let mut keys = Vec::new();
    leaves(
        "",
        &toml::Value::try_from(pact::scenario::params::Scenario::default()).unwrap(),
        &mut keys,
    );
    keys.extend(["name", "extends"].map(String::from));
    for k in pact::scenario::params::EventCfg::default().fields() {
        keys.push(format!("event.{k}"));
    }
    for k in keys.into_iter().filter(|k| k != "event") {
        let leaf = k.rsplit('.').next().unwrap();
        assert!(
            doc.contains(&format!("`{leaf}`")),
            "docs/scenarios.md does not document `{k}`"
        );
    }
}

#[test]
fn outputs_md_documents_every_column() {
    let doc = read("docs/outputs.md");
    for (c, d) in pact::model::record::WeekRecord::COLUMNS
        .iter()
        .zip(pact::model::record::WeekRecord::DOCS)
    {
        assert!(
            doc.contains(&format!("| `{c}` | {} |", d.trim())),
            "docs/outputs.md: `{c}` missing or its meaning differs from src/record.rs"
        );
    }
    for c in pact::output::ELECTION_COLUMNS
        .iter()
        .chain(pact::output::CAMPAIGN_COLUMNS)
    {
        assert!(
            doc.contains(&format!("`{c}`")),
            "docs/outputs.md: `{c}` missing"
        );
    }
}

#[test]
fn odd_lists_every_registered_mechanism() {
    let odd = read("docs/ODD.md");
    for m in pact::model::registry::Mechanism::ALL {
        let (what, off) = m.describe();
        let row = format!("| `{}` | {what} | {off} |", m.name());
        assert!(odd.contains(&row), "docs/ODD.md lacks the row: {row}");
    }
}
