//! Live updates for pages (import progress now; OCR, sending and board moves later), across
//! every web and worker process: whoever changes something publishes an event with Postgres
//! `NOTIFY`; each web process holds one `LISTEN` connection and hands the events to its open
//! event streams (server-sent events, see `server/src/live_events.rs`).
//!
//! Events are hints, not the truth: a stream starts with the current state read from the
//! database, and reads it again whenever events may have been missed (the listener
//! reconnected, or a slow stream fell behind). A tablet that slept just reconnects.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::{postgres::PgListener, PgExecutor, PgPool};
use tokio::sync::{broadcast, OnceCell};
use uuid::Uuid;

/// The Postgres channel every event goes through.
pub const CHANNEL: &str = "spine_live";

/// What happened, for whom: `topic` names the thing (`import:<batch id>`), `data` is what
/// its page shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub owner: Uuid,
    pub topic: String,
    pub data: serde_json::Value,
}

/// What a process's event streams receive.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    Event(Arc<Event>),
    /// Events may have been lost (the listener reconnected): read the state again.
    Resync,
}

/// Publishes `data` on `topic` to `owner`'s pages. Inside a transaction, it is sent at commit.
pub async fn publish(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    topic: &str,
    data: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let event = Event {
        owner,
        topic: topic.to_string(),
        data,
    };
    let payload = serde_json::to_string(&event).unwrap_or_default();
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(db)
        .await?;
    Ok(())
}

/// The process's listener: connected on first use, then shared by every stream.
#[derive(Clone)]
pub struct Live {
    pool: PgPool,
    sender: Arc<OnceCell<broadcast::Sender<Heard>>>,
}

/// Events kept for a stream that is behind; past that it reads the state again.
const BACKLOG: usize = 256;

impl Live {
    pub fn new(pool: PgPool) -> Self {
        Live {
            pool,
            sender: Arc::new(OnceCell::new()),
        }
    }

    /// The events heard from now on.
    pub async fn subscribe(&self) -> Result<broadcast::Receiver<Heard>, sqlx::Error> {
        let sender = self
            .sender
            .get_or_try_init(|| async {
                let mut listener = PgListener::connect_with(&self.pool).await?;
                listener.listen(CHANNEL).await?;
                let (sender, _) = broadcast::channel(BACKLOG);
                tokio::spawn(listen(listener, sender.clone()));
                Ok::<_, sqlx::Error>(sender)
            })
            .await?;
        Ok(sender.subscribe())
    }
}

/// Hands every notification to the streams until the process stops.
async fn listen(mut listener: PgListener, sender: broadcast::Sender<Heard>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match serde_json::from_str::<Event>(notification.payload()) {
                Ok(event) => {
                    let _ = sender.send(Heard::Event(Arc::new(event)));
                }
                Err(e) => tracing::warn!(error = %e, "unreadable live event"),
            },
            // The connection dropped; the listener reconnects on the next call.
            Ok(None) => {
                let _ = sender.send(Heard::Resync);
            }
            // The process is stopping.
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "live events: listening again in a second");
                let _ = sender.send(Heard::Resync);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}
