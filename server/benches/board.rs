//! Server time of the pipeline board with 2,000 and 5,000 cards: the SSR page
//! `GET /campagnes/:id/tableau`, the server function `POST /api/get_board`, and the bare work
//! both cannot avoid (session lookup, user, the board's rows straight from the pool), measured
//! in the same run, interleaved, so Spine's overhead is the ratio; and a move (`move_card`)
//! beside a bare session lookup and UPDATE.
//!
//! `cargo bench -p server --bench board` (or `bench/board.sh`); `BENCH_ITERATIONS` sets the
//! measured iterations of each (default 100). Needs PostgreSQL and Redis at their development
//! addresses.

mod common;

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use server::auth::session_store::session_key;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_sessions::session::Id;
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_board";
const BOARDS: [i64; 2] = [2_000, 5_000];
const WARM_UP: usize = 10;
const GOAL_P95_MS: f64 = 50.0;
const GOAL_RATIO: f64 = 2.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let iterations: usize = match std::env::var("BENCH_ITERATIONS") {
        Ok(n) => n.parse().context("BENCH_ITERATIONS must be a number")?,
        Err(_) => 100,
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let origin = format!("http://{address}");
    let namespace = format!("spine-bench-{}", Uuid::new_v4().simple());
    let config = common::config(DATABASE_URL, address, &namespace);
    let pool = server::startup::connect_database(&config).await?;
    let (user, campaigns) = populate(&pool).await?;
    let session = common::sign_in(&pool, user).await?;
    let spine = common::Spine::serve(listener, config, &pool).await?;
    let bench = Bench {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()?,
        origin,
        cookie: format!("spine_session={session}"),
        session,
        pool: pool.clone(),
    };

    println!(
        "pipeline board: {iterations} iterations each after {WARM_UP} warm-up, interleaved; \
         wall-clock per request on loopback, client in the same process"
    );
    println!("{:<44} {:>8} {:>8} {:>8}", "", "p50 ms", "p95 ms", "max ms");
    for (cards, campaign) in BOARDS.iter().zip(&campaigns) {
        bench.check(*campaign, *cards).await?;
        let mut times: [Vec<Duration>; 4] = Default::default();
        let (mut plain, mut zipped) = (0, 0);
        for i in 0..WARM_UP + iterations {
            for k in 0..4 {
                let which = (i + k) % 4;
                let start = Instant::now();
                match which {
                    0 => plain = bench.page(*campaign).await?.len(),
                    1 => drop(bench.server_fn(*campaign).await?),
                    2 => drop(bench.bare(*campaign).await?),
                    _ => zipped = bench.page_gzipped(*campaign).await?,
                }
                if i >= WARM_UP {
                    times[which].push(start.elapsed());
                }
            }
        }
        let labels = [
            format!("{cards} cards: SSR page GET …/tableau"),
            format!("{cards} cards: server fn POST /api/get_board"),
            format!("{cards} cards: bare session + user + rows"),
            format!("{cards} cards: SSR page, gzipped"),
        ];
        let mut p = [(0.0, 0.0); 4];
        for (i, t) in times.iter_mut().enumerate() {
            t.sort();
            p[i] = (common::percentile(t, 0.5), common::percentile(t, 0.95));
            println!(
                "{:<44} {:>8.2} {:>8.2} {:>8.2}",
                labels[i],
                p[i].0,
                p[i].1,
                common::percentile(t, 1.0)
            );
        }
        println!(
            "  page: {:.0} KB, {:.0} KB gzipped (what a browser downloads)",
            plain as f64 / 1024.0,
            zipped as f64 / 1024.0
        );
        let verdict = |ok: bool| if ok { "holds" } else { "FAILS" };
        println!(
            "  page / bare p50 = {:.2}×, p95 = {:.2}× (goal ≤ {GOAL_RATIO}×: {}); page p95 ≤ {GOAL_P95_MS} ms: {}",
            p[0].0 / p[2].0,
            p[0].1 / p[2].1,
            verdict(p[0].1 / p[2].1 <= GOAL_RATIO),
            verdict(p[0].1 <= GOAL_P95_MS),
        );
    }

    // A move back and forth of one card, beside the bare session lookup and UPDATE.
    let campaign = campaigns[0];
    let card: Uuid = sqlx::query_scalar(
        "SELECT prospect_id FROM campaign_prospects WHERE campaign_id = $1 LIMIT 1",
    )
    .bind(campaign)
    .fetch_one(&pool)
    .await?;
    let place: String = sqlx::query_scalar(
        "SELECT spine_board_place(stage, outcome) FROM campaign_prospects
         WHERE campaign_id = $1 AND prospect_id = $2",
    )
    .bind(campaign)
    .bind(card)
    .fetch_one(&pool)
    .await?;
    let mut here = place.clone();
    let mut times: [Vec<Duration>; 2] = Default::default();
    for i in 0..WARM_UP + iterations {
        let there = if here == "oven" { "trash" } else { "oven" };
        let start = Instant::now();
        bench.move_card(campaign, card, &here, there).await?;
        let took = start.elapsed();
        here = there.to_string();
        let start = Instant::now();
        bench.bare_move(campaign, card).await?;
        let bare = start.elapsed();
        if i >= WARM_UP {
            times[0].push(took);
            times[1].push(bare);
        }
    }
    for (label, t) in [
        "move_card (checked, logged, published)",
        "bare session + UPDATE",
    ]
    .iter()
    .zip(times.iter_mut())
    {
        t.sort();
        println!(
            "{:<44} {:>8.2} {:>8.2} {:>8.2}",
            label,
            common::percentile(t, 0.5),
            common::percentile(t, 0.95),
            common::percentile(t, 1.0)
        );
    }

    spine.stop().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(session_key(&bench.session))
        .execute(&pool)
        .await?;
    Ok(())
}

