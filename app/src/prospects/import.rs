//! Importing a contact file into a campaign. The file is read by the `import` crate; the
//! contacts are stored in one transaction with set operations (COPY into a staging table,
//! then one statement per step), never a row at a time. The web page and
//! `spine import-prospects` share this pipeline.
//!
//! A contact already known to the rep (same address) is linked to the campaign, not
//! duplicated; the import only fills the fields it left empty (and adds columns it did not
//! have): it never overwrites what the rep already has. Importing the same file again adds
//! nothing.

use ::import::{rows, Field, FileError, Mapping};
use serde::Serialize;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::suppression::{AddressKey, Suppressed};
use crate::audit::repo::{record, Change};

/// Where an import was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Web,
    Cli,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Cli => "cli",
        }
    }
}

/// Where the file is: on disk (read in constant memory), or already in memory.
pub enum Input {
    File(std::path::PathBuf),
    Bytes(Vec<u8>),
}

/// Which column holds which field.
#[derive(Debug, Clone)]
pub enum Columns {
    /// The proposed mapping with corrections (`--map field=Header`): field -> column header.
    Corrected(Vec<(Field, String)>),
    /// The field of every column in the file's order, as the rep confirmed it (`None`: kept
    /// as extra data).
    Chosen(Vec<Option<Field>>),
}

/// An import to run.
pub struct Request {
    pub owner: Uuid,
    pub campaign_id: Uuid,
    /// The new batch's id.
    pub batch: Uuid,
    pub file_name: String,
    pub input: Input,
    pub columns: Columns,
    pub source: Source,
    /// Told the count of rows read as the import goes (for a page that shows it).
    pub progress: Option<tokio::sync::watch::Sender<u64>>,
    /// The key of the rep's suppression list: its addresses are rejected (`suppressed`).
    pub key: AddressKey,
}

/// A rejected row, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    pub line: u64,
    pub why: &'static str,
}

/// What an import did. `rows`, `valid`, `duplicates_in_file`, `new_prospects` and `invalid`
/// follow the counting rules of the `import` crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub batch: Uuid,
    pub rows: usize,
    pub valid: usize,
    pub duplicates_in_file: usize,
    pub new_prospects: u64,
    /// Addresses of the file the rep already had.
    pub already_known: u64,
    /// Contacts newly linked to this campaign (new or known).
    pub linked: u64,
    pub rejected: usize,
    pub invalid: Vec<Invalid>,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(#[from] FileError),
    #[error("Aucune colonne « {header} » dans le fichier (pour le champ {field}).")]
    UnknownColumn { field: &'static str, header: String },
    #[error("Les colonnes choisies ne sont plus celles du fichier : rechargez-le.")]
    ColumnsChanged,
    #[error("Campagne introuvable.")]
    CampaignNotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl ImportError {
    /// The machine code, stable for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::File(e) => e.code(),
            ImportError::UnknownColumn { .. } => "unknown_column",
            ImportError::ColumnsChanged => "columns_changed",
            ImportError::CampaignNotFound => "not_found",
            ImportError::Database(_) => "internal",
        }
    }
}

