//! Campaigns of one owner. Every function takes the owner's id; another owner's row is
//! "not found", exactly like a missing one.

use chrono::NaiveDate;
use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use super::{Campaign, CampaignDraft, CampaignFilter, CampaignPage, CampaignStatus, Cursor};
use crate::{
    audit::repo::{record, snapshot, Change},
    db::Outcome,
};

const ENTITY: &str = "campaign";

/// Campaigns per page of the list.
pub const PAGE_SIZE: i64 = 25;

struct Row {
    id: Uuid,
    name: String,
    distributor_id: Uuid,
    distributor_name: String,
    venue: Option<String>,
    city: Option<String>,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    status: String,
    version: i32,
}

impl From<Row> for Campaign {
    fn from(r: Row) -> Self {
        Campaign {
            id: r.id,
            name: r.name,
            distributor_id: r.distributor_id,
            distributor_name: r.distributor_name,
            venue: r.venue,
            city: r.city,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            status: CampaignStatus::parse(&r.status).unwrap_or(CampaignStatus::Archived),
            version: r.version,
            pipeline: String::new(),
        }
    }
}

/// One page of the owner's campaigns: keyset pagination on (start date, id), no OFFSET, with
/// the count of campaigns matching and owned.
#[tracing::instrument(skip_all, fields(owner = %owner))]
pub async fn list(
    db: &mut sqlx::PgConnection,
    owner: Uuid,
    filter: &CampaignFilter,
    page_size: i64,
) -> Result<CampaignPage, sqlx::Error> {
    let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    // Backwards (to the previous page) reads the other way from the first row shown, then
    // turns the rows round.
    let (cursor, backwards) = match (&filter.after, &filter.before) {
        (Some(after), _) => (Cursor::decode(after), false),
        (None, Some(before)) => match Cursor::decode(before) {
            Some(cursor) => (Some(cursor), true),
            // A tampered cursor opens the first page.
            None => (None, false),
        },
        (None, None) => (None, false),
    };
    let (after_date, after_id) = (cursor.map(|c| c.starts_on), cursor.map(|c| c.id));
    let status = filter.status.sql();
    // Two statements because the sort direction cannot be a bind parameter; each compares
    // the cursor the way it sorts.
    let rows = if filter.status.ascending() != backwards {
        sqlx::query_as!(
            Row,
            r#"SELECT c.id, c.name, c.distributor_id, d.name AS distributor_name, c.venue, c.city,
                      c.starts_on, c.ends_on, c.version,
                      CASE WHEN c.archived_at IS NOT NULL THEN 'archived'
                           WHEN c.starts_on > spine_today() THEN 'upcoming'
                           WHEN c.ends_on < spine_today() THEN 'past'
                           ELSE 'running' END AS "status!"
               FROM campaigns c
               JOIN distributors d ON d.owner_user_id = c.owner_user_id AND d.id = c.distributor_id
               WHERE c.owner_user_id = $1
                 AND ($2::text IS NULL OR spine_search_text(concat_ws(' ', c.name, c.venue, c.city))
                                          LIKE ALL (spine_search_patterns($2))
                                          AND cardinality(spine_search_patterns($2)) > 0)
                 AND ($3::uuid IS NULL OR c.distributor_id = $3)
                 AND CASE $4::text
                       WHEN 'archived' THEN c.archived_at IS NOT NULL
                       WHEN 'upcoming' THEN c.archived_at IS NULL AND c.starts_on > spine_today()
                       WHEN 'running' THEN c.archived_at IS NULL AND c.starts_on <= spine_today()
                                           AND c.ends_on >= spine_today()
                       WHEN 'past' THEN c.archived_at IS NULL AND c.ends_on < spine_today()
                       ELSE c.archived_at IS NULL END
                 AND ($5::date IS NULL OR (c.starts_on, c.id) > ($5, $6::uuid))
               ORDER BY c.starts_on, c.id
               LIMIT $7"#,
            owner,
            q,
            filter.distributor,
            status,
            after_date,
            after_id,
            page_size + 1
        )
        .fetch_all(&mut *db)
        .await?
    } else {
        sqlx::query_as!(
            Row,
            r#"SELECT c.id, c.name, c.distributor_id, d.name AS distributor_name, c.venue, c.city,
                      c.starts_on, c.ends_on, c.version,
                      CASE WHEN c.archived_at IS NOT NULL THEN 'archived'
                           WHEN c.starts_on > spine_today() THEN 'upcoming'
                           WHEN c.ends_on < spine_today() THEN 'past'
                           ELSE 'running' END AS "status!"
               FROM campaigns c
               JOIN distributors d ON d.owner_user_id = c.owner_user_id AND d.id = c.distributor_id
               WHERE c.owner_user_id = $1
                 AND ($2::text IS NULL OR spine_search_text(concat_ws(' ', c.name, c.venue, c.city))
                                          LIKE ALL (spine_search_patterns($2))
                                          AND cardinality(spine_search_patterns($2)) > 0)
                 AND ($3::uuid IS NULL OR c.distributor_id = $3)
                 AND CASE $4::text
                       WHEN 'archived' THEN c.archived_at IS NOT NULL
                       WHEN 'upcoming' THEN c.archived_at IS NULL AND c.starts_on > spine_today()
                       WHEN 'running' THEN c.archived_at IS NULL AND c.starts_on <= spine_today()
                                           AND c.ends_on >= spine_today()
                       WHEN 'past' THEN c.archived_at IS NULL AND c.ends_on < spine_today()
                       ELSE c.archived_at IS NULL END
                 AND ($5::date IS NULL OR (c.starts_on, c.id) < ($5, $6::uuid))
               ORDER BY c.starts_on DESC, c.id DESC
               LIMIT $7"#,
            owner,
            q,
            filter.distributor,
            status,
            after_date,
            after_id,
            page_size + 1
        )
        .fetch_all(&mut *db)
        .await?
    };
    let mut items: Vec<Campaign> = rows.into_iter().map(Campaign::from).collect();
    let more = items.len() as i64 > page_size;
    items.truncate(page_size as usize);
    if backwards {
        items.reverse();
    }
    let cursor_of = |c: &Campaign| {
        Cursor {
            starts_on: c.starts_on,
            id: c.id,
        }
        .encode()
    };
    // Forwards, the rows before exist when we came from a cursor; backwards, the rows after do.
    let (next, previous) = if backwards {
        (
            items.last().map(cursor_of),
            items.first().filter(|_| more).map(cursor_of),
        )
    } else {
        (
            items.last().filter(|_| more).map(cursor_of),
            items.first().filter(|_| cursor.is_some()).map(cursor_of),
        )
    };
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE
                    ($2::text IS NULL OR spine_search_text(concat_ws(' ', c.name, c.venue, c.city))
                                         LIKE ALL (spine_search_patterns($2))
                                          AND cardinality(spine_search_patterns($2)) > 0)
                    AND ($3::uuid IS NULL OR c.distributor_id = $3)
                    AND CASE $4::text
                          WHEN 'archived' THEN c.archived_at IS NOT NULL
                          WHEN 'upcoming' THEN c.archived_at IS NULL AND c.starts_on > spine_today()
                          WHEN 'running' THEN c.archived_at IS NULL AND c.starts_on <= spine_today()
                                              AND c.ends_on >= spine_today()
                          WHEN 'past' THEN c.archived_at IS NULL AND c.ends_on < spine_today()
                          ELSE c.archived_at IS NULL END) AS "matching!",
                  count(*) AS "owned!"
           FROM campaigns c WHERE c.owner_user_id = $1"#,
        owner,
        q,
        filter.distributor,
        status,
    )
    .fetch_one(&mut *db)
    .await?;
    Ok(CampaignPage {
        items,
        next,
        previous,
        total: counts.matching,
        owned: counts.owned,
    })
}

