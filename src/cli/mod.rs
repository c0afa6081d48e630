//! The command line: arguments (clap), the progress bar, and the thread pool a command runs in.
//! What each command does is in the library (`pact::experiment`); this only translates.

pub mod args;
pub mod progress;

use pact::experiment::{Error, Result};

/// The most threads `--threads` accepts.
pub const MAX_THREADS: usize = 1024;

/// The thread pool a command runs in (`--threads`, else one per allowed CPU).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    if let Some(n) = threads.filter(|n| !(1..=MAX_THREADS).contains(n)) {
        return Err(pact::experiment::input(format!(
            "--threads: {n} is out of range; allowed 1 to {MAX_THREADS}"
        )));
    }
    pact::threads::pool(threads)
        .map_err(|e| Error::Failure(format!("cannot start the thread pool: {e}")))
}

/// The command line as typed, recorded in manifests (never used by the model).
pub fn command_line() -> Vec<String> {
    std::env::args().collect()
}
