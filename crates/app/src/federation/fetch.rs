//! The HTTP client for federation: every request (fetching an actor or key, delivering to an
//! inbox) goes through the SSRF policy, with a time limit, a size limit and bounded redirects.
//!
//! Per request: `check_url`, resolve the host ourselves, `check_addr` every address, and pin
//! the client to the addresses that passed (`resolve_to_addrs`), so the connection goes to an
//! address we checked and DNS rebinding between check and connect cannot redirect it. A
//! redirect is a new URL and goes through all of that again. The pinning is why a client is
//! built per request; connection reuse across deliveries is a later optimisation.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use canteen_federation::keys::PrivateKey;
use canteen_federation::signatures::{self, RequestParts};
use canteen_federation::ssrf::{FetchPolicy, SsrfError};
use canteen_federation::vocab::{ACTIVITY_JSON, LD_JSON_AS};
use http::{HeaderMap, HeaderValue, Method};
use url::{Host, Url};

use crate::AppConfig;

/// Redirects followed for a GET (POSTs are never redirected).
pub const MAX_REDIRECTS: usize = 3;
/// The most of a response body kept for a delivery's log line.
const SNIPPET_BYTES: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0} is not a URL")]
    BadUrl(String),
    #[error("refused to contact {url}: {reason}")]
    Forbidden { url: String, reason: SsrfError },
    #[error("could not resolve {host}: {reason}")]
    Resolve { host: String, reason: String },
    #[error("{url}: timed out after {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("{url}: the response is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: not a JSON document: {reason}")]
    NotJson { url: String, reason: String },
}

/// A response, its body read within the limit.
#[derive(Debug)]
pub struct Fetched {
    /// The URL finally answered (after redirects).
    pub url: Url,
    pub status: u16,
    pub body: Vec<u8>,
}

impl Fetched {
    /// The start of the body, for logs.
    pub fn snippet(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(SNIPPET_BYTES)]).into_owned()
    }
}

/// The federation HTTP client. Cheap to make: build one from the config when needed.
#[derive(Debug, Clone)]
pub struct Fetcher {
    policy: FetchPolicy,
    timeout: Duration,
    max_bytes: usize,
    user_agent: String,
    /// Signs each GET (draft-cavage, which every server reads) with this key and key id.
    signer: Option<(Arc<PrivateKey>, String)>,
}

impl Fetcher {
    /// The allow-list was checked when the configuration was loaded; an entry that does not
    /// parse here makes the policy strict rather than open.
    pub fn new(cfg: &AppConfig) -> Fetcher {
        let policy = FetchPolicy::with_allow_list(&cfg.federation_allow_private).unwrap_or_else(|e| {
            tracing::error!(error = %e, "federation_allow_private is invalid; fetching strictly");
            FetchPolicy::strict()
        });
        Fetcher {
            policy,
            timeout: cfg.federation_timeout,
            max_bytes: cfg.federation_max_document_bytes,
            user_agent: format!("Canteen/{} (+{})", env!("CARGO_PKG_VERSION"), cfg.public_url),
            signer: None,
        }
    }

    /// The fetcher for GETs: signed by the instance actor, so servers in authorised-fetch mode
    /// answer. If the key cannot be had, requests go unsigned (most servers answer those).
    pub async fn for_app(app: &crate::App) -> Fetcher {
        let fetcher = Fetcher::new(&app.config);
        match super::instance_actor::signer(app).await {
            Ok((key, key_id)) => Fetcher { signer: Some((Arc::new(key), key_id)), ..fetcher },
            Err(e) => {
                tracing::warn!(error = %e, "instance actor key unavailable; fetching unsigned");
                fetcher
            }
        }
    }

    /// GETs an ActivityPub document, following up to [`MAX_REDIRECTS`] redirects, and parses
    /// it as JSON. Anything but a 2xx is an error.
    pub async fn get_json(&self, url: &str) -> Result<(Url, serde_json::Value), FetchError> {
        self.get_json_as(url, &format!("{ACTIVITY_JSON}, {LD_JSON_AS}")).await
    }

    /// GETs a WebFinger document (JRD).
    pub async fn get_jrd(&self, url: &str) -> Result<(Url, serde_json::Value), FetchError> {
        self.get_json_as(url, "application/jrd+json, application/json").await
    }

