//! Demo service requests: about seventy over the last ten weeks, from the bound residents, in
//! every status, with timelines whose times agree with their deadlines (some responded late,
//! some resolved late, some rated unsatisfied and handled again), so the lists and the
//! figures mean something from the first run. Times are relative to the seeding moment.

use super::rng::SplitMix64;
use linli_domain::figures::YearMonth;
use linli_domain::request::{
    Actor, Deadlines, RejectReason, RequestAction, RequestStatus, TimeLimits, transition,
};
use sqlx::{Any, AnyConnection, QueryBuilder, Row};
use std::collections::BTreeMap;

const SEED: u64 = 0x4C49_4E4C_4952_4551; // "LINLIREQ"
const COUNT: u64 = 72;
const SPAN_DAYS: u64 = 70;
pub(super) const HOUR: i64 = 3600;

/// Per category: its code, its limits (as in migration 0002), and titles residents write.
pub(super) const TITLES: &[PlanCategory] = &[
    (
        "repairs",
        TimeLimits {
            response_hours: 24,
            resolution_hours: 168,
        },
        &["楼道灯不亮", "水管漏水", "单元门门禁坏了", "电梯按钮失灵"],
    ),
    (
        "sanitation",
        TimeLimits {
            response_hours: 24,
            resolution_hours: 72,
        },
        &["垃圾桶满了没人清", "楼下有积水发臭", "绿化带里有老鼠"],
    ),
    (
        "public_facilities",
        TimeLimits {
            response_hours: 24,
            resolution_hours: 168,
        },
        &["健身器材松动", "路灯不亮", "长椅坏了"],
    ),
    (
        "safety",
        TimeLimits {
            response_hours: 1,
            resolution_hours: 24,
        },
        &["消防通道被电动车堵了", "楼道电线裸露", "阳台花盆有坠落危险"],
    ),
    (
        "disputes",
        TimeLimits {
            response_hours: 48,
            resolution_hours: 360,
        },
        &["楼上夜里噪音大", "邻居占用楼道堆物"],
    ),
    (
        "elderly_help",
        TimeLimits {
            response_hours: 4,
            resolution_hours: 48,
        },
        &["独居老人需要送餐", "老人行动不便想请人陪诊"],
    ),
    (
        "household_services",
        TimeLimits {
            response_hours: 24,
            resolution_hours: 168,
        },
        &["想预约上门保洁", "需要小修服务"],
    ),
    (
        "policy",
        TimeLimits {
            response_hours: 24,
            resolution_hours: 120,
        },
        &["医保异地备案怎么办", "高龄津贴怎么申请"],
    ),
];

/// Where the demo requests end up; weights add up to 100.
pub(super) const OUTCOMES: &[(u64, RequestStatus)] = &[
    (40, RequestStatus::Closed),
    (12, RequestStatus::Resolved),
    (10, RequestStatus::InProgress),
    (8, RequestStatus::Dispatched),
    (6, RequestStatus::Accepted),
    (8, RequestStatus::Submitted),
    (6, RequestStatus::Reopened),
    (6, RequestStatus::Rejected),
    (4, RequestStatus::Withdrawn),
];

struct Step {
    action: RequestAction,
    at: i64,
    note: &'static str,
}

pub async fn insert_demo_requests(conn: &mut AnyConnection, now: i64) -> anyhow::Result<usize> {
    let (residents, staff) = authors_and_handler(conn).await?;
    if residents.is_empty() {
        return Ok(0);
    }
    let mut rng = SplitMix64::new(SEED);
    let drafts: Vec<Draft> = (0..COUNT)
        .map(|i| {
            let submitted = now - (rng.below(SPAN_DAYS * 24) as i64 + 2) * HOUR;
            let category = rng.below(TITLES.len() as u64) as usize;
            let author = rng.below(residents.len() as u64) as usize;
            let outcome = pick_outcome(OUTCOMES, rng.below(100));
            (submitted, category, author, outcome, i)
        })
        .collect();
    let requests = number(drafts, &mut BTreeMap::new(), TITLES, &residents, |_, _| {
        ("", "{}")
    });
    insert_planned(conn, &requests, staff, now, &mut rng).await?;
    Ok(requests.len())
}

