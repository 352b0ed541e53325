//! The pipeline board over HTTP: moves with their conflicts, order and undo, bulk moves of
//! 5,000 cards in chunks under the body limit, the hub's picture, and another rep.

mod common;

use common::{Browser, TestApp};
use sandbox::DEMO_TENANT_ID;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";

/// Claire signed in, with a campaign holding `rows` prospects `p0@ex.fr`, `p1@ex.fr`… (as an
/// import of a file brings them).
async fn board_of(pool: &PgPool, rows: usize) -> (TestApp, Browser, String) {
    let app = common::spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let owner: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(CLAIRE)
        .fetch_one(pool)
        .await
        .unwrap();
    let mut text = String::from("Prénom;Nom;E-mail\n");
    for i in 0..rows {
        text.push_str(&format!("P{i};Nom{i};p{i}@ex.fr\n"));
    }
    app::prospects::import::run(
        pool,
        app::prospects::import::Request {
            owner,
            campaign_id: campaign.parse().unwrap(),
            batch: Uuid::new_v4(),
            file_name: "salon.csv".into(),
            input: app::prospects::import::Input::Bytes(text.into_bytes()),
            columns: app::prospects::import::Columns::Corrected(vec![]),
            source: app::prospects::import::Source::Web,
            progress: None,
            key: app::prospects::suppression::AddressKey::new(app::config::DEVELOPMENT_ADDRESS_KEY),
        },
    )
    .await
    .unwrap();
    (app, claire, campaign)
}

/// The id of prospect `p{i}@ex.fr`.
async fn card(pool: &PgPool, i: usize) -> String {
    let id: Uuid = sqlx::query_scalar("SELECT id FROM prospects WHERE email = $1")
        .bind(format!("p{i}@ex.fr"))
        .fetch_one(pool)
        .await
        .unwrap();
    id.to_string()
}

/// The addresses at `place`, in the column's order.
async fn column(rep: &Browser, campaign: &str, place: &str) -> Vec<String> {
    let (status, page) = rep
        .call(
            "list_board_cards",
            &[("campaign", campaign), ("place", place)],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_string())
        .collect()
}

