//! A local stand-in for the Microsoft identity platform (v2.0 endpoints), Microsoft Graph's
//! `sendMail` (`graph`), an OpenAI-compatible completions server (`llm`) and Google Cloud
//! Vision (`vision`).
//!
//! It speaks the same HTTP as `https://login.microsoftonline.com`: Spine only points
//! its authority base URL at [`Sandbox::base_url`]. Two fictitious tenants with
//! French accounts are built in; accounts typed on the sign-in page and refresh
//! tokens are kept in a JSON state file so they survive a restart.

mod authorize;
mod control;
mod directory;
mod graph;
mod keys;
mod llm;
mod metadata;
mod store;
mod token;
mod vision;
mod web;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{oneshot, OnceCell};
use tokio::task::JoinHandle;

pub use directory::{oid_for, DEMO_TENANT_ID, OTHER_TENANT_ID};
pub use graph::PER_MINUTE as GRAPH_PER_MINUTE;
pub use keys::{AccessTokenClaims, GRAPH_RESOURCE_ID};
pub use llm::LLM_API_KEY;
pub use vision::VISION_API_KEY;

/// Client id of the Spine app registration used in development.
pub const DEV_CLIENT_ID: &str = "5a1e5000-0000-4000-8000-00000000c11e";
/// Client secret of [`DEV_CLIENT_ID`].
pub const DEV_CLIENT_SECRET: &str = "sandbox-client-secret";

/// An app registration: who may ask for tokens, and where codes may be sent.
#[derive(Clone)]
pub struct ClientRegistration {
    pub client_id: String,
    pub client_secret: String,
    /// Redirect URIs, compared exactly as Microsoft does.
    pub redirect_uris: Vec<String>,
}

impl ClientRegistration {
    /// The development registration ([`DEV_CLIENT_ID`], [`DEV_CLIENT_SECRET`]).
    pub fn dev(redirect_uris: Vec<String>) -> Self {
        Self {
            client_id: DEV_CLIENT_ID.to_owned(),
            client_secret: DEV_CLIENT_SECRET.to_owned(),
            redirect_uris,
        }
    }
}

/// How to run a [`Sandbox`].
#[derive(Clone)]
pub struct SandboxConfig {
    /// Address to bind; `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    /// JSON state (typed accounts, refresh token hashes); created if missing.
    pub state_file: PathBuf,
    /// PKCS#8 PEM RSA 2048 private key; generated once if missing.
    pub key_file: PathBuf,
    pub clients: Vec<ClientRegistration>,
    /// Serves the `/_sandbox/*` control endpoints (otherwise they answer 404).
    pub enable_control: bool,
    /// Graph's messages a minute per mailbox ([`graph::PER_MINUTE`] as Exchange has it).
    pub graph_per_minute: u32,
}

