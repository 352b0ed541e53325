//! `spawn_app()`: Spine on a random port with a fresh database (from `#[sqlx::test]`, dropped
//! after the test), its own Redis namespace (parallel tests never take each other's jobs) and
//! its own spine-sandbox standing in for Microsoft.

#![allow(dead_code)] // each test binary uses a part of this helper

use std::{net::SocketAddr, sync::Arc, time::Duration};

use app::{
    config::{
        Config, Environment, LogFormat, Secret, DEVELOPMENT_ADDRESS_KEY, DEVELOPMENT_TOKEN_SECRET,
        SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
    },
    jobs::Jobs,
    state::AppState,
};
use leptos::config::LeptosOptions;
use sandbox::{ClientRegistration, Sandbox, SandboxConfig};
use server::startup::Application;
use sqlx::PgPool;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub mod browser;
pub mod proxy;

pub use browser::Browser;

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// A child process (a `spine` of the test's own) that does not outlive its test: killed with
/// SIGKILL when dropped.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The address of `pool`'s database, for a `spine` process of the test's own.
pub fn database_url(pool: &PgPool) -> String {
    let options = pool.connect_options();
    format!(
        "postgres://postgres@127.0.0.1:{}/{}",
        options.get_port(),
        options.get_database().unwrap()
    )
}

pub struct TestApp {
    pub address: SocketAddr,
    pub state: AppState,
    pub sandbox: Sandbox,
    /// A client without cookies that follows no redirects.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches Spine")
    }

    /// A browser with its own cookie jar, signed in as nobody.
    pub fn browser(&self) -> Browser {
        Browser::new(self.origin(), self.sandbox.base_url())
    }

    /// A browser signed in through the sandbox as `email` of tenant `tid`.
    pub async fn signed_in(&self, tid: &str, email: &str) -> Browser {
        let browser = self.browser();
        let landing = browser.sign_in(tid, email).await;
        assert_eq!(landing.status(), 303, "sign-in ends with a redirect");
        let location = landing.headers()["location"].to_str().unwrap().to_owned();
        assert!(!location.contains("erreur"), "sign-in failed: {location}");
        browser
    }

    /// Asks Spine to stop and waits until web server and worker have finished; a response
    /// that never ends fails the test instead of holding it forever.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let stopping = self.handle.take().expect("running");
        let result = tokio::time::timeout(Duration::from_secs(20), stopping)
            .await
            .expect("Spine stops within 20 s (a response still open would hold it)")?;
        self.sandbox.stop().await;
        result
    }
}

pub fn test_config(namespace: &str) -> Config {
    Config {
        database_url: Default::default(),
        redis_url: REDIS_URL.into(),
        jobs_namespace: namespace.into(),
        listen: "127.0.0.1:0".parse().unwrap(),
        environment: Environment::Development,
        log_format: LogFormat::Text,
        log: "warn".into(),
        db_max_connections: 5,
        public_url: String::new(),
        microsoft_authority: String::new(),
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
        // Tests of the rep's pace set it on, with a clock of their own.
        outbox_rep_pace: false,
        outbox_concurrency: 16,
        outbox_lease_seconds: 90,
        allow_dev_secrets_on_network: false,
    }
}

/// A sandbox whose only client is Spine at `spine_origin`; its key is shared by all tests
/// (generated once), its state is its own.
pub async fn start_sandbox(spine_origin: &str) -> Sandbox {
    let dir = std::env::temp_dir();
    let config = |clients| SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        state_file: dir.join(format!(
            "spine-test-sandbox-{}.json",
            uuid::Uuid::new_v4().simple()
        )),
        key_file: dir.join("spine-test-sandbox-key.pem"),
        clients,
        enable_control: true,
        graph_per_minute: sandbox::GRAPH_PER_MINUTE,
    };
    // The first sandbox of this test binary makes the shared key; the others only read it.
    static KEY: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    KEY.get_or_init(|| async {
        Sandbox::start(config(vec![]))
            .await
            .expect("sandbox starts")
            .stop()
            .await;
    })
    .await;
    let redirects = vec![
        format!("{spine_origin}/auth/microsoft/callback"),
        format!("{spine_origin}/auth/outlook/callback"),
    ];
    Sandbox::start(config(vec![ClientRegistration::dev(redirects)]))
        .await
        .expect("sandbox starts")
}

/// Spine with the worker running in-process, on `pool`'s database and `redis_url`.
pub async fn spawn_app_with(pool: PgPool, redis_url: &str) -> TestApp {
    spawn_app_configured(pool, redis_url, |_| ()).await
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, REDIS_URL).await
}

