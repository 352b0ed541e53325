//! The mixer's pages (templates, a prospect's products of interest, the mixer), read for their
//! rep before they render (see `app::mixer::ui`), and `POST /mixer/preview`, the mail a
//! template makes for one prospect, in JSON.

use std::sync::Arc;

use app::{
    auth::CurrentUser,
    error::{AppError, ErrorKind, FormAnswerEncoding},
    mixer::{
        api::{preview, Mixing, Source, ROUNDS},
        html::{InterestsPage, MixerPage, StandPage, TemplatePage, TemplatesPage},
        repo,
        ui::{Page, Prefetched},
    },
    prospects::repo::campaign_name,
    state::AppState,
    ui::not_found::Missing,
};
use axum::{
    extract::{Request, State},
    http::{StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::post,
    Extension, Json, Router,
};
use leptos::server_fn::ContentType;
use serde::Deserialize;

use uuid::Uuid;

const TEMPLATES: &str = "/compte/modeles";
const TEMPLATE: &str = "/compte/modeles/{id}";
const MIXER: &str = "/campagnes/{id}/mixer";
const STAND: &str = "/campagnes/{id}/stand";
const INTERESTS: &str = "/campagnes/{id}/produits/{prospect}";

/// Products offered on a prospect's page at once.
const FOUND: i64 = 30;

/// A query parameter of the request.
fn param(uri: &Uri, name: &str) -> Option<String> {
    uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    })
}

