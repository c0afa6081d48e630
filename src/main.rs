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
    /// Run a parameter sweep (resumable; `--shard K/N` runs one slice, e.g. one Slurm array task).
    Sweep(SweepArgs),
    /// Combine the slices of a sharded sweep into its results and figures.
    Merge(MergeArgs),
    /// Re-derive an output folder from its manifest and report each file as identical or
    /// different (exit 0 all identical, 1 any different, 2 manifest missing or unusable).
    Verify(VerifyArgs),
    /// Print how to cite an output folder: run id, command, version, citation and BibTeX.
    Cite(CiteArgs),
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Output folder of `pact run`, `pact validate` or `pact compare`.
    dir: PathBuf,
    /// Re-run only N replicates, evenly spaced, and check their rows.
    #[arg(long)]
    sample: Option<usize>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(clap::Args)]
struct SweepArgs {
    /// Sweep file (TOML), e.g. scenarios/sweeps/repression_x_rations.toml.
    sweep: PathBuf,
    /// Output folder (default: results/<sweep name>). Running again resumes.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only slice K of N (runs with index % N == K), for K in 0..N.
    #[arg(long)]
    shard: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Stop after this many runs (to test resuming an interrupted sweep).
    #[arg(long, hide = true)]
    stop_after: Option<usize>,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Output folder of the sharded sweep.
    dir: PathBuf,
}

#[derive(clap::Args)]
struct CiteArgs {
    /// Output folder.
    dir: PathBuf,
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
    #[command(flatten)]
    common: Common,
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
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/historical.toml.
    scenario: PathBuf,
    /// Number of replicates (overrides `run.replicates`).
    #[arg(long)]
    replicates: Option<u32>,
    #[command(flatten)]
    common: Common,
}

/// Options shared by the commands that run the model.
#[derive(clap::Args)]
struct Common {
    /// Master seed (overrides `run.seed`; compare: for both scenarios).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker agents, 1000 to 5000000 (overrides `run.scale`).
    #[arg(long)]
    scale: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: results/<scenario name>, results/validation, results/compare_<A>_<B>).
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
        Command::Sweep(args) => sweep(args),
        Command::Merge(args) => merge(args),
        Command::Verify(args) => verify(args),
        Command::Cite(args) => cite(args),
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

/// Replicates that `validate`, `compare` and `verify` hold whole in memory (about 0.3 MB a
/// replicate at the default dates, twice for a comparison); `pact run` streams them instead.
const MAX_HELD: u32 = 5_000;

/// Refuses more replicates than a command that holds them all can keep.
fn held(replicates: usize, command: &str, instead: &str) -> Result<(), Failure> {
    if replicates > MAX_HELD as usize {
        return Err(bad_input(anyhow::anyhow!(
            "--replicates: {replicates} is out of range for pact {command}, which holds every replicate in memory; allowed 1 to {MAX_HELD} ({instead})"
        )));
    }
    Ok(())
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

/// Folders of the two runs inside a comparison: the scenarios' names, or `a` and `b` when the
/// names are the same.
fn run_folders(a: &str, b: &str) -> (String, String) {
    if a == b {
        ("a".to_string(), "b".to_string())
    } else {
        (a.to_string(), b.to_string())
    }
}

/// The core of a comparison folder's manifest: the two runs' folders and ids, and the command
/// that makes it again.
fn comparison_manifest(
    a: &str,
    b: &str,
    run_ids: &[String],
    reproduce: String,
) -> serde_json::Value {
    serde_json::json!({
        "pact_version": pact::VERSION,
        "git_commit": output::GIT_COMMIT,
        "kind": "compare",
        "a": a,
        "b": b,
        "run_id_a": run_ids[0],
        "run_id_b": run_ids[1],
        "reproduce": reproduce,
    })
}

/// How this command runs: recorded in manifests, never used by the model.
fn environment(pool: &rayon::ThreadPool) -> Environment {
    Environment {
        threads: pool.current_num_threads(),
        platform: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        command: std::env::args().collect(),
    }
}

/// Runs every replicate of `res` in `pool` with a progress bar; returns the seeds and records.
fn run_with_progress(
    pool: &rayon::ThreadPool,
    res: &Resolved,
    label: &str,
) -> (Vec<u64>, Vec<pact::model::record::RunRecord>) {
    let total = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    let pb = progress_bar(
        total,
        &format!("{label}{} × {}", res.name, res.scenario.run.replicates),
    );
    let seeds =
        pact::experiment::run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let runs = pool.install(|| pact::experiment::run::run_all(res, &|n| pb.inc(n)));
    pb.finish_and_clear();
    (seeds, runs)
}

/// An existing output folder is kept unless `--force` says to replace it.
/// `--force` replaces only a folder pact wrote (one with a manifest), never a file or a folder
/// of the user's.
fn check_out(out: &Path, force: bool) -> Result<(), Failure> {
    check_parent(out)?;
    if out.exists() && !force {
        return Err(bad_input(anyhow::anyhow!(
            "{}: output folder already exists; pass --force to replace it",
            out.display()
        )));
    }
    if out.exists() && !output::is_pact_folder(out) {
        return Err(bad_input(anyhow::anyhow!(
            "{}: exists and is not an output folder of pact (no manifest.json); --force replaces only folders pact wrote; allowed: a new path, or a pact output folder",
            out.display()
        )));
    }
    Ok(())
}

/// Every existing ancestor of `out` must be a folder (`--out file/x` is an error, not an OS
/// message after the work).
fn check_parent(out: &Path) -> Result<(), Failure> {
    if out.as_os_str().is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "--out: empty path; allowed: a folder path"
        )));
    }
    for a in out.ancestors().skip(1) {
        if !a.as_os_str().is_empty() && a.exists() && !a.is_dir() {
            return Err(bad_input(anyhow::anyhow!(
                "{}: `{}` is a file, not a folder; allowed: --out inside a folder",
                out.display(),
                a.display()
            )));
        }
    }
    if out.exists() && !out.is_dir() {
        return Err(bad_input(anyhow::anyhow!(
            "{}: is a file; allowed: a folder path (pact writes a folder)",
            out.display()
        )));
    }
    Ok(())
}

