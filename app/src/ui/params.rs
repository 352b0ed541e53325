//! What pages read from their route.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// The page's `:id`, when it is a well-formed id.
pub fn id_param() -> impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    }
}

/// A resource of `fetch(id)` for the page's `:id`, fetched again when `refresh` changes. A
/// malformed id is "not found", like another rep's.
pub fn resource_of_id<T, F, Fut>(
    refresh: Option<RwSignal<usize>>,
    fetch: F,
) -> Resource<Result<T, AppError>>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(Uuid) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let id = id_param();
    Resource::new(
        move || (id(), refresh.map(|r| r.get())),
        move |(id, _)| async move {
            match id {
                Some(id) => fetch(id).await,
                None => Err(AppError::not_found()),
            }
        },
    )
}
