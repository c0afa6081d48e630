//! Same version, scenario and seed ⇒ byte-identical outputs, whatever the thread count.

use crate::support::*;

fn run(dir: &Dir, name: &str, args: &[&str]) -> std::path::PathBuf {
    let s = dir.write("tiny.toml", TINY);
    let out = dir.path(name);
    let mut a = vec!["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()];
    a.extend(args);
    let o = pact(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

const FILES: [&str; 4] = [
    "timeseries.csv",
    "elections.csv",
    "campaigns.csv",
    "summary.json",
];

/// The manifest without its `environment` block (thread count, platform, command line).
fn manifest_core(dir: &std::path::Path) -> serde_json::Value {
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m.as_object_mut().unwrap().remove("environment");
    m
}

#[test]
fn identical_across_thread_counts_and_runs() {
    let d = Dir::new();
    // Five replicates: `pact run` writes them in batches of twice the threads (2, 2, 1 on one
    // thread; 4, 1 on two; 5 on eight), which must change nothing.
    let a = run(&d, "t1", &["--threads", "1", "--replicates", "5"]);
    let b = run(&d, "t2", &["--threads", "2", "--replicates", "5"]);
    let c = run(&d, "t8", &["--threads", "8", "--replicates", "5"]);
    let again = run(&d, "t2b", &["--threads", "2", "--replicates", "5"]);
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        for other in [&b, &c, &again] {
            assert!(x == std::fs::read(other.join(f)).unwrap(), "{f} differs");
        }
    }
    assert_eq!(manifest_core(&a), manifest_core(&b));
    assert_eq!(manifest_core(&a), manifest_core(&c));
}

#[test]
fn different_seed_differs() {
    let d = Dir::new();
    let a = run(&d, "s5", &[]);
    let b = run(&d, "s6", &["--seed", "6"]);
    assert_ne!(
        std::fs::read(a.join("timeseries.csv")).unwrap(),
        std::fs::read(b.join("timeseries.csv")).unwrap()
    );
}

#[test]
fn replicates_are_independent_of_how_many_run() {
    // Replicate 0 of a 1-replicate run equals replicate 0 of a 2-replicate run.
    let d = Dir::new();
    let one = run(&d, "r1", &["--replicates", "1"]);
    let two = run(&d, "r2", &["--replicates", "2"]);
    let a = std::fs::read_to_string(one.join("timeseries.csv")).unwrap();
    let b = std::fs::read_to_string(two.join("timeseries.csv")).unwrap();
    let rep0: Vec<&str> = b
        .lines()
        .filter(|l| l.starts_with("0,") || l.starts_with("replicate"))
        .collect();
    assert_eq!(a.lines().collect::<Vec<_>>(), rep0);
}

#[test]
fn library_step_is_deterministic_in_a_larger_world() {
    // More workers than one parallel chunk, run inside 1- and 2-thread pools.
    let res = historical_with("", 20_000, "1921-06-30");
    let run_in = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run0(&res))
    };
    let one = run_in(1);
    assert_eq!(one, run_in(2));
    // The pool `pact run` uses (its workers pinned to CPUs where there is one per CPU).
    let pool = pact::threads::pool(None).unwrap();
    assert_eq!(one, pool.install(|| run0(&res)));
}

#[test]
fn results_do_not_depend_on_the_storage_order() {
    // The same run with the workers' storage shuffled before every week (the worker phase
    // then finds them mixed, sorts them back the week after, and the institutions meet them
    // in shuffled order): every record is the same. Through June 1922: the strike wave and
    // its suppression, NEP's redundancies and hiring, a soviet election and a campaign.
    let res = historical_with("", 6_000, "1922-06-30");
    let seed = pact::model::rng::replicate_seed(res.scenario.run.seed, 0);
    let run = |shuffle: bool| {
        let mut world = pact::model::step::start(&res, seed);
        let mut out = pact::model::record::RunRecord::default();
        for week in 0..res.clock.weeks {
            if shuffle {
                let n = world.workers.len();
                let mut order: Vec<u32> = (0..n as u32).collect();
                order.sort_by_key(|&i| {
                    pact::model::rng::hash(
                        7,
                        pact::model::rng::Stream::Init,
                        u64::from(i),
                        week as u64,
                    )
                });
                world.workers.reorder(&order);
            }
            pact::model::step::step(&mut world, &res, &mut out);
        }
        let mut ids = world.workers.id.clone();
        ids.sort_unstable();
        assert!(
            ids.iter().enumerate().all(|(i, &id)| id as usize == i),
            "ids lost"
        );
        out
    };
    let (plain, shuffled) = (run(false), run(true));
    assert!(!plain.elections.is_empty() && !plain.campaigns.is_empty());
    assert!(plain == shuffled, "a record depends on the storage order");
}

#[test]
fn reorder_takes_only_permutations() {
    let res = historical_with("", 1_000, "1920-02-01");
    let mut world = pact::model::step::start(&res, 1);
    let n = world.workers.len() as u32;
    let last = world.workers.id[n as usize - 1];
    let mut order: Vec<u32> = (0..n).rev().collect();
    world.workers.reorder(&order);
    assert_eq!(world.workers.id[0], last);
    order[1] = order[0];
    let twice = std::panic::catch_unwind(move || world.workers.reorder(&order));
    assert!(twice.is_err());
}