/// The most threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    if let Some(n) = threads.filter(|n| !(1..=MAX_THREADS).contains(n)) {
        return Err(bad_input(anyhow::anyhow!(
            "--threads: {n} is out of range; allowed 1 to {MAX_THREADS}"
        )));
    }
    pact::threads::pool(threads)
        .context("cannot start the thread pool")
        .map_err(|e| Failure { code: 1, error: e })
}

fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let res = load(
        &args.scenario,
        args.common.seed,
        Some(args.replicates),
        args.common.scale,
    )?;
    held(
        res.scenario.run.replicates as usize,
        "validate",
        "pact run streams up to 100000",
    )?;
    let targets = args.targets.clone().unwrap_or_else(|| {
        args.scenario
            .parent()
            .unwrap_or(Path::new("."))
            .join("targets.toml")
    });
    let patterns = pact::experiment::validate::load_targets(&targets, &res).map_err(bad_input)?;
    let out = args
        .common
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join("validation"));
    check_out(&out, args.common.force)?;
    let pool = thread_pool(args.common.threads)?;
    let (seeds, runs) = run_with_progress(&pool, &res, "validate ");
    let verdicts = pact::experiment::validate::judge(&patterns, &res, &runs);
    let env = environment(&pool);
    let targets_text = std::fs::read_to_string(&targets).unwrap_or_default();
    let mut files = output::data_files(&res, &seeds, &runs);
    files.extend(pact::experiment::validate::files(
        &patterns,
        &verdicts,
        &res,
        &runs,
        &targets_text,
    ));
    let prov = output::Provenance {
        kind: "validate".into(),
        reproduce: output::reproduce_command(
            "validate",
            &res,
            &format!(" --targets {}", targets.display()),
        ),
        inputs: vec![("targets.toml".into(), targets_text)],
    };
    let files = output::with_manifest(&res, &seeds, files, &env, &prov);
    let table = pact::experiment::validate::markdown(&verdicts, &res);
    output::write_folder(&out, &files, args.common.force)
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

/// Refuses a folder whose manifest was written by another version of pact (exit 2).
fn this_version(dir: &Path, manifest: &serde_json::Value) -> Result<(), Failure> {
    let version = manifest["pact_version"].as_str().unwrap_or("unknown");
    if version != pact::VERSION {
        return Err(bad_input(anyhow::anyhow!(
            "{}: made by pact {version}, this is pact {}; allowed: a folder made by this version",
            dir.display(),
            pact::VERSION
        )));
    }
    Ok(())
}

/// A finished run's table and resolved parameters, checked against this version of pact.
fn read_run(dir: &Path) -> Result<(pact::experiment::compare::Table, serde_json::Value), Failure> {
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
    this_version(dir, &manifest)?;
    let name = manifest["scenario_name"].as_str().unwrap_or("").to_string();
    pact::scenario::check_name(&name).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{}: key `scenario_name`: {e}",
            dir.join("manifest.json").display()
        ))
    })?;
    let table = pact::experiment::compare::table_from_csv(
        &name,
        &read("timeseries.csv")?,
        &read("elections.csv")?,
    )
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

