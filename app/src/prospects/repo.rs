//! Queries of the prospect pages: uploads waiting for their mapping, import reports, the
//! Prospects tab. Every query takes the owner: another rep's row is not found.

use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::model::{
    CampaignName, ImportLine, ImportReport, PreviewColumn, ProspectsTab, RejectedRow,
};
use crate::ui::forms::format_french_date;

/// Rejected rows shown on an import's page (the CSV has them all).
pub const REJECTIONS_SHOWN: i64 = 100;
/// An upload not imported within this many hours is purged with its file.
pub const UPLOAD_HOURS: i32 = 24;

/// Where uploaded files wait, under the data directory.
pub fn uploads_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("imports")
}

/// The stored file of upload `id`.
pub fn upload_path(data_dir: &Path, id: Uuid) -> PathBuf {
    uploads_dir(data_dir).join(id.to_string())
}

pub async fn campaign_name(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
) -> Result<Option<CampaignName>, sqlx::Error> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM campaigns WHERE owner_user_id = $1 AND id = $2")
            .bind(owner)
            .bind(campaign)
            .fetch_optional(pool)
            .await?;
    Ok(name.map(|name| CampaignName { id: campaign, name }))
}

/// What an upload's row keeps of its file: read once, shown until the import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPreview {
    pub header_line: u64,
    pub columns: Vec<PreviewColumn>,
}

pub struct NewUpload<'a> {
    pub id: Uuid,
    pub owner: Uuid,
    pub campaign: Uuid,
    pub file_name: &'a str,
    pub size_bytes: i64,
    pub preview: &'a StoredPreview,
}

pub async fn insert_upload(pool: &PgPool, upload: NewUpload<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO import_uploads (id, owner_user_id, campaign_id, file_name, size_bytes, preview)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(upload.id)
    .bind(upload.owner)
    .bind(upload.campaign)
    .bind(upload.file_name)
    .bind(upload.size_bytes)
    .bind(sqlx::types::Json(upload.preview))
    .execute(pool)
    .await?;
    Ok(())
}

/// An upload of the rep in `campaign`.
pub struct Upload {
    pub file_name: String,
    pub size_bytes: i64,
    pub preview: StoredPreview,
    pub batch: Option<Uuid>,
    /// Why its last import stored nothing.
    pub error: Option<String>,
}

pub async fn upload(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
) -> Result<Option<Upload>, sqlx::Error> {
    type Row = (
        String,
        i64,
        sqlx::types::Json<StoredPreview>,
        Option<Uuid>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT file_name, size_bytes, preview, batch_id, error FROM import_uploads
         WHERE owner_user_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map(|(file_name, size_bytes, preview, batch, error)| Upload {
            file_name,
            size_bytes,
            preview: preview.0,
            batch,
            error,
        }),
    )
}

/// Whether an upload may be imported now.
pub enum Claim {
    /// Yes, as batch `batch`: the file's size (a large one is imported by a job).
    Claimed {
        size_bytes: i64,
    },
    /// An import of it already started (a second tap): that import.
    Started(Uuid),
    NotFound,
}

/// Claims upload `id` for the import `batch` with the rep's `columns` (field keys): only once,
/// so that a form posted twice imports once. An upload whose import was refused can be
/// claimed again (the rep corrected the mapping); a claim whose import never came (the server
/// stopped meanwhile) lapses after 15 minutes.
pub async fn claim_upload(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
    batch: Uuid,
    columns: &[String],
) -> Result<Claim, sqlx::Error> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE import_uploads u
         SET batch_id = $4, claimed_at = now(), columns = $5, rows_read = 0, error = NULL
         WHERE owner_user_id = $1 AND campaign_id = $2 AND id = $3
           AND (batch_id IS NULL OR error IS NOT NULL
                OR (claimed_at < now() - interval '15 minutes'
                    AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = u.batch_id)))
         RETURNING size_bytes",
    )
    .bind(owner)
    .bind(campaign)
    .bind(id)
    .bind(batch)
    .bind(sqlx::types::Json(columns))
    .fetch_optional(pool)
    .await?;
    if let Some(size_bytes) = claimed {
        return Ok(Claim::Claimed { size_bytes });
    }
    Ok(
        match upload(pool, owner, campaign, id)
            .await?
            .and_then(|u| u.batch)
        {
            Some(batch) => Claim::Started(batch),
            None => Claim::NotFound,
        },
    )
}

