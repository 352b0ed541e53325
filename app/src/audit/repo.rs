use serde::Serialize;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::diff::AuditEntry;

/// One mutation to record.
pub struct Change<'a> {
    pub owner: Uuid,
    pub actor: Uuid,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The JSON kept in the log for a state of an entity.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Writes `change` in the caller's transaction, so the log and the data commit together.
#[tracing::instrument(skip_all, fields(entity = change.entity_type, action = change.action))]
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (id, owner_user_id, actor_user_id, entity_type, entity_id, action, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::new_v4(),
        change.owner,
        change.actor,
        change.entity_type,
        change.entity_id,
        change.action,
        change.before,
        change.after
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The history of one entity of `owner`, newest first.
#[tracing::instrument(skip_all, fields(entity = entity_type))]
pub async fn history(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    entity_type: &str,
    entity_id: Uuid,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    sqlx::query_as!(
        AuditEntry,
        r#"SELECT a.at, (a.at AT TIME ZONE 'Europe/Paris') AS "at_paris!", u.display_name AS actor_name,
                  a.action, a.before, a.after
           FROM audit_log a JOIN users u ON u.id = a.actor_user_id
           WHERE a.owner_user_id = $1 AND a.entity_type = $2 AND a.entity_id = $3
           ORDER BY a.at DESC"#,
        owner,
        entity_type,
        entity_id
    )
    .fetch_all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn deleting_a_rep_keeps_the_log_rows_but_not_who_nor_the_data(pool: PgPool) {
        let rep = Uuid::new_v4();
        sqlx::query("INSERT INTO users (id, display_name, email) VALUES ($1, 'Claire Martin', 'claire@example.test')")
            .bind(rep)
            .execute(&pool)
            .await
            .unwrap();
        let entity = Uuid::new_v4();
        let mut tx = pool.begin().await.unwrap();
        record(
            &mut tx,
            Change {
                owner: rep,
                actor: rep,
                entity_type: "campaign",
                entity_id: entity,
                action: "update",
                before: Some(serde_json::json!({"city": "Lyon"})),
                after: Some(serde_json::json!({"city": "Chassieu"})),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(rep)
            .execute(&pool)
            .await
            .unwrap();
        type Row = (
            Option<Uuid>,
            Option<Uuid>,
            String,
            Option<serde_json::Value>,
            Option<serde_json::Value>,
        );
        let rows: Vec<Row> =
            sqlx::query_as("SELECT owner_user_id, actor_user_id, action, before, after FROM audit_log WHERE entity_id = $1")
                .bind(entity)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(rows, vec![(None, None, "update".to_string(), None, None)]);
    }
}
