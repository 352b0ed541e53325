//! "Connecter ma boîte Outlook": a second authorization code flow with PKCE, asking Microsoft
//! for `Mail.Send` (and a refresh token) only. The account that consents must be the signed-in
//! rep's own (same tenant and object id); its tokens are sealed at rest (`app::mail::seal`).

use std::sync::Arc;

use app::{
    error::AppError,
    mail::{api::SETTINGS_PATH, repo},
    state::AppState,
    ui::notice::Notice,
};
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use openidconnect::{
    core::CoreAuthenticationFlow, AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, Scope,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{
    microsoft::{verify_id_token, Microsoft, Refusal},
    AuthUser,
};

pub const CONNECT: &str = "/auth/outlook/connect";
pub const CALLBACK: &str = "/auth/outlook/callback";
pub const DISCONNECT: &str = "/auth/outlook/disconnect";

/// The permission asked for: sending mail as the rep, nothing else.
const MAIL_SEND: &str = "Mail.Send";

const PENDING_KEY: &str = "outlook_pending";
/// A consent started longer ago than this is refused.
const PENDING_TTL_SECONDS: i64 = 15 * 60;

/// What the connect step remembers for the callback, in the session.
#[derive(Serialize, Deserialize)]
struct PendingConsent {
    state: String,
    nonce: String,
    pkce_verifier: String,
    started_at: i64,
}

/// Back to "Envoi des mails", saying why connecting failed.
fn failed(code: &str) -> Response {
    Redirect::to(&format!("{SETTINGS_PATH}?erreur={code}")).into_response()
}

fn internal(context: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{context}");
    failed("indisponible")
}

/// `GET /auth/outlook/connect`: sends the rep to Microsoft to consent to `Mail.Send`. A link,
/// as sign-in's: a form may not post to another site (the page's `form-action 'self'`), and
/// a visit started elsewhere can only connect the rep's own mailbox (the callback checks it).
pub async fn connect(
    Extension(microsoft): Extension<Arc<Microsoft>>,
    AuthUser(user): AuthUser,
    session: Session,
) -> Response {
    let provider = match microsoft.provider().await {
        Ok(provider) => provider,
        Err(e) => return internal("Microsoft discovery failed", e),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = microsoft.client_to(&provider, &microsoft.mailbox_redirect_uri);
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new(MAIL_SEND.into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge);
    // The rep's own account comes first in Microsoft's picker.
    if let Some(email) = &user.email {
        request = request.add_extra_param("login_hint", email.clone());
    }
    let (url, state, nonce) = request.url();
    let pending = PendingConsent {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        started_at: chrono::Utc::now().timestamp(),
    };
    if let Err(e) = session.insert(PENDING_KEY, pending).await {
        return internal("storing the pending consent", e);
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Whether Microsoft's refusal means the rep's organisation wants an administrator to approve
/// the application first (AADSTS65001 consent required, AADSTS90094 admin approval needed).
fn needs_admin(error: &str, description: &str) -> bool {
    error == "consent_required"
        || ["AADSTS65001", "AADSTS90094", "AADSTS90008"]
            .iter()
            .any(|code| description.contains(code))
}

/// `GET /auth/outlook/callback`: checks state, exchanges the code, checks the account is the
/// rep's and that sending was granted, then keeps the grant sealed.
pub async fn callback(
    State(state): State<AppState>,
    Extension(microsoft): Extension<Arc<Microsoft>>,
    AuthUser(user): AuthUser,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    // Single use: a replayed callback finds nothing.
    let pending: Option<PendingConsent> = match session.remove(PENDING_KEY).await {
        Ok(pending) => pending,
        Err(e) => return internal("reading the pending consent", e),
    };
    if let Some(error) = &query.error {
        let description = query.error_description.as_deref().unwrap_or("");
        tracing::warn!(error = ?error, description = ?description, "Microsoft refused the consent");
        return failed(if needs_admin(error, description) {
            "admin"
        } else {
            "refus"
        });
    }
    let Some(pending) =
        pending.filter(|p| chrono::Utc::now().timestamp() - p.started_at <= PENDING_TTL_SECONDS)
    else {
        return failed("session");
    };
    if query.state.as_deref() != Some(pending.state.as_str()) {
        return failed("etat");
    }
    let Some(code) = query.code else {
        return failed("echange");
    };
    let provider = match microsoft.provider().await {
        Ok(provider) => provider,
        Err(e) => return internal("Microsoft discovery failed", e),
    };
    let client = microsoft.client_to(&provider, &microsoft.mailbox_redirect_uri);
    let exchange = match client.exchange_code(AuthorizationCode::new(code)) {
        Ok(exchange) => exchange,
        Err(e) => return internal("no token endpoint", e),
    };
    let tokens = match exchange
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(microsoft.http())
        .await
    {
        Ok(tokens) => tokens,
        Err(e) => {
            // The error names no token; its description may say why (admin consent).
            let text = e.to_string();
            tracing::warn!(error = %text, "mailbox code exchange refused");
            return failed(if needs_admin("", &text) {
                "admin"
            } else {
                "echange"
            });
        }
    };
    let identity = match verify_id_token(&client, &provider, &tokens, &pending.nonce) {
        Err(Refusal::UnknownKey) => match microsoft.refetched_provider().await {
            Ok(provider) => {
                let client = microsoft.client_to(&provider, &microsoft.mailbox_redirect_uri);
                verify_id_token(&client, &provider, &tokens, &pending.nonce)
            }
            Err(e) => return internal("Microsoft discovery failed", e),
        },
        verified => verified,
    };
    let Ok(identity) = identity else {
        return failed("jeton");
    };
    if identity.tid != user.tid || identity.oid != user.oid {
        tracing::warn!(user = %user.id, "a rep consented with another account than theirs");
        return failed("autre-compte");
    }
    let granted = tokens.scopes().is_some_and(|scopes| {
        scopes.iter().any(|s| {
            let s = s.as_str();
            let s = s.strip_prefix("https://graph.microsoft.com/").unwrap_or(s);
            s.eq_ignore_ascii_case(MAIL_SEND)
        })
    });
    let Some(refresh_token) = tokens.refresh_token().filter(|_| granted) else {
        return failed("portee");
    };
    let scopes = tokens
        .scopes()
        .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let expires_in = tokens
        .expires_in()
        .map_or(3600, |d| i64::try_from(d.as_secs()).unwrap_or(3600));
    let address = identity
        .email
        .clone()
        .or_else(|| identity.preferred_username.clone())
        .or_else(|| user.email.clone())
        .filter(|a| a.contains('@') && a.len() <= 320);
    let Some(address) = address else {
        return failed("adresse");
    };
    let grant = repo::NewGrant {
        tid: identity.tid,
        oid: identity.oid,
        address: &address,
        refresh_token: refresh_token.secret(),
        access_token: tokens.access_token().secret(),
        access_expires_at: state.clock.now() + chrono::Duration::seconds(expires_in),
        scopes: &scopes,
    };
    if let Err(e) = repo::save_grant(&state.pool, &state.config.sealer(), user.id, &grant).await {
        return internal("saving the grant", e);
    }
    tracing::info!(user = %user.id, "mailbox connected");
    let notice = Notice::new(
        format!("Boîte Outlook connectée : {address}. Envoyez-vous un test pour vérifier."),
        SETTINGS_PATH,
    );
    if let Err(e) = session.insert(Notice::SESSION_KEY, notice).await {
        tracing::warn!(error = %e, "leaving the notice");
    }
    Redirect::to(SETTINGS_PATH).into_response()
}

/// `POST /auth/outlook/disconnect`: forgets the rep's tokens; nothing leaves their mailbox
/// until they connect it again.
pub async fn disconnect(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    session: Session,
) -> Response {
    let message = match repo::disconnect(&state.pool, user.id).await {
        Ok(true) => "Boîte Outlook déconnectée : Spine n’enverra plus rien en votre nom.",
        Ok(false) => "Aucune boîte n’était connectée.",
        Err(e) => {
            let error = AppError::internal("disconnecting a mailbox", e);
            return (http::StatusCode::INTERNAL_SERVER_ERROR, error.message).into_response();
        }
    };
    if let Err(e) = session
        .insert(Notice::SESSION_KEY, Notice::new(message, SETTINGS_PATH))
        .await
    {
        tracing::warn!(error = %e, "leaving the notice");
    }
    Redirect::to(SETTINGS_PATH).into_response()
}

#[cfg(test)]
mod tests {
    use super::needs_admin;

    #[test]
    fn admin_consent_is_told_apart_from_a_refusal() {
        assert!(needs_admin("consent_required", ""));
        assert!(needs_admin(
            "access_denied",
            "AADSTS90094: The grant requires admin permission."
        ));
        assert!(needs_admin(
            "invalid_grant",
            "AADSTS65001: The user or administrator has not consented"
        ));
        assert!(!needs_admin(
            "access_denied",
            "AADSTS65004: User declined to consent to access the app."
        ));
    }
}
