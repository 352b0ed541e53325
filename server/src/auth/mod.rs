//! Authentication: Microsoft sign-in, sessions in Postgres, internal API tokens, and the
//! middleware that says who is calling.

pub mod csrf;
pub mod microsoft;
pub mod outlook;
pub mod rate_limit;
pub mod session_store;
pub mod tokens;

use std::sync::Arc;

use app::{
    auth::{repo, CurrentUser},
    state::AppState,
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::request::Parts,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use http::{header, Method, StatusCode};
use serde::{Deserialize, Serialize};
use tower_sessions::{
    cookie::{time::Duration, SameSite},
    Expiry, Session, SessionManagerLayer,
};
use uuid::Uuid;

pub use microsoft::Microsoft;
pub use session_store::PgSessionStore;

/// Session key of the signed-in rep.
pub(crate) const AUTH_KEY: &str = "auth";

/// What the session remembers of a sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionAuth {
    pub user_id: Uuid,
    /// Unix seconds; the absolute session lifetime counts from here.
    pub signed_in_at: i64,
    /// Unix seconds of the last time the idle expiry was pushed back.
    #[serde(default)]
    pub seen_at: i64,
}

/// A session's idle expiry is pushed back at most this often: a write per request would cost
/// more than the precision is worth.
const TOUCH_EVERY_SECONDS: i64 = 300;

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Session,
    Bearer,
}

/// Pages anyone may see; every other page of the app asks to sign in first.
const PUBLIC_PAGES: &[&str] = &["/", "/connexion"];

/// The session cookie's name: over https, `__Host-` makes browsers refuse it unless it is
/// Secure, for the whole host and set by this host (no sibling domain can plant one).
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-spine_session"
    } else {
        "spine_session"
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure outside plain-http development,
/// ended after `session_idle_minutes` without a request.
pub fn session_layer(state: &AppState) -> SessionManagerLayer<PgSessionStore> {
    let secure = state.config.secure_cookies();
    SessionManagerLayer::new(PgSessionStore::new(state.pool.clone()))
        .with_name(session_cookie_name(secure))
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(
            state.config.session_idle_minutes,
        )))
}

/// Routes of sign-in, sign-out, `/me` and internal tokens.
pub fn router(microsoft: Arc<Microsoft>, limiter: rate_limit::SignInLimiter) -> Router<AppState> {
    let sign_in = Router::new()
        .route("/auth/microsoft/login", get(microsoft::login))
        .route("/auth/microsoft/callback", get(microsoft::callback))
        .route_layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::limit_sign_in,
        ));
    Router::new()
        .merge(sign_in)
        .route("/auth/logout", post(logout))
        .route("/auth/token", post(issue_token))
        .route("/me", get(me))
        .route(outlook::CONNECT, get(outlook::connect))
        .route(outlook::CALLBACK, get(outlook::callback))
        .route(outlook::DISCONNECT, post(outlook::disconnect))
        .layer(Extension(microsoft))
}

/// 401 JSON, readable by API clients (`error`) and by the app as a server function's error
/// (`kind`), so a page can tell the session is gone.
fn unauthorized(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        Json(serde_json::json!({
            "error": "unauthorized",
            "kind": "unauthorized",
            "message": message,
            "request_id": null,
        })),
    )
        .into_response()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({ "error": "unavailable", "message": "Service momentanément indisponible." })),
    )
        .into_response()
}

