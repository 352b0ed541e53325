//! Turns logged before/after snapshots into the French lines of a history (server only).

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};

use super::{FieldChange, HistoryEntry};
use crate::ui::forms::{format_french_date, parse_iso_date};

/// One row of the audit log as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// The same instant in Paris, as reps read it.
    pub at_paris: NaiveDateTime,
    pub actor_name: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    /// The action in French.
    pub fn action_label(&self) -> &'static str {
        match self.action.as_str() {
            "create" => "Création",
            "update" => "Modification",
            "archive" => "Archivage",
            "restore" => "Restauration",
            "delete" => "Suppression",
            _ => "Changement",
        }
    }

    /// `le 25/11/2026 à 23:31` (Paris time).
    pub fn when(&self) -> String {
        let at = self.at_paris;
        format!(
            "le {} à {:02}:{:02}",
            format_french_date(at.date()),
            at.hour(),
            at.minute()
        )
    }

    /// Each field that changed, in French.
    pub fn changes(&self) -> Vec<FieldChange> {
        let empty = serde_json::Map::new();
        let before = self
            .before
            .as_ref()
            .and_then(|v| v.as_object())
            .unwrap_or(&empty);
        let after = self
            .after
            .as_ref()
            .and_then(|v| v.as_object())
            .unwrap_or(&empty);
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        let show = |v: Option<&serde_json::Value>| match v {
            None | Some(serde_json::Value::Null) => "—".to_string(),
            Some(serde_json::Value::Bool(true)) => "oui".to_string(),
            Some(serde_json::Value::Bool(false)) => "non".to_string(),
            Some(serde_json::Value::String(s)) => match parse_iso_date(s) {
                Some(date) => format_french_date(date),
                None => s.clone(),
            },
            Some(other) => other.to_string(),
        };
        keys.into_iter()
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| match k.as_str() {
                // An id means nothing to a rep: say that it changed.
                "distributor_id" if !before.is_empty() => FieldChange {
                    field: "Distributeur".into(),
                    before: "ancien".into(),
                    after: "nouveau".into(),
                },
                _ => FieldChange {
                    field: field_label(k),
                    before: show(before.get(k)),
                    after: show(after.get(k)),
                },
            })
            .filter(|change| !change.field.is_empty())
            .collect()
    }

    /// The entry as a history shows it.
    pub fn to_history(&self) -> HistoryEntry {
        HistoryEntry {
            at: self.at.to_rfc3339(),
            when: self.when(),
            actor_name: self.actor_name.clone(),
            action: self.action_label().to_string(),
            changes: self.changes(),
        }
    }
}

/// The French label of a logged field; empty for fields not shown.
fn field_label(field: &str) -> String {
    match field {
        "name" => "Nom",
        "venue" => "Lieu",
        "city" => "Ville",
        "starts_on" => "Début",
        "ends_on" => "Fin",
        "archived" => "Archivée",
        "website" => "Site web",
        "notes" => "Notes",
        _ => "",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, before: &str, after: &str) -> FieldChange {
        FieldChange {
            field: field.into(),
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn changes_read_in_french_with_french_dates() {
        let entry = AuditEntry {
            at: Utc::now(),
            at_paris: Utc::now().naive_utc(),
            actor_name: "Claire Martin".into(),
            action: "update".into(),
            before: Some(
                serde_json::json!({"city": "Lyon", "ends_on": "2099-01-25", "distributor_id": "a"}),
            ),
            after: Some(
                serde_json::json!({"city": "Chassieu", "ends_on": "2099-01-26", "distributor_id": "b"}),
            ),
        };
        assert_eq!(
            entry.changes(),
            vec![
                change("Ville", "Lyon", "Chassieu"),
                change("Distributeur", "ancien", "nouveau"),
                change("Fin", "25/01/2099", "26/01/2099"),
            ]
        );
        let shown = entry.to_history();
        assert_eq!(shown.action, "Modification");
        assert_eq!(shown.changes.len(), 3);
    }
}