/// The bound residents with their households (who send requests), and the first staff
/// account (who handles them).
/// Every third demo request's sender agreed to be called, and for the first few of those that
/// staff took on, the staff member opened the number to arrange a visit an hour after
/// answering: the staff view shows both kinds of requester, and the access log is not empty.
pub async fn insert_demo_contact_openings(
    conn: &mut AnyConnection,
    now: i64,
) -> anyhow::Result<usize> {
    sqlx::query("UPDATE service_requests SET contact_preference = 'phone' WHERE id % 3 = 0")
        .execute(&mut *conn)
        .await?;
    // Inserted in time order: the log's ids follow time, as they do when staff write them.
    let opened = sqlx::query(
        "INSERT INTO access_log (at, actor_id, action, purpose, request_id, subject_id, community_id)
         SELECT * FROM (
             SELECT CASE WHEN r.responded_at + 3600 < $1 THEN r.responded_at + 3600 ELSE $1 END AS at, u.id, 'open_contact', 'arrange_visit',
                    r.id, r.author_id, r.community_id
             FROM service_requests r,
                  (SELECT id FROM users WHERE role = 'staff' ORDER BY id LIMIT 1) u
             WHERE r.contact_preference = 'phone' AND r.responded_at IS NOT NULL
                   AND r.author_id IS NOT NULL
             ORDER BY r.id LIMIT 6
         ) AS opening ORDER BY at",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(opened as usize)
}

pub(super) async fn authors_and_handler(
    conn: &mut AnyConnection,
) -> sqlx::Result<(Vec<(i64, i64)>, Option<i64>)> {
    let residents = sqlx::query(
        "SELECT user_id, household_id FROM household_members ORDER BY user_id, household_id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let staff = sqlx::query_scalar("SELECT id FROM users WHERE role = 'staff' ORDER BY id LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok((residents, staff))
}

/// A request drawn but not yet numbered: when it is sent, its category and author (as indexes),
/// its outcome, and its draw number (which picks its texts and breaks ties in time).
pub(super) type Draft = (i64, usize, usize, RequestStatus, u64);

/// A category as the planners know it: its code, its time limits and some titles.
pub(super) type PlanCategory<'a> = (&'a str, TimeLimits, &'a [&'a str]);

/// Numbers drafts in order of submission, going on from `seq_by_year`, and fills in their
/// texts: the title from the category, the description and answers from `texts(code, draw)`.
pub(super) fn number<'a>(
    mut drafts: Vec<Draft>,
    seq_by_year: &mut BTreeMap<i32, i64>,
    categories: &[PlanCategory<'a>],
    residents: &[(i64, i64)],
    texts: impl Fn(&'a str, u64) -> (&'a str, &'a str),
) -> Vec<Planned<'a>> {
    // Tracking numbers follow the order of submission.
    drafts.sort_by_key(|d| (d.0, d.4));
    drafts
        .into_iter()
        .map(|(submitted, category, author, outcome, i)| {
            let (code, limits, titles) = categories[category];
            let (author_id, household_id) = residents[author];
            let year = YearMonth::of(submitted).year;
            let seq = seq_by_year.entry(year).and_modify(|s| *s += 1).or_insert(1);
            let (description, answers) = texts(code, i);
            Planned {
                year,
                seq: *seq,
                code,
                limits,
                title: titles[(i as usize) % titles.len()],
                description,
                answers,
                author_id,
                household_id,
                submitted,
                outcome,
            }
        })
        .collect()
}

/// One request to write, with where its lifecycle ends.
pub(super) struct Planned<'a> {
    pub year: i32,
    pub seq: i64,
    pub code: &'a str,
    pub limits: TimeLimits,
    pub title: &'a str,
    pub description: &'a str,
    /// A JSON object.
    pub answers: &'a str,
    pub author_id: i64,
    pub household_id: i64,
    pub submitted: i64,
    pub outcome: RequestStatus,
}

