//! Server-side sessions, keyed by the SHA-256 of the cookie's token.

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::Role;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub role: Role,
    /// For staff, the communities they work for.
    pub staff_of: Arc<[CommunityId]>,
    /// Unix seconds from which the session is no longer honoured.
    pub expires_at: i64,
}

pub async fn create(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
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
        "SELECT s.user_id, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let user_id: i64 = r.get("user_id");
    let role = Role::parse(r.get("role")).unwrap_or(Role::Resident);
    let staff_of = if role == Role::Staff {
        sqlx::query_scalar("SELECT community_id FROM staff_communities WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(db)
            .await?
            .into_iter()
            .map(CommunityId)
            .collect()
    } else {
        Arc::from([])
    };
    Ok(Some(Session {
        user_id,
        role,
        staff_of,
        expires_at: r.get("expires_at"),
    }))
}

/// Deleting goes through [`SessionCache::delete`], which forgets the session too.
async fn delete(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Deleting goes through [`SessionCache::delete_all_of`], which forgets them too.
async fn delete_all_of(db: &Db, user_id: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?
        .rows_affected())
}

/// Removes sessions past their expiry; run at start-up so the table does not grow forever.
pub async fn delete_expired(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?
        .rows_affected())
}

/// How long a session read from the database is believed without reading it again. Every
/// sign-out of this process forgets its session at once; this bounds how long a session
/// revoked behind the server's back (by hand, in the database) is still honoured.
const SESSION_KEPT_FOR: Duration = Duration::from_secs(30);

/// Sessions kept at most; past that the cache starts again empty.
const SESSIONS_KEPT: usize = 10_000;

/// Live sessions kept in memory, so that a signed-in request does not first wait on the
/// database to learn who sent it: under load, that lookup was half of a staff page's database
/// work (see BENCHMARKS.md). Only found sessions are kept; an unknown token is looked up
/// every time.
#[derive(Default)]
pub struct SessionCache {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// Sign-outs so far: a lookup that overlapped one is not kept, since it may have read the
    /// session just before it was deleted.
    sign_outs: u64,
    sessions: HashMap<String, (Session, Instant)>,
}

impl SessionCache {
    /// The live session with this token hash, as [`find`] reads it.
    pub async fn find(&self, db: &Db, token_hash: &str, now: i64) -> sqlx::Result<Option<Session>> {
        let sign_outs = {
            let kept = self.lock();
            if let Some((session, read_at)) = kept.sessions.get(token_hash)
                && session.expires_at > now
                && read_at.elapsed() < SESSION_KEPT_FOR
            {
                return Ok(Some(session.clone()));
            }
            kept.sign_outs
        };
        let found = find(db, token_hash, now).await?;
        if let Some(session) = &found {
            let mut kept = self.lock();
            if kept.sign_outs == sign_outs {
                if kept.sessions.len() >= SESSIONS_KEPT {
                    kept.sessions.clear();
                }
                kept.sessions
                    .insert(token_hash.to_owned(), (session.clone(), Instant::now()));
            }
        }
        Ok(found)
    }

    /// Ends a session: deleted from the database, then forgotten here.
    pub async fn delete(&self, db: &Db, token_hash: &str) -> sqlx::Result<()> {
        delete(db, token_hash).await?;
        let mut kept = self.lock();
        kept.sign_outs += 1;
        kept.sessions.remove(token_hash);
        Ok(())
    }

    /// Ends every session of an account ("log out everywhere"), this browser's included;
    /// answers how many there were.
    pub async fn delete_all_of(&self, db: &Db, user_id: i64) -> sqlx::Result<u64> {
        let ended = delete_all_of(db, user_id).await?;
        let mut kept = self.lock();
        kept.sign_outs += 1;
        kept.sessions
            .retain(|_, (session, _)| session.user_id != user_id);
        Ok(ended)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Each change leaves the map whole, so a panic elsewhere cannot have broken it.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_kept_session_ends_at_its_expiry_and_at_sign_out() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::scratch(dir.path()).await.unwrap();
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (phone, password_hash, display_name, role, created_at)
             VALUES ('13812345678', 'x', '张三', 'resident', 0) RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        create(&pool, "kept", user_id, 100, 200).await.unwrap();
        create(&pool, "signed-out", user_id, 100, 200)
            .await
            .unwrap();
        let cache = SessionCache::default();
        for hash in ["kept", "signed-out"] {
            let found = cache.find(&pool, hash, 150).await.unwrap().unwrap();
            assert_eq!(found.user_id, user_id);
        }

        assert!(cache.find(&pool, "kept", 199).await.unwrap().is_some());
        assert!(
            cache.find(&pool, "kept", 200).await.unwrap().is_none(),
            "expired"
        );

        cache.delete(&pool, "signed-out").await.unwrap();
        assert!(
            cache
                .find(&pool, "signed-out", 150)
                .await
                .unwrap()
                .is_none()
        );
        assert!(cache.find(&pool, "unknown", 150).await.unwrap().is_none());
    }
}
