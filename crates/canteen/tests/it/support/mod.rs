//! Test support: a fresh store per test on SQLite or PostgreSQL, the real router, and
//! small helpers for requests. `backend_tests!` runs one test body on both backends.
#![allow(dead_code)]

use std::str::FromStr;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use canteen_api::ratelimit::RateLimits;
use canteen_app::{App, AppConfig};
use canteen_store::{SqliteDurability, Store, StoreOptions};
use serde_json::Value;
use std::time::Duration;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use, if any. Under `CI=true` a missing one is a failure,
/// never a silent skip.
pub fn pg_url() -> Option<String> {
    match std::env::var("CANTEEN_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but CANTEEN_TEST_DATABASE_URL is not set: the PostgreSQL tests cannot be skipped in CI")
        }
        _ => None,
    }
}

/// Runs a test body once per backend. PostgreSQL runs when `CANTEEN_TEST_DATABASE_URL`
/// is set (and must, under CI).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::support::pg_url().is_none() {
                        eprintln!("skipped: set CANTEEN_TEST_DATABASE_URL to run on PostgreSQL");
                        return;
                    }
                    super::$name($crate::support::Backend::Postgres).await;
                }
            }
        )+
    };
}

/// A database of its own for one test: a temporary SQLite file, or a fresh PostgreSQL
/// schema dropped when the test ends.
pub struct TestDb {
    pub store: Store,
    pub dir: tempfile::TempDir,
    pg_schema: Option<String>,
    /// A URL the `canteen` binary can open for the same database.
    pub url: String,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("canteen.db").display());
                let mut opts = StoreOptions::new(&url);
                opts.sqlite_durability = SqliteDurability::Normal;
                let store = Store::connect(&opts).await.expect("open sqlite");
                store.migrate().await.expect("migrate sqlite");
                TestDb { store, dir, pg_schema: None, url }
            }
            Backend::Postgres => {
                let base = pg_url().expect("PostgreSQL URL");
                let schema = format!("t_{}", uuid_like());
                let mut admin = sqlx::PgConnection::connect_with(
                    &sqlx::postgres::PgConnectOptions::from_str(&base).expect("pg url"),
                )
                .await
                .expect("connect to the test PostgreSQL server");
                use sqlx::Connection;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut admin)
                    .await
                    .expect("create schema");
                let _ = admin.close().await;
                let opts = sqlx::postgres::PgConnectOptions::from_str(&base)
                    .expect("pg url")
                    .options([("search_path", schema.as_str())]);
                let store = Store::connect_pg(opts, 4).await.expect("open pg");
                store.migrate().await.expect("migrate pg");
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                TestDb { store, dir, pg_schema: Some(schema), url }
            }
        }
    }
}

use sqlx::Connection as _;

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.pg_schema.take() else {
            return;
        };
        let Some(base) = pg_url() else { return };
        // Drop runs inside the test's runtime; clean up from a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&base).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")))
                    .execute(&mut c)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

fn uuid_like() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub const PUBLIC_URL: &str = "https://canteen.test";

/// The real router over a fresh database.
pub struct TestServer {
    pub app: App,
    pub router: Router,
    pub db: TestDb,
}

/// Rate limits high enough not to get in the way of a test.
pub fn relaxed_limits() -> RateLimits {
    RateLimits { api: 100_000, sign_in: 100_000, registration: 100_000, inbox: 100_000, ..RateLimits::default() }
}

impl TestServer {
    pub async fn new(backend: Backend) -> TestServer {
        TestServer::with(backend, |_| {}, relaxed_limits()).await
    }

