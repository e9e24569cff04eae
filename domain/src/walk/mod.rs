//! The walking network behind the 15-minute service circle (GB 50180-2018): how far a resident
//! really walks, along streets, paths and through the gates that are open, not as the crow
//! flies.
//!
//! - [`WalkGraph`] holds the network in a compact form (dense indices, one adjacency array) with
//!   a grid index of its segments, so that a point can be put on the network quickly
//!   ([`WalkGraph::snap`]).
//! - [`WalkGraph::reach`] runs a bounded Dijkstra from a snapped point: it stops at the metre
//!   limit and touches only what it reaches, so a whole city costs no more than a neighbourhood.
//! - [`walking_areas`] turns a [`Reach`] into the areas walkable within each time (polygons that
//!   follow the network), and [`walk_answer`] is the whole answer the API sends.
//!
//! No I/O: the server loads the nodes and edges, the SPA may build a small graph itself.

mod answer;
mod area;
mod index;

pub use answer::{
    Destination, DestinationWalk, MAX_MINUTES, SNAP_RADIUS_M, SnappedDestination, WalkAnswer,
    WalkArea, WalkError, WalkPlan, WalkSpeed, WalkingAreas, snap_destinations, walk_answer,
    walk_answer_snapped,
};
pub use area::{AREA_BUFFER_M, AREA_CELL_M, walking_areas};

use crate::api::GeoPoint;
use crate::nearby::distance_metres;
use index::SegmentIndex;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// A point of the walking network (a junction, a gate, a door, a facility's entrance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkNode {
    pub id: i64,
    pub at: GeoPoint,
}

/// A walkable link between two nodes, in both directions.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkEdge {
    pub from: i64,
    pub to: i64,
    /// The walking length when the importer knows it; otherwise the length of `line`.
    pub length_m: Option<f64>,
    /// The way's shape from `from` to `to`, both ends included; empty for a straight edge.
    pub line: Vec<GeoPoint>,
    /// A locked gate or a closed path: drawn on the map, never walked through.
    pub closed: bool,
}

/// Metres on a local plane: x to the east, y to the north.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Xy {
    x: f64,
    y: f64,
}

/// An equirectangular projection around the network's middle latitude. A city spans a few tens
/// of kilometres, over which it stays within a fraction of a percent of the true distances:
/// enough to find the nearest street and to draw areas on a 20 m grid, and far cheaper than
/// spherical geometry. Lengths that are reported (edges, walks) are haversine metres.
#[derive(Debug, Clone, Copy)]
struct Projection {
    lon0: f64,
    lat0: f64,
    metres_per_degree_lon: f64,
}

/// The mean Earth radius, as `geo`'s haversine uses it.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
const METRES_PER_DEGREE_LAT: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

impl Projection {
    fn around(points: &[GeoPoint]) -> Projection {
        let (mut lat_min, mut lat_max) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut lon_min, mut lon_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in points {
            lat_min = lat_min.min(p.lat);
            lat_max = lat_max.max(p.lat);
            lon_min = lon_min.min(p.lon);
            lon_max = lon_max.max(p.lon);
        }
        let (lat0, lon0) = if points.is_empty() {
            (0.0, 0.0)
        } else {
            ((lat_min + lat_max) / 2.0, (lon_min + lon_max) / 2.0)
        };
        Projection {
            lon0,
            lat0,
            metres_per_degree_lon: METRES_PER_DEGREE_LAT * lat0.to_radians().cos().max(0.01),
        }
    }

    fn to_xy(self, p: GeoPoint) -> Xy {
        Xy {
            x: (p.lon - self.lon0) * self.metres_per_degree_lon,
            y: (p.lat - self.lat0) * METRES_PER_DEGREE_LAT,
        }
    }

    fn to_geo(self, p: Xy) -> GeoPoint {
        GeoPoint {
            lat: self.lat0 + p.y / METRES_PER_DEGREE_LAT,
            lon: self.lon0 + p.x / self.metres_per_degree_lon,
        }
    }
}

