//! `/api/v1/canteen/*`: Canteen's own extensions.

pub mod guard;
pub mod profiles;
