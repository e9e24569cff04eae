//! Photos of requests: written with the submission or the action they came with (in its
//! transaction), read back one at a time for whoever may see the request.

use super::community::CommunityId;
use crate::db::Db;
use crate::photos::StoredPhoto;
use sqlx::Row;

/// Writes the photos of one timeline entry, in the caller's transaction.
pub async fn insert(
    tx: &mut sqlx::AnyConnection,
    request_id: i64,
    event_id: i64,
    photos: &[StoredPhoto],
    now: i64,
) -> sqlx::Result<()> {
    for photo in photos {
        sqlx::query(
            "INSERT INTO request_photos
                (request_id, event_id, media_type, width, height, image, thumbnail, created_at, community_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT community_id FROM service_requests WHERE id = $1))",
        )
        .bind(request_id)
        .bind(event_id)
        .bind(photo.media_type)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(&photo.image)
        .bind(&photo.thumbnail)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// One photo's bytes (or its thumbnail's) and the request it belongs to, for the access check.
pub struct PhotoBytes {
    pub request_id: i64,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

pub async fn get(
    db: &Db,
    community: CommunityId,
    id: i64,
    thumbnail: bool,
) -> sqlx::Result<Option<PhotoBytes>> {
    let column = if thumbnail { "thumbnail" } else { "image" };
    let row = sqlx::query(&format!(
        "SELECT request_id, media_type, {column} AS bytes FROM request_photos
         WHERE community_id = $1 AND id = $2"
    ))
    .bind(community.0)
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| PhotoBytes {
        request_id: r.get("request_id"),
        media_type: r.get("media_type"),
        bytes: r.get("bytes"),
    }))
}

/// The photo ids of a request, by the timeline entry they came with.
pub async fn ids_by_event(
    db: &Db,
    community: CommunityId,
    request_id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT event_id, id FROM request_photos WHERE community_id = $1 AND request_id = $2
         ORDER BY event_id, id",
    )
    .bind(community.0)
    .bind(request_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
