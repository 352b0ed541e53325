//! A rep's suppression list: addresses erased on request or that asked not to be contacted,
//! which no import or hand entry may bring back. Only a keyed hash of each is stored (see the
//! migration `suppression_list`).

use std::collections::HashSet;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

/// Why an address is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Its contact was erased for good.
    Erased,
    /// Its contact is kept, marked "ne plus contacter".
    OptedOut,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Erased => "erased",
            Reason::OptedOut => "opted_out",
        }
    }
}

/// The key of the hashes (`SPINE_ADDRESS_KEY`). Cloning shares it.
#[derive(Clone)]
pub struct AddressKey(std::sync::Arc<Hmac<Sha256>>);

impl AddressKey {
    pub fn new(key: &str) -> Self {
        AddressKey(std::sync::Arc::new(
            Hmac::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length"),
        ))
    }

    /// The hash kept for `address` (already normalised: trimmed, lowercased).
    pub fn hash(&self, address: &str) -> [u8; 32] {
        let mut mac = (*self.0).clone();
        mac.update(address.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for AddressKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressKey(***)")
    }
}

/// The rep's list, read once for an import: a row is checked in memory, and a rep with an
/// empty list pays no hashing at all.
pub struct Suppressed {
    key: AddressKey,
    hashes: HashSet<[u8; 32]>,
}

impl Suppressed {
    pub async fn load(
        db: impl PgExecutor<'_>,
        key: &AddressKey,
        owner: Uuid,
    ) -> Result<Self, sqlx::Error> {
        let rows: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT address_hash FROM suppressed_addresses WHERE owner_user_id = $1",
        )
        .bind(owner)
        .fetch_all(db)
        .await?;
        Ok(Suppressed {
            key: key.clone(),
            hashes: rows
                .into_iter()
                .filter_map(|h| <[u8; 32]>::try_from(h).ok())
                .collect(),
        })
    }

    /// Whether `address` (normalised) is on the list.
    pub fn contains(&self, address: &str) -> bool {
        !self.hashes.is_empty() && self.hashes.contains(&self.key.hash(address))
    }
}

/// Holds the rep's list still until the transaction ends: an import (reading the list, then
/// adding contacts), a hand entry, an edit, a mark and an erasure take it, so none of them adds
/// an address another has just put on the list.
pub async fn lock(tx: &mut Transaction<'_, Postgres>, owner: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended('spine-suppression:' || $1::text, 0))",
    )
    .bind(owner)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `address` (normalised) is on the rep's list.
pub async fn contains(
    db: impl PgExecutor<'_>,
    key: &AddressKey,
    owner: Uuid,
    address: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM suppressed_addresses
                         WHERE owner_user_id = $1 AND address_hash = $2)",
    )
    .bind(owner)
    .bind(key.hash(address).as_slice())
    .fetch_one(db)
    .await
}

/// Puts `address` on the list; an erasure outranks an opt-out.
pub async fn add(
    tx: &mut Transaction<'_, Postgres>,
    key: &AddressKey,
    owner: Uuid,
    address: &str,
    reason: Reason,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO suppressed_addresses (owner_user_id, address_hash, reason)
         VALUES ($1, $2, $3)
         ON CONFLICT (owner_user_id, address_hash) DO UPDATE
             SET reason = CASE WHEN excluded.reason = 'erased' THEN 'erased'
                               ELSE suppressed_addresses.reason END",
    )
    .bind(owner)
    .bind(key.hash(address).as_slice())
    .bind(reason.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes an opted-out `address` off the list (the rep cleared the mark); an erased one stays.
pub async fn remove_opt_out(
    tx: &mut Transaction<'_, Postgres>,
    key: &AddressKey,
    owner: Uuid,
    address: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM suppressed_addresses
         WHERE owner_user_id = $1 AND address_hash = $2 AND reason = 'opted_out'",
    )
    .bind(owner)
    .bind(key.hash(address).as_slice())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_the_key_and_never_shows_the_address() {
        let a = AddressKey::new("one key of at least thirty-two characters");
        let b = AddressKey::new("another key of thirty-two characters");
        assert_eq!(a.hash("lea@ex.fr"), a.hash("lea@ex.fr"));
        assert_ne!(a.hash("lea@ex.fr"), a.hash("leo@ex.fr"));
        assert_ne!(a.hash("lea@ex.fr"), b.hash("lea@ex.fr"));
        assert_eq!(format!("{a:?}"), "AddressKey(***)");
    }
}
