use leptos::prelude::*;
use uuid::Uuid;

use super::{Campaign, CampaignFilter, CampaignForm, CampaignPage};
use crate::{audit::HistoryEntry, error::AppError, page_data::PageData};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo;
    pub use crate::{
        audit::repo as audit, auth::require_user, db::Outcome, error::violated_constraint,
        state::pool,
    };
}

/// One page of the rep's campaigns.
#[server(endpoint = "list_campaigns")]
pub async fn list_campaigns(filter: CampaignFilter) -> Result<PageData<CampaignPage>, AppError> {
    use ssr::*;
    let user = require_user()?;
    // The list shows the search's own message (there is no form field to put it beside).
    let filter = filter.validated().map_err(|fields| {
        let message = fields.values().next().cloned().unwrap_or_default();
        AppError {
            message,
            ..AppError::invalid(fields)
        }
    })?;
    PageData::new(&repo::list(&pool()?, user.id, &filter, repo::PAGE_SIZE).await?)
}

/// One campaign of the rep.
#[server(endpoint = "get_campaign")]
pub async fn get_campaign(id: Uuid) -> Result<PageData<Campaign>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let campaign = repo::get(&pool()?, user.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::new(&campaign)
}

/// Creates (no `id`) or updates (with the `version` the form was loaded at) a campaign, then
/// opens it.
#[server(endpoint = "save_campaign")]
pub async fn save_campaign(
    id: Option<Uuid>,
    version: Option<i32>,
    form: CampaignForm,
) -> Result<Uuid, AppError> {
    use ssr::*;
    let user = require_user()?;
    let draft = form.validate().map_err(AppError::invalid)?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    let result = match id {
        None => repo::create(&mut tx, user.id, &draft)
            .await
            .map(Outcome::Done),
        Some(id) => repo::update(&mut tx, user.id, id, version.unwrap_or_default(), &draft)
            .await
            .map(|outcome| outcome.map(|()| id)),
    };
    let id = match result {
        Ok(Outcome::Done(id)) => id,
        Ok(Outcome::NotFound) => return Err(AppError::not_found()),
        Ok(Outcome::Stale) => {
            return Err(AppError::conflict(
                "Cette campagne a été modifiée entre-temps (dans un autre onglet ?). Rechargez la page pour voir la dernière version avant de modifier.",
            ))
        }
        Err(e) if violated_constraint(&e).as_deref() == Some("campaigns_distributor_fkey") => {
            return Err(AppError::invalid_field("distributor_id", "Ce distributeur n’existe pas ou plus."));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    leptos_axum::redirect(&format!("/campagnes/{id}"));
    Ok(id)
}

/// Archives a campaign (it leaves the lists but loses nothing) or restores it.
#[server(endpoint = "set_campaign_archived")]
pub async fn set_campaign_archived(id: Uuid, archived: bool) -> Result<(), AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    match repo::set_archived(&mut tx, user.id, id, archived).await? {
        Outcome::Done(()) => {
            tx.commit().await?;
            Ok(())
        }
        _ => Err(AppError::not_found()),
    }
}

/// Who changed the campaign, when, and what.
#[server(endpoint = "campaign_history")]
pub async fn campaign_history(id: Uuid) -> Result<PageData<Vec<HistoryEntry>>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    if repo::get(&pool, user.id, id).await?.is_none() {
        return Err(AppError::not_found());
    }
    let entries = audit::history(&pool, user.id, "campaign", id).await?;
    PageData::new(&entries.iter().map(|e| e.to_history()).collect())
}