/// Segment `n` of the path, as an id.
fn id_at(uri: &Uri, n: usize) -> Option<Uuid> {
    uri.path()
        .split('/')
        .nth(n)
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// Reads what a mixer page shows (for its rep), before it renders.
pub async fn prefetch(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let matched = crate::server_pages::route(&req);
    let user = req.extensions().get::<CurrentUser>().cloned();
    let (Some(matched), Some(user)) = (matched, user) else {
        return next.run(req).await;
    };
    let pool = &state.pool;
    // The address alone: the request's body cannot be held across a read.
    let uri = req.uri().clone();
    let (page, missing) = match matched {
        TEMPLATES => (
            repo::templates(pool, user.id)
                .await
                .map(|templates| Some(Page::Templates(TemplatesPage { templates })))
                .map_err(AppError::from),
            Missing::TEMPLATE,
        ),
        TEMPLATE => {
            let page = if uri.path() == app::mixer::api::NEW_TEMPLATE_PATH {
                Ok(Some(Page::Template(TemplatePage { template: None })))
            } else {
                match id_at(&uri, 3) {
                    Some(id) => repo::template(pool, user.id, id)
                        .await
                        .map(|t| t.map(|t| Page::Template(TemplatePage { template: Some(t) })))
                        .map_err(AppError::from),
                    None => Ok(None),
                }
            };
            (page, Missing::TEMPLATE)
        }
        MIXER => (mixer(&state, &uri, user.id).await, Missing::CAMPAIGN),
        STAND => (stand(&state, &uri, user.id).await, Missing::CAMPAIGN),
        INTERESTS => (interests(&state, &uri, user.id).await, Missing::PROSPECT),
        _ => return next.run(req).await,
    };
    let page = page.map(|page| page.map(Arc::new));
    req.extensions_mut().insert(Prefetched(page, missing));
    next.run(req).await
}

async fn interests(state: &AppState, uri: &Uri, owner: Uuid) -> Result<Option<Page>, AppError> {
    let (Some(campaign), Some(prospect)) = (id_at(uri, 2), id_at(uri, 4)) else {
        return Ok(None);
    };
    let pool = &state.pool;
    let Some(name) = campaign_name(pool, owner, campaign).await? else {
        return Ok(None);
    };
    let Some(recipient) = repo::recipient(pool, owner, campaign, prospect).await? else {
        return Ok(None);
    };
    let q = param(uri, "q").unwrap_or_default();
    let (found, found_total) = app::catalog::repo::search(pool, owner, campaign, &q, FOUND).await?;
    Ok(Some(Page::Interests(Box::new(InterestsPage {
        campaign: name,
        recipient,
        q,
        found,
        found_total,
    }))))
}

/// Contacts offered on the stand screen at once.
const CONTACTS: usize = 12;
/// Products offered on the stand screen at once.
const STAND_PRODUCTS: i64 = 60;

async fn stand(state: &AppState, uri: &Uri, owner: Uuid) -> Result<Option<Page>, AppError> {
    let Some(campaign) = id_at(uri, 2) else {
        return Ok(None);
    };
    let pool = &state.pool;
    let Some(name) = campaign_name(pool, owner, campaign).await? else {
        return Ok(None);
    };
    let q = param(uri, "q").unwrap_or_default();
    let chosen = match param(uri, "prospect") {
        Some(id) => match Uuid::parse_str(&id).ok() {
            Some(id) => match repo::recipient(pool, owner, campaign, id).await? {
                Some(r) => Some(r),
                None => return Ok(None),
            },
            None => return Ok(None),
        },
        None => None,
    };
    let (contacts, (products, products_total)) = match &chosen {
        None => {
            let query = app::prospects::contact::ListQuery {
                q: Some(q.clone()),
                sort: app::prospects::contact::Sort::Recent,
                after: None,
            };
            let mut found = app::prospects::contact::list(pool, owner, campaign, &query).await?;
            found.items.truncate(CONTACTS);
            (found.items, (Vec::new(), 0))
        }
        Some(_) => (
            Vec::new(),
            app::catalog::repo::search(pool, owner, campaign, &q, STAND_PRODUCTS).await?,
        ),
    };
    Ok(Some(Page::Stand(Box::new(StandPage {
        campaign: name,
        q,
        contacts,
        chosen,
        products,
        products_total,
    }))))
}

async fn mixer(state: &AppState, uri: &Uri, owner: Uuid) -> Result<Option<Page>, AppError> {
    let Some(campaign) = id_at(uri, 2) else {
        return Ok(None);
    };
    let pool = &state.pool;
    let Some(name) = campaign_name(pool, owner, campaign).await? else {
        return Ok(None);
    };
    let templates = repo::templates(pool, owner).await?;
    // A template named in the address must be the rep's; none named: the last changed.
    let template = match param(uri, "modele") {
        Some(id) => match Uuid::parse_str(&id)
            .ok()
            .filter(|id| templates.iter().any(|t| t.id == *id))
        {
            Some(id) => Some(id),
            None => return Ok(None),
        },
        None => templates.first().map(|t| t.id),
    };
    let round = param(uri, "tour")
        .and_then(|r| r.parse::<i16>().ok())
        .filter(|r| (1..=ROUNDS).contains(r))
        .unwrap_or(1);
    let roster = repo::roster(pool, owner, campaign).await?;
    let prospect = match param(uri, "prospect") {
        Some(id) => match Uuid::parse_str(&id)
            .ok()
            .filter(|id| roster.iter().any(|(p, _, _)| p == id))
        {
            Some(id) => Some(id),
            None => return Ok(None),
        },
        None => roster.first().map(|(id, _, _)| *id),
    };
    let current = match (template, prospect) {
        (Some(template), Some(prospect)) => {
            match repo::recipient(pool, owner, campaign, prospect).await? {
                Some(recipient) => {
                    let mail = match Mixing::new(
                        pool,
                        &state.config,
                        owner,
                        campaign,
                        Source::Saved(template),
                    )
                    .await
                    {
                        Ok(mixing) => Ok(mixing.mail(&recipient)),
                        // A template that no longer reads: said on the page, with where.
                        Err(e) if e.kind == ErrorKind::Unprocessable => Err(e),
                        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(e),
                    };
                    Some((recipient, mail))
                }
                None => None,
            }
        }
        _ => None,
    };
    let mailbox = app::mail::repo::mailbox(pool, owner)
        .await?
        .is_some_and(|m| m.status == "active");
    let with_products = roster.iter().filter(|(_, _, n)| *n > 0).count();
    let finish = if state.config.outbox_rep_pace && with_products > 0 {
        let settings = app::mail::repo::settings(pool, owner).await?;
        let paced = app::mail::repo::pace_state(pool, owner).await?;
        let waiting = repo::waiting(pool, owner).await?;
        let now = state.clock.now();
        let pace = settings.pace();
        let end = pace.finish(
            now,
            paced.paced_next_at.unwrap_or(now),
            paced.day,
            u32::try_from(paced.sent_on_day).unwrap_or(0),
            u32::try_from(waiting as usize + with_products).unwrap_or(u32::MAX),
            state.config.pacing().exchange.spacing(),
        );
        Some(app::mail::pace::french_when(end, now, pace.time_zone))
    } else {
        None
    };
    Ok(Some(Page::Mixer(Box::new(MixerPage {
        campaign: name,
        templates,
        template,
        round,
        roster,
        current,
        rounds: repo::rounds(pool, owner, campaign).await?,
        mailbox,
        finish,
    }))))
}

/// `POST /mixer/preview` (a session or an internal token).
pub fn router() -> Router<AppState> {
    Router::new().route("/mixer/preview", post(preview_json))
}

/// A preview's request: a saved template (`template_id`) or one written inline.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    campaign: Uuid,
    prospect: Uuid,
    template_id: Option<Uuid>,
    template: Option<InlineTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InlineTemplate {
    subject: String,
    body: String,
}

async fn preview_json(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    headers: axum::http::HeaderMap,
    body: Result<Json<PreviewRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    // The mixer's page asks as its forms do: a template that does not read is an answer
    // (200, `{"refused": …}`), not a failure the browser logs.
    let page = headers
        .get(axum::http::header::ACCEPT)
        .is_some_and(|a| a.as_bytes() == FormAnswerEncoding::CONTENT_TYPE.as_bytes());
    let Some(Extension(user)) = user else {
        return error(AppError::unauthorized());
    };
    let request = match body {
        Ok(Json(request)) => request,
        Err(e) => {
            return error(AppError::new(
                ErrorKind::BadRequest,
                format!("Requête illisible : {}", e.body_text()),
            ))
        }
    };
    let source = match (request.template_id, request.template) {
        (Some(id), None) => Source::Saved(id),
        (None, Some(t)) => Source::Inline {
            subject: t.subject,
            body: t.body,
        },
        _ => {
            return error(AppError::new(
                ErrorKind::BadRequest,
                "Donnez soit « template_id », soit « template » (objet et message).",
            ))
        }
    };
    match preview(
        &state.pool,
        &state.config,
        user.id,
        request.campaign,
        request.prospect,
        source,
    )
    .await
    {
        Ok(rendered) => Json(rendered).into_response(),
        Err(e) if page && e.kind == ErrorKind::Unprocessable => {
            Json(serde_json::json!({ "refused": e })).into_response()
        }
        Err(e) => error(e),
    }
}

/// An error as JSON, with its status.
fn error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(e)).into_response()
}
