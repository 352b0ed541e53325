//! Server functions of the prospect pages. The file itself is uploaded by a plain form post
//! to `POST /campagnes/:id/import` (see `server/src/prospect_files.rs`), which stores it and
//! opens its preview here.

use leptos::prelude::*;
use uuid::Uuid;

use super::model::{PageView, ProspectFields};
use crate::{
    error::{AppError, FormAnswer},
    page_data::PageData,
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{
        contact,
        import::{self, Undone},
        importing,
        model::{count, FIELDS},
        repo, suppression,
    };
    pub use crate::ui::notice::Notice;
    pub use crate::{
        audit::repo::{record, Change},
        auth::require_user,
        db::{self, Claim},
        state::{config, jobs, pool},
    };
}

/// The Prospects tab of campaign `id`: its imports and a page of its prospects, found by
/// the words of `q`, sorted by `tri` (`nom`, `societe`, `recents`), after prospect `apres`.
#[server(endpoint = "get_prospects_tab")]
pub async fn get_prospects_tab(
    id: Uuid,
    q: Option<String>,
    tri: Option<String>,
    apres: Option<Uuid>,
) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let max_mb = config()?.import_max_mb;
    let query = contact::ListQuery {
        q: q.map(|q| q.chars().take(200).collect()),
        sort: contact::Sort::parse(tri.as_deref().unwrap_or_default()),
        after: apres,
    };
    let tab = repo::tab(&pool()?, user.id, id, max_mb, &query)
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::of(&tab)
}

/// Prospect `id` of campaign `campaign`: its fields, extra columns, origin, campaigns and
/// history, with the forms to edit it, mark it "ne plus contacter" and erase it.
#[server(endpoint = "get_prospect")]
pub async fn get_prospect(campaign: Uuid, id: Uuid) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let name = repo::campaign_name(&pool, user.id, campaign)
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = contact::get(&pool, user.id, campaign, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let history = crate::audit::repo::history(&pool, user.id, "prospect", id).await?;
    let display_name = stored.fields.display_name();
    PageData::of(&serde_json::json!({
        "campaign": name,
        "id": id,
        "name": display_name,
        "html": super::html::prospect(campaign, &stored, &history),
        "prospect": {
            "fields": stored.fields,
            "extra": stored.extra,
            "do_not_contact": stored.do_not_contact,
            "origin": stored.origin.kind,
            "origin_file": stored.origin.file,
            "origin_show": stored.origin.show,
            "version": stored.version,
        },
    }))
}

/// Saves the fields of prospect `id` read at `version`, with the checks of a hand entry. Posted
/// twice, the second finds the values already there and saves nothing; a change made since
/// `version` is not overwritten.
#[server(endpoint = "update_prospect", output = FormAnswer)]
pub async fn update_prospect(
    campaign: Uuid,
    id: Uuid,
    version: i32,
    prospect: ProspectFields,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let prospect = checked(prospect)?;
    let key = config()?.suppression_key();
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    let message = match contact::update(&mut tx, &key, user.id, campaign, id, version, &prospect)
        .await?
    {
        contact::Updated::Saved => "Prospect enregistré.",
        contact::Updated::Unchanged => "Aucune modification.",
        contact::Updated::Conflict => {
            return Err(AppError::conflict(
                "Ce prospect a été modifié entre-temps (sur un autre appareil ?) : rechargez la page pour voir ses valeurs actuelles.",
            ))
        }
        contact::Updated::Suppressed => return Err(AppError::invalid_field("email", SUPPRESSED)),
        contact::Updated::Taken => {
            return Err(AppError::invalid_field(
                "email",
                "Un autre de vos contacts a déjà cette adresse.",
            ))
        }
        contact::Updated::NotFound => return Err(AppError::not_found()),
    };
    tx.commit().await?;
    let page = format!("/campagnes/{campaign}/prospects/{id}");
    leptos_axum::redirect(&page);
    Ok(Saved {
        value: (),
        notice: Notice::new(message, page),
    })
}

