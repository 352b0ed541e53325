//! The board's cards and their moves. Every query takes the owner: another rep's campaign or
//! card is not found. A move names where the rep saw the card: a card that is no longer there
//! (moved meanwhile on another device) does not move, and the rep is told.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::model::{Moved, Place};
use crate::{live, prospects::model::CampaignName};

/// A card of the board.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub prospect: Uuid,
    pub name: String,
    pub company: String,
    pub email: String,
    pub place: Place,
    pub do_not_contact: bool,
}

/// A campaign's board: its cards in column order, and how many each stage holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub campaign: CampaignName,
    pub cards: Vec<Card>,
    /// Cards per place, whatever the search.
    pub counts: Vec<(Place, i64)>,
}

/// The live topic of campaign `campaign`'s board.
pub fn topic(campaign: Uuid) -> String {
    format!("board:{campaign}")
}

/// The board of campaign `campaign`, its cards found by the words of `q` (names, company,
/// address, city; accents and case aside), in each column's order.
pub async fn board(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    q: Option<&str>,
) -> Result<Option<Board>, sqlx::Error> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    type Row = (
        Uuid,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        bool,
    );
    let rows = sqlx::query_as::<_, Row>(
        "SELECT p.id, p.first_name, p.last_name, p.company, p.email, cp.stage, cp.outcome,
                p.do_not_contact
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
           AND ($3::text IS NULL
                OR spine_search_text(concat_ws(' ', p.first_name, p.last_name, p.company,
                                               p.email, p.city))
                   LIKE ALL (spine_search_patterns($3)))
         ORDER BY cp.stage, cp.position, cp.added_at, cp.prospect_id",
    )
    .bind(owner)
    .bind(campaign)
    .bind(q)
    .fetch_all(pool);
    // The campaign's name and its cards at once, on two connections: one wait instead of two.
    let name = crate::prospects::repo::campaign_name(pool, owner, campaign);
    let (name, rows) = tokio::try_join!(name, rows)?;
    let Some(campaign) = name else {
        return Ok(None);
    };
    let cards: Vec<Card> = rows
        .into_iter()
        .map(
            |(prospect, first, last, company, email, stage, outcome, do_not_contact)| Card {
                prospect,
                name: format!("{first} {last}").trim().to_string(),
                company,
                email,
                place: Place::of(&stage, outcome.as_deref()).unwrap_or(Place::WaitingRoom),
                do_not_contact,
            },
        )
        .collect();
    // Without a search every card is there: counted here rather than by one more query.
    let counts = match q {
        None => Place::ALL
            .into_iter()
            .map(|place| {
                (
                    place,
                    cards.iter().filter(|c| c.place == place).count() as i64,
                )
            })
            .collect(),
        Some(_) => counts(pool, owner, campaign.id).await?,
    };
    Ok(Some(Board {
        campaign,
        cards,
        counts,
    }))
}

/// How many cards each place of campaign `campaign` holds (the campaign is the rep's).
pub async fn counts(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
) -> Result<Vec<(Place, i64)>, sqlx::Error> {
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT spine_board_place(stage, outcome), count(*) FROM campaign_prospects
         WHERE owner_user_id = $1 AND campaign_id = $2
         GROUP BY 1",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    Ok(Place::ALL
        .into_iter()
        .map(|place| {
            let n = counts
                .iter()
                .find(|(key, _)| key == place.key())
                .map_or(0, |(_, n)| *n);
            (place, n)
        })
        .collect())
}

/// One card of campaign `campaign` (its move page), if it is there.
pub async fn card(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
) -> Result<Option<Card>, sqlx::Error> {
    type Row = (String, String, String, String, String, Option<String>, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.first_name, p.last_name, p.company, p.email, cp.stage, cp.outcome,
                p.do_not_contact
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.prospect_id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospect)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(first, last, company, email, stage, outcome, do_not_contact)| Card {
            prospect,
            name: format!("{first} {last}").trim().to_string(),
            company,
            email,
            place: Place::of(&stage, outcome.as_deref()).unwrap_or(Place::WaitingRoom),
            do_not_contact,
        },
    ))
}

