//! `/health`: the process answers. `/ready`: Postgres and Redis answer and the schema is current.

use std::time::Duration;

use app::state::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    Ok,
    Down,
    Pending,
    Unknown,
}

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub postgres: Check,
    pub redis: Check,
    pub migrations: Check,
}

pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": app::VERSION }))
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (migrations, redis) = tokio::join!(
        tokio::time::timeout(
            CHECK_TIMEOUT,
            app::system::repo::migrations_applied(&state.pool)
        ),
        state.jobs.ping(CHECK_TIMEOUT),
    );
    let (postgres, migrations) = match migrations {
        Ok(Ok(true)) => (Check::Ok, Check::Ok),
        Ok(Ok(false)) => (Check::Ok, Check::Pending),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: PostgreSQL check failed");
            (Check::Down, Check::Unknown)
        }
        Err(_) => (Check::Down, Check::Unknown),
    };
    let redis = if redis { Check::Ok } else { Check::Down };
    let report = Readiness {
        postgres,
        redis,
        migrations,
    };
    let all_ok = [postgres, redis, migrations]
        .iter()
        .all(|c| *c == Check::Ok);
    let status = if all_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report))
}
