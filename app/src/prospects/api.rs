//! Server functions of the prospect pages. The file itself is uploaded by a plain form post
//! to `POST /campagnes/:id/import` (see `server/src/prospect_files.rs`), which stores it and
//! opens its preview here.

use leptos::prelude::*;
use uuid::Uuid;

use super::model::{HandProspect, PageView};
use crate::{
    error::{AppError, FormAnswer},
    page_data::PageData,
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{
        import::{self, Undone},
        importing,
        model::{count, FIELDS},
        repo,
    };
    pub use crate::ui::notice::Notice;
    pub use crate::{
        audit::repo::{record, Change},
        auth::require_user,
        db::{self, Claim},
        state::{config, jobs, pool},
    };
}

/// The Prospects tab of campaign `id`.
#[server(endpoint = "get_prospects_tab")]
pub async fn get_prospects_tab(id: Uuid) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let max_mb = config()?.import_max_mb;
    let tab = repo::tab(&pool()?, user.id, id, max_mb)
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::of(&tab)
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
    let data_dir = config()?.data_dir.clone();
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
    let summary = match importing::run(&pool, &data_dir, upload, batch).await {
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
    prospect: HandProspect,
) -> Result<Saved<Uuid>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let prospect = checked(prospect)?;
    let pool = pool()?;
    let mut tx = pool.begin().await?;
    let page = format!("/campagnes/{campaign}/prospects");
    if let Some(key) = key {
        if let Claim::Done(id) = db::claim(&mut tx, user.id, "prospect", key).await? {
            leptos_axum::redirect(&page);
            return Ok(Saved {
                value: id,
                notice: Notice::new("Prospect ajouté.", page),
            });
        }
    }
    let added = repo::add_by_hand(&mut tx, user.id, campaign, &prospect)
        .await?
        .ok_or_else(AppError::not_found)?;
    if let Some(key) = key {
        db::settle(&mut tx, user.id, "prospect", key, added.id()).await?;
    }
    // The log names the contact by its id only: an erasure leaves nothing of it there.
    record(
        &mut tx,
        Change {
            owner: user.id,
            actor: user.id,
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
    leptos_axum::redirect(&page);
    Ok(Saved {
        value: added.id(),
        notice: Notice::new(message, page),
    })
}

/// A hand-typed prospect checked: trimmed, the address normalised, each field within its limit.
#[cfg(feature = "ssr")]
fn checked(p: HandProspect) -> Result<HandProspect, AppError> {
    use super::model::{COMPANY_MAX, NAME_MAX, NOTES_MAX, PHONE_MAX};
    let mut errors = std::collections::BTreeMap::new();
    let email = match ::import::email::check(&p.email) {
        ::import::email::Check::Valid(email) => email,
        ::import::email::Check::Missing => {
            errors.insert("email".into(), "L’adresse e-mail est obligatoire.".into());
            String::new()
        }
        ::import::email::Check::Invalid => {
            errors.insert(
                "email".into(),
                "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@societe.fr).".into(),
            );
            String::new()
        }
    };
    let mut field = |name: &str, value: String, max: usize| {
        let value = value.trim().to_string();
        if value.chars().count() > max {
            errors.insert(name.into(), format!("{max} caractères au plus."));
        }
        value
    };
    let p = HandProspect {
        email,
        first_name: field("first_name", p.first_name, NAME_MAX),
        last_name: field("last_name", p.last_name, NAME_MAX),
        company: field("company", p.company, COMPANY_MAX),
        job_title: field("job_title", p.job_title, COMPANY_MAX),
        phone: field("phone", p.phone, PHONE_MAX),
        notes: field("notes", p.notes, NOTES_MAX),
    };
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
