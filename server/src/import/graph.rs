//! The walking graph of the imported ways: split only where ways meet, so a node of the graph
//! is a junction or a dead end, and the bends between two of them are the edge's line.

use super::osm::{EdgeKind, Names, WalkWay};
use linli_domain::api::GeoPoint;
use linli_domain::nearby::distance_metres;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    pub osm_id: i64,
    pub lat: f64,
    pub lon: f64,
    /// `Street` if any street edge meets here, else `Path` (the `walk_nodes.kind`).
    pub kind: EdgeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphEdge {
    /// Indexes into [`WalkGraph::nodes`].
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub name: Option<Names>,
    /// `[lon, lat]` from `from` to `to`, both included (GeoJSON's order, as the column holds it).
    pub line: Vec<[f64; 2]>,
    pub length_m: f64,
}

#[derive(Debug, Default)]
pub struct WalkGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Pieces between two distinct OSM nodes mapped on the very same spot: nothing to walk.
    pub zero_length_pieces: usize,
}

/// Splits the ways into edges at junctions (nodes that two ways share, or one way passes
/// twice) and at the ends of each way. A way whose nodes run off the file's edge (an extract
/// clipped at its boundary) keeps the stretches whose nodes the file holds.
pub fn build(ways: &[WalkWay], coords: &HashMap<i64, (f64, f64)>) -> WalkGraph {
    let stretches: Vec<(&WalkWay, Vec<i64>)> = ways
        .iter()
        .flat_map(|way| located_stretches(&way.refs, coords).map(move |s| (way, s)))
        .collect();

    let mut uses: HashMap<i64, u32> = HashMap::new();
    for (_, stretch) in &stretches {
        for id in stretch {
            *uses.entry(*id).or_default() += 1;
        }
    }

    let mut graph = WalkGraph::default();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (way, stretch) in &stretches {
        for piece in pieces(stretch, |id| uses[&id] > 1) {
            let line: Vec<[f64; 2]> = piece
                .iter()
                .map(|id| {
                    let (lat, lon) = coords[id];
                    [lon, lat]
                })
                .collect();
            let length_m = line_length_metres(&line);
            if length_m <= 0.0 {
                graph.zero_length_pieces += 1;
                continue;
            }
            let mut node = |osm_id: i64| {
                *index.entry(osm_id).or_insert_with(|| {
                    let (lat, lon) = coords[&osm_id];
                    graph.nodes.push(GraphNode {
                        osm_id,
                        lat,
                        lon,
                        kind: EdgeKind::Path,
                    });
                    graph.nodes.len() - 1
                })
            };
            let (from, to) = (node(piece[0]), node(piece[piece.len() - 1]));
            if way.kind == EdgeKind::Street {
                graph.nodes[from].kind = EdgeKind::Street;
                graph.nodes[to].kind = EdgeKind::Street;
            }
            graph.edges.push(GraphEdge {
                from,
                to,
                kind: way.kind,
                name: way.name.clone(),
                line,
                length_m,
            });
        }
    }
    graph
}

/// The runs of a way's nodes that the file gives coordinates for, each with at least two
/// distinct nodes; a node repeated right after itself (a mapping slip) counts once.
fn located_stretches<'a>(
    refs: &'a [i64],
    coords: &'a HashMap<i64, (f64, f64)>,
) -> impl Iterator<Item = Vec<i64>> + 'a {
    refs.split(|id| !coords.contains_key(id))
        .map(|run| {
            let mut run = run.to_vec();
            run.dedup();
            run
        })
        .filter(|run| run.len() >= 2)
}

/// Cuts a stretch at its junctions. A piece that would start and end on one node (a loop, such
/// as a closed footway around a square) is cut once more at its middle node, since an edge
/// joins two different nodes.
fn pieces(stretch: &[i64], is_junction: impl Fn(i64) -> bool) -> Vec<&[i64]> {
    let last = stretch.len() - 1;
    let cuts: Vec<usize> = (0..=last)
        .filter(|&i| i == 0 || i == last || is_junction(stretch[i]))
        .collect();
    let mut pieces = Vec::with_capacity(cuts.len());
    for pair in cuts.windows(2) {
        let piece = &stretch[pair[0]..=pair[1]];
        if piece[0] == piece[piece.len() - 1] {
            // After `dedup` a loop has at least three nodes, so the middle is neither end.
            let middle = piece.len() / 2;
            pieces.push(&piece[..=middle]);
            pieces.push(&piece[middle..]);
        } else {
            pieces.push(piece);
        }
    }
    pieces
}

/// Metres along a line of `[lon, lat]` points.
pub fn line_length_metres(line: &[[f64; 2]]) -> f64 {
    line.windows(2)
        .map(|pair| {
            distance_metres(
                GeoPoint {
                    lat: pair[0][1],
                    lon: pair[0][0],
                },
                GeoPoint {
                    lat: pair[1][1],
                    lon: pair[1][0],
                },
            )
        })
        .sum()
}

/// Finds the graph node nearest a point, within a radius, through a grid of cells about the
/// radius wide: an import hooks thousands of places onto thousands of nodes.
pub struct NearestNode<'a> {
    nodes: &'a [GraphNode],
    cells: HashMap<(i64, i64), Vec<usize>>,
    cell_degrees: f64,
    radius_m: f64,
}

