//! The footer's link to stop receiving mails: `/desinscription/<token>`, where the token is the
//! prospect's id and an HMAC-SHA-256 of it and its rep (cut to 128 bits), in hex. Only Spine can
//! make one, and it names nothing but a contact of one rep.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Where the opt-out page is.
pub const PATH: &str = "/desinscription";

/// The key of the links (derived from `SPINE_ADDRESS_KEY`, apart from the address hashes).
#[derive(Clone)]
pub struct OptOutKey(Hmac<Sha256>);

impl std::fmt::Debug for OptOutKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OptOutKey(***)")
    }
}

impl OptOutKey {
    pub fn new(secret: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"spine opt-out link").expect("any length");
        mac.update(secret.as_bytes());
        OptOutKey(
            Hmac::new_from_slice(&mac.finalize().into_bytes()).expect("HMAC takes any length"),
        )
    }

    fn tag(&self, owner: Uuid, prospect: Uuid) -> [u8; 16] {
        let mut mac = self.0.clone();
        mac.update(owner.as_bytes());
        mac.update(prospect.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0; 16];
        tag.copy_from_slice(&full[..16]);
        tag
    }

    /// The token of `prospect`, a contact of `owner`.
    pub fn token(&self, owner: Uuid, prospect: Uuid) -> String {
        let mut bytes = prospect.as_bytes().to_vec();
        bytes.extend_from_slice(&self.tag(owner, prospect));
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The prospect a token names (its tag is checked with `verify`, once its rep is known).
    pub fn prospect(token: &str) -> Option<(Uuid, [u8; 16])> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&token[2 * i..2 * i + 2], 16))
            .collect::<Result<_, _>>()
            .ok()?;
        let prospect = Uuid::from_slice(&bytes[..16]).ok()?;
        let mut tag = [0; 16];
        tag.copy_from_slice(&bytes[16..]);
        Some((prospect, tag))
    }

    /// Whether `tag` is the one Spine made for `prospect` of `owner` (in constant time).
    pub fn verify(&self, owner: Uuid, prospect: Uuid, tag: &[u8; 16]) -> bool {
        let mut mac = self.0.clone();
        mac.update(owner.as_bytes());
        mac.update(prospect.as_bytes());
        mac.verify_truncated_left(tag).is_ok()
    }

    /// The full link, at `public_url`.
    pub fn url(&self, public_url: &str, owner: Uuid, prospect: Uuid) -> String {
        format!(
            "{}{PATH}/{}",
            public_url.trim_end_matches('/'),
            self.token(owner, prospect)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_prospect_and_only_its_rep_verifies() {
        let key = OptOutKey::new("secret");
        let (owner, other, prospect) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let token = key.token(owner, prospect);
        assert_eq!(token.len(), 64);
        let (read, tag) = OptOutKey::prospect(&token).unwrap();
        assert_eq!(read, prospect);
        assert!(key.verify(owner, prospect, &tag));
        assert!(!key.verify(other, prospect, &tag), "another rep's");
        assert!(
            !OptOutKey::new("other").verify(owner, prospect, &tag),
            "another key"
        );
        let mut flipped = token.clone().into_bytes();
        flipped[40] = if flipped[40] == b'0' { b'1' } else { b'0' };
        let (_, tag) = OptOutKey::prospect(std::str::from_utf8(&flipped).unwrap()).unwrap();
        assert!(!key.verify(owner, prospect, &tag), "a changed tag");
        assert!(OptOutKey::prospect("xyz").is_none());
        assert!(OptOutKey::prospect(&"g".repeat(64)).is_none());
        assert_eq!(
            key.url("https://spine.example/", owner, prospect),
            format!("https://spine.example/desinscription/{token}")
        );
    }
}
