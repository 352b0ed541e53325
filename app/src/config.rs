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
}

impl Config {
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}