impl<'a> NearestNode<'a> {
    pub fn new(nodes: &'a [GraphNode], radius_m: f64) -> Self {
        const METRES_PER_DEGREE: f64 = 111_195.0;
        let cell_degrees = radius_m / METRES_PER_DEGREE;
        let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            cells
                .entry(cell(node.lat, node.lon, cell_degrees))
                .or_default()
                .push(i);
        }
        NearestNode {
            nodes,
            cells,
            cell_degrees,
            radius_m,
        }
    }

    /// The index of the nearest node no farther than the radius, if any.
    pub fn find(&self, lat: f64, lon: f64) -> Option<usize> {
        // A cell spans the radius in latitude but less in metres of longitude away from the
        // equator, so look as many cells east and west as the radius needs there.
        let lon_cells = (1.0 / lat.to_radians().cos().max(0.01)).ceil() as i64;
        let (row, col) = cell(lat, lon, self.cell_degrees);
        let here = GeoPoint { lat, lon };
        (row - 1..=row + 1)
            .flat_map(|r| (col - lon_cells..=col + lon_cells).map(move |c| (r, c)))
            .filter_map(|key| self.cells.get(&key))
            .flatten()
            .map(|&i| {
                let node = &self.nodes[i];
                let there = GeoPoint {
                    lat: node.lat,
                    lon: node.lon,
                };
                (i, distance_metres(here, there))
            })
            .filter(|&(_, d)| d <= self.radius_m)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }
}

fn cell(lat: f64, lon: f64, degrees: f64) -> (i64, i64) {
    (
        (lat / degrees).floor() as i64,
        (lon / degrees).floor() as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes 1..=9 on a line of latitude 60°N, about 55 m apart, plus node 10 north of node 5.
    fn coords() -> HashMap<i64, (f64, f64)> {
        let mut coords: HashMap<i64, (f64, f64)> = (1..=9)
            .map(|i| (i, (60.0, 24.0 + i as f64 * 0.001)))
            .collect();
        coords.insert(10, (60.001, 24.005));
        coords
    }

    fn way(id: i64, kind: EdgeKind, refs: &[i64]) -> WalkWay {
        WalkWay {
            id,
            kind,
            name: None,
            refs: refs.to_vec(),
        }
    }

    fn osm_ends(graph: &WalkGraph) -> Vec<(i64, i64)> {
        graph
            .edges
            .iter()
            .map(|e| (graph.nodes[e.from].osm_id, graph.nodes[e.to].osm_id))
            .collect()
    }

    #[test]
    fn a_lone_way_is_one_edge_with_its_bends_in_the_line() {
        let graph = build(&[way(1, EdgeKind::Path, &[1, 2, 3, 4])], &coords());
        assert_eq!(graph.nodes.len(), 2);
        assert_eq!(osm_ends(&graph), [(1, 4)]);
        assert_eq!(graph.edges[0].line.len(), 4);
        let straight = distance_metres(
            GeoPoint {
                lat: 60.0,
                lon: 24.001,
            },
            GeoPoint {
                lat: 60.0,
                lon: 24.004,
            },
        );
        assert!((graph.edges[0].length_m - straight).abs() < 0.01);
    }

    #[test]
    fn ways_split_where_they_meet_and_nowhere_else() {
        let ways = [
            way(1, EdgeKind::Street, &[1, 2, 3, 4, 5, 6, 7]),
            way(2, EdgeKind::Path, &[10, 5]),
        ];
        let graph = build(&ways, &coords());
        assert_eq!(osm_ends(&graph), [(1, 5), (5, 7), (10, 5)]);
        assert_eq!(graph.nodes.len(), 4);
        let kind_of = |osm: i64| graph.nodes.iter().find(|n| n.osm_id == osm).unwrap().kind;
        assert_eq!(kind_of(5), EdgeKind::Street);
        assert_eq!(kind_of(10), EdgeKind::Path);
    }

    #[test]
    fn a_closed_way_becomes_two_edges_between_different_nodes() {
        let ring = [way(1, EdgeKind::Path, &[1, 2, 10, 3, 1])];
        let graph = build(&ring, &coords());
        assert_eq!(osm_ends(&graph), [(1, 10), (10, 1)]);
        assert!(graph.edges.iter().all(|e| e.from != e.to));
    }

    #[test]
    fn missing_nodes_and_repeats_are_skipped() {
        // 99 lies outside the extract; 3 is listed twice in a row.
        let graph = build(&[way(1, EdgeKind::Path, &[1, 2, 99, 3, 3, 4])], &coords());
        assert_eq!(osm_ends(&graph), [(1, 2), (3, 4)]);
        assert_eq!(graph.edges[1].line.len(), 2);
    }

    #[test]
    fn two_nodes_on_one_spot_make_no_edge() {
        let mut coords = coords();
        coords.insert(11, coords[&1]);
        let graph = build(&[way(1, EdgeKind::Path, &[1, 11])], &coords);
        assert!(graph.edges.is_empty() && graph.nodes.is_empty());
        assert_eq!(graph.zero_length_pieces, 1);
    }

    #[test]
    fn the_nearest_node_within_the_radius() {
        let graph = build(&[way(1, EdgeKind::Path, &[1, 2, 3, 10, 5])], &coords());
        let nearest = NearestNode::new(&graph.nodes, 100.0);
        // Node 5 is an end, so a node; 24.0052 is ~11 m east of it.
        let found = nearest.find(60.0, 24.0052).map(|i| graph.nodes[i].osm_id);
        assert_eq!(found, Some(5));
        assert_eq!(nearest.find(60.1, 24.0), None, "11 km away");
    }
}
