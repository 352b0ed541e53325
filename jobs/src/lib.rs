//! Background workers: apalis workers on Redis queues, and later the providers they call
//! (OCR, product extraction, Microsoft Graph). Run in-process by `spine serve` or alone by
//! `spine worker`.

mod catalogue;
mod heartbeat;
mod import;
pub mod outlook;

use std::{future::Future, sync::Arc, time::Duration};

use apalis::prelude::*;
use app::jobs::Jobs;
use sqlx::PgPool;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};

/// What handlers need, handed to every worker.
#[derive(Clone)]
pub struct WorkerDeps {
    pub pool: PgPool,
    pub jobs: Jobs,
    /// Where uploaded files wait.
    pub data_dir: std::path::PathBuf,
    /// The key of the suppression list (imports leave its addresses out).
    pub address_key: app::prospects::suppression::AddressKey,
    /// What a catalogue may be, and how it is read.
    pub catalogue_limits: ::catalogue::Limits,
    /// How mails are sent.
    pub outbox: outlook::OutboxDeps,
}

/// Workers also look for jobs this often, not only when told a job was pushed: jobs queued
/// while no worker ran (web-only server, worker restart) are picked up too.
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How long running jobs get to finish after the shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Runs every worker until `shutdown` completes, then lets running jobs finish.
pub async fn run(
    deps: WorkerDeps,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let backoff = || {
        ExponentialBackoffMaker::new(
            Duration::from_millis(200),
            Duration::from_secs(60),
            0.5,
            tower::util::rng::HasherRng::default(),
        )
        .expect("valid backoff bounds")
        .make_backoff()
    };

    let heartbeat = {
        let deps = deps.clone();
        move |run: usize| {
            WorkerBuilder::new(format!("spine-heartbeat-{run}"))
                .backend(
                    deps.jobs
                        .heartbeat
                        .clone()
                        .poll_with_interval(POLL_INTERVAL),
                )
                .retry(RetryPolicy::retries(5).with_backoff(backoff()))
                .catch_panic()
                .enable_tracing()
                .data(deps.pool.clone())
                .build(heartbeat::run)
        }
    };

    let import = {
        let deps = deps.clone();
        move |run: usize| {
            WorkerBuilder::new(format!("spine-import-{run}"))
                .backend(deps.jobs.import.clone().poll_with_interval(POLL_INTERVAL))
                .retry(RetryPolicy::retries(3).with_backoff(backoff()))
                .catch_panic()
                .enable_tracing()
                .data(deps.pool.clone())
                .data(import::ImportDeps {
                    data_dir: deps.data_dir.clone(),
                    key: deps.address_key.clone(),
                })
                .build(import::run)
        }
    };

    let catalogue = {
        let deps = deps.clone();
        move |run: usize| {
            WorkerBuilder::new(format!("spine-catalogue-{run}"))
                .backend(
                    deps.jobs
                        .catalogue
                        .clone()
                        .poll_with_interval(POLL_INTERVAL),
                )
                .retry(RetryPolicy::retries(3).with_backoff(backoff()))
                .catch_panic()
                .enable_tracing()
                .data(deps.pool.clone())
                .data(catalogue::CatalogueDeps {
                    data_dir: deps.data_dir.clone(),
                    limits: deps.catalogue_limits.clone(),
                })
                .build(catalogue::run)
        }
    };

    // The outbox's wake-up calls reach this process's dispatcher, which also looks on its own.
    let wake = Arc::new(tokio::sync::Notify::new());
    let outbox = {
        let deps = deps.clone();
        let wake = wake.clone();
        move |run: usize| {
            WorkerBuilder::new(format!("spine-outbox-{run}"))
                .backend(deps.jobs.outbox.clone().poll_with_interval(POLL_INTERVAL))
                .catch_panic()
                .data(wake.clone())
                .build(wake_outbox)
        }
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = tokio::spawn(outlook::dispatch(
        deps.pool.clone(),
        deps.outbox.clone(),
        wake,
        stopped,
    ));

    Monitor::new()
        .register(heartbeat)
        .register(import)
        .register(catalogue)
        .register(outbox)
        .should_restart(|_, _| true)
        .shutdown_timeout(SHUTDOWN_GRACE)
        .run_with_signal(async move {
            shutdown.await;
            let _ = stop.send(true);
            Ok(())
        })
        .await?;
    dispatcher.await?;
    tracing::info!("workers stopped");
    Ok(())
}

/// A wake-up call of the outbox: the dispatcher looks for mails now.
async fn wake_outbox(
    _: app::jobs::WakeOutbox,
    wake: Data<Arc<tokio::sync::Notify>>,
) -> Result<(), BoxDynError> {
    wake.notify_one();
    Ok(())
}
