//! Telegram Bot API: updates pushed to our webhook with the `secret_token` given to
//! `setWebhook`, and `sendMessage` / `sendPhoto` / … at `{base}/bot{token}/{method}`.

use crate::model::*;
use crate::same;
use serde_json::{Value, json};

/// `X-Telegram-Bot-Api-Secret-Token` must equal the channel's secret token.
pub fn verify(creds: &Credentials, req: &SignedRequest<'_>) -> Result<(), VerifyError> {
    let expected = creds.get("secret_token");
    if expected.is_empty() {
        return Err(VerifyError::NotConfigured("secret_token"));
    }
    let given =
        (req.header)("x-telegram-bot-api-secret-token").ok_or(VerifyError::MissingSignature)?;
    if same(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature)
    }
}

/// One update per delivery, keyed by `update_id`.
pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    let v: Value = serde_json::from_slice(body)?;
    let id = v
        .get("update_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ParseError::new("update without update_id"))?;
    Ok(vec![RawEvent {
        key: format!("u:{id}"),
        body: body.to_vec(),
    }])
}

fn s(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

fn sender(from: &Value) -> Result<Sender, ParseError> {
    let id = from
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ParseError::new("no sender id"))?;
    let name = [s(from, "/first_name"), s(from, "/last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Sender {
        external_id: id.to_string(),
        display_name: Some(name).filter(|n| !n.is_empty()),
        handle: s(from, "/username"),
    })
}

