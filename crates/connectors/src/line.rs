//! LINE Messaging API: `x-line-signature` (base64 HMAC-SHA256 of the raw body with the
//! channel secret), events keyed by `webhookEventId`, replies with the reply token
//! while it is valid and pushes with `X-Line-Retry-Key` otherwise.

use crate::model::*;
use crate::{hmac_sha256, same};
use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// How long LINE accepts a reply token (it says "about a minute"; stay inside it).
pub const REPLY_TOKEN_TTL_MS: i64 = 50_000;

pub fn verify(creds: &Credentials, req: &SignedRequest<'_>) -> Result<(), VerifyError> {
    let secret = creds.get("channel_secret");
    if secret.is_empty() {
        return Err(VerifyError::NotConfigured("channel_secret"));
    }
    let given = (req.header)("x-line-signature").ok_or(VerifyError::MissingSignature)?;
    let given = base64::engine::general_purpose::STANDARD
        .decode(given.trim())
        .map_err(|_| VerifyError::BadSignature)?;
    if same(&given, &hmac_sha256(secret.as_bytes(), req.body)) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature)
    }
}

pub fn sign(channel_secret: &str, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(channel_secret.as_bytes(), body))
}

#[derive(Deserialize)]
struct Delivery<'a> {
    #[serde(default, borrow)]
    events: Vec<&'a RawValue>,
}

/// One event per item of `events`, keyed by its `webhookEventId`. (LINE's console
/// "verify" sends an empty `events` list: nothing to store.)
pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    let d: Delivery = serde_json::from_slice(body)?;
    d.events
        .iter()
        .map(|e| {
            let v: Value = serde_json::from_str(e.get())?;
            let id = v
                .get("webhookEventId")
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new("event without webhookEventId"))?;
            Ok(RawEvent {
                key: format!("e:{id}"),
                body: e.get().as_bytes().to_vec(),
            })
        })
        .collect()
}

