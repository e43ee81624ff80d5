//! What every connector speaks: channel kinds, credentials, events in Guyub's model,
//! outgoing messages and the ways sending can fail.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Whatsapp,
    Messenger,
    Instagram,
    Telegram,
    Line,
    X,
    /// The web chat widget on the cooperative's own site.
    Webchat,
    /// A mailbox: IMAP in, SMTP out.
    Email,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 8] = [
        ChannelKind::Whatsapp,
        ChannelKind::Messenger,
        ChannelKind::Instagram,
        ChannelKind::Telegram,
        ChannelKind::Line,
        ChannelKind::X,
        ChannelKind::Webchat,
        ChannelKind::Email,
    ];

    pub fn parse(raw: &str) -> Option<ChannelKind> {
        ChannelKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim().to_ascii_lowercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Whatsapp => "whatsapp",
            ChannelKind::Messenger => "messenger",
            ChannelKind::Instagram => "instagram",
            ChannelKind::Telegram => "telegram",
            ChannelKind::Line => "line",
            ChannelKind::X => "x",
            ChannelKind::Webchat => "webchat",
            ChannelKind::Email => "email",
        }
    }

    /// The provider's public API, the default base URL of a new channel.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ChannelKind::Whatsapp | ChannelKind::Messenger | ChannelKind::Instagram => {
                "https://graph.facebook.com/v21.0"
            }
            ChannelKind::Telegram => "https://api.telegram.org",
            ChannelKind::Line => "https://api.line.me",
            ChannelKind::X => "https://api.x.com",
            // Guyub is the "provider": nothing to reach.
            ChannelKind::Webchat | ChannelKind::Email => "",
        }
    }

    /// The credential names a channel of this kind needs, and which are secret.
    pub fn credential_keys(self) -> &'static [(&'static str, bool)] {
        match self {
            ChannelKind::Whatsapp => &[
                ("phone_number_id", false),
                ("access_token", true),
                ("app_secret", true),
                ("verify_token", true),
            ],
            ChannelKind::Messenger | ChannelKind::Instagram => &[
                ("page_id", false),
                ("access_token", true),
                ("app_secret", true),
                ("verify_token", true),
            ],
            ChannelKind::Telegram => &[("bot_token", true), ("secret_token", true)],
            ChannelKind::Line => &[("channel_access_token", true), ("channel_secret", true)],
            ChannelKind::X => &[
                ("user_id", false),
                ("access_token", true),
                ("consumer_secret", true),
            ],
            // allowed_origins: the sites that may embed the widget, comma-separated, or *.
            ChannelKind::Webchat => &[("allowed_origins", false), ("widget_secret", true)],
            // imap_tls: tls or none; smtp_tls: tls, starttls or none.
            ChannelKind::Email => &[
                ("address", false),
                ("imap_host", false),
                ("imap_port", false),
                ("imap_tls", false),
                ("smtp_host", false),
                ("smtp_port", false),
                ("smtp_tls", false),
                ("username", false),
                ("password", true),
            ],
        }
    }
}

impl std::fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel's settings and secrets, decrypted: the base URL plus named values (see
/// `ChannelKind::credential_keys`).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Credentials {
    pub base_url: String,
    pub values: BTreeMap<String, String>,
}

impl Credentials {
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret.
        f.debug_struct("Credentials")
            .field("base_url", &self.base_url)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A webhook delivery as it arrived.
pub struct SignedRequest<'a> {
    /// A header by name (case-insensitive).
    pub header: &'a dyn Fn(&str) -> Option<String>,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is missing")]
    MissingSignature,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the verify token does not match")]
    BadVerifyToken,
    #[error("the handshake request is malformed")]
    BadHandshake,
    #[error("this provider has no webhook handshake")]
    NoHandshake,
    #[error("the channel is not configured: {0} is missing")]
    NotConfigured(&'static str),
}

/// The answer to a handshake: the body to send with 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    pub content_type: &'static str,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(m: impl Into<String>) -> ParseError {
        ParseError(m.into())
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        ParseError(format!("malformed JSON: {e}"))
    }
}

/// One event of a delivery: its idempotency key (unique per channel) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub key: String,
    pub body: Vec<u8>,
}

