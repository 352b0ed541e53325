use leptos::prelude::*;
use uuid::Uuid;

use super::{Campaign, CampaignFilter, CampaignForm, CampaignPage};
use crate::{
    audit::HistoryEntry,
    error::{AppError, FormAnswer},
    page_data::PageData,
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{repo, StatusFilter};
    pub use crate::distributors::repo as distributors;
    pub use crate::ui::notice::Notice;
    pub use crate::{
        audit::repo as audit,
        auth::require_user,
        db::{self, Claim, Outcome},
        error::violated_constraint,
        state::pool,
    };
    pub use leptos::server_fn::ServerFn;
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
    let mut db = pool()?.acquire().await?;
    PageData::new(&repo::list(&mut db, user.id, &filter, repo::PAGE_SIZE).await?)
}

/// The home page's day for a signed-in rep, as HTML (see `ui::home`): the shows running and
/// the next three. A visitor gets nothing (the page then says what Spine does).
#[server(endpoint = "today_html")]
pub async fn today_html() -> Result<Option<String>, AppError> {
    use ssr::*;
    let Some(user) = crate::auth::current_user_from_request() else {
        return Ok(None);
    };
    let mut db = pool()?.acquire().await?;
    let of = |status| CampaignFilter {
        status,
        ..Default::default()
    };
    let running = repo::list(&mut db, user.id, &of(StatusFilter::Running), 10).await?;
    let upcoming = repo::list(&mut db, user.id, &of(StatusFilter::Upcoming), 3).await?;
    Ok(Some(super::today::html(
        &running.items,
        &upcoming.items,
        running.owned,
    )))
}

/// One campaign of the rep.
#[server(endpoint = "get_campaign")]
pub async fn get_campaign(id: Uuid) -> Result<PageData<Campaign>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut campaign = repo::get(&pool, user.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let counts = crate::board::repo::counts(&pool, user.id, id).await?;
    campaign.pipeline = crate::board::html::pipeline(&counts);
    PageData::new(&campaign)
}

/// Creates (no `id`) or updates (with the `version` the form was loaded at) a campaign, then
/// opens it. A create posted twice with the same `key` creates once (see `db::claim`).
#[server(endpoint = "save_campaign", output = FormAnswer)]
pub async fn save_campaign(
    id: Option<Uuid>,
    version: Option<i32>,
    key: Option<Uuid>,
    form: CampaignForm,
) -> Result<Saved<Uuid>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let draft = form.validate().map_err(AppError::invalid)?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    if let (None, Some(key)) = (id, key) {
        if let Claim::Done(id) = db::claim(&mut tx, user.id, "campaign", key).await? {
            return Ok(opened(id, "Campagne créée."));
        }
    }
    let creating = id.is_none();
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
    if let (true, Some(key)) = (creating, key) {
        db::settle(&mut tx, user.id, "campaign", key, id).await?;
    }
    tx.commit().await?;
    Ok(opened(
        id,
        if creating {
            "Campagne créée."
        } else {
            "Modifications enregistrées."
        },
    ))
}

/// Opens the campaign's page, saying what was done.
#[cfg(feature = "ssr")]
fn opened(id: Uuid, message: &str) -> Saved<Uuid> {
    let page = format!("/campagnes/{id}");
    leptos_axum::redirect(&page);
    Saved {
        value: id,
        notice: ssr::Notice::new(message, page),
    }
}

/// Archives a campaign (it leaves the lists but loses nothing) or restores it; archiving can
/// be undone from its notice.
#[server(endpoint = "set_campaign_archived", output = FormAnswer)]
pub async fn set_campaign_archived(id: Uuid, archived: bool) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    match repo::set_archived(&mut tx, user.id, id, archived).await? {
        Outcome::Done(()) => tx.commit().await?,
        _ => return Err(AppError::not_found()),
    }
    let page = format!("/campagnes/{id}");
    let notice = if archived {
        Notice::new(
            "Campagne archivée : elle n’apparaît plus dans les listes, rien n’est perdu.",
            page,
        )
        .with_undo(RestoreCampaign::url(), id)
    } else {
        Notice::new("Campagne restaurée.", page)
    };
    Ok(Saved { value: (), notice })
}

/// Restores an archived campaign (the "Annuler" of archiving).
#[server(endpoint = "restore_campaign", output = FormAnswer)]
pub async fn restore_campaign(id: Uuid) -> Result<Saved<()>, AppError> {
    let restored = set_campaign_archived(id, false).await?;
    leptos_axum::redirect(&restored.notice.page);
    Ok(restored)
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
    let ids: Vec<Uuid> = entries
        .iter()
        .flat_map(|e| e.distributor_ids())
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    let names = distributors::names(&pool, user.id, &ids).await?;
    let name_of = |id: &str| {
        Uuid::parse_str(id)
            .ok()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| "distributeur supprimé".to_string())
    };
    PageData::new(&entries.iter().map(|e| e.to_history(&name_of)).collect())
}
