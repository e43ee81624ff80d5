//! E-mail: messages arrive over IMAP (the pipeline's mail poller stores each new
//! message as an inbound event, keyed by its Message-ID) and replies leave over SMTP,
//! threaded with `In-Reply-To` / `References` so that the member's mail program shows
//! one conversation. There is no webhook: anything at `/hooks/email/…` is refused.

use crate::model::*;
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials as SmtpCredentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

/// Attachments of one e-mail beyond this many are not taken (a mail that carries more
/// is unusual and more likely abuse than a member's papers).
pub const MAX_ATTACHMENTS: usize = 20;

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

/// One event for the mail itself (its text, keyed by Message-ID) and one small event per
/// attachment, keyed `mid:…#N`, that names the part; the attachment's bytes stay in the
/// mail's stored event and the media fetcher takes them from there (`attachment`).
pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    if body.is_empty() {
        return Err(ParseError::new("empty message"));
    }
    // A stored attachment event is JSON; a mail never starts with `{` (header names
    // cannot), so one cannot pass itself off as the other.
    if body.starts_with(b"{") {
        return Err(ParseError::new("not an e-mail message"));
    }
    let key = key_of(body);
    let mut events = vec![RawEvent {
        key: key.clone(),
        body: body.to_vec(),
    }];
    let Some(m) = MessageParser::default().parse(body) else {
        return Ok(events);
    };
    let from = m.from().and_then(|f| f.first());
    let address = from
        .and_then(|f| f.address())
        .map(|a| a.trim().to_lowercase());
    let Some(address) = address else {
        return Ok(events);
    };
    let message_id = m
        .message_id()
        .map(str::to_string)
        .unwrap_or_else(|| key.clone());
    for (index, part) in m.attachments().enumerate().take(MAX_ATTACHMENTS) {
        let part = AttachmentRef {
            of: key.clone(),
            index,
            message_id: message_id.clone(),
            from: address.clone(),
            name: from.and_then(|f| f.name()).map(str::to_string),
            at_ms: m
                .date()
                .map(|d| d.to_timestamp().saturating_mul(1000))
                .unwrap_or(0),
            filename: part.attachment_name().map(str::to_string),
            mime: mime_of(part),
        };
        events.push(RawEvent {
            key: format!("{key}#{index}"),
            body: serde_json::to_vec(&AttachmentEvent { email_part: part })?,
        });
    }
    Ok(events)
}

/// The stored event for one attachment of a mail.
#[derive(Debug, Serialize, Deserialize)]
struct AttachmentEvent {
    email_part: AttachmentRef,
}

#[derive(Debug, Serialize, Deserialize)]
struct AttachmentRef {
    /// The event key of the mail that carries it.
    of: String,
    index: usize,
    message_id: String,
    from: String,
    name: Option<String>,
    at_ms: i64,
    filename: Option<String>,
    mime: String,
}

