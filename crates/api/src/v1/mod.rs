//! `/api/v1/*`.

pub mod accounts;
pub mod apps;
pub mod canteen;
pub mod instance;
pub mod preferences;
