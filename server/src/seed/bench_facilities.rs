//! `bench-load --facilities N`: a map of many facilities for the service circle's benchmark,
//! spread evenly over the demo's street grid, in every category, with opening hours of many kinds (so each answer works out "open now" as it does for real data).

use super::geo::m;
use super::plan::{GRID_EAST, GRID_NORTH, GRID_SOUTH, GRID_WEST};
use super::rng::SplitMix64;
use crate::db::Db;
use anyhow::bail;
use linli_domain::facility::FacilityCategory;

const SEED: u64 = 0x0FAC_1117_1E50_0001;

/// Opening hours as places write them: a few day patterns with their own times, so the
/// facilities carry a few hundred different texts (real data repeats some, not all).
fn opening_hours(rng: &mut SplitMix64) -> String {
    let open = 6 + rng.below(5);
    let half = if rng.below(2) == 0 { "00" } else { "30" };
    let close = 17 + rng.below(7);
    match rng.below(5) {
        0 => "24/7".to_owned(),
        1 => format!("Mo-Su {open:02}:{half}-{close:02}:00"),
        2 => format!("Mo-Fr {open:02}:{half}-12:00,13:30-{close:02}:00"),
        3 => format!("Mo-Fr {open:02}:{half}-{close:02}:00; Sa {open:02}:{half}-12:00"),
        _ => format!(
            "Mo-Su {:02}:{half}-09:00,18:00-{:02}:00",
            6 + open % 3,
            19 + close % 4
        ),
    }
}

/// Adds `count` facilities to the community in one transaction; they carry no walking node
/// (they are put on the network when walked to, as a facility staff add is).
pub async fn load_bench_facilities(db: &Db, count: usize) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let community: Option<i64> = sqlx::query_scalar("SELECT id FROM communities ORDER BY id")
        .fetch_optional(&mut *tx)
        .await?;
    let Some(community) = community else {
        bail!("no community: seed the demo community first");
    };
    let mut rng = SplitMix64::new(SEED);
    let span = |lo: i32, hi: i32, rng: &mut SplitMix64| lo + rng.below((hi - lo) as u64) as i32;
    for i in 1..=count {
        let category =
            FacilityCategory::ALL[rng.below(FacilityCategory::ALL.len() as u64) as usize];
        let at = m(
            span(GRID_WEST, GRID_EAST, &mut rng),
            span(GRID_SOUTH, GRID_NORTH, &mut rng),
        );
        let (lat, lon) = super::to_lat_lon(at);
        sqlx::query(
            "INSERT INTO facilities (community_id, category, name_zh, name_en, address_zh, \
             address_en, lat, lon, opening_hours) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(community)
        .bind(category.key())
        .bind(format!("测试设施{i}号"))
        .bind(format!("Bench facility {i}"))
        .bind(format!("青樟社区{i}号"))
        .bind(format!("No. {i}, Qingzhang Community"))
        .bind(lat)
        .bind(lon)
        .bind(opening_hours(&mut rng))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(count)
}
