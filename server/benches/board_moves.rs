//! Stage moves under load: `wrk` posts `move_card` as the WASM client does, through Spine's
//! router exactly as production builds it, then the same load against a bare axum handler
//! doing only the session lookup and the one UPDATE of the card, in the same run. Prints
//! throughput and p99 of both, their ratio, the errors, and checks that no move was lost: every
//! 2xx answer has its audit entry, and every card's place matches the parity of its moves.
//!
//! `cargo bench -p server --bench board_moves` (or `bench/board-moves.sh`). `BENCH_SECONDS`
//! (30), `BENCH_CONNECTIONS` (50), `BENCH_THREADS` (2) and `BENCH_CARDS` (4,000) set the load.
//! Needs `wrk` in PATH, PostgreSQL and Redis at their development addresses. Exits non-zero
//! when a move was lost or an answer was an error; times are printed, never asserted.

// Not every bench uses every shared helper.
#[allow(dead_code)]
mod common;

use std::{fmt::Write as _, process::Command, str::FromStr};

use anyhow::{bail, ensure, Context};
use app::{auth::repo::find_user, board::model::Place};
use axum::{
    extract::{Form, State},
    http::{header, HeaderMap, StatusCode},
    routing::post,
    Router,
};
use server::auth::{session_store::session_key, PgSessionStore};
use sqlx::PgPool;
use tokio::{net::TcpListener, sync::oneshot};
use tower_sessions::{session::Id, SessionStore};
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_moves";
const MOVE_PATH: &str = "/api/move_card";
const GOAL_RATIO: f64 = 0.5;

/// The load, from the environment.
struct Load {
    seconds: u64,
    connections: u64,
    threads: u64,
    cards: i64,
}

