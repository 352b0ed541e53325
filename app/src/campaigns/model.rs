use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ui::forms::{keep, optional_text, parse_french_date, required_text, FieldErrors};

/// Where a campaign stands today (Paris time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Upcoming,
    Running,
    Past,
    Archived,
}

impl CampaignStatus {
    pub fn label(self) -> &'static str {
        match self {
            CampaignStatus::Upcoming => "À venir",
            CampaignStatus::Running => "En cours",
            CampaignStatus::Past => "Passée",
            CampaignStatus::Archived => "Archivée",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "upcoming" => Some(CampaignStatus::Upcoming),
            "running" => Some(CampaignStatus::Running),
            "past" => Some(CampaignStatus::Past),
            "archived" => Some(CampaignStatus::Archived),
            _ => None,
        }
    }
}

/// A campaign as lists and the hub show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: Uuid,
    pub name: String,
    pub distributor_id: Uuid,
    pub distributor_name: String,
    pub venue: Option<String>,
    pub city: Option<String>,
    #[serde(with = "crate::ui::forms::iso_date")]
    pub starts_on: NaiveDate,
    #[serde(with = "crate::ui::forms::iso_date")]
    pub ends_on: NaiveDate,
    pub status: CampaignStatus,
    pub version: i32,
    /// The hub's picture of the pipeline (SVG written by the server); empty elsewhere.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pipeline: String,
}

/// Which campaigns the list shows (the `statut` query parameter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Every campaign not archived.
    #[default]
    Active,
    Upcoming,
    Running,
    Past,
    Archived,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 5] = [
        StatusFilter::Active,
        StatusFilter::Upcoming,
        StatusFilter::Running,
        StatusFilter::Past,
        StatusFilter::Archived,
    ];

    /// The value in the page's query string.
    pub fn slug(self) -> &'static str {
        match self {
            StatusFilter::Active => "toutes",
            StatusFilter::Upcoming => "a-venir",
            StatusFilter::Running => "en-cours",
            StatusFilter::Past => "passees",
            StatusFilter::Archived => "archivees",
        }
    }

    pub fn from_slug(slug: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.slug() == slug)
            .unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Active => "Actives",
            StatusFilter::Upcoming => "À venir",
            StatusFilter::Running => "En cours",
            StatusFilter::Past => "Passées",
            StatusFilter::Archived => "Archivées",
        }
    }

    /// The value the SQL query switches on.
    pub fn sql(self) -> &'static str {
        match self {
            StatusFilter::Active => "active",
            StatusFilter::Upcoming => "upcoming",
            StatusFilter::Running => "running",
            StatusFilter::Past => "past",
            StatusFilter::Archived => "archived",
        }
    }

    /// Coming shows read soonest first; the rest latest first.
    pub fn ascending(self) -> bool {
        matches!(self, StatusFilter::Upcoming | StatusFilter::Running)
    }
}

/// Filters of the campaign list, as in the page's query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignFilter {
    /// Words of the name, venue or city, accents, case and punctuation ignored.
    pub q: Option<String>,
    pub status: StatusFilter,
    pub distributor: Option<Uuid>,
    /// Opaque position after which the page starts (keyset pagination).
    pub after: Option<String>,
    /// Opaque position before which the page ends (the previous page).
    pub before: Option<String>,
}

impl CampaignFilter {
    /// The filter with its search checked like a typed field (length, invisible characters).
    pub fn validated(mut self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.q = keep(
            &mut errors,
            "q",
            optional_text(self.q.as_deref().unwrap_or_default(), 100, "La recherche"),
        )
        .flatten();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A position in the list: the last campaign shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub starts_on: NaiveDate,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{}_{}", self.starts_on, self.id.simple())
    }

