//! Short-lived internal API tokens (HS256 JWT) for scripts and API clients. Each is recorded
//! by id when issued, so it can be revoked before it expires: a valid signature is not enough.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

const ISSUER: &str = "spine";
const AUDIENCE: &str = "spine-api";

/// How long a token asked for from a browser session is valid.
pub const TOKEN_TTL_SECONDS: i64 = 15 * 60;

/// The longest validity `spine token` may give (24 hours).
pub const MAX_TTL_SECONDS: i64 = 24 * 3600;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    jti: Uuid,
}

/// A minted token and when it expires (unix seconds).
#[derive(Serialize)]
pub struct IssuedToken {
    /// What `spine token --revoke` takes.
    pub id: Uuid,
    pub token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("id", &self.id)
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub user: Uuid,
    /// The token's id, which must still be live in the database.
    pub id: Uuid,
}

/// Issues a token for `user_id` valid `ttl_seconds` (at most [`MAX_TTL_SECONDS`]) and records
/// it, tied to the browser session that asked for it (`session_key`) if any.
pub async fn issue(
    pool: &PgPool,
    secret: &str,
    user_id: Uuid,
    ttl_seconds: i64,
    session_key: Option<&str>,
) -> anyhow::Result<IssuedToken> {
    anyhow::ensure!(
        ttl_seconds <= MAX_TTL_SECONDS,
        "a token is valid 24 hours at most"
    );
    let issued = mint(secret, user_id, ttl_seconds)?;
    let expires_at = chrono::DateTime::from_timestamp(issued.expires_at, 0)
        .ok_or_else(|| anyhow::anyhow!("expiry out of range"))?;
    app::auth::repo::record_api_token(pool, issued.id, user_id, expires_at, session_key).await?;
    Ok(issued)
}

/// Signs a token for `user_id` valid `ttl_seconds`; [`issue`] records it too.
fn mint(secret: &str, user_id: Uuid, ttl_seconds: i64) -> anyhow::Result<IssuedToken> {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: user_id,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + ttl_seconds,
        jti: Uuid::new_v4(),
    };
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?;
    Ok(IssuedToken {
        id: claims.jti,
        token,
        token_type: "Bearer",
        expires_in: ttl_seconds,
        expires_at: claims.exp,
    })
}

/// The user and id of a well-signed token; tampered, expired or foreign tokens (another issuer
/// or audience) are refused. Whether it was revoked is the database's to say.
pub fn verify(secret: &str, token: &str) -> Result<Verified, jsonwebtoken::errors::Error> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )?;
    Ok(Verified {
        user: data.claims.sub,
        id: data.claims.jti,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret-0123456789abcdef0123456789";

    #[test]
    fn a_minted_token_verifies_to_its_user_and_id() {
        let user = Uuid::new_v4();
        let issued = mint(SECRET, user, 60).unwrap();
        let verified = verify(SECRET, &issued.token).unwrap();
        assert_eq!(
            verified,
            Verified {
                user,
                id: issued.id
            }
        );
        assert!(!format!("{issued:?}").contains(&issued.token));
    }

    /// A token signed with Spine's key but meant for another issuer or audience.
    fn foreign(iss: &str, aud: &str) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::new_v4(),
            iss: iss.into(),
            aud: aud.into(),
            iat: now,
            exp: now + 60,
            jti: Uuid::new_v4(),
        };
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn a_token_for_another_issuer_or_audience_is_refused() {
        assert!(verify(SECRET, &foreign(ISSUER, AUDIENCE)).is_ok());
        assert!(verify(SECRET, &foreign("another-app", AUDIENCE)).is_err());
        assert!(verify(SECRET, &foreign(ISSUER, "another-api")).is_err());
    }

    #[test]
    fn a_token_signed_with_another_algorithm_or_none_is_refused() {
        let token = foreign(ISSUER, AUDIENCE);
        let payload = token.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT"}
        let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(verify(SECRET, &unsigned).is_err());
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let issued = mint(SECRET, Uuid::new_v4(), 60).unwrap();
        let mut parts: Vec<String> = issued.token.split('.').map(str::to_owned).collect();
        // Another user id in the payload, same signature.
        let other = mint(SECRET, Uuid::new_v4(), 60).unwrap();
        parts[1] = other.token.split('.').nth(1).unwrap().to_owned();
        assert!(verify(SECRET, &parts.join(".")).is_err());
        assert!(verify("another-secret-0123456789abcdef012345", &issued.token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let issued = mint(SECRET, Uuid::new_v4(), -1).unwrap();
        assert!(verify(SECRET, &issued.token).is_err());
    }
}
