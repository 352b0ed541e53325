//! Forms as a tablet posts them: before the WASM arrives (the browser posts, and must get a
//! page back), and twice in a row (a double tap).

mod common;

use common::spawn_app;
use sandbox::DEMO_TENANT_ID;
use sqlx::PgPool;
use uuid::Uuid;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";

fn campaign_form<'a>(
    name: &'a str,
    distributor: &'a str,
    start: &'a str,
    end: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[name]", name),
        ("form[distributor_id]", distributor),
        ("form[venue]", ""),
        ("form[city]", "Lyon"),
        ("form[starts_on]", start),
        ("form[ends_on]", end),
    ]
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn campaigns_named(pool: &PgPool, name: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM campaigns WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_refused_form_posted_before_the_wasm_comes_back_with_its_errors_and_what_was_typed(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Métro").await;

    let mut form = campaign_form(
        "Sirha « avant WASM »",
        &distributor,
        "25/01/2099",
        "21/01/2099",
    );
    form.push(("_page", "/campagnes/nouvelle"));
    let res = claire.post_page_form("/api/save_campaign", &form).await;
    assert_eq!(res.status(), 303, "a page, not JSON");
    assert_eq!(location(&res), "/campagnes/nouvelle");

    let page = claire
        .get("/campagnes/nouvelle")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("La date de fin doit être le jour du début ou après."),
        "the field error is on the page: {page}"
    );
    assert!(
        page.contains("value=\"Sirha « avant WASM »\""),
        "what the rep typed is kept"
    );
    assert!(page.contains("value=\"21/01/2099\""));

    // Shown once: opening the page again starts afresh.
    let again = claire
        .get("/campagnes/nouvelle")
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains("La date de fin doit être"));
    assert!(!again.contains("avant WASM"));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_accepted_form_posted_before_the_wasm_opens_what_it_created(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Métro").await;

    let mut form = campaign_form("Sirha Lyon 2099", &distributor, "21/01/2099", "25/01/2099");
    form.push(("_page", "/campagnes/nouvelle"));
    let res = claire.post_page_form("/api/save_campaign", &form).await;
    assert_eq!(res.status(), 303);
    let hub = location(&res);
    assert!(
        hub.starts_with("/campagnes/") && Uuid::parse_str(&hub[11..]).is_ok(),
        "{hub}"
    );
    let page = claire.get(&hub).await.text().await.unwrap();
    assert!(page.contains("Sirha Lyon 2099"));

    // An action without a page of its own (archiving) comes back to the form's page.
    let id = &hub[11..];
    let res = claire
        .post_page_form(
            "/api/set_campaign_archived",
            &[("id", id), ("archived", "true"), ("_page", &hub)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), hub);
    let page = claire.get(&hub).await.text().await.unwrap();
    assert!(page.contains("Restaurer"));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_plain_post_never_redirects_off_spine(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    for evil in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/.//evil.example",
        "/%2e//evil.example",
    ] {
        let res = claire
            .post_page_form(
                "/api/save_distributor",
                &[("form[name]", ""), ("_page", evil)],
            )
            .await;
        assert_eq!(res.status(), 303, "{evil}");
        assert_eq!(location(&res), "/", "{evil}");
    }
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_plain_post_after_the_session_ended_leads_to_sign_in_and_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let visitor = app.browser();
    let res = visitor
        .post_page_form(
            "/api/save_distributor",
            &[("form[name]", "Métro"), ("_page", "/distributeurs")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/connexion?next=/distributeurs&erreur=expiree"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_create_posted_twice_with_its_key_creates_once(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Métro").await;
    let key = Uuid::new_v4().to_string();

    // Two posts of the same page, one after the other (a double tap before the WASM).
    let mut form = campaign_form("Double tap", &distributor, "21/01/2099", "25/01/2099");
    form.push(("key", &key));
    form.push(("_page", "/campagnes/nouvelle"));
    let first = claire.post_page_form("/api/save_campaign", &form).await;
    let second = claire.post_page_form("/api/save_campaign", &form).await;
    assert_eq!(
        location(&first),
        location(&second),
        "the second opens the first"
    );
    assert_eq!(campaigns_named(&pool, "Double tap").await, 1);

    // Two at once (the WASM's calls): one waits for the other and answers its result.
    let key = Uuid::new_v4().to_string();
    let mut form = campaign_form("Triple tap", &distributor, "21/01/2099", "25/01/2099");
    form.push(("key", &key));
    let (a, b, c) = tokio::join!(
        claire.call("save_campaign", &form),
        claire.call("save_campaign", &form),
        claire.call("save_campaign", &form),
    );
    assert_eq!((a.0, b.0, c.0), (200, 200, 200));
    assert!(a.1 == b.1 && b.1 == c.1, "{a:?} {b:?} {c:?}");
    assert_eq!(campaigns_named(&pool, "Triple tap").await, 1);

    // Same for distributors; a new key creates again (same name is then refused, as it should).
    let key = Uuid::new_v4().to_string();
    let form = [
        ("form[name]", "Transgourmet"),
        ("form[website]", ""),
        ("form[notes]", ""),
        ("key", key.as_str()),
    ];
    let (first, second) = tokio::join!(
        claire.call("save_distributor", &form),
        claire.call("save_distributor", &form)
    );
    assert_eq!((first.0, second.0), (200, 200), "{first:?} {second:?}");
    assert_eq!(first.1, second.1);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_s_key_neither_reveals_nor_blocks_anything(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let key = Uuid::new_v4().to_string();
    let claire_distributor = claire.new_distributor("Métro").await;
    let julien_distributor = julien.new_distributor("Métro").await;

    let mut form = campaign_form("Sirha", &claire_distributor, "21/01/2099", "25/01/2099");
    form.push(("key", &key));
    let (_, claires) = claire.call("save_campaign", &form).await;
    let mut form = campaign_form("Sirha", &julien_distributor, "21/01/2099", "25/01/2099");
    form.push(("key", &key));
    let (status, juliens) = julien.call("save_campaign", &form).await;
    assert_eq!(status, 200);
    assert_ne!(claires, juliens, "Julien gets a campaign of his own");
    let (status, _) = julien
        .call(
            "get_campaign",
            &[("id", claires["value"].as_str().unwrap())],
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(campaigns_named(&pool, "Sirha").await, 2);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_save_says_what_it_did_on_the_page_it_lands_on_even_before_the_wasm(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let key = Uuid::new_v4().to_string();
    let res = claire
        .post_page_form(
            "/api/save_distributor",
            &[
                ("form[name]", "Métro"),
                ("form[website]", ""),
                ("form[notes]", ""),
                ("key", &key),
                ("_page", "/distributeurs"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/distributeurs");
    let page = claire.get("/distributeurs").await.text().await.unwrap();
    assert!(page.contains("Distributeur « Métro » ajouté."), "{page}");
    let again = claire.get("/distributeurs").await.text().await.unwrap();
    assert!(!again.contains("ajouté."), "said once");

    // The WASM's call gets the same words in its answer.
    let (_, saved) = claire
        .call(
            "save_distributor",
            &[
                ("form[name]", "Promocash"),
                ("form[website]", ""),
                ("form[notes]", ""),
            ],
        )
        .await;
    assert_eq!(
        saved["notice"]["message"],
        "Distributeur « Promocash » ajouté."
    );
    assert_eq!(saved["notice"]["page"], "/distributeurs");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_deleted_distributor_comes_back_with_annuler_for_its_owner_only(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let id = claire.new_distributor("Métro").await;

    let (status, deleted) = claire.call("delete_distributor", &[("id", &id)]).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(
        deleted["notice"]["message"],
        "Distributeur « Métro » supprimé."
    );
    let undo = &deleted["notice"]["undo"];
    assert_eq!(undo["action"], "/api/restore_distributor");
    assert_eq!(undo["id"], id.as_str());

    let (status, _) = julien.call("restore_distributor", &[("id", &id)]).await;
    assert_eq!(status, 404, "another rep cannot bring it back");

    // "Annuler" is a plain form: it works before the WASM too.
    let res = claire
        .post_page_form(
            "/api/restore_distributor",
            &[("id", &id), ("_page", "/distributeurs")],
        )
        .await;
    assert_eq!(location(&res), "/distributeurs");
    let page = claire.get("/distributeurs").await.text().await.unwrap();
    assert!(page.contains("Distributeur « Métro » rétabli."), "{page}");
    let (status, back) = claire.call("get_distributor", &[("id", &id)]).await;
    assert_eq!(
        (status, back["name"].as_str()),
        (200, Some("Métro")),
        "same id, same data"
    );

    // Once back, a second "Annuler" finds nothing to undo.
    let (status, _) = claire.call("restore_distributor", &[("id", &id)]).await;
    assert_eq!(status, 404);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn archiving_says_so_and_offers_to_undo(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Métro").await;
    let (_, saved) = claire
        .call(
            "save_campaign",
            &campaign_form("Sirha", &distributor, "21/01/2099", "25/01/2099"),
        )
        .await;
    assert_eq!(saved["notice"]["message"], "Campagne créée.");
    let id = saved["value"].as_str().unwrap();
    let (_, archived) = claire
        .call("set_campaign_archived", &[("id", id), ("archived", "true")])
        .await;
    assert!(archived["notice"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Campagne archivée"));
    assert_eq!(
        archived["notice"]["undo"]["action"],
        "/api/restore_campaign"
    );
    assert_eq!(archived["notice"]["undo"]["id"], id);

    // "Annuler" brings it back, for its owner only.
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let (status, _) = julien.call("restore_campaign", &[("id", id)]).await;
    assert_eq!(status, 404);
    let (status, restored) = claire.call("restore_campaign", &[("id", id)]).await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["notice"]["message"], "Campagne restaurée.");
    let (_, campaign) = claire.call("get_campaign", &[("id", id)]).await;
    assert_ne!(campaign["status"], "archived");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_home_page_shows_a_rep_their_own_day_and_a_visitor_nothing_of_anyone(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let distributor = claire.new_distributor("Métro").await;
    let today = chrono::Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let (start, end) = (
        day(today - chrono::Days::new(1)),
        day(today + chrono::Days::new(1)),
    );
    let (status, _) = claire
        .call(
            "save_campaign",
            &campaign_form("Salon <du> jour", &distributor, &start, &end),
        )
        .await;
    assert_eq!(status, 200);

    let (_, mine) = claire.call("today_html", &[]).await;
    let mine = mine.as_str().unwrap();
    assert!(mine.contains("Salon &lt;du&gt; jour"), "{mine}");
    let (_, his) = julien.call("today_html", &[]).await;
    assert!(!his.as_str().unwrap().contains("Salon"), "{his}");
    let (status, visitor) = app.browser().call("today_html", &[]).await;
    assert_eq!((status, visitor), (200, serde_json::Value::Null));

    let page = claire.get("/").await.text().await.unwrap();
    assert!(
        page.contains("Salons en cours") && page.contains("Salon &lt;du&gt; jour"),
        "{page}"
    );
    assert!(!page.contains("<du>"), "escaped once, on the server");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_refused_plain_edit_keeps_the_version_it_was_made_from(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Métro").await;
    let (_, saved) = claire
        .call(
            "save_campaign",
            &campaign_form("Sirha", &distributor, "21/01/2099", "25/01/2099"),
        )
        .await;
    let id = saved["value"].as_str().unwrap().to_owned();
    // Changed meanwhile in another tab: now at version 2.
    let mut other = campaign_form(
        "Sirha (autre onglet)",
        &distributor,
        "21/01/2099",
        "25/01/2099",
    );
    other.extend([("id", id.as_str()), ("version", "1")]);
    assert_eq!(claire.call("save_campaign", &other).await.0, 200);

    // This tab's form, made from version 1, posted before the WASM.
    let edit = format!("/campagnes/{id}/modifier");
    let mut stale = campaign_form(
        "Sirha (ce tablette)",
        &distributor,
        "21/01/2099",
        "25/01/2099",
    );
    stale.extend([
        ("id", id.as_str()),
        ("version", "1"),
        ("_page", edit.as_str()),
    ]);
    let res = claire.post_page_form("/api/save_campaign", &stale).await;
    assert_eq!(location(&res), edit);
    let page = claire.get(&edit).await.text().await.unwrap();
    assert!(page.contains("modifiée entre-temps"), "{page}");
    // Posting the page again must not overwrite the other tab's change.
    assert!(
        page.contains(r#"name="version" value="1""#),
        "the page keeps the version the rep started from: {page}"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_refused_submit_from_the_app_is_an_answer_not_a_failed_load(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    // Browsers log any 4xx in the console: the app's forms get their refusals with 200.
    let refused = claire
        .submit("save_campaign", &campaign_form("", "", "31/02/2027", ""))
        .await;
    assert_eq!(refused.status(), 200);
    assert_eq!(refused.headers()["x-spine-refused"], "422");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["refused"]["kind"], "unprocessable", "{body}");
    assert!(body["refused"]["fields"]["name"].is_string(), "{body}");
    // Another rep's record is "not found" the same way, and reveals nothing more.
    let distributor = claire.new_distributor("Metro Cash").await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let theirs = julien
        .submit("delete_distributor", &[("id", distributor.as_str())])
        .await;
    assert_eq!(theirs.status(), 200);
    assert_eq!(theirs.headers()["x-spine-refused"], "404");
    let body: serde_json::Value = theirs.json().await.unwrap();
    assert_eq!(body["refused"]["message"], "Élément introuvable.");
    // A success is answered as before.
    let saved = claire
        .submit(
            "save_campaign",
            &campaign_form("Sirha", &distributor, "20/01/2027", "24/01/2027"),
        )
        .await;
    assert_eq!(saved.status(), 200);
    assert!(saved.headers().get("x-spine-refused").is_none());
    let body: serde_json::Value = saved.json().await.unwrap();
    assert!(body["value"].is_string(), "{body}");
    assert_eq!(campaigns_named(&pool, "Sirha").await, 1);
    // Scripts asking for JSON keep the HTTP status.
    let (status, _) = claire
        .call("save_campaign", &campaign_form("", "", "", ""))
        .await;
    assert_eq!(status, 422);
    app.shutdown().await.unwrap();
}
