//! The one configuration of Spine, read from the environment (and `.env` in development).
//! Every setting is documented in `.env.example`; the defaults run on a developer machine.

use std::net::SocketAddr;

/// Where Spine runs: production refuses development defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

/// What takes a catalogue's products from the words OCR read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogueExtractor {
    /// Deterministic, on this machine (`catalogue::extract`).
    Local,
    /// An OpenAI-compatible server (`SPINE_LLM_*`), its answers checked.
    Llm,
}

/// What reads the words of a catalogue's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogueOcr {
    /// Tesseract, on this machine.
    Tesseract,
    /// Google Cloud Vision (`SPINE_GOOGLE_VISION_*`).
    GoogleVision,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL database; created if missing.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        default_value = "postgres://postgres@127.0.0.1:5432/spine"
    )]
    pub database_url: ServiceUrl,

    /// Redis holding the job queues.
    #[arg(
        long,
        env = "REDIS_URL",
        global = true,
        hide_env_values = true,
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: ServiceUrl,

    /// Prefix of every Redis key Spine writes, so several instances can share one Redis.
    #[arg(
        long,
        env = "SPINE_JOBS_NAMESPACE",
        global = true,
        default_value = "spine"
    )]
    pub jobs_namespace: String,

    /// Address the web server listens on.
    #[arg(
        long,
        env = "SPINE_LISTEN",
        global = true,
        default_value = "127.0.0.1:3000"
    )]
    pub listen: SocketAddr,

    /// `development` or `production`.
    #[arg(
        long,
        env = "SPINE_ENV",
        global = true,
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// `text` or `json`.
    #[arg(
        long,
        env = "SPINE_LOG_FORMAT",
        global = true,
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// Log filter, as `RUST_LOG` (e.g. `info,sqlx=warn`).
    #[arg(
        long,
        env = "SPINE_LOG",
        global = true,
        default_value = "info,sqlx=warn"
    )]
    pub log: String,

    /// Size of the PostgreSQL connection pool.
    #[arg(
        long,
        env = "SPINE_DB_MAX_CONNECTIONS",
        global = true,
        default_value_t = 10
    )]
    pub db_max_connections: u32,

    /// The address reps type to reach Spine; the sign-in redirect and the CSRF origin check use it.
    #[arg(
        long,
        env = "SPINE_PUBLIC_URL",
        global = true,
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,

    /// Microsoft identity platform authority, e.g.
    /// `https://login.microsoftonline.com/organizations/v2.0`; defaults to the local sandbox.
    #[arg(
        long,
        env = "SPINE_MICROSOFT_AUTHORITY",
        global = true,
        default_value = "http://127.0.0.1:3002/organizations/v2.0"
    )]
    pub microsoft_authority: String,

    /// Application (client) id registered in Microsoft Entra.
    #[arg(long, env = "SPINE_MICROSOFT_CLIENT_ID", global = true, default_value = SANDBOX_CLIENT_ID)]
    pub microsoft_client_id: String,

    /// Client secret of that application.
    #[arg(long, env = "SPINE_MICROSOFT_CLIENT_SECRET", global = true, hide_env_values = true,
          default_value = SANDBOX_CLIENT_SECRET)]
    pub microsoft_client_secret: Secret,

    /// Key signing the internal API tokens (HS256); at least 32 characters in production.
    #[arg(long, env = "SPINE_TOKEN_SECRET", global = true, hide_env_values = true,
          default_value = DEVELOPMENT_TOKEN_SECRET)]
    pub token_secret: Secret,

    /// Key of the suppression list's keyed hashes (erased and opted-out addresses); at least 32
    /// characters in production. Changing it forgets the list: keep it with the backups' keys.
    #[arg(long, env = "SPINE_ADDRESS_KEY", global = true, hide_env_values = true,
          default_value = DEVELOPMENT_ADDRESS_KEY)]
    pub address_key: Secret,

    /// A session ends after this many minutes without a request.
    #[arg(
        long,
        env = "SPINE_SESSION_IDLE_MINUTES",
        global = true,
        default_value_t = 720
    )]
    pub session_idle_minutes: i64,

    /// A session ends this many hours after sign-in, however active.
    #[arg(
        long,
        env = "SPINE_SESSION_MAX_HOURS",
        global = true,
        default_value_t = 168
    )]
    pub session_max_hours: i64,

    /// Sign-in attempts (`/auth/microsoft/login` and the callback) allowed per client address
    /// and minute; far above a show floor behind one address.
    #[arg(
        long,
        env = "SPINE_SIGN_IN_PER_MINUTE",
        global = true,
        default_value_t = 240
    )]
    pub sign_in_per_minute: u32,

    /// The largest prospect file accepted, in megabytes (upload and command line).
    #[arg(
        long,
        env = "SPINE_IMPORT_MAX_MB",
        global = true,
        default_value_t = 50,
        value_parser = clap::value_parser!(u64).range(1..=1024)
    )]
    pub import_max_mb: u64,

    /// The largest show catalogue (PDF) accepted, in megabytes.
    #[arg(
        long,
        env = "SPINE_CATALOGUE_MAX_MB",
        global = true,
        default_value_t = 50,
        value_parser = clap::value_parser!(u64).range(1..=1024)
    )]
    pub catalogue_max_mb: u64,

    /// The most pages a show catalogue may have.
    #[arg(
        long,
        env = "SPINE_CATALOGUE_MAX_PAGES",
        global = true,
        default_value_t = 200,
        value_parser = clap::value_parser!(u32).range(1..=2000)
    )]
    pub catalogue_max_pages: u32,

    /// What takes a catalogue's products from the words read: `local` or `llm`.
    #[arg(
        long,
        env = "SPINE_CATALOGUE_EXTRACTOR",
        global = true,
        value_enum,
        default_value_t = CatalogueExtractor::Local
    )]
    pub catalogue_extractor: CatalogueExtractor,

    /// The OpenAI-compatible API the `llm` extractor asks, up to `/v1` (Ollama's by default).
    #[arg(
        long,
        env = "SPINE_LLM_URL",
        global = true,
        default_value = "http://127.0.0.1:11434/v1"
    )]
    pub llm_url: String,

    /// The model the `llm` extractor asks for.
    #[arg(
        long,
        env = "SPINE_LLM_MODEL",
        global = true,
        default_value = "llama3.1:8b"
    )]
    pub llm_model: String,

    /// The API's key, if it asks for one (sent as a bearer token; never logged).
    #[arg(long, env = "SPINE_LLM_API_KEY", global = true)]
    pub llm_api_key: Option<Secret>,

    /// What reads the words of a catalogue's pages: `tesseract` or `google-vision`.
    #[arg(
        long,
        env = "SPINE_CATALOGUE_OCR",
        global = true,
        value_enum,
        default_value_t = CatalogueOcr::Tesseract
    )]
    pub catalogue_ocr: CatalogueOcr,

    /// Google Cloud Vision's address.
    #[arg(
        long,
        env = "SPINE_GOOGLE_VISION_URL",
        global = true,
        default_value = "https://vision.googleapis.com"
    )]
    pub google_vision_url: String,

    /// Google Cloud Vision's API key (sent in a header, never logged).
    #[arg(long, env = "SPINE_GOOGLE_VISION_KEY", global = true)]
    pub google_vision_key: Option<Secret>,

    /// Microsoft Graph's address (the sandbox's in development).
    #[arg(
        long,
        env = "SPINE_GRAPH_URL",
        global = true,
        default_value = "http://127.0.0.1:3002"
    )]
    pub graph_url: String,

    /// Key sealing the reps' Graph tokens at rest; at least 32 characters in production.
    #[arg(long, env = "SPINE_GRANT_KEY", global = true, hide_env_values = true,
          default_value = DEVELOPMENT_GRANT_KEY)]
    pub grant_key: Secret,

    /// The id stored beside each token sealed under `SPINE_GRANT_KEY`.
    #[arg(long, env = "SPINE_GRANT_KEY_ID", global = true, default_value = "1")]
    pub grant_key_id: String,

    /// Keys sealed tokens may still be under: `id=key` pairs separated by `;`.
    #[arg(
        long,
        env = "SPINE_GRANT_PREVIOUS_KEYS",
        global = true,
        hide_env_values = true
    )]
    pub grant_previous_keys: Option<Secret>,

    /// Messages a minute per mailbox (Exchange Online: 30); 0 does not pace.
    #[arg(
        long,
        env = "SPINE_OUTBOX_PER_MINUTE",
        global = true,
        default_value_t = 30
    )]
    pub outbox_per_minute: u32,

    /// Whether the rep's pace (window, daily cap, spread) holds prospecting mails.
    #[arg(
        long,
        env = "SPINE_OUTBOX_REP_PACE",
        global = true,
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub outbox_rep_pace: bool,

    /// Mails a worker process sends at once.
    #[arg(
        long,
        env = "SPINE_OUTBOX_CONCURRENCY",
        global = true,
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=256)
    )]
    pub outbox_concurrency: u32,

    /// How long a worker holds a mail it sends; past it (the worker died), the mail's outcome
    /// is "unknown". Longer than Graph's answer ever takes (30 s).
    #[arg(
        long,
        env = "SPINE_OUTBOX_LEASE_SECONDS",
        global = true,
        default_value_t = 90,
        value_parser = clap::value_parser!(u32).range(1..=3600)
    )]
    pub outbox_lease_seconds: u32,

    /// Where uploaded files wait to be processed (created if missing).
    #[arg(long, env = "SPINE_DATA_DIR", global = true, default_value = "data")]
    pub data_dir: std::path::PathBuf,

    /// Starts with development secrets and the sandbox even though other machines can reach
    /// Spine: only for a demo on a real tablet over a local network (logged loudly).
    #[arg(
        long,
        env = "SPINE_ALLOW_DEV_SECRETS_ON_NETWORK",
        global = true,
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    pub allow_dev_secrets_on_network: bool,
}

