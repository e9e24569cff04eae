//! Voters in bulk, for the ballot benchmark (`cargo xtask bench ballots`, through the hidden
//! `linli-server bench-load --voters N`): a compound of `count` households on top of the demo
//! community, each with a resident who owns it, verified, and signed in (a session row, as a
//! login would write). The session tokens are returned, since only their hashes are stored.

use crate::auth::password::hash_password;
use crate::auth::session::{new_token, token_hash};
use crate::db::Db;
use sqlx::{Any, QueryBuilder};

/// Households per stairwell (25 floors of four flats) and stairwells per building.
const FLOORS: i64 = 25;
const FLATS_PER_FLOOR: i64 = 4;
const STAIRWELLS: i64 = 2;
/// Rows per INSERT, well under SQLite's limit of bound values.
const CHUNK: usize = 500;
const SESSION_DAYS: i64 = 30;
/// The bench's voters' phone numbers: 170 (a virtual carriers' block) and a running number.
const PHONE_BASE: i64 = 170_0000_0000;

/// What [`load_bench_voters`] made: the compound to scope a vote to, and a session token per
/// voter (household order).
pub struct BenchVoters {
    pub compound_id: i64,
    pub tokens: Vec<String>,
}

pub async fn load_bench_voters(db: &Db, count: usize, now: i64) -> anyhow::Result<BenchVoters> {
    let password_hash = tokio::task::spawn_blocking(|| hash_password("bench-voter-2026")).await??;
    let tokens = (0..count)
        .map(|_| new_token())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut conn = db.acquire().await?;
    let mut tx = crate::store::begin_write_on(&mut conn).await?;
    let engine = crate::db::engine_of(&tx);
    let compound_id: i64 = sqlx::query_scalar(
        "INSERT INTO compounds (community_id, name_zh, name_en, built_year, center_lat, center_lon)
         SELECT id, '压测花园', 'Bench Garden', 2020, center_lat, center_lon
         FROM communities ORDER BY id LIMIT 1 RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await?;
    let per_building = (FLOORS * FLATS_PER_FLOOR * STAIRWELLS) as usize;
    let mut households = Vec::with_capacity(count);
    for building in 1..=count.div_ceil(per_building) as i64 {
        let building_id: i64 = sqlx::query_scalar(
            "INSERT INTO buildings (compound_id, number, floors, has_elevator, lat, lon, community_id)
             SELECT $1, $2, $3, 1, center_lat, center_lon, community_id FROM compounds WHERE id = $4
             RETURNING id",
        )
        .bind(compound_id)
        .bind(building)
        .bind(FLOORS)
        .bind(compound_id)
        .fetch_one(&mut *tx)
        .await?;
        for stairwell in 1..=STAIRWELLS {
            let stairwell_id: i64 = sqlx::query_scalar(
                "INSERT INTO stairwells (building_id, number, community_id) VALUES ($1, $2, (SELECT community_id FROM buildings WHERE id = $1)) RETURNING id",
            )
            .bind(building_id)
            .bind(stairwell)
            .fetch_one(&mut *tx)
            .await?;
            for floor in 1..=FLOORS {
                for side in 1..=FLATS_PER_FLOOR {
                    if households.len() < count {
                        households.push((stairwell_id, floor, format!("{floor}{side:02}")));
                    }
                }
            }
        }
    }
    let first_household: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM households")
            .fetch_one(&mut *tx)
            .await?;
    let first_user: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users")
        .fetch_one(&mut *tx)
        .await?;
    let community_id: i64 = sqlx::query_scalar("SELECT community_id FROM compounds WHERE id = $1")
        .bind(compound_id)
        .fetch_one(&mut *tx)
        .await?;
    for (c, chunk) in households.chunks(CHUNK).enumerate() {
        let base = (c * CHUNK) as i64;
        let mut insert = QueryBuilder::<Any>::new(
            "INSERT INTO households (id, stairwell_id, floor, room, floor_area_centi_m2, community_id) ",
        );
        insert.push_values(
            chunk.iter().enumerate(),
            |mut b, (i, (stairwell, floor, room))| {
                let n = base + i as i64;
                b.push_bind(first_household + n)
                    .push_bind(*stairwell)
                    .push_bind(*floor)
                    .push_bind(room)
                    .push_bind(8_000 + (n % 40) * 125)
                    .push_bind(community_id);
            },
        );
        let (sql, args) = crate::store::built(&mut insert, engine);
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;

        let mut users = QueryBuilder::<Any>::new(
            "INSERT INTO users (id, phone, password_hash, display_name, role, created_at) ",
        );
        users.push_values(0..chunk.len() as i64, |mut b, i| {
            let n = base + i;
            b.push_bind(first_user + n)
                .push_bind((PHONE_BASE + n).to_string())
                .push_bind(&password_hash)
                .push_bind(format!("压测住户{n}"))
                .push_bind("resident")
                .push_bind(now);
        });
        let (sql, args) = crate::store::built(&mut users, engine);
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;

        let mut members = QueryBuilder::<Any>::new(
            "INSERT INTO household_members (household_id, user_id, relation, verified_at, community_id) ",
        );
        members.push_values(0..chunk.len() as i64, |mut b, i| {
            b.push_bind(first_household + base + i)
                .push_bind(first_user + base + i)
                .push_bind("owner")
                .push_bind(now)
                .push_bind(community_id);
        });
        let (sql, args) = crate::store::built(&mut members, engine);
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;

        let mut sessions = QueryBuilder::<Any>::new(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) ",
        );
        sessions.push_values(0..chunk.len(), |mut b, i| {
            let n = base as usize + i;
            b.push_bind(token_hash(&tokens[n]))
                .push_bind(first_user + n as i64)
                .push_bind(now)
                .push_bind(now + SESSION_DAYS * 86_400);
        });
        let (sql, args) = crate::store::built(&mut sessions, engine);
        sqlx::query_with(&sql, args).execute(&mut *tx).await?;
    }
    crate::db::ids_given(&mut tx, "households").await?;
    crate::db::ids_given(&mut tx, "users").await?;
    tx.commit().await?;
    Ok(BenchVoters {
        compound_id,
        tokens,
    })
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn loads_verified_owners_with_live_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::scratch(dir.path()).await.unwrap();
        crate::seed::seed_demo_community(&db).await.unwrap();
        let now = crate::db::now();
        let voters = super::load_bench_voters(&db, 1_234, now).await.unwrap();
        assert_eq!(voters.tokens.len(), 1_234);
        let (households, members, live): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*),
                    (SELECT COUNT(*) FROM household_members m JOIN households x ON x.id = m.household_id
                     JOIN stairwells y ON y.id = x.stairwell_id JOIN buildings z ON z.id = y.building_id
                     WHERE z.compound_id = $1 AND m.relation = 'owner'),
                    (SELECT COUNT(*) FROM sessions WHERE expires_at > $2)
             FROM households h JOIN stairwells s ON s.id = h.stairwell_id
             JOIN buildings b ON b.id = s.building_id WHERE b.compound_id = $3",
        )
        .bind(voters.compound_id)
        .bind(now)
        .bind(voters.compound_id)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!((households, members, live), (1_234, 1_234, 1_234));
        // Each token signs in its own voter.
        let hash = crate::auth::session::token_hash(&voters.tokens[7]);
        let session = crate::store::sessions::find(&db, &hash, now)
            .await
            .unwrap()
            .unwrap();
        let phone: String = sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
            .bind(session.user_id)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(phone, "17000000007");
    }
}