#[tracing::instrument(skip_all, fields(owner = %owner, campaign = %id))]
pub async fn get(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<Campaign>, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT c.id, c.name, c.distributor_id, d.name AS distributor_name, c.venue, c.city,
                  c.starts_on, c.ends_on, c.version,
                  CASE WHEN c.archived_at IS NOT NULL THEN 'archived'
                       WHEN c.starts_on > spine_today() THEN 'upcoming'
                       WHEN c.ends_on < spine_today() THEN 'past'
                       ELSE 'running' END AS "status!"
           FROM campaigns c
           JOIN distributors d ON d.owner_user_id = c.owner_user_id AND d.id = c.distributor_id
           WHERE c.owner_user_id = $1 AND c.id = $2"#,
        owner,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Campaign::from))
}

/// Creates a campaign; a distributor of another owner violates `campaigns_distributor_fkey`.
#[tracing::instrument(skip_all, fields(owner = %owner))]
pub async fn create(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    draft: &CampaignDraft,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO campaigns (id, owner_user_id, distributor_id, name, venue, city, starts_on, ends_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        owner,
        draft.distributor_id,
        draft.name,
        draft.venue,
        draft.city,
        draft.starts_on,
        draft.ends_on
    )
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: "create",
            before: None,
            after: snapshot(draft),
        },
    )
    .await?;
    Ok(id)
}

