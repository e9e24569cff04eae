//! Failed attempts (logins, binding codes) by account and by address, for throttling.

use crate::db::Db;
use sqlx::Row;

/// What is being throttled, and by which subject.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    LoginAccount,
    LoginAddress,
    BindingAccount,
    BindingAddress,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::LoginAccount => "login_account",
            Scope::LoginAddress => "login_address",
            Scope::BindingAccount => "binding_account",
            Scope::BindingAddress => "binding_address",
        }
    }
}

pub async fn record_failure(db: &Db, scope: Scope, subject: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO auth_failures (scope, subject, at) VALUES (?, ?, ?)")
        .bind(scope.as_str())
        .bind(subject)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Seconds until the subject may try again, or `None` when it is under `limit` failures in
/// the last `window` seconds.
pub async fn locked_for(
    db: &Db,
    scope: Scope,
    subject: &str,
    now: i64,
    limit: i64,
    window: i64,
) -> sqlx::Result<Option<i64>> {
    let since = now - window;
    // The attempt that must age out of the window before the subject drops below the limit.
    let row = sqlx::query(
        "SELECT at FROM auth_failures WHERE scope = ? AND subject = ? AND at > ?
         ORDER BY at DESC LIMIT 1 OFFSET ?",
    )
    .bind(scope.as_str())
    .bind(subject)
    .bind(since)
    .bind(limit - 1)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.get::<i64, _>("at") + window - now).max(1)))
}

pub async fn clear(db: &Db, scope: Scope, subject: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM auth_failures WHERE scope = ? AND subject = ?")
        .bind(scope.as_str())
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_older_than(db: &Db, cutoff: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM auth_failures WHERE at <= ?")
        .bind(cutoff)
        .execute(db)
        .await?
        .rows_affected())
}
