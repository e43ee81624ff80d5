//! X (Twitter) direct messages through the Account Activity API: the CRC challenge,
//! `x-twitter-webhooks-signature`, `direct_message_events`, and sending with
//! `POST {base}/2/dm_conversations/with/{participant_id}/messages`.

use crate::model::*;
use crate::{hmac_sha256, same};
use base64::Engine;
use serde_json::{Value, json};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `GET ?crc_token=…` → `{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}`.
pub fn handshake(
    creds: &Credentials,
    query: &[(String, String)],
) -> Result<Handshake, VerifyError> {
    let secret = creds.get("consumer_secret");
    if secret.is_empty() {
        return Err(VerifyError::NotConfigured("consumer_secret"));
    }
    let token = query
        .iter()
        .find(|(k, _)| k == "crc_token")
        .map(|(_, v)| v.as_str())
        .filter(|t| !t.is_empty() && t.len() <= 512)
        .ok_or(VerifyError::BadHandshake)?;
    let response = format!(
        "sha256={}",
        b64(&hmac_sha256(secret.as_bytes(), token.as_bytes()))
    );
    Ok(Handshake {
        content_type: "application/json",
        body: json!({"response_token": response}).to_string(),
    })
}

/// `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>`.
pub fn verify(creds: &Credentials, req: &SignedRequest<'_>) -> Result<(), VerifyError> {
    let secret = creds.get("consumer_secret");
    if secret.is_empty() {
        return Err(VerifyError::NotConfigured("consumer_secret"));
    }
    let header =
        (req.header)("x-twitter-webhooks-signature").ok_or(VerifyError::MissingSignature)?;
    let given = header
        .strip_prefix("sha256=")
        .ok_or(VerifyError::BadSignature)?;
    let given = base64::engine::general_purpose::STANDARD
        .decode(given.trim())
        .map_err(|_| VerifyError::BadSignature)?;
    if same(&given, &hmac_sha256(secret.as_bytes(), req.body)) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature)
    }
}

pub fn sign(consumer_secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        b64(&hmac_sha256(consumer_secret.as_bytes(), body))
    )
}

/// One event per direct message, keyed by its id; each carries `for_user_id` (to drop
/// our own sends) and the sender's entry of `users`.
pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    let v: Value = serde_json::from_slice(body)?;
    let me = v.get("for_user_id").cloned().unwrap_or(Value::Null);
    let Some(events) = v.get("direct_message_events").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in events {
        let id = e
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ParseError::new("event without id"))?;
        let sender = e
            .pointer("/message_create/sender_id")
            .and_then(Value::as_str)
            .unwrap_or("");
        let user = v
            .pointer(&format!("/users/{sender}"))
            .cloned()
            .unwrap_or(Value::Null);
        let body = json!({"for_user_id": me, "event": e, "user": user});
        out.push(RawEvent {
            key: format!("dm:{id}"),
            body: body.to_string().into_bytes(),
        });
    }
    Ok(out)
}

