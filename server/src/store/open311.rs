//! Open311 clients (their API keys, kept only as SHA-256 hashes) and the tokens handed back for
//! the requests they send. The requests themselves are written by
//! `store::requests::create` (with an `Open311Source`).

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::request::TrackingNumber;
use sqlx::{AnyConnection, Row};

/// A client allowed to send requests.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: i64,
    pub name: String,
}

/// Registers a client whose key hashes to `key_hash` (see `auth::session::token_hash`);
/// returns its id.
pub async fn create_client(
    conn: &mut AnyConnection,
    name: &str,
    key_hash: &str,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO open311_clients (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(key_hash)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Revokes every live key of the clients named `name`; returns how many were revoked.
pub async fn revoke_clients(db: &Db, name: &str, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE open311_clients SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(name)
    .execute(db)
    .await?
    .rows_affected())
}

/// The client whose key hashes to `key_hash`, unless it was revoked. The key itself is never
/// compared: an equality lookup on its hash reveals nothing about the key by its timing.
pub async fn live_client(db: &Db, key_hash: &str) -> sqlx::Result<Option<Client>> {
    let row = sqlx::query(
        "SELECT id, name FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(key_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Client {
        id: r.get("id"),
        name: r.get("name"),
    }))
}

/// The request a token was handed out for: `None` for an unknown token, `Some(None)` while
/// the request is not known yet.
pub async fn token_request(
    db: &Db,
    community: CommunityId,
    token: &str,
) -> sqlx::Result<Option<Option<TrackingNumber>>> {
    // Every token is handed out with its request, so a token of another community's request
    // is unknown here.
    let row = sqlx::query(
        "SELECT r.tracking_year, r.tracking_seq FROM open311_tokens t
         JOIN service_requests r ON r.id = t.request_id
         WHERE r.community_id = $1 AND t.token = $2",
    )
    .bind(community.0)
    .bind(token)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let year: Option<i64> = r.get("tracking_year");
        let seq: Option<i64> = r.get("tracking_seq");
        year.zip(seq).map(|(year, seq)| TrackingNumber {
            year: year as u16,
            seq: seq as u32,
        })
    }))
}

/// The centre of the community.
pub async fn community_centre(db: &Db, community: CommunityId) -> sqlx::Result<Option<(f64, f64)>> {
    let row = sqlx::query("SELECT center_lat, center_lon FROM communities WHERE id = $1")
        .bind(community.0)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| (r.get("center_lat"), r.get("center_lon"))))
}
