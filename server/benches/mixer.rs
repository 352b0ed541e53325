//! The mixer's numbers, on PostgreSQL.
//!
//! 1. **Preview**: the mail a template makes for each of 1,000 prospects with 5 products of
//!    interest each, as `POST /mixer/preview` makes it (`mixer::api::preview`: the campaign,
//!    the sender, the rep's mailbox and the template read, the prospect and their products read,
//!    the Markdown merged, rendered and sanitised, the footer's link signed): p50 and p95 per
//!    preview, beside the bare reads of the same rows (prospect, products, template) in the same
//!    run, interleaved. Goal: p95 ≤ 5 ms.
//! 2. **Queue**: 1,000 mails queued in one action (`mixer::api::queue`: the selection expanded
//!    by the server, every mail rendered, one statement into the outbox), beside a plain
//!    multi-row INSERT of the same outbox rows. Goal ≤ 2 s.
//!
//! `cargo bench -p server --bench mixer` (or `bench/mixer.sh`); `BENCH_RUNS` (3). Needs
//! PostgreSQL at its development address. Times are printed, never asserted.

// Not every bench uses every shared helper.
#[allow(dead_code)]
mod common;

use std::time::{Duration, Instant};

use anyhow::Context;
use app::mixer::{
    api::{preview, queue, Source},
    repo,
};
use sqlx::PgPool;
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_mixer";
const PROSPECTS: i64 = 1000;
const PRODUCTS: i64 = 50;
const LIKED: i64 = 5;

const BODY: &str = "Bonjour {{prenom|Madame, Monsieur}},\n\nMerci de votre visite sur notre \
    stand au salon {{salon}}. Comme convenu, voici les produits dont nous avons parlé :\n\n\
    {{produits}}\n\nJe reste à votre disposition pour un devis chez {{societe|vous}}.\n\n\
    Bien cordialement,";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .map(|r| r.parse())
        .transpose()
        .context("BENCH_RUNS must be a number")?
        .unwrap_or(3);
    let config = common::config(DATABASE_URL, "127.0.0.1:9".parse()?, "spine-bench-mixer");
    let pool = server::startup::connect_database(&config).await?;
    let (owner, campaign, template) = setup(&pool).await?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "mixer bench: {cpus} cores, {PROSPECTS} prospects × {LIKED} products of interest, {runs} runs"
    );
    let prospects: Vec<Uuid> = sqlx::query_scalar(
        "SELECT prospect_id FROM campaign_prospects WHERE campaign_id = $1 ORDER BY prospect_id",
    )
    .bind(campaign)
    .fetch_all(&pool)
    .await?;

    // 1. Previews, interleaved with the bare reads, prospect by prospect.
    let (mut previews, mut reads) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        for &prospect in &prospects {
            let started = Instant::now();
            let mail = preview(
                &pool,
                &config,
                owner,
                campaign,
                prospect,
                Source::Saved(template),
            )
            .await?;
            previews.push(started.elapsed());
            anyhow::ensure!(mail.html.contains("HT"), "a mail with its products");
            let started = Instant::now();
            bare_reads(&pool, owner, campaign, prospect, template).await?;
            reads.push(started.elapsed());
        }
    }
    previews.sort();
    reads.sort();
    let (p50, p95) = (
        common::percentile(&previews, 0.5),
        common::percentile(&previews, 0.95),
    );
    let (r50, r95) = (
        common::percentile(&reads, 0.5),
        common::percentile(&reads, 0.95),
    );
    println!(
        "preview: p50 {p50:.2} ms, p95 {p95:.2} ms (goal p95 ≤ 5 ms) · bare reads of the same rows: p50 {r50:.2} ms, p95 {r95:.2} ms · ratio p95 {:.1}×",
        p95 / r95
    );

    // 2. Queuing 1,000, beside a plain INSERT of the same rows; medians.
    let (mut queued, mut inserted) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        sqlx::query("DELETE FROM outbox_emails")
            .execute(&pool)
            .await?;
        let started = Instant::now();
        let said = queue(
            &pool,
            &config,
            owner,
            campaign,
            (template, 1),
            ("tous", Vec::new()),
            chrono::Utc::now(),
        )
        .await?;
        queued.push(started.elapsed());
        anyhow::ensure!(
            said.outcome.added == PROSPECTS as u64,
            "{PROSPECTS} mails queued: {said:?}"
        );
        // The same rows again, as a plain multi-row INSERT (the bodies copied from the first).
        let started = Instant::now();
        sqlx::query(
            "INSERT INTO outbox_emails (id, owner_user_id, campaign_id, prospect_id, kind, status,
                 idempotency_key, to_address, to_name, subject, html_body, text_body,
                 next_attempt_at, created_at, updated_at, round, template_id)
             SELECT gen_random_uuid(), owner_user_id, campaign_id, prospect_id, kind, status,
                 idempotency_key || ':copie', to_address, to_name, subject, html_body, text_body,
                 next_attempt_at, created_at, updated_at, 2, template_id
             FROM outbox_emails WHERE round = 1",
        )
        .execute(&pool)
        .await?;
        inserted.push(started.elapsed());
    }
    queued.sort();
    inserted.sort();
    let (q, i) = (median(&queued), median(&inserted));
    println!(
        "queue {PROSPECTS} mails in one action: {:.0} ms (goal ≤ 2,000 ms) · plain INSERT of the same rows: {:.0} ms · ratio {:.1}×",
        q * 1e3,
        i * 1e3,
        q / i
    );
    sqlx::query("DELETE FROM outbox_emails")
        .execute(&pool)
        .await?;
    Ok(())
}

