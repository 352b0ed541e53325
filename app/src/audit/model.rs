use serde::{Deserialize, Serialize};

/// One entry of a history, ready to show: the server turns the logged JSON into French lines,
/// so the browser needs no JSON diffing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// RFC 3339, for `<time datetime>`.
    pub at: String,
    /// `le 25/11/2026 à 23:31` (Paris time).
    pub when: String,
    pub actor_name: String,
    /// The action in French (`Création`, `Modification`…).
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// A field that changed, in French; `before` is empty for a field set at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}