/// One edge as routing sees it. Its shape is `shape` in the graph's point arrays.
#[derive(Debug, Clone)]
struct Edge {
    from: u32,
    to: u32,
    /// Walking metres from one end to the other.
    length_m: f64,
    /// Length of the shape on the projection plane: positions along the shape are scaled by
    /// `length_m / plane_m` into walking metres, so an importer's length wins over the drawing.
    plane_m: f64,
    /// First shape point; the shape runs to `shape_end` (excluded).
    shape_start: u32,
    shape_end: u32,
    closed: bool,
}

impl Edge {
    /// Walking metres per metre of drawn shape.
    fn walk_per_plane_m(&self) -> f64 {
        if self.plane_m > 0.0 {
            self.length_m / self.plane_m
        } else {
            0.0
        }
    }
}

/// A step from a node along an open edge.
#[derive(Debug, Clone, Copy)]
struct Arc {
    to: u32,
    edge: u32,
    length_m: f64,
}

/// The walking network, ready to route on. Built once per network load; every query only
/// reads it, so it can be shared between threads.
#[derive(Debug, Clone)]
pub struct WalkGraph {
    ids: Vec<i64>,
    index_of: HashMap<i64, u32>,
    edges: Vec<Edge>,
    /// Every edge's shape, one after another, on the plane and as drawn.
    shape_xy: Vec<Xy>,
    shape_geo: Vec<GeoPoint>,
    /// Plane metres from the start of its edge to each shape point.
    shape_along: Vec<f64>,
    /// Compressed adjacency: the open arcs of node `n` are `arcs[arc_start[n]..arc_start[n+1]]`.
    arc_start: Vec<u32>,
    arcs: Vec<Arc>,
    segments: SegmentIndex,
    projection: Projection,
    skipped_edges: usize,
}

impl WalkGraph {
    /// Builds the graph. A node id given twice keeps its first position. An edge is skipped
    /// (and counted in [`WalkGraph::skipped_edges`]) when an end is not a known node or both
    /// ends are the same node. A line drawn from `to` to `from` is turned round, and its ends
    /// are pinned to the nodes', so a drawn way always meets its junctions. A missing or
    /// invalid length is the haversine length of the line (or of the straight segment).
    pub fn new(nodes: Vec<WalkNode>, edges: Vec<WalkEdge>) -> WalkGraph {
        let mut ids = Vec::with_capacity(nodes.len());
        let mut positions = Vec::with_capacity(nodes.len());
        let mut index_of = HashMap::with_capacity(nodes.len());
        for node in &nodes {
            if let std::collections::hash_map::Entry::Vacant(slot) = index_of.entry(node.id) {
                slot.insert(ids.len() as u32);
                ids.push(node.id);
                positions.push(node.at);
            }
        }
        let projection = Projection::around(&positions);

        let mut graph_edges = Vec::with_capacity(edges.len());
        let mut shape_xy = Vec::with_capacity(edges.len() * 2);
        let mut shape_geo = Vec::with_capacity(edges.len() * 2);
        let mut shape_along = Vec::with_capacity(edges.len() * 2);
        let mut skipped_edges = 0;
        for edge in edges {
            let (Some(&from), Some(&to)) = (index_of.get(&edge.from), index_of.get(&edge.to))
            else {
                skipped_edges += 1;
                continue;
            };
            if from == to {
                skipped_edges += 1;
                continue;
            }
            let (a, b) = (positions[from as usize], positions[to as usize]);
            let mut line = edge.line;
            if line.len() < 2 {
                line = vec![a, b];
            } else {
                if distance_metres(line[0], b) < distance_metres(line[0], a) {
                    line.reverse();
                }
                let last = line.len() - 1;
                line[0] = a;
                line[last] = b;
            }
            let shape_start = shape_xy.len() as u32;
            let mut along = 0.0;
            let mut haversine_m = 0.0;
            for (i, &point) in line.iter().enumerate() {
                let xy = projection.to_xy(point);
                if i > 0 {
                    along += distance(shape_xy[shape_xy.len() - 1], xy);
                    haversine_m += distance_metres(line[i - 1], point);
                }
                shape_xy.push(xy);
                shape_geo.push(point);
                shape_along.push(along);
            }
            let length_m = edge
                .length_m
                .filter(|m| m.is_finite() && *m >= 0.0)
                .unwrap_or(haversine_m);
            graph_edges.push(Edge {
                from,
                to,
                length_m,
                plane_m: along,
                shape_start,
                shape_end: shape_xy.len() as u32,
                closed: edge.closed,
            });
        }

        // Compressed adjacency, open edges only, in both directions.
        let mut degree = vec![0u32; ids.len() + 1];
        for edge in graph_edges.iter().filter(|e| !e.closed) {
            degree[edge.from as usize] += 1;
            degree[edge.to as usize] += 1;
        }
        let mut arc_start = Vec::with_capacity(ids.len() + 1);
        let mut total = 0u32;
        for d in &degree {
            arc_start.push(total);
            total += d;
        }
        let mut fill = arc_start.clone();
        let placeholder = Arc {
            to: 0,
            edge: 0,
            length_m: 0.0,
        };
        let mut arcs = vec![placeholder; total as usize];
        for (e, edge) in graph_edges.iter().enumerate().filter(|(_, e)| !e.closed) {
            for (here, there) in [(edge.from, edge.to), (edge.to, edge.from)] {
                arcs[fill[here as usize] as usize] = Arc {
                    to: there,
                    edge: e as u32,
                    length_m: edge.length_m,
                };
                fill[here as usize] += 1;
            }
        }

        let segments = SegmentIndex::build(&graph_edges, &shape_xy);
        WalkGraph {
            ids,
            index_of,
            edges: graph_edges,
            shape_xy,
            shape_geo,
            shape_along,
            arc_start,
            arcs,
            segments,
            projection,
            skipped_edges,
        }
    }

    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// Edges kept, closed ones included.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Edges refused by [`WalkGraph::new`]: an unknown end, or both ends the same node.
    pub fn skipped_edges(&self) -> usize {
        self.skipped_edges
    }

