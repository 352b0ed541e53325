use std::path::PathBuf;

use apalis::prelude::*;
use app::{jobs::ImportProspects, prospects::importing};
use sqlx::PgPool;

/// Where uploaded files wait (the configuration's data directory).
#[derive(Clone)]
pub struct DataDir(pub PathBuf);

/// Imports an upload's file. A refused file is recorded on the upload for its page; a
/// database failure is retried (nothing was stored); a job for an upload imported or claimed
/// again meanwhile does nothing.
pub async fn run(
    job: ImportProspects,
    pool: Data<PgPool>,
    data_dir: Data<DataDir>,
) -> Result<(), BoxDynError> {
    let DataDir(dir) = &*data_dir;
    match importing::run(&pool, dir, job.upload, job.batch).await? {
        importing::Outcome::Done(summary) => {
            tracing::info!(batch = %job.batch, rows = summary.rows, "import done")
        }
        importing::Outcome::Refused(_) => tracing::info!(batch = %job.batch, "import refused"),
        importing::Outcome::Gone => tracing::info!(batch = %job.batch, "import no longer wanted"),
    }
    Ok(())
}
