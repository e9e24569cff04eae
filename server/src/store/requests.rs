//! Service requests: the catalogue, creating requests, reading them with their timelines, and
//! applying lifecycle transitions. Each write is one transaction.

use super::community::CommunityId;
use super::photos;
use super::read_cache::{Fresh, requests_changed};
use crate::db::Db;
use crate::photos::StoredPhoto;
use linli_domain::api::{
    ContactPreference, GeoPoint, RequestDetail, RequestSummary, TimelineEntry,
};
use linli_domain::catalogue::{Answers, Question, RequestCategory};
use linli_domain::figures::{RequestFacts, YearMonth};
use linli_domain::request::{
    Deadlines, RejectReason, RequestAction, RequestStatus, TimeLimits, TrackingNumber, is_late,
};
use sqlx::Row;
use sqlx::any::AnyRow;

pub async fn categories(db: &Db) -> sqlx::Result<Vec<RequestCategory>> {
    let rows = sqlx::query(
        "SELECT code, name_zh, name_en, description_zh, description_en, response_hours,
                resolution_hours, questions
         FROM request_categories ORDER BY sort_order",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(category_from_row).collect())
}

pub async fn category(db: &Db, code: &str) -> sqlx::Result<Option<RequestCategory>> {
    let row = sqlx::query(
        "SELECT code, name_zh, name_en, description_zh, description_en, response_hours,
                resolution_hours, questions
         FROM request_categories WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(category_from_row))
}

fn category_from_row(r: &AnyRow) -> RequestCategory {
    // The questions are written by our migrations; unreadable JSON would be our bug, and the
    // category then simply asks nothing extra.
    let questions: Vec<Question> = serde_json::from_str(r.get("questions")).unwrap_or_default();
    RequestCategory {
        code: r.get("code"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        description_zh: r.get("description_zh"),
        description_en: r.get("description_en"),
        limits: TimeLimits {
            response_hours: r.get::<i64, _>("response_hours") as u32,
            resolution_hours: r.get::<i64, _>("resolution_hours") as u32,
        },
        questions,
    }
}

/// A validated request, ready to be stored.
pub struct NewRequestRow<'a> {
    /// The community it is sent to; its household, if any, is one of this community's.
    pub community: CommunityId,
    pub category: &'a RequestCategory,
    /// None when it came through Open311: it has no author in Linli.
    pub author_id: Option<i64>,
    pub household_id: Option<i64>,
    pub title: &'a str,
    pub description: &'a str,
    pub answers: &'a Answers,
    pub location: Option<GeoPoint>,
    pub address: Option<&'a str>,
    pub contact: ContactPreference,
    pub hide_name: bool,
    /// Already re-encoded; stored in the same transaction as the request.
    pub photos: &'a [StoredPhoto],
    /// The Open311 client it came through, if it did.
    pub open311: Option<Open311Source<'a>>,
    /// The author's name for this sending, if the app gave one: a second request with the same
    /// key is refused by the database (see [`sent_before`]).
    pub idempotency: Option<Idempotency<'a>>,
}

/// An `Idempotency-Key` and the fingerprint of what was sent with it.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    /// SHA-256 of the request as sent, hex.
    pub fingerprint: &'a str,
}

/// The request `author_id` sent with this idempotency key, if any: its id and fingerprint.
pub async fn sent_before(
    db: &Db,
    community: CommunityId,
    author_id: i64,
    key: &str,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, idempotency_fingerprint FROM service_requests
         WHERE community_id = $1 AND author_id = $2 AND idempotency_key = $3",
    )
    .bind(community.0)
    .bind(author_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// An Open311 client sending a request, and the token handed back to it.
pub struct Open311Source<'a> {
    pub client_id: i64,
    pub client_name: &'a str,
    pub token: &'a str,
}

/// What a new request was given.
pub struct Created {
    pub id: i64,
    pub tracking_number: TrackingNumber,
    pub deadlines: Deadlines,
}

