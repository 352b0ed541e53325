//! Catalogues, their readings (ingestion jobs), pages and products. Every query a rep's
//! request makes takes the owner: another rep's catalogue is not found. Files live under the
//! data directory, the PDF stored once per content.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

/// Where catalogues' files are kept.
pub fn catalogues_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("catalogues")
}

/// A catalogue's PDF, named by its content's SHA-256.
pub fn pdf_path(data_dir: &Path, sha256: &str) -> PathBuf {
    catalogues_dir(data_dir).join(format!("{sha256}.pdf"))
}

/// Where a catalogue's page images are drawn, data-directory relative.
pub fn pages_dir(catalog: Uuid) -> PathBuf {
    PathBuf::from("catalogues")
        .join("pages")
        .join(catalog.to_string())
}

/// A product's crop, data-directory relative.
pub fn crop_path(catalog: Uuid, product: Uuid) -> PathBuf {
    PathBuf::from("catalogues")
        .join("crops")
        .join(catalog.to_string())
        .join(format!("{product}.jpg"))
}

/// Keeps `bytes` as a catalogue's PDF (once per content); its SHA-256.
pub async fn save_pdf(data_dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let sha256 = format!("{:x}", Sha256::digest(bytes));
    let path = pdf_path(data_dir, &sha256);
    if tokio::fs::try_exists(&path).await? {
        return Ok(sha256);
    }
    tokio::fs::create_dir_all(catalogues_dir(data_dir)).await?;
    // Written aside, then renamed: a reader never sees half a file.
    let partial = path.with_extension(format!("{}.part", Uuid::new_v4().simple()));
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(sha256)
}

/// Where an uploaded catalogue is written while it arrives and is checked.
pub fn incoming_path(data_dir: &Path, upload: Uuid) -> PathBuf {
    catalogues_dir(data_dir).join(format!("incoming-{}.part", upload.simple()))
}

/// Keeps the checked file at `incoming` as the catalogue PDF of content `sha256` (once per
/// content: a copy already kept stays, and `incoming` goes).
pub async fn keep_pdf(data_dir: &Path, incoming: &Path, sha256: &str) -> std::io::Result<()> {
    let path = pdf_path(data_dir, sha256);
    if tokio::fs::try_exists(&path).await? {
        return tokio::fs::remove_file(incoming).await;
    }
    tokio::fs::rename(incoming, &path).await
}

/// A catalogue to record, its file already saved.
#[derive(Debug, Clone)]
pub struct NewCatalog {
    pub owner: Uuid,
    pub campaign: Uuid,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub pages: i32,
}

/// Records a catalogue and its first reading, queued; their ids. `None` when the campaign is
/// not the rep's.
pub async fn create(pool: &PgPool, new: &NewCatalog) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let (catalog, job) = (Uuid::now_v7(), Uuid::now_v7());
    let created: Option<Uuid> = sqlx::query_scalar(
        "WITH c AS (
             INSERT INTO catalogs (id, owner_user_id, campaign_id, file_name, sha256, size_bytes,
                                   pages)
             SELECT $1, owner_user_id, id, $4, $5, $6, $7 FROM campaigns
             WHERE owner_user_id = $2 AND id = $3
             RETURNING id, owner_user_id, pages
         )
         INSERT INTO ingestion_jobs (id, owner_user_id, catalog_id, pages_total)
         SELECT $8, owner_user_id, id, pages FROM c
         RETURNING catalog_id",
    )
    .bind(catalog)
    .bind(new.owner)
    .bind(new.campaign)
    .bind(&new.file_name)
    .bind(&new.sha256)
    .bind(new.size_bytes)
    .bind(new.pages)
    .bind(job)
    .fetch_optional(pool)
    .await?;
    Ok(created.map(|_| (catalog, job)))
}

