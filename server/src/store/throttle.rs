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

/// One throttled subject of an attempt: what, who, and how many failures it may have.
pub struct Guard<'a> {
    pub scope: Scope,
    pub subject: &'a str,
    pub limit: i64,
}

/// An attempt counted as a failure in advance; `forgive` it when it turns out not to be one.
pub struct Attempt {
    ids: Vec<i64>,
}

/// In one `BEGIN IMMEDIATE` transaction: refuse with the seconds to wait if any guard is at its
/// limit, otherwise count this attempt against every guard. Writers serialise on SQLite's write
/// lock here, so parallel guesses cannot all pass the check before any of them is counted.
pub async fn begin_attempt(
    db: &Db,
    guards: &[Guard<'_>],
    now: i64,
    window: i64,
) -> sqlx::Result<Result<Attempt, i64>> {
    let mut tx = super::begin_immediate(db).await?;
    for guard in guards {
        // The failure that must age out of the window before the subject drops below the limit.
        let oldest_blocking = sqlx::query(
            "SELECT at FROM auth_failures WHERE scope = ? AND subject = ? AND at > ?
             ORDER BY at DESC LIMIT 1 OFFSET ?",
        )
        .bind(guard.scope.as_str())
        .bind(guard.subject)
        .bind(now - window)
        .bind(guard.limit - 1)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = oldest_blocking {
            tx.rollback().await?;
            return Ok(Err((row.get::<i64, _>("at") + window - now).max(1)));
        }
    }
    let mut ids = Vec::with_capacity(guards.len());
    for guard in guards {
        let id: i64 = sqlx::query(
            "INSERT INTO auth_failures (scope, subject, at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(guard.scope.as_str())
        .bind(guard.subject)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        ids.push(id);
    }
    tx.commit().await?;
    Ok(Ok(Attempt { ids }))
}

/// Takes back an attempt counted by `begin_attempt`: it was not a failed guess.
pub async fn forgive(db: &Db, attempt: Attempt) -> sqlx::Result<()> {
    for id in attempt.ids {
        sqlx::query("DELETE FROM auth_failures WHERE id = ?")
            .bind(id)
            .execute(db)
            .await?;
    }
    Ok(())
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