/// The position of a card dropped before card `before` of column `stage`: halfway between it
/// and the card above. When two neighbours share a position (an import's cards all start at
/// 0), the column is numbered afresh first.
async fn position_before(
    conn: &mut PgConnection,
    owner: Uuid,
    campaign: Uuid,
    stage: &str,
    before: Uuid,
    moving: Uuid,
) -> Result<Option<f64>, sqlx::Error> {
    for _ in 0..2 {
        let below: Option<f64> = sqlx::query_scalar(
            "SELECT position FROM campaign_prospects
             WHERE owner_user_id = $1 AND campaign_id = $2 AND stage = $3 AND prospect_id = $4",
        )
        .bind(owner)
        .bind(campaign)
        .bind(stage)
        .bind(before)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(below) = below else {
            return Ok(None);
        };
        let above: Option<f64> = sqlx::query_scalar(
            "SELECT cp.position FROM campaign_prospects cp, campaign_prospects b
             WHERE b.owner_user_id = $1 AND b.campaign_id = $2 AND b.prospect_id = $4
               AND cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.stage = $3
               AND cp.prospect_id <> $5
               AND (cp.position, cp.added_at, cp.prospect_id) < (b.position, b.added_at, b.prospect_id)
             ORDER BY cp.position DESC, cp.added_at DESC, cp.prospect_id DESC
             LIMIT 1",
        )
        .bind(owner)
        .bind(campaign)
        .bind(stage)
        .bind(before)
        .bind(moving)
        .fetch_optional(&mut *conn)
        .await?;
        match above {
            None => return Ok(Some(below - 1.0)),
            Some(above) if below - above > 1e-6 => return Ok(Some((above + below) / 2.0)),
            Some(_) => {
                sqlx::query(
                    "UPDATE campaign_prospects cp SET position = n.rank
                     FROM (SELECT prospect_id,
                                  row_number() OVER (ORDER BY position, added_at, prospect_id) AS rank
                           FROM campaign_prospects
                           WHERE owner_user_id = $1 AND campaign_id = $2 AND stage = $3) n
                     WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.stage = $3
                       AND cp.prospect_id = n.prospect_id",
                )
                .bind(owner)
                .bind(campaign)
                .bind(stage)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(None)
}

/// Where moved cards go in their new column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// On top: a card classified is the first seen there.
    Top,
    /// At the bottom, in their order: the chunks of a bulk move follow one another.
    Bottom,
    /// Just before this card.
    Before(Uuid),
}

/// A transaction for a card's move, the board's busiest request: its statement is planned once
/// per connection, not at every call as the pool plans statements (with their values, for the
/// lists' optional filters), since its plan does not depend on them. Planning it was half of
/// the database's work per move.
pub async fn begin_move(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    pool.begin_with("BEGIN; SET LOCAL plan_cache_mode = force_generic_plan")
        .await
}

/// Tells the board's pages what CTE `moved` (prospect_id, stage, outcome, position, added_at
/// of each card moved) did, from the statement that moves them: no transaction of its own, and
/// sent at its commit. When they are few, each card with its place and the card it now sits
/// above (`null` at the bottom; moved cards are left out, so inserting them in this order
/// before it rebuilds the column), else to read the board again (a notification holds 8,000
/// bytes). The event is `live::Event`'s JSON. The arguments are the statement's parameters
/// holding the channel, the owner, the campaign, the topic and the move's id.
macro_rules! notify_moved {
    ($channel:literal, $owner:literal, $campaign:literal, $topic:literal, $id:literal) => {
        concat!(
            "notified AS (
                 SELECT pg_notify(",
            $channel,
            ", json_build_object(
                     'owner', ",
            $owner,
            "::uuid, 'topic', ",
            $topic,
            "::text,
                     'data', CASE WHEN k.n > 50
                         THEN json_build_object('move', ",
            $id,
            "::text, 'reload', true)
                         ELSE json_build_object('move', ",
            $id,
            "::text, 'cards', (
                             SELECT json_agg(json_build_array(
                                        c.prospect_id, spine_board_place(c.stage, c.outcome),
                                        n.prospect_id)
                                    ORDER BY c.position, c.added_at, c.prospect_id)
                             FROM moved c
                             LEFT JOIN LATERAL (
                                 SELECT o.prospect_id FROM campaign_prospects o
                                 WHERE o.owner_user_id = ",
            $owner,
            "
                                   AND o.campaign_id = ",
            $campaign,
            " AND o.stage = c.stage
                                   AND o.prospect_id NOT IN (SELECT prospect_id FROM moved)
                                   AND (o.position, o.added_at, o.prospect_id)
                                       > (c.position, c.added_at, c.prospect_id)
                                 ORDER BY o.position, o.added_at, o.prospect_id
                                 LIMIT 1
                             ) n ON true))
                     END)::text)
                 FROM (SELECT count(*) AS n FROM moved) k
                 WHERE k.n > 0
             )"
        )
    };
}

