mod common;

use std::time::Duration;

use app::{jobs::Heartbeat, system::repo};
use common::{eventually, spawn_app};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_job_pushed_through_the_servers_queue_is_run_by_the_worker(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let id = Uuid::new_v4();
    app.state
        .jobs
        .push_heartbeat(Heartbeat { id })
        .await
        .unwrap();

    let ran = eventually(Duration::from_secs(20), || async {
        repo::heartbeat_runs(&pool, id).await.unwrap() >= 1
    })
    .await;
    assert!(ran, "the worker should have recorded heartbeat {id}");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn shutting_down_stops_the_web_server_and_the_worker(pool: PgPool) {
    let app = spawn_app(pool).await;
    let address = app.address;
    tokio::time::timeout(Duration::from_secs(30), app.shutdown())
        .await
        .expect("shutdown finishes within the grace period")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_job_queued_while_no_worker_runs_is_run_when_one_starts(pool: PgPool) {
    let namespace = format!("spine-test-{}", Uuid::new_v4().simple());
    let jobs = app::jobs::Jobs::connect(common::REDIS_URL, &namespace)
        .await
        .unwrap();
    let id = Uuid::new_v4();
    jobs.push_heartbeat(Heartbeat { id }).await.unwrap();

    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.jobs_namespace = namespace
    })
    .await;
    let ran = eventually(Duration::from_secs(20), || async {
        repo::heartbeat_runs(&pool, id).await.unwrap() >= 1
    })
    .await;
    assert!(
        ran,
        "the worker should run the job queued before it started"
    );
    app.shutdown().await.unwrap();
}
