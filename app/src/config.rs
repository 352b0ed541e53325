//! The one configuration of Spine, read from the environment (and `.env` in development).
//! Every setting is documented in `.env.example`; the defaults run on a developer machine.

use std::net::SocketAddr;

/// Where Spine runs: production refuses development defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    Development,
    Production,
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
        default_value = "postgres://postgres@127.0.0.1:5432/spine"
    )]
    pub database_url: String,

    /// Redis holding the job queues.
    #[arg(
        long,
        env = "REDIS_URL",
        global = true,
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: String,

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
}

/// The sandbox's registered client: fine locally, refused in production.
pub const SANDBOX_CLIENT_ID: &str = "5a1e5000-0000-4000-8000-00000000c11e";
pub const SANDBOX_CLIENT_SECRET: &str = "sandbox-client-secret";
pub const DEVELOPMENT_TOKEN_SECRET: &str = "development-only-token-secret-not-for-production";

impl Config {
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

    /// Refuses settings that must not reach production, naming each wrong one.
    pub fn validate(&self) -> Result<(), String> {
        if !self.is_production() {
            return Ok(());
        }
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
            "SPINE_PUBLIC_URL",
        ] {
            assert!(err.contains(setting), "{setting} missing from: {err}");
        }
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
            "--public-url",
            "https://spine.example.test",
        ]);
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = parse(&["--token-secret", "do-not-print-me-0123456789abcdef"]);
        assert!(!format!("{config:?}").contains("do-not-print-me"));
    }

    #[test]
    fn the_public_origin_drops_the_path() {
        let config = parse(&["--public-url", "https://spine.example.test/app/"]);
        assert_eq!(config.public_origin(), "https://spine.example.test");
        assert_eq!(parse(&[]).public_origin(), "http://127.0.0.1:3000");
    }
}