/// Reads, checks and stores `request`'s file; nothing is stored when the file is refused.
pub async fn run(pool: &PgPool, request: Request) -> Result<Summary, ImportError> {
    let Request {
        owner,
        campaign_id,
        batch,
        file_name,
        input,
        columns,
        source,
        progress,
        key,
    } = request;
    let mut tx = pool.begin().await?;
    // The pool plans every statement with its values (see `connect_database`); the foreign key
    // checks of 100,000 inserted rows must reuse their plan, or each costs five times more.
    sqlx::query("SET LOCAL plan_cache_mode = auto")
        .execute(&mut *tx)
        .await?;
    let show: Option<String> =
        sqlx::query_scalar("SELECT name FROM campaigns WHERE owner_user_id = $1 AND id = $2")
            .bind(owner)
            .bind(campaign_id)
            .fetch_optional(&mut *tx)
            .await?;
    let show = show.ok_or(ImportError::CampaignNotFound)?;
    // Held to the end: an erasure or a mark made meanwhile waits, then finds what we added.
    super::suppression::lock(&mut tx, owner).await?;
    let suppressed = Suppressed::load(&mut *tx, &key, owner).await?;

    // The file is read and checked on a blocking thread while its rows go to the database.
    let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
    let reading = tokio::task::spawn_blocking(move || {
        if let Err(error) = read_rows(&input, columns, suppressed, &sender) {
            let _ = sender.blocking_send(Message::Failed(error));
        }
    });
    let (header, mapping) = match receiver.recv().await {
        Some(Message::Head { header, mapping }) => (header, mapping),
        Some(Message::Failed(error)) => return Err(error),
        _ => return Err(sqlx::Error::Protocol("the import's reader stopped".into()).into()),
    };
    sqlx::query(
        "INSERT INTO import_batches (id, owner_user_id, campaign_id, file_name, source, rows,
             valid, duplicates_in_file, new_prospects, already_known, linked, rejected, mapping)
         VALUES ($1, $2, $3, $4, $5, 0, 0, 0, 0, 0, 0, 0, $6)",
    )
    .bind(batch)
    .bind(owner)
    .bind(campaign_id)
    .bind(truncate(&file_name, 255))
    .bind(source.as_str())
    .bind(mapping_json(&header, &mapping))
    .execute(&mut *tx)
    .await?;

    let counts = stage(&mut tx, &mut receiver, progress.as_ref()).await?;
    reading
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("import reader: {e}")))?;
    if counts.duplicates_in_file > 0 {
        fold_duplicates(&mut tx).await?;
    }
    let origin = (batch, truncate(&file_name, 255), show);
    let new_prospects = insert_new(&mut tx, owner, &origin).await?;
    fill_known(&mut tx, owner, batch).await?;
    let linked = link(&mut tx, owner, campaign_id, batch).await?;
    let contacts = (counts.valid - counts.duplicates_in_file) as u64;
    let already_known = contacts - new_prospects;

    let (lines, codes): (Vec<i64>, Vec<&str>) = counts
        .invalid
        .iter()
        .map(|r| (r.line as i64, r.why.code()))
        .unzip();
    sqlx::query(
        "INSERT INTO import_rejections (batch_id, line, code)
         SELECT $1, line, code FROM UNNEST($2::bigint[], $3::text[]) AS r (line, code)",
    )
    .bind(batch)
    .bind(&lines)
    .bind(&codes)
    .execute(&mut *tx)
    .await?;

    let summary = Summary {
        batch,
        rows: counts.rows,
        valid: counts.valid,
        duplicates_in_file: counts.duplicates_in_file,
        new_prospects,
        already_known,
        linked,
        rejected: counts.invalid.len(),
        invalid: counts
            .invalid
            .iter()
            .map(|r| Invalid {
                line: r.line,
                why: r.why.code(),
            })
            .collect(),
    };
    sqlx::query(
        "UPDATE import_batches SET rows = $2, valid = $3, duplicates_in_file = $4,
             new_prospects = $5, already_known = $6, linked = $7, rejected = $8
         WHERE id = $1",
    )
    .bind(batch)
    .bind(summary.rows as i32)
    .bind(summary.valid as i32)
    .bind(summary.duplicates_in_file as i32)
    .bind(summary.new_prospects as i32)
    .bind(summary.already_known as i32)
    .bind(summary.linked as i32)
    .bind(summary.rejected as i32)
    .execute(&mut *tx)
    .await?;
    // The log keeps the figures and the file's name, not the contacts.
    log_batch(
        &mut tx,
        owner,
        batch,
        "import",
        serde_json::json!({
            "campaign_id": campaign_id,
            "file_name": file_name,
            "rows": summary.rows,
            "new_prospects": summary.new_prospects,
            "linked": summary.linked,
            "rejected": summary.rejected,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// Rows of the staging table sent per COPY message.
const COPY_CHUNK: usize = 2_000;

/// What the reading thread hands over.
enum Message {
    Head {
        header: Vec<String>,
        mapping: Mapping,
    },
    /// Staging rows, as CSV, and the count of the file's rows read so far.
    Rows(Vec<u8>, usize),
    Done(Counts),
    Failed(ImportError),
}

/// The file's figures, once read.
struct Counts {
    rows: usize,
    valid: usize,
    duplicates_in_file: usize,
    invalid: Vec<rows::Rejection>,
}

/// Reads and checks the file, sending its valid rows in chunks (a duplicate says which row it
/// repeats: they are folded in the database).
fn read_rows(
    input: &Input,
    columns: Columns,
    suppressed: Suppressed,
    sender: &tokio::sync::mpsc::Sender<Message>,
) -> Result<(), ImportError> {
    let opened = match input {
        Input::File(path) => ::import::open_any(path.as_path())?,
        Input::Bytes(bytes) => ::import::open_any(bytes.as_slice())?,
    };
    let mapping = match columns {
        Columns::Corrected(corrections) => {
            let mut mapping = opened.mapping;
            for (field, header) in corrections {
                mapping = mapping.with(&opened.header, field, &header).ok_or(
                    ImportError::UnknownColumn {
                        field: field.key(),
                        header,
                    },
                )?;
            }
            mapping
        }
        Columns::Chosen(columns) if columns.len() == opened.header.len() => Mapping { columns },
        Columns::Chosen(_) => return Err(ImportError::ColumnsChanged),
    };
    if mapping.columns_of(Field::Email).next().is_none() {
        return Err(FileError::NoEmailColumn.into());
    }
    let send = |message| sender.blocking_send(message).is_ok();
    if !send(Message::Head {
        header: opened.header.clone(),
        mapping: mapping.clone(),
    }) {
        return Ok(());
    }
    let mut checker = rows::Checker::new(&opened.header, &mapping)
        .refusing(move |address| suppressed.contains(address));
    let mut chunk = StagingRows::default();
    for record in opened.records {
        if let Some(row) = checker.check(&record?) {
            chunk.push(&row)?;
            if chunk.len == COPY_CHUNK && !send(Message::Rows(chunk.take()?, checker.rows)) {
                return Ok(());
            }
        }
    }
    if checker.rows == 0 {
        return Err(FileError::EmptyFile.into());
    }
    if chunk.len > 0 && !send(Message::Rows(chunk.take()?, checker.rows)) {
        return Ok(());
    }
    send(Message::Done(Counts {
        rows: checker.rows,
        valid: checker.valid,
        duplicates_in_file: checker.duplicates_in_file,
        invalid: checker.invalid,
    }));
    Ok(())
}

/// Rows of the staging table written as CSV for COPY.
#[derive(Default)]
struct StagingRows {
    out: Option<csv::Writer<Vec<u8>>>,
    len: usize,
}

impl StagingRows {
    fn push(&mut self, row: &rows::Row) -> Result<(), ImportError> {
        let out = self
            .out
            .get_or_insert_with(|| csv::Writer::from_writer(Vec::with_capacity(COPY_CHUNK * 200)));
        let contact = &row.contact;
        let extra: serde_json::Map<String, serde_json::Value> = contact
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        // Time-ordered ids keep the primary key's inserts together in its index.
        let mut cells = vec![
            row.ord.to_string(),
            row.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
            contact.line.to_string(),
            Uuid::now_v7().to_string(),
            contact.email.clone(),
        ];
        // The staging table's columns after the email follow `Field::ALL`.
        cells.extend(
            Field::ALL
                .into_iter()
                .filter(|&f| f != Field::Email)
                .map(|f| limited(f, contact.field(f))),
        );
        cells.push(serde_json::Value::Object(extra).to_string());
        out.write_record(&cells)
            .map_err(|e| sqlx::Error::Protocol(format!("staging row: {e}")))?;
        self.len += 1;
        Ok(())
    }

    fn take(&mut self) -> Result<Vec<u8>, ImportError> {
        self.len = 0;
        match self.out.take() {
            Some(out) => Ok(out
                .into_inner()
                .map_err(|e| sqlx::Error::Protocol(format!("staging rows: {e}")))?),
            None => Ok(Vec::new()),
        }
    }
}

/// The file's valid rows in a temporary table, by COPY as they are read.
async fn stage(
    tx: &mut Transaction<'_, Postgres>,
    receiver: &mut tokio::sync::mpsc::Receiver<Message>,
    progress: Option<&tokio::sync::watch::Sender<u64>>,
) -> Result<Counts, ImportError> {
    sqlx::query(
        "CREATE TEMP TABLE import_staging (
             ord integer, dup_of integer, line bigint, id uuid, email text, civility text,
             first_name text, last_name text, company text, job_title text, phone text,
             mobile text, postal_code text, city text, country text, notes text, extra jsonb
         ) ON COMMIT DROP",
    )
    .execute(&mut **tx)
    .await?;
    let mut copy = tx
        // An empty cell is '' (not NULL, csv's default), but for `dup_of`.
        .copy_in_raw(
            "COPY import_staging FROM STDIN (FORMAT csv, FORCE_NOT_NULL (email, civility,
                 first_name, last_name, company, job_title, phone, mobile, postal_code, city,
                 country, notes))",
        )
        .await?;
    let counts = loop {
        match receiver.recv().await {
            Some(Message::Rows(rows, read)) => {
                copy.send(rows).await?;
                if let Some(progress) = progress {
                    progress.send_replace(read as u64);
                }
            }
            Some(Message::Done(counts)) => break counts,
            Some(Message::Failed(error)) => {
                copy.abort("the file was refused").await?;
                return Err(error);
            }
            Some(Message::Head { .. }) | None => {
                copy.abort("the file's reader stopped").await?;
                return Err(sqlx::Error::Protocol("the import's reader stopped".into()).into());
            }
        }
    };
    copy.finish().await?;
    // Without statistics the planner takes the fresh table for empty and joins it row by row.
    sqlx::query("ANALYZE import_staging")
        .execute(&mut **tx)
        .await?;
    Ok(counts)
}

