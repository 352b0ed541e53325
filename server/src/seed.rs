//! `spine seed`: a demo rep with distributors and campaigns (past, running, upcoming,
//! archived), the first show's visitors on its board and its scanned catalogue read into
//! products, so a newcomer sees a populated app. Running it again adds nothing twice.

use anyhow::Context;
use app::{
    auth::repo::{upsert_microsoft_user, MicrosoftIdentity},
    board::model::Place,
    campaigns::{repo as campaigns, CampaignDraft, CampaignFilter, StatusFilter},
    catalog::{
        ingesting::{self, Outcome},
        repo::{self as catalogs, NewCatalog},
    },
    distributors::{repo as distributors, DistributorDraft},
    prospects::suppression::AddressKey,
};
use chrono::{Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// The demo tenant ("Démo Salons") of spine-sandbox.
pub const DEMO_TENANT_ID: Uuid = Uuid::from_u128(0xc0ffee00_5a1e_4d00_8000_000000000001);
/// The sandbox account the demo belongs to unless `--owner` names another.
pub const DEMO_EMAIL: &str = "claire.martin@demo-salons.example.test";
/// The namespace spine-sandbox derives object ids in, so the seeded rep can sign in there.
const SANDBOX_OID_NAMESPACE: Uuid = Uuid::from_u128(0x5a1e_0000_5eed_4000_8000_0000_0000_0001);

/// The object id spine-sandbox gives `email` in `tid`.
pub fn sandbox_oid(tid: Uuid, email: &str) -> Uuid {
    Uuid::new_v5(
        &SANDBOX_OID_NAMESPACE,
        format!("{tid}:{}", email.to_lowercase()).as_bytes(),
    )
}

#[derive(Debug, Serialize)]
pub struct SeededUser {
    pub id: Uuid,
    pub email: String,
    pub tid: Uuid,
    pub oid: Uuid,
}

#[derive(Debug, Serialize)]
pub struct SeededCampaign {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Seeded {
    pub user: SeededUser,
    pub campaigns: Vec<SeededCampaign>,
}

/// "claire.martin@…" -> "Claire Martin".
fn name_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    local
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct DemoCampaign {
    name: &'static str,
    distributor: &'static str,
    venue: &'static str,
    city: &'static str,
    /// Days from today to the first day, and length in days.
    start_in: i64,
    days: i64,
    archived: bool,
}

const DISTRIBUTORS: &[(&str, &str)] = &[
    ("Métro Cash & Carry", "https://metro.example.test"),
    ("Transgourmet", "https://transgourmet.example.test"),
    ("Promocash", "https://promocash.example.test"),
];

const CAMPAIGNS: &[DemoCampaign] = &[
    DemoCampaign {
        name: "Salon du Chocolat",
        distributor: "Promocash",
        venue: "Porte de Versailles",
        city: "Paris",
        start_in: -75,
        days: 4,
        archived: false,
    },
    DemoCampaign {
        name: "Equip'Hôtel",
        distributor: "Métro Cash & Carry",
        venue: "Porte de Versailles",
        city: "Paris",
        start_in: -20,
        days: 4,
        archived: false,
    },
    DemoCampaign {
        name: "Sirha Lyon",
        distributor: "Métro Cash & Carry",
        venue: "Eurexpo",
        city: "Lyon",
        start_in: -1,
        days: 4,
        archived: false,
    },
    DemoCampaign {
        name: "Salon de l'Agriculture",
        distributor: "Transgourmet",
        venue: "Porte de Versailles",
        city: "Paris",
        start_in: 45,
        days: 8,
        archived: false,
    },
    DemoCampaign {
        name: "SIAL Paris",
        distributor: "Transgourmet",
        venue: "Paris Nord Villepinte",
        city: "Villepinte",
        start_in: 120,
        days: 4,
        archived: false,
    },
    DemoCampaign {
        name: "Gourmet Sélection (2024)",
        distributor: "Promocash",
        venue: "Paris Expo",
        city: "Paris",
        start_in: -400,
        days: 3,
        archived: true,
    },
];

/// Creates what is missing of the demo for `owner_email` in the sandbox's demo tenant.
pub async fn run(pool: &PgPool, owner_email: Option<&str>) -> anyhow::Result<Seeded> {
    let email = owner_email.unwrap_or(DEMO_EMAIL).trim().to_lowercase();
    anyhow::ensure!(
        email.contains('@'),
        "--owner must be an email address, got {email:?}"
    );
    let identity = MicrosoftIdentity {
        tid: DEMO_TENANT_ID,
        oid: sandbox_oid(DEMO_TENANT_ID, &email),
        name: name_from_email(&email),
        email: Some(email.clone()),
        preferred_username: Some(email.clone()),
    };
    let mut tx = pool.begin().await?;
    let user = upsert_microsoft_user(&mut tx, &identity).await?;

    let mut known = distributors::list(&mut *tx, user.id).await?;
    for (name, website) in DISTRIBUTORS {
        if !known.iter().any(|d| d.name == *name) {
            let draft = DistributorDraft {
                name: name.to_string(),
                website: Some(website.to_string()),
                notes: None,
            };
            known.push(distributors::create(&mut tx, user.id, &draft).await?);
        }
    }

    let mut existing = Vec::new();
    for status in [StatusFilter::Active, StatusFilter::Archived] {
        let filter = CampaignFilter {
            status,
            ..Default::default()
        };
        existing.extend(
            campaigns::list(&mut tx, user.id, &filter, 1000)
                .await?
                .items,
        );
    }
    let today: NaiveDate = Utc::now().date_naive();
    let mut seeded = Vec::new();
    for demo in CAMPAIGNS {
        if let Some(c) = existing.iter().find(|c| c.name == demo.name) {
            seeded.push(SeededCampaign {
                id: c.id,
                name: c.name.clone(),
            });
            continue;
        }
        let distributor = known
            .iter()
            .find(|d| d.name == demo.distributor)
            .expect("demo distributor exists");
        let starts_on = today + Duration::days(demo.start_in);
        let draft = CampaignDraft {
            name: demo.name.to_string(),
            distributor_id: distributor.id,
            venue: Some(demo.venue.to_string()),
            city: Some(demo.city.to_string()),
            starts_on,
            ends_on: starts_on + Duration::days(demo.days - 1),
        };
        let id = campaigns::create(&mut tx, user.id, &draft).await?;
        if demo.archived {
            campaigns::set_archived(&mut tx, user.id, id, true).await?;
        }
        seeded.push(SeededCampaign {
            id,
            name: demo.name.to_string(),
        });
    }
    tx.commit().await?;
    Ok(Seeded {
        user: SeededUser {
            id: user.id,
            email,
            tid: user.tid,
            oid: user.oid,
        },
        campaigns: seeded,
    })
}

/// The visitors of the first show as a rep's file brings them: French Excel's `;`, one row
/// without an address, one address twice.
const DEMO_PROSPECTS: &str = "Civilité;Prénom;Nom;Société;Fonction;E-mail;Téléphone;Ville
Mme;Léa;Mercier;Restaurant L'Étoile;Chef de cuisine;lea.mercier@etoile.example.test;01 30 24 57 70;Lyon
M.;Gaëtan;Garçon;\"Traiteur \"\"Le Gourmet\"\"\";Acheteur;gaetan.garcon@gourmet.example.test;04 56 71 46 98;Paris
M.;Noël;Petit;Boulangerie Saint-Honoré;Gérant;noel.petit@st-honore.example.test;06 18 49 55 49;Brest
Mme;Chloé;Perrin;Brasserie du Port;Sommelière;;05 93 26 83 13;Nantes
Mme;Inès;Gauthier;Hôtel Les Alpes;Responsable achats;ines.gauthier@alpes.example.test;04 62 45 33 59;Annecy
M.;Loïc;Nguyen;CHR Distribution;Directeur;loic.nguyen@chr.example.test;07 28 17 91 14;Lille
Mme;Maëlle;Durand;Cuisines Lefèvre & Fils;Chef de cuisine;maelle.durand@lefevre.example.test;03 76 68 72 98;Orléans
M.;Jérôme;Fabre;Le Comptoir, SARL;Acheteur;Jerome.Fabre@comptoir.example.test ;05 72 43 98 47;Toulouse
M.;Jérôme;Fabre;Le Comptoir, SARL;Acheteur;jerome.fabre@comptoir.example.test;;Toulouse
";

/// The show's scanned catalogue (two image-only pages, twelve products in a grid).
const DEMO_CATALOGUE: &[u8] = include_bytes!("../../catalogue/tests/files/sample-grid.pdf");

/// Where the demo keeps its files, and how catalogues are read.
pub struct Files<'a> {
    pub data_dir: &'a std::path::Path,
    pub limits: &'a catalogue::Limits,
}

/// The demo of every feature: [`run`], then the demo prospects imported into the first show
/// and its catalogue read (once each).
pub async fn demo(
    pool: &PgPool,
    key: &AddressKey,
    files: &Files<'_>,
    owner_email: Option<&str>,
) -> anyhow::Result<Seeded> {
    let seeded = run(pool, owner_email).await?;
    let campaign = seeded.campaigns[0].id;
    demo_catalogue(pool, files, seeded.user.id, campaign).await?;
    // After the prospects below, on a first run: the mails need them.
    let demo_mails = DemoMails {
        pool,
        owner: seeded.user.id,
        campaign,
    };
    let imported: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM import_batches WHERE owner_user_id = $1 AND campaign_id = $2)",
    )
    .bind(seeded.user.id)
    .bind(campaign)
    .fetch_one(pool)
    .await?;
    if !imported {
        app::prospects::import::run(
            pool,
            app::prospects::import::Request {
                owner: seeded.user.id,
                campaign_id: campaign,
                batch: uuid::Uuid::new_v4(),
                file_name: "visiteurs-du-stand.csv".into(),
                input: app::prospects::import::Input::Bytes(DEMO_PROSPECTS.as_bytes().to_vec()),
                columns: app::prospects::import::Columns::Corrected(vec![]),
                source: app::prospects::import::Source::Cli,
                progress: None,
                key: key.clone(),
            },
        )
        .await?;
        // A visitor who asked for no more mails: marked, and on the suppression list.
        let loic: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM prospects WHERE owner_user_id = $1 AND email = $2")
                .bind(seeded.user.id)
                .bind("loic.nguyen@chr.example.test")
                .fetch_one(pool)
                .await?;
        let mut tx = pool.begin().await?;
        app::prospects::contact::set_do_not_contact(
            &mut tx,
            key,
            seeded.user.id,
            campaign,
            loic,
            true,
        )
        .await?;
        // Replies already classified on the board: a yes, a no, a ghost.
        for (email, place) in [
            ("lea.mercier@etoile.example.test", Place::Oven),
            ("gaetan.garcon@gourmet.example.test", Place::FridgeNo),
            ("noel.petit@st-honore.example.test", Place::FridgeGhost),
        ] {
            let id: uuid::Uuid = sqlx::query_scalar(
                "SELECT id FROM prospects WHERE owner_user_id = $1 AND email = $2",
            )
            .bind(seeded.user.id)
            .bind(email)
            .fetch_one(&mut *tx)
            .await?;
            app::board::repo::move_cards(
                &mut tx,
                seeded.user.id,
                campaign,
                &[id],
                Place::WaitingRoom,
                place,
                app::board::repo::At::Top,
                uuid::Uuid::new_v4(),
            )
            .await?;
        }
        tx.commit().await?;
    }
    demo_mails.add().await?;
    demo_mixer(pool, seeded.user.id, campaign).await?;
    Ok(seeded)
}

