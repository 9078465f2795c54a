//! The web app in a real browser: Debian's `chromium` driven by playwright-core
//! (`tests/web-browser/check.mjs`), with axe-core run on every page visited (welcome,
//! sign-in, sign-in with errors, home, profile, sign-up, not found), at desktop and 375-px
//! widths. It fails on any axe violation, CSP violation, console error or broken request.
//!
//! Needs `chromium` (Debian package) and `npm ci` in `tests/web-browser`. Without them the
//! test is skipped with a notice — except under `CI=true`, where that is a failure.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Backend, Spawned, TestDb, canteen_cmd};

const PASSWORD: &str = "a good password";

/// The chromium binary and the test's directory, when both are ready.
fn browser_setup() -> Option<(PathBuf, PathBuf)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/web-browser");
    let chromium = std::env::var_os("CHROMIUM_PATH").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    let missing = if !chromium.exists() {
        Some(format!("{} not found (apt-get install chromium)", chromium.display()))
    } else if !dir.join("node_modules/playwright-core").exists() || !dir.join("node_modules/axe-core").exists() {
        Some("tests/web-browser/node_modules missing (npm ci in tests/web-browser)".to_string())
    } else if !Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success()) {
        Some("node not found".to_string())
    } else {
        None
    };
    match missing {
        None => Some((chromium, dir)),
        Some(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but the browser test cannot run: {why}")
        }
        Some(why) => {
            eprintln!("skipped: the browser test needs chromium and its npm packages: {why}");
            None
        }
    }
}

fn create_user(db: &TestDb, name: &str) {
    create_user_with_role(db, name, "user")
}

fn create_user_with_role(db: &TestDb, name: &str, role: &str) {
    let out = canteen_cmd()
        .args(["admin", "create-user", name, "--email", &format!("{name}@example.nhs.uk"), "--password", PASSWORD])
        .args(["--role", role])
        .arg("--data-dir")
        .arg(db.dir.path())
        .args(["--database-url", &db.url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn run_check(chromium: &Path, dir: &Path, base: &str, email: &str) -> std::process::Output {
    Command::new("node")
        .arg(dir.join("check.mjs"))
        .args([base, email, PASSWORD])
        .env("CHROMIUM_PATH", chromium)
        .current_dir(dir)
        .output()
        .unwrap()
}

async fn pages_have_no_accessibility_violations(b: Backend) {
    let Some((chromium, dir)) = browser_setup() else { return };
    let db = TestDb::new(b).await;
    create_user(&db, "alice");
    create_user(&db, "bob");
    let server = Spawned::start(&db, &[]).await;
    let client = reqwest::Client::new();
    let alice = support::password_token(&client, &server.base, "alice", PASSWORD).await;
    let bob = support::password_token(&client, &server.base, "bob", PASSWORD).await;
    let bob_id = client
        .get(format!("{}/api/v1/accounts/lookup?acct=bob", server.base))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = client.post(format!("{}/api/v1/accounts/{bob_id}/follow", server.base)).bearer_auth(&alice).send().await;
    assert!(r.unwrap().status().is_success());
    for (token, text) in [
        (&bob, "Shift swap board is up for next week. #nursing"),
        (&alice, "Hello from the ward, a link: https://example.org/guide"),
    ] {
        let r = client
            .post(format!("{}/api/v1/statuses", server.base))
            .bearer_auth(token)
            .form(&[("status", text), ("visibility", "public")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    // The server's worker fans posts out to home feeds; wait for both to arrive.
    let mut arrived = 0;
    for _ in 0..100 {
        let home: serde_json::Value = client
            .get(format!("{}/api/v1/timelines/home", server.base))
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        arrived = home.as_array().map_or(0, |a| a.len());
        if arrived >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(arrived, 2, "the posts did not reach the home feed");

    let base = server.base.clone();
    let out =
        tokio::task::spawn_blocking(move || run_check(&chromium, &dir, &base, "alice@example.nhs.uk")).await.unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the browser check failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("no axe violations"), "{stdout}");
}

/// The journey, with JavaScript on and then off: a new person signs up, picks a
/// profile mode, acknowledges the policy (set by the admin in the browser), follows, writes a
/// post with a valid NHS number and sees the guard's finding (live as they type, or when the
/// form comes back), removes it and posts; carol sees it arrive (live, or on reload); bob
/// approves the newcomer's follow request; bob's stranger view hides his followers-only post
/// and hidden employer. axe-core runs on every page visited.
async fn the_main_journey_in_a_real_browser(b: Backend) {
    let Some((chromium, dir)) = browser_setup() else { return };
    let db = TestDb::new(b).await;
    create_user_with_role(&db, "admin", "admin");
    create_user(&db, "bob");
    create_user(&db, "carol");
    let server = Spawned::start(&db, &[]).await;
    let client = reqwest::Client::new();
    let bob = support::password_token(&client, &server.base, "bob", PASSWORD).await;
    let r = client
        .patch(format!("{}/api/v1/accounts/update_credentials", server.base))
        .bearer_auth(&bob)
        .form(&[
            ("locked", "true"),
            ("canteen[employer]", "Northtown Hospital"),
            ("canteen[employer_visibility]", "only_me"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    for (text, visibility) in [("Public hello", "public"), ("Followers only news", "private")] {
        let r = client
            .post(format!("{}/api/v1/statuses", server.base))
            .bearer_auth(&bob)
            .form(&[("status", text), ("visibility", visibility)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    // A poll for the newcomers to vote in.
    let r = client
        .post(format!("{}/api/v1/statuses", server.base))
        .bearer_auth(&bob)
        .form(&[
            ("status", "Which topic for the next study day?"),
            ("visibility", "public"),
            ("poll[options][]", "Infection control"),
            ("poll[options][]", "Falls prevention"),
            ("poll[expires_in]", "86400"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    for mode in ["js", "nojs"] {
        let (chromium, dir, base) = (chromium.clone(), dir.clone(), server.base.clone());
        let out = tokio::task::spawn_blocking(move || {
            // `timeout`: a hung browser must not hang the test run.
            Command::new("timeout")
                .args(["300", "node"])
                .arg(dir.join("journey.mjs"))
                .args([base.as_str(), PASSWORD, mode])
                .env("CHROMIUM_PATH", &chromium)
                .current_dir(&dir)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "the {mode} journey failed:\n{stdout}\n{stderr}\n{}", server.log(&db));
        assert!(stdout.contains(&format!("journey ({mode}) done")), "{stdout}");
    }
}

backend_tests!(pages_have_no_accessibility_violations, the_main_journey_in_a_real_browser);
