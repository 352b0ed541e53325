//! What the mixer reads and writes, always for one rep: the products each prospect liked (with
//! notes), the rep's templates, what a mail is made of, and the mails it queues.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::render::{Contact, Interest, Rendered, Sender};

/// A saved template.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedTemplate {
    pub id: Uuid,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

/// The rep's templates, last changed first.
pub async fn templates(pool: &PgPool, owner: Uuid) -> sqlx::Result<Vec<SavedTemplate>> {
    sqlx::query_as(
        "SELECT id, name, subject, body, updated_at FROM email_templates
         WHERE owner_user_id = $1 ORDER BY updated_at DESC, id LIMIT 200",
    )
    .bind(owner)
    .fetch_all(pool)
    .await
}

/// Template `id`, if it is the rep's.
pub async fn template(pool: &PgPool, owner: Uuid, id: Uuid) -> sqlx::Result<Option<SavedTemplate>> {
    sqlx::query_as(
        "SELECT id, name, subject, body, updated_at FROM email_templates
         WHERE owner_user_id = $1 AND id = $2",
    )
    .bind(owner)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Saves a template (checked by the caller): a new one (`id` None) or the rep's `id`; `None`
/// when `id` is not theirs.
pub async fn save_template(
    pool: &PgPool,
    owner: Uuid,
    id: Option<Uuid>,
    name: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<Option<Uuid>> {
    match id {
        None => {
            sqlx::query_scalar(
                "INSERT INTO email_templates (id, owner_user_id, name, subject, body)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(Uuid::now_v7())
            .bind(owner)
            .bind(name)
            .bind(subject)
            .bind(body)
            .fetch_optional(pool)
            .await
        }
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE email_templates SET name = $3, subject = $4, body = $5, updated_at = now()
             WHERE owner_user_id = $1 AND id = $2 RETURNING id",
            )
            .bind(owner)
            .bind(id)
            .bind(name)
            .bind(subject)
            .bind(body)
            .fetch_optional(pool)
            .await
        }
    }
}

/// Deletes the rep's template `id` (mails queued from it keep their words); whether it was.
pub async fn delete_template(pool: &PgPool, owner: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM email_templates WHERE owner_user_id = $1 AND id = $2")
        .bind(owner)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The show and the distributor of the rep's `campaign`.
#[derive(Debug, Clone)]
pub struct CampaignContext {
    pub id: Uuid,
    pub show: String,
    pub distributor: String,
}

pub async fn campaign(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
) -> sqlx::Result<Option<CampaignContext>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT c.name, d.name FROM campaigns c
         JOIN distributors d ON d.owner_user_id = c.owner_user_id AND d.id = c.distributor_id
         WHERE c.owner_user_id = $1 AND c.id = $2",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(show, distributor)| CampaignContext {
        id: campaign,
        show,
        distributor,
    }))
}

/// Who the rep's mails come from.
pub async fn sender(db: impl sqlx::PgExecutor<'_>, owner: Uuid) -> sqlx::Result<Sender> {
    let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT u.display_name, s.signature, s.sender_company
         FROM users u LEFT JOIN rep_settings s ON s.user_id = u.id WHERE u.id = $1",
    )
    .bind(owner)
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|(name, signature, company)| Sender {
            name,
            company: company.unwrap_or_default(),
            signature: signature.unwrap_or_default(),
        })
        .unwrap_or_default())
}

/// Saves the rep's signature and the company their footer names.
pub async fn save_signature(
    pool: &PgPool,
    owner: Uuid,
    signature: &str,
    company: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO rep_settings (user_id, signature, sender_company) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE
             SET signature = $2, sender_company = $3, updated_at = now()",
    )
    .bind(owner)
    .bind(signature)
    .bind(company)
    .execute(pool)
    .await?;
    Ok(())
}

