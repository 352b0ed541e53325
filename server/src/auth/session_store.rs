//! tower-sessions records in our own PostgreSQL (no published store supports sqlx 0.9).
//! Data is stored as JSON beside its expiry, which `load` enforces, under a SHA-256 of the
//! session id: the table alone hands out no live session.
//!
//! `create` and `save` are distinct: `save` only updates, so a request that loaded the session
//! just before a sign-out cannot bring it back by saving it after.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};

/// Sessions in the `sessions` table.
#[derive(Clone, Debug)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        PgSessionStore { pool }
    }
}

/// The key a session is stored under: the hex SHA-256 of its id (the cookie's value).
pub fn session_key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> Result<DateTime<Utc>, session_store::Error> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))
}

fn encode(record: &Record) -> Result<serde_json::Value, session_store::Error> {
    serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A colliding id (astronomically rare) gets a new one instead of overwriting a session.
        loop {
            let inserted = sqlx::query!(
                "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id_hash) DO NOTHING",
                session_key(&record.id),
                encode(record)?,
                expiry(record)?
            )
            .execute(&self.pool)
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Only a session that still exists: one deleted meanwhile (signed out) stays deleted.
        sqlx::query!(
            "UPDATE sessions SET data = $2, expires_at = $3 WHERE id_hash = $1",
            session_key(&record.id),
            encode(record)?,
            expiry(record)?
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > now()",
            session_key(id)
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_value(row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE id_hash = $1", session_key(id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for PgSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, OffsetDateTime};

    fn record(expires_in: Duration) -> Record {
        let mut data = std::collections::HashMap::new();
        data.insert("user".to_string(), serde_json::json!("claire"));
        Record {
            id: Id::default(),
            data,
            expiry_date: OffsetDateTime::now_utc() + expires_in,
        }
    }

    #[sqlx::test(migrator = "app::MIGRATOR")]
    async fn a_saved_session_loads_back_until_it_expires(pool: PgPool) {
        let store = PgSessionStore::new(pool);
        let mut live = record(Duration::hours(1));
        store.create(&mut live).await.unwrap();
        let loaded = store.load(&live.id).await.unwrap().expect("live session");
        assert_eq!(loaded.data, live.data);

        let mut dead = record(Duration::seconds(-5));
        store.create(&mut dead).await.unwrap();
        assert!(store.load(&dead.id).await.unwrap().is_none());
        store.delete_expired().await.unwrap();
        assert!(store.load(&live.id).await.unwrap().is_some());

        store.delete(&live.id).await.unwrap();
        assert!(store.load(&live.id).await.unwrap().is_none());
    }

    #[sqlx::test(migrator = "app::MIGRATOR")]
    async fn saving_a_session_deleted_meanwhile_does_not_bring_it_back(pool: PgPool) {
        let store = PgSessionStore::new(pool);
        let mut session = record(Duration::hours(1));
        store.create(&mut session).await.unwrap();
        // A request loads the session, sign-out deletes it, then the request saves its change.
        let mut loaded = store.load(&session.id).await.unwrap().unwrap();
        store.delete(&session.id).await.unwrap();
        loaded.data.insert("seen".into(), serde_json::json!(1));
        store.save(&loaded).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
    }

    #[sqlx::test(migrator = "app::MIGRATOR")]
    async fn the_table_holds_no_session_id_in_clear(pool: PgPool) {
        let store = PgSessionStore::new(pool.clone());
        let mut session = record(Duration::hours(1));
        store.create(&mut session).await.unwrap();
        let stored: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM sessions")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(stored, [session_key(&session.id)]);
        assert!(!stored[0].contains(&session.id.to_string()));
        assert_eq!(stored[0].len(), 64);
    }

    #[sqlx::test(migrator = "app::MIGRATOR")]
    async fn creating_with_a_taken_id_picks_another_and_keeps_the_first(pool: PgPool) {
        let store = PgSessionStore::new(pool);
        let mut first = record(Duration::hours(1));
        store.create(&mut first).await.unwrap();
        let mut second = record(Duration::hours(1));
        second.id = first.id;
        second
            .data
            .insert("user".into(), serde_json::json!("julien"));
        store.create(&mut second).await.unwrap();
        assert_ne!(second.id, first.id);
        let kept = store.load(&first.id).await.unwrap().unwrap();
        assert_eq!(kept.data["user"], "claire");
    }
}