/// Queues a new reading of the rep's catalogue `catalog` (the edits made since stay); its id.
/// `None` when the catalogue is not the rep's, or is being read.
pub async fn read_again(
    pool: &PgPool,
    owner: Uuid,
    catalog: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    // One reading of a catalogue at a time (a unique index holds it against a race).
    sqlx::query_scalar(
        "INSERT INTO ingestion_jobs (id, owner_user_id, catalog_id, pages_total)
         SELECT $1, owner_user_id, id, pages FROM catalogs c
         WHERE owner_user_id = $2 AND id = $3
           AND NOT EXISTS (SELECT 1 FROM ingestion_jobs j
                           WHERE j.catalog_id = c.id AND j.status IN ('queued', 'running'))
         ON CONFLICT DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(owner)
    .bind(catalog)
    .fetch_optional(pool)
    .await
}

/// A reading claimed by the job that runs it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub owner: Uuid,
    pub catalog: Uuid,
    pub sha256: String,
}

/// Attempts at a reading before it is given up as failed.
pub const MAX_ATTEMPTS: i32 = 3;

/// Marks reading `job` running (again, after a crash or an error), unless it was cancelled,
/// is over, or was tried [`MAX_ATTEMPTS`] times already (then it fails, and says so).
pub async fn claim(pool: &PgPool, job: Uuid) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query(
        "UPDATE ingestion_jobs
         SET status = 'failed', finished_at = now(),
             error = 'La lecture du catalogue a échoué plusieurs fois : relancez-la plus tard.'
         WHERE id = $1 AND status IN ('queued', 'running') AND attempts >= $2",
    )
    .bind(job)
    .bind(MAX_ATTEMPTS)
    .execute(pool)
    .await?;
    let row: Option<(Uuid, Uuid, String)> = sqlx::query_as(
        "UPDATE ingestion_jobs j
         SET status = 'running', attempts = attempts + 1, pages_done = 0,
             started_at = coalesce(started_at, now())
         FROM catalogs c
         WHERE j.id = $1 AND j.status IN ('queued', 'running') AND c.id = j.catalog_id
         RETURNING j.owner_user_id, j.catalog_id, c.sha256",
    )
    .bind(job)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(owner, catalog, sha256)| Claimed {
        owner,
        catalog,
        sha256,
    }))
}

/// The status of reading `job`.
pub async fn status(pool: &PgPool, job: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT status FROM ingestion_jobs WHERE id = $1")
        .bind(job)
        .fetch_optional(pool)
        .await
}

