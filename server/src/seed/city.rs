//! A city's worth of communities in one database, for the benchmark (`cargo xtask bench
//! --communities N`, through `linli-server bench-load --communities N`): the demo community and
//! N - 1 more, each a copy of the demo's compounds, buildings, stairwells and households a few
//! kilometres further east, each served at a host name of its own (`c001.bench.linli.test`,
//! ...). The demo's staff work for all of them. Requests loaded afterwards are spread evenly
//! over the communities (see [`super::bulk`]).

use crate::db::Db;
use anyhow::ensure;
use sqlx::AnyConnection;

/// The host name the benchmark gives its `n`-th community (from 1).
pub fn bench_host(n: usize) -> String {
    format!("c{n:03}.bench.linli.test")
}

/// Between a demo row's id and its copy's in the next community: above any id the demo and
/// the bench's loaders give out.
const ID_STRIDE: i64 = 10_000_000;

/// How far east each copy lies from the one before (degrees of longitude, about 5 km).
const EAST_STEP: f64 = 0.05;

/// Adds `count - 1` copies of the demo community and names every community's host; the
/// database must hold the demo community alone. Answers the communities' ids, the demo's first.
pub async fn load_bench_communities(db: &Db, count: usize) -> anyhow::Result<Vec<i64>> {
    let mut conn = db.acquire().await?;
    let mut tx = crate::store::begin_write_on(&mut conn).await?;
    let communities: Vec<i64> = sqlx::query_scalar("SELECT id FROM communities ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;
    ensure!(
        communities.len() == 1,
        "the benchmark's communities are copies of the demo community alone; found {}",
        communities.len()
    );
    let demo = communities[0];
    sqlx::query("UPDATE communities SET hostname = $1 WHERE id = $2")
        .bind(bench_host(1))
        .bind(demo)
        .execute(&mut *tx)
        .await?;
    let mut ids = vec![demo];
    for n in 2..=count {
        ids.push(copy_demo(&mut tx, demo, n).await?);
    }
    sqlx::query(
        "INSERT INTO staff_communities (user_id, community_id)
         SELECT u.id, c.id FROM users u CROSS JOIN communities c
         WHERE u.role = 'staff' AND c.id <> $1",
    )
    .bind(demo)
    .execute(&mut *tx)
    .await?;
    for table in ["compounds", "buildings", "stairwells", "households"] {
        crate::db::ids_given(&mut tx, table).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// Copies of the demo's places, one level each, parents first: `$1` is the offset that moves
/// every id (their parents' too), `$2` the new community, `$3` the demo's, and for places with
/// a position (`true`) `$4` how far east they move.
const COPIES: [(&str, bool); 4] = [
    (
        "INSERT INTO compounds (id, community_id, name_zh, name_en, built_year, center_lat,
                                center_lon)
         SELECT id + $1, $2, name_zh, name_en, built_year, center_lat, center_lon + $4
         FROM compounds WHERE community_id = $3",
        true,
    ),
    (
        "INSERT INTO buildings (id, compound_id, number, floors, has_elevator, lat, lon,
                                community_id)
         SELECT id + $1, compound_id + $1, number, floors, has_elevator, lat, lon + $4, $2
         FROM buildings WHERE community_id = $3",
        true,
    ),
    (
        "INSERT INTO stairwells (id, building_id, number, community_id)
         SELECT id + $1, building_id + $1, number, $2 FROM stairwells WHERE community_id = $3",
        false,
    ),
    (
        "INSERT INTO households (id, stairwell_id, floor, room, floor_area_centi_m2,
                                 community_id)
         SELECT id + $1, stairwell_id + $1, floor, room, floor_area_centi_m2, $2
         FROM households WHERE community_id = $3",
        false,
    ),
];

/// The `n`-th community: the demo's places under new ids; its id.
async fn copy_demo(tx: &mut AnyConnection, demo: i64, n: usize) -> anyhow::Result<i64> {
    let offset = (n as i64 - 1) * ID_STRIDE;
    let east = (n - 1) as f64 * EAST_STEP;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO communities (name_zh, name_en, city_zh, city_en, district_zh, district_en,
                                  street_office_zh, street_office_en, center_lat, center_lon,
                                  hostname)
         SELECT $1, $2, city_zh, city_en, district_zh, district_en, street_office_zh,
                street_office_en, center_lat, center_lon + $3, $4
         FROM communities WHERE id = $5
         RETURNING id",
    )
    .bind(format!("第{n}社区"))
    .bind(format!("Community {n}"))
    .bind(east)
    .bind(bench_host(n))
    .bind(demo)
    .fetch_one(&mut *tx)
    .await?;
    for (sql, moves_east) in COPIES {
        let query = sqlx::query(sql).bind(offset).bind(id).bind(demo);
        let query = if moves_east { query.bind(east) } else { query };
        query.execute(&mut *tx).await?;
    }
    Ok(id)
}

/// The household of community `n` (from 1) that copies the demo's `household`.
pub fn copied_household(household: i64, n: usize) -> i64 {
    household + (n as i64 - 1) * ID_STRIDE
}