/// Moves `cards` of campaign `campaign` from `from` to `to`, where the rep saw them, placed
/// `at` in the target column (several cards keep their order).
/// A card no longer at `from` stays where it is (counted `stale`); one already at `to` counts
/// as neither. Each card moved is logged (from, to, position) under move `id`, for its undo,
/// and the board's pages are told. `None` when the campaign is not the rep's.
#[allow(clippy::too_many_arguments)]
pub async fn move_cards(
    conn: &mut PgConnection,
    owner: Uuid,
    campaign: Uuid,
    cards: &[Uuid],
    from: Place,
    to: Place,
    at: At,
    id: Uuid,
) -> Result<Option<Moved>, sqlx::Error> {
    let position = match (at, cards) {
        (At::Before(before), [card]) if before != *card => {
            position_before(conn, owner, campaign, to.stage(), before, *card).await?
        }
        _ => None,
    };
    // One statement moves, logs, tells and counts (a move is the board's busiest request, and
    // one statement needs no BEGIN and COMMIT): whether the campaign is the rep's, the cards
    // moved, and how many of the named cards were at `to` and in the campaign at all, as they
    // were before it.
    let (exists, moved, there, found, _told): (bool, Vec<Uuid>, i64, i64, i64) =
        sqlx::query_as(concat!(
            "WITH ends AS (
                 SELECT coalesce(min(position), 0) AS top, coalesce(max(position), 0) AS bottom
                 FROM campaign_prospects
                 WHERE owner_user_id = $1 AND campaign_id = $2 AND stage = $5
                   AND NOT (prospect_id = ANY($3))
             ), chosen AS (
                 SELECT prospect_id, position AS was,
                        row_number() OVER (ORDER BY position, added_at, prospect_id) AS rank,
                        count(*) OVER () AS n
                 FROM campaign_prospects
                 WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = ANY($3)
                   AND spine_board_place(stage, outcome) = $4
             ), moved AS (
                 UPDATE campaign_prospects cp
                 SET stage = $5, outcome = $6,
                     position = coalesce($7, CASE WHEN $10 THEN e.bottom + c.rank
                                                  ELSE e.top - c.n - 1 + c.rank END),
                     moved_at = now()
                 FROM chosen c, ends e
                 WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
                   AND cp.prospect_id = c.prospect_id
                   AND spine_board_place(cp.stage, cp.outcome) = $4
                 RETURNING cp.prospect_id, cp.stage, cp.outcome, cp.position, cp.added_at, c.was
             ), logged AS (
                 INSERT INTO audit_log (id, owner_user_id, actor_user_id, entity_type, entity_id,
                                        action, before, after)
                 SELECT gen_random_uuid(), $1, $1, 'prospect', m.prospect_id, 'move',
                        jsonb_build_object('campaign_id', $2, 'place', $4, 'position', m.was),
                        jsonb_build_object('campaign_id', $2, 'place', $8,
                                           'position', m.position, 'move', $9)
                 FROM moved m
             ), seen AS (
                 SELECT count(*) FILTER (WHERE spine_board_place(stage, outcome) = $8) AS there,
                        count(*) AS found
                 FROM campaign_prospects
                 WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = ANY($3)
             ), ",
            notify_moved!("$11", "$1", "$2", "$12", "$9"),
            // `notified` is read, so that it runs.
            "
             SELECT EXISTS (SELECT 1 FROM campaigns WHERE owner_user_id = $1 AND id = $2),
                    coalesce((SELECT array_agg(prospect_id) FROM moved), '{}'),
                    seen.there, seen.found, told.n
             FROM seen, (SELECT count(*) AS n FROM notified) told"
        ))
        .bind(owner)
        .bind(campaign)
        .bind(cards)
        .bind(from.key())
        .bind(to.stage())
        .bind(to.outcome())
        .bind(position)
        .bind(to.key())
        .bind(id.to_string())
        .bind(at == At::Bottom)
        .bind(live::CHANNEL)
        .bind(topic(campaign))
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(None);
    }
    // At `to` now: those that were (the moved ones among them when it is also `from`), and the
    // moved ones. Counted before the move: when a named card was not moved, a move of another
    // device may have committed while this one waited for its row, which only a count made
    // after it sees (a double tap's second move then finds the card already there, not stale).
    let already = if moved.len() as i64 != found {
        sqlx::query_scalar(
            "SELECT count(*) FROM campaign_prospects
             WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = ANY($3)
               AND spine_board_place(stage, outcome) = $4",
        )
        .bind(owner)
        .bind(campaign)
        .bind(cards)
        .bind(to.key())
        .fetch_one(&mut *conn)
        .await?
    } else if from == to {
        there
    } else {
        there + moved.len() as i64
    };
    Ok(Some(Moved {
        id,
        moved: moved.len() as u64,
        stale: (found - already.max(moved.len() as i64)).max(0) as u64,
    }))
}

