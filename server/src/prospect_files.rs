//! Prospect files over HTTP: the upload of the Prospects tab (a plain multipart form, with or
//! without the WASM) and the CSV of an import's rejected rows.
//!
//! The upload streams to the data directory, up to `SPINE_IMPORT_MAX_MB` (the general body
//! limit does not apply to this route: see `limits`), then its first rows are read once for
//! the mapping page. A refused file is deleted at once and the Prospects tab says why; an
//! upload not imported within a day is purged with its file.

use std::path::{Path, PathBuf};

use app::{
    auth::CurrentUser,
    prospects::{
        model::PreviewColumn,
        repo::{self, NewUpload, StoredPreview},
    },
    state::AppState,
};
use axum::{
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path as UrlPath, Request, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};
use http::{header, StatusCode};
use tower_sessions::Session;
use uuid::Uuid;

use crate::uploads::{cleanup, file_name, internal, text, write, Refused, Write};

/// Rows of the file shown on the mapping page.
const PREVIEW_ROWS: usize = 5;
/// A preview cell is cut to this many characters.
const PREVIEW_CHARS: usize = 80;

/// The routes; an upload's body is cut past twice `max_bytes` (and a megabyte for the form).
pub fn router(max_bytes: u64) -> Router<AppState> {
    let body_limit = usize::try_from(2 * max_bytes + 1024 * 1024).unwrap_or(usize::MAX);
    Router::new()
        .route(
            UPLOAD_ROUTE,
            post(upload).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route(
            "/campagnes/{id}/imports/{batch}/rejets.csv",
            get(rejections_csv),
        )
}

const UPLOAD_ROUTE: &str = "/campagnes/{id}/import";

/// Whether `path` is the upload's, which has a body limit of its own.
pub fn is_upload(method: &http::Method, path: &str) -> bool {
    let mut parts = path.split('/');
    method == http::Method::POST
        && matches!(
            (
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next()
            ),
            (Some(""), Some("campagnes"), Some(_), Some("import"), None)
        )
}

async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    session: Option<Extension<Session>>,
    UrlPath(id): UrlPath<String>,
    req: Request,
) -> Response {
    let page = format!("/campagnes/{id}/prospects");
    let Some(Extension(user)) = user else {
        return Redirect::to(&app::ui::session::sign_in_href(&page)).into_response();
    };
    let Ok(campaign) = Uuid::parse_str(&id) else {
        return not_found();
    };
    match repo::campaign_name(&state.pool, user.id, campaign).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return internal("prospect files", e),
    }
    let upload = Uuid::new_v4();
    match receive(&state, user.id, campaign, upload, req).await {
        Ok(()) => Redirect::to(&format!("/campagnes/{campaign}/import/{upload}")).into_response(),
        Err(refused) => {
            let session = session.map(|Extension(s)| s);
            let action = format!("/campagnes/{campaign}/import");
            refused.keep_for(session.as_ref(), action, &page).await;
            Redirect::to(&page).into_response()
        }
    }
}

/// Stores the file of the form in `req` as upload `id`, with its preview.
async fn receive(
    state: &AppState,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
    req: Request,
) -> Result<(), Refused> {
    let limit = state.config.import_max_mb * 1024 * 1024;
    let too_large = || {
        Refused::new(
            ::import::FileError::TooLarge {
                limit_mb: state.config.import_max_mb,
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
    if declared.is_some_and(|length| length > 2 * limit) {
        return Err(too_large());
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|_| Refused::new("Le formulaire envoyé est illisible : réessayez."))?;
    let dir = repo::uploads_dir(&state.config.data_dir);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| Refused::internal("creating the uploads directory", e))?;
    let path = repo::upload_path(&state.config.data_dir, id);
    let mut stored: Option<(String, u64)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                return Err(cleanup(
                    &path,
                    Refused::new("L’envoi du fichier a été interrompu : réessayez."),
                )
                .await)
            }
        };
        if field.name() != Some("fichier") || stored.is_some() {
            continue;
        }
        let name = file_name(field.file_name().unwrap_or_default());
        match write(field, &path, limit, None).await {
            Ok(size) => stored = Some((name, size)),
            Err(Write::TooLarge) => {
                // Read the rest (up to twice the limit), so the browser gets the answer
                // rather than a broken connection.
                while let Ok(Some(mut rest)) = form.next_field().await {
                    while let Ok(Some(_)) = rest.chunk().await {}
                }
                return Err(cleanup(&path, too_large()).await);
            }
            Err(Write::Broken) => {
                return Err(cleanup(
                    &path,
                    Refused::new("L’envoi du fichier a été interrompu : réessayez."),
                )
                .await)
            }
            Err(Write::Disk(e)) => {
                return Err(cleanup(&path, Refused::internal("storing an upload", e)).await)
            }
        }
    }
    let Some((file_name, size)) = stored.filter(|(name, _)| !name.is_empty()) else {
        return Err(cleanup(
            &path,
            Refused::new("Choisissez un fichier de contacts à envoyer."),
        )
        .await);
    };
    if size == 0 {
        return Err(cleanup(
            &path,
            Refused::new(::import::FileError::EmptyFile.to_string()),
        )
        .await);
    }
    let preview = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || ::import::preview(path.as_path(), PREVIEW_ROWS))
            .await
            .map_err(|e| Refused::internal("reading an upload", e))?
    };
    let preview = match preview {
        Ok(preview) => preview,
        Err(e) => return Err(cleanup(&path, Refused::new(e.to_string())).await),
    };
    let stored_preview = stored_preview(&preview);
    let inserted = repo::insert_upload(
        &state.pool,
        NewUpload {
            id,
            owner,
            campaign,
            file_name: &file_name,
            size_bytes: size as i64,
            preview: &stored_preview,
        },
    )
    .await;
    if let Err(e) = inserted {
        return Err(cleanup(&path, Refused::internal("recording an upload", e)).await);
    }
    Ok(())
}

