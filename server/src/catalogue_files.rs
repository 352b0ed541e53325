//! Catalogue files over HTTP: the upload of the Catalogue tab (a plain multipart form), the crop
//! of each product, and the catalogue pages' data, read before they render.
//!
//! The upload streams to the data directory up to `SPINE_CATALOGUE_MAX_MB` (the general body
//! limit does not apply to it: see `limits`), hashing as it goes; `pdfinfo` then checks it (a
//! PDF, not encrypted, not broken, with pages, not too many). A refused file is deleted at once
//! and the tab says why: nothing is recorded. A file kept is named by its content, once.

use std::{path::Path, sync::Arc};

use app::{
    auth::CurrentUser,
    catalog::{
        api,
        html::{ReviewPage, TabPage, LISTED, REVIEW_PAGE},
        repo::{self, NewCatalog},
        ui::{Page, Prefetched},
    },
    error::AppError,
    prospects::repo::campaign_name,
    state::AppState,
    ui::notice::Notice,
};
use axum::{
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path as UrlPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};
use http::{header, StatusCode};
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use uuid::Uuid;

use crate::uploads::{cleanup, file_name, internal, text, write, Refused, Write};

/// The routes; an upload's body is cut past twice `max_bytes` (and a megabyte for the form).
pub fn router(max_bytes: u64) -> Router<AppState> {
    let body_limit = usize::try_from(2 * max_bytes + 1024 * 1024).unwrap_or(usize::MAX);
    Router::new()
        .route(
            UPLOAD,
            post(upload).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route(
            "/campagnes/{id}/catalogue/produits/{product}/extrait.jpg",
            get(crop),
        )
}

const UPLOAD: &str = "/campagnes/{id}/catalogue/envoi";

/// Whether `path` is the upload's, which has a body limit of its own.
pub fn is_upload(method: &http::Method, path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    method == http::Method::POST
        && matches!(parts.as_slice(), ["", "campagnes", _, "catalogue", "envoi"])
}

/// What an upload came to.
enum Received {
    New,
    /// The campaign had this file already.
    Known,
}

async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    session: Option<Extension<Session>>,
    UrlPath(id): UrlPath<String>,
    req: Request,
) -> Response {
    let Ok(campaign) = Uuid::parse_str(&id) else {
        return not_found();
    };
    let page = api::tab_path(campaign);
    let Some(Extension(user)) = user else {
        return Redirect::to(&app::ui::session::sign_in_href(&page)).into_response();
    };
    match campaign_name(&state.pool, user.id, campaign).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return internal("catalogue files", e),
    }
    let session = session.map(|Extension(s)| s);
    match receive(&state, user.id, campaign, req).await {
        Ok(received) => {
            let message = match received {
                Received::New => {
                    "Catalogue envoyé : sa lecture commence, la page suit sa progression."
                }
                Received::Known => "Ce catalogue est déjà dans la campagne.",
            };
            if let Some(session) = &session {
                let notice = Notice::new(message, page.clone());
                if let Err(e) = session.insert(Notice::SESSION_KEY, notice).await {
                    tracing::warn!(error = %e, "keeping an upload's notice");
                }
            }
        }
        Err(refused) => {
            let action = app::catalog::html::upload_action(campaign);
            refused.keep_for(session.as_ref(), action, &page).await;
        }
    }
    Redirect::to(&page).into_response()
}

