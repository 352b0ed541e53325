//! `POST /{tenant}/oauth2/v2.0/token`: authorization codes and refresh tokens.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::control::Fault;
use crate::directory::{Account, Authority, TENANTS};
use crate::keys::GRAPH_RESOURCE_ID;
use crate::keys::{random_token, sha256_b64url, sha256_hex, AccessTokenClaims, SigningKey};
use crate::store::RefreshGrant;
use crate::web::{no_store, AadError, Params};
use crate::{lock, App, ClientRegistration};

const CODE_LIFETIME_SECS: i64 = 600;
const TOKEN_LIFETIME_SECS: i64 = 3600;
const REFRESH_LIFETIME_SECS: i64 = 90 * 24 * 3600;
/// Microsoft reports one second less than the token's lifetime.
const EXPIRES_IN: i64 = TOKEN_LIFETIME_SECS - 1;
const GRAPH_PREFIX: &str = "https://graph.microsoft.com/";

/// An authorization code, single use, bound to everything the request said.
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub account: Account,
    pub issued_at: i64,
    pub redeemed: bool,
}

/// Stores `code` and returns its opaque value.
pub(crate) fn issue_code(app: &App, code: AuthCode) -> String {
    let value = random_token(32);
    let mut codes = lock(&app.codes);
    let now = code.issued_at;
    // Redeemed codes are kept until they expire, to answer a replay with AADSTS54005.
    codes.retain(|_, c| now - c.issued_at < CODE_LIFETIME_SECS);
    codes.insert(value.clone(), code);
    value
}

/// The pairwise `sub` of a user for one client, base64url like Microsoft's.
fn pairwise_sub(client_id: &str, oid: &str) -> String {
    sha256_b64url(format!("{client_id}:{oid}").as_bytes())
}

