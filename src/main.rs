//! The `pact` command: parses arguments, calls the library, reports progress, writes outputs,
//! and turns errors into exit codes (2: bad input; 1: failure while running or writing).

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pact::output::{self, Environment};
use pact::scenario::{self, Resolved};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "pact",
    version,
    about = "Agent-based simulator of the social contract between the Bolshevik party and Moscow's workers, 1920–1925"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario: replicates in parallel, outputs written to a folder.
    Run(RunArgs),
    /// Check a scenario against the historical record (scenarios/targets.toml): a table of
    /// patterns with PASS/FAIL; exit 0 when all pass, 1 when any fails, 2 on bad input.
    Validate(ValidateArgs),
    /// Compare two scenarios (run with common random numbers) or two finished runs: paired
    /// differences of headline outcomes with 95% intervals, as a table, CSV and SVG figures.
    Compare(CompareArgs),
}

#[derive(clap::Args)]
struct CompareArgs {
    /// Baseline A: a scenario file, or the output folder of a finished run.
    a: PathBuf,
    /// Counterfactual B: a scenario file, or the output folder of a finished run.
    b: PathBuf,
    /// Replicates (scenario files only; default: A's `run.replicates`).
    #[arg(long)]
    replicates: Option<u32>,
    /// Master seed for both (scenario files only; default: A's `run.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker agents for both (scenario files only).
    #[arg(long)]
    scale: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: results/compare_<A>_<B>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// Scenario file (TOML).
    #[arg(default_value = "scenarios/historical.toml")]
    scenario: PathBuf,
    /// Targets file (default: targets.toml beside the scenario).
    #[arg(long)]
    targets: Option<PathBuf>,
    /// Number of replicates.
    #[arg(long, default_value_t = 20)]
    replicates: u32,
    /// Master seed (overrides `run.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker agents (overrides `run.scale`).
    #[arg(long)]
    scale: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: results/validation).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/historical.toml.
    scenario: PathBuf,
    /// Master seed (overrides `run.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Number of replicates (overrides `run.replicates`).
    #[arg(long)]
    replicates: Option<u32>,
    /// Worker agents (overrides `run.scale`; 1000 to 5000000).
    #[arg(long)]
    scale: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: results/<scenario name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    force: bool,
}

/// An error with its exit code.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