/// Stores a new request, its first timeline entry, its photos and (for Open311) its token, in
/// one transaction. The tracking number is the next of the year, taken under the write lock so
/// two requests cannot share one.
pub async fn create(db: &Db, new: NewRequestRow<'_>, now: i64) -> sqlx::Result<Created> {
    let deadlines = Deadlines::from_submission(now, new.category.limits);
    let year = YearMonth::of(now).year;
    let mut tx = super::begin_immediate(db).await?;
    let seq: i64 = sqlx::query(
        "SELECT COALESCE(MAX(tracking_seq), 0) + 1 FROM service_requests WHERE tracking_year = $1",
    )
    .bind(year)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    let answers = serde_json::to_string(new.answers).unwrap_or_else(|_| "{}".to_owned());
    let id: i64 = sqlx::query(
        "INSERT INTO service_requests
            (tracking_year, tracking_seq, category_code, author_id, household_id, title, description,
             answers, lat, lon, address, contact_preference, hide_name, status,
             submitted_at, respond_by, resolve_by, open311_client_id,
             idempotency_key, idempotency_fingerprint, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         RETURNING id",
    )
    .bind(year)
    .bind(seq)
    .bind(&new.category.code)
    .bind(new.author_id)
    .bind(new.household_id)
    .bind(new.title)
    .bind(new.description)
    .bind(answers)
    .bind(new.location.map(|p| p.lat))
    .bind(new.location.map(|p| p.lon))
    .bind(new.address)
    .bind(new.contact.as_str())
    .bind(i64::from(new.hide_name))
    .bind(RequestStatus::Submitted.key())
    .bind(now)
    .bind(deadlines.respond_by)
    .bind(deadlines.resolve_by)
    .bind(new.open311.as_ref().map(|o| o.client_id))
    .bind(new.idempotency.map(|i| i.key))
    .bind(new.idempotency.map(|i| i.fingerprint))
    .bind(new.community.0)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    // A request from Open311 says on its timeline which system it came from.
    let note = new
        .open311
        .as_ref()
        .map(|o| format!("经 Open311 提交：{}", o.client_name))
        .unwrap_or_default();
    let event_id = insert_event(
        &mut tx,
        NewEvent {
            request_id: id,
            at: now,
            actor_role: "resident",
            actor_id: new.author_id,
            action: "submit",
            from: None,
            to: Some(RequestStatus::Submitted),
            note: &note,
            public: true,
            reason: None,
        },
    )
    .await?;
    photos::insert(&mut tx, id, event_id, new.photos, now).await?;
    if let Some(open311) = &new.open311 {
        sqlx::query(
            "INSERT INTO open311_tokens (token, request_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(open311.token)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let committed = tx.commit().await;
    requests_changed(new.community);
    committed?;
    Ok(Created {
        id,
        tracking_number: TrackingNumber {
            year: year as u16,
            seq: seq as u32,
        },
        deadlines,
    })
}

/// One timeline entry to write.
pub(crate) struct NewEvent<'a> {
    pub request_id: i64,
    pub at: i64,
    pub actor_role: &'a str,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub from: Option<RequestStatus>,
    pub to: Option<RequestStatus>,
    pub note: &'a str,
    pub public: bool,
    pub reason: Option<RejectReason>,
}

/// Writes one timeline entry and returns its id.
pub(crate) async fn insert_event(
    tx: &mut sqlx::AnyConnection,
    e: NewEvent<'_>,
) -> sqlx::Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO request_events
            (request_id, at, actor_role, actor_id, action, from_status, to_status, note, public, reason, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT community_id FROM service_requests WHERE id = $1))
         RETURNING id",
    )
    .bind(e.request_id)
    .bind(e.at)
    .bind(e.actor_role)
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.from.map(RequestStatus::key))
    .bind(e.to.map(RequestStatus::key))
    .bind(e.note)
    .bind(i64::from(e.public))
    .bind(e.reason.map(RejectReason::key))
    .fetch_one(&mut *tx)
    .await?
    .get(0))
}

const SUMMARY_COLUMNS: &str = "id, tracking_year, tracking_seq, category_code, title, status,
    submitted_at, respond_by, resolve_by, resolved_at";
/// The same, for queries that call the requests table `r`.
pub(crate) const SUMMARY_COLUMNS_OF_R: &str = "r.id, r.tracking_year, r.tracking_seq,
    r.category_code, r.title, r.status, r.submitted_at, r.respond_by, r.resolve_by, r.resolved_at";

pub(crate) fn summary_from_row(r: &AnyRow, now: i64) -> RequestSummary {
    SummaryColumns {
        id: r.get("id"),
        tracking_year: r.get("tracking_year"),
        tracking_seq: r.get("tracking_seq"),
        category_code: r.get("category_code"),
        title: r.get("title"),
        status: r.get("status"),
        submitted_at: r.get("submitted_at"),
        respond_by: r.get("respond_by"),
        resolve_by: r.get("resolve_by"),
        resolved_at: r.get("resolved_at"),
    }
    .summary(now)
}

