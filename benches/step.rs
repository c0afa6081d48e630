//! Benchmarks of the weekly step: one step of the historical scenario in mid-1921 (markets,
//! strikes and repression all active), throughput in worker-weeks, with the default thread pool
//! (as `pact run` builds it: [`pact::threads::pool`]) and with one thread; and a whole
//! historical run.
//!
//! `cargo bench --bench step`

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use pact::model::record::RunRecord;
use pact::model::world::World;
use pact::scenario::Resolved;
use std::path::Path;

fn historical(scale: u64) -> Resolved {
    let mut res = pact::scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/historical.toml"),
    )
    .expect("scenario");
    res.scenario.run.scale = scale;
    res
}

/// The world at the first week of June 1921.
fn mid_1921(res: &Resolved) -> World {
    let mut world = pact::model::step::start(
        res,
        pact::model::rng::replicate_seed(res.scenario.run.seed, 0),
    );
    let target = res
        .clock
        .week_of(pact::date::Date::parse("1921-06-06").unwrap())
        .unwrap();
    let mut out = RunRecord::default();
    while world.week < target {
        pact::model::step::step(&mut world, res, &mut out);
    }
    world
}

fn bench_step(c: &mut Criterion) {
    for (group, threads) in [("step", None), ("step_1thread", Some(1))] {
        let mut g = c.benchmark_group(format!("{group}/workers"));
        g.sample_size(10);
        for scale in [10_000u64, 100_000, 1_000_000] {
            let res = historical(scale);
            let world = mid_1921(&res);
            let pool = pact::threads::pool(threads).unwrap();
            g.throughput(Throughput::Elements(scale));
            g.bench_function(scale.to_string(), |b| {
                b.iter_batched(
                    || (world.clone(), RunRecord::default()),
                    // The world is handed back so that criterion drops it after timing:
                    // freeing ~100 MB is not part of a step.
                    |(mut w, mut out)| {
                        pool.install(|| pact::model::step::step(&mut w, &res, &mut out));
                        (w, out)
                    },
                    BatchSize::LargeInput,
                )
            });
        }
        g.finish();
    }
}

fn bench_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("run/historical");
    g.sample_size(10);
    let res = historical(200_000);
    let pool = pact::threads::pool(None).unwrap();
    g.bench_function("default_scale", |b| {
        b.iter(|| pool.install(|| pact::experiment::run::run_replicate(&res, 1, &|_| {})))
    });
    g.finish();
}

criterion_group!(benches, bench_step, bench_run);
criterion_main!(benches);
