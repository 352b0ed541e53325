//! Builds the state and the router, and runs the web server with the in-process worker.

use std::{future::Future, net::SocketAddr, str::FromStr, sync::Arc, time::Duration};

use anyhow::Context;
use app::{config::Config, jobs::Jobs, shell, state::AppState, App};
use axum::{routing::get, serve::ListenerExt, Router};
use http::{HeaderName, Request};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sqlx::{
    migrate::MigrateDatabase,
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool, Postgres,
};
use tokio::{net::TcpListener, sync::watch};
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, CompressionLevel, DefaultPredicate,
    },
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    assets, auth, board_page, catalogue_files, exports, health, limits, live_events, mixer_pages,
    opt_out, plain_forms, prospect_files, security, sending_pages, server_pages,
};

/// Where the compiled site is, from the `LEPTOS_*` variables. Its file names carry content
/// hashes when cargo-leptos wrote its hash file beside this binary (a release build), unless
/// `LEPTOS_HASH_FILES` says otherwise.
pub fn site_options() -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)?.leptos_options;
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        let beside_binary = std::env::current_exe()?.with_file_name(&*options.hash_file);
        options.hash_files = beside_binary.exists();
    }
    Ok(options)
}

/// Creates the database if missing, connects, and applies the migrations; refuses to go on
/// after a failed migration.
pub async fn connect_database(config: &Config) -> anyhow::Result<PgPool> {
    let url = &config.database_url;
    if !Postgres::database_exists(url)
        .await
        .context("cannot reach PostgreSQL (DATABASE_URL)")?
    {
        Postgres::create_database(url)
            .await
            .context("creating the database")?;
        tracing::info!("database created");
    }
    // Lists take optional filters (`$n IS NULL OR ...`): a cached generic plan cannot see which
    // are unset and reads all of a rep's rows instead of walking the keyset index, so every
    // statement is planned with its values (but a card's move, see `board::repo::begin_move`).
    let options = PgConnectOptions::from_str(url)
        .context("parsing DATABASE_URL")?
        .options([("plan_cache_mode", "force_custom_plan")]);
    let pool = PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL (DATABASE_URL)")?;
    app::MIGRATOR
        .run(&pool)
        .await
        .context("applying migrations")?;
    Ok(pool)
}

/// Connects to Redis (the job queues).
pub async fn connect_jobs(config: &Config) -> anyhow::Result<Jobs> {
    Jobs::connect(&config.redis_url, &config.jobs_namespace)
        .await
        .context("connecting to Redis (REDIS_URL)")
}

/// Both connections every process needs.
pub async fn connect(config: &Config) -> anyhow::Result<(PgPool, Jobs)> {
    Ok((connect_database(config).await?, connect_jobs(config).await?))
}

/// The web server, bound and ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    with_worker: bool,
    microsoft: Arc<auth::Microsoft>,
    drain_at_most: Duration,
}

impl Application {
    /// Connects to Postgres and Redis, then binds `config.listen`.
    pub async fn build(
        config: Arc<Config>,
        mut leptos_options: LeptosOptions,
        with_worker: bool,
    ) -> anyhow::Result<Self> {
        let (pool, jobs) = connect(&config).await?;
        leptos_options.site_addr = config.listen;
        let state = AppState {
            leptos_options,
            live: app::live::Live::new(pool.clone()),
            clock: Default::default(),
            pool,
            jobs,
            config,
        };
        Self::with_state(state, with_worker).await
    }

    /// Binds `state.config.listen` (port 0 picks a free port).
    pub async fn with_state(state: AppState, with_worker: bool) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(state.config.listen)
            .await
            .with_context(|| format!("binding {}", state.config.listen))?;
        Self::with_listener(listener, state, with_worker)
    }

    /// Serves on an already bound listener (tests bind first to know the public URL).
    pub fn with_listener(
        listener: TcpListener,
        state: AppState,
        with_worker: bool,
    ) -> anyhow::Result<Self> {
        state.config.validate().map_err(anyhow::Error::msg)?;
        let microsoft = Arc::new(auth::Microsoft::new(&state.config)?);
        Ok(Application {
            listener,
            state,
            with_worker,
            microsoft,
            drain_at_most: DRAIN_AT_MOST,
        })
    }

    /// How long stopping waits for requests in progress before closing them.
    pub fn drain_at_most(mut self, wait: Duration) -> Self {
        self.drain_at_most = wait;
        self
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then drains requests and lets running jobs finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let wait = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };

        let worker = self.with_worker.then(|| {
            let deps = jobs::WorkerDeps {
                pool: self.state.pool.clone(),
                jobs: self.state.jobs.clone(),
                data_dir: self.state.config.data_dir.clone(),
                address_key: self.state.config.suppression_key(),
                catalogue_limits: self.state.config.catalogue_limits(),
                outbox: jobs::outlook::OutboxDeps::new(
                    &self.state.config,
                    self.state.clock.clone(),
                ),
            };
            tokio::spawn(jobs::run(deps, wait(stopped.clone())))
        });

        let sweeper = tokio::spawn(sweep_expired_sessions(
            self.state.pool.clone(),
            self.state.config.data_dir.clone(),
        ));
        let router = router(self.state, self.microsoft);
        // The client's address (for the sign-in rate limit) is the connection's.
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        // Each response leaves as it is written: with Nagle's algorithm, a page streamed in
        // pieces waited for the client's delayed acknowledgement (40 ms, measured on the board
        // of 5,000 cards by bench/board.sh).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY refused");
            }
        });
        let serving = axum::serve(listener, service).with_graceful_shutdown(wait(stopped.clone()));
        // A response that never ends (a client that stops reading) must not hold a deploy.
        let drain_at_most = self.drain_at_most;
        let drain_deadline = async move {
            wait(stopped).await;
            tokio::time::sleep(drain_at_most).await;
        };
        tokio::select! {
            served = serving => served.context("web server")?,
            () = drain_deadline => tracing::warn!(
                seconds = drain_at_most.as_secs(),
                "requests still open when stopping; closed"
            ),
        }
        sweeper.abort();
        if let Some(worker) = worker {
            worker.await.context("worker task")??;
        }
        Ok(())
    }
}

