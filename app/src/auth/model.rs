use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A signed-in rep, as the browser and `GET /me` see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    /// Microsoft tenant (directory) id.
    pub tid: Uuid,
    /// Microsoft object id of the account in that tenant.
    pub oid: Uuid,
}