    /// Every edge's line as drawn (from its `from` node to its `to` node) and whether it is
    /// closed: what a map shows, closed gates included.
    pub fn edge_lines(&self) -> impl Iterator<Item = (&[GeoPoint], bool)> {
        self.edges.iter().map(|e| {
            (
                &self.shape_geo[e.shape_start as usize..e.shape_end as usize],
                e.closed,
            )
        })
    }

    /// The nearest point on an open edge within `radius_m` of `point`, or `None` when no open
    /// edge comes that close (a point outside the community, or beyond a river with no
    /// bridge in the data).
    pub fn snap(&self, point: GeoPoint, radius_m: f64) -> Option<Snap> {
        let at = self.projection.to_xy(point);
        let nearest = self.segments.nearest(at, radius_m, |segment| {
            let a = self.shape_xy[segment.point as usize];
            let b = self.shape_xy[segment.point as usize + 1];
            let t = projection_parameter(at, a, b).clamp(0.0, 1.0);
            distance(at, lerp(a, b, t))
        })?;
        let edge = &self.edges[nearest.edge as usize];
        let p = nearest.point as usize;
        let (a, b) = (self.shape_xy[p], self.shape_xy[p + 1]);
        let t = projection_parameter(at, a, b).clamp(0.0, 1.0);
        let plane_along = self.shape_along[p] + t * (self.shape_along[p + 1] - self.shape_along[p]);
        let on_network = self.projection.to_geo(lerp(a, b, t));
        Some(Snap {
            edge: nearest.edge,
            along_m: (plane_along * edge.walk_per_plane_m()).clamp(0.0, edge.length_m),
            on_network,
            gap_m: distance_metres(point, on_network),
        })
    }