/// Gives a claimed upload back (its import could not be queued).
pub async fn release_upload(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE import_uploads SET batch_id = NULL, claimed_at = NULL WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// An upload claimed for an import, as the import reads it.
pub struct Claimed {
    pub owner: Uuid,
    pub campaign: Uuid,
    pub file_name: String,
    /// The field key of each column (empty: extra data).
    pub columns: Vec<String>,
}

/// Upload `id`, when it is claimed for `batch` and that import has not been stored yet.
pub async fn claimed(pool: &PgPool, id: Uuid, batch: Uuid) -> Result<Option<Claimed>, sqlx::Error> {
    type Row = (Uuid, Uuid, String, Option<sqlx::types::Json<Vec<String>>>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT owner_user_id, campaign_id, file_name, columns FROM import_uploads u
         WHERE id = $1 AND batch_id = $2 AND error IS NULL
           AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = u.batch_id)",
    )
    .bind(id)
    .bind(batch)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(owner, campaign, file_name, columns)| Claimed {
        owner,
        campaign,
        file_name,
        columns: columns.map(|c| c.0).unwrap_or_default(),
    }))
}

/// Records how far the import of upload `id` has read.
pub async fn set_rows_read(pool: &PgPool, id: Uuid, rows: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE import_uploads SET rows_read = $2 WHERE id = $1")
        .bind(id)
        .bind(rows.min(i64::from(i32::MAX)) as i32)
        .execute(pool)
        .await?;
    Ok(())
}

/// Records why the import of upload `id` stored nothing; the rep may correct and retry.
pub async fn refuse_upload(pool: &PgPool, id: Uuid, message: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE import_uploads SET error = $2 WHERE id = $1")
        .bind(id)
        .bind(message)
        .execute(pool)
        .await?;
    Ok(())
}

/// Where import `batch` of the rep's campaign stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportState {
    /// Reading its file: the rows read so far.
    Running {
        file_name: String,
        upload: Uuid,
        rows: i64,
    },
    /// Its file was refused, for this reason.
    Failed {
        file_name: String,
        upload: Uuid,
        message: String,
    },
    Done,
}

/// The state of import `batch` of `owner` in `campaign`; `None` when there is no such import.
pub async fn import_state(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    batch: Uuid,
) -> Result<Option<ImportState>, sqlx::Error> {
    let done: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM import_batches
                        WHERE owner_user_id = $1 AND campaign_id = $2 AND id = $3)",
    )
    .bind(owner)
    .bind(campaign)
    .bind(batch)
    .fetch_one(pool)
    .await?;
    if done {
        return Ok(Some(ImportState::Done));
    }
    let upload: Option<(Uuid, String, i32, Option<String>)> = sqlx::query_as(
        "SELECT id, file_name, rows_read, error FROM import_uploads
         WHERE owner_user_id = $1 AND campaign_id = $2 AND batch_id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(batch)
    .fetch_optional(pool)
    .await?;
    Ok(upload.map(|(upload, file_name, rows, error)| match error {
        Some(message) => ImportState::Failed {
            file_name,
            upload,
            message,
        },
        None => ImportState::Running {
            file_name,
            upload,
            rows: rows.into(),
        },
    }))
}

/// Uploads older than [`UPLOAD_HOURS`], forgotten; their ids, whose files are to go.
pub async fn delete_stale_uploads(pool: &PgPool) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "DELETE FROM import_uploads WHERE created_at < now() - make_interval(hours => $1)
         RETURNING id",
    )
    .bind(UPLOAD_HOURS)
    .fetch_all(pool)
    .await
}

/// Whether upload `id` is still waiting (its file must stay).
pub async fn upload_exists(pool: &PgPool, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM import_uploads WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
}

/// `le 25/11/2026 à 23:31` from a Paris time.
fn when(at: NaiveDateTime) -> String {
    format!(
        "le {} à {:02}:{:02}",
        format_french_date(at.date()),
        at.hour(),
        at.minute()
    )
}

/// What the rep reads for a rejection code.
pub fn reason(code: &str) -> &'static str {
    use ::import::Why;
    match code {
        c if c == Why::MissingEmail.code() => Why::MissingEmail.message(),
        c if c == Why::InvalidEmail.code() => Why::InvalidEmail.message(),
        c if c == Why::Suppressed.code() => Why::Suppressed.message(),
        _ => "Ligne non importée.",
    }
}

