//! What reaches the logs and the support reference: nothing a client sends can pass for ours.

mod common;

use std::{
    io::Read,
    process::{Command, Stdio},
    time::Duration,
};

use common::{database_url, spawn_app, KillOnDrop, REDIS_URL};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_request_id_sent_by_the_client_is_never_the_support_reference(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app
        .client
        .get(app.url("/"))
        .header("x-request-id", "b7c7a3a2-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap();
    let ours = res.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(ours, "b7c7a3a2-0000-4000-8000-000000000000");
    assert!(uuid::Uuid::parse_str(ours).is_ok(), "{ours}");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn what_a_client_sends_cannot_forge_a_log_line(pool: PgPool) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut spine = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_spine"))
            .args(["serve", "--web-only"])
            .env("DATABASE_URL", database_url(&pool))
            .env("REDIS_URL", REDIS_URL)
            .env("SPINE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SPINE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env(
                "SPINE_JOBS_NAMESPACE",
                format!("spine-test-{}", uuid::Uuid::new_v4().simple()),
            )
            .env("SPINE_LOG", "warn")
            .env("SPINE_LOG_FORMAT", "text")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let ready = common::eventually(Duration::from_secs(30), || async {
        client
            .get(format!("{base}/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    assert!(ready, "spine serve did not start");

    // Microsoft's callback carries `error` and `error_description` from the browser's URL.
    let forged = "2026-11-26T00:00:00.000000Z ERROR forged: the administrator signed in";
    let res = client
        .get(format!("{base}/auth/microsoft/callback"))
        .query(&[
            ("error", format!("access_denied\n{forged}")),
            ("error_description", format!("refused\r\n{forged}")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    spine.0.kill().unwrap();
    let mut logs = String::new();
    spine
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    spine.0.wait().unwrap();
    // The killed server's connections may linger a moment; the test database is dropped after.
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(logs.contains("Microsoft refused the sign-in"), "{logs}");
    for line in logs.lines() {
        assert!(
            !line.starts_with(forged),
            "forged line in the logs:\n{logs}"
        );
    }
}

#[test]
fn help_never_prints_the_credentials_of_the_database_or_redis() {
    let out = Command::new(env!("CARGO_BIN_EXE_spine"))
        .arg("--help")
        .env(
            "DATABASE_URL",
            "postgres://spine:db-password@db.internal/spine",
        )
        .env("REDIS_URL", "redis://:redis-password@cache.internal:6379")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("DATABASE_URL"), "{help}");
    assert!(
        !help.contains("db-password") && !help.contains("redis-password"),
        "{help}"
    );
}
