//! One campaign's prospects: the list (search, sort, pages by keyset), and a prospect's page
//! with its edit, its "ne plus contacter" mark and its erasure. Every query takes the owner
//! and the campaign: another rep's prospect, or one not in the campaign, is not found.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{
    model::{CampaignName, ProspectFields, ProspectLine, FIELDS},
    repo,
    suppression::{self, AddressKey, Reason},
};
use crate::audit::repo::{record, Change};

/// Prospects per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By last name, first name, then address (`nom`).
    #[default]
    Name,
    /// By company, those without one last (`societe`).
    Company,
    /// Newest in the campaign first (`recents`).
    Recent,
}

impl Sort {
    /// The sort named in the address (`tri=`); anything else sorts by name.
    pub fn parse(value: &str) -> Sort {
        match value {
            "societe" => Sort::Company,
            "recents" => Sort::Recent,
            _ => Sort::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "nom",
            Sort::Company => "societe",
            Sort::Recent => "recents",
        }
    }
}

/// What the list shows.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Words to find in names, company, address and city (accents and case ignored).
    pub q: Option<String>,
    pub sort: Sort,
    /// The page starts after this prospect (the last of the page before).
    pub after: Option<Uuid>,
}

/// A page of the list.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// Prospects matching the search, over every page.
    pub matching: i64,
    pub items: Vec<ProspectLine>,
    /// Where the next page starts, if there is one.
    pub next: Option<Uuid>,
}

/// The statement listing a campaign's prospects sorted by `key` (ascending, or descending
/// when `cmp` is `<`): one per sort, since an order cannot be a parameter. The page after a
/// prospect starts from its current sort key; a cursor no longer in the campaign (erased,
/// undone) opens the first page.
macro_rules! list_sql {
    ($key:literal, $cmp:literal, $order:literal) => {
        concat!(
            "WITH listed AS (
                 SELECT p.id, p.first_name, p.last_name, p.company, p.email, p.city,
                        p.do_not_contact, ",
            $key,
            " AS sort_key
                 FROM campaign_prospects cp
                 JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
                 WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
             ), cursor AS (SELECT sort_key, id FROM listed WHERE id = $4)
             SELECT l.id, l.first_name, l.last_name, l.company, l.email, l.do_not_contact
             FROM listed l
             WHERE ($3::text IS NULL
                    OR spine_search_text(concat_ws(' ', l.first_name, l.last_name, l.company,
                                                   l.email, l.city))
                       LIKE ALL (spine_search_patterns($3)))
               AND (NOT EXISTS (SELECT 1 FROM cursor)
                    OR (l.sort_key, l.id) ",
            $cmp,
            " (SELECT sort_key, id FROM cursor))
             ORDER BY l.sort_key ",
            $order,
            ", l.id ",
            $order,
            " LIMIT $5"
        )
    };
}

const BY_NAME: &str = list_sql!(
    "spine_fold(concat_ws(' ', nullif(p.last_name, ''), nullif(p.first_name, ''), p.email))",
    ">",
    "ASC"
);
const BY_COMPANY: &str = list_sql!(
    "CASE WHEN p.company = '' THEN '1' ELSE '0' END
         || spine_fold(concat_ws(' ', nullif(p.company, ''), nullif(p.last_name, ''),
                                 nullif(p.first_name, ''), p.email))",
    ">",
    "ASC"
);
const RECENT_FIRST: &str = list_sql!("cp.added_at", "<", "DESC");

