//! Short-lived internal API tokens (HS256 JWT) for scripts and API clients.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const ISSUER: &str = "spine";
const AUDIENCE: &str = "spine-api";

/// How long an internal token is valid.
pub const TOKEN_TTL_SECONDS: i64 = 15 * 60;

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
#[derive(Debug, Serialize)]
pub struct IssuedToken {
    pub token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub expires_at: i64,
}

/// Signs a token for `user_id` valid `ttl_seconds`.
pub fn mint(secret: &str, user_id: Uuid, ttl_seconds: i64) -> anyhow::Result<IssuedToken> {
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
        token,
        token_type: "Bearer",
        expires_in: ttl_seconds,
        expires_at: claims.exp,
    })
}

/// The user id of a valid token; tampered, expired or foreign tokens are refused.
pub fn verify(secret: &str, token: &str) -> Result<Uuid, jsonwebtoken::errors::Error> {
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
    Ok(data.claims.sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret-0123456789abcdef0123456789";

    #[test]
    fn a_minted_token_verifies_to_its_user() {
        let user = Uuid::new_v4();
        let issued = mint(SECRET, user, 60).unwrap();
        assert_eq!(verify(SECRET, &issued.token).unwrap(), user);
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
