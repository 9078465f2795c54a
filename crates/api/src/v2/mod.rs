//! `/api/v2/*`.

pub mod instance;
pub mod search;
