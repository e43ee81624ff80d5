//! The web chat widget: Guyub's own channel, embedded on a cooperative's site with one
//! script tag (`/webchat.js`). A visitor gets an anonymous id and a token signed with
//! the channel's widget secret; the widget's endpoints (in the server) check the token
//! and store each message as an inbound event like any provider's. Replies are kept
//! for the widget to fetch, so "sending" needs no outside call.

use crate::model::*;
use crate::{hmac_sha256, same};
use base64::Engine;
use rand::RngCore;
use serde_json::{Value, json};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A new anonymous visitor id.
pub fn new_visitor() -> String {
    let mut b = [0u8; 12];
    rand::rng().fill_bytes(&mut b);
    format!("v{}", hex::encode(b))
}

/// The token the widget keeps: the visitor id and its signature for this channel.
pub fn visitor_token(widget_secret: &str, channel_id: i64, visitor: &str) -> String {
    let sig = hmac_sha256(
        widget_secret.as_bytes(),
        format!("{channel_id}:{visitor}").as_bytes(),
    );
    format!("{visitor}.{}", B64.encode(sig))
}

/// The visitor a token stands for, if the token is this channel's.
pub fn check_token(widget_secret: &str, channel_id: i64, token: &str) -> Option<String> {
    let (visitor, sig) = token.split_once('.')?;
    if !visitor.starts_with('v')
        || visitor.len() > 64
        || !visitor[1..].bytes().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    let given = B64.decode(sig).ok()?;
    let want = hmac_sha256(
        widget_secret.as_bytes(),
        format!("{channel_id}:{visitor}").as_bytes(),
    );
    same(&given, &want).then(|| visitor.to_string())
}

/// The event the widget endpoint stores for one message.
pub fn event(
    visitor: &str,
    client_id: &str,
    name: Option<&str>,
    text: &str,
    at_ms: i64,
) -> RawEvent {
    let body = json!({"visitor": visitor, "client_id": client_id, "name": name, "text": text, "at": at_ms});
    RawEvent {
        key: format!("wc:{visitor}:{client_id}"),
        body: body.to_string().into_bytes(),
    }
}

/// Webhook deliveries do not exist for this channel: anything at `/hooks/webchat/…` is
/// refused.
pub fn verify(_creds: &Credentials, _req: &SignedRequest<'_>) -> Result<(), VerifyError> {
    Err(VerifyError::BadSignature)
}

pub fn split(body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    let v: Value = serde_json::from_slice(body)?;
    let visitor = v
        .get("visitor")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::new("no visitor"))?;
    let client = v
        .get("client_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::new("no client_id"))?;
    Ok(vec![RawEvent {
        key: format!("wc:{visitor}:{client}"),
        body: body.to_vec(),
    }])
}

pub fn parse(event: &[u8]) -> Result<Event, ParseError> {
    let v: Value = serde_json::from_slice(event)?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let visitor = s("visitor").ok_or_else(|| ParseError::new("no visitor"))?;
    let client = s("client_id").ok_or_else(|| ParseError::new("no client_id"))?;
    Ok(Event::Message(InboundMessage {
        provider_id: format!("{visitor}:{client}"),
        sender: Sender {
            external_id: visitor,
            display_name: s("name"),
            handle: None,
        },
        reply_to_address: None,
        at_ms: v.get("at").and_then(Value::as_i64).unwrap_or(0),
        content: Content::Text {
            text: s("text").unwrap_or_default(),
        },
        reply_token: None,
        in_reply_to: None,
    }))
}

/// Nothing to call: the reply waits for the widget, which marks it delivered.
pub fn send(out: &Outgoing<'_>) -> Result<Sent, SendError> {
    match out.content {
        OutContent::Template { .. } => Err(SendError::Permanent {
            reason: "templates are a WhatsApp feature".into(),
        }),
        _ => Ok(Sent {
            provider_id: format!("wc-{}", out.idempotency_key),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_a_visitor_to_a_channel() {
        let v = new_visitor();
        let t = visitor_token("s3cret", 7, &v);
        assert_eq!(check_token("s3cret", 7, &t).as_deref(), Some(v.as_str()));
        assert_eq!(check_token("s3cret", 8, &t), None, "another channel");
        assert_eq!(check_token("other", 7, &t), None, "another secret");
        assert_eq!(
            check_token(
                "s3cret",
                7,
                &format!("vdeadbeef.{}", t.split_once('.').unwrap().1)
            ),
            None
        );
        assert_eq!(check_token("s3cret", 7, "garbage"), None);
    }

    #[test]
    fn events_round_trip() {
        let e = event("vabc", "c1", Some("Tamu"), "Halo, jam buka koperasi?", 5);
        assert_eq!(e.key, "wc:vabc:c1");
        assert_eq!(split(&e.body).unwrap()[0].key, "wc:vabc:c1");
        let Event::Message(m) = parse(&e.body).unwrap() else {
            panic!()
        };
        assert_eq!(
            (m.sender.external_id.as_str(), m.provider_id.as_str()),
            ("vabc", "vabc:c1")
        );
        assert_eq!(
            m.content,
            Content::Text {
                text: "Halo, jam buka koperasi?".into()
            }
        );
    }
}
