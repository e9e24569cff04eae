//! A resident's own data: what the export gathers, the correction of their name, and the
//! deletion of their account.

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::personal::{
    DELETED_ACCOUNT_NAME, MyBallot, MyComment, MyRating, MySession, MyTopicEntry,
};
use sqlx::Row;

/// The account's own rows, beside what `users::me` and the requests' details give.
pub struct OwnRows {
    pub created_at: i64,
    pub privacy_consent_at: Option<i64>,
    pub privacy_notice: Option<String>,
    /// The account's requests in every community (it is city-wide), with their community.
    pub requests: Vec<(CommunityId, i64)>,
    pub following: Vec<String>,
    pub proposals: Vec<MyTopicEntry>,
    pub cosignatures: Vec<MyTopicEntry>,
    pub comments: Vec<MyComment>,
    pub named_ballots: Vec<MyBallot>,
    pub ratings: Vec<MyRating>,
    pub sessions: Vec<MySession>,
}

pub async fn own_rows(db: &Db, user_id: i64) -> sqlx::Result<OwnRows> {
    let account = sqlx::query(
        "SELECT created_at, privacy_consent_at, privacy_notice FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    let requests = sqlx::query_as::<_, (i64, i64)>(
        "SELECT community_id, id FROM service_requests WHERE author_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(community, id)| (CommunityId(community), id))
    .collect();
    let following = sqlx::query(
        "SELECT r.tracking_year, r.tracking_seq FROM request_followers f
         JOIN service_requests r ON r.id = f.request_id
         WHERE f.user_id = $1 ORDER BY f.followed_at",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| {
        linli_domain::request::TrackingNumber {
            year: r.get::<i64, _>("tracking_year") as u16,
            seq: r.get::<i64, _>("tracking_seq") as u32,
        }
        .to_string()
    })
    .collect();
    let topic_entries = |sql: &'static str| async move {
        sqlx::query(sql)
            .bind(user_id)
            .fetch_all(db)
            .await
            .map(|rows| {
                rows.iter()
                    .map(|r| MyTopicEntry {
                        topic_id: r.get("id"),
                        title: r.get("title"),
                        at: r.get("at"),
                    })
                    .collect::<Vec<_>>()
            })
    };
    let proposals = topic_entries(
        "SELECT id, title, created_at AS at FROM topics WHERE author_id = $1 ORDER BY id",
    )
    .await?;
    let cosignatures = topic_entries(
        "SELECT t.id, t.title, c.signed_at AS at FROM topic_cosigns c
         JOIN topics t ON t.id = c.topic_id WHERE c.user_id = $1 ORDER BY c.signed_at",
    )
    .await?;
    let comments = sqlx::query(
        "SELECT topic_id, body, hidden_at, created_at FROM topic_comments
         WHERE author_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MyComment {
        topic_id: r.get("topic_id"),
        body: r.get("body"),
        hidden: r.get::<Option<i64>, _>("hidden_at").is_some(),
        at: r.get("created_at"),
    })
    .collect();
    // Only named ballots have a voter; a secret one has none to find.
    let named_ballots = sqlx::query(
        "SELECT v.topic_id, v.question, b.household_id, b.choice FROM ballots b
         JOIN votes v ON v.id = b.vote_id WHERE b.voter_id = $1 ORDER BY b.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MyBallot {
        topic_id: r.get("topic_id"),
        question: r.get("question"),
        household_id: r.get::<Option<i64>, _>("household_id").unwrap_or_default(),
        choice: r.get("choice"),
    })
    .collect();
    let ratings = sqlx::query(
        "SELECT topic_id, stars, rated_at FROM topic_ratings WHERE user_id = $1 ORDER BY rated_at",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MyRating {
        topic_id: r.get("topic_id"),
        stars: r.get("stars"),
        at: r.get("rated_at"),
    })
    .collect();
    let sessions = sqlx::query(
        "SELECT created_at, expires_at FROM sessions WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MySession {
        created_at: r.get("created_at"),
        expires_at: r.get("expires_at"),
    })
    .collect();
    Ok(OwnRows {
        created_at: account.get("created_at"),
        privacy_consent_at: account.get("privacy_consent_at"),
        privacy_notice: account.get("privacy_notice"),
        requests,
        following,
        proposals,
        cosignatures,
        comments,
        named_ballots,
        ratings,
        sessions,
    })
}

pub async fn correct_name(db: &Db, user_id: i64, display_name: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2 AND deleted_at IS NULL")
        .bind(display_name)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes an account, in one transaction. Its requests stay, anonymised (no author, the name
/// hidden), without the photos it sent (pictures of a home say whose it is; the photos staff
/// added of their work stay); its comments, proposals, co-signatures and ratings stay without
/// it; what only concerned it (follows, household memberships, sessions, wrong passwords
/// counted against its number) goes. Its named ballots stay on the record, as the law
/// requires, held by a tombstone row with no number, name or password. Returns how many named
/// ballots were kept.
pub async fn delete_account(db: &Db, user_id: i64, now: i64) -> sqlx::Result<i64> {
    let mut tx = super::begin_immediate(db).await?;
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE voter_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    for statement in [
        "UPDATE service_requests SET author_id = NULL, hide_name = 1 WHERE author_id = $1",
        // Before the timeline forgets who sent what.
        "DELETE FROM request_photos WHERE event_id IN
            (SELECT id FROM request_events WHERE actor_id = $1 AND actor_role = 'resident')",
        "UPDATE request_events SET actor_id = NULL WHERE actor_id = $1",
        "DELETE FROM request_followers WHERE user_id = $1",
        "UPDATE topics SET author_id = NULL WHERE author_id = $1",
        "UPDATE topic_cosigns SET user_id = NULL WHERE user_id = $1",
        "UPDATE topic_comments SET author_id = NULL WHERE author_id = $1",
        "UPDATE topic_ratings SET user_id = NULL WHERE user_id = $1",
        "DELETE FROM household_members WHERE user_id = $1",
        "DELETE FROM sessions WHERE user_id = $1",
        // Wrong passwords counted against the number (the number leaves with the account, and
        // a new account on it starts with a clean slate).
        "DELETE FROM throttle_events WHERE scope = 'login_account'
            AND subject = (SELECT phone FROM users WHERE id = $1)",
    ] {
        sqlx::query(statement)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    // The number is freed for a new account; '!' is no password hash, so nothing signs in.
    sqlx::query(
        "UPDATE users SET phone = 'deleted:' || id, display_name = $1, password_hash = '!',
                          deleted_at = $2 WHERE id = $3",
    )
    .bind(DELETED_ACCOUNT_NAME)
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(kept)
}
