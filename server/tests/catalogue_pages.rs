//! The catalogue pages over HTTP, as a browser without WASM uses them: the upload (checked
//! before anything is stored, a file sent twice kept once), the reading followed live, the
//! review (a correction beside its crop, a refused price kept as typed, approve, publish,
//! merge) and the search of published products; another rep finds none of it.

mod common;

use std::time::Duration;

use sandbox::DEMO_TENANT_ID;
use sqlx::PgPool;
use uuid::Uuid;

const FILES: &str = "../catalogue/tests/files";
const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";

async fn page(browser: &common::browser::Browser, path: &str) -> (u16, String) {
    let res = browser.get(path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The events of a reading's stream until it ends (or `within` passes).
async fn follow(browser: &common::browser::Browser, path: &str, within: Duration) -> Vec<String> {
    let res = browser.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    let mut res = res;
    let mut text = String::new();
    let _ = tokio::time::timeout(within, async {
        while let Ok(Some(chunk)) = res.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            let ended = ["done", "failed", "cancelled"]
                .iter()
                .any(|end| text.contains(&format!("\"state\":\"{end}\"")));
            if ended {
                break;
            }
        }
    })
    .await;
    text.lines()
        .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
        .map(str::to_string)
        .collect()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_catalogue_sent_from_its_tab_is_read_live_corrected_beside_its_crop_published_and_found(
    pool: PgPool,
) {
    let data = std::env::temp_dir().join(format!("spine-catalogue-pages-{}", Uuid::new_v4()));
    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.data_dir = data.clone();
    })
    .await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let tab = format!("/campagnes/{campaign}/catalogue");

    let (status, html) = page(&claire, &tab).await;
    assert_eq!(status, 200);
    assert!(html.contains("Envoyer le catalogue"), "{html}");
    assert!(html.contains("Aucun catalogue pour l’instant"));
    // Another rep: not found, and sends nothing there.
    assert_eq!(page(&julien, &tab).await.0, 404);
    let grid = std::fs::read(format!("{FILES}/sample-grid.pdf")).unwrap();
    assert_eq!(
        julien
            .send_catalogue(&campaign, "grille.pdf", grid.clone())
            .await
            .status(),
        404
    );

    // Not a PDF: said on the tab, nothing stored.
    let res = claire
        .send_catalogue(&campaign, "contacts.pdf", b"Prenom;Nom\n".to_vec())
        .await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, tab.clone()));
    let (_, html) = page(&claire, &tab).await;
    assert!(
        html.contains("Ce fichier n’est pas un PDF"),
        "the refusal is said on the tab: {html}"
    );
    let catalogs = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM catalogs")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(catalogs().await, 0);
    let kept = |dir: &std::path::Path| {
        std::fs::read_dir(dir.join("catalogues"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(kept(&data), 0, "a refused file is not kept");

    // The grid catalogue: stored, read by the worker, followed live.
    let res = claire
        .send_catalogue(&campaign, "grille.pdf", grid.clone())
        .await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, tab.clone()));
    let catalog: Uuid = sqlx::query_scalar("SELECT id FROM catalogs")
        .fetch_one(&pool)
        .await
        .unwrap();
    let progress = format!("/campagnes/{campaign}/catalogue/{catalog}/progression");
    assert_eq!(julien.get(&progress).await.status(), 404);
    // Only its rep stops its reading.
    let (status, _) = julien
        .call(
            "cancel_catalogue_reading",
            &[("campaign", &campaign), ("catalog", &catalog.to_string())],
        )
        .await;
    assert_eq!(status, 404);
    let (_, html) = page(&claire, &tab).await;
    assert!(html.contains("Catalogue envoyé"), "{html}");
    assert!(html.contains("grille.pdf"));
    let events = follow(&claire, &progress, Duration::from_secs(180)).await;
    let last: serde_json::Value = serde_json::from_str(events.last().unwrap()).unwrap();
    assert_eq!(last["state"], "done", "{events:?}");
    assert_eq!(last["products"], 12, "{events:?}");
    assert!(
        events.iter().any(|e| e.contains("\"running\"")),
        "pages read are told as they come: {events:?}"
    );
    // Sent again (a double tap): the same catalogue.
    let res = claire
        .send_catalogue(&campaign, "grille (1).pdf", grid)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(catalogs().await, 1);
    let (_, html) = page(&claire, &tab).await;
    assert!(html.contains("Ce catalogue est déjà dans la campagne."));
    assert!(html.contains("12 produits lus : 12 à vérifier"), "{html}");

    // The review: each product beside its crop.
    let review = format!("/campagnes/{campaign}/catalogue/{catalog}");
    assert_eq!(page(&julien, &review).await.0, 404);
    let (status, html) = page(&claire, &review).await;
    assert_eq!(status, 200);
    assert!(html.contains("BR299126"), "{html}");
    let (product, crop): (Uuid, String) = sqlx::query_as(
        "SELECT p.id, a.path FROM products p JOIN product_assets a ON a.product_id = p.id
         WHERE p.reference = 'BR299126'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let crop_href = format!("/campagnes/{campaign}/catalogue/produits/{product}/extrait.jpg");
    assert!(html.contains(&crop_href), "the crop is beside its product");
    let res = claire.get(&crop_href).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes, std::fs::read(data.join(crop)).unwrap());
    assert_eq!(julien.get(&crop_href).await.status(), 404);

    // A price the rep mistyped: refused in French, what was typed kept, nothing saved.
    let product_s = product.to_string();
    let form = |name: &'static str, price: &'static str, decision: &'static str| {
        vec![
            ("campaign", campaign.clone()),
            ("product", product_s.clone()),
            ("reference", "BR299126".to_string()),
            ("name", name.to_string()),
            ("description", "Finition satinée.".to_string()),
            ("price", price.to_string()),
            ("decision", decision.to_string()),
            ("retour", format!("{review}?vue=tous")),
            ("_page", format!("{review}?vue=tous")),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let claire = claire.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            claire.post_page_form("/api/save_product", &pairs).await
        }
    };
    let res = post(form("Tablier isotherme (lot de 4)", "douze", "approuver")).await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&claire, &format!("{review}?vue=tous")).await;
    assert!(html.contains("Prix illisible : « douze »"), "{html}");
    assert!(html.contains("Tablier isotherme (lot de 4)"), "typed kept");
    let status: String = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "staged");

    // Corrected and approved: saved, marked as the rep's, logged; back at the product.
    let res = post(form("Tablier isotherme (lot de 4)", "15,90", "approuver")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("{review}?vue=tous#produit-{product}")
    );
    let (status, name, price, edited): (String, String, i64, Vec<String>) =
        sqlx::query_as("SELECT status, name, price_cents, edited FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), name.as_str(), price),
        ("approved", "Tablier isotherme (lot de 4)", 1590)
    );
    for field in ["name", "price_cents", "description"] {
        assert!(edited.iter().any(|e| e == field), "{edited:?}");
    }
    let logged: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity_type = 'product' AND entity_id = $1",
    )
    .bind(product)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(logged, ["approve"]);
    let (_, html) = page(&claire, &format!("{review}?vue=tous")).await;
    assert!(
        html.contains("« Tablier isotherme (lot de 4) » approuvé."),
        "the notice is said on the page the form came back to"
    );
    // Another rep's edit of it: not found.
    let (status, _) = julien
        .call(
            "save_product",
            &[
                ("campaign", &campaign),
                ("product", &product_s),
                ("reference", "X"),
                ("name", "Volé"),
                ("price", "1"),
            ],
        )
        .await;
    assert_eq!(status, 404);

    // Reject one, approve the rest at once, publish.
    let rejected: Uuid = sqlx::query_scalar("SELECT id FROM products WHERE reference = 'KO-7490'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (status, _) = claire
        .call(
            "save_product",
            &[
                ("campaign", &campaign),
                ("product", &rejected.to_string()),
                ("reference", "KO-7490"),
                ("name", "Mandoline anti-adhésive 50 cl"),
                ("price", "31,25"),
                ("decision", "rejeter"),
                ("retour", &review),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let catalog_s = catalog.to_string();
    let approve = [
        ("campaign", campaign.as_str()),
        ("catalog", catalog_s.as_str()),
        ("tous", "true"),
    ];
    assert_eq!(julien.call("approve_products", &approve).await.0, 404);
    let res = claire
        .post_page_form("/api/approve_products", &approve)
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&claire, &review).await;
    assert!(html.contains("10 produits approuvés."), "{html}");
    let publish = [
        ("campaign", campaign.as_str()),
        ("catalog", catalog_s.as_str()),
    ];
    assert_eq!(julien.call("publish_catalogue", &publish).await.0, 404);
    let res = claire
        .post_page_form("/api/publish_catalogue", &publish)
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&claire, &review).await;
    assert!(html.contains("11 produits publiés."), "{html}");
    let published: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'publish'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(published, 11);

    // Found by search, whatever the accents and case, by a part of its reference, by a stem.
    for q in [
        "TABLIER",
        "tablier isotherme",
        "br2991",
        "tabliers",
        "lot de 4",
    ] {
        let (_, html) = page(
            &claire,
            &format!(
                "{tab}?q={}",
                form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ),
        )
        .await;
        assert!(
            html.contains("Tablier isotherme (lot de 4)"),
            "« {q} » finds the corrected product"
        );
        assert!(html.contains("15,90\u{202F}€"), "at its corrected price");
    }
    let (_, html) = page(&claire, &format!("{tab}?q=mandoline")).await;
    assert!(
        html.contains("Aucun produit publié ne correspond à « mandoline »."),
        "a rejected product is not published"
    );
    assert_eq!(page(&julien, &format!("{tab}?q=tablier")).await.0, 404);

    // Read again: the rep's corrections and decisions stay.
    let again = [
        ("campaign", campaign.as_str()),
        ("catalog", catalog_s.as_str()),
    ];
    assert_eq!(julien.call("read_catalogue_again", &again).await.0, 404);
    let res = claire
        .post_page_form("/api/read_catalogue_again", &again)
        .await;
    assert_eq!(res.status(), 303);
    let events = follow(&claire, &progress, Duration::from_secs(180)).await;
    assert!(
        events.last().unwrap().contains("\"state\":\"done\""),
        "{events:?}"
    );
    let (status, name, price): (String, String, i64) =
        sqlx::query_as("SELECT status, name, price_cents FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), name.as_str(), price),
        ("published", "Tablier isotherme (lot de 4)", 1590)
    );
    let status: String = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(rejected)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "rejected");

    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_duplicate_is_merged_into_the_product_it_repeats_and_stays_merged(pool: PgPool) {
    let data = std::env::temp_dir().join(format!("spine-catalogue-merge-{}", Uuid::new_v4()));
    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.data_dir = data.clone();
    })
    .await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let owner: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(CLAIRE)
        .fetch_one(&pool)
        .await
        .unwrap();
    // A catalogue of two products, the second the first read again under another reference.
    let catalog = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO catalogs (id, owner_user_id, campaign_id, file_name, sha256, size_bytes, pages)
         VALUES ($1, $2, $3, 'c.pdf', repeat('a', 64), 1, 1)",
    )
    .bind(catalog)
    .bind(owner)
    .bind(Uuid::parse_str(&campaign).unwrap())
    .execute(&pool)
    .await
    .unwrap();
    let product = |reference: &str, description: &str| {
        let pool = pool.clone();
        let (reference, description) = (reference.to_string(), description.to_string());
        async move {
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO products (id, owner_user_id, catalog_id, reference, read_reference,
                                       name, description, price_cents, page, box_x, box_y,
                                       box_w, box_h, confidence)
                 VALUES ($1, $2, $3, $4, $4, 'Chaise bistrot', $5, 4900, 1, 10, $6, 100, 50,
                         '{}')",
            )
            .bind(id)
            .bind(owner)
            .bind(catalog)
            .bind(&reference)
            .bind(&description)
            .bind(if reference == "CH-1" { 10.0 } else { 400.0 })
            .execute(&pool)
            .await
            .unwrap();
            id
        }
    };
    let kept = product("CH-1", "").await;
    let duplicate = product("CH-1B", "Hêtre massif.").await;
    let review = format!("/campagnes/{campaign}/catalogue/{catalog}");
    let (_, html) = page(&claire, &review).await;
    assert!(html.contains("Même nom que CH-1 : doublon ?"), "{html}");
    assert!(html.contains("Fusionner dans CH-1"));

    let merge = [
        ("campaign", campaign.as_str()),
        ("product", &duplicate.to_string()),
        ("into", &kept.to_string()),
        ("retour", review.as_str()),
    ];
    assert_eq!(julien.call("merge_product", &merge).await.0, 404);
    // A published product is not merged away from the search.
    let set_status = |status: &'static str| {
        sqlx::query("UPDATE products SET status = $2 WHERE id = $1")
            .bind(duplicate)
            .bind(status)
            .execute(&pool)
    };
    set_status("published").await.unwrap();
    assert_eq!(claire.call("merge_product", &merge).await.0, 404);
    set_status("staged").await.unwrap();
    let res = claire.post_page_form("/api/merge_product", &merge).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{review}#produit-{kept}"));
    let (status, into): (String, Option<Uuid>) =
        sqlx::query_as("SELECT status, merged_into FROM products WHERE id = $1")
            .bind(duplicate)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), into), ("merged", Some(kept)));
    let description: String = sqlx::query_scalar("SELECT description FROM products WHERE id = $1")
        .bind(kept)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        description, "Hêtre massif.",
        "the kept one takes what it lacked"
    );
    let (_, html) = page(&claire, &format!("{review}?vue=tous")).await;
    assert!(
        !html.contains("CH-1B"),
        "a merged product leaves the review"
    );

    // Read again, the duplicate's reference stays merged.
    let read = catalogue::Product {
        reference: "CH-1B".into(),
        name: "Chaise bistrot".into(),
        description: String::new(),
        price_cents: 4900,
        currency: "EUR".into(),
        page: 1,
        bbox: catalogue::PdfBox {
            x: 10.0,
            y: 400.0,
            w: 100.0,
            h: 50.0,
        },
        confidence: catalogue::Confidence {
            reference: 0.9,
            name: 0.9,
            description: 0.9,
            price: 0.9,
        },
    };
    app::catalog::repo::stage(&pool, owner, catalog, &[read])
        .await
        .unwrap();
    let status: String = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(duplicate)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "merged");
    let edited: Vec<String> = sqlx::query_scalar("SELECT edited FROM products WHERE id = $1")
        .bind(kept)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(edited, ["description"], "what the merge brought stays");

    // A reference the rep corrected: read again as printed, it is the same product.
    let (status, _) = claire
        .call(
            "save_product",
            &[
                ("campaign", &campaign),
                ("product", &kept.to_string()),
                ("reference", "CH-01"),
                ("name", "Chaise bistrot"),
                ("description", "Hêtre massif."),
                ("price", "49"),
                ("retour", &review),
            ],
        )
        .await;
    assert_eq!(status, 200);
    app::catalog::repo::stage(&pool, owner, catalog, &[read_as("CH-1")])
        .await
        .unwrap();
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT reference, read_reference FROM products WHERE status <> 'merged' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        references,
        [("CH-01".to_string(), "CH-1".to_string())],
        "no second product for the corrected one"
    );
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}

