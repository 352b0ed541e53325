//! Distributors of one owner. Every function takes the owner's id; another owner's row is
//! "not found", exactly like a missing one.

use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::{Distributor, DistributorDraft};
use crate::{
    audit::repo::{record, snapshot, Change},
    db::Outcome,
};

const ENTITY: &str = "distributor";

/// The owner's distributors by name, with how many campaigns use each.
#[tracing::instrument(skip_all, fields(owner = %owner))]
pub async fn list(db: impl PgExecutor<'_>, owner: Uuid) -> Result<Vec<Distributor>, sqlx::Error> {
    sqlx::query_as!(
        Distributor,
        r#"SELECT d.id, d.name, d.website, d.notes, d.version, count(c.id) AS "campaign_count!"
           FROM distributors d
           LEFT JOIN campaigns c ON c.owner_user_id = d.owner_user_id AND c.distributor_id = d.id
           WHERE d.owner_user_id = $1
           GROUP BY d.id
           ORDER BY spine_fold(d.name), d.id"#,
        owner
    )
    .fetch_all(db)
    .await
}

#[tracing::instrument(skip_all, fields(owner = %owner, distributor = %id))]
pub async fn get(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<Distributor>, sqlx::Error> {
    sqlx::query_as!(
        Distributor,
        r#"SELECT d.id, d.name, d.website, d.notes, d.version,
                  (SELECT count(*) FROM campaigns c WHERE c.owner_user_id = d.owner_user_id
                     AND c.distributor_id = d.id) AS "campaign_count!"
           FROM distributors d WHERE d.owner_user_id = $1 AND d.id = $2"#,
        owner,
        id
    )
    .fetch_optional(db)
    .await
}

/// Names of the owner's distributors among `ids`, including deleted ones the audit log still
/// knows (a history names the distributor a campaign had then).
pub async fn names(
    db: &sqlx::PgPool,
    owner: Uuid,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT d.id AS "id!", d.name AS "name!" FROM distributors d
           WHERE d.owner_user_id = $1 AND d.id = ANY($2)
           UNION ALL
           SELECT * FROM (
               SELECT DISTINCT ON (a.entity_id) a.entity_id, a.before->>'name'
               FROM audit_log a
               WHERE a.owner_user_id = $1 AND a.entity_type = 'distributor' AND a.action = 'delete'
                 AND a.entity_id = ANY($2) AND a.before->>'name' IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM distributors d WHERE d.id = a.entity_id)
               -- Its name when it was last deleted.
               ORDER BY a.entity_id, a.at DESC
           ) deleted"#,
        owner,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Creates a distributor; a second one with the same name (accents and case aside) violates
/// `distributors_owner_name_key`.
#[tracing::instrument(skip_all, fields(owner = %owner))]
pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    draft: &DistributorDraft,
) -> Result<Distributor, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO distributors (id, owner_user_id, name, website, notes) VALUES ($1, $2, $3, $4, $5)",
        id,
        owner,
        draft.name,
        draft.website,
        draft.notes
    )
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: "create",
            before: None,
            after: snapshot(draft),
        },
    )
    .await?;
    Ok(Distributor {
        id,
        name: draft.name.clone(),
        website: draft.website.clone(),
        notes: draft.notes.clone(),
        campaign_count: 0,
        version: 1,
    })
}

async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<(DistributorDraft, i32)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT name, website, notes, version FROM distributors WHERE owner_user_id = $1 AND id = $2 FOR UPDATE",
        owner,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| {
        (
            DistributorDraft {
                name: r.name,
                website: r.website,
                notes: r.notes,
            },
            r.version,
        )
    }))
}

/// Updates the distributor if it is still at `version`.
#[tracing::instrument(skip_all, fields(owner = %owner, distributor = %id))]
pub async fn update(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
    version: i32,
    draft: &DistributorDraft,
) -> Result<Outcome<()>, sqlx::Error> {
    let Some((before, current)) = lock(tx, owner, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if current != version {
        return Ok(Outcome::Stale);
    }
    sqlx::query!(
        "UPDATE distributors SET name = $3, website = $4, notes = $5, version = version + 1, updated_at = now()
         WHERE owner_user_id = $1 AND id = $2",
        owner,
        id,
        draft.name,
        draft.website,
        draft.notes
    )
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(draft),
        },
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// Deletes the distributor and returns its name; one still named by a campaign violates
/// `campaigns_distributor_fkey`.
#[tracing::instrument(skip_all, fields(owner = %owner, distributor = %id))]
pub async fn delete(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
) -> Result<Outcome<String>, sqlx::Error> {
    let Some((before, _)) = lock(tx, owner, id).await? else {
        return Ok(Outcome::NotFound);
    };
    sqlx::query!(
        "DELETE FROM distributors WHERE owner_user_id = $1 AND id = $2",
        owner,
        id
    )
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: "delete",
            before: snapshot(&before),
            after: None,
        },
    )
    .await?;
    Ok(Outcome::Done(before.name))
}

/// Recreates, with its id, a distributor whose last change was its deletion, from the audit
/// log's copy; returns its name. Not found when it was not deleted (or already brought back);
/// a distributor of the same name made since violates `distributors_owner_name_key`.
#[tracing::instrument(skip_all, fields(owner = %owner, distributor = %id))]
pub async fn restore(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
) -> Result<Outcome<String>, sqlx::Error> {
    let last = sqlx::query!(
        "SELECT action, before FROM audit_log
         WHERE owner_user_id = $1 AND entity_type = $2 AND entity_id = $3
         ORDER BY at DESC LIMIT 1",
        owner,
        ENTITY,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let draft = match last {
        Some(row) if row.action == "delete" => row
            .before
            .and_then(|before| serde_json::from_value::<DistributorDraft>(before).ok()),
        _ => None,
    };
    let Some(draft) = draft else {
        return Ok(Outcome::NotFound);
    };
    // A second "Annuler" (a double tap) finds it already back.
    let inserted = sqlx::query!(
        "INSERT INTO distributors (id, owner_user_id, name, website, notes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING",
        id,
        owner,
        draft.name,
        draft.website,
        draft.notes
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Outcome::NotFound);
    }
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: "restore",
            before: None,
            after: snapshot(&draft),
        },
    )
    .await?;
    Ok(Outcome::Done(draft.name))
}