/// Two finished runs compare only if they differ in their scenarios, not in how they were run:
/// a difference of scale, dates, seed or replicates would be reported as the policy's effect.
fn same_run_settings(
    a: &Path,
    pa: &serde_json::Value,
    b: &Path,
    pb: &serde_json::Value,
) -> Result<(), Failure> {
    for key in ["scale", "start", "end", "seed", "replicates"] {
        let (x, y) = (&pa["scenario"]["run"][key], &pb["scenario"]["run"][key]);
        if x != y {
            return Err(bad_input(anyhow::anyhow!(
                "{} and {}: run.{key} differs ({x} vs {y}); allowed: two runs made with the same run settings (scale, dates, seed, replicates), differing only in their scenarios",
                a.display(),
                b.display()
            )));
        }
    }
    Ok(())
}

/// A comparison's output folder: `--out`, or `results/compare_A_B`.
fn compare_out(out: &Option<PathBuf>, a: &str, b: &str) -> PathBuf {
    out.clone()
        .unwrap_or_else(|| Path::new("results").join(format!("compare_{a}_{b}")))
}

fn compare(args: CompareArgs) -> Result<(), Failure> {
    let dirs = (args.a.is_dir(), args.b.is_dir());
    let mut files: Vec<(String, String)> = Vec::new();
    let compare_manifest: Option<serde_json::Value>;
    let (ta, tb, pa, pb) = match dirs {
        (true, true) => {
            if args.replicates.is_some()
                || args.common.seed.is_some()
                || args.common.scale.is_some()
            {
                return Err(bad_input(anyhow::anyhow!(
                    "--replicates, --seed and --scale apply to scenario files, not to finished runs"
                )));
            }
            let (ta, pa) = read_run(&args.a)?;
            let (tb, pb) = read_run(&args.b)?;
            same_run_settings(&args.a, &pa, &args.b, &pb)?;
            // Copy both runs (data files and manifests) so the comparison is self-contained and
            // `pact verify` can re-derive it like one made from scenario files.
            let (da, db) = run_folders(&ta.name, &tb.name);
            let mut ids = Vec::new();
            for (dir, src) in [(&da, &args.a), (&db, &args.b)] {
                let m = read_manifest(src)?;
                ids.push(m["run_id"].as_str().unwrap_or("").to_string());
                let names: Vec<String> = m["outputs"]
                    .as_array()
                    .map(|o| {
                        o.iter()
                            .filter_map(|x| x[0].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                for n in names
                    .into_iter()
                    .chain(std::iter::once("manifest.json".to_string()))
                {
                    let text = std::fs::read_to_string(src.join(&n)).map_err(|e| {
                        bad_input(anyhow::anyhow!(
                            "{}: cannot read: {e}",
                            src.join(&n).display()
                        ))
                    })?;
                    files.push((format!("{dir}/{n}"), text));
                }
            }
            let reproduce = format!("pact compare {} {}", args.a.display(), args.b.display());
            compare_manifest = Some(comparison_manifest(&da, &db, &ids, reproduce));
            (ta, tb, pa, pb)
        }
        (false, false) => {
            let a = load(
                &args.a,
                args.common.seed,
                args.replicates,
                args.common.scale,
            )?;
            held(
                a.scenario.run.replicates as usize,
                "compare",
                "pact run streams up to 100000",
            )?;
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
            check_out(
                &compare_out(&args.common.out, &a.name, &b.name),
                args.common.force,
            )?;
            let pool = thread_pool(args.common.threads)?;
            let total = 2 * u64::from(a.scenario.run.replicates) * a.clock.weeks as u64;
            let pbar = progress_bar(total, &format!("compare {} / {}", a.name, b.name));
            let seeds = pact::experiment::run::replicate_seeds(
                a.scenario.run.seed,
                a.scenario.run.replicates,
            );
            let runs_a = pool.install(|| pact::experiment::run::run_all(&a, &|n| pbar.inc(n)));
            let runs_b = pool.install(|| pact::experiment::run::run_all(&b, &|n| pbar.inc(n)));
            pbar.finish_and_clear();
            let env = environment(&pool);
            let (da, db) = run_folders(&a.name, &b.name);
            for (dir, res, runs) in [(&da, &a, &runs_a), (&db, &b, &runs_b)] {
                let prov = output::Provenance {
                    kind: "run".into(),
                    reproduce: output::reproduce_command("run", res, ""),
                    inputs: Vec::new(),
                };
                for (n, c) in output::run_outputs(res, &seeds, runs, &env, &prov) {
                    files.push((format!("{dir}/{n}"), c));
                }
            }
            let ma = a.scenario.run.clone();
            let ids = [output::run_id(&a, &seeds), output::run_id(&b, &seeds)];
            let reproduce = format!(
                "pact compare {} {} --seed {} --replicates {} --scale {}",
                args.a.display(),
                args.b.display(),
                ma.seed,
                ma.replicates,
                ma.scale
            );
            let mut m = comparison_manifest(&da, &db, &ids, reproduce);
            m["environment"] = serde_json::json!(env);
            compare_manifest = Some(m);
            let dates: Vec<pact::date::Date> =
                (0..a.clock.weeks).map(|w| a.clock.date(w)).collect();
            let ta = pact::experiment::compare::Table::from_runs(
                &a.name,
                &seeds,
                dates.clone(),
                &runs_a,
            );
            let tb = pact::experiment::compare::Table::from_runs(&b.name, &seeds, dates, &runs_b);
            let json = |r: &Resolved| serde_json::to_value(r).expect("parameters serialise");
            (ta, tb, json(&a), json(&b))
        }
        _ => {
            for p in [&args.a, &args.b] {
                if !p.exists() {
                    return Err(bad_input(anyhow::anyhow!(
                        "{}: no such file or folder; allowed: a scenario file or the output folder of a finished run",
                        p.display()
                    )));
                }
            }
            return Err(bad_input(anyhow::anyhow!(
                "{} is a {} and {} a {}; allowed: two scenario files or two output folders",
                args.a.display(),
                if dirs.0 { "folder" } else { "file" },
                args.b.display(),
                if dirs.1 { "folder" } else { "file" }
            )));
        }
    };
    let rows = pact::experiment::compare::compare(&ta, &tb).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{} vs {}: {e}",
            args.a.display(),
            args.b.display()
        ))
    })?;
    let out = compare_out(&args.common.out, &ta.name, &tb.name);
    check_out(&out, args.common.force)?;
    let table = pact::experiment::compare::markdown(&ta, &tb, &rows);
    let marks = pact::experiment::compare::policy_marks(&pa, &pb);
    let top = pact::experiment::compare::files(&ta, &tb, &rows, &marks);
    if let Some(mut m) = compare_manifest {
        m["outputs"] = serde_json::json!(
            top.iter()
                .map(|(n, c)| (n.clone(), output::sha256_hex(c.as_bytes())))
                .collect::<Vec<_>>()
        );
        files.push((
            "manifest.json".into(),
            format!(
                "{}\n",
                serde_json::to_string_pretty(&m).expect("manifest serialises")
            ),
        ));
    }
    files.extend(top);
    output::write_folder(&out, &files, args.common.force)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(|e| Failure { code: 1, error: e })?;
    println!("{table}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// Reads and parses `manifest.json` of a folder (exit 2 when missing or malformed).
fn read_manifest(dir: &Path) -> Result<serde_json::Value, Failure> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| bad_input(anyhow::anyhow!("{}: cannot read: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{}: malformed manifest: {e}",
            path.display()
        ))
    })
}

