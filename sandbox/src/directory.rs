//! The two fictitious tenants, their preset accounts and the stable object ids.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Tenant id of "Démo Salons", the tenant most demos sign in to.
pub const DEMO_TENANT_ID: &str = "c0ffee00-5a1e-4d00-8000-000000000001";
/// Tenant id of "Autre Distribution", a second company used to check tenant isolation.
pub const OTHER_TENANT_ID: &str = "c0ffee00-5a1e-4d00-8000-000000000002";

/// Namespace of the UUIDv5 object ids: changing it would change every oid.
const OID_NAMESPACE: Uuid = Uuid::from_u128(0x5a1e_0000_5eed_4000_8000_0000_0000_0001);

/// The object id (`oid` claim) of the account `email` in tenant `tid`.
///
/// A UUIDv5 over `"{tid}:{email}"` (both lowercased) in a fixed namespace, so it is
/// stable across restarts and differs between tenants for the same email.
pub fn oid_for(tid: &str, email: &str) -> Uuid {
    let name = format!("{}:{}", tid.to_lowercase(), email.to_lowercase());
    Uuid::new_v5(&OID_NAMESPACE, name.as_bytes())
}

/// A directory (Microsoft Entra tenant) known to the sandbox.
pub(crate) struct Tenant {
    pub id: &'static str,
    pub name: &'static str,
}

pub(crate) const TENANTS: [Tenant; 2] = [
    Tenant {
        id: DEMO_TENANT_ID,
        name: "Démo Salons",
    },
    Tenant {
        id: OTHER_TENANT_ID,
        name: "Autre Distribution",
    },
];

/// The known tenant with this GUID (case-insensitive), if any.
pub(crate) fn tenant(id: &str) -> Option<&'static Tenant> {
    TENANTS.iter().find(|t| t.id.eq_ignore_ascii_case(id))
}

/// The `{tenant}` path segment of a request: a multi-tenant alias or one tenant.
#[derive(Clone, Copy)]
pub(crate) enum Authority {
    /// `common` or `organizations`: every tenant may sign in.
    Multi(&'static str),
    Single(&'static Tenant),
}

impl Authority {
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "common" => Some(Self::Multi("common")),
            "organizations" => Some(Self::Multi("organizations")),
            _ => tenant(segment).map(Self::Single),
        }
    }

    /// The segment as it appears in endpoint URLs.
    pub fn segment(self) -> &'static str {
        match self {
            Self::Multi(alias) => alias,
            Self::Single(t) => t.id,
        }
    }

    pub fn tenants(self) -> Vec<&'static Tenant> {
        match self {
            Self::Multi(_) => TENANTS.iter().collect(),
            Self::Single(t) => vec![t],
        }
    }

    pub fn allows(self, tid: &str) -> bool {
        match self {
            Self::Multi(_) => tenant(tid).is_some(),
            Self::Single(t) => t.id == tid,
        }
    }
}

/// A user account of one tenant; emails are stored lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Account {
    pub tid: String,
    pub email: String,
    pub name: String,
}

impl Account {
    pub fn new(tid: &str, email: &str, name: &str) -> Self {
        Self {
            tid: tid.to_owned(),
            email: email.to_lowercase(),
            name: name.to_owned(),
        }
    }

    pub fn oid(&self) -> Uuid {
        oid_for(&self.tid, &self.email)
    }

    pub fn tenant_name(&self) -> &'static str {
        tenant(&self.tid).map_or("?", |t| t.name)
    }
}

pub(crate) fn preset_accounts() -> Vec<Account> {
    [
        (
            DEMO_TENANT_ID,
            "claire.martin@demo-salons.example.test",
            "Claire Martin",
        ),
        (
            DEMO_TENANT_ID,
            "julien.bernard@demo-salons.example.test",
            "Julien Bernard",
        ),
        (DEMO_TENANT_ID, "alex.durand@example.test", "Alex Durand"),
        (
            OTHER_TENANT_ID,
            "alex.durand@example.test",
            "Alex Durand (Autre Distribution)",
        ),
        (
            OTHER_TENANT_ID,
            "sophie.leroy@autre-distribution.example.test",
            "Sophie Leroy",
        ),
    ]
    .into_iter()
    .map(|(tid, email, name)| Account::new(tid, email, name))
    .collect()
}

/// A plausible email address: what the sign-in page accepts for a typed account.
pub(crate) fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email
            .chars()
            .all(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"".contains(c))
}