/// A later row with the same address only fills what its first row left empty (the first
/// non-empty value in the file's order); then it goes.
async fn fold_duplicates(tx: &mut Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE import_staging f SET
             civility = CASE WHEN f.civility = '' THEN d.civility ELSE f.civility END,
             first_name = CASE WHEN f.first_name = '' THEN d.first_name ELSE f.first_name END,
             last_name = CASE WHEN f.last_name = '' THEN d.last_name ELSE f.last_name END,
             company = CASE WHEN f.company = '' THEN d.company ELSE f.company END,
             job_title = CASE WHEN f.job_title = '' THEN d.job_title ELSE f.job_title END,
             phone = CASE WHEN f.phone = '' THEN d.phone ELSE f.phone END,
             mobile = CASE WHEN f.mobile = '' THEN d.mobile ELSE f.mobile END,
             postal_code = CASE WHEN f.postal_code = '' THEN d.postal_code ELSE f.postal_code END,
             city = CASE WHEN f.city = '' THEN d.city ELSE f.city END,
             country = CASE WHEN f.country = '' THEN d.country ELSE f.country END,
             notes = CASE WHEN f.notes = '' THEN d.notes ELSE f.notes END,
             extra = d.extra || f.extra
         FROM (
             SELECT s.dup_of,
                 coalesce((array_agg(civility ORDER BY ord) FILTER (WHERE civility <> ''))[1], '') AS civility,
                 coalesce((array_agg(first_name ORDER BY ord) FILTER (WHERE first_name <> ''))[1], '') AS first_name,
                 coalesce((array_agg(last_name ORDER BY ord) FILTER (WHERE last_name <> ''))[1], '') AS last_name,
                 coalesce((array_agg(company ORDER BY ord) FILTER (WHERE company <> ''))[1], '') AS company,
                 coalesce((array_agg(job_title ORDER BY ord) FILTER (WHERE job_title <> ''))[1], '') AS job_title,
                 coalesce((array_agg(phone ORDER BY ord) FILTER (WHERE phone <> ''))[1], '') AS phone,
                 coalesce((array_agg(mobile ORDER BY ord) FILTER (WHERE mobile <> ''))[1], '') AS mobile,
                 coalesce((array_agg(postal_code ORDER BY ord) FILTER (WHERE postal_code <> ''))[1], '') AS postal_code,
                 coalesce((array_agg(city ORDER BY ord) FILTER (WHERE city <> ''))[1], '') AS city,
                 coalesce((array_agg(country ORDER BY ord) FILTER (WHERE country <> ''))[1], '') AS country,
                 coalesce((array_agg(notes ORDER BY ord) FILTER (WHERE notes <> ''))[1], '') AS notes,
                 -- The first value of each key wins: aggregated last.
                 coalesce((SELECT jsonb_object_agg(e.key, e.value ORDER BY x.ord DESC)
                           FROM import_staging x, jsonb_each(x.extra) e
                           WHERE x.dup_of = s.dup_of), '{}') AS extra
             FROM import_staging s
             WHERE s.dup_of IS NOT NULL
             GROUP BY s.dup_of
         ) d
         WHERE f.ord = d.dup_of",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM import_staging WHERE dup_of IS NOT NULL")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// New addresses become prospects; known ones are left to `fill_known`.
