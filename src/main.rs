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
