//! The `pact` command: parses arguments, runs each command's library function in its thread
//! pool, prints what it has to say, and turns the outcome into an exit code (0 done; 1 a
//! failure while running or writing, or a check that failed; 2 bad input).

mod cli;

use clap::Parser;
use cli::args::{
    CalibrateArgs, CiteArgs, Cli, Command, CompareArgs, MergeArgs, ReportArgs, RunArgs,
    SensitivityArgs, SweepArgs, ValidateArgs, VerifyArgs,
};
use cli::progress::Bar;
use pact::experiment::{self, Done, Error, Result};
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(a) => run(a),
        Command::Validate(a) => validate(a),
        Command::Compare(a) => compare(a),
        Command::Sweep(a) => sweep(a),
        Command::Merge(a) => merge(a),
        Command::Calibrate(a) => calibrate(a),
        Command::Sensitivity(a) => sensitivity(a),
        Command::Verify(a) => verify(a),
        Command::Cite(a) => cite(a),
        Command::Report(a) => report(a),
        Command::Mechanisms => Ok(experiment::mechanisms()),
    };
    match result {
        Ok(done) => {
            print!("{}", done.stdout);
            if !done.note.is_empty() {
                eprintln!("{}", done.note);
            }
            match done.failed {
                None => ExitCode::SUCCESS,
                Some(why) => {
                    eprintln!("error: {why}");
                    ExitCode::from(1)
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e {
                Error::Input(_) => 2,
                Error::Failure(_) => 1,
            })
        }
    }
}

fn run(a: RunArgs) -> Result<Done> {
    if let Some(ens) = &a.ensemble {
        return cli::pool(a.common.threads)?.install(|| {
            experiment::ensemble::run_command(
                &a.scenario,
                ens,
                a.common.overrides(a.replicates),
                &a.common.out_dir(),
                &Bar::default(),
            )
        });
    }
    cli::pool(a.common.threads)?.install(|| {
        experiment::run::command(
            &a.scenario,
            a.common.overrides(a.replicates),
            &a.common.out_dir(),
            &Bar::default(),
            &cli::command_line(),
        )
    })
}

fn validate(a: ValidateArgs) -> Result<Done> {
    if let Some(ens) = &a.ensemble {
        return cli::pool(a.common.threads)?.install(|| {
            experiment::ensemble::validate_command(
                &a.scenario,
                a.targets.as_deref(),
                ens,
                a.common.overrides(Some(a.replicates)),
                &a.common.out_dir(),
                &Bar::default(),
            )
        });
    }
    cli::pool(a.common.threads)?.install(|| {
        experiment::validate::command(
            &a.scenario,
            a.targets.as_deref(),
            a.ablate,
            a.common.overrides(Some(a.replicates)),
            &a.common.out_dir(),
            &Bar::default(),
            &cli::command_line(),
        )
    })
}

fn compare(a: CompareArgs) -> Result<Done> {
    if let Some(ens) = &a.ensemble {
        return cli::pool(a.common.threads)?.install(|| {
            experiment::ensemble::command(
                &a.a,
                &a.b,
                ens,
                a.common.overrides(a.replicates),
                &a.common.out_dir(),
                &Bar::default(),
            )
        });
    }
    cli::pool(a.common.threads)?.install(|| {
        experiment::compare::command(
            &a.a,
            &a.b,
            a.common.overrides(a.replicates),
            &a.common.out_dir(),
            &Bar::default(),
            &cli::command_line(),
        )
    })
}

fn sweep(a: SweepArgs) -> Result<Done> {
    let dest = experiment::OutDir {
        out: a.out.clone(),
        force: false,
    };
    cli::pool(a.threads)?.install(|| {
        experiment::sweep::command::sweep(
            &a.sweep,
            a.shard.as_deref(),
            &dest,
            a.stop_after,
            &Bar::default(),
        )
    })
}

fn calibrate(a: CalibrateArgs) -> Result<Done> {
    let dest = experiment::OutDir {
        out: a.out.clone(),
        force: false,
    };
    cli::pool(a.threads)?.install(|| {
        experiment::calibrate::command(&a.file, a.shard.as_deref(), &dest, &Bar::default())
    })
}

fn sensitivity(a: SensitivityArgs) -> Result<Done> {
    let dest = experiment::OutDir {
        out: a.out.clone(),
        force: false,
    };
    cli::pool(a.threads)?.install(|| {
        experiment::sensitivity::command(&a.file, a.shard.as_deref(), &dest, &Bar::default())
    })
}

fn merge(a: MergeArgs) -> Result<Done> {
    experiment::sweep::command::merge(&a.dir)
}

fn verify(a: VerifyArgs) -> Result<Done> {
    cli::pool(a.threads)?.install(|| experiment::verify::command::command(&a.dir, a.sample))
}

fn report(a: ReportArgs) -> Result<Done> {
    experiment::report::command(&a.dir, a.png)
}

fn cite(a: CiteArgs) -> Result<Done> {
    experiment::cite::command(&a.dir)
}
