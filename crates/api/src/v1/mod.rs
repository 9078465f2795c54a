//! `/api/v1/*`.

pub mod accounts;
pub mod admin;
pub mod apps;
pub mod canteen;
pub mod follow_requests;
pub mod instance;
pub mod lists;
pub mod media;
pub mod notifications;
pub mod polls;
pub mod preferences;
pub mod reports;
pub mod scheduled_statuses;
pub mod statuses;
pub mod streaming;
pub mod tags;
pub mod timelines;
