use leptos::prelude::*;
use uuid::Uuid;

use super::{Distributor, DistributorForm};
use crate::{error::AppError, page_data::PageData};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo;
    pub use crate::{auth::require_user, db::Outcome, error::violated_constraint, state::pool};
}

/// The rep's distributors.
#[server(endpoint = "list_distributors")]
pub async fn list_distributors() -> Result<PageData<Vec<Distributor>>, AppError> {
    use ssr::*;
    let user = require_user()?;
    PageData::new(&repo::list(&pool()?, user.id).await?)
}

/// One distributor of the rep.
#[server(endpoint = "get_distributor")]
pub async fn get_distributor(id: Uuid) -> Result<PageData<Distributor>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let distributor = repo::get(&pool()?, user.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::new(&distributor)
}

/// Creates (no `id`) or updates (with the `version` the form was loaded at) a distributor,
/// then goes back to the list.
#[server(endpoint = "save_distributor")]
pub async fn save_distributor(
    id: Option<Uuid>,
    version: Option<i32>,
    form: DistributorForm,
) -> Result<Uuid, AppError> {
    use ssr::*;
    let user = require_user()?;
    let draft = form.validate().map_err(AppError::invalid)?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    let result = match id {
        None => repo::create(&mut tx, user.id, &draft)
            .await
            .map(|d| Outcome::Done(d.id)),
        Some(id) => repo::update(&mut tx, user.id, id, version.unwrap_or_default(), &draft)
            .await
            .map(|outcome| outcome.map(|()| id)),
    };
    let id = match result {
        Ok(Outcome::Done(id)) => id,
        Ok(Outcome::NotFound) => return Err(AppError::not_found()),
        Ok(Outcome::Stale) => {
            return Err(AppError::conflict(
                "Ce distributeur a été modifié entre-temps (dans un autre onglet ?). Rechargez la page pour voir la dernière version avant de modifier.",
            ))
        }
        Err(e) if violated_constraint(&e).as_deref() == Some("distributors_owner_name_key") => {
            return Err(AppError::invalid_field("name", format!("Vous avez déjà un distributeur nommé « {} ».", draft.name)));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    leptos_axum::redirect("/distributeurs");
    Ok(id)
}

/// Deletes a distributor no campaign uses.
#[server(endpoint = "delete_distributor")]
pub async fn delete_distributor(id: Uuid) -> Result<(), AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    match repo::delete(&mut tx, user.id, id).await {
        Ok(Outcome::Done(())) => {
            tx.commit().await?;
            Ok(())
        }
        Ok(_) => Err(AppError::not_found()),
        Err(e) if violated_constraint(&e).as_deref() == Some("campaigns_distributor_fkey") => {
            drop(tx);
            let (name, used) = repo::get(&pool, user.id, id)
                .await?
                .map(|d| (d.name, d.campaign_count))
                .unwrap_or_else(|| ("Ce distributeur".into(), 0));
            Err(AppError::conflict(format!(
                "{name} est utilisé par {used} campagne{} : il ne peut pas être supprimé. Rattachez d’abord ces campagnes à un autre distributeur.",
                if used > 1 { "s" } else { "" }
            )))
        }
        Err(e) => Err(e.into()),
    }
}
