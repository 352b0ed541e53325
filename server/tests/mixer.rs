//! The mixer: products of interest noted per prospect, templates checked at save, the mail
//! previewed per prospect (page and `POST /mixer/preview`), queued once per round and sent
//! through the outbox to the sandbox's Graph; the footer's opt-out link; and none of it
//! reachable by another rep.

mod common;

use std::time::Duration;

use common::{connect, eventually, mailbox, spawn_app, Browser, TestApp};
use sandbox::DEMO_TENANT_ID;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";
const LEA: &str = "lea.mercier@bistrot.example";
const ANON: &str = "contact@etoile.example";

/// A campaign of Claire's with two prospects (Léa, and one with no first name) and a
/// catalogue of three published products and one still to check.
struct Show {
    campaign: String,
    lea: String,
    anon: String,
    /// Published: four, chair, table; staged: lamp.
    four: String,
    chair: String,
    table: String,
    lamp: String,
}

async fn show(pool: &PgPool, claire: &Browser) -> Show {
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let campaign_id = Uuid::parse_str(&campaign).unwrap();
    let owner: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(CLAIRE)
        .fetch_one(pool)
        .await
        .unwrap();
    let prospect = |email: &'static str, first: &'static str, company: &'static str| async move {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO prospects (id, owner_user_id, email, first_name, last_name, company, origin)
             VALUES ($1, $2, $3, $4, 'Mercier', $5, 'hand')",
        )
        .bind(id)
        .bind(owner)
        .bind(email)
        .bind(first)
        .bind(company)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id)
             VALUES ($1, $2, $3)",
        )
        .bind(owner)
        .bind(campaign_id)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
        id.to_string()
    };
    let lea = prospect(LEA, "Léa", "Bistrot Léa").await;
    let anon = prospect(ANON, "", "[Étoile](http://evil.example) **SA**").await;
    let catalog = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO catalogs (id, owner_user_id, campaign_id, file_name, sha256, size_bytes, pages)
         VALUES ($1, $2, $3, 'c.pdf', repeat('a', 64), 1, 1)",
    )
    .bind(catalog)
    .bind(owner)
    .bind(campaign_id)
    .execute(pool)
    .await
    .unwrap();
    let product = |reference: &'static str,
                   name: &'static str,
                   cents: i64,
                   status: &'static str| async move {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO products (id, owner_user_id, catalog_id, status, reference, read_reference,
                                   name, price_cents, page, box_x, box_y, box_w, box_h, confidence)
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7, 1, 10, 10, 100, 50, '{}')",
        )
        .bind(id)
        .bind(owner)
        .bind(catalog)
        .bind(status)
        .bind(reference)
        .bind(name)
        .bind(cents)
        .execute(pool)
        .await
        .unwrap();
        id.to_string()
    };
    Show {
        four: product("FR-220", "Four mixte 10 niveaux", 123_450, "published").await,
        chair: product("CH-1", "Chaise bistrot", 4_900, "published").await,
        table: product("TB-8", "Table pliante", 12_990, "published").await,
        lamp: product("LP-3", "Lampe de comptoir", 3_500, "staged").await,
        campaign,
        lea,
        anon,
    }
}

async fn add(browser: &Browser, s: &Show, prospect: &str, product: &str) -> u16 {
    browser
        .call(
            "add_interest",
            &[
                ("campaign", &s.campaign),
                ("prospect", prospect),
                ("product", product),
            ],
        )
        .await
        .0
}

async fn save_template(
    browser: &Browser,
    id: Option<&str>,
    subject: &str,
    body: &str,
) -> (u16, Value) {
    let mut args = vec![
        ("name", "Relance salon"),
        ("subject", subject),
        ("body", body),
    ];
    if let Some(id) = id {
        args.push(("id", id));
    }
    browser.call("save_template", &args).await
}

