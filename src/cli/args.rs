//! The arguments of every command (clap).

use clap::{Parser, Subcommand};
use pact::experiment::{OutDir, Overrides};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pact",
    version,
    about = "Agent-based simulator of the social contract between the Bolshevik party and Moscow's workers, 1920–1925"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Calibrate a scenario by history matching: waves of parameter points, each a resumable
    /// sweep, keeping the points no target rules out (waves.csv, points.csv, ensemble.csv).
    Calibrate(CalibrateArgs),
    /// Global sensitivity of the targets' statistics to parameters over their ranges: Sobol
    /// indices (Saltelli's design, bootstrap intervals) or Morris screening, and the seed's share
    /// of the variance (indices.csv, variance.csv, figures).
    Sensitivity(SensitivityArgs),
    /// Re-derive an output folder from its manifest and report each file as identical or
    /// different (exit 0 all identical, 1 any different, 2 manifest missing or unusable).
    Verify(VerifyArgs),
    /// Print how to cite an output folder: run id, command, version, citation and BibTeX.
    Cite(CiteArgs),
    /// Write DIR/report.html: the folder (run, validate, compare, sweep, calibrate or sensitivity) as one
    /// self-contained page: what was run, the headline table, every figure, the verdicts, how to
    /// reproduce, verify and cite it.
    Report(ReportArgs),
    /// List the registered mechanisms: the names a scenario switches off (`[mechanisms] off`),
    /// what each does and what switching it off means.
    Mechanisms,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Output folder of `pact run`, `validate`, `compare`, `sweep` or `calibrate`.
    pub dir: PathBuf,
    /// Re-run only N replicates, evenly spaced, and check their rows.
    #[arg(long)]
    pub sample: Option<usize>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::Args)]
pub struct SweepArgs {
    /// Sweep file (TOML), e.g. scenarios/sweeps/repression_x_rations.toml.
    pub sweep: PathBuf,
    /// Output folder (default: results/<sweep name>). Running again resumes.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only slice K of N (runs with index % N == K), for K in 0..N.
    #[arg(long)]
    pub shard: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Stop after this many runs (to test resuming an interrupted sweep).
    #[arg(long, hide = true)]
    pub stop_after: Option<usize>,
}

#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// Calibration file (TOML): base scenario, targets, parameters and their ranges, waves.
    pub file: PathBuf,
    /// Output folder (default: results/calibration_<name>). Running again resumes.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only slice K of N of the study's next incomplete sweep (runs with index % N == K),
    /// e.g. one Slurm array task; `pact merge` combines the slices, then the same command goes on.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::Args)]
pub struct SensitivityArgs {
    /// Sensitivity file (TOML): base scenario, targets, method, samples, parameters and ranges.
    pub file: PathBuf,
    /// Output folder (default: results/sensitivity_<name>). Running again resumes.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only slice K of N of the study's next incomplete sweep (runs with index % N == K),
    /// e.g. one Slurm array task; `pact merge` combines the slices, then the same command goes on.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// Output folder of the sharded sweep.
    pub dir: PathBuf,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Output folder.
    pub dir: PathBuf,
    /// Also write every figure of the page as a PNG (for word processors) in DIR/png/.
    #[arg(long)]
    pub png: bool,
}

#[derive(clap::Args)]
pub struct CiteArgs {
    /// Output folder.
    pub dir: PathBuf,
}

#[derive(clap::Args)]
pub struct CompareArgs {
    /// Baseline A: a scenario file, or the output folder of a finished run.
    pub a: PathBuf,
    /// Counterfactual B: a scenario file, or the output folder of a finished run.
    pub b: PathBuf,
    /// Replicates (scenario files only; default: A's `run.replicates`).
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Run both scenarios under every member of an ensemble (`ensemble.csv` of pact calibrate)
    /// and report each effect's median and range across members.
    #[arg(long)]
    pub ensemble: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    #[arg(default_value = "scenarios/historical.toml")]
    pub scenario: PathBuf,
    /// Targets file (default: targets.toml beside the scenario).
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Number of replicates.
    #[arg(long, default_value_t = 20)]
    pub replicates: u32,
    /// Also run the null model and the model with each registered mechanism switched off in
    /// turn (same seeds), and write the ablation matrix (ablation.csv, ablation.md).
    #[arg(long)]
    pub ablate: bool,
    /// Judge every member of an ensemble (`ensemble.csv` of pact calibrate): how many members
    /// pass each target.
    #[arg(long, conflicts_with = "ablate")]
    pub ensemble: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/historical.toml.
    pub scenario: PathBuf,
    /// Number of replicates (overrides `run.replicates`).
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Run the scenario under every member of an ensemble (`ensemble.csv` of pact calibrate),
    /// with its replicates each: the headline outcomes across members (parameter uncertainty).
    #[arg(long)]
    pub ensemble: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// Options shared by the commands that run the model.
#[derive(clap::Args)]
pub struct Common {
    /// Master seed (overrides `run.seed`; compare: for both scenarios).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker agents, 1000 to 5000000 (overrides `run.scale`).
    #[arg(long)]
    pub scale: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: results/<scenario name>, results/validation, results/compare_<A>_<B>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
}

impl Common {
    /// The overrides of `[run]` these options (and `--replicates`) make.
    pub fn overrides(&self, replicates: Option<u32>) -> Overrides {
        Overrides {
            seed: self.seed,
            replicates,
            scale: self.scale,
        }
    }

    /// Where the command writes.
    pub fn out_dir(&self) -> OutDir {
        OutDir {
            out: self.out.clone(),
            force: self.force,
        }
    }
}