/// A page of campaign `campaign`'s prospects (the campaign is the owner's: see `repo::tab`).
pub async fn list(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    query: &ListQuery,
) -> Result<ListPage, sqlx::Error> {
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let sql = match query.sort {
        Sort::Name => BY_NAME,
        Sort::Company => BY_COMPANY,
        Sort::Recent => RECENT_FIRST,
    };
    type Row = (Uuid, String, String, String, String, bool);
    let mut rows: Vec<Row> = sqlx::query_as(sql)
        .bind(owner)
        .bind(campaign)
        .bind(q)
        .bind(query.after)
        .bind(PAGE_SIZE + 1)
        .fetch_all(pool)
        .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let matching: i64 = sqlx::query_scalar(
        "SELECT count(*)
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
           AND ($3::text IS NULL
                OR spine_search_text(concat_ws(' ', p.first_name, p.last_name, p.company,
                                               p.email, p.city))
                   LIKE ALL (spine_search_patterns($3)))",
    )
    .bind(owner)
    .bind(campaign)
    .bind(q)
    .fetch_one(pool)
    .await?;
    let items: Vec<ProspectLine> = rows
        .into_iter()
        .map(
            |(id, first, last, company, email, do_not_contact)| ProspectLine {
                id,
                name: format!("{first} {last}").trim().to_string(),
                company,
                email,
                do_not_contact,
            },
        )
        .collect();
    Ok(ListPage {
        matching,
        next: items.last().filter(|_| more).map(|p| p.id),
        items,
    })
}

/// Where a prospect came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `import` or `hand`.
    pub kind: String,
    pub batch: Option<Uuid>,
    pub file: Option<String>,
    pub show: Option<String>,
    /// When it was added (Paris time).
    pub at: NaiveDateTime,
}

/// A prospect as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: Uuid,
    pub fields: ProspectFields,
    /// The file's other columns (name, value).
    pub extra: Vec<(String, String)>,
    pub do_not_contact: bool,
    pub origin: Origin,
    pub version: i32,
    /// The rep's campaigns it is in, newest show first.
    pub campaigns: Vec<CampaignName>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    #[sqlx(flatten)]
    fields: ProspectFields,
    extra: serde_json::Value,
    do_not_contact: bool,
    origin: String,
    origin_batch_id: Option<Uuid>,
    origin_file: Option<String>,
    origin_show: Option<String>,
    added: NaiveDateTime,
    version: i32,
}

