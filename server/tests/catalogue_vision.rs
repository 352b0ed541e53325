//! Google Vision as the OCR of catalogue pages (`SPINE_CATALOGUE_OCR=google-vision`), against
//! the sandbox's `images:annotate` over HTTP (which really reads the images): the products
//! come out as with Tesseract, a busy Vision is asked again, the key never travels in an
//! address, and a refusal fails the reading with a French reason.

mod common;

use app::config::{CatalogueOcr, Secret};
use sandbox::DEMO_TENANT_ID;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const FILES: &str = "../catalogue/tests/files";
const CLAIRE: &str = "claire.martin@demo-salons.example.test";

/// Spine reading pages with Vision (`key`: its key, the sandbox's when `None`), Claire signed in
/// with a campaign.
async fn claire_with_vision(
    pool: &PgPool,
    key: Option<&'static str>,
) -> (
    common::TestApp,
    common::browser::Browser,
    String,
    std::path::PathBuf,
) {
    let data = std::env::temp_dir().join(format!("spine-catalogue-vision-{}", Uuid::new_v4()));
    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.data_dir = data.clone();
        c.catalogue_ocr = CatalogueOcr::GoogleVision;
        if let Some(key) = key {
            c.google_vision_key = Some(Secret::new(key));
        }
    })
    .await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    (app, claire, campaign, data)
}

/// Sends the grid catalogue from the tab and waits for its reading to end; its status and error.
async fn send_grid(
    pool: &PgPool,
    claire: &common::browser::Browser,
    campaign: &str,
) -> (String, Option<String>) {
    let bytes = std::fs::read(format!("{FILES}/sample-grid.pdf")).unwrap();
    let res = claire.send_catalogue(campaign, "grille.pdf", bytes).await;
    assert_eq!(res.status(), 303);
    common::catalogue_reading_ended(pool).await
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn pages_read_by_vision_give_the_catalogues_products_and_a_busy_vision_is_asked_again(
    pool: PgPool,
) {
    let (app, claire, campaign, data) = claire_with_vision(&pool, None).await;
    let res = reqwest::Client::new()
        .post(format!("{}/_sandbox/vision/next", app.sandbox.base_url()))
        .json(&json!({ "status": 503, "retry_after": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    let (status, error) = send_grid(&pool, &claire, &campaign).await;
    assert_eq!((status.as_str(), error), ("succeeded", None));
    let references: Vec<String> =
        sqlx::query_scalar("SELECT reference FROM products ORDER BY reference")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FILES}/sample-grid.json")).unwrap(),
    )
    .unwrap();
    let mut printed: Vec<String> = expected["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap().to_string())
        .collect();
    printed.sort();
    assert_eq!(
        references, printed,
        "every product of the catalogue, nothing else"
    );

    let seen: Value = reqwest::get(format!(
        "{}/_sandbox/vision/requests",
        app.sandbox.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        seen,
        json!({ "images": 3, "keys_in_address": 0 }),
        "two pages, one asked again; the key in a header only"
    );
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_vision_that_refuses_the_key_fails_the_reading_with_a_french_reason(pool: PgPool) {
    let (app, claire, campaign, data) = claire_with_vision(&pool, Some("not-the-key")).await;
    let (status, error) = send_grid(&pool, &claire, &campaign).await;
    let reason = "Le service de lecture des pages (Google Vision) a refusé la demande \
                  (erreur 403) : prévenez l’administrateur de Spine.";
    assert_eq!(
        (status.as_str(), error.as_deref()),
        ("failed", Some(reason))
    );
    let html = claire
        .get(&format!("/campagnes/{campaign}/catalogue"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(reason), "{html}");
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}
