//! Sign in with Microsoft: multi-tenant OpenID Connect, authorization code flow with PKCE.
//!
//! Microsoft's multi-tenant discovery document names its issuer with a `{tenantid}` template,
//! which generic OIDC discovery refuses. So we fetch the document and the JWKS ourselves, let
//! `openidconnect` verify the ID token (signature, audience, nonce, expiry) with its issuer
//! match off, then compare `iss` with the template filled with the token's own `tid`.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use app::{
    auth::repo::{self, MicrosoftIdentity},
    config::Config,
    state::AppState,
};
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use openidconnect::{
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
        CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
        CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
    },
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use tower_sessions::Session;
use uuid::Uuid;

use super::{SessionAuth, AUTH_KEY};

/// The claims Microsoft adds that identify an account: tenant and object id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MicrosoftClaims {
    pub tid: String,
    pub oid: String,
}
impl AdditionalClaims for MicrosoftClaims {}

pub(super) type MicrosoftTokenResponse = StandardTokenResponse<
    IdTokenFields<
        MicrosoftClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

pub(super) type MicrosoftClient = Client<
    MicrosoftClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    MicrosoftTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovery document and keys are re-read after this long (Microsoft announces new signing
/// keys well before it uses them).
const PROVIDER_TTL: Duration = Duration::from_secs(3600);
/// A token signed by a key Spine does not know makes it fetch the key set again, at most this
/// often (Microsoft rotates keys; a stream of bad tokens must not turn into a stream of fetches).
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);
/// A sign-in started longer ago than this is refused.
const PENDING_TTL_SECONDS: i64 = 15 * 60;
const PENDING_KEY: &str = "oidc_pending";

/// What the login step remembers for the callback, in the session.
#[derive(Serialize, Deserialize)]
struct PendingSignIn {
    state: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
    started_at: i64,
}

/// Why a sign-in failed; each maps to a French message on `/connexion`.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    Refused,
    NoPendingSignIn,
    StateMismatch,
    CodeExchange,
    InvalidIdToken,
    Unavailable,
    Database,
}

impl Failure {
    fn code(self) -> &'static str {
        match self {
            Failure::Refused => "refus",
            Failure::NoPendingSignIn => "session",
            Failure::StateMismatch => "etat",
            Failure::CodeExchange => "echange",
            Failure::InvalidIdToken => "jeton",
            Failure::Unavailable | Failure::Database => "indisponible",
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/connexion?erreur={}", self.code())).into_response()
    }
}

/// The Microsoft identity platform as Spine uses it: one configured application, any tenant.
pub struct Microsoft {
    http: reqwest::Client,
    authority: String,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect_uri: RedirectUrl,
    /// Where Microsoft sends the rep back after consenting to send mail (`super::outlook`).
    pub(super) mailbox_redirect_uri: RedirectUrl,
    provider: RwLock<Option<(Instant, Arc<CoreProviderMetadata>)>>,
    /// When a token under an unknown key last made Spine fetch the key set again.
    last_refetch: std::sync::Mutex<Option<Instant>>,
}

