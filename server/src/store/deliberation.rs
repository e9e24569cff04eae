//! Storage around a topic's discussion: attached documents, reports of comments, and moving a
//! vote's deadline. Every staff action is written to the audit log in the same transaction.

use super::community::CommunityId;
use super::consultations::{audit, event};
use crate::db::Db;
use linli_domain::deliberation::TopicDocument;
use sqlx::Row;

pub async fn attach_document(
    db: &Db,
    topic_id: i64,
    staff_id: i64,
    title: &str,
    content_type: &str,
    bytes: &[u8],
    now: i64,
) -> sqlx::Result<i64> {
    let mut tx = super::begin_immediate(db).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO topic_documents (topic_id, title, content_type, bytes, size, uploaded_by, uploaded_at, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT community_id FROM topics WHERE id = $1)) RETURNING id",
    )
    .bind(topic_id)
    .bind(title)
    .bind(content_type)
    .bind(bytes)
    .bind(bytes.len() as i64)
    .bind(staff_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    event(&mut tx, topic_id, now, "staff", "document_attached", title).await?;
    audit(
        &mut tx,
        topic_id,
        now,
        Some(staff_id),
        "attach_document",
        &format!(
            "document {id}: {title} ({content_type}, {} bytes)",
            bytes.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A topic's documents, oldest first, without their bytes.
pub async fn documents(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
) -> sqlx::Result<Vec<TopicDocument>> {
    let rows = sqlx::query(
        "SELECT id, title, content_type, size, uploaded_at FROM topic_documents
         WHERE community_id = $1 AND topic_id = $2 ORDER BY uploaded_at, id",
    )
    .bind(community.0)
    .bind(topic_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| TopicDocument {
            id: r.get("id"),
            title: r.get("title"),
            content_type: r.get("content_type"),
            size: r.get::<i64, _>("size").max(0) as u64,
            uploaded_at: r.get("uploaded_at"),
        })
        .collect())
}

/// A document's type and bytes.
pub async fn document(
    db: &Db,
    community: CommunityId,
    id: i64,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    Ok(sqlx::query(
        "SELECT content_type, bytes FROM topic_documents WHERE community_id = $1 AND id = $2",
    )
    .bind(community.0)
    .bind(id)
    .fetch_optional(db)
    .await?
    .map(|r| (r.get("content_type"), r.get("bytes"))))
}

/// Records an account's report of a comment; reporting twice counts once.
pub async fn report_comment(
    db: &Db,
    comment_id: i64,
    reporter_id: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO comment_reports (comment_id, reporter_id, at, community_id) VALUES ($1, $2, $3, (SELECT community_id FROM topic_comments WHERE id = $1))
         ON CONFLICT (comment_id, reporter_id) DO NOTHING",
    )
    .bind(comment_id)
    .bind(reporter_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub enum Extension {
    Extended,
    /// No open vote on the topic.
    NotOpen,
    /// Not later than the current deadline, or past the longest a vote may run.
    Invalid,
}

/// Moves an open vote's deadline later, at most `max_seconds` after it opened.
pub async fn extend_vote(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    closes_at: i64,
    max_seconds: i64,
    now: i64,
) -> sqlx::Result<Extension> {
    let mut tx = super::begin_immediate(db).await?;
    let Some(row) = sqlx::query(
        "SELECT id, opened_at, closes_at FROM votes
         WHERE community_id = $3 AND topic_id = $1 AND closed_at IS NULL AND closes_at > $2",
    )
    .bind(topic_id)
    .bind(now)
    .bind(community.0)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Extension::NotOpen);
    };
    let (vote_id, opened_at, before): (i64, i64, i64) =
        (row.get("id"), row.get("opened_at"), row.get("closes_at"));
    if closes_at <= before || closes_at > opened_at + max_seconds {
        return Ok(Extension::Invalid);
    }
    sqlx::query("UPDATE votes SET closes_at = $1 WHERE id = $2")
        .bind(closes_at)
        .bind(vote_id)
        .execute(&mut *tx)
        .await?;
    let note = linli_domain::figures::china_time_label(closes_at);
    event(&mut tx, topic_id, now, "staff", "vote_extended", &note).await?;
    audit(
        &mut tx,
        topic_id,
        now,
        Some(staff_id),
        "extend_vote",
        &format!("vote {vote_id}: closes at {closes_at} instead of {before}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Extension::Extended)
}
