//! The community's public figures.

use crate::db::Db;
use linli_domain::api::{
    CommunityMap, CommunityOverview, CompoundSummary, GeoPoint, MapBuilding, MapCompound,
};
use sqlx::Row;

/// Whether any community is set up: a request is filed in one (its household's, or the first).
pub async fn any(db: &Db) -> sqlx::Result<bool> {
    let first: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM communities")
        .fetch_one(db)
        .await?;
    Ok(first.is_some())
}

pub async fn overview(db: &Db) -> sqlx::Result<Option<CommunityOverview>> {
    let Some(c) = sqlx::query(
        "SELECT id, name_zh, name_en, city_zh, city_en, street_office_zh, street_office_en
         FROM communities ORDER BY id LIMIT 1",
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let community_id: i64 = c.get("id");
    let compounds = sqlx::query(
        "SELECT c.id, c.name_zh, c.name_en, c.built_year,
                (SELECT COUNT(*) FROM buildings b WHERE b.compound_id = c.id) AS buildings,
                (SELECT COUNT(*) FROM households h
                   JOIN stairwells s ON s.id = h.stairwell_id
                   JOIN buildings b ON b.id = s.building_id
                  WHERE b.compound_id = c.id) AS households
         FROM compounds c WHERE c.community_id = $1 ORDER BY c.id",
    )
    .bind(community_id)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| CompoundSummary {
        id: r.get("id"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        built_year: r.get("built_year"),
        buildings: r.get("buildings"),
        households: r.get("households"),
    })
    .collect::<Vec<_>>();
    let verified: i64 = sqlx::query("SELECT COUNT(DISTINCT household_id) FROM household_members")
        .fetch_one(db)
        .await?
        .get(0);
    let facilities: i64 = sqlx::query("SELECT COUNT(*) FROM facilities WHERE community_id = $1")
        .bind(community_id)
        .fetch_one(db)
        .await?
        .get(0);
    Ok(Some(CommunityOverview {
        name_zh: c.get("name_zh"),
        name_en: c.get("name_en"),
        city_zh: c.get("city_zh"),
        city_en: c.get("city_en"),
        street_office_zh: c.get("street_office_zh"),
        street_office_en: c.get("street_office_en"),
        households: compounds.iter().map(|c| c.households).sum(),
        compounds,
        verified_households: verified,
        facilities,
    }))
}

/// The community's plan: its centre, compounds and buildings.
pub async fn map(db: &Db) -> sqlx::Result<Option<CommunityMap>> {
    let Some(c) =
        sqlx::query("SELECT id, center_lat, center_lon FROM communities ORDER BY id LIMIT 1")
            .fetch_optional(db)
            .await?
    else {
        return Ok(None);
    };
    let community_id: i64 = c.get("id");
    let compounds = sqlx::query(
        "SELECT id, name_zh, name_en, center_lat, center_lon FROM compounds
         WHERE community_id = $1 ORDER BY id",
    )
    .bind(community_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MapCompound {
        id: r.get("id"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        centre: GeoPoint {
            lat: r.get("center_lat"),
            lon: r.get("center_lon"),
        },
    })
    .collect();
    let buildings = sqlx::query(
        "SELECT b.id, b.compound_id, b.number, b.lat, b.lon FROM buildings b
         JOIN compounds c ON c.id = b.compound_id
         WHERE c.community_id = $1 ORDER BY b.compound_id, b.number",
    )
    .bind(community_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| MapBuilding {
        id: r.get("id"),
        compound_id: r.get("compound_id"),
        number: r.get("number"),
        at: GeoPoint {
            lat: r.get("lat"),
            lon: r.get("lon"),
        },
    })
    .collect();
    Ok(Some(CommunityMap {
        centre: GeoPoint {
            lat: c.get("center_lat"),
            lon: c.get("center_lon"),
        },
        compounds,
        buildings,
        tiles: None,
    }))
}
