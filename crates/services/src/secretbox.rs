//! Sealing channel secrets at rest: XChaCha20-Poly1305 under the installation's secret
//! key (`secret_key` in the configuration, or `secret.key` in the data directory,
//! made on first start). A sealed value is `v1.` + base64(nonce ‖ ciphertext).

use base64::Engine;
use chacha20poly1305::aead::Aead;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use rand::RngCore;

#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the secret key must be 32 bytes, written as 64 hex digits or base64")]
    KeyLength,
    #[error("a sealed value cannot be opened: wrong secret key, or the value was changed")]
    Open,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

impl SecretBox {
    /// From 32 bytes written as 64 hex digits or as base64.
    pub fn from_text(key: &str) -> Result<SecretBox, SealError> {
        let key = key.trim();
        let bytes = if key.len() == 64 && key.bytes().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(key).map_err(|_| SealError::KeyLength)?
        } else {
            B64.decode(key).map_err(|_| SealError::KeyLength)?
        };
        if bytes.len() != 32 {
            return Err(SealError::KeyLength);
        }
        Ok(SecretBox {
            cipher: XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| SealError::KeyLength)?,
        })
    }

    /// A new random key, as 64 hex digits.
    pub fn generate_key() -> String {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        hex::encode(k)
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt((&nonce).into(), plain.as_bytes())
            .expect("encryption of an in-memory buffer does not fail");
        let mut out = nonce.to_vec();
        out.extend(ct);
        format!("v1.{}", B64.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let raw = sealed.strip_prefix("v1.").ok_or(SealError::Open)?;
        let bytes = B64.decode(raw).map_err(|_| SealError::Open)?;
        if bytes.len() < 24 + 16 {
            return Err(SealError::Open);
        }
        let (nonce, ct) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SealError::Open)?;
        let plain = self
            .cipher
            .decrypt((&nonce).into(), ct)
            .map_err(|_| SealError::Open)?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_and_detects_tampering() {
        let key = SecretBox::generate_key();
        let b = SecretBox::from_text(&key).unwrap();
        let sealed = b.seal("{\"access_token\":\"EAAG\"}");
        assert!(!sealed.contains("EAAG"));
        assert_ne!(
            sealed,
            b.seal("{\"access_token\":\"EAAG\"}"),
            "a fresh nonce each time"
        );
        assert_eq!(b.open(&sealed).unwrap(), "{\"access_token\":\"EAAG\"}");
        let other = SecretBox::from_text(&SecretBox::generate_key()).unwrap();
        assert_eq!(other.open(&sealed), Err(SealError::Open));
        let mut bad = sealed.clone();
        bad.pop();
        bad.push('A');
        assert_eq!(b.open(&bad), Err(SealError::Open));
        assert_eq!(
            SecretBox::from_text("short").err(),
            Some(SealError::KeyLength)
        );
    }
}