/// Pages read so far, while it runs.
pub async fn progress(pool: &PgPool, job: Uuid, done: i32) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ingestion_jobs SET pages_done = greatest(pages_done, $2)
         WHERE id = $1 AND status = 'running'",
    )
    .bind(job)
    .bind(done)
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends reading `job` with `status` ('succeeded' with the products found, 'failed' with the
/// rep's reason), unless it was cancelled meanwhile; whether it was still running.
pub async fn finish(
    pool: &PgPool,
    job: Uuid,
    status: &str,
    found: Option<i32>,
    error: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE ingestion_jobs
         SET status = $2, products_found = $3, error = $4, finished_at = now(),
             pages_done = CASE WHEN $2 = 'succeeded' THEN pages_total ELSE pages_done END
         WHERE id = $1 AND status = 'running'",
    )
    .bind(job)
    .bind(status)
    .bind(found)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels the rep's reading `job` if it has not ended; whether it did.
pub async fn cancel(pool: &PgPool, owner: Uuid, job: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE ingestion_jobs SET status = 'cancelled', finished_at = now()
         WHERE id = $1 AND owner_user_id = $2 AND status IN ('queued', 'running')",
    )
    .bind(job)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps a page as read: its image (data-directory relative) and its words.
pub async fn store_page(
    pool: &PgPool,
    catalog: Uuid,
    page: &::catalogue::PageWords,
    image: &Path,
) -> Result<(), sqlx::Error> {
    let words: Vec<serde_json::Value> = page
        .words
        .iter()
        .map(|w| serde_json::json!([w.text, w.conf, w.left, w.top, w.width, w.height]))
        .collect();
    sqlx::query(
        "INSERT INTO catalog_pages (catalog_id, page, image, dpi, words)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (catalog_id, page)
         DO UPDATE SET image = excluded.image, dpi = excluded.dpi, words = excluded.words",
    )
    .bind(catalog)
    .bind(page.page as i32)
    .bind(image.to_string_lossy().into_owned())
    .bind(page.dpi as i32)
    .bind(serde_json::Value::Array(words))
    .execute(pool)
    .await?;
    Ok(())
}

/// Stages the products of a reading of `catalog`, one per reference (each at most once in
/// `products`): a product read before keeps its id, its status and the fields the rep edited
/// (all of them once reviewed: approved, published, rejected or merged); a staged one never
/// edited nor merged into, and not read again, goes. The products with their ids.
pub async fn stage(
    pool: &PgPool,
    owner: Uuid,
    catalog: Uuid,
    products: &[::catalogue::Product],
) -> Result<Vec<(Uuid, ::catalogue::Product)>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // All in one statement, column by column (a catalogue holds thousands of products).
    let column =
        |f: fn(&::catalogue::Product) -> String| products.iter().map(f).collect::<Vec<_>>();
    let ids: Vec<Uuid> = products.iter().map(|_| Uuid::now_v7()).collect();
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "INSERT INTO products (id, owner_user_id, catalog_id, reference, read_reference, name,
                               description, price_cents, currency, page, box_x, box_y, box_w,
                               box_h, confidence)
         SELECT p.id, $2, $3, p.reference, p.reference, p.name, p.description, p.price_cents,
                p.currency, p.page, p.box_x, p.box_y, p.box_w, p.box_h, p.confidence
         FROM unnest($1::uuid[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[],
                     $9::int4[], $10::float8[], $11::float8[], $12::float8[], $13::float8[],
                     $14::jsonb[])
              AS p (id, reference, name, description, price_cents, currency, page,
                    box_x, box_y, box_w, box_h, confidence)
         -- Read now as the rep corrected another product's reference: that product.
         WHERE NOT EXISTS (SELECT 1 FROM products o
                           WHERE o.catalog_id = $3 AND o.reference = p.reference
                             AND o.read_reference <> p.reference)
         ON CONFLICT (catalog_id, read_reference) DO UPDATE SET
             name = CASE WHEN 'name' = ANY(products.edited) OR products.status <> 'staged'
                         THEN products.name ELSE excluded.name END,
             description = CASE WHEN 'description' = ANY(products.edited)
                                     OR products.status <> 'staged'
                                THEN products.description ELSE excluded.description END,
             price_cents = CASE WHEN 'price_cents' = ANY(products.edited)
                                     OR products.status <> 'staged'
                                THEN products.price_cents ELSE excluded.price_cents END,
             currency = CASE WHEN 'price_cents' = ANY(products.edited)
                                  OR products.status <> 'staged'
                             THEN products.currency ELSE excluded.currency END,
             page = excluded.page, box_x = excluded.box_x, box_y = excluded.box_y,
             box_w = excluded.box_w, box_h = excluded.box_h,
             confidence = excluded.confidence, updated_at = now()
         WHERE products.owner_user_id = excluded.owner_user_id
         RETURNING id, read_reference",
    )
    .bind(&ids)
    .bind(owner)
    .bind(catalog)
    .bind(column(|p| p.reference.clone()))
    .bind(column(|p| p.name.clone()))
    .bind(column(|p| p.description.clone()))
    .bind(products.iter().map(|p| p.price_cents).collect::<Vec<_>>())
    .bind(column(|p| p.currency.clone()))
    .bind(products.iter().map(|p| p.page as i32).collect::<Vec<_>>())
    .bind(products.iter().map(|p| p.bbox.x).collect::<Vec<_>>())
    .bind(products.iter().map(|p| p.bbox.y).collect::<Vec<_>>())
    .bind(
        products
            .iter()
            .map(|p| p.bbox.w.max(0.1))
            .collect::<Vec<_>>(),
    )
    .bind(
        products
            .iter()
            .map(|p| p.bbox.h.max(0.1))
            .collect::<Vec<_>>(),
    )
    .bind(
        products
            .iter()
            .map(|p| serde_json::to_value(p.confidence).unwrap_or_default())
            .collect::<Vec<_>>(),
    )
    .fetch_all(&mut *tx)
    .await?;
    let by_reference: std::collections::HashMap<&str, &::catalogue::Product> =
        products.iter().map(|p| (p.reference.as_str(), p)).collect();
    let staged = rows
        .into_iter()
        .filter_map(|(id, reference)| Some((id, (*by_reference.get(reference.as_str())?).clone())))
        .collect();
    let references: Vec<&str> = products.iter().map(|p| p.reference.as_str()).collect();
    sqlx::query(
        "DELETE FROM products
         WHERE owner_user_id = $1 AND catalog_id = $2 AND status = 'staged'
           AND edited = '{}' AND NOT (read_reference = ANY($3))
           -- A product the rep merged a duplicate into was reviewed.
           AND NOT EXISTS (SELECT 1 FROM products m WHERE m.merged_into = products.id)",
    )
    .bind(owner)
    .bind(catalog)
    .bind(&references)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(staged)
}

