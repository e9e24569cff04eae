//! Storage: every SQL statement of the server, as plain async functions over the pool.
//! Handlers call these; nothing else talks to the database.

pub mod community;
pub mod consultations;
pub mod deliberation;
pub mod facts_cache;
pub mod follows;
pub mod households;
pub mod open311;
pub mod photos;
pub mod requests;
pub mod sessions;
pub mod throttle;
pub mod users;

/// True when `e` is a uniqueness violation (a taken phone number, say).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Starts a `BEGIN IMMEDIATE` transaction (the write lock taken up front) that a dropped
/// request cannot leave open.
///
/// sqlx 0.8's `begin_with` awaits once more after SQLite has begun the transaction and before
/// the `Transaction` that would roll it back exists. A request dropped at that moment (its
/// client hung up) left the connection inside a transaction holding the write lock: back in
/// the pool, it failed every write given to it, and every other connection's writes waited out
/// the busy timeout and failed, until the pool retired it. Begun on a task of its own, the
/// transaction is always handed over or, if nobody waits for it any more, dropped and so
/// rolled back.
pub async fn begin_immediate(
    db: &crate::db::Db,
) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
    let db = db.clone();
    tokio::spawn(async move { db.begin_with("BEGIN IMMEDIATE").await })
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
}

#[cfg(test)]
mod tests {
    use super::begin_immediate;
    use crate::db;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_request_leaves_no_write_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
        // Requests dropped at every point of beginning, as when clients hang up.
        for i in 0..400u64 {
            let _ = tokio::time::timeout(Duration::from_micros(i % 40 * 5), begin_immediate(&pool))
                .await;
        }
        // None left a connection inside a transaction: each write begins at once.
        for _ in 0..20 {
            let tx = tokio::time::timeout(Duration::from_secs(2), begin_immediate(&pool))
                .await
                .expect("no transaction left open holds the write lock")
                .expect("no connection is left inside a transaction");
            tx.rollback().await.unwrap();
        }
    }
}
