//! `linli-server import-osm`: a community's walking network and the places of its service
//! circle from an OpenStreetMap extract (`.osm.pbf`).
//!
//! - [`osm`] reads the file: the walkable ways and the named places.
//! - [`graph`] splits the ways at junctions into edges that carry their own line and length.
//! - [`categories`] is the table from OSM tags to the service circle's facility categories.
//! - [`write`] replaces the network and the imported facilities in one transaction.

pub mod categories;
pub mod graph;
pub mod osm;
pub mod write;

use crate::db::Db;
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::Path;

/// A place or a building farther than this from every node of the network is left unhooked
/// (`node_id` NULL) rather than tied to a node it cannot sensibly be reached from: 500 m is
/// already more than eight minutes of the planners' slow walk.
pub const HOOK_RADIUS_M: f64 = 500.0;

/// What an import did, for the command's summary and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub community_id: i64,
    /// Whether the database had no community and the import created one for the file.
    pub created_community: bool,
    pub walk_nodes: usize,
    pub walk_edges: usize,
    /// Imported facilities by category key.
    pub facilities: BTreeMap<&'static str, usize>,
    /// Ways with a `highway` tag that the walking rules left out.
    pub excluded_highways: usize,
    /// Places whose outline lies wholly outside the file, so they have no position.
    pub unplaced: usize,
    /// Facilities and building doors not imported (staff's, the demo's) that were tied to the
    /// old network and now point at the nearest new node, or at none beyond [`HOOK_RADIUS_M`].
    pub rehooked: usize,
}

impl ImportReport {
    pub fn facility_total(&self) -> usize {
        self.facilities.values().sum()
    }
}

/// Imports `file` into the community `community` (by default the database's only one; a new
/// one named after the file if there is none). The community's network and the facilities an
/// earlier import brought are replaced; running it twice on one file changes nothing more.
pub async fn import_osm(
    db: &Db,
    file: &Path,
    community: Option<i64>,
) -> anyhow::Result<ImportReport> {
    let path = file.to_owned();
    // Decoding the file is CPU work; keep it off the async workers.
    let data = tokio::task::spawn_blocking(move || osm::read(&path))
        .await?
        .with_context(|| format!("reading {}", file.display()))?;
    let graph = graph::build(&data.ways, &data.coords);

    let mut places = Vec::with_capacity(data.places.len());
    let mut unplaced = 0;
    for place in &data.places {
        match data.location(place) {
            Some(at) => places.push((place, at)),
            None => unplaced += 1,
        }
    }

    let new_community = write::NewCommunity {
        name: file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .filter(|n| !n.is_empty())
            .unwrap_or("OpenStreetMap")
            .to_owned(),
        centre: data
            .bounds
            .map(|(s, w, n, e)| ((s + n) / 2.0, (w + e) / 2.0))
            .ok_or_else(|| anyhow::anyhow!("{} holds no nodes", file.display()))?,
    };
    let written = write::replace(db, community, &new_community, &graph, &places).await?;

    let mut facilities = BTreeMap::new();
    for (place, _) in &places {
        *facilities.entry(place.category.key()).or_default() += 1;
    }
    Ok(ImportReport {
        community_id: written.community_id,
        created_community: written.created_community,
        walk_nodes: graph.nodes.len(),
        walk_edges: graph.edges.len(),
        facilities,
        excluded_highways: data.excluded_highways,
        unplaced,
        rehooked: written.rehooked,
    })
}