fn stored_preview(preview: &::import::Preview) -> StoredPreview {
    let cut = |s: &str| -> String {
        let s = s.trim();
        if s.chars().count() > PREVIEW_CHARS {
            let mut cut: String = s.chars().take(PREVIEW_CHARS - 1).collect();
            cut.push('…');
            cut
        } else {
            s.to_string()
        }
    };
    StoredPreview {
        header_line: preview.header_line,
        columns: preview
            .header
            .iter()
            .enumerate()
            .map(|(i, header)| PreviewColumn {
                header: cut(header),
                field: preview.mapping.columns[i]
                    .map(|f| f.key().to_string())
                    .unwrap_or_default(),
                samples: preview.records.iter().map(|r| cut(r.cell(i))).collect(),
            })
            .collect(),
    }
}

fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "Campagne introuvable.")
}

/// `GET /campagnes/:id/imports/:batch/rejets.csv`: line, code and reason of every rejected
/// row, for Excel (UTF-8 with BOM, `;`).
async fn rejections_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    UrlPath((id, batch)): UrlPath<(String, String)>,
) -> Response {
    let Some(Extension(user)) = user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (Ok(campaign), Ok(batch)) = (Uuid::parse_str(&id), Uuid::parse_str(&batch)) else {
        return not_found();
    };
    let (file, rows) = match repo::rejections(&state.pool, user.id, batch).await {
        Ok(Some((file, campaign_of, rows))) if campaign_of == campaign => (file, rows),
        Ok(_) => return not_found(),
        Err(e) => return internal("prospect files", e),
    };
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let written = std::iter::once(["ligne".to_string(), "code".into(), "motif".into()])
        .chain(rows.into_iter().map(|(line, code)| {
            let reason = repo::reason(&code).to_string();
            [line.to_string(), code, reason]
        }))
        .try_for_each(|record| out.write_record(&record));
    let body = match written
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
    {
        Ok(body) => body,
        Err(e) => return internal("prospect files", e),
    };
    let stem: String = file
        .rsplit_once('.')
        .map_or(file.as_str(), |(stem, _)| stem)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"rejets-{stem}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Purges uploads not imported within a day, and files no upload claims (left by a stop
/// in the middle of an upload) once an hour old.
pub async fn sweep(pool: &sqlx::PgPool, data_dir: &Path) -> anyhow::Result<()> {
    for id in repo::delete_stale_uploads(pool).await? {
        let _ = tokio::fs::remove_file(repo::upload_path(data_dir, id)).await;
    }
    let Ok(mut entries) = tokio::fs::read_dir(repo::uploads_dir(data_dir)).await else {
        return Ok(());
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    while let Some(entry) = entries.next_entry().await? {
        let path: PathBuf = entry.path();
        let old = entry
            .metadata()
            .await
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        let id = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| Uuid::parse_str(n).ok());
        let claimed = match id {
            Some(id) => repo::upload_exists(pool, id).await?,
            None => false,
        };
        if old && !claimed {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_upload_route_has_its_own_limit() {
        let post = http::Method::POST;
        assert!(is_upload(&post, "/campagnes/abc/import"));
        assert!(!is_upload(&http::Method::GET, "/campagnes/abc/import"));
        assert!(!is_upload(&post, "/campagnes/abc/import/x"));
        assert!(!is_upload(&post, "/api/start_import"));
        assert!(!is_upload(&post, "/campagnes/import"));
    }
}