/// `POST /{tenant}/oauth2/v2.0/token`
pub(crate) async fn token(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match exchange(&app, &tenant, &headers, &body).await {
        Ok(body) => (no_store(), Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn exchange(
    app: &App,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, AadError> {
    let authority = Authority::parse(tenant).ok_or_else(|| AadError {
        error: "invalid_request",
        ..AadError::unknown_tenant(tenant)
    })?;
    let params = Params::parse(body);
    let grant_type = params
        .get("grant_type")
        .ok_or_else(|| AadError::missing("grant_type"))?;
    let client = authenticate(app, &params, headers)?;
    let now = chrono::Utc::now().timestamp();
    match grant_type {
        "authorization_code" => redeem_code(app, authority, client, &params, now).await,
        "refresh_token" => redeem_refresh_token(app, authority, client, &params, now).await,
        other => Err(AadError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

/// `client_secret_basic` (HTTP Basic) or `client_secret_post`.
fn authenticate<'a>(
    app: &'a App,
    params: &Params,
    headers: &HeaderMap,
) -> Result<&'a ClientRegistration, AadError> {
    let (client_id, secret) = match headers.get(header::AUTHORIZATION) {
        Some(value) => basic_credentials(value.as_bytes()).ok_or_else(|| {
            AadError::new(
                "invalid_client",
                90023,
                "The Authorization header is not valid Basic authentication.",
            )
            .with_status(StatusCode::UNAUTHORIZED)
        })?,
        None => (
            params
                .get("client_id")
                .ok_or_else(|| AadError::missing("client_id"))?
                .to_owned(),
            params.get("client_secret").map(str::to_owned),
        ),
    };
    let client = app.client(&client_id).ok_or_else(|| {
        AadError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory. \
                 You may have sent your authentication request to the wrong tenant."
            ),
        )
    })?;
    match secret {
        Some(secret) if secret == client.client_secret => Ok(client),
        Some(_) => Err(AadError::new(
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app \
                 '{client_id}'."
            ),
        )
        .with_status(StatusCode::UNAUTHORIZED)),
        None => Err(AadError::new(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'.",
        )
        .with_status(StatusCode::UNAUTHORIZED)),
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))`, as RFC 6749 §2.3.1 says.
fn basic_credentials(value: &[u8]) -> Option<(String, Option<String>)> {
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, Some(form_decode(secret)?)))
}

fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn invalid_grant(code: u32, message: &str) -> AadError {
    AadError::new("invalid_grant", code, message)
}

fn expired_grant() -> AadError {
    invalid_grant(
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. \
         Send a new interactive authorization request for this user and resource.",
    )
}

fn malformed_grant() -> AadError {
    invalid_grant(9002313, "Invalid request. Request is malformed or invalid.")
}

async fn redeem_code(
    app: &App,
    authority: Authority,
    client: &ClientRegistration,
    params: &Params,
    now: i64,
) -> Result<Value, AadError> {
    let code = params
        .get("code")
        .ok_or_else(|| AadError::missing("code"))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| AadError::missing("redirect_uri"))?;
    let (account, scope, nonce) = {
        let mut codes = lock(&app.codes);
        let Some(grant) = codes.get_mut(code) else {
            let well_formed = code.len() == 43
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            return Err(if well_formed {
                expired_grant()
            } else {
                malformed_grant()
            });
        };
        if grant.redeemed {
            return Err(invalid_grant(
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid \
                 code or use an existing refresh token.",
            ));
        }
        if now - grant.issued_at >= CODE_LIFETIME_SECS {
            return Err(expired_grant());
        }
        if grant.client_id != client.client_id {
            return Err(invalid_grant(
                70000,
                "Provided grant is invalid or malformed.",
            ));
        }
        if !authority.allows(&grant.account.tid) {
            return Err(invalid_grant(
                700005,
                "Provided Authorization Code is intended to use against other tenant, thus \
                 rejected.",
            ));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(invalid_grant(
                500112,
                &format!(
                    "The reply address '{redirect_uri}' does not match the reply address '{}' \
                     provided when requesting Authorization code.",
                    grant.redirect_uri
                ),
            ));
        }
        if let Some(challenge) = &grant.code_challenge {
            match params.get("code_verifier") {
                None => {
                    return Err(invalid_grant(
                        50148,
                        "The code_verifier does not match the code_challenge supplied in the \
                         authorization request for PKCE.",
                    ))
                }
                Some(verifier) if sha256_b64url(verifier.as_bytes()) != *challenge => {
                    return Err(invalid_grant(
                        501481,
                        "The Code_Verifier does not match the code_challenge supplied in the \
                         authorization request.",
                    ))
                }
                Some(_) => {}
            }
        }
        grant.redeemed = true;
        (
            grant.account.clone(),
            grant.scope.clone(),
            grant.nonce.clone(),
        )
    };
    let fault = lock(&app.next_fault).take();
    let refresh_scope = has_scope(&scope, "offline_access").then_some(scope.as_str());
    let tokens = Issue {
        client_id: &client.client_id,
        account: &account,
        scope: &scope,
        nonce: nonce.as_deref(),
        fault,
        refresh_scope,
        now,
    };
    tokens.issue(app).await
}

async fn redeem_refresh_token(
    app: &App,
    authority: Authority,
    client: &ClientRegistration,
    params: &Params,
    now: i64,
) -> Result<Value, AadError> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| AadError::missing("refresh_token"))?;
    let grant = app
        .store
        .find_refresh_grant(token)
        .await
        .ok_or_else(malformed_grant)?;
    if grant.expires_at <= now {
        return Err(expired_grant());
    }
    if grant.revoked {
        return Err(invalid_grant(
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is \
             needed. The user might have changed or reset their password.",
        ));
    }
    if grant.client_id != client.client_id {
        return Err(invalid_grant(
            70000,
            "Provided grant is invalid or malformed.",
        ));
    }
    if !authority.allows(&grant.tid) {
        return Err(invalid_grant(
            700005,
            "Provided refresh token is intended to use against other tenant, thus rejected.",
        ));
    }
    // A narrower scope may be asked for, never one the user did not consent to.
    let scope = match params.get("scope") {
        None => grant.scope.clone(),
        Some(requested) => {
            let consented = normalized(&grant.scope);
            let oidc = ["openid", "profile", "email", "offline_access"];
            let extra = normalized(requested)
                .into_iter()
                .find(|s| !consented.contains(s) && !oidc.contains(&s.as_str()));
            if let Some(extra) = extra {
                return Err(invalid_grant(
                    65001,
                    &format!(
                        "The user or administrator has not consented to use the application \
                         with ID '{}' for the scope '{extra}'. Send an interactive \
                         authorization request for this user and resource.",
                        client.client_id
                    ),
                ));
            }
            requested.to_owned()
        }
    };
    let account = app
        .store
        .find_account(&grant.tid, &grant.email)
        .await
        .ok_or_else(|| {
            invalid_grant(
                50034,
                &format!(
                    "The user account {} does not exist in the {} directory.",
                    grant.email, grant.tid
                ),
            )
        })?;
    let tokens = Issue {
        client_id: &client.client_id,
        account: &account,
        scope: &scope,
        nonce: None,
        fault: None,
        refresh_scope: Some(&grant.scope),
        now,
    };
    tokens.issue(app).await
}

/// Scopes without duplicates, Graph's URL prefix removed as Microsoft reports them.
fn normalized(scope: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.split_whitespace() {
        let s = s.strip_prefix(GRAPH_PREFIX).unwrap_or(s).to_owned();
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    scopes
}

fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split_whitespace().any(|s| s == wanted)
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    email: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    oid: String,
    preferred_username: &'a str,
    sub: String,
    tid: &'a str,
    uti: String,
    ver: &'static str,
}

/// One successful token response.
struct Issue<'a> {
    client_id: &'a str,
    account: &'a Account,
    scope: &'a str,
    nonce: Option<&'a str>,
    fault: Option<Fault>,
    /// The consented scope to attach to a new refresh token, if one is due.
    refresh_scope: Option<&'a str>,
    now: i64,
}

impl Issue<'_> {
    async fn issue(&self, app: &App) -> Result<Value, AadError> {
        self.try_issue(app).await.map_err(|e| {
            tracing::error!(error = %e, "could not issue tokens");
            AadError::new(
                "server_error",
                50000,
                "There was an error issuing a token or an issue with our sign-in service.",
            )
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
        })
    }

    async fn try_issue(&self, app: &App) -> anyhow::Result<Value> {
        let account = self.account;
        let granted = normalized(self.scope)
            .into_iter()
            .filter(|s| s != "offline_access")
            .collect::<Vec<_>>()
            .join(" ");
        let oid = account.oid().to_string();
        let access = AccessTokenClaims {
            aud: GRAPH_RESOURCE_ID.to_owned(),
            iss: format!("{}/{}/v2.0", app.base_url, account.tid),
            iat: self.now,
            nbf: self.now,
            exp: self.now + TOKEN_LIFETIME_SECS,
            appid: self.client_id.to_owned(),
            name: account.name.clone(),
            oid: oid.clone(),
            preferred_username: account.email.clone(),
            scp: granted.clone(),
            sub: pairwise_sub(GRAPH_RESOURCE_ID, &oid),
            tid: account.tid.clone(),
            uti: random_token(16),
            ver: "2.0".to_owned(),
        };
        let mut body = json!({
            "token_type": "Bearer",
            "scope": granted,
            "expires_in": EXPIRES_IN,
            "ext_expires_in": EXPIRES_IN,
            "access_token": app.signing_key().sign(&access)?,
        });
        if has_scope(self.scope, "openid") {
            body["id_token"] = self.id_token(app, oid).await?.into();
        }
        if let Some(consented) = self.refresh_scope {
            let token = random_token(48);
            let grant = RefreshGrant {
                token_sha256: sha256_hex(token.as_bytes()),
                client_id: self.client_id.to_owned(),
                tid: account.tid.clone(),
                email: account.email.clone(),
                scope: consented.to_owned(),
                expires_at: self.now + REFRESH_LIFETIME_SECS,
                revoked: false,
            };
            app.store.add_refresh_grant(grant, self.now).await?;
            body["refresh_token"] = token.into();
        }
        Ok(body)
    }

    async fn id_token(&self, app: &App, oid: String) -> anyhow::Result<String> {
        let account = self.account;
        let mut claims = IdTokenClaims {
            aud: self.client_id.to_owned(),
            iss: format!("{}/{}/v2.0", app.base_url, account.tid),
            iat: self.now,
            nbf: self.now,
            exp: self.now + TOKEN_LIFETIME_SECS,
            email: &account.email,
            name: &account.name,
            nonce: self.nonce.map(str::to_owned),
            sub: pairwise_sub(self.client_id, &oid),
            oid,
            preferred_username: &account.email,
            tid: &account.tid,
            uti: random_token(16),
            ver: "2.0",
        };
        let mut key = app.signing_key();
        match self.fault {
            None => {}
            Some(Fault::OtherKey) => {
                let kid = app.key.kid.clone();
                key = app
                    .impostor
                    .get_or_try_init(|| SigningKey::impostor(&kid))
                    .await?;
            }
            Some(Fault::Expired) => {
                claims.iat = self.now - 2 * TOKEN_LIFETIME_SECS;
                claims.nbf = claims.iat;
                claims.exp = self.now - TOKEN_LIFETIME_SECS;
            }
            Some(Fault::WrongAudience) => claims.aud = Uuid::new_v4().to_string(),
            Some(Fault::WrongIssuer) => {
                // Another real tenant: an issuer check against a list of known tenants passes.
                let other = TENANTS
                    .iter()
                    .find(|t| t.id != account.tid)
                    .map_or(crate::OTHER_TENANT_ID, |t| t.id);
                claims.iss = format!("{}/{other}/v2.0", app.base_url);
            }
            Some(Fault::WrongNonce) => claims.nonce = Some(random_token(16)),
            Some(Fault::MissingNonce) => claims.nonce = None,
            Some(Fault::NonGuidTid) => {
                let mut claims = serde_json::to_value(&claims)?;
                claims["tid"] = "not-a-guid".into();
                claims["iss"] = format!("{}/not-a-guid/v2.0", app.base_url).into();
                return key.sign(&claims);
            }
            Some(Fault::AlgNone) => {
                use base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
                let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?);
                return Ok(format!("{header}.{payload}."));
            }
            Some(Fault::Hs256) => {
                let secret = app
                    .client(self.client_id)
                    .map(|c| c.client_secret.clone())
                    .unwrap_or_default();
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
                header.kid = Some(app.key.kid.clone());
                return Ok(jsonwebtoken::encode(
                    &header,
                    &claims,
                    &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
                )?);
            }
            Some(Fault::SeveralAudiences) => {
                let mut claims = serde_json::to_value(&claims)?;
                claims["aud"] = json!([self.client_id, Uuid::new_v4().to_string()]);
                return key.sign(&claims);
            }
        }
        key.sign(&claims)
    }
}