/// Records product `product`'s crop (data-directory relative).
pub async fn set_crop(pool: &PgPool, product: Uuid, path: &Path) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO product_assets (product_id, kind, path) VALUES ($1, 'crop', $2)
         ON CONFLICT (product_id, kind) DO UPDATE SET path = excluded.path",
    )
    .bind(product)
    .bind(path.to_string_lossy().into_owned())
    .execute(pool)
    .await?;
    Ok(())
}

/// A reading as the rep follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub id: Uuid,
    /// queued, running, succeeded, failed or cancelled.
    pub status: String,
    pub pages_done: i32,
    pub pages_total: i32,
    pub products_found: Option<i32>,
    /// Why it failed, in French.
    pub error: Option<String>,
}

impl Reading {
    /// Whether it has not ended.
    pub fn is_on(&self) -> bool {
        matches!(self.status.as_str(), "queued" | "running")
    }

    /// What the page following it is told (see `server::live_events`).
    pub fn state_json(&self) -> serde_json::Value {
        let state = match self.status.as_str() {
            "queued" | "running" => "running",
            "succeeded" => "done",
            other => other,
        };
        serde_json::json!({
            "state": state,
            "done": self.pages_done,
            "total": self.pages_total,
            "products": self.products_found,
            "message": self.error,
        })
    }
}

/// How many products of a catalogue are where in the review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub staged: i64,
    pub approved: i64,
    pub published: i64,
    pub rejected: i64,
}

/// A catalogue of a campaign, with its last reading and its products' counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub id: Uuid,
    pub campaign: Uuid,
    pub file_name: String,
    pub pages: i32,
    pub size_bytes: i64,
    /// The day it was sent, in Paris.
    pub created_on: chrono::NaiveDate,
    pub reading: Option<Reading>,
    pub counts: Counts,
    /// The last reading that succeeded: its products' crops are drawn.
    pub last_read: Option<Uuid>,
}

type CatalogRow = (
    Uuid,
    Uuid,
    String,
    i32,
    i64,
    chrono::NaiveDate,
    Option<Uuid>,
    Option<String>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<String>,
    Vec<i64>,
    Option<Uuid>,
);

/// The catalogue's columns, its last reading's and its counts' (`WHERE` to follow, on `c`).
macro_rules! catalog_select {
    ($where:literal) => {
        concat!(
            "SELECT c.id, c.campaign_id, c.file_name, c.pages, c.size_bytes,
                    (c.created_at AT TIME ZONE 'Europe/Paris')::date,
                    j.id, j.status, j.pages_done, j.pages_total, j.products_found, j.error,
                    ARRAY[coalesce(n.staged, 0), coalesce(n.approved, 0),
                          coalesce(n.published, 0), coalesce(n.rejected, 0)],
                    (SELECT s.id FROM ingestion_jobs s
                     WHERE s.catalog_id = c.id AND s.status = 'succeeded'
                     ORDER BY s.finished_at DESC LIMIT 1)
             FROM catalogs c
             LEFT JOIN LATERAL (
                 SELECT * FROM ingestion_jobs WHERE catalog_id = c.id
                 ORDER BY created_at DESC, id DESC LIMIT 1
             ) j ON true
             LEFT JOIN LATERAL (
                 SELECT count(*) FILTER (WHERE status = 'staged') AS staged,
                        count(*) FILTER (WHERE status = 'approved') AS approved,
                        count(*) FILTER (WHERE status = 'published') AS published,
                        count(*) FILTER (WHERE status = 'rejected') AS rejected
                 FROM products WHERE catalog_id = c.id
             ) n ON true ",
            $where
        )
    };
}

