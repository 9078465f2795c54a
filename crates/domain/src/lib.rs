//! Canteen's domain: ids, entities, scopes and the audience rules. Pure: no I/O, no async,
//! no clock. Every other crate depends on this one and it depends on nothing of ours.

pub mod account;
pub mod audience;
pub mod id;
pub mod registration;
pub mod scope;
pub mod status;
pub mod text;
pub mod validation;

pub use id::Id;
