//! The database: opening the SQLite file (WAL, foreign keys) and running the migrations.

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub type Db = SqlitePool;

/// Opens (creating if needed) the database at `url` and brings its schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a write the server acknowledged survives a power cut, not only a crash.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // Pages are read through a shared mapping of the file, as the system caches it, instead
        // of being copied into each connection's page cache: with eight connections those copies
        // filled the heap a little more with every page the load touched (BENCHMARKS.md, soak).
        // Writes still go through the WAL as before; the mapping only serves reads.
        .pragma("mmap_size", MMAP_BYTES.to_string())
        // What is deleted is overwritten, not left in free pages for anyone holding a copy of
        // the file to read: a deleted account's photos and number are gone from the file itself
        // once the write-ahead log is checkpointed.
        .pragma("secure_delete", "ON");
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A ping before each use costs a round trip to the connection's thread on every query,
        // and tells nothing about a local file that a failing query would not.
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    // Votes closed before results were kept as revisions get their first one now.
    crate::store::results::publish_missing(&pool).await?;
    Ok(pool)
}

/// How much of the file is mapped: far more than a community's database (tens of MiB), and a
/// bound on the address space it can take, not on memory.
const MMAP_BYTES: u64 = 1 << 30;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The current time as stored in the database: unix seconds, UTC.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