/// Puts the [`CurrentUser`] in the request when a valid bearer token or session names one.
/// A bearer token that does not verify is refused outright (401), never treated as anonymous.
pub async fn authenticate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let verified = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|token| {
                tokens::verify(state.config.token_secret.expose(), token.trim()).ok()
            });
        let Some(verified) = verified else {
            return unauthorized("Jeton invalide ou expiré.");
        };
        match repo::find_api_token_user(&state.pool, verified.id, verified.user).await {
            Ok(Some(user)) => {
                req.extensions_mut().insert(user);
                req.extensions_mut().insert(AuthMethod::Bearer);
            }
            // Revoked (sign-out, `spine token --revoke`), or its user is gone.
            Ok(None) => return unauthorized("Jeton invalide, expiré ou révoqué."),
            Err(e) => {
                tracing::error!(error = %e, "loading the token's user");
                return unavailable();
            }
        }
        return next.run(req).await;
    }

    let auth = match session.get::<SessionAuth>(AUTH_KEY).await {
        Ok(auth) => auth,
        Err(e) => {
            tracing::error!(error = %e, "reading the session");
            return unavailable();
        }
    };
    if let Some(auth) = auth {
        let max_age = state.config.session_max_hours * 3600;
        let now = chrono::Utc::now().timestamp();
        if now - auth.signed_in_at > max_age {
            let _ = session.flush().await;
        } else {
            match repo::find_user(&state.pool, auth.user_id).await {
                Ok(Some(user)) => {
                    // tower-sessions saves (and so extends) only a changed session: an active
                    // rep's session is touched now and then so it does not expire under them.
                    if now - auth.seen_at > TOUCH_EVERY_SECONDS {
                        let touched = SessionAuth {
                            seen_at: now,
                            ..auth
                        };
                        if let Err(e) = session.insert(AUTH_KEY, touched).await {
                            tracing::warn!(error = %e, "extending the session");
                        }
                    }
                    req.extensions_mut().insert(user);
                    req.extensions_mut().insert(AuthMethod::Session);
                }
                Ok(None) => {
                    let _ = session.flush().await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "loading the session's user");
                    return unavailable();
                }
            }
        }
    }
    next.run(req).await
}

/// Server functions a visitor may call; every other one answers 401 before its arguments are
/// even read (each also calls `require_user()` for the user it works for).
const PUBLIC_SERVER_FNS: &[&str] = &["/api/signed_in_user", "/api/today_html"];

/// On the app's routes (pages and server functions): a visitor asking for a page that is not
/// public goes to `/connexion` and comes back after signing in; a visitor calling a server
/// function that is not public gets 401.
pub async fn require_sign_in(req: Request, next: Next) -> Response {
    if req.extensions().get::<CurrentUser>().is_some() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    if path.starts_with("/api/") {
        if !PUBLIC_SERVER_FNS.contains(&path) {
            return unauthorized("Votre session a expiré : reconnectez-vous pour continuer.");
        }
    } else if matches!(*req.method(), Method::GET | Method::HEAD) && !PUBLIC_PAGES.contains(&path) {
        let wanted = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let sign_in = app::ui::query::Query::new()
            .set("next", wanted)
            .href("/connexion");
        return Redirect::to(&sign_in).into_response();
    }
    next.run(req).await
}

/// The signed-in rep; answers 401 JSON otherwise.
pub struct AuthUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .map(AuthUser)
            .ok_or_else(|| unauthorized("Veuillez vous connecter."))
    }
}

/// The signed-in rep, if any.
pub struct MaybeAuthUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuthUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuthUser(
            parts.extensions.get::<CurrentUser>().cloned(),
        ))
    }
}

/// `GET /me`.
async fn me(AuthUser(user): AuthUser) -> Json<CurrentUser> {
    Json(user)
}

/// `POST /auth/token`: a short-lived token for API clients, from a signed-in browser session
/// (a token cannot renew itself).
async fn issue_token(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Extension(method): Extension<AuthMethod>,
    session: Session,
) -> Response {
    if method != AuthMethod::Session {
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({
                "error": "session_required",
                "message": "Un jeton s’obtient depuis une session ouverte dans le navigateur.",
            })),
        )
            .into_response();
    }
    // Tied to this browser session: signing out revokes it.
    let session_key = session.id().map(|id| session_store::session_key(&id));
    match tokens::issue(
        &state.pool,
        state.config.token_secret.expose(),
        user.id,
        tokens::TOKEN_TTL_SECONDS,
        session_key.as_deref(),
    )
    .await
    {
        Ok(token) => Json(token).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "minting a token");
            unavailable()
        }
    }
}

/// `POST /auth/logout`: ends the session everywhere it was stored, and revokes the API tokens
/// it asked for.
async fn logout(State(state): State<AppState>, session: Session) -> Response {
    if let Some(id) = session.id() {
        let key = session_store::session_key(&id);
        if let Err(e) = repo::revoke_session_api_tokens(&state.pool, &key).await {
            tracing::error!(error = %e, "revoking the session's tokens");
            return unavailable();
        }
    }
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "ending the session");
        return unavailable();
    }
    Redirect::to("/connexion?deconnecte=1").into_response()
}
