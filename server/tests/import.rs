//! Importing prospect files into a campaign: the shared example files with their exact
//! figures, re-imports, known contacts, owners, refused files, and the command line.

use app::prospects::{
    import::{run, Columns, ImportError, Input, Request, Source, Summary},
    suppression::AddressKey,
};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const FILES: &str = "../import/tests/files";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";

/// The demo rep (with campaigns) and one of their campaigns.
async fn rep_and_campaign(pool: &PgPool, email: Option<&str>) -> (Uuid, Uuid) {
    let seeded = server::seed::run(pool, email).await.unwrap();
    (seeded.user.id, seeded.campaigns[0].id)
}

/// The tests' key of the suppression list (as `spine` in development).
fn key() -> AddressKey {
    AddressKey::new(app::config::DEVELOPMENT_ADDRESS_KEY)
}

/// Léa's first and last name, city and extra columns, as stored.
async fn lea(pool: &PgPool) -> (String, String, String, Value) {
    sqlx::query_as(
        "SELECT first_name, last_name, city, extra FROM prospects WHERE email = 'lea@ex.fr'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn import(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    name: &str,
) -> Result<Summary, ImportError> {
    let file = Input::File(format!("{FILES}/{name}").into());
    import_input(pool, owner, campaign, name, file).await
}

/// Imports `text` as the file `name`.
async fn import_text(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    name: &str,
    text: &str,
) -> Summary {
    let bytes = Input::Bytes(text.as_bytes().to_vec());
    import_input(pool, owner, campaign, name, bytes)
        .await
        .unwrap()
}

async fn import_input(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    name: &str,
    input: Input,
) -> Result<Summary, ImportError> {
    run(
        pool,
        Request {
            owner,
            campaign_id: campaign,
            batch: uuid::Uuid::new_v4(),
            file_name: name.into(),
            input,
            columns: Columns::Corrected(vec![]),
            source: Source::Web,
            progress: None,
            key: key(),
        },
    )
    .await
}

/// The summary in the shape of the fixtures' `.expected.json`.
fn figures(summary: &Summary) -> Value {
    json!({
        "rows": summary.rows,
        "valid": summary.valid,
        "duplicates_in_file": summary.duplicates_in_file,
        "new_prospects": summary.new_prospects,
        "invalid": summary.invalid,
    })
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FILES}/{name}.expected.json")).unwrap();
    let mut expected: Value = serde_json::from_str(&text).unwrap();
    expected.as_object_mut().unwrap().remove("format");
    expected
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn every_example_file_imports_with_exactly_its_expected_figures(pool: PgPool) {
    for name in [
        "excel-fr.csv",
        "excel-fr.xlsx",
        "excel-unicode.txt",
        "linkedin-connections.csv",
        "outlook-contacts.csv",
    ] {
        // Each file for a rep with no contacts yet, as the fixtures assume.
        let rep = format!("rep.{}@demo-salons.example.test", name.replace('.', "-"));
        let (owner, campaign) = rep_and_campaign(&pool, Some(&rep)).await;
        let summary = import(&pool, owner, campaign, name).await.unwrap();
        assert_eq!(figures(&summary), expected(name), "{name}");
        let linked = count(
            &pool,
            &format!("SELECT count(*) FROM campaign_prospects WHERE campaign_id = '{campaign}'"),
        )
        .await;
        assert_eq!(linked as u64, summary.new_prospects, "{name}");
    }
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn importing_the_same_file_again_adds_nothing(pool: PgPool) {
    let (owner, campaign) = rep_and_campaign(&pool, None).await;
    import(&pool, owner, campaign, "excel-fr.csv")
        .await
        .unwrap();
    let again = import(&pool, owner, campaign, "excel-fr.csv")
        .await
        .unwrap();
    assert_eq!(
        (again.new_prospects, again.already_known, again.linked),
        (0, 191, 0)
    );
    // The same people as a workbook: still nothing new.
    let workbook = import(&pool, owner, campaign, "excel-fr.xlsx")
        .await
        .unwrap();
    assert_eq!((workbook.new_prospects, workbook.linked), (0, 0));
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 191);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaign_prospects").await,
        191
    );
    // Each attempt is on record, with its rejected lines.
    assert_eq!(count(&pool, "SELECT count(*) FROM import_batches").await, 3);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM import_rejections").await,
        12
    );
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_known_contact_is_linked_and_only_gets_what_it_lacked(pool: PgPool) {
    let (owner, campaign) = rep_and_campaign(&pool, None).await;
    let other_campaign = server::seed::run(&pool, None).await.unwrap().campaigns[1].id;
    let first = "Prénom;Nom;E-mail;Ville\nLéa;Mercier;lea@ex.fr;\n";
    import_text(&pool, owner, campaign, "contacts.csv", first).await;
    let later = "Prénom;Nom;E-mail;Ville;Badge\nLéo;;LEA@ex.fr;Lyon;B12\n";
    let second = import_text(&pool, owner, other_campaign, "contacts.csv", later).await;
    assert_eq!(
        (second.new_prospects, second.already_known, second.linked),
        (0, 1, 1)
    );
    let (first_name, last_name, city, extra) = lea(&pool).await;
    // What the rep had stays; what was empty is filled; the new column is kept.
    assert_eq!(
        (first_name.as_str(), last_name.as_str(), city.as_str()),
        ("Léa", "Mercier", "Lyon")
    );
    assert_eq!(extra, json!({"Badge": "B12"}));
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 1);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM campaign_prospects").await,
        2
    );
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_s_campaign_is_not_found_and_nothing_is_stored(pool: PgPool) {
    let (_, claire_campaign) = rep_and_campaign(&pool, None).await;
    let (julien, _) = rep_and_campaign(&pool, Some(JULIEN)).await;
    let refused = import(&pool, julien, claire_campaign, "excel-fr.csv").await;
    assert!(
        matches!(refused, Err(ImportError::CampaignNotFound)),
        "{refused:?}"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM import_batches").await, 0);
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_refused_file_stores_nothing_and_says_why(pool: PgPool) {
    let (owner, campaign) = rep_and_campaign(&pool, None).await;
    for (name, code) in [
        ("scanned.pdf", "not_a_table"),
        ("no-email-column.csv", "no_email_column"),
        ("header-only.csv", "empty_file"),
        ("unclosed-quote.csv", "unreadable"),
    ] {
        let error = import(&pool, owner, campaign, name).await.unwrap_err();
        assert_eq!(error.code(), code, "{name}");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM import_batches").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM prospects").await, 0);
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_command_line_prints_the_summary_or_the_error_as_json(pool: PgPool) {
    let (_, campaign) = rep_and_campaign(&pool, None).await;
    let options = pool.connect_options();
    let database_url = format!(
        "postgres://postgres@127.0.0.1:{}/{}",
        options.get_port(),
        options.get_database().unwrap()
    );
    let spine = |args: &[&str], env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_spine"))
            .arg("import-prospects")
            .args(["--owner", "claire.martin@demo-salons.example.test"])
            .args(["--campaign", &campaign.to_string()])
            .args(args)
            .env("DATABASE_URL", &database_url)
            .env("SPINE_LOG", "error")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let out = spine(&[&format!("{FILES}/linkedin-connections.csv")], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut shape = printed.clone();
    for extra in ["batch", "already_known", "linked", "rejected"] {
        shape.as_object_mut().unwrap().remove(extra);
    }
    assert_eq!(shape, expected("linkedin-connections.csv"));

    // A correction: the personal address column is the contact's email.
    let dir = std::env::temp_dir().join(format!("spine-import-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let two_columns = dir.join("two-columns.csv");
    std::fs::write(
        &two_columns,
        "Nom;E-mail;Perso\nDupont;pro@ex.fr;perso@ex.fr\n",
    )
    .unwrap();
    let out = spine(
        &["--map", "email=Perso", two_columns.to_str().unwrap()],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM prospects WHERE email = 'perso@ex.fr'"
        )
        .await,
        1
    );
    let out = spine(
        &["--map", "email=Absente", two_columns.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["error"]["code"], "unknown_column");

    let out = spine(&[&format!("{FILES}/scanned.pdf")], &[]);
    assert_eq!(out.status.code(), Some(2));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["error"]["code"], "not_a_table");
    assert!(printed["error"]["message"]
        .as_str()
        .unwrap()
        .contains("PDF"));

    let big = dir.join("big.csv");
    let mut text = String::from("Nom;E-mail\n");
    while text.len() <= 1024 * 1024 {
        text.push_str("Dupont;dupont@ex.fr\n");
    }
    std::fs::write(&big, text).unwrap();
    let out = spine(&[big.to_str().unwrap()], &[("SPINE_IMPORT_MAX_MB", "1")]);
    assert_eq!(out.status.code(), Some(2));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["error"]["code"], "too_large");
    std::fs::remove_dir_all(dir).unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_duplicate_in_the_file_only_fills_what_its_first_row_left_empty(pool: PgPool) {
    let (owner, campaign) = rep_and_campaign(&pool, None).await;
    let text = "Prénom;Nom;E-mail;Ville;Badge;Stand\n\
                Léa;Mercier;lea@ex.fr;;;A1\n\
                Léo;;LEA@ex.fr ;Lyon;B12;Z9\n\
                ;Martin;lea@ex.fr;Paris;C3;\n";
    let summary = import_text(&pool, owner, campaign, "doublons.csv", text).await;
    assert_eq!(
        (
            summary.valid,
            summary.duplicates_in_file,
            summary.new_prospects
        ),
        (3, 2, 1)
    );
    let (first_name, last_name, city, extra) = lea(&pool).await;
    assert_eq!(
        (first_name.as_str(), last_name.as_str(), city.as_str()),
        ("Léa", "Mercier", "Lyon")
    );
    assert_eq!(extra, json!({"Badge": "B12", "Stand": "A1"}));
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn links_and_prospects_keep_their_campaign_and_owner_as_foreign_keys_would(pool: PgPool) {
    let (owner, campaign) = rep_and_campaign(&pool, None).await;
    import_text(
        &pool,
        owner,
        campaign,
        "a.csv",
        "E-mail\nanne@cafe.fr\nbob@cafe.fr\n",
    )
    .await;
    let violation = |e: sqlx::Error| {
        e.as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned())
    };
    // A link to a campaign that is not its owner's, or a prospect of nobody, is refused.
    let stranger = Uuid::new_v4();
    let link = sqlx::query(
        "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id)
         SELECT $1, $2, id FROM prospects LIMIT 1",
    )
    .bind(owner)
    .bind(stranger)
    .execute(&pool)
    .await;
    assert_eq!(
        link.map_err(violation).unwrap_err().as_deref(),
        Some("23503")
    );
    let nobody = sqlx::query(
        "INSERT INTO prospects (id, owner_user_id, email, origin) VALUES ($1, $2, 'x@y.fr', 'hand')",
    )
    .bind(Uuid::new_v4())
    .bind(stranger)
    .execute(&pool)
    .await;
    assert_eq!(
        nobody.map_err(violation).unwrap_err().as_deref(),
        Some("23503")
    );

    // Deleting the campaign takes its links; deleting the rep, their prospects.
    sqlx::query("DELETE FROM campaigns WHERE id = $1")
        .bind(campaign)
        .execute(&pool)
        .await
        .unwrap();
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM campaign_prospects")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(links, 0);
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(owner)
        .execute(&pool)
        .await
        .unwrap();
    let prospects: i64 = sqlx::query_scalar("SELECT count(*) FROM prospects")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(prospects, 0);
}