/// The sandbox's registered client: fine locally, refused in production.
pub const SANDBOX_CLIENT_ID: &str = "5a1e5000-0000-4000-8000-00000000c11e";
pub const SANDBOX_CLIENT_SECRET: &str = "sandbox-client-secret";
pub const DEVELOPMENT_TOKEN_SECRET: &str = "development-only-token-secret-not-for-production";
pub const DEVELOPMENT_ADDRESS_KEY: &str = "development-only-address-key-not-for-production";
pub const DEVELOPMENT_GRANT_KEY: &str = "development-only-grant-key-not-for-production";

impl Config {
    /// What a catalogue may be, and how it is read.
    pub fn catalogue_limits(&self) -> ::catalogue::Limits {
        ::catalogue::Limits {
            max_bytes: self.catalogue_max_mb * 1024 * 1024,
            max_pages: self.catalogue_max_pages,
            extractor: match self.catalogue_extractor {
                CatalogueExtractor::Local => ::catalogue::Extractor::Local,
                CatalogueExtractor::Llm => ::catalogue::Extractor::Llm(::catalogue::llm::Llm::new(
                    ::catalogue::llm::LlmConfig {
                        base_url: self.llm_url.clone(),
                        model: self.llm_model.clone(),
                        api_key: self.llm_api_key.as_ref().map(|k| k.expose().to_string()),
                        timeout: std::time::Duration::from_secs(180),
                    },
                )),
            },
            ocr: match self.catalogue_ocr {
                CatalogueOcr::Tesseract => ::catalogue::Ocr::Tesseract,
                CatalogueOcr::GoogleVision => ::catalogue::Ocr::GoogleVision(
                    ::catalogue::vision::Vision::new(::catalogue::vision::VisionConfig {
                        base_url: self.google_vision_url.clone(),
                        api_key: self
                            .google_vision_key
                            .as_ref()
                            .map(|k| k.expose().to_string())
                            .unwrap_or_default(),
                        timeout: std::time::Duration::from_secs(120),
                    }),
                ),
            },
            ..::catalogue::Limits::default()
        }
    }

