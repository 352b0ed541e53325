//! The prospect import of a 100,000-row UTF-8 file, beside two references measured in the same
//! run on the same database:
//!
//! - a plain `COPY` of the same file into a bare table (the cost of moving the bytes);
//! - the database-only floor: that `COPY` into a staging table, then one
//!   `INSERT … SELECT … ON CONFLICT DO NOTHING` into a table with the same unique
//!   (owner, email) index as `prospects`.
//!
//! Goal: the pipeline (read, check, dedupe, upsert, link, report; process start excluded)
//! ≤ 2× the floor. Also: re-importing the same file (must add nothing), row-by-row inserts
//! (10,000 rows, for the ratio), a 100k workbook, and the peak memory of
//! `spine import-prospects` at 10k and 100k rows (goal: ≤ 1.5×).
//!
//! `bench/prospect-import.sh` (`BENCH_RUNS`, default 5, runs of each timing; medians shown).
//! Needs PostgreSQL at its development address, and `/usr/bin/time` for the memory figures.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use app::prospects::{
    contact::{self, ListQuery},
    import::{run, Columns, Input, Request, Source},
};
use clap::Parser;
use sqlx::{Connection, PgPool};
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_import";
const ROWS: usize = 100_000;
const GOAL_RATIO: f64 = 2.0;
const GOAL_MEMORY_RATIO: f64 = 1.5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .map(|n| n.parse())
        .transpose()
        .context("BENCH_RUNS must be a number")?
        .unwrap_or(5);
    std::env::set_var("DATABASE_URL", DATABASE_URL);
    let config = server::cli::Cli::parse_from(["spine", "migrate"]).config;
    let pool = server::startup::connect_database(&config).await?;
    let dir = std::env::temp_dir().join(format!("spine-bench-import-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let csv_100k = contacts_csv(ROWS);
    let csv_10k = contacts_csv(ROWS / 10);
    std::fs::write(dir.join("100k.csv"), &csv_100k)?;
    std::fs::write(dir.join("10k.csv"), &csv_10k)?;
    println!(
        "file: {ROWS} rows, {:.1} MB UTF-8 (`;`, French headers); {runs} runs each, medians",
        csv_100k.len() as f64 / 1e6
    );

    let copy = median(runs, || plain_copy(&pool, &csv_100k)).await?;
    let floor = median(runs, || floor(&pool, &csv_100k)).await?;
    let pipeline = median(runs, || async {
        let (owner, campaign) = new_rep(&pool).await?;
        let started = Instant::now();
        let summary = import(&pool, owner, campaign, &csv_100k).await?;
        let took = started.elapsed();
        ensure!(summary.new_prospects == ROWS as u64, "{summary:?}");
        Ok(took)
    })
    .await?;
    let (owner, campaign) = new_rep(&pool).await?;
    import(&pool, owner, campaign, &csv_100k).await?;
    let again = median(runs, || async {
        let started = Instant::now();
        let summary = import(&pool, owner, campaign, &csv_100k).await?;
        let took = started.elapsed();
        ensure!(
            summary.new_prospects == 0 && summary.linked == 0,
            "{summary:?}"
        );
        Ok(took)
    })
    .await?;
    // The Prospects tab of that campaign of 100k: its first page by name, a search, and the
    // page after a cursor, beside reading 50 of its rows unsorted.
    let list = |query: ListQuery| {
        let pool = pool.clone();
        move || {
            let (pool, query) = (pool.clone(), query.clone());
            async move {
                let started = Instant::now();
                let page = contact::list(&pool, owner, campaign, &query).await?;
                ensure!(!page.items.is_empty());
                Ok(started.elapsed())
            }
        }
    };
    let unsorted = median(runs, || async {
        let started = Instant::now();
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT p.id, p.email FROM campaign_prospects cp
             JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
             WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2 LIMIT 50",
        )
        .bind(owner)
        .bind(campaign)
        .fetch_all(&pool)
        .await?;
        ensure!(rows.len() == 50);
        Ok(started.elapsed())
    })
    .await?;
    let first_page = median(runs, list(ListQuery::default())).await?;
    let middle = contact::list(&pool, owner, campaign, &ListQuery::default()).await?;
    let after = median(
        runs,
        list(ListQuery {
            after: middle.next,
            ..ListQuery::default()
        }),
    )
    .await?;
    let search = median(
        runs,
        list(ListQuery {
            q: Some("dupont lyon".into()),
            ..ListQuery::default()
        }),
    )
    .await?;
    // An import checked against a suppression list of 1,000 addresses (each row hashed).
    let key = app::prospects::suppression::AddressKey::new("bench-address-key");
    let suppressed = median(runs, || async {
        let (owner, campaign) = new_rep(&pool).await?;
        let mut tx = pool.begin().await?;
        for i in 0..1_000 {
            let address = format!("absent{i}@example.test");
            app::prospects::suppression::add(
                &mut tx,
                &key,
                owner,
                &address,
                app::prospects::suppression::Reason::OptedOut,
            )
            .await?;
        }
        tx.commit().await?;
        let started = Instant::now();
        let summary = import(&pool, owner, campaign, &csv_100k).await?;
        let took = started.elapsed();
        ensure!(summary.new_prospects == ROWS as u64, "{summary:?}");
        Ok(took)
    })
    .await?;
    let row_by_row = row_by_row(&pool, &csv_10k).await?;
    let reading = median(runs, || async {
        let started = Instant::now();
        let (table, mapping) = import::read(&csv_100k)?;
        let checked = import::rows::check(&table, &mapping);
        ensure!(checked.contacts.len() == ROWS);
        Ok(started.elapsed())
    })
    .await?;

    println!("plain COPY into a bare table       {:>8.0} ms", ms(copy));
    println!("floor (COPY + one INSERT … SELECT) {:>8.0} ms", ms(floor));
    println!(
        "import pipeline                    {:>8.0} ms  = {:.2}× the floor (goal ≤ {GOAL_RATIO}×)",
        ms(pipeline),
        ratio(pipeline, floor)
    );
    println!(
        "  of which reading and checking    {:>8.0} ms  (decode, parse, map, check, dedupe)",
        ms(reading)
    );
    println!(
        "re-import of the same file         {:>8.0} ms  (adds nothing)",
        ms(again)
    );
    println!(
        "with a suppression list of 1,000   {:>8.0} ms  = {:.2}× the pipeline (every row hashed)",
        ms(suppressed),
        ratio(suppressed, pipeline)
    );
    println!(
        "prospect list of a 100k campaign: first page {:.0} ms, after a cursor {:.0} ms, a search {:.0} ms; 50 rows unsorted {:.1} ms",
        ms(first_page),
        ms(after),
        ms(search),
        ms(unsorted)
    );
    let projected = row_by_row * 10;
    println!(
        "row-by-row inserts, 10k rows       {:>8.0} ms  → ×10 = {:.0} ms for 100k, {:.0}× the pipeline",
        ms(row_by_row),
        ms(projected),
        ratio(projected, pipeline)
    );
    if let Some(workbook) = workbook_100k(&dir) {
        let bytes = std::fs::read(&workbook)?;
        let took = median(runs.min(3), || async {
            let (owner, campaign) = new_rep(&pool).await?;
            let started = Instant::now();
            import(&pool, owner, campaign, &bytes).await?;
            Ok(started.elapsed())
        })
        .await?;
        println!(
            "the same 100k rows as a workbook   {:>8.0} ms  ({:.1} MB .xlsx; {:.2}× the CSV)",
            ms(took),
            bytes.len() as f64 / 1e6,
            ratio(took, pipeline)
        );
    } else {
        println!("workbook: skipped (python3 with openpyxl makes the .xlsx)");
    }
    match (peak_rss(&dir.join("10k.csv")).await, peak_rss(&dir.join("100k.csv")).await) {
        (Some(small), Some(large)) => println!(
            "peak RSS of spine import-prospects: {:.0} MB at 10k rows, {:.0} MB at 100k = {:.2}× (goal ≤ {GOAL_MEMORY_RATIO}×)",
            small as f64 / 1024.0,
            large as f64 / 1024.0,
            large as f64 / small as f64
        ),
        _ => println!("memory: skipped (needs /usr/bin/time)"),
    }
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

async fn median<F, Fut>(runs: usize, mut once: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Duration>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(once().await?);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// `rows` distinct contacts with French names, companies and phones.
fn contacts_csv(rows: usize) -> Vec<u8> {
    const FIRST: [&str; 8] = [
        "Léa", "Inès", "Noël", "Gaëtan", "Chloé", "Loïc", "Maëlle", "Jérôme",
    ];
    const LAST: [&str; 6] = ["Mercier", "Garçon", "Lemaître", "Dupont", "Noël", "Fabre"];
    const COMPANIES: [&str; 4] = [
        "Restaurant L'Étoile",
        "\"Traiteur \"\"Le Gourmet\"\"\"",
        "Brasserie du Port",
        "Le Comptoir, SARL",
    ];
    let mut out =
        String::from("Civilité;Prénom;Nom;Société;Fonction;E-mail;Téléphone;Ville;Badge\n");
    for i in 0..rows {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[i / FIRST.len() % LAST.len()];
        out.push_str(&format!(
            "{};{first};{last};{};Chef de cuisine;contact.{i}@restaurant-{}.fr;06 {:02} {:02} {:02} {:02};Lyon;B{i}\n",
            if i % 2 == 0 { "Mme" } else { "M." },
            COMPANIES[i % COMPANIES.len()],
            i % 997,
            i % 100,
            i / 100 % 100,
            i / 10_000 % 100,
            i % 89,
        ));
    }
    out.into_bytes()
}

async fn new_rep(pool: &PgPool) -> anyhow::Result<(Uuid, Uuid)> {
    let email = format!("rep.{}@bench.example.test", Uuid::new_v4().simple());
    let seeded = server::seed::run(pool, Some(&email)).await?;
    Ok((seeded.user.id, seeded.campaigns[0].id))
}

async fn import(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    bytes: &[u8],
) -> anyhow::Result<app::prospects::import::Summary> {
    Ok(run(
        pool,
        Request {
            owner,
            campaign_id: campaign,
            batch: uuid::Uuid::new_v4(),
            file_name: "bench.csv".into(),
            input: Input::Bytes(bytes.to_vec()),
            columns: Columns::Corrected(vec![]),
            source: Source::Cli,
            progress: None,
            key: app::prospects::suppression::AddressKey::new("bench-address-key"),
        },
    )
    .await?)
}

const BARE_COLUMNS: &str = "civility text, first_name text, last_name text, company text,
     job_title text, email text, phone text, city text, badge text";

/// The file's bytes into a bare table: no parsing on our side, no index.
async fn plain_copy(pool: &PgPool, csv: &[u8]) -> anyhow::Result<Duration> {
    let mut conn = pool.acquire().await?;
    sqlx::query("DROP TABLE IF EXISTS bench_bare")
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE bench_bare ({BARE_COLUMNS})"
    )))
    .execute(&mut *conn)
    .await?;
    let started = Instant::now();
    let mut copy = conn
        .copy_in_raw("COPY bench_bare FROM STDIN (FORMAT csv, HEADER, DELIMITER ';')")
        .await?;
    copy.send(csv).await?;
    copy.finish().await?;
    Ok(started.elapsed())
}