/// The demo chair as a reading gives it, under `reference`.
fn read_as(reference: &str) -> catalogue::Product {
    catalogue::Product {
        reference: reference.into(),
        name: "Chaise bistrot".into(),
        description: String::new(),
        price_cents: 4900,
        currency: "EUR".into(),
        page: 1,
        bbox: catalogue::PdfBox {
            x: 10.0,
            y: 10.0,
            w: 100.0,
            h: 50.0,
        },
        confidence: catalogue::Confidence {
            reference: 0.9,
            name: 0.9,
            description: 0.9,
            price: 0.9,
        },
    }
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_catalogue_over_the_size_limit_is_refused_before_anything_is_stored(pool: PgPool) {
    let data = std::env::temp_dir().join(format!("spine-catalogue-limit-{}", Uuid::new_v4()));
    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.data_dir = data.clone();
        c.catalogue_max_mb = 1;
    })
    .await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let campaign = claire.new_campaign("Sirha Lyon").await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    let res = claire.send_catalogue(&campaign, "gros.pdf", big).await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&claire, &format!("/campagnes/{campaign}/catalogue")).await;
    assert!(html.contains("Le fichier dépasse 1 Mo."), "{html}");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM catalogs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let files = std::fs::read_dir(data.join("catalogues"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(files, 0, "nothing of it stays on disk");
    let _ = std::fs::remove_dir_all(&data);
    app.shutdown().await.unwrap();
}
