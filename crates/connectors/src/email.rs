//! E-mail: messages arrive over IMAP (the pipeline's mail poller stores each new
//! message as an inbound event, keyed by its Message-ID) and replies leave over SMTP,
//! threaded with `In-Reply-To` / `References` so that the member's mail program shows
//! one conversation. There is no webhook: anything at `/hooks/email/…` is refused.

use crate::model::*;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials as SmtpCredentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mail_parser::MessageParser;

pub fn verify(_creds: &Credentials, _req: &SignedRequest<'_>) -> Result<(), VerifyError> {
    Err(VerifyError::BadSignature)
}

/// The idempotency key of a raw message: its Message-ID (a message without one, which
/// is rare and broken, is keyed by a hash of its bytes).
pub fn key_of(raw: &[u8]) -> String {
    match MessageParser::default()
        .parse_headers(raw)
        .and_then(|m| m.message_id().map(str::to_string))
    {
        Some(id) => format!("mid:{id}"),
        None => format!(
            "sha:{}",
            hex::encode(&crate::hmac_sha256(b"guyub-mail", raw)[..16])
        ),
    }
}

pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    if body.is_empty() {
        return Err(ParseError::new("empty message"));
    }
    Ok(vec![RawEvent {
        key: key_of(body),
        body: body.to_vec(),
    }])
}

/// A member's e-mail as a message: the sender's address is the identity, the subject
/// is the first line of the text (replies take it up as "Re: …").
pub fn parse(raw: &[u8]) -> Result<Event, ParseError> {
    let m = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| ParseError::new("not an e-mail message"))?;
    let from = m
        .from()
        .and_then(|f| f.first())
        .ok_or_else(|| ParseError::new("no From"))?;
    let address = from
        .address()
        .ok_or_else(|| ParseError::new("From has no address"))?
        .trim()
        .to_lowercase();
    if m.header("Auto-Submitted")
        .is_some_and(|v| v.as_text().is_some_and(|t| !t.eq_ignore_ascii_case("no")))
    {
        return Ok(Event::Ignored("automatic reply".into()));
    }
    let subject = m.subject().unwrap_or("").trim().to_string();
    let body = m.body_text(0).map(|b| strip_quoted(&b)).unwrap_or_default();
    let text = if subject.is_empty() {
        body
    } else {
        format!("{subject}\n\n{body}")
    };
    let id = m
        .message_id()
        .map(str::to_string)
        .unwrap_or_else(|| key_of(raw));
    Ok(Event::Message(InboundMessage {
        provider_id: id,
        sender: Sender {
            external_id: address,
            display_name: from.name().map(str::to_string),
            handle: None,
        },
        reply_to_address: None,
        at_ms: m.date().map(|d| d.to_timestamp() * 1000).unwrap_or(0),
        content: Content::Text {
            text: text.trim().to_string(),
        },
        reply_token: None,
        in_reply_to: m.in_reply_to().as_text().map(str::to_string),
    }))
}

/// Drops the quoted history a mail program appends to a reply ("> …" lines and what
/// follows an "On … wrote:" / "Pada … menulis:" line).
fn strip_quoted(body: &str) -> String {
    let mut out = Vec::new();
    for line in body.lines() {
        let l = line.trim();
        if (l.starts_with("On ") && l.ends_with("wrote:"))
            || (l.starts_with("Pada ") && l.ends_with("menulis:"))
        {
            break;
        }
        if !l.starts_with('>') {
            out.push(line);
        }
    }
    out.join("\n").trim().to_string()
}

/// What a reply needs to thread: the member's last message id and its subject line.
#[derive(Debug, Clone, Default)]
pub struct Thread<'a> {
    pub in_reply_to: Option<&'a str>,
    pub subject: Option<&'a str>,
}

/// Builds the reply.
pub fn compose(
    creds: &Credentials,
    to: &str,
    text: &str,
    thread: &Thread<'_>,
    message_id: &str,
) -> Result<Message, SendError> {
    let bad = |what: &str, e: String| SendError::Permanent {
        reason: format!("{what}: {e}"),
    };
    let from: Mailbox = creds
        .get("address")
        .parse()
        .map_err(|e: lettre::address::AddressError| bad("channel address", e.to_string()))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e: lettre::address::AddressError| bad("recipient", e.to_string()))?;
    let subject = match thread.subject.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.to_lowercase().starts_with("re:") => s.to_string(),
        Some(s) => format!("Re: {s}"),
        None => "Pesan dari koperasi".to_string(),
    };
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.to_string()));
    if let Some(r) = thread.in_reply_to {
        let r = if r.starts_with('<') {
            r.to_string()
        } else {
            format!("<{r}>")
        };
        b = b.in_reply_to(r.clone()).references(r);
    }
    b.header(ContentType::TEXT_PLAIN)
        .body(text.to_string())
        .map_err(|e| bad("message", e.to_string()))
}

