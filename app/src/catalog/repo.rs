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
/// `products`): a product read before
/// keeps its id, its status and the fields the rep edited; a staged one never edited and not
/// read again goes. The products with their ids.
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
        "INSERT INTO products (id, owner_user_id, catalog_id, reference, name, description,
                               price_cents, currency, page, box_x, box_y, box_w, box_h,
                               confidence)
         SELECT p.id, $2, $3, p.reference, p.name, p.description, p.price_cents, p.currency,
                p.page, p.box_x, p.box_y, p.box_w, p.box_h, p.confidence
         FROM unnest($1::uuid[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[],
                     $9::int4[], $10::float8[], $11::float8[], $12::float8[], $13::float8[],
                     $14::jsonb[])
              AS p (id, reference, name, description, price_cents, currency, page,
                    box_x, box_y, box_w, box_h, confidence)
         ON CONFLICT (catalog_id, reference) DO UPDATE SET
             name = CASE WHEN 'name' = ANY(products.edited) THEN products.name
                         ELSE excluded.name END,
             description = CASE WHEN 'description' = ANY(products.edited)
                                THEN products.description ELSE excluded.description END,
             price_cents = CASE WHEN 'price_cents' = ANY(products.edited)
                                THEN products.price_cents ELSE excluded.price_cents END,
             currency = CASE WHEN 'price_cents' = ANY(products.edited)
                             THEN products.currency ELSE excluded.currency END,
             page = excluded.page, box_x = excluded.box_x, box_y = excluded.box_y,
             box_w = excluded.box_w, box_h = excluded.box_h,
             confidence = excluded.confidence, updated_at = now()
         WHERE products.owner_user_id = excluded.owner_user_id
         RETURNING id, reference",
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
           AND edited = '{}' AND NOT (reference = ANY($3))",
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
