//! Every request body is bounded. Server functions read whole bodies themselves, so axum's
//! extractor limit does not apply to them: this layer reads the body first, up to the limit,
//! and answers 413 with a French message past it (whatever the declared length, which a client
//! may leave out). The uploads of prospect files and catalogues have limits of their own.

use app::error::{AppError, ErrorKind};
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, StatusCode};

/// The largest body a route takes unless it says otherwise: forms and server function
/// arguments are a few kilobytes; bulk actions send a selection the server expands.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Refuses, with 413, a body over [`MAX_BODY_BYTES`].
pub async fn limit_body(req: Request, next: Next) -> Response {
    // The uploads of prospect files and catalogues stream to disk under limits of their own.
    if crate::prospect_files::is_upload(req.method(), req.uri().path())
        || crate::catalogue_files::is_upload(req.method(), req.uri().path())
    {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}

fn too_large() -> Response {
    let error = AppError::new(
        ErrorKind::TooLarge,
        format!(
            "La requête est trop volumineuse : {} Ko au plus.",
            MAX_BODY_BYTES / 1024
        ),
    );
    // Shaped like a server function's error, so a form shows the message where it shows others.
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&error).unwrap_or_default(),
    )
        .into_response()
}
