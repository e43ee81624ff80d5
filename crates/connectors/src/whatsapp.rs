//! WhatsApp Cloud API: webhooks (Meta's handshake and `X-Hub-Signature-256`, see
//! `meta`), messages and statuses, and sending text, media and templates through
//! `POST {base}/{phone_number_id}/messages`.

use crate::model::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Delivery<'a> {
    #[serde(default, borrow)]
    entry: Vec<Entry<'a>>,
}
#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(default, borrow)]
    changes: Vec<Change<'a>>,
}
#[derive(Deserialize)]
struct Change<'a> {
    #[serde(borrow)]
    value: Option<ChangeValue<'a>>,
}
#[derive(Deserialize)]
struct ChangeValue<'a> {
    #[serde(borrow)]
    contacts: Option<&'a RawValue>,
    #[serde(default, borrow)]
    messages: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    statuses: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Ids {
    // Owned: Meta may escape characters (`\/`) inside ids, which a borrowed str cannot hold.
    id: String,
    status: Option<String>,
}

/// One event per message (`m:{wamid}`) and per status (`s:{wamid}:{status}`). A
/// message event carries the `contacts` of its change (the sender's profile name).
pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    let d: Delivery = serde_json::from_slice(body)?;
    let mut out = Vec::new();
    for change in d.entry.iter().flat_map(|e| &e.changes) {
        let Some(v) = &change.value else { continue };
        for m in &v.messages {
            let ids: Ids = serde_json::from_str(m.get())?;
            let contacts = v.contacts.map(|c| c.get()).unwrap_or("[]");
            out.push(RawEvent {
                key: format!("m:{}", ids.id),
                body: format!("{{\"contacts\":{contacts},\"message\":{}}}", m.get()).into_bytes(),
            });
        }
        for s in &v.statuses {
            let ids: Ids = serde_json::from_str(s.get())?;
            out.push(RawEvent {
                key: format!("s:{}:{}", ids.id, ids.status.as_deref().unwrap_or("")),
                body: format!("{{\"status\":{}}}", s.get()).into_bytes(),
            });
        }
    }
    Ok(out)
}

fn s(v: &Value, p: &str) -> Option<String> {
    v.pointer(p).and_then(Value::as_str).map(str::to_string)
}

fn seconds_ms(v: &Value, p: &str) -> i64 {
    v.pointer(p)
        .and_then(|t| {
            t.as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .or(t.as_i64())
        })
        .unwrap_or(0)
        .saturating_mul(1000)
}