    /// The keys of the reps' sealed Graph tokens.
    pub fn sealer(&self) -> crate::mail::seal::Sealer {
        crate::mail::seal::Sealer::new(
            &self.grant_key_id,
            self.grant_key.expose(),
            self.grant_previous_keys.as_ref().map(Secret::expose),
        )
    }

    /// How the sending worker paces mailboxes.
    pub fn pacing(&self) -> crate::mail::outbox::Pacing {
        crate::mail::outbox::Pacing {
            exchange: crate::mail::pace::ExchangeLimits {
                per_minute: self.outbox_per_minute,
                ..Default::default()
            },
            rep_pace: self.outbox_rep_pace,
            lease: chrono::Duration::seconds(i64::from(self.outbox_lease_seconds)),
        }
    }

    /// The key of the suppression list's hashes.
    pub fn suppression_key(&self) -> crate::prospects::suppression::AddressKey {
        crate::prospects::suppression::AddressKey::new(self.address_key.expose())
    }

    /// The key of the mails' opt-out links.
    pub fn opt_out_key(&self) -> crate::mixer::opt_out::OptOutKey {
        crate::mixer::opt_out::OptOutKey::new(self.address_key.expose())
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Whether cookies need the `Secure` flag (everywhere but plain-http development).
    pub fn secure_cookies(&self) -> bool {
        self.is_production() || self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of the public URL, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        let url = self.public_url.trim_end_matches('/');
        match url.find("://").map(|i| i + 3) {
            Some(start) => match url[start..].find('/') {
                Some(end) => url[..start + end].to_string(),
                None => url.to_string(),
            },
            None => url.to_string(),
        }
    }

    /// Whether other machines can reach Spine: it listens beyond loopback, or reps are told
    /// an address that is not this machine's.
    pub fn reachable_from_outside(&self) -> bool {
        let origin = self.public_origin();
        let host = origin.split_once("://").map_or(origin.as_str(), |(_, h)| h);
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        };
        let local_name = host.eq_ignore_ascii_case("localhost");
        let local_ip = host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
        !self.listen.ip().is_loopback() || !(local_name || local_ip)
    }