fn catalog_of(row: CatalogRow) -> Catalog {
    let (id, campaign, file_name, pages, size_bytes, created_on) =
        (row.0, row.1, row.2, row.3, row.4, row.5);
    let reading = match (row.6, row.7, row.8, row.9, row.10, row.11) {
        (Some(id), Some(status), Some(pages_done), Some(pages_total), products_found, error) => {
            Some(Reading {
                id,
                status,
                pages_done,
                pages_total,
                products_found,
                error,
            })
        }
        _ => None,
    };
    Catalog {
        id,
        campaign,
        file_name,
        pages,
        size_bytes,
        created_on,
        reading,
        counts: Counts {
            staged: row.12.first().copied().unwrap_or(0),
            approved: row.12.get(1).copied().unwrap_or(0),
            published: row.12.get(2).copied().unwrap_or(0),
            rejected: row.12.get(3).copied().unwrap_or(0),
        },
        last_read: row.13,
    }
}

/// The catalogues of the rep's campaign `campaign`, newest first.
pub async fn catalogs(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
) -> Result<Vec<Catalog>, sqlx::Error> {
    let rows: Vec<CatalogRow> = sqlx::query_as(catalog_select!(
        "WHERE c.owner_user_id = $1 AND c.campaign_id = $2 ORDER BY c.created_at DESC, c.id DESC"
    ))
    .bind(owner)
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(catalog_of).collect())
}

/// The rep's catalogue `catalog` of campaign `campaign`.
pub async fn catalog(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    catalog: Uuid,
) -> Result<Option<Catalog>, sqlx::Error> {
    let row: Option<CatalogRow> = sqlx::query_as(catalog_select!(
        "WHERE c.owner_user_id = $1 AND c.campaign_id = $2 AND c.id = $3"
    ))
    .bind(owner)
    .bind(campaign)
    .bind(catalog)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(catalog_of))
}

/// The catalogue of campaign `campaign` whose file has this content, if the rep sent it already.
pub async fn same_file(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    sha256: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM catalogs WHERE owner_user_id = $1 AND campaign_id = $2 AND sha256 = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(sha256)
    .fetch_optional(pool)
    .await
}

/// A product as the review shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedProduct {
    pub id: Uuid,
    /// staged, approved, published or rejected.
    pub status: String,
    pub reference: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub currency: String,
    pub page: i32,
    pub confidence: ::catalogue::Confidence,
    pub edited: Vec<String>,
    pub has_crop: bool,
    /// Another product of the catalogue with the same name (folded), if any: a likely duplicate.
    pub same_name_as: Option<(Uuid, String)>,
}

/// The statuses the review shows under each of its filters.
pub fn statuses(filter: &str) -> &'static [&'static str] {
    match filter {
        "approuves" => &["approved"],
        "publies" => &["published"],
        "rejetes" => &["rejected"],
        "tous" => &["staged", "approved", "published", "rejected"],
        _ => &["staged"],
    }
}

type ProductRow = (
    Uuid,
    String,
    String,
    String,
    String,
    i64,
    String,
    i32,
    serde_json::Value,
    Vec<String>,
    bool,
    Option<Uuid>,
    Option<String>,
);

