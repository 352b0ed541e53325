//! The sending pages (`/compte/envoi` and `/campagnes/{id}/envois`), read for their rep before
//! they render (see `app::mail::ui`).

use std::sync::Arc;

use app::{
    auth::CurrentUser,
    error::AppError,
    mail::{
        html::{connect_error_message, SendingTab, SettingsPage},
        repo,
        ui::{Page, Prefetched},
    },
    prospects::repo::campaign_name,
    state::AppState,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

const SETTINGS: &str = "/compte/envoi";
const TAB: &str = "/campagnes/{id}/envois";

/// Mails listed on the Envois tab.
const LISTED: i64 = 200;

/// Reads what a sending page shows (for its rep), before it renders.
pub async fn prefetch(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let matched = crate::server_pages::route(&req);
    let user = req.extensions().get::<CurrentUser>().cloned();
    if let (Some(matched @ (SETTINGS | TAB)), Some(user)) = (matched, user) {
        let page = match matched {
            SETTINGS => {
                let error = req.uri().query().and_then(|q| {
                    form_urlencoded::parse(q.as_bytes())
                        .find(|(name, _)| name == "erreur")
                        .map(|(_, code)| code.into_owned())
                });
                settings(&state, &user, error.as_deref()).await
            }
            _ => match req
                .uri()
                .path()
                .split('/')
                .nth(2)
                .and_then(|id| Uuid::parse_str(id).ok())
            {
                Some(campaign) => tab(&state, user.id, campaign).await,
                // A malformed id is "not found", like another rep's.
                None => Ok(None),
            },
        };
        let page = page
            .map(|page| page.map(Arc::new))
            .map_err(|e| AppError::internal("reading a sending page", e));
        req.extensions_mut().insert(Prefetched(page));
    }
    next.run(req).await
}

async fn settings(
    state: &AppState,
    user: &CurrentUser,
    error: Option<&str>,
) -> Result<Option<Page>, sqlx::Error> {
    let pool = &state.pool;
    let client_id = state.config.microsoft_client_id.clone();
    Ok(Some(Page::Settings(SettingsPage {
        mailbox: repo::mailbox(pool, user.id).await?,
        settings: repo::settings(pool, user.id).await?,
        pace: repo::pace_state(pool, user.id).await?,
        tests: repo::emails(pool, user.id, None, 5).await?,
        error: error.map(|code| connect_error_message(code, &client_id, user.email.as_deref())),
        user_email: user.email.clone(),
        sender: app::mixer::repo::sender(pool, user.id).await?,
        client_id,
        now: state.clock.now(),
    })))
}

async fn tab(state: &AppState, user: Uuid, campaign: Uuid) -> Result<Option<Page>, sqlx::Error> {
    let pool = &state.pool;
    let Some(name) = campaign_name(pool, user, campaign).await? else {
        return Ok(None);
    };
    Ok(Some(Page::Tab(SendingTab {
        campaign: name,
        mailbox: repo::mailbox(pool, user).await?,
        settings: repo::settings(pool, user).await?,
        pace: repo::pace_state(pool, user).await?,
        counts: repo::counts(pool, user, campaign).await?,
        emails: repo::emails(pool, user, Some(campaign), LISTED).await?,
        rep_pace: state.config.outbox_rep_pace,
        exchange: state.config.pacing().exchange,
        now: state.clock.now(),
    })))
}
