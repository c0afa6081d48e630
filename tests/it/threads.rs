//! The thread pool of runs: workers pinned one per CPU only when there is one per CPU.

use pact::threads::{allowed_cpus, pinned, pool};

/// The CPUs each worker of `pool` may run on, by worker index.
fn placement(p: &rayon::ThreadPool) -> Vec<Vec<usize>> {
    p.broadcast(|_| allowed_cpus())
}

#[test]
#[cfg(target_os = "linux")]
fn one_worker_per_cpu_is_pinned_one_to_each() {
    let cpus = allowed_cpus();
    assert!(!cpus.is_empty(), "the allowed CPUs are known on Linux");
    let p = pool(Some(cpus.len())).unwrap();
    assert_eq!(p.current_num_threads(), cpus.len());
    let placed = placement(&p);
    if cpus.len() == 1 {
        // A single worker is never pinned: it may run on the one CPU anyway.
        assert!(!pinned(&p));
        assert_eq!(placed, vec![cpus.clone()]);
    } else {
        assert!(pinned(&p));
        assert_eq!(
            placed,
            cpus.iter().map(|&c| vec![c]).collect::<Vec<_>>(),
            "worker i on the i-th allowed CPU alone"
        );
    }
    // Building the pool did not move the calling thread.
    assert_eq!(allowed_cpus(), cpus);
}

#[test]
#[cfg(target_os = "linux")]
fn other_thread_counts_are_left_to_the_kernel() {
    let cpus = allowed_cpus();
    for n in [1, cpus.len() + 1] {
        let p = pool(Some(n)).unwrap();
        assert_eq!(p.current_num_threads(), n);
        assert!(!pinned(&p));
        assert!(
            placement(&p).iter().all(|c| *c == cpus),
            "{n} workers: each may run on every allowed CPU"
        );
    }
}
