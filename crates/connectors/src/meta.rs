//! Meta's webhooks, shared by WhatsApp, Messenger and Instagram: the `hub.*` handshake
//! and `X-Hub-Signature-256`. Messenger and Instagram messaging events (one shape for
//! both, `object` = `page` or `instagram`) and their Send API.

use crate::model::*;
use crate::{hmac_sha256, same};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: echo the challenge
/// when the token is the channel's.
pub fn handshake(
    creds: &Credentials,
    query: &[(String, String)],
) -> Result<Handshake, VerifyError> {
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let expected = creds.get("verify_token");
    if expected.is_empty() {
        return Err(VerifyError::NotConfigured("verify_token"));
    }
    match (
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    ) {
        (Some("subscribe"), Some(token), Some(challenge))
            if !challenge.is_empty() && challenge.len() <= 256 =>
        {
            if same(token.as_bytes(), expected.as_bytes()) {
                Ok(Handshake {
                    content_type: "text/plain",
                    body: challenge.to_string(),
                })
            } else {
                Err(VerifyError::BadVerifyToken)
            }
        }
        _ => Err(VerifyError::BadHandshake),
    }
}

/// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.
pub fn verify(creds: &Credentials, req: &SignedRequest<'_>) -> Result<(), VerifyError> {
    let secret = creds.get("app_secret");
    if secret.is_empty() {
        return Err(VerifyError::NotConfigured("app_secret"));
    }
    let header = (req.header)("x-hub-signature-256").ok_or(VerifyError::MissingSignature)?;
    let given = header
        .strip_prefix("sha256=")
        .ok_or(VerifyError::BadSignature)?;
    let given = hex::decode(given.trim()).map_err(|_| VerifyError::BadSignature)?;
    if same(&given, &hmac_sha256(secret.as_bytes(), req.body)) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature)
    }
}

/// The header a fake (or a test) puts on a body it sends as Meta.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(hmac_sha256(app_secret.as_bytes(), body))
    )
}

#[derive(Deserialize)]
struct Delivery<'a> {
    #[serde(default, borrow)]
    entry: Vec<Entry<'a>>,
}
#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(default, borrow)]
    messaging: Vec<&'a RawValue>,
}

/// One event per `messaging` item, keyed by what makes it unique: the message id
/// (`m:`), a postback (`p:`), each delivered id (`d:`), a read watermark (`r:`), a
/// reaction (`x:`).
pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    let d: Delivery = serde_json::from_slice(body)?;
    let mut out = Vec::new();
    for item in d.entry.iter().flat_map(|e| &e.messaging) {
        let v: Value = serde_json::from_str(item.get())?;
        let sender = v
            .pointer("/sender/id")
            .and_then(Value::as_str)
            .unwrap_or("");
        let ts = v.get("timestamp").and_then(Value::as_i64).unwrap_or(0);
        let key = if let Some(mid) = v.pointer("/message/mid").and_then(Value::as_str) {
            format!("m:{mid}")
        } else if let Some(p) = v.get("postback") {
            format!(
                "p:{}",
                p.get("mid")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{sender}:{ts}"))
            )
        } else if let Some(mids) = v.pointer("/delivery/mids").and_then(Value::as_array) {
            // Each delivered message is its own status event.
            for mid in mids.iter().filter_map(Value::as_str) {
                let mut one = v.clone();
                one["delivery"]["mids"] = json!([mid]);
                out.push(RawEvent {
                    key: format!("d:{mid}"),
                    body: one.to_string().into_bytes(),
                });
            }
            continue;
        } else if let Some(w) = v.pointer("/read/watermark").and_then(Value::as_i64) {
            format!("r:{sender}:{w}")
        } else if let Some(r) = v.get("reaction") {
            format!(
                "x:{}:{}:{}",
                r.get("mid").and_then(Value::as_str).unwrap_or(""),
                r.get("action").and_then(Value::as_str).unwrap_or(""),
                r.get("emoji").and_then(Value::as_str).unwrap_or("")
            )
        } else {
            format!("o:{sender}:{ts}")
        };
        out.push(RawEvent {
            key,
            body: item.get().as_bytes().to_vec(),
        });
    }
    Ok(out)
}

