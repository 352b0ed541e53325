//! Server time of the campaign list with 100 reps × 1,000 campaigns each in the database:
//! the SSR page `GET /campagnes`, the server function `POST /api/list_campaigns`, and the bare
//! work both cannot avoid (session lookup, user, list query straight on a pool), measured in
//! the same run, interleaved, so Spine's overhead is the difference.
//!
//! `cargo bench -p server --bench campaign_list` (or `bench/campaign-list.sh`);
//! `BENCH_ITERATIONS` sets the measured iterations of each (default 300).
//! Needs PostgreSQL and Redis at their development addresses.

mod common;

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use app::campaigns::{repo, CampaignFilter, CampaignPage};
use server::auth::session_store::session_key;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_sessions::session::Id;
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_campaigns";
const USERS: i64 = 100;
const DISTRIBUTORS_PER_USER: i64 = 5;
const CAMPAIGNS_PER_USER: i64 = 1_000;
const WARM_UP: usize = 20;
const GOAL_P95_MS: f64 = 30.0;
const GOAL_OVERHEAD_MS: f64 = 10.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let iterations: usize = match std::env::var("BENCH_ITERATIONS") {
        Ok(n) => n.parse().context("BENCH_ITERATIONS must be a number")?,
        Err(_) => 300,
    };

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let origin = format!("http://{address}");
    let namespace = format!("spine-bench-{}", Uuid::new_v4().simple());
    let config = common::config(DATABASE_URL, address, &namespace);
    let pool = server::startup::connect_database(&config).await?;
    populate(&pool).await?;

    let user: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'rep1@bench.test'")
        .fetch_one(&pool)
        .await?;
    let session = common::sign_in(&pool, user).await?;

    // No worker: the list never queues jobs.
    let spine = common::Spine::serve(listener, config, &pool).await?;

    let bench = Bench {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?,
        origin,
        cookie: format!("spine_session={session}"),
        session,
        pool: pool.clone(),
    };
    bench.check().await?;

    // Round-robin, starting with a different one each iteration, so noise hits all four.
    let mut times: [Vec<Duration>; 4] = Default::default();
    for i in 0..WARM_UP + iterations {
        for k in 0..4 {
            let which = (i + k) % 4;
            let start = Instant::now();
            match which {
                0 => {
                    bench.page().await?;
                }
                1 => {
                    bench.server_fn().await?;
                }
                2 => {
                    bench.search().await?;
                }
                _ => {
                    bench.bare().await?;
                }
            }
            if i >= WARM_UP {
                times[which].push(start.elapsed());
            }
        }
    }
    report(iterations, &mut times);

    spine.stop().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(session_key(&bench.session))
        .execute(&pool)
        .await?;
    Ok(())
}