fn bad_input(e: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: 2,
        error: e.into(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Compare(args) => compare(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

/// Loads a scenario and applies command-line overrides, re-validating them.
fn load(
    path: &Path,
    seed: Option<u64>,
    replicates: Option<u32>,
    scale: Option<u64>,
) -> Result<Resolved, Failure> {
    let mut res = scenario::load(path).map_err(bad_input)?;
    if let Some(s) = seed {
        res.scenario.run.seed = s;
    }
    if let Some(r) = replicates {
        res.scenario.run.replicates = r;
    }
    if let Some(s) = scale {
        res.scenario.run.scale = s;
    }
    if let Err(e) = res.scenario.validate_ranges() {
        let flag = e
            .key
            .strip_prefix("run.")
            .map(|k| format!("--{k}"))
            .unwrap_or(e.key);
        return Err(bad_input(anyhow::anyhow!("{flag}: {}", e.message)));
    }
    Ok(res)
}

fn progress_bar(total: u64, label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% {per_sec} ETA {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(label.to_string());
    pb
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    if threads == Some(0) {
        return Err(bad_input(anyhow::anyhow!(
            "--threads: 0 is out of range; allowed 1 or more"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start the thread pool")
        .map_err(|e| Failure { code: 1, error: e })
}

fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let res = load(&args.scenario, args.seed, Some(args.replicates), args.scale)?;
    let targets = args.targets.clone().unwrap_or_else(|| {
        args.scenario
            .parent()
            .unwrap_or(Path::new("."))
            .join("targets.toml")
    });
    let patterns = pact::validate::load_targets(&targets, &res).map_err(bad_input)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join("validation"));
    if out.exists() && !args.force {
        return Err(bad_input(anyhow::anyhow!(
            "{}: output folder already exists; pass --force to replace it",
            out.display()
        )));
    }
    let pool = thread_pool(args.threads)?;
    let total = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    let pb = progress_bar(
        total,
        &format!("validate {} × {}", res.name, res.scenario.run.replicates),
    );
    let seeds = pact::run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let runs = pool.install(|| pact::run::run_all(&res, &|n| pb.inc(n)));
    pb.finish_and_clear();
    let verdicts = pact::validate::judge(&patterns, &res, &runs);
    let env = Environment {
        threads: pool.current_num_threads(),
        platform: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        command: std::env::args().collect(),
    };
    let mut files = output::run_outputs(&res, &seeds, &runs, &env);
    let table = pact::validate::markdown(&verdicts, &res);
    files.push(("validation.md".into(), table.clone()));
    files.push(("validation.csv".into(), pact::validate::csv(&verdicts)));
    files.push((
        "targets.toml".into(),
        std::fs::read_to_string(&targets).unwrap_or_default(),
    ));
    for (p, v) in patterns.iter().zip(&verdicts) {
        files.push((
            format!("figures/{}.svg", p.target.id),
            pact::validate::figure(p, v, &res, &runs),
        ));
    }
    output::write_folder(&out, &files, args.force)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(|e| Failure { code: 1, error: e })?;
    println!("{table}");
    eprintln!("wrote {}", out.display());
    if verdicts.iter().all(|v| v.pass) {
        Ok(())
    } else {
        let failed: Vec<&str> = verdicts
            .iter()
            .filter(|v| !v.pass)
            .map(|v| v.id.as_str())
            .collect();
        Err(Failure {
            code: 1,
            error: anyhow::anyhow!(
                "{} of {} patterns fail: {}",
                failed.len(),
                verdicts.len(),
                failed.join(", ")
            ),
        })
    }
}

/// Dates at which B's policy differs from A's: events B has that A has not (same id, date and
/// content), events of A that B removed, and a difference in the starting policy.
fn policy_marks(a: &serde_json::Value, b: &serde_json::Value) -> Vec<(f64, String)> {
    let at = |v: &serde_json::Value| {
        v.as_str()
            .and_then(pact::date::Date::parse)
            .map(|d| d.year_fraction())
    };
    let mut marks = Vec::new();
    if let (true, Some(x)) = (
        a["scenario"]["policy"] != b["scenario"]["policy"],
        at(&b["scenario"]["run"]["start"]),
    ) {
        marks.push((x, "policy from the start".to_string()));
    }
    // Events as written (their own changes), not the policy snapshots after them.
    let empty = Vec::new();
    let ev_a = a["scenario"]["event"].as_array().unwrap_or(&empty);
    let ev_b = b["scenario"]["event"].as_array().unwrap_or(&empty);
    let id = |e: &serde_json::Value| e["id"].as_str().unwrap_or("").to_string();
    for e in ev_b.iter().filter(|e| !ev_a.contains(e)) {
        marks.extend(at(&e["date"]).map(|x| (x, id(e))));
    }
    for e in ev_a
        .iter()
        .filter(|e| !ev_b.iter().any(|x| x["id"] == e["id"]))
    {
        marks.extend(at(&e["date"]).map(|x| (x, format!("no {}", id(e)))));
    }
    marks
}

/// A finished run's table and resolved parameters, checked against this version of pact.
fn read_run(dir: &Path) -> Result<(pact::compare::Table, serde_json::Value), Failure> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).map_err(|e| {
            bad_input(anyhow::anyhow!(
                "{}: cannot read: {e}",
                dir.join(f).display()
            ))
        })
    };
    let manifest: serde_json::Value =
        serde_json::from_str(&read("manifest.json")?).map_err(|e| {
            bad_input(anyhow::anyhow!(
                "{}: malformed manifest: {e}",
                dir.join("manifest.json").display()
            ))
        })?;
    let version = manifest["pact_version"].as_str().unwrap_or("unknown");
    if version != pact::VERSION {
        return Err(bad_input(anyhow::anyhow!(
            "{}: made by pact {version}, this is pact {}; allowed: runs made by this version",
            dir.display(),
            pact::VERSION
        )));
    }
    let name = manifest["scenario_name"]
        .as_str()
        .unwrap_or("run")
        .to_string();
    let table =
        pact::compare::table_from_csv(&name, &read("timeseries.csv")?, &read("elections.csv")?)
            .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", dir.display())))?;
    let seeds: Vec<u64> = manifest["replicate_seeds"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x.as_u64()).collect())
        .unwrap_or_default();
    if seeds != table.seeds {
        return Err(bad_input(anyhow::anyhow!(
            "{}: timeseries.csv seeds do not match manifest.json",
            dir.display()
        )));
    }
    Ok((table, manifest["resolved_parameters"].clone()))
}

fn compare(args: CompareArgs) -> Result<(), Failure> {
    let dirs = (args.a.is_dir(), args.b.is_dir());
    let mut files: Vec<(String, String)> = Vec::new();
    let (ta, tb, pa, pb) = match dirs {
        (true, true) => {
            if args.replicates.is_some() || args.seed.is_some() || args.scale.is_some() {
                return Err(bad_input(anyhow::anyhow!(
                    "--replicates, --seed and --scale apply to scenario files, not to finished runs"
                )));
            }
            let (ta, pa) = read_run(&args.a)?;
            let (tb, pb) = read_run(&args.b)?;
            (ta, tb, pa, pb)
        }
        (false, false) => {
            let a = load(&args.a, args.seed, args.replicates, args.scale)?;
            let seed = Some(a.scenario.run.seed);
            let reps = Some(a.scenario.run.replicates);
            let b = load(&args.b, seed, reps, Some(a.scenario.run.scale))?;
            if a.clock != b.clock {
                return Err(bad_input(anyhow::anyhow!(
                    "{} and {} cover different dates ({} + {} weeks vs {} + {} weeks); allowed: the same run.start and run.end",
                    args.a.display(),
                    args.b.display(),
                    a.clock.start,
                    a.clock.weeks,
                    b.clock.start,
                    b.clock.weeks
                )));
            }
            let pool = thread_pool(args.threads)?;
            let total = 2 * u64::from(a.scenario.run.replicates) * a.clock.weeks as u64;
            let pbar = progress_bar(total, &format!("compare {} / {}", a.name, b.name));
            let seeds = pact::run::replicate_seeds(a.scenario.run.seed, a.scenario.run.replicates);
            let runs_a = pool.install(|| pact::run::run_all(&a, &|n| pbar.inc(n)));
            let runs_b = pool.install(|| pact::run::run_all(&b, &|n| pbar.inc(n)));
            pbar.finish_and_clear();
            let env = Environment {
                threads: pool.current_num_threads(),
                platform: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
                command: std::env::args().collect(),
            };
            let (da, db) = if a.name == b.name {
                ("a".to_string(), "b".to_string())
            } else {
                (a.name.clone(), b.name.clone())
            };
            for (dir, res, runs) in [(&da, &a, &runs_a), (&db, &b, &runs_b)] {
                for (n, c) in output::run_outputs(res, &seeds, runs, &env) {
                    files.push((format!("{dir}/{n}"), c));
                }
            }
            let dates: Vec<pact::date::Date> =
                (0..a.clock.weeks).map(|w| a.clock.date(w)).collect();
            let ta = pact::compare::Table::from_runs(&a.name, &seeds, dates.clone(), &runs_a);
            let tb = pact::compare::Table::from_runs(&b.name, &seeds, dates, &runs_b);
            let json = |r: &Resolved| serde_json::to_value(r).expect("parameters serialise");
            (ta, tb, json(&a), json(&b))
        }
        _ => {
            return Err(bad_input(anyhow::anyhow!(
                "give two scenario files or two output folders, not one of each"
            )));
        }
    };
    let rows = pact::compare::compare(&ta, &tb).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{} vs {}: {e}",
            args.a.display(),
            args.b.display()
        ))
    })?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(format!("compare_{}_{}", ta.name, tb.name)));
    if out.exists() && !args.force {
        return Err(bad_input(anyhow::anyhow!(
            "{}: output folder already exists; pass --force to replace it",
            out.display()
        )));
    }
    let table = pact::compare::markdown(&ta, &tb, &rows);
    files.push(("compare.md".into(), table.clone()));
    files.push(("compare.csv".into(), pact::compare::csv(&rows)));
    let marks = policy_marks(&pa, &pb);
    let mut outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
    outcomes.dedup();
    for o in outcomes {
        if let Some(svg) = pact::compare::figure(&ta, &tb, o, &marks) {
            files.push((format!("figures/{o}.svg"), svg));
        }
    }
    output::write_folder(&out, &files, args.force)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(|e| Failure { code: 1, error: e })?;
    println!("{table}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let res = load(&args.scenario, args.seed, args.replicates, args.scale)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&res.name));
    if out.exists() && !args.force {
        return Err(bad_input(anyhow::anyhow!(
            "{}: output folder already exists; pass --force to replace it",
            out.display()
        )));
    }
    let pool = thread_pool(args.threads)?;
    let total = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    let pb = progress_bar(
        total,
        &format!("{} × {}", res.name, res.scenario.run.replicates),
    );
    let seeds = pact::run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let runs = pool.install(|| pact::run::run_all(&res, &|n| pb.inc(n)));
    pb.finish_and_clear();
    let env = Environment {
        threads: pool.current_num_threads(),
        platform: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        command: std::env::args().collect(),
    };
    let files = output::run_outputs(&res, &seeds, &runs, &env);
    output::write_folder(&out, &files, args.force)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(|e| Failure { code: 1, error: e })?;
    eprintln!(
        "wrote {} ({} replicates × {} weeks)",
        out.display(),
        res.scenario.run.replicates,
        res.clock.weeks
    );
    Ok(())
}