/// Prospect `id` of `owner`, if it is in `campaign`; `lock` holds it until the transaction
/// ends (an edit, a mark, an erasure).
async fn find(
    tx: &mut sqlx::PgConnection,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Option<Row>, sqlx::Error> {
    macro_rules! find_sql {
        ($lock:literal) => {
            concat!(
                "SELECT p.id, p.email, p.civility, p.first_name, p.last_name, p.company,
                     p.job_title, p.phone, p.mobile, p.postal_code, p.city, p.country, p.notes,
                     p.extra, p.do_not_contact, p.origin, p.origin_batch_id, p.origin_file,
                     p.origin_show, p.created_at AT TIME ZONE 'Europe/Paris' AS added, p.version
                 FROM prospects p
                 WHERE p.owner_user_id = $1 AND p.id = $3
                   AND EXISTS (SELECT 1 FROM campaign_prospects cp
                               WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
                                 AND cp.prospect_id = p.id)",
                $lock
            )
        };
    }
    const READ: &str = find_sql!("");
    const LOCK: &str = find_sql!(" FOR UPDATE OF p");
    sqlx::query_as(if lock { LOCK } else { READ })
        .bind(owner)
        .bind(campaign)
        .bind(id)
        .fetch_optional(tx)
        .await
}

/// Prospect `id` of campaign `campaign`, as its page shows it.
pub async fn get(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
) -> Result<Option<Stored>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let Some(row) = find(&mut conn, owner, campaign, id, false).await? else {
        return Ok(None);
    };
    let campaigns: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT c.id, c.name FROM campaign_prospects cp
         JOIN campaigns c ON c.owner_user_id = cp.owner_user_id AND c.id = cp.campaign_id
         WHERE cp.owner_user_id = $1 AND cp.prospect_id = $2
         ORDER BY c.starts_on DESC, c.id",
    )
    .bind(owner)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let extra = match &row.extra {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(Some(Stored {
        id: row.id,
        fields: row.fields.clone(),
        extra,
        do_not_contact: row.do_not_contact,
        origin: Origin {
            kind: row.origin.clone(),
            batch: row.origin_batch_id,
            file: row.origin_file.clone(),
            show: row.origin_show.clone(),
            at: row.added,
        },
        version: row.version,
        campaigns: campaigns
            .into_iter()
            .map(|(id, name)| CampaignName { id, name })
            .collect(),
    }))
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Updated {
    Saved,
    /// The prospect already holds these values (the same form posted twice).
    Unchanged,
    /// Changed by someone else since `version` was read.
    Conflict,
    /// The new address is on the suppression list.
    Suppressed,
    /// Another of the rep's contacts has the new address.
    Taken,
    NotFound,
}

/// The fields that differ between `before` and `after` (key → value), for the audit log.
fn changed(
    before: &ProspectFields,
    after: &ProspectFields,
) -> (serde_json::Value, serde_json::Value) {
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    for ((key, a), (_, b)) in before.pairs().into_iter().zip(after.pairs()) {
        if a != b {
            old.insert(key.into(), a.into());
            new.insert(key.into(), b.into());
        }
    }
    (old.into(), new.into())
}

/// Saves `new` (checked) as prospect `id`'s fields, read at `version`; audited with the
/// fields that changed.
pub async fn update(
    tx: &mut Transaction<'_, Postgres>,
    key: &AddressKey,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
    version: i32,
    new: &ProspectFields,
) -> Result<Updated, sqlx::Error> {
    suppression::lock(tx, owner).await?;
    let Some(row) = find(&mut *tx, owner, campaign, id, true).await? else {
        return Ok(Updated::NotFound);
    };
    let old = row.fields.clone();
    if old == *new {
        return Ok(Updated::Unchanged);
    }
    if row.version != version {
        return Ok(Updated::Conflict);
    }
    if new.email != old.email {
        if suppression::contains(&mut **tx, key, owner, &new.email).await? {
            return Ok(Updated::Suppressed);
        }
        let taken: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM prospects WHERE owner_user_id = $1 AND email = $2)",
        )
        .bind(owner)
        .bind(&new.email)
        .fetch_one(&mut **tx)
        .await?;
        if taken {
            return Ok(Updated::Taken);
        }
        // The mark follows the contact to its new address; the old one stays out too (the
        // person asked not to be contacted, whatever the address).
        if row.do_not_contact {
            suppression::add(tx, key, owner, &new.email, Reason::OptedOut).await?;
        }
    }
    sqlx::query(
        "UPDATE prospects SET email = $3, civility = $4, first_name = $5, last_name = $6,
             company = $7, job_title = $8, phone = $9, mobile = $10, postal_code = $11,
             city = $12, country = $13, notes = $14, version = version + 1, updated_at = now()
         WHERE owner_user_id = $1 AND id = $2",
    )
    .bind(owner)
    .bind(id)
    .bind(&new.email)
    .bind(&new.civility)
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(&new.company)
    .bind(&new.job_title)
    .bind(&new.phone)
    .bind(&new.mobile)
    .bind(&new.postal_code)
    .bind(&new.city)
    .bind(&new.country)
    .bind(&new.notes)
    .execute(&mut **tx)
    .await?;
    let (before, after) = changed(&old, new);
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: "prospect",
            entity_id: id,
            action: "update",
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    Ok(Updated::Saved)
}

/// Marks prospect `id` "ne plus contacter" (`on`) or clears the mark: sending skips it, and
/// its address is on the suppression list while marked. `None` when not found; else whether
/// the mark changed (setting it twice changes nothing).
pub async fn set_do_not_contact(
    tx: &mut Transaction<'_, Postgres>,
    key: &AddressKey,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
    on: bool,
) -> Result<Option<bool>, sqlx::Error> {
    suppression::lock(tx, owner).await?;
    let Some(row) = find(&mut *tx, owner, campaign, id, true).await? else {
        return Ok(None);
    };
    if row.do_not_contact == on {
        return Ok(Some(false));
    }
    sqlx::query(
        "UPDATE prospects SET do_not_contact = $3, version = version + 1, updated_at = now()
         WHERE owner_user_id = $1 AND id = $2",
    )
    .bind(owner)
    .bind(id)
    .bind(on)
    .execute(&mut **tx)
    .await?;
    if on {
        suppression::add(tx, key, owner, &row.fields.email, Reason::OptedOut).await?;
    } else {
        suppression::remove_opt_out(tx, key, owner, &row.fields.email).await?;
    }
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: "prospect",
            entity_id: id,
            action: "do_not_contact",
            before: Some(serde_json::json!({ "do_not_contact": !on })),
            after: Some(serde_json::json!({ "do_not_contact": on })),
        },
    )
    .await?;
    Ok(Some(true))
}