/// [`SUMMARY_COLUMNS`] as read, in their order (a page read as one JSON array holds them so).
#[derive(serde::Deserialize)]
pub struct SummaryColumns {
    id: i64,
    tracking_year: i64,
    tracking_seq: i64,
    category_code: String,
    title: String,
    status: String,
    submitted_at: i64,
    respond_by: i64,
    resolve_by: i64,
    resolved_at: Option<i64>,
}

impl SummaryColumns {
    /// The request as listed at `now` (what is overdue depends on it).
    pub fn summary(&self, now: i64) -> RequestSummary {
        let status = RequestStatus::parse(&self.status).unwrap_or(RequestStatus::Submitted);
        let deadlines = Deadlines {
            respond_by: self.respond_by,
            resolve_by: self.resolve_by,
        };
        let done_at = self.resolved_at.filter(|_| status.is_completed());
        RequestSummary {
            id: self.id,
            tracking_number: TrackingNumber {
                year: self.tracking_year as u16,
                seq: self.tracking_seq as u32,
            }
            .to_string(),
            category: self.category_code.clone(),
            title: self.title.clone(),
            status,
            submitted_at: self.submitted_at,
            deadlines,
            overdue: !status.is_final() && is_late(deadlines.resolve_by, done_at, now),
            following: false,
        }
    }
}

/// A resident's own requests, newest first.
pub async fn list_for_author(
    db: &Db,
    community: CommunityId,
    author_id: i64,
    now: i64,
) -> sqlx::Result<Vec<RequestSummary>> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM service_requests WHERE community_id = $1 AND author_id = $2
         ORDER BY submitted_at DESC, id DESC"
    ))
    .bind(community.0)
    .bind(author_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| summary_from_row(r, now)).collect())
}

/// The facts access decisions need: the author and the status.
pub struct Ownership {
    pub author_id: Option<i64>,
    pub status: RequestStatus,
    pub submitted_at: i64,
}

pub async fn ownership(
    db: &Db,
    community: CommunityId,
    id: i64,
) -> sqlx::Result<Option<Ownership>> {
    let row = sqlx::query(
        "SELECT author_id, status, submitted_at FROM service_requests
         WHERE community_id = $1 AND id = $2",
    )
    .bind(community.0)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Ownership {
        author_id: r.get("author_id"),
        status: RequestStatus::parse(r.get("status")).unwrap_or(RequestStatus::Submitted),
        submitted_at: r.get("submitted_at"),
    }))
}

/// The whole request; `with_internal` adds staff-only notes to the timeline.
pub async fn detail(
    db: &Db,
    community: CommunityId,
    id: i64,
    with_internal: bool,
    now: i64,
) -> sqlx::Result<Option<RequestDetail>> {
    let Some(r) = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS}, description, answers, lat, lon, address, contact_preference,
                hide_name, handler, satisfied
         FROM service_requests WHERE community_id = $1 AND id = $2"
    ))
    .bind(community.0)
    .bind(id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let photo_ids = photos::ids_by_event(db, community, id).await?;
    let timeline = sqlx::query(
        "SELECT id, at, actor_role, action, from_status, to_status, note, public, reason
         FROM request_events
         WHERE community_id = $1 AND request_id = $2 AND (public = 1 OR $3 = 1) ORDER BY at, id",
    )
    .bind(community.0)
    .bind(id)
    .bind(i64::from(with_internal))
    .fetch_all(db)
    .await?
    .iter()
    .map(|e| TimelineEntry {
        at: e.get("at"),
        actor_role: e.get("actor_role"),
        action: e.get("action"),
        from_status: e
            .get::<Option<String>, _>("from_status")
            .as_deref()
            .and_then(RequestStatus::parse),
        to_status: e
            .get::<Option<String>, _>("to_status")
            .as_deref()
            .and_then(RequestStatus::parse),
        note: e.get("note"),
        public: super::flag(e, "public"),
        reason: e
            .get::<Option<String>, _>("reason")
            .as_deref()
            .and_then(RejectReason::parse),
        photos: photo_ids
            .iter()
            .filter(|(event, _)| *event == e.get::<i64, _>("id"))
            .map(|(_, photo)| *photo)
            .collect(),
    })
    .collect();
    let location = match (
        r.get::<Option<f64>, _>("lat"),
        r.get::<Option<f64>, _>("lon"),
    ) {
        (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
        _ => None,
    };
    Ok(Some(RequestDetail {
        summary: summary_from_row(&r, now),
        description: r.get("description"),
        answers: serde_json::from_str(r.get("answers")).unwrap_or_default(),
        location,
        address: r.get("address"),
        contact: if r.get::<String, _>("contact_preference") == "phone" {
            ContactPreference::Phone
        } else {
            ContactPreference::App
        },
        hide_name: super::flag(&r, "hide_name"),
        handler: r.get("handler"),
        satisfied: r.get::<Option<i64>, _>("satisfied").map(|s| s != 0),
        timeline,
        allowed_actions: Vec::new(),
        followers: 0,
        following: false,
        requester: None,
    }))
}

/// A transition the lifecycle allowed, to be stored.
pub struct Transition<'a> {
    pub action: RequestAction,
    pub from: RequestStatus,
    pub to: RequestStatus,
    pub actor_role: &'a str,
    pub actor_id: i64,
    pub note: &'a str,
    pub handler: Option<&'a str>,
    pub reason: Option<RejectReason>,
    pub photos: &'a [StoredPhoto],
}

