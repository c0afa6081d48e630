//! The thread pool a run uses: rayon's, with each worker thread kept on a CPU of its own when
//! the pool has exactly one thread per CPU the process may run on (Linux).
//!
//! Why: a weekly step alternates short sequential phases with parallel ones, so between them
//! the pool's threads go to sleep. Left to itself, the kernel often wakes a sleeping worker on
//! the CPU of the thread that woke it and moves it to the idle CPU only some milliseconds
//! later; meanwhile both threads share one CPU. On the 2-core machine of docs/BENCHMARKS.md
//! this made two steps in three at 1,000,000 workers take 22 ms instead of 17. With one worker
//! per CPU, a woken worker runs at once on its own CPU.
//!
//! Placement never changes a result (every sum is an integer, every draw keyed by identity):
//! only when the work is done. A pool with fewer threads than allowed CPUs (`--threads` below
//! the CPU count, say to run several processes side by side) is left to the kernel, so that
//! processes never pile onto the same CPUs. Within a Slurm allocation or a `taskset` the
//! allowed CPUs are those of the allocation.

/// A thread pool of `threads` workers (`None`: rayon's default, `RAYON_NUM_THREADS` or else
/// one per allowed CPU), each pinned to one allowed CPU when there are as many workers as
/// allowed CPUs (see the module's documentation).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let cpus = allowed_cpus();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        // Runs on worker `i` once it belongs to the pool, so the pool's size is known there.
        .start_handler(move |i| {
            if pins(rayon::current_num_threads(), &cpus) {
                pin_to(cpus[i]);
            }
        })
        .build()
}

/// Whether [`pool`] pins the workers of `pool` (call it from outside the pool: a pinned worker
/// may run on one CPU only).
pub fn pinned(pool: &rayon::ThreadPool) -> bool {
    pins(pool.current_num_threads(), &allowed_cpus())
}

/// The rule: more than one worker, and one per allowed CPU.
fn pins(workers: usize, cpus: &[usize]) -> bool {
    workers > 1 && workers == cpus.len()
}

/// The CPUs the calling thread may run on, in increasing order (empty where unknown, as on
/// machines with more CPUs than a `cpu_set_t` holds: then nothing is pinned).
#[cfg(target_os = "linux")]
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: `cpu_set_t` is plain data (all zeroes is an empty set); the call writes at most
    // `size_of::<cpu_set_t>()` bytes into it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

/// The CPUs the calling thread may run on (unknown off Linux: empty, so nothing is pinned).
#[cfg(not(target_os = "linux"))]
pub fn allowed_cpus() -> Vec<usize> {
    Vec::new()
}

/// Keeps the calling thread on `cpu`. A failure is ignored: placement is only a hint.
#[cfg(target_os = "linux")]
fn pin_to(cpu: usize) {
    // SAFETY: as in `allowed_cpus`; `cpu` < CPU_SETSIZE as it came from such a set.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

#[cfg(not(target_os = "linux"))]
fn pin_to(_: usize) {}
