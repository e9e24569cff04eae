//! A year of service requests in bulk, for the benchmark (`cargo xtask bench`, through the
//! hidden `linli-server bench-load`): the demo community's residents send `count` requests
//! spread over the last 365 days, in every category and status. They are written by the same
//! code as the demo's requests, so every timeline follows the lifecycle and the response,
//! resolution and rating columns agree with it. Older requests are mostly settled, as in a
//! community that works its queue; the last month looks like the demo's ten weeks.
//!
//! Deterministic: the same count on the same day gives the same requests.

use super::requests::{
    Draft, HOUR, OUTCOMES, PlanCategory, TITLES, authors_and_handler, insert_planned, number,
    pick_outcome,
};
use super::rng::SplitMix64;
use crate::db::Db;
use anyhow::bail;
use linli_domain::request::{RequestStatus, TimeLimits};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

const SEED: u64 = 0x4C49_4E4C_4942_4E43; // "LINLIBNC"
const SPAN_SECONDS: u64 = 365 * 24 * 3600;
/// Requests older than this mostly have an outcome.
const SETTLED_AFTER: i64 = 30 * 24 * HOUR;

/// The category the demo leaves out (limits as in migration 0002), so all nine are loaded.
const OTHER: PlanCategory = (
    "other",
    TimeLimits {
        response_hours: 48,
        resolution_hours: 360,
    },
    &["小区门口共享单车太多", "想咨询社区活动室开放时间"],
);

/// Where requests older than a month ended up; weights add up to 100.
const SETTLED_OUTCOMES: &[(u64, RequestStatus)] = &[
    (78, RequestStatus::Closed),
    (4, RequestStatus::Resolved),
    (2, RequestStatus::InProgress),
    (1, RequestStatus::Dispatched),
    (1, RequestStatus::Accepted),
    (2, RequestStatus::Reopened),
    (7, RequestStatus::Rejected),
    (5, RequestStatus::Withdrawn),
];

const DESCRIPTIONS: &[&str] = &[
    "麻烦尽快派人来看一下，谢谢。",
    "已经有好几天了，家里有老人小孩，希望早点处理。",
    "昨天晚上开始的，白天家里有人，可以随时联系。",
    "之前反映过一次，还没有解决，请再跟进一下。",
    "",
];

/// Answers to the category's required questions, as the form would send them.
fn typical_answers(code: &str) -> &'static str {
    match code {
        "repairs" => r#"{"where":"stairwell","floor":3}"#,
        "sanitation" => r#"{"kinds":["rubbish","smell"]}"#,
        "safety" => r#"{"hazard":"fire_exit"}"#,
        "household_services" => r#"{"service":"cleaning"}"#,
        _ => "{}",
    }
}

/// Adds `count` requests with their timelines in one transaction; returns how many. The
/// database must hold the demo community (its residents send them).
pub async fn load_bench_requests(db: &Db, count: u64, now: i64) -> anyhow::Result<usize> {
    let mut conn = db.acquire().await?;
    if crate::db::engine(db) == crate::db::Engine::Postgres {
        return load(&mut conn, count, now).await;
    }
    // In one long transaction every page is already dirty, so each INSERT saves the pages it
    // changes to a statement journal, which SQLite spills to a temp file past 64 KiB: keep it
    // in memory (half a million writes fewer). Set back before the connection is reused.
    sqlx::query("PRAGMA temp_store = MEMORY")
        .execute(&mut *conn)
        .await?;
    let loaded = load(&mut conn, count, now).await;
    sqlx::query("PRAGMA temp_store = DEFAULT")
        .execute(&mut *conn)
        .await?;
    loaded
}