/// Marks prospect `id` "ne plus contacter" (`on`), or clears the mark: sending skips a marked
/// contact, and no import or hand entry brings its address back while it is marked.
#[server(endpoint = "set_do_not_contact", output = FormAnswer)]
pub async fn set_do_not_contact(campaign: Uuid, id: Uuid, on: bool) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let key = config()?.suppression_key();
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    contact::set_do_not_contact(&mut tx, &key, user.id, campaign, id, on)
        .await?
        .ok_or_else(AppError::not_found)?;
    tx.commit().await?;
    let page = format!("/campagnes/{campaign}/prospects/{id}");
    leptos_axum::redirect(&page);
    let message = if on {
        "Ce contact ne sera plus contacté : aucun mail ne lui sera envoyé, et aucun import ne le rajoutera."
    } else {
        "Ce contact peut de nouveau être contacté."
    };
    Ok(Saved {
        value: (),
        notice: Notice::new(message, page),
    })
}

/// Erases prospect `id` for good, on the contact's request (see `contact::erase`); `confirm`
/// must be ticked. Posted twice with the same `key`, the second opens the tab as the first.
#[server(endpoint = "erase_prospect", output = FormAnswer)]
pub async fn erase_prospect(
    campaign: Uuid,
    id: Uuid,
    key: Option<Uuid>,
    confirm: Option<String>,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    if confirm.is_none() {
        return Err(AppError::invalid_field(
            "confirm",
            "Cochez la case pour confirmer l’effacement définitif.",
        ));
    }
    let config = config()?;
    let pool = pool()?;
    let page = format!("/campagnes/{campaign}/prospects");
    let done = || {
        leptos_axum::redirect(&page);
        Ok(Saved {
            value: (),
            notice: Notice::new(
                "Contact effacé définitivement. Son adresse ne sera plus importée.",
                page.clone(),
            ),
        })
    };
    let addresses = contact::addresses(&mut *pool.acquire().await?, user.id, campaign, id).await?;
    let holding = contact::uploads_holding(&pool, &config.data_dir, user.id, &addresses).await?;
    let mut tx = pool.begin().await?;
    if let Some(key) = key {
        if let Claim::Done(_) = db::claim(&mut tx, user.id, "prospect_erase", key).await? {
            return done();
        }
    }
    let erased = contact::erase(
        &mut tx,
        &config.suppression_key(),
        user.id,
        campaign,
        id,
        &holding,
        &config.data_dir,
    )
    .await?
    .ok_or_else(AppError::not_found)?;
    if let Some(key) = key {
        db::settle(&mut tx, user.id, "prospect_erase", key, id).await?;
    }
    tx.commit().await?;
    for file in erased.files {
        let _ = tokio::fs::remove_file(file).await;
    }
    done()
}

/// An uploaded file of campaign `campaign`, as its mapping page shows it.
#[server(endpoint = "get_import_upload")]
pub async fn get_import_upload(
    campaign: Uuid,
    upload: Uuid,
) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let name = repo::campaign_name(&pool, user.id, campaign)
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = repo::upload(&pool, user.id, campaign, upload)
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::of(&super::model::UploadPreview {
        id: upload,
        campaign: name,
        file_name: stored.file_name,
        size: size_text(stored.size_bytes),
        header_line: stored.preview.header_line,
        html: super::html::mapping(&stored.preview.columns, stored.error.as_deref()),
        columns: stored.preview.columns,
        // A refused import can be started again.
        batch: stored.batch.filter(|_| stored.error.is_none()),
    })
}

/// `850 octets`, `12,5 Ko`, `3,2 Mo`.
#[cfg(feature = "ssr")]
fn size_text(bytes: i64) -> String {
    let decimal = |n: f64, unit: &str| format!("{n:.1} {unit}").replace('.', ",");
    match bytes {
        b if b < 1024 => format!("{b} octets"),
        b if b < 1024 * 1024 => decimal(b as f64 / 1024.0, "Ko"),
        b => decimal(b as f64 / (1024.0 * 1024.0), "Mo"),
    }
}