async fn move_card(
    rep: &Browser,
    campaign: &str,
    prospect: &str,
    from: &str,
    to: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut args = vec![
        ("campaign", campaign),
        ("prospect", prospect),
        ("from", from),
        ("to", to),
    ];
    args.extend_from_slice(extra);
    rep.call("move_card", &args).await
}

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The prospect ids `sql` selects, as text.
async fn prospect_ids(pool: &PgPool, sql: &'static str) -> Vec<String> {
    sqlx::query_scalar::<_, Uuid>(sql)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|id| id.to_string())
        .collect()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_move_seen_from_a_stale_board_is_a_conflict_not_an_overwrite(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 3).await;
    let (status, board) = claire.call("get_board", &[("id", &campaign)]).await;
    assert_eq!(status, 200, "{board}");
    assert_eq!(board["counts"]["waiting_room"], 3);
    assert!(board["html"].as_str().unwrap().contains("Salle d’attente"));
    let p0 = card(&pool, 0).await;

    let key = Uuid::new_v4().to_string();
    let (status, moved) = move_card(
        &claire,
        &campaign,
        &p0,
        "waiting_room",
        "oven",
        &[("key", &key)],
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["notice"]["message"], "Déplacé vers « Four (oui) ».");
    assert_eq!(moved["notice"]["undo"]["id"], key.as_str());
    let stored: (String, Option<String>) = sqlx::query_as(
        "SELECT stage, outcome FROM campaign_prospects WHERE prospect_id = $1::uuid",
    )
    .bind(&p0)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, ("oven".into(), Some("oui".into())));
    // The same post again (a double tap): nothing more moves, no error.
    let (status, again) = move_card(
        &claire,
        &campaign,
        &p0,
        "waiting_room",
        "oven",
        &[("key", &key)],
    )
    .await;
    assert_eq!((status, again["value"]["moved"].as_i64()), (200, Some(0)));
    // Another device still shows it in the waiting room and sends it to the fridge: refused.
    let (status, stale) =
        move_card(&claire, &campaign, &p0, "waiting_room", "fridge_ghost", &[]).await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(
        stale["message"],
        "Ce prospect n’est plus en « Salle d’attente » : il a été déplacé entre-temps vers « Four (oui) ». Le tableau est à jour."
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM campaign_prospects WHERE stage = 'oven'"
        )
        .await,
        1
    );
    // Every move is in the log, in the move's transaction: one here.
    let logged: Vec<(Value, Value)> = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE action = 'move' AND entity_id = $1::uuid",
    )
    .bind(&p0)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].0["place"], "waiting_room");
    assert_eq!(logged[0].1["place"], "oven");
    // The prospect's history says so.
    let (_, page) = claire
        .call("get_prospect", &[("campaign", &campaign), ("id", &p0)])
        .await;
    assert!(page["html"]
        .as_str()
        .unwrap()
        .contains("Salle d’attente → Four (oui)"));
    // Unknown places are refused in French.
    let (status, unknown) = move_card(&claire, &campaign, &p0, "oven", "four", &[]).await;
    assert_eq!(
        (status, unknown["fields"]["to"].as_str()),
        (422, Some("Étape inconnue."))
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_card_dropped_before_another_takes_its_place_in_the_column(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 4).await;
    let ids = [
        card(&pool, 0).await,
        card(&pool, 1).await,
        card(&pool, 2).await,
        card(&pool, 3).await,
    ];
    // An import's cards start in the file's order.
    assert_eq!(
        column(&claire, &campaign, "waiting_room").await,
        ["p0@ex.fr", "p1@ex.fr", "p2@ex.fr", "p3@ex.fr"]
    );
    // Reordered inside the waiting room, where they all share a position.
    let (status, _) = move_card(
        &claire,
        &campaign,
        &ids[3],
        "waiting_room",
        "waiting_room",
        &[("before", &ids[1])],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        column(&claire, &campaign, "waiting_room").await,
        ["p0@ex.fr", "p3@ex.fr", "p1@ex.fr", "p2@ex.fr"]
    );
    // Moved without a place: on top of the column.
    for i in [0, 1, 2] {
        move_card(&claire, &campaign, &ids[i], "waiting_room", "oven", &[]).await;
    }
    assert_eq!(
        column(&claire, &campaign, "oven").await,
        ["p2@ex.fr", "p1@ex.fr", "p0@ex.fr"]
    );
    // Dropped between two cards, then at the top.
    move_card(
        &claire,
        &campaign,
        &ids[3],
        "waiting_room",
        "oven",
        &[("before", &ids[0])],
    )
    .await;
    assert_eq!(
        column(&claire, &campaign, "oven").await,
        ["p2@ex.fr", "p1@ex.fr", "p3@ex.fr", "p0@ex.fr"]
    );
    move_card(
        &claire,
        &campaign,
        &ids[0],
        "oven",
        "oven",
        &[("before", &ids[2])],
    )
    .await;
    assert_eq!(
        column(&claire, &campaign, "oven").await,
        ["p0@ex.fr", "p2@ex.fr", "p1@ex.fr", "p3@ex.fr"]
    );
    // Dropped below the last card: at the bottom.
    move_card(
        &claire,
        &campaign,
        &ids[2],
        "oven",
        "oven",
        &[("end", "true")],
    )
    .await;
    assert_eq!(
        column(&claire, &campaign, "oven").await,
        ["p0@ex.fr", "p1@ex.fr", "p3@ex.fr", "p2@ex.fr"]
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn undo_puts_the_cards_back_where_they_were_unless_moved_since(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 3).await;
    let p1 = card(&pool, 1).await;
    let key = Uuid::new_v4().to_string();
    let (status, bulk) = claire
        .call(
            "bulk_move",
            &[
                ("campaign", campaign.as_str()),
                ("from", "waiting_room"),
                ("to", "fridge_ghost"),
                ("key", &key),
            ],
        )
        .await;
    assert_eq!(status, 200, "{bulk}");
    assert_eq!(
        bulk["notice"]["message"],
        "3 prospects déplacés vers « Frigo (ghost) »."
    );
    // One of them moves on since.
    move_card(&claire, &campaign, &p1, "fridge_ghost", "trash", &[]).await;

    let (status, undone) = claire.call("undo_move", &[("id", &key)]).await;
    assert_eq!(status, 200, "{undone}");
    assert_eq!(
        undone["notice"]["message"],
        "Déplacement annulé : 2 prospects remis à leur place. 1 déplacé depuis reste où il est."
    );
    assert_eq!(
        column(&claire, &campaign, "waiting_room").await,
        ["p0@ex.fr", "p2@ex.fr"]
    );
    assert_eq!(column(&claire, &campaign, "trash").await, ["p1@ex.fr"]);
    // The undo undone (a redo): the two go back to the fridge.
    let undo_id = undone["value"]["id"].as_str().unwrap().to_string();
    let (status, redone) = claire.call("undo_move", &[("id", &undo_id)]).await;
    assert_eq!(
        (status, redone["value"]["moved"].as_i64()),
        (200, Some(2)),
        "{redone}"
    );
    assert_eq!(column(&claire, &campaign, "fridge_ghost").await.len(), 2);
    claire
        .call(
            "undo_move",
            &[("id", redone["value"]["id"].as_str().unwrap())],
        )
        .await;
    // Undone twice: nothing left to undo.
    let (_, twice) = claire.call("undo_move", &[("id", &key)]).await;
    assert_eq!(
        twice["notice"]["message"],
        "Rien à annuler : ces prospects ont été déplacés depuis."
    );
    // The undo of a plain post comes back to the board.
    let res = claire
        .post_page_form("/api/undo_move", &[("id", &key)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/campagnes/{campaign}/tableau").as_str()
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn five_thousand_cards_move_in_chunks_under_the_body_limit_and_come_back_with_one_undo(
    pool: PgPool,
) {
    let (app, claire, campaign) = board_of(&pool, 5_000).await;
    let ids = prospect_ids(
        &pool,
        "SELECT prospect_id FROM campaign_prospects ORDER BY prospect_id",
    )
    .await;
    assert_eq!(ids.len(), 5_000);
    let key = Uuid::new_v4().to_string();
    let send = |chunk: &[String]| {
        let names: Vec<String> = (0..chunk.len()).map(|i| format!("ids[{i}]")).collect();
        let mut args: Vec<(String, String)> = vec![
            ("campaign".into(), campaign.clone()),
            ("from".into(), "waiting_room".into()),
            ("to".into(), "oven".into()),
            ("key".into(), key.clone()),
        ];
        args.extend(names.into_iter().zip(chunk.iter().cloned()));
        let claire = claire.clone();
        async move {
            let args: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            claire.call("bulk_move", &args).await
        }
    };
    // 1,001 ids in one post: refused, nothing moves.
    let (status, refused) = send(&ids[..1_001]).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["fields"]["ids"],
        "1000 prospects au plus par envoi."
    );
    for chunk in ids.chunks(1_000) {
        let (status, moved) = send(chunk).await;
        assert_eq!(
            (status, moved["value"]["moved"].as_i64()),
            (200, Some(1_000)),
            "{moved}"
        );
    }
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM campaign_prospects WHERE stage = 'oven'"
        )
        .await,
        5_000
    );
    // Chunk after chunk at the bottom of the oven: the selection keeps its order.
    let oven = prospect_ids(
        &pool,
        "SELECT prospect_id FROM campaign_prospects WHERE stage = 'oven'
         ORDER BY position, added_at, prospect_id",
    )
    .await;
    assert_eq!(oven, ids);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_log WHERE action = 'move'"
        )
        .await,
        5_000
    );
    // One undo takes every chunk back.
    let (status, undone) = claire.call("undo_move", &[("id", &key)]).await;
    assert_eq!(
        (status, undone["value"]["moved"].as_i64()),
        (200, Some(5_000)),
        "{undone}"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM campaign_prospects WHERE stage = 'waiting_room'"
        )
        .await,
        5_000
    );
    // A selection by filter: the cards the search finds, without their ids.
    let (status, moved) = claire
        .call(
            "bulk_move",
            &[
                ("campaign", campaign.as_str()),
                ("from", "waiting_room"),
                ("to", "trash"),
                ("q", "p4999"),
            ],
        )
        .await;
    assert_eq!(
        (status, moved["value"]["moved"].as_i64()),
        (200, Some(1)),
        "{moved}"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_hub_draws_the_pipeline_from_the_board(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 3).await;
    let p0 = card(&pool, 0).await;
    move_card(&claire, &campaign, &p0, "waiting_room", "fridge_no", &[]).await;
    let (status, hub) = claire.call("get_campaign", &[("id", &campaign)]).await;
    assert_eq!(status, 200);
    let svg = hub["pipeline"].as_str().unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    assert!(svg.contains("3 prospects : 2 en salle d’attente, 0 au four, 1 au frigo (1 non, 0 ghost), 0 à la corbeille."));
    assert!(svg.contains("1 classé sur 3."));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_gets_not_found_for_every_board_function_and_route(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 2).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let p0 = card(&pool, 0).await;
    let key = Uuid::new_v4().to_string();
    move_card(
        &claire,
        &campaign,
        &p0,
        "waiting_room",
        "oven",
        &[("key", &key)],
    )
    .await;
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("get_board", vec![("id", &campaign)]),
        (
            "get_board_card",
            vec![("campaign", &campaign), ("prospect", &p0)],
        ),
        (
            "list_board_cards",
            vec![("campaign", &campaign), ("place", "oven")],
        ),
        (
            "move_card",
            vec![
                ("campaign", &campaign),
                ("prospect", &p0),
                ("from", "oven"),
                ("to", "trash"),
            ],
        ),
        (
            "bulk_move",
            vec![
                ("campaign", &campaign),
                ("from", "waiting_room"),
                ("to", "trash"),
            ],
        ),
        ("undo_move", vec![("id", &key)]),
    ];
    for (endpoint, args) in &calls {
        let (status, body) = julien.call(endpoint, args).await;
        assert_eq!(status, 404, "{endpoint}: {body}");
        assert_eq!(body["message"], "Élément introuvable.", "{endpoint}");
    }
    for path in [
        format!("/campagnes/{campaign}/tableau"),
        format!("/campagnes/{campaign}/tableau/{p0}"),
    ] {
        let res = julien.get(&path).await;
        assert_eq!(res.status(), 404, "{path}");
        let page = res.text().await.unwrap();
        assert!(page.contains("introuvable"), "{path}: {page}");
    }
    // Claire's card through another of her campaigns: not found.
    let other = claire.new_campaign("Equip'Hôtel").await;
    let (status, _) = move_card(&claire, &other, &p0, "oven", "trash", &[]).await;
    assert_eq!(status, 404);
    let moves: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT stage, outcome FROM campaign_prospects ORDER BY stage")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        moves,
        [
            ("oven".into(), Some("oui".into())),
            ("waiting_room".into(), None)
        ]
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_move_on_one_device_reaches_the_board_open_on_another(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 53).await;
    let p0 = card(&pool, 0).await;
    let laptop = claire.clone();
    let mut stream = laptop
        .get(&format!("/campagnes/{campaign}/tableau/evenements"))
        .await;
    assert_eq!(stream.status(), 200);
    let first = next_event(&mut stream).await;
    assert_eq!(first["counts"]["waiting_room"], 53);
    // The tablet moves a card: the laptop hears which, and where (the wait only guards
    // against a hang; bench/board measures how fast).
    let key = Uuid::new_v4().to_string();
    move_card(
        &claire,
        &campaign,
        &p0,
        "waiting_room",
        "oven",
        &[("key", &key)],
    )
    .await;
    let heard = tokio::time::timeout(std::time::Duration::from_secs(30), next_event(&mut stream))
        .await
        .expect("the move is heard");
    assert_eq!(heard["move"], key.as_str());
    // Each card with its place and the card it now sits above (the oven was empty).
    assert_eq!(heard["cards"], serde_json::json!([[p0, "oven", null]]));
    // The next one goes on top of the oven: above p0.
    let p1 = card(&pool, 1).await;
    let key = Uuid::new_v4().to_string();
    move_card(
        &claire,
        &campaign,
        &p1,
        "waiting_room",
        "oven",
        &[("key", &key)],
    )
    .await;
    let heard = tokio::time::timeout(std::time::Duration::from_secs(30), next_event(&mut stream))
        .await
        .expect("the move is heard");
    assert_eq!(heard["cards"], serde_json::json!([[p1, "oven", p0]]));
    // Undone, it goes back above the card it sat above.
    let (status, undone) = claire.call("undo_move", &[("id", &key)]).await;
    assert_eq!(status, 200, "{undone}");
    let heard = tokio::time::timeout(std::time::Duration::from_secs(30), next_event(&mut stream))
        .await
        .expect("the undo is heard");
    let waiting = prospect_ids(
        &pool,
        "SELECT prospect_id FROM campaign_prospects WHERE stage = 'waiting_room'
         ORDER BY position, added_at, prospect_id",
    )
    .await;
    let at = waiting.iter().position(|c| *c == p1).expect("p1 is back");
    assert_eq!(
        heard["cards"],
        serde_json::json!([[p1, "waiting_room", waiting.get(at + 1)]])
    );
    assert_eq!(heard["move"], undone["value"]["id"]);
    // Too many cards for one notification: the boards read themselves again.
    let key = Uuid::new_v4().to_string();
    let (status, bulk) = claire
        .call(
            "bulk_move",
            &[
                ("campaign", campaign.as_str()),
                ("from", "waiting_room"),
                ("to", "trash"),
                ("key", &key),
            ],
        )
        .await;
    assert_eq!(status, 200, "{bulk}");
    let heard = tokio::time::timeout(std::time::Duration::from_secs(30), next_event(&mut stream))
        .await
        .expect("the bulk move is heard");
    assert_eq!(heard, serde_json::json!({ "move": key, "reload": true }));
    // Another rep gets no stream of Claire's board.
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let res = julien
        .get(&format!("/campagnes/{campaign}/tableau/evenements"))
        .await;
    assert_eq!(res.status(), 404);
    app.shutdown().await.unwrap();
}

