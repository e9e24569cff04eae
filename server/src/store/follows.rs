//! Residents following a request ("me too", 附议), the similar open requests offered before
//! sending, and the public list. A request's place is its picked point, or else the building
//! of the household it was sent for.

use super::community::CommunityId;
use super::read_cache::requests_changed;
use crate::db::Db;
use linli_domain::api::{GeoPoint, PublicRequestItem, RequestSummary, SimilarRequest};
use linli_domain::nearby::{
    SIMILAR_RADIUS_METRES, SIMILAR_WINDOW_SECS, bounding_box, coarse, distance_metres,
    still_open_and_recent,
};
use linli_domain::request::{RequestStatus, TrackingNumber, is_late};
use sqlx::Row;

/// From a request `r` to the building of its household, `b`, and its compound, `c`.
const PLACE_JOINS: &str = "LEFT JOIN households h ON h.id = r.household_id
     LEFT JOIN stairwells s ON s.id = h.stairwell_id
     LEFT JOIN buildings b ON b.id = s.building_id
     LEFT JOIN compounds c ON c.id = b.compound_id";

fn tracking(r: &sqlx::any::AnyRow) -> String {
    TrackingNumber {
        year: r.get::<i64, _>("tracking_year") as u16,
        seq: r.get::<i64, _>("tracking_seq") as u32,
    }
    .to_string()
}

/// Where a household's building stands: the default place of the requests sent for it.
pub async fn household_point(
    db: &Db,
    community: CommunityId,
    household_id: i64,
) -> sqlx::Result<Option<GeoPoint>> {
    let row = sqlx::query(
        "SELECT b.lat, b.lon FROM households h
         JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id
         WHERE h.community_id = $1 AND h.id = $2",
    )
    .bind(community.0)
    .bind(household_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| GeoPoint {
        lat: r.get("lat"),
        lon: r.get("lon"),
    }))
}

/// Open requests of `category` sent in the last 30 days within 250 m of `here`, nearest
/// first. `viewer` marks the ones that are already theirs or followed.
pub async fn similar_open(
    db: &Db,
    community: CommunityId,
    category: &str,
    here: GeoPoint,
    viewer: i64,
    now: i64,
) -> sqlx::Result<Vec<SimilarRequest>> {
    let (low, high) = bounding_box(here, SIMILAR_RADIUS_METRES);
    let rows = sqlx::query(&format!(
        "SELECT * FROM (
            SELECT r.id, r.tracking_year, r.tracking_seq, r.title, r.status, r.submitted_at,
                   r.author_id, COALESCE(r.lat, b.lat) AS lat, COALESCE(r.lon, b.lon) AS lon,
                   (SELECT COUNT(*) FROM request_followers f
                  WHERE f.community_id = r.community_id AND f.request_id = r.id) AS followers,
                   (SELECT COUNT(*) FROM request_followers f
                     WHERE f.community_id = r.community_id AND f.request_id = r.id
                       AND f.user_id = $1) AS followed
            FROM service_requests r {PLACE_JOINS}
            WHERE r.community_id = $8 AND r.category_code = $2 AND r.submitted_at >= $3
              AND r.status NOT IN ('resolved', 'closed', 'rejected', 'withdrawn')
         ) t
         WHERE t.lat BETWEEN $4 AND $5 AND t.lon BETWEEN $6 AND $7"
    ))
    .bind(viewer)
    .bind(category)
    .bind(now - SIMILAR_WINDOW_SECS)
    .bind(low.lat)
    .bind(high.lat)
    .bind(low.lon)
    .bind(high.lon)
    .bind(community.0)
    .fetch_all(db)
    .await?;
    let mut similar: Vec<SimilarRequest> = rows
        .iter()
        .filter_map(|r| {
            let status = RequestStatus::parse(r.get("status"))?;
            let submitted_at: i64 = r.get("submitted_at");
            let there = GeoPoint {
                lat: r.get("lat"),
                lon: r.get("lon"),
            };
            let distance = distance_metres(here, there);
            (still_open_and_recent(status, submitted_at, now) && distance <= SIMILAR_RADIUS_METRES)
                .then(|| SimilarRequest {
                    id: r.get("id"),
                    tracking_number: tracking(r),
                    title: r.get("title"),
                    status,
                    submitted_at,
                    distance_metres: ((distance / 10.0).round() * 10.0) as u32,
                    followers: r.get("followers"),
                    mine: r.get::<Option<i64>, _>("author_id") == Some(viewer)
                        || r.get::<i64, _>("followed") > 0,
                })
        })
        .collect();
    similar.sort_by_key(|s| (s.distance_metres, -s.submitted_at));
    Ok(similar)
}