/// Products of the rep's catalogue `catalog` with these statuses, in the catalogue's order (page,
/// then from the top), `limit` from `offset`; and how many there are.
pub async fn review(
    pool: &PgPool,
    owner: Uuid,
    catalog: Uuid,
    statuses: &[&str],
    offset: i64,
    limit: i64,
) -> Result<(Vec<ReviewedProduct>, i64), sqlx::Error> {
    let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
    let rows: Vec<ProductRow> = sqlx::query_as(
        "SELECT p.id, p.status, p.reference, p.name, p.description, p.price_cents, p.currency,
                p.page, p.confidence, p.edited,
                EXISTS (SELECT 1 FROM product_assets a WHERE a.product_id = p.id),
                d.id, d.reference
         FROM products p
         LEFT JOIN LATERAL (
             SELECT o.id, o.reference FROM products o
             WHERE o.catalog_id = p.catalog_id AND o.id <> p.id
               AND o.status IN ('staged', 'approved', 'published')
               AND spine_search_text(o.name) = spine_search_text(p.name)
             ORDER BY o.page, o.box_y, o.box_x LIMIT 1
         ) d ON true
         WHERE p.owner_user_id = $1 AND p.catalog_id = $2 AND p.status = ANY($3)
         ORDER BY p.page, p.box_y, p.box_x, p.id
         OFFSET $4 LIMIT $5",
    )
    .bind(owner)
    .bind(catalog)
    .bind(&statuses)
    .bind(offset)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM products
         WHERE owner_user_id = $1 AND catalog_id = $2 AND status = ANY($3)",
    )
    .bind(owner)
    .bind(catalog)
    .bind(&statuses)
    .fetch_one(pool)
    .await?;
    let products = rows
        .into_iter()
        .map(
            |(
                id,
                status,
                reference,
                name,
                description,
                price_cents,
                currency,
                page,
                confidence,
                edited,
                has_crop,
                same_id,
                same_reference,
            )| ReviewedProduct {
                id,
                status,
                reference,
                name,
                description,
                price_cents,
                currency,
                page,
                confidence: serde_json::from_value(confidence).unwrap_or(::catalogue::Confidence {
                    reference: 0.0,
                    name: 0.0,
                    description: 0.0,
                    price: 0.0,
                }),
                edited,
                has_crop,
                same_name_as: match (same_id, same_reference) {
                    (Some(id), Some(reference)) => Some((id, reference)),
                    _ => None,
                },
            },
        )
        .collect();
    Ok((products, total))
}

/// The crop of the rep's product `product` of campaign `campaign` (data-directory relative).
pub async fn crop_of(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    product: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT a.path FROM product_assets a
         JOIN products p ON p.id = a.product_id
         JOIN catalogs c ON c.id = p.catalog_id
         WHERE a.product_id = $3 AND a.kind = 'crop'
           AND p.owner_user_id = $1 AND c.campaign_id = $2",
    )
    .bind(owner)
    .bind(campaign)
    .bind(product)
    .fetch_optional(pool)
    .await
}

/// The fields of a product as the rep corrects them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProductFields {
    pub reference: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
}

/// What a review decided of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Kept as it was (staged, or approved, or published).
    Keep,
    Approve,
    Reject,
    /// Back to be checked.
    Restore,
}

/// What an edit came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Edited {
    Done {
        status: String,
    },
    NotFound,
    /// Another product of the catalogue has this reference.
    TakenReference,
}

