use leptos::prelude::*;
use uuid::Uuid;

use super::{Distributor, DistributorForm};
use crate::{
    error::{AppError, FormAnswer},
    page_data::PageData,
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo;
    pub use crate::ui::notice::Notice;
    pub use crate::{
        auth::require_user,
        db::{self, Claim, Outcome},
        error::violated_constraint,
        state::pool,
    };
    pub use leptos::server_fn::ServerFn;
}

/// The rep's distributors.
#[server(endpoint = "list_distributors")]
pub async fn list_distributors() -> Result<PageData<Vec<Distributor>>, AppError> {
    use ssr::*;
    let user = require_user()?;
    PageData::new(&repo::list(&pool()?, user.id).await?)
}

/// The rep's distributors as the `<option>`s of a select (rendered here: a page with a
/// distributor dropdown carries no distributor decoding nor list view in its WASM), after a
/// first empty option: "Tous" for a filter, "Choisir…" for a form. The option chosen is
/// `selected`, else the distributor of `campaign` (a campaign being edited).
#[server(endpoint = "distributor_options")]
pub async fn distributor_options(
    filter: bool,
    selected: Option<Uuid>,
    campaign: Option<Uuid>,
) -> Result<String, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let selected = match (selected, campaign) {
        (Some(id), _) => Some(id),
        (None, Some(campaign)) => crate::campaigns::repo::get(&pool, user.id, campaign)
            .await?
            .map(|c| c.distributor_id),
        (None, None) => None,
    };
    let distributors = repo::list(&pool, user.id).await?;
    let none = if filter { "Tous" } else { "Choisir…" };
    Ok(crate::ui::server_html(view! {
        <option value="">{none}</option>
        {distributors.into_iter().map(|d| view! {
            <option value=d.id.to_string() selected=selected == Some(d.id)>{d.name}</option>
        }).collect_view()}
    }))
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
/// then goes back to the list. A create posted twice with the same `key` creates once (see
/// `db::claim`).
#[server(endpoint = "save_distributor", output = FormAnswer)]
pub async fn save_distributor(
    id: Option<Uuid>,
    version: Option<i32>,
    key: Option<Uuid>,
    form: DistributorForm,
) -> Result<Saved<Uuid>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let draft = form.validate().map_err(AppError::invalid)?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    if let (None, Some(key)) = (id, key) {
        if let Claim::Done(id) = db::claim(&mut tx, user.id, "distributor", key).await? {
            return Ok(listed(
                id,
                format!("Distributeur « {} » ajouté.", draft.name),
            ));
        }
    }
    let creating = id.is_none();
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
    if let (true, Some(key)) = (creating, key) {
        db::settle(&mut tx, user.id, "distributor", key, id).await?;
    }
    tx.commit().await?;
    let message = if creating {
        format!("Distributeur « {} » ajouté.", draft.name)
    } else {
        format!("Distributeur « {} » enregistré.", draft.name)
    };
    Ok(listed(id, message))
}

/// Back to the list, saying what was done.
#[cfg(feature = "ssr")]
fn listed(id: Uuid, message: String) -> Saved<Uuid> {
    leptos_axum::redirect(LIST);
    Saved {
        value: id,
        notice: ssr::Notice::new(message, LIST),
    }
}

/// The distributors' page.
#[cfg(feature = "ssr")]
const LIST: &str = "/distributeurs";

/// Deletes a distributor no campaign uses; its notice can undo it.
#[server(endpoint = "delete_distributor", output = FormAnswer)]
pub async fn delete_distributor(id: Uuid) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    match repo::delete(&mut tx, user.id, id).await {
        Ok(Outcome::Done(name)) => {
            tx.commit().await?;
            leptos_axum::redirect(LIST);
            let notice = Notice::new(format!("Distributeur « {name} » supprimé."), LIST)
                .with_undo(RestoreDistributor::url(), id);
            Ok(Saved { value: (), notice })
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

/// Brings back a distributor the rep deleted (the "Annuler" of its notice), with its id, from
/// what the audit log kept of it.
#[server(endpoint = "restore_distributor", output = FormAnswer)]
pub async fn restore_distributor(id: Uuid) -> Result<Saved<Uuid>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    match repo::restore(&mut tx, user.id, id).await {
        Ok(Outcome::Done(name)) => {
            tx.commit().await?;
            Ok(listed(id, format!("Distributeur « {name} » rétabli.")))
        }
        Ok(_) => Err(AppError::not_found()),
        Err(e) if violated_constraint(&e).as_deref() == Some("distributors_owner_name_key") => {
            Err(AppError::conflict(
                "Un distributeur du même nom existe déjà : celui-ci ne peut pas être rétabli.",
            ))
        }
        Err(e) => Err(e.into()),
    }
}
