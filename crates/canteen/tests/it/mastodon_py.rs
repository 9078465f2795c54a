//! Mastodon.py, unchanged, against a real `canteen serve` on a loopback port.

use crate::support;

use std::path::PathBuf;
use std::process::Command;

use support::{Backend, Spawned, TestDb, canteen_cmd};

/// The Python that has Mastodon.py: `CANTEEN_TEST_PYTHON`, else the repository's `.venv`.
/// Missing under `CI=true` is a failure; elsewhere the test says how to set it up.
fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [std::env::var_os("CANTEEN_TEST_PYTHON").map(PathBuf::from), Some(root.join(".venv/bin/python"))];
    for p in candidates.into_iter().flatten() {
        if Command::new(&p).args(["-c", "import mastodon"]).output().is_ok_and(|o| o.status.success()) {
            return Some(p);
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but Mastodon.py is not installed: run scripts/test (it creates .venv from tests/clients/requirements.txt)"
        );
    }
    eprintln!("skipped: Mastodon.py not installed (scripts/test installs it into .venv)");
    None
}

async fn mastodon_py_signs_in_and_edits_a_profile(b: Backend) {
    let Some(py) = python() else { return };
    let db = TestDb::new(b).await;
    let out = canteen_cmd()
        .args(["admin", "create-user", "nurse_jo", "--email", "jo@nhs.net", "--password", "a good password"])
        .arg("--data-dir")
        .arg(db.dir.path())
        .args(["--database-url", &db.url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = Spawned::start(&db, &[]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/mastodon_py_check.py");
    let base = server.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(py).arg(script).args([&base, "nurse_jo", "jo@nhs.net", "a good password"]).output().unwrap()
    })
    .await
    .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Mastodon.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("mastodon.py: ok"));
}

async fn mastodon_py_two_people_follow_post_and_notify(b: Backend) {
    let Some(py) = python() else { return };
    let db = TestDb::new(b).await;
    for (name, email) in [("nurse_a", "a@nhs.net"), ("nurse_b", "b@nhs.net")] {
        let out = canteen_cmd()
            .args(["admin", "create-user", name, "--email", email, "--password", "a good password"])
            .arg("--data-dir")
            .arg(db.dir.path())
            .args(["--database-url", &db.url])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let server = Spawned::start(&db, &[]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/mastodon_py_social.py");
    let photo = db.dir.path().join("gps.jpg");
    std::fs::write(&photo, support::jpeg_with_gps()).unwrap();
    let base = server.base.clone();
    let out =
        tokio::task::spawn_blocking(move || Command::new(py).arg(script).arg(&base).arg(&photo).output().unwrap())
            .await
            .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Mastodon.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("mastodon.py social: ok"));
}

backend_tests!(mastodon_py_signs_in_and_edits_a_profile, mastodon_py_two_people_follow_post_and_notify);