fn s(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

pub fn parse(event: &[u8]) -> Result<Event, ParseError> {
    let v: Value = serde_json::from_slice(event)?;
    let e = v.get("event").ok_or_else(|| ParseError::new("no event"))?;
    if s(e, "/type").as_deref() != Some("message_create") {
        return Ok(Event::Ignored("not a message".into()));
    }
    let sender =
        s(e, "/message_create/sender_id").ok_or_else(|| ParseError::new("no sender_id"))?;
    if Some(sender.as_str()) == v.get("for_user_id").and_then(Value::as_str) {
        return Ok(Event::Ignored("our own message".into()));
    }
    let data = e
        .pointer("/message_create/message_data")
        .ok_or_else(|| ParseError::new("no message_data"))?;
    let text = s(data, "/text").unwrap_or_default();
    let content = match data.pointer("/attachment/media") {
        Some(m) => Content::Media {
            kind: match s(m, "/type").as_deref() {
                Some("video") | Some("animated_gif") => MediaKind::Video,
                _ => MediaKind::Image,
            },
            media_ref: s(m, "/media_url_https").unwrap_or_default(),
            mime_type: None,
            caption: Some(text).filter(|t| !t.is_empty()),
            filename: None,
        },
        None => Content::Text { text },
    };
    Ok(Event::Message(InboundMessage {
        provider_id: s(e, "/id").unwrap_or_default(),
        sender: Sender {
            external_id: sender,
            display_name: s(&v, "/user/name"),
            handle: s(&v, "/user/screen_name"),
        },
        reply_to_address: None,
        at_ms: s(e, "/created_timestamp")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
        content,
        reply_token: None,
        in_reply_to: None,
    }))
}

pub async fn send(
    http: &reqwest::Client,
    creds: &Credentials,
    out: &Outgoing<'_>,
) -> Result<Sent, SendError> {
    let text = match out.content {
        OutContent::Text { text } => text.clone(),
        OutContent::Media { url, caption, .. } => {
            format!("{} {url}", caption.clone().unwrap_or_default())
                .trim()
                .to_string()
        }
        OutContent::Template { .. } => {
            return Err(SendError::Permanent {
                reason: "templates are a WhatsApp feature".into(),
            });
        }
    };
    let url = format!(
        "{}/2/dm_conversations/with/{}/messages",
        creds.base(),
        out.to
    );
    let res = http
        .post(url)
        .bearer_auth(creds.get("access_token"))
        .json(&json!({"text": text}))
        .send()
        .await;
    let v = json_answer(res).await?;
    s(&v, "/data/dm_event_id")
        .map(|provider_id| Sent { provider_id })
        .ok_or_else(|| SendError::Permanent {
            reason: "the answer has no dm_event_id".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        let mut c = Credentials::default();
        c.values.insert("consumer_secret".into(), "x-secret".into());
        c
    }

    #[test]
    fn crc_and_signature() {
        let h = handshake(&creds(), &[("crc_token".into(), "abc".into())]).unwrap();
        let v: Value = serde_json::from_str(&h.body).unwrap();
        assert_eq!(
            v["response_token"].as_str().unwrap(),
            sign("x-secret", b"abc")
        );
        assert_eq!(handshake(&creds(), &[]), Err(VerifyError::BadHandshake));
        let body = br#"{"for_user_id":"1"}"#;
        let sig = sign("x-secret", body);
        let hdr = |n: &str| (n == "x-twitter-webhooks-signature").then(|| sig.clone());
        assert_eq!(
            verify(&creds(), &SignedRequest { header: &hdr, body }),
            Ok(())
        );
        assert_eq!(
            verify(
                &creds(),
                &SignedRequest {
                    header: &hdr,
                    body: b"{}"
                }
            ),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn direct_messages_parse_and_own_sends_are_dropped() {
        let body = br#"{"for_user_id":"100","direct_message_events":[{"type":"message_create","id":"954491830116155396","created_timestamp":"1732400000000","message_create":{"target":{"recipient_id":"100"},"sender_id":"200","message_data":{"text":"Halo min"}}},{"type":"message_create","id":"954491830116155397","created_timestamp":"1732400000001","message_create":{"target":{"recipient_id":"200"},"sender_id":"100","message_data":{"text":"balasan"}}}],"users":{"200":{"id":"200","name":"Agus","screen_name":"agus_s"}}}"#;
        let ev = split(body).unwrap();
        assert_eq!(ev[0].key, "dm:954491830116155396");
        let Event::Message(m) = parse(&ev[0].body).unwrap() else {
            panic!()
        };
        assert_eq!(
            (m.sender.external_id.as_str(), m.sender.handle.as_deref()),
            ("200", Some("agus_s"))
        );
        assert!(matches!(parse(&ev[1].body).unwrap(), Event::Ignored(_)));
    }
}