fn median(sorted: &[Duration]) -> f64 {
    sorted[sorted.len() / 2].as_secs_f64()
}

/// The rows a preview stands on, read plainly: the prospect, their products, the template.
async fn bare_reads(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
    template: Uuid,
) -> anyhow::Result<()> {
    let _: (String, String, String) = sqlx::query_as(
        "SELECT email, first_name, company FROM prospects WHERE owner_user_id = $1 AND id = $2",
    )
    .bind(owner)
    .bind(prospect)
    .fetch_one(pool)
    .await?;
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT pr.reference, pr.name, pr.price_cents, i.note
         FROM prospect_product_interests i JOIN products pr ON pr.id = i.product_id
         WHERE i.owner_user_id = $1 AND i.campaign_id = $2 AND i.prospect_id = $3",
    )
    .bind(owner)
    .bind(campaign)
    .bind(prospect)
    .fetch_all(pool)
    .await?;
    anyhow::ensure!(rows.len() == LIKED as usize);
    let _ = repo::template(pool, owner, template).await?;
    Ok(())
}

/// A rep with a campaign of 1,000 prospects, 50 published products, 5 liked by each, and a
/// template; made anew each run.
async fn setup(pool: &PgPool) -> anyhow::Result<(Uuid, Uuid, Uuid)> {
    sqlx::query("TRUNCATE users CASCADE").execute(pool).await?;
    let (owner, campaign, catalog) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let tag = format!("mixer-{}", owner.simple());
    let mut tx = pool.begin().await?;
    common::add_rep(&mut tx, owner, "Claire Martin", &tag).await?;
    common::add_campaign(&mut tx, owner, &tag, campaign, &tag, PROSPECTS).await?;
    sqlx::query(
        "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id)
         SELECT owner_user_id, $2, id FROM prospects WHERE owner_user_id = $1",
    )
    .bind(owner)
    .bind(campaign)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO catalogs (id, owner_user_id, campaign_id, file_name, sha256, size_bytes, pages)
         VALUES ($1, $2, $3, 'catalogue.pdf', repeat('a', 64), 1, 1)",
    )
    .bind(catalog)
    .bind(owner)
    .bind(campaign)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO products (id, owner_user_id, catalog_id, status, reference, read_reference,
             name, description, price_cents, page, box_x, box_y, box_w, box_h, confidence)
         SELECT gen_random_uuid(), $1, $2, 'published', 'REF-' || i, 'REF-' || i,
             'Produit de démonstration n° ' || i, 'Description du produit ' || i,
             1000 + i * 12345, 1, 10, i * 10, 100, 50, '{}'
         FROM generate_series(1, $3) i",
    )
    .bind(owner)
    .bind(catalog)
    .bind(PRODUCTS)
    .execute(&mut *tx)
    .await?;
    // Five products each, spread over the catalogue, a note on the first.
    sqlx::query(
        "INSERT INTO prospect_product_interests (owner_user_id, campaign_id, prospect_id,
             product_id, note)
         SELECT $1, $2, cp.prospect_id, pr.id,
                CASE WHEN k = 0 THEN 'Veut une démonstration en mars' ELSE '' END
         FROM campaign_prospects cp
         CROSS JOIN generate_series(0, $3 - 1) k
         JOIN LATERAL (SELECT id FROM products WHERE catalog_id = $4
                       ORDER BY id OFFSET ((abs(hashtext(cp.prospect_id::text)) + k * 7) % $5)
                       LIMIT 1) pr ON true
         WHERE cp.campaign_id = $2
         ON CONFLICT DO NOTHING",
    )
    .bind(owner)
    .bind(campaign)
    .bind(LIKED)
    .bind(catalog)
    .bind(PRODUCTS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    repo::save_signature(
        pool,
        owner,
        "Claire Martin\nResponsable des ventes",
        "Cuisines Pro",
    )
    .await?;
    let template = repo::save_template(
        pool,
        owner,
        None,
        "Suite au salon",
        "Suite au salon {{salon}}, {{prenom|Madame, Monsieur}}",
        BODY,
    )
    .await?
    .context("the template")?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok((owner, campaign, template))
}