fn s(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

pub fn parse(event: &[u8]) -> Result<Event, ParseError> {
    let v: Value = serde_json::from_slice(event)?;
    let sender = s(&v, "/sender/id").ok_or_else(|| ParseError::new("event without sender"))?;
    let at_ms = v.get("timestamp").and_then(Value::as_i64).unwrap_or(0);
    if let Some(mid) = v.pointer("/delivery/mids/0").and_then(Value::as_str) {
        return Ok(Event::Status(StatusUpdate {
            provider_id: mid.to_string(),
            status: DeliveryStatus::Delivered,
            at_ms,
            error: None,
        }));
    }
    if let Some(w) = v.pointer("/read/watermark").and_then(Value::as_i64) {
        return Ok(Event::ReadUpTo {
            recipient: sender,
            watermark_ms: w,
        });
    }
    let message = |content: Content, provider_id: String, in_reply_to: Option<String>| {
        Event::Message(InboundMessage {
            provider_id,
            sender: Sender {
                external_id: sender.clone(),
                display_name: None,
                handle: None,
            },
            reply_to_address: None,
            at_ms,
            content,
            reply_token: None,
            in_reply_to,
        })
    };
    if let Some(p) = v.get("postback") {
        let id = s(p, "/mid").unwrap_or_else(|| format!("postback:{sender}:{at_ms}"));
        let c = Content::Choice {
            payload: s(p, "/payload").unwrap_or_default(),
            title: s(p, "/title").unwrap_or_default(),
        };
        return Ok(message(c, id, None));
    }
    if let Some(r) = v.get("reaction") {
        if s(r, "/action").as_deref() == Some("unreact") {
            return Ok(Event::Ignored("unreact".into()));
        }
        let emoji = s(r, "/emoji")
            .or_else(|| s(r, "/reaction"))
            .unwrap_or_default();
        let to = s(r, "/mid");
        return Ok(message(
            Content::Reaction { emoji },
            format!("reaction:{}:{sender}", to.clone().unwrap_or_default()),
            to,
        ));
    }
    let Some(m) = v.get("message") else {
        return Ok(Event::Ignored("not a message".into()));
    };
    if m.get("is_echo").and_then(Value::as_bool) == Some(true) {
        return Ok(Event::Ignored("echo of our own message".into()));
    }
    let mid = s(m, "/mid").ok_or_else(|| ParseError::new("message without mid"))?;
    let reply_to = s(m, "/reply_to/mid");
    let content = if let Some(q) = m.get("quick_reply") {
        Content::Choice {
            payload: s(q, "/payload").unwrap_or_default(),
            title: s(m, "/text").unwrap_or_default(),
        }
    } else if let Some(a) = m.pointer("/attachments/0") {
        let kind = s(a, "/type").unwrap_or_default();
        let url = s(a, "/payload/url");
        match kind.as_str() {
            "location" => Content::Location {
                latitude: a
                    .pointer("/payload/coordinates/lat")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0),
                longitude: a
                    .pointer("/payload/coordinates/long")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0),
                name: s(a, "/title"),
                address: None,
            },
            k => {
                let media = match k {
                    "image" if a.pointer("/payload/sticker_id").is_some() => MediaKind::Sticker,
                    "image" => MediaKind::Image,
                    "audio" => MediaKind::Audio,
                    "video" => MediaKind::Video,
                    "file" => MediaKind::Document,
                    "sticker" => MediaKind::Sticker,
                    other => return Ok(Event::Ignored(format!("attachment type {other}"))),
                };
                Content::Media {
                    kind: media,
                    media_ref: url.ok_or_else(|| ParseError::new("attachment without url"))?,
                    mime_type: None,
                    caption: s(m, "/text"),
                    filename: None,
                }
            }
        }
    } else {
        Content::Text {
            text: s(m, "/text").unwrap_or_default(),
        }
    };
    Ok(message(content, mid, reply_to))
}

/// The Send API body. Inside the 24-hour window a reply is a `RESPONSE`; outside it a
/// message needs a tag (`HUMAN_AGENT`, 7 days).
pub fn message_body(out: &Outgoing<'_>) -> Result<Value, SendError> {
    let message = match out.content {
        OutContent::Text { text } => json!({"text": text}),
        OutContent::Media { kind, url, .. } => {
            let t = match kind {
                MediaKind::Image | MediaKind::Sticker => "image",
                MediaKind::Audio => "audio",
                MediaKind::Video => "video",
                MediaKind::Document => "file",
            };
            json!({"attachment": {"type": t, "payload": {"url": url, "is_reusable": true}}})
        }
        OutContent::Template { .. } => {
            return Err(SendError::Permanent {
                reason: "templates are a WhatsApp feature".into(),
            });
        }
    };
    let mut body = json!({"recipient": {"id": out.to}, "message": message});
    match out.tag {
        Some(tag) => {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!(tag);
        }
        None => body["messaging_type"] = json!("RESPONSE"),
    }
    Ok(body)
}

