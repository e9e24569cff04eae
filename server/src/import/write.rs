//! Writing an import: the community, its walking network and its imported facilities, in one
//! `BEGIN IMMEDIATE` transaction, so a server reading meanwhile sees the old network or the new
//! one, never half of each, and a failed import leaves the database as it was.

use super::HOOK_RADIUS_M;
use super::graph::{NearestNode, WalkGraph};
use super::osm::Place;
use crate::db::Db;
use crate::store::begin_immediate;
use anyhow::{Context, bail};
use sqlx::AnyConnection;

/// The community to create when the database has none.
pub struct NewCommunity {
    pub name: String,
    /// `(lat, lon)`.
    pub centre: (f64, f64),
}

pub struct Written {
    pub community_id: i64,
    pub created_community: bool,
    pub rehooked: usize,
}

/// Replaces the walking network and the community's OSM facilities with `graph` and `places`.
///
/// `walk_nodes` carry no community: Linli serves one community per database (every store query
/// reads the first), so the network in the database is that community's, and it is replaced
/// whole. What else points into it (facilities entered by staff, building doors) is re-pointed
/// at the nearest new node, so no `node_id` is left dangling.
pub async fn replace(
    db: &Db,
    community: Option<i64>,
    new_community: &NewCommunity,
    graph: &WalkGraph,
    places: &[(&Place, (f64, f64))],
) -> anyhow::Result<Written> {
    let mut tx = begin_immediate(db).await?;
    let (community_id, created_community) = choose_community(&mut tx, community, new_community)
        .await
        .context("choosing the community")?;

    sqlx::query("DELETE FROM facilities WHERE community_id = $1 AND osm_ref IS NOT NULL")
        .bind(community_id)
        .execute(&mut *tx)
        .await?;
    let facilities: Vec<(i64, f64, f64)> =
        sqlx::query_as("SELECT id, lat, lon FROM facilities WHERE node_id IS NOT NULL")
            .fetch_all(&mut *tx)
            .await?;
    let buildings: Vec<(i64, f64, f64)> =
        sqlx::query_as("SELECT id, lat, lon FROM buildings WHERE door_node_id IS NOT NULL")
            .fetch_all(&mut *tx)
            .await?;
    // Let go of the old nodes before deleting them (foreign keys are on).
    sqlx::query("UPDATE facilities SET node_id = NULL WHERE node_id IS NOT NULL")
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE buildings SET door_node_id = NULL WHERE door_node_id IS NOT NULL")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM walk_edges")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM walk_nodes")
        .execute(&mut *tx)
        .await?;

    let node_ids = insert_network(&mut tx, graph).await?;
    let nearest = NearestNode::new(&graph.nodes, HOOK_RADIUS_M);
    let hook = |lat: f64, lon: f64| nearest.find(lat, lon).map(|i| node_ids[i]);

    for (place, (lat, lon)) in places {
        sqlx::query(
            "INSERT INTO facilities (community_id, category, name_zh, name_en, address_zh, \
             address_en, lat, lon, opening_hours, phone, node_id, osm_ref) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(community_id)
        .bind(place.category.key())
        .bind(&place.names.zh)
        .bind(&place.names.en)
        .bind(&place.address_zh)
        .bind(&place.address_en)
        .bind(lat)
        .bind(lon)
        .bind(&place.opening_hours)
        .bind(&place.phone)
        .bind(hook(*lat, *lon))
        .bind(&place.osm_ref)
        .execute(&mut *tx)
        .await?;
    }
    for (id, lat, lon) in &facilities {
        sqlx::query("UPDATE facilities SET node_id = $1 WHERE id = $2")
            .bind(hook(*lat, *lon))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    for (id, lat, lon) in &buildings {
        sqlx::query("UPDATE buildings SET door_node_id = $1 WHERE id = $2")
            .bind(hook(*lat, *lon))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Written {
        community_id,
        created_community,
        rehooked: facilities.len() + buildings.len(),
    })
}

/// The community asked for, or the only one, or a new one for the file in an empty database.
async fn choose_community(
    conn: &mut AnyConnection,
    asked: Option<i64>,
    new_community: &NewCommunity,
) -> anyhow::Result<(i64, bool)> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM communities ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    match (asked, ids.as_slice()) {
        (Some(id), _) if ids.contains(&id) => Ok((id, false)),
        (Some(id), _) => bail!("there is no community {id} (the database has {ids:?})"),
        (None, [only]) => Ok((*only, false)),
        (None, []) => {
            let (lat, lon) = new_community.centre;
            // The place names beyond the community's own are for staff to fill in; the file
            // does not say which city or street office it belongs to.
            let id = sqlx::query_scalar(
                "INSERT INTO communities (name_zh, name_en, city_zh, city_en, district_zh, \
                 district_en, street_office_zh, street_office_en, center_lat, center_lon) \
                 VALUES ($1, $2, '', '', '', '', '', '', $3, $4) RETURNING id",
            )
            .bind(&new_community.name)
            .bind(&new_community.name)
            .bind(lat)
            .bind(lon)
            .fetch_one(&mut *conn)
            .await?;
            Ok((id, true))
        }
        (None, many) => bail!(
            "the database holds {} communities; choose one with --community",
            many.len()
        ),
    }
}

/// Inserts the nodes and edges; returns each node's database id, by index.
async fn insert_network(conn: &mut AnyConnection, graph: &WalkGraph) -> anyhow::Result<Vec<i64>> {
    let mut node_ids = Vec::with_capacity(graph.nodes.len());
    for node in &graph.nodes {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO walk_nodes (kind, lat, lon, osm_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(node.kind.as_str())
        .bind(node.lat)
        .bind(node.lon)
        .bind(node.osm_id)
        .fetch_one(&mut *conn)
        .await?;
        node_ids.push(id);
    }
    for edge in &graph.edges {
        let (name_zh, name_en) = edge
            .name
            .as_ref()
            .map(|n| (n.zh.as_str(), n.en.as_str()))
            .unzip();
        sqlx::query(
            "INSERT INTO walk_edges (from_node, to_node, kind, name_zh, name_en, length_m, \
             geometry) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(node_ids[edge.from])
        .bind(node_ids[edge.to])
        .bind(edge.kind.as_str())
        .bind(name_zh)
        .bind(name_en)
        .bind(edge.length_m)
        .bind(serde_json::to_string(&edge.line)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(node_ids)
}