async fn insert_new(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    (batch, file, show): &(Uuid, String, String),
) -> Result<u64, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO prospects (id, owner_user_id, email, civility, first_name, last_name,
             company, job_title, phone, mobile, postal_code, city, country, notes, extra,
             origin, origin_batch_id, origin_file, origin_show)
         SELECT id, $1, email, civility, first_name, last_name, company,
             job_title, phone, mobile, postal_code, city, country, notes, extra,
             'import', $2, $3, $4
         FROM import_staging
         ON CONFLICT (owner_user_id, email) DO NOTHING",
    )
    .bind(owner)
    .bind(batch)
    .bind(file)
    .bind(show)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected())
}

/// Known prospects get what they lacked: empty fields filled, new columns added; nothing
/// they had is overwritten. What was filled is kept with the batch, for its undo.
async fn fill_known(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    batch: Uuid,
) -> Result<u64, sqlx::Error> {
    const SQL: &str = "WITH filled AS (
             SELECT p.id,
                 jsonb_strip_nulls(jsonb_build_object(
                     'civility', CASE WHEN p.civility = '' AND s.civility <> '' THEN s.civility END,
                     'first_name', CASE WHEN p.first_name = '' AND s.first_name <> '' THEN s.first_name END,
                     'last_name', CASE WHEN p.last_name = '' AND s.last_name <> '' THEN s.last_name END,
                     'company', CASE WHEN p.company = '' AND s.company <> '' THEN s.company END,
                     'job_title', CASE WHEN p.job_title = '' AND s.job_title <> '' THEN s.job_title END,
                     'phone', CASE WHEN p.phone = '' AND s.phone <> '' THEN s.phone END,
                     'mobile', CASE WHEN p.mobile = '' AND s.mobile <> '' THEN s.mobile END,
                     'postal_code', CASE WHEN p.postal_code = '' AND s.postal_code <> '' THEN s.postal_code END,
                     'city', CASE WHEN p.city = '' AND s.city <> '' THEN s.city END,
                     'country', CASE WHEN p.country = '' AND s.country <> '' THEN s.country END,
                     'notes', CASE WHEN p.notes = '' AND s.notes <> '' THEN s.notes END)) AS fields,
                 coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(s.extra) e
                           WHERE NOT p.extra ? e.key), '{}') AS extra
             FROM import_staging s
             JOIN prospects p ON p.owner_user_id = $1 AND p.email = s.email
             WHERE p.origin_batch_id IS DISTINCT FROM $2
               AND (EXISTS (SELECT 1 FROM jsonb_object_keys(s.extra) k WHERE NOT p.extra ? k)
                      OR (p.civility = '' AND s.civility <> '')
                      OR (p.first_name = '' AND s.first_name <> '')
                      OR (p.last_name = '' AND s.last_name <> '')
                      OR (p.company = '' AND s.company <> '')
                      OR (p.job_title = '' AND s.job_title <> '')
                      OR (p.phone = '' AND s.phone <> '')
                      OR (p.mobile = '' AND s.mobile <> '')
                      OR (p.postal_code = '' AND s.postal_code <> '')
                      OR (p.city = '' AND s.city <> '')
                      OR (p.country = '' AND s.country <> '')
                      OR (p.notes = '' AND s.notes <> '')
               )
         ), kept AS (
             INSERT INTO import_fills (batch_id, prospect_id, fields, extra)
             SELECT $2, id, fields, extra FROM filled
         )
         UPDATE prospects p SET
             civility = coalesce(f.fields->>'civility', p.civility),
             first_name = coalesce(f.fields->>'first_name', p.first_name),
             last_name = coalesce(f.fields->>'last_name', p.last_name),
             company = coalesce(f.fields->>'company', p.company),
             job_title = coalesce(f.fields->>'job_title', p.job_title),
             phone = coalesce(f.fields->>'phone', p.phone),
             mobile = coalesce(f.fields->>'mobile', p.mobile),
             postal_code = coalesce(f.fields->>'postal_code', p.postal_code),
             city = coalesce(f.fields->>'city', p.city),
             country = coalesce(f.fields->>'country', p.country),
             notes = coalesce(f.fields->>'notes', p.notes),
             extra = p.extra || f.extra, version = p.version + 1, updated_at = now()
         FROM filled f
         WHERE p.id = f.id";
    let filled = sqlx::query(SQL)
        .bind(owner)
        .bind(batch)
        .execute(&mut **tx)
        .await?;
    Ok(filled.rows_affected())
}

