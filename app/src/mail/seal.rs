//! Tokens sealed at rest: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`, audited and
//! widely used) under a key derived from `SPINE_GRANT_KEY` with HKDF-SHA-256. A sealed value
//! is bound to its rep and its purpose (the associated data), so a refresh token copied into
//! another rep's row, or into the access token's column, does not open. Each sealed value is
//! stored with the id of its key: old keys still open what they sealed, and a grant is sealed
//! again under the current key the next time its tokens change.

use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use uuid::Uuid;

const NONCE_LEN: usize = 24;

/// What a sealed value is, so that one cannot stand for another.
#[derive(Clone, Copy)]
pub enum Purpose {
    RefreshToken,
    AccessToken,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::RefreshToken => b"graph refresh token",
            Purpose::AccessToken => b"graph access token",
        }
    }
}

/// The keys: the current one seals, every one opens what it sealed.
#[derive(Clone)]
pub struct Sealer {
    current: (String, XChaCha20Poly1305),
    previous: Vec<(String, XChaCha20Poly1305)>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("key_id", &self.current.0)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("no key named {0:?} (SPINE_GRANT_PREVIOUS_KEYS)")]
    UnknownKey(String),
    #[error("a sealed token does not open: altered, or under another key")]
    Corrupt,
}

fn cipher(secret: &str) -> XChaCha20Poly1305 {
    let mut key = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b"spine"), secret.as_bytes())
        .expand(b"graph grants", &mut key)
        .expect("32 bytes is a valid HKDF-SHA-256 length");
    XChaCha20Poly1305::new(&key.into())
}

impl Sealer {
    /// `current` under `key_id`; `previous` as `id=secret` pairs separated by `;`.
    pub fn new(key_id: &str, current: &str, previous: Option<&str>) -> Self {
        let previous = previous
            .unwrap_or_default()
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .map(|(id, secret)| (id.trim().to_string(), cipher(secret.trim())))
            .collect();
        Sealer {
            current: (key_id.to_string(), cipher(current)),
            previous,
        }
    }

    /// The id of the key that seals.
    pub fn key_id(&self) -> &str {
        &self.current.0
    }

    fn aad(user: Uuid, purpose: Purpose) -> Vec<u8> {
        let mut aad = user.as_bytes().to_vec();
        aad.extend_from_slice(purpose.label());
        aad
    }

    /// `token` sealed for `user`: nonce, then ciphertext and tag.
    pub fn seal(&self, user: Uuid, purpose: Purpose, token: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = Self::aad(user, purpose);
        let sealed = self
            .current
            .1
            .encrypt(
                &nonce,
                Payload {
                    msg: token.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The token `sealed` under the key `key_id` for `user`.
    pub fn open(
        &self,
        key_id: &str,
        user: Uuid,
        purpose: Purpose,
        sealed: &[u8],
    ) -> Result<String, SealError> {
        let cipher = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|(id, _)| id == key_id)
            .map(|(_, cipher)| cipher)
            .ok_or_else(|| SealError::UnknownKey(key_id.to_string()))?;
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Corrupt);
        }
        let (nonce, message) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Corrupt)?;
        let aad = Self::aad(user, purpose);
        let opened = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: message,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Corrupt)?;
        String::from_utf8(opened).map_err(|_| SealError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_and_nothing_else() {
        let sealer = Sealer::new("2", "current secret of at least thirty-two bytes", None);
        let (rep, other) = (Uuid::new_v4(), Uuid::new_v4());
        let sealed = sealer.seal(rep, Purpose::RefreshToken, "0.AXoA-refresh");
        assert!(!sealed.windows(b"refresh".len()).any(|w| w == b"refresh"));
        assert_eq!(
            sealer
                .open("2", rep, Purpose::RefreshToken, &sealed)
                .unwrap(),
            "0.AXoA-refresh"
        );
        // Another rep's row, the other column, a flipped bit, a cut value: none opens.
        assert!(sealer
            .open("2", other, Purpose::RefreshToken, &sealed)
            .is_err());
        assert!(sealer
            .open("2", rep, Purpose::AccessToken, &sealed)
            .is_err());
        let mut flipped = sealed.clone();
        flipped[30] ^= 1;
        assert!(sealer
            .open("2", rep, Purpose::RefreshToken, &flipped)
            .is_err());
        assert!(sealer
            .open("2", rep, Purpose::RefreshToken, &sealed[..10])
            .is_err());
        // The same token twice seals differently (a fresh nonce each time).
        assert_ne!(
            sealed,
            sealer.seal(rep, Purpose::RefreshToken, "0.AXoA-refresh")
        );
    }

    #[test]
    fn an_old_key_still_opens_what_it_sealed() {
        let old = Sealer::new("1", "the old secret, thirty-two bytes or more", None);
        let rep = Uuid::new_v4();
        let sealed = old.seal(rep, Purpose::RefreshToken, "token");
        let rotated = Sealer::new(
            "2",
            "the new secret, thirty-two bytes or more",
            Some("1=the old secret, thirty-two bytes or more"),
        );
        assert_eq!(rotated.key_id(), "2");
        assert_eq!(
            rotated
                .open("1", rep, Purpose::RefreshToken, &sealed)
                .unwrap(),
            "token"
        );
        let forgotten = Sealer::new("2", "the new secret, thirty-two bytes or more", None);
        assert!(matches!(
            forgotten.open("1", rep, Purpose::RefreshToken, &sealed),
            Err(SealError::UnknownKey(_))
        ));
        assert!(!format!("{rotated:?}").contains("secret"));
    }
}
