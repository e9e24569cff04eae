//! The walking network of the plan: the street grid, each compound's gates, lanes and doors,
//! and a node per facility; built in memory first, then written in one pass.

use super::geo::{Metres, m};
use super::plan::{
    self, Axis, COMPOUNDS, CompoundPlan, DOOR_SETBACK_M, FACILITIES, FRONT_LANE_SETBACK_M, Place,
    StreetPlan,
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Street,
    Path,
    Gate,
    Door,
    Facility,
}

impl NodeKind {
    fn as_str(self) -> &'static str {
        match self {
            NodeKind::Street => "street",
            NodeKind::Path => "path",
            NodeKind::Gate => "gate",
            NodeKind::Door => "door",
            NodeKind::Facility => "facility",
        }
    }

    /// Street corners and lane junctions are shared by every way through them; gates, doors and
    /// facilities are each their own node even if two happened to share a point.
    fn is_junction(self) -> bool {
        matches!(self, NodeKind::Street | NodeKind::Path)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    Street,
    Path,
    Gate,
}

impl EdgeKind {
    fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Street => "street",
            EdgeKind::Path => "path",
            EdgeKind::Gate => "gate",
        }
    }
}

#[derive(Debug)]
pub struct PlannedNode {
    pub kind: NodeKind,
    pub at: Metres,
    /// Index into [`COMPOUNDS`] for nodes inside a compound.
    pub compound: Option<usize>,
}

#[derive(Debug)]
pub struct PlannedEdge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub name: Option<(String, String)>,
}

/// The whole network, with indexes into `nodes` for what other tables point at.
#[derive(Debug, Default)]
pub struct WalkPlan {
    pub nodes: Vec<PlannedNode>,
    pub edges: Vec<PlannedEdge>,
    /// `doors[compound][building]`, in the order of the plan's tables.
    pub doors: Vec<Vec<usize>>,
    /// One node per entry of [`FACILITIES`], in order.
    pub facility_nodes: Vec<usize>,
    junctions: HashMap<Metres, usize>,
}

impl WalkPlan {
    /// Lays out the network from the plan's tables. Panics only if the tables themselves are
    /// inconsistent (two different kinds of node on one point), which the tests would catch.
    pub fn build() -> Self {
        let mut walk = WalkPlan::default();
        walk.add_streets();
        for (index, compound) in COMPOUNDS.iter().enumerate() {
            walk.add_compound(index, compound);
        }
        walk.add_facilities();
        walk
    }

    fn node(&mut self, kind: NodeKind, at: Metres, compound: Option<usize>) -> usize {
        if kind.is_junction() {
            if let Some(&existing) = self.junctions.get(&at) {
                let node = &self.nodes[existing];
                assert!(
                    node.kind == kind && node.compound == compound,
                    "plan error: a {kind:?} node and a {:?} node both at {at:?}",
                    node.kind
                );
                return existing;
            }
            self.junctions.insert(at, self.nodes.len());
        }
        self.nodes.push(PlannedNode { kind, at, compound });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, kind: EdgeKind, name: Option<(String, String)>) {
        if from != to {
            self.edges.push(PlannedEdge {
                from,
                to,
                kind,
                name,
            });
        }
    }

    /// A chain of junctions along a line, each joined to the next.
    fn chain(
        &mut self,
        points: &[Metres],
        kind: NodeKind,
        edge: EdgeKind,
        compound: Option<usize>,
        name: Option<(&str, &str)>,
    ) {
        let ids: Vec<usize> = points
            .iter()
            .map(|&at| self.node(kind, at, compound))
            .collect();
        for pair in ids.windows(2) {
            let name = name.map(|(zh, en)| (zh.to_owned(), en.to_owned()));
            self.edge(pair[0], pair[1], edge, name);
        }
    }

