use apalis::prelude::*;
use app::{jobs::Heartbeat, system::repo};
use sqlx::PgPool;

/// Records that the worker ran the heartbeat; safe to run twice.
#[tracing::instrument(skip_all, fields(heartbeat = %job.id))]
pub async fn run(job: Heartbeat, pool: Data<PgPool>) -> Result<(), BoxDynError> {
    repo::record_heartbeat(&*pool, job.id).await?;
    Ok(())
}