/// The mixer's demo: a template, the rep's signature, and what three visitors of the first show
/// liked (with notes), so its preview shows a real mail. Once, whatever the runs.
async fn demo_mixer(pool: &PgPool, owner: Uuid, campaign: Uuid) -> anyhow::Result<()> {
    use app::mixer::repo;
    if repo::templates(pool, owner).await?.is_empty() {
        repo::save_template(
            pool,
            owner,
            None,
            "Suite au salon",
            "Suite à notre rencontre au salon {{salon}}",
            "Bonjour {{prenom|Madame, Monsieur}},\n\nMerci de votre visite sur notre stand au \
             salon {{salon}}. Comme convenu, voici les produits dont nous avons parlé :\n\n\
             {{produits}}\n\nJe reste à votre disposition pour un devis ou une démonstration \
             chez {{societe|vous}}.\n\nBien cordialement,",
        )
        .await?;
    }
    if repo::sender(pool, owner).await?.signature.is_empty() {
        repo::save_signature(
            pool,
            owner,
            "Claire Martin\nResponsable des ventes — Salons\n06 12 34 56 78",
            "",
        )
        .await?;
    }
    // The published products, in the catalogue's order.
    let products: Vec<Uuid> = sqlx::query_scalar(
        "SELECT p.id FROM products p JOIN catalogs c ON c.id = p.catalog_id
         WHERE p.owner_user_id = $1 AND c.campaign_id = $2 AND p.status = 'published'
         ORDER BY p.page, p.box_y, p.box_x",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    // A visitor, the products they liked (by place, with a note), the note on them.
    type Liked<'a> = (&'a str, &'a [(usize, &'a str)], &'a str);
    let liked: [Liked; 3] = [
        (
            "maelle.durand@lefevre.example.test",
            &[(0, "Veut un devis pour deux unités"), (2, "")],
            "Ouvre un second restaurant au printemps.",
        ),
        (
            "ines.gauthier@alpes.example.test",
            &[(1, "Démonstration demandée")],
            "",
        ),
        (
            "lea.mercier@etoile.example.test",
            &[(3, ""), (4, "Budget validé en janvier")],
            "Décision avec son associé.",
        ),
    ];
    for (email, items, note) in liked {
        let prospect: Uuid =
            sqlx::query_scalar("SELECT id FROM prospects WHERE owner_user_id = $1 AND email = $2")
                .bind(owner)
                .bind(email)
                .fetch_one(pool)
                .await?;
        for (i, product_note) in items {
            if let Some(product) = products.get(*i) {
                repo::add_interest(pool, owner, campaign, prospect, *product, product_note).await?;
            }
        }
        repo::save_note(pool, owner, campaign, prospect, note).await?;
    }
    Ok(())
}