fn env_or<T: FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} must be a number")),
        Err(_) => Ok(default),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let load = Load {
        seconds: env_or("BENCH_SECONDS", 30)?,
        connections: env_or("BENCH_CONNECTIONS", 50)?,
        threads: env_or("BENCH_THREADS", 2)?,
        cards: env_or("BENCH_CARDS", 4_000)?,
    };
    // A card comes round again only after all of its thread's others: far more than that
    // thread's requests in flight, so a move never races the previous move of its card.
    ensure!(
        load.threads > 0
            && load.connections >= load.threads
            && load.cards / load.threads as i64 >= 10 * (load.connections / load.threads) as i64,
        "BENCH_CARDS must be at least 10 × BENCH_CONNECTIONS"
    );
    let wrk = wrk_version()
        .context("wrk is missing: apt-get install -y wrk (bench/board-moves.sh does)")?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let origin = format!("http://{address}");
    let namespace = format!("spine-bench-{}", Uuid::new_v4().simple());
    let mut config = common::config(DATABASE_URL, address, &namespace);
    // Production's default logging (`.env.example`): the same spans and filters per request.
    config.log = "info,sqlx=warn".into();
    server::telemetry::init(&config);
    let pool = server::startup::connect_database(&config).await?;
    let (user, campaigns) = populate(&pool, load.cards).await?;
    let session = common::sign_in(&pool, user).await?;
    let cookie = format!("spine_session={session}");
    println!(
        "stage moves under load: wrk -t{} -c{} -d{}s --latency, {} cards ({} per thread, \
         waiting_room → oven and back), a fresh key per move; {wrk}, on the same cores",
        load.threads,
        load.connections,
        load.seconds,
        load.cards,
        load.cards / load.threads as i64
    );

    // Each server runs alone, on a pool of its own (as many connections as production's
    // default): a request wrk cuts off at its stop leaves its connection in an open
    // transaction until reused, which must not weigh on the other run.
    println!("wrk against Spine…");
    let spine_pool = server::startup::connect_database(&config).await?;
    let spine = common::Spine::serve(listener, config.clone(), &spine_pool).await?;
    let spine_run = run_wrk(&load, &origin, &origin, &cookie, campaigns[0], &pool).await?;
    spine.stop().await?;
    spine_pool.close().await;
    let moves = check_moves(&pool, user, campaigns[0], &spine_run).await?;

    println!("wrk against the bare handler…");
    let bare_pool = server::startup::connect_database(&config).await?;
    let bare_listener = TcpListener::bind("127.0.0.1:0").await?;
    let bare_origin = format!("http://{}", bare_listener.local_addr()?);
    let bare_app = Router::new()
        .route(MOVE_PATH, post(bare_move))
        .with_state(Bare {
            store: PgSessionStore::new(bare_pool.clone()),
            pool: bare_pool.clone(),
        });
    let (stop, stopped) = oneshot::channel::<()>();
    let bare = tokio::spawn(async move {
        axum::serve(bare_listener, bare_app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    let bare_run = run_wrk(&load, &bare_origin, &origin, &cookie, campaigns[1], &pool).await?;
    let _ = stop.send(());
    bare.await??;
    bare_pool.close().await;

    println!(
        "{:<40} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>7}",
        "", "req/s", "p50 ms", "p99 ms", "2xx", "refused", "non-2xx", "socket"
    );
    for (label, run) in [
        ("move_card (Spine, production router)", &spine_run),
        ("bare: session lookup + UPDATE (axum)", &bare_run),
    ] {
        println!(
            "{:<40} {:>9.0} {:>8.2} {:>8.2} {:>9} {:>8} {:>8} {:>7}",
            label,
            run.requests_per_second,
            run.p50_ms,
            run.p99_ms,
            run.ok,
            run.refused,
            run.non_2xx,
            run.socket_errors
        );
    }
    let ratio = spine_run.requests_per_second / bare_run.requests_per_second;
    println!(
        "  throughput Spine / bare = {:.0} % (goal ≥ {:.0} %: {}); p99 Spine / bare = {:.2}×",
        ratio * 100.0,
        GOAL_RATIO * 100.0,
        if ratio >= GOAL_RATIO {
            "holds"
        } else {
            "FAILS"
        },
        spine_run.p99_ms / bare_run.p99_ms
    );
    println!(
        "  Spine's moves: {} answered 2xx, {} audit entries under {} keys ({} in flight when \
         wrk stopped), {} rows of {}, {} cards not where the parity of their moves puts them",
        spine_run.ok, moves.audited, moves.keys, moves.cut, moves.rows, load.cards, moves.misplaced,
    );
    let lost = moves.lost
        + moves.unexplained
        + moves.misplaced
        + moves.audited.saturating_sub(moves.keys)
        + load.cards.abs_diff(moves.rows);
    println!("  lost moves: {lost} (goal 0)");

    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(session_key(&session))
        .execute(&pool)
        .await?;

    let errors = [&spine_run, &bare_run]
        .iter()
        // `other` holds every answer neither 2xx nor refused: wrk's non-2xx among them.
        .map(|r| r.refused + r.other + r.socket_errors)
        .sum::<u64>();
    println!("  errors: {errors} (goal 0)");
    ensure!(
        lost == 0 && errors == 0,
        "{lost} moves lost, {errors} error answers"
    );
    Ok(())
}

fn wrk_version() -> anyhow::Result<String> {
    // `wrk -v` prints its version, then its usage, and exits 1.
    let out = Command::new("wrk").arg("-v").output()?;
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(first
        .split(" Copyright")
        .next()
        .unwrap_or_default()
        .to_string())
}

/// One rep with two campaigns of `cards` prospects each, all in the waiting room as after an
/// import: one moved through Spine, one through the bare handler. Written afresh every run,
/// as the run moves them; the rep and the campaigns.
async fn populate(pool: &PgPool, cards: i64) -> anyhow::Result<(Uuid, [Uuid; 2])> {
    let user: Uuid = sqlx::query_scalar("SELECT md5('moves-rep')::uuid")
        .fetch_one(pool)
        .await?;
    let campaigns = ["moves-spine", "moves-bare"]
        .map(|name| Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()));
    let mut tx = pool.begin().await?;
    // Prospects and links hang on their rep by triggers, which TRUNCATE does not fire.
    sqlx::query("TRUNCATE users, prospects, campaign_prospects, audit_log CASCADE")
        .execute(&mut *tx)
        .await?;
    common::add_rep(&mut tx, user, "Rep Déplacements", "moves").await?;
    for (i, campaign) in campaigns.iter().enumerate() {
        let tag = format!("c{i}");
        common::add_campaign(&mut tx, user, "moves", *campaign, &tag, cards).await?;
        sqlx::query(
            "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id, position)
             SELECT $1, $2, md5($4 || '-' || i)::uuid, i
             FROM generate_series(1, $3) i",
        )
        .bind(user)
        .bind(campaign)
        .bind(cards)
        .bind(&tag)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok((user, campaigns))
}

/// What a wrk run printed, and what its script counted.
#[derive(Debug, Default)]
struct Run {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Status ≥ 400, as wrk counts them.
    non_2xx: u64,
    /// connect + read + write + timeout.
    socket_errors: u64,
    /// Moves the script sent, and the answers it read: 2xx moves, refusals answered 200 with
    /// `x-spine-refused` (as the WASM client asks), and anything else.
    sent: u64,
    ok: u64,
    refused: u64,
    other: u64,
}

/// Runs wrk against `target` on the cards of `campaign`, posting as the WASM client does (the
/// browser adds `Origin` and `Sec-Fetch-Site` to a fetch).
async fn run_wrk(
    load: &Load,
    target: &str,
    origin: &str,
    cookie: &str,
    campaign: Uuid,
    pool: &PgPool,
) -> anyhow::Result<Run> {
    // The other target's run leaves dead rows; both start from a tidy table.
    // Simple protocol: VACUUM commits by itself, which a prepared statement's implicit
    // transaction reports as a notice.
    sqlx::raw_sql("VACUUM ANALYZE campaign_prospects")
        .execute(pool)
        .await?;
    let cards: Vec<Uuid> = sqlx::query_scalar(
        "SELECT prospect_id FROM campaign_prospects WHERE campaign_id = $1 ORDER BY position",
    )
    .bind(campaign)
    .fetch_all(pool)
    .await?;
    let script = std::env::temp_dir().join(format!(
        "spine-board-moves-{}-{campaign}.lua",
        std::process::id()
    ));
    std::fs::write(
        &script,
        lua_script(load.threads, campaign, &cards, origin, cookie),
    )?;
    let args = vec![
        format!("-t{}", load.threads),
        format!("-c{}", load.connections),
        format!("-d{}s", load.seconds),
        "--latency".to_string(),
        "-s".to_string(),
        script.display().to_string(),
        format!("{target}{MOVE_PATH}"),
    ];
    let out =
        tokio::task::spawn_blocking(move || Command::new("wrk").args(&args).output()).await??;
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "wrk failed: {}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        println!("{stdout}");
    }
    parse_wrk(&stdout)
}

/// The wrk script: each thread walks its own share of the cards with a counter, moving them
/// waiting_room → oven on even rounds and back on odd ones, each move with a fresh key.
fn lua_script(threads: u64, campaign: Uuid, cards: &[Uuid], origin: &str, cookie: &str) -> String {
    let mut list = String::with_capacity(cards.len() * 40);
    for card in cards {
        let _ = writeln!(list, "  \"{card}\",");
    }
    format!(
        r#"-- Written by server/benches/board_moves.rs.
local cards = {{
{list}}}
local threads = {threads}
local campaign = "{campaign}"
local headers = {{
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "application/vnd.spine.answer+json",
  ["Accept-Encoding"] = "gzip, deflate, br",
  ["Cookie"] = "{cookie}",
  ["Origin"] = "{origin}",
  ["Sec-Fetch-Site"] = "same-origin",
  ["Sec-Fetch-Mode"] = "cors",
}}

local made = {{}}
function setup(thread)
  table.insert(made, thread)
  thread:set("id", #made)
end

function init(args)
  local share = math.floor(#cards / threads)
  first = (id - 1) * share
  count = share
  n = 0
  sent, ok, refused, other = 0, 0, 0, 0
  -- wrk builds thread 1's first request once to check it and never sends it: that one
  -- must not advance the walk.
  checking = id == 1
  math.randomseed(os.time() * 1000 + id)
end

-- A version 4 uuid whose last bits are the thread and its counter: never twice in a run.
local function key()
  local r = math.random
  return string.format("%04x%04x-%04x-4%03x-%x%03x-%04x%08x",
    r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff), 8 + r(0, 3), r(0, 0xfff), id, n)
end

function request()
  local round = math.floor(n / count)
  local from, to = "waiting_room", "oven"
  if round % 2 == 1 then from, to = "oven", "waiting_room" end
  local body = "campaign=" .. campaign .. "&prospect=" .. cards[first + n % count + 1]
    .. "&from=" .. from .. "&to=" .. to .. "&key=" .. key()
  if checking then
    checking = false
  else
    n = n + 1
    sent = sent + 1
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  local was_refused = false
  for name in pairs(headers) do
    if string.lower(name) == "x-spine-refused" then was_refused = true end
  end
  if was_refused then
    refused = refused + 1
  elseif status >= 200 and status < 300 then
    ok = ok + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = {{ sent = 0, ok = 0, refused = 0, other = 0 }}
  for _, thread in ipairs(made) do
    for name, value in pairs(t) do t[name] = value + thread:get(name) end
  end
  io.write(string.format("spine-moves sent=%d ok=%d refused=%d other=%d\n",
    t.sent, t.ok, t.refused, t.other))
end
"#
    )
}

/// Reads wrk's summary (`--latency`) and the script's last line.
fn parse_wrk(out: &str) -> anyhow::Result<Run> {
    let mut run = Run::default();
    let (mut rate, mut p99, mut counted) = (false, false, false);
    for line in out.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            run.requests_per_second = v.trim().parse()?;
            rate = true;
        } else if let Some(v) = line.strip_prefix("50%") {
            run.p50_ms = duration_ms(v.trim())?;
        } else if let Some(v) = line.strip_prefix("99%") {
            run.p99_ms = duration_ms(v.trim())?;
            p99 = true;
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            run.non_2xx = v.trim().parse()?;
        } else if let Some(v) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in v.split(',') {
                let n = part.split_whitespace().nth(1).context("socket errors")?;
                run.socket_errors += n.parse::<u64>()?;
            }
        } else if let Some(v) = line.strip_prefix("spine-moves") {
            for pair in v.split_whitespace() {
                let (name, n) = pair.split_once('=').context("script counts")?;
                let n: u64 = n.parse()?;
                match name {
                    "sent" => run.sent = n,
                    "ok" => run.ok = n,
                    "refused" => run.refused = n,
                    "other" => run.other = n,
                    _ => {}
                }
            }
            counted = true;
        }
    }
    ensure!(rate && p99 && counted, "unexpected wrk output:\n{out}");
    Ok(run)
}

