//! Canteen's ActivityPub building blocks. Pure: no network I/O, no database, no clock except
//! the `now` a caller passes in. The server wires these into its inbox, outbox, delivery jobs
//! and fetcher; decision 0005 records the choices.
//!
//! - [`keys`]: RSA key pairs (generate, PEM in and out, sign, verify).
//! - [`signatures`]: HTTP message signatures, draft-cavage and RFC 9421, sign and verify.
//! - [`vocab`]: the ActivityStreams types we read and write, tolerant of what servers send.
//! - [`audience`]: Canteen visibilities to `to`/`cc` and back; the inboxes a post goes to.
//! - [`webfinger`]: `acct:` resources and JRD documents.
//! - [`ssrf`]: which URLs and addresses the fetcher may contact.
//!
//! # Wiring, in outline
//! **Inbox POST**: build a [`signatures::RequestParts`] from the request (absolute URI from the
//! public URL), call [`signatures::prepare`] with the body, fetch the key named by
//! `key_id()` (the actor document's `publicKey`, through the [`ssrf`] policy, cached), call
//! `verify`, then check the key's `owner` is the activity's `actor` before parsing the body
//! with [`vocab::Object::from_slice`]. Any error is a 401 with the error's text.
//!
//! **Delivery**: address with [`audience::addressing`], expand the followers collection to
//! remote followers, plan with [`audience::delivery_plan`], enqueue one job per inbox; each job
//! signs with [`signatures::sign_rfc9421`] or [`signatures::sign_cavage`] (whichever that
//! server accepted last) using the author's [`keys::PrivateKey`].
//!
//! **Fetching**: [`ssrf::FetchPolicy::check_url`] before resolving, `check_addr` on each
//! resolved address, connect to that address, and the same again on every redirect.

pub mod audience;
pub mod keys;
pub mod signatures;
pub mod ssrf;
pub mod vocab;
pub mod webfinger;