/// Verifies one folder of kind run or validate; returns the re-derived runs (all replicates, or
/// the sample) for a compare's top-level files.
fn verify_folder(
    dir: &Path,
    prefix: &str,
    sample: Option<usize>,
    report: &mut Vec<(String, pact::experiment::verify::Status)>,
) -> Result<
    (
        pact::experiment::verify::Derivation,
        Vec<pact::model::record::RunRecord>,
    ),
    Failure,
> {
    use pact::experiment::verify::{self, Status};
    let m = read_manifest(dir)?;
    let d = verify::derivation(&m).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{}: {e}",
            dir.join("manifest.json").display()
        ))
    })?;
    let which = verify::sample(d.seeds.len(), sample);
    held(which.len(), "verify", "re-run a sample with --sample N")?;
    let runs = verify::rerun(&d, &which);
    let expected = verify::expected_files(&d, &which, &runs)
        .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", dir.display())))?;
    let sampled = which.len() < d.seeds.len();
    let read = |n: &str| {
        let text = std::fs::read_to_string(dir.join(n)).ok()?;
        Some(if sampled && n.ends_with(".csv") {
            verify::select_replicates(&text, &which)
        } else {
            text
        })
    };
    for (name, status) in verify::check(&expected, &read) {
        let status = if sampled && !name.ends_with(".csv") {
            Status::NotChecked(format!(
                "only {} of {} replicates re-run",
                which.len(),
                d.seeds.len()
            ))
        } else {
            status
        };
        report.push((format!("{prefix}{name}"), status));
    }
    for (name, status) in verify::claims(&m, &d) {
        report.push((format!("{prefix}{name}"), status));
    }
    Ok((d, runs))
}

