//! The `canteen guard check` line protocol: JSON lines in, one JSON line out per input.
//!
//! In: `{"id": "…", "text": "…"}` (an optional `"context"` object is honoured; other fields
//! are ignored, so a labelled corpus can be piped straight through).
//! Out: `{"id": "…", "verdict": "pass|warn|block", "findings": [{"category", "start", "end",
//! "severity", "message"}]}`. A line that cannot be read gets `{"id": …, "error": "…"}` and
//! the next line is read as usual.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Context, Finding, Policy, Verdict, check};

#[derive(Deserialize)]
struct Input {
    #[serde(default)]
    id: Value,
    text: String,
    #[serde(default)]
    context: Option<Context>,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a Value,
    verdict: Verdict,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a Value,
    error: String,
}

/// Reads JSON lines from `input` and writes one JSON line per non-blank input line.
/// Only I/O errors stop it; a bad line produces an error line and processing continues.
pub fn check_jsonl(mut input: impl BufRead, mut output: impl Write, policy: &Policy) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s.trim(),
            Err(_) => {
                write_line(
                    &mut output,
                    &ErrorLine { id: &Value::Null, error: format!("line {line_no}: not valid UTF-8") },
                )?;
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Input>(line) {
            Ok(input) => {
                let ctx = input.context.unwrap_or_default();
                let report = check(&input.text, policy, &ctx);
                write_line(
                    &mut output,
                    &Output { id: &input.id, verdict: report.verdict, findings: &report.findings },
                )?;
            }
            Err(e) => {
                // Echo the id if the line is an object that has one.
                let id =
                    serde_json::from_str::<Value>(line).ok().and_then(|v| v.get("id").cloned()).unwrap_or(Value::Null);
                write_line(&mut output, &ErrorLine { id: &id, error: format!("line {line_no}: {e}") })?;
            }
        }
    }
    output.flush()
}

fn write_line(output: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *output, value).map_err(io::Error::other)?;
    output.write_all(b"\n")?;
    // Flushed per line so a caller can talk to the process one post at a time.
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> Vec<Value> {
        let mut out = Vec::new();
        check_jsonl(input.as_bytes(), &mut out, &Policy::default()).unwrap();
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn one_line_out_per_line_in_with_errors_in_place() {
        let out = run(concat!(
            "{\"id\": \"a\", \"text\": \"NHS number 943 476 5919\"}\n",
            "\n",
            "{\"id\": \"b\", \"text\": 12}\n",
            "not json\n",
            "{\"id\": 7, \"text\": \"Lovely sunny day\", \"expected\": {}}\n",
        ));
        assert_eq!(out.len(), 4);
        assert_eq!(out[0]["id"], "a");
        assert_eq!(out[0]["verdict"], "block");
        let f = &out[0]["findings"][0];
        assert_eq!(f["category"], "nhs_number");
        assert_eq!((f["start"].as_u64(), f["end"].as_u64()), (Some(11), Some(23)));
        assert_eq!(f["severity"], "block");
        assert!(f["message"].as_str().unwrap().contains("943 476 5919"));
        assert_eq!(out[1]["id"], "b");
        assert!(out[1]["error"].as_str().unwrap().starts_with("line 3:"));
        assert_eq!(out[2]["id"], Value::Null);
        assert!(out[2]["error"].is_string());
        assert_eq!(out[3]["id"], 7);
        assert_eq!(out[3]["verdict"], "pass");
        assert_eq!(out[3]["findings"], serde_json::json!([]));
    }

    #[test]
    fn invalid_utf8_gets_an_error_line() {
        let mut out = Vec::new();
        let input: &[u8] = b"\xff\xfe\n{\"id\":\"x\",\"text\":\"hi\"}\n";
        check_jsonl(input, &mut out, &Policy::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("not valid UTF-8"));
        assert!(lines[1].contains("\"pass\""));
    }

    #[test]
    fn context_in_the_input_is_honoured() {
        let out = run("{\"id\":\"m\",\"text\":\"Look at this\",\"context\":{\"has_media\":true}}\n");
        assert_eq!(out[0]["findings"][0]["category"], "photo_of_patient");
    }
}
