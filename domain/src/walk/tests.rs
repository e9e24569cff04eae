//! Small hand-made networks with answers known by hand. Places are given in metres east and
//! north of a point in Hangzhou; lengths come out of haversine, so they are compared to 0.5 m.

use super::*;
use geo::{Area, Contains, Point, Validation};

const BASE: GeoPoint = GeoPoint {
    lat: 30.27,
    lon: 120.15,
};

/// The point `east` and `north` metres from the base.
fn at(east: f64, north: f64) -> GeoPoint {
    GeoPoint {
        lat: BASE.lat + north / METRES_PER_DEGREE_LAT,
        lon: BASE.lon + east / (METRES_PER_DEGREE_LAT * BASE.lat.to_radians().cos()),
    }
}

fn node(id: i64, east: f64, north: f64) -> WalkNode {
    WalkNode {
        id,
        at: at(east, north),
    }
}

fn open(from: i64, to: i64) -> WalkEdge {
    WalkEdge {
        from,
        to,
        length_m: None,
        line: Vec::new(),
        closed: false,
    }
}

fn closed(from: i64, to: i64) -> WalkEdge {
    WalkEdge {
        closed: true,
        ..open(from, to)
    }
}

fn close_to(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|m| (m - expected).abs() < 0.5)
}

fn point(east: f64, north: f64) -> Point<f64> {
    let p = at(east, north);
    Point::new(p.lon, p.lat)
}

/// A square of 100 m sides, 1 (0,0) – 2 (100,0) – 3 (100,100) – 4 (0,100), with the gate
/// 1–2 closed: from 1 to 2 one must walk round by 4 and 3.
fn gated_square() -> WalkGraph {
    WalkGraph::new(
        vec![
            node(1, 0.0, 0.0),
            node(2, 100.0, 0.0),
            node(3, 100.0, 100.0),
            node(4, 0.0, 100.0),
        ],
        vec![closed(1, 2), open(2, 3), open(3, 4), open(4, 1)],
    )
}

fn snap_node(graph: &WalkGraph, east: f64, north: f64) -> Snap {
    graph.snap(at(east, north), 1.0).expect("on the network")
}

#[test]
fn a_closed_gate_forces_the_detour() {
    let graph = gated_square();
    let reach = graph.reach(&snap_node(&graph, 0.0, 0.0), 1000.0);
    assert!(close_to(reach.metres_to_node(1), 0.0));
    assert!(close_to(reach.metres_to_node(4), 100.0));
    assert!(close_to(reach.metres_to_node(3), 200.0));
    assert!(close_to(reach.metres_to_node(2), 300.0));
    // The gate is still drawn, as closed.
    assert_eq!(graph.edge_lines().filter(|(_, closed)| *closed).count(), 1);
    // A point by the gate snaps to an open way, never onto the closed gate.
    let by_the_gate = graph.snap(at(50.0, 5.0), 200.0).unwrap();
    assert!(by_the_gate.gap_m > 40.0);
}

#[test]
fn the_shorter_of_two_paths_wins() {
    // 1 → 2 directly along a bent way of 300 m, or by 3 on two straight edges of 100 m.
    let graph = WalkGraph::new(
        vec![node(1, 0.0, 0.0), node(2, 141.4, 0.0), node(3, 70.7, 70.7)],
        vec![
            WalkEdge {
                length_m: Some(300.0),
                line: vec![at(0.0, 0.0), at(70.7, -120.0), at(141.4, 0.0)],
                ..open(1, 2)
            },
            open(1, 3),
            open(3, 2),
        ],
    );
    let reach = graph.reach(&snap_node(&graph, 0.0, 0.0), 1000.0);
    assert!(close_to(reach.metres_to_node(2), 200.0));
    // Only the importer's 300 m would make the bent way longer; without it, its drawn length
    // (about 2 × 139 m) still loses.
    let reach = graph.reach(&snap_node(&graph, 141.4, 0.0), 150.0);
    assert!(close_to(reach.metres_to_node(3), 100.0));
    assert_eq!(reach.metres_to_node(1), None);
}

