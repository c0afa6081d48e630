//! pact: an agent-based simulator of the "social contract" between the Bolshevik party and
//! Moscow's workers, 1920–1925.
//!
//! The library never owns the process: no printing, no progress bars, no `exit`, no clock and
//! no ambient randomness. Progress reaches the caller through a callback.
//!
//! Code map: [`params`] (scenario types, defaults, ranges) → [`scenario`] (loading, `extends`,
//! validation, the dated timeline) → [`world`] (entities and initialisation) → [`step`] (the
//! weekly phases, using [`mechanisms`] and [`rng`]) → [`record`] (what is recorded) → [`run`]
//! (replicates in parallel, summaries) → [`output`] (CSV/JSON files, manifest, atomic writes);
//! [`threads`] builds the thread pool runs use.

// Structure-of-arrays code indexes several columns with one id; range loops say so plainly.
#![allow(clippy::needless_range_loop)]

pub mod date;
pub mod experiment;
pub mod model;
pub mod output;
pub mod par;
pub mod scenario;
pub mod threads;

/// The version of pact, part of every manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The authors, as a citation names them.
pub const AUTHORS: &str = env!("CARGO_PKG_AUTHORS");

/// The year this version was released: the year of a citation (set with the version).
pub const RELEASE_YEAR: u16 = 2026;