/// A running sandbox server. Dropping it also shuts the server down.
pub struct Sandbox {
    address: SocketAddr,
    app: Arc<App>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Sandbox {
    /// Loads (or creates) the key and the state, binds and serves in the background.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let key = keys::SigningKey::load_or_generate(&config.key_file).await?;
        let store = store::Store::open(&config.state_file).await?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let address = listener.local_addr()?;
        let app = Arc::new(App {
            base_url: base_url_for(address),
            clients: config.clients,
            key,
            store,
            codes: Mutex::default(),
            next_fault: Mutex::default(),
            impostor: OnceCell::new(),
            rotated: OnceCell::new(),
            llm_script: Mutex::default(),
            llm_requests: Mutex::default(),
            vision_faults: Mutex::default(),
            vision_seen: Mutex::default(),
            graph_faults: Mutex::default(),
            graph_pace: Mutex::default(),
            admin_consent: Mutex::default(),
            graph_per_minute: config.graph_per_minute,
        });
        let router = router(app.clone(), config.enable_control);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    // A dropped sender also means "stop".
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(base_url = %app.base_url, "identity sandbox listening");
        Ok(Sandbox {
            address,
            app,
            shutdown,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: the authority base URL.
    pub fn base_url(&self) -> String {
        self.app.base_url.clone()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Checks an access token issued by this sandbox (signature, Graph audience,
    /// expiry, issuer) and returns its claims.
    pub fn verify_access_token(&self, token: &str) -> anyhow::Result<AccessTokenClaims> {
        self.app
            .signing_key()
            .verify_access_token(token, &self.app.base_url)
    }

    /// Stops accepting connections and waits for the open ones to finish.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "identity sandbox stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "identity sandbox task failed"),
        }
    }
}

/// What every request handler shares.
pub(crate) struct App {
    pub base_url: String,
    pub clients: Vec<ClientRegistration>,
    pub key: keys::SigningKey,
    pub store: store::Store,
    /// Authorization codes live in memory only, like their 10-minute lifetime.
    pub codes: Mutex<HashMap<String, token::AuthCode>>,
    pub next_fault: Mutex<Option<control::Fault>>,
    /// The key of the `other_key` fault, made on first use.
    pub impostor: OnceCell<keys::SigningKey>,
    /// After `/_sandbox/rotate-key`: the key every token is signed with from then on,
    /// published beside the first one.
    pub rotated: OnceCell<keys::SigningKey>,
    /// What the completions server answers next (`/_sandbox/llm/next`), in order.
    pub llm_script: Mutex<std::collections::VecDeque<llm::Scripted>>,
    /// The completion requests received.
    pub llm_requests: Mutex<Vec<serde_json::Value>>,
    /// What Vision answers next instead of reading (`/_sandbox/vision/next`), in order.
    pub vision_faults: Mutex<std::collections::VecDeque<vision::Fault>>,
    /// Images Vision was sent, and requests that carried the key in their address.
    pub vision_seen: Mutex<(usize, usize)>,
    /// What Graph's `sendMail` does next instead of sending (`/_sandbox/graph/next`), in order.
    pub graph_faults: Mutex<std::collections::VecDeque<graph::Fault>>,
    /// Exchange's pace per mailbox: the last minute's messages, the requests in flight.
    pub graph_pace: Mutex<graph::Pace>,
    /// Tenants whose users may not consent to Graph permissions themselves
    /// (`/_sandbox/admin-consent-required`): an administrator must.
    pub admin_consent: Mutex<std::collections::HashSet<String>>,
    /// Messages a minute per mailbox.
    pub graph_per_minute: u32,
}

impl App {
    /// The key tokens are signed with now.
    pub fn signing_key(&self) -> &keys::SigningKey {
        self.rotated.get().unwrap_or(&self.key)
    }

    pub fn client(&self, client_id: &str) -> Option<&ClientRegistration> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

/// Locks a std mutex, ignoring poisoning: the guarded maps stay consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn router(app: Arc<App>, enable_control: bool) -> Router {
    let mut router = Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(metadata::discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(metadata::keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route("/{tenant}/oauth2/v2.0/logout", get(metadata::logout))
        .route(
            "/oidc/userinfo",
            get(metadata::userinfo).post(metadata::userinfo),
        )
        .route("/v1/chat/completions", post(llm::completions))
        .route("/v1.0/me/sendMail", post(graph::send_mail))
        .route("/_sandbox/mailbox/{address}", get(graph::mailbox))
        // Vision takes JSON requests of 10 MB at most (images inline, in base64).
        .route(
            "/v1/images:annotate",
            post(vision::annotate).layer(axum::extract::DefaultBodyLimit::max(10 * 1024 * 1024)),
        )
        .route("/_sandbox/health", get(|| async { "ok" }));
    if enable_control {
        router = router
            .route("/_sandbox/next-id-token", post(control::next_id_token))
            .route("/_sandbox/rotate-key", post(control::rotate_key))
            .route("/_sandbox/llm/next", post(llm::next))
            .route("/_sandbox/llm/requests", get(llm::requests))
            .route("/_sandbox/vision/next", post(vision::next))
            .route("/_sandbox/vision/requests", get(vision::requests))
            .route("/_sandbox/graph/next", post(graph::next))
            .route(
                "/_sandbox/admin-consent-required",
                post(control::admin_consent_required),
            )
            .route(
                "/_sandbox/revoke-refresh-tokens",
                post(control::revoke_refresh_tokens),
            );
    }
    router.with_state(app)
}

/// A wildcard listen address is reached through loopback: tokens must name a real host.
fn base_url_for(address: SocketAddr) -> String {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, address.port()))
}