/// Import `batch` of the rep, with its first rejected rows.
pub async fn report(
    pool: &PgPool,
    owner: Uuid,
    batch: Uuid,
) -> Result<Option<ImportReport>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        campaign_id: Uuid,
        campaign_name: String,
        file_name: String,
        at: NaiveDateTime,
        rows: i32,
        valid: i32,
        duplicates_in_file: i32,
        new_prospects: i32,
        already_known: i32,
        linked: i32,
        rejected: i32,
        undone_at: Option<NaiveDateTime>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT b.campaign_id, c.name AS campaign_name, b.file_name,
                 b.created_at AT TIME ZONE 'Europe/Paris' AS at, b.rows, b.valid,
                 b.duplicates_in_file, b.new_prospects, b.already_known, b.linked, b.rejected,
                 b.undone_at AT TIME ZONE 'Europe/Paris' AS undone_at
             FROM import_batches b
             JOIN campaigns c ON c.owner_user_id = b.owner_user_id AND c.id = b.campaign_id
             WHERE b.owner_user_id = $1 AND b.id = $2",
    )
    .bind(owner)
    .bind(batch)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let rejections: Vec<(i64, String)> = sqlx::query_as(
        "SELECT line, code FROM import_rejections WHERE batch_id = $1 ORDER BY line LIMIT $2",
    )
    .bind(batch)
    .bind(REJECTIONS_SHOWN)
    .fetch_all(pool)
    .await?;
    let rejections: Vec<RejectedRow> = rejections
        .into_iter()
        .map(|(line, code)| RejectedRow {
            line,
            reason: reason(&code).to_string(),
            code,
        })
        .collect();
    let html = super::html::report(
        row.campaign_id,
        batch,
        &super::html::Figures {
            when: when(row.at),
            undone: row.undone_at.map(when),
            rows: row.rows,
            valid: row.valid,
            new_prospects: row.new_prospects,
            already_known: row.already_known,
            duplicates_in_file: row.duplicates_in_file,
            linked: row.linked,
            rejected: row.rejected,
        },
        &rejections,
    );
    Ok(Some(ImportReport {
        id: batch,
        campaign: CampaignName {
            id: row.campaign_id,
            name: row.campaign_name,
        },
        file_name: row.file_name,
        when: when(row.at),
        rows: row.rows,
        valid: row.valid,
        duplicates_in_file: row.duplicates_in_file,
        new_prospects: row.new_prospects,
        already_known: row.already_known,
        linked: row.linked,
        rejected: row.rejected,
        undone: row.undone_at.map(when),
        rejections,
        html,
    }))
}

/// The file name, campaign and every rejected row (line, code) of import `batch` of the rep;
/// `None` when it is not theirs.
pub async fn rejections(
    pool: &PgPool,
    owner: Uuid,
    batch: Uuid,
) -> Result<Option<(String, Uuid, Vec<(i64, String)>)>, sqlx::Error> {
    let file: Option<(String, Uuid)> = sqlx::query_as(
        "SELECT file_name, campaign_id FROM import_batches WHERE owner_user_id = $1 AND id = $2",
    )
    .bind(owner)
    .bind(batch)
    .fetch_optional(pool)
    .await?;
    let Some((file, campaign)) = file else {
        return Ok(None);
    };
    let rows = sqlx::query_as(
        "SELECT line, code FROM import_rejections WHERE batch_id = $1 ORDER BY line",
    )
    .bind(batch)
    .fetch_all(pool)
    .await?;
    Ok(Some((file, campaign, rows)))
}

