//! Server functions of the catalogue pages: each a plain form of the server-written pages
//! (`catalog::html`), answered with the page again and a notice (see `server::plain_forms`).
//! Every one takes the campaign and finds nothing of another rep's.

// A product's form posts its fields as they are named in the page: the server function that
// reads it takes each as an argument (the macro's code carries no `allow` put on the function).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    error::{AppError, FormAnswer},
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{
        price::parse_price,
        repo::{self, Decision, Edited, ProductFields},
    };
    pub use crate::{
        auth::require_user,
        state::{jobs, pool},
    };
}

/// The Catalogue tab of campaign `campaign`.
pub fn tab_path(campaign: Uuid) -> String {
    format!("/campagnes/{campaign}/catalogue")
}

/// The review of catalogue `catalog`.
pub fn review_path(campaign: Uuid, catalog: Uuid) -> String {
    format!("/campagnes/{campaign}/catalogue/{catalog}")
}

#[cfg(feature = "ssr")]
use crate::ui::plain_post::answered;

/// Stops the reading of catalogue `catalog` under way (its processes are stopped; the products
/// staged before stay).
#[server(endpoint = "cancel_catalogue_reading", output = FormAnswer)]
pub async fn cancel_catalogue_reading(
    campaign: Uuid,
    catalog: Uuid,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let found = repo::catalog(&pool, user.id, campaign, catalog)
        .await?
        .ok_or_else(AppError::not_found)?;
    let message = match found.reading.filter(|r| r.is_on()) {
        Some(reading) if repo::cancel(&pool, user.id, reading.id).await? => "Lecture annulée.",
        _ => "Cette lecture était déjà terminée.",
    };
    Ok(answered(message, tab_path(campaign)))
}

/// Reads catalogue `catalog` again (the products the rep corrected or reviewed stay as they
/// are).
#[server(endpoint = "read_catalogue_again", output = FormAnswer)]
pub async fn read_catalogue_again(campaign: Uuid, catalog: Uuid) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    repo::catalog(&pool, user.id, campaign, catalog)
        .await?
        .ok_or_else(AppError::not_found)?;
    let Some(job) = repo::read_again(&pool, user.id, catalog).await? else {
        // A double tap: the first one started it.
        return Ok(answered(
            "Ce catalogue est déjà en cours de lecture.",
            tab_path(campaign),
        ));
    };
    queue(&pool, &jobs()?, job).await?;
    Ok(answered(
        "Lecture relancée : la page suit sa progression.",
        tab_path(campaign),
    ))
}

/// Hands reading `job` to the workers; if Redis cannot take it, the reading fails at once with
/// a reason the rep can act on (instead of waiting forever).
#[cfg(feature = "ssr")]
pub async fn queue(
    pool: &sqlx::PgPool,
    jobs: &crate::jobs::Jobs,
    job: Uuid,
) -> Result<(), AppError> {
    let pushed = jobs
        .push_catalogue(crate::jobs::IngestCatalogue { job })
        .await;
    if let Err(e) = pushed {
        // Claimed first, so that `finish` sees it running.
        ssr::repo::claim(pool, job).await?;
        ssr::repo::finish(
            pool,
            job,
            "failed",
            None,
            Some("La lecture n’a pas pu être lancée : réessayez dans un instant."),
        )
        .await?;
        return Err(e);
    }
    Ok(())
}

/// Corrects product `product` of campaign `campaign` and, by `decision`, approves it
/// (`approuver`), rejects it (`rejeter`) or puts it back to check (`remettre`); `enregistrer`
/// (or none) only saves. A field the rep changes stays as written when the catalogue is read
/// again.
#[server(endpoint = "save_product", output = FormAnswer)]
pub async fn save_product(
    campaign: Uuid,
    product: Uuid,
    reference: String,
    name: String,
    #[server(default)] description: String,
    price: String,
    decision: Option<String>,
    /// The review's filter and place, to come back to.
    retour: Option<String>,
) -> Result<Saved<()>, AppError> {
    use crate::ui::forms::{keep, optional_lines, required_text, FieldErrors};
    use ssr::*;
    let user = require_user()?;
    let mut errors = FieldErrors::default();
    let reference = keep(
        &mut errors,
        "reference",
        required_text(&reference, 100, "La référence"),
    );
    let name = keep(&mut errors, "name", required_text(&name, 300, "Le nom"));
    let description = keep(
        &mut errors,
        "description",
        optional_lines(&description, 4000, "La description"),
    );
    let price = keep(&mut errors, "price", parse_price(&price));
    let (Some(reference), Some(name), Some(description), Some(price_cents)) =
        (reference, name, description, price)
    else {
        return Err(AppError::invalid(errors));
    };
    let decision = match decision.as_deref().unwrap_or("enregistrer") {
        "enregistrer" => Decision::Keep,
        "approuver" => Decision::Approve,
        "rejeter" => Decision::Reject,
        "remettre" => Decision::Restore,
        _ => return Err(AppError::invalid_field("decision", "Action inconnue.")),
    };
    let fields = ProductFields {
        reference,
        name,
        description: description.unwrap_or_default(),
        price_cents,
    };
    let pool = pool()?;
    let status =
        match repo::edit_product(&pool, user.id, campaign, product, &fields, decision).await? {
            Edited::Done { status } => status,
            Edited::NotFound => return Err(AppError::not_found()),
            Edited::TakenReference => return Err(AppError::invalid_field(
                "reference",
                "Un autre produit de ce catalogue a déjà cette référence : fusionnez-les plutôt.",
            )),
        };
    let message = match (decision, status.as_str()) {
        (Decision::Approve, _) => format!("« {} » approuvé.", fields.name),
        (Decision::Reject, _) => format!("« {} » rejeté.", fields.name),
        (Decision::Restore, _) => format!("« {} » est de nouveau à vérifier.", fields.name),
        (Decision::Keep, "published") => {
            format!("« {} » enregistré (il reste publié).", fields.name)
        }
        (Decision::Keep, _) => format!("« {} » enregistré.", fields.name),
    };
    let page = review_return(campaign, retour.as_deref(), product)?;
    Ok(answered(message, page))
}