/// `850.00us`, `12.34ms`, `1.02s`, `1.50m` in ms.
fn duration_ms(text: &str) -> anyhow::Result<f64> {
    for (unit, ms) in [
        ("us", 1e-3),
        ("ms", 1.0),
        ("s", 1e3),
        ("m", 60e3),
        ("h", 3600e3),
    ] {
        if let Some(n) = text.strip_suffix(unit) {
            if let Ok(n) = n.parse::<f64>() {
                return Ok(n * ms);
            }
        }
    }
    bail!("unreadable duration {text:?}")
}

/// What the database says of a run's moves.
struct Moves {
    audited: u64,
    keys: u64,
    /// Moves committed whose answer wrk never read: in flight when it stopped.
    cut: u64,
    /// 2xx answers without their audit entry.
    lost: u64,
    /// Audit entries beyond the moves sent.
    unexplained: u64,
    /// Cards whose place is not what the parity of their logged moves says.
    misplaced: u64,
    rows: i64,
}

/// Counts the campaign's audit entries and rows, and the cards not where their moves put them
/// (once Spine has stopped: the moves in flight when wrk stopped have landed or not).
async fn check_moves(
    pool: &PgPool,
    owner: Uuid,
    campaign: Uuid,
    run: &Run,
) -> anyhow::Result<Moves> {
    let (audited, keys): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT after->>'move') FROM audit_log
         WHERE owner_user_id = $1 AND action = 'move' AND after->>'campaign_id' = $2::text",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_one(pool)
    .await?;
    let (audited, keys) = (audited as u64, keys as u64);
    // Every card starts in the waiting room and alternates with the oven.
    let (rows, misplaced): (i64, i64) = sqlx::query_as(
        "WITH moves AS (
             SELECT entity_id, count(*) AS n FROM audit_log
             WHERE owner_user_id = $1 AND action = 'move' AND after->>'campaign_id' = $2::text
             GROUP BY entity_id
         )
         SELECT count(*), count(*) FILTER (WHERE spine_board_place(cp.stage, cp.outcome)
                              <> CASE WHEN coalesce(m.n, 0) % 2 = 1 THEN $3 ELSE $4 END)
         FROM campaign_prospects cp
         LEFT JOIN moves m ON m.entity_id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2",
    )
    .bind(owner)
    .bind(campaign)
    .bind(Place::Oven.key())
    .bind(Place::WaitingRoom.key())
    .fetch_one(pool)
    .await?;
    let in_flight = run.sent.saturating_sub(run.ok + run.refused + run.other);
    Ok(Moves {
        audited,
        keys,
        cut: audited.saturating_sub(run.ok).min(in_flight),
        lost: run.ok.saturating_sub(audited),
        unexplained: audited.saturating_sub(run.ok + in_flight),
        misplaced: misplaced as u64,
        rows,
    })
}

