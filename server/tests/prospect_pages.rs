//! The Prospects tab over HTTP: a file uploaded as the browser posts it, its mapping checked
//! and corrected, the import's report and rejected rows, undo, refused files, and another rep.

mod common;

use common::{spawn_app_configured, Browser, TestApp, REDIS_URL};
use sandbox::DEMO_TENANT_ID;
use serde_json::Value;
use sqlx::PgPool;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";
const FILES: &str = "../import/tests/files";

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FILES}/{name}")).unwrap()
}

/// Spine with a data directory of its own (its files can be counted) and `max_mb` uploads.
async fn app_with_limit(pool: PgPool, max_mb: u64) -> (TestApp, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("spine-test-data-{}", uuid::Uuid::new_v4()));
    let data_dir = dir.clone();
    let app = spawn_app_configured(pool, REDIS_URL, move |c| {
        c.data_dir = data_dir;
        c.import_max_mb = max_mb;
    })
    .await;
    (app, dir)
}

/// Files waiting in the data directory.
fn stored_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("imports")).map_or(0, |d| d.count())
}

/// Uploads `bytes` as `name`; the upload's id, from the mapping page it opens.
async fn upload(rep: &Browser, campaign: &str, name: &str, bytes: Vec<u8>) -> String {
    let res = rep.upload(campaign, name, bytes).await;
    assert_eq!(res.status(), 303, "the upload opens its mapping page");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let prefix = format!("/campagnes/{campaign}/import/");
    assert!(location.starts_with(&prefix), "{location}");
    location[prefix.len()..].to_string()
}

/// The columns of an upload as its mapping page proposes them.
async fn proposed(rep: &Browser, campaign: &str, upload: &str) -> Value {
    let (status, preview) = rep
        .call(
            "get_import_upload",
            &[("campaign", campaign), ("upload", upload)],
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    preview
}

/// Starts the import of `upload` with `columns` (a field key per column); the answer.
async fn start(rep: &Browser, campaign: &str, upload: &str, columns: &[&str]) -> (u16, Value) {
    let names: Vec<String> = (0..columns.len())
        .map(|i| format!("columns[{i}]"))
        .collect();
    let mut args = vec![("campaign", campaign), ("upload", upload)];
    args.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(columns.iter().copied()),
    );
    rep.call("start_import", &args).await
}

