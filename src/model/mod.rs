//! The simulated city: state, initialisation and the weekly step. Pure: no I/O, no clock, no
//! ambient randomness (every draw is a pure function of seed, stream, agent and week), and the
//! step cannot fail. Everything here is a function of the resolved scenario and a seed.
//!
//! [`step`] is the schedule, the weekly phases in order; each institution has a module of its
//! own, named as docs/ODD.md names it: [`economy`], [`workers`] (the worker's decision; its
//! phase's loop in [`worker_phase`], its counts in [`lane_counts`]), [`strikes`] (and unions),
//! [`management`], [`party`] (city committee, Cheka, secretariat, cells, dissident groups),
//! [`soviet`]; [`counts`] holds what the step counts and the view it makes; [`record`] what a run
//! records. [`mechanisms`] are the published mechanisms as small pure functions, [`rng`] the
//! counter-based randomness, [`world`] the state and its initialisation ([`population`]: who the workers and workplaces are at the start), [`lanes`] the groups
//! of lanes the vector loops walk and their compilation for the CPU.

pub mod counts;
pub mod economy;
pub mod lane_counts;
pub mod lanes;
pub mod management;
pub mod mechanisms;
pub mod party;
pub mod population;
pub mod record;
pub mod registry;
pub mod rng;
pub mod soviet;
pub mod step;
pub mod storage;
pub mod strikes;
#[cfg(test)]
mod tests;
pub mod worker_phase;
pub mod workers;
pub mod world;
