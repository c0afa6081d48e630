//! The integration tests, one binary: the CLI end to end, every bad-input class, determinism,
//! invariants of the weekly step, and the direction of every policy lever.

mod calibrate;
mod cli;
mod compare;
mod determinism;
mod docs;
mod ensemble;
mod errors;
mod fuzz;
mod invariants;
mod levers;
mod mechanisms;
mod readme;
mod regression;
mod report;
mod scenarios;
mod sensitivity;
mod support;
mod sweep;
mod threads;
mod validate;
mod verify;