/// The bare handler's state: the pool and Spine's session store.
#[derive(Clone)]
struct Bare {
    pool: PgPool,
    store: PgSessionStore,
}

#[derive(serde::Deserialize)]
struct MoveForm {
    campaign: Uuid,
    prospect: Uuid,
    from: String,
    to: String,
}

/// What any move must do: read the session from the store as the session layer does, its
/// user as Spine's authentication does, and one UPDATE of the card, checked against where the
/// rep saw it and put on top of its new column.
async fn bare_move(
    State(bare): State<Bare>,
    headers: HeaderMap,
    Form(form): Form<MoveForm>,
) -> Result<&'static str, StatusCode> {
    let internal = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "bare move");
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let id = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .find_map(|c| c.trim().strip_prefix("spine_session="))
        })
        .and_then(|v| Id::from_str(v).ok())
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let record = bare
        .store
        .load(&id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let user_id: Uuid = record
        .data
        .get("auth")
        .and_then(|auth| serde_json::from_value(auth["user_id"].clone()).ok())
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let user = find_user(&bare.pool, user_id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let (Some(from), Some(to)) = (Place::parse(&form.from), Place::parse(&form.to)) else {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    };
    let moved = sqlx::query(
        "UPDATE campaign_prospects
         SET stage = $5, outcome = $6, moved_at = now(),
             position = (SELECT coalesce(min(position), 0) - 1 FROM campaign_prospects
                         WHERE owner_user_id = $1 AND campaign_id = $2 AND stage = $5)
         WHERE owner_user_id = $1 AND campaign_id = $2 AND prospect_id = $3
           AND spine_board_place(stage, outcome) = $4",
    )
    .bind(user.id)
    .bind(form.campaign)
    .bind(form.prospect)
    .bind(from.key())
    .bind(to.stage())
    .bind(to.outcome())
    .execute(&bare.pool)
    .await
    .map_err(|e| internal(&e))?
    .rows_affected();
    if moved == 1 {
        Ok(r#"{"moved":1}"#)
    } else {
        Err(StatusCode::CONFLICT)
    }
}