/// Undoes move `id`: each of its cards still where it put it goes back where it was, at its
/// old position; a card moved again since stays (counted `stale`). Logged as a move of its own.
/// The campaign and what it did; `None` when the move is not the rep's.
pub async fn undo(
    conn: &mut PgConnection,
    owner: Uuid,
    id: Uuid,
) -> Result<Option<(Uuid, Moved)>, sqlx::Error> {
    let found: Option<(Uuid, i64)> = sqlx::query_as(
        "SELECT (min(after->>'campaign_id'))::uuid, count(*) FROM audit_log
         WHERE owner_user_id = $1 AND action = 'move' AND after->>'move' = $2
         HAVING count(*) > 0",
    )
    .bind(owner)
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((campaign, entries)) = found else {
        return Ok(None);
    };
    let undo = Uuid::new_v4();
    // One statement, as a move (see `move_cards`).
    let (moved, _told): (i64, i64) = sqlx::query_as(concat!(
        "WITH entries AS (
             SELECT a.entity_id AS prospect_id, a.before->>'place' AS back,
                    a.after->>'place' AS now, (a.before->>'position')::float8 AS position,
                    cp.position AS was
             FROM audit_log a
             JOIN campaign_prospects cp
               ON cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.prospect_id = a.entity_id
             WHERE a.owner_user_id = $1 AND a.action = 'move' AND a.after->>'move' = $3
         ), moved AS (
             UPDATE campaign_prospects cp
             SET stage = spine_board_stage(e.back), outcome = spine_board_outcome(e.back),
                 position = coalesce(e.position, cp.position), moved_at = now()
             FROM entries e
             WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
               AND cp.prospect_id = e.prospect_id
               AND spine_board_place(cp.stage, cp.outcome) = e.now
             RETURNING cp.prospect_id, cp.stage, cp.outcome, cp.position, cp.added_at,
                       e.back, e.now, e.was
         ), logged AS (
             INSERT INTO audit_log (id, owner_user_id, actor_user_id, entity_type, entity_id,
                                    action, before, after)
             SELECT gen_random_uuid(), $1, $1, 'prospect', m.prospect_id, 'move',
                    jsonb_build_object('campaign_id', $2, 'place', m.now, 'position', m.was),
                    jsonb_build_object('campaign_id', $2, 'place', m.back,
                                       'position', m.position, 'move', $4, 'undoes', $3)
             FROM moved m
         ), ",
        notify_moved!("$5", "$1", "$2", "$6", "$4"),
        "
         SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM notified)"
    ))
    .bind(owner)
    .bind(campaign)
    .bind(id.to_string())
    .bind(undo.to_string())
    .bind(live::CHANNEL)
    .bind(topic(campaign))
    .fetch_one(&mut *conn)
    .await?;
    let result = Moved {
        id: undo,
        moved: moved as u64,
        stale: (entries as u64).saturating_sub(moved as u64),
    };
    Ok(Some((campaign, result)))
}

/// The cards at `from` of campaign `campaign` the words of `q` find (a bulk move named by
/// its filter rather than its ids).
pub async fn selection(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    from: Place,
    q: Option<&str>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    sqlx::query_scalar(
        "SELECT cp.prospect_id
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
           AND spine_board_place(cp.stage, cp.outcome) = $3
           AND ($4::text IS NULL
                OR spine_search_text(concat_ws(' ', p.first_name, p.last_name, p.company,
                                               p.email, p.city))
                   LIKE ALL (spine_search_patterns($4)))",
    )
    .bind(owner)
    .bind(campaign)
    .bind(from.key())
    .bind(q)
    .fetch_all(pool)
    .await
}

/// Cards listed per page by [`cards_at`].
pub const CARDS_PAGE: i64 = 200;