/// Imports upload `upload` into campaign `campaign` with the rep's mapping: `columns` holds
/// the field key of each column in the file's order (empty: kept as extra data). Opens the
/// import's report. Posted twice (a double tap), it imports once and opens the same report.
#[server(endpoint = "start_import", output = FormAnswer)]
pub async fn start_import(
    campaign: Uuid,
    upload: Uuid,
    columns: Vec<String>,
) -> Result<Saved<Uuid>, AppError> {
    use ssr::*;
    let user = require_user()?;
    read_columns(&columns)?;
    let pool = pool()?;
    let config = config()?;
    let (data_dir, key) = (config.data_dir.clone(), config.suppression_key());
    let batch = Uuid::new_v4();
    let size_bytes =
        match repo::claim_upload(&pool, user.id, campaign, upload, batch, &columns).await? {
            repo::Claim::Claimed { size_bytes } => size_bytes,
            repo::Claim::Started(batch) => {
                return Ok(reported(campaign, batch, "Cet import est déjà lancé."))
            }
            repo::Claim::NotFound => return Err(AppError::not_found()),
        };
    if size_bytes > importing::INLINE_MAX_BYTES {
        let queued = jobs()?
            .push_import(crate::jobs::ImportProspects { upload, batch })
            .await;
        if let Err(e) = queued {
            repo::release_upload(&pool, upload).await?;
            return Err(e);
        }
        return Ok(reported(
            campaign,
            batch,
            "Import lancé : la page suit sa progression.",
        ));
    }
    let summary = match importing::run(&pool, &data_dir, &key, upload, batch).await {
        Ok(importing::Outcome::Done(summary)) => summary,
        Ok(importing::Outcome::Refused(message)) => return Err(AppError::conflict(message)),
        Ok(importing::Outcome::Gone) => return Err(AppError::not_found()),
        Err(e) => return Err(AppError::internal("import", e)),
    };
    let message = format!(
        "Import terminé : {}, {}.",
        count(summary.linked as i64, "contact ajouté", "contacts ajoutés"),
        count(summary.rejected as i64, "ligne rejetée", "lignes rejetées"),
    );
    Ok(reported(campaign, batch, &message))
}

/// Adds a prospect typed in at the stand to campaign `campaign`, with the checks of an import:
/// a valid address (trimmed, lowercased), the same limits. A known address is never
/// duplicated: it joins the campaign and gets what it lacked. Posted twice with the same `key`,
/// it adds once.
#[server(endpoint = "add_prospect", output = FormAnswer)]
pub async fn add_prospect(
    campaign: Uuid,
    key: Option<Uuid>,
    prospect: ProspectFields,
) -> Result<Saved<Uuid>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let (id, message) =
        add_by_hand(&pool()?, &*config()?, user.id, campaign, key, prospect).await?;
    let page = format!("/campagnes/{campaign}/prospects");
    leptos_axum::redirect(&page);
    Ok(Saved {
        value: id,
        notice: Notice::new(message, page),
    })
}