/// Corrects the rep's product `product` of campaign `campaign` with `fields` and `decision`,
/// the fields changed marked as the rep's (a new reading keeps them) and logged with the
/// status; a published product stays published (its fields corrected).
pub async fn edit_product(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    product: Uuid,
    fields: &ProductFields,
    decision: Decision,
) -> Result<Edited, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let before: Option<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT p.status, p.reference, p.name, p.description, p.price_cents
         FROM products p JOIN catalogs c ON c.id = p.catalog_id
         WHERE p.id = $3 AND p.owner_user_id = $1 AND c.campaign_id = $2
           AND p.status <> 'merged'
         FOR UPDATE OF p",
    )
    .bind(owner)
    .bind(campaign)
    .bind(product)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, reference, name, description, price_cents)) = before else {
        return Ok(Edited::NotFound);
    };
    let was = ProductFields {
        reference,
        name,
        description,
        price_cents,
    };
    let mut edited = Vec::new();
    if was.name != fields.name {
        edited.push("name");
    }
    if was.description != fields.description {
        edited.push("description");
    }
    if was.price_cents != fields.price_cents {
        edited.push("price_cents");
    }
    if was.reference != fields.reference {
        edited.push("reference");
    }
    let new_status = match (decision, status.as_str()) {
        (Decision::Approve, "staged" | "rejected") => "approved",
        (Decision::Reject, _) => "rejected",
        (Decision::Restore, _) => "staged",
        (_, current) => current,
    }
    .to_string();
    if edited.is_empty() && new_status == status {
        tx.commit().await?;
        return Ok(Edited::Done { status });
    }
    let updated = sqlx::query(
        "UPDATE products SET reference = $2, name = $3, description = $4, price_cents = $5,
                status = $6, edited = ARRAY(SELECT DISTINCT unnest(edited || $7::text[])),
                published_at = CASE WHEN $6 = 'published' THEN published_at END,
                updated_at = now()
         WHERE id = $1",
    )
    .bind(product)
    .bind(&fields.reference)
    .bind(&fields.name)
    .bind(&fields.description)
    .bind(fields.price_cents)
    .bind(&new_status)
    .bind(&edited)
    .execute(&mut *tx)
    .await;
    match updated {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Ok(Edited::TakenReference)
        }
        other => other?,
    };
    let action = match (status.as_str(), new_status.as_str()) {
        (a, b) if a == b => "update",
        (_, "approved") => "approve",
        (_, "rejected") => "reject",
        _ => "restore",
    };
    let snapshot = |f: &ProductFields, status: &str| {
        serde_json::json!({
            "status": status, "reference": f.reference, "name": f.name,
            "description": f.description, "price_cents": f.price_cents,
        })
    };
    crate::audit::repo::record(
        &mut tx,
        crate::audit::repo::Change {
            owner,
            actor: owner,
            entity_type: "product",
            entity_id: product,
            action,
            before: Some(snapshot(&was, &status)),
            after: Some(snapshot(fields, &new_status)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Edited::Done { status: new_status })
}

/// Approves the rep's staged products of catalogue `catalog` (campaign `campaign`): those of
/// `ids`, or all of them when `ids` is empty. How many were; `None` when the catalogue is not
/// the rep's.
pub async fn approve(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    catalog: Uuid,
    ids: &[Uuid],
) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if !owns(&mut tx, owner, campaign, catalog).await? {
        return Ok(None);
    }
    let approved = sqlx::query(
        "WITH a AS (
             UPDATE products SET status = 'approved', updated_at = now()
             WHERE owner_user_id = $1 AND catalog_id = $2 AND status = 'staged'
               AND (cardinality($3::uuid[]) = 0 OR id = ANY($3))
             RETURNING id
         )
         INSERT INTO audit_log (id, owner_user_id, actor_user_id, entity_type, entity_id, action,
                                before, after)
         SELECT gen_random_uuid(), $1, $1, 'product', id, 'approve',
                '{\"status\": \"staged\"}', '{\"status\": \"approved\"}'
         FROM a",
    )
    .bind(owner)
    .bind(catalog)
    .bind(ids)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Some(approved))
}

/// Publishes the approved products of the rep's catalogue `catalog`; how many. `None` when the
/// catalogue is not the rep's.
pub async fn publish(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    catalog: Uuid,
) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if !owns(&mut tx, owner, campaign, catalog).await? {
        return Ok(None);
    }
    let published = sqlx::query(
        "WITH p AS (
             UPDATE products SET status = 'published', published_at = now(), updated_at = now()
             WHERE owner_user_id = $1 AND catalog_id = $2 AND status = 'approved'
             RETURNING id, reference, name, description, price_cents, currency
         )
         INSERT INTO audit_log (id, owner_user_id, actor_user_id, entity_type, entity_id, action,
                                before, after)
         SELECT gen_random_uuid(), $1, $1, 'product', id, 'publish',
                '{\"status\": \"approved\"}',
                jsonb_build_object('status', 'published', 'reference', reference, 'name', name,
                                   'description', description, 'price_cents', price_cents,
                                   'currency', currency)
         FROM p",
    )
    .bind(owner)
    .bind(catalog)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Some(published))
}