/// The contact `id` asked, by the link at the foot of a mail, not to be contacted by `owner`
/// any more: marked "ne plus contacter" and its address on the suppression list. Whether the
/// mark changed (asking twice changes nothing).
pub async fn opt_out_by_link(
    tx: &mut Transaction<'_, Postgres>,
    key: &AddressKey,
    owner: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    suppression::lock(tx, owner).await?;
    let email: Option<String> = sqlx::query_scalar(
        "UPDATE prospects SET do_not_contact = true, version = version + 1, updated_at = now()
         WHERE owner_user_id = $1 AND id = $2 AND NOT do_not_contact
         RETURNING email",
    )
    .bind(owner)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(email) = email else {
        return Ok(false);
    };
    suppression::add(tx, key, owner, &email, Reason::OptedOut).await?;
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: "prospect",
            entity_id: id,
            action: "opted_out_by_link",
            before: Some(serde_json::json!({ "do_not_contact": false })),
            after: Some(serde_json::json!({ "do_not_contact": true })),
        },
    )
    .await?;
    Ok(true)
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The campaigns it was in.
    pub campaigns: u64,
    /// Uploaded files that held the address, gone with their uploads.
    pub files: Vec<PathBuf>,
}

/// Every address prospect `id` of campaign `campaign` has had: its own, then those an edit
/// replaced (from its log). Empty when it is not found.
pub async fn addresses(
    db: &mut sqlx::PgConnection,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    let Some(row) = find(&mut *db, owner, campaign, id, false).await? else {
        return Ok(Vec::new());
    };
    let mut addresses: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT before->>'email' FROM audit_log
         WHERE owner_user_id = $1 AND entity_type = 'prospect' AND entity_id = $2
           AND before->>'email' IS NOT NULL",
    )
    .bind(owner)
    .bind(id)
    .fetch_all(&mut *db)
    .await?;
    addresses.retain(|a| *a != row.fields.email);
    addresses.insert(0, row.fields.email);
    Ok(addresses)
}

/// The rep's uploaded files, still on disk, that hold one of `addresses`: read before the
/// erasure's transaction (a file is read whole, on a blocking thread).
pub async fn uploads_holding(
    pool: &PgPool,
    data_dir: &Path,
    owner: Uuid,
    addresses: &[String],
) -> Result<Vec<Uuid>, sqlx::Error> {
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM import_uploads WHERE owner_user_id = $1")
            .bind(owner)
            .fetch_all(pool)
            .await?;
    let paths: Vec<(Uuid, PathBuf)> = ids
        .into_iter()
        .map(|id| (id, repo::upload_path(data_dir, id)))
        .collect();
    let addresses = addresses.to_vec();
    let holding = tokio::task::spawn_blocking(move || {
        paths
            .into_iter()
            // An imported upload's file is gone already.
            .filter(|(_, path)| path.exists())
            .filter(|(_, path)| {
                addresses
                    .iter()
                    .any(|a| ::import::mentions(path.as_path(), a))
            })
            .map(|(id, _)| id)
            .collect()
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("reading uploads: {e}")))?;
    Ok(holding)
}

