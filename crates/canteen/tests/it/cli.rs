//! The `canteen` binary: admin commands, configuration precedence, graceful shutdown.

use crate::support;

use std::process::Output;

use support::{Backend, Spawned, TestDb, canteen_cmd};

fn run(db: &TestDb, args: &[&str]) -> Output {
    canteen_cmd().args(args).arg("--data-dir").arg(db.dir.path()).args(["--database-url", &db.url]).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn admin_commands(b: Backend) {
    let db = TestDb::new(b).await;
    let out = run(
        &db,
        &[
            "admin",
            "create-user",
            "alice",
            "--email",
            "alice@nhs.net",
            "--password",
            "a good password",
            "--role",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let id = text(&out.stdout).trim().to_string();
    assert!(id.parse::<i64>().is_ok(), "prints the new id, got {id:?}");
    let acct = canteen_store::accounts::by_local_username(db.store.reader(), "alice").await.unwrap().unwrap();
    assert_eq!(acct.id.to_string(), id);

    for (args, message) in [
        (
            vec!["admin", "create-user", "ALICE", "--email", "x@nhs.net", "--password", "a good password"],
            "Username has already been taken",
        ),
        (
            vec!["admin", "create-user", "bob", "--email", "ALICE@nhs.net", "--password", "a good password"],
            "Email has already been taken",
        ),
        (
            vec!["admin", "create-user", "bob", "--email", "not-an-email", "--password", "a good password"],
            "Email is not a valid address",
        ),
        (
            vec!["admin", "create-user", "bob smith", "--email", "b@nhs.net", "--password", "a good password"],
            "Username may only contain",
        ),
        (
            vec![
                "admin",
                "create-user",
                "bob",
                "--email",
                "b@nhs.net",
                "--password",
                "a good password",
                "--role",
                "king",
            ],
            "is not one of: user, moderator, admin",
        ),
        (vec!["admin", "set-role", "nobody", "admin"], "No local account named `nobody`"),
        (vec!["admin", "suspend", "nobody"], "No local account named `nobody`"),
    ] {
        let out = run(&db, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains(message), "{args:?}: {}", text(&out.stderr));
    }
    assert!(canteen_store::accounts::by_local_username(db.store.reader(), "bob").await.unwrap().is_none());

    assert!(run(&db, &["admin", "set-role", "alice", "moderator"]).status.success());
    let user = canteen_store::users::by_id(db.store.reader(), acct.user_id.unwrap()).await.unwrap().unwrap();
    assert_eq!(user.role, canteen_domain::account::Role::Moderator);
    assert!(run(&db, &["admin", "suspend", "alice"]).status.success());
    let a = canteen_store::accounts::by_local_username(db.store.reader(), "alice").await.unwrap().unwrap();
    assert!(a.suspended_at.is_some());
    assert!(run(&db, &["admin", "unsuspend", "alice"]).status.success());
    let a = canteen_store::accounts::by_local_username(db.store.reader(), "alice").await.unwrap().unwrap();
    assert!(a.suspended_at.is_none());
    assert!(run(&db, &["migrate"]).status.success(), "migrate is idempotent");
}

async fn graceful_shutdown_finishes_requests_and_keeps_them(b: Backend) {
    let db = TestDb::new(b).await;
    assert!(
        run(&db, &["admin", "create-user", "alice", "--email", "alice@nhs.net", "--password", "a good password"])
            .status
            .success()
    );
    let mut server = Spawned::start(&db, &[]).await;
    let client = reqwest::Client::new();
    let app: serde_json::Value = client
        .post(format!("{}/api/v1/apps", server.base))
        .form(&[("client_name", "t"), ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"), ("scopes", "read")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, secret) =
        (app["client_id"].as_str().unwrap().to_string(), app["client_secret"].as_str().unwrap().to_string());
    // Password sign-ins are slow on purpose (Argon2), so several are in flight at once.
    let mut inflight = Vec::new();
    for _ in 0..6 {
        let (client, base, id, secret) = (client.clone(), server.base.clone(), id.clone(), secret.clone());
        inflight.push(tokio::spawn(async move {
            let r = client
                .post(format!("{base}/oauth/token"))
                .form(&[
                    ("grant_type", "password"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("username", "alice"),
                    ("password", "a good password"),
                ])
                .send()
                .await;
            match r {
                Ok(res) => Some((res.status().as_u16(), res.json::<serde_json::Value>().await.ok())),
                Err(e) if e.is_connect() => None,
                Err(e) => panic!("a request was cut off mid-way: {e}"),
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    server.terminate();
    let mut tokens = Vec::new();
    for t in inflight {
        if let Some((status, body)) = t.await.unwrap() {
            assert_eq!(status, 200, "in-flight requests complete normally: {body:?}");
            tokens.push(body.unwrap()["access_token"].as_str().unwrap().to_string());
        }
    }
    assert!(!tokens.is_empty(), "some requests were in flight when the signal came");
    let status = tokio::task::block_in_place(|| server.wait_exit(20)).expect("canteen exits after SIGTERM");
    assert!(status.success(), "clean exit, got {status:?}");

    // Everything acknowledged is still there after a restart.
    let server = Spawned::start(&db, &[]).await;
    for t in tokens {
        let r = client
            .get(format!("{}/api/v1/accounts/verify_credentials", server.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// `canteen admin suspend` runs in its own process, yet the running server learns of it within
/// seconds (it reads the access generation every two seconds), not at an open stream's
/// once-a-minute re-check: the next post ends the suspended profile's stream instead of
/// reaching it, while it reaches another profile's.
async fn a_suspension_from_the_shell_reaches_open_streams(b: Backend) {
    let db = TestDb::new(b).await;
    for who in ["alice", "bob"] {
        let email = format!("{who}@nhs.net");
        let made = run(&db, &["admin", "create-user", who, "--email", &email, "--password", "a good password"]);
        assert!(made.status.success());
    }
    let server = Spawned::start(&db, &[]).await;
    let client = reqwest::Client::new();
    let alice = support::password_token(&client, &server.base, "alice", "a good password").await;
    let bob = support::password_token(&client, &server.base, "bob", "a good password").await;
    let open = |token: &str| {
        let req = client.get(format!("{}/api/v1/streaming/public", server.base)).bearer_auth(token);
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200);
            r
        }
    };
    let mut alices = open(&alice).await;
    let mut bobs = open(&bob).await;
    assert!(run(&db, &["admin", "suspend", "alice"]).status.success());
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let posted = client
        .post(format!("{}/api/v1/statuses", server.base))
        .bearer_auth(&bob)
        .json(&serde_json::json!({"status": "after the suspension", "visibility": "public"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let (ended, seen) = read_until_end(&mut alices, 8).await;
    assert!(ended, "the suspended profile's stream ended");
    assert!(!seen.contains("after the suspension"), "and the post never reached it: {seen}");
    let (_, seen) = read_until_end(&mut bobs, 3).await;
    assert!(seen.contains("after the suspension"), "another profile's stream got it: {seen}");
}

/// Reads `r` until its body ends or `secs` pass: whether it ended, and what it carried.
async fn read_until_end(r: &mut reqwest::Response, secs: u64) -> (bool, String) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    let mut seen = String::new();
    loop {
        match tokio::time::timeout_at(deadline, r.chunk()).await {
            Err(_) => return (false, seen),
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(Ok(None) | Err(_)) => return (true, seen),
        }
    }
}

backend_tests!(
    admin_commands,
    graceful_shutdown_finishes_requests_and_keeps_them,
    a_suspension_from_the_shell_reaches_open_streams
);

/// flags > environment > file > defaults, shown with `--data-dir` (where `migrate` puts
/// the SQLite database).
#[test]
fn configuration_precedence() {
    let tmp = tempfile::tempdir().unwrap();
    let (file_dir, env_dir, flag_dir) =
        (tmp.path().join("from-file"), tmp.path().join("from-env"), tmp.path().join("from-flag"));
    let config = tmp.path().join("canteen.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\nregistration_mode = \"approval\"\n", file_dir.display().to_string()),
    )
    .unwrap();
    let migrate = |env: bool, flag: bool| {
        let mut c = canteen_cmd();
        c.current_dir(tmp.path()).arg("migrate").arg("--config").arg(&config);
        if env {
            c.env("CANTEEN_DATA_DIR", &env_dir);
        }
        if flag {
            c.arg("--data-dir").arg(&flag_dir);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    migrate(false, false);
    assert!(file_dir.join("canteen.db").exists(), "the file beats the default");
    migrate(true, false);
    assert!(env_dir.join("canteen.db").exists(), "the environment beats the file");
    migrate(true, true);
    assert!(flag_dir.join("canteen.db").exists(), "a flag beats the environment");

    // Bad values are named.
    let out = canteen_cmd()
        .current_dir(tmp.path())
        .arg("migrate")
        .env("CANTEEN_REGISTRATION_MODE", "sometimes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("registration_mode `sometimes` is not one of: open, approval, closed"),
        "{}",
        text(&out.stderr)
    );
    let out = canteen_cmd().current_dir(tmp.path()).args(["migrate", "--config", "missing.toml"]).output().unwrap();
    assert!(text(&out.stderr).contains("does not exist"));
    std::fs::write(tmp.path().join("typo.toml"), "data_dri = \"x\"\n").unwrap();
    let out = canteen_cmd().current_dir(tmp.path()).args(["migrate", "--config", "typo.toml"]).output().unwrap();
    assert!(text(&out.stderr).contains("data_dri"), "unknown keys in the file are reported: {}", text(&out.stderr));

    let help = text(&canteen_cmd().args(["serve", "--help"]).output().unwrap().stdout);
    for needle in
        ["--listen", "CANTEEN_LISTEN", "--public-url", "--data-dir", "--database-url", "DATABASE_URL", "--config"]
    {
        assert!(help.contains(needle), "serve --help mentions {needle}");
    }
}
