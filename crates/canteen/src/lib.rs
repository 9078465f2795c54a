//! The Canteen server: configuration, wiring, the one route list, the command line.
//! Also a library so integration tests drive the real router.

pub mod cli;
pub mod config;
pub mod routes;
pub mod server;
pub mod telemetry;
