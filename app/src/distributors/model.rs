use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ui::forms::{keep, optional_lines, optional_text, required_text, FieldErrors};

/// A distributor as lists and forms show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distributor {
    pub id: Uuid,
    pub name: String,
    pub website: Option<String>,
    pub notes: Option<String>,
    /// Campaigns (archived included) that name this distributor.
    pub campaign_count: i64,
    pub version: i32,
}

/// What the rep typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorForm {
    pub name: String,
    pub website: String,
    pub notes: String,
}

/// A validated distributor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorDraft {
    pub name: String,
    pub website: Option<String>,
    pub notes: Option<String>,
}

impl DistributorForm {
    pub fn validate(&self) -> Result<DistributorDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = keep(
            &mut errors,
            "name",
            required_text(&self.name, 120, "Le nom"),
        );
        let website = keep(
            &mut errors,
            "website",
            optional_text(&self.website, 300, "Le site web"),
        );
        let notes = keep(
            &mut errors,
            "notes",
            optional_lines(&self.notes, 2000, "Les notes"),
        );
        match (name, website, notes) {
            (Some(name), Some(website), Some(notes)) if errors.is_empty() => Ok(DistributorDraft {
                name,
                website,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_distributor_needs_a_name() {
        let errors = DistributorForm::default().validate().unwrap_err();
        assert_eq!(errors["name"], "Le nom est obligatoire.");
        let ok = DistributorForm {
            name: " Métro Pro ".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Métro Pro");
        assert_eq!(ok.website, None);
    }
}