#[test]
fn an_island_gets_no_time_and_no_area() {
    // A path 1–2 and, 400 m away, an island 3–4 with no link to it.
    let graph = WalkGraph::new(
        vec![
            node(1, 0.0, 0.0),
            node(2, 100.0, 0.0),
            node(3, 500.0, 0.0),
            node(4, 600.0, 0.0),
        ],
        vec![open(1, 2), open(3, 4)],
    );
    let reach = graph.reach(&snap_node(&graph, 0.0, 0.0), 2000.0);
    assert_eq!(reach.metres_to_node(3), None);
    assert_eq!(reach.metres_to_node(4), None);
    let on_island = graph.snap(at(550.0, 10.0), 50.0).unwrap();
    assert_eq!(reach.metres_to(&on_island), None);
    for area in walking_areas(&reach, &[300.0, 600.0, 1200.0]) {
        assert!(!area.contains(&point(550.0, 0.0)));
        assert!(area.contains(&point(50.0, 0.0)));
    }
}

#[test]
fn the_limit_cuts_an_edge_part_way() {
    let graph = WalkGraph::new(
        vec![node(1, 0.0, 0.0), node(2, 400.0, 0.0)],
        vec![open(1, 2)],
    );
    let reach = graph.reach(&snap_node(&graph, 0.0, 0.0), 150.0);
    assert_eq!(reach.metres_to_node(2), None);
    assert_eq!(reach.len(), 1);
    let near = graph.snap(at(120.0, 0.0), 1.0).unwrap();
    let far = graph.snap(at(180.0, 0.0), 1.0).unwrap();
    assert!(close_to(reach.metres_to(&near), 120.0));
    assert_eq!(reach.metres_to(&far), None);
    // The area follows the edge to the limit (plus the buffer around it), no farther.
    let area = &walking_areas(&reach, &[150.0])[0];
    assert!(area.contains(&point(140.0, 0.0)));
    assert!(!area.contains(&point(150.0 + AREA_BUFFER_M + 2.0 * AREA_CELL_M, 0.0)));
    assert!(!area.contains(&point(300.0, 0.0)));
}

#[test]
fn snapping_lands_in_the_middle_of_an_edge() {
    let graph = WalkGraph::new(
        vec![node(1, 0.0, 0.0), node(2, 100.0, 0.0), node(3, 200.0, 0.0)],
        vec![open(1, 2), open(2, 3)],
    );
    let start = graph.snap(at(30.0, 12.0), 50.0).unwrap();
    assert!((start.gap_m - 12.0).abs() < 0.5);
    assert!(distance_metres(start.on_network, at(30.0, 0.0)) < 0.5);
    let reach = graph.reach(&start, 1000.0);
    // Out of the edge by both ends.
    assert!(close_to(reach.metres_to_node(1), 30.0));
    assert!(close_to(reach.metres_to_node(2), 70.0));
    assert!(close_to(reach.metres_to_node(3), 170.0));
    // A destination on the same edge is walked to directly, not round by an end.
    let same_edge = graph.snap(at(60.0, -8.0), 50.0).unwrap();
    assert!(close_to(reach.metres_to(&same_edge), 30.0));
    let next_edge = graph.snap(at(150.0, 3.0), 50.0).unwrap();
    assert!(close_to(reach.metres_to(&next_edge), 120.0));
    // Too far from any way: no snap.
    assert_eq!(graph.snap(at(50.0, 300.0), 250.0), None);
}

