//! Server-side sessions, keyed by the SHA-256 of the cookie's token.

use crate::db::Db;
use linli_domain::Role;
use sqlx::Row;

pub struct Session {
    pub user_id: i64,
    pub role: Role,
}

pub async fn create(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The live session with this token hash; expired ones are not found.
pub async fn find(db: &Db, token_hash: &str, now: i64) -> sqlx::Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.user_id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Session {
        user_id: r.get("user_id"),
        role: Role::parse(r.get("role")).unwrap_or(Role::Resident),
    }))
}

pub async fn delete(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes sessions past their expiry; run at start-up so the table does not grow forever.
pub async fn delete_expired(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
        .bind(now)
        .execute(db)
        .await?
        .rows_affected())
}