struct Locked {
    draft: CampaignDraft,
    version: i32,
    archived: bool,
}

async fn lock(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<Locked>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT name, distributor_id, venue, city, starts_on, ends_on, version,
                  archived_at IS NOT NULL AS "archived!"
           FROM campaigns WHERE owner_user_id = $1 AND id = $2 FOR UPDATE"#,
        owner,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Locked {
        draft: CampaignDraft {
            name: r.name,
            distributor_id: r.distributor_id,
            venue: r.venue,
            city: r.city,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        },
        version: r.version,
        archived: r.archived,
    }))
}

/// Updates the campaign if it is still at `version` (else [`Outcome::Stale`]: no silent overwrite).
#[tracing::instrument(skip_all, fields(owner = %owner, campaign = %id))]
pub async fn update(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
    version: i32,
    draft: &CampaignDraft,
) -> Result<Outcome<()>, sqlx::Error> {
    let Some(before) = lock(tx, owner, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if before.version != version {
        return Ok(Outcome::Stale);
    }
    sqlx::query!(
        "UPDATE campaigns SET distributor_id = $3, name = $4, venue = $5, city = $6, starts_on = $7,
                ends_on = $8, version = version + 1, updated_at = now()
         WHERE owner_user_id = $1 AND id = $2",
        owner,
        id,
        draft.distributor_id,
        draft.name,
        draft.venue,
        draft.city,
        draft.starts_on,
        draft.ends_on
    )
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: "update",
            before: snapshot(&before.draft),
            after: snapshot(draft),
        },
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// Archives (soft) or restores the campaign; doing what is already done changes nothing.
#[tracing::instrument(skip_all, fields(owner = %owner, campaign = %id, archived))]
pub async fn set_archived(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    id: Uuid,
    archived: bool,
) -> Result<Outcome<()>, sqlx::Error> {
    let Some(before) = lock(tx, owner, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if before.archived == archived {
        return Ok(Outcome::Done(()));
    }
    sqlx::query!(
        "UPDATE campaigns SET archived_at = CASE WHEN $3 THEN now() END, version = version + 1,
                updated_at = now()
         WHERE owner_user_id = $1 AND id = $2",
        owner,
        id,
        archived
    )
    .execute(&mut **tx)
    .await?;
    let state = |archived: bool| Some(serde_json::json!({ "archived": archived }));
    record(
        tx,
        Change {
            owner,
            actor: owner,
            entity_type: ENTITY,
            entity_id: id,
            action: if archived { "archive" } else { "restore" },
            before: state(before.archived),
            after: state(archived),
        },
    )
    .await?;
    Ok(Outcome::Done(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::repo::{upsert_microsoft_user, MicrosoftIdentity},
        campaigns::StatusFilter,
        distributors::{repo as distributors, DistributorDraft},
    };
    use chrono::{Duration, Utc};
    use sqlx::PgPool;

    async fn rep(pool: &PgPool, n: u128) -> Uuid {
        let mut tx = pool.begin().await.unwrap();
        let who = MicrosoftIdentity {
            tid: Uuid::from_u128(1),
            oid: Uuid::from_u128(n),
            name: format!("Rep {n}"),
            email: None,
            preferred_username: None,
        };
        let user = upsert_microsoft_user(&mut tx, &who).await.unwrap();
        tx.commit().await.unwrap();
        user.id
    }

    async fn distributor(pool: &PgPool, owner: Uuid, name: &str) -> Uuid {
        let mut tx = pool.begin().await.unwrap();
        let d = distributors::create(
            &mut tx,
            owner,
            &DistributorDraft {
                name: name.into(),
                website: None,
                notes: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        d.id
    }

    async fn campaign(
        pool: &PgPool,
        owner: Uuid,
        distributor_id: Uuid,
        name: &str,
        start_in_days: i64,
        days: i64,
    ) -> Uuid {
        let start = Utc::now().date_naive() + Duration::days(start_in_days);
        let mut tx = pool.begin().await.unwrap();
        let draft = CampaignDraft {
            name: name.into(),
            distributor_id,
            venue: None,
            city: None,
            starts_on: start,
            ends_on: start + Duration::days(days),
        };
        let id = create(&mut tx, owner, &draft).await.unwrap();
        tx.commit().await.unwrap();
        id
    }

    fn names(page: &CampaignPage) -> Vec<String> {
        page.items.iter().map(|c| c.name.clone()).collect()
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn pages_follow_each_other_without_overlap_or_gap(pool: PgPool) {
        let owner = rep(&pool, 1).await;
        let d = distributor(&pool, owner, "Metro").await;
        // Several on the same day: the id breaks ties.
        for i in 0..23 {
            campaign(&pool, owner, d, &format!("Salon {i:02}"), 10 + (i % 5), 1).await;
        }
        let mut seen = Vec::new();
        let mut filter = CampaignFilter {
            status: StatusFilter::Upcoming,
            ..Default::default()
        };
        loop {
            let page = list(&mut pool.acquire().await.unwrap(), owner, &filter, 10)
                .await
                .unwrap();
            assert!(page.items.len() <= 10);
            seen.extend(page.items.iter().map(|c| (c.starts_on, c.id)));
            match page.next {
                Some(next) => filter.after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 23);
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "upcoming campaigns come soonest first");

        // And back again from the last page: the same pages, in the same order.
        let mut back = Vec::new();
        let mut page = list(&mut pool.acquire().await.unwrap(), owner, &filter, 10)
            .await
            .unwrap();
        assert_eq!(page.total, 23);
        assert!(page.next.is_none(), "the walk above ended on the last page");
        loop {
            back.splice(0..0, page.items.iter().map(|c| (c.starts_on, c.id)));
            match page.previous.take() {
                Some(previous) => {
                    filter.after = None;
                    filter.before = Some(previous);
                    page = list(&mut pool.acquire().await.unwrap(), owner, &filter, 10)
                        .await
                        .unwrap();
                    assert!(page.next.is_some(), "a page before has one after");
                }
                None => break,
            }
        }
        assert_eq!(back, seen);
        let first = list(
            &mut pool.acquire().await.unwrap(),
            owner,
            &CampaignFilter {
                status: StatusFilter::Upcoming,
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
        assert!(first.previous.is_none(), "the first page has none before");
    }

    #[sqlx::test(migrator = "crate::MIGRATOR")]
    async fn status_search_and_distributor_filters_combine(pool: PgPool) {
        let owner = rep(&pool, 1).await;
        let other = rep(&pool, 2).await;
        let metro = distributor(&pool, owner, "Metro").await;
        let sysco = distributor(&pool, owner, "Sysco").await;
        campaign(&pool, owner, metro, "Salon de l'Élevage", 30, 2).await;
        campaign(&pool, owner, sysco, "Sirha", -1, 3).await;
        campaign(&pool, owner, metro, "Equip'Hôtel", -40, 4).await;
        let archived = campaign(&pool, owner, metro, "Ancien salon", -400, 1).await;
        let mut tx = pool.begin().await.unwrap();
        set_archived(&mut tx, owner, archived, true).await.unwrap();
        tx.commit().await.unwrap();
        let theirs = distributor(&pool, other, "Metro").await;
        campaign(
            &pool,
            other,
            theirs,
            "Salon de l'Élevage (autre rep)",
            30,
            2,
        )
        .await;

        let by = |status, q: Option<&str>, distributor| CampaignFilter {
            q: q.map(str::to_owned),
            status,
            distributor,
            ..Default::default()
        };
        let run = |f: CampaignFilter| {
            let pool = pool.clone();
            async move {
                names(
                    &list(&mut pool.acquire().await.unwrap(), owner, &f, 25)
                        .await
                        .unwrap(),
                )
            }
        };
        assert_eq!(
            run(by(StatusFilter::Upcoming, None, None)).await,
            ["Salon de l'Élevage"]
        );
        assert_eq!(run(by(StatusFilter::Running, None, None)).await, ["Sirha"]);
        assert_eq!(
            run(by(StatusFilter::Past, None, None)).await,
            ["Equip'Hôtel"]
        );
        assert_eq!(
            run(by(StatusFilter::Archived, None, None)).await,
            ["Ancien salon"]
        );
        assert_eq!(
            run(by(StatusFilter::Active, None, None)).await,
            ["Salon de l'Élevage", "Sirha", "Equip'Hôtel"]
        );
        assert_eq!(
            run(by(StatusFilter::Active, Some("ELEVAGE"), None)).await,
            ["Salon de l'Élevage"]
        );
        assert_eq!(
            run(by(StatusFilter::Active, Some("hotel"), None)).await,
            ["Equip'Hôtel"]
        );
        assert_eq!(
            run(by(StatusFilter::Active, None, Some(sysco))).await,
            ["Sirha"]
        );
        assert_eq!(
            run(by(StatusFilter::Active, Some("100%"), None)).await,
            Vec::<String>::new()
        );
        assert_eq!(
            run(by(StatusFilter::Active, Some("!!"), None)).await,
            Vec::<String>::new(),
            "a search of no word finds nothing"
        );
        // Words, whatever the punctuation: "equip hotel" is how a rep types "Equip'Hôtel".
        for q in ["equip hotel", "EQUIP-HOTEL", "hôtel équip", "equip’hotel"] {
            assert_eq!(
                run(by(StatusFilter::Active, Some(q), None)).await,
                ["Equip'Hôtel"],
                "{q}"
            );
        }
        assert_eq!(
            run(by(StatusFilter::Active, Some("equip salon"), None)).await,
            Vec::<String>::new(),
            "every word must be found"
        );
        // The venue and the city are searched too.
        let mut tx = pool.begin().await.unwrap();
        let start = Utc::now().date_naive() + Duration::days(60);
        create(
            &mut tx,
            owner,
            &CampaignDraft {
                name: "Sandwich & Snack Show".into(),
                distributor_id: metro,
                venue: Some("Paris Expo Porte de Versailles".into()),
                city: Some("Paris".into()),
                starts_on: start,
                ends_on: start,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            run(by(StatusFilter::Active, Some("versailles"), None)).await,
            ["Sandwich & Snack Show"]
        );
        assert_eq!(
            run(by(StatusFilter::Active, Some("snack paris"), None)).await,
            ["Sandwich & Snack Show"]
        );
        let page = list(
            &mut pool.acquire().await.unwrap(),
            owner,
            &by(StatusFilter::Active, Some("salon"), None),
            25,
        )
        .await
        .unwrap();
        assert_eq!(
            (page.total, page.owned),
            (1, 5),
            "one matches of the rep's five"
        );
        // Another rep's distributor id finds nothing of theirs.
        assert_eq!(
            run(by(StatusFilter::Active, None, Some(theirs))).await,
            Vec::<String>::new()
        );
    }
}
