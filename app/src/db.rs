//! What every repository shares.

/// What a guarded change came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Done(T),
    NotFound,
    /// The row changed since the rep loaded it (version mismatch).
    Stale,
}

impl<T> Outcome<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Done(value) => Outcome::Done(f(value)),
            Outcome::NotFound => Outcome::NotFound,
            Outcome::Stale => Outcome::Stale,
        }
    }
}

/// Whether a create with an idempotency key still has to happen.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// This post holds the key: create, then [`settle`] the key with what was created.
    Fresh,
    /// An earlier post with the same key created this; answer with it.
    Done(uuid::Uuid),
}

/// Takes `key` for `owner` and the kind of record `scope` inside the create's transaction. A concurrent post with the same
/// key waits here until the first one commits (then gets [`Claim::Done`]) or rolls back (then
/// holds the key itself), so a double post creates once.
pub async fn claim(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    owner: uuid::Uuid,
    scope: &str,
    key: uuid::Uuid,
) -> Result<Claim, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO idempotency_keys (owner_user_id, scope, key) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        owner,
        scope,
        key
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let result = sqlx::query_scalar!(
        "SELECT result FROM idempotency_keys WHERE owner_user_id = $1 AND scope = $2 AND key = $3",
        owner,
        scope,
        key
    )
    .fetch_one(&mut **tx)
    .await?;
    // A committed key always has its result: both are written in one transaction.
    result.map(Claim::Done).ok_or(sqlx::Error::RowNotFound)
}

/// Records what the post holding `key` created (same transaction as [`claim`]).
pub async fn settle(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    owner: uuid::Uuid,
    scope: &str,
    key: uuid::Uuid,
    result: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE idempotency_keys SET result = $4
         WHERE owner_user_id = $1 AND scope = $2 AND key = $3",
        owner,
        scope,
        key,
        result
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets keys older than a day: a double post comes seconds apart, not days.
pub async fn delete_old_idempotency_keys(
    db: impl sqlx::PgExecutor<'_>,
) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'")
            .execute(db)
            .await?
            .rows_affected(),
    )
}
