//! What the prospect pages show, shared by the server and the browser.
//!
//! What a page only displays (lists, figures, the columns of a file) is rendered to HTML by the
//! server (`prospects::html`) and travels beside the data: the browser decodes the few fields
//! it acts on (`PageView`), not every row, which keeps the page's WASM small. The server
//! functions' JSON keeps every figure, for scripts and tests.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A prospect's fields as the mapping names them: key (as in `--map field=Header`) and
/// French label, in the order of the form.
pub const FIELDS: [(&str, &str); 12] = [
    ("email", "E-mail"),
    ("civility", "Civilité"),
    ("first_name", "Prénom"),
    ("last_name", "Nom"),
    ("company", "Société"),
    ("job_title", "Fonction"),
    ("phone", "Téléphone"),
    ("mobile", "Portable"),
    ("postal_code", "Code postal"),
    ("city", "Ville"),
    ("country", "Pays"),
    ("notes", "Notes"),
];

/// What a prospect page reads of its server function's answer: the campaign, the few values
/// it acts on, and the rest as HTML. Each page's answer has the fields it needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageView {
    pub campaign: CampaignName,
    /// The upload (mapping page) or the import (report page).
    pub id: Option<Uuid>,
    #[serde(default)]
    pub file_name: String,
    /// The prospect's name (prospect page).
    #[serde(default)]
    pub name: String,
    /// The largest file accepted, in megabytes (the tab).
    #[serde(default)]
    pub max_mb: u64,
    /// The import already started from an upload (mapping page).
    pub batch: Option<Uuid>,
    /// When an import was undone (report page).
    pub undone: Option<String>,
    /// While an import runs, the rows it has read (report page).
    pub running: Option<u64>,
    /// An import whose file was refused (report page).
    #[serde(default)]
    pub failed: bool,
    pub html: String,
}

/// A campaign as the prospect pages name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignName {
    pub id: Uuid,
    pub name: String,
}

/// An uploaded file before its import: what the rep checks and corrects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPreview {
    pub id: Uuid,
    pub campaign: CampaignName,
    pub file_name: String,
    /// `12,5 Ko`.
    pub size: String,
    /// The line of the header in the file (preambles before it are skipped).
    pub header_line: u64,
    pub columns: Vec<PreviewColumn>,
    /// The import already started from this file, if any (a second tap opens it).
    pub batch: Option<Uuid>,
    /// The columns as the page shows them: a card per column with its select and values, and
    /// the count of columns the form sends.
    pub html: String,
}

/// A column of an uploaded file: its header, the field proposed for it (a key of [`FIELDS`],
/// empty: kept as extra data) and its first values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewColumn {
    pub header: String,
    pub field: String,
    pub samples: Vec<String>,
}

/// An import and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: Uuid,
    pub campaign: CampaignName,
    pub file_name: String,
    /// `le 25/11/2026 à 23:31`.
    pub when: String,
    pub rows: i32,
    pub valid: i32,
    pub duplicates_in_file: i32,
    pub new_prospects: i32,
    pub already_known: i32,
    pub linked: i32,
    pub rejected: i32,
    /// When it was undone (`le …`), if it was.
    pub undone: Option<String>,
    /// The first rejected rows, by line (all of them are in the CSV download).
    pub rejections: Vec<RejectedRow>,
    /// The figures and rejected rows as the page shows them.
    pub html: String,
}

/// A row an import did not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: i64,
    pub code: String,
    pub reason: String,
}

/// The Prospects tab of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectsTab {
    pub campaign: CampaignName,
    /// Prospects linked to the campaign.
    pub total: i64,
    /// Those the search finds.
    pub matching: i64,
    /// A page of them.
    pub prospects: Vec<ProspectLine>,
    /// Where the next page starts (`apres`), if there is one.
    pub next: Option<Uuid>,
    /// The campaign's imports, newest first.
    pub imports: Vec<ImportLine>,
    /// The largest file accepted, in megabytes.
    pub max_mb: u64,
    /// The imports and contacts as the page shows them.
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectLine {
    pub id: Uuid,
    pub name: String,
    pub company: String,
    pub email: String,
    /// Marked "ne plus contacter".
    pub do_not_contact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLine {
    pub id: Uuid,
    pub file_name: String,
    pub when: String,
    pub new_prospects: i32,
    pub linked: i32,
    pub rejected: i32,
    pub undone: bool,
}

/// `1 contact`, `2 contacts`: French plural of a count.
pub fn count(n: i64, one: &str, many: &str) -> String {
    if n <= 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A prospect's fields, as a form sends them (typed in at the stand, or edited): a field the
/// form does not have is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[serde(default)]
pub struct ProspectFields {
    pub email: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub phone: String,
    pub mobile: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub notes: String,
}

impl ProspectFields {
    /// Each field's key (as [`FIELDS`]) and value, in the form's order.
    pub fn pairs(&self) -> [(&'static str, &str); 12] {
        [
            ("email", &self.email),
            ("civility", &self.civility),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("company", &self.company),
            ("job_title", &self.job_title),
            ("phone", &self.phone),
            ("mobile", &self.mobile),
            ("postal_code", &self.postal_code),
            ("city", &self.city),
            ("country", &self.country),
            ("notes", &self.notes),
        ]
    }

    /// Sets field `key` (of [`FIELDS`]); an unknown key sets nothing.
    pub fn set(&mut self, key: &str, value: String) {
        let slot = match key {
            "email" => &mut self.email,
            "civility" => &mut self.civility,
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "company" => &mut self.company,
            "job_title" => &mut self.job_title,
            "phone" => &mut self.phone,
            "mobile" => &mut self.mobile,
            "postal_code" => &mut self.postal_code,
            "city" => &mut self.city,
            "country" => &mut self.country,
            "notes" => &mut self.notes,
            _ => return,
        };
        *slot = value;
    }

    /// `Léa Mercier`, or the address when the contact has no name.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        match name.trim() {
            "" => self.email.clone(),
            name => name.to_string(),
        }
    }
}

/// The longest value of each field (the table's limits): typed by hand, longer is refused; in
/// a file, longer cells are cut.
pub const CIVILITY_MAX: usize = 40;
pub const NAME_MAX: usize = 200;
pub const COMPANY_MAX: usize = 300;
pub const PHONE_MAX: usize = 60;
pub const POSTAL_CODE_MAX: usize = 20;
pub const COUNTRY_MAX: usize = 100;
pub const CITY_MAX: usize = 200;
pub const NOTES_MAX: usize = 10_000;
/// As `import::email::MAX_LEN` (the browser build does not carry the import crate).
pub const EMAIL_MAX: usize = 320;

/// The longest value of field `key` (of [`FIELDS`]), in characters.
pub fn max_chars(key: &str) -> usize {
    match key {
        "email" => EMAIL_MAX,
        "civility" => CIVILITY_MAX,
        "phone" | "mobile" => PHONE_MAX,
        "postal_code" => POSTAL_CODE_MAX,
        "country" => COUNTRY_MAX,
        "city" => CITY_MAX,
        "notes" => NOTES_MAX,
        "company" | "job_title" => COMPANY_MAX,
        _ => NAME_MAX,
    }
}