fn mime_of(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map(|c| match c.subtype() {
            Some(sub) => format!("{}/{sub}", c.ctype()),
            None => c.ctype().to_string(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_ascii_lowercase()
}

/// The media reference of attachment `index` of the mail stored under event key `of`.
fn attachment_ref(index: usize, of: &str) -> String {
    format!("email:{index}:{of}")
}

/// Reads a media reference made by this module: (the mail's event key, the index).
pub fn parse_attachment_ref(media_ref: &str) -> Option<(&str, usize)> {
    let rest = media_ref.strip_prefix("email:")?;
    let (index, of) = rest.split_once(':')?;
    Some((of, index.parse().ok()?))
}

/// Attachment `index` of a raw mail: its bytes and type.
pub fn attachment(raw: &[u8], index: usize) -> Option<(Vec<u8>, String)> {
    let m = MessageParser::default().parse(raw)?;
    let part = m.attachments().nth(index)?;
    Some((part.contents().to_vec(), mime_of(part)))
}

fn media_kind(mime: &str) -> MediaKind {
    match mime.split('/').next() {
        Some("image") => MediaKind::Image,
        Some("audio") => MediaKind::Audio,
        Some("video") => MediaKind::Video,
        _ => MediaKind::Document,
    }
}

fn parse_attachment_event(raw: &[u8]) -> Result<Event, ParseError> {
    let e: AttachmentEvent = serde_json::from_slice(raw)?;
    let p = e.email_part;
    Ok(Event::Message(InboundMessage {
        provider_id: format!("{}#{}", p.message_id, p.index),
        sender: Sender {
            external_id: p.from,
            display_name: p.name,
            handle: None,
        },
        reply_to_address: None,
        at_ms: p.at_ms,
        content: Content::Media {
            kind: media_kind(&p.mime),
            media_ref: attachment_ref(p.index, &p.of),
            mime_type: Some(p.mime),
            caption: None,
            filename: p.filename,
        },
        reply_token: None,
        in_reply_to: None,
    }))
}

/// A member's e-mail as a message: the sender's address is the identity, the subject
/// is the first line of the text (replies take it up as "Re: …").
pub fn parse(raw: &[u8]) -> Result<Event, ParseError> {
    if raw.starts_with(b"{") {
        return parse_attachment_event(raw);
    }
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
        at_ms: m
            .date()
            .map(|d| d.to_timestamp().saturating_mul(1000))
            .unwrap_or(0),
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

/// Builds the reply, with the file attached when there is one.
pub fn compose(
    creds: &Credentials,
    to: &str,
    text: &str,
    thread: &Thread<'_>,
    message_id: &str,
    attachment: Option<Attachment<'_>>,
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
    let Some(a) = attachment else {
        return b
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_string())
            .map_err(|e| bad("message", e.to_string()));
    };
    let ty = ContentType::parse(a.content_type).map_err(|e| bad("file type", e.to_string()))?;
    let body = MultiPart::mixed()
        .singlepart(SinglePart::plain(text.to_string()))
        .singlepart(
            lettre::message::Attachment::new(a.filename.to_string()).body(a.bytes.to_vec(), ty),
        );
    b.multipart(body).map_err(|e| bad("message", e.to_string()))
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
        // An uploaded file travels as an attachment; a file elsewhere as its link.
        OutContent::Media { caption, .. } if out.attachment.is_some() => {
            caption.clone().unwrap_or_default()
        }
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
    let email = compose(creds, out.to, &text, thread, &message_id, out.attachment)?;
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

    const WITH_FILES: &str = "From: Budi <budi@example.id>\r\nTo: cs@koperasi.example\r\nSubject: Berkas pinjaman\r\nMessage-ID: <files1@example.id>\r\nDate: Sun, 24 Nov 2024 10:00:00 +0700\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTerlampir KTP dan slip gaji.\r\n--b1\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"ktp.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n--b1\r\nContent-Type: application/pdf; name=\"slip.pdf\"\r\nContent-Disposition: attachment; filename=\"slip.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";

    #[test]
    fn attachments_become_media_messages_that_point_into_the_mail() {
        let events = split(WITH_FILES.as_bytes()).unwrap();
        let keys: Vec<&str> = events.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "mid:files1@example.id",
                "mid:files1@example.id#0",
                "mid:files1@example.id#1"
            ]
        );
        let Event::Message(text) = parse(&events[0].body).unwrap() else {
            panic!()
        };
        assert!(matches!(&text.content, Content::Text { text } if text.contains("Terlampir KTP")));
        let Event::Message(pdf) = parse(&events[2].body).unwrap() else {
            panic!()
        };
        assert_eq!(pdf.provider_id, "files1@example.id#1");
        assert_eq!(pdf.sender.external_id, "budi@example.id");
        let Content::Media {
            kind,
            media_ref,
            mime_type,
            filename,
            ..
        } = &pdf.content
        else {
            panic!("{:?}", pdf.content)
        };
        assert_eq!(*kind, MediaKind::Document);
        assert_eq!(mime_type.as_deref(), Some("application/pdf"));
        assert_eq!(filename.as_deref(), Some("slip.pdf"));
        let (of, index) = parse_attachment_ref(media_ref).unwrap();
        assert_eq!((of, index), ("mid:files1@example.id", 1));
        let (bytes, ty) = attachment(WITH_FILES.as_bytes(), index).unwrap();
        assert_eq!(
            (bytes.as_slice(), ty.as_str()),
            (&b"%PDF-1.4\n"[..], "application/pdf")
        );
        let (jpg, ty) = attachment(WITH_FILES.as_bytes(), 0).unwrap();
        assert_eq!(
            (&jpg[..4], ty.as_str()),
            (&[0xff, 0xd8, 0xff, 0xe0][..], "image/jpeg")
        );
        assert!(attachment(WITH_FILES.as_bytes(), 2).is_none());
        // A mail that pretends to be an attachment event is refused.
        assert!(split(b"{\"email_part\":{}}").is_err());
        assert!(parse(b"{\"email_part\":1}").is_err());
        assert!(parse_attachment_ref("email:x:mid:a").is_none());
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
            None,
        )
        .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Subject: Re: Pinjaman usaha"), "{raw}");
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(raw.contains("In-Reply-To: <abc123@example.id>"), "{raw}");
        assert!(raw.contains("References: <abc123@example.id>"), "{raw}");
        assert!(compose(&c, "not an address", "x", &t, "<m@x>", None).is_err());
        // With a file: a multipart mail whose second part is the file, read back.
        let file = Attachment {
            bytes: b"%PDF-1.4\n",
            content_type: "application/pdf",
            filename: "jadwal.pdf",
        };
        let m = compose(
            &c,
            "siti@example.id",
            "Jadwal angsuran",
            &t,
            "<m2@k>",
            Some(file),
        )
        .unwrap();
        let raw = m.formatted();
        let parsed = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.body_text(0).unwrap().trim(), "Jadwal angsuran");
        assert_eq!(
            attachment(&raw, 0).unwrap(),
            (b"%PDF-1.4\n".to_vec(), "application/pdf".to_string())
        );
        assert_eq!(
            parsed.attachments().next().unwrap().attachment_name(),
            Some("jadwal.pdf")
        );
    }
}