/// The first show's mails as the Envois tab shows them after a morning of sending: some sent,
/// one refused, one whose answer never came (the rep decides), one waiting for the rep to
/// connect their mailbox in the sandbox (it then leaves).
struct DemoMails<'a> {
    pool: &'a PgPool,
    owner: Uuid,
    campaign: Uuid,
}

impl DemoMails<'_> {
    async fn add(&self) -> anyhow::Result<()> {
        use app::mail::repo::{add_email, NewEmail};
        let now = Utc::now();
        let mails = [
            ("lea.mercier@etoile.example.test", "sent", None),
            ("gaetan.garcon@gourmet.example.test", "sent", None),
            (
                "noel.petit@st-honore.example.test",
                "unknown",
                Some("Outlook n’a pas confirmé l’envoi : ce mail est peut-être parti. Vérifiez vos éléments envoyés, puis marquez-le envoyé ou renvoyez-le."),
            ),
            (
                "ines.gauthier@alpes.example.test",
                "failed",
                Some("Adresse refusée par Outlook : ines.gauthier@alpes.example.test n’est pas une adresse valide."),
            ),
            ("maelle.durand@lefevre.example.test", "ready", None),
        ];
        let mut tx = self.pool.begin().await?;
        for (email, status, error) in mails {
            let (prospect, first_name, last_name): (Uuid, String, String) = sqlx::query_as(
                "SELECT id, first_name, last_name FROM prospects WHERE owner_user_id = $1 AND email = $2",
            )
            .bind(self.owner)
            .bind(email)
            .fetch_one(&mut *tx)
            .await?;
            let text = format!(
                "Bonjour {first_name},\n\nMerci de votre visite sur notre stand. Comme promis, \
                 voici nos nouveautés du salon.\n\nBien cordialement,\nClaire Martin"
            );
            let html = format!(
                "<p>Bonjour {first_name},</p><p>Merci de votre visite sur notre stand. Comme \
                 promis, voici nos nouveautés du salon.</p><p>Bien cordialement,<br>Claire Martin</p>"
            );
            let key = format!("demo:{}:{prospect}:1", self.campaign);
            let (id, added) = add_email(
                &mut tx,
                self.owner,
                &NewEmail {
                    campaign: Some(self.campaign),
                    prospect: Some(prospect),
                    kind: "prospecting",
                    status: "ready",
                    idempotency_key: &key,
                    to_address: email,
                    to_name: &format!("{first_name} {last_name}"),
                    subject: "Suite à votre visite sur notre stand",
                    html_body: &html,
                    text_body: &text,
                },
                now - Duration::hours(3),
            )
            .await?;
            if added && status != "ready" {
                sqlx::query(
                    "UPDATE outbox_emails SET status = $2, attempts = 1, last_error = $3,
                         sent_at = CASE WHEN $2 = 'sent' THEN $4 END, updated_at = $4
                     WHERE id = $1",
                )
                .bind(id)
                .bind(status)
                .bind(error)
                .bind(now - Duration::hours(2))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The first show's scanned catalogue, read by OCR as the job reads it: its first eight
/// products (in the catalogue's order) approved and published, the others left to check.
async fn demo_catalogue(
    pool: &PgPool,
    files: &Files<'_>,
    owner: Uuid,
    campaign: Uuid,
) -> anyhow::Result<()> {
    let known: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM catalogs WHERE owner_user_id = $1 AND campaign_id = $2)",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_one(pool)
    .await?;
    if known {
        return Ok(());
    }
    let sha256 = catalogs::save_pdf(files.data_dir, DEMO_CATALOGUE).await?;
    let pdf = catalogs::pdf_path(files.data_dir, &sha256);
    let pages = catalogue::ocr::check(&pdf, files.limits).await?;
    let new = NewCatalog {
        owner,
        campaign,
        file_name: "catalogue-du-salon.pdf".into(),
        sha256,
        size_bytes: DEMO_CATALOGUE.len() as i64,
        pages: pages as i32,
    };
    let (catalog, job) = catalogs::create(pool, &new)
        .await?
        .context("the demo campaign is the demo rep's")?;
    match ingesting::run(pool, files.data_dir, files.limits, job).await? {
        Outcome::Done { .. } => {}
        other => anyhow::bail!("the demo catalogue could not be read: {other:?}"),
    }
    let first: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM products WHERE catalog_id = $1 ORDER BY page, box_y, box_x LIMIT 8",
    )
    .bind(catalog)
    .fetch_all(pool)
    .await?;
    catalogs::approve(pool, owner, campaign, catalog, &first).await?;
    catalogs::publish(pool, owner, campaign, catalog).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeded_rep_has_the_oid_the_sandbox_gives_them() {
        assert_eq!(DEMO_TENANT_ID.to_string(), sandbox::DEMO_TENANT_ID);
        assert_eq!(
            sandbox_oid(DEMO_TENANT_ID, DEMO_EMAIL),
            sandbox::oid_for(sandbox::DEMO_TENANT_ID, DEMO_EMAIL)
        );
        assert_eq!(
            sandbox_oid(DEMO_TENANT_ID, "New.Rep@Example.test"),
            sandbox::oid_for(sandbox::DEMO_TENANT_ID, "new.rep@example.test")
        );
    }

    #[test]
    fn a_display_name_comes_from_the_email() {
        assert_eq!(
            name_from_email("claire.martin@demo-salons.example.test"),
            "Claire Martin"
        );
        assert_eq!(
            name_from_email("jean-luc_dupont@example.test"),
            "Jean Luc Dupont"
        );
    }

    #[sqlx::test(migrator = "app::MIGRATOR")]
    async fn seeding_twice_adds_nothing_twice(pool: PgPool) {
        let first = run(&pool, None).await.unwrap();
        let second = run(&pool, None).await.unwrap();
        assert_eq!(first.user.id, second.user.id);
        let ids = |s: &Seeded| s.campaigns.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&second));
        let counts: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM distributors), (SELECT count(*) FROM campaigns)",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            counts,
            (1, DISTRIBUTORS.len() as i64, CAMPAIGNS.len() as i64)
        );
        // Past, running, upcoming and archived are all there.
        let statuses: std::collections::HashSet<String> = sqlx::query_scalar(
            "SELECT CASE WHEN archived_at IS NOT NULL THEN 'archived' WHEN starts_on > spine_today() THEN 'upcoming'
                         WHEN ends_on < spine_today() THEN 'past' ELSE 'running' END FROM campaigns",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        assert_eq!(statuses.len(), 4, "{statuses:?}");
    }

    #[sqlx::test(migrator = "app::MIGRATOR")]
    async fn the_demo_imports_its_prospects_and_reads_its_catalogue_into_the_first_show_once(
        pool: PgPool,
    ) {
        let key = AddressKey::new("seed-test-key");
        let data_dir = std::env::temp_dir().join(format!("spine-seed-test-{}", Uuid::new_v4()));
        let limits = catalogue::Limits::default();
        let files = Files {
            data_dir: &data_dir,
            limits: &limits,
        };
        let first = demo(&pool, &key, &files, None).await.unwrap();
        demo(&pool, &key, &files, None).await.unwrap();
        let counts: (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM prospects), (SELECT count(*) FROM campaign_prospects WHERE campaign_id = $1),
                    (SELECT count(*) FROM import_batches), (SELECT count(*) FROM import_rejections)",
        )
        .bind(first.campaigns[0].id)
        .fetch_one(&pool)
        .await
        .unwrap();
        // Nine rows: one without an address, one address twice.
        assert_eq!(counts, (7, 7, 1, 1));
        let marked: (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM prospects WHERE do_not_contact),
                    (SELECT count(*) FROM suppressed_addresses WHERE reason = 'opted_out')",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(marked, (1, 1));
        // The Envois tab's morning: once, whatever the runs.
        let mails: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, count(*) FROM outbox_emails GROUP BY 1 ORDER BY 1")
                .fetch_all(&pool)
                .await
                .unwrap();
        let mails: Vec<(&str, i64)> = mails.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        assert_eq!(
            mails,
            [("failed", 1), ("ready", 1), ("sent", 2), ("unknown", 1)]
        );
        let board: Vec<(String, i64)> = sqlx::query_as(
            "SELECT spine_board_place(stage, outcome), count(*) FROM campaign_prospects
             GROUP BY 1 ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let board: Vec<(&str, i64)> = board.iter().map(|(p, n)| (p.as_str(), *n)).collect();
        assert_eq!(
            board,
            [
                ("fridge_ghost", 1),
                ("fridge_no", 1),
                ("oven", 1),
                ("waiting_room", 4)
            ]
        );
        // The catalogue, read once: eight products published (each logged), four to check.
        let products: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, count(*) FROM products GROUP BY 1 ORDER BY 1")
                .fetch_all(&pool)
                .await
                .unwrap();
        let products: Vec<(&str, i64)> = products.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        assert_eq!(products, [("published", 8), ("staged", 4)]);
        let logged: i64 =
            sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'publish'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(logged, 8);
        // The mixer: a template and five products liked by three visitors, once.
        let mixer: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM email_templates),
                    (SELECT count(*) FROM prospect_product_interests),
                    (SELECT count(DISTINCT prospect_id) FROM prospect_product_interests)",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(mixer, (1, 5, 3));
        let _ = std::fs::remove_dir_all(&data_dir);
    }
}