/// Sends over SMTP: `smtp_tls` = `tls` (implicit, port 465), `starttls` (587), or
/// `none` (a relay on a trusted network that needs no login, and tests).
pub async fn send(
    creds: &Credentials,
    out: &Outgoing<'_>,
    thread: &Thread<'_>,
) -> Result<Sent, SendError> {
    let text = match out.content {
        OutContent::Text { text } => text.clone(),
        OutContent::Media { url, caption, .. } => {
            format!("{}\n{url}", caption.clone().unwrap_or_default())
                .trim()
                .to_string()
        }
        OutContent::Template { .. } => {
            return Err(SendError::Permanent {
                reason: "templates are a WhatsApp feature".into(),
            });
        }
    };
    let domain = creds
        .get("address")
        .rsplit('@')
        .next()
        .unwrap_or("localhost")
        .to_string();
    let message_id = format!("<{}@{domain}>", out.idempotency_key);
    let email = compose(creds, out.to, &text, thread, &message_id)?;
    let host = creds.get("smtp_host");
    let port: u16 = creds.get("smtp_port").parse().unwrap_or(587);
    let builder = match creds.get("smtp_tls") {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
        "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            host,
        )),
        _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
    }
    .map_err(|e| SendError::Permanent {
        reason: format!("SMTP settings: {e}"),
    })?;
    let mut builder = builder
        .port(port)
        .timeout(Some(std::time::Duration::from_secs(30)));
    // The password goes only over an encrypted connection; `none` is for a relay on a
    // trusted network that needs no login.
    if !creds.get("username").is_empty() && creds.get("smtp_tls") != "none" {
        builder = builder.credentials(SmtpCredentials::new(
            creds.get("username").to_string(),
            creds.get("password").to_string(),
        ));
    }
    match builder.build().send(email).await {
        Ok(_) => Ok(Sent {
            provider_id: message_id,
        }),
        Err(e) if e.is_permanent() => Err(SendError::Permanent {
            reason: format!("SMTP: {e}"),
        }),
        Err(e) => Err(SendError::Transient {
            reason: format!("SMTP: {e}"),
            retry_after: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From: Siti Rahayu <Siti.Rahayu@Example.ID>\r\nTo: cs@koperasi.example\r\nSubject: Pinjaman usaha\r\nMessage-ID: <abc123@example.id>\r\nIn-Reply-To: <out1@koperasi.example>\r\nDate: Sun, 24 Nov 2024 10:00:00 +0700\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSaya mau tanya syarat pinjaman usaha.\r\n\r\nPada Sen, 23 Nov 2024 CS menulis:\r\n> jawaban lama\r\n";

    #[test]
    fn parses_a_reply_and_drops_the_quote() {
        assert_eq!(
            split(MAIL.as_bytes()).unwrap()[0].key,
            "mid:abc123@example.id"
        );
        let Event::Message(m) = parse(MAIL.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(m.sender.external_id, "siti.rahayu@example.id");
        assert_eq!(m.sender.display_name.as_deref(), Some("Siti Rahayu"));
        assert_eq!(m.provider_id, "abc123@example.id");
        assert_eq!(m.in_reply_to.as_deref(), Some("out1@koperasi.example"));
        assert_eq!(
            m.content,
            Content::Text {
                text: "Pinjaman usaha\n\nSaya mau tanya syarat pinjaman usaha.".into()
            }
        );
        let auto = MAIL.replace("Subject:", "Auto-Submitted: auto-replied\r\nSubject:");
        assert!(matches!(parse(auto.as_bytes()).unwrap(), Event::Ignored(_)));
        assert!(split(b"").is_err());
        assert!(parse(b"no headers at all").is_err());
    }

    #[test]
    fn replies_thread() {
        let mut c = Credentials::default();
        c.values
            .insert("address".into(), "cs@koperasi.example".into());
        let t = Thread {
            in_reply_to: Some("abc123@example.id"),
            subject: Some("Pinjaman usaha"),
        };
        let m = compose(
            &c,
            "siti.rahayu@example.id",
            "Syaratnya KTP dan KK.",
            &t,
            "<m1@koperasi.example>",
        )
        .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Subject: Re: Pinjaman usaha"), "{raw}");
        assert!(raw.contains("In-Reply-To: <abc123@example.id>"), "{raw}");
        assert!(raw.contains("References: <abc123@example.id>"), "{raw}");
        assert!(compose(&c, "not an address", "x", &t, "<m@x>").is_err());
    }
}