/// Receives, checks and keeps the catalogue of the form in `req`, and queues its reading.
async fn receive(
    state: &AppState,
    owner: Uuid,
    campaign: Uuid,
    req: Request,
) -> Result<Received, Refused> {
    let limits = state.config.catalogue_limits();
    let too_large = || {
        Refused::new(
            ::catalogue::ReadError::TooLarge {
                max_mb: state.config.catalogue_max_mb,
            }
            .to_string(),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Far over the limit: refused before a byte is read.
    if declared.is_some_and(|length| length > 2 * limits.max_bytes) {
        return Err(too_large());
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|_| Refused::new("Le formulaire envoyé est illisible : réessayez."))?;
    let data_dir = &state.config.data_dir;
    tokio::fs::create_dir_all(repo::catalogues_dir(data_dir))
        .await
        .map_err(|e| Refused::internal("creating the catalogues directory", e))?;
    let incoming = repo::incoming_path(data_dir, Uuid::new_v4());
    let broken = || Refused::new("L’envoi du fichier a été interrompu : réessayez.");
    let mut stored: Option<(String, u64, String)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(cleanup(&incoming, broken()).await),
        };
        if field.name() != Some("fichier") || stored.is_some() {
            continue;
        }
        let name = file_name(field.file_name().unwrap_or_default());
        let mut hash = Sha256::new();
        match write(field, &incoming, limits.max_bytes, Some(&mut hash)).await {
            Ok(size) => stored = Some((name, size, format!("{:x}", hash.finalize()))),
            Err(Write::TooLarge) => {
                // Read the rest (the route's body limit cuts it at twice the file limit), so
                // the browser gets the answer rather than a broken connection.
                while let Ok(Some(mut rest)) = form.next_field().await {
                    while let Ok(Some(_)) = rest.chunk().await {}
                }
                return Err(cleanup(&incoming, too_large()).await);
            }
            Err(Write::Broken) => return Err(cleanup(&incoming, broken()).await),
            Err(Write::Disk(e)) => {
                return Err(cleanup(&incoming, Refused::internal("storing a catalogue", e)).await)
            }
        }
    }
    let Some((file_name, size, sha256)) = stored.filter(|(name, _, _)| !name.is_empty()) else {
        return Err(cleanup(
            &incoming,
            Refused::new("Choisissez le PDF du catalogue à envoyer."),
        )
        .await);
    };
    if size == 0 {
        return Err(cleanup(&incoming, Refused::new("Ce fichier est vide.")).await);
    }
    let pages = match ::catalogue::ocr::check(&incoming, &limits).await {
        Ok(pages) => pages,
        Err(e) if e.is_the_files() => {
            return Err(cleanup(&incoming, Refused::new(e.to_string())).await)
        }
        Err(e) => {
            return Err(cleanup(&incoming, Refused::internal("checking a catalogue", e)).await)
        }
    };
    let pool = &state.pool;
    let known = repo::same_file(pool, owner, campaign, &sha256).await;
    match known {
        Ok(Some(_)) => {
            let _ = tokio::fs::remove_file(&incoming).await;
            return Ok(Received::Known);
        }
        Ok(None) => {}
        Err(e) => {
            return Err(cleanup(&incoming, Refused::internal("finding a catalogue", e)).await)
        }
    }
    if let Err(e) = repo::keep_pdf(data_dir, &incoming, &sha256).await {
        return Err(cleanup(&incoming, Refused::internal("keeping a catalogue", e)).await);
    }
    let new = NewCatalog {
        owner,
        campaign,
        file_name,
        sha256,
        size_bytes: size as i64,
        pages: pages as i32,
    };
    let job = match repo::create(pool, &new).await {
        Ok(Some((_, job))) => job,
        Ok(None) => return Err(Refused(AppError::not_found())),
        // The same file sent twice at once: the other post recorded it.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(Received::Known),
        Err(e) => return Err(Refused::internal("recording a catalogue", e)),
    };
    // A reading Redis could not take has failed, and the tab offers to read it again.
    if let Err(e) = api::queue(pool, &state.jobs, job).await {
        tracing::warn!(error = %e, "queueing a catalogue's reading");
    }
    Ok(Received::New)
}

fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "Introuvable.")
}

/// `GET /campagnes/:id/catalogue/produits/:product/extrait.jpg`: the crop of the page region a
/// product was read from. Its address changes with each reading (`?v=`), so it is kept long.
async fn crop(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    UrlPath((id, product)): UrlPath<(String, String)>,
) -> Response {
    let Some(Extension(user)) = user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (Ok(campaign), Ok(product)) = (Uuid::parse_str(&id), Uuid::parse_str(&product)) else {
        return not_found();
    };
    let path = match repo::crop_of(&state.pool, user.id, campaign, product).await {
        Ok(Some(path)) => path,
        Ok(None) => return not_found(),
        Err(e) => return internal("catalogue files", e),
    };
    match tokio::fs::read(state.config.data_dir.join(path)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "private, max-age=604800"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => not_found(),
        Err(e) => internal("catalogue files", e),
    }
}

