//! The guard in the posting path: blocks, warnings and their acknowledgement, the check
//! endpoint, the organisation's policy, the audit trail, and the `canteen guard` commands.

use crate::support;

use std::io::Write;
use std::process::Stdio;

use axum::http::Method;
use serde_json::{Value, json};
use support::{Backend, TestServer, canteen_cmd};

const NHS: &str = "Discharged the patient with NHS number 943 476 5919 this morning";
const ANGRY: &str = "I am absolutely livid with management, they are useless";

async fn admin_token(s: &TestServer) -> String {
    s.user("admin").await;
    canteen_app::admin::set_role(&s.app, "admin", canteen_domain::account::Role::Admin).await.unwrap();
    s.token_for("admin", "read write admin:read admin:write").await
}

async fn blocks_warns_and_acknowledgements(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let before = s.count("statuses").await;

    let blocked = s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": NHS})).await;
    let message = blocked.error(422);
    assert!(message.contains("943 476 5919") && message.contains("NHS number"), "{message}");
    let report = &blocked.json["canteen_guard"];
    assert_eq!(report["verdict"], "block");
    assert_eq!(report["findings"][0]["category"], "nhs_number");
    let (start, end) = (
        report["findings"][0]["start"].as_u64().unwrap() as usize,
        report["findings"][0]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&NHS[start..end], "943 476 5919");
    // A block cannot be acknowledged away.
    let fp = report["fingerprint"].as_str().unwrap();
    let again =
        s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": NHS, "canteen_guard_ack": fp})).await;
    again.error(422);
    // The content warning is checked too.
    let cw =
        s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": "see inside", "spoiler_text": NHS})).await;
    assert_eq!(cw.json["canteen_guard"]["verdict"], "block", "{}", cw.text);

    let warned = s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": ANGRY})).await;
    assert!(warned.error(422).contains("canteen_guard_ack"));
    assert_eq!(warned.json["canteen_guard"]["verdict"], "warn");
    let fp = warned.json["canteen_guard"]["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(s.count("statuses").await, before, "nothing refused was written");

    // Acknowledging a different text does not carry over.
    let changed = s
        .json(
            Method::POST,
            "/api/v1/statuses",
            Some(&jo),
            json!({"status": format!("{ANGRY}!!"), "canteen_guard_ack": fp}),
        )
        .await;
    changed.error(422);
    let ok =
        s.form(Method::POST, "/api/v1/statuses", Some(&jo), &[("status", ANGRY), ("canteen_guard_ack", &fp)]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(s.count("statuses").await, before + 1);
    assert!(s.count("guard_acknowledgements").await >= 1, "the acknowledgement is audited");

    // Edits are checked as well.
    let id = ok.json["id"].as_str().unwrap();
    let edit = s.json(Method::PUT, &format!("/api/v1/statuses/{id}"), Some(&jo), json!({"status": NHS})).await;
    assert_eq!(edit.json["canteen_guard"]["verdict"], "block");
    assert_eq!(
        s.get(&format!("/api/v1/statuses/{id}/source"), Some(&jo)).await.json["text"],
        ANGRY,
        "the refused edit changed nothing"
    );
}

async fn check_endpoint_policy_and_audit(b: Backend) {
    let s = TestServer::new(b).await;
    let (_, jo) = s.signed_in("jo").await;
    let admin = admin_token(&s).await;
    let r = s.json(Method::POST, "/api/v1/canteen/guard/check", Some(&jo), json!({"status": NHS})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["verdict"], "block");
    let clean =
        s.json(Method::POST, "/api/v1/canteen/guard/check", Some(&jo), json!({"status": "Great teamwork today"})).await;
    assert_eq!(clean.json["verdict"], "pass");
    let photo = s
        .json(
            Method::POST,
            "/api/v1/canteen/guard/check",
            Some(&jo),
            json!({"status": "Our new garden", "has_media": true}),
        )
        .await;
    assert_eq!(photo.json["findings"][0]["category"], "photo_of_patient");
    let confirmed = s
        .json(
            Method::POST,
            "/api/v1/canteen/guard/check",
            Some(&jo),
            json!({"status": "Our new garden", "has_media": true, "media_confirmed_no_patient": true}),
        )
        .await;
    assert_eq!(confirmed.json["verdict"], "pass");
    s.json(Method::POST, "/api/v1/canteen/guard/check", None, json!({"status": "x"})).await.error(401);

    // The policy: anyone signed in may read it; only admins may change it.
    assert!(s.get("/api/v1/canteen/guard/policy", Some(&jo)).await.json["categories"].is_object());
    let mut policy: Value = s.get("/api/v1/canteen/guard/policy", Some(&admin)).await.json;
    policy["categories"]["negative_emotion"] = json!("off");
    let put = |tok: &str, body: String| {
        axum::http::Request::put("/api/v1/canteen/guard/policy")
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    s.send(put(&jo, policy.to_string())).await.error(403);
    let bad = s.send(put(&admin, json!({"categories": {"nhs_number": "maybe"}}).to_string())).await;
    assert!(bad.error(422).contains("not valid"));
    let set = s.send(put(&admin, policy.to_string())).await;
    assert_eq!(set.status, 200, "{}", set.text);
    let calm = s
        .json(Method::POST, "/api/v1/canteen/guard/check", Some(&jo), json!({"status": "I am absolutely livid today"}))
        .await;
    assert!(
        calm.json["findings"].as_array().unwrap().iter().all(|f| f["category"] != "negative_emotion"),
        "{}",
        calm.text
    );

    // Audit: who acknowledged what, never the text.
    let warned = s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": ANGRY})).await;
    let fp = warned.json["canteen_guard"]["fingerprint"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        s.json(Method::POST, "/api/v1/statuses", Some(&jo), json!({"status": ANGRY, "canteen_guard_ack": fp}))
            .await
            .status,
        200
    );
    let audit = s.get("/api/v1/canteen/guard/audit", Some(&admin)).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    assert_eq!(audit.json[0]["category"], "grievance");
    assert!(!audit.text.contains("livid") && !audit.text.contains("management"), "no text in the audit");
    s.get("/api/v1/canteen/guard/audit", Some(&jo)).await.error(403);
    let m = s.get("/metrics", None).await.text;
    assert!(m.contains("canteen_guard_findings_total") && m.contains("canteen_guard_acknowledged_total"));
}

backend_tests!(blocks_warns_and_acknowledgements, check_endpoint_policy_and_audit);

fn guard_cli(args: &[&str], input: &str) -> (String, String, bool) {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = canteen_cmd()
        .current_dir(tmp.path())
        .arg("guard")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn guard_check_command_speaks_json_lines() {
    let input = format!(
        "{}\n{}\nnot json\n",
        json!({"id": "a", "text": NHS}),
        json!({"id": "b", "text": "Thanks to the whole team"})
    );
    let (out, err, ok) = guard_cli(&["check"], &input);
    assert!(ok, "{err}");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "one line per input, bad lines included");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["verdict"], "block");
    assert_eq!(lines[0]["findings"][0]["category"], "nhs_number");
    assert_eq!(lines[1]["verdict"], "pass");
    assert!(lines[2]["error"].is_string());

    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.json");
    std::fs::write(&policy, json!({"categories": {"nhs_number": "warn"}}).to_string()).unwrap();
    let (out, err, ok) =
        guard_cli(&["check", "--policy", policy.to_str().unwrap()], &format!("{}\n", json!({"id": "a", "text": NHS})));
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(out.trim()).unwrap()["verdict"], "warn");
    std::fs::write(&policy, "{\"categories\": {\"nhs_number\": 3}}").unwrap();
    let (_, err, ok) = guard_cli(&["check", "--policy", policy.to_str().unwrap()], "");
    assert!(!ok && err.contains("not valid"), "{err}");
}

#[test]
fn guard_eval_command_scores_a_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("c.jsonl");
    let lines = [
        json!({"id": "1", "text": NHS, "expected": {"verdict": "block", "categories": ["nhs_number"]}}),
        json!({"id": "2", "text": "Thanks to the ward team", "expected": {"verdict": "pass", "categories": []}}),
    ];
    std::fs::write(&corpus, lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n")).unwrap();
    let (out, err, ok) = guard_cli(&["eval", corpus.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(out.contains("nhs_number") && out.to_lowercase().contains("f1"), "{out}");
}