/// Adds a contact typed by the rep to the campaign (checked; refused when its address is on
/// the suppression list); `key` makes a double tap one contact. The contact's id, and what
/// happened in French.
#[cfg(feature = "ssr")]
pub async fn add_by_hand(
    pool: &sqlx::PgPool,
    config: &crate::config::Config,
    owner: Uuid,
    campaign: Uuid,
    key: Option<Uuid>,
    prospect: ProspectFields,
) -> Result<(Uuid, &'static str), AppError> {
    use ssr::{record, repo, suppression, Change, Claim};
    let prospect = checked(prospect)?;
    let mut tx = pool.begin().await?;
    if let Some(key) = key {
        if let Claim::Done(id) = crate::db::claim(&mut tx, owner, "prospect", key).await? {
            return Ok((id, "Prospect ajouté."));
        }
    }
    suppression::lock(&mut tx, owner).await?;
    if suppression::contains(&mut *tx, &config.suppression_key(), owner, &prospect.email).await? {
        return Err(AppError::invalid_field("email", SUPPRESSED));
    }
    let added = repo::add_by_hand(&mut tx, owner, campaign, &prospect)
        .await?
        .ok_or_else(AppError::not_found)?;
    if let Some(key) = key {
        crate::db::settle(&mut tx, owner, "prospect", key, added.id()).await?;
    }
    // The log names the contact by its id only: an erasure leaves nothing of it there.
    record(
        &mut tx,
        Change {
            owner,
            actor: owner,
            entity_type: "prospect",
            entity_id: added.id(),
            action: "create",
            before: None,
            after: Some(serde_json::json!({ "campaign_id": campaign, "origin": "hand" })),
        },
    )
    .await?;
    tx.commit().await?;
    let message = match added {
        repo::Added::New(_) => "Prospect ajouté.",
        repo::Added::Known(_) => "Contact déjà connu : ajouté à la campagne.",
        repo::Added::AlreadyThere(_) => "Ce contact est déjà dans la campagne.",
    };
    Ok((added.id(), message))
}

/// Why an address on the suppression list is refused.
#[cfg(feature = "ssr")]
const SUPPRESSED: &str =
    "Cette adresse a été effacée ou ne veut plus être contactée : elle ne peut pas être ajoutée.";

/// A prospect's fields as typed, checked: trimmed, the address normalised, each field within
/// its limit; what is wrong is said per field, in French.
#[cfg(feature = "ssr")]
fn checked(typed: ProspectFields) -> Result<ProspectFields, AppError> {
    use super::model::max_chars;
    let mut errors = std::collections::BTreeMap::new();
    let mut p = ProspectFields::default();
    for (key, value) in typed.pairs() {
        if key == "email" {
            match ::import::email::check(value) {
                ::import::email::Check::Valid(email) => p.email = email,
                ::import::email::Check::Missing => {
                    errors.insert(key.into(), "L’adresse e-mail est obligatoire.".into());
                }
                ::import::email::Check::Invalid => {
                    errors.insert(
                        key.into(),
                        "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@societe.fr)."
                            .into(),
                    );
                }
            }
            continue;
        }
        let value = value.trim();
        let max = max_chars(key);
        if value.chars().count() > max {
            errors.insert(key.into(), format!("{max} caractères au plus."));
        }
        p.set(key, value.to_string());
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(AppError::invalid(errors))
    }
}

/// The field of each column, from the form; the email column is required, and each other
/// field can have one column only.
#[cfg(feature = "ssr")]
fn read_columns(columns: &[String]) -> Result<Vec<Option<::import::Field>>, AppError> {
    use ssr::FIELDS;
    let mut chosen = Vec::with_capacity(columns.len());
    for key in columns {
        let field = match key.as_str() {
            "" => None,
            key => Some(::import::Field::from_key(key).ok_or_else(|| {
                AppError::invalid_field("columns", format!("Champ inconnu : « {key} »."))
            })?),
        };
        if let Some(f) = field {
            if f != ::import::Field::Email && chosen.contains(&Some(f)) {
                let label = FIELDS
                    .iter()
                    .find(|(k, _)| *k == f.key())
                    .map_or("", |(_, l)| *l);
                return Err(AppError::invalid_field(
                    "columns",
                    format!("Le champ « {label} » est choisi pour deux colonnes : gardez-en une."),
                ));
            }
        }
        chosen.push(field);
    }
    if !chosen.contains(&Some(::import::Field::Email)) {
        return Err(AppError::invalid_field(
            "columns",
            "Choisissez la colonne qui contient les adresses e-mail.",
        ));
    }
    Ok(chosen)
}