/// Verifies a sweep folder: the sweep file must still be the one recorded (same id); the runs
/// (all, or a sample) are re-run and compared with results.csv; figures when all are re-run.
fn verify_sweep(
    dir: &Path,
    m: &serde_json::Value,
    sample: Option<usize>,
    report: &mut Vec<(String, pact::experiment::verify::Status)>,
) -> Result<(), Failure> {
    use pact::experiment::verify::Status;
    this_version(dir, m)?;
    let sw = sweep_of(dir, m)?;
    let which = pact::experiment::verify::sample(sw.runs(), sample);
    let runs: std::collections::BTreeMap<usize, Vec<f64>> = {
        use rayon::prelude::*;
        let text: Vec<String> = which
            .par_iter()
            .map(|&r| pact::experiment::sweep::run_one(&sw, r))
            .collect();
        pact::experiment::sweep::parse_records(&sw, &text.concat())
    };
    let expected = pact::experiment::sweep::results_csv(&sw, &runs);
    let actual = std::fs::read_to_string(dir.join("results.csv"))
        .ok()
        .map(|t| {
            // Keep the header and the rows of the re-run runs.
            let keep: std::collections::BTreeSet<usize> = which.iter().copied().collect();
            t.lines()
                .enumerate()
                .filter(|(i, l)| {
                    *i == 0
                        || l.split(',')
                            .next()
                            .and_then(|r| r.parse().ok())
                            .is_some_and(|r: usize| keep.contains(&r))
                })
                .map(|(_, l)| format!("{l}\n"))
                .collect::<String>()
        });
    report.extend(pact::experiment::verify::check(
        &[("results.csv".into(), expected)],
        &|_| actual.clone(),
    ));
    if which.len() == sw.runs() {
        report.extend(pact::experiment::verify::check(
            &pact::experiment::sweep::figures(&sw, &runs),
            &|n| std::fs::read_to_string(dir.join(n)).ok(),
        ));
    } else {
        report.push((
            "figures".into(),
            Status::NotChecked(format!("only {} of {} runs re-run", which.len(), sw.runs())),
        ));
    }
    report.push(("manifest.json (sweep id)".into(), Status::Identical));
    Ok(())
}

fn verify(args: VerifyArgs) -> Result<(), Failure> {
    use pact::experiment::verify::Status;
    if args.sample == Some(0) {
        return Err(bad_input(anyhow::anyhow!(
            "--sample 0: allowed 1 or more replicates to re-run (or no --sample to re-run all)"
        )));
    }
    let pool = thread_pool(args.threads)?;
    let m = read_manifest(&args.dir)?;
    let mut report = Vec::new();
    pool.install(|| -> Result<(), Failure> {
        if m["kind"] == "sweep" {
            verify_sweep(&args.dir, &m, args.sample, &mut report)?;
        } else if m["kind"] == "compare" {
            this_version(&args.dir, &m)?;
            let folder = |k: &str| {
                let name = m[k].as_str().unwrap_or("");
                pact::scenario::check_name(name).map(|_| name).map_err(|e| {
                    bad_input(anyhow::anyhow!(
                        "{}: key `{k}`: {e}",
                        args.dir.join("manifest.json").display()
                    ))
                })
            };
            let (a, b) = (folder("a")?, folder("b")?);
            let (da, ra) = verify_folder(
                &args.dir.join(a),
                &format!("{a}/"),
                args.sample,
                &mut report,
            )?;
            let (db, rb) = verify_folder(
                &args.dir.join(b),
                &format!("{b}/"),
                args.sample,
                &mut report,
            )?;
            report.extend(pact::experiment::verify::compare_claims(&m, &da, &db));
            let which = pact::experiment::verify::sample(da.seeds.len(), args.sample);
            if which.len() == da.seeds.len() {
                let dates: Vec<pact::date::Date> = (0..da.res.clock.weeks)
                    .map(|w| da.res.clock.date(w))
                    .collect();
                let ta = pact::experiment::compare::Table::from_runs(
                    &da.res.name,
                    &da.seeds,
                    dates.clone(),
                    &ra,
                );
                let tb = pact::experiment::compare::Table::from_runs(
                    &db.res.name,
                    &db.seeds,
                    dates,
                    &rb,
                );
                let rows = pact::experiment::compare::compare(&ta, &tb)
                    .map_err(|e| bad_input(anyhow::anyhow!("{e}")))?;
                let json = |r: &Resolved| serde_json::to_value(r).expect("parameters serialise");
                let marks = pact::experiment::compare::policy_marks(&json(&da.res), &json(&db.res));
                let expected = pact::experiment::compare::files(&ta, &tb, &rows, &marks);
                report.extend(pact::experiment::verify::check(&expected, &|n| {
                    std::fs::read_to_string(args.dir.join(n)).ok()
                }));
            } else {
                report.push((
                    "compare.csv".into(),
                    Status::NotChecked("a sample cannot re-derive the comparison".into()),
                ));
            }
        } else {
            verify_folder(&args.dir, "", args.sample, &mut report)?;
        }
        Ok(())
    })?;
    let mut different = 0;
    for (name, status) in &report {
        match status {
            Status::Identical => println!("{name}: identical"),
            Status::Missing => {
                different += 1;
                println!("{name}: missing");
            }
            Status::NotChecked(why) => println!("{name}: not checked ({why})"),
            Status::FalseClaim { claimed, derived } => {
                different += 1;
                println!(
                    "{name}: false: the manifest says {claimed}, its scenario and seeds give {derived}"
                );
            }
            Status::Different { line, column } => {
                different += 1;
                match (line, column) {
                    (0, _) => println!(
                        "{name}: different (the parameters or seeds no longer give this run id)"
                    ),
                    (l, Some(c)) => println!("{name}: different, first at line {l}, column `{c}`"),
                    (l, None) => println!("{name}: different, first at line {l}"),
                }
            }
        }
    }
    if different > 0 {
        return Err(Failure {
            code: 1,
            error: anyhow::anyhow!(
                "{}: {different} of {} files differ from what the manifest re-derives",
                args.dir.display(),
                report.len()
            ),
        });
    }
    let unchecked = report
        .iter()
        .filter(|(_, s)| matches!(s, Status::NotChecked(_)))
        .count();
    if unchecked == 0 {
        eprintln!(
            "{}: all {} files and claims re-derived identically",
            args.dir.display(),
            report.len()
        );
    } else {
        eprintln!(
            "{}: {} files and claims re-derived identically; {unchecked} not checked (see above)",
            args.dir.display(),
            report.len() - unchecked
        );
    }
    Ok(())
}