/// The Prospects tab of campaign `campaign`, with the page of its prospects `query` asks.
pub async fn tab(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    max_mb: u64,
    query: &super::contact::ListQuery,
) -> Result<Option<ProspectsTab>, sqlx::Error> {
    let Some(campaign) = campaign_name(pool, owner, campaign).await? else {
        return Ok(None);
    };
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM campaign_prospects WHERE owner_user_id = $1 AND campaign_id = $2",
    )
    .bind(owner)
    .bind(campaign.id)
    .fetch_one(pool)
    .await?;
    let page = super::contact::list(pool, owner, campaign.id, query).await?;
    let imports: Vec<(Uuid, String, NaiveDateTime, i32, i32, i32, bool)> = sqlx::query_as(
        "SELECT id, file_name, created_at AT TIME ZONE 'Europe/Paris', new_prospects, linked,
             rejected, undone_at IS NOT NULL
         FROM import_batches
         WHERE owner_user_id = $1 AND campaign_id = $2
         ORDER BY created_at DESC
         LIMIT 20",
    )
    .bind(owner)
    .bind(campaign.id)
    .fetch_all(pool)
    .await?;
    let imports: Vec<ImportLine> = imports
        .into_iter()
        .map(
            |(id, file_name, at, new_prospects, linked, rejected, undone)| ImportLine {
                id,
                file_name,
                when: when(at),
                new_prospects,
                linked,
                rejected,
                undone,
            },
        )
        .collect();
    Ok(Some(ProspectsTab {
        html: super::html::tab(campaign.id, total, &page, query, &imports),
        campaign,
        total,
        matching: page.matching,
        prospects: page.items,
        next: page.next,
        imports,
        max_mb,
    }))
}

/// What adding a prospect by hand did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new contact, in the campaign.
    New(Uuid),
    /// A contact the rep had (same address), now in the campaign; its empty fields filled.
    Known(Uuid),
    /// A contact already in the campaign; its empty fields filled.
    AlreadyThere(Uuid),
}

impl Added {
    pub fn id(self) -> Uuid {
        match self {
            Added::New(id) | Added::Known(id) | Added::AlreadyThere(id) => id,
        }
    }
}

/// Adds `p` (checked: `email` normalised) to `campaign` of `owner`: a known address gets
/// what it lacked, as an import would give it, and is never duplicated. `None` when the campaign
/// is not the rep's.
pub async fn add_by_hand(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    owner: Uuid,
    campaign: Uuid,
    p: &super::model::ProspectFields,
) -> Result<Option<Added>, sqlx::Error> {
    let show: Option<String> = sqlx::query_scalar(
        "SELECT name FROM campaigns WHERE owner_user_id = $1 AND id = $2 FOR KEY SHARE",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(show) = show else {
        return Ok(None);
    };
    // A known address only gets what it lacked; `xmax = 0` tells a row just inserted.
    let (id, inserted): (Uuid, bool) = sqlx::query_as(
        "INSERT INTO prospects AS p (id, owner_user_id, email, civility, first_name, last_name,
             company, job_title, phone, mobile, postal_code, city, country, notes, origin,
             origin_show)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'hand', $15)
         ON CONFLICT (owner_user_id, email) DO UPDATE SET
             civility = CASE WHEN p.civility = '' THEN excluded.civility ELSE p.civility END,
             first_name = CASE WHEN p.first_name = '' THEN excluded.first_name ELSE p.first_name END,
             last_name = CASE WHEN p.last_name = '' THEN excluded.last_name ELSE p.last_name END,
             company = CASE WHEN p.company = '' THEN excluded.company ELSE p.company END,
             job_title = CASE WHEN p.job_title = '' THEN excluded.job_title ELSE p.job_title END,
             phone = CASE WHEN p.phone = '' THEN excluded.phone ELSE p.phone END,
             mobile = CASE WHEN p.mobile = '' THEN excluded.mobile ELSE p.mobile END,
             postal_code = CASE WHEN p.postal_code = '' THEN excluded.postal_code ELSE p.postal_code END,
             city = CASE WHEN p.city = '' THEN excluded.city ELSE p.city END,
             country = CASE WHEN p.country = '' THEN excluded.country ELSE p.country END,
             notes = CASE WHEN p.notes = '' THEN excluded.notes ELSE p.notes END,
             version = p.version + 1, updated_at = now()
         RETURNING id, xmax = 0",
    )
    .bind(Uuid::now_v7())
    .bind(owner)
    .bind(&p.email)
    .bind(&p.civility)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.company)
    .bind(&p.job_title)
    .bind(&p.phone)
    .bind(&p.mobile)
    .bind(&p.postal_code)
    .bind(&p.city)
    .bind(&p.country)
    .bind(&p.notes)
    .bind(&show)
    .fetch_one(&mut **tx)
    .await?;
    let linked = sqlx::query(
        "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id)
         VALUES ($1, $2, $3) ON CONFLICT (campaign_id, prospect_id) DO NOTHING",
    )
    .bind(owner)
    .bind(campaign)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(Some(match (inserted, linked) {
        (true, _) => Added::New(id),
        (false, 1) => Added::Known(id),
        _ => Added::AlreadyThere(id),
    }))
}
