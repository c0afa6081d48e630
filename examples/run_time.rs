//! Times whole runs of one replicate of the historical scenario (as the criterion benchmark
//! `run/historical/default_scale` does), robustly on a noisy machine: the minimum and the
//! median of R runs.
//!
//! `cargo run --release --example run_time -- WORKERS REPS` (from the repository's root;
//! `RAYON_NUM_THREADS=1` for one thread; `ISA=avx2` or `ISA=baseline` to keep the vector
//! loops to those extensions, as on a CPU without AVX-512). The pool is the one `pact run` builds
//! ([`pact::threads::pool`]).
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: run_time WORKERS REPS");
        std::process::exit(2);
    }
    use pact::model::lanes::{Isa, limit};
    if let Ok(isa) = std::env::var("ISA") {
        limit(isa.parse().expect("ISA"));
    }
    eprintln!("vector loops compiled for {:?}", Isa::detect());
    let mut res = pact::scenario::load(Path::new("scenarios/historical.toml")).expect("scenario");
    res.scenario.run.scale = args[1].parse().expect("WORKERS: a number");
    let reps: usize = args[2].parse().expect("REPS: a number");
    let pool = pact::threads::pool(None).expect("thread pool");
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let start = std::time::Instant::now();
            pool.install(|| pact::experiment::run::run_replicate(&res, 1, &|_| {}));
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    println!(
        "whole run ({} threads): min {:.3} s, median {:.3} s, max {:.3} s",
        pool.current_num_threads(),
        t[0],
        t[t.len() / 2],
        t[t.len() - 1]
    );
}