/// Fills the database once (set-based, a few seconds): reps with a Microsoft account, their
/// distributors, and campaigns from three years ago to next year, one in 40 archived.
async fn populate(pool: &PgPool) -> anyhow::Result<()> {
    let campaigns: i64 = sqlx::query_scalar("SELECT count(*) FROM campaigns")
        .fetch_one(pool)
        .await?;
    if campaigns == USERS * CAMPAIGNS_PER_USER {
        return Ok(());
    }
    println!("populating {DATABASE_URL} ({USERS} users × {CAMPAIGNS_PER_USER} campaigns)…");
    let mut tx = pool.begin().await?;
    // Whatever a half-finished or differently sized earlier fill left goes first.
    sqlx::query("TRUNCATE users CASCADE")
        .execute(&mut *tx)
        .await?;
    // Ids derive from md5 of the row's numbers, so a campaign points at its owner's distributor.
    let statements: [(&str, &[i64]); 4] = [
        (
            "INSERT INTO users (id, display_name, email)
             SELECT md5('user-' || u)::uuid, 'Rep ' || u, 'rep' || u || '@bench.test'
             FROM generate_series(1, $1) u",
            &[USERS],
        ),
        (
            "INSERT INTO oauth_accounts (tid, oid, user_id, email)
             SELECT md5('tenant')::uuid, md5('oid-' || u)::uuid, md5('user-' || u)::uuid,
                    'rep' || u || '@bench.test'
             FROM generate_series(1, $1) u",
            &[USERS],
        ),
        (
            "INSERT INTO distributors (id, owner_user_id, name)
             SELECT md5('distributor-' || u || '-' || d)::uuid, md5('user-' || u)::uuid,
                    'Distributeur ' || d
             FROM generate_series(1, $1) u, generate_series(1, $2) d",
            &[USERS, DISTRIBUTORS_PER_USER],
        ),
        (
            "INSERT INTO campaigns (id, owner_user_id, distributor_id, name, venue, city,
                                    starts_on, ends_on, archived_at)
             SELECT md5('campaign-' || u || '-' || n)::uuid, md5('user-' || u)::uuid,
                    md5('distributor-' || u || '-' || (n % $2 + 1))::uuid,
                    'Salon ' || u || '-' || n, 'Parc des expositions', 'Lyon',
                    starts_on, starts_on + (n % 5)::int,
                    CASE WHEN n % 40 = 0 THEN now() END
             FROM generate_series(1, $1) u, generate_series(1, $3) n,
                  LATERAL (SELECT spine_today() - 1095 + (n * 1460 / $3)::int AS starts_on) s",
            &[USERS, DISTRIBUTORS_PER_USER, CAMPAIGNS_PER_USER],
        ),
    ];
    for (sql, binds) in statements {
        let query = binds.iter().fold(sqlx::query(sql), |q, b| q.bind(*b));
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

struct Bench {
    client: reqwest::Client,
    origin: String,
    cookie: String,
    session: Id,
    pool: PgPool,
}

impl Bench {
    /// The whole SSR page (async mode: sent once every resource has loaded).
    async fn page(&self) -> anyhow::Result<(u16, String)> {
        let response = self
            .client
            .get(format!("{}/campagnes", self.origin))
            .header("cookie", &self.cookie)
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    }

    /// The server function as the hydrated page calls it.
    async fn server_fn(&self) -> anyhow::Result<(u16, String)> {
        self.list_campaigns("filter[status]=active").await
    }

    /// The server function searching words every campaign of the rep matches (venue and city):
    /// the search's worst case, every row read and counted.
    async fn search(&self) -> anyhow::Result<(u16, String)> {
        self.list_campaigns("filter[status]=active&filter[q]=parc+expositions+lyon")
            .await
    }

    async fn list_campaigns(&self, body: &'static str) -> anyhow::Result<(u16, String)> {
        let response = self
            .client
            .post(format!("{}/api/list_campaigns", self.origin))
            .header("cookie", &self.cookie)
            // Same-origin, as a browser says it; the CSRF layer refuses anything else.
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    }

    /// What any implementation must do: load the session, its user, and one page of the list.
    async fn bare(&self) -> anyhow::Result<CampaignPage> {
        let data: serde_json::Value = sqlx::query_scalar(
            "SELECT data FROM sessions WHERE id_hash = $1 AND expires_at > now()",
        )
        .bind(session_key(&self.session))
        .fetch_one(&self.pool)
        .await?;
        let user_id: Uuid = serde_json::from_value(data["auth"]["user_id"].clone())?;
        let user = app::auth::repo::find_user(&self.pool, user_id)
            .await?
            .context("session user exists")?;
        let filter = CampaignFilter::default();
        Ok(repo::list(
            &mut *self.pool.acquire().await?,
            user.id,
            &filter,
            repo::PAGE_SIZE,
        )
        .await?)
    }

    /// Once, before timing: all three answer, and with the same campaigns.
    async fn check(&self) -> anyhow::Result<()> {
        let bare = self.bare().await?;
        ensure!(
            bare.items.len() == 25,
            "bare list: {} items",
            bare.items.len()
        );
        let first = &bare.items[0].name;
        let (status, body) = self.page().await?;
        ensure!(status == 200, "GET /campagnes answered {status}");
        ensure!(body.contains(first.as_str()), "the page lacks {first}");
        let (status, body) = self.server_fn().await?;
        ensure!(
            status == 200,
            "POST /api/list_campaigns answered {status}: {body}"
        );
        let page: CampaignPage = serde_json::from_str(&body)?;
        ensure!(page == bare, "the server function lists other campaigns");
        let (status, body) = self.search().await?;
        ensure!(status == 200, "the search answered {status}: {body}");
        let found: CampaignPage = serde_json::from_str(&body)?;
        ensure!(
            found.items.len() == 25 && found.total == bare.total,
            "the search finds every active campaign: {} of {}",
            found.total,
            bare.total
        );
        Ok(())
    }
}

fn report(iterations: usize, times: &mut [Vec<Duration>; 4]) {
    let labels = [
        "SSR page   GET /campagnes",
        "server fn  POST /api/list_campaigns",
        "search     same, 3 words every row has",
        "bare       session + user + list (SQL)",
    ];
    println!(
        "\ncampaign list: {USERS} users × {CAMPAIGNS_PER_USER} campaigns, the first page of 25 \
         (status \"active\"), {iterations} iterations each after {WARM_UP} warm-up, interleaved"
    );
    println!(
        "wall-clock per request on loopback, client in the same process: an upper bound of \
         server time\n"
    );
    println!("{:<40} {:>8} {:>8} {:>8}", "", "p50 ms", "p95 ms", "max ms");
    let mut p = [(0.0, 0.0); 4];
    for (i, t) in times.iter_mut().enumerate() {
        t.sort();
        p[i] = (common::percentile(t, 0.50), common::percentile(t, 0.95));
        let max = common::percentile(t, 1.0);
        println!(
            "{:<40} {:>8.2} {:>8.2} {:>8.2}",
            labels[i], p[i].0, p[i].1, max
        );
    }
    let [page, server_fn, search, bare] = p;
    println!(
        "\noverhead p50/p95: page − bare = {:.2} / {:.2} ms, server fn − bare = {:.2} / {:.2} ms",
        page.0 - bare.0,
        page.1 - bare.1,
        server_fn.0 - bare.0,
        server_fn.1 - bare.1
    );
    let verdict = |ok: bool| if ok { "holds" } else { "FAILS" };
    println!(
        "goal p95 ≤ {GOAL_P95_MS} ms: page {}, server fn {}, search {}",
        verdict(page.1 <= GOAL_P95_MS),
        verdict(server_fn.1 <= GOAL_P95_MS),
        verdict(search.1 <= GOAL_P95_MS)
    );
    println!(
        "goal overhead ≤ {GOAL_OVERHEAD_MS} ms (p95 − bare p95): page {}, server fn {}",
        verdict(page.1 - bare.1 <= GOAL_OVERHEAD_MS),
        verdict(server_fn.1 - bare.1 <= GOAL_OVERHEAD_MS)
    );
    println!("(the page also lists the rep's distributors for its filter, which bare does not)");
}
