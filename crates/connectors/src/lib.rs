//! Guyub's connectors: one module per messaging provider. Each verifies what the
//! provider sends on the raw bytes (constant time), splits a delivery into events with
//! the provider's own idempotency key, parses an event into Guyub's model, and sends
//! messages through the provider's API at a configurable base URL (so a local fake can
//! stand in for the provider in tests and in the demo).
//!
//! Nothing here touches the database; the pipeline in `guyub-services` does.

pub mod email;
pub mod line;
pub mod meta;
pub mod model;
pub mod telegram;
pub mod webchat;
pub mod whatsapp;
pub mod x;

pub use model::*;

use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Splits one delivery of `kind` into events keyed for idempotency.
pub fn split(kind: ChannelKind, body: &[u8]) -> Result<Vec<RawEvent>, ParseError> {
    match kind {
        ChannelKind::Whatsapp => whatsapp::split(body),
        ChannelKind::Messenger | ChannelKind::Instagram => meta::split(body),
        ChannelKind::Telegram => telegram::split(body),
        ChannelKind::Line => line::split(body),
        ChannelKind::X => x::split(body),
        ChannelKind::Webchat => webchat::split(body),
        ChannelKind::Email => email::split(body),
    }
}

/// Parses one stored event of `kind`.
pub fn parse(kind: ChannelKind, event: &[u8]) -> Result<Event, ParseError> {
    match kind {
        ChannelKind::Whatsapp => whatsapp::parse(event),
        ChannelKind::Messenger | ChannelKind::Instagram => meta::parse(event),
        ChannelKind::Telegram => telegram::parse(event),
        ChannelKind::Line => line::parse(event),
        ChannelKind::X => x::parse(event),
        ChannelKind::Webchat => webchat::parse(event),
        ChannelKind::Email => email::parse(event),
    }
}

/// Checks that a delivery really comes from the provider.
pub fn verify(
    kind: ChannelKind,
    creds: &Credentials,
    req: &SignedRequest<'_>,
) -> Result<(), VerifyError> {
    match kind {
        ChannelKind::Whatsapp | ChannelKind::Messenger | ChannelKind::Instagram => {
            meta::verify(creds, req)
        }
        ChannelKind::Telegram => telegram::verify(creds, req),
        ChannelKind::Line => line::verify(creds, req),
        ChannelKind::X => x::verify(creds, req),
        ChannelKind::Webchat => webchat::verify(creds, req),
        ChannelKind::Email => email::verify(creds, req),
    }
}

/// Answers the provider's webhook handshake (`GET` on the webhook URL), if it has one.
pub fn handshake(
    kind: ChannelKind,
    creds: &Credentials,
    query: &[(String, String)],
) -> Result<Handshake, VerifyError> {
    match kind {
        ChannelKind::Whatsapp | ChannelKind::Messenger | ChannelKind::Instagram => {
            meta::handshake(creds, query)
        }
        ChannelKind::X => x::handshake(creds, query),
        ChannelKind::Webchat | ChannelKind::Email => Err(VerifyError::NoHandshake),
        ChannelKind::Telegram | ChannelKind::Line => Err(VerifyError::NoHandshake),
    }
}

/// Sends one message.
pub async fn send(
    kind: ChannelKind,
    http: &reqwest::Client,
    creds: &Credentials,
    out: &Outgoing<'_>,
) -> Result<Sent, SendError> {
    match kind {
        ChannelKind::Whatsapp => whatsapp::send(http, creds, out).await,
        ChannelKind::Messenger | ChannelKind::Instagram => meta::send(http, creds, out).await,
        ChannelKind::Telegram => telegram::send(http, creds, out).await,
        ChannelKind::Line => line::send(http, creds, out).await,
        ChannelKind::X => x::send(http, creds, out).await,
        ChannelKind::Webchat => webchat::send(out),
        ChannelKind::Email => {
            let thread = email::Thread {
                in_reply_to: out.in_reply_to,
                subject: out.subject,
            };
            email::send(creds, out, &thread).await
        }
    }
}