/// A page of the cards at `place`, in the column's order, after card `after` (keyset: a card
/// no longer there opens the first page); `None` when the campaign is not the rep's.
pub async fn cards_at(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    place: Place,
    after: Option<Uuid>,
) -> Result<Option<(Vec<serde_json::Value>, Option<Uuid>)>, sqlx::Error> {
    if crate::prospects::repo::campaign_name(pool, owner, campaign)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    type Row = (Uuid, String, String, String, String, f64);
    let mut rows: Vec<Row> = sqlx::query_as(
        "WITH column_cards AS (
             SELECT cp.prospect_id, cp.position, cp.added_at
             FROM campaign_prospects cp
             WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.stage = $6
               AND spine_board_place(cp.stage, cp.outcome) = $3
         ), cursor AS (SELECT position, added_at, prospect_id FROM column_cards WHERE prospect_id = $4)
         SELECT p.id, p.first_name, p.last_name, p.company, p.email, c.position
         FROM column_cards c
         JOIN prospects p ON p.owner_user_id = $1 AND p.id = c.prospect_id
         WHERE NOT EXISTS (SELECT 1 FROM cursor)
            OR (c.position, c.added_at, c.prospect_id) > (SELECT * FROM cursor)
         ORDER BY c.position, c.added_at, c.prospect_id
         LIMIT $5",
    )
    .bind(owner)
    .bind(campaign)
    .bind(place.key())
    .bind(after)
    .bind(CARDS_PAGE + 1)
    // The stage too, so the column is read from the board's index.
    .bind(place.stage())
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > CARDS_PAGE;
    rows.truncate(CARDS_PAGE as usize);
    let next = rows.last().filter(|_| more).map(|r| r.0);
    let cards = rows
        .into_iter()
        .map(|(id, first, last, company, email, position)| {
            serde_json::json!({
                "id": id, "first_name": first, "last_name": last, "company": company,
                "email": email, "place": place.key(), "position": position,
            })
        })
        .collect();
    Ok(Some((cards, next)))
}

/// Which cards an export takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exported {
    Oven,
    Fridge,
    All,
}

impl Exported {
    /// From the address (`etape=four|frigo|tout`).
    pub fn parse(value: &str) -> Option<Exported> {
        match value {
            "four" => Some(Exported::Oven),
            "frigo" => Some(Exported::Fridge),
            "tout" => Some(Exported::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Exported::Oven => "four",
            Exported::Fridge => "frigo",
            Exported::All => "tout",
        }
    }
}

/// A prospect as an export writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub fields: crate::prospects::model::ProspectFields,
    pub place: Place,
    /// When it joined the campaign (Paris time).
    pub added: chrono::NaiveDateTime,
    /// `import` or `hand`, with the file and the show.
    pub origin: String,
    pub origin_file: Option<String>,
    pub origin_show: Option<String>,
    pub do_not_contact: bool,
}

/// The campaign's prospects an export takes, in the board's order; `None` when the campaign
/// is not the rep's.
pub async fn export_rows(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    which: Exported,
) -> Result<Option<(CampaignName, Vec<ExportRow>)>, sqlx::Error> {
    let Some(name) = crate::prospects::repo::campaign_name(pool, owner, campaign).await? else {
        return Ok(None);
    };
    let stage = match which {
        Exported::Oven => Some("oven"),
        Exported::Fridge => Some("fridge"),
        Exported::All => None,
    };
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        fields: crate::prospects::model::ProspectFields,
        stage: String,
        outcome: Option<String>,
        added: chrono::NaiveDateTime,
        origin: String,
        origin_file: Option<String>,
        origin_show: Option<String>,
        do_not_contact: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.email, p.civility, p.first_name, p.last_name, p.company, p.job_title, p.phone,
                p.mobile, p.postal_code, p.city, p.country, p.notes, cp.stage, cp.outcome,
                cp.added_at AT TIME ZONE 'Europe/Paris' AS added, p.origin, p.origin_file,
                p.origin_show, p.do_not_contact
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
           AND ($3::text IS NULL OR cp.stage = $3)
         ORDER BY array_position(ARRAY['waiting_room', 'oven', 'fridge', 'trash'], cp.stage),
                  cp.position, cp.added_at, cp.prospect_id",
    )
    .bind(owner)
    .bind(campaign)
    .bind(stage)
    .fetch_all(pool)
    .await?;
    let rows = rows
        .into_iter()
        .map(|r| ExportRow {
            place: Place::of(&r.stage, r.outcome.as_deref()).unwrap_or(Place::WaitingRoom),
            fields: r.fields,
            added: r.added,
            origin: r.origin,
            origin_file: r.origin_file,
            origin_show: r.origin_show,
            do_not_contact: r.do_not_contact,
        })
        .collect();
    Ok(Some((name, rows)))
}