/// Applies a transition if the request is still in the status it was decided from; returns
/// false when someone else changed it in the meantime (the caller answers 409).
pub async fn apply(
    db: &Db,
    community: CommunityId,
    id: i64,
    t: Transition<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = super::begin_immediate(db).await?;
    let responded = matches!(t.action, RequestAction::Accept | RequestAction::Reject);
    let resolved = t.action == RequestAction::Resolve;
    let satisfied = match t.action {
        RequestAction::RateSatisfied => Some(true),
        RequestAction::RateUnsatisfied => Some(false),
        _ => None,
    };
    let updated = sqlx::query(
        "UPDATE service_requests SET
            status = $1,
            responded_at = CASE WHEN $2 AND responded_at IS NULL THEN $3 ELSE responded_at END,
            resolved_at = CASE WHEN $4 THEN $5 ELSE resolved_at END,
            satisfied = COALESCE($6, satisfied),
            handler = COALESCE($7, handler)
         WHERE community_id = $8 AND id = $9 AND status = $10",
    )
    .bind(t.to.key())
    .bind(responded)
    .bind(now)
    .bind(resolved)
    .bind(now)
    .bind(satisfied.map(i64::from))
    .bind(t.handler)
    .bind(community.0)
    .bind(id)
    .bind(t.from.key())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    let event_id = insert_event(
        &mut tx,
        NewEvent {
            request_id: id,
            at: now,
            actor_role: t.actor_role,
            actor_id: Some(t.actor_id),
            action: t.action.key(),
            from: Some(t.from),
            to: Some(t.to),
            note: t.note,
            public: true,
            reason: t.reason,
        },
    )
    .await?;
    photos::insert(&mut tx, id, event_id, t.photos, now).await?;
    let committed = tx.commit().await;
    requests_changed(community);
    committed?;
    Ok(true)
}