/// Where a review's form comes back to: the review page it was on (its `?` filter kept), at
/// the product. Only a review page of this campaign.
#[cfg(feature = "ssr")]
fn review_return(campaign: Uuid, retour: Option<&str>, product: Uuid) -> Result<String, AppError> {
    let prefix = format!("{}/", tab_path(campaign));
    let retour = retour.unwrap_or_default();
    let (path, query) = retour.split_once('?').unwrap_or((retour, ""));
    let catalog = path
        .strip_prefix(&prefix)
        .and_then(|rest| Uuid::parse_str(rest).ok())
        .ok_or_else(|| AppError::invalid_field("retour", "Page de retour inconnue."))?;
    let query: String = query
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | '&' | '-' | '_'))
        .take(100)
        .collect();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Ok(format!(
        "{}{query}#produit-{product}",
        review_path(campaign, catalog)
    ))
}

/// Approves staged products of catalogue `catalog`: those ticked (`ids`), or, with `tous`, every
/// one still to check.
#[server(endpoint = "approve_products", output = FormAnswer)]
pub async fn approve_products(
    campaign: Uuid,
    catalog: Uuid,
    #[server(default)] ids: Vec<Uuid>,
    #[server(default)] tous: bool,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    if ids.is_empty() && !tous {
        return Err(AppError::invalid_field(
            "ids",
            "Cochez les produits à approuver.",
        ));
    }
    if ids.len() > 1000 {
        return Err(AppError::invalid_field(
            "ids",
            "1 000 produits au plus à la fois : utilisez « Tout approuver ».",
        ));
    }
    let ids = if tous { Vec::new() } else { ids };
    let approved = repo::approve(&pool()?, user.id, campaign, catalog, &ids)
        .await?
        .ok_or_else(AppError::not_found)?;
    let message = match approved {
        0 => "Aucun produit à approuver.".to_string(),
        1 => "1 produit approuvé.".to_string(),
        n => format!("{n} produits approuvés."),
    };
    Ok(answered(message, review_path(campaign, catalog)))
}

/// Publishes the approved products of catalogue `catalog`: the campaign's search finds them.
#[server(endpoint = "publish_catalogue", output = FormAnswer)]
pub async fn publish_catalogue(campaign: Uuid, catalog: Uuid) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let published = repo::publish(&pool()?, user.id, campaign, catalog)
        .await?
        .ok_or_else(AppError::not_found)?;
    let message = match published {
        0 => "Aucun produit approuvé à publier.".to_string(),
        1 => "1 produit publié.".to_string(),
        n => format!("{n} produits publiés."),
    };
    Ok(answered(message, review_path(campaign, catalog)))
}

/// Merges product `product` into `into`, the product it repeats (same catalogue): `into` stays.
#[server(endpoint = "merge_product", output = FormAnswer)]
pub async fn merge_product(
    campaign: Uuid,
    product: Uuid,
    into: Uuid,
    retour: Option<String>,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    if !repo::merge(&pool()?, user.id, campaign, product, into).await? {
        return Err(AppError::not_found());
    }
    let page = review_return(campaign, retour.as_deref(), into)?;
    Ok(answered("Doublon fusionné.", page))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_review_comes_back_only_to_a_review_page_of_its_campaign() {
        let (campaign, catalog, product) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let page = review_path(campaign, catalog);
        assert_eq!(
            review_return(
                campaign,
                Some(&format!("{page}?vue=tous&apres=60")),
                product
            )
            .unwrap(),
            format!("{page}?vue=tous&apres=60#produit-{product}")
        );
        assert_eq!(
            review_return(campaign, Some(&page), product).unwrap(),
            format!("{page}#produit-{product}")
        );
        let other = review_path(Uuid::new_v4(), catalog);
        for bad in [
            other.as_str(),
            "https://evil.example/",
            "//evil.example",
            "",
        ] {
            assert!(
                review_return(campaign, Some(bad), product).is_err(),
                "{bad}"
            );
        }
        // Nothing in the query can lead elsewhere.
        let odd = review_return(campaign, Some(&format!("{page}?x=//evil#y")), product).unwrap();
        assert_eq!(odd, format!("{page}?x=evily#produit-{product}"));
    }

    #[test]
    fn ticked_products_reach_the_server_function_as_a_form_sends_them() {
        let (campaign, catalog) = (Uuid::new_v4(), Uuid::new_v4());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let body = format!("campaign={campaign}&catalog={catalog}&ids[0]={a}&ids[7]={b}");
        let args: ApproveProducts = serde_qs::Config::new(5, false)
            .deserialize_bytes(body.as_bytes())
            .unwrap();
        assert_eq!(args.ids, [a, b]);
        assert!(!args.tous);
    }
}
