use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One change, as a history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
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

    /// `field: before → after` for each field that changed, in field order.
    pub fn changes(&self) -> Vec<(String, String, String)> {
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
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        keys.into_iter()
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| (k.clone(), show(before.get(k)), show(after.get(k))))
            .collect()
    }
}
