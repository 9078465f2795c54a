//! Request rate limits, per token and per client IP, as Mastodon applies them: a fixed
//! window per key, `X-RateLimit-Limit/Remaining/Reset` on every limited response, and a
//! 429 once the window is spent. Sign-in and registration have stricter limits of their own.
//!
//! Counters live in this process. Several `canteen serve` nodes each count on their own,
//! so behind a load balancer the effective limit is N times the configured one until a
//! shared (database or Redis) counter lands.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::ApiState;
use crate::auth::bearer;
use crate::entities::iso8601;

/// Requests allowed per window, per kind of limit.
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub enabled: bool,
    /// Any API request, per token (or per IP when there is no token).
    pub api: u32,
    pub api_window: Duration,
    /// `POST /oauth/token`, the sign-in form and the password-reset forms, per IP.
    pub sign_in: u32,
    pub sign_in_window: Duration,
    /// `POST /api/v1/accounts` and the web's sign-up form, per IP.
    pub registration: u32,
    pub registration_window: Duration,
    /// ActivityPub inbox deliveries, per sending address. Servers deliver in bursts (a
    /// popular post fans out to every follower's server at once), so the budget is wide; it
    /// is there so one server cannot make us verify signatures and fetch keys without end.
    pub inbox: u32,
    pub inbox_window: Duration,
}

impl Default for RateLimits {
    /// Mastodon's defaults: 300 requests per 5 minutes; 25 sign-ins per 5 minutes;
    /// 5 sign-ups per 30 minutes.
    fn default() -> Self {
        RateLimits {
            enabled: true,
            api: 300,
            api_window: Duration::from_secs(300),
            sign_in: 25,
            sign_in_window: Duration::from_secs(300),
            registration: 5,
            registration_window: Duration::from_secs(1800),
            inbox: 1500,
            inbox_window: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Api,
    ApiPerIp,
    SignIn,
    Registration,
    Inbox,
}

struct Window {
    started: Instant,
    count: u32,
}

/// Renders the refusal a browser sees for a web form, given the seconds until it may try
/// again. The API crate has no pages, so the binary hands it the web app's.
pub type PageRenderer = fn(u64) -> Response;

pub struct RateLimiter {
    limits: RateLimits,
    windows: Mutex<HashMap<(Kind, String), Window>>,
    web_page: Option<PageRenderer>,
}

/// The outcome of counting one request against one limit.
struct Count {
    limit: u32,
    remaining: u32,
    reset_in: Duration,
    allowed: bool,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter { limits, windows: Mutex::new(HashMap::new()), web_page: None }
    }

    /// Web forms (paths outside `/api/` and `/oauth/`) refused with this page, not JSON.
    pub fn with_web_page(mut self, render: PageRenderer) -> RateLimiter {
        self.web_page = Some(render);
        self
    }

    fn count(&self, kind: Kind, key: &str) -> Count {
        let (limit, window) = match kind {
            Kind::Api => (self.limits.api, self.limits.api_window),
            Kind::ApiPerIp => (self.limits.api.saturating_mul(25), self.limits.api_window),
            Kind::SignIn => (self.limits.sign_in, self.limits.sign_in_window),
            Kind::Registration => (self.limits.registration, self.limits.registration_window),
            Kind::Inbox => (self.limits.inbox, self.limits.inbox_window),
        };
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        // Keep memory bounded: drop finished windows now and then.
        if map.len() > 100_000 {
            map.retain(|_, w| now.duration_since(w.started) < Duration::from_secs(3600));
        }
        let w = map.entry((kind, key.to_string())).or_insert(Window { started: now, count: 0 });
        if now.duration_since(w.started) >= window {
            *w = Window { started: now, count: 0 };
        }
        let allowed = w.count < limit;
        if allowed {
            w.count += 1;
        }
        Count {
            limit,
            remaining: limit.saturating_sub(w.count),
            reset_in: window.saturating_sub(now.duration_since(w.started)),
            allowed,
        }
    }
}

fn headers(res: &mut Response, c: &Count) {
    let reset_at = std::time::SystemTime::now() + c.reset_in;
    let reset_ms = reset_at.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let h = res.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(c.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(c.remaining));
    if let Ok(v) = HeaderValue::from_str(&iso8601(reset_ms)) {
        h.insert("x-ratelimit-reset", v);
    }
}

fn too_many(c: &Count) -> Response {
    let mut res = (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": "Too many requests"}))).into_response();
    headers(&mut res, c);
    retry_after(&mut res, c);
    res
}

fn retry_after(res: &mut Response, c: &Count) {
    if let Ok(v) = HeaderValue::from_str(&c.reset_in.as_secs().max(1).to_string()) {
        res.headers_mut().insert("retry-after", v);
    }
}

/// The middleware: counts the request against each limit that applies to it.
pub async fn limit(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let limiter = &state.limiter;
    if !limiter.limits.enabled {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let path = req.uri().path();
    let is_post = req.method() == Method::POST;
    let trimmed = path.trim_end_matches('/');
    let special = match trimmed {
        // Each of these checks a password or a login's email; the reset forms also send mail.
        "/oauth/token" | "/oauth/authorize" | "/sign-in" | "/forgot-password" if is_post => Some(Kind::SignIn),
        p if is_post && p.starts_with("/reset-password/") => Some(Kind::SignIn),
        "/api/v1/accounts" | "/sign-up" if is_post => Some(Kind::Registration),
        "/inbox" if is_post => Some(Kind::Inbox),
        p if is_post && p.starts_with("/users/") && p.ends_with("/inbox") => Some(Kind::Inbox),
        _ => None,
    };
    if let Some(kind) = special {
        let c = limiter.count(kind, &ip);
        if !c.allowed {
            // The consent page is a web page too, though it lives under /oauth/.
            let is_web = trimmed == "/oauth/authorize" || !(path.starts_with("/api/") || path.starts_with("/oauth/"));
            return match limiter.web_page {
                Some(render) if is_web => {
                    let mut res = render(c.reset_in.as_secs().max(1));
                    retry_after(&mut res, &c);
                    res
                }
                _ => too_many(&c),
            };
        }
    }
    if !(path.starts_with("/api/") || path.starts_with("/oauth/")) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // Every request also counts against its address, at Mastodon's wider per-IP budget, so
    // inventing bearer tokens cannot get round the limit.
    let by_ip = limiter.count(Kind::ApiPerIp, &ip);
    if !by_ip.allowed {
        return too_many(&by_ip);
    }
    let key = match bearer(&parts) {
        Some(token) => format!("token:{token}"),
        None => format!("ip:{ip}"),
    };
    let c = limiter.count(Kind::Api, &key);
    if !c.allowed {
        return too_many(&c);
    }
    let mut res = next.run(Request::from_parts(parts, body)).await;
    headers(&mut res, &c);
    res
}