/// COPY into staging, then one INSERT … SELECT … ON CONFLICT DO NOTHING into a table with the
/// unique (owner, email) index.
async fn floor(pool: &PgPool, csv: &[u8]) -> anyhow::Result<Duration> {
    let mut conn = pool.acquire().await?;
    sqlx::query("DROP TABLE IF EXISTS bench_floor")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "CREATE TABLE bench_floor (owner_user_id uuid NOT NULL, email text NOT NULL,
             first_name text, last_name text, company text, job_title text, phone text, city text)",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("CREATE UNIQUE INDEX ON bench_floor (owner_user_id, email)")
        .execute(&mut *conn)
        .await?;
    let owner = Uuid::new_v4();
    let started = Instant::now();
    let mut tx = conn.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TEMP TABLE bench_staging ({BARE_COLUMNS}) ON COMMIT DROP"
    )))
    .execute(&mut *tx)
    .await?;
    let mut copy = tx
        .copy_in_raw("COPY bench_staging FROM STDIN (FORMAT csv, HEADER, DELIMITER ';')")
        .await?;
    copy.send(csv).await?;
    copy.finish().await?;
    sqlx::query(
        "INSERT INTO bench_floor (owner_user_id, email, first_name, last_name, company,
             job_title, phone, city)
         SELECT $1, email, first_name, last_name, company, job_title, phone, city
         FROM bench_staging ON CONFLICT (owner_user_id, email) DO NOTHING",
    )
    .bind(owner)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(started.elapsed())
}