/// Every contact of the file linked to the campaign, unless it already was.
async fn link(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    campaign: Uuid,
    batch: Uuid,
) -> Result<u64, sqlx::Error> {
    let linked = sqlx::query(
        "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id, batch_id)
         SELECT $1, $2, p.id, $3
         FROM import_staging s
         JOIN prospects p ON p.owner_user_id = $1 AND p.email = s.email
         ON CONFLICT (campaign_id, prospect_id) DO NOTHING",
    )
    .bind(owner)
    .bind(campaign)
    .bind(batch)
    .execute(&mut **tx)
    .await?;
    Ok(linked.rows_affected())
}

/// A value cut to the column's limit (an overlong cell is a mistake in the file; the rest of
/// the contact is worth keeping).
fn limited(field: Field, value: &str) -> String {
    truncate(value, super::model::max_chars(field.key()))
}

fn truncate(value: &str, max_chars: usize) -> String {
    value.chars().take(max_chars).collect()
}

/// The mapping as imported: header -> field key.
fn mapping_json(header: &[String], mapping: &Mapping) -> serde_json::Value {
    header
        .iter()
        .zip(&mapping.columns)
        .filter_map(|(h, f)| f.map(|f| (h.clone(), serde_json::Value::from(f.key()))))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// What undoing an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undone {
    Done {
        campaign: Uuid,
        /// Contacts the import created, gone.
        removed: u64,
        /// Links to the campaign the import made, gone.
        unlinked: u64,
        /// Known contacts given back what the import filled.
        restored: u64,
    },
    /// It was undone before.
    Already {
        campaign: Uuid,
    },
    NotFound,
}

