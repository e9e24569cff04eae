//! The access log (migration 0019): staff opening a resident's number, and what admins and the
//! resident read of it. Rows are only ever added; the database refuses changes to them.

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::api::ContactPreference;
use linli_domain::contact::{
    AccessAction, AccessLogEntry, AccessLogPage, ContactPurpose, MyContactOpening, OpenedContact,
    Requester,
};
use linli_domain::request::TrackingNumber;
use linli_domain::{PhoneNumber, Role};
use sqlx::Row;

/// The resident behind a request, while their account exists.
struct Author {
    id: i64,
    display_name: String,
    phone: PhoneNumber,
    contact: ContactPreference,
}

async fn author_of<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    community: CommunityId,
    request_id: i64,
) -> sqlx::Result<Option<Author>> {
    let row = sqlx::query(
        "SELECT u.id, u.display_name, u.phone, r.contact_preference
         FROM service_requests r JOIN users u ON u.id = r.author_id
         WHERE r.community_id = $1 AND r.id = $2 AND u.deleted_at IS NULL",
    )
    .bind(community.0)
    .bind(request_id)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|r| {
        // Accounts made by Open311 clients or staff could hold a number that is not a
        // mobile's; such a number is not shown at all rather than shown half-masked.
        let phone = PhoneNumber::parse(r.get::<&str, _>("phone")).ok()?;
        Some(Author {
            id: r.get("id"),
            display_name: r.get("display_name"),
            phone,
            contact: if r.get::<&str, _>("contact_preference") == "phone" {
                ContactPreference::Phone
            } else {
                ContactPreference::App
            },
        })
    }))
}

/// The requester as staff see them before opening the contact: the number masked.
pub async fn requester(
    db: &Db,
    community: CommunityId,
    request_id: i64,
) -> sqlx::Result<Option<Requester>> {
    Ok(author_of(db, community, request_id)
        .await?
        .map(|a| Requester::new(a.display_name, &a.phone, a.contact)))
}

/// Opens the requester's number for `actor_id`, writing the opening to the log in the same
/// transaction: no number leaves without its row. None when the resident did not agree to be
/// called, or their account is gone.
pub async fn open_contact(
    db: &Db,
    community: CommunityId,
    request_id: i64,
    actor_id: i64,
    purpose: ContactPurpose,
    now: i64,
) -> sqlx::Result<Option<OpenedContact>> {
    let mut tx = super::begin_immediate(db).await?;
    let Some(author) = author_of(&mut *tx, community, request_id)
        .await?
        .filter(|a| a.contact == ContactPreference::Phone)
    else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO access_log (at, actor_id, action, purpose, request_id, subject_id, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(actor_id)
    .bind(AccessAction::OpenContact.key())
    .bind(purpose.key())
    .bind(request_id)
    .bind(author.id)
    .bind(community.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(OpenedContact {
        display_name: author.display_name,
        phone: author.phone.as_str().to_owned(),
        logged_at: now,
    }))
}

fn tracking_number(row: &sqlx::any::AnyRow) -> String {
    TrackingNumber {
        year: row.get::<i64, _>("tracking_year") as u16,
        seq: row.get::<i64, _>("tracking_seq") as u32,
    }
    .to_string()
}

/// A page of the log, newest first: rows with an id below `before` (all when none).
pub async fn page(
    db: &Db,
    community: CommunityId,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<AccessLogPage> {
    let rows = sqlx::query(
        "SELECT l.id, l.at, l.action, l.purpose, l.request_id, u.display_name, u.role,
                r.tracking_year, r.tracking_seq
         FROM access_log l
         JOIN users u ON u.id = l.actor_id
         JOIN service_requests r ON r.community_id = l.community_id AND r.id = l.request_id
         WHERE l.community_id = $1 AND l.id < $2 ORDER BY l.id DESC LIMIT $3",
    )
    .bind(community.0)
    .bind(before.unwrap_or(i64::MAX))
    // One more than the page, to know whether another follows.
    .bind(limit + 1)
    .fetch_all(db)
    .await?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<AccessLogEntry> = rows
        .iter()
        .take(limit as usize)
        .filter_map(|r| {
            Some(AccessLogEntry {
                id: r.get("id"),
                at: r.get("at"),
                actor_name: r.get("display_name"),
                actor_role: Role::parse(r.get("role"))?,
                action: AccessAction::parse(r.get("action"))?,
                purpose: ContactPurpose::parse(r.get("purpose"))?,
                request_id: r.get("request_id"),
                tracking_number: tracking_number(r),
            })
        })
        .collect();
    let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
    Ok(AccessLogPage {
        entries,
        next_before,
    })
}

/// Each opening of the account's number, oldest first, for the export of its data: in every
/// community, since the account is city-wide (one of the few reads across communities).
pub async fn openings_of(db: &Db, user_id: i64) -> sqlx::Result<Vec<MyContactOpening>> {
    let rows = sqlx::query(
        "SELECT l.at, l.purpose, r.tracking_year, r.tracking_seq
         FROM access_log l JOIN service_requests r ON r.id = l.request_id
         WHERE l.subject_id = $1 ORDER BY l.at, l.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(MyContactOpening {
                at: r.get("at"),
                purpose: ContactPurpose::parse(r.get("purpose"))?,
                tracking_number: tracking_number(r),
            })
        })
        .collect())
}