    pub async fn with(backend: Backend, configure: impl FnOnce(&mut AppConfig), limits: RateLimits) -> TestServer {
        let db = TestDb::new(backend).await;
        let mut cfg = AppConfig::new(PUBLIC_URL);
        cfg.media_dir = db.dir.path().join("media");
        configure(&mut cfg);
        let app = App::new(db.store.clone(), cfg);
        let router = canteen::routes::router(app.clone(), limits);
        TestServer { app, router, db }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.expect("router never fails");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, headers, text, json }
    }

    fn builder(method: Method, path: &str, token: Option<&str>) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Self::builder(Method::GET, path, token).body(Body::empty()).unwrap()).await
    }

    pub async fn json(&self, method: Method, path: &str, token: Option<&str>, body: Value) -> Resp {
        let req = Self::builder(method, path, token)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn form(&self, method: Method, path: &str, token: Option<&str>, pairs: &[(&str, &str)]) -> Resp {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let req = Self::builder(method, path, token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn multipart(&self, method: Method, path: &str, token: Option<&str>, pairs: &[(&str, &str)]) -> Resp {
        let boundary = "canteen-test-boundary";
        let mut body = String::new();
        for (k, v) in pairs {
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let req = Self::builder(method, path, token)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Registers an app and returns (client_id, client_secret).
    pub async fn app_client(&self, scopes: &str) -> (String, String) {
        let r = self
            .json(
                Method::POST,
                "/api/v1/apps",
                None,
                serde_json::json!({"client_name": "Test app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        (r.json["client_id"].as_str().unwrap().into(), r.json["client_secret"].as_str().unwrap().into())
    }

    /// Creates a confirmed login through the admin use case.
    pub async fn user(&self, username: &str) -> canteen_domain::account::Account {
        canteen_app::admin::create_user(
            &self.app,
            username,
            &format!("{username}@example.nhs.uk"),
            "a good password",
            canteen_domain::account::Role::User,
        )
        .await
        .expect("create user")
        .1
    }

    /// A password-grant token for `login` with `scopes`.
    pub async fn token_for(&self, login: &str, scopes: &str) -> String {
        let (id, secret) = self.app_client("read write follow push admin:read admin:write canteen:profiles").await;
        let r = self
            .form(
                Method::POST,
                "/oauth/token",
                None,
                &[
                    ("grant_type", "password"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("username", login),
                    ("password", "a good password"),
                    ("scope", scopes),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json["access_token"].as_str().unwrap().to_string()
    }

    /// A token minted directly by the app layer, without HTTP (for tests of HTTP limits).
    pub async fn token_direct(&self, account: &canteen_domain::account::Account, scopes: &str) -> String {
        let user =
            canteen_store::users::by_id(self.app.store.reader(), account.user_id.unwrap()).await.unwrap().unwrap();
        let client = canteen_app::oauth::create_app(&self.app, "direct", "urn:ietf:wg:oauth:2.0:oob", scopes, None)
            .await
            .unwrap();
        let scopes = canteen_domain::scope::Scopes::parse(scopes).unwrap();
        canteen_app::oauth::issue_token(&self.app, self.app.store.writer(), client.id, Some((&user, account)), &scopes)
            .await
            .unwrap()
            .access_token
    }

    /// A new user and a full-scope token acting as them.
    pub async fn signed_in(&self, username: &str) -> (canteen_domain::account::Account, String) {
        let account = self.user(username).await;
        let token = self.token_for(username, "read write follow push canteen:profiles").await;
        (account, token)
    }

    /// Runs every due job (fan-out, notifications), as the worker in `canteen serve` would.
    pub async fn run_jobs(&self) -> usize {
        let handlers = canteen_app::jobs::handlers();
        let mut n = 0;
        while canteen_app::jobs::run_one(&self.app, &handlers, "test-worker").await.expect("job run") {
            n += 1;
            assert!(n < 10_000, "jobs keep coming");
        }
        n
    }

    /// Posts as `token` (JSON body), asserting success; returns the status JSON.
    pub async fn post(&self, token: &str, body: Value) -> Value {
        let r = self.json(Method::POST, "/api/v1/statuses", Some(token), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json
    }

    /// Runs one statement directly (tests use it to move time forward, e.g. end a poll).
    pub async fn exec_sql(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self.app.store.backend() {
            canteen_store::Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.db.url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            canteen_store::Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"));
        match self.app.store.backend() {
            canteen_store::Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.db.url).await.unwrap();
                let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
                pool.close().await;
                n
            }
            canteen_store::Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.db.url).await.unwrap();
                let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap();
                n
            }
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    /// Asserts the status and Mastodon's error shape, returning the error message.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        self.json["error"].as_str().unwrap_or_else(|| panic!("no `error` in {}", self.text)).to_string()
    }
}

/// The `canteen` binary, with the caller's configuration variables removed so a test
/// controls every setting.
pub fn canteen_cmd() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_canteen"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CANTEEN_") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A free loopback port (bound then released), never one this test process handed out
/// before: a test that kills a server and starts it again on its port must not find another
/// test's server there (its `/health` would answer for it).
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..1000 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
    panic!("no loopback port left that this process has not handed out");
}

/// A real `canteen serve` process on a loopback port; killed when dropped.
pub struct Spawned {
    pub child: std::process::Child,
    pub base: String,
}

impl Spawned {
    pub async fn start(db: &TestDb, envs: &[(&str, &str)]) -> Spawned {
        Spawned::start_on(db, free_port(), envs).await
    }

    /// On a chosen port (federation tests give accounts their URIs before the server starts).
    pub async fn start_on(db: &TestDb, port: u16, envs: &[(&str, &str)]) -> Spawned {
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = canteen_cmd();
        cmd.args(["serve", "--listen", &listen, "--data-dir"])
            .arg(db.dir.path())
            .args(["--database-url", &db.url])
            .env("CANTEEN_SHUTDOWN_GRACE_SECONDS", "20")
            .stdout(std::process::Stdio::null())
            // Kept beside the data so a failing test can show what the server said.
            .stderr(std::fs::File::create(db.dir.path().join(format!("serve-{port}.log"))).expect("server log file"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        // Wrapped at once so Drop kills and reaps it on every path, the panic below included.
        let mut spawned =
            Spawned { child: cmd.spawn().expect("start canteen serve"), base: format!("http://{listen}") };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{}/health", spawned.base)).send().await.is_ok() {
                // Something answered; it must be this server, not another on the port.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                if let Ok(Some(status)) = spawned.child.try_wait() {
                    panic!("canteen serve on {listen} exited ({status}): {}", spawned.log(db));
                }
                return spawned;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("canteen serve did not start on {listen}");
    }

    /// What the server has written to stderr so far.
    pub fn log(&self, db: &TestDb) -> String {
        let port = self.base.rsplit(':').next().unwrap_or_default();
        std::fs::read_to_string(db.dir.path().join(format!("serve-{port}.log"))).unwrap_or_default()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let _ = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
    }

    /// Waits for the process to exit, up to `secs`.
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        for _ in 0..secs * 20 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A 64×48 JPEG carrying EXIF: orientation 6 (rotate 90°) and a GPS latitude of 57°N.
pub fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 128]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&img).unwrap();
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |tag: u16, ty: u16, count: u32, value: [u8; 4]| {
        let mut e = Vec::new();
        e.extend(tag.to_le_bytes());
        e.extend(ty.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value);
        e
    };
    // IFD0 at 8: orientation, pointer to the GPS IFD at 38.
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, [6, 0, 0, 0]));
    tiff.extend(entry(0x8825, 4, 1, 38u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 38: latitude ref "N", latitude (three rationals at 68).
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(0x0002, 5, 3, 68u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    for (num, den) in [(57u32, 1u32), (10, 1), (0, 1)] {
        tiff.extend(num.to_le_bytes());
        tiff.extend(den.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// Opens an SSE stream through the router and returns a reader of (event, data) pairs.
pub async fn sse_open(s: &TestServer, path: &str, token: Option<&str>) -> axum::body::BodyDataStream {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let res = s.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    res.into_body().into_data_stream()
}

/// Reads events until `want` matches one or the time runs out; returns all seen.
pub async fn sse_read_until(
    stream: &mut axum::body::BodyDataStream,
    want: impl Fn(&str, &Value) -> bool,
) -> Vec<(String, Value)> {
    let mut seen = Vec::new();
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, futures_util::StreamExt::next(stream)).await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        for (event, data) in sse_blocks(&mut buf) {
            // `delete` carries the bare id (as Mastodon sends it), everything else JSON.
            let value = if event == "delete" {
                Value::String(data)
            } else {
                serde_json::from_str(&data).unwrap_or(Value::String(data))
            };
            let done = want(&event, &value);
            seen.push((event, value));
            if done {
                return seen;
            }
        }
    }
    seen
}

/// Takes every complete `event:`/`data:` block out of `buf`.
fn sse_blocks(buf: &mut String) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Some(end) = buf.find("\n\n") {
        let block: String = buf.drain(..end + 2).collect();
        let (mut event, mut data) = (String::new(), String::new());
        for line in block.lines() {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
            }
        }
        if !event.is_empty() {
            out.push((event, data));
        }
    }
    out
}

/// Everything a stream sends within `window`.
pub async fn sse_collect(mut stream: axum::body::BodyDataStream, window: std::time::Duration) -> Vec<(String, Value)> {
    let deadline = tokio::time::Instant::now() + window;
    let mut seen = Vec::new();
    let mut buf = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, futures_util::StreamExt::next(&mut stream)).await
    {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        for (event, data) in sse_blocks(&mut buf) {
            seen.push((event, serde_json::from_str(&data).unwrap_or(Value::String(data))));
        }
    }
    seen
}

/// Collects events until `stop` turns true, then for a few seconds more so what was published
/// before it reaches the stream (a fixed window alone is too short on a loaded machine).
pub async fn sse_collect_until(
    mut stream: axum::body::BodyDataStream,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<(String, Value)> {
    let mut deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    let mut stopping = false;
    let mut seen = Vec::new();
    let mut buf = String::new();
    loop {
        tokio::select! {
            chunk = tokio::time::timeout_at(deadline, futures_util::StreamExt::next(&mut stream)) => {
                let Ok(Some(Ok(chunk))) = chunk else { break };
                buf.push_str(&String::from_utf8_lossy(&chunk));
                for (event, data) in sse_blocks(&mut buf) {
                    seen.push((event, serde_json::from_str(&data).unwrap_or(Value::String(data))));
                }
            }
            changed = stop.changed(), if !stopping => {
                if changed.is_err() || *stop.borrow() {
                    stopping = true;
                    deadline = tokio::time::Instant::now() + Duration::from_secs(3);
                }
            }
        }
    }
    seen
}

/// Registers an app on a real server and signs `username` in with the password grant.
pub async fn password_token(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let app: Value = client
        .post(format!("{base}/api/v1/apps"))
        .form(&[("client_name", "t"), ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"), ("scopes", "read write")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token: Value = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("username", username),
            ("password", password),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().expect("a token").to_string()
}