    pub fn decode(value: &str) -> Option<Cursor> {
        let (date, id) = value.split_once('_')?;
        Some(Cursor {
            starts_on: crate::ui::forms::parse_iso_date(date)?,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

/// One page of the list and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPage {
    pub items: Vec<Campaign>,
    /// Cursor of the next page (`apres`), if there is one.
    pub next: Option<String>,
    /// Cursor of the previous page (`avant`), if there is one.
    pub previous: Option<String>,
    /// Campaigns matching the filters, over every page.
    pub total: i64,
    /// Campaigns the rep has at all (archived included): none means a first-time rep.
    pub owned: i64,
}

/// What the rep typed in the campaign form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignForm {
    pub name: String,
    pub distributor_id: String,
    pub venue: String,
    pub city: String,
    /// jj/mm/aaaa
    pub starts_on: String,
    /// jj/mm/aaaa
    pub ends_on: String,
}

/// A validated campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDraft {
    pub name: String,
    pub distributor_id: Uuid,
    pub venue: Option<String>,
    pub city: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Longest name, venue and city (the form's `maxlength`; the database checks them too).
pub const NAME_MAX: usize = 160;
pub const VENUE_MAX: usize = 160;
pub const CITY_MAX: usize = 120;

impl CampaignForm {
    /// Every field checked at once, so the rep sees all errors together.
    pub fn validate(&self) -> Result<CampaignDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;
        let name = keep(
            e,
            "name",
            required_text(&self.name, NAME_MAX, "Le nom du salon"),
        );
        let distributor_id = keep(
            e,
            "distributor_id",
            Uuid::parse_str(self.distributor_id.trim())
                .map_err(|_| "Choisissez un distributeur.".to_string()),
        );
        let venue = keep(e, "venue", optional_text(&self.venue, VENUE_MAX, "Le lieu"));
        let city = keep(e, "city", optional_text(&self.city, CITY_MAX, "La ville"));
        let starts_on = keep(e, "starts_on", parse_french_date(&self.starts_on));
        let ends_on = keep(e, "ends_on", parse_french_date(&self.ends_on));
        if let (Some(start), Some(end)) = (starts_on, ends_on) {
            if end < start {
                errors.insert(
                    "ends_on".into(),
                    "La date de fin doit être le jour du début ou après.".into(),
                );
            }
        }
        match (name, distributor_id, venue, city, starts_on, ends_on) {
            (
                Some(name),
                Some(distributor_id),
                Some(venue),
                Some(city),
                Some(starts_on),
                Some(ends_on),
            ) if errors.is_empty() => Ok(CampaignDraft {
                name,
                distributor_id,
                venue,
                city,
                starts_on,
                ends_on,
            }),
            _ => Err(errors),
        }
    }
}

impl From<&Campaign> for CampaignForm {
    fn from(c: &Campaign) -> Self {
        use crate::ui::forms::format_french_date;
        CampaignForm {
            name: c.name.clone(),
            distributor_id: c.distributor_id.to_string(),
            venue: c.venue.clone().unwrap_or_default(),
            city: c.city.clone().unwrap_or_default(),
            starts_on: format_french_date(c.starts_on),
            ends_on: format_french_date(c.ends_on),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CampaignForm {
        CampaignForm {
            name: "Sirha Lyon 2027".into(),
            distributor_id: Uuid::nil().to_string(),
            venue: "Eurexpo".into(),
            city: "Lyon".into(),
            starts_on: "21/01/2027".into(),
            ends_on: "25/01/2027".into(),
        }
    }

    #[test]
    fn a_complete_form_validates() {
        let draft = form().validate().unwrap();
        assert_eq!(
            draft.starts_on,
            NaiveDate::from_ymd_opt(2027, 1, 21).unwrap()
        );
        assert_eq!(draft.city.as_deref(), Some("Lyon"));
    }

    #[test]
    fn an_end_before_the_start_is_an_error_on_the_end_date() {
        let mut f = form();
        f.ends_on = "20/01/2027".into();
        let errors = f.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors["ends_on"].contains("date de fin"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = CampaignForm::default().validate().unwrap_err();
        for field in ["name", "distributor_id", "starts_on", "ends_on"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_search_is_bounded_and_checked_like_a_field() {
        let search = |q: &str| CampaignFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        assert_eq!(
            search(" sirha ").validated().unwrap().q.as_deref(),
            Some("sirha")
        );
        assert_eq!(search("   ").validated().unwrap().q, None);
        assert!(search(&"a".repeat(101)).validated().unwrap_err()["q"].contains("100"));
        assert!(search("sir\0ha").validated().unwrap_err()["q"].contains("invisible"));
    }

    #[test]
    fn a_cursor_round_trips_and_garbage_is_ignored() {
        let c = Cursor {
            starts_on: NaiveDate::from_ymd_opt(2027, 1, 21).unwrap(),
            id: Uuid::from_u128(7),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("nope"), None);
    }

    #[test]
    fn status_slugs_round_trip() {
        for s in StatusFilter::ALL {
            assert_eq!(StatusFilter::from_slug(s.slug()), s);
        }
        assert_eq!(StatusFilter::from_slug("n'importe"), StatusFilter::Active);
    }
}
