//! Job payloads and the queues they are pushed to. Payloads carry ids, never content; the
//! handlers live in the `jobs` crate. A job is a wake-up call: Postgres holds the truth.

use apalis::prelude::TaskSink;
use apalis_redis::{Config as QueueConfig, ConnectionManager, RedisStorage};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// Proves the queue end to end: the worker records that it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub id: Uuid,
}

/// Imports the file of an upload whose import the rep started (see
/// `prospects::importing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProspects {
    pub upload: Uuid,
    /// The import the upload was claimed for: a job for an older claim does nothing.
    pub batch: Uuid,
}

/// Reads a catalogue (see `catalog::ingesting`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestCatalogue {
    /// The reading (`ingestion_jobs`): a job for one cancelled or over does nothing.
    pub job: Uuid,
}

/// Tells a sending worker that mails are ready (see `mail::outbox`): it claims what the pace
/// allows. Workers also look on their own, so a lost wake-up only delays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeOutbox;

/// One Redis connection and a typed queue per job kind, all under one namespace.
#[derive(Clone)]
pub struct Jobs {
    conn: ConnectionManager,
    pub heartbeat: RedisStorage<Heartbeat>,
    pub import: RedisStorage<ImportProspects>,
    pub catalogue: RedisStorage<IngestCatalogue>,
    pub outbox: RedisStorage<WakeOutbox>,
}

impl Jobs {
    /// Connects to Redis; every key is prefixed by `namespace`.
    pub async fn connect(
        redis_url: &str,
        namespace: &str,
    ) -> Result<Self, apalis_redis::RedisError> {
        let conn = apalis_redis::connect(redis_url).await?;
        let queue = |kind: &str| QueueConfig::default().queue(format!("{namespace}:{kind}"));
        Ok(Jobs {
            heartbeat: RedisStorage::new(conn.clone()).with_config(queue("heartbeat")),
            import: RedisStorage::new(conn.clone()).with_config(queue("import")),
            catalogue: RedisStorage::new(conn.clone()).with_config(queue("catalogue")),
            outbox: RedisStorage::new(conn.clone()).with_config(queue("outbox")),
            conn,
        })
    }

    /// Queues a heartbeat; call after the transaction that justifies it has committed.
    pub async fn push_heartbeat(&self, job: Heartbeat) -> Result<(), AppError> {
        self.heartbeat
            .clone()
            .push(job)
            .await
            .map_err(|e| AppError::internal("queueing heartbeat", e))
    }

    /// Queues an import; call once the upload is claimed for it.
    pub async fn push_import(&self, job: ImportProspects) -> Result<(), AppError> {
        self.import
            .clone()
            .push(job)
            .await
            .map_err(|e| AppError::internal("queueing an import", e))
    }

    /// Queues a catalogue's reading; call once it is recorded.
    pub async fn push_catalogue(&self, job: IngestCatalogue) -> Result<(), AppError> {
        self.catalogue
            .clone()
            .push(job)
            .await
            .map_err(|e| AppError::internal("queueing a catalogue's reading", e))
    }

    /// Wakes a sending worker; call once the mails are committed.
    pub async fn wake_outbox(&self) -> Result<(), AppError> {
        self.outbox
            .clone()
            .push(WakeOutbox)
            .await
            .map_err(|e| AppError::internal("waking the outbox", e))
    }

    /// Whether Redis answers a PING within `timeout`.
    pub async fn ping(&self, timeout: std::time::Duration) -> bool {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        matches!(tokio::time::timeout(timeout, ping).await, Ok(Ok(reply)) if reply == "PONG")
    }
}