/// A planned request as rows: its own columns, and its timeline.
struct Rows {
    id: i64,
    deadlines: Deadlines,
    responded_at: Option<i64>,
    resolved_at: Option<i64>,
    satisfied: Option<bool>,
    handler: Option<&'static str>,
    events: Vec<EventRow>,
}

struct EventRow {
    at: i64,
    actor_role: &'static str,
    actor_id: Option<i64>,
    action: &'static str,
    from: Option<RequestStatus>,
    to: RequestStatus,
    note: &'static str,
    reason: Option<RejectReason>,
}

/// How many requests one INSERT writes (19 values each, far below SQLite's 32,766 limit).
const ROWS_PER_INSERT: usize = 500;

/// Writes requests with timelines that take each from Submitted to its outcome; the response,
/// resolution and rating columns agree with the timeline. Every step goes through the
/// lifecycle's `transition`, so a plan that breaks it is an error.
///
/// Rows are written many to an INSERT (ids given here, in order, within the caller's
/// transaction), so a hundred thousand requests take seconds, not minutes.
pub(super) async fn insert_planned(
    conn: &mut AnyConnection,
    planned: &[Planned<'_>],
    staff: Option<i64>,
    now: i64,
    rng: &mut SplitMix64,
) -> anyhow::Result<()> {
    let mut next_id: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM service_requests")
            .fetch_one(&mut *conn)
            .await?;
    let engine = crate::db::engine_of(conn);
    for chunk in planned.chunks(ROWS_PER_INSERT) {
        let mut rows = Vec::with_capacity(chunk.len());
        for p in chunk {
            rows.push(rows_of(p, next_id, staff, now, rng)?);
            next_id += 1;
        }
        let mut insert = QueryBuilder::<Any>::new(
            "INSERT INTO service_requests
                (id, tracking_year, tracking_seq, category_code, author_id, household_id, title,
                 description, answers, contact_preference, hide_name, status, handler,
                 submitted_at, respond_by, resolve_by, responded_at, resolved_at, satisfied,
                 community_id) ",
        );
        insert.push_values(chunk.iter().zip(&rows), |mut b, (p, r)| {
            b.push_bind(r.id)
                .push_bind(p.year)
                .push_bind(p.seq)
                .push_bind(p.code)
                .push_bind(p.author_id)
                .push_bind(p.household_id)
                .push_bind(p.title)
                .push_bind(p.description)
                .push_bind(p.answers)
                .push_bind("app")
                .push_bind(1_i64)
                .push_bind(p.outcome.key())
                .push_bind(r.handler)
                .push_bind(p.submitted)
                .push_bind(r.deadlines.respond_by)
                .push_bind(r.deadlines.resolve_by)
                .push_bind(r.responded_at)
                .push_bind(r.resolved_at)
                .push_bind(r.satisfied.map(i64::from))
                // The household's community.
                .push("(SELECT community_id FROM households WHERE id = ")
                .push_bind_unseparated(p.household_id)
                .push_unseparated(")");
        });
        let (sql, args) = crate::store::built(&mut insert, engine);
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;

        // Events get their ids in this order: by request, then by time.
        let events: Vec<(i64, &EventRow)> = rows
            .iter()
            .flat_map(|r| r.events.iter().map(move |e| (r.id, e)))
            .collect();
        for batch in events.chunks(ROWS_PER_INSERT * 2) {
            let mut insert = QueryBuilder::<Any>::new(
                "INSERT INTO request_events
                    (request_id, at, actor_role, actor_id, action, from_status, to_status, note,
                     public, reason, community_id) ",
            );
            insert.push_values(batch, |mut b, (request_id, e)| {
                b.push_bind(*request_id)
                    .push_bind(e.at)
                    .push_bind(e.actor_role)
                    .push_bind(e.actor_id)
                    .push_bind(e.action)
                    .push_bind(e.from.map(RequestStatus::key))
                    .push_bind(e.to.key())
                    .push_bind(e.note)
                    .push_bind(1_i64)
                    .push_bind(e.reason.map(RejectReason::key))
                    // The request's community.
                    .push("(SELECT community_id FROM service_requests WHERE id = ")
                    .push_bind_unseparated(*request_id)
                    .push_unseparated(")");
            });
            let (sql, args) = crate::store::built(&mut insert, engine);
            sqlx::query_with(&sql, args).execute(&mut *conn).await?;
        }
    }
    crate::db::ids_given(conn, "service_requests").await?;
    Ok(())
}

/// The rows of one planned request: its timeline and the columns that follow from it.
fn rows_of(
    p: &Planned<'_>,
    id: i64,
    staff: Option<i64>,
    now: i64,
    rng: &mut SplitMix64,
) -> anyhow::Result<Rows> {
    let steps = steps_to(p.outcome, p.submitted, p.limits, now, rng);
    let mut events = vec![EventRow {
        at: p.submitted,
        actor_role: "resident",
        actor_id: Some(p.author_id),
        action: "submit",
        from: None,
        to: RequestStatus::Submitted,
        note: "",
        reason: None,
    }];
    let mut status = RequestStatus::Submitted;
    for step in &steps {
        let (actor_role, actor_id) = match step.action.taken_by() {
            Actor::Author => ("resident", Some(p.author_id)),
            _ => ("staff", staff),
        };
        let to = transition(status, step.action, step.action.taken_by()).map_err(|e| {
            anyhow::anyhow!(
                "request plan breaks the lifecycle: {status:?} {:?}: {e:?}",
                step.action
            )
        })?;
        events.push(EventRow {
            at: step.at,
            actor_role,
            actor_id,
            action: step.action.key(),
            from: Some(status),
            to,
            note: step.note,
            // The planned refusals are all matters for another body (see the plan's note).
            reason: (step.action == RequestAction::Reject)
                .then_some(RejectReason::ReferredElsewhere),
        });
        status = to;
    }
    if status != p.outcome {
        anyhow::bail!("request plan ends in {status:?}, not {:?}", p.outcome);
    }
    Ok(Rows {
        id,
        deadlines: Deadlines::from_submission(p.submitted, p.limits),
        responded_at: steps
            .iter()
            .find(|s| matches!(s.action, RequestAction::Accept | RequestAction::Reject))
            .map(|s| s.at),
        resolved_at: steps
            .iter()
            .rev()
            .find(|s| s.action == RequestAction::Resolve)
            .map(|s| s.at),
        satisfied: steps.iter().rev().find_map(|s| match s.action {
            RequestAction::RateSatisfied => Some(true),
            RequestAction::RateUnsatisfied => Some(false),
            _ => None,
        }),
        handler: steps
            .iter()
            .any(|s| s.action == RequestAction::Dispatch)
            .then_some("网格员刘敏"),
        events,
    })
}

/// The outcome a roll in `0..100` lands on, in a table whose weights add up to 100.
pub(super) fn pick_outcome(table: &[(u64, RequestStatus)], roll: u64) -> RequestStatus {
    let mut acc = 0;
    for (weight, status) in table {
        acc += weight;
        if roll < acc {
            return *status;
        }
    }
    RequestStatus::Closed
}

/// The actions that take a request from Submitted to `outcome`, at times after `submitted`
/// and before `now`. Most responses and resolutions are in time; some are late, as in life.
fn steps_to(
    outcome: RequestStatus,
    submitted: i64,
    limits: TimeLimits,
    now: i64,
    rng: &mut SplitMix64,
) -> Vec<Step> {
    use RequestAction as A;
    let available = (now - submitted).max(2 * HOUR);
    // Spread the steps over the time that has passed, never later than now.
    let mut t = submitted;
    let mut next = |share_of_limit_percent: u64, late: bool| {
        let limit = i64::from(limits.response_hours.max(1)) * HOUR;
        let gap = if late {
            limit + HOUR
        } else {
            (limit * share_of_limit_percent as i64 / 100).max(60)
        };
        t = (t + gap).min(submitted + available - 60);
        t
    };
    let late_response = rng.below(10) == 0;
    let mut steps = Vec::new();
    let mut push = |action, at, note| steps.push(Step { action, at, note });
    match outcome {
        RequestStatus::Submitted => {}
        RequestStatus::Withdrawn => push(A::Withdraw, next(30, false), "已自行解决"),
        RequestStatus::Rejected => push(
            A::Reject,
            next(50, late_response),
            "属于物业公司的职责，已转交物业公司",
        ),
        _ => {
            push(A::Accept, next(40, late_response), "");
            if outcome == RequestStatus::Accepted {
                return steps;
            }
            push(A::Dispatch, next(20, false), "");
            if outcome == RequestStatus::Dispatched {
                return steps;
            }
            push(A::Start, next(30, false), "");
            if outcome == RequestStatus::InProgress {
                return steps;
            }
            let late_resolution = rng.below(6) == 0;
            let resolve_at = if late_resolution {
                submitted + i64::from(limits.resolution_hours) * HOUR + 6 * HOUR
            } else {
                submitted
                    + i64::from(limits.resolution_hours) * HOUR * (20 + rng.below(60) as i64) / 100
            };
            let at = resolve_at
                .min(submitted + available - 30)
                .max(next(10, false));
            push(A::Resolve, at, "已处理完毕");
            match outcome {
                RequestStatus::Resolved => {}
                RequestStatus::Reopened => {
                    push(A::RateUnsatisfied, (at + HOUR).min(now - 10), "问题还在")
                }
                _ => {
                    let satisfied = rng.below(10) < 8;
                    let rated = (at + 2 * HOUR).min(now - 10);
                    push(
                        if satisfied {
                            A::RateSatisfied
                        } else {
                            A::RateUnsatisfied
                        },
                        rated,
                        "",
                    );
                    if !satisfied {
                        // Handled again, then satisfied.
                        push(A::Start, (rated + HOUR).min(now - 8), "");
                        push(A::Resolve, (rated + 5 * HOUR).min(now - 6), "重新处理");
                        push(A::RateSatisfied, (rated + 6 * HOUR).min(now - 4), "");
                    }
                }
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use crate::db;
    use linli_domain::request::{RequestStatus, transition};
    use sqlx::Row;

    #[tokio::test]
    async fn demo_requests_cover_every_status_with_consistent_timelines() {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::scratch(dir.path()).await.unwrap();
        let report = super::super::seed_demo_community(&pool).await.unwrap();
        assert_eq!(report.service_requests, super::COUNT as usize);

        let requests = sqlx::query("SELECT id, status, submitted_at FROM service_requests")
            .fetch_all(&pool)
            .await
            .unwrap();
        for status in RequestStatus::ALL {
            assert!(
                requests
                    .iter()
                    .any(|r| r.get::<String, _>("status") == status.key()),
                "no demo request is {status:?}"
            );
        }
        let now = db::now();
        for r in &requests {
            let id: i64 = r.get("id");
            let events = sqlx::query(
                "SELECT at, action, from_status, to_status FROM request_events WHERE request_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
            let mut status = RequestStatus::Submitted;
            let mut last_at = r.get::<i64, _>("submitted_at");
            assert_eq!(events[0].get::<String, _>("action"), "submit");
            for e in &events[1..] {
                let action = linli_domain::request::RequestAction::ALL
                    .into_iter()
                    .find(|a| a.key() == e.get::<String, _>("action"))
                    .unwrap();
                let to = transition(status, action, action.taken_by()).unwrap();
                assert_eq!(
                    e.get::<Option<String>, _>("to_status").as_deref(),
                    Some(to.key())
                );
                let at: i64 = e.get("at");
                assert!(
                    at >= last_at && at <= now,
                    "request {id}: times go forward and not past now"
                );
                last_at = at;
                status = to;
            }
            assert_eq!(
                status.key(),
                r.get::<String, _>("status"),
                "request {id} ends where its timeline does"
            );
        }
    }
}
