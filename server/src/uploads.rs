//! What the two file uploads share (prospect files, `prospect_files`; show catalogues,
//! `catalogue_files`): a refusal said on the tab the form was on, the file streamed to disk
//! under a limit, the name the browser gave it, and the plain-text answers of their routes.

use std::path::Path;

use app::{
    error::{AppError, ErrorKind},
    ui::plain_post::Returned,
};
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tower_sessions::Session;

/// Why an upload is refused: said on the tab the form was on.
pub struct Refused(pub AppError);

impl Refused {
    pub fn new(message: impl Into<String>) -> Self {
        Refused(AppError::new(ErrorKind::Unprocessable, message))
    }

    /// A failure of the server's, logged with `context`.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        Refused(AppError::internal(context, cause))
    }

    /// Kept in the session for `page`, whose form posted to `action`, which shows it.
    pub async fn keep_for(self, session: Option<&Session>, action: String, page: &str) {
        let Refused(error) = self;
        tracing::info!(code = ?error.kind, "upload refused");
        let Some(session) = session else {
            return;
        };
        let returned = Returned {
            action,
            page: page.to_string(),
            fields: Vec::new(),
            error,
        };
        if let Err(e) = session.insert(Returned::SESSION_KEY, returned).await {
            tracing::warn!(error = %e, "keeping an upload's refusal");
        }
    }
}

/// Why a file could not be written.
pub enum Write {
    TooLarge,
    Broken,
    Disk(std::io::Error),
}

/// Streams `field` to `path`, up to `limit` bytes, feeding `hash` when given; its size.
pub async fn write(
    mut field: axum::extract::multipart::Field<'_>,
    path: &Path,
    limit: u64,
    mut hash: Option<&mut Sha256>,
) -> Result<u64, Write> {
    let mut file = tokio::fs::File::create(path).await.map_err(Write::Disk)?;
    let mut size = 0u64;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                size += chunk.len() as u64;
                if size > limit {
                    return Err(Write::TooLarge);
                }
                if let Some(hash) = hash.as_deref_mut() {
                    hash.update(&chunk);
                }
                file.write_all(&chunk).await.map_err(Write::Disk)?;
            }
            Ok(None) => break,
            Err(_) => return Err(Write::Broken),
        }
    }
    file.flush().await.map_err(Write::Disk)?;
    Ok(size)
}

/// The name the rep's browser gave the file, without any folder nor invisible character, cut
/// to 255 characters.
pub fn file_name(sent: &str) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control() && !app::ui::forms::is_bidi_control(*c))
        .take(255)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Deletes what was written of a refused upload.
pub async fn cleanup(path: &Path, refused: Refused) -> Refused {
    let _ = tokio::fs::remove_file(path).await;
    refused
}

/// A plain-text answer.
pub fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// A failure of the server's, logged with `context`, answered in plain text.
pub fn internal(context: &str, cause: impl std::fmt::Display) -> Response {
    let error = AppError::internal(context, cause);
    text(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn a_file_name_keeps_no_folder_nor_invisible_character() {
        assert_eq!(
            file_name("C:\\Users\\rep\\Catalogue 2027.pdf"),
            "Catalogue 2027.pdf"
        );
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("fdp.\u{202E}fdp.exe"), "fdp.fdp.exe");
        assert_eq!(file_name("a\u{0}b\n.csv"), "ab.csv");
    }
}
