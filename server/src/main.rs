//! `spine`: the web server, the worker and the admin commands.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal outside development.
    let _ = dotenvy::dotenv();
    let cli = server::cli::Cli::parse();
    server::cli::run(cli).await
}
