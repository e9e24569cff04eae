//! Attempts counted by account and by address, for throttling: failed guesses (logins,
//! binding codes), and actions that could flood the community (sign-ups, requests, comments,
//! photos). They share one table, `throttle_events`.

use crate::db::Db;
use sqlx::Row;

/// What is being throttled, and by which subject.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    LoginAccount,
    LoginAddress,
    BindingAccount,
    BindingAddress,
    RegisterAddress,
    RequestAccount,
    RequestAddress,
    CommentAccount,
    CommentAddress,
    PhotoAccount,
    PhotoAddress,
    ContactAccount,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::LoginAccount => "login_account",
            Scope::LoginAddress => "login_address",
            Scope::BindingAccount => "binding_account",
            Scope::BindingAddress => "binding_address",
            Scope::RegisterAddress => "register_address",
            Scope::RequestAccount => "request_account",
            Scope::RequestAddress => "request_address",
            Scope::CommentAccount => "comment_account",
            Scope::CommentAddress => "comment_address",
            Scope::PhotoAccount => "photo_account",
            Scope::PhotoAddress => "photo_address",
            Scope::ContactAccount => "contact_account",
        }
    }
}

/// One throttled subject of an attempt: what, who, how many it may have within how many
/// seconds, and how many this attempt counts for (a request with three photos is three photos).
pub struct Guard<'a> {
    pub scope: Scope,
    pub subject: &'a str,
    pub limit: i64,
    pub window: i64,
    pub cost: i64,
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
) -> sqlx::Result<Result<Attempt, i64>> {
    let mut tx = super::begin_immediate(db).await?;
    for guard in guards {
        // The attempt that must age out of the window before this one fits under the limit.
        let cost = guard.cost.clamp(1, guard.limit.max(1));
        let oldest_blocking = sqlx::query(
            "SELECT at FROM throttle_events WHERE scope = $1 AND subject = $2 AND at > $3
             ORDER BY at DESC LIMIT 1 OFFSET $4",
        )
        .bind(guard.scope.as_str())
        .bind(guard.subject)
        .bind(now - guard.window)
        .bind(guard.limit - cost)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = oldest_blocking {
            tx.rollback().await?;
            return Ok(Err((row.get::<i64, _>("at") + guard.window - now).max(1)));
        }
    }
    let mut ids = Vec::with_capacity(guards.len());
    for guard in guards {
        for _ in 0..guard.cost.max(1) {
            let id: i64 = sqlx::query(
                "INSERT INTO throttle_events (scope, subject, at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(guard.scope.as_str())
            .bind(guard.subject)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .get(0);
            ids.push(id);
        }
    }
    tx.commit().await?;
    Ok(Ok(Attempt { ids }))
}

/// Takes back an attempt counted by `begin_attempt`: it was not a failed guess.
pub async fn forgive(db: &Db, attempt: Attempt) -> sqlx::Result<()> {
    for id in attempt.ids {
        sqlx::query("DELETE FROM throttle_events WHERE id = $1")
            .bind(id)
            .execute(db)
            .await?;
    }
    Ok(())
}

pub async fn clear(db: &Db, scope: Scope, subject: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM throttle_events WHERE scope = $1 AND subject = $2")
        .bind(scope.as_str())
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_older_than(db: &Db, cutoff: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM throttle_events WHERE at <= $1")
        .bind(cutoff)
        .execute(db)
        .await?
        .rows_affected())
}