    /// The nearest node of a kind (and compound), for hooking gates and facilities onto lanes.
    fn nearest(&self, at: Metres, kind: NodeKind, compound: Option<usize>) -> usize {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == kind && n.compound == compound)
            .min_by(|(_, a), (_, b)| at.distance_to(a.at).total_cmp(&at.distance_to(b.at)))
            .map(|(i, _)| i)
            .expect("plan error: no node of the kind to connect to")
    }

    /// Streets: a node every [`plan::STREET_NODE_SPACING`] metres, plus one wherever a gate or
    /// a facility opens onto the street, so nobody walks past their door to a corner and back.
    fn add_streets(&mut self) {
        let gates = COMPOUNDS
            .iter()
            .flat_map(|c| c.gates.iter().map(move |g| c.centre + g.offset));
        let shops = FACILITIES.iter().filter_map(|f| match f.place {
            Place::Street(at) => Some(at),
            Place::InCompound { .. } => None,
        });
        let frontage: Vec<Metres> = gates.chain(shops).collect();

        for street in plan::STREETS {
            let mut points: Vec<Metres> = match street.axis {
                Axis::EastWest { north } => (plan::GRID_WEST..=plan::GRID_EAST)
                    .step_by(plan::STREET_NODE_SPACING as usize)
                    .map(|east| m(east, north))
                    .collect(),
                Axis::NorthSouth { east } => (plan::GRID_SOUTH..=plan::GRID_NORTH)
                    .step_by(plan::STREET_NODE_SPACING as usize)
                    .map(|north| m(east, north))
                    .collect(),
            };
            points.extend(
                frontage
                    .iter()
                    .filter(|&&at| std::ptr::eq(nearest_street(at), street))
                    .map(|&at| street_foot(at)),
            );
            // Points of one street share a coordinate, so sorting orders them along it.
            points.sort_unstable();
            points.dedup();
            let name = Some((street.name_zh, street.name_en));
            self.chain(&points, NodeKind::Street, EdgeKind::Street, None, name);
        }
    }

    /// Inside a compound: each building's door opens onto the front lane of its row; the rows'
    /// lanes meet a north–south alley; each gate joins the nearest lane to the street outside.
    fn add_compound(&mut self, index: usize, compound: &CompoundPlan) {
        let here = Some(index);
        let centre = compound.centre;
        let alley_east = centre.east + compound.alley_east;
        let mut rows: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        let mut doors = Vec::with_capacity(compound.buildings.len());
        for building in compound.buildings {
            let at = centre + building.offset;
            let door = self.node(NodeKind::Door, at + m(0, -DOOR_SETBACK_M), here);
            let front = at + m(0, -FRONT_LANE_SETBACK_M);
            let lane = self.node(NodeKind::Path, front, here);
            self.edge(door, lane, EdgeKind::Path, None);
            doors.push(door);
            rows.entry(front.north).or_default().push(front.east);
        }
        self.doors.push(doors);

        for (&north, easts) in &mut rows {
            easts.push(alley_east);
            easts.sort_unstable();
            easts.dedup();
            let lane: Vec<Metres> = easts.iter().map(|&east| m(east, north)).collect();
            self.chain(&lane, NodeKind::Path, EdgeKind::Path, here, None);
        }
        // BTreeMap keys are sorted, so the alley runs south to north through every row.
        let alley: Vec<Metres> = rows.keys().map(|&north| m(alley_east, north)).collect();
        self.chain(&alley, NodeKind::Path, EdgeKind::Path, here, None);

        for gate in compound.gates {
            let at = centre + gate.offset;
            let inside = self.nearest(at, NodeKind::Path, here);
            let outside = self.junctions[&street_foot(at)];
            let node = self.node(NodeKind::Gate, at, here);
            self.edge(node, inside, EdgeKind::Path, None);
            let name = (
                format!("{}{}", compound.name_zh, gate.name_zh),
                format!("{}, {}", compound.name_en, gate.name_en),
            );
            self.edge(node, outside, EdgeKind::Gate, Some(name));
        }
    }

    /// A facility on a street hangs off its own spot on the street; one inside a compound off the
    /// nearest lane, since residents reach it without leaving through a gate.
    fn add_facilities(&mut self) {
        for facility in FACILITIES {
            let (at, compound, hook) = match facility.place {
                Place::Street(at) => (at, None, self.junctions[&street_foot(at)]),
                Place::InCompound {
                    compound, offset, ..
                } => {
                    let at = COMPOUNDS[compound].centre + offset;
                    (
                        at,
                        Some(compound),
                        self.nearest(at, NodeKind::Path, Some(compound)),
                    )
                }
            };
            let node = self.node(NodeKind::Facility, at, compound);
            self.edge(node, hook, EdgeKind::Path, None);
            self.facility_nodes.push(node);
        }
    }
}

/// The street a point beside the grid faces: the one whose line is nearest.
pub fn nearest_street(at: Metres) -> &'static StreetPlan {
    plan::STREETS
        .iter()
        .min_by_key(|street| match street.axis {
            Axis::EastWest { north } => (at.north - north).abs(),
            Axis::NorthSouth { east } => (at.east - east).abs(),
        })
        .expect("the plan has streets")
}

/// Where a perpendicular from `at` meets its nearest street: the spot a gate or a shop
/// opens onto.
pub fn street_foot(at: Metres) -> Metres {
    match nearest_street(at).axis {
        Axis::EastWest { north } => m(at.east.clamp(plan::GRID_WEST, plan::GRID_EAST), north),
        Axis::NorthSouth { east } => m(east, at.north.clamp(plan::GRID_SOUTH, plan::GRID_NORTH)),
    }
}

/// Writes the network; returns the database id of each planned node, by index.
pub async fn insert_walk_plan(
    conn: &mut AnyConnection,
    walk: &WalkPlan,
    compound_ids: &[i64],
) -> anyhow::Result<Vec<i64>> {
    let mut node_ids = Vec::with_capacity(walk.nodes.len());
    for node in &walk.nodes {
        let (lat, lon) = super::to_lat_lon(node.at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO walk_nodes (kind, lat, lon, compound_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(node.kind.as_str())
        .bind(lat)
        .bind(lon)
        .bind(node.compound.map(|c| compound_ids[c]))
        .fetch_one(&mut *conn)
        .await?;
        node_ids.push(id);
    }
    for edge in &walk.edges {
        let (name_zh, name_en) = edge.name.clone().unzip();
        sqlx::query(
            "INSERT INTO walk_edges (from_node, to_node, kind, name_zh, name_en) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(node_ids[edge.from])
        .bind(node_ids[edge.to])
        .bind(edge.kind.as_str())
        .bind(name_zh)
        .bind(name_en)
        .execute(&mut *conn)
        .await?;
    }
    Ok(node_ids)
}
