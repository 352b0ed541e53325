//! Subcommands of `spine`. Only `serve` needs the Leptos site settings; the others run from
//! any directory.

use std::sync::Arc;

use app::config::Config;
use clap::{Parser, Subcommand};

use crate::{shutdown, startup, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "spine",
    version,
    about = "Spine: prospection salons / trade-show prospecting"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (and run the job worker in the same process unless --web-only).
    Serve {
        /// Do not run the job worker in this process.
        #[arg(long)]
        web_only: bool,
    },
    /// Run the job worker alone.
    Worker,
    /// Create the database if missing and apply the migrations.
    Migrate,
    /// Create (once) a demo rep of the sandbox's demo tenant with distributors and campaigns
    /// (JSON on stdout).
    Seed {
        /// The demo rep's email (default: claire.martin@demo-salons.example.test).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Mint a short-lived internal API token for a user (JSON on stdout).
    Token {
        /// The user: their id, or an email that matches exactly one user.
        #[arg(long)]
        owner: String,
        /// Validity in minutes.
        #[arg(long, default_value_t = 15)]
        ttl_minutes: i64,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.config);
    cli.config.validate().map_err(anyhow::Error::msg)?;
    let config = Arc::new(cli.config);
    match cli.command {
        Command::Serve { web_only } => {
            let app =
                startup::Application::build(config, startup::site_options()?, !web_only).await?;
            tracing::info!(address = %app.address(), "Spine is listening");
            app.run_until(shutdown::signal()).await
        }
        Command::Worker => {
            let (pool, jobs) = startup::connect(&config).await?;
            jobs::run(jobs::WorkerDeps { pool, jobs }, shutdown::signal()).await
        }
        Command::Migrate => {
            let pool = startup::connect_database(&config).await?;
            let applied = app::system::repo::applied_migrations(&pool).await?;
            println!("{}", serde_json::json!({ "migrations_applied": applied }));
            Ok(())
        }
        Command::Seed { owner } => {
            let pool = startup::connect_database(&config).await?;
            let seeded = crate::seed::run(&pool, owner.as_deref()).await?;
            println!("{}", serde_json::to_string(&seeded)?);
            Ok(())
        }
        Command::Token { owner, ttl_minutes } => {
            let pool = startup::connect_database(&config).await?;
            let user = app::auth::repo::resolve_owner(&pool, &owner)
                .await
                .map_err(anyhow::Error::msg)?;
            let token =
                crate::auth::tokens::mint(config.token_secret.expose(), user.id, ttl_minutes * 60)?;
            println!("{}", serde_json::json!({ "user": user, "token": token }));
            Ok(())
        }
    }
}
