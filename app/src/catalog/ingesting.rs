//! Reading a catalogue (a job, `jobs::IngestCatalogue`): its pages drawn and read by OCR in
//! processes of their own, kept with their words, then products extracted and staged with the
//! crop of the page region each came from. Progress is kept on the reading and published live
//! (`catalog:<id>`) page by page; a reading cancelled meanwhile stops its processes.

use std::{path::Path, time::Duration};

use ::catalogue::{Extractor, Limits, PdfBox, ReadError};
use sqlx::PgPool;
use uuid::Uuid;

use super::repo;
use crate::live;

/// How often a running reading looks whether the rep cancelled it.
const CANCEL_CHECK: Duration = Duration::from_millis(500);

/// Resolution of the crops shown beside each product: readable, light on a tablet.
const CROP_DPI: u32 = 110;

/// Space kept around a product's box in its crop, in points.
const CROP_MARGIN: f64 = 12.0;

/// The live topic of catalogue `catalog`.
pub fn topic(catalog: Uuid) -> String {
    format!("catalog:{catalog}")
}

/// How a reading ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Done {
        products: usize,
    },
    /// The file could not be read, for this reason (French).
    Failed(String),
    Cancelled,
    /// Cancelled or ended before it started.
    Gone,
}

/// Runs reading `job`. A database failure is an error (the job tries again); a file OCR
/// cannot read ends the reading as failed, with the reason.
pub async fn run(
    pool: &PgPool,
    data_dir: &Path,
    limits: &Limits,
    job: Uuid,
) -> Result<Outcome, sqlx::Error> {
    let Some(claimed) = repo::claim(pool, job).await? else {
        return Ok(Outcome::Gone);
    };
    let (owner, catalog) = (claimed.owner, claimed.catalog);
    let topic = topic(catalog);
    let pdf = repo::pdf_path(data_dir, &claimed.sha256);
    let pages_dir = repo::pages_dir(catalog);
    let work = data_dir.join(&pages_dir);

    // Each page read is counted and told, in order, by one task.
    let (told, mut hearing) = tokio::sync::mpsc::unbounded_channel::<(u32, u32)>();
    let reporter = {
        let (pool, topic) = (pool.clone(), topic.clone());
        tokio::spawn(async move {
            while let Some((done, total)) = hearing.recv().await {
                repo::progress(&pool, job, done as i32).await?;
                let state = serde_json::json!({ "state": "running", "done": done, "total": total });
                live::publish(&pool, owner, &topic, state).await?;
            }
            Ok::<_, sqlx::Error>(())
        })
    };
    let reading = ::catalogue::read(&pdf, &work, limits, move |done, total| {
        let _ = told.send((done, total));
    });
    // Dropping the reading kills its processes.
    let read = tokio::select! {
        read = reading => Some(read),
        () = cancel_asked(pool, job) => None,
    };
    reporter.await.unwrap_or(Ok(()))?;
    let pages = match read {
        None => return cancelled(pool, owner, &topic).await,
        Some(Err(error)) => return failed(pool, owner, job, &topic, &error).await,
        Some(Ok(pages)) => pages,
    };
    if repo::status(pool, job).await?.as_deref() != Some("running") {
        return cancelled(pool, owner, &topic).await;
    }
    for page in &pages {
        let image = pages_dir.join(format!("page-{}.png", page.page));
        repo::store_page(pool, catalog, page, &image).await?;
    }
    let products = match &limits.extractor {
        // Computation only: off the runtime's threads.
        Extractor::Local => {
            match tokio::task::spawn_blocking(move || ::catalogue::extract(&pages)).await {
                Ok(products) => fit(products),
                Err(e) => {
                    tracing::error!(%job, error = %e, "extracting a catalogue");
                    let message = "La lecture du catalogue a échoué.";
                    return fail_with(pool, owner, job, &topic, message).await;
                }
            }
        }
        Extractor::Llm(llm) => {
            let asked = tokio::select! {
                asked = llm.extract(&pages) => Some(asked),
                () = cancel_asked(pool, job) => None,
            };
            match asked {
                None => return cancelled(pool, owner, &topic).await,
                Some(Ok(found)) => {
                    if found.dropped > 0 {
                        tracing::warn!(%job, dropped = found.dropped, "LLM products failed the checks");
                    }
                    fit(found.products)
                }
                Some(Err(e)) => {
                    tracing::warn!(%job, error = %e, "the LLM extractor gave no products");
                    return fail_with(pool, owner, job, &topic, &e.to_string()).await;
                }
            }
        }
    };
    if repo::status(pool, job).await?.as_deref() != Some("running") {
        return cancelled(pool, owner, &topic).await;
    }
    if products.is_empty() {
        let message = "Aucun produit n’a été trouvé dans ce catalogue : il faut une référence, \
                       un nom et un prix pour chacun. Les produits déjà lus sont gardés.";
        return fail_with(pool, owner, job, &topic, message).await;
    }
    let staged = repo::stage(pool, owner, catalog, &products).await?;
    // Crops are drawn side by side, as many at once as pages are read.
    let mut crops = tokio::task::JoinSet::new();
    let mut waiting = staged.iter();
    loop {
        while crops.len() < limits.parallel.max(1) {
            let Some((id, product)) = waiting.next() else {
                break;
            };
            let (id, page, pdf) = (*id, product.page, pdf.clone());
            let crop = repo::crop_path(catalog, id);
            let out = data_dir.join(&crop);
            let area = PdfBox {
                x: (product.bbox.x - CROP_MARGIN).max(0.0),
                y: (product.bbox.y - CROP_MARGIN).max(0.0),
                w: product.bbox.w + 2.0 * CROP_MARGIN,
                h: product.bbox.h + 2.0 * CROP_MARGIN,
            };
            crops.spawn(async move {
                if let Some(dir) = out.parent() {
                    let _ = tokio::fs::create_dir_all(dir).await;
                }
                let drawn = ::catalogue::ocr::crop(&pdf, page, area, CROP_DPI, &out).await;
                (id, crop, drawn)
            });
        }
        match crops.join_next().await {
            None => break,
            Some(Ok((id, crop, Ok(())))) => repo::set_crop(pool, id, &crop).await?,
            // The product stays reviewable without its picture.
            Some(Ok((id, _, Err(e)))) => {
                tracing::warn!(product = %id, error = %e, "cropping a product")
            }
            Some(Err(e)) => tracing::warn!(error = %e, "cropping a product"),
        }
    }
    let found = staged.len();
    if repo::finish(pool, job, "succeeded", Some(found as i32), None).await? {
        let state = serde_json::json!({ "state": "done", "products": found });
        live::publish(pool, owner, &topic, state).await?;
        Ok(Outcome::Done { products: found })
    } else {
        cancelled(pool, owner, &topic).await
    }
}

