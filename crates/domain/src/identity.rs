//! Contacts and the channel identities behind them. A contact is a person as the
//! cooperative meets them on its channels; a contact links to at most one member.

use crate::member::{MemberError, Phone};
use crate::text::Email;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// WhatsApp `wa_id` (E.164 without `+`).
    Whatsapp,
    /// Messenger page-scoped id (PSID).
    Messenger,
    /// Instagram-scoped id (IGSID).
    Instagram,
    /// Telegram user id.
    Telegram,
    /// LINE `userId`.
    Line,
    /// X user id.
    X,
    Email,
    /// A caller's number.
    Phone,
    /// An anonymous web chat visitor.
    Webchat,
    /// A buyer on a marketplace or delivery app.
    Marketplace,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "unknown identity kind (whatsapp, messenger, instagram, telegram, line, x, email, phone, webchat, marketplace)"
    )]
    Kind,
    #[error("external id must be 1 to 200 printable characters")]
    ExternalId,
    #[error("{0}")]
    Phone(MemberError),
    #[error("not a valid e-mail address")]
    Email,
}

impl IdentityKind {
    pub const ALL: [IdentityKind; 10] = [
        IdentityKind::Whatsapp,
        IdentityKind::Messenger,
        IdentityKind::Instagram,
        IdentityKind::Telegram,
        IdentityKind::Line,
        IdentityKind::X,
        IdentityKind::Email,
        IdentityKind::Phone,
        IdentityKind::Webchat,
        IdentityKind::Marketplace,
    ];

    pub fn parse(raw: &str) -> Result<IdentityKind, IdentityError> {
        IdentityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim().to_ascii_lowercase())
            .ok_or(IdentityError::Kind)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Whatsapp => "whatsapp",
            IdentityKind::Messenger => "messenger",
            IdentityKind::Instagram => "instagram",
            IdentityKind::Telegram => "telegram",
            IdentityKind::Line => "line",
            IdentityKind::X => "x",
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
            IdentityKind::Webchat => "webchat",
            IdentityKind::Marketplace => "marketplace",
        }
    }

    /// Whether the external id is itself a phone number (and so can match a member's).
    pub fn is_phone(self) -> bool {
        matches!(self, IdentityKind::Whatsapp | IdentityKind::Phone)
    }
}

impl fmt::Display for IdentityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identity's key as it arrives from a channel, normalised so that the same person
/// always gives the same key: phone kinds in E.164 digits, e-mail lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityKey {
    pub kind: IdentityKind,
    pub external_id: String,
    /// The phone number the identity proves, for phone kinds.
    pub phone: Option<Phone>,
    /// The address, for e-mail.
    pub email: Option<Email>,
}

impl IdentityKey {
    pub fn parse(kind: IdentityKind, raw: &str) -> Result<IdentityKey, IdentityError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 200 || raw.chars().any(char::is_control) {
            return Err(IdentityError::ExternalId);
        }
        let (external_id, phone, email) = match kind {
            IdentityKind::Whatsapp | IdentityKind::Phone => {
                // A wa_id is digits without '+'; give the parser its '+' back.
                let p = if kind == IdentityKind::Whatsapp
                    && !raw.starts_with('0')
                    && raw.bytes().all(|c| c.is_ascii_digit())
                {
                    Phone::parse(&format!("+{raw}"))
                } else {
                    Phone::parse(raw)
                }
                .map_err(IdentityError::Phone)?;
                (p.digits().to_string(), Some(p), None)
            }
            IdentityKind::Email => {
                let e = Email::parse(raw).map_err(|_| IdentityError::Email)?;
                (e.as_str().to_string(), None, Some(e))
            }
            _ => (raw.to_string(), None, None),
        };
        Ok(IdentityKey {
            kind,
            external_id,
            phone,
            email,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalised_per_kind() {
        let wa = IdentityKey::parse(IdentityKind::Whatsapp, "6281234567890").unwrap();
        assert_eq!(wa.external_id, "6281234567890");
        assert_eq!(wa.phone.unwrap().as_str(), "+6281234567890");
        let typed = IdentityKey::parse(IdentityKind::Whatsapp, "081234567890").unwrap();
        assert_eq!(typed.external_id, "6281234567890");
        let call = IdentityKey::parse(IdentityKind::Phone, "0812-3456-7890").unwrap();
        assert_eq!(call.external_id, "6281234567890");
        let mail = IdentityKey::parse(IdentityKind::Email, " Siti@Example.ID ").unwrap();
        assert_eq!(mail.external_id, "siti@example.id");
        let tg = IdentityKey::parse(IdentityKind::Telegram, "123456789").unwrap();
        assert_eq!(tg.external_id, "123456789");
        assert!(tg.phone.is_none());
        assert!(IdentityKey::parse(IdentityKind::Line, "").is_err());
        assert!(IdentityKey::parse(IdentityKind::Line, "a\nb").is_err());
        assert!(IdentityKey::parse(IdentityKind::Whatsapp, "hello").is_err());
        assert_eq!(IdentityKind::parse("LINE").unwrap(), IdentityKind::Line);
        assert!(IdentityKind::parse("myspace").is_err());
    }
}