pub async fn send(
    http: &reqwest::Client,
    creds: &Credentials,
    out: &Outgoing<'_>,
) -> Result<Sent, SendError> {
    let page = creds.get("page_id");
    if page.is_empty() {
        return Err(SendError::Permanent {
            reason: "channel has no page_id".into(),
        });
    }
    let url = format!("{}/{page}/messages", creds.base());
    let v = crate::whatsapp::graph_post(http, url, creds.get("access_token"), &message_body(out)?)
        .await?;
    s(&v, "/message_id")
        .map(|provider_id| Sent { provider_id })
        .ok_or_else(|| SendError::Permanent {
            reason: "the answer has no message_id".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        let mut c = Credentials::default();
        c.values.insert("app_secret".into(), "rahasia".into());
        c.values
            .insert("verify_token".into(), "token-verifikasi".into());
        c
    }

    #[test]
    fn handshake_echoes_the_challenge_only_for_the_right_token() {
        let q = |t: &str| {
            vec![
                ("hub.mode".into(), "subscribe".into()),
                ("hub.verify_token".into(), t.into()),
                ("hub.challenge".into(), "1158201444".into()),
            ]
        };
        assert_eq!(
            handshake(&creds(), &q("token-verifikasi")).unwrap().body,
            "1158201444"
        );
        assert_eq!(
            handshake(&creds(), &q("salah")),
            Err(VerifyError::BadVerifyToken)
        );
        assert_eq!(handshake(&creds(), &[]), Err(VerifyError::BadHandshake));
        assert_eq!(
            handshake(&Credentials::default(), &q("x")),
            Err(VerifyError::NotConfigured("verify_token"))
        );
    }

    #[test]
    fn signature_is_checked_on_the_raw_bytes() {
        let body = br#"{"object":"page","entry":[]}"#;
        let sig = sign("rahasia", body);
        fn header(s: &str) -> impl Fn(&str) -> Option<String> + '_ {
            move |n: &str| (n == "x-hub-signature-256").then(|| s.to_string())
        }
        let ok = header(&sig);
        assert_eq!(
            verify(&creds(), &SignedRequest { header: &ok, body }),
            Ok(())
        );
        // The same JSON with other spacing is other bytes.
        let spaced = br#"{"object": "page","entry":[]}"#;
        assert_eq!(
            verify(
                &creds(),
                &SignedRequest {
                    header: &ok,
                    body: spaced
                }
            ),
            Err(VerifyError::BadSignature)
        );
        let none = |_: &str| None;
        assert_eq!(
            verify(
                &creds(),
                &SignedRequest {
                    header: &none,
                    body
                }
            ),
            Err(VerifyError::MissingSignature)
        );
        let junk = header("sha256=zz");
        assert_eq!(
            verify(
                &creds(),
                &SignedRequest {
                    header: &junk,
                    body
                }
            ),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn messenger_events_split_and_parse() {
        let body = r#"{"object":"page","entry":[{"id":"PAGE","time":1,"messaging":[
            {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000000,"message":{"mid":"m_1","text":"Halo koperasi"}},
            {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000001,"message":{"mid":"m_2","attachments":[{"type":"image","payload":{"url":"https://cdn/x.jpg"}}]}},
            {"sender":{"id":"PAGE"},"recipient":{"id":"PSID1"},"timestamp":1732400000002,"message":{"mid":"m_3","is_echo":true,"text":"balasan"}},
            {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000003,"delivery":{"mids":["m_out1","m_out2"],"watermark":1732400000000}},
            {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000004,"read":{"watermark":1732400000003}},
            {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000005,"postback":{"mid":"m_4","title":"Cek saldo","payload":"SALDO"}},
            {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000006,"message":{"mid":"m_5","text":"Ya","quick_reply":{"payload":"YA"}}}
        ]}]}"#;
        let ev = split(body.as_bytes()).unwrap();
        let keys: Vec<&str> = ev.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "m:m_1",
                "m:m_2",
                "m:m_3",
                "d:m_out1",
                "d:m_out2",
                "r:PSID1:1732400000003",
                "p:m_4",
                "m:m_5"
            ]
        );
        let parsed: Vec<Event> = ev.iter().map(|e| parse(&e.body).unwrap()).collect();
        assert!(
            matches!(&parsed[0], Event::Message(m) if m.content == Content::Text { text: "Halo koperasi".into() } && m.sender.external_id == "PSID1")
        );
        assert!(matches!(&parsed[1], Event::Message(m) if m.content.kind() == "image"));
        assert!(matches!(&parsed[2], Event::Ignored(_)));
        assert!(
            matches!(&parsed[3], Event::Status(s) if s.provider_id == "m_out1" && s.status == DeliveryStatus::Delivered)
        );
        assert!(matches!(
            &parsed[5],
            Event::ReadUpTo {
                watermark_ms: 1_732_400_000_003,
                ..
            }
        ));
        assert!(
            matches!(&parsed[6], Event::Message(m) if m.content == Content::Choice { payload: "SALDO".into(), title: "Cek saldo".into() })
        );
        assert!(
            matches!(&parsed[7], Event::Message(m) if m.content == Content::Choice { payload: "YA".into(), title: "Ya".into() })
        );
    }

    #[test]
    fn send_body_carries_the_messaging_type() {
        let text = OutContent::Text {
            text: "Halo".into(),
        };
        let out = Outgoing {
            to: "PSID1",
            content: &text,
            reply_token: None,
            tag: None,
            idempotency_key: "k",
            in_reply_to: None,
            subject: None,
            attachment: None,
        };
        assert_eq!(
            message_body(&out).unwrap(),
            json!({"recipient":{"id":"PSID1"},"message":{"text":"Halo"},"messaging_type":"RESPONSE"})
        );
        let tagged = Outgoing {
            tag: Some("HUMAN_AGENT"),
            ..out
        };
        let b = message_body(&tagged).unwrap();
        assert_eq!(
            (b["messaging_type"].as_str(), b["tag"].as_str()),
            (Some("MESSAGE_TAG"), Some("HUMAN_AGENT"))
        );
    }
}
