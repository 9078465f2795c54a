//! `/api/v2/*`.

pub mod instance;
