//! What the commands do with the model: run replicates, validate against the record, compare
//! scenarios, sweep parameters, and verify a folder from its manifest. Experiments read and
//! write their folders (through [`crate::output`]); the model they drive does no I/O.

pub mod compare;
pub mod run;
pub mod sweep;
pub mod validate;
pub mod verify;
