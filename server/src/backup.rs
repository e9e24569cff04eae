//! `linli-server backup` and `linli-server restore`.
//!
//! Everything Linli holds is in its one SQLite file, photos included, so a backup is one
//! consistent copy of it: `VACUUM INTO` reads the database in a single read transaction, which
//! in WAL mode runs beside the server's writes and sees the database as of one moment (every
//! acknowledged write before it, none half-written). The copy is then checked
//! (`PRAGMA integrity_check`, and that it is a Linli database this version can run).
//!
//! A restore replaces the database with such a copy, and only while no server uses it (the
//! lock file the server holds, see [`DatabaseLock`]). The database it replaces is kept beside
//! it, with its WAL, so a restore of the wrong file can itself be undone.

use anyhow::{Context, bail};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a checked copy holds, for the command to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub bytes: u64,
    /// The newest migration the copy has: a server of this version can run it.
    pub schema_version: i64,
    pub users: i64,
    pub requests: i64,
    pub ballots: i64,
    pub photos: i64,
}

/// The SQLite file a `sqlite://` URL names; `None` for an in-memory database.
pub fn database_file(url: &str) -> anyhow::Result<Option<PathBuf>> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("{url} is not a SQLite database URL"))?;
    let file = options.get_filename();
    let in_memory = file.as_os_str().is_empty() || file.to_string_lossy().starts_with(':');
    Ok((!in_memory).then(|| file.to_path_buf()))
}

/// An exclusive hold on a database file for one process: the server takes it for as long as it
/// runs, `restore` for as long as it replaces the file. Two servers on one file would each
/// trust their in-memory caches of it, and a restore under a running server would pull the
/// file from under its open connections; the lock refuses both. It is an advisory lock on
/// `<database>.lock`, released by the operating system when the process ends, even by a crash.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

impl DatabaseLock {
    /// Takes the lock of the database `url` names (nothing to lock for an in-memory one).
    pub fn acquire(url: &str) -> anyhow::Result<Option<DatabaseLock>> {
        let Some(database) = database_file(url)? else {
            return Ok(None);
        };
        if let Some(parent) = database.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let path = with_suffix(&database, ".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DatabaseLock { _file: file })),
            Err(TryLockError::WouldBlock) => bail!(
                "another Linli server or restore is using {}; stop it first",
                database.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a consistent copy of the database `url` names (a server may be running on it) to
/// `to`, a file that must not exist yet, and checks it. The database is only read: no
/// migration runs, so a newer binary backing up under an older running server changes nothing.
pub async fn backup(url: &str, to: &Path) -> anyhow::Result<BackupSummary> {
    let Some(database) = database_file(url)? else {
        bail!("{url} is an in-memory database: there is nothing to back up");
    };
    if !database.is_file() {
        bail!("there is no database at {}", database.display());
    }
    if to.exists() {
        bail!(
            "{} already exists; a backup never overwrites a file, give a new name",
            to.display()
        );
    }
    if let Some(parent) = to.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let target = to
        .to_str()
        .with_context(|| format!("{} is not a UTF-8 path", to.display()))?;
    let mut conn = SqliteConnectOptions::new()
        .filename(&database)
        .busy_timeout(std::time::Duration::from_secs(5))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", database.display()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await
        .with_context(|| format!("cannot write the copy to {}", to.display()))?;
    conn.close().await?;
    check(to).await
}

/// Opens `file` read-only and checks that it is a whole Linli database this version can run.
pub async fn check(file: &Path) -> anyhow::Result<BackupSummary> {
    let bytes = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    if integrity != ["ok"] {
        bail!("{} is damaged: {}", file.display(), integrity.join("; "));
    }
    let schema_version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .with_context(|| format!("{} is not a Linli database", file.display()))?;
    let Some(schema_version) = schema_version else {
        bail!("{} is not a Linli database", file.display());
    };
    let newest_known = crate::db::SQLITE_MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if schema_version > newest_known {
        bail!(
            "{} was written by a newer Linli (schema {schema_version}, this one knows up to {newest_known})",
            file.display()
        );
    }
    let mut count = async |table: &str| -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await?)
    };
    let summary = BackupSummary {
        bytes,
        schema_version,
        users: count("users").await?,
        requests: count("service_requests").await?,
        ballots: count("ballots").await?,
        photos: count("request_photos").await?,
    };
    conn.close().await?;
    Ok(summary)
}

/// Replaces the database `url` names with the backup `from`, after checking it, while no
/// server runs on it. The database replaced is kept as `<database>.before-restore-<unix time>`;
/// its path is returned.
///
/// The steps are ordered so that an interruption at any point leaves a whole database at the
/// path (the old one or the new one) and the old one kept: the old database's WAL is first
/// checkpointed into it, the kept copy is a hard link made before anything is removed, and the
/// new file replaces the old by one rename.
pub async fn restore(from: &Path, url: &str) -> anyhow::Result<(BackupSummary, Option<PathBuf>)> {
    let Some(database) = database_file(url)? else {
        bail!("{url} is an in-memory database: there is nothing to restore into");
    };
    let _lock = DatabaseLock::acquire(url)?;
    let summary = check(from).await?;
    // Copied next to the database first, so the step that replaces it is a rename.
    let incoming = with_suffix(&database, ".restoring");
    std::fs::copy(from, &incoming)
        .with_context(|| format!("cannot copy {} to {}", from.display(), incoming.display()))?;
    File::open(&incoming)?.sync_all()?;
    let mut kept = None;
    if database.exists() {
        let wal = with_suffix(&database, "-wal");
        if wal.exists() {
            checkpoint(&database).await?;
        }
        let aside = free_name(&with_suffix(
            &database,
            &format!(".before-restore-{}", crate::db::now()),
        ));
        std::fs::hard_link(&database, &aside)
            .with_context(|| format!("cannot keep the old database as {}", aside.display()))?;
        kept = Some(aside);
        // Checkpointed, the old WAL holds nothing the kept file lacks; left beside the new
        // file it would be replayed onto it.
        for suffix in ["-wal", "-shm"] {
            let side = with_suffix(&database, suffix);
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
    }
    std::fs::rename(&incoming, &database)?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok((summary, kept))
}

/// Moves everything in `database`'s WAL into the file itself and empties the WAL, so that the
/// file alone is the whole database.
async fn checkpoint(database: &Path) -> anyhow::Result<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(database)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", database.display()))?;
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("cannot checkpoint {}", database.display()))?;
    conn.close().await?;
    if busy != 0 {
        bail!(
            "{} is still in use by another program; stop it first",
            database.display()
        );
    }
    Ok(())
}

/// `path`, or `path.2`, `path.3`… whichever does not exist yet.
fn free_name(path: &Path) -> PathBuf {
    (1..)
        .map(|n| {
            if n == 1 {
                path.to_path_buf()
            } else {
                with_suffix(path, &format!(".{n}"))
            }
        })
        .find(|p| !p.exists())
        .expect("some name is free")
}