    async fn get_json_as(&self, url: &str, accept: &str) -> Result<(Url, serde_json::Value), FetchError> {
        let mut current = Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
        let mut headers = HeaderMap::new();
        headers.insert(http::header::ACCEPT, HeaderValue::from_str(accept).expect("a static header value"));
        for _ in 0..=MAX_REDIRECTS {
            let res = self.send(Method::GET, &current, &self.signed(&current, &headers)?, Vec::new()).await?;
            if let Some(next) = res.redirect {
                current = next;
                continue;
            }
            let fetched = res.fetched;
            if !(200..300).contains(&fetched.status) {
                return Err(FetchError::Status { url: fetched.url.to_string(), status: fetched.status });
            }
            let json = serde_json::from_slice(&fetched.body)
                .map_err(|e| FetchError::NotJson { url: fetched.url.to_string(), reason: e.to_string() })?;
            return Ok((fetched.url, json));
        }
        Err(FetchError::TooManyRedirects { url: url.to_string() })
    }

    /// POSTs `body` with `headers` (already signed). Redirects are not followed: the status is
    /// returned as it came, for the caller to judge.
    pub async fn post(&self, url: &Url, headers: &HeaderMap, body: Vec<u8>) -> Result<Fetched, FetchError> {
        Ok(self.send(Method::POST, url, headers, body).await?.fetched)
    }

    async fn send(&self, method: Method, url: &Url, headers: &HeaderMap, body: Vec<u8>) -> Result<Sent, FetchError> {
        let client = self.client_for(url).await?;
        let secs = self.timeout.as_secs();
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                FetchError::Timeout { url: url.to_string(), secs }
            } else {
                FetchError::Transport { url: url.to_string(), reason: error_chain(&e) }
            }
        };
        let mut res =
            client.request(method, url.clone()).headers(headers.clone()).body(body).send().await.map_err(transport)?;
        let status = res.status().as_u16();
        let redirect = if res.status().is_redirection() {
            let location = res.headers().get(http::header::LOCATION).and_then(|v| v.to_str().ok());
            location.and_then(|l| url.join(l).ok())
        } else {
            None
        };
        if res.content_length().is_some_and(|n| n > self.max_bytes as u64) {
            return Err(FetchError::TooLarge { url: url.to_string(), limit: self.max_bytes });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::TooLarge { url: url.to_string(), limit: self.max_bytes });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Sent { fetched: Fetched { url: url.clone(), status, body: bytes }, redirect })
    }

    /// A client that can reach only addresses of `url`'s host that the policy allows.
    async fn client_for(&self, url: &Url) -> Result<reqwest::Client, FetchError> {
        let forbidden = |reason| FetchError::Forbidden { url: url.to_string(), reason };
        self.policy.check_url(url).map_err(forbidden)?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect on our behalf to addresses we never checked.
            .no_proxy()
            .connect_timeout(self.timeout.min(Duration::from_secs(5)))
            .timeout(self.timeout)
            .user_agent(self.user_agent.clone());
        if let Some(Host::Domain(domain)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let secs = self.timeout.as_secs();
            let resolved = tokio::time::timeout(self.timeout, tokio::net::lookup_host((domain, port)))
                .await
                .map_err(|_| FetchError::Timeout { url: url.to_string(), secs })?
                .map_err(|e| FetchError::Resolve { host: domain.to_string(), reason: e.to_string() })?;
            let mut allowed: Vec<SocketAddr> = Vec::new();
            let mut refused = None;
            for addr in resolved {
                match self.policy.check_addr(url, addr.ip()) {
                    Ok(()) => allowed.push(addr),
                    Err(e) => refused = Some(e),
                }
            }
            if allowed.is_empty() {
                return Err(match refused {
                    Some(reason) => forbidden(reason),
                    None => FetchError::Resolve { host: domain.to_string(), reason: "no addresses".into() },
                });
            }
            builder = builder.resolve_to_addrs(domain, &allowed);
        }
        builder.build().map_err(|e| FetchError::Transport { url: url.to_string(), reason: error_chain(&e) })
    }
}

impl Fetcher {
    /// `headers` plus a signature for a GET of `url`, when this fetcher signs.
    fn signed(&self, url: &Url, headers: &HeaderMap) -> Result<HeaderMap, FetchError> {
        let Some((key, key_id)) = &self.signer else { return Ok(headers.clone()) };
        let uri: http::Uri = url.as_str().parse().map_err(|_| FetchError::BadUrl(url.to_string()))?;
        let mut req = RequestParts::new(Method::GET, uri, headers.clone());
        signatures::sign_cavage(&mut req, b"", key, key_id, SystemTime::now())
            .map_err(|e| FetchError::Transport { url: url.to_string(), reason: format!("signing: {e}") })?;
        Ok(req.headers)
    }
}

struct Sent {
    fetched: Fetched,
    redirect: Option<Url>,
}

/// reqwest's errors hide their cause (`error sending request`); logs need all of it.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
