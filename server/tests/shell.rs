mod common;

use common::spawn_app;
use sqlx::PgPool;

fn csp_nonce(csp: &str) -> &str {
    let start = csp.find("'nonce-").expect("CSP has a nonce") + "'nonce-".len();
    let end = start + csp[start..].find('\'').unwrap();
    &csp[start..end]
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_home_page_is_served_in_french_with_a_nonce_for_its_hydration_script(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let html = res.text().await.unwrap();

    assert!(html.contains(r#"<html lang="fr""#), "{html}");
    assert!(html.contains("Bienvenue sur Spine"));
    assert!(html.contains("<footer"));
    assert!(html.contains(app::VERSION));

    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp_nonce(csp);
    assert!(nonce.len() >= 32);
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the hydration script carries the header's nonce"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
    assert!(headers.contains_key("x-request-id"));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn every_response_gets_a_new_nonce(pool: PgPool) {
    let app = spawn_app(pool).await;
    let a = app.get("/").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let b = app.get("/").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(csp_nonce(&a), csp_nonce(&b));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_unknown_page_answers_404_in_french(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/nulle-part").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page introuvable"), "{html}");
    assert!(html.contains(r#"<html lang="fr""#));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_lazy_page_can_be_downloaded_ahead_of_a_tap() {
    // The pages whose code is in the main chunk; every other route is lazy.
    const EAGER: [&str; 2] = ["/", "/connexion"];
    let routes = leptos_axum::generate_route_list(app::App);
    assert!(routes.len() > EAGER.len());
    for route in routes {
        let path = route.path().replace(":id", &uuid::Uuid::nil().to_string());
        let known = app::preload_page(&path).await;
        assert_eq!(known, !EAGER.contains(&route.path()), "{}", route.path());
    }
}
