//! The server's integration tests, one module per area, linked into one test binary: each
//! binary links the whole server, and twenty of them cost minutes of linking and gigabytes
//! of disk. Run one area with `cargo test -p canteen --test it privacy::`.

#[macro_use]
mod support;

mod account_deletion;
mod accounts;
mod cli;
mod extras;
mod federation;
mod federation_documents;
mod federation_fetch;
mod federation_inbox;
mod federation_moves;
mod federation_polls;
mod federation_profiles;
mod guard;
mod home_pull;
mod mastodon_py;
mod media;
mod oauth;
mod platform;
mod polls;
mod privacy;
mod privacy_edges;
mod reports;
mod scheduled;
mod search;
mod social;
mod storage;
mod streaming;
mod two_servers;
mod web;
mod web_browser;
mod web_journeys;
mod web_posts;