/// Merges the rep's product `product` into `into`, another of the same catalogue it repeats:
/// `into` keeps its fields, taking the description of `product` when it has none; `product`
/// stays merged (read again, it stays so). Whether both were found.
pub async fn merge(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    product: Uuid,
    into: Uuid,
) -> Result<bool, sqlx::Error> {
    if product == into {
        return Ok(false);
    }
    let mut tx = pool.begin().await?;
    let merged: Option<(String, String)> = sqlx::query_as(
        "WITH pair AS (
             SELECT p.id, p.description FROM products p JOIN catalogs c ON c.id = p.catalog_id
             WHERE p.owner_user_id = $1 AND c.campaign_id = $2 AND p.id = ANY(ARRAY[$3, $4])
               AND p.status <> 'merged' AND (p.id = $4 OR p.status <> 'published')
             FOR UPDATE OF p
         ),
         kept AS (
             UPDATE products k SET
                 description = CASE WHEN k.description = ''
                                    THEN (SELECT description FROM pair WHERE id = $3)
                                    ELSE k.description END,
                 -- What it took is the rep's doing: a new reading keeps it.
                 edited = CASE WHEN k.description = ''
                                    AND (SELECT description FROM pair WHERE id = $3) <> ''
                               THEN ARRAY(SELECT DISTINCT unnest(k.edited || '{description}'))
                               ELSE k.edited END,
                 updated_at = now()
             WHERE k.id = $4 AND (SELECT count(*) FROM pair) = 2
               AND k.catalog_id = (SELECT catalog_id FROM products WHERE id = $3)
             RETURNING k.reference
         )
         UPDATE products m SET status = 'merged', merged_into = $4, updated_at = now()
         FROM kept
         WHERE m.id = $3
         RETURNING m.reference, kept.reference",
    )
    .bind(owner)
    .bind(campaign)
    .bind(product)
    .bind(into)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((reference, kept)) = merged else {
        return Ok(false);
    };
    crate::audit::repo::record(
        &mut tx,
        crate::audit::repo::Change {
            owner,
            actor: owner,
            entity_type: "product",
            entity_id: product,
            action: "merge",
            before: Some(serde_json::json!({ "reference": reference })),
            after: Some(serde_json::json!({ "status": "merged", "merged_into": into, "into_reference": kept })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether catalogue `catalog` is the rep's, in campaign `campaign`.
async fn owns(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    owner: Uuid,
    campaign: Uuid,
    catalog: Uuid,
) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM catalogs WHERE owner_user_id = $1 AND campaign_id = $2 AND id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(catalog)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// A published product as found by the search.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub id: Uuid,
    pub catalog: Uuid,
    pub reference: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub currency: String,
    pub page: i32,
}

/// The longest product search, in characters (longer is cut).
pub const SEARCH_MAX: usize = 200;

/// The published products of the rep's campaign `campaign` that `q` finds (all when `q` is
/// blank), at most `limit`, best first; and how many there are. A product is found by every
/// word of `q` in its reference, name or description, whatever the accents and case (a part of
/// a word or reference will do), or by the French stems of its name and description
/// ("chaises" finds "Chaise").
pub async fn search(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    q: &str,
    limit: i64,
) -> Result<(Vec<Published>, i64), sqlx::Error> {
    let q: String = q.chars().take(SEARCH_MAX).collect();
    type Row = (Uuid, Uuid, String, String, String, i64, String, i32, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "WITH q AS (
             SELECT spine_search_patterns($3) AS patterns,
                    -- None for a blank search (which finds everything).
                    CASE WHEN spine_search_text($3) <> ''
                         THEN plainto_tsquery('french'::regconfig, spine_fold($3)) END AS query,
                    spine_search_text($3) AS text
         )
         SELECT p.id, p.catalog_id, p.reference, p.name, p.description, p.price_cents,
                p.currency, p.page, count(*) OVER ()
         FROM products p JOIN catalogs c ON c.id = p.catalog_id, q
         WHERE p.owner_user_id = $1 AND c.campaign_id = $2 AND p.status = 'published'
           AND (q.text = '' OR p.search_text LIKE ALL (q.patterns) OR p.search_doc @@ q.query)
         ORDER BY spine_search_text(p.reference) = q.text DESC,
                  p.search_text LIKE ALL (q.patterns) DESC,
                  ts_rank(p.search_doc, q.query) DESC NULLS LAST,
                  p.name, p.reference
         LIMIT $4",
    )
    .bind(owner)
    .bind(campaign)
    .bind(&q)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.8);
    let found = rows
        .into_iter()
        .map(
            |(id, catalog, reference, name, description, price_cents, currency, page, _)| {
                Published {
                    id,
                    catalog,
                    reference,
                    name,
                    description,
                    price_cents,
                    currency,
                    page,
                }
            },
        )
        .collect();
    Ok((found, total))
}
