//! Server-sent events for the pages that follow work in progress or another device's changes
//! (see `app::live`): an import, a campaign's board, a catalogue's reading, a campaign's
//! mails leaving.
//!
//! A stream sends the current state first (read after subscribing, so nothing said in between
//! is missed), then the events of its topic, and the state again whenever events may have been
//! lost; it ends with the work. A page that lost its stream (a tablet asleep, the Wi-Fi gone)
//! opens it again and is up to date at once.

use std::convert::Infallible;

use app::{
    auth::CurrentUser,
    catalog::{self, ingesting},
    live::Heard,
    mail,
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
    Router::new()
        .route(
            "/campagnes/{id}/imports/{batch}/progression",
            get(import_progress),
        )
        .route("/campagnes/{id}/tableau/evenements", get(board_moves))
        .route(
            "/campagnes/{id}/catalogue/{catalog}/progression",
            get(catalogue_progress),
        )
        .route("/campagnes/{id}/envois/progression", get(sending_progress))
}

/// `GET /campagnes/:id/tableau/evenements`: the board's counts (`{"counts": …}`), then each
/// move made on any device (`{"move", "cards": [[id, place, id of the card it now sits above
/// or null]…]}`, or `"reload": true` for a large one), and the counts again whenever moves may
/// have been missed.
async fn board_moves(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
) -> Response {
    let Some(Extension(user)) = user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(campaign) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let heard = match state.live.subscribe().await {
        Ok(heard) => heard,
        Err(e) => return internal(e),
    };
    let watch = BoardWatch {
        pool: state.pool.clone(),
        owner: user.id,
        campaign,
        topic: app::board::repo::topic(campaign),
        heard,
    };
    let first = match watch.current().await {
        Ok(Some(first)) => first,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(e),
    };
    let events = stream::unfold((watch, Some(first)), |(mut watch, mut first)| async move {
        let data = match first.take() {
            Some(data) => data,
            None => watch.next().await?,
        };
        Some((
            Ok::<_, Infallible>(Event::default().data(data.to_string())),
            (watch, None),
        ))
    });
    (
        [
            ("x-accel-buffering", "no"),
            (header::CACHE_CONTROL.as_str(), "no-store"),
        ],
        Sse::new(events).keep_alive(KeepAlive::default()),
    )
        .into_response()
}

/// One page watching one board.
struct BoardWatch {
    pool: PgPool,
    owner: Uuid,
    campaign: Uuid,
    topic: String,
    heard: Receiver<Heard>,
}

impl BoardWatch {
    /// The board's counts now; `None` when the campaign is not the rep's.
    async fn current(&self) -> Result<Option<serde_json::Value>, sqlx::Error> {
        if app::prospects::repo::campaign_name(&self.pool, self.owner, self.campaign)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let counts = app::board::repo::counts(&self.pool, self.owner, self.campaign).await?;
        let counts: serde_json::Map<String, serde_json::Value> = counts
            .into_iter()
            .map(|(place, n)| (place.key().to_string(), n.into()))
            .collect();
        Ok(Some(serde_json::json!({ "counts": counts })))
    }

    async fn next(&mut self) -> Option<serde_json::Value> {
        match next_on(&mut self.heard, self.owner, &self.topic).await {
            Next::Event(data) => Some(data),
            // Events may have been missed: the state from the database.
            Next::Resync => self.current().await.ok().flatten(),
            Next::Closed => None,
        }
    }
}

/// `GET /campagnes/:id/imports/:batch/progression`: `{"state": "running", "rows": n}` as the
/// import reads its file, then `{"state": "done"}` or `{"state": "failed", "message": …}`.
async fn import_progress(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path((id, batch)): Path<(String, String)>,
) -> Response {
    follow(state, user, &id, &batch, |campaign, batch| Work::Import {
        campaign,
        batch,
    })
    .await
}

/// `GET /campagnes/:id/catalogue/:catalog/progression`: `{"state": "running", "done": pages
/// read, "total": pages}` as the catalogue is read, then `{"state": "done", "products": n}`,
/// `{"state": "failed", "message": …}` or `{"state": "cancelled"}`.
async fn catalogue_progress(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path((id, catalog)): Path<(String, String)>,
) -> Response {
    follow(state, user, &id, &catalog, |campaign, catalog| {
        Work::Catalogue { campaign, catalog }
    })
    .await
}

/// `GET /campagnes/:id/envois/progression`: `{"state": "running", "done": mails that reached
/// an outcome, "total": those and the waiting ones, "text": …}` as the campaign's mails leave,
/// then `{"state": "done", …}` when none waits.
async fn sending_progress(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
) -> Response {
    // The campaign is the work: its own id stands for the work's.
    follow(state, user, &id, &id, |campaign, _| Work::Sending {
        campaign,
    })
    .await
}

