//! Scanned catalogues: read by a job into pages and staged products with their crops (a new
//! reading keeps the rep's edits; cancel; a file OCR cannot read), and from the command line
//! (`spine extract-catalogue`) with no database and no Redis.

mod common;

use app::catalog::{
    ingesting::{self, Outcome},
    repo::{self, NewCatalog},
};
use catalogue::Limits;
use sandbox::DEMO_TENANT_ID;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

const FILES: &str = "../catalogue/tests/files";
const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";

/// Claire and Julien signed in, Claire with a campaign; a data directory of the test's own.
async fn claire_with_a_campaign(
    pool: &PgPool,
) -> (common::TestApp, Uuid, Uuid, Uuid, std::path::PathBuf) {
    let app = common::spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let _julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let campaign: Uuid = claire.new_campaign("Sirha Lyon").await.parse().unwrap();
    let user = |email: &'static str| {
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(pool)
    };
    let (owner, other) = (user(CLAIRE).await.unwrap(), user(JULIEN).await.unwrap());
    let data = std::env::temp_dir().join(format!("spine-catalogue-test-{}", Uuid::new_v4()));
    (app, owner, other, campaign, data)
}

/// Saves `file` and records it as a catalogue of `campaign`: the catalogue and its reading.
async fn upload(
    pool: &PgPool,
    data: &std::path::Path,
    owner: Uuid,
    campaign: Uuid,
    file: &str,
    bytes: &[u8],
) -> Option<(Uuid, Uuid)> {
    let sha256 = repo::save_pdf(data, bytes).await.unwrap();
    let new = NewCatalog {
        owner,
        campaign,
        file_name: file.into(),
        sha256,
        size_bytes: bytes.len() as i64,
        pages: 2,
    };
    repo::create(pool, &new).await.unwrap()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_catalogue_is_read_into_pages_and_staged_products_with_crops_and_reading_it_again_keeps_the_reps_edits(
    pool: PgPool,
) {
    let (app, owner, other, campaign, data) = claire_with_a_campaign(&pool).await;
    let bytes = std::fs::read(format!("{FILES}/sample-grid.pdf")).unwrap();
    // Another rep's campaign takes nothing.
    assert_eq!(
        upload(&pool, &data, other, campaign, "grid.pdf", &bytes).await,
        None
    );
    let (catalog, job) = upload(&pool, &data, owner, campaign, "grid.pdf", &bytes)
        .await
        .unwrap();
    // The file is kept once per content.
    let sha: String = sqlx::query_scalar("SELECT sha256 FROM catalogs WHERE id = $1")
        .bind(catalog)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(std::fs::read(repo::pdf_path(&data, &sha)).unwrap(), bytes);

    let outcome = ingesting::run(&pool, &data, &Limits::default(), job)
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Done { products: 12 });
    let (status, done, total, found): (String, i32, i32, Option<i32>) = sqlx::query_as(
        "SELECT status, pages_done, pages_total, products_found FROM ingestion_jobs WHERE id = $1",
    )
    .bind(job)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), done, total, found),
        ("succeeded", 2, 2, Some(12))
    );
    // Each page kept: its image on disk, its words with their boxes.
    let pages: Vec<(i32, String, Value)> = sqlx::query_as(
        "SELECT page, image, words FROM catalog_pages WHERE catalog_id = $1 ORDER BY page",
    )
    .bind(catalog)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(pages.len(), 2);
    for (_, image, words) in &pages {
        assert!(std::fs::read(data.join(image))
            .unwrap()
            .starts_with(b"\x89PNG"));
        assert!(words
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w[0] == "BR299126" || w[0] == "AT888298"));
    }
    // Each product staged with the crop of where it is printed (a JPEG).
    let products: Vec<(Uuid, String, String, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.reference, p.name, p.price_cents, p.status, a.path
         FROM products p LEFT JOIN product_assets a ON a.product_id = p.id
         WHERE p.catalog_id = $1 ORDER BY p.reference",
    )
    .bind(catalog)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(products.len(), 12);
    for (_, _, _, _, status, crop) in &products {
        assert_eq!(status, "staged");
        let crop = crop.as_ref().expect("a crop");
        assert!(std::fs::read(data.join(crop))
            .unwrap()
            .starts_with(&[0xFF, 0xD8]));
    }
    let tablier = products.iter().find(|p| p.1 == "BR299126").unwrap();
    assert_eq!(
        (tablier.2.as_str(), tablier.3),
        ("Tablier isotherme lot de 4", 1425)
    );

    // The rep corrects a name; the catalogue read again keeps it, and the product's id.
    sqlx::query("UPDATE products SET name = 'Tablier isotherme (lot de 4)', edited = '{name}' WHERE id = $1")
        .bind(tablier.0)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(repo::read_again(&pool, other, catalog).await.unwrap(), None);
    let again = repo::read_again(&pool, owner, catalog)
        .await
        .unwrap()
        .unwrap();
    let outcome = ingesting::run(&pool, &data, &Limits::default(), again)
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Done { products: 12 });
    let (id, name, cents): (Uuid, String, i64) =
        sqlx::query_as("SELECT id, name, price_cents FROM products WHERE catalog_id = $1 AND reference = 'BR299126'")
            .bind(catalog)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (id, name.as_str(), cents),
        (tablier.0, "Tablier isotherme (lot de 4)", 1425)
    );
    // A reading over is not run twice.
    assert_eq!(
        ingesting::run(&pool, &data, &Limits::default(), job)
            .await
            .unwrap(),
        Outcome::Gone
    );
    // One reading at a time: while one waits, another is refused.
    let waiting = repo::read_again(&pool, owner, catalog)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(repo::read_again(&pool, owner, catalog).await.unwrap(), None);
    // A reading that failed its every attempt (a crash, a database lost) is given up, and
    // says so.
    sqlx::query("UPDATE ingestion_jobs SET status = 'running', attempts = $2 WHERE id = $1")
        .bind(waiting)
        .bind(repo::MAX_ATTEMPTS)
        .execute(&pool)
        .await
        .unwrap();
    let outcome = ingesting::run(&pool, &data, &Limits::default(), waiting)
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Gone);
    let (status, error): (String, Option<String>) =
        sqlx::query_as("SELECT status, error FROM ingestion_jobs WHERE id = $1")
            .bind(waiting)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert_eq!(
        error.as_deref(),
        Some("La lecture du catalogue a échoué plusieurs fois : relancez-la plus tard.")
    );
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_reading_cancelled_by_its_rep_stops_and_a_file_ocr_cannot_read_fails_with_its_reason(
    pool: PgPool,
) {
    let (app, owner, other, campaign, data) = claire_with_a_campaign(&pool).await;
    let bytes = std::fs::read(format!("{FILES}/sample-table.pdf")).unwrap();
    let (_, job) = upload(&pool, &data, owner, campaign, "table.pdf", &bytes)
        .await
        .unwrap();
    let reading = tokio::spawn({
        let (pool, data) = (pool.clone(), data.clone());
        async move { ingesting::run(&pool, &data, &Limits::default(), job).await }
    });
    while repo::status(&pool, job).await.unwrap().as_deref() != Some("running") {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Only its rep cancels it.
    assert!(!repo::cancel(&pool, other, job).await.unwrap());
    assert!(repo::cancel(&pool, owner, job).await.unwrap());
    assert_eq!(reading.await.unwrap().unwrap(), Outcome::Cancelled);
    assert_eq!(
        repo::status(&pool, job).await.unwrap().as_deref(),
        Some("cancelled")
    );
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);

    // A file that is a PDF by its first bytes only.
    let (_, job) = upload(
        &pool,
        &data,
        owner,
        campaign,
        "broken.pdf",
        b"%PDF-1.4\ntrailer\n%%EOF\n",
    )
    .await
    .unwrap();
    let outcome = ingesting::run(&pool, &data, &Limits::default(), job)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Failed("Ce PDF est illisible ou endommagé.".into())
    );
    let (status, error): (String, Option<String>) =
        sqlx::query_as("SELECT status, error FROM ingestion_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), error.as_deref()),
        ("failed", Some("Ce PDF est illisible ou endommagé."))
    );
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}

