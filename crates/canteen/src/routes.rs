//! The one route list: the whole HTTP surface on one screen. Handlers live in the front-door
//! crates, in files that mirror these URLs.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use canteen_api::ratelimit::{RateLimiter, RateLimits};
use canteen_api::{ApiState, activitypub, assets, oauth, v1, v2, well_known};
use canteen_app::App;
use canteen_web as web;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::telemetry;

/// Builds the router with its middleware. `limits` configures request rate limits.
pub fn router(app: App, limits: RateLimits) -> Router {
    let state = ApiState { app, limiter: Arc::new(RateLimiter::new(limits).with_web_page(web::pages::too_many_tries)) };
    // Install the recorder before the first request so no count is lost.
    telemetry::metrics_handle();

    let api = Router::new()
        // Mastodon client API
        .route("/api/v1/apps", post(v1::apps::create))
        .route("/api/v1/apps/verify_credentials", get(v1::apps::verify_credentials))
        .route("/api/v1/accounts", post(v1::accounts::create))
        .route("/api/v1/accounts/verify_credentials", get(v1::accounts::verify_credentials))
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(v1::accounts::update_credentials)
                .layer(DefaultBodyLimit::max(2 * v1::media::MAX_UPLOAD_BODY)),
        )
        .route("/api/v1/accounts/lookup", get(v1::accounts::lookup))
        .route("/api/v1/accounts/search", get(v2::search::accounts))
        .route("/api/v2/search", get(v2::search::search))
        .route("/api/v1/accounts/relationships", get(v1::accounts::relationships))
        .route("/api/v1/accounts/{id}", get(v1::accounts::show))
        .route("/api/v1/accounts/{id}/statuses", get(v1::accounts::statuses))
        .route("/api/v1/accounts/{id}/followers", get(v1::accounts::followers))
        .route("/api/v1/accounts/{id}/following", get(v1::accounts::following))
        .route("/api/v1/accounts/{id}/follow", post(v1::accounts::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(v1::accounts::unfollow))
        .route("/api/v1/accounts/{id}/remove_from_followers", post(v1::accounts::remove_from_followers))
        .route("/api/v1/accounts/{id}/block", post(v1::accounts::block))
        .route("/api/v1/accounts/{id}/unblock", post(v1::accounts::unblock))
        .route("/api/v1/accounts/{id}/mute", post(v1::accounts::mute))
        .route("/api/v1/accounts/{id}/unmute", post(v1::accounts::unmute))
        .route("/api/v1/accounts/{id}/note", post(v1::accounts::note))
        .route("/api/v1/accounts/{id}/pin", post(v1::accounts::endorse))
        .route("/api/v1/accounts/{id}/unpin", post(v1::accounts::unendorse))
        .route("/api/v1/accounts/{id}/endorsements", get(v1::accounts::endorsements))
        .route("/api/v1/endorsements", get(v1::accounts::my_endorsements))
        .route("/api/v1/tags/{name}", get(v1::tags::show))
        .route("/api/v1/tags/{name}/follow", post(v1::tags::follow))
        .route("/api/v1/tags/{name}/unfollow", post(v1::tags::unfollow))
        .route("/api/v1/followed_tags", get(v1::tags::followed))
        .route("/api/v1/featured_tags", get(v1::tags::featured).post(v1::tags::feature))
        .route("/api/v1/featured_tags/{id}", axum::routing::delete(v1::tags::unfeature))
        .route("/api/v1/accounts/{id}/featured_tags", get(v1::tags::account_featured))
        .route("/api/v1/suggestions", get(v1::tags::suggestions_v1))
        .route("/api/v2/suggestions", get(v1::tags::suggestions_v2))
        .route("/api/v1/follow_requests", get(v1::follow_requests::list))
        .route("/api/v1/follow_requests/{id}/authorize", post(v1::follow_requests::authorize))
        .route("/api/v1/follow_requests/{id}/reject", post(v1::follow_requests::reject))
        .route("/api/v1/blocks", get(v1::follow_requests::blocks))
        .route("/api/v1/mutes", get(v1::follow_requests::mutes))
        .route("/api/v1/media", post(v1::media::upload).layer(DefaultBodyLimit::max(v1::media::MAX_UPLOAD_BODY)))
        .route("/api/v2/media", post(v1::media::upload).layer(DefaultBodyLimit::max(v1::media::MAX_UPLOAD_BODY)))
        .route("/api/v1/media/{id}", get(v1::media::show).put(v1::media::update))
        .route("/api/v1/statuses", post(v1::statuses::create))
        .route("/api/v1/statuses/{id}", get(v1::statuses::show).delete(v1::statuses::delete).put(v1::statuses::edit))
        .route("/api/v1/statuses/{id}/history", get(v1::statuses::history))
        .route("/api/v1/statuses/{id}/source", get(v1::statuses::source))
        .route("/api/v1/statuses/{id}/context", get(v1::statuses::context))
        .route("/api/v1/statuses/{id}/reblog", post(v1::statuses::reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(v1::statuses::unreblog))
        .route("/api/v1/statuses/{id}/favourite", post(v1::statuses::favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(v1::statuses::unfavourite))
        .route("/api/v1/statuses/{id}/bookmark", post(v1::statuses::bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(v1::statuses::unbookmark))
        .route("/api/v1/statuses/{id}/pin", post(v1::statuses::pin))
        .route("/api/v1/statuses/{id}/mute", post(v1::statuses::mute))
        .route("/api/v1/statuses/{id}/unmute", post(v1::statuses::unmute))
        .route("/api/v1/statuses/{id}/unpin", post(v1::statuses::unpin))
        .route("/api/v1/statuses/{id}/favourited_by", get(v1::statuses::favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(v1::statuses::reblogged_by))
        .route("/api/v1/scheduled_statuses", get(v1::scheduled_statuses::index))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(v1::scheduled_statuses::show)
                .put(v1::scheduled_statuses::update)
                .delete(v1::scheduled_statuses::delete),
        )
        .route("/api/v1/markers", get(v1::scheduled_statuses::markers).post(v1::scheduled_statuses::set_markers))
        .route("/api/v1/polls/{id}", get(v1::polls::show))
        .route("/api/v1/polls/{id}/votes", post(v1::polls::vote))
        .route("/api/v1/timelines/home", get(v1::timelines::home))
        .route("/api/v1/timelines/public", get(v1::timelines::public))
        .route("/api/v1/timelines/tag/{hashtag}", get(v1::timelines::tag))
        .route("/api/v1/timelines/list/{id}", get(v1::lists::timeline))
        .route("/api/v1/lists", get(v1::lists::index).post(v1::lists::create))
        .route("/api/v1/lists/{id}", get(v1::lists::show).put(v1::lists::update).delete(v1::lists::delete))
        .route(
            "/api/v1/lists/{id}/accounts",
            get(v1::lists::accounts).post(v1::lists::add_accounts).delete(v1::lists::remove_accounts),
        )
        .route("/api/v1/reports", post(v1::reports::create))
        .route("/api/v1/favourites", get(v1::timelines::favourites))
        .route("/api/v1/bookmarks", get(v1::timelines::bookmarks))
        .route("/api/v1/notifications", get(v1::notifications::list))
        .route("/api/v1/notifications/clear", post(v1::notifications::clear))
        .route("/api/v1/notifications/{id}", get(v1::notifications::show))
        .route("/api/v1/notifications/{id}/dismiss", post(v1::notifications::dismiss))
        .route("/api/v2/notifications/policy", get(v1::notifications::policy))
        .route("/api/v1/streaming", get(v1::streaming::websocket))
        .route("/api/v1/streaming/health", get(v1::streaming::health))
        .route("/api/v1/streaming/user", get(v1::streaming::user))
        .route("/api/v1/streaming/user/notification", get(v1::streaming::user_notification))
        .route("/api/v1/streaming/public", get(v1::streaming::public))
        .route("/api/v1/streaming/public/local", get(v1::streaming::public_local))
        .route("/api/v1/streaming/hashtag", get(v1::streaming::hashtag))
        .route("/api/v1/streaming/hashtag/local", get(v1::streaming::hashtag_local))
        .route("/api/v1/streaming/list", get(v1::streaming::list))
        .route("/api/v1/preferences", get(v1::preferences::show))
        .route("/api/v1/instance", get(v1::instance::show))
        .route("/api/v1/instance/", get(v1::instance::show))
        .route("/api/v1/instance/rules", get(v1::instance::rules))
        .route("/api/v1/instance/domain_blocks", get(v1::admin::public_blocks))
        .route("/api/v1/admin/domain_blocks", get(v1::admin::blocks).post(v1::admin::create_block))
        .route(
            "/api/v1/admin/domain_blocks/{id}",
            get(v1::admin::block).put(v1::admin::update_block).delete(v1::admin::delete_block),
        )
        .route("/api/v1/admin/domain_allows", get(v1::admin::allows).post(v1::admin::create_allow))
        .route("/api/v1/admin/domain_allows/{id}", axum::routing::delete(v1::admin::delete_allow))
        .route("/api/v2/instance", get(v2::instance::show))
        .route("/api/v2/instance/", get(v2::instance::show))
        // Canteen's extensions
        .route("/api/v1/canteen/profiles", get(v1::canteen::profiles::list).post(v1::canteen::profiles::create))
        .route("/api/v1/canteen/profiles/{id}/switch", post(v1::canteen::profiles::switch))
        .route(
            "/api/v1/canteen/profile",
            get(v1::canteen::profiles::show_settings).patch(v1::canteen::profiles::update_settings),
        )
        .route("/api/v1/canteen/guard/check", post(v1::canteen::guard::check))
        .route("/api/v1/canteen/guard/policy", get(v1::canteen::guard::policy).put(v1::canteen::guard::set_policy))
        .route("/api/v1/canteen/guard/audit", get(v1::canteen::guard::audit))
        // OAuth
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        // Discovery
        .route("/.well-known/oauth-authorization-server", get(well_known::oauth_metadata))
        .route("/.well-known/nodeinfo", get(well_known::nodeinfo_links))
        .route("/nodeinfo/2.1", get(well_known::nodeinfo))
        .route("/.well-known/webfinger", get(activitypub::webfinger::show))
        .route("/.well-known/host-meta", get(activitypub::webfinger::host_meta))
        .layer(cors());

    let pages = Router::new()
        .route("/avatars/original/missing.png", get(assets::missing_image))
        .route("/headers/original/missing.png", get(assets::missing_image))
        .route("/system/media/{key}", get(v1::media::file))
        .route("/health", get(|| async { "OK" }))
        // ActivityPub: actors, collections and posts (JSON-LD or a page, by `Accept`), inboxes
        .route("/actor", get(activitypub::users::instance))
        .route("/users/{username}", get(activitypub::users::actor))
        .route("/users/{username}/followers", get(activitypub::users::followers))
        .route("/users/{username}/following", get(activitypub::users::following))
        .route("/users/{username}/outbox", get(activitypub::users::outbox))
        .route("/users/{username}/collections/featured", get(activitypub::users::featured))
        .route("/users/{username}/statuses/{id}", get(activitypub::users::status))
        .route("/users/{username}/inbox", post(activitypub::inbox::personal))
        .route("/inbox", post(activitypub::inbox::shared));

    // The web app (crates/web): pages people use in a browser, and the assets they load.
    // Every response carries the security headers (strict CSP, no framing, nosniff), and is
    // gzipped when the browser accepts it (the design system's stylesheet is 278 KB raw;
    // server-sent events are never compressed, so they are not held back).
    let web_pages = Router::new()
        .route("/", get(web::home::show))
        .route("/oauth/authorize", get(web::oauth::show).post(web::oauth::submit))
        .route("/sign-in", get(web::sign_in::show).post(web::sign_in::submit))
        .route("/sign-out", post(web::sign_in::sign_out))
        .route("/sign-up", get(web::sign_up::show).post(web::sign_up::submit))
        .route("/forgot-password", get(web::password_reset::show_forgot).post(web::password_reset::submit_forgot))
        .route("/reset-password/{token}", get(web::password_reset::show_reset).post(web::password_reset::submit_reset))
        .route("/start", get(web::start::show).post(web::start::submit))
        .route("/start/privacy", get(web::start::privacy))
        .route("/compose", post(web::compose::submit))
        .route("/compose/check", post(web::compose::check))
        .route("/live/home", get(web::live::home))
        .route("/live/local", get(web::live::local))
        .route("/live/public", get(web::live::federated))
        .route("/live/tags/{tag}", get(web::live::tag))
        .route("/follow-requests", get(web::follow_requests::show))
        .route("/follow-requests/{id}/approve", post(web::follow_requests::approve))
        .route("/follow-requests/{id}/decline", post(web::follow_requests::decline))
        .route("/admin", get(web::admin::hub))
        .route("/admin/accounts", post(web::admin::moderate))
        .route("/admin/rules", post(web::admin::add_rule))
        .route("/admin/guard-policy", post(web::admin::guard_policy))
        .route("/admin/reports", get(web::admin_reports::show))
        .route("/admin/reports/{id}/resolve", post(web::admin_reports::resolve))
        .route("/admin/sign-ups", get(web::admin_sign_ups::show))
        .route("/admin/sign-ups/approve", post(web::admin_sign_ups::approve))
        .route("/admin/registration", post(web::admin_sign_ups::save_registration))
        .route("/admin/roles", post(web::admin_sign_ups::set_role))
        .route("/admin/policy", get(web::admin::show).post(web::admin::submit))
        .route("/local", get(web::timelines::local))
        .route("/public", get(web::timelines::federated))
        .route("/tags/{tag}", get(web::timelines::tag))
        .route("/notifications", get(web::notifications::show))
        .route("/posts/{id}/{action}", post(web::post_actions::act))
        .route("/polls/{id}/vote", post(web::post_actions::vote))
        .route("/bookmarks", get(web::marked::bookmarks))
        .route("/likes", get(web::marked::likes))
        .route("/lists", get(web::lists::index).post(web::lists::create))
        .route("/lists/{id}", get(web::lists::show))
        .route("/lists/{id}/members", post(web::lists::add_member))
        .route("/lists/{id}/members/{account}/remove", post(web::lists::remove_member))
        .route("/lists/{id}/settings", post(web::lists::save_settings))
        .route("/lists/{id}/delete", post(web::lists::delete))
        .route("/scheduled", get(web::scheduled::show))
        .route("/scheduled/{id}/cancel", post(web::scheduled::cancel))
        .route("/settings", get(web::settings::show))
        .route("/settings/profile", post(web::settings::save_profile))
        .route("/settings/privacy", post(web::settings::save_privacy))
        .route("/settings/sessions", get(web::settings::sessions))
        .route("/settings/profiles", get(web::profiles::show).post(web::profiles::add))
        .route("/settings/move", get(web::moving::show).post(web::moving::submit))
        .route("/settings/move/aliases", post(web::moving::save_aliases))
        .route("/settings/delete", get(web::delete_profile::show).post(web::delete_profile::submit))
        .route("/settings/profiles/{id}/switch", post(web::profiles::switch))
        .route("/settings/sessions/{id}/end", post(web::settings::end_session))
        .route("/settings/apps/{id}/revoke", post(web::settings::revoke_app))
        .route("/@{username}/{id}", get(web::thread::show))
        .route("/@{username}", get(web::profile::show))
        .route("/@{username}/follow", post(web::profile::follow))
        .route("/@{username}/unfollow", post(web::profile::unfollow))
        .route("/search", get(web::search::show))
        .route("/assets/{*path}", get(web::assets::serve))
        .layer(middleware::from_fn(web::security::headers))
        .layer(tower_http::compression::CompressionLayer::new());

    Router::new()
        .merge(api)
        .merge(pages)
        .merge(web_pages)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), canteen_api::ratelimit::limit))
        .layer(DefaultBodyLimit::max(canteen_api::params::MAX_BODY_BYTES))
        .route_layer(middleware::from_fn(telemetry::record_request))
        .with_state(state.clone())
        .route("/metrics", get(metrics).with_state(state.app))
        .layer(CatchPanicLayer::custom(|_| internal_error()))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static("x-request-id")))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(HeaderName::from_static("x-request-id"), MakeRequestUuid))
}

/// Browser apps call the API from other origins; tokens travel in headers, not cookies.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS])
        .allow_headers(Any)
        .expose_headers([
            header::LINK,
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(Duration::from_secs(3600))
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"error": "Record not found"}))).into_response()
}

fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "Internal server error"}))).into_response()
}

/// `GET /metrics`: Prometheus text, with the pool and queue gauges read fresh.
async fn metrics(State(app): State<App>) -> Response {
    let (open, idle) = app.store.pool_stats();
    metrics::gauge!("canteen_db_connections").set(open as f64);
    metrics::gauge!("canteen_db_connections_idle").set(idle as f64);
    metrics::gauge!("canteen_sqlite_wal_bytes").set(app.store.wal_bytes() as f64);
    match canteen_app::jobs::depth(&app).await {
        Ok(d) => {
            metrics::gauge!("canteen_jobs_queued").set(d.queued as f64);
            metrics::gauge!("canteen_jobs_dead").set(d.dead as f64);
        }
        Err(e) => tracing::warn!(error = %e, "could not read job queue depth"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], telemetry::metrics_handle().render()).into_response()
}
