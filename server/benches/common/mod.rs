//! What the server benches share: Spine's configuration on a bench database, a rep and their
//! campaigns written straight into it, a session written straight into Spine's store (no
//! sign-in round trip), and percentiles.

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;

use app::config::{
    Config, Environment, LogFormat, Secret, DEVELOPMENT_ADDRESS_KEY, DEVELOPMENT_TOKEN_SECRET,
    SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
};
use app::{jobs::Jobs, state::AppState};
use leptos::config::LeptosOptions;
use server::{auth::PgSessionStore, startup::Application};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};
use uuid::Uuid;

/// Redis where the benches queue (Spine needs it to start; the catalogue bench's readings).
const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Spine running in the bench's process, as production builds it (router, layers, sessions;
/// job workers when asked), until [`Spine::stop`].
pub struct Spine {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Spine {
    /// Serves `listener` with `config` on `pool`.
    pub async fn serve(
        listener: TcpListener,
        config: Config,
        pool: &PgPool,
    ) -> anyhow::Result<Spine> {
        Self::start(listener, config, pool, false).await
    }

    /// Like [`Spine::serve`], with its job workers in the process (as `spine serve` runs).
    #[allow(dead_code)] // the catalogue bench
    pub async fn serve_with_worker(
        listener: TcpListener,
        config: Config,
        pool: &PgPool,
    ) -> anyhow::Result<Spine> {
        Self::start(listener, config, pool, true).await
    }

    async fn start(
        listener: TcpListener,
        config: Config,
        pool: &PgPool,
        with_worker: bool,
    ) -> anyhow::Result<Spine> {
        let jobs = Jobs::connect(REDIS_URL, &config.jobs_namespace)
            .await
            .context("Redis is running")?;
        let state = AppState {
            leptos_options: LeptosOptions::builder()
                .output_name("spine")
                .site_root("target/site")
                .site_pkg_dir("pkg")
                .build(),
            pool: pool.clone(),
            jobs,
            config: Arc::new(config),
            live: app::live::Live::new(pool.clone()),
            clock: Default::default(),
        };
        let app = Application::with_listener(listener, state, with_worker)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(Spine { stop, task })
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

/// Rep `user` named `name`, signed in with Microsoft, with a distributor: their addresses and
/// ids are made from `tag`.
#[allow(dead_code)] // the board benches
pub async fn add_rep(
    tx: &mut Transaction<'_, Postgres>,
    user: Uuid,
    name: &str,
    tag: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO users (id, display_name, email) VALUES ($1, $2, $3 || '@bench.test')")
        .bind(user)
        .bind(name)
        .bind(tag)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO oauth_accounts (tid, oid, user_id, email)
         VALUES (md5('tenant')::uuid, md5($2 || '-oid')::uuid, $1, $2 || '@bench.test')",
    )
    .bind(user)
    .bind(tag)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO distributors (id, owner_user_id, name)
         VALUES (md5($2 || '-d')::uuid, $1, 'Distributeur')",
    )
    .bind(user)
    .bind(tag)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Campaign `campaign` ("Salon `label`") of the rep of [`add_rep`]'s `tag`, and `cards`
/// prospects of the rep, ids `md5('<label>-<i>')`, not yet on any campaign.
#[allow(dead_code)] // the board benches
pub async fn add_campaign(
    tx: &mut Transaction<'_, Postgres>,
    user: Uuid,
    tag: &str,
    campaign: Uuid,
    label: &str,
    cards: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO campaigns (id, owner_user_id, distributor_id, name, starts_on, ends_on)
         VALUES ($1, $2, md5($3 || '-d')::uuid, 'Salon ' || $4, spine_today(), spine_today())",
    )
    .bind(campaign)
    .bind(user)
    .bind(tag)
    .bind(label)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO prospects (id, owner_user_id, email, first_name, last_name, company, city, origin)
         SELECT md5($3 || '-' || i)::uuid, $1, 'p' || i || '.' || $3 || '@bench.test',
                'Prénom' || i, 'Nom' || i, 'Société ' || (i % 97), 'Lyon', 'import'
         FROM generate_series(1, $2) i",
    )
    .bind(user)
    .bind(cards)
    .bind(label)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

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
        catalogue_max_mb: 50,
        catalogue_max_pages: 200,
        catalogue_extractor: app::config::CatalogueExtractor::Local,
        llm_url: "http://127.0.0.1:9/v1".into(),
        llm_model: "test-model".into(),
        llm_api_key: None,
        catalogue_ocr: app::config::CatalogueOcr::Tesseract,
        google_vision_url: "http://127.0.0.1:9".into(),
        google_vision_key: None,
        data_dir: std::env::temp_dir().join("spine-test-data"),
        graph_url: "http://127.0.0.1:9".into(),
        grant_key: Secret::new(app::config::DEVELOPMENT_GRANT_KEY),
        grant_key_id: "1".into(),
        grant_previous_keys: None,
        outbox_per_minute: 30,
        outbox_rep_pace: true,
        outbox_concurrency: 16,
        outbox_lease_seconds: 90,
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