/// Returns once the rep cancelled reading `job` (or it went).
async fn cancel_asked(pool: &PgPool, job: Uuid) {
    loop {
        tokio::time::sleep(CANCEL_CHECK).await;
        match repo::status(pool, job).await {
            Ok(Some(status)) if status == "cancelled" => break,
            Ok(None) => break,
            // A database hiccup is no reason to stop reading.
            _ => {}
        }
    }
}

async fn fail_with(
    pool: &PgPool,
    owner: Uuid,
    job: Uuid,
    topic: &str,
    message: &str,
) -> Result<Outcome, sqlx::Error> {
    repo::finish(pool, job, "failed", None, Some(message)).await?;
    let state = serde_json::json!({ "state": "failed", "message": message });
    live::publish(pool, owner, topic, state).await?;
    Ok(Outcome::Failed(message.to_string()))
}

async fn cancelled(pool: &PgPool, owner: Uuid, topic: &str) -> Result<Outcome, sqlx::Error> {
    live::publish(
        pool,
        owner,
        topic,
        serde_json::json!({ "state": "cancelled" }),
    )
    .await?;
    Ok(Outcome::Cancelled)
}

/// One product per reference (the first read), each within what a product may hold: a
/// reference of 100 characters at most, a name of 1 to 300, a description of 4,000.
fn fit(products: Vec<::catalogue::Product>) -> Vec<::catalogue::Product> {
    let cut = |text: &str, max: usize| text.chars().take(max).collect::<String>();
    let mut seen = std::collections::HashSet::new();
    products
        .into_iter()
        .filter(|p| {
            let reference = p.reference.chars().count();
            (1..=100).contains(&reference)
                && !p.name.trim().is_empty()
                && seen.insert(p.reference.clone())
        })
        .map(|p| ::catalogue::Product {
            name: cut(p.name.trim(), 300),
            description: cut(&p.description, 4000),
            ..p
        })
        .collect()
}

async fn failed(
    pool: &PgPool,
    owner: Uuid,
    job: Uuid,
    topic: &str,
    error: &ReadError,
) -> Result<Outcome, sqlx::Error> {
    if !error.is_the_files() {
        tracing::error!(%job, error = %error, "reading a catalogue");
    }
    let message = error.to_string();
    repo::finish(pool, job, "failed", None, Some(&message)).await?;
    let state = serde_json::json!({ "state": "failed", "message": message });
    live::publish(pool, owner, topic, state).await?;
    Ok(Outcome::Failed(message))
}
