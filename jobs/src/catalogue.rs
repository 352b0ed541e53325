use std::path::PathBuf;

use apalis::prelude::*;
use app::{catalog::ingesting, jobs::IngestCatalogue};
use sqlx::PgPool;

/// Where catalogues' files are (the configuration's data directory), and how they are read.
#[derive(Clone)]
pub struct CatalogueDeps {
    pub data_dir: PathBuf,
    pub limits: ::catalogue::Limits,
}

/// Reads a catalogue. A file OCR cannot read ends its reading as failed, with the reason; a
/// database failure is retried; a job for a reading cancelled or over does nothing.
pub async fn run(
    job: IngestCatalogue,
    pool: Data<PgPool>,
    deps: Data<CatalogueDeps>,
) -> Result<(), BoxDynError> {
    let outcome = ingesting::run(&pool, &deps.data_dir, &deps.limits, job.job).await?;
    tracing::info!(job = %job.job, ?outcome, "catalogue read");
    Ok(())
}
