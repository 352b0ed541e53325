//! `spawn_app()`: Spine on a random port with a fresh database (from `#[sqlx::test]`, dropped
//! after the test) and its own Redis namespace, so parallel tests never take each other's jobs.

#![allow(dead_code)] // each test binary uses a part of this helper

use std::{net::SocketAddr, sync::Arc, time::Duration};

use app::{
    config::{Config, Environment, LogFormat},
    jobs::Jobs,
    state::AppState,
};
use leptos::config::LeptosOptions;
use server::startup::Application;
use sqlx::PgPool;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

pub mod proxy;

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

pub struct TestApp {
    pub address: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches Spine")
    }

    /// Asks Spine to stop and waits until web server and worker have finished.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.handle.take().expect("running").await?
    }
}

pub fn test_config(namespace: &str) -> Config {
    Config {
        database_url: String::new(),
        redis_url: REDIS_URL.into(),
        jobs_namespace: namespace.into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        environment: Environment::Development,
        log_format: LogFormat::Text,
        log: "warn".into(),
        db_max_connections: 5,
    }
}

/// Spine with the worker running in-process, on `pool`'s database and `redis_url`.
pub async fn spawn_app_with(pool: PgPool, redis_url: &str) -> TestApp {
    // `SPINE_TEST_LOG=debug cargo test` shows Spine's logs.
    if let Ok(filter) = std::env::var("SPINE_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
    let namespace = format!("spine-test-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(&namespace);
    config.redis_url = redis_url.into();
    let jobs = Jobs::connect(redis_url, &namespace)
        .await
        .expect("Redis is running");
    let leptos_options = LeptosOptions::builder()
        .output_name("spine")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let state = AppState {
        leptos_options,
        pool,
        jobs,
        config: Arc::new(config),
    };
    let app = Application::with_state(state, true)
        .await
        .expect("binds a free port");
    let address = app.address();
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // The listener is bound before run, so the first request is served.
    let _ = TcpStream::connect(address).await;
    TestApp {
        address,
        state,
        client,
        stop: Some(stop),
        handle: Some(handle),
    }
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, REDIS_URL).await
}

/// Polls `check` every 50 ms until it is true or `within` has passed.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A free loopback port.
pub async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
