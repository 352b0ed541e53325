//! Server-sent events for the pages that follow work in progress (see `app::live`): an import
//! now; OCR, sending and board moves will add their streams here.
//!
//! A stream sends the current state first (read after subscribing, so nothing said in between
//! is missed), then the events of its topic, and the state again whenever events may have been
//! lost; it ends with the work. A page that lost its stream (a tablet asleep, the Wi-Fi gone)
//! opens it again and is up to date at once.

use std::convert::Infallible;

use app::{
    auth::CurrentUser,
    live::Heard,
    prospects::{importing, repo},
    state::AppState,
};
use axum::{
    extract::{Path, State},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::get,
    Extension, Router,
};
use futures_util::stream::{self, Stream};
use http::{header, StatusCode};
use sqlx::PgPool;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/campagnes/{id}/imports/{batch}/progression",
        get(import_progress),
    )
}

/// `GET /campagnes/:id/imports/:batch/progression`: `{"state": "running", "rows": n}` as the
/// import reads its file, then `{"state": "done"}` or `{"state": "failed", "message": …}`.
async fn import_progress(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path((id, batch)): Path<(String, String)>,
) -> Response {
    let Some(Extension(user)) = user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (Ok(campaign), Ok(batch)) = (Uuid::parse_str(&id), Uuid::parse_str(&batch)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let heard = match state.live.subscribe().await {
        Ok(heard) => heard,
        Err(e) => return internal(e),
    };
    let follow = Follow {
        pool: state.pool.clone(),
        owner: user.id,
        campaign,
        batch,
        topic: importing::topic(batch),
        heard,
        ended: false,
    };
    let first = match follow.current().await {
        Ok(Some(first)) => first,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    (
        // A proxy must pass each event on at once.
        [
            ("x-accel-buffering", "no"),
            (header::CACHE_CONTROL.as_str(), "no-store"),
        ],
        Sse::new(follow.stream(first)).keep_alive(KeepAlive::default()),
    )
        .into_response()
}

fn internal(cause: impl std::fmt::Display) -> Response {
    let error = app::error::AppError::internal("live events", cause);
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

/// One page following one import.
struct Follow {
    pool: PgPool,
    owner: Uuid,
    campaign: Uuid,
    batch: Uuid,
    topic: String,
    heard: Receiver<Heard>,
    ended: bool,
}

impl Follow {
    /// The import's state now; `None` when the rep has no such import.
    async fn current(&self) -> Result<Option<serde_json::Value>, sqlx::Error> {
        let state = repo::import_state(&self.pool, self.owner, self.campaign, self.batch).await?;
        Ok(state.as_ref().map(importing::state_json))
    }

    /// `first`, then what is heard, until the import ends.
    fn stream(self, first: serde_json::Value) -> impl Stream<Item = Result<Event, Infallible>> {
        stream::unfold((self, Some(first)), |(mut follow, mut first)| async move {
            if follow.ended {
                return None;
            }
            let data = match first.take() {
                Some(data) => data,
                None => follow.next().await?,
            };
            follow.ended = matches!(data["state"].as_str(), Some("done" | "failed"));
            let event = Event::default().data(data.to_string());
            Some((Ok(event), (follow, None)))
        })
    }

    /// The next thing to tell the page; `None` when nothing more will come.
    async fn next(&mut self) -> Option<serde_json::Value> {
        loop {
            match self.heard.recv().await {
                Ok(Heard::Event(event)) => {
                    if event.owner == self.owner && event.topic == self.topic {
                        return Some(event.data.clone());
                    }
                }
                // Events may have been missed: the state from the database.
                Ok(Heard::Resync) | Err(RecvError::Lagged(_)) => {
                    return self.current().await.ok().flatten();
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}
