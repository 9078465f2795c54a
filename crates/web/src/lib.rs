//! Canteen's web app: server-rendered pages in the NHS design system (nhsuk-frontend,
//! bundled into the binary), browser sessions with CSRF protection, and strict security
//! headers. No JavaScript is needed for anything; `assets/canteen/init.js` only enhances.
//!
//! Like `canteen-api`, this crate is a front door: handlers parse the request, call one use
//! case in `canteen_app` (`canteen_app::web` for sessions and the public profile) and render
//! a template from `templates/`. It never touches the store. Routes are listed in
//! `crates/canteen/src/routes.rs`; handlers live in files named after their URLs.

pub mod admin;
pub mod admin_reports;
pub mod admin_sign_ups;
pub mod assets;
pub mod compose;
pub mod delete_profile;
pub mod follow_requests;
pub mod forms;
pub mod home;
pub mod lists;
pub mod live;
pub mod marked;
pub mod moving;
pub mod notifications;
pub mod oauth;
pub mod pages;
pub mod password_reset;
pub mod post_actions;
pub mod profile;
pub mod profiles;
pub mod scheduled;
pub mod search;
pub mod security;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod start;
pub mod thread;
pub mod timelines;
pub mod uk_time;