/// Runs `spine extract-catalogue FILE` with the database and Redis out of reach.
fn extract(file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_spine"))
        .arg("extract-catalogue")
        .arg(file)
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/unreachable",
        )
        .env("REDIS_URL", "redis://127.0.0.1:1")
        .env("SPINE_LOG", "error")
        .output()
        .unwrap()
}

#[test]
fn the_command_line_reads_a_scanned_catalogue_into_products_without_a_database() {
    let out = extract(std::path::Path::new(&format!("{FILES}/sample-grid.pdf")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let truth: Value =
        serde_json::from_slice(&std::fs::read(format!("{FILES}/sample-grid.json")).unwrap())
            .unwrap();
    let products = printed["products"].as_array().unwrap();
    let expected = truth["products"].as_array().unwrap();
    // Every product printed is one of the catalogue's, at its price, on its page: none invented.
    for p in products {
        let t = expected
            .iter()
            .find(|t| t["reference"] == p["reference"])
            .unwrap_or_else(|| panic!("invented: {p}"));
        let cents = (t["price_eur"].as_f64().unwrap() * 100.0).round() as i64;
        assert_eq!(p["price_cents"], cents, "{p}");
        assert_eq!(p["page"], t["page"], "{p}");
        assert_eq!(p["currency"], "EUR");
        // Its box lies on the A4 page, in points from the top left.
        let b = &p["box"];
        let (x, y, w, h) = (
            b["x"].as_f64().unwrap(),
            b["y"].as_f64().unwrap(),
            b["w"].as_f64().unwrap(),
            b["h"].as_f64().unwrap(),
        );
        assert!(x >= 0.0 && y >= 0.0 && w > 0.0 && h > 0.0, "{p}");
        assert!(x + w <= 595.3 && y + h <= 842.0, "{p}");
    }
    assert!(products.len() >= expected.len() - 1, "{printed}");
    // The first card, field by field (its reference printed without "Réf.").
    let first = &products[0];
    assert_eq!(first["reference"], "BR299126");
    assert_eq!(first["name"], "Tablier isotherme lot de 4");
    // (Tesseract reads its comma as a semicolon.)
    let description = first["description"].as_str().unwrap();
    assert!(
        description.starts_with("Finition satinée") && description.ends_with("Fabriqué en France."),
        "{description}"
    );
    assert_eq!(first["price_cents"], 1425);
}

#[test]
fn a_file_that_is_not_a_readable_pdf_is_refused_in_french_with_status_2() {
    let dir = std::env::temp_dir().join(format!("spine-extract-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, code, message) in [
        (
            "notes.pdf",
            &b"Prenom;Nom\nClaire;Martin\n"[..],
            "not_pdf",
            "Ce fichier n’est pas un PDF (il ne commence pas par « %PDF »).",
        ),
        (
            "broken.pdf",
            &b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"[..],
            "corrupt",
            "Ce PDF est illisible ou endommagé.",
        ),
        (
            // One page of 5,000 × 5,000 points: drawn at 300 dpi, 20,833 pixels a side.
            "poster.pdf",
            &b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
               2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
               3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 5000 5000]>>endobj\n\
               trailer<</Root 1 0 R>>\n%%EOF\n"[..],
            "page_too_large",
            "La page 1 de ce PDF est plus grande qu’une affiche A2 : ce n’est pas un catalogue.",
        ),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = extract(&file);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["error"]["code"], code, "{name}");
        assert_eq!(printed["error"]["message"], message, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
