mod common;

use std::time::Duration;

use common::{eventually, proxy::Proxy, spawn_app, spawn_app_with};
use serde_json::{json, Value};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn health_answers_while_the_process_is_alive(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/health").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn ready_is_200_when_postgres_redis_and_migrations_are_ok(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"postgres": "ok", "redis": "ok", "migrations": "ok"})
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn ready_names_redis_while_it_is_down_and_recovers_without_a_restart(pool: PgPool) {
    let proxy = Proxy::start("127.0.0.1:6379".parse().unwrap()).await;
    let app = spawn_app_with(pool, &format!("redis://{}", proxy.address)).await;
    assert_eq!(app.get("/ready").await.status(), 200);

    proxy.stop();
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"postgres": "ok", "redis": "down", "migrations": "ok"})
    );

    proxy.restart();
    let back = eventually(Duration::from_secs(15), || async {
        app.get("/ready").await.status() == 200
    })
    .await;
    assert!(back, "/ready should be 200 again once Redis is back");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn ready_names_postgres_while_it_is_down(pool: PgPool) {
    let options = pool.connect_options().as_ref().clone();
    let proxy = Proxy::start(format!("127.0.0.1:{}", options.get_port()).parse().unwrap()).await;
    let proxied = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_with(options.port(proxy.address.port()))
        .await
        .unwrap();
    let app = spawn_app(proxied).await;
    assert_eq!(app.get("/ready").await.status(), 200);

    proxy.stop();
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["postgres"], "down");
    assert_eq!(body["redis"], "ok");
    proxy.restart();
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn ready_reports_pending_migrations(pool: PgPool) {
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(&pool)
        .await
        .unwrap();
    let app = spawn_app(pool).await;
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["migrations"], "pending");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn stopping_does_not_wait_forever_for_a_body_that_never_comes(pool: PgPool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app(pool).await;
    let mut stalled = tokio::net::TcpStream::connect(app.address).await.unwrap();
    let head = format!(
        "POST /api/signed_in_user HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\
         Expect: 100-continue\r\n\r\n",
        host = app.address
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    // "100 Continue" means the server has started reading the body.
    let mut answer = [0; 64];
    let read = stalled.read(&mut answer).await.unwrap();
    assert!(answer[..read].starts_with(b"HTTP/1.1 100"), "{answer:?}");
    stalled.write_all(b"x=").await.unwrap();
    // The other 98 bytes never come: the helper fails if stopping waits for them.
    app.shutdown().await.unwrap();
}
