//! Prints every scenario key with its default value (used to keep docs/scenarios.md complete).
fn walk(prefix: &str, v: &toml::Value) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if prefix == "economy" && k == "harvest" {
                    println!("{p} = {x}");
                    continue;
                }
                walk(&p, x);
            }
        }
        _ => println!("{prefix} = {v}"),
    }
}
fn main() {
    let s = pact::scenario::params::Scenario::default();
    walk("", &toml::Value::try_from(&s).unwrap());
}