/// Undoes import `batch` of `owner`: removes what it added and nothing else. The links it
/// made go; the contacts it created go unless another campaign has them since; in contacts it
/// found known, the fields and extra columns it filled are emptied where they still hold what
/// it put (an edit since is kept). Its report stays, marked undone.
pub async fn undo(pool: &PgPool, owner: Uuid, batch: Uuid) -> Result<Undone, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let marked: Option<(Uuid, String)> = sqlx::query_as(
        "UPDATE import_batches SET undone_at = now()
         WHERE owner_user_id = $1 AND id = $2 AND undone_at IS NULL
         RETURNING campaign_id, file_name",
    )
    .bind(owner)
    .bind(batch)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((campaign, file_name)) = marked else {
        let campaign: Option<Uuid> = sqlx::query_scalar(
            "SELECT campaign_id FROM import_batches WHERE owner_user_id = $1 AND id = $2",
        )
        .bind(owner)
        .bind(batch)
        .fetch_optional(&mut *tx)
        .await?;
        return Ok(campaign.map_or(Undone::NotFound, |campaign| Undone::Already { campaign }));
    };
    let unlinked = sqlx::query(
        "DELETE FROM campaign_prospects
         WHERE owner_user_id = $1 AND campaign_id = $2 AND batch_id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(batch)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let removed = sqlx::query(
        "DELETE FROM prospects p
         WHERE p.owner_user_id = $1 AND p.origin_batch_id = $2
           AND NOT EXISTS (SELECT 1 FROM campaign_prospects cp WHERE cp.prospect_id = p.id)",
    )
    .bind(owner)
    .bind(batch)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let restored = sqlx::query(
        "UPDATE prospects p SET
             civility = CASE WHEN p.civility = f.fields->>'civility' THEN '' ELSE p.civility END,
             first_name = CASE WHEN p.first_name = f.fields->>'first_name' THEN '' ELSE p.first_name END,
             last_name = CASE WHEN p.last_name = f.fields->>'last_name' THEN '' ELSE p.last_name END,
             company = CASE WHEN p.company = f.fields->>'company' THEN '' ELSE p.company END,
             job_title = CASE WHEN p.job_title = f.fields->>'job_title' THEN '' ELSE p.job_title END,
             phone = CASE WHEN p.phone = f.fields->>'phone' THEN '' ELSE p.phone END,
             mobile = CASE WHEN p.mobile = f.fields->>'mobile' THEN '' ELSE p.mobile END,
             postal_code = CASE WHEN p.postal_code = f.fields->>'postal_code' THEN '' ELSE p.postal_code END,
             city = CASE WHEN p.city = f.fields->>'city' THEN '' ELSE p.city END,
             country = CASE WHEN p.country = f.fields->>'country' THEN '' ELSE p.country END,
             notes = CASE WHEN p.notes = f.fields->>'notes' THEN '' ELSE p.notes END,
             extra = p.extra - ARRAY(SELECT e.key FROM jsonb_each(f.extra) e
                                     WHERE p.extra -> e.key = e.value),
             version = p.version + 1, updated_at = now()
         FROM import_fills f
         WHERE f.batch_id = $2 AND p.owner_user_id = $1 AND p.id = f.prospect_id",
    )
    .bind(owner)
    .bind(batch)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM import_fills WHERE batch_id = $1")
        .bind(batch)
        .execute(&mut *tx)
        .await?;
    log_batch(
        &mut tx,
        owner,
        batch,
        "undo",
        serde_json::json!({
            "campaign_id": campaign,
            "file_name": file_name,
            "removed": removed,
            "unlinked": unlinked,
            "restored": restored,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Undone::Done {
        campaign,
        removed,
        unlinked,
        restored,
    })
}

/// An audit entry for import `batch`: its figures and file name, never the contacts.
async fn log_batch(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    batch: Uuid,
    action: &'static str,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: "import_batch",
            entity_id: batch,
            action,
            before: None,
            after: Some(after),
        },
    )
    .await
}
