//! Storage: every SQL statement of the server, as plain async functions over the pool.
//! Handlers call these; nothing else talks to the database.

pub mod community;
pub mod facts_cache;
pub mod follows;
pub mod households;
pub mod photos;
pub mod requests;
pub mod sessions;
pub mod throttle;
pub mod users;

/// True when `e` is a uniqueness violation (a taken phone number, say).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