fn s(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

pub fn parse(event: &[u8]) -> Result<Event, ParseError> {
    let v: Value = serde_json::from_slice(event)?;
    let kind = s(&v, "/type").unwrap_or_default();
    let Some(user) = s(&v, "/source/userId") else {
        return Ok(Event::Ignored(format!("{kind} event without a user")));
    };
    let at_ms = v.get("timestamp").and_then(Value::as_i64).unwrap_or(0);
    let base = |provider_id: String, content: Content| {
        Event::Message(InboundMessage {
            provider_id,
            sender: Sender {
                external_id: user.clone(),
                display_name: None,
                handle: None,
            },
            reply_to_address: None,
            at_ms,
            content,
            reply_token: s(&v, "/replyToken"),
            in_reply_to: None,
        })
    };
    match kind.as_str() {
        "postback" => {
            let data = s(&v, "/postback/data").unwrap_or_default();
            Ok(base(
                format!("postback:{}", s(&v, "/webhookEventId").unwrap_or_default()),
                Content::Choice {
                    payload: data.clone(),
                    title: data,
                },
            ))
        }
        "message" => {
            let m = v
                .get("message")
                .ok_or_else(|| ParseError::new("message event without message"))?;
            let id = s(m, "/id").ok_or_else(|| ParseError::new("message without id"))?;
            let media = |k: MediaKind| Content::Media {
                kind: k,
                media_ref: id.clone(),
                mime_type: None,
                caption: None,
                filename: s(m, "/fileName"),
            };
            let content = match s(m, "/type").as_deref() {
                Some("text") => Content::Text {
                    text: s(m, "/text").unwrap_or_default(),
                },
                Some("image") => media(MediaKind::Image),
                Some("video") => media(MediaKind::Video),
                Some("audio") => media(MediaKind::Audio),
                Some("file") => media(MediaKind::Document),
                Some("sticker") => Content::Media {
                    kind: MediaKind::Sticker,
                    media_ref: format!(
                        "{}/{}",
                        s(m, "/packageId").unwrap_or_default(),
                        s(m, "/stickerId").unwrap_or_default()
                    ),
                    mime_type: None,
                    caption: None,
                    filename: None,
                },
                Some("location") => Content::Location {
                    latitude: m.get("latitude").and_then(Value::as_f64).unwrap_or(0.0),
                    longitude: m.get("longitude").and_then(Value::as_f64).unwrap_or(0.0),
                    name: s(m, "/title"),
                    address: s(m, "/address"),
                },
                other => return Ok(Event::Ignored(format!("message type {other:?}"))),
            };
            Ok(base(id, content))
        }
        other => Ok(Event::Ignored(format!("event type {other}"))),
    }
}

fn message_json(content: &OutContent) -> Result<Value, SendError> {
    Ok(match content {
        OutContent::Text { text } => json!({"type": "text", "text": text}),
        OutContent::Media {
            kind: MediaKind::Image | MediaKind::Sticker,
            url,
            ..
        } => {
            json!({"type": "image", "originalContentUrl": url, "previewImageUrl": url})
        }
        OutContent::Media {
            kind: MediaKind::Video,
            url,
            ..
        } => {
            json!({"type": "video", "originalContentUrl": url, "previewImageUrl": url})
        }
        OutContent::Media {
            kind: MediaKind::Audio,
            url,
            ..
        } => {
            json!({"type": "audio", "originalContentUrl": url, "duration": 60000})
        }
        // LINE bots cannot send files: send the link.
        OutContent::Media {
            kind: MediaKind::Document,
            url,
            caption,
            filename,
            ..
        } => json!({
            "type": "text",
            "text": format!("{} {url}", caption.clone().or(filename.clone()).unwrap_or_default()).trim().to_string()
        }),
        OutContent::Template { .. } => {
            return Err(SendError::Permanent {
                reason: "templates are a WhatsApp feature".into(),
            });
        }
    })
}

/// A UUID (version 4 layout) made from the message's idempotency key, so a retried
/// push carries the same `X-Line-Retry-Key` and LINE sends it once.
pub fn retry_key(idempotency_key: &str) -> String {
    let h = crate::hmac_sha256(b"guyub-line-retry-key", idempotency_key.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

pub async fn send(
    http: &reqwest::Client,
    creds: &Credentials,
    out: &Outgoing<'_>,
) -> Result<Sent, SendError> {
    let message = message_json(out.content)?;
    let token = creds.get("channel_access_token");
    let res = match out.reply_token {
        Some(reply) => {
            http.post(format!("{}/v2/bot/message/reply", creds.base()))
                .bearer_auth(token)
                .json(&json!({"replyToken": reply, "messages": [message]}))
                .send()
                .await
        }
        None => {
            http.post(format!("{}/v2/bot/message/push", creds.base()))
                .bearer_auth(token)
                .header("X-Line-Retry-Key", retry_key(out.idempotency_key))
                .json(&json!({"to": out.to, "messages": [message]}))
                .send()
                .await
        }
    }
    .map_err(SendError::network)?;
    if res.status().as_u16() == 409 && out.reply_token.is_none() {
        // The retry key was accepted before: the message went out then.
        let id = res
            .headers()
            .get("x-line-accepted-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        return Ok(Sent {
            provider_id: format!("accepted:{id}"),
        });
    }
    let v = json_answer(Ok(res)).await?;
    let id = s(&v, "/sentMessages/0/id")
        .unwrap_or_else(|| format!("retry:{}", retry_key(out.idempotency_key)));
    Ok(Sent { provider_id: id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_and_events() {
        let body = br#"{"destination":"Ubot","events":[{"type":"message","message":{"type":"text","id":"14353798921116","text":"Halo"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZR","deliveryContext":{"isRedelivery":false},"timestamp":1732400000000,"source":{"type":"user","userId":"U4af4980629"},"replyToken":"757913772c4646b784d4b7ce46d12671","mode":"active"},{"type":"follow","webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZS","timestamp":1,"source":{"type":"user","userId":"U4af4980629"},"mode":"active"}]}"#;
        let mut c = Credentials::default();
        c.values
            .insert("channel_secret".into(), "line-secret".into());
        let sig = sign("line-secret", body);
        let h = |n: &str| (n == "x-line-signature").then(|| sig.clone());
        assert_eq!(verify(&c, &SignedRequest { header: &h, body }), Ok(()));
        let other = b"{}";
        assert_eq!(
            verify(
                &c,
                &SignedRequest {
                    header: &h,
                    body: other
                }
            ),
            Err(VerifyError::BadSignature)
        );
        let ev = split(body).unwrap();
        assert_eq!(ev[0].key, "e:01FZ74A0TDDPYRVKNK77XKC3ZR");
        let Event::Message(m) = parse(&ev[0].body).unwrap() else {
            panic!()
        };
        assert_eq!(
            m.reply_token.as_deref(),
            Some("757913772c4646b784d4b7ce46d12671")
        );
        assert_eq!(m.sender.external_id, "U4af4980629");
        assert!(matches!(parse(&ev[1].body).unwrap(), Event::Ignored(_)));
        assert_eq!(
            split(br#"{"destination":"U","events":[]}"#).unwrap(),
            vec![]
        );
    }

    #[test]
    fn retry_keys_are_stable_uuids() {
        let k = retry_key("message-42");
        assert_eq!(k, retry_key("message-42"));
        assert_ne!(k, retry_key("message-43"));
        assert_eq!(k.len(), 36);
        assert_eq!(&k[14..15], "4");
    }
}