/// A prospect of the campaign, as a mail needs them.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub id: Uuid,
    pub contact: Contact,
    /// The rep's note on them for this campaign.
    pub note: String,
    pub interests: Vec<(Uuid, Interest)>,
}

/// Which of the campaign's prospects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Those with at least one product of interest.
    WithProducts,
    Ids(Vec<Uuid>),
}

/// The campaign's prospects in `selection`, by name, with what they liked (`None`: not the
/// rep's campaign). Two reads whatever their number.
pub async fn recipients(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    selection: &Selection,
) -> sqlx::Result<Vec<Recipient>> {
    let ids = match selection {
        Selection::Ids(ids) => Some(ids.as_slice()),
        _ => None,
    };
    let with_products = *selection == Selection::WithProducts;
    type Row = (
        Uuid,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        bool,
        bool,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.email, p.civility, p.first_name, p.last_name, p.company, p.job_title,
             p.city, p.do_not_contact, p.bounced_at IS NOT NULL, cp.note
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
           AND ($3::uuid[] IS NULL OR cp.prospect_id = ANY ($3))
           AND (NOT $4 OR EXISTS (SELECT 1 FROM prospect_product_interests i
                                   JOIN products pr ON pr.id = i.product_id
                                   WHERE i.campaign_id = cp.campaign_id
                                     AND i.prospect_id = cp.prospect_id
                                     AND pr.status = 'published'))
         ORDER BY lower(p.last_name), lower(p.first_name), p.email, p.id",
    )
    .bind(owner)
    .bind(campaign)
    .bind(ids)
    .bind(with_products)
    .fetch_all(pool)
    .await?;
    let mut liked = interests(pool, owner, campaign, ids).await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                email,
                civility,
                first_name,
                last_name,
                company,
                job_title,
                city,
                dnc,
                bounced,
                note,
            )| {
                Recipient {
                    id,
                    contact: Contact {
                        email,
                        civility,
                        first_name,
                        last_name,
                        company,
                        job_title,
                        city,
                        do_not_contact: dnc,
                        bounced,
                    },
                    note,
                    interests: liked.remove(&id).unwrap_or_default(),
                }
            },
        )
        .collect())
}