impl Microsoft {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        // Never follow redirects: a token endpoint that redirects is not to be trusted (SSRF).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        let public_url = config.public_url.trim_end_matches('/');
        let redirect_uri = RedirectUrl::new(format!("{public_url}/auth/microsoft/callback"))?;
        let mailbox_redirect_uri =
            RedirectUrl::new(format!("{public_url}{}", super::outlook::CALLBACK))?;
        Ok(Microsoft {
            http,
            authority: config.microsoft_authority.trim_end_matches('/').to_string(),
            client_id: ClientId::new(config.microsoft_client_id.clone()),
            client_secret: ClientSecret::new(config.microsoft_client_secret.expose().to_string()),
            redirect_uri,
            mailbox_redirect_uri,
            provider: RwLock::new(None),
            last_refetch: std::sync::Mutex::new(None),
        })
    }

    pub(super) async fn provider(&self) -> anyhow::Result<Arc<CoreProviderMetadata>> {
        if let Some((at, provider)) = self.provider.read().await.as_ref() {
            if at.elapsed() < PROVIDER_TTL {
                return Ok(provider.clone());
            }
        }
        self.fetch_provider().await
    }

    /// The metadata and key set fetched again, unless an unknown key already made Spine do so
    /// a moment ago.
    pub(super) async fn refetched_provider(&self) -> anyhow::Result<Arc<CoreProviderMetadata>> {
        let recently = {
            let mut last = self
                .last_refetch
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let recently = last.is_some_and(|at| at.elapsed() < REFETCH_AT_MOST_EVERY);
            if !recently {
                *last = Some(Instant::now());
            }
            recently
        };
        if recently {
            if let Some((_, provider)) = self.provider.read().await.as_ref() {
                return Ok(provider.clone());
            }
        }
        self.fetch_provider().await
    }

    async fn fetch_provider(&self) -> anyhow::Result<Arc<CoreProviderMetadata>> {
        let url = format!("{}/.well-known/openid-configuration", self.authority);
        let metadata: CoreProviderMetadata = self.get_json(&url).await?;
        let jwks: CoreJsonWebKeySet = self.get_json(metadata.jwks_uri().url().as_str()).await?;
        let provider = Arc::new(metadata.set_jwks(jwks));
        *self.provider.write().await = Some((Instant::now(), provider.clone()));
        Ok(provider)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> anyhow::Result<T> {
        let res = self.http.get(url).send().await?.error_for_status()?;
        Ok(res.json().await?)
    }

    fn client(&self, provider: &CoreProviderMetadata) -> MicrosoftClient {
        self.client_to(provider, &self.redirect_uri)
    }

    /// The client, sending the rep back to `redirect_uri`.
    pub(super) fn client_to(
        &self,
        provider: &CoreProviderMetadata,
        redirect_uri: &RedirectUrl,
    ) -> MicrosoftClient {
        MicrosoftClient::from_provider_metadata(
            provider.clone(),
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(redirect_uri.clone())
    }

    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only a path of Spine itself: `next` must not send the rep to another site after sign-in.
/// Anything but a plain `/path?query` falls back to `/`: control characters (browsers drop tabs
/// and newlines, so `/\t/x` would become `//x`), backslashes (read as `/`), `//`, schemes; what
/// is left is resolved as a URL and must stay on the origin it was resolved against.
pub(crate) fn local_path(next: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(next) = next else {
        return HOME.into();
    };
    if !next.starts_with('/')
        || next.starts_with("//")
        || next.contains('\\')
        || next.chars().any(char::is_control)
    {
        return HOME.into();
    }
    let origin = reqwest::Url::parse("https://spine.invalid/").expect("a valid base URL");
    match origin.join(next) {
        // Resolving drops `.` and `..` segments: `/.//x` becomes `//x`, another site's address.
        Ok(url) if url.path().starts_with("//") => HOME.into(),
        Ok(url) if url.origin() == origin.origin() => {
            let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
            // A place in the page (the product a review form came from) stays.
            let fragment = url.fragment().map(|f| format!("#{f}")).unwrap_or_default();
            format!("{}{query}{fragment}", url.path())
        }
        _ => HOME.into(),
    }
}

/// `GET /auth/microsoft/login`: remembers state, nonce and PKCE verifier, then sends the rep
/// to Microsoft.
pub async fn login(
    Extension(microsoft): Extension<Arc<Microsoft>>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Result<Redirect, Failure> {
    let provider = microsoft.provider().await.map_err(|e| {
        tracing::error!(error = %e, "Microsoft discovery failed");
        Failure::Unavailable
    })?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = microsoft
        .client(&provider)
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = PendingSignIn {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: local_path(query.next.as_deref()),
        started_at: chrono::Utc::now().timestamp(),
    };
    session.insert(PENDING_KEY, pending).await.map_err(|e| {
        tracing::error!(error = %e, "storing the pending sign-in");
        Failure::Database
    })?;
    Ok(Redirect::to(url.as_str()))
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /auth/microsoft/callback`: checks state, exchanges the code, verifies the ID token,
/// then signs the rep in. Any failure stores nothing and explains itself on `/connexion`.
pub async fn callback(
    State(state): State<AppState>,
    Extension(microsoft): Extension<Arc<Microsoft>>,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Result<Redirect, Failure> {
    // Single use: a replayed callback finds nothing.
    let pending: Option<PendingSignIn> = session.remove(PENDING_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "reading the pending sign-in");
        Failure::Database
    })?;
    if let Some(error) = &query.error {
        // Debug-formatted: the parameters cannot start a log line of their own.
        tracing::warn!(
            error = ?error,
            description = ?query.error_description.as_deref().unwrap_or(""),
            "Microsoft refused the sign-in"
        );
        return Err(Failure::Refused);
    }
    let pending = pending
        .filter(|p| chrono::Utc::now().timestamp() - p.started_at <= PENDING_TTL_SECONDS)
        .ok_or(Failure::NoPendingSignIn)?;
    if query.state.as_deref() != Some(pending.state.as_str()) {
        return Err(Failure::StateMismatch);
    }
    let code = query.code.ok_or(Failure::CodeExchange)?;

    let provider = microsoft.provider().await.map_err(|e| {
        tracing::error!(error = %e, "Microsoft discovery failed");
        Failure::Unavailable
    })?;
    let client = microsoft.client(&provider);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| {
            tracing::error!(error = %e, "no token endpoint");
            Failure::Unavailable
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&microsoft.http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "code exchange refused");
            Failure::CodeExchange
        })?;

    let identity = match verify_id_token(&client, &provider, &tokens, &pending.nonce) {
        // Microsoft rotated its keys since Spine fetched them: once more with the new set.
        Err(Refusal::UnknownKey) => {
            let provider = microsoft.refetched_provider().await.map_err(|e| {
                tracing::error!(error = %e, "Microsoft discovery failed");
                Failure::Unavailable
            })?;
            let client = microsoft.client(&provider);
            verify_id_token(&client, &provider, &tokens, &pending.nonce)
        }
        verified => verified,
    }
    .map_err(|_| Failure::InvalidIdToken)?;
    let mut tx = state.pool.begin().await.map_err(|e| {
        tracing::error!(error = %e, "begin");
        Failure::Database
    })?;
    let user = repo::upsert_microsoft_user(&mut tx, &identity)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "upserting the user");
            Failure::Database
        })?;
    tx.commit().await.map_err(|_| Failure::Database)?;

    // A new session id at sign-in: an id planted before cannot ride the signed-in session.
    session.cycle_id().await.map_err(|_| Failure::Database)?;
    let now = chrono::Utc::now().timestamp();
    let auth = SessionAuth {
        user_id: user.id,
        signed_in_at: now,
        seen_at: now,
    };
    session
        .insert(AUTH_KEY, auth)
        .await
        .map_err(|_| Failure::Database)?;
    tracing::info!(user = %user.id, "signed in");
    Ok(Redirect::to(&pending.next))
}

/// Why an ID token was not accepted.
pub(super) enum Refusal {
    /// Signed under a key id the key set does not have (yet).
    UnknownKey,
    Invalid,
}

pub(super) fn verify_id_token(
    client: &MicrosoftClient,
    provider: &CoreProviderMetadata,
    tokens: &MicrosoftTokenResponse,
    nonce: &str,
) -> Result<MicrosoftIdentity, Refusal> {
    use openidconnect::{ClaimsVerificationError, SignatureVerificationError};
    let refuse = |reason: &str| {
        tracing::warn!(reason, "ID token refused");
        Refusal::Invalid
    };
    let id_token = tokens.id_token().ok_or_else(|| refuse("no ID token"))?;
    let verifier = client.id_token_verifier().require_issuer_match(false);
    let claims = id_token
        .claims(&verifier, &Nonce::new(nonce.to_string()))
        .map_err(|e| match e {
            ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            ) => {
                tracing::info!("ID token signed by a key not in the cached key set");
                Refusal::UnknownKey
            }
            e => refuse(&e.to_string()),
        })?;

    let extra = claims.additional_claims();
    let tid = Uuid::parse_str(&extra.tid).map_err(|_| refuse("tid is not a GUID"))?;
    let oid = Uuid::parse_str(&extra.oid).map_err(|_| refuse("oid is not a GUID"))?;
    let expected_issuer = provider
        .issuer()
        .as_str()
        .replace("{tenantid}", &tid.to_string());
    if claims.issuer().as_str() != expected_issuer {
        return Err(refuse("issuer does not match the token's tenant"));
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().trim().to_string())
        .filter(|n| !n.is_empty());
    let preferred_username = claims.preferred_username().map(|u| u.as_str().to_string());
    let email = claims.email().map(|e| e.as_str().to_string());
    let name = name
        .or_else(|| preferred_username.clone())
        .ok_or_else(|| refuse("no name"))?;
    Ok(MicrosoftIdentity {
        tid,
        oid,
        name,
        email,
        preferred_username,
    })
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_stays_on_spine() {
        assert_eq!(local_path(Some("/compte?x=1")), "/compte?x=1");
        assert_eq!(
            local_path(Some("/c/1?vue=tous#produit-2")),
            "/c/1?vue=tous#produit-2"
        );
        assert_eq!(local_path(Some("/campagnes/a b")), "/campagnes/a%20b");
        for evil in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\u{7f}/evil.example",
            "/\u{85}/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/.//evil.example",
            "/..//evil.example",
            "/%2e//evil.example",
            "/a/..//evil.example",
            "",
        ] {
            assert_eq!(local_path(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