fn io_failure(e: std::io::Error, what: &Path) -> Failure {
    Failure {
        code: 1,
        error: anyhow::anyhow!("{}: {e}", what.display()),
    }
}

/// Writes `text` to `path` atomically (a temporary file renamed). The temporary name carries the
/// process id and a tag (the shard), so slices on different machines never share one.
fn write_atomic(path: &Path, text: &str, tag: &str) -> Result<(), Failure> {
    let tmp = path.with_extension(format!("tmp-{tag}-{}", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| io_failure(e, path))
}

fn parse_shard(s: &str) -> Result<(usize, usize), Failure> {
    let bad = || {
        bad_input(anyhow::anyhow!(
            "--shard {s}: allowed K/N with N ≥ 1 and 0 ≤ K < N"
        ))
    };
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    use std::io::Write as _;
    // Every argument is checked before any work or any write.
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let pool = thread_pool(args.threads)?;
    let sw = pact::experiment::sweep::load(&args.sweep).map_err(bad_input)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&sw.name));
    check_parent(&out)?;
    let manifest = pact::experiment::sweep::manifest(&sw, &args.sweep.display().to_string());
    let shard_tag = shard
        .map(|(k, n)| format!("{k}of{n}"))
        .unwrap_or_else(|| "all".into());
    let mpath = out.join("manifest.json");
    // A sweep is identified by its content (the sweep id), not by the path it was given as.
    let same_sweep = |m: &str| {
        serde_json::from_str::<serde_json::Value>(m)
            .is_ok_and(|v| v["sweep_id"].as_str() == Some(sw.id.as_str()))
    };
    if out.exists() {
        match std::fs::read_to_string(&mpath) {
            Ok(m) if same_sweep(&m) => {}
            Ok(_) => {
                return Err(bad_input(anyhow::anyhow!(
                    "{}: holds a different sweep (or one made by another pact version); allowed: the same sweep file, or a new --out",
                    out.display()
                )));
            }
            // Empty but for the locks of slices that are starting.
            Err(_)
                if std::fs::read_dir(&out).is_ok_and(|d| {
                    d.flatten().all(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        n.starts_with(".records") && n.ends_with(".lock")
                    })
                }) => {}
            Err(_) => {
                return Err(bad_input(anyhow::anyhow!(
                    "{}: exists and is not a sweep folder; allowed: a new or empty folder",
                    out.display()
                )));
            }
        }
    }
    std::fs::create_dir_all(&out).map_err(|e| io_failure(e, &out))?;
    // One process per slice of a folder at a time: a second one would rewrite the records the
    // first is appending to.
    let _lock = output::lock(&out.join(format!(".{}.lock", pact::experiment::sweep::records_name(shard))))
        .map_err(|e| match e {
            output::LockError::Busy(pid) => bad_input(anyhow::anyhow!(
                "{}: in use by process {pid} (another pact sweep on the same slice); allowed: one process per slice of a folder",
                out.display()
            )),
            output::LockError::Io(e) => io_failure(e, &out),
        })?;
    if !mpath.exists() {
        write_atomic(&mpath, &manifest, &shard_tag)?;
    }
    // Resume: keep the complete, intact runs already recorded; drop torn lines.
    let rpath = out.join(pact::experiment::sweep::records_name(shard));
    let header = format!("# sweep {}\n", sw.id);
    let done = pact::experiment::sweep::parse_records(
        &sw,
        &std::fs::read_to_string(&rpath).unwrap_or_default(),
    );
    write_atomic(
        &rpath,
        &format!(
            "{header}{}",
            pact::experiment::sweep::records_text(&sw, &done)
        ),
        &shard_tag,
    )?;
    let mut todo: Vec<usize> = (0..sw.runs())
        .filter(|&r| pact::experiment::sweep::in_shard(r, shard) && !done.contains_key(&r))
        .collect();
    if let Some(n) = args.stop_after {
        todo.truncate(n);
    }
    let pb = progress_bar(todo.len() as u64, &format!("sweep {}", sw.name));
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&rpath)
        .map_err(|e| io_failure(e, &rpath))?;
    let file = std::sync::Mutex::new(file);
    let failed = std::sync::Mutex::new(None);
    pool.install(|| {
        use rayon::prelude::*;
        todo.par_iter().for_each(|&r| {
            let lines = pact::experiment::sweep::run_one(&sw, r);
            // One write per run: a run is recorded whole or (if killed mid-write) detected as torn.
            let mut f = file.lock().expect("records file lock");
            if let Err(e) = f.write_all(lines.as_bytes()).and_then(|_| f.flush()) {
                *failed.lock().expect("lock") = Some(e);
            }
            pb.inc(1);
        });
    });
    pb.finish_and_clear();
    if let Some(e) = failed.into_inner().expect("lock") {
        return Err(io_failure(e, &rpath));
    }
    let recorded = pact::experiment::sweep::parse_records(
        &sw,
        &std::fs::read_to_string(&rpath).map_err(|e| io_failure(e, &rpath))?,
    );
    let expected = (0..sw.runs())
        .filter(|&r| pact::experiment::sweep::in_shard(r, shard))
        .count();
    if recorded.len() < expected {
        return Err(Failure {
            code: 1,
            error: anyhow::anyhow!(
                "{}: {} of {} runs recorded; run the same command again to finish",
                out.display(),
                recorded.len(),
                expected
            ),
        });
    }
    match shard {
        Some((k, n)) => eprintln!(
            "{}: slice {k}/{n} complete ({} runs); when all slices are done: pact merge {}",
            out.display(),
            recorded.len(),
            out.display()
        ),
        None => {
            write_results(&sw, &out, &recorded)?;
            eprintln!(
                "wrote {} ({} × {})",
                out.display(),
                output::counted(recorded.len() as u64, "run"),
                output::counted(sw.outcomes.len() as u64, "outcome")
            );
        }
    }
    Ok(())
}

