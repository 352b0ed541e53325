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
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.config);
    let config = Arc::new(cli.config);
    match cli.command {
        Command::Serve { web_only } => {
            let leptos_options = leptos::config::get_configuration(None)?.leptos_options;
            let app = startup::Application::build(config, leptos_options, !web_only).await?;
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
    }
}