/// Opens the report of import `batch`, saying `message`.
#[cfg(feature = "ssr")]
fn reported(campaign: Uuid, batch: Uuid, message: &str) -> Saved<Uuid> {
    let page = format!("/campagnes/{campaign}/imports/{batch}");
    leptos_axum::redirect(&page);
    Saved {
        value: batch,
        notice: ssr::Notice::new(message, page),
    }
}

/// The report of import `batch` of campaign `campaign`; while it runs, how far it has read,
/// and if its file was refused, why.
#[server(endpoint = "get_import_report")]
pub async fn get_import_report(
    campaign: Uuid,
    batch: Uuid,
) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let state = repo::import_state(&pool, user.id, campaign, batch)
        .await?
        .ok_or_else(AppError::not_found)?;
    if state == repo::ImportState::Done {
        let report = repo::report(&pool, user.id, batch)
            .await?
            .ok_or_else(AppError::not_found)?;
        return PageData::of(&report);
    }
    let name = repo::campaign_name(&pool, user.id, campaign)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (file_name, running, html) = match &state {
        repo::ImportState::Running {
            file_name, rows, ..
        } => (file_name, Some(*rows), super::html::running(*rows)),
        repo::ImportState::Failed {
            file_name,
            upload,
            message,
        } => (
            file_name,
            None,
            super::html::failed(campaign, *upload, message),
        ),
        repo::ImportState::Done => unreachable!("answered above"),
    };
    PageData::of(&serde_json::json!({
        "campaign": name,
        "id": batch,
        "file_name": file_name,
        "running": running,
        "failed": running.is_none(),
        "state": importing::state_json(&state),
        "html": html,
    }))
}

/// Undoes import `id` (see `import::undo`); opens its report.
#[server(endpoint = "undo_import", output = FormAnswer)]
pub async fn undo_import(id: Uuid) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let (campaign, message) = match import::undo(&pool()?, user.id, id).await? {
        Undone::Done {
            campaign,
            removed,
            unlinked,
            restored,
        } => {
            let mut message = format!(
                "Import annulé : {} de la campagne, {} de vos contacts.",
                count(unlinked as i64, "contact retiré", "contacts retirés"),
                count(removed as i64, "supprimé", "supprimés"),
            );
            if restored > 0 {
                message.push_str(&format!(
                    " {}.",
                    count(
                        restored as i64,
                        "contact connu retrouve ses champs d’avant",
                        "contacts connus retrouvent leurs champs d’avant"
                    )
                ));
            }
            (campaign, message)
        }
        Undone::Already { campaign } => (campaign, "Cet import était déjà annulé.".to_string()),
        Undone::NotFound => return Err(AppError::not_found()),
    };
    let page = format!("/campagnes/{campaign}/imports/{id}");
    leptos_axum::redirect(&page);
    Ok(Saved {
        value: (),
        notice: Notice::new(message, page),
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_field_the_import_knows() {
        let keys: Vec<&str> = ssr::FIELDS.iter().map(|(k, _)| *k).collect();
        for field in ::import::Field::ALL {
            assert!(keys.contains(&field.key()), "{}", field.key());
        }
        assert_eq!(keys.len(), ::import::Field::ALL.len());
    }

    #[test]
    fn the_form_s_address_limit_is_the_import_s() {
        assert_eq!(super::super::model::EMAIL_MAX, ::import::email::MAX_LEN);
    }

    #[test]
    fn sizes_read_in_french() {
        assert_eq!(size_text(850), "850 octets");
        assert_eq!(size_text(12_800), "12,5 Ko");
        assert_eq!(size_text(3_355_443), "3,2 Mo");
    }

    #[test]
    fn a_mapping_needs_an_email_and_one_column_per_field() {
        let cols = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(read_columns(&cols(&["first_name", ""])).is_err());
        assert!(read_columns(&cols(&["email", "city", "city"])).is_err());
        assert!(read_columns(&cols(&["email", "nope"])).is_err());
        let two_emails = read_columns(&cols(&["email", "", "email"])).unwrap();
        assert_eq!(two_emails.iter().flatten().count(), 2);
    }
}