async fn load(conn: &mut AnyConnection, count: u64, now: i64) -> anyhow::Result<usize> {
    let mut tx = crate::store::begin_write_on(conn).await?;
    let (residents, staff) = authors_and_handler(&mut tx).await?;
    if residents.is_empty() {
        bail!("no resident is bound to a household: seed the demo community first");
    }
    // With the benchmark's city loaded (`city`), the same residents send for the copies of
    // their homes in every community, so the requests spread evenly over the communities.
    let communities: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM communities")
        .fetch_one(&mut *tx)
        .await?;
    let residents: Vec<(i64, i64)> = (1..=communities as usize)
        .flat_map(|n| {
            residents
                .iter()
                .map(move |&(user, home)| (user, super::city::copied_household(home, n)))
        })
        .collect();
    let categories: Vec<_> = TITLES.iter().copied().chain([OTHER]).collect();
    let mut rng = SplitMix64::new(SEED);
    let drafts: Vec<Draft> = (0..count)
        .map(|i| {
            let submitted = now - 2 * HOUR - rng.below(SPAN_SECONDS) as i64;
            let category = rng.below(categories.len() as u64) as usize;
            let author = rng.below(residents.len() as u64) as usize;
            let table = if now - submitted > SETTLED_AFTER {
                SETTLED_OUTCOMES
            } else {
                OUTCOMES
            };
            (
                submitted,
                category,
                author,
                pick_outcome(table, rng.below(100)),
                i,
            )
        })
        .collect();
    // Tracking numbers go on from those already given out in each year.
    let mut seq_by_year: BTreeMap<i32, i64> = sqlx::query(
        "SELECT tracking_year, MAX(tracking_seq) FROM service_requests GROUP BY tracking_year",
    )
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| (r.get::<i32, _>(0), r.get::<i64, _>(1)))
    .collect();
    let requests = number(
        drafts,
        &mut seq_by_year,
        &categories,
        &residents,
        |code, i| {
            (
                DESCRIPTIONS[(i as usize) % DESCRIPTIONS.len()],
                typical_answers(code),
            )
        },
    );
    insert_planned(&mut tx, &requests, staff, now, &mut rng).await?;
    tx.commit().await?;
    Ok(requests.len())
}

#[cfg(test)]
mod tests {
    use crate::db;
    use linli_domain::request::RequestStatus;
    use sqlx::Row;

    #[tokio::test]
    async fn loads_every_category_and_status_with_consistent_columns() {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::scratch(dir.path()).await.unwrap();
        super::super::seed_demo_community(&pool).await.unwrap();
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_requests")
            .fetch_one(&pool)
            .await
            .unwrap();
        let now = db::now();
        assert_eq!(
            super::load_bench_requests(&pool, 2000, now).await.unwrap(),
            2000
        );

        let rows = sqlx::query(
            "SELECT category_code, status, submitted_at, responded_at, resolved_at, satisfied,
                    (SELECT COUNT(*) FROM request_events e WHERE e.request_id = r.id) AS events
             FROM service_requests r WHERE id > $1",
        )
        .bind(before)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(rows.len(), 2000);
        let categories: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM request_categories")
            .fetch_one(&pool)
            .await
            .unwrap();
        let seen: std::collections::BTreeSet<String> =
            rows.iter().map(|r| r.get("category_code")).collect();
        assert_eq!(seen.len() as i64, categories, "every category is loaded");
        for status in RequestStatus::ALL {
            assert!(
                rows.iter()
                    .any(|r| r.get::<String, _>("status") == status.key()),
                "no loaded request is {status:?}"
            );
        }
        for r in &rows {
            let status = RequestStatus::parse(r.get("status")).unwrap();
            let submitted: i64 = r.get("submitted_at");
            assert!(submitted < now && submitted >= now - 366 * 86_400);
            assert!(r.get::<i64, _>("events") >= 1, "at least the submit event");
            let responded: Option<i64> = r.get("responded_at");
            let resolved: Option<i64> = r.get("resolved_at");
            let satisfied: Option<bool> = r.get::<Option<i64>, _>("satisfied").map(|s| s != 0);
            match status {
                RequestStatus::Submitted | RequestStatus::Withdrawn => {
                    assert_eq!((responded, resolved), (None, None))
                }
                RequestStatus::Closed => {
                    assert!(resolved.is_some() && satisfied == Some(true))
                }
                RequestStatus::Reopened => assert_eq!(satisfied, Some(false)),
                RequestStatus::Resolved => assert!(resolved.is_some() && satisfied.is_none()),
                _ => assert!(responded.is_some()),
            }
            if let (Some(responded), Some(resolved)) = (responded, resolved) {
                assert!(submitted <= responded && responded <= resolved && resolved <= now);
            }
        }
        // The tracking numbers stay unique across the demo's and the loaded requests.
        let clashes: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM service_requests
             GROUP BY tracking_year, tracking_seq HAVING COUNT(*) > 1) AS clash",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(clashes, 0);
    }
}