pub fn parse(event: &[u8]) -> Result<Event, ParseError> {
    let v: Value = serde_json::from_slice(event)?;
    if let Some(st) = v.get("status") {
        let status = match st.get("status").and_then(Value::as_str) {
            Some("sent") => DeliveryStatus::Sent,
            Some("delivered") => DeliveryStatus::Delivered,
            Some("read") => DeliveryStatus::Read,
            Some("failed") => DeliveryStatus::Failed,
            other => return Ok(Event::Ignored(format!("status {other:?}"))),
        };
        let error = st.pointer("/errors/0").map(|e| {
            format!(
                "{} ({})",
                s(e, "/error_data/details")
                    .or_else(|| s(e, "/title"))
                    .or_else(|| s(e, "/message"))
                    .unwrap_or_default(),
                e.get("code").map(|c| c.to_string()).unwrap_or_default()
            )
        });
        return Ok(Event::Status(StatusUpdate {
            provider_id: s(st, "/id").ok_or_else(|| ParseError::new("status without id"))?,
            status,
            at_ms: seconds_ms(st, "/timestamp"),
            error,
        }));
    }
    let m = v
        .get("message")
        .ok_or_else(|| ParseError::new("neither message nor status"))?;
    let from = s(m, "/from").ok_or_else(|| ParseError::new("message without from"))?;
    let name = v
        .get("contacts")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("wa_id").and_then(Value::as_str) == Some(&from))
                .or(cs.first())
        })
        .and_then(|c| s(c, "/profile/name"));
    let kind = s(m, "/type").unwrap_or_default();
    let media = |k: MediaKind| -> Result<Content, ParseError> {
        let o = m
            .get(kind.as_str())
            .ok_or_else(|| ParseError::new(format!("{kind} without body")))?;
        Ok(Content::Media {
            kind: k,
            media_ref: s(o, "/id")
                .or_else(|| s(o, "/link"))
                .ok_or_else(|| ParseError::new("media without id"))?,
            mime_type: s(o, "/mime_type"),
            caption: s(o, "/caption"),
            filename: s(o, "/filename"),
        })
    };
    let content = match kind.as_str() {
        "text" => Content::Text {
            text: s(m, "/text/body").unwrap_or_default(),
        },
        "image" => media(MediaKind::Image)?,
        "audio" | "voice" => media(MediaKind::Audio)?,
        "video" => media(MediaKind::Video)?,
        "document" => media(MediaKind::Document)?,
        "sticker" => media(MediaKind::Sticker)?,
        "location" => Content::Location {
            latitude: m
                .pointer("/location/latitude")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
            longitude: m
                .pointer("/location/longitude")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
            name: s(m, "/location/name"),
            address: s(m, "/location/address"),
        },
        "contacts" => {
            let c = m
                .pointer("/contacts/0")
                .ok_or_else(|| ParseError::new("contacts without a contact"))?;
            Content::Contact {
                name: s(c, "/name/formatted_name").unwrap_or_default(),
                phones: c
                    .get("phones")
                    .and_then(Value::as_array)
                    .map(|ps| ps.iter().filter_map(|p| s(p, "/phone")).collect())
                    .unwrap_or_default(),
            }
        }
        "reaction" => Content::Reaction {
            emoji: s(m, "/reaction/emoji").unwrap_or_default(),
        },
        "interactive" => {
            let reply = m
                .pointer("/interactive/button_reply")
                .or_else(|| m.pointer("/interactive/list_reply"));
            let r = reply.ok_or_else(|| ParseError::new("interactive without a reply"))?;
            Content::Choice {
                payload: s(r, "/id").unwrap_or_default(),
                title: s(r, "/title").unwrap_or_default(),
            }
        }
        "button" => Content::Choice {
            payload: s(m, "/button/payload").unwrap_or_default(),
            title: s(m, "/button/text").unwrap_or_default(),
        },
        other => return Ok(Event::Ignored(format!("message type {other}"))),
    };
    let in_reply_to = s(m, "/context/id").or_else(|| s(m, "/reaction/message_id"));
    Ok(Event::Message(InboundMessage {
        provider_id: s(m, "/id").ok_or_else(|| ParseError::new("message without id"))?,
        sender: Sender {
            external_id: from,
            display_name: name,
            handle: None,
        },
        reply_to_address: None,
        at_ms: seconds_ms(m, "/timestamp"),
        content,
        reply_token: None,
        in_reply_to,
    }))
}

/// The request body for one message.
pub fn message_body(to: &str, content: &OutContent) -> Value {
    let mut body =
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to});
    match content {
        OutContent::Text { text } => {
            body["type"] = json!("text");
            body["text"] = json!({"preview_url": false, "body": text});
        }
        OutContent::Media {
            kind,
            url,
            caption,
            filename,
            ..
        } => {
            let k = kind.as_str();
            let mut media = json!({"link": url});
            if let Some(c) = caption
                .as_ref()
                .filter(|_| !matches!(kind, MediaKind::Audio | MediaKind::Sticker))
            {
                media["caption"] = json!(c);
            }
            if let (MediaKind::Document, Some(f)) = (kind, filename) {
                media["filename"] = json!(f);
            }
            body["type"] = json!(k);
            body[k] = media;
        }
        OutContent::Template {
            name,
            language,
            params,
        } => {
            let parameters: Vec<Value> = params
                .iter()
                .map(|p| json!({"type": "text", "text": p}))
                .collect();
            body["type"] = json!("template");
            body["template"] = json!({
                "name": name,
                "language": {"code": language},
                "components": [{"type": "body", "parameters": parameters}],
            });
        }
    }
    body
}

