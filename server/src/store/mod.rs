//! Storage: every SQL statement of the server, as plain async functions over the pool.
//! Handlers call these; nothing else talks to the database.

pub mod access_log;
pub mod ballots;
pub mod community;
pub mod consultations;
pub mod deliberation;
pub mod facilities;
pub mod follows;
pub mod households;
pub mod open311;
pub mod personal;
pub mod photos;
pub mod read_cache;
pub mod requests;
pub mod results;
pub mod sessions;
pub mod throttle;
pub mod users;

/// `sql` with its `?` placeholders numbered `$1`, `$2`, … in order, as both engines read them.
/// For statements assembled from optional pieces, where numbering by hand would be fragile;
/// a `?` inside a quoted SQL string is left alone.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

/// A statement built with sqlx's `QueryBuilder`, ready for `engine`: the builder writes `?` for
/// every bound value whatever the engine (the `Any` driver cannot know which it will meet), and
/// PostgreSQL reads only `$1`, `$2`, …, so they are numbered for it. SQLite keeps the `?`: it
/// looks a numbered parameter up by name, one by one, and a bulk INSERT with thousands of them
/// took 30 times as long to bind as to run.
pub(crate) fn built<'b>(
    builder: &'b mut sqlx::QueryBuilder<'_, sqlx::Any>,
    engine: crate::db::Engine,
) -> (String, sqlx::any::AnyArguments<'b>) {
    use sqlx::Execute;
    let sql = match engine {
        crate::db::Engine::Sqlite => builder.sql().to_owned(),
        crate::db::Engine::Postgres => numbered(builder.sql()),
    };
    let args = builder
        .build()
        .take_arguments()
        .ok()
        .flatten()
        .unwrap_or_default();
    (sql, args)
}

/// An aggregate gathering the rows into one JSON array of arrays (as text), in the engine's
/// words: `columns` of each row, in `order`. A page read as one row instead of many (see
/// [`requests::queue`]).
pub(crate) fn json_rows(db: &crate::db::Db, columns: &str, order: Option<&str>) -> String {
    let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
    match crate::db::engine(db) {
        crate::db::Engine::Sqlite => format!("json_group_array(json_array({columns}){order})"),
        crate::db::Engine::Postgres => {
            format!("COALESCE(json_agg(json_build_array({columns}){order}), '[]')::text")
        }
    }
}

/// A 0/1 flag column as a bool: both engines store flags as integers (portable SQL).
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> bool {
    use sqlx::Row;
    row.get::<i64, _>(column) != 0
}

/// True when `e` is a uniqueness violation (a taken phone number, say).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A write transaction that holds the turn to write to its database (see [`begin_immediate`]). It reads and writes as the connection it derefs to; [`WriteTx::commit`] ends it,
/// and dropping it rolls it back.
pub struct WriteTx {
    // Dropped in this order: the transaction (its rollback queued), then the turn.
    tx: sqlx::Transaction<'static, sqlx::Any>,
    turn: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn commit(self) -> sqlx::Result<()> {
        let WriteTx { tx, turn } = self;
        let committed = tx.commit().await;
        drop(turn);
        committed
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        let WriteTx { tx, turn } = self;
        let rolled_back = tx.rollback().await;
        drop(turn);
        rolled_back
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// A write transaction on `conn`, with the database's write lock taken up front as
/// [`begin_immediate`] takes it (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's advisory lock), for
/// the seeding and the loaders, which check the database and then write to it.
pub(crate) async fn begin_write_on(
    conn: &mut sqlx::AnyConnection,
) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Any>> {
    use sqlx::Connection;
    if crate::db::engine_of(conn) == crate::db::Engine::Sqlite {
        conn.begin_with("BEGIN IMMEDIATE").await
    } else {
        let mut tx = conn.begin().await?;
        sqlx::query(POSTGRES_WRITE_LOCK).execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// The PostgreSQL writers' turn: a transaction-scoped advisory lock (any number unused
/// elsewhere), released by the commit or the rollback.
const POSTGRES_WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(7466349616)";

/// The turn to write to one database, shared by every pool of this process opened with the
/// same URL.
fn write_turn(db: &crate::db::Db) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    type Turns = std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>;
    static TURNS: std::sync::OnceLock<std::sync::Mutex<Turns>> = std::sync::OnceLock::new();
    let file = db.connect_options().database_url.as_str().to_owned();
    TURNS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(file)
        .or_default()
        .clone()
}

/// Starts a write transaction, with the database's write lock taken up front, that a dropped
/// request cannot leave open, once it is this request's turn to write.
///
/// The lock: SQLite's `BEGIN IMMEDIATE`; on PostgreSQL a transaction-scoped advisory lock, so
/// that writers of every server process sharing the database take turns exactly as on SQLite,
/// and the read-then-write steps inside (the next tracking number, a household's ballot) see
/// every write committed before them, whichever process wrote them.
///
/// The turn, first, on both engines: writers of this process queue for it before they take a
/// connection from the pool, so that writers waiting for the lock never hold every connection
/// while readers wait for one. On SQLite it is also what makes writing fast: SQLite lets one
/// transaction write at a time, and a writer that finds the lock taken
/// sleeps in SQLite's busy handler for 1, 2, 5, 10, … ms before it looks again, however soon
/// the lock is free. Under load (a vote's ballots, 64 at once) most of the time went in those
/// sleeps. Writers of this process now queue for their turn, first come first served, and each
/// begins as soon as the one before it has committed. Another process writing to the same file
/// still meets SQLite's lock and its busy timeout, as before.
///
/// A dropped request: sqlx 0.8's `begin_with` awaits once more after SQLite has begun the
/// transaction and before the `Transaction` that would roll it back exists. A request dropped at
/// that moment (its client hung up) left the connection inside a transaction holding the write
/// lock: back in the pool, it failed every write given to it, and every other connection's
/// writes waited out the busy timeout and failed, until the pool retired it. Begun on a task of
/// its own, the transaction (with its turn) is always handed over or, if nobody waits for it any
/// more, dropped and so rolled back.
pub async fn begin_immediate(db: &crate::db::Db) -> sqlx::Result<WriteTx> {
    let db = db.clone();
    tokio::spawn(async move {
        let turn = write_turn(&db).lock_owned().await;
        let tx = match crate::db::engine(&db) {
            crate::db::Engine::Sqlite => db.begin_with("BEGIN IMMEDIATE").await?,
            crate::db::Engine::Postgres => {
                let mut tx = db.begin().await?;
                sqlx::query(POSTGRES_WRITE_LOCK).execute(&mut *tx).await?;
                tx
            }
        };
        Ok(WriteTx { tx, turn })
    })
    .await
    .map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
}

#[cfg(test)]
mod tests {
    use super::{begin_immediate, numbered};

    #[test]
    fn placeholders_are_numbered_in_order_outside_quoted_strings() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?) AND d <> '?' LIMIT ?"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) AND d <> '?' LIMIT $4"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }
    use crate::db;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_request_leaves_no_write_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let pool = db::scratch(dir.path()).await.unwrap();
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