/// `text` as a PostgreSQL regular expression matching it literally (every character that is
/// not a letter or a digit escaped).
fn literal_pattern(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// Audit keys that are not personal data, kept when an entry is scrubbed.
const KEPT_IN_AUDIT: [&str; 7] = [
    "campaign_id",
    "origin",
    "do_not_contact",
    "place",
    "position",
    "move",
    "undoes",
];

/// Erases prospect `id` for good, on the contact's request: the contact, its links to
/// campaigns and what imports filled in it go; its address joins the suppression list (as a
/// keyed hash) so no import brings it back; uploads that held it (`holding`, and those whose
/// preview shows it) go, their files to delete once committed; earlier audit entries about it
/// keep what was done and when, not its data; one entry records the erasure.
pub async fn erase(
    tx: &mut Transaction<'_, Postgres>,
    key: &AddressKey,
    owner: Uuid,
    campaign: Uuid,
    id: Uuid,
    holding: &[Uuid],
    data_dir: &Path,
) -> Result<Option<Erased>, sqlx::Error> {
    suppression::lock(tx, owner).await?;
    if find(&mut *tx, owner, campaign, id, true).await?.is_none() {
        return Ok(None);
    }
    // Every address it had (an edit may have changed it) stays out.
    let addresses = addresses(&mut *tx, owner, campaign, id).await?;
    for address in &addresses {
        suppression::add(tx, key, owner, address, Reason::Erased).await?;
    }
    // A preview holds it when a cell has one of them whole, not inside a longer address.
    let whole = format!(
        "(^|[^a-z0-9.!#$%&'*+/=?^_`{{|}}~-])({})($|[^a-z0-9.-])",
        addresses
            .iter()
            .map(|a| literal_pattern(a))
            .collect::<Vec<_>>()
            .join("|")
    );
    let uploads: Vec<Uuid> = sqlx::query_scalar(
        "DELETE FROM import_uploads
         WHERE owner_user_id = $1 AND (id = ANY($2) OR lower(preview::text) ~ $3)
         RETURNING id",
    )
    .bind(owner)
    .bind(holding)
    .bind(&whole)
    .fetch_all(&mut **tx)
    .await?;
    let campaigns =
        sqlx::query("DELETE FROM campaign_prospects WHERE owner_user_id = $1 AND prospect_id = $2")
            .bind(owner)
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    sqlx::query("DELETE FROM prospects WHERE owner_user_id = $1 AND id = $2")
        .bind(owner)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    // Its own entries keep only what is not personal; any other entry naming the address
    // loses it (an address holds no character JSON escapes).
    let personal: Vec<&str> = FIELDS
        .iter()
        .map(|(k, _)| *k)
        .chain(["extra"])
        .filter(|k| !KEPT_IN_AUDIT.contains(k))
        .collect();
    sqlx::query(
        "UPDATE audit_log SET before = before - $3::text[], after = after - $3::text[]
         WHERE owner_user_id = $1 AND entity_type = 'prospect' AND entity_id = $2",
    )
    .bind(owner)
    .bind(id)
    .bind(&personal)
    .execute(&mut **tx)
    .await?;
    // A value that is one of its addresses, whole (`"lea@ex.fr"`, in any case), is replaced.
    for address in &addresses {
        let value = format!("\"{}\"", literal_pattern(address));
        sqlx::query(
            "UPDATE audit_log
             SET before = regexp_replace(before::text, $2, '\"[effacé]\"', 'gi')::jsonb,
                 after = regexp_replace(after::text, $2, '\"[effacé]\"', 'gi')::jsonb
             WHERE owner_user_id = $1
               AND (strpos(lower(before::text), $3) > 0 OR strpos(lower(after::text), $3) > 0)",
        )
        .bind(owner)
        .bind(&value)
        .bind(format!("\"{address}\""))
        .execute(&mut **tx)
        .await?;
    }
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: "prospect",
            entity_id: id,
            action: "erase",
            before: None,
            after: Some(serde_json::json!({ "campaigns": campaigns, "uploads": uploads.len() })),
        },
    )
    .await?;
    Ok(Some(Erased {
        campaigns,
        files: uploads
            .into_iter()
            .map(|u| repo::upload_path(data_dir, u))
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_of_an_edit_keeps_only_the_fields_that_changed() {
        let before = ProspectFields {
            email: "lea@ex.fr".into(),
            city: "Lyon".into(),
            ..Default::default()
        };
        let after = ProspectFields {
            city: "Chassieu".into(),
            ..before.clone()
        };
        let (old, new) = changed(&before, &after);
        assert_eq!(old, serde_json::json!({ "city": "Lyon" }));
        assert_eq!(new, serde_json::json!({ "city": "Chassieu" }));
    }

    #[test]
    fn every_sort_reads_back_from_its_name() {
        for sort in [Sort::Name, Sort::Company, Sort::Recent] {
            assert_eq!(Sort::parse(sort.as_str()), sort);
        }
        assert_eq!(Sort::parse("n’importe quoi"), Sort::Name);
    }
}