/// Deletes what uploads stopped halfway left (a crash while a file arrived), once an hour old.
pub async fn sweep(data_dir: &Path) -> std::io::Result<()> {
    let Ok(mut entries) = tokio::fs::read_dir(repo::catalogues_dir(data_dir)).await else {
        return Ok(());
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with("incoming-") && name.ends_with(".part")) {
            continue;
        }
        let modified = entry.metadata().await?.modified()?;
        if modified < hour_ago {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
    Ok(())
}

/// The app's routes of the catalogue pages.
const TAB: &str = "/campagnes/{id}/catalogue";
const REVIEW: &str = "/campagnes/{id}/catalogue/{catalog}";

/// Reads what a catalogue page shows (for its rep), before it renders.
pub async fn prefetch(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let matched = crate::server_pages::route(&req);
    let user = req.extensions().get::<CurrentUser>().map(|u| u.id);
    if let (Some(matched @ (TAB | REVIEW)), Some(user)) = (matched, user) {
        let ids: Vec<Option<Uuid>> = req
            .uri()
            .path()
            .split('/')
            .skip(2)
            .step_by(2)
            .map(|id| Uuid::parse_str(id).ok())
            .collect();
        let query = req.uri().query().unwrap_or_default().to_string();
        let page = match (matched, ids.as_slice()) {
            (TAB, [Some(campaign)]) => tab(&state, user, *campaign, &query).await,
            (REVIEW, [Some(campaign), Some(catalog)]) => {
                review(&state, user, *campaign, *catalog, &query).await
            }
            // A malformed id is "not found", like another rep's.
            _ => Ok(None),
        };
        let page = page
            .map(|page| page.map(Arc::new))
            .map_err(|e| AppError::internal("reading a catalogue page", e));
        req.extensions_mut().insert(Prefetched(page));
    }
    next.run(req).await
}

/// Value `name` of a query string.
fn param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.into_owned())
}

async fn tab(
    state: &AppState,
    user: Uuid,
    campaign: Uuid,
    query: &str,
) -> Result<Option<Page>, sqlx::Error> {
    let Some(name) = campaign_name(&state.pool, user, campaign).await? else {
        return Ok(None);
    };
    let q: String = param(query, "q")
        .unwrap_or_default()
        .chars()
        .take(repo::SEARCH_MAX)
        .collect();
    let catalogs = repo::catalogs(&state.pool, user, campaign).await?;
    let (found, found_total) = repo::search(&state.pool, user, campaign, &q, LISTED).await?;
    Ok(Some(Page::Tab(TabPage {
        campaign: name,
        catalogs,
        q,
        found,
        found_total,
        max_mb: state.config.catalogue_max_mb,
        max_pages: state.config.catalogue_max_pages,
    })))
}

async fn review(
    state: &AppState,
    user: Uuid,
    campaign: Uuid,
    catalog: Uuid,
    query: &str,
) -> Result<Option<Page>, sqlx::Error> {
    let Some(name) = campaign_name(&state.pool, user, campaign).await? else {
        return Ok(None);
    };
    let Some(catalog) = repo::catalog(&state.pool, user, campaign, catalog).await? else {
        return Ok(None);
    };
    let filter = match param(query, "vue").as_deref() {
        Some(f @ ("approuves" | "publies" | "rejetes" | "tous")) => f.to_string(),
        _ => "a-verifier".to_string(),
    };
    let offset = param(query, "apres")
        .and_then(|a| a.parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, 1_000_000);
    let (products, total) = repo::review(
        &state.pool,
        user,
        catalog.id,
        repo::statuses(&filter),
        offset,
        REVIEW_PAGE,
    )
    .await?;
    Ok(Some(Page::Review(ReviewPage {
        campaign: name,
        catalog,
        filter,
        offset,
        products,
        total,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_upload_route_has_its_own_body_limit() {
        let post = http::Method::POST;
        let id = Uuid::new_v4();
        assert!(is_upload(
            &post,
            &format!("/campagnes/{id}/catalogue/envoi")
        ));
        assert!(!is_upload(
            &http::Method::GET,
            &format!("/campagnes/{id}/catalogue/envoi")
        ));
        assert!(!is_upload(&post, &format!("/campagnes/{id}/catalogue")));
        assert!(!is_upload(
            &post,
            &format!("/campagnes/{id}/catalogue/envoi/x")
        ));
        assert!(!is_upload(&post, "/api/save_product"));
    }
}