/// The stream of the rep's work of campaign `id` whose own id is `work_id` (`work` names it).
async fn follow(
    state: AppState,
    user: Option<Extension<CurrentUser>>,
    id: &str,
    work_id: &str,
    work: fn(Uuid, Uuid) -> Work,
) -> Response {
    let Some(Extension(user)) = user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (Ok(campaign), Ok(work_id)) = (Uuid::parse_str(id), Uuid::parse_str(work_id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let heard = match state.live.subscribe().await {
        Ok(heard) => heard,
        Err(e) => return internal(e),
    };
    let work = work(campaign, work_id);
    let follow = Follow {
        pool: state.pool.clone(),
        owner: user.id,
        topic: work.topic(),
        work,
        heard,
        ended: false,
    };
    follow_stream(follow).await
}

/// The stream of `follow`: its state now, then what it hears.
async fn follow_stream(follow: Follow) -> Response {
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

/// What a page's stream hears next on its topic.
enum Next {
    Event(serde_json::Value),
    /// Events may have been missed (the listener reconnected, or this stream lagged).
    Resync,
    Closed,
}

/// The next event of `owner` on `topic`, skipping everyone else's.
async fn next_on(heard: &mut Receiver<Heard>, owner: Uuid, topic: &str) -> Next {
    loop {
        match heard.recv().await {
            Ok(Heard::Event(event)) => {
                if event.owner == owner && event.topic == topic {
                    return Next::Event(event.data.clone());
                }
            }
            Ok(Heard::Resync) | Err(RecvError::Lagged(_)) => return Next::Resync,
            Err(RecvError::Closed) => return Next::Closed,
        }
    }
}

fn internal(cause: impl std::fmt::Display) -> Response {
    let error = app::error::AppError::internal("live events", cause);
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

/// Work a page follows until it ends.
enum Work {
    Import { campaign: Uuid, batch: Uuid },
    Catalogue { campaign: Uuid, catalog: Uuid },
    Sending { campaign: Uuid },
}

impl Work {
    /// Where its events are published.
    fn topic(&self) -> String {
        match self {
            Work::Import { batch, .. } => importing::topic(*batch),
            Work::Catalogue { catalog, .. } => ingesting::topic(*catalog),
            Work::Sending { campaign } => mail::repo::topic(*campaign),
        }
    }
}

/// One page following one piece of work.
struct Follow {
    pool: PgPool,
    owner: Uuid,
    work: Work,
    topic: String,
    heard: Receiver<Heard>,
    ended: bool,
}

impl Follow {
    /// The work's state now; `None` when the rep has no such work.
    async fn current(&self) -> Result<Option<serde_json::Value>, sqlx::Error> {
        match self.work {
            Work::Import { campaign, batch } => {
                let state = repo::import_state(&self.pool, self.owner, campaign, batch).await?;
                Ok(state.as_ref().map(importing::state_json))
            }
            Work::Catalogue { campaign, catalog } => {
                let found =
                    catalog::repo::catalog(&self.pool, self.owner, campaign, catalog).await?;
                Ok(found.map(|c| match c.reading {
                    Some(reading) => reading.state_json(),
                    None => serde_json::json!({ "state": "cancelled" }),
                }))
            }
            Work::Sending { campaign } => {
                if repo::campaign_name(&self.pool, self.owner, campaign)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                let counts = mail::repo::counts(&self.pool, self.owner, campaign).await?;
                Ok(Some(mail::repo::progress_json(&counts)))
            }
        }
    }

    /// `first`, then what is heard, until the work ends.
    fn stream(self, first: serde_json::Value) -> impl Stream<Item = Result<Event, Infallible>> {
        stream::unfold((self, Some(first)), |(mut follow, mut first)| async move {
            if follow.ended {
                return None;
            }
            let data = match first.take() {
                Some(data) => data,
                None => follow.next().await?,
            };
            follow.ended = matches!(
                data["state"].as_str(),
                Some("done" | "failed" | "cancelled")
            );
            let event = Event::default().data(data.to_string());
            Some((Ok(event), (follow, None)))
        })
    }

    /// The next thing to tell the page; `None` when nothing more will come.
    async fn next(&mut self) -> Option<serde_json::Value> {
        match next_on(&mut self.heard, self.owner, &self.topic).await {
            Next::Event(data) => Some(data),
            // Events may have been missed: the state from the database.
            Next::Resync => self.current().await.ok().flatten(),
            Next::Closed => None,
        }
    }
}
