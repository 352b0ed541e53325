//! The page a mail's footer links to (`/desinscription/<token>`): public, rate-limited per
//! client address. Opening it changes nothing (mail scanners such as Safe Links open every
//! link); only its form's POST marks the contact "ne plus contacter" and puts the address on
//! the rep's suppression list. It says nothing of the rep's data, not even the address.

use std::net::SocketAddr;

use app::{mixer::opt_out::OptOutKey, state::AppState};
use axum::{
    extract::{ConnectInfo, Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use uuid::Uuid;

use crate::auth::rate_limit::SignInLimiter;

pub fn router(per_minute: u32) -> Router<AppState> {
    let limiter = SignInLimiter::new(per_minute);
    Router::new().route(
        "/desinscription/{token}",
        get({
            let limiter = limiter.clone();
            move |state, client, token| ask(state, client, token, limiter)
        })
        .post(move |state, client, token| confirm(state, client, token, limiter)),
    )
}

/// The rep whose contact the token names, once its signature is checked.
async fn owner_of(
    state: &AppState,
    token: &str,
) -> Result<Option<(Uuid, Uuid, bool)>, sqlx::Error> {
    let Some((prospect, tag)) = OptOutKey::prospect(token) else {
        return Ok(None);
    };
    let row: Option<(Uuid, bool)> =
        sqlx::query_as("SELECT owner_user_id, do_not_contact FROM prospects WHERE id = $1")
            .bind(prospect)
            .fetch_optional(&state.pool)
            .await?;
    Ok(row
        .filter(|(owner, _)| state.config.opt_out_key().verify(*owner, prospect, &tag))
        .map(|(owner, done)| (owner, prospect, done)))
}

async fn ask(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    limiter: SignInLimiter,
) -> Response {
    if !limiter.allows(client.ip()) {
        return too_many();
    }
    match owner_of(&state, &token).await {
        Ok(Some((_, _, true))) => page(StatusCode::OK, DONE),
        Ok(Some(_)) => page(
            StatusCode::OK,
            &format!(
                "<h1>Ne plus recevoir de messages</h1>\
                 <p>Vous avez reçu un message de prospection envoyé avec Spine. Confirmez pour que \
                 son expéditeur ne vous écrive plus.</p>\
                 <form method=\"post\" action=\"/desinscription/{token}\">\
                 <button type=\"submit\">Confirmer ma désinscription</button></form>"
            ),
        ),
        Ok(None) => page(StatusCode::NOT_FOUND, INVALID),
        Err(e) => failed(e),
    }
}

async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    limiter: SignInLimiter,
) -> Response {
    if !limiter.allows(client.ip()) {
        return too_many();
    }
    let (owner, prospect) = match owner_of(&state, &token).await {
        Ok(Some((owner, prospect, _))) => (owner, prospect),
        Ok(None) => return page(StatusCode::NOT_FOUND, INVALID),
        Err(e) => return failed(e),
    };
    let key = state.config.suppression_key();
    let done = async {
        let mut tx = state.pool.begin().await?;
        let changed =
            app::prospects::contact::opt_out_by_link(&mut tx, &key, owner, prospect).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(changed)
    }
    .await;
    match done {
        Ok(changed) => {
            if changed {
                tracing::info!(%prospect, "a contact opted out by the link of a mail");
            }
            page(StatusCode::OK, DONE)
        }
        Err(e) => failed(e),
    }
}

const DONE: &str = "<h1>Désinscription enregistrée</h1>\
    <p>Vous ne recevrez plus de messages de prospection de cet expéditeur.</p>";
const INVALID: &str = "<h1>Lien inconnu</h1>\
    <p>Ce lien de désinscription n’est pas valide : copiez-le en entier depuis le message reçu, \
    ou répondez à ce message en demandant à ne plus être contacté.</p>";

fn page(status: StatusCode, body: &str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        format!(
            "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\">\
             <title>Désinscription</title></head><body><main>{body}</main></body></html>"
        ),
    )
        .into_response()
}

fn too_many() -> Response {
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        "<h1>Trop de demandes</h1><p>Réessayez dans une minute.</p>",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
    response
}

fn failed(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "opt-out page");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "<h1>Service momentanément indisponible</h1><p>Réessayez dans quelques minutes.</p>",
    )
}
