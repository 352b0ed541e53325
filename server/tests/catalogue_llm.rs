//! The LLM extractor (`SPINE_CATALOGUE_EXTRACTOR=llm`) against the sandbox's OpenAI-compatible
//! completions server, over HTTP: what it answers is staged only once checked against the
//! page (nothing invented), a busy or garbled server is asked again, and a refusal fails the
//! reading with a French reason the tab shows.

mod common;

use app::config::CatalogueExtractor;
use sandbox::DEMO_TENANT_ID;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const FILES: &str = "../catalogue/tests/files";
const CLAIRE: &str = "claire.martin@demo-salons.example.test";

/// Spine reading catalogues with the LLM extractor, Claire signed in with a campaign.
async fn claire_with_the_llm(
    pool: &PgPool,
) -> (
    common::TestApp,
    common::browser::Browser,
    String,
    std::path::PathBuf,
) {
    let data = std::env::temp_dir().join(format!("spine-catalogue-llm-{}", Uuid::new_v4()));
    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.data_dir = data.clone();
        c.catalogue_extractor = CatalogueExtractor::Llm;
    })
    .await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    (app, claire, campaign, data)
}

/// Queues what the sandbox's completions server answers next.
async fn script(app: &common::TestApp, answer: Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/_sandbox/llm/next", app.sandbox.base_url()))
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
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
async fn what_the_llm_answers_is_staged_once_checked_against_the_page_and_a_busy_server_is_asked_again(
    pool: PgPool,
) {
    let (app, claire, campaign, data) = claire_with_the_llm(&pool).await;
    // Page 1: a product, one at no price, one citing a line the page has not.
    script(
        &app,
        json!({"kind": "products", "products": [
            {"reference": "BR299126", "name": "Tablier isotherme lot de 4",
             "description": "Finition satinée.", "price_cents": 1425, "currency": "EUR",
             "containing": ["BR299126", "Tablier"]},
            {"reference": "KO-7490", "name": "Mandoline", "description": "", "price_cents": 0,
             "currency": "EUR", "containing": ["KO-7490"]},
            {"reference": "ZZ-0000", "name": "Inventé", "description": "", "price_cents": 990,
             "currency": "EUR", "lines": ["L999"]},
        ]}),
    )
    .await;
    // Page 2: busy (Retry-After: 1), then garbled, then a product.
    script(
        &app,
        json!({"kind": "status", "status": 429, "retry_after": 1}),
    )
    .await;
    script(
        &app,
        json!({"kind": "content", "content": "{\"produits\": ["}),
    )
    .await;
    script(
        &app,
        json!({"kind": "products", "products": [
            {"reference": "AT888298", "name": "Spatule en acier forgé 50 cl", "description": "",
             "price_cents": 2250, "currency": "EUR", "containing": ["AT888298"]},
        ]}),
    )
    .await;

    let (status, error) = send_grid(&pool, &claire, &campaign).await;
    assert_eq!((status.as_str(), error), ("succeeded", None));
    let staged: Vec<(String, String, i64, i32, f64, f64)> = sqlx::query_as(
        "SELECT reference, name, price_cents, page, box_w, box_h FROM products ORDER BY page",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let found: Vec<(&str, i64, i32)> = staged
        .iter()
        .map(|(r, _, p, page, _, _)| (r.as_str(), *p, *page))
        .collect();
    assert_eq!(found, [("BR299126", 1425, 1), ("AT888298", 2250, 2)]);
    // Boxed by the lines it cited, on the page: a region, not the page.
    let (_, _, _, _, w, h) = &staged[0];
    assert!(
        *w > 10.0 && *w < 500.0 && *h > 5.0 && *h < 400.0,
        "{w} × {h}"
    );
    let crops: i64 = sqlx::query_scalar("SELECT count(*) FROM product_assets")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(crops, 2);

    // What the server was asked: the page's OCR lines, a strict schema, no creativity.
    let requests: Vec<Value> =
        reqwest::get(format!("{}/_sandbox/llm/requests", app.sandbox.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(requests.len(), 4, "page 1, then page 2 three times");
    let first = &requests[0];
    assert_eq!(first["model"], "test-model");
    assert_eq!(first["temperature"], 0);
    assert_eq!(first["response_format"]["json_schema"]["strict"], true);
    let prompt = first["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.starts_with("Page 1 :\nL1: "), "{prompt}");
    assert!(prompt.contains("BR299126"), "the OCR's words: {prompt}");
    assert!(requests[1]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .starts_with("Page 2 :"));

    // Read again, the server finds nothing: the reading fails, the products stay.
    let catalog: Uuid = sqlx::query_scalar("SELECT id FROM catalogs")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM ingestion_jobs")
        .execute(&pool)
        .await
        .unwrap();
    let again = [
        ("campaign", campaign.as_str()),
        ("catalog", &catalog.to_string()),
    ];
    let (status, _) = claire.call("read_catalogue_again", &again).await;
    assert_eq!(status, 200);
    let (status, error) = common::catalogue_reading_ended(&pool).await;
    assert_eq!(status, "failed");
    assert!(error
        .unwrap()
        .starts_with("Aucun produit n’a été trouvé dans ce catalogue"));
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, 2, "what was read before stays");

    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_llm_that_refuses_fails_the_reading_with_a_french_reason_on_the_tab(pool: PgPool) {
    let (app, claire, campaign, data) = claire_with_the_llm(&pool).await;
    script(&app, json!({"kind": "status", "status": 400})).await;
    let (status, error) = send_grid(&pool, &claire, &campaign).await;
    let reason = "Le service d’extraction des produits a refusé la demande (erreur 400) : \
                  prévenez l’administrateur de Spine.";
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
    assert!(html.contains("Relancer la lecture"));
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}
