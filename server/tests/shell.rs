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
    // The pages whose code is in the main chunk (the board's, the catalogue's, the sending and
    // the mixer's HTML are the server's, under generic routes; the board's script a module of
    // its own); every other route is lazy.
    const EAGER: [&str; 6] = [
        "/",
        "/connexion",
        "/campagnes/{id}/{page}",
        "/campagnes/{id}/{page}/{sub}",
        "/compte/{page}",
        "/compte/{page}/{id}",
    ];
    let routes = server::startup::page_routes();
    assert!(routes.len() > EAGER.len());
    for route in routes {
        let path = route.path().replace(":id", &uuid::Uuid::nil().to_string());
        let known = app::preload_page(&path).await;
        assert_eq!(known, !EAGER.contains(&route.path()), "{}", route.path());
    }
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_body_over_64_kb_is_refused_with_413_in_french_even_without_a_declared_length(
    pool: PgPool,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app(pool).await;
    let big = "x".repeat(1024 * 1024);
    // The one server function a visitor may call, which used to read any body whole.
    let res = app
        .client
        .post(app.url("/api/signed_in_user"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("x={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let error: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        error["message"],
        "La requête est trop volumineuse : 64 Ko au plus."
    );

    // Chunked, with no Content-Length: refused once 64 KB have arrived.
    let mut socket = tokio::net::TcpStream::connect(app.address).await.unwrap();
    let head = format!(
        "POST /api/signed_in_user HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.address,
        app.origin()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, "y".repeat(16 * 1024));
    for _ in 0..8 {
        if socket.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let mut answer = vec![0; 256];
    let n = socket.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // A normal call still works.
    let res = app
        .client
        .post(app.url("/api/signed_in_user"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.shutdown().await.unwrap();
}

/// A test binary starts many Spines in one process; Leptos stops resources from loading
/// process-wide while it lists routes, so listing them again left pages waiting forever.
#[sqlx::test(migrator = "app::MIGRATOR")]
async fn pages_render_while_another_spine_of_the_process_starts(pool: PgPool) {
    let app = spawn_app(pool).await;
    let starting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let others = std::thread::spawn({
        let starting = starting.clone();
        move || {
            while starting.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = server::startup::page_routes();
            }
        }
    });
    for _ in 0..100 {
        let res = app.get("/connexion?erreur=jeton").await;
        let html = res.text().await.expect("the whole page arrives");
        assert!(html.contains("</html>"));
    }
    starting.store(false, std::sync::atomic::Ordering::Relaxed);
    others.join().unwrap();
    app.shutdown().await.unwrap();
}