    /// Refuses settings that must not serve other machines, naming each wrong one: in
    /// production, and in development as soon as Spine is reachable from outside this machine
    /// (unless a local-network demo is explicitly allowed). A published development secret
    /// lets anyone forge a sign-in token.
    pub fn validate(&self) -> Result<(), String> {
        if !self.is_production() {
            if !self.reachable_from_outside() {
                return Ok(());
            }
            let wrong = self.development_settings();
            if wrong.is_empty() {
                return Ok(());
            }
            if self.allow_dev_secrets_on_network {
                tracing::warn!(
                    settings = %wrong.join("; "),
                    "SPINE_ALLOW_DEV_SECRETS_ON_NETWORK: other machines can reach this Spine, \
                     which runs with development settings; anyone who knows them can sign in as \
                     any rep. Demo only."
                );
                return Ok(());
            }
            return Err(format!(
                "refusing to start: other machines can reach Spine (SPINE_LISTEN={}, \
                 SPINE_PUBLIC_URL={}) and it runs with development settings: {}. Set them, or, \
                 for a demo over a local network only, SPINE_ALLOW_DEV_SECRETS_ON_NETWORK=true",
                self.listen,
                self.public_url,
                wrong.join("; ")
            ));
        }
        let mut wrong = self.development_settings();
        if self.outbox_per_minute == 0 || self.outbox_per_minute > 30 {
            wrong.push(format!(
                "SPINE_OUTBOX_PER_MINUTE must be 1 to 30 in production (Exchange Online sends 30 \
                 messages a minute per mailbox), not {}",
                self.outbox_per_minute
            ));
        }
        if self.outbox_lease_seconds < 60 {
            wrong.push(format!(
                "SPINE_OUTBOX_LEASE_SECONDS must be at least 60 in production, not {}",
                self.outbox_lease_seconds
            ));
        }
        if !self.public_url.starts_with("https://") {
            wrong.push(format!(
                "SPINE_PUBLIC_URL must be https in production ({})",
                self.public_url
            ));
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "refusing to start in production: {}",
                wrong.join("; ")
            ))
        }
    }

    /// The settings still at a development default (sandbox sign-in, published secrets).
    fn development_settings(&self) -> Vec<String> {
        let mut wrong = Vec::new();
        let authority = self.microsoft_authority.to_ascii_lowercase();
        let local = ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"];
        if !authority.starts_with("https://") || local.iter().any(|h| authority.contains(h)) {
            wrong.push(format!(
                "SPINE_MICROSOFT_AUTHORITY points to the local sandbox or is not https ({})",
                self.microsoft_authority
            ));
        }
        if self.microsoft_client_id == SANDBOX_CLIENT_ID {
            wrong.push("SPINE_MICROSOFT_CLIENT_ID is the sandbox's client id".into());
        }
        if self.microsoft_client_secret.expose() == SANDBOX_CLIENT_SECRET {
            wrong.push("SPINE_MICROSOFT_CLIENT_SECRET is the sandbox's default secret".into());
        }
        if self.token_secret.expose() == DEVELOPMENT_TOKEN_SECRET {
            wrong.push("SPINE_TOKEN_SECRET is the development default".into());
        } else if self.token_secret.expose().len() < 32 {
            wrong.push("SPINE_TOKEN_SECRET is shorter than 32 characters".into());
        }
        if self.grant_key.expose() == DEVELOPMENT_GRANT_KEY {
            wrong.push("SPINE_GRANT_KEY is the development default".into());
        } else if self.grant_key.expose().len() < 32 {
            wrong.push("SPINE_GRANT_KEY is shorter than 32 characters".into());
        }
        let graph = self.graph_url.to_ascii_lowercase();
        if !graph.starts_with("https://") || local.iter().any(|h| graph.contains(h)) {
            wrong.push(format!(
                "SPINE_GRAPH_URL points to the local sandbox or is not https ({})",
                self.graph_url
            ));
        }
        if self.address_key.expose() == DEVELOPMENT_ADDRESS_KEY {
            wrong.push("SPINE_ADDRESS_KEY is the development default".into());
        } else if self.address_key.expose().len() < 32 {
            wrong.push("SPINE_ADDRESS_KEY is shorter than 32 characters".into());
        }
        wrong
    }
}