/// The facts the figures need about every request sent in `[start, end)`, with its category.
///
/// A month can be thousands of requests, so they come back as one row holding a JSON array,
/// as the queue's page does: one hand-over from SQLite's thread instead of one per request,
/// and one string to parse instead of thousands of rows kept side by side.
pub async fn facts_between(
    db: &Db,
    community: CommunityId,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<(String, RequestFacts)>> {
    /// One request's columns, in the order the statement lists them.
    type FactColumns = (
        String,
        String,
        i64,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<u8>,
    );
    let rows = super::json_rows(
        db,
        "category_code, status, submitted_at, respond_by, resolve_by, responded_at, resolved_at,
         satisfied",
        None,
    );
    let (facts,): (String,) = sqlx::query_as(&format!(
        "SELECT {rows} FROM service_requests
         WHERE community_id = $1 AND submitted_at >= $2 AND submitted_at < $3"
    ))
    .bind(community.0)
    .bind(start)
    .bind(end)
    .fetch_one(db)
    .await?;
    let rows: Vec<FactColumns> =
        serde_json::from_str(&facts).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(rows
        .into_iter()
        .map(
            |(
                category,
                status,
                submitted_at,
                respond_by,
                resolve_by,
                responded_at,
                resolved_at,
                satisfied,
            )| {
                let facts = RequestFacts {
                    status: RequestStatus::parse(&status).unwrap_or(RequestStatus::Submitted),
                    submitted_at,
                    deadlines: Deadlines {
                        respond_by,
                        resolve_by,
                    },
                    responded_at,
                    resolved_at,
                    satisfied: satisfied.map(|s| s != 0),
                };
                (category, facts)
            },
        )
        .collect())
}

/// What the staff queue is filtered by; no status means every request still open.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueFilter {
    pub community: CommunityId,
    pub status: Option<RequestStatus>,
    pub category: Option<String>,
    pub overdue_only: bool,
    /// A building's id: the requests sent for its households.
    pub building: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The staff queue, the nearest resolution deadline first, to be listed at `now` or later.
///
/// The page comes back from SQLite as one row holding a JSON array of rows: sqlx hands every
/// row from its SQLite thread to the request's task, and with pages of 50 those hand-overs were
/// most of the queue's time (see BENCHMARKS.md). Only the overdue filter depends on the time:
/// its page is right until the next request it leaves out falls overdue (a second past its
/// deadline), which the same statement finds.
pub async fn queue(
    db: &Db,
    filter: &QueueFilter,
    now: i64,
) -> sqlx::Result<Fresh<Vec<SummaryColumns>>> {
    // The filters other than overdue, each with one parameter but the open-only one.
    let mut matching = String::from("community_id = ?");
    match filter.status {
        Some(_) => matching.push_str(" AND status = ?"),
        None => matching.push_str(" AND status NOT IN ('closed', 'rejected', 'withdrawn')"),
    }
    if filter.category.is_some() {
        matching.push_str(" AND category_code = ?");
    }
    if filter.building.is_some() {
        matching.push_str(
            " AND household_id IN (SELECT h.id FROM households h
                JOIN stairwells s ON s.id = h.stairwell_id WHERE s.building_id = ?)",
        );
    }
    const UNFINISHED: &str = "status NOT IN ('resolved', 'closed', 'rejected', 'withdrawn')";
    let (overdue, next_overdue) = if filter.overdue_only {
        (
            format!(" AND {UNFINISHED} AND resolve_by < ?"),
            format!(
                "(SELECT MIN(resolve_by) + 1 FROM service_requests
                  WHERE {matching} AND {UNFINISHED} AND resolve_by >= ?)"
            ),
        )
    } else {
        (String::new(), "NULL".to_owned())
    };
    let page = super::json_rows(db, SUMMARY_COLUMNS, Some("resolve_by, id"));
    let sql = format!(
        "SELECT {page}, {next_overdue}
         FROM (SELECT {SUMMARY_COLUMNS} FROM service_requests WHERE {matching}{overdue}
               ORDER BY resolve_by, id LIMIT ? OFFSET ?) AS page"
    );
    type PageQuery<'q> =
        sqlx::query::QueryAs<'q, sqlx::Any, (String, Option<i64>), sqlx::any::AnyArguments<'q>>;
    fn bind_matching<'q>(query: PageQuery<'q>, filter: &'q QueueFilter) -> PageQuery<'q> {
        let query = query.bind(filter.community.0);
        let query = match filter.status {
            Some(status) => query.bind(status.key()),
            None => query,
        };
        let query = match &filter.category {
            Some(category) => query.bind(category.as_str()),
            None => query,
        };
        match filter.building {
            Some(building) => query.bind(building),
            None => query,
        }
    }
    // Parameters in the order they appear: the next-overdue subquery's, then the page's.
    let sql = super::numbered(&sql);
    let mut query = sqlx::query_as(&sql);
    if filter.overdue_only {
        query = bind_matching(query, filter).bind(now);
    }
    query = bind_matching(query, filter);
    if filter.overdue_only {
        query = query.bind(now);
    }
    let (page, until) = query
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_one(db)
        .await?;
    let rows: Vec<SummaryColumns> =
        serde_json::from_str(&page).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Fresh { value: rows, until })
}

/// A request as the public may see it: no author, no contact, the compound for a place.
pub struct PublicRequest {
    pub tracking_number: TrackingNumber,
    pub status: RequestStatus,
    pub service_code: String,
    pub service_name: String,
    pub title: String,
    pub handler: Option<String>,
    pub submitted_at: i64,
    pub updated_at: i64,
    pub resolve_by: i64,
    /// The compound (小区) the request is about, never a typed address or a room.
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Which public requests Open311 asks for.
#[derive(Debug)]
pub struct Open311Filter<'a> {
    pub community: CommunityId,
    /// These tracking numbers, whatever the other filters say (as the spec has it).
    pub ids: &'a [TrackingNumber],
    /// Of these categories; any when empty.
    pub categories: &'a [String],
    /// In these statuses; any when empty.
    pub statuses: &'a [RequestStatus],
    /// Sent at or after this time.
    pub from: i64,
    /// Sent at or before this time, if given.
    pub to: Option<i64>,
    /// The most to return, newest first.
    pub limit: i64,
}

