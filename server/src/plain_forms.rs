//! Forms posted by the browser itself, before the page's WASM arrived (see `app::ui::plain_post`).
//!
//! Such a post asks for HTML, so it never gets a server function's JSON: on success it is sent
//! (303) where the server function redirects, or back to the form's page; on a refusal the
//! error and the fields as typed wait in the session for the form's page, which shows them; a
//! session that ended leads to sign-in, coming back to the page after.

use app::{
    error::{AppError, FormAnswerEncoding, REFUSED},
    ui::{notice::Notice, plain_post::Returned},
};
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http::{header, HeaderValue, Method, StatusCode};
use leptos::server_fn::ContentType;
use tower_sessions::Session;

use crate::{auth::microsoft::local_path, limits::MAX_BODY_BYTES};

/// Whether `req` is a form the browser posted itself to a server function.
fn is_plain_post(req: &Request) -> bool {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header(header::ACCEPT).contains("text/html")
        && header(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
}

/// Answers plain form posts with pages, and hands a refused one to the next page.
pub async fn plain_forms(req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    if is_plain_post(&req) {
        return answer_plain_post(session, req, next).await;
    }
    if asks_form_answer(&req) {
        return refusal_as_answer(next.run(req).await).await;
    }
    let mut req = req;
    if req.method() == Method::GET && !req.uri().path().starts_with("/api/") {
        if let Some(session) = &session {
            // Only the page they were left for takes them (not another tab's request).
            let path = req.uri().path().to_string();
            if let Some(returned) =
                take::<Returned>(session, Returned::SESSION_KEY, |r| r.page == path).await
            {
                req.extensions_mut().insert(returned);
            }
            if let Some(notice) =
                take::<Notice>(session, Notice::SESSION_KEY, |n| n.page == path).await
            {
                req.extensions_mut().insert(notice);
            }
        }
    }
    next.run(req).await
}

/// Whether `req` comes from a form's server function once the WASM runs (see
/// `app::error::FormAnswerEncoding`).
fn asks_form_answer(req: &Request) -> bool {
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains(FormAnswerEncoding::CONTENT_TYPE))
}

/// A refusal (4xx) sent as `{"refused": error}` with status 200, so the browser does not log
/// it as a failed load; the status stays in the `x-spine-refused` header.
async fn refusal_as_answer(res: Response) -> Response {
    let status = res.status();
    if !status.is_client_error() {
        return res;
    }
    let Ok(error) = to_bytes(res.into_body(), MAX_BODY_BYTES).await else {
        return status.into_response();
    };
    let mut body = Vec::with_capacity(REFUSED.len() + error.len() + 1);
    body.extend_from_slice(REFUSED.as_bytes());
    body.extend_from_slice(&error);
    body.push(b'}');
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(FormAnswerEncoding::CONTENT_TYPE),
            ),
            (REFUSED_STATUS, HeaderValue::from(status.as_u16())),
        ],
        body,
    )
        .into_response()
}

/// The status of a refusal answered with 200.
const REFUSED_STATUS: header::HeaderName = header::HeaderName::from_static("x-spine-refused");

/// What the previous plain post left under `key` for this page (`here`), removed from the
/// session.
async fn take<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
    here: impl FnOnce(&T) -> bool,
) -> Option<T> {
    // Read before removing: a removal marks the session changed, which saves it.
    match session.get::<T>(key).await {
        Ok(Some(value)) if here(&value) => {
            let _ = session.remove_value(key).await;
            Some(value)
        }
        Ok(Some(_)) => None,
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, key, "reading what a form left for this page");
            None
        }
    }
}

/// The notice of a saving server function's answer (see `app::ui::notice::Saved`).
#[derive(serde::Deserialize)]
struct WithNotice {
    notice: Notice,
}

async fn answer_plain_post(session: Option<Session>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let mut page = None;
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .filter_map(|(name, value)| {
            if name == app::ui::plain_post::PAGE_FIELD {
                page = Some(value.into_owned());
                None
            } else {
                Some((name.into_owned(), value.into_owned()))
            }
        })
        .collect();
    // Where the form was: its own field, else the Referer; only ever a path of Spine.
    let page = page.or_else(|| {
        let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
        let url = reqwest::Url::parse(referer).ok()?;
        Some(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    });
    let page = local_path(page.as_deref());
    let action = parts.uri.path().to_string();

    // Asked as the WASM asks: Leptos then reports a redirect in a header instead of answering
    // with one, and its own "back to the Referer" (which loses the error) stays out of the way.
    parts
        .headers
        .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter())
        .finish();
    parts.headers.remove(header::CONTENT_LENGTH);
    let res = next.run(Request::from_parts(parts, Body::from(body))).await;

    let status = res.status();
    if status.is_success() {
        let target = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| local_path(Some(l)))
            .unwrap_or(page);
        let notice = match to_bytes(res.into_body(), MAX_BODY_BYTES).await {
            Ok(body) => serde_json::from_slice::<WithNotice>(&body).ok(),
            Err(_) => None,
        };
        if let (Some(session), Some(WithNotice { notice })) = (&session, notice) {
            if let Err(e) = session.insert(Notice::SESSION_KEY, notice).await {
                tracing::warn!(error = %e, "keeping a notice");
            }
        }
        return Redirect::to(&target).into_response();
    }
    if status == StatusCode::UNAUTHORIZED {
        return Redirect::to(&app::ui::session::sign_in_href(&page)).into_response();
    }
    let error = match to_bytes(res.into_body(), MAX_BODY_BYTES).await {
        Ok(body) => serde_json::from_slice::<AppError>(&body).ok(),
        Err(_) => None,
    }
    .unwrap_or_else(|| AppError::internal("plain form post", status));
    if let Some(session) = session {
        let returned = Returned {
            action,
            page: page
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string(),
            fields,
            error,
        };
        if let Err(e) = session.insert(Returned::SESSION_KEY, returned).await {
            tracing::warn!(error = %e, "keeping a returned form");
        }
    }
    Redirect::to(&page).into_response()
}
