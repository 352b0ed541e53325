//! A 3-page scanned catalogue (the fixtures' pages joined with `pdfunite`) from upload to staged
//! products: sent to the Catalogue tab as the browser sends it, through Spine's router as
//! production builds it, read by its job worker (pages drawn and read by OCR in processes of
//! their own, products extracted, staged, cropped) until the reading has succeeded. Beside it,
//! in the same run and interleaved, the plain CLI on the same pages one after another:
//! `pdftoppm -r 300` then `tesseract … tsv` per page. Prints the medians and their ratio.
//!
//! `cargo bench -p server --bench catalogue_upload`, pinned to one core with `taskset -c 0`
//! (goal: ≤ 1.3× the CLI) or on every core (goal: faster than the CLI); `bench/catalogue-speed.sh`
//! runs both. `BENCH_RUNS` (5). Needs poppler-utils, Tesseract (fra, eng), PostgreSQL and Redis
//! at their development addresses. Times are printed, never asserted.

// Not every bench uses every shared helper.
#[allow(dead_code)]
mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{ensure, Context};
use sqlx::PgPool;
use tokio::net::TcpListener;
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_catalogue";
const FILES: &str = "../catalogue/tests/files";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .map(|r| r.parse())
        .transpose()
        .context("BENCH_RUNS must be a number")?
        .unwrap_or(5);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let work = std::env::temp_dir().join(format!("spine-bench-catalogue-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&work)?;
    let pdf = three_pages(&work)?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let origin = format!("http://{address}");
    let namespace = format!("spine-bench-{}", Uuid::new_v4().simple());
    let mut config = common::config(DATABASE_URL, address, &namespace);
    config.data_dir = work.join("data");
    let pool = server::startup::connect_database(&config).await?;
    sqlx::query("TRUNCATE users CASCADE").execute(&pool).await?;
    let user = Uuid::new_v4();
    let mut tx = pool.begin().await?;
    common::add_rep(&mut tx, user, "Claire Banc", "catalogue").await?;
    let campaigns: Vec<Uuid> = (0..runs).map(|_| Uuid::new_v4()).collect();
    for (i, campaign) in campaigns.iter().enumerate() {
        common::add_campaign(&mut tx, user, "catalogue", *campaign, &format!("{i}"), 0).await?;
    }
    tx.commit().await?;
    let session = common::sign_in(&pool, user).await?;
    let spine = common::Spine::serve_with_worker(listener, config, &pool).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let bytes = std::fs::read(&pdf)?;

    println!(
        "a 3-page scanned catalogue from upload to staged products, {runs} runs, interleaved, \
         on {cores} core(s):"
    );
    let (mut cli_times, mut spine_times) = (Vec::new(), Vec::new());
    let mut staged = 0;
    for campaign in &campaigns {
        cli_times.push(cli(&pdf, &work)?);
        let started = Instant::now();
        let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("catalogue.pdf");
        let res = client
            .post(format!("{origin}/campagnes/{campaign}/catalogue/envoi"))
            .header("origin", &origin)
            .header("cookie", format!("spine_session={session}"))
            .header("accept", "text/html")
            .multipart(reqwest::multipart::Form::new().part("fichier", part))
            .send()
            .await?;
        ensure!(res.status() == 303, "upload answered {}", res.status());
        staged = read(&pool, *campaign).await?;
        spine_times.push(started.elapsed().as_secs_f64());
    }
    spine.stop().await?;
    let _ = std::fs::remove_dir_all(&work);

    let (cli, spine) = (median(&mut cli_times), median(&mut spine_times));
    let ratio = spine / cli;
    let goal = if cores == 1 {
        "goal ≤ 1.3×"
    } else {
        "goal < 1×"
    };
    println!(
        "  {:<62} {cli:6.2} s",
        "CLI: pdftoppm -r 300 + tesseract tsv, page after page"
    );
    println!(
        "  {:<62} {spine:6.2} s  {ratio:.2}× ({goal})",
        format!("Spine: upload → {staged} staged products, {cores} core(s)")
    );
    Ok(())
}

/// The grid's two pages and the table's first, in one PDF.
fn three_pages(work: &Path) -> anyhow::Result<PathBuf> {
    let run = |program: &str, args: &[&str]| -> anyhow::Result<()> {
        let status = Command::new(program).args(args).status()?;
        ensure!(status.success(), "{program} failed");
        Ok(())
    };
    let at = |name: &str| work.join(name).to_string_lossy().into_owned();
    run(
        "pdfseparate",
        &[
            "-f",
            "1",
            "-l",
            "2",
            &format!("{FILES}/sample-grid.pdf"),
            &at("grid-%d.pdf"),
        ],
    )?;
    run(
        "pdfseparate",
        &[
            "-f",
            "1",
            "-l",
            "1",
            &format!("{FILES}/sample-table.pdf"),
            &at("table-%d.pdf"),
        ],
    )?;
    run(
        "pdfunite",
        &[
            &at("grid-1.pdf"),
            &at("grid-2.pdf"),
            &at("table-1.pdf"),
            &at("catalogue.pdf"),
        ],
    )?;
    Ok(work.join("catalogue.pdf"))
}

/// The plain CLI on the catalogue's three pages, one after another; seconds.
fn cli(pdf: &Path, work: &Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    for page in 1..=3 {
        let image = work.join(format!("cli-{page}"));
        let drawn = Command::new("pdftoppm")
            .args([
                "-r",
                "300",
                "-png",
                "-singlefile",
                "-f",
                &page.to_string(),
                "-l",
                &page.to_string(),
            ])
            .arg(pdf)
            .arg(&image)
            .status()?;
        ensure!(drawn.success(), "pdftoppm failed");
        // One OpenMP thread, as Spine runs it (several fight over the cores).
        let read = Command::new("tesseract")
            .env("OMP_THREAD_LIMIT", "1")
            .arg(image.with_extension("png"))
            .arg(&image)
            .args(["-l", "fra+eng", "tsv"])
            .stderr(std::process::Stdio::null())
            .status()?;
        ensure!(read.success(), "tesseract failed");
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Waits for the reading of the catalogue sent to `campaign` to succeed; its staged products.
async fn read(pool: &PgPool, campaign: Uuid) -> anyhow::Result<i64> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let state: Option<(String, Option<i32>, Option<String>)> = sqlx::query_as(
            "SELECT j.status, j.products_found, j.error FROM ingestion_jobs j
             JOIN catalogs c ON c.id = j.catalog_id WHERE c.campaign_id = $1",
        )
        .bind(campaign)
        .fetch_optional(pool)
        .await?;
        match state {
            Some((status, Some(found), _)) if status == "succeeded" => return Ok(found.into()),
            Some((status, _, error)) if status == "failed" => {
                anyhow::bail!("the reading failed: {error:?}")
            }
            _ if Instant::now() > deadline => anyhow::bail!("no reading within 5 minutes"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

fn median(seconds: &mut [f64]) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}
