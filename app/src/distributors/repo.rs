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

/// Deletes the distributor; one still named by a campaign violates `campaigns_distributor_fkey`.
#[tracing::instrument(skip_all, fields(owner = %owner, distributor = %id))]
pub async fn delete(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
) -> Result<Outcome<()>, sqlx::Error> {
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
    Ok(Outcome::Done(()))
}