fn fields(preview: &Value) -> Vec<String> {
    preview["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap().to_string())
        .collect()
}

async fn report(rep: &Browser, campaign: &str, batch: &str) -> Value {
    let (status, report) = rep
        .call(
            "get_import_report",
            &[("campaign", campaign), ("batch", batch)],
        )
        .await;
    assert_eq!(status, 200, "{report}");
    report
}

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_rep_uploads_a_file_checks_its_columns_imports_it_and_undoes_it(pool: PgPool) {
    let (app, dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;

    let upload_id = upload(&claire, &campaign, "excel-fr.csv", file("excel-fr.csv")).await;
    assert_eq!(
        stored_files(&dir),
        1,
        "the file waits in the data directory"
    );
    let preview = proposed(&claire, &campaign, &upload_id).await;
    assert_eq!(preview["file_name"], "excel-fr.csv");
    assert_eq!(
        fields(&preview),
        [
            "civility",
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "phone",
            "city"
        ]
    );
    // Read in Windows-1252: the accents come out right.
    assert_eq!(preview["columns"][1]["header"], "Prénom");
    assert_eq!(preview["columns"][1]["samples"][0], "Léa");
    assert_eq!(
        preview["columns"][5]["samples"].as_array().unwrap().len(),
        5
    );

    // The rep keeps the city as extra data rather than as the city.
    let mut columns = fields(&preview);
    columns[7] = String::new();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (status, started) = start(&claire, &campaign, &upload_id, &columns).await;
    assert_eq!(status, 200, "{started}");
    let batch = started["value"].as_str().unwrap().to_string();
    assert!(started["notice"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Import terminé : 191 contacts ajoutés, 4 lignes rejetées"));

    let r = report(&claire, &campaign, &batch).await;
    let expected: Value = serde_json::from_slice(&file("excel-fr.csv.expected.json")).unwrap();
    for figure in ["rows", "valid", "duplicates_in_file", "new_prospects"] {
        assert_eq!(r[figure], expected[figure], "{figure}");
    }
    assert_eq!(r["rejected"], 4);
    let lines: Vec<&Value> = r["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| &j["line"])
        .collect();
    let expected_lines: Vec<&Value> = expected["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| &j["line"])
        .collect();
    assert_eq!(lines, expected_lines);
    assert_eq!(r["rejections"][2]["code"], "missing email");
    assert_eq!(
        r["rejections"][2]["reason"],
        "Aucune adresse e-mail sur cette ligne."
    );
    let city_kept: String = sqlx::query_scalar(
        "SELECT extra->>'Ville' FROM prospects WHERE email = 'lea.mercier0@wanadoo.fr'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        city_kept, "Nîmes",
        "a column without a field is kept with the contact"
    );

    // The file is gone once imported; a second tap opens the same import.
    assert_eq!(stored_files(&dir), 0);
    let (status, again) = start(&claire, &campaign, &upload_id, &columns).await;
    assert_eq!(
        (status, again["value"].as_str()),
        (200, Some(batch.as_str())),
        "{again}"
    );
    assert_eq!(
        proposed(&claire, &campaign, &upload_id).await["batch"].as_str(),
        Some(batch.as_str()),
        "its mapping page links to the import"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM import_batches").await, 1);

    // The rejected rows as a CSV for Excel.
    let csv = claire
        .get(&format!("/campagnes/{campaign}/imports/{batch}/rejets.csv"))
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("rejets-excel-fr.csv"));
    let text = csv.text().await.unwrap();
    assert_eq!(
        text,
        "\u{feff}ligne;code;motif\n\
         19;invalid email;L’adresse e-mail n’est pas valide.\n\
         92;invalid email;L’adresse e-mail n’est pas valide.\n\
         124;missing email;Aucune adresse e-mail sur cette ligne.\n\
         154;invalid email;L’adresse e-mail n’est pas valide.\n"
    );

    // The tab lists the import and the contacts.
    let tab = claire
        .get(&format!("/campagnes/{campaign}/prospects"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        tab.contains("excel-fr.csv") && tab.contains("Prospects (191)"),
        "{tab}"
    );

    let (status, undone) = claire.call("undo_import", &[("id", &batch)]).await;
    assert_eq!(status, 200, "{undone}");
    assert_eq!(
        undone["notice"]["message"],
        "Import annulé : 191 contacts retirés de la campagne, 191 supprimés de vos contacts."
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 0);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaign_prospects").await,
        0
    );
    let r = report(&claire, &campaign, &batch).await;
    assert!(r["undone"].is_string(), "the report stays, marked undone");
    let (_, twice) = claire.call("undo_import", &[("id", &batch)]).await;
    assert_eq!(twice["notice"]["message"], "Cet import était déjà annulé.");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn undo_gives_known_contacts_back_what_the_import_filled_and_keeps_later_edits(pool: PgPool) {
    let (app, _dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let import = |text: &'static str| {
        let claire = claire.clone();
        let campaign = campaign.clone();
        async move {
            let id = upload(&claire, &campaign, "salon.csv", text.as_bytes().to_vec()).await;
            let columns = fields(&proposed(&claire, &campaign, &id).await);
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            let (status, started) = start(&claire, &campaign, &id, &columns).await;
            assert_eq!(status, 200, "{started}");
            started["value"].as_str().unwrap().to_string()
        }
    };
    import("E-mail;Prénom;Ville\nanne@cafe.fr;;\nbob@cafe.fr;Bob;\n").await;
    let second = import(
        "E-mail;Prénom;Ville;Stand\nanne@cafe.fr;Anne;Lyon;B12\nbob@cafe.fr;Robert;Paris;C3\ncarl@cafe.fr;Carl;;\n",
    )
    .await;
    let anne = || async {
        sqlx::query_as::<_, (String, String, Value)>(
            "SELECT first_name, city, extra FROM prospects WHERE email = 'anne@cafe.fr'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(anne().await.0, "Anne", "the import filled what was empty");
    // Bob's first name was not empty: never overwritten.
    let bob: String =
        sqlx::query_scalar("SELECT first_name FROM prospects WHERE email = 'bob@cafe.fr'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(bob, "Bob");
    // The rep corrects Anne's city after the import.
    sqlx::query("UPDATE prospects SET city = 'Villeurbanne' WHERE email = 'anne@cafe.fr'")
        .execute(&pool)
        .await
        .unwrap();

    let (status, undone) = claire.call("undo_import", &[("id", &second)]).await;
    assert_eq!(status, 200, "{undone}");
    let (first_name, city, extra) = anne().await;
    assert_eq!(first_name, "", "what the import filled is emptied");
    assert_eq!(city, "Villeurbanne", "an edit made since is kept");
    assert_eq!(extra.get("Stand"), None, "the columns it added go");
    let bob_city: String =
        sqlx::query_scalar("SELECT city FROM prospects WHERE email = 'bob@cafe.fr'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(bob_city, "");
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT p.email FROM campaign_prospects cp JOIN prospects p ON p.id = cp.prospect_id ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        emails,
        ["anne@cafe.fr", "bob@cafe.fr"],
        "Carl, whom it created, goes"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn refused_files_are_deleted_and_the_prospects_tab_says_why(pool: PgPool) {
    let (app, dir) = app_with_limit(pool.clone(), 1).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let mut large = b"E-mail;Nom\n".to_vec();
    while large.len() < 1_300_000 {
        large.extend_from_slice(b"quelqu.un@exemple.fr;Quelqu'un\n");
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "gros.csv",
            large,
            "Le fichier dépasse la taille maximale de 1 Mo.",
        ),
        (
            "vide.csv",
            file("empty.csv"),
            "Le fichier ne contient aucun contact",
        ),
        (
            "entete.csv",
            file("header-only.csv"),
            "Le fichier ne contient aucun contact",
        ),
        (
            "catalogue.pdf",
            file("scanned.pdf"),
            "Ce fichier n’est pas un tableau de contacts",
        ),
        (
            "guillemets.csv",
            file("unclosed-quote.csv"),
            "un guillemet n’est jamais refermé",
        ),
        (
            "",
            b"E-mail\na@b.fr\n".to_vec(),
            "Choisissez un fichier de contacts à envoyer.",
        ),
    ];
    let tab = format!("/campagnes/{campaign}/prospects");
    for (name, bytes, message) in cases {
        let res = claire.upload(&campaign, name, bytes).await;
        assert_eq!(res.status(), 303, "{name}");
        assert_eq!(res.headers()["location"], tab.as_str(), "{name}");
        let page = claire.get(&tab).await.text().await.unwrap();
        assert!(page.contains(message), "{name}: {message}");
        assert_eq!(stored_files(&dir), 0, "{name}: the file is deleted");
        // Said once: the tab opened again is clean.
        let page = claire.get(&tab).await.text().await.unwrap();
        assert!(!page.contains(message), "{name}");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM import_uploads").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM import_batches").await, 0);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_file_without_an_email_column_asks_the_rep_to_pick_it(pool: PgPool) {
    let (app, _dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let text = "Nom;Contact\nDupont;dupont@cafe.fr\nMartin;martin at cafe\nDurand;durand at cafe\n";
    let id = upload(
        &claire,
        &campaign,
        "sans-entete.csv",
        text.as_bytes().to_vec(),
    )
    .await;
    let preview = proposed(&claire, &campaign, &id).await;
    assert_eq!(
        fields(&preview),
        ["last_name", ""],
        "no column is mostly emails"
    );
    let (status, refused) = start(&claire, &campaign, &id, &["last_name", ""]).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["fields"]["columns"],
        "Choisissez la colonne qui contient les adresses e-mail."
    );
    let (status, refused) = start(&claire, &campaign, &id, &["city", "city"]).await;
    assert_eq!(status, 422);
    assert_eq!(
        refused["fields"]["columns"],
        "Le champ « Ville » est choisi pour deux colonnes : gardez-en une."
    );
    // Refusals leave the file to correct; the rep picks the column.
    let (status, started) = start(&claire, &campaign, &id, &["last_name", "email"]).await;
    assert_eq!(status, 200, "{started}");
    let r = report(&claire, &campaign, started["value"].as_str().unwrap()).await;
    assert_eq!(
        (r["new_prospects"].as_i64(), r["rejected"].as_i64()),
        (Some(1), Some(2))
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_gets_not_found_for_every_prospect_function_and_route(pool: PgPool) {
    let (app, dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let text = "E-mail\na@cafe.fr\npas-une-adresse\n";
    let waiting = upload(&claire, &campaign, "a.csv", text.as_bytes().to_vec()).await;
    let done = upload(&claire, &campaign, "b.csv", text.as_bytes().to_vec()).await;
    let (_, started) = start(&claire, &campaign, &done, &["email"]).await;
    let batch = started["value"].as_str().unwrap().to_string();
    let prospect = prospect_id(&pool, "a@cafe.fr").await;

    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("get_prospects_tab", vec![("id", &campaign)]),
        (
            "get_import_upload",
            vec![("campaign", &campaign), ("upload", &waiting)],
        ),
        (
            "start_import",
            vec![
                ("campaign", &campaign),
                ("upload", &waiting),
                ("columns[0]", "email"),
            ],
        ),
        (
            "get_import_report",
            vec![("campaign", &campaign), ("batch", &batch)],
        ),
        ("undo_import", vec![("id", &batch)]),
        (
            "get_prospect",
            vec![("campaign", &campaign), ("id", &prospect)],
        ),
        (
            "update_prospect",
            vec![
                ("campaign", &campaign),
                ("id", &prospect),
                ("version", "1"),
                ("prospect[email]", "a@cafe.fr"),
                ("prospect[city]", "Lyon"),
            ],
        ),
        (
            "set_do_not_contact",
            vec![("campaign", &campaign), ("id", &prospect), ("on", "true")],
        ),
        (
            "erase_prospect",
            vec![
                ("campaign", &campaign),
                ("id", &prospect),
                ("confirm", "oui"),
            ],
        ),
    ];
    for (endpoint, args) in &calls {
        let (status, body) = julien.call(endpoint, args).await;
        assert_eq!(status, 404, "{endpoint}: {body}");
        assert_eq!(body["message"], "Élément introuvable.", "{endpoint}");
    }
    let res = julien
        .upload(&campaign, "c.csv", text.as_bytes().to_vec())
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(stored_files(&dir), 1, "only Claire's waiting file");
    let csv = julien
        .get(&format!("/campagnes/{campaign}/imports/{batch}/rejets.csv"))
        .await;
    assert_eq!(csv.status(), 404);
    let page = julien
        .get(&format!("/campagnes/{campaign}/prospects"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Campagne introuvable"), "{page}");
    let page = julien
        .get(&format!("/campagnes/{campaign}/prospects/{prospect}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Prospect introuvable"), "{page}");
    // Claire's prospect through a campaign it is not in: not found either.
    let other = claire.new_campaign("Equip'Hôtel").await;
    let (status, _) = claire
        .call("get_prospect", &[("campaign", &other), ("id", &prospect)])
        .await;
    assert_eq!(status, 404);
    // Nothing of Claire's moved.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaign_prospects").await,
        1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM import_uploads WHERE batch_id IS NULL"
        )
        .await,
        1
    );
    assert!(report(&claire, &campaign, &batch).await["undone"].is_null());
    let stored: (String, bool) = sqlx::query_as("SELECT city, do_not_contact FROM prospects")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, (String::new(), false));
    app.shutdown().await.unwrap();
}

/// The data of the server-sent events read from `res`, until `stop` says so or the stream
/// ends.
async fn events(res: &mut reqwest::Response, mut stop: impl FnMut(&Value) -> bool) -> Vec<Value> {
    let mut text = String::new();
    let mut seen = Vec::new();
    while let Some(chunk) = res.chunk().await.expect("the stream reads") {
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            for data in block.lines().filter_map(|l| l.strip_prefix("data:")) {
                let event: Value = serde_json::from_str(data.trim()).unwrap();
                let done = stop(&event);
                seen.push(event);
                if done {
                    return seen;
                }
            }
        }
    }
    seen
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_large_file_imports_in_a_job_whose_page_follows_it_and_finds_it_again_after_a_drop(
    pool: PgPool,
) {
    let (app, dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let mut text = String::from("E-mail;Prénom;Nom;Société\n");
    for i in 0..4_000 {
        text.push_str(&format!(
            "contact.{i}@salon-exemple.fr;Prénom {i};Nom {i};Société numéro {i}\n"
        ));
    }
    text.push_str("pas-une-adresse;Sans;Adresse;Aucune\n");
    assert!(
        text.len() > 256 * 1024,
        "more than an import within the request takes"
    );
    let id = upload(&claire, &campaign, "visiteurs.csv", text.into_bytes()).await;
    let columns = fields(&proposed(&claire, &campaign, &id).await);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();

    // The campaign held by another transaction: the import waits, mid-way, for the test.
    let mut hold = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM campaigns WHERE id = $1::uuid FOR UPDATE")
        .bind(&campaign)
        .execute(&mut *hold)
        .await
        .unwrap();
    let (status, started) = start(&claire, &campaign, &id, &columns).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(
        started["notice"]["message"],
        "Import lancé : la page suit sa progression."
    );
    let batch = started["value"].as_str().unwrap().to_string();
    let page = report(&claire, &campaign, &batch).await;
    assert_eq!(page["running"], 0, "{page}");

    // The page's stream opens with the state now; the tablet drops it.
    let url = format!("/campagnes/{campaign}/imports/{batch}/progression");
    let mut stream = claire.get(&url).await;
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let seen = events(&mut stream, |_| true).await;
    assert_eq!(seen, [serde_json::json!({"state": "running", "rows": 0})]);
    drop(stream);

    // Back online, the page reconnects, and follows the import to its end.
    let mut stream = claire.get(&url).await;
    let first = events(&mut stream, |_| true).await;
    assert_eq!(first[0]["state"], "running");
    hold.commit().await.unwrap();
    let seen = events(&mut stream, |e| e["state"] != "running").await;
    assert_eq!(
        seen.last().unwrap(),
        &serde_json::json!({"state": "done"}),
        "{seen:?}"
    );
    let counts: Vec<i64> = seen.iter().filter_map(|e| e["rows"].as_i64()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]) && counts.iter().all(|&n| n <= 4_001),
        "{counts:?}"
    );

    let r = report(&claire, &campaign, &batch).await;
    assert_eq!(
        (&r["rows"], &r["new_prospects"], &r["rejected"]),
        (&Value::from(4_001), &Value::from(4_000), &Value::from(1))
    );
    assert_eq!(stored_files(&dir), 0, "the imported file is deleted");
    // Opened after the end, the stream says so and closes.
    let mut after = claire.get(&url).await;
    assert_eq!(
        events(&mut after, |_| false).await,
        [serde_json::json!({"state": "done"})]
    );
    assert_eq!(julien.get(&url).await.status(), 404);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_prospect_added_by_hand_joins_the_campaign_once_with_the_import_s_checks(pool: PgPool) {
    let (app, _dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let sirha = claire.new_campaign("Sirha Lyon").await;
    let equip = claire.new_campaign("Equip'Hôtel").await;
    let add = |rep: &Browser, campaign: &str, key: &str, email: &str, company: &str| {
        let (rep, campaign, key, email, company) = (
            rep.clone(),
            campaign.to_string(),
            key.to_string(),
            email.to_string(),
            company.to_string(),
        );
        async move {
            rep.call(
                "add_prospect",
                &[
                    ("campaign", campaign.as_str()),
                    ("key", key.as_str()),
                    ("prospect[email]", email.as_str()),
                    ("prospect[first_name]", " Anne "),
                    ("prospect[last_name]", "Durand"),
                    ("prospect[company]", company.as_str()),
                    ("prospect[job_title]", ""),
                    ("prospect[phone]", ""),
                    ("prospect[notes]", "Vue au stand B12"),
                ],
            )
            .await
        }
    };
    let key = || uuid::Uuid::new_v4().to_string();

    let (status, refused) = add(&claire, &sirha, &key(), "anne.durand@", "").await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["fields"]["email"]
        .as_str()
        .unwrap()
        .starts_with("Cette adresse e-mail n’est pas valide"));
    let (_, refused) = add(&claire, &sirha, &key(), "  ", "").await;
    assert_eq!(
        refused["fields"]["email"],
        "L’adresse e-mail est obligatoire."
    );

    let first = key();
    let (status, added) = add(&claire, &sirha, &first, " Anne.Durand@Cafe.FR ", "").await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["notice"]["message"], "Prospect ajouté.");
    // The same post again (a double tap) adds nothing more.
    let (_, again) = add(&claire, &sirha, &first, " Anne.Durand@Cafe.FR ", "").await;
    assert_eq!(again["value"], added["value"]);
    let stored: (String, String, String, String) =
        sqlx::query_as("SELECT email, first_name, origin, origin_show FROM prospects")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (
            "anne.durand@cafe.fr".into(),
            "Anne".into(),
            "hand".into(),
            "Sirha Lyon".into()
        )
    );
    // The same address typed again: not a second contact; what it lacked is filled.
    let (_, there) = add(&claire, &sirha, &key(), "anne.durand@cafe.fr", "Café Anne").await;
    assert_eq!(
        there["notice"]["message"],
        "Ce contact est déjà dans la campagne."
    );
    let (_, known) = add(&claire, &equip, &key(), "anne.durand@cafe.fr", "Autre").await;
    assert_eq!(
        known["notice"]["message"],
        "Contact déjà connu : ajouté à la campagne."
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaign_prospects").await,
        2
    );
    let company: String = sqlx::query_scalar("SELECT company FROM prospects")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(company, "Café Anne", "filled once, never overwritten");

    // Another rep cannot add to Claire's campaign.
    let (status, body) = add(&julien, &sirha, &key(), "marc@cafe.fr", "").await;
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("Élément introuvable."))
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 1);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_upload_left_a_day_is_purged_with_its_file(pool: PgPool) {
    let (app, dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let old = upload(
        &claire,
        &campaign,
        "hier.csv",
        b"E-mail\na@cafe.fr\n".to_vec(),
    )
    .await;
    let fresh = upload(
        &claire,
        &campaign,
        "ce-matin.csv",
        b"E-mail\nb@cafe.fr\n".to_vec(),
    )
    .await;
    sqlx::query(
        "UPDATE import_uploads SET created_at = now() - interval '25 hours' WHERE id = $1::uuid",
    )
    .bind(&old)
    .execute(&pool)
    .await
    .unwrap();
    server::prospect_files::sweep(&pool, &dir).await.unwrap();
    let left: Vec<String> = sqlx::query_scalar("SELECT id::text FROM import_uploads")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, std::slice::from_ref(&fresh));
    assert!(!dir.join("imports").join(&old).exists());
    assert!(dir.join("imports").join(&fresh).exists());
    app.shutdown().await.unwrap();
}

/// Imports `text` as `name` into `campaign` with the proposed columns; the import's id.
async fn import_text(rep: &Browser, campaign: &str, name: &str, text: &str) -> String {
    let upload_id = upload(rep, campaign, name, text.as_bytes().to_vec()).await;
    let preview = proposed(rep, campaign, &upload_id).await;
    let columns = fields(&preview);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (status, started) = start(rep, campaign, &upload_id, &columns).await;
    assert_eq!(status, 200, "{started}");
    started["value"].as_str().unwrap().to_string()
}

/// A page of the Prospects tab: the answer's prospects (addresses) and its next cursor.
async fn list_page(rep: &Browser, campaign: &str, args: &[(&str, &str)]) -> (Vec<String>, Value) {
    let mut all = vec![("id", campaign)];
    all.extend_from_slice(args);
    let (status, tab) = rep.call("get_prospects_tab", &all).await;
    assert_eq!(status, 200, "{tab}");
    let emails = tab["prospects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap().to_string())
        .collect();
    (emails, tab)
}

/// Every page of the list, following its cursors.
async fn whole_list(rep: &Browser, campaign: &str, args: &[(&str, &str)]) -> Vec<String> {
    let mut emails = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut page_args = args.to_vec();
        if let Some(a) = &after {
            page_args.push(("apres", a.as_str()));
        }
        let (page, tab) = list_page(rep, campaign, &page_args).await;
        assert!(page.len() <= 50);
        emails.extend(page);
        match tab["next"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return emails,
        }
    }
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_prospect_list_finds_sorts_and_pages_through_every_contact_once(pool: PgPool) {
    let (app, _dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    // 120 contacts, names out of order, one in three without a company.
    let mut text = String::from("Prénom;Nom;Société;E-mail;Ville\n");
    for i in 0..120 {
        let company = if i % 3 == 0 {
            String::new()
        } else {
            format!("Société {:03}", (i * 37) % 120)
        };
        text.push_str(&format!(
            "P{i};Nom{:03};{company};c{i}@ex.fr;Villeurbanne\n",
            (i * 53) % 120
        ));
    }
    text.push_str("Élodie;Mercier;Café Lumière;lea@ex.fr;Lyon\n");
    import_text(&claire, &campaign, "salon.csv", &text).await;

    let by_name = whole_list(&claire, &campaign, &[]).await;
    assert_eq!(by_name.len(), 121, "each contact once over the pages");
    let mut distinct = by_name.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 121);
    let names: Vec<i64> = sqlx::query_scalar(
        "SELECT substr(last_name, 4)::bigint FROM prospects WHERE last_name LIKE 'Nom%'
         ORDER BY last_name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(names, (0..120).collect::<Vec<i64>>());
    // By last name: Mercier, then Nom000 … Nom119.
    assert_eq!(by_name[0], "lea@ex.fr");
    let first: String =
        sqlx::query_scalar("SELECT email FROM prospects WHERE last_name = 'Nom000'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(by_name[1], first);

    // By company: those without one come last.
    let by_company = whole_list(&claire, &campaign, &[("tri", "societe")]).await;
    assert_eq!(by_company.len(), 121);
    let without: Vec<String> = sqlx::query_scalar("SELECT email FROM prospects WHERE company = ''")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(by_company[121 - without.len()..]
        .iter()
        .all(|e| without.contains(e)));
    assert_eq!(by_company[0], "lea@ex.fr", "Café Lumière before Société …");

    // The search ignores accents and case, across name, company, address and city.
    let (found, tab) = list_page(&claire, &campaign, &[("q", "ELODIE lumiere")]).await;
    assert_eq!(
        (found, tab["matching"].as_i64()),
        (vec!["lea@ex.fr".to_string()], Some(1))
    );
    let (found, _) = list_page(&claire, &campaign, &[("q", "lea@ex")]).await;
    assert_eq!(found, ["lea@ex.fr"]);
    let in_villeurbanne = whole_list(&claire, &campaign, &[("q", "villeurbanne")]).await;
    assert_eq!(in_villeurbanne.len(), 120);
    let (none, tab) = list_page(&claire, &campaign, &[("q", "personne")]).await;
    assert!(none.is_empty());
    assert!(tab["html"]
        .as_str()
        .unwrap()
        .contains("Aucun prospect ne correspond"));

    // A cursor that is not a prospect of this campaign opens the first page.
    let stranger = uuid::Uuid::new_v4().to_string();
    let (page, _) = list_page(&claire, &campaign, &[("apres", &stranger)]).await;
    assert_eq!(page[..2], by_name[..2]);
    // The page links keep the search and sort.
    let (_, tab) = list_page(
        &claire,
        &campaign,
        &[("q", "villeurbanne"), ("tri", "recents")],
    )
    .await;
    let next = tab["next"].as_str().unwrap();
    assert!(tab["html"]
        .as_str()
        .unwrap()
        .contains(&format!("?q=villeurbanne&amp;tri=recents&amp;apres={next}")));
    app.shutdown().await.unwrap();
}

/// Claire's prospect `email`'s id.
async fn prospect_id(pool: &PgPool, email: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM prospects WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap();
    id.to_string()
}

/// The edit form's fields of a prospect, as the page posts them.
fn edit_args<'a>(
    campaign: &'a str,
    id: &'a str,
    version: &'a str,
    fields: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut args = vec![("campaign", campaign), ("id", id), ("version", version)];
    args.extend_from_slice(fields);
    args
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_rep_edits_a_prospect_without_losing_a_change_made_elsewhere(pool: PgPool) {
    let (app, _dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    import_text(
        &claire,
        &campaign,
        "a.csv",
        "Prénom;Nom;E-mail;Ville;Badge\nLéa;Mercier;lea@ex.fr;Lyon;B12\nMarc;Petit;marc@ex.fr;;\n",
    )
    .await;
    let lea = prospect_id(&pool, "lea@ex.fr").await;

    let (status, page) = claire
        .call("get_prospect", &[("campaign", &campaign), ("id", &lea)])
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["name"], "Léa Mercier");
    assert_eq!(
        page["prospect"]["extra"],
        serde_json::json!([["Badge", "B12"]])
    );
    let html = page["html"].as_str().unwrap();
    assert!(
        html.contains("Importé du fichier « a.csv » au salon « Sirha Lyon »"),
        "{html}"
    );
    let version = page["prospect"]["version"].as_i64().unwrap().to_string();

    let edit = [
        ("prospect[email]", " Lea.Mercier@EX.fr "),
        ("prospect[first_name]", "Léa"),
        ("prospect[last_name]", "Mercier"),
        ("prospect[city]", "Chassieu"),
        ("prospect[mobile]", "06 12 34 56 78"),
    ];
    let (status, saved) = claire
        .call(
            "update_prospect",
            &edit_args(&campaign, &lea, &version, &edit),
        )
        .await;
    assert_eq!(
        (status, saved["notice"]["message"].as_str()),
        (200, Some("Prospect enregistré.")),
        "{saved}"
    );
    let stored: (String, String, String, String) =
        sqlx::query_as("SELECT email, city, mobile, company FROM prospects WHERE id = $1::uuid")
            .bind(&lea)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (
            "lea.mercier@ex.fr".into(),
            "Chassieu".into(),
            "06 12 34 56 78".into(),
            String::new()
        )
    );
    // The same form posted again (a double tap) finds its values there: nothing to save.
    let (status, again) = claire
        .call(
            "update_prospect",
            &edit_args(&campaign, &lea, &version, &edit),
        )
        .await;
    assert_eq!(
        (status, again["notice"]["message"].as_str()),
        (200, Some("Aucune modification."))
    );
    // Another edit from the page read before the first: a conflict, nothing overwritten.
    let stale = [("prospect[email]", "lea@ex.fr"), ("prospect[city]", "Lyon")];
    let (status, conflict) = claire
        .call(
            "update_prospect",
            &edit_args(&campaign, &lea, &version, &stale),
        )
        .await;
    assert_eq!(status, 409, "{conflict}");
    assert!(conflict["message"]
        .as_str()
        .unwrap()
        .contains("modifié entre-temps"));
    // Another contact's address, or a bad one, is refused on its field.
    let (page_now, _) = (
        claire
            .call("get_prospect", &[("campaign", &campaign), ("id", &lea)])
            .await
            .1,
        (),
    );
    let version = page_now["prospect"]["version"]
        .as_i64()
        .unwrap()
        .to_string();
    let (status, taken) = claire
        .call(
            "update_prospect",
            &edit_args(
                &campaign,
                &lea,
                &version,
                &[("prospect[email]", "marc@ex.fr")],
            ),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        taken["fields"]["email"],
        "Un autre de vos contacts a déjà cette adresse."
    );
    let long = "x".repeat(201);
    let (_, too_long) = claire
        .call(
            "update_prospect",
            &edit_args(
                &campaign,
                &lea,
                &version,
                &[
                    ("prospect[email]", "lea.mercier@ex.fr"),
                    ("prospect[first_name]", &long),
                ],
            ),
        )
        .await;
    assert_eq!(too_long["fields"]["first_name"], "200 caractères au plus.");

    // The history says what changed.
    let history = page_now["html"].as_str().unwrap();
    assert!(history.contains("Ville : Lyon → Chassieu"), "{history}");
    assert!(history.contains("E-mail : lea@ex.fr → lea.mercier@ex.fr"));

    // Posted before the WASM, a refusal comes back to the page with what was typed.
    let path = format!("/campagnes/{campaign}/prospects/{lea}");
    let mut form = edit_args(
        &campaign,
        &lea,
        &version,
        &[
            ("prospect[email]", "pas-une-adresse"),
            ("prospect[city]", "Bron"),
        ],
    );
    form.push(("_page", &path));
    let res = claire.post_page_form("/api/update_prospect", &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], path.as_str());
    let back = claire.get(&path).await.text().await.unwrap();
    assert!(
        back.contains("Cette adresse e-mail n’est pas valide"),
        "{back}"
    );
    assert!(back.contains(r#"value="Bron""#), "what was typed is kept");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_contact_marked_do_not_contact_is_kept_out_of_later_imports_and_hand_entries(
    pool: PgPool,
) {
    let (app, _dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let sirha = claire.new_campaign("Sirha Lyon").await;
    let equip = claire.new_campaign("Equip'Hôtel").await;
    let text = "Nom;E-mail\nMercier;lea@ex.fr\nPetit;marc@ex.fr\n";
    import_text(&claire, &sirha, "a.csv", text).await;
    let lea = prospect_id(&pool, "lea@ex.fr").await;

    let mark = |on: &'static str| {
        let (claire, sirha, lea) = (claire.clone(), sirha.clone(), lea.clone());
        async move {
            claire
                .call(
                    "set_do_not_contact",
                    &[
                        ("campaign", sirha.as_str()),
                        ("id", lea.as_str()),
                        ("on", on),
                    ],
                )
                .await
        }
    };
    let (status, marked) = mark("true").await;
    assert_eq!(status, 200, "{marked}");
    // Twice is the same as once.
    assert_eq!(mark("true").await.0, 200);
    let flagged: bool =
        sqlx::query_scalar("SELECT do_not_contact FROM prospects WHERE email = 'lea@ex.fr'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(flagged);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM suppressed_addresses WHERE reason = 'opted_out'"
        )
        .await,
        1
    );
    let (_, tab) = list_page(&claire, &sirha, &[]).await;
    assert!(tab["html"].as_str().unwrap().contains("Ne plus contacter"));

    // Another import of her address, in another campaign: rejected at its line, not linked.
    let batch = import_text(&claire, &equip, "b.csv", text).await;
    let answer = report(&claire, &equip, &batch).await;
    assert_eq!(
        (answer["linked"].as_i64(), answer["rejected"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(answer["rejections"][0]["line"], 2);
    assert_eq!(answer["rejections"][0]["code"], "suppressed");
    assert!(answer["rejections"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("ne veut plus être contactée"));
    // Nor typed in by hand.
    let (status, refused) = claire
        .call(
            "add_prospect",
            &[
                ("campaign", equip.as_str()),
                ("prospect[email]", "LEA@ex.fr"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(refused["fields"]["email"]
        .as_str()
        .unwrap()
        .contains("ne peut pas être ajoutée"));

    // The mark cleared, she can be imported again.
    assert_eq!(mark("false").await.0, 200);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM suppressed_addresses").await,
        0
    );
    let batch = import_text(&claire, &equip, "c.csv", text).await;
    assert_eq!(report(&claire, &equip, &batch).await["linked"], 1);
    let (_, page) = claire
        .call("get_prospect", &[("campaign", &sirha), ("id", &lea)])
        .await;
    let html = page["html"].as_str().unwrap();
    assert!(
        html.contains("Marqué « ne plus contacter »") && html.contains("retirée"),
        "{html}"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_erased_contact_leaves_nothing_but_a_keyed_hash_that_keeps_it_out(pool: PgPool) {
    let (app, dir) = app_with_limit(pool.clone(), 50).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let sirha = claire.new_campaign("Sirha Lyon").await;
    let equip = claire.new_campaign("Equip'Hôtel").await;
    let text = "Prénom;Nom;E-mail;Badge\nLéa;Mercier;Lea@Ex.fr;B12\nMarc;Petit;marc@ex.fr;B13\n";
    import_text(&claire, &sirha, "a.csv", text).await;
    import_text(&claire, &equip, "a.csv", text).await;
    let lea = prospect_id(&pool, "lea@ex.fr").await;
    // An edit logs her data; two files wait for their import, one of them holding her.
    let (_, page) = claire
        .call("get_prospect", &[("campaign", &sirha), ("id", &lea)])
        .await;
    let version = page["prospect"]["version"].as_i64().unwrap().to_string();
    let edit = [
        ("prospect[email]", "lea.mercier@ex.fr"),
        ("prospect[first_name]", "Léa"),
        ("prospect[last_name]", "Mercier-Dupont"),
    ];
    assert_eq!(
        claire
            .call("update_prospect", &edit_args(&sirha, &lea, &version, &edit))
            .await
            .0,
        200
    );
    let late_row = format!(
        "E-mail;Nom\n{}LEA@EX.FR;Mercier\n",
        (0..20)
            .map(|i| format!("x{i}@ex.fr;X\n"))
            .collect::<String>()
    );
    let holding = upload(&claire, &sirha, "b.csv", late_row.into_bytes()).await;
    // This one holds a longer address that ends like hers: it stays.
    let other = upload(
        &claire,
        &sirha,
        "c.csv",
        b"E-mail\nmarc@ex.fr\nxlea@ex.fr\n".to_vec(),
    )
    .await;
    assert_eq!(stored_files(&dir), 2);

    let erase = |confirm: Option<&'static str>, key: String| {
        let (claire, sirha, lea) = (claire.clone(), sirha.clone(), lea.clone());
        async move {
            let mut args = vec![
                ("campaign", sirha.as_str()),
                ("id", lea.as_str()),
                ("key", key.as_str()),
            ];
            if let Some(c) = confirm {
                args.push(("confirm", c));
            }
            claire.call("erase_prospect", &args).await
        }
    };
    let (status, unconfirmed) = erase(None, uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, 422);
    assert!(unconfirmed["fields"]["confirm"]
        .as_str()
        .unwrap()
        .contains("Cochez la case"));
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 2);

    let key = uuid::Uuid::new_v4().to_string();
    let (status, erased) = erase(Some("oui"), key.clone()).await;
    assert_eq!(status, 200, "{erased}");
    assert!(erased["notice"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Contact effacé définitivement"));
    // Posted twice (a double tap), the second answers as the first.
    let (status, again) = erase(Some("oui"), key).await;
    assert_eq!((status, &again["notice"]), (200, &erased["notice"]));

    // She is gone from both campaigns; Marc stays.
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaign_prospects").await,
        2
    );
    // The file that held her went with its upload; the other waits.
    assert_eq!(stored_files(&dir), 1);
    let left: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT id FROM import_uploads WHERE batch_id IS NULL")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(left, [other.parse::<uuid::Uuid>().unwrap()]);
    assert_ne!(holding, other);
    // Nothing in the database names her any more: not the log, not the uploads' previews.
    let dump: String = sqlx::query_scalar(
        "SELECT concat_ws(' ',
             (SELECT string_agg(concat_ws(' ', before::text, after::text), ' ') FROM audit_log),
             (SELECT string_agg(preview::text, ' ') FROM import_uploads),
             (SELECT string_agg(row_to_json(p)::text, ' ') FROM prospects p))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let dump = dump.to_lowercase();
    for address in ["lea@ex.fr", "lea.mercier@ex.fr"] {
        assert!(
            !import::holds_address(&dump, address),
            "{address} left in: {dump}"
        );
    }
    assert!(!dump.contains("mercier"), "her name left in: {dump}");
    // The log keeps that an erasure happened, and that she was edited, without what.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity_id = $1::uuid ORDER BY at")
            .bind(&lea)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(actions, ["update", "erase"]);
    let (status, gone) = claire
        .call("get_prospect", &[("campaign", &sirha), ("id", &lea)])
        .await;
    assert_eq!(status, 404, "{gone}");

    // Only a keyed hash is kept, and it keeps her out.
    let hashes: Vec<(Vec<u8>, String)> =
        sqlx::query_as("SELECT address_hash, reason FROM suppressed_addresses")
            .fetch_all(&pool)
            .await
            .unwrap();
    // Her address now and the one she had before the edit.
    assert_eq!(hashes.len(), 2);
    assert!(hashes.iter().all(|(h, r)| h.len() == 32 && r == "erased"));
    // The file as first imported, with her old address: kept out.
    let batch = import_text(&claire, &sirha, "d.csv", text).await;
    let answer = report(&claire, &sirha, &batch).await;
    assert_eq!(answer["new_prospects"], 0);
    assert_eq!(answer["rejections"][0]["code"], "suppressed");
    let (status, _) = claire
        .call(
            "add_prospect",
            &[
                ("campaign", sirha.as_str()),
                ("prospect[email]", "Lea.Mercier@ex.fr"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 1);
    app.shutdown().await.unwrap();
}