/// The URL of a service Spine connects to, which may carry a password: `Debug` shows it as
/// `postgres://spine:***@db/spine`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ServiceUrl(String);

impl ServiceUrl {
    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some(start) = url.find("://").map(|i| i + 3) else {
            return url.clone();
        };
        let authority_end = url[start..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| start + i);
        let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) else {
            return url.clone();
        };
        match url[start..at].find(':').map(|i| start + i) {
            Some(colon) => format!("{}:***{}", &url[..colon], &url[at..]),
            None => url.clone(),
        }
    }
}

impl std::ops::Deref for ServiceUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ServiceUrl {
    fn from(url: &str) -> Self {
        ServiceUrl(url.to_string())
    }
}

impl std::str::FromStr for ServiceUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ServiceUrl(s.to_string()))
    }
}

impl std::fmt::Debug for ServiceUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// A secret setting: never printed by `Debug` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that must send or use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Config {
        let mut all = vec!["spine"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap().config
    }

    #[test]
    fn development_defaults_are_accepted() {
        assert_eq!(parse(&[]).validate(), Ok(()));
    }

    #[test]
    fn production_refuses_the_sandbox_and_default_secrets_and_names_each_setting() {
        let err = parse(&["--environment", "production"])
            .validate()
            .unwrap_err();
        for setting in [
            "SPINE_MICROSOFT_AUTHORITY",
            "SPINE_MICROSOFT_CLIENT_ID",
            "SPINE_MICROSOFT_CLIENT_SECRET",
            "SPINE_TOKEN_SECRET",
            "SPINE_ADDRESS_KEY",
            "SPINE_GRANT_KEY",
            "SPINE_GRAPH_URL",
            "SPINE_PUBLIC_URL",
        ] {
            assert!(err.contains(setting), "{setting} missing from: {err}");
        }
    }

    #[test]
    fn production_refuses_an_unpaced_outbox_and_a_lease_shorter_than_a_request() {
        let err = parse(&[
            "--environment",
            "production",
            "--outbox-per-minute",
            "0",
            "--outbox-lease-seconds",
            "5",
        ])
        .validate()
        .unwrap_err();
        assert!(err.contains("SPINE_OUTBOX_PER_MINUTE"), "{err}");
        assert!(err.contains("SPINE_OUTBOX_LEASE_SECONDS"), "{err}");
    }

    #[test]
    fn production_with_real_settings_starts() {
        let config = parse(&[
            "--environment",
            "production",
            "--microsoft-authority",
            "https://login.microsoftonline.com/organizations/v2.0",
            "--microsoft-client-id",
            "0b8e1a7e-1111-4222-8333-444455556666",
            "--microsoft-client-secret",
            "a-real-secret-from-entra",
            "--token-secret",
            "0123456789abcdef0123456789abcdef-long",
            "--address-key",
            "fedcba9876543210fedcba9876543210-long",
            "--grant-key",
            "a-grant-key-of-at-least-32-random-bytes",
            "--graph-url",
            "https://graph.microsoft.com",
            "--public-url",
            "https://spine.example.test",
        ]);
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn reachable_from_other_machines_the_development_secrets_are_refused_by_name() {
        for args in [
            &["--listen", "0.0.0.0:3000"][..],
            &["--listen", "192.168.1.20:3000"][..],
            &["--public-url", "http://192.168.1.20:3000"][..],
            &["--public-url", "https://spine.example.test"][..],
        ] {
            let config = parse(args);
            assert!(config.reachable_from_outside(), "{args:?}");
            let err = config.validate().unwrap_err();
            for setting in [
                "SPINE_MICROSOFT_AUTHORITY",
                "SPINE_MICROSOFT_CLIENT_SECRET",
                "SPINE_TOKEN_SECRET",
                "SPINE_ALLOW_DEV_SECRETS_ON_NETWORK",
            ] {
                assert!(err.contains(setting), "{setting} missing from: {err}");
            }
        }
        for args in [
            &["--public-url", "http://localhost:3000"][..],
            &[
                "--public-url",
                "http://[::1]:3000",
                "--listen",
                "[::1]:3000",
            ][..],
        ] {
            assert!(!parse(args).reachable_from_outside(), "{args:?}");
        }
    }

    #[test]
    fn a_local_network_demo_starts_only_when_explicitly_allowed() {
        let demo = parse(&[
            "--listen",
            "0.0.0.0:3000",
            "--allow-dev-secrets-on-network",
            "true",
        ]);
        assert_eq!(demo.validate(), Ok(()));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = parse(&[
            "--token-secret",
            "do-not-print-me-0123456789abcdef",
            "--database-url",
            "postgres://spine:db-password@db.internal:5432/spine",
            "--redis-url",
            "redis://:redis-password@cache.internal:6379/0",
        ]);
        let printed = format!("{config:?}");
        for secret in ["do-not-print-me", "db-password", "redis-password"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("postgres://spine:***@db.internal:5432/spine"));
        assert!(printed.contains("redis://:***@cache.internal:6379/0"));
        assert_eq!(
            &*config.database_url,
            "postgres://spine:db-password@db.internal:5432/spine"
        );
    }

    #[test]
    fn a_url_without_a_password_shows_whole() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/spine",
            "redis://127.0.0.1:6379",
            "postgres://db/spine?user=a@b",
        ] {
            assert_eq!(ServiceUrl::from(url).redacted(), url);
        }
    }

    #[test]
    fn the_public_origin_drops_the_path() {
        let config = parse(&["--public-url", "https://spine.example.test/app/"]);
        assert_eq!(config.public_origin(), "https://spine.example.test");
        assert_eq!(parse(&[]).public_origin(), "http://127.0.0.1:3000");
    }
}