    /// Everything walkable within `limit_m` metres of `start`: a Dijkstra over the open edges
    /// that leaves the snapped edge by both ends and never goes past the limit. Its work grows
    /// with what it reaches, not with the size of the network (its array of metres per node is
    /// allocated once per thread, see [`NodeMetres`]).
    pub fn reach(&self, start: &Snap, limit_m: f64) -> Reach<'_> {
        let limit_m = if limit_m.is_finite() {
            limit_m.max(0.0)
        } else {
            0.0
        };
        let mut metres = NodeMetres::for_nodes(self.ids.len());
        let mut queue = BinaryHeap::new();
        let edge = &self.edges[start.edge as usize];
        for (node, m) in [
            (edge.from, start.along_m),
            (edge.to, edge.length_m - start.along_m),
        ] {
            if m <= limit_m && m < metres.get(node) {
                metres.set(node, m);
                queue.push(Reverse((MetreKey::of(m), node)));
            }
        }
        let mut settled = Vec::new();
        while let Some(Reverse((key, node))) = queue.pop() {
            let m = key.metres();
            if m > metres.get(node) {
                continue; // a stale entry: the node was reached shorter since
            }
            settled.push(node);
            let arcs =
                self.arc_start[node as usize] as usize..self.arc_start[node as usize + 1] as usize;
            for arc in &self.arcs[arcs] {
                let next = m + arc.length_m;
                if next <= limit_m && next < metres.get(arc.to) {
                    metres.set(arc.to, next);
                    queue.push(Reverse((MetreKey::of(next), arc.to)));
                }
            }
        }
        Reach {
            graph: self,
            start: *start,
            limit_m,
            metres,
            settled,
        }
    }

    fn arcs_of(&self, node: u32) -> &[Arc] {
        &self.arcs
            [self.arc_start[node as usize] as usize..self.arc_start[node as usize + 1] as usize]
    }
}

/// A point put on the network: a position along one open edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    edge: u32,
    /// Walking metres from the edge's `from` node.
    along_m: f64,
    /// The point on the network.
    pub on_network: GeoPoint,
    /// Metres from the point given to the network; not part of any walking time (the walk is
    /// measured along the network).
    pub gap_m: f64,
}

/// Where a bounded walk got to: walking metres to every node within the limit.
#[derive(Debug, Clone)]
pub struct Reach<'g> {
    graph: &'g WalkGraph,
    start: Snap,
    limit_m: f64,
    metres: NodeMetres,
    /// The reached nodes, nearest first (the order Dijkstra settled them in).
    settled: Vec<u32>,
}

impl Reach<'_> {
    pub fn limit_m(&self) -> f64 {
        self.limit_m
    }

    pub fn start(&self) -> &Snap {
        &self.start
    }

    /// How many nodes were reached.
    pub fn len(&self) -> usize {
        self.settled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.settled.is_empty()
    }

    /// Walking metres to a node, if it is within the limit.
    pub fn metres_to_node(&self, id: i64) -> Option<f64> {
        let &index = self.graph.index_of.get(&id)?;
        self.node_metres(index)
    }

    /// Every reached node's id and walking metres, in no particular order.
    pub fn reached_nodes(&self) -> impl Iterator<Item = (i64, f64)> + '_ {
        self.settled
            .iter()
            .map(|&node| (self.graph.ids[node as usize], self.metres.get(node)))
    }

    /// Walking metres to a snapped point (a facility's place on the network), if it is within
    /// the limit: its edge is entered from whichever end is nearer, or walked along directly
    /// when the start is on the same edge.
    pub fn metres_to(&self, destination: &Snap) -> Option<f64> {
        let best = self
            .sources_on(destination.edge)
            .map(|(position, m)| m + (destination.along_m - position).abs())
            .fold(f64::INFINITY, f64::min);
        (best <= self.limit_m).then_some(best)
    }

    /// The points of `edge` the walk gets onto it from, as (walking metres along the edge,
    /// walking metres from the start): its reached ends, and the start itself when it lies on
    /// this edge.
    fn sources_on(&self, edge: u32) -> impl Iterator<Item = (f64, f64)> + '_ {
        let e = &self.graph.edges[edge as usize];
        let from = self.node_metres(e.from).map(|m| (0.0, m));
        let to = self.node_metres(e.to).map(|m| (e.length_m, m));
        let start = (self.start.edge == edge).then_some((self.start.along_m, 0.0));
        from.into_iter().chain(to).chain(start)
    }

    fn node_metres(&self, node: u32) -> Option<f64> {
        let m = self.metres.get(node);
        m.is_finite().then_some(m)
    }
}

