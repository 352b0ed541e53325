//! `spine-sandbox`: runs the Microsoft identity platform stand-in for local development.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use sandbox::{ClientRegistration, Sandbox, SandboxConfig, DEV_CLIENT_ID, DEV_CLIENT_SECRET};
use tracing_subscriber::EnvFilter;

/// Local stand-in for the Microsoft identity platform (login.microsoftonline.com, v2.0).
#[derive(Parser)]
#[command(name = "spine-sandbox", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SPINE_SANDBOX_LISTEN", default_value = "127.0.0.1:3002")]
    listen: SocketAddr,
    /// JSON state file [default: $HOME/.local/share/spine/sandbox-state.json].
    #[arg(long, env = "SPINE_SANDBOX_STATE_FILE")]
    state_file: Option<PathBuf>,
    /// PKCS#8 PEM signing key [default: $HOME/.local/share/spine/sandbox-key.pem].
    #[arg(long, env = "SPINE_SANDBOX_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Client id of the registered application.
    #[arg(long, env = "SPINE_SANDBOX_CLIENT_ID", default_value = DEV_CLIENT_ID)]
    client_id: String,
    /// Client secret of the registered application.
    #[arg(
        long,
        env = "SPINE_SANDBOX_CLIENT_SECRET",
        default_value = DEV_CLIENT_SECRET,
        hide_env_values = true,
        hide_default_value = true
    )]
    client_secret: String,
    /// Registered redirect URI (repeatable; comma-separated in the environment).
    #[arg(
        long = "redirect-uri",
        env = "SPINE_SANDBOX_REDIRECT_URI",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:3000/auth/microsoft/callback,http://127.0.0.1:3000/auth/outlook/callback"
    )]
    redirect_uris: Vec<String>,
    /// Serve the /_sandbox/* control endpoints (for tests).
    #[arg(long, env = "SPINE_SANDBOX_ENABLE_CONTROL")]
    enable_control: bool,
    /// Graph's messages a minute per mailbox (Exchange Online's limit; benches raise it).
    #[arg(long, env = "SPINE_SANDBOX_GRAPH_PER_MINUTE", default_value_t = sandbox::GRAPH_PER_MINUTE)]
    graph_per_minute: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let data_dir = || -> anyhow::Result<PathBuf> {
        let home = std::env::var_os("HOME")
            .context("HOME is not set: pass --state-file and --key-file")?;
        Ok(PathBuf::from(home).join(".local/share/spine"))
    };
    let state_file = match args.state_file {
        Some(path) => path,
        None => data_dir()?.join("sandbox-state.json"),
    };
    let key_file = match args.key_file {
        Some(path) => path,
        None => data_dir()?.join("sandbox-key.pem"),
    };
    let sandbox = Sandbox::start(SandboxConfig {
        listen: args.listen,
        state_file,
        key_file,
        clients: vec![ClientRegistration {
            client_id: args.client_id,
            client_secret: args.client_secret,
            redirect_uris: args.redirect_uris,
        }],
        enable_control: args.enable_control,
        graph_per_minute: args.graph_per_minute,
    })
    .await?;
    tracing::info!(
        authority = %format!("{}/organizations/v2.0", sandbox.base_url()),
        "ready"
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    sandbox.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