/// results.csv and the figures, from the complete set of runs.
fn write_results(
    sw: &pact::experiment::sweep::Sweep,
    out: &Path,
    runs: &std::collections::BTreeMap<usize, Vec<f64>>,
) -> Result<(), Failure> {
    write_atomic(
        &out.join("results.csv"),
        &pact::experiment::sweep::results_csv(sw, runs),
        "results",
    )?;
    std::fs::create_dir_all(out.join("figures")).map_err(|e| io_failure(e, out))?;
    for (name, svg) in pact::experiment::sweep::figures(sw, runs) {
        write_atomic(&out.join(name), &svg, "results")?;
    }
    Ok(())
}

/// The sweep a folder's manifest describes, re-loaded from the texts it recorded; its id must be
/// the one recorded (the manifest was not edited).
fn sweep_of(dir: &Path, m: &serde_json::Value) -> Result<pact::experiment::sweep::Sweep, Failure> {
    let mpath = dir.join("manifest.json");
    let sw = pact::experiment::sweep::from_manifest(m)
        .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", mpath.display())))?;
    if m["sweep_id"].as_str() != Some(sw.id.as_str()) {
        return Err(bad_input(anyhow::anyhow!(
            "{}: key `sweep_id`: the recorded sweep file and base files give another id; the manifest was edited",
            mpath.display()
        )));
    }
    Ok(sw)
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    if args.dir.is_dir() && !args.dir.join("manifest.json").exists() {
        return Err(bad_input(anyhow::anyhow!(
            "{}: no slice of a sweep has started here (no manifest.json): the slices never ran (cancelled, or failed before starting); run them with `pact sweep SWEEP --out {} --shard K/N`, then merge",
            args.dir.display(),
            args.dir.display()
        )));
    }
    let m = read_manifest(&args.dir)?;
    if m["kind"] != "sweep" {
        return Err(bad_input(anyhow::anyhow!(
            "{}: not a sweep folder",
            args.dir.display()
        )));
    }
    this_version(&args.dir, &m)?;
    let sw = sweep_of(&args.dir, &m)?;
    let mut slices: Vec<(usize, usize, PathBuf)> = Vec::new();
    for e in std::fs::read_dir(&args.dir).map_err(|e| io_failure(e, &args.dir))? {
        let p = e.map_err(|e| io_failure(e, &args.dir))?.path();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(rest) = name
            .strip_prefix("records-")
            .and_then(|r| r.strip_suffix(".csv"))
        {
            let (k, n) = rest
                .split_once("-of-")
                .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)))
                .ok_or_else(|| {
                    bad_input(anyhow::anyhow!("{}: unexpected file name", p.display()))
                })?;
            slices.push((k, n, p));
        }
    }
    slices.sort();
    let n = slices.first().map(|s| s.1).ok_or_else(|| {
        bad_input(anyhow::anyhow!(
            "{}: no slices (records-K-of-N.csv) to merge",
            args.dir.display()
        ))
    })?;
    if slices.iter().any(|s| s.1 != n) {
        return Err(bad_input(anyhow::anyhow!(
            "{}: slices of different shard counts; allowed: one --shard K/N split",
            args.dir.display()
        )));
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !slices.iter().any(|s| s.0 == *k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Failure {
            code: 1,
            error: anyhow::anyhow!(
                "{}: missing slices {} (never started, failed before recording, or cancelled); run each with `pact sweep {} --out {} --shard K/{n}` (or submit the same Slurm script again), then merge",
                args.dir.display(),
                missing.join(", "),
                m["sweep_path"].as_str().unwrap_or("SWEEP"),
                args.dir.display()
            ),
        });
    }
    let mut all = std::collections::BTreeMap::new();
    for (k, _, p) in &slices {
        let text = std::fs::read_to_string(p).map_err(|e| io_failure(e, p))?;
        if text.lines().next() != Some(format!("# sweep {}", sw.id).as_str()) {
            return Err(bad_input(anyhow::anyhow!(
                "{}: from a different sweep or pact version",
                p.display()
            )));
        }
        let runs = pact::experiment::sweep::parse_records(&sw, &text);
        if let Some(r) = runs
            .keys()
            .find(|r| !pact::experiment::sweep::in_shard(**r, Some((*k, n))))
        {
            return Err(bad_input(anyhow::anyhow!(
                "{}: holds run {r}, which belongs to another slice",
                p.display()
            )));
        }
        let expected = (0..sw.runs())
            .filter(|&r| pact::experiment::sweep::in_shard(r, Some((*k, n))))
            .count();
        if runs.len() != expected {
            return Err(Failure {
                code: 1,
                error: anyhow::anyhow!(
                    "{}: slice {k}/{n} has {} of its {expected} runs; run it again to finish (`pact sweep {} --out {} --shard {k}/{n}`), then merge",
                    p.display(),
                    runs.len(),
                    m["sweep_path"].as_str().unwrap_or("SWEEP"),
                    args.dir.display()
                ),
            });
        }
        all.extend(runs);
    }
    write_results(&sw, &args.dir, &all)?;
    eprintln!(
        "merged {n} slices into {} ({} runs)",
        args.dir.display(),
        all.len()
    );
    Ok(())
}