/// One INSERT per row (in one transaction): what set operations avoid.
async fn row_by_row(pool: &PgPool, csv: &[u8]) -> anyhow::Result<Duration> {
    let (owner, _) = new_rep(pool).await?;
    let (table, mapping) = import::read(csv)?;
    let checked = import::rows::check(&table, &mapping);
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    for c in &checked.contacts {
        sqlx::query(
            "INSERT INTO prospects (id, owner_user_id, email, first_name, last_name, company,
                 job_title, phone, city, origin)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'import')
             ON CONFLICT (owner_user_id, email) DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(owner)
        .bind(&c.email)
        .bind(&c.first_name)
        .bind(&c.last_name)
        .bind(&c.company)
        .bind(&c.job_title)
        .bind(&c.phone)
        .bind(&c.city)
        .execute(&mut *tx)
        .await?;
    }
    tx.rollback().await?;
    Ok(started.elapsed())
}

/// The 100k file as a workbook, made by openpyxl when Python has it.
fn workbook_100k(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let out = dir.join("100k.xlsx");
    let script = format!(
        "import csv, openpyxl\n\
         wb = openpyxl.Workbook(write_only=True); ws = wb.create_sheet()\n\
         for row in csv.reader(open({csv:?}, encoding='utf-8'), delimiter=';'): ws.append(row)\n\
         wb.save({out:?})\n",
        csv = dir.join("100k.csv"),
        out = out
    );
    let made = std::process::Command::new("python3")
        .args(["-c", &script])
        .status()
        .ok()?;
    made.success().then_some(out)
}

/// Peak resident memory (KB) of `spine import-prospects FILE` for a new rep.
async fn peak_rss(file: &std::path::Path) -> Option<u64> {
    let pool = sqlx::PgPool::connect(DATABASE_URL).await.ok()?;
    let (owner, campaign) = new_rep(&pool).await.ok()?;
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_spine"))
        .arg("import-prospects")
        .args([
            "--owner",
            &owner.to_string(),
            "--campaign",
            &campaign.to_string(),
        ])
        .arg(file)
        .env("DATABASE_URL", DATABASE_URL)
        .env("SPINE_LOG", "error")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    String::from_utf8_lossy(&out.stderr)
        .trim()
        .lines()
        .last()?
        .parse()
        .ok()
}
