use std::path::PathBuf;

use apalis::prelude::*;
use app::{
    jobs::ImportProspects,
    prospects::{importing, suppression::AddressKey},
};
use sqlx::PgPool;

/// What an import needs beyond the database: where uploaded files wait (the configuration's
/// data directory) and the key of the suppression list.
#[derive(Clone)]
pub struct ImportDeps {
    pub data_dir: PathBuf,
    pub key: AddressKey,
}

/// Imports an upload's file. A refused file is recorded on the upload for its page; a
/// database failure is retried (nothing was stored); a job for an upload imported or claimed
/// again meanwhile does nothing.
pub async fn run(
    job: ImportProspects,
    pool: Data<PgPool>,
    deps: Data<ImportDeps>,
) -> Result<(), BoxDynError> {
    match importing::run(&pool, &deps.data_dir, &deps.key, job.upload, job.batch).await? {
        importing::Outcome::Done(summary) => {
            tracing::info!(batch = %job.batch, rows = summary.rows, "import done")
        }
        importing::Outcome::Refused(_) => tracing::info!(batch = %job.batch, "import refused"),
        importing::Outcome::Gone => tracing::info!(batch = %job.batch, "import no longer wanted"),
    }
    Ok(())
}
