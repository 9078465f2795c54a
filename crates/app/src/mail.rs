//! Sending email. The transport is a configuration choice: a file outbox in the data folder
//! (the embedded default: each message is an `.eml` file an admin can open or hand to any
//! mailer) or SMTP to a relay. Mail is sent from the durable job table, so a message asked
//! for is not lost when the relay is down or the server restarts; it is retried.
//!
//! The SMTP client speaks plain SMTP (RFC 5321) without TLS or authentication: it is meant
//! for a relay on the same machine or private network (Postfix, an organisation's
//! smarthost), which handles TLS onwards. Nothing secret is kept in a job's payload.

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// One `.eml` file per message in this folder.
    Outbox(PathBuf),
    /// An SMTP relay at `host:port`.
    Smtp { host: String, port: u16 },
}

/// One plain-text message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The message as RFC 5322 text with CRLF line ends (headers are ASCII: the subject and
/// addresses we send are ours; the body is UTF-8, declared as such).
fn render(from: &str, mail: &Mail, message_id: &str, date: &str) -> String {
    let mut out = String::new();
    let clean = |s: &str| s.replace(['\r', '\n'], " ");
    out.push_str(&format!("From: {}\r\n", clean(from)));
    out.push_str(&format!("To: {}\r\n", clean(&mail.to)));
    out.push_str(&format!("Subject: {}\r\n", clean(&mail.subject)));
    out.push_str(&format!("Date: {date}\r\n"));
    out.push_str(&format!("Message-ID: <{message_id}>\r\n"));
    out.push_str(
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    for line in mail.body.lines() {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out
}

/// Sends one message; an error is retried by the job that called this.
pub async fn send(transport: &MailTransport, from: &str, mail: &Mail) -> Result<(), String> {
    let id =
        format!("{}.{}@canteen", crate::clock::now_ms(), crate::secrets::random_token().map_err(|e| e.to_string())?);
    let date = chrono::Utc::now().to_rfc2822();
    let text = render(from, mail, &id, &date);
    match transport {
        MailTransport::Outbox(dir) => write_outbox(dir, &id, &text).await,
        MailTransport::Smtp { host, port } => {
            let exchange = smtp_send(host, *port, from, &mail.to, &text);
            tokio::time::timeout(Duration::from_secs(60), exchange)
                .await
                .map_err(|_| format!("SMTP relay {host}:{port} did not answer within 60 s"))?
        }
    }
}

/// Writes to a temporary name and renames, so a reader never sees half a message.
async fn write_outbox(dir: &std::path::Path, id: &str, text: &str) -> Result<(), String> {
    tokio::fs::create_dir_all(dir).await.map_err(|e| format!("mail outbox {}: {e}", dir.display()))?;
    let name: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(format!("{name}.eml"));
    tokio::fs::write(&tmp, text).await.map_err(|e| format!("mail outbox {}: {e}", tmp.display()))?;
    tokio::fs::rename(&tmp, &path).await.map_err(|e| format!("mail outbox {}: {e}", path.display()))
}

async fn smtp_send(host: &str, port: u16, from: &str, to: &str, text: &str) -> Result<(), String> {
    let stream = TcpStream::connect((host, port)).await.map_err(|e| format!("SMTP relay {host}:{port}: {e}"))?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    expect(&mut read, 220).await?;
    let helo_name = from.rsplit('@').next().unwrap_or("localhost").trim_end_matches('>');
    command(&mut write, &format!("EHLO {helo_name}")).await?;
    expect(&mut read, 250).await?;
    command(&mut write, &format!("MAIL FROM:<{}>", bare_address(from))).await?;
    expect(&mut read, 250).await?;
    command(&mut write, &format!("RCPT TO:<{}>", bare_address(to))).await?;
    expect(&mut read, 250).await?;
    command(&mut write, "DATA").await?;
    expect(&mut read, 354).await?;
    // Dot-stuffing: a line that starts with "." gets another, so it cannot end the data.
    let mut data = String::with_capacity(text.len() + 8);
    for line in text.split("\r\n") {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    let data = data.trim_end_matches("\r\n").to_string() + "\r\n.\r\n";
    write.write_all(data.as_bytes()).await.map_err(|e| format!("SMTP: {e}"))?;
    expect(&mut read, 250).await?;
    command(&mut write, "QUIT").await?;
    Ok(())
}

/// `Name <a@b>` → `a@b`.
fn bare_address(a: &str) -> String {
    match (a.find('<'), a.rfind('>')) {
        (Some(s), Some(e)) if s < e => a[s + 1..e].trim().to_string(),
        _ => a.trim().to_string(),
    }
}

async fn command(w: &mut tokio::net::tcp::OwnedWriteHalf, line: &str) -> Result<(), String> {
    w.write_all(format!("{line}\r\n").as_bytes()).await.map_err(|e| format!("SMTP: {e}"))
}

/// Reads one reply (all its `NNN-` lines and the final `NNN `) and checks its code; 251
/// ("will forward") counts as 250.
async fn expect(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, code: u16) -> Result<(), String> {
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).await.map_err(|e| format!("SMTP: {e}"))?;
        if n == 0 {
            return Err("SMTP relay closed the connection".into());
        }
        let got: u16 = line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| format!("SMTP: bad reply {line:?}"))?;
        if line.as_bytes().get(3) == Some(&b'-') {
            continue;
        }
        return if got == code || (code == 250 && got == 251) {
            Ok(())
        } else {
            Err(format!("SMTP relay said: {}", line.trim_end()))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_headers_without_injection() {
        let m = Mail { to: "a@example.org\r\nBcc: x@evil".into(), subject: "Hi".into(), body: "line 1\nline 2".into() };
        let t = render("Canteen <c@example.org>", &m, "1@canteen", "Sat, 21 Nov 2026 10:00:00 +0000");
        assert!(t.contains("To: a@example.org  Bcc: x@evil\r\n"), "{t}");
        assert!(!t.contains("\r\nBcc:"));
        assert!(t.ends_with("line 1\r\nline 2\r\n"));
    }

    #[test]
    fn bare_addresses() {
        assert_eq!(bare_address("Canteen <c@example.org>"), "c@example.org");
        assert_eq!(bare_address(" c@example.org "), "c@example.org");
    }
}
