//! The database: SQLite (one community's file, the embedded default) or PostgreSQL (a city's
//! deployment), opened and migrated here. Everything else talks to either through the same
//! [`Db`] pool and the same portable SQL; the few places that differ ask [`engine`].

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

pub type Db = AnyPool;

/// Which storage engine a pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL names: `postgres://` (or `postgresql://`) is PostgreSQL,
    /// anything else (`sqlite://…`) the embedded SQLite file.
    pub fn of_url(url: &str) -> Engine {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }
}

/// The engine behind a connection.
pub fn engine_of(conn: &sqlx::AnyConnection) -> Engine {
    if conn.backend_name() == "PostgreSQL" {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

/// The engine behind `db`.
pub fn engine(db: &Db) -> Engine {
    Engine::of_url(db.connect_options().database_url.as_str())
}

/// Opens the database at `url` (creating a SQLite file if needed) and brings its schema up to
/// date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    install_default_drivers();
    let pool = match Engine::of_url(url) {
        Engine::Sqlite => connect_sqlite(url).await?,
        Engine::Postgres => connect_postgres(url).await?,
    };
    migrator(&pool).run(&pool).await?;
    // Votes closed before results were kept as revisions get their first one now.
    crate::store::results::publish_missing(&pool).await?;
    Ok(pool)
}

async fn connect_sqlite(url: &str) -> anyhow::Result<Db> {
    if let Some(file) = crate::backup::database_file(url)?
        && let Some(parent) = file.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    // `mode=rwc`: create the file when it is missing.
    let url = if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    Ok(AnyPoolOptions::new()
        .max_connections(8)
        // A ping before each use costs a round trip to the connection's thread on every query,
        // and tells nothing about a local file that a failing query would not.
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?)
}

/// Each SQLite connection's settings.
/// - WAL: readers do not wait for the writer.
/// - `synchronous = FULL`: a write the server acknowledged survives a power cut, not only a
///   crash.
/// - `mmap_size` (1 GiB, far more than a community's tens of MiB, and a bound on address space,
///   not memory): pages are read through a shared mapping of the file, as the system caches it,
///   instead of being copied into each connection's page cache; with eight connections those
///   copies filled the heap a little more with every page the load touched (BENCHMARKS.md,
///   soak). Writes still go through the WAL; the mapping only serves reads.
/// - `secure_delete`: what is deleted is overwritten, not left in free pages for anyone holding
///   a copy of the file to read; a deleted account's photos and number are gone from the file
///   itself once the write-ahead log is checkpointed.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = 5000;
    PRAGMA mmap_size = 1073741824;
    PRAGMA secure_delete = ON;";

async fn connect_postgres(url: &str) -> anyhow::Result<Db> {
    Ok(AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        // No ping before each use: writers take their turn before their connection (see
        // `store::begin_immediate`), so a ping's round trip would be paid one writer after
        // another; and a server whose PostgreSQL restarted stops anyway (`WatchedLock`).
        .test_before_acquire(false)
        .connect(url)
        .await?)
}

/// Held for as long as a process serves (or imports into) a database, so that it is the
/// database's only writer: the server keeps reads and sessions in memory between requests and
/// trusts them until it changes them itself (see `store::read_cache`), which a second server
/// writing to the same database would make wrong. A SQLite file is locked beside itself
/// ([`crate::backup::DatabaseLock`]); a PostgreSQL database by a session-level advisory lock on
/// a connection kept open, which PostgreSQL releases when the process ends, even by a crash.
pub enum Hold {
    File(crate::backup::DatabaseLock),
    Postgres(WatchedLock),
}

/// The connection holding a PostgreSQL database's lock, looked at every few seconds by a task
/// of its own. Were it lost (PostgreSQL restarted, the network cut), the lock would be gone and
/// a second server could start while this one went on trusting its caches: the process stops
/// instead, saying why, and its supervisor starts it again, to take the lock anew or be
/// refused. Dropped, it lets the lock go.
pub struct WatchedLock(tokio::task::JoinHandle<()>);

impl Drop for WatchedLock {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Takes the [`Hold`] on the database `url` names (nothing to hold for an in-memory SQLite).
pub async fn hold(url: &str) -> anyhow::Result<Option<Hold>> {
    use sqlx::Connection;
    match Engine::of_url(url) {
        Engine::Sqlite => Ok(crate::backup::DatabaseLock::acquire(url)?.map(Hold::File)),
        Engine::Postgres => {
            install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(url).await?;
            let (held,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                .bind(SERVER_LOCK)
                .fetch_one(&mut conn)
                .await?;
            if !held {
                anyhow::bail!(
                    "another Linli server (or import) is using this database; stop it first"
                );
            }
            let watch = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if let Err(e) = conn.ping().await {
                        tracing::error!(
                            error = %e,
                            "lost the connection holding the database's lock; stopping, so that \
                             no second server writes beside this one's caches"
                        );
                        std::process::exit(1);
                    }
                }
            });
            Ok(Some(Hold::Postgres(WatchedLock(watch))))
        }
    }
}

/// The advisory lock a PostgreSQL database's one server holds (any number unused elsewhere).
const SERVER_LOCK: i64 = 7_466_349_617;

/// The migrations of `db`'s engine: the same numbered steps, written for each.
pub fn migrator(db: &Db) -> &'static sqlx::migrate::Migrator {
    match engine(db) {
        Engine::Sqlite => &SQLITE_MIGRATOR,
        Engine::Postgres => &POSTGRES_MIGRATOR,
    }
}

pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The variable naming a PostgreSQL server for the tests (a URL whose user may create
/// databases): when it is set, each test's database is a new database on that server.
pub const TEST_POSTGRES_VAR: &str = "LINLI_TEST_POSTGRES";

/// A new, migrated database named `name` on the PostgreSQL server at `server` (a URL whose
/// user may create databases); one of that name left from an earlier run is dropped first.
pub async fn create_postgres_database(server: &str, name: &str) -> anyhow::Result<Db> {
    use sqlx::Connection;
    install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(server).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let mut url = url::Url::parse(server)?;
    url.set_path(name);
    connect(url.as_str()).await
}

/// A test's own migrated database: a SQLite file in `dir`, or, when [`TEST_POSTGRES_VAR`] is
/// set, a new database on that PostgreSQL server, so that the same test runs on both engines.
pub async fn scratch(dir: &std::path::Path) -> anyhow::Result<Db> {
    match std::env::var(TEST_POSTGRES_VAR) {
        Ok(server) if !server.is_empty() => {
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            create_postgres_database(&server, &format!("linli_test_{}_{n}", std::process::id()))
                .await
        }
        _ => connect(&format!("sqlite://{}", dir.join("linli.db").display())).await,
    }
}

/// After rows were inserted into `table` with the ids given (bulk seeding numbers its rows
/// itself): on PostgreSQL, moves the table's id sequence past them, so that the next row
/// inserted without an id does not take one of theirs. SQLite needs nothing: its next id is
/// always past the largest.
pub async fn ids_given(conn: &mut sqlx::AnyConnection, table: &str) -> sqlx::Result<()> {
    if engine_of(conn) == Engine::Postgres {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false)
             FROM {table}"
        ))
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The current time as stored in the database: unix seconds, UTC.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
