//! Users and the Microsoft accounts they sign in with.

use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::CurrentUser;

/// What a verified Microsoft ID token says about the rep.
#[derive(Debug, Clone)]
pub struct MicrosoftIdentity {
    pub tid: Uuid,
    pub oid: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub preferred_username: Option<String>,
}

/// The longest display name kept (the column's limit).
const MAX_NAME_CHARS: usize = 200;
/// The longest email or user name kept.
const MAX_EMAIL_CHARS: usize = 320;

/// A text from the identity provider as Spine keeps it: without control or bidirectional
/// characters (a NUL cannot be stored), trimmed, at most `max` characters: an odd name must
/// not stop a rep from signing in.
fn clean(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !crate::ui::forms::is_bidi_control(*c))
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect()
}

fn clean_opt(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(|t| clean(t, MAX_EMAIL_CHARS))
        .filter(|t| !t.is_empty())
}

/// Finds the user of `(tid, oid)` or creates one; refreshes name and email from the token.
/// Keyed by tenant + object id, never by email.
#[tracing::instrument(skip_all, fields(tid = %identity.tid))]
pub async fn upsert_microsoft_user(
    tx: &mut Transaction<'_, Postgres>,
    identity: &MicrosoftIdentity,
) -> Result<CurrentUser, sqlx::Error> {
    let email = clean_opt(&identity.email);
    let preferred_username = clean_opt(&identity.preferred_username);
    let shown_email = email.clone().or_else(|| preferred_username.clone());
    let name = match clean(&identity.name, MAX_NAME_CHARS) {
        name if name.is_empty() => shown_email
            .clone()
            .unwrap_or_else(|| "Utilisateur Microsoft".into()),
        name => name,
    };
    let new_id = Uuid::new_v4();
    // Creates the user first so the account row can point at it; a concurrent first sign-in
    // of the same account keeps the existing row and the spare user is removed below.
    sqlx::query!(
        "INSERT INTO users (id, display_name, email, last_login_at) VALUES ($1, $2, $3, now())",
        new_id,
        name,
        shown_email
    )
    .execute(&mut **tx)
    .await?;
    let user_id = sqlx::query_scalar!(
        r#"INSERT INTO oauth_accounts (provider, tid, oid, user_id, email, preferred_username)
           VALUES ('microsoft', $1, $2, $3, $4, $5)
           ON CONFLICT (provider, tid, oid) DO UPDATE
             SET email = EXCLUDED.email, preferred_username = EXCLUDED.preferred_username,
                 updated_at = now()
           RETURNING user_id"#,
        identity.tid,
        identity.oid,
        new_id,
        email,
        preferred_username
    )
    .fetch_one(&mut **tx)
    .await?;
    if user_id != new_id {
        sqlx::query!("DELETE FROM users WHERE id = $1", new_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query!(
            "UPDATE users SET display_name = $2, email = $3, last_login_at = now(), updated_at = now()
             WHERE id = $1",
            user_id,
            name,
            shown_email
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(CurrentUser {
        id: user_id,
        name,
        email: shown_email,
        tid: identity.tid,
        oid: identity.oid,
    })
}

/// The user `id` with their Microsoft account.
#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn find_user(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT u.id, u.display_name AS name, u.email, a.tid, a.oid
           FROM users u
           JOIN LATERAL (SELECT tid, oid FROM oauth_accounts WHERE user_id = u.id
                         ORDER BY created_at LIMIT 1) a ON true
           WHERE u.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Records an issued API token by its id (the token itself is never stored).
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn record_api_token(
    db: impl PgExecutor<'_>,
    id: Uuid,
    user: Uuid,
    expires_at: chrono::DateTime<chrono::Utc>,
    session_key: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO api_tokens (id, user_id, session_key, expires_at) VALUES ($1, $2, $3, $4)",
        id,
        user,
        session_key,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The user of API token `id` issued to `user`, while it is neither revoked nor expired.
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn find_api_token_user(
    db: impl PgExecutor<'_>,
    id: Uuid,
    user: Uuid,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT u.id, u.display_name AS name, u.email, a.tid, a.oid
           FROM api_tokens t
           JOIN users u ON u.id = t.user_id
           JOIN LATERAL (SELECT tid, oid FROM oauth_accounts WHERE user_id = u.id
                         ORDER BY created_at LIMIT 1) a ON true
           WHERE t.id = $1 AND t.user_id = $2 AND t.revoked_at IS NULL AND t.expires_at > now()"#,
        id,
        user
    )
    .fetch_optional(db)
    .await
}

/// Revokes the API tokens a browser session asked for (at its sign-out).
pub async fn revoke_session_api_tokens(
    db: impl PgExecutor<'_>,
    session_key: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE session_key = $1 AND revoked_at IS NULL",
        session_key
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// Revokes API token `id`; `false` when no live token has that id.
pub async fn revoke_api_token(db: impl PgExecutor<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(db)
    .await?
    .rows_affected()
        == 1)
}

/// Revokes every API token of `user`.
pub async fn revoke_user_api_tokens(
    db: impl PgExecutor<'_>,
    user: Uuid,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// Forgets API tokens expired for a day (they verify no more anyway).
pub async fn delete_expired_api_tokens(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("DELETE FROM api_tokens WHERE expires_at < now() - interval '1 day'")
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// Users whose email is `email` (case-insensitive): one per tenant at most.
pub async fn find_users_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> Result<Vec<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT u.id, u.display_name AS name, u.email, a.tid, a.oid
           FROM users u
           JOIN oauth_accounts a ON a.user_id = u.id
           WHERE lower(u.email) = lower($1) OR lower(a.email) = lower($1)
              OR lower(a.preferred_username) = lower($1)
           ORDER BY u.created_at"#,
        email
    )
    .fetch_all(db)
    .await
}

/// The user named by `owner`: a user id, or an email that must match exactly one user. For
/// administrators at the command line only: Microsoft does not verify the email claim, so it
/// never decides who a request is (that is the tenant and object id).
pub async fn resolve_owner(db: impl PgExecutor<'_>, owner: &str) -> Result<CurrentUser, String> {
    let owner = owner.trim();
    if let Ok(id) = Uuid::parse_str(owner) {
        return find_user(db, id)
            .await
            .map_err(|e| format!("database error: {e}"))?
            .ok_or_else(|| format!("no user has the id {id}"));
    }
    let mut users = find_users_by_email(db, owner)
        .await
        .map_err(|e| format!("database error: {e}"))?;
    users.dedup_by_key(|u| u.id);
    match users.len() {
        0 => Err(format!("no user has the email {owner}")),
        1 => Ok(users.remove(0)),
        _ => Err(format!(
            "the email {owner} matches {} users in different tenants; name one by id:\n{}",
            users.len(),
            users
                .iter()
                .map(|u| format!("  {}  {}  (tenant {})", u.id, u.name, u.tid))
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    fn identity(tid: u128, oid: u128, email: &str) -> MicrosoftIdentity {
        MicrosoftIdentity {
            tid: Uuid::from_u128(tid),
            oid: Uuid::from_u128(oid),
            name: "Claire Martin".into(),
            email: Some(email.into()),
            preferred_username: Some(email.into()),
        }
    }

    async fn upsert(pool: &PgPool, who: &MicrosoftIdentity) -> CurrentUser {
        let mut tx = pool.begin().await.unwrap();
        let user = upsert_microsoft_user(&mut tx, who).await.unwrap();
        tx.commit().await.unwrap();
        user
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn signing_in_twice_with_one_account_gives_one_user_with_the_new_name(pool: PgPool) {
        let first = upsert(&pool, &identity(1, 10, "claire@example.test")).await;
        let mut renamed = identity(1, 10, "claire@example.test");
        renamed.name = "Claire Martin-Dupont".into();
        let second = upsert(&pool, &renamed).await;
        assert_eq!(first.id, second.id);
        let found = find_user(&pool, first.id).await.unwrap().unwrap();
        assert_eq!(found.name, "Claire Martin-Dupont");
        let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(users, 1);
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn an_odd_name_from_microsoft_is_cleaned_and_shortened_not_a_failed_sign_in(
        pool: PgPool,
    ) {
        let mut odd = identity(1, 10, "claire@exam\0ple.test");
        odd.name = format!("Claire\0 \u{202E}Martin {}", "x".repeat(400));
        let user = upsert(&pool, &odd).await;
        let found = find_user(&pool, user.id).await.unwrap().unwrap();
        assert!(found.name.starts_with("Claire Martin x"), "{}", found.name);
        assert_eq!(found.name.chars().count(), 200);
        assert_eq!(found.email.as_deref(), Some("claire@example.test"));

        let mut blank = identity(1, 11, "nobody@example.test");
        blank.name = "\u{202E}\0".into();
        let user = upsert(&pool, &blank).await;
        assert_eq!(user.name, "nobody@example.test");
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn the_same_email_in_two_tenants_gives_two_users(pool: PgPool) {
        let a = upsert(&pool, &identity(1, 10, "alex@example.test")).await;
        let b = upsert(&pool, &identity(2, 20, "alex@example.test")).await;
        assert_ne!(a.id, b.id);
        let err = resolve_owner(&pool, "ALEX@example.test").await.unwrap_err();
        assert!(
            err.contains(&a.id.to_string()) && err.contains(&b.id.to_string()),
            "{err}"
        );
        assert_eq!(
            resolve_owner(&pool, &a.id.to_string()).await.unwrap().id,
            a.id
        );
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn an_email_of_one_user_resolves_to_that_user(pool: PgPool) {
        let a = upsert(&pool, &identity(1, 10, "claire@example.test")).await;
        assert_eq!(
            resolve_owner(&pool, "claire@example.test")
                .await
                .unwrap()
                .id,
            a.id
        );
        assert!(resolve_owner(&pool, "nobody@example.test")
            .await
            .unwrap_err()
            .contains("no user"));
    }
}
