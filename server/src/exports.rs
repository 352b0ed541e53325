//! Board exports: `GET /campagnes/:id/export?etape=four|frigo|tout&format=xlsx|csv`, every
//! field of each prospect with its stage, the reply's outcome and its origin.
//!
//! - **Excel workbook** (`rust_xlsxwriter`): every cell typed, text or date; nothing is ever a
//!   formula, so `=1+1` stays text and phones stay as typed.
//! - **CSV** for other tools: UTF-8 with a byte-order mark (Excel reads the accents), `;` (French
//!   Excel's delimiter), CRLF, French headers. A cell starting with `=`, `+`, `-`, `@`, a tab or
//!   a carriage return gets a leading `'` (OWASP's advice against formula injection): Excel and
//!   LibreOffice take it as "this cell is text" and show the value without it. A phone written
//!   `+33 6 12 34 56 78` is such a cell: as is, Excel would read a formula and show `#NAME?`;
//!   with the `'` it shows the number as typed and evaluates nothing. Changing the number itself
//!   (`0033…`, dropping the `+`) would change what the rep typed, and an `="…"` wrapper is a
//!   formula that other tools show literally.

use std::borrow::Cow;

use app::{
    auth::CurrentUser,
    board::{
        model::Place,
        repo::{self, ExportRow, Exported},
    },
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use http::{header, StatusCode};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/campagnes/{id}/export", get(export))
}

#[derive(Deserialize)]
struct ExportQuery {
    etape: Option<String>,
    format: Option<String>,
}

/// The columns of an export, in French.
const HEADERS: [&str; 19] = [
    "Civilité",
    "Prénom",
    "Nom",
    "E-mail",
    "Société",
    "Fonction",
    "Téléphone",
    "Portable",
    "Code postal",
    "Ville",
    "Pays",
    "Notes",
    "Étape",
    "Réponse",
    "Ajouté le",
    "Origine",
    "Fichier d’origine",
    "Salon d’origine",
    "Ne plus contacter",
];

/// The column of [`HEADERS`] holding the date the prospect joined the campaign.
const ADDED_COLUMN: usize = 14;

async fn export(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Response {
    let Some(Extension(user)) = user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(campaign) = Uuid::parse_str(&id) else {
        return not_found();
    };
    let Some(which) = Exported::parse(query.etape.as_deref().unwrap_or("tout")) else {
        return (
            StatusCode::BAD_REQUEST,
            "Étape inconnue : « four », « frigo » ou « tout ».",
        )
            .into_response();
    };
    let workbook = match query.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => true,
        "csv" => false,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "Format inconnu : « xlsx » ou « csv ».",
            )
                .into_response()
        }
    };
    let (name, rows) = match repo::export_rows(&state.pool, user.id, campaign, which).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => return internal(e),
    };
    let stem = format!("{}-{}", file_stem(&name.name), which.as_str());
    let built = if workbook {
        xlsx(&rows).map(|body| {
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{stem}.xlsx"),
                body,
            )
        })
    } else {
        csv(&rows).map(|body| ("text/csv; charset=utf-8", format!("{stem}.csv"), body))
    };
    match built {
        Ok((kind, file, body)) => (
            [
                (header::CONTENT_TYPE, kind.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(e) => internal(e),
    }
}

fn not_found() -> Response {
    let error = app::error::AppError::not_found();
    (StatusCode::NOT_FOUND, error.to_string()).into_response()
}

fn internal(cause: impl std::fmt::Display) -> Response {
    let error = app::error::AppError::internal("board export", cause);
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

/// A campaign's name as a file name: ASCII letters, digits and dashes.
fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' | 'Ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    let stem: String = stem.trim_end_matches('-').chars().take(60).collect();
    if stem.is_empty() {
        "campagne".into()
    } else {
        stem
    }
}

/// What the stage and reply columns say.
fn stage_and_reply(place: Place) -> (&'static str, &'static str) {
    match place {
        Place::WaitingRoom => ("Salle d’attente", ""),
        Place::Oven => ("Four", "oui"),
        Place::FridgeNo => ("Frigo", "non"),
        Place::FridgeGhost => ("Frigo", "ghost"),
        Place::Trash => ("Corbeille", ""),
    }
}

/// A row's cells as text, in the order of [`HEADERS`]; the date is `25/11/2026 23:31`.
fn cells(row: &ExportRow) -> Vec<String> {
    let f = &row.fields;
    let (stage, reply) = stage_and_reply(row.place);
    vec![
        f.civility.clone(),
        f.first_name.clone(),
        f.last_name.clone(),
        f.email.clone(),
        f.company.clone(),
        f.job_title.clone(),
        f.phone.clone(),
        f.mobile.clone(),
        f.postal_code.clone(),
        f.city.clone(),
        f.country.clone(),
        f.notes.clone(),
        stage.into(),
        reply.into(),
        row.added.format("%d/%m/%Y %H:%M").to_string(),
        if row.origin == "import" {
            "Import".into()
        } else {
            "Saisie à la main".into()
        },
        row.origin_file.clone().unwrap_or_default(),
        row.origin_show.clone().unwrap_or_default(),
        if row.do_not_contact { "oui" } else { "non" }.into(),
    ]
}

/// A CSV cell that a spreadsheet would read as a formula, made text (see the module's notes).
fn neutralised(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn csv(rows: &[ExportRow]) -> Result<Vec<u8>, String> {
    let mut out = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(::csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(HEADERS).map_err(|e| e.to_string())?;
    for row in rows {
        let cells = cells(row);
        out.write_record(cells.iter().map(|c| neutralised(c).into_owned()))
            .map_err(|e| e.to_string())?;
    }
    out.into_inner().map_err(|e| e.to_string())
}

fn xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, String> {
    use chrono::{Datelike, Timelike};
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Prospects").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    for (col, title) in HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *title, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in cells(row).iter().enumerate() {
            if col == ADDED_COLUMN {
                let a = row.added;
                let when = ExcelDateTime::from_ymd(a.year() as u16, a.month() as u8, a.day() as u8)
                    .and_then(|d| d.and_hms(a.hour() as u16, a.minute() as u8, a.second()))
                    .map_err(|e| e.to_string())?;
                sheet
                    .write_datetime_with_format(r, col as u16, &when, &date)
                    .map_err(|e| e.to_string())?;
            } else if !cell.is_empty() {
                // Text, always: a cell is never a formula, a phone never a number.
                sheet
                    .write_string(r, col as u16, cell)
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    sheet.autofit();
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_written_as_text() {
        assert_eq!(neutralised("+33 6 12 34 56 78"), "'+33 6 12 34 56 78");
        assert_eq!(neutralised("=1+1"), "'=1+1");
        assert_eq!(neutralised("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralised("-2"), "'-2");
        assert_eq!(neutralised("\tcmd"), "'\tcmd");
        assert_eq!(neutralised("06 12 34 56 78"), "06 12 34 56 78");
        assert_eq!(neutralised("Léa"), "Léa");
        assert_eq!(neutralised(""), "");
    }

    #[test]
    fn a_campaign_name_becomes_a_plain_file_name() {
        assert_eq!(
            file_stem("Equip'Hôtel Paris 2026"),
            "equip-hotel-paris-2026"
        );
        assert_eq!(file_stem("«  »"), "campagne");
    }
}
