//! Distributors and campaigns through their server functions, as two signed-in reps.

mod common;

use common::{spawn_app, Browser};
use sandbox::DEMO_TENANT_ID;
use serde_json::Value;
use sqlx::PgPool;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn new_campaign(
    rep: &Browser,
    name: &str,
    distributor: &str,
    start: &str,
    end: &str,
) -> String {
    let (status, id) = rep
        .call(
            "save_campaign",
            &[
                ("form[name]", name),
                ("form[distributor_id]", distributor),
                ("form[venue]", "Eurexpo"),
                ("form[city]", "Lyon"),
                ("form[starts_on]", start),
                ("form[ends_on]", end),
            ],
        )
        .await;
    assert!(status < 400, "{status} {id}");
    id["value"].as_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_rep_creates_edits_archives_and_restores_a_campaign_and_sees_its_history(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Métro Cash & Carry").await;
    let id = new_campaign(
        &claire,
        "Sirha Lyon 2099",
        &distributor,
        "21/01/2099",
        "25/01/2099",
    )
    .await;

    let (status, campaign) = claire.call("get_campaign", &[("id", &id)]).await;
    assert_eq!(status, 200);
    assert_eq!(campaign["name"], "Sirha Lyon 2099");
    assert_eq!(campaign["status"], "upcoming");
    assert_eq!(campaign["distributor_name"], "Métro Cash & Carry");
    assert_eq!(campaign["starts_on"], "2099-01-21");

    let (status, _) = claire
        .call(
            "save_campaign",
            &[
                ("id", &id),
                ("version", "1"),
                ("form[name]", "Sirha Lyon 2099 — stand B12"),
                ("form[distributor_id]", &distributor),
                ("form[venue]", "Eurexpo"),
                ("form[city]", "Chassieu"),
                ("form[starts_on]", "21/01/2099"),
                ("form[ends_on]", "26/01/2099"),
            ],
        )
        .await;
    assert!(status < 400);
    let (status, _) = claire
        .call(
            "set_campaign_archived",
            &[("id", &id), ("archived", "true")],
        )
        .await;
    assert_eq!(status, 200);
    let (_, archived) = claire.call("get_campaign", &[("id", &id)]).await;
    assert_eq!(archived["status"], "archived");
    let (_, active) = claire
        .call("list_campaigns", &[("filter[status]", "active")])
        .await;
    assert_eq!(
        active["items"].as_array().unwrap().len(),
        0,
        "archived campaigns leave the list"
    );
    let (_, listed) = claire
        .call("list_campaigns", &[("filter[status]", "archived")])
        .await;
    assert_eq!(listed["items"][0]["id"], id.as_str());
    claire
        .call(
            "set_campaign_archived",
            &[("id", &id), ("archived", "false")],
        )
        .await;

    let (status, history) = claire.call("campaign_history", &[("id", &id)]).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["Restauration", "Archivage", "Modification", "Création"]
    );
    // The server sends the history as French lines: the browser diffs no JSON.
    let update = &history[2];
    assert_eq!(update["actor_name"], "Claire Martin");
    let changes = update["changes"].as_array().unwrap();
    let change = |field: &str, before: &str, after: &str| serde_json::json!({ "field": field, "before": before, "after": after });
    assert!(
        changes.contains(&change("Ville", "Lyon", "Chassieu")),
        "{changes:?}"
    );
    assert!(
        changes.contains(&change("Fin", "25/01/2099", "26/01/2099")),
        "{changes:?}"
    );
    assert!(
        update.get("before").is_none(),
        "no raw snapshot reaches the browser"
    );

    let page = claire
        .get(&format!("/campagnes/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Sirha Lyon 2099 — stand B12")
            && page.contains("du 21/01/2099 au 26/01/2099"),
        "{page}"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_gets_not_found_for_every_campaign_and_distributor_function(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let distributor = claire.new_distributor("Transgourmet").await;
    let campaign = new_campaign(
        &claire,
        "Equip'Hôtel",
        &distributor,
        "10/11/2099",
        "14/11/2099",
    )
    .await;
    let edit = |id: &str| {
        vec![
            ("id".to_string(), id.to_string()),
            ("version".to_string(), "1".to_string()),
            ("form[name]".to_string(), "Pris".to_string()),
            ("form[distributor_id]".to_string(), distributor.clone()),
            ("form[venue]".to_string(), String::new()),
            ("form[city]".to_string(), String::new()),
            ("form[starts_on]".to_string(), "01/01/2099".to_string()),
            ("form[ends_on]".to_string(), "02/01/2099".to_string()),
            ("form[website]".to_string(), String::new()),
            ("form[notes]".to_string(), String::new()),
        ]
    };

    let not_found: Vec<(&str, Vec<(String, String)>)> = vec![
        ("get_distributor", vec![("id".into(), distributor.clone())]),
        (
            "delete_distributor",
            vec![("id".into(), distributor.clone())],
        ),
        ("save_distributor", edit(&distributor)),
        ("get_campaign", vec![("id".into(), campaign.clone())]),
        ("save_campaign", edit(&campaign)),
        (
            "set_campaign_archived",
            vec![
                ("id".into(), campaign.clone()),
                ("archived".into(), "true".into()),
            ],
        ),
        ("campaign_history", vec![("id".into(), campaign.clone())]),
    ];
    for (endpoint, args) in &not_found {
        let (status, body) = julien.call(endpoint, &as_refs(args)).await;
        assert_eq!(status, 404, "{endpoint}: {body}");
        assert_eq!(body["message"], "Élément introuvable.", "{endpoint}");
        // The same answer as for an id that does not exist at all.
        let missing: Vec<(String, String)> = args
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == "id" {
                        uuid::Uuid::new_v4().to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect();
        let (status_missing, body_missing) = julien.call(endpoint, &as_refs(&missing)).await;
        assert_eq!(
            (status_missing, &body_missing),
            (status, &body),
            "{endpoint}"
        );
    }
    let (_, list) = julien.call("list_distributors", &[]).await;
    assert_eq!(list, Value::Array(vec![]));
    let (_, page) = julien
        .call("list_campaigns", &[("filter[status]", "active")])
        .await;
    assert_eq!(page["items"], Value::Array(vec![]));
    // Julien cannot hang his campaign on Claire's distributor either.
    let (status, body) = julien
        .call(
            "save_campaign",
            &[
                ("form[name]", "Intrus"),
                ("form[distributor_id]", &distributor),
                ("form[venue]", ""),
                ("form[city]", ""),
                ("form[starts_on]", "01/01/2099"),
                ("form[ends_on]", "01/01/2099"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["distributor_id"].is_string());
    let page = julien.get(&format!("/campagnes/{campaign}")).await;
    assert_eq!(page.status(), 404);

    // Nothing of Claire's changed.
    let (_, mine) = claire.call("get_campaign", &[("id", &campaign)]).await;
    assert_eq!(mine["name"], "Equip'Hôtel");
    assert_eq!(mine["status"], "upcoming");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_edit_of_a_stale_copy_gets_a_conflict_and_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Promocash").await;
    let id = new_campaign(
        &claire,
        "Salon du Chocolat",
        &distributor,
        "28/10/2099",
        "01/11/2099",
    )
    .await;
    let save = |name: &'static str| {
        let (id, distributor) = (id.clone(), distributor.clone());
        let claire = &claire;
        async move {
            claire
                .call(
                    "save_campaign",
                    &[
                        ("id", &id),
                        ("version", "1"),
                        ("form[name]", name),
                        ("form[distributor_id]", &distributor),
                        ("form[venue]", ""),
                        ("form[city]", "Paris"),
                        ("form[starts_on]", "28/10/2099"),
                        ("form[ends_on]", "01/11/2099"),
                    ],
                )
                .await
        }
    };
    let (first, _) = save("Onglet A").await;
    assert!(first < 400);
    let (second, body) = save("Onglet B").await;
    assert_eq!(second, 409);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("modifiée entre-temps"),
        "{body}"
    );
    let (_, campaign) = claire.call("get_campaign", &[("id", &id)]).await;
    assert_eq!(campaign["name"], "Onglet A");
    assert_eq!(campaign["version"], 2);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_distributor_used_by_a_campaign_cannot_be_deleted(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let used = claire.new_distributor("Metro").await;
    let unused = claire.new_distributor("Sysco").await;
    new_campaign(&claire, "SIAL Paris", &used, "18/10/2099", "22/10/2099").await;

    let (status, body) = claire.call("delete_distributor", &[("id", &used)]).await;
    assert_eq!(status, 409);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("utilisé par 1 campagne"),
        "{body}"
    );
    let (status, _) = claire.call("get_distributor", &[("id", &used)]).await;
    assert_eq!(status, 200, "still there");

    let (status, _) = claire.call("delete_distributor", &[("id", &unused)]).await;
    assert_eq!(status, 200);
    let (_, list) = claire.call("list_distributors", &[]).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Metro"]);
    assert_eq!(list[0]["campaign_count"], 1);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn distributor_names_are_unique_per_rep_whatever_the_accents_and_case(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    claire.new_distributor("Métro").await;
    let (status, body) = claire
        .call(
            "save_distributor",
            &[
                ("form[name]", " METRO "),
                ("form[website]", ""),
                ("form[notes]", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["fields"]["name"]
            .as_str()
            .unwrap()
            .contains("déjà un distributeur"),
        "{body}"
    );
    // Another rep may use the same name.
    julien.new_distributor("Métro").await;
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_bad_campaign_form_gets_french_errors_per_field_and_stores_nothing(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let distributor = claire.new_distributor("Metro").await;
    let (status, body) = claire
        .call(
            "save_campaign",
            &[
                ("form[name]", "  "),
                ("form[distributor_id]", &distributor),
                ("form[venue]", ""),
                ("form[city]", ""),
                ("form[starts_on]", "31/02/2099"),
                ("form[ends_on]", "2099-03-01"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"]["name"], "Le nom du salon est obligatoire.");
    assert!(body["fields"]["starts_on"]
        .as_str()
        .unwrap()
        .contains("n’existe pas"));
    assert!(body["fields"]["ends_on"]
        .as_str()
        .unwrap()
        .contains("jj/mm/aaaa"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_seeded_demo_rep_signs_in_through_the_sandbox_and_sees_the_demo(pool: PgPool) {
    let seeded = server::seed::run(&pool, None).await.unwrap();
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let me: Value = claire.get("/me").await.json().await.unwrap();
    assert_eq!(me["id"], seeded.user.id.to_string());
    let (_, page) = claire
        .call("list_campaigns", &[("filter[status]", "active")])
        .await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        seeded.campaigns.len() - 1,
        "all but the archived one"
    );
    let html = claire.get("/campagnes").await.text().await.unwrap();
    assert!(
        html.contains("Sirha Lyon") && html.contains("En cours"),
        "{html}"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn invisible_characters_and_overlong_searches_get_a_french_error_not_a_500(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    // A NUL cannot even be stored: it used to reach PostgreSQL and come back as a 500.
    let (status, error) = claire
        .call(
            "save_distributor",
            &[
                ("form[name]", "Métro\0Pro"),
                ("form[website]", ""),
                ("form[notes]", ""),
            ],
        )
        .await;
    assert_eq!(status, 422, "{error}");
    assert!(error["fields"]["name"]
        .as_str()
        .unwrap()
        .contains("caractère invisible interdit (position 6)"));
    let (status, error) = claire
        .call(
            "save_distributor",
            &[
                ("form[name]", "Métro"),
                ("form[website]", ""),
                ("form[notes]", "Stand\u{202E}21B"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{error}");
    assert!(error["fields"]["notes"]
        .as_str()
        .unwrap()
        .contains("invisible"));
    let (_, list) = claire.call("list_distributors", &[]).await;
    assert_eq!(list, serde_json::json!([]), "nothing stored");

    for q in ["sir\0ha", &"a".repeat(101)] {
        let (status, error) = claire
            .call(
                "list_campaigns",
                &[("filter[q]", q), ("filter[status]", "active")],
            )
            .await;
        assert_eq!(status, 422, "{error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("La recherche"),
            "{error}"
        );
    }
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn distributor_options_name_only_the_rep_s_distributors_and_campaigns(pool: PgPool) {
    let app = spawn_app(pool).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let distributor = claire.new_distributor("Métro <Lyon> & Cie").await;
    let campaign = new_campaign(&claire, "Sirha", &distributor, "10/11/2099", "14/11/2099").await;

    // Claire's form for her campaign: her distributor, chosen, its name escaped.
    let (status, html) = claire
        .call(
            "distributor_options",
            &[("filter", "false"), ("campaign", &campaign)],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    let html = html.as_str().unwrap();
    assert!(
        html.starts_with("<option value=\"\">Choisir…</option>"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<option value=\"{distributor}\" selected>Métro &lt;Lyon&gt; &amp; Cie</option>"
        )),
        "{html}"
    );
    // Julien naming Claire's campaign and distributor learns nothing of them.
    let (status, html) = julien
        .call(
            "distributor_options",
            &[
                ("filter", "true"),
                ("campaign", &campaign),
                ("selected", &distributor),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(html, "<option value=\"\">Tous</option>");
    app.shutdown().await.unwrap();
}
