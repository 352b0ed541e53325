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
    /// Create (once) a demo rep of the sandbox's demo tenant with distributors, campaigns and
    /// the first show's prospects (JSON on stdout).
    Seed {
        /// The demo rep's email (default: claire.martin@demo-salons.example.test).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Mint a short-lived internal API token for a user, or revoke tokens (JSON on stdout).
    Token {
        /// The user: their id, or an email that matches exactly one user (Microsoft does not
        /// verify emails: this is for administrators, never for deciding who a request is).
        #[arg(long, required_unless_present = "revoke")]
        owner: Option<String>,
        /// Validity in minutes, 1 to 1440 (24 hours).
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(i64).range(1..=1440))]
        ttl_minutes: i64,
        /// Revoke the token with this id (the `id` printed when it was minted).
        #[arg(long, conflicts_with_all = ["owner", "revoke_all"])]
        revoke: Option<uuid::Uuid>,
        /// Revoke every token of `--owner`.
        #[arg(long, requires = "owner")]
        revoke_all: bool,
    },
    /// Import a prospect file (CSV or workbook) into a campaign, inline (no worker needed),
    /// and print the summary as JSON; a refused file exits with status 2 and
    /// `{"error": {"code", "message"}}`.
    ImportProspects {
        /// The campaign's owner: their id, or an email that matches exactly one user.
        #[arg(long)]
        owner: String,
        /// The campaign's id.
        #[arg(long)]
        campaign: uuid::Uuid,
        /// A column for a field, correcting the proposed mapping: `--map email=Courriel`.
        /// Fields: civility, first_name, last_name, email, company, job_title, phone, mobile,
        /// postal_code, city, country, notes.
        #[arg(long = "map", value_parser = parse_map)]
        map: Vec<(import::Field, String)>,
        /// The file to import.
        file: std::path::PathBuf,
    },
    /// Read a scanned catalogue (PDF) into products, inline, storing nothing (neither
    /// PostgreSQL nor Redis needed), and print `{"products": [...]}`; a refused file exits with
    /// status 2 and `{"error": {"code", "message"}}`.
    ExtractCatalogue {
        /// Pages read at once (default: the cores).
        #[arg(long)]
        parallel: Option<usize>,
        /// The catalogue.
        file: std::path::PathBuf,
    },
}

/// `field=Header` of `--map`.
fn parse_map(arg: &str) -> Result<(import::Field, String), String> {
    let (field, header) = arg
        .split_once('=')
        .ok_or_else(|| format!("expected field=Header, got {arg}"))?;
    let field =
        import::Field::from_key(field.trim()).ok_or_else(|| format!("unknown field {field}"))?;
    Ok((field, header.to_string()))
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
            jobs::run(
                jobs::WorkerDeps {
                    pool,
                    jobs,
                    data_dir: config.data_dir.clone(),
                    address_key: config.suppression_key(),
                    catalogue_limits: config.catalogue_limits(),
                    outbox: jobs::outlook::OutboxDeps::new(&config, Default::default()),
                },
                shutdown::signal(),
            )
            .await
        }
        Command::Migrate => {
            let pool = startup::connect_database(&config).await?;
            let applied = app::system::repo::applied_migrations(&pool).await?;
            println!("{}", serde_json::json!({ "migrations_applied": applied }));
            Ok(())
        }
        Command::Seed { owner } => {
            let pool = startup::connect_database(&config).await?;
            let seeded = {
                let limits = config.catalogue_limits();
                let files = crate::seed::Files {
                    data_dir: &config.data_dir,
                    limits: &limits,
                };
                crate::seed::demo(&pool, &config.suppression_key(), &files, owner.as_deref())
                    .await?
            };
            println!("{}", serde_json::to_string(&seeded)?);
            Ok(())
        }
        Command::Token {
            owner,
            ttl_minutes,
            revoke,
            revoke_all,
        } => {
            use app::auth::repo;
            let pool = startup::connect_database(&config).await?;
            if let Some(id) = revoke {
                let revoked = repo::revoke_api_token(&pool, id).await?;
                anyhow::ensure!(revoked, "no live token has the id {id}");
                println!("{}", serde_json::json!({ "revoked": [id] }));
                return Ok(());
            }
            let owner = owner.expect("clap requires --owner without --revoke");
            let user = repo::resolve_owner(&pool, &owner)
                .await
                .map_err(anyhow::Error::msg)?;
            if revoke_all {
                let count = repo::revoke_user_api_tokens(&pool, user.id).await?;
                println!(
                    "{}",
                    serde_json::json!({ "user": user, "revoked_count": count })
                );
                return Ok(());
            }
            let token = crate::auth::tokens::issue(
                &pool,
                config.token_secret.expose(),
                user.id,
                ttl_minutes * 60,
                None,
            )
            .await?;
            println!("{}", serde_json::json!({ "user": user, "token": token }));
            Ok(())
        }
        Command::ImportProspects {
            owner,
            campaign,
            map,
            file,
        } => {
            use app::prospects::import::{run, Columns, ImportError, Input, Request, Source};
            let pool = startup::connect_database(&config).await?;
            let user = app::auth::repo::resolve_owner(&pool, &owner)
                .await
                .map_err(anyhow::Error::msg)?;
            let refuse = |error: ImportError| -> anyhow::Result<()> {
                let answer = serde_json::json!({
                    "error": { "code": error.code(), "message": error.to_string() }
                });
                println!("{answer}");
                std::process::exit(2)
            };
            let limit = config.import_max_mb * 1024 * 1024;
            if std::fs::metadata(&file)?.len() > limit {
                return refuse(
                    import::FileError::TooLarge {
                        limit_mb: config.import_max_mb,
                    }
                    .into(),
                );
            }
            let request = Request {
                owner: user.id,
                campaign_id: campaign,
                batch: uuid::Uuid::new_v4(),
                file_name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                input: Input::File(file.clone()),
                columns: Columns::Corrected(map),
                source: Source::Cli,
                progress: None,
                key: config.suppression_key(),
            };
            match run(&pool, request).await {
                Ok(summary) => {
                    println!("{}", serde_json::to_string(&summary)?);
                    Ok(())
                }
                Err(ImportError::Database(e)) => Err(e.into()),
                Err(error) => refuse(error),
            }
        }
        Command::ExtractCatalogue { parallel, file } => {
            let mut limits = config.catalogue_limits();
            if let Some(parallel) = parallel {
                limits.parallel = parallel.max(1);
            }
            // The page images go to a directory of this run's own, removed after.
            let work = std::env::temp_dir().join(format!(
                "spine-extract-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ));
            let read = catalogue::read(&file, &work, &limits, |_, _| {}).await;
            let _ = tokio::fs::remove_dir_all(&work).await;
            match read {
                Ok(pages) => {
                    let extracted = catalogue::Extracted {
                        products: catalogue::extract(&pages),
                    };
                    println!("{}", serde_json::to_string(&extracted)?);
                    Ok(())
                }
                Err(error) if error.is_the_files() => {
                    let answer = serde_json::json!({
                        "error": { "code": error.code(), "message": error.to_string() }
                    });
                    println!("{answer}");
                    std::process::exit(2)
                }
                Err(error) => Err(error.into()),
            }
        }
    }
}
