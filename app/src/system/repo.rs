//! Queries about Spine itself (no owned data here).

use sqlx::PgExecutor;
use uuid::Uuid;

/// Records that the heartbeat `id` ran; running it twice counts two runs, adds no row.
#[tracing::instrument(skip_all, fields(heartbeat = %id))]
pub async fn record_heartbeat(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO worker_heartbeats (id) VALUES ($1)
           ON CONFLICT (id) DO UPDATE SET runs = worker_heartbeats.runs + 1, ran_at = now()"#,
        id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// How many times the heartbeat `id` ran (0 if never).
pub async fn heartbeat_runs(db: impl PgExecutor<'_>, id: Uuid) -> Result<i32, sqlx::Error> {
    let runs = sqlx::query_scalar!("SELECT runs FROM worker_heartbeats WHERE id = $1", id)
        .fetch_optional(db)
        .await?;
    Ok(runs.unwrap_or(0))
}

/// Versions of the migrations applied successfully.
pub async fn applied_migrations(db: impl PgExecutor<'_>) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(db)
        .await
}

/// Whether every migration embedded in this binary is applied.
pub async fn migrations_applied(db: impl PgExecutor<'_>) -> Result<bool, sqlx::Error> {
    let applied = applied_migrations(db).await?;
    Ok(crate::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .all(|m| applied.contains(&m.version)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn running_a_heartbeat_twice_counts_two_runs_in_one_row(pool: PgPool) {
        let id = Uuid::new_v4();
        assert_eq!(heartbeat_runs(&pool, id).await.unwrap(), 0);
        record_heartbeat(&pool, id).await.unwrap();
        record_heartbeat(&pool, id).await.unwrap();
        assert_eq!(heartbeat_runs(&pool, id).await.unwrap(), 2);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM worker_heartbeats")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn a_migrated_database_reports_every_migration_applied(pool: PgPool) {
        assert!(migrations_applied(&pool).await.unwrap());
        sqlx::query("DELETE FROM _sqlx_migrations")
            .execute(&pool)
            .await
            .unwrap();
        assert!(!migrations_applied(&pool).await.unwrap());
    }
}