#[test]
fn snapping_follows_a_drawn_line() {
    // A way bent north through (50, 50): the point 5 m beyond the bend snaps onto the bend,
    // 70.7 m along the way from either end.
    let graph = WalkGraph::new(
        vec![node(1, 0.0, 0.0), node(2, 100.0, 0.0)],
        vec![WalkEdge {
            line: vec![at(0.0, 0.0), at(50.0, 50.0), at(100.0, 0.0)],
            ..open(1, 2)
        }],
    );
    let snap = graph.snap(at(50.0, 55.0), 50.0).unwrap();
    assert!((snap.gap_m - 5.0).abs() < 0.5);
    let reach = graph.reach(&snap, 1000.0);
    assert!(close_to(reach.metres_to_node(1), 70.7));
    assert!(close_to(reach.metres_to_node(2), 70.7));
}

/// A grid of `n` × `n` nodes 100 m apart; node id = row * n + col.
fn grid(n: i64) -> WalkGraph {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for row in 0..n {
        for col in 0..n {
            nodes.push(node(row * n + col, col as f64 * 100.0, row as f64 * 100.0));
            if col + 1 < n {
                edges.push(open(row * n + col, row * n + col + 1));
            }
            if row + 1 < n {
                edges.push(open(row * n + col, (row + 1) * n + col));
            }
        }
    }
    WalkGraph::new(nodes, edges)
}

#[test]
fn areas_nest_and_grow_with_the_minutes() {
    let graph = grid(21);
    let start = graph.snap(at(1000.0, 1030.0), 50.0).unwrap();
    let reach = graph.reach(&start, 900.0);
    let areas = walking_areas(&reach, &[300.0, 600.0, 900.0]);
    for area in &areas {
        assert!(area.is_valid(), "{:?}", area.validation_errors());
        assert!(area.contains(&point(1000.0, 1030.0)));
    }
    for pair in areas.windows(2) {
        assert!(pair[0].unsigned_area() < pair[1].unsigned_area());
        assert!(pair[1].contains(&pair[0]));
    }
    // Along the network, not a circle: 850 m straight along a street is in, while the grid's
    // diagonal at about 640 m as the crow flies (900 m walked) is at the edge of the 15-minute
    // area and outside the 10-minute one.
    assert!(areas[2].contains(&point(1000.0, 1030.0 + 850.0)));
    assert!(!areas[2].contains(&point(1000.0 + 500.0, 1030.0 + 500.0)));
    assert!(!areas[1].contains(&point(1000.0 + 400.0, 1030.0 + 400.0)));
}

#[test]
fn a_diagonal_walk_stays_one_piece() {
    // One long way at 30° from the grid: its cells touch corner to corner in places, and the
    // area must still be one polygon, and a valid one.
    let graph = WalkGraph::new(
        vec![node(1, 0.0, 0.0), node(2, 866.0, 500.0)],
        vec![open(1, 2)],
    );
    let reach = graph.reach(&snap_node(&graph, 0.0, 0.0), 1000.0);
    for area in walking_areas(&reach, &[200.0, 500.0, 1000.0]) {
        assert_eq!(area.0.len(), 1);
        assert!(area.is_valid());
    }
}

#[test]
fn the_walk_stops_at_its_limit() {
    let graph = grid(60); // 3,600 nodes over 5.9 km
    let start = graph.snap(at(3000.0, 3000.0), 50.0).unwrap();
    let reach = graph.reach(&start, 250.0);
    // Within 250 m on a 100 m grid from a node: the diamond of radius 2, 13 nodes.
    assert_eq!(reach.len(), 13);
    assert!(reach.reached_nodes().all(|(_, m)| m <= 250.0));
}

#[test]
fn unknown_ends_and_loops_are_skipped() {
    let graph = WalkGraph::new(
        vec![node(1, 0.0, 0.0), node(2, 100.0, 0.0)],
        vec![open(1, 2), open(1, 9), open(2, 2)],
    );
    assert_eq!(graph.edge_count(), 1);
    assert_eq!(graph.skipped_edges(), 2);
}

