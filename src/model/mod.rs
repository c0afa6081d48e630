//! The simulated city: state, initialisation and the weekly step. Pure: no I/O, no clock, no
//! ambient randomness (every draw is a pure function of seed, stream, agent and week), and the
//! step cannot fail. Everything here is a function of the resolved scenario and a seed.

pub mod mechanisms;
pub mod record;
pub mod rng;
pub mod step;
pub mod world;
