//! Running the import of an uploaded file once the rep confirmed its columns: within the
//! request for a small file, in a job (`jobs::ImportProspects`) for a large one. Either way its
//! progress is kept on the upload and published live (`import:<batch>`), so the report page
//! follows it, and finds it again after a lost connection.

use std::{path::Path, time::Duration};

use sqlx::PgPool;
use uuid::Uuid;

use super::{
    import::{self, Columns, ImportError, Input, Request, Source, Summary},
    repo,
    suppression::AddressKey,
};
use crate::live;

/// Files larger than this are imported by a job (about 2,000 rows), smaller ones at once.
pub const INLINE_MAX_BYTES: i64 = 256 * 1024;

/// Progress is written and published at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// The live topic of import `batch`.
pub fn topic(batch: Uuid) -> String {
    format!("import:{batch}")
}

/// How an import of an upload ended.
#[derive(Debug)]
pub enum Outcome {
    Done(Summary),
    /// The file or the mapping was refused, for this reason (French); nothing was stored.
    Refused(String),
    /// The upload is gone, claimed for another import, or already imported.
    Gone,
}

/// What the report page's stream says of an import: `{"state": "running", "rows": n}`,
/// `{"state": "done"}` or `{"state": "failed", "message": …}`.
pub fn state_json(state: &repo::ImportState) -> serde_json::Value {
    match state {
        repo::ImportState::Running { rows, .. } => {
            serde_json::json!({ "state": "running", "rows": rows })
        }
        repo::ImportState::Failed { message, .. } => {
            serde_json::json!({ "state": "failed", "message": message })
        }
        repo::ImportState::Done => serde_json::json!({ "state": "done" }),
    }
}

/// Imports upload `upload`, claimed for import `batch`; its file is deleted once imported.
/// A database failure is an error (a job tries again; nothing was stored).
pub async fn run(
    pool: &PgPool,
    data_dir: &Path,
    key: &AddressKey,
    upload: Uuid,
    batch: Uuid,
) -> Result<Outcome, sqlx::Error> {
    let Some(claimed) = repo::claimed(pool, upload, batch).await? else {
        return Ok(Outcome::Gone);
    };
    let columns = claimed
        .columns
        .iter()
        .map(|key| ::import::Field::from_key(key))
        .collect();
    let (progress, watching) = tokio::sync::watch::channel(0u64);
    let reporter = tokio::spawn(report_progress(
        pool.clone(),
        claimed.owner,
        upload,
        batch,
        watching,
    ));
    let result = import::run(
        pool,
        Request {
            owner: claimed.owner,
            campaign_id: claimed.campaign,
            batch,
            file_name: claimed.file_name,
            input: Input::File(repo::upload_path(data_dir, upload)),
            columns: Columns::Chosen(columns),
            source: Source::Web,
            progress: Some(progress),
            key: key.clone(),
        },
    )
    .await;
    // The sender went with the request: the reporter ends.
    let _ = reporter.await;
    let outcome = match result {
        Ok(summary) => {
            let _ = tokio::fs::remove_file(repo::upload_path(data_dir, upload)).await;
            live::publish(
                pool,
                claimed.owner,
                &topic(batch),
                state_json(&repo::ImportState::Done),
            )
            .await?;
            Outcome::Done(summary)
        }
        Err(ImportError::Database(e)) => return Err(e),
        Err(ImportError::CampaignNotFound) => Outcome::Gone,
        Err(refused) => {
            let message = refused.to_string();
            repo::refuse_upload(pool, upload, &message).await?;
            live::publish(
                pool,
                claimed.owner,
                &topic(batch),
                serde_json::json!({ "state": "failed", "message": message }),
            )
            .await?;
            Outcome::Refused(message)
        }
    };
    Ok(outcome)
}

/// Writes and publishes the rows read, at most every [`PROGRESS_EVERY`], until the import's
/// end (its sender dropped). Outside the import's transaction, so pages see it as it goes.
async fn report_progress(
    pool: PgPool,
    owner: Uuid,
    upload: Uuid,
    batch: Uuid,
    mut rows: tokio::sync::watch::Receiver<u64>,
) {
    while rows.changed().await.is_ok() {
        let read = *rows.borrow_and_update() as i64;
        let written = async {
            repo::set_rows_read(&pool, upload, read).await?;
            live::publish(
                &pool,
                owner,
                &topic(batch),
                serde_json::json!({ "state": "running", "rows": read }),
            )
            .await
        };
        if let Err(e) = written.await {
            tracing::warn!(error = %e, "import progress");
        }
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}