/// Meta's throttling codes come with HTTP 400; they are worth retrying.
fn is_throttle(code: i64) -> bool {
    matches!(
        code,
        4 | 17 | 32 | 613 | 80007 | 130429 | 131048 | 131056 | 133016
    )
}

/// Posts to the Graph API and classifies a failure: Meta's throttling codes come with
/// HTTP 400 but are worth retrying.
pub(crate) async fn graph_post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: &Value,
) -> Result<Value, SendError> {
    let res = http
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(SendError::network)?;
    let status = res.status().as_u16();
    let after = retry_after(&res);
    let text = res.text().await.map_err(SendError::network)?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(v);
    }
    let code = v
        .pointer("/error/code")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let reason = format!(
        "{} (code {code})",
        s(&v, "/error/error_data/details")
            .or_else(|| s(&v, "/error/message"))
            .unwrap_or_else(|| format!("HTTP {status}"))
    );
    if is_throttle(code) || status == 429 || status >= 500 {
        Err(SendError::Transient {
            reason,
            retry_after: after,
        })
    } else {
        Err(SendError::Permanent { reason })
    }
}

pub async fn send(
    http: &reqwest::Client,
    creds: &Credentials,
    out: &Outgoing<'_>,
) -> Result<Sent, SendError> {
    let number = creds.get("phone_number_id");
    if number.is_empty() {
        return Err(SendError::Permanent {
            reason: "channel has no phone_number_id".into(),
        });
    }
    let url = format!("{}/{number}/messages", creds.base());
    let v = graph_post(
        http,
        url,
        creds.get("access_token"),
        &message_body(out.to, out.content),
    )
    .await?;
    s(&v, "/messages/0/id")
        .map(|provider_id| Sent { provider_id })
        .ok_or_else(|| SendError::Permanent {
            reason: "the answer has no message id".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const INBOUND: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Siti R"},"wa_id":"6281234500001"}],"messages":[{"from":"6281234500001","id":"wamid.HBgNNjI4MTIzNDUwMDAwMRUCABIYFjNFQjA","timestamp":"1732400000","type":"text","text":{"body":"Saldo simpanan saya berapa?"}},{"from":"6281234500001","id":"wamid.IMG","timestamp":"1732400001","type":"image","image":{"caption":"bukti transfer","mime_type":"image/jpeg","sha256":"abc","id":"1479537139650973"}}],"statuses":[{"id":"wamid.OUT1","status":"read","timestamp":"1732400002","recipient_id":"6281234500001"}]},"field":"messages"}]}]}"#;

    #[test]
    fn splits_and_parses_messages_and_statuses() {
        let events = split(INBOUND.as_bytes()).unwrap();
        let keys: Vec<&str> = events.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "m:wamid.HBgNNjI4MTIzNDUwMDAwMRUCABIYFjNFQjA",
                "m:wamid.IMG",
                "s:wamid.OUT1:read"
            ]
        );
        let Event::Message(m) = parse(&events[0].body).unwrap() else {
            panic!()
        };
        assert_eq!(m.sender.external_id, "6281234500001");
        assert_eq!(m.sender.display_name.as_deref(), Some("Siti R"));
        assert_eq!(
            m.content,
            Content::Text {
                text: "Saldo simpanan saya berapa?".into()
            }
        );
        assert_eq!(m.at_ms, 1_732_400_000_000);
        let Event::Message(img) = parse(&events[1].body).unwrap() else {
            panic!()
        };
        assert!(
            matches!(img.content, Content::Media { kind: MediaKind::Image, ref media_ref, .. } if media_ref == "1479537139650973")
        );
        let Event::Status(st) = parse(&events[2].body).unwrap() else {
            panic!()
        };
        assert_eq!(
            (st.provider_id.as_str(), st.status),
            ("wamid.OUT1", DeliveryStatus::Read)
        );
    }

    #[test]
    fn parses_every_kind() {
        let cases = [
            (
                r#"{"type":"location","location":{"latitude":-6.2,"longitude":106.8,"name":"Kantor"}}"#,
                "location",
            ),
            (
                r#"{"type":"contacts","contacts":[{"name":{"formatted_name":"Budi"},"phones":[{"phone":"+62 812"}]}]}"#,
                "contact",
            ),
            (
                r#"{"type":"reaction","reaction":{"message_id":"wamid.A","emoji":"👍"}}"#,
                "reaction",
            ),
            (
                r#"{"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"saldo","title":"Cek saldo"}}}"#,
                "choice",
            ),
            (
                r#"{"type":"button","button":{"payload":"ya","text":"Ya"}}"#,
                "choice",
            ),
            (
                r#"{"type":"audio","audio":{"id":"9","mime_type":"audio/ogg"}}"#,
                "audio",
            ),
            (
                r#"{"type":"document","document":{"id":"8","filename":"ktp.pdf"}}"#,
                "document",
            ),
            (r#"{"type":"sticker","sticker":{"id":"7"}}"#, "sticker"),
            (r#"{"type":"video","video":{"id":"6"}}"#, "video"),
        ];
        for (m, kind) in cases {
            let mut v: Value = serde_json::from_str(m).unwrap();
            v["from"] = json!("628");
            v["id"] = json!("wamid.Z");
            v["timestamp"] = json!("1");
            let body = json!({"contacts": [], "message": v}).to_string();
            let Event::Message(parsed) = parse(body.as_bytes()).unwrap() else {
                panic!("{m}")
            };
            assert_eq!(parsed.content.kind(), kind, "{m}");
        }
        assert!(matches!(
            parse(br#"{"message":{"type":"unsupported","from":"1","id":"x"}}"#).unwrap(),
            Event::Ignored(_)
        ));
        assert!(parse(b"{").is_err());
        assert!(parse(br#"{"message":{"type":"text"}}"#).is_err());
    }

    #[test]
    fn builds_text_media_and_template_bodies() {
        let t = message_body(
            "628",
            &OutContent::Text {
                text: "Halo".into(),
            },
        );
        assert_eq!(
            t,
            json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"628","type":"text","text":{"preview_url":false,"body":"Halo"}})
        );
        let d = message_body(
            "628",
            &OutContent::Media {
                kind: MediaKind::Document,
                url: "https://x/a.pdf".into(),
                caption: Some("Struk".into()),
                filename: Some("a.pdf".into()),
                file: None,
            },
        );
        assert_eq!(
            d["document"],
            json!({"link":"https://x/a.pdf","caption":"Struk","filename":"a.pdf"})
        );
        let tpl = message_body(
            "628",
            &OutContent::Template {
                name: "kode_verifikasi".into(),
                language: "id".into(),
                params: vec!["123456".into()],
            },
        );
        assert_eq!(
            tpl["template"]["components"][0]["parameters"][0],
            json!({"type":"text","text":"123456"})
        );
    }
}

#[cfg(test)]
mod found_by_fuzzing {
    use super::*;

    #[test]
    fn escaped_ids_and_huge_timestamps() {
        let body = r#"{"entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.HBgL\/abc=","status":"re\u0061d","timestamp":"0060768612302237119"}]}}]}]}"#;
        let ev = split(body.as_bytes()).unwrap();
        assert_eq!(ev[0].key, "s:wamid.HBgL/abc=:read");
        let Event::Status(s) = parse(&ev[0].body).unwrap() else {
            panic!()
        };
        assert_eq!(s.at_ms, i64::MAX);
    }
}
