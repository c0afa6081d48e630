//! Every command of the README runs as written, in order, in a fresh folder: at a small scale
//! (the scenario copies at 1,000 workers, replicates cut to 2), but otherwise as a reader types
//! them, so that a command that collides with an earlier one's output, needs a run it never
//! asked for, or names a file that does not exist fails here.

use crate::support::*;
use std::path::Path;

/// The commands of the README's code blocks: lines that start with `pact ` or with the quick
/// start's `cargo run --release -- `, without their trailing comments, in order.
fn readme_commands(readme: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let line = line.split("  #").next().unwrap_or("").trim();
        let rest = line
            .strip_prefix("cargo run --release -- ")
            .or_else(|| line.strip_prefix("pact "));
        if let Some(rest) = rest {
            out.push(rest.split_whitespace().map(str::to_string).collect());
        }
    }
    out
}

/// Copies `from` into `to` recursively, each TOML file with its scale set to 1,000 workers, a
/// sweep's replicates to 1, a calibration's to 1 with two waves of four points.
fn copy_small(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_small(&p, &dest);
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let sweep = p.parent().is_some_and(|d| d.ends_with("sweeps"));
        let calibration = p.parent().is_some_and(|d| d.ends_with("calibration"));
        let small: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("scale =") {
                    "scale = 1000".to_string()
                } else if (sweep || calibration) && l.starts_with("replicates =") {
                    "replicates = 1".to_string()
                } else if calibration && l.starts_with("points =") {
                    "points = 4".to_string()
                } else if calibration && l.starts_with("waves =") {
                    "waves = 2".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        std::fs::write(dest, small.join("\n") + "\n").unwrap();
    }
}

#[test]
fn every_readme_command_runs_as_written_in_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert!(
        commands.len() >= 15,
        "only {} commands found",
        commands.len()
    );
    let d = Dir::new();
    copy_small(&root.join("scenarios"), &d.path("scenarios"));
    for words in commands {
        // Small: flags that set the scale or the replicates are cut down.
        let mut args = words.clone();
        for i in 1..args.len() {
            match args[i - 1].as_str() {
                "--scale" => args[i] = "1000".into(),
                "--replicates" => args[i] = "2".into(),
                _ => {}
            }
        }
        if args[0] == "validate" && !args.iter().any(|a| a == "--replicates") {
            args.extend(["--replicates".into(), "2".into()]);
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_pact"))
            .args(&args)
            .current_dir(d.dir.path())
            .output()
            .unwrap();
        let code = o.status.code();
        // `pact validate` exits 1 when a pattern fails, and `pact calibrate` when a wave rules
        // out every point, which a small scale may well do.
        let ok = code == Some(0)
            || ((args[0] == "validate" || args[0] == "calibrate") && code == Some(1));
        assert!(
            ok,
            "`pact {}` exited {code:?}:\n{}",
            words.join(" "),
            stderr(&o)
        );
    }
}

#[test]
fn the_readme_commands_are_found() {
    let cmds = readme_commands(
        "text\n```\npact run a.toml --out x   # a comment\ncargo test\n```\npact run not-in-a-block\n```\ncargo run --release -- run b.toml\n```\n",
    );
    assert_eq!(
        cmds,
        vec![vec!["run", "a.toml", "--out", "x"], vec!["run", "b.toml"]]
    );
}
