//! Two `spine worker` processes send from the same outbox while one of them is killed
//! (`kill -9`) at a random moment, run after run. Counted from the sandbox's mailboxes: no mail
//! arrives twice, and every mail is either sent or visibly "unknown" (the rep decides).

mod common;

use std::{
    collections::HashMap,
    process::{Command, Stdio},
    time::Duration,
};

use common::{database_url, eventually, spawn_web_only, KillOnDrop, TestApp, REDIS_URL};
use sandbox::{DEMO_TENANT_ID, OTHER_TENANT_ID};
use serde_json::{json, Value};
use sqlx::PgPool;

/// The mailboxes of the run: every preset account of the sandbox (Exchange paces each alone).
const REPS: [(&str, &str); 5] = [
    (DEMO_TENANT_ID, "claire.martin@demo-salons.example.test"),
    (DEMO_TENANT_ID, "julien.bernard@demo-salons.example.test"),
    (DEMO_TENANT_ID, "alex.durand@example.test"),
    (OTHER_TENANT_ID, "alex.durand@example.test"),
    (
        OTHER_TENANT_ID,
        "sophie.leroy@autre-distribution.example.test",
    ),
];
const RUNS: usize = 20;
/// One per mailbox: each run's mails leave at once (Exchange's pace holds a mailbox to one
/// every two seconds), while a worker is killed.
const MAILS_PER_RUN: usize = 5;

/// A `spine worker` process, killed with SIGKILL when dropped.
fn start_worker(app: &TestApp, pool: &PgPool) -> KillOnDrop {
    let config = &app.state.config;
    let child = Command::new(env!("CARGO_BIN_EXE_spine"))
        .arg("worker")
        .env("DATABASE_URL", database_url(pool))
        .env("REDIS_URL", REDIS_URL)
        .env("SPINE_JOBS_NAMESPACE", &config.jobs_namespace)
        .env("SPINE_MICROSOFT_AUTHORITY", &config.microsoft_authority)
        .env("SPINE_GRAPH_URL", &config.graph_url)
        .env("SPINE_PUBLIC_URL", &config.public_url)
        .env("SPINE_OUTBOX_REP_PACE", "false")
        // A mail held by a killed worker is found within a few seconds.
        .env("SPINE_OUTBOX_LEASE_SECONDS", "2")
        .env(
            "SPINE_DATA_DIR",
            std::env::temp_dir().join("spine-test-data"),
        )
        .env("SPINE_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spine worker starts");
    KillOnDrop(child)
}

/// Connects every rep's mailbox through the sandbox.
async fn connect_all(app: &TestApp) -> Vec<uuid::Uuid> {
    let mut reps = Vec::new();
    for (tid, email) in REPS {
        let browser = app.signed_in(tid, email).await;
        let res = browser.get("/auth/outlook/connect").await;
        let authorize = res.headers()["location"].to_str().unwrap().to_owned();
        let callback = browser.choose_account(&authorize, tid, email).await;
        let res = browser.get(&callback).await;
        assert_eq!(
            res.headers()["location"],
            "/compte/envoi",
            "{email} connected"
        );
        let (_, me) = browser.call("my_account", &[]).await;
        reps.push(me["id"].as_str().unwrap().parse().unwrap());
    }
    reps
}

/// A small random number from the system's randomness (no test depends on a seed).
fn random_below(n: u64) -> u64 {
    u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap()) % n
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn killing_a_worker_mid_batch_never_sends_a_mail_twice_nor_loses_one(pool: PgPool) {
    let app = spawn_web_only(pool.clone(), |_| ()).await;
    let reps = connect_all(&app).await;
    let addresses: HashMap<uuid::Uuid, &str> =
        reps.iter().copied().zip(REPS.iter().map(|r| r.1)).collect();
    let mut workers = [start_worker(&app, &pool), start_worker(&app, &pool)];
    let graph_next = format!("{}/_sandbox/graph/next", app.sandbox.base_url());
    let http = reqwest::Client::new();

    for run in 0..RUNS {
        // Slow answers, so that a kill often lands while requests are on the wire.
        for _ in 0..MAILS_PER_RUN {
            let delay = 100 + random_below(400);
            http.post(&graph_next)
                .json(&json!({ "delay_ms": delay }))
                .send()
                .await
                .unwrap();
        }
        for n in 0..MAILS_PER_RUN {
            let owner = reps[n % reps.len()];
            sqlx::query(
                "INSERT INTO outbox_emails (id, owner_user_id, kind, status, idempotency_key,
                     to_address, subject, html_body, text_body)
                 VALUES ($1, $2, 'test', 'ready', $3, 'client@example.test', $4, '<p>Bonjour</p>',
                     'Bonjour')",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(owner)
            .bind(format!("run-{run}-{n}"))
            .bind(format!("Essai {run}.{n}"))
            .execute(&pool)
            .await
            .unwrap();
            sqlx::query("INSERT INTO send_pace (owner_user_id) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(owner)
                .execute(&pool)
                .await
                .unwrap();
        }
        app.state.jobs.wake_outbox().await.unwrap();
        tokio::time::sleep(Duration::from_millis(random_below(800))).await;
        let victim = random_below(2) as usize;
        // kill -9: no shutdown, no chance to record anything.
        workers[victim] = start_worker(&app, &pool);
        let settled = eventually(Duration::from_secs(60), || async {
            let left: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox_emails WHERE status IN ('ready', 'sending')",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            left == 0
        })
        .await;
        assert!(settled, "run {run}: every mail reaches an outcome");
    }
    drop(workers);

    let rows: Vec<(uuid::Uuid, uuid::Uuid, String)> =
        sqlx::query_as("SELECT id, owner_user_id, status FROM outbox_emails")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), RUNS * MAILS_PER_RUN);
    let mut arrived: HashMap<String, usize> = HashMap::new();
    // Alex's two accounts share an address, hence a mailbox of the sandbox.
    let mut mailboxes: Vec<&str> = addresses.values().copied().collect();
    mailboxes.sort_unstable();
    mailboxes.dedup();
    for address in mailboxes {
        let url = format!("{}/_sandbox/mailbox/{address}", app.sandbox.base_url());
        let sent: Vec<Value> = reqwest::get(url).await.unwrap().json().await.unwrap();
        for message in sent {
            let id = message["headers"][0][1].as_str().unwrap().to_owned();
            *arrived.entry(id).or_default() += 1;
        }
    }
    let twice: Vec<_> = arrived.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    let (mut sent, mut unknown) = (0, 0);
    for (id, _, status) in &rows {
        let there = arrived.contains_key(&id.to_string());
        match status.as_str() {
            "sent" => {
                assert!(there, "{id} is marked sent but never arrived");
                sent += 1;
            }
            // It may or may not have left: the rep checks their Sent Items.
            "unknown" => unknown += 1,
            other => panic!("{id} ended {other}: neither sent nor unknown"),
        }
    }
    eprintln!(
        "{RUNS} runs, {} mails: {sent} sent, {unknown} unknown ({} of them arrived), 0 twice",
        rows.len(),
        rows.iter()
            .filter(|(id, _, s)| s == "unknown" && arrived.contains_key(&id.to_string()))
            .count()
    );
    app.shutdown().await.unwrap();
}