/// Public requests as the filter asks, newest first.
pub async fn public_list(db: &Db, filter: &Open311Filter<'_>) -> sqlx::Result<Vec<PublicRequest>> {
    let mut sql = String::from(
        "SELECT r.tracking_year, r.tracking_seq, r.status, r.category_code, k.name_zh AS category_name,
                r.title, r.handler, r.submitted_at, r.resolve_by,
                (SELECT MAX(at) FROM request_events e WHERE e.request_id = r.id) AS updated_at,
                c.name_zh AS compound, COALESCE(r.lat, c.center_lat) AS lat, COALESCE(r.lon, c.center_lon) AS lon
         FROM service_requests r
         JOIN request_categories k ON k.code = r.category_code
         LEFT JOIN households h ON h.id = r.household_id
         LEFT JOIN stairwells s ON s.id = h.stairwell_id
         LEFT JOIN buildings b ON b.id = s.building_id
         LEFT JOIN compounds c ON c.id = b.compound_id
         WHERE r.community_id = ?",
    );
    let placeholders = |n: usize| vec!["?"; n].join(", ");
    let by_ids = !filter.ids.is_empty();
    if by_ids {
        let pairs =
            vec!["(r.tracking_year = ? AND r.tracking_seq = ?)"; filter.ids.len()].join(" OR ");
        sql.push_str(&format!(" AND ({pairs})"));
    } else {
        if !filter.categories.is_empty() {
            let list = placeholders(filter.categories.len());
            sql.push_str(&format!(" AND r.category_code IN ({list})"));
        }
        if !filter.statuses.is_empty() {
            let list = placeholders(filter.statuses.len());
            sql.push_str(&format!(" AND r.status IN ({list})"));
        }
        sql.push_str(" AND r.submitted_at >= ?");
        if filter.to.is_some() {
            sql.push_str(" AND r.submitted_at <= ?");
        }
    }
    sql.push_str(" ORDER BY r.submitted_at DESC, r.id DESC LIMIT ?");
    let sql = super::numbered(&sql);
    let mut query = sqlx::query(&sql).bind(filter.community.0);
    if by_ids {
        for id in filter.ids {
            query = query.bind(i64::from(id.year)).bind(i64::from(id.seq));
        }
    } else {
        for code in filter.categories {
            query = query.bind(code);
        }
        for status in filter.statuses {
            query = query.bind(status.key());
        }
        query = query.bind(filter.from);
        if let Some(to) = filter.to {
            query = query.bind(to);
        }
    }
    query = query.bind(filter.limit);
    let rows = query.fetch_all(db).await?;
    Ok(rows
        .iter()
        .map(|r| PublicRequest {
            tracking_number: TrackingNumber {
                year: r.get::<i64, _>("tracking_year") as u16,
                seq: r.get::<i64, _>("tracking_seq") as u32,
            },
            status: RequestStatus::parse(r.get("status")).unwrap_or(RequestStatus::Submitted),
            service_code: r.get("category_code"),
            service_name: r.get("category_name"),
            title: r.get("title"),
            handler: r.get("handler"),
            submitted_at: r.get("submitted_at"),
            updated_at: r
                .get::<Option<i64>, _>("updated_at")
                .unwrap_or_else(|| r.get("submitted_at")),
            resolve_by: r.get("resolve_by"),
            address: r.get("compound"),
            lat: r.get("lat"),
            lon: r.get("lon"),
        })
        .collect())
}

/// Adds a note to a request's timeline; it changes no status.
#[allow(clippy::too_many_arguments)]
pub async fn add_note(
    db: &Db,
    community: CommunityId,
    id: i64,
    actor_role: &str,
    actor_id: i64,
    note: &str,
    public: bool,
    now: i64,
) -> sqlx::Result<()> {
    let mut conn = db.acquire().await?;
    let inserted = insert_event(
        &mut conn,
        NewEvent {
            request_id: id,
            at: now,
            actor_role,
            actor_id: Some(actor_id),
            action: "note",
            from: None,
            to: None,
            note,
            public,
            reason: None,
        },
    )
    .await;
    requests_changed(community);
    inserted?;
    Ok(())
}