/// How long stopping waits for requests in progress to finish, unless told otherwise.
const DRAIN_AT_MOST: Duration = Duration::from_secs(15);

/// Deletes expired sessions, API tokens, idempotency keys and stale uploads every hour (loading
/// already ignores them).
async fn sweep_expired_sessions(pool: PgPool, data_dir: std::path::PathBuf) {
    use tower_sessions::session_store::ExpiredDeletion;
    let store = auth::PgSessionStore::new(pool.clone());
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "sweeping expired sessions");
        }
        if let Err(e) = app::auth::repo::delete_expired_api_tokens(&pool).await {
            tracing::warn!(error = %e, "sweeping expired API tokens");
        }
        if let Err(e) = app::db::delete_old_idempotency_keys(&pool).await {
            tracing::warn!(error = %e, "sweeping idempotency keys");
        }
        if let Err(e) = prospect_files::sweep(&pool, &data_dir).await {
            tracing::warn!(error = %e, "sweeping uploaded files");
        }
        if let Err(e) = catalogue_files::sweep(&data_dir).await {
            tracing::warn!(error = %e, "sweeping catalogues sent halfway");
        }
    }
}

/// Where a request id sent by the client is kept.
const CLIENT_REQUEST_ID: &str = "x-client-request-id";

/// The request id support is quoted is always Spine's own: one sent by the client (which could
/// name another rep's request, or be anything) is set aside under `x-client-request-id`.
async fn set_aside_client_request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(sent) = req.headers_mut().remove("x-request-id") {
        req.headers_mut()
            .insert(HeaderName::from_static(CLIENT_REQUEST_ID), sent);
    }
    next.run(req).await
}

/// The app's pages, listed once per process. Leptos stops every resource of the process from
/// loading while it lists them: a page rendering meanwhile would wait forever for its data.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every route of Spine.
pub fn router(state: AppState, microsoft: Arc<auth::Microsoft>) -> Router {
    let routes = page_routes();
    let request_id = HeaderName::from_static("x-request-id");

    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            board_page::prefetch,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            catalogue_files::prefetch,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sending_pages::prefetch,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mixer_pages::prefetch,
        ))
        .route_layer(axum::middleware::from_fn(server_pages::name_route))
        .route_layer(axum::middleware::from_fn(auth::require_sign_in));

    let app = Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .merge(auth::router(
            microsoft,
            auth::rate_limit::SignInLimiter::new(state.config.sign_in_per_minute),
        ))
        .merge(prospect_files::router(
            state.config.import_max_mb * 1024 * 1024,
        ))
        .merge(catalogue_files::router(
            state.config.catalogue_max_mb * 1024 * 1024,
        ))
        .merge(live_events::router())
        .merge(exports::router())
        .merge(mixer_pages::router())
        .merge(opt_out::router(state.config.sign_in_per_minute))
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        .layer(axum::middleware::from_fn(plain_forms::plain_forms))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(auth::session_layer(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn(limits::limit_body))
        // Pages and answers gzipped for show-floor networks (a 2,000-card board is ~10× smaller),
        // at the fastest level: the CPU is the server's, the wait the rep's. Not the streams of
        // live events (the default predicate), nor workbooks (already zipped).
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new(
                    "application/vnd.openxmlformats",
                ))),
        );

    // The compiled site needs no session: a page's chunks cost no database round trip.
    Router::new()
        .merge(assets::router(&state.leptos_options))
        .merge(app)
        .layer(axum::middleware::from_fn_with_state(
            security::Https(state.config.public_url.starts_with("https://")),
            security::headers,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-")
                        .to_owned()
                };
                // Debug-formatted: what the client sent cannot start a log line of its own.
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    path = ?req.uri().path(),
                    request_id = %header("x-request-id"),
                    client_request_id = ?header(CLIENT_REQUEST_ID),
                )
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(set_aside_client_request_id))
        .with_state(state)
}