/// The published products each prospect liked (of `prospects`, else all), in the order noted.
async fn interests(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospects: Option<&[Uuid]>,
) -> sqlx::Result<HashMap<Uuid, Vec<(Uuid, Interest)>>> {
    let rows: Vec<(Uuid, Uuid, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT i.prospect_id, pr.id, pr.reference, pr.name, pr.price_cents, pr.currency, i.note
         FROM prospect_product_interests i JOIN products pr ON pr.id = i.product_id
         WHERE i.owner_user_id = $1 AND i.campaign_id = $2
           AND ($3::uuid[] IS NULL OR i.prospect_id = ANY ($3))
           AND pr.status = 'published'
         ORDER BY i.prospect_id, i.added_at, pr.reference",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospects)
    .fetch_all(pool)
    .await?;
    let mut liked: HashMap<Uuid, Vec<(Uuid, Interest)>> = HashMap::new();
    for (prospect, product, reference, name, price_cents, currency, note) in rows {
        liked.entry(prospect).or_default().push((
            product,
            Interest {
                reference,
                name,
                price_cents,
                currency,
                note,
            },
        ));
    }
    Ok(liked)
}

/// One prospect of the campaign, with what they liked.
pub async fn recipient(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
) -> sqlx::Result<Option<Recipient>> {
    Ok(
        recipients(pool, owner, campaign, &Selection::Ids(vec![prospect]))
            .await?
            .pop(),
    )
}

/// The campaign's prospects' ids and names, in the mixer's order (to step through them).
pub async fn roster(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
) -> sqlx::Result<Vec<(Uuid, String, i64)>> {
    sqlx::query_as(
        "SELECT p.id,
             CASE WHEN btrim(p.first_name || ' ' || p.last_name) = '' THEN p.email
                  ELSE btrim(p.first_name || ' ' || p.last_name) END,
             (SELECT count(*) FROM prospect_product_interests i JOIN products pr ON pr.id = i.product_id
               WHERE i.campaign_id = cp.campaign_id AND i.prospect_id = cp.prospect_id
                 AND pr.status = 'published')
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
         ORDER BY lower(p.last_name), lower(p.first_name), p.email, p.id",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_all(pool)
    .await
}

/// Adds published product `product` of the campaign to what `prospect` liked (a note given
/// replaces the one kept); `false` when the prospect is not in the rep's campaign or the
/// product is not one of its published products.
pub async fn add_interest(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
    product: Uuid,
    note: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO prospect_product_interests (owner_user_id, campaign_id, prospect_id,
             product_id, note)
         SELECT cp.owner_user_id, cp.campaign_id, cp.prospect_id, pr.id, $5
         FROM campaign_prospects cp, products pr JOIN catalogs c ON c.id = pr.catalog_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.prospect_id = $3
           AND pr.id = $4 AND pr.owner_user_id = $1 AND c.campaign_id = $2
           AND pr.status = 'published'
         ON CONFLICT (campaign_id, prospect_id, product_id) DO UPDATE
             SET note = CASE WHEN excluded.note = '' THEN prospect_product_interests.note
                             ELSE excluded.note END",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospect)
    .bind(product)
    .bind(note)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes `product` from what `prospect` liked (removing it twice, as a double tap does, is
/// removing it once); `false` when the prospect is not in the rep's campaign.
pub async fn remove_interest(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
    product: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "WITH link AS (SELECT 1 FROM campaign_prospects
                       WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = $3),
              gone AS (DELETE FROM prospect_product_interests
                       WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = $3
                         AND product_id = $4
                       RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM link)",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospect)
    .bind(product)
    .fetch_one(pool)
    .await
}

/// Sets the notes of a prospect in the campaign: theirs, and each product's (`(product,
/// note)`); `false` when the prospect is not in the rep's campaign.
pub async fn save_notes(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
    note: &str,
    product_notes: &[(Uuid, String)],
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    if !save_note(&mut *tx, owner, campaign, prospect, note).await? {
        return Ok(false);
    }
    let (products, notes): (Vec<Uuid>, Vec<String>) = product_notes.iter().cloned().unzip();
    sqlx::query(
        "UPDATE prospect_product_interests i SET note = n.note
         FROM unnest($4::uuid[], $5::text[]) AS n(product_id, note)
         WHERE i.owner_user_id = $1 AND i.campaign_id = $2 AND i.prospect_id = $3
           AND i.product_id = n.product_id",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospect)
    .bind(&products)
    .bind(&notes)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets the rep's note on a prospect of the campaign; `false` when not in the rep's campaign.
pub async fn save_note(
    db: impl sqlx::PgExecutor<'_>,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
    note: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE campaign_prospects SET note = $4
         WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospect)
    .bind(note)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A mail the mixer queues for a prospect.
pub struct Queued<'a> {
    pub prospect: Uuid,
    pub to_address: &'a str,
    pub to_name: String,
    pub mail: &'a Rendered,
}

/// What queuing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueOutcome {
    /// New mails in the outbox.
    pub added: u64,
    /// Mails not yet sent, made again from this template.
    pub replaced: u64,
    /// Mails of this round already sending or gone (or the same words already waiting).
    pub unchanged: u64,
}

/// The key of a mixer's mail: one per campaign, prospect and round.
pub fn idempotency_key(campaign: Uuid, prospect: Uuid, round: i16) -> String {
    format!("mixer:{campaign}:{prospect}:{round}")
}

/// Puts `mails` in the rep's outbox, `ready`, in one statement: a mail of the same round not
/// yet sent (waiting, or cancelled) is replaced by the new words; one already leaving or gone
/// is left as it is.
pub async fn queue(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    template: Option<Uuid>,
    round: i16,
    mails: &[Queued<'_>],
    now: DateTime<Utc>,
) -> sqlx::Result<QueueOutcome> {
    let n = mails.len();
    let mut ids = Vec::with_capacity(n);
    let mut prospects = Vec::with_capacity(n);
    let mut keys = Vec::with_capacity(n);
    let (mut to, mut names, mut subjects, mut htmls, mut texts) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for m in mails {
        ids.push(Uuid::now_v7());
        prospects.push(m.prospect);
        keys.push(idempotency_key(campaign, m.prospect, round));
        to.push(m.to_address);
        names.push(m.to_name.as_str());
        subjects.push(m.mail.subject.as_str());
        htmls.push(m.mail.html.as_str());
        texts.push(m.mail.text.as_str());
    }
    let mut tx = pool.begin().await?;
    let (added, replaced): (i64, i64) = sqlx::query_as(
        "WITH written AS (
             INSERT INTO outbox_emails (id, owner_user_id, campaign_id, prospect_id, kind, status,
                 idempotency_key, to_address, to_name, subject, html_body, text_body,
                 next_attempt_at, created_at, updated_at, round, template_id)
             SELECT m.id, $1, $2, m.prospect_id, 'prospecting', 'ready', m.key, m.to_address,
                 m.to_name, m.subject, m.html, m.text, $11, $11, $11, $12, $13
             FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                         $9::text[], $10::text[])
                  AS m(id, prospect_id, key, to_address, to_name, subject, html, text)
             ON CONFLICT (owner_user_id, idempotency_key) DO UPDATE
                 SET status = 'ready', subject = excluded.subject,
                     html_body = excluded.html_body, text_body = excluded.text_body,
                     to_address = excluded.to_address, to_name = excluded.to_name,
                     template_id = excluded.template_id, attempts = 0, last_error = NULL,
                     error_class = NULL, next_attempt_at = excluded.next_attempt_at,
                     updated_at = excluded.updated_at
                 WHERE outbox_emails.status IN ('draft', 'ready', 'cancelled')
                   AND (outbox_emails.status <> 'ready'
                        OR (outbox_emails.subject, outbox_emails.html_body,
                            outbox_emails.text_body, outbox_emails.to_address)
                           IS DISTINCT FROM
                           (excluded.subject, excluded.html_body, excluded.text_body,
                            excluded.to_address))
             RETURNING (xmax = 0) AS inserted
         )
         SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
         FROM written",
    )
    .bind(owner)
    .bind(campaign)
    .bind(&ids)
    .bind(&prospects)
    .bind(&keys)
    .bind(&to)
    .bind(&names)
    .bind(&subjects)
    .bind(&htmls)
    .bind(&texts)
    .bind(now)
    .bind(round)
    .bind(template)
    .fetch_one(&mut *tx)
    .await?;
    if added + replaced > 0 {
        sqlx::query("INSERT INTO send_pace (owner_user_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(owner)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(QueueOutcome {
        added: added as u64,
        replaced: replaced as u64,
        unchanged: (n as i64 - added - replaced).max(0) as u64,
    })
}

/// The rep's prospecting mails waiting to leave, every campaign together (one mailbox, one pace).
pub async fn waiting(pool: &PgPool, owner: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox_emails
         WHERE owner_user_id = $1 AND kind = 'prospecting' AND status IN ('ready', 'sending')",
    )
    .bind(owner)
    .fetch_one(pool)
    .await
}

/// The last round queued to each of the campaign's prospects, and its mail's status.
pub async fn rounds(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
) -> sqlx::Result<HashMap<Uuid, (i16, String)>> {
    let rows: Vec<(Uuid, i16, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (prospect_id) prospect_id, round, status FROM outbox_emails
         WHERE owner_user_id = $1 AND campaign_id = $2 AND round IS NOT NULL
         ORDER BY prospect_id, round DESC",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(p, r, s)| (p, (r, s))).collect())
}