/// One rep with a campaign of each size of [`BOARDS`], its prospects spread over the stages
/// (set-based, once); the rep and the campaigns.
async fn populate(pool: &PgPool) -> anyhow::Result<(Uuid, Vec<Uuid>)> {
    let user: Uuid = sqlx::query_scalar("SELECT md5('board-rep')::uuid")
        .fetch_one(pool)
        .await?;
    let campaigns: Vec<Uuid> = BOARDS
        .iter()
        .map(|n| Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("board-{n}").as_bytes()))
        .collect();
    let ready: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM campaign_prospects) * (SELECT count(*) FROM oauth_accounts)",
    )
    .fetch_one(pool)
    .await?;
    if ready == BOARDS.iter().sum::<i64>() {
        return Ok((user, campaigns));
    }
    println!("populating {DATABASE_URL}…");
    let mut tx = pool.begin().await?;
    // Prospects and links hang on their rep by triggers, which TRUNCATE does not fire.
    sqlx::query("TRUNCATE users, prospects, campaign_prospects CASCADE")
        .execute(&mut *tx)
        .await?;
    common::add_rep(&mut tx, user, "Rep Tableau", "board").await?;
    for (n, campaign) in BOARDS.iter().zip(&campaigns) {
        common::add_campaign(&mut tx, user, "board", *campaign, &n.to_string(), *n).await?;
        // A quarter in each stage, the fridge half noes, half ghosts.
        sqlx::query(
            "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id, stage, outcome, position)
             SELECT $1, $2, md5($4 || '-' || i)::uuid,
                    (ARRAY['waiting_room', 'oven', 'fridge', 'trash'])[i % 4 + 1],
                    CASE i % 4 WHEN 1 THEN 'oui' WHEN 2 THEN (ARRAY['non', 'ghost'])[i % 8 / 4 + 1] END,
                    i
             FROM generate_series(1, $3) i",
        )
        .bind(user)
        .bind(campaign)
        .bind(n)
        .bind(n.to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok((user, campaigns))
}

struct Bench {
    client: reqwest::Client,
    origin: String,
    cookie: String,
    session: Id,
    pool: PgPool,
}

impl Bench {
    async fn page(&self, campaign: Uuid) -> anyhow::Result<String> {
        let response = self
            .client
            .get(format!("{}/campagnes/{campaign}/tableau", self.origin))
            .header("cookie", &self.cookie)
            .send()
            .await?;
        ensure!(
            response.status() == 200,
            "the board page answered {}",
            response.status()
        );
        Ok(response.text().await?)
    }

    /// The page as a browser gets it, gzipped; its size on the wire.
    async fn page_gzipped(&self, campaign: Uuid) -> anyhow::Result<usize> {
        let response = self
            .client
            .get(format!("{}/campagnes/{campaign}/tableau", self.origin))
            .header("cookie", &self.cookie)
            .header("accept-encoding", "gzip")
            .send()
            .await?;
        ensure!(
            response.headers().get("content-encoding").is_some(),
            "the page is not compressed"
        );
        Ok(response.bytes().await?.len())
    }

    async fn call(&self, endpoint: &str, body: String) -> anyhow::Result<String> {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.origin))
            .header("cookie", &self.cookie)
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        ensure!(status == 200, "{endpoint} answered {status}: {text}");
        Ok(text)
    }

    async fn server_fn(&self, campaign: Uuid) -> anyhow::Result<String> {
        self.call("get_board", format!("id={campaign}")).await
    }

    async fn move_card(
        &self,
        campaign: Uuid,
        card: Uuid,
        from: &str,
        to: &str,
    ) -> anyhow::Result<String> {
        self.call(
            "move_card",
            format!("campaign={campaign}&prospect={card}&from={from}&to={to}"),
        )
        .await
    }

    async fn user(&self) -> anyhow::Result<Uuid> {
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
        Ok(user.id)
    }

    /// What any board must do: the session, its user, and every card's row in column order.
    async fn bare(&self, campaign: Uuid) -> anyhow::Result<usize> {
        let user = self.user().await?;
        type Row = (Uuid, String, String, String, String, String, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.id, p.first_name, p.last_name, p.company, p.email, cp.stage, cp.outcome
                 FROM campaign_prospects cp
                 JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
                 WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2
                 ORDER BY cp.position, cp.added_at, cp.prospect_id",
        )
        .bind(user)
        .bind(campaign)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.len())
    }

    /// What any move must do: the session, its user, one UPDATE of the card.
    async fn bare_move(&self, campaign: Uuid, card: Uuid) -> anyhow::Result<()> {
        let user = self.user().await?;
        sqlx::query(
            "UPDATE campaign_prospects SET moved_at = now()
             WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = $3",
        )
        .bind(user)
        .bind(campaign)
        .bind(card)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Once, before timing: the page shows every card, as the bare rows.
    async fn check(&self, campaign: Uuid, cards: i64) -> anyhow::Result<()> {
        ensure!(self.bare(campaign).await? as i64 == cards);
        let page = self.page(campaign).await?;
        let shown = page.matches("class=\"board-card").count() as i64;
        ensure!(shown == cards, "the page shows {shown} cards of {cards}");
        Ok(())
    }
}