/// Follows a request; following twice is following once.
pub async fn follow(
    db: &Db,
    community: CommunityId,
    request_id: i64,
    user_id: i64,
    now: i64,
) -> sqlx::Result<()> {
    // Only a request of this community is followed: the follow takes its community.
    let inserted = sqlx::query(
        "INSERT INTO request_followers (request_id, user_id, followed_at, community_id)
         SELECT id, $2, $3, community_id FROM service_requests WHERE community_id = $4 AND id = $1
         ON CONFLICT (request_id, user_id) DO NOTHING",
    )
    .bind(request_id)
    .bind(user_id)
    .bind(now)
    .bind(community.0)
    .execute(db)
    .await;
    requests_changed(community);
    inserted?;
    Ok(())
}

pub async fn unfollow(
    db: &Db,
    community: CommunityId,
    request_id: i64,
    user_id: i64,
) -> sqlx::Result<()> {
    let deleted = sqlx::query(
        "DELETE FROM request_followers WHERE community_id = $1 AND request_id = $2 AND user_id = $3",
    )
    .bind(community.0)
    .bind(request_id)
    .bind(user_id)
    .execute(db)
    .await;
    requests_changed(community);
    deleted?;
    Ok(())
}

/// How many follow a request.
pub async fn follower_count(db: &Db, community: CommunityId, request_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM request_followers WHERE community_id = $1 AND request_id = $2",
    )
    .bind(community.0)
    .bind(request_id)
    .fetch_one(db)
    .await
}

/// Whether `user_id` follows a request.
pub async fn is_following(
    db: &Db,
    community: CommunityId,
    request_id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM request_followers
         WHERE community_id = $1 AND request_id = $2 AND user_id = $3",
    )
    .bind(community.0)
    .bind(request_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?
    .is_some())
}

/// The requests a resident follows, most recently followed first.
pub async fn followed_by(
    db: &Db,
    community: CommunityId,
    user_id: i64,
    now: i64,
) -> sqlx::Result<Vec<RequestSummary>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM service_requests r
         JOIN request_followers f ON f.request_id = r.id
         WHERE f.community_id = $1 AND r.community_id = $1 AND f.user_id = $2
         ORDER BY f.followed_at DESC",
        super::requests::SUMMARY_COLUMNS_OF_R
    ))
    .bind(community.0)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| RequestSummary {
            following: true,
            ..super::requests::summary_from_row(r, now)
        })
        .collect())
}

/// Which public requests to list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublicFilter {
    pub community: CommunityId,
    pub category: Option<String>,
    /// `Some(true)`: still being handled; `Some(false)`: done or refused.
    pub open: Option<bool>,
    /// The id of the last request of the previous page.
    pub before: Option<i64>,
    pub limit: i64,
}

/// Done or refused: the public list's `closed`. Every other status but withdrawn is `open`.
const DONE: [RequestStatus; 3] = [
    RequestStatus::Resolved,
    RequestStatus::Closed,
    RequestStatus::Rejected,
];

