//! Server functions of the prospect pages. The file itself is uploaded by a plain form post
//! to `POST /campagnes/:id/import` (see `server/src/prospect_files.rs`), which stores it and
//! opens its preview here.

use leptos::prelude::*;
use uuid::Uuid;

use super::model::PageView;
use crate::{
    error::{AppError, FormAnswer},
    page_data::PageData,
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{
        import::{self, Columns, ImportError, Input, Request, Source, Undone},
        model::{count, FIELDS},
        repo,
    };
    pub use crate::ui::notice::Notice;
    pub use crate::{
        auth::require_user,
        state::{config, pool},
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
        html: super::html::mapping(&stored.preview.columns),
        columns: stored.preview.columns,
        batch: stored.batch,
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
    let chosen = read_columns(&columns)?;
    let pool = pool()?;
    let data_dir = config()?.data_dir.clone();
    let batch = Uuid::new_v4();
    let file_name = match repo::claim_upload(&pool, user.id, campaign, upload, batch).await? {
        repo::Claim::Claimed { file_name } => file_name,
        repo::Claim::Started(batch) => {
            return Ok(reported(campaign, batch, "Cet import est déjà lancé."))
        }
        repo::Claim::NotFound => return Err(AppError::not_found()),
    };
    let request = Request {
        owner: user.id,
        campaign_id: campaign,
        batch,
        file_name,
        input: Input::File(repo::upload_path(&data_dir, upload)),
        columns: Columns::Chosen(chosen),
        source: Source::Web,
    };
    let summary = match import::run(&pool, request).await {
        Ok(summary) => summary,
        Err(error) => {
            repo::release_upload(&pool, upload).await?;
            return Err(match error {
                ImportError::File(e) => AppError::conflict(e.to_string()),
                ImportError::CampaignNotFound => AppError::not_found(),
                e @ ImportError::ColumnsChanged => AppError::conflict(e.to_string()),
                e => AppError::internal("import", e),
            });
        }
    };
    // The upload's row stays (a second tap opens this import) until the sweep; its file goes.
    let _ = std::fs::remove_file(repo::upload_path(&data_dir, upload));
    let message = format!(
        "Import terminé : {}, {}.",
        count(summary.linked as i64, "contact ajouté", "contacts ajoutés"),
        count(summary.rejected as i64, "ligne rejetée", "lignes rejetées"),
    );
    Ok(reported(campaign, batch, &message))
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

/// The report of import `batch` of campaign `campaign`. While the import runs (it was just
/// started by another tap), a "conflict" that says so.
#[server(endpoint = "get_import_report")]
pub async fn get_import_report(
    campaign: Uuid,
    batch: Uuid,
) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    match repo::report(&pool, user.id, batch).await? {
        Some(report) if report.campaign.id == campaign => PageData::of(&report),
        Some(_) => Err(AppError::not_found()),
        None if repo::import_under_way(&pool, user.id, batch).await? => Err(AppError::conflict(
            "Cet import est en cours : rechargez la page dans un instant.",
        )),
        None => Err(AppError::not_found()),
    }
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