async fn template_id(pool: &PgPool, name: &str) -> String {
    sqlx::query_scalar("SELECT id::text FROM email_templates WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn preview(browser: &Browser, app: &TestApp, body: Value) -> (u16, Value) {
    let res = browser
        .client
        .post(app.url("/mixer/preview"))
        .header("origin", app.origin())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn queue(
    browser: &Browser,
    s: &Show,
    template: &str,
    round: &str,
    selection: &str,
) -> (u16, Value) {
    browser
        .call(
            "queue_mixer",
            &[
                ("campaign", &s.campaign),
                ("template", template),
                ("round", round),
                ("selection", selection),
            ],
        )
        .await
}

async fn outbox(pool: &PgPool) -> Vec<(String, String, String, i16)> {
    sqlx::query_as(
        "SELECT to_address, subject, status, round FROM outbox_emails
         WHERE kind = 'prospecting' ORDER BY to_address, round",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

const BODY: &str = "Bonjour {{prenom|Madame, Monsieur}},\n\nMerci de votre visite chez {{societe}}. Voici :\n\n{{produits}}\n\nÀ bientôt.";

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn products_noted_a_template_previewed_and_queued_arrive_with_their_products(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let s = show(&pool, &claire).await;

    // Products of interest: published ones of this campaign only, each noted once.
    assert_eq!(add(&claire, &s, &s.lea, &s.four).await, 200);
    assert_eq!(
        add(&claire, &s, &s.lea, &s.four).await,
        200,
        "twice is once"
    );
    assert_eq!(add(&claire, &s, &s.lea, &s.chair).await, 200);
    assert_eq!(add(&claire, &s, &s.anon, &s.table).await, 200);
    assert_eq!(
        add(&claire, &s, &s.lea, &s.lamp).await,
        404,
        "not published"
    );
    let (code, _) = claire
        .call(
            "save_interest_notes",
            &[
                ("campaign", s.campaign.as_str()),
                ("prospect", s.lea.as_str()),
                ("note", "Ouvre un second restaurant en mars."),
                ("products[0]", s.four.as_str()),
                ("notes[0]", "Veut une démo"),
            ],
        )
        .await;
    assert_eq!(code, 200);
    let page = claire
        .get(&format!(
            "/campagnes/{}/produits/{}?q=chaise",
            s.campaign, s.lea
        ))
        .await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Ses produits (2)"), "{page}");
    assert!(page.contains("Veut une démo"));
    assert!(page.contains("Ouvre un second restaurant en mars."));
    assert!(page.contains("✓ Noté"), "the chair found, already noted");
    assert!(
        !page.contains("Table pliante"),
        "the search kept to the chair"
    );

    // A template that does not read is refused with where; then saved.
    let (code, answer) =
        save_template(&claire, None, "Suite à {{salon}}", "Bonjour {{prénom}}").await;
    assert_eq!(code, 422);
    assert!(
        answer["fields"]["body"]
            .as_str()
            .unwrap()
            .starts_with("Message : Ligne 1, colonne 9 : champ « prénom » inconnu"),
        "{answer}"
    );
    let (code, _) = save_template(
        &claire,
        None,
        "Suite à {{salon}}, {{prenom|Madame, Monsieur}}",
        BODY,
    )
    .await;
    assert_eq!(code, 200);
    let template = template_id(&pool, "Relance salon").await;

    // The mixer previews Léa's mail, with her products and the note.
    let mixer = format!(
        "/campagnes/{}/mixer?modele={template}&prospect={}",
        s.campaign, s.lea
    );
    let page = claire.get(&mixer).await.text().await.unwrap();
    assert!(page.contains("Suite à Sirha Lyon, Léa"), "{page}");
    assert!(page.contains("FR-220 — Four mixte 10 niveaux"));
    assert!(page.contains("1\u{202F}234,50\u{202F}€\u{202F}HT"));
    assert!(page.contains("<em>Veut une démo</em>"));
    assert!(
        page.contains("Aucune boîte Outlook connectée"),
        "no mailbox yet"
    );

    // The API: the other prospect, with their warnings and their company kept literal.
    let (code, mail) = preview(
        &claire,
        &app,
        json!({ "campaign": s.campaign, "prospect": s.anon, "template_id": template }),
    )
    .await;
    assert_eq!(code, 200, "{mail}");
    assert_eq!(mail["subject"], "Suite à Sirha Lyon, Madame, Monsieur");
    let html = mail["html"].as_str().unwrap();
    assert!(html.contains("Bonjour Madame, Monsieur,"), "{html}");
    assert!(
        html.contains("[Étoile](http://evil.example) **SA**"),
        "{html}"
    );
    assert!(!html.contains("href=\"http://evil"), "{html}");
    assert!(html.contains("TB-8 — Table pliante"));
    assert!(!html.contains("FR-220"), "Léa's products are hers");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("- TB-8 — Table pliante : 129,90\u{202F}€\u{202F}HT"),
        "{text}"
    );
    assert!(text.contains("/desinscription/"), "{text}");
    let warnings = mail["warnings"].to_string();
    assert!(
        warnings.contains("Pas de prénom pour ce contact."),
        "{warnings}"
    );
    assert!(
        warnings.contains("Aucune boîte Outlook connectée"),
        "{warnings}"
    );
    // An inline template, and one that does not read.
    let (code, mail) = preview(
        &claire,
        &app,
        json!({ "campaign": s.campaign, "prospect": s.lea,
                "template": { "subject": "Pour {{societe}}", "body": "{{produits}}" } }),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(mail["subject"], "Pour Bistrot Léa");
    let (code, answer) = preview(
        &claire,
        &app,
        json!({ "campaign": s.campaign, "prospect": s.lea,
                "template": { "subject": "x", "body": "{{produits" } }),
    )
    .await;
    assert_eq!(code, 422);
    assert!(
        answer["fields"]["body"]
            .as_str()
            .unwrap()
            .contains("Ligne 1, colonne 1"),
        "{answer}"
    );
    // Asked by the mixer's page, as its forms ask: the refusal is an answer (200).
    let res = claire
        .client
        .post(app.url("/mixer/preview"))
        .header("origin", app.origin())
        .header("accept", "application/vnd.spine.answer+json")
        .json(&json!({ "campaign": s.campaign, "prospect": s.lea,
                       "template": { "subject": "x", "body": "{{produits" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert!(
        answer["refused"]["fields"]["body"]
            .as_str()
            .unwrap()
            .contains("Ligne 1, colonne 1"),
        "{answer}"
    );

    // Queued: one mail each; queued again, nothing added.
    let (code, _) = queue(&claire, &s, &template, "1", "produits").await;
    assert_eq!(code, 200);
    assert_eq!(outbox(&pool).await.len(), 2);
    queue(&claire, &s, &template, "1", "produits").await;
    assert_eq!(outbox(&pool).await.len(), 2, "queuing twice adds nothing");

    // The mailbox connected, they leave, each with its own products.
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    claire.call("send_test_mail", &[("key", "wake")]).await;
    let arrived = eventually(Duration::from_secs(20), || async {
        mailbox(&app, CLAIRE).await.len() == 3
    })
    .await;
    assert!(arrived, "{:?}", mailbox(&app, CLAIRE).await);
    let sent = mailbox(&app, CLAIRE).await;
    let to = |address: &str| {
        sent.iter()
            .find(|m| m["to"] == json!([address]))
            .unwrap_or_else(|| panic!("no mail to {address}: {sent:?}"))
            .clone()
    };
    let lea = to(LEA);
    assert_eq!(lea["subject"], "Suite à Sirha Lyon, Léa");
    let content = lea["content"].as_str().unwrap();
    assert!(
        content.contains("FR-220 — Four mixte 10 niveaux"),
        "{content}"
    );
    assert!(content.contains("CH-1 — Chaise bistrot"), "{content}");
    assert!(!content.contains("TB-8"), "{content}");
    assert!(content.contains("se désinscrire"), "{content}");
    assert!(to(ANON)["content"]
        .as_str()
        .unwrap()
        .contains("TB-8 — Table pliante"));

    // A follow-up, chosen by the rep, is a mail more; sent ones stay as they are.
    let (code, answer) = queue(&claire, &s, &template, "2", "produits").await;
    assert_eq!(code, 200, "{answer}");
    let rounds: Vec<i16> = outbox(&pool).await.iter().map(|m| m.3).collect();
    assert_eq!(rounds, [1, 2, 1, 2]);
    let (code, _) = queue(&claire, &s, &template, "9", "produits").await;
    assert_eq!(code, 422, "no such round");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_template_replaces_the_mail_not_yet_sent_and_chosen_prospects_only_are_queued(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let s = show(&pool, &claire).await;
    add(&claire, &s, &s.lea, &s.four).await;
    save_template(&claire, None, "Premier objet", BODY).await;
    let first = template_id(&pool, "Relance salon").await;
    sqlx::query("UPDATE email_templates SET name = 'Premier'")
        .execute(&pool)
        .await
        .unwrap();
    save_template(&claire, None, "Second objet", BODY).await;
    let second = template_id(&pool, "Relance salon").await;

    // Chosen prospects: Léa only (the server reads the ticked boxes, gaps and all).
    let (code, _) = claire
        .call(
            "queue_mixer",
            &[
                ("campaign", s.campaign.as_str()),
                ("template", first.as_str()),
                ("round", "1"),
                ("selection", "choisis"),
                ("ids[3]", s.lea.as_str()),
            ],
        )
        .await;
    assert_eq!(code, 200);
    let mails = outbox(&pool).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        (mails[0].0.as_str(), mails[0].1.as_str()),
        (LEA, "Premier objet")
    );
    let (code, _) = claire
        .call(
            "queue_mixer",
            &[
                ("campaign", s.campaign.as_str()),
                ("template", first.as_str()),
                ("round", "1"),
                ("selection", "choisis"),
            ],
        )
        .await;
    assert_eq!(code, 422, "none ticked");

    // The template edited beside its preview: saved, and back to the same preview.
    let res = claire
        .post_page_form(
            "/api/save_template",
            &[
                ("id", first.as_str()),
                ("name", "Premier"),
                ("subject", "Premier objet"),
                ("body", BODY),
                ("mixer[campaign]", s.campaign.as_str()),
                ("mixer[prospect]", s.lea.as_str()),
                ("mixer[round]", "1"),
            ],
        )
        .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!(
            "/campagnes/{}/mixer?modele={first}&tour=1&prospect={}",
            s.campaign, s.lea
        )
    );
    // Everyone, with the other template: Léa's waiting mail is made again, not doubled.
    let (code, _) = queue(&claire, &s, &second, "1", "tous").await;
    assert_eq!(code, 200);
    let mails = outbox(&pool).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails
            .iter()
            .all(|m| m.1 == "Second objet" && m.2 == "ready"),
        "{mails:?}"
    );
    let page = claire
        .get(&format!("/campagnes/{}/mixer?modele={second}", s.campaign))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Premier mail : en attente"), "{page}");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_opt_out_link_asks_first_and_only_its_post_stops_the_contact(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let s = show(&pool, &claire).await;
    save_template(&claire, None, "Objet", BODY).await;
    let template = template_id(&pool, "Relance salon").await;
    let (code, _) = claire
        .call(
            "save_signature",
            &[
                (
                    "signature",
                    "Claire Martin\nCheffe des ventes <Sud-Est> </textarea>",
                ),
                ("company", "Cuisines Pro"),
            ],
        )
        .await;
    assert_eq!(code, 200);
    let settings = claire.get("/compte/envoi").await.text().await.unwrap();
    assert!(
        settings.contains("Cheffe des ventes &lt;Sud-Est> &lt;/textarea></textarea>"),
        "{settings}"
    );
    let (_, mail) = preview(
        &claire,
        &app,
        json!({ "campaign": s.campaign, "prospect": s.lea, "template_id": template }),
    )
    .await;
    let html = mail["html"].as_str().unwrap();
    assert!(
        html.contains("Claire Martin<br>\nCheffe des ventes &lt;Sud-Est&gt; &lt;/textarea&gt;</p>"),
        "{html}"
    );
    assert!(html.contains("(Cuisines Pro) à la suite de notre rencontre au salon Sirha Lyon"));
    let text = mail["text"].as_str().unwrap();
    let link = text[text.find("http").unwrap()..].trim().to_string();
    let path = link
        .strip_prefix(&app.origin())
        .expect("a link to Spine")
        .to_string();
    let stopped = || async {
        sqlx::query_scalar::<_, bool>("SELECT do_not_contact FROM prospects WHERE email = $1")
            .bind(LEA)
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    // Opened (by the contact, or a scanner of links): it asks, and changes nothing.
    let visitor = reqwest::Client::new();
    let res = visitor.get(&link).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Confirmer ma désinscription"), "{page}");
    assert!(
        !page.contains(LEA) && !page.contains("Sirha"),
        "says nothing of the rep's data"
    );
    assert!(!stopped().await);

    // A changed token is unknown.
    let mut forged = path.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    let res = visitor.get(app.url(&forged)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = visitor
        .post(app.url(&forged))
        .header("origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(!stopped().await);

    // Confirmed: marked, on the suppression list, and left out of the next queue.
    let res = visitor
        .post(&link)
        .header("origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Désinscription enregistrée"));
    assert!(stopped().await);
    let listed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM suppressed_addresses WHERE reason = 'opted_out'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(listed, 1);
    let (code, answer) = queue(&claire, &s, &template, "1", "tous").await;
    assert_eq!(code, 200, "{answer}");
    let mails = outbox(&pool).await;
    assert_eq!(mails.len(), 1, "Léa is left out: {mails:?}");
    assert_eq!(mails[0].0, ANON);
    // Again: still done, nothing more.
    let res = visitor.get(&link).send().await.unwrap();
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Désinscription enregistrée"));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_finds_none_of_the_mixer(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let s = show(&pool, &claire).await;
    add(&claire, &s, &s.lea, &s.four).await;
    save_template(&claire, None, "Objet", BODY).await;
    let template = template_id(&pool, "Relance salon").await;
    let julien_campaign = julien.new_campaign("Equip’Hôtel").await;

    for path in [
        format!("/campagnes/{}/mixer", s.campaign),
        format!("/campagnes/{}/mixer?modele={template}", julien_campaign),
        format!("/campagnes/{}/produits/{}", s.campaign, s.lea),
        format!("/compte/modeles/{template}"),
    ] {
        assert_eq!(julien.get(&path).await.status(), 404, "{path}");
    }
    // A path of the written pages' generic routes that is no page.
    let res = julien
        .get(&format!("/campagnes/{julien_campaign}/nulle-part"))
        .await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page introuvable"));
    let julien_templates = julien.get("/compte/modeles").await.text().await.unwrap();
    assert!(!julien_templates.contains("Relance salon"));

    let campaign = s.campaign.as_str();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "add_interest",
            vec![
                ("campaign", campaign),
                ("prospect", &s.lea),
                ("product", &s.chair),
            ],
        ),
        (
            "add_interest",
            vec![
                ("campaign", &julien_campaign),
                ("prospect", &s.lea),
                ("product", &s.chair),
            ],
        ),
        (
            "remove_interest",
            vec![
                ("campaign", campaign),
                ("prospect", &s.lea),
                ("product", &s.four),
            ],
        ),
        (
            "save_interest_notes",
            vec![("campaign", campaign), ("prospect", &s.lea), ("note", "x")],
        ),
        (
            "save_template",
            vec![
                ("id", &template),
                ("name", "x"),
                ("subject", "x"),
                ("body", "x"),
            ],
        ),
        ("delete_template", vec![("id", &template)]),
        (
            "queue_mixer",
            vec![
                ("campaign", campaign),
                ("template", &template),
                ("round", "1"),
                ("selection", "tous"),
            ],
        ),
        (
            "queue_mixer",
            vec![
                ("campaign", &julien_campaign),
                ("template", &template),
                ("round", "1"),
                ("selection", "tous"),
            ],
        ),
        (
            "send_mixer_test",
            vec![
                ("campaign", campaign),
                ("template", &template),
                ("prospect", &s.lea),
                ("round", "1"),
                ("key", "k"),
            ],
        ),
    ];
    for (endpoint, args) in &calls {
        let (code, _) = julien.call(endpoint, args).await;
        assert_eq!(code, 404, "{endpoint} {args:?}");
    }
    for body in [
        json!({ "campaign": s.campaign, "prospect": s.lea, "template_id": template }),
        json!({ "campaign": julien_campaign, "prospect": s.lea, "template": { "subject": "x", "body": "x" } }),
    ] {
        let (code, _) = preview(&julien, &app, body.clone()).await;
        assert_eq!(code, 404, "{body}");
    }
    let (code, _) = preview(
        &app.browser(),
        &app,
        json!({ "campaign": s.campaign, "prospect": s.lea, "template_id": template }),
    )
    .await;
    assert_eq!(code, 401, "signed out");

    // Nothing of Claire's changed.
    let kept: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM prospect_product_interests),
                (SELECT count(*) FROM email_templates WHERE name = 'Relance salon'),
                (SELECT count(*) FROM outbox_emails)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kept, (1, 1, 0));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_stand_screen_adds_a_visitor_taps_their_products_and_a_note_in_a_few_taps(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let s = show(&pool, &claire).await;
    let stand = format!("/campagnes/{}/stand", s.campaign);
    let page = claire.get(&stand).await.text().await.unwrap();
    assert!(page.contains("Nouveau contact"), "{page}");
    assert!(
        page.contains("Bistrot Léa"),
        "the campaign's contacts are offered"
    );

    // Added before the WASM (a plain post), tapped twice: one contact.
    let key = Uuid::new_v4().to_string();
    let form = [
        ("campaign", s.campaign.as_str()),
        ("key", key.as_str()),
        ("prospect[email]", "Marc@Brasserie.example"),
        ("prospect[first_name]", "Marc"),
        ("prospect[company]", "Brasserie du Port"),
    ];
    let first = claire.post_page_form("/api/stand_add_contact", &form).await;
    let again = claire.post_page_form("/api/stand_add_contact", &form).await;
    assert_eq!(first.status(), 303);
    let to = first.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(again.headers()["location"].to_str().unwrap(), to);
    let marc: String =
        sqlx::query_scalar("SELECT id::text FROM prospects WHERE email = 'marc@brasserie.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(to, format!("{stand}?prospect={marc}"));
    let page = claire.get(&to).await.text().await.unwrap();
    assert!(page.contains("Produits qui l’ont intéressé (0)"), "{page}");
    assert!(page.contains("Four mixte 10 niveaux") && page.contains("Table pliante"));
    assert!(!page.contains("Lampe de comptoir"), "not published");

    // A tap notes a product and comes back here; a tap again removes it.
    let tap = |action: &'static str, product: String, retour: &'static str| {
        let (claire, campaign, marc) = (claire.clone(), s.campaign.clone(), marc.clone());
        async move {
            let res = claire
                .post_page_form(
                    &format!("/api/{action}"),
                    &[
                        ("campaign", campaign.as_str()),
                        ("prospect", marc.as_str()),
                        ("product", product.as_str()),
                        ("retour", retour),
                    ],
                )
                .await;
            assert_eq!(res.status(), 303);
            res.headers()["location"].to_str().unwrap().to_string()
        }
    };
    assert_eq!(tap("add_interest", s.four.clone(), "stand").await, to);
    assert_eq!(tap("add_interest", s.table.clone(), "stand").await, to);
    assert_eq!(tap("remove_interest", s.table.clone(), "stand").await, to);
    assert_eq!(
        tap("remove_interest", s.table.clone(), "stand").await,
        to,
        "a double tap removes it once, without an error"
    );
    let page = claire.get(&to).await.text().await.unwrap();
    assert!(page.contains("Produit retiré."), "{page}");
    assert!(!page.contains("introuvable"), "{page}");
    assert_eq!(
        tap("add_interest", s.chair.clone(), "https://evil.example/").await,
        format!("/campagnes/{}/produits/{marc}", s.campaign),
        "no other redirect target"
    );
    let page = claire.get(&to).await.text().await.unwrap();
    assert!(page.contains("Produits qui l’ont intéressé (2)"), "{page}");

    // The note, and the next visitor.
    let res = claire
        .post_page_form(
            "/api/stand_done",
            &[
                ("campaign", s.campaign.as_str()),
                ("prospect", marc.as_str()),
                ("note", "Rappeler en janvier"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"].to_str().unwrap(), stand);
    let note: String =
        sqlx::query_scalar("SELECT note FROM campaign_prospects WHERE prospect_id = $1::uuid")
            .bind(&marc)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(note, "Rappeler en janvier");

    // Another rep: nothing.
    assert_eq!(julien.get(&to).await.status(), 404);
    assert_eq!(julien.get(&stand).await.status(), 404);
    let (code, _) = julien
        .call(
            "stand_add_contact",
            &[
                ("campaign", s.campaign.as_str()),
                ("prospect[email]", "x@y.example"),
            ],
        )
        .await;
    assert_eq!(code, 404);
    let (code, _) = julien
        .call(
            "stand_done",
            &[
                ("campaign", s.campaign.as_str()),
                ("prospect", marc.as_str()),
                ("note", "x"),
            ],
        )
        .await;
    assert_eq!(code, 404);
    app.shutdown().await.unwrap();
}