// Events are parsed one at a time and consumed at once; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Message(InboundMessage),
    Status(StatusUpdate),
    /// Everything we sent to `recipient` up to this time was read (Messenger and
    /// Instagram report reads as a watermark).
    ReadUpTo {
        recipient: String,
        watermark_ms: i64,
    },
    /// Something the pipeline does not act on (an echo of our own send, a read
    /// receipt without ids, an unsupported event), with the reason.
    Ignored(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sender {
    /// The provider's id of the person (wa_id, PSID, IGSID, Telegram user id, LINE userId, X user id).
    pub external_id: String,
    pub display_name: Option<String>,
    pub handle: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The provider's message id, unique per channel.
    pub provider_id: String,
    pub sender: Sender,
    /// Where replies go, when it is not the sender's id (a Telegram chat id).
    pub reply_to_address: Option<String>,
    pub at_ms: i64,
    pub content: Content,
    /// LINE: the reply token, usable once within a minute.
    pub reply_token: Option<String>,
    /// The provider id of the message this one quotes or reacts to.
    pub in_reply_to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        text: String,
    },
    Media {
        kind: MediaKind,
        /// The provider's media id or URL, to fetch it.
        media_ref: String,
        mime_type: Option<String>,
        caption: Option<String>,
        filename: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    Contact {
        name: String,
        phones: Vec<String>,
    },
    Reaction {
        emoji: String,
    },
    /// A button, quick reply or list choice: what the person picked.
    Choice {
        payload: String,
        title: String,
    },
}

impl Content {
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::Media { kind, .. } => kind.as_str(),
            Content::Location { .. } => "location",
            Content::Contact { .. } => "contact",
            Content::Reaction { .. } => "reaction",
            Content::Choice { .. } => "choice",
        }
    }

    /// The words to show and search.
    pub fn text(&self) -> String {
        match self {
            Content::Text { text } => text.clone(),
            Content::Media {
                caption, filename, ..
            } => caption
                .clone()
                .or_else(|| filename.clone())
                .unwrap_or_default(),
            Content::Location {
                name,
                address,
                latitude,
                longitude,
            } => format!(
                "{} {} ({latitude}, {longitude})",
                name.as_deref().unwrap_or(""),
                address.as_deref().unwrap_or("")
            )
            .trim()
            .to_string(),
            Content::Contact { name, phones } => format!("{name} {}", phones.join(", ")),
            Content::Reaction { emoji } => emoji.clone(),
            Content::Choice { title, .. } => title.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            Self::Queued,
            Self::Sent,
            Self::Delivered,
            Self::Read,
            Self::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    /// The order statuses may move in: a status never moves to a lower rank. A
    /// failure outranks sent (the provider gave up) but not delivered or read.
    pub fn rank(self) -> i64 {
        match self {
            DeliveryStatus::Queued => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Failed => 2,
            DeliveryStatus::Delivered => 3,
            DeliveryStatus::Read => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// The provider's id of our message.
    pub provider_id: String,
    pub status: DeliveryStatus,
    pub at_ms: i64,
    pub error: Option<String>,
}

/// What to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutContent {
    Text {
        text: String,
    },
    Media {
        kind: MediaKind,
        url: String,
        caption: Option<String>,
        filename: Option<String>,
        /// The object-storage key when the file is one staff uploaded to Guyub (`url`
        /// then serves it); e-mail attaches the file itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
    },
    /// A pre-approved template (WhatsApp outside the 24-hour window).
    Template {
        name: String,
        language: String,
        params: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The recipient's address on the channel.
    pub to: &'a str,
    pub content: &'a OutContent,
    /// LINE's reply token, while valid.
    pub reply_token: Option<&'a str>,
    /// Messenger/Instagram outside the 24-hour window: a message tag (`HUMAN_AGENT`).
    pub tag: Option<&'a str>,
    /// Stable per message, for providers that de-duplicate retries (LINE).
    pub idempotency_key: &'a str,
    /// E-mail threading: the member's last message id and its subject.
    pub in_reply_to: Option<&'a str>,
    pub subject: Option<&'a str>,
    /// The file itself, for channels that carry it in the message (e-mail).
    pub attachment: Option<Attachment<'a>>,
}

/// A file sent inside the message.
#[derive(Debug, Clone, Copy)]
pub struct Attachment<'a> {
    pub bytes: &'a [u8],
    pub content_type: &'a str,
    pub filename: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub provider_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (network, 5xx, rate limit).
    #[error("temporary failure: {reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Will fail again the same way (bad recipient, window closed, bad token).
    #[error("{reason}")]
    Permanent { reason: String },
}

impl SendError {
    /// Classifies an HTTP answer by status.
    pub fn from_status(status: u16, reason: String, retry_after: Option<Duration>) -> SendError {
        if status == 429 || status >= 500 || status == 408 {
            SendError::Transient {
                reason,
                retry_after,
            }
        } else {
            SendError::Permanent { reason }
        }
    }
    pub fn network(e: reqwest::Error) -> SendError {
        SendError::Transient {
            reason: format!("network: {e}"),
            retry_after: None,
        }
    }
}

/// `Retry-After` in seconds, if the answer carries one.
pub fn retry_after(res: &reqwest::Response) -> Option<Duration> {
    res.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Reads a JSON answer, or classifies the failure.
pub async fn json_answer(
    res: Result<reqwest::Response, reqwest::Error>,
) -> Result<serde_json::Value, SendError> {
    let res = res.map_err(SendError::network)?;
    let status = res.status().as_u16();
    let after = retry_after(&res);
    let body = res.text().await.map_err(SendError::network)?;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    if (200..300).contains(&status) {
        return Ok(json);
    }
    let reason = json
        .pointer("/error/message")
        .or_else(|| json.pointer("/description"))
        .or_else(|| json.pointer("/message"))
        .or_else(|| json.pointer("/detail"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "HTTP {status}: {}",
                body.chars().take(200).collect::<String>()
            )
        });
    Err(SendError::from_status(status, reason, after))
}