pub fn parse(event: &[u8]) -> Result<Event, ParseError> {
    let v: Value = serde_json::from_slice(event)?;
    if let Some(q) = v.get("callback_query") {
        let from = sender(
            q.get("from")
                .ok_or_else(|| ParseError::new("callback without from"))?,
        )?;
        let chat = q.pointer("/message/chat/id").and_then(Value::as_i64);
        return Ok(Event::Message(InboundMessage {
            provider_id: format!("cb:{}", s(q, "/id").unwrap_or_default()),
            reply_to_address: chat.map(|c| c.to_string()),
            sender: from,
            at_ms: 0,
            content: Content::Choice {
                payload: s(q, "/data").unwrap_or_default(),
                title: s(q, "/data").unwrap_or_default(),
            },
            reply_token: None,
            in_reply_to: None,
        }));
    }
    if let Some(r) = v.get("message_reaction") {
        let chat = r.pointer("/chat/id").and_then(Value::as_i64).unwrap_or(0);
        let msg = r.get("message_id").and_then(Value::as_i64).unwrap_or(0);
        let Some(user) = r.get("user") else {
            return Ok(Event::Ignored("anonymous reaction".into()));
        };
        let Some(emoji) = s(r, "/new_reaction/0/emoji") else {
            return Ok(Event::Ignored("reaction removed".into()));
        };
        return Ok(Event::Message(InboundMessage {
            provider_id: format!(
                "{chat}:{msg}:reaction:{}",
                r.get("date").and_then(Value::as_i64).unwrap_or(0)
            ),
            sender: sender(user)?,
            reply_to_address: Some(chat.to_string()),
            at_ms: r
                .get("date")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .saturating_mul(1000),
            content: Content::Reaction { emoji },
            reply_token: None,
            in_reply_to: Some(format!("{chat}:{msg}")),
        }));
    }
    let Some(m) = v.get("message") else {
        return Ok(Event::Ignored("update without a new message".into()));
    };
    let chat = m
        .pointer("/chat/id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ParseError::new("message without chat"))?;
    let msg_id = m
        .get("message_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ParseError::new("message without message_id"))?;
    let from = sender(
        m.get("from")
            .ok_or_else(|| ParseError::new("message without from"))?,
    )?;
    let caption = s(m, "/caption");
    let media = |k: MediaKind, o: &Value| Content::Media {
        kind: k,
        media_ref: s(o, "/file_id").unwrap_or_default(),
        mime_type: s(o, "/mime_type"),
        caption: caption.clone(),
        filename: s(o, "/file_name"),
    };
    let content = if let Some(t) = s(m, "/text") {
        Content::Text { text: t }
    } else if let Some(photos) = m.get("photo").and_then(Value::as_array) {
        // Sizes come smallest first; keep the largest.
        media(
            MediaKind::Image,
            photos
                .last()
                .ok_or_else(|| ParseError::new("photo without sizes"))?,
        )
    } else if let Some(o) = m.get("voice").or_else(|| m.get("audio")) {
        media(MediaKind::Audio, o)
    } else if let Some(o) = m.get("video").or_else(|| m.get("video_note")) {
        media(MediaKind::Video, o)
    } else if let Some(o) = m.get("document") {
        media(MediaKind::Document, o)
    } else if let Some(o) = m.get("sticker") {
        media(MediaKind::Sticker, o)
    } else if let Some(l) = m.get("location") {
        let venue = m.get("venue");
        Content::Location {
            latitude: l.get("latitude").and_then(Value::as_f64).unwrap_or(0.0),
            longitude: l.get("longitude").and_then(Value::as_f64).unwrap_or(0.0),
            name: venue.and_then(|v| s(v, "/title")),
            address: venue.and_then(|v| s(v, "/address")),
        }
    } else if let Some(c) = m.get("contact") {
        Content::Contact {
            name: [s(c, "/first_name"), s(c, "/last_name")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            phones: s(c, "/phone_number").into_iter().collect(),
        }
    } else {
        return Ok(Event::Ignored("message kind not handled".into()));
    };
    Ok(Event::Message(InboundMessage {
        provider_id: format!("{chat}:{msg_id}"),
        sender: from,
        reply_to_address: Some(chat.to_string()),
        at_ms: m
            .get("date")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .saturating_mul(1000),
        content,
        reply_token: None,
        in_reply_to: m
            .pointer("/reply_to_message/message_id")
            .and_then(Value::as_i64)
            .map(|r| format!("{chat}:{r}")),
    }))
}

/// The method and body for one message.
pub fn request(chat_id: &str, content: &OutContent) -> Result<(&'static str, Value), SendError> {
    Ok(match content {
        OutContent::Text { text } => ("sendMessage", json!({"chat_id": chat_id, "text": text})),
        OutContent::Media {
            kind, url, caption, ..
        } => {
            let (method, field) = match kind {
                MediaKind::Image => ("sendPhoto", "photo"),
                MediaKind::Audio => ("sendAudio", "audio"),
                MediaKind::Video => ("sendVideo", "video"),
                MediaKind::Document => ("sendDocument", "document"),
                MediaKind::Sticker => ("sendSticker", "sticker"),
            };
            let mut b = json!({"chat_id": chat_id, field: url});
            if let Some(c) = caption {
                b["caption"] = json!(c);
            }
            (method, b)
        }
        OutContent::Template { .. } => {
            return Err(SendError::Permanent {
                reason: "templates are a WhatsApp feature".into(),
            });
        }
    })
}

pub async fn send(
    http: &reqwest::Client,
    creds: &Credentials,
    out: &Outgoing<'_>,
) -> Result<Sent, SendError> {
    let (method, body) = request(out.to, out.content)?;
    let url = format!("{}/bot{}/{method}", creds.base(), creds.get("bot_token"));
    let res = http
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(SendError::network)?;
    let status = res.status().as_u16();
    let header_after = retry_after(&res);
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        let chat = v
            .pointer("/result/chat/id")
            .and_then(Value::as_i64)
            .map(|c| c.to_string())
            .unwrap_or_else(|| out.to.to_string());
        let id = v
            .pointer("/result/message_id")
            .and_then(Value::as_i64)
            .ok_or_else(|| SendError::Permanent {
                reason: "no message_id".into(),
            })?;
        return Ok(Sent {
            provider_id: format!("{chat}:{id}"),
        });
    }
    let after = v
        .pointer("/parameters/retry_after")
        .and_then(Value::as_u64)
        .map(std::time::Duration::from_secs)
        .or(header_after);
    let code = v
        .get("error_code")
        .and_then(Value::as_u64)
        .unwrap_or(status as u64) as u16;
    let reason = s(&v, "/description").unwrap_or_else(|| format!("HTTP {status}"));
    Err(SendError::from_status(code, reason, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_token_is_compared() {
        let mut c = Credentials::default();
        c.values.insert("secret_token".into(), "s3cret".into());
        let good = |n: &str| (n == "x-telegram-bot-api-secret-token").then(|| "s3cret".to_string());
        let bad = |n: &str| (n == "x-telegram-bot-api-secret-token").then(|| "nope".to_string());
        let none = |_: &str| None;
        assert_eq!(
            verify(
                &c,
                &SignedRequest {
                    header: &good,
                    body: b"{}"
                }
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                &c,
                &SignedRequest {
                    header: &bad,
                    body: b"{}"
                }
            ),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify(
                &c,
                &SignedRequest {
                    header: &none,
                    body: b"{}"
                }
            ),
            Err(VerifyError::MissingSignature)
        );
    }

    #[test]
    fn updates_parse() {
        let text = br#"{"update_id":10000,"message":{"message_id":1365,"from":{"id":500123456,"is_bot":false,"first_name":"Dewi","last_name":"L","username":"dewil"},"chat":{"id":500123456,"type":"private"},"date":1732400000,"text":"Jadwal angsuran saya?"}}"#;
        assert_eq!(split(text).unwrap()[0].key, "u:10000");
        let Event::Message(m) = parse(text).unwrap() else {
            panic!()
        };
        assert_eq!(
            (m.provider_id.as_str(), m.sender.external_id.as_str()),
            ("500123456:1365", "500123456")
        );
        assert_eq!(m.sender.display_name.as_deref(), Some("Dewi L"));
        assert_eq!(m.sender.handle.as_deref(), Some("dewil"));
        let photo = br#"{"update_id":1,"message":{"message_id":2,"from":{"id":5},"chat":{"id":5},"date":1,"caption":"bukti","photo":[{"file_id":"small"},{"file_id":"big"}]}}"#;
        let Event::Message(m) = parse(photo).unwrap() else {
            panic!()
        };
        assert!(
            matches!(m.content, Content::Media { kind: MediaKind::Image, ref media_ref, ref caption, .. } if media_ref == "big" && caption.as_deref() == Some("bukti"))
        );
        let cb = br#"{"update_id":2,"callback_query":{"id":"77","from":{"id":5},"message":{"message_id":9,"chat":{"id":5}},"data":"SALDO"}}"#;
        let Event::Message(m) = parse(cb).unwrap() else {
            panic!()
        };
        assert_eq!(
            m.content,
            Content::Choice {
                payload: "SALDO".into(),
                title: "SALDO".into()
            }
        );
        assert!(matches!(
            parse(br#"{"update_id":3,"edited_message":{}}"#).unwrap(),
            Event::Ignored(_)
        ));
        assert!(split(br#"{"message":{}}"#).is_err());
        let loc = br#"{"update_id":4,"message":{"message_id":3,"from":{"id":5},"chat":{"id":5},"date":1,"location":{"latitude":-7.0,"longitude":110.4}}}"#;
        assert!(matches!(parse(loc).unwrap(), Event::Message(m) if m.content.kind() == "location"));
    }

    #[test]
    fn requests_per_content() {
        let (m, b) = request(
            "5",
            &OutContent::Text {
                text: "Halo".into(),
            },
        )
        .unwrap();
        assert_eq!(
            (m, b),
            ("sendMessage", json!({"chat_id":"5","text":"Halo"}))
        );
        let (m, b) = request(
            "5",
            &OutContent::Media {
                kind: MediaKind::Document,
                url: "https://x/a.pdf".into(),
                caption: None,
                filename: None,
                file: None,
            },
        )
        .unwrap();
        assert_eq!(
            (m, b),
            (
                "sendDocument",
                json!({"chat_id":"5","document":"https://x/a.pdf"})
            )
        );
    }
}

#[cfg(test)]
mod found_by_fuzzing {
    use super::*;

    #[test]
    fn absurd_dates_do_not_overflow() {
        let u = br#"{"update_id":6,"message":{"message_id":4,"from":{"id":5},"chat":{"id":5},"date":-9999999999999991,"text":"x"}}"#;
        let Event::Message(m) = parse(u).unwrap() else {
            panic!()
        };
        assert_eq!(m.at_ms, i64::MIN);
    }
}
