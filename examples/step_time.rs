//! Times one weekly step of the historical scenario at the first week of June 1921 (as the
//! criterion benchmark `step/workers/N` does) or at the week of DATE, robustly on a noisy
//! machine: the minimum and the median of R steps from a copy of that week's world, then of R
//! consecutive steps.
//!
//! `cargo run --release --example step_time -- WORKERS REPS [DATE]` (from the repository's root;
//! DATE as YYYY-MM-DD; `RAYON_NUM_THREADS=1` for one thread; `ISA=avx2` or `ISA=baseline` to
//! keep the vector loops to those extensions, as on a CPU without AVX-512). The pool is the one
//! `pact run` builds ([`pact::threads::pool`]).
use std::path::Path;

fn summary(mut t: Vec<f64>) -> String {
    t.sort_by(f64::total_cmp);
    format!("min {:.2} ms, median {:.2} ms", t[0], t[t.len() / 2])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(3..=4).contains(&args.len()) {
        eprintln!("usage: step_time WORKERS REPS [DATE]");
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
    let seed = pact::model::rng::replicate_seed(res.scenario.run.seed, 0);
    let mut world = pact::model::step::start(&res, seed);
    let june = pact::date::Date::parse(args.get(3).map_or("1921-06-06", |s| s.as_str()))
        .expect("DATE: YYYY-MM-DD");
    let target = res.clock.week_of(june).expect("week");
    let mut out = pact::model::record::RunRecord::default();
    while world.week < target {
        pact::model::step::step(&mut world, &res, &mut out);
    }
    let time = |w: &mut pact::model::world::World, o: &mut pact::model::record::RunRecord| {
        let start = std::time::Instant::now();
        pact::model::step::step(w, &res, o);
        start.elapsed().as_secs_f64() * 1e3
    };
    let pool = pact::threads::pool(None).expect("thread pool");
    let copies: Vec<f64> = (0..reps)
        .map(|_| {
            let mut w = world.clone();
            pool.install(|| time(&mut w, &mut pact::model::record::RunRecord::default()))
        })
        .collect();
    let consecutive: Vec<f64> = (0..reps)
        .map(|_| pool.install(|| time(&mut world, &mut out)))
        .collect();
    println!("step from a copy of that week: {}", summary(copies));
    println!("consecutive steps from that week: {}", summary(consecutive));
}