impl Drop for Reach<'_> {
    fn drop(&mut self) {
        self.metres.give_back(&self.settled);
    }
}

/// Walking metres per node, by the graph's dense node index; `f64::INFINITY` where the walk
/// did not get. A dense array instead of a hash map: the Dijkstra and the drawing of the areas
/// look a node up some twenty thousand times an answer on a city centre's graph. So that a
/// walk still touches only what it reaches however large the city, the array is kept per
/// thread between walks and only the reached entries are put back to infinity after each
/// (see [`NodeMetres::give_back`]): it is allocated once per thread, not once per walk.
#[derive(Debug, Clone)]
struct NodeMetres {
    metres: Vec<f64>,
    /// How many entries are finite: what `give_back` must find in the list it is given.
    reached: usize,
}

thread_local! {
    /// Arrays given back by finished walks, ready for the next one on this thread.
    static SPARE_METRES: std::cell::RefCell<Vec<Vec<f64>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Spare arrays kept per thread: one per graph size in use (a server walks one graph).
const MAX_SPARE_METRES: usize = 2;

impl NodeMetres {
    /// All unreached, for a graph of `nodes` nodes.
    fn for_nodes(nodes: usize) -> NodeMetres {
        let spare = SPARE_METRES.with(|spare| {
            let mut spare = spare.borrow_mut();
            let at = spare.iter().position(|m| m.len() == nodes)?;
            Some(spare.swap_remove(at))
        });
        NodeMetres {
            metres: spare.unwrap_or_else(|| vec![f64::INFINITY; nodes]),
            reached: 0,
        }
    }

    fn get(&self, node: u32) -> f64 {
        self.metres[node as usize]
    }

    fn set(&mut self, node: u32, metres: f64) {
        let entry = &mut self.metres[node as usize];
        self.reached += usize::from(entry.is_infinite());
        *entry = metres;
    }

    /// Resets the entries of `reached` (every node ever set) and keeps the array for the
    /// thread's next walk.
    fn give_back(&mut self, reached: &[u32]) {
        // A node left out would stay "reached" in every later walk on this thread: such an
        // array is dropped, not kept (and a debug build says so).
        debug_assert_eq!(
            reached.len(),
            self.reached,
            "every node set must be given back"
        );
        if reached.len() != self.reached {
            return;
        }
        let mut metres = std::mem::take(&mut self.metres);
        for &node in reached {
            metres[node as usize] = f64::INFINITY;
        }
        // A walk dropped while its thread ends finds the pool gone: the array is then freed.
        let _ = SPARE_METRES.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < MAX_SPARE_METRES {
                spare.push(metres);
            }
        });
    }
}

/// Non-negative metres as an ordered key: for finite `f64 >= 0` the bit pattern sorts like the
/// number, so the heap needs no float comparison wrapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct MetreKey(u64);

impl MetreKey {
    fn of(metres: f64) -> MetreKey {
        debug_assert!(metres >= 0.0 && metres.is_finite());
        MetreKey(metres.to_bits())
    }

    fn metres(self) -> f64 {
        f64::from_bits(self.0)
    }
}

fn distance(a: Xy, b: Xy) -> f64 {
    // Not `hypot`: its overflow care is a libm call that dominated snapping, and plane
    // coordinates within a city are far from overflowing.
    let (dx, dy) = (a.x - b.x, a.y - b.y);
    (dx * dx + dy * dy).sqrt()
}

fn lerp(a: Xy, b: Xy, t: f64) -> Xy {
    Xy {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    }
}

/// Where the perpendicular from `p` meets the line through `a` and `b`, as a fraction of
/// `a`→`b` (not clamped); 0 for a segment of no length.
fn projection_parameter(p: Xy, a: Xy, b: Xy) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length2 = dx * dx + dy * dy;
    if length2 > 0.0 {
        ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests;
