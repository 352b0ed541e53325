//! What the server benches share: Spine's configuration on a bench database, a session written
//! straight into Spine's store (no sign-in round trip), and percentiles.

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use app::config::{
    Config, Environment, LogFormat, Secret, DEVELOPMENT_ADDRESS_KEY, DEVELOPMENT_TOKEN_SECRET,
    SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
};
use server::auth::PgSessionStore;
use sqlx::PgPool;
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};
use uuid::Uuid;

/// Spine on `database_url`, listening at `address`, its jobs under `namespace`.
pub fn config(database_url: &str, address: SocketAddr, namespace: &str) -> Config {
    Config {
        database_url: database_url.into(),
        redis_url: "redis://127.0.0.1:6379".into(),
        jobs_namespace: namespace.into(),
        listen: address,
        environment: Environment::Development,
        log_format: LogFormat::Text,
        log: "warn".into(),
        db_max_connections: 10,
        public_url: format!("http://{address}"),
        // Only contacted at sign-in, which the benches skip by writing the session themselves.
        microsoft_authority: "http://127.0.0.1:9/organizations/v2.0".into(),
        microsoft_client_id: SANDBOX_CLIENT_ID.into(),
        microsoft_client_secret: Secret::new(SANDBOX_CLIENT_SECRET),
        token_secret: Secret::new(DEVELOPMENT_TOKEN_SECRET),
        address_key: Secret::new(DEVELOPMENT_ADDRESS_KEY),
        session_idle_minutes: 60,
        session_max_hours: 24,
        sign_in_per_minute: 240,
        import_max_mb: 50,
        data_dir: std::env::temp_dir().join("spine-test-data"),
        allow_dev_secrets_on_network: false,
    }
}

/// A session signed in as `user`, written through Spine's own store; returns its cookie value.
pub async fn sign_in(pool: &PgPool, user: Uuid) -> anyhow::Result<Id> {
    let auth = serde_json::json!({
        "user_id": user,
        "signed_in_at": chrono::Utc::now().timestamp(),
    });
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([("auth".to_string(), auth)]),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    PgSessionStore::new(pool.clone())
        .create(&mut record)
        .await?;
    Ok(record.id)
}

/// Nearest-rank percentile of sorted times, in ms.
pub fn percentile(sorted: &[Duration], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}
