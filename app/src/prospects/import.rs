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

/// An import to run.
pub struct Request {
    pub owner: Uuid,
    pub campaign_id: Uuid,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The rep's corrections of the proposed mapping: field -> column header.
    pub corrections: Vec<(Field, String)>,
    pub source: Source,
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
        file_name,
        bytes,
        corrections,
        source,
    } = request;
    // Reading a large file is CPU work: off the request threads.
    let (table, mapping, checked) = tokio::task::spawn_blocking(move || {
        let (table, mut mapping) = ::import::read(&bytes)?;
        for (field, header) in corrections {
            mapping = mapping
                .with(&table, field, &header)
                .ok_or(ImportError::UnknownColumn {
                    field: field.key(),
                    header,
                })?;
        }
        let checked = rows::check(&table, &mapping);
        Ok::<_, ImportError>((table, mapping, checked))
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("import task: {e}")))??;

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
    let batch = Uuid::new_v4();
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
    .bind(mapping_json(&table.header, &mapping))
    .execute(&mut *tx)
    .await?;

    stage(&mut tx, &checked.contacts).await?;
    let origin = (batch, truncate(&file_name, 255), show);
    let new_prospects = insert_new(&mut tx, owner, &origin).await?;
    fill_known(&mut tx, owner, batch).await?;
    let linked = link(&mut tx, owner, campaign_id, batch).await?;
    let already_known = checked.contacts.len() as u64 - new_prospects;

    let (lines, codes): (Vec<i64>, Vec<&str>) = checked
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
        rows: checked.rows,
        valid: checked.valid,
        duplicates_in_file: checked.duplicates_in_file,
        new_prospects,
        already_known,
        linked,
        rejected: checked.invalid.len(),
        invalid: checked
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
    record(
        &mut tx,
        Change {
            owner,
            actor: owner,
            entity_type: "import_batch",
            entity_id: batch,
            action: "import",
            before: None,
            after: Some(serde_json::json!({
                "campaign_id": campaign_id,
                "file_name": file_name,
                "rows": summary.rows,
                "new_prospects": summary.new_prospects,
                "linked": summary.linked,
                "rejected": summary.rejected,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// The fields of the staging table, in the order of its columns after `ord` and `line`.
const FIELDS: [Field; 11] = [
    Field::Civility,
    Field::FirstName,
    Field::LastName,
    Field::Company,
    Field::JobTitle,
    Field::Phone,
    Field::Mobile,
    Field::PostalCode,
    Field::City,
    Field::Country,
    Field::Notes,
];

/// Rows of the staging table sent per COPY message.
const COPY_CHUNK: usize = 2_000;

/// The file's contacts in a temporary table, by COPY.
async fn stage(
    tx: &mut Transaction<'_, Postgres>,
    contacts: &[rows::Contact],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TEMP TABLE import_staging (
             ord integer, line bigint, id uuid, email text, civility text, first_name text,
             last_name text, company text, job_title text, phone text, mobile text,
             postal_code text, city text, country text, notes text, extra jsonb
         ) ON COMMIT DROP",
    )
    .execute(&mut **tx)
    .await?;
    let mut copy = tx
        // An empty cell is '' (not NULL, csv's default).
        .copy_in_raw(
            "COPY import_staging FROM STDIN (FORMAT csv, FORCE_NOT_NULL (email, civility,
                 first_name, last_name, company, job_title, phone, mobile, postal_code, city,
                 country, notes))",
        )
        .await?;
    for (chunk_index, chunk) in contacts.chunks(COPY_CHUNK).enumerate() {
        let mut out = csv::Writer::from_writer(Vec::with_capacity(chunk.len() * 200));
        for (i, contact) in chunk.iter().enumerate() {
            let extra: serde_json::Map<String, serde_json::Value> = contact
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            // Time-ordered ids keep the primary key's inserts together in its index.
            let mut row = vec![
                (chunk_index * COPY_CHUNK + i).to_string(),
                contact.line.to_string(),
                Uuid::now_v7().to_string(),
                contact.email.clone(),
            ];
            row.extend(FIELDS.iter().map(|&f| limited(f, field(contact, f))));
            row.push(serde_json::Value::Object(extra).to_string());
            out.write_record(&row)
                .map_err(|e| sqlx::Error::Protocol(format!("staging row: {e}")))?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| sqlx::Error::Protocol(format!("staging rows: {e}")))?;
        copy.send(bytes).await?;
    }
    copy.finish().await?;
    // Without statistics the planner takes the fresh table for empty and joins it row by row.
    sqlx::query("ANALYZE import_staging")
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
/// they had is overwritten.
async fn fill_known(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    batch: Uuid,
) -> Result<u64, sqlx::Error> {
    const SQL: &str = "UPDATE prospects p SET
             civility = CASE WHEN p.civility = '' THEN s.civility ELSE p.civility END,
             first_name = CASE WHEN p.first_name = '' THEN s.first_name ELSE p.first_name END,
             last_name = CASE WHEN p.last_name = '' THEN s.last_name ELSE p.last_name END,
             company = CASE WHEN p.company = '' THEN s.company ELSE p.company END,
             job_title = CASE WHEN p.job_title = '' THEN s.job_title ELSE p.job_title END,
             phone = CASE WHEN p.phone = '' THEN s.phone ELSE p.phone END,
             mobile = CASE WHEN p.mobile = '' THEN s.mobile ELSE p.mobile END,
             postal_code = CASE WHEN p.postal_code = '' THEN s.postal_code ELSE p.postal_code END,
             city = CASE WHEN p.city = '' THEN s.city ELSE p.city END,
             country = CASE WHEN p.country = '' THEN s.country ELSE p.country END,
             notes = CASE WHEN p.notes = '' THEN s.notes ELSE p.notes END,
             extra = s.extra || p.extra, version = p.version + 1, updated_at = now()
         FROM import_staging s
         WHERE p.owner_user_id = $1 AND p.email = s.email
           AND p.origin_batch_id IS DISTINCT FROM $2
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
                OR (p.notes = '' AND s.notes <> ''))";
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

fn field(contact: &rows::Contact, field: Field) -> &str {
    match field {
        Field::Civility => &contact.civility,
        Field::FirstName => &contact.first_name,
        Field::LastName => &contact.last_name,
        Field::Email => &contact.email,
        Field::Company => &contact.company,
        Field::JobTitle => &contact.job_title,
        Field::Phone => &contact.phone,
        Field::Mobile => &contact.mobile,
        Field::PostalCode => &contact.postal_code,
        Field::City => &contact.city,
        Field::Country => &contact.country,
        Field::Notes => &contact.notes,
    }
}

/// A value cut to the column's limit (an overlong cell is a mistake in the file; the rest of
/// the contact is worth keeping).
fn limited(field: Field, value: &str) -> String {
    let max = match field {
        Field::Civility => 40,
        Field::Phone | Field::Mobile => 60,
        Field::PostalCode => 20,
        Field::Country => 100,
        Field::Notes => 10_000,
        Field::Company | Field::JobTitle => 300,
        _ => 200,
    };
    truncate(value, max)
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