#[test]
fn the_answer_gives_areas_and_rounded_times() {
    let graph = grid(21);
    let facilities = [
        Destination {
            id: 7,
            at: at(1000.0, 1310.0), // 310 m north along a street: 6 minutes at 60 m/min
        },
        Destination {
            id: 8,
            at: at(1000.0, 2000.0), // 1 km: beyond 15 minutes
        },
        Destination {
            id: 9,
            at: at(5000.0, 5000.0), // nowhere near the network
        },
    ];
    let plan = WalkPlan::new(&[15, 5, 10, 5], WalkSpeed::Planning).unwrap();
    assert_eq!(plan.minutes(), &[5, 10, 15]);
    let answer = walk_answer(&graph, at(1000.0, 1000.0), &plan, &facilities).unwrap();
    assert_eq!(answer.metres_per_minute, 60);
    assert_eq!(
        answer
            .areas
            .iter()
            .map(|a| (a.minutes, a.metres))
            .collect::<Vec<_>>(),
        vec![(5, 300), (10, 600), (15, 900)]
    );
    for area in &answer.areas {
        assert!(!area.coordinates.is_empty());
        for ring in area.coordinates.iter().flatten() {
            assert_eq!(ring.first(), ring.last(), "GeoJSON rings are closed");
        }
    }
    let walks: Vec<_> = answer
        .destinations
        .iter()
        .map(|d| (d.id, d.metres, d.minutes))
        .collect();
    assert_eq!(
        walks,
        vec![(7, Some(310), Some(6)), (8, None, None), (9, None, None)]
    );
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(
        json["areas"][0]["coordinates"][0][0][0]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    assert_eq!(
        walk_answer(&graph, at(-2000.0, 0.0), &plan, &facilities),
        Err(WalkError::StartOffNetwork)
    );
    assert_eq!(
        WalkPlan::new(&[5, 0], WalkSpeed::Slow),
        Err(WalkError::MinutesOutOfRange(0))
    );
    assert_eq!(
        WalkPlan::new(&[], WalkSpeed::Slow),
        Err(WalkError::NoMinutes)
    );
    assert_eq!(
        WalkSpeed::from_metres_per_minute(80),
        Some(WalkSpeed::Brisk)
    );
    assert_eq!(WalkSpeed::default().metres_per_minute(), 60);
}

#[test]
fn the_walk_settles_its_nodes_nearest_first() {
    let graph = grid(21);
    let start = graph.snap(at(1000.0, 1030.0), 50.0).unwrap();
    let reach = graph.reach(&start, 900.0);
    assert_eq!(reach.settled.len(), reach.len());
    let metres: Vec<f64> = reach
        .settled
        .iter()
        .map(|&n| reach.node_metres(n).unwrap())
        .collect();
    assert!(metres.windows(2).all(|w| w[0] <= w[1]), "{metres:?}");
}

#[test]
fn the_areas_do_not_depend_on_the_order_stretches_are_stamped_in() {
    // Nearest first lets farther stretches skip the cells already lower; any order must give
    // the same cells, hence the same outlines. A grid with a drawn diagonal and a bent way, so
    // that stretches overlap in their buffers from different directions.
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for row in 0..8 {
        for col in 0..8 {
            nodes.push(node(row * 8 + col, col as f64 * 70.0, row as f64 * 55.0));
            if col + 1 < 8 {
                edges.push(open(row * 8 + col, row * 8 + col + 1));
            }
            if row + 1 < 8 {
                edges.push(open(row * 8 + col, (row + 1) * 8 + col));
            }
        }
    }
    edges.push(WalkEdge {
        line: vec![at(0.0, 0.0), at(200.0, 90.0), at(490.0, 385.0)],
        ..open(0, 63)
    });
    let graph = WalkGraph::new(nodes, edges);
    let start = graph.snap(at(130.0, 20.0), 50.0).unwrap();
    let reach = graph.reach(&start, 600.0);
    let mut reversed = reach.clone();
    reversed.settled.reverse();
    let limits = [150.0, 300.0, 600.0];
    assert_eq!(
        walking_areas(&reach, &limits),
        walking_areas(&reversed, &limits)
    );
}