fn cite(args: CiteArgs) -> Result<(), Failure> {
    let m = read_manifest(&args.dir)?;
    let c = pact::experiment::verify::citation(&m).map_err(|e| {
        bad_input(anyhow::anyhow!(
            "{}: {e}",
            args.dir.join("manifest.json").display()
        ))
    })?;
    print!("{}", c.text(&args.dir.display().to_string()));
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let res = load(
        &args.scenario,
        args.common.seed,
        args.replicates,
        args.common.scale,
    )?;
    let out = args
        .common
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&res.name));
    check_out(&out, args.common.force)?;
    let pool = thread_pool(args.common.threads)?;
    let env = environment(&pool);
    let prov = output::Provenance {
        kind: "run".into(),
        reproduce: output::reproduce_command("run", &res, ""),
        inputs: Vec::new(),
    };
    // Replicates go to their files as they finish; only the summary's values are kept.
    let seeds =
        pact::experiment::run::replicate_seeds(res.scenario.run.seed, res.scenario.run.replicates);
    let cannot_write = |e: std::io::Error| Failure {
        code: 1,
        error: anyhow::anyhow!("cannot write {}: {e}", out.display()),
    };
    let mut writer =
        output::RunWriter::create(&res, &seeds, &out, args.common.force).map_err(cannot_write)?;
    let total = u64::from(res.scenario.run.replicates) * res.clock.weeks as u64;
    let pb = progress_bar(
        total,
        &format!("{} × {}", res.name, res.scenario.run.replicates),
    );
    pool.install(|| {
        pact::experiment::run::run_each(&res, &|n| pb.inc(n), |_, run| writer.push(&run))
    })
    .map_err(cannot_write)?;
    pb.finish_and_clear();
    writer.finish(&env, &prov).map_err(cannot_write)?;
    eprintln!(
        "wrote {} ({} × {})",
        out.display(),
        output::counted(res.scenario.run.replicates, "replicate"),
        output::counted(res.clock.weeks as u64, "week")
    );
    Ok(())
}