/// The data of the next server-sent event of `res`.
async fn next_event(res: &mut reqwest::Response) -> Value {
    let mut text = String::new();
    loop {
        let chunk = res.chunk().await.unwrap().expect("the stream goes on");
        text.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(data) = text
            .split("\n\n")
            .find_map(|event| event.lines().find_map(|l| l.strip_prefix("data: ")))
        {
            return serde_json::from_str(data).unwrap();
        }
    }
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn exports_hold_every_field_the_stage_the_reply_and_the_origin_and_never_a_formula(
    pool: PgPool,
) {
    let (app, claire, campaign) = board_of(&pool, 2).await;
    // A contact typed in at the stand, with cells a spreadsheet would evaluate.
    let (status, added) = claire
        .call(
            "add_prospect",
            &[
                ("campaign", campaign.as_str()),
                ("prospect[email]", "anne@cafe.fr"),
                ("prospect[first_name]", "Anne"),
                ("prospect[last_name]", "Durand"),
                ("prospect[company]", "=1+1"),
                ("prospect[phone]", "+33 6 12 34 56 78"),
                ("prospect[city]", "-2"),
                ("prospect[notes]", "@SUM(A1)"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{added}");
    let anne = added["value"].as_str().unwrap().to_string();
    move_card(&claire, &campaign, &anne, "waiting_room", "oven", &[]).await;
    let p0 = card(&pool, 0).await;
    move_card(&claire, &campaign, &p0, "waiting_room", "fridge_ghost", &[]).await;

    let res = claire
        .get(&format!(
            "/campagnes/{campaign}/export?etape=four&format=csv"
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"sirha-lyon-four.csv\""
    );
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark first"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Civilité;Prénom;Nom;E-mail;Société;Fonction;Téléphone;Portable;Code postal;Ville;Pays;Notes;Étape;Réponse;Ajouté le;Origine;Fichier d’origine;Salon d’origine;Ne plus contacter"
    );
    assert_eq!(
        lines.len(),
        3,
        "the header, Anne, and the empty end: {text:?}"
    );
    let cells: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(
        cells[..14],
        [
            "",
            "Anne",
            "Durand",
            "anne@cafe.fr",
            "'=1+1",
            "",
            "'+33 6 12 34 56 78",
            "",
            "",
            "'-2",
            "",
            "'@SUM(A1)",
            "Four",
            "oui"
        ]
    );
    assert_eq!(cells[15..], ["Saisie à la main", "", "Sirha Lyon", "non"]);

    // The fridge holds the ghost; all holds everyone, and the workbook the same cells as text.
    let fridge = claire
        .get(&format!(
            "/campagnes/{campaign}/export?etape=frigo&format=csv"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        fridge.contains("p0@ex.fr")
            && fridge.contains(";Frigo;ghost;")
            && !fridge.contains("anne@")
    );
    let res = claire
        .get(&format!("/campagnes/{campaign}/export?etape=tout"))
        .await;
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let workbook = res.bytes().await.unwrap();
    let (table, _) = import::read(&workbook).unwrap();
    assert_eq!(table.header[3], "E-mail");
    assert_eq!(table.records.len(), 3);
    let anne_row = table
        .records
        .iter()
        .find(|r| r.cell(3) == "anne@cafe.fr")
        .unwrap();
    assert_eq!(
        (
            anne_row.cell(4),
            anne_row.cell(6),
            anne_row.cell(9),
            anne_row.cell(11)
        ),
        ("=1+1", "+33 6 12 34 56 78", "-2", "@SUM(A1)")
    );
    assert_eq!(anne_row.cell(16), "");
    let imported = table
        .records
        .iter()
        .find(|r| r.cell(3) == "p1@ex.fr")
        .unwrap();
    assert_eq!(
        (imported.cell(12), imported.cell(15), imported.cell(16)),
        ("Salle d’attente", "Import", "salon.csv")
    );

    // Bad requests say why; another rep gets nothing.
    let res = claire
        .get(&format!("/campagnes/{campaign}/export?etape=cave"))
        .await;
    assert_eq!(res.status(), 400);
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let res = julien
        .get(&format!(
            "/campagnes/{campaign}/export?etape=tout&format=csv"
        ))
        .await;
    assert_eq!(res.status(), 404);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn pages_travel_gzipped_but_live_streams_and_workbooks_do_not(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 200).await;
    let get = |path: String| {
        let claire = claire.clone();
        async move {
            claire
                .client
                .get(format!("{}{path}", claire.origin))
                .header("accept-encoding", "gzip")
                .send()
                .await
                .unwrap()
        }
    };
    let encoding = |res: &reqwest::Response| {
        res.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let page = get(format!("/campagnes/{campaign}/tableau")).await;
    assert_eq!(encoding(&page).as_deref(), Some("gzip"));
    let zipped = page.bytes().await.unwrap().len();
    let plain = claire
        .get(&format!("/campagnes/{campaign}/tableau"))
        .await
        .bytes()
        .await
        .unwrap()
        .len();
    assert!(zipped * 4 < plain, "{zipped} bytes gzipped, {plain} plain");
    let stream = get(format!("/campagnes/{campaign}/tableau/evenements")).await;
    assert_eq!(encoding(&stream), None, "each event must leave at once");
    let workbook = get(format!("/campagnes/{campaign}/export?etape=tout")).await;
    assert_eq!(encoding(&workbook), None);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_board_page_carries_each_card_once(pool: PgPool) {
    let (app, claire, campaign) = board_of(&pool, 3).await;
    let p1 = card(&pool, 1).await;
    let page = claire
        .get(&format!("/campagnes/{campaign}/tableau"))
        .await
        .text()
        .await
        .unwrap();
    // In the board as written, not again in the data the page hydrates from.
    assert_eq!(page.matches(&format!("tableau/{p1}")).count(), 1, "{page}");
    assert!(page.contains(r#"class="board-card""#));
    // The server function still answers the whole board.
    let (status, answer) = claire.call("get_board", &[("id", campaign.as_str())]).await;
    assert_eq!(status, 200);
    assert!(answer["html"]
        .as_str()
        .unwrap()
        .contains(&format!("tableau/{p1}")));
    app.shutdown().await.unwrap();
}