/// `'resolved', 'closed'`: statuses for an SQL list.
fn quoted(statuses: impl Iterator<Item = RequestStatus>) -> String {
    statuses
        .map(|s| format!("'{}'", s.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A request of the public list as read; whether it is overdue is told at each listing.
pub struct PublicRow {
    pub id: i64,
    item: PublicRequestItem,
    resolve_by: i64,
    /// When it was resolved, if it counts as done.
    done_at: Option<i64>,
}

impl PublicRow {
    /// The request as listed at `now`.
    pub fn at(&self, now: i64) -> PublicRequestItem {
        PublicRequestItem {
            overdue: !self.item.status.is_final() && is_late(self.resolve_by, self.done_at, now),
            ..self.item.clone()
        }
    }
}

/// One page of the public list, newest first; withdrawn requests are nobody's business.
pub async fn public_page(db: &Db, filter: &PublicFilter) -> sqlx::Result<Vec<PublicRow>> {
    let mut sql = format!(
        "SELECT r.id, r.tracking_year, r.tracking_seq, r.category_code, r.title, r.status,
                r.submitted_at, r.resolve_by, r.resolved_at, r.lat, r.lon,
                c.name_zh AS compound_zh, c.name_en AS compound_en,
                c.center_lat, c.center_lon,
                (SELECT COUNT(*) FROM request_followers f
                  WHERE f.community_id = r.community_id AND f.request_id = r.id) AS followers
         FROM service_requests r {PLACE_JOINS}
         WHERE r.community_id = ? AND r.status <> 'withdrawn'"
    );
    if filter.category.is_some() {
        sql.push_str(" AND r.category_code = ?");
    }
    // Either state is said as "none of the others", so that no engine serves it from the
    // index on status and then sorts tens of thousands of rows by date: read in date order,
    // a page is found after little more than a page of rows.
    let done = quoted(DONE.into_iter());
    let open = quoted(
        RequestStatus::ALL
            .into_iter()
            .filter(|s| !DONE.contains(s) && *s != RequestStatus::Withdrawn),
    );
    match filter.open {
        Some(true) => sql.push_str(&format!(" AND r.status NOT IN ({done})")),
        Some(false) => sql.push_str(&format!(" AND r.status NOT IN ({open})")),
        None => {}
    }
    if filter.before.is_some() {
        sql.push_str(
            " AND (r.submitted_at, r.id) < (SELECT submitted_at, id FROM service_requests
                WHERE community_id = ? AND id = ?)",
        );
    }
    sql.push_str(" ORDER BY r.submitted_at DESC, r.id DESC LIMIT ?");
    let sql = super::numbered(&sql);
    let mut query = sqlx::query(&sql).bind(filter.community.0);
    if let Some(category) = &filter.category {
        query = query.bind(category);
    }
    if let Some(before) = filter.before {
        query = query.bind(filter.community.0).bind(before);
    }
    let rows = query.bind(filter.limit).fetch_all(db).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let status = RequestStatus::parse(r.get("status")).unwrap_or(RequestStatus::Submitted);
            let resolved_at: Option<i64> = r.get("resolved_at");
            let point = match (
                r.get::<Option<f64>, _>("lat"),
                r.get::<Option<f64>, _>("lon"),
            ) {
                (Some(lat), Some(lon)) => Some((lat, lon)),
                _ => r
                    .get::<Option<f64>, _>("center_lat")
                    .zip(r.get::<Option<f64>, _>("center_lon")),
            };
            let item = PublicRequestItem {
                tracking_number: tracking(r),
                category: r.get("category_code"),
                title: r.get("title"),
                status,
                submitted_at: r.get("submitted_at"),
                overdue: false,
                compound_zh: r.get("compound_zh"),
                compound_en: r.get("compound_en"),
                location: point.map(|(lat, lon)| GeoPoint {
                    lat: coarse(lat),
                    lon: coarse(lon),
                }),
                followers: r.get("followers"),
            };
            PublicRow {
                id: r.get("id"),
                item,
                resolve_by: r.get("resolve_by"),
                done_at: resolved_at.filter(|_| status.is_completed()),
            }
        })
        .collect())
}
