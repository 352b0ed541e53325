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

    /// Each field that changed (for a creation, each that was set), in the form's order and
    /// in French; `distributor_name` names a distributor id.
    pub fn changes(&self, distributor_name: &dyn Fn(&str) -> String) -> Vec<FieldChange> {
        let empty = serde_json::Map::new();
        let object = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .and_then(|v| v.as_object())
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (before, after) = (object(&self.before), object(&self.after));
        let created = self.before.is_none();
        let show = |key: &str, v: Option<&serde_json::Value>| match v {
            None | Some(serde_json::Value::Null) => "—".to_string(),
            Some(serde_json::Value::Bool(true)) => "oui".to_string(),
            Some(serde_json::Value::Bool(false)) => "non".to_string(),
            Some(serde_json::Value::String(s)) if key == "distributor_id" => distributor_name(s),
            Some(serde_json::Value::String(s)) => match parse_iso_date(s) {
                Some(date) => format_french_date(date),
                None => s.clone(),
            },
            Some(other) => other.to_string(),
        };
        let is_set =
            |v: Option<&serde_json::Value>| !matches!(v, None | Some(serde_json::Value::Null));
        FIELDS
            .iter()
            .filter(|(key, _)| before.get(*key) != after.get(*key))
            .filter(|(key, _)| !created || is_set(after.get(*key)))
            .map(|(key, label)| FieldChange {
                field: label.to_string(),
                before: if created {
                    String::new()
                } else {
                    show(key, before.get(*key))
                },
                after: show(key, after.get(*key)),
            })
            .collect()
    }

    /// Distributor ids this entry names (for [`AuditEntry::changes`] to show their names).
    pub fn distributor_ids(&self) -> impl Iterator<Item = &str> {
        [&self.before, &self.after]
            .into_iter()
            .filter_map(|v| v.as_ref()?.get("distributor_id")?.as_str())
    }

    /// The entry as a history shows it.
    pub fn to_history(&self, distributor_name: &dyn Fn(&str) -> String) -> HistoryEntry {
        HistoryEntry {
            at: self.at.to_rfc3339(),
            when: self.when(),
            actor_name: self.actor_name.clone(),
            action: self.action_label().to_string(),
            changes: self.changes(distributor_name),
        }
    }
}

/// Logged fields shown in a history, in the order of their forms, with their French labels
/// (a field not listed is not shown).
const FIELDS: &[(&str, &str)] = &[
    ("name", "Nom"),
    ("distributor_id", "Distributeur"),
    ("website", "Site web"),
    ("venue", "Lieu"),
    ("city", "Ville"),
    ("starts_on", "Début"),
    ("ends_on", "Fin"),
    ("notes", "Notes"),
    ("archived", "Archivée"),
];

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

    fn entry(
        action: &str,
        before: Option<serde_json::Value>,
        after: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
            at_paris: Utc::now().naive_utc(),
            actor_name: "Claire Martin".into(),
            action: action.into(),
            before,
            after: Some(after),
        }
    }

    fn names(id: &str) -> String {
        match id {
            "a" => "Métro".into(),
            "b" => "Promocash".into(),
            _ => "distributeur supprimé".into(),
        }
    }

    #[test]
    fn changes_read_in_french_in_the_form_s_order_with_names_and_french_dates() {
        let entry = entry(
            "update",
            Some(
                serde_json::json!({"city": "Lyon", "ends_on": "2099-01-25", "distributor_id": "a", "name": "Sirha"}),
            ),
            serde_json::json!({"city": "Chassieu", "ends_on": "2099-01-26", "distributor_id": "b", "name": "Sirha"}),
        );
        assert_eq!(
            entry.changes(&names),
            vec![
                change("Distributeur", "Métro", "Promocash"),
                change("Ville", "Lyon", "Chassieu"),
                change("Fin", "25/01/2099", "26/01/2099"),
            ]
        );
        let shown = entry.to_history(&names);
        assert_eq!(shown.action, "Modification");
        assert_eq!(entry.distributor_ids().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn a_creation_lists_what_was_set_and_nothing_blank() {
        let entry = entry(
            "create",
            None,
            serde_json::json!({"name": "Sirha", "distributor_id": "a", "venue": null, "city": null,
                               "starts_on": "2099-01-21", "ends_on": "2099-01-25"}),
        );
        assert_eq!(
            entry.changes(&names),
            vec![
                change("Nom", "", "Sirha"),
                change("Distributeur", "", "Métro"),
                change("Début", "", "21/01/2099"),
                change("Fin", "", "25/01/2099"),
            ]
        );
    }
}