/// Like [`spawn_app`], with `adjust` changing the configuration first.
pub async fn spawn_app_configured(
    pool: PgPool,
    redis_url: &str,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    spawn(pool, redis_url, adjust, "target/site", true).await
}

/// Like [`spawn_app_configured`], without the in-process worker (worker processes of the
/// test's own do the jobs).
pub async fn spawn_web_only(pool: PgPool, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(pool, REDIS_URL, adjust, "target/site", false).await
}

/// Like [`spawn_app`], serving the compiled site from `site_root` (its files under `pkg/`).
pub async fn spawn_app_with_site(pool: PgPool, site_root: &str) -> TestApp {
    spawn(pool, REDIS_URL, |_| (), site_root, true).await
}

async fn spawn(
    pool: PgPool,
    redis_url: &str,
    adjust: impl FnOnce(&mut Config),
    site_root: &str,
    with_worker: bool,
) -> TestApp {
    // `SPINE_TEST_LOG=debug cargo test` shows Spine's logs.
    if let Ok(filter) = std::env::var("SPINE_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let origin = format!("http://{address}");
    let sandbox = start_sandbox(&origin).await;

    let namespace = format!("spine-test-{}", uuid::Uuid::new_v4().simple());
    let mut config = test_config(&namespace);
    config.redis_url = redis_url.into();
    config.public_url = origin;
    config.microsoft_authority = format!("{}/organizations/v2.0", sandbox.base_url());
    // The sandbox's completions server, for a test that picks the LLM extractor.
    config.llm_url = format!("{}/v1", sandbox.base_url());
    config.llm_api_key = Some(Secret::new(sandbox::LLM_API_KEY));
    // And its Google Vision, for one that picks that OCR.
    config.google_vision_url = sandbox.base_url();
    config.google_vision_key = Some(Secret::new(sandbox::VISION_API_KEY));
    // And its Graph.
    config.graph_url = sandbox.base_url();
    adjust(&mut config);

    let jobs = Jobs::connect(&config.redis_url, &config.jobs_namespace)
        .await
        .expect("Redis is running");
    let leptos_options = LeptosOptions::builder()
        .output_name("spine")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .build();
    let state = AppState {
        leptos_options,
        live: app::live::Live::new(pool.clone()),
        clock: Default::default(),
        pool,
        jobs,
        config: Arc::new(config),
    };
    let app = Application::with_listener(listener, state, with_worker)
        .expect("valid configuration")
        .drain_at_most(Duration::from_secs(2));
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
    TestApp {
        address,
        state,
        sandbox,
        client,
        stop: Some(stop),
        handle: Some(handle),
    }
}

/// Waits (up to 3 minutes, OCR is slow) for the one catalogue reading of the test to end; its
/// status and error.
pub async fn catalogue_reading_ended(pool: &PgPool) -> (String, Option<String>) {
    let ended = || async {
        sqlx::query_as::<_, (String, Option<String>)>(
            "SELECT status, error FROM ingestion_jobs WHERE status NOT IN ('queued', 'running')",
        )
        .fetch_optional(pool)
        .await
        .unwrap()
    };
    assert!(
        eventually(Duration::from_secs(180), || async {
            ended().await.is_some()
        })
        .await,
        "the reading ends"
    );
    ended().await.unwrap()
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

/// Connects `email`'s mailbox from "Envoi des mails"; Spine's answer to the callback.
pub async fn connect(
    app: &TestApp,
    browser: &Browser,
    tid: &str,
    email: &str,
) -> reqwest::Response {
    let res = browser.get("/auth/outlook/connect").await;
    assert_eq!(res.status(), 303, "connecting leaves for Microsoft");
    let authorize = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        authorize.starts_with(&app.sandbox.base_url()),
        "{authorize}"
    );
    let scope = reqwest::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut asked: Vec<&str> = scope.split_whitespace().collect();
    asked.sort_unstable();
    assert_eq!(
        asked,
        ["Mail.Send", "offline_access", "openid"],
        "send-only"
    );
    let callback = browser.choose_account(&authorize, tid, email).await;
    browser.get(&callback).await
}

/// The messages the sandbox delivered to `address`.
pub async fn mailbox(app: &TestApp, address: &str) -> Vec<serde_json::Value> {
    let url = format!("{}/_sandbox/mailbox/{address}", app.sandbox.base_url());
    reqwest::get(url).await.unwrap().json().await.unwrap()
}
