//! Steps one replicate of a scenario for a number of weeks at a given scale and prints the
//! status counts: a fixed workload for profilers and instruction counters.
//!
//! `cargo build --release --example profile`, then e.g.
//! `valgrind --tool=cachegrind --cache-sim=no target/release/examples/profile scenarios/historical.toml 100000 40`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: profile SCENARIO WORKERS WEEKS");
        std::process::exit(2);
    }
    let mut res = pact::scenario::load(std::path::Path::new(&args[1])).expect("scenario");
    res.scenario.run.scale = args[2].parse().expect("WORKERS: a number");
    let weeks: usize = args[3].parse().expect("WEEKS: a number");
    let seed = pact::model::rng::replicate_seed(res.scenario.run.seed, 0);
    let mut world = pact::model::step::start(&res, seed);
    let mut out = pact::model::record::RunRecord::default();
    for _ in 0..weeks.min(res.clock.weeks) {
        pact::model::step::step(&mut world, &res, &mut out);
    }
    println!(
        "agents by status after {} weeks: {:?}",
        world.week,
        world.status_counts()
    );
}
