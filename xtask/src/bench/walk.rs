//! `cargo xtask bench walk`: the service circle's walking answer, measured the way the issue
//! states it: the whole answer for one start (the 5, 10 and 15-minute areas and the walk to
//! about 200 facilities) at p50 under 2 ms and p99 under 5 ms, on a city of 100,000 nodes and
//! on one of about 3,300.
//!
//! 1. Generates two city grids (blocks of about 80 m with crooked junctions, missing links,
//!    footpaths across some blocks, bent ways, importer lengths on some edges and locked gates):
//!    316 × 316 = 99,856 nodes, and 58 × 58 = 3,364 as a stand-in for a district-sized graph.
//! 2. Picks random start points (anywhere in the city, put on the network like a resident's
//!    home) and, for each, 200 random facility points within 1.2 km.
//! 3. Times, per start: the bounded Dijkstra alone (900 m, 15 minutes at 60 m/min), and the
//!    whole answer (`walk_answer`: snapping the start and the 200 facilities, the Dijkstra,
//!    the three areas and the 200 walks), at 60 and at 80 m/min.
//! 4. Prints p50, p99 and the largest of each, with what the walks reached. Each start is run
//!    three times in a row: the first run's times are the plain figures; the fastest of the
//!    three is also given, since on a shared machine a run preempted by another process says
//!    more about the machine than about the code.
//! 5. On a real city as well: `--osm FILE` (by default the Helsinki extract the import test
//!    caches in `target/tmp/osm/`; `--osm none` to skip it) is imported by the server's own
//!    `import-osm` code into a temp database, and the graph and facilities are read back as the
//!    server reads them. Every facility on the network is a start in turn, and the walk goes to
//!    all the facilities (not `--destinations` random points). Besides the whole answer, its
//!    phases are timed one by one (snapping the start, the Dijkstra, the three areas, snapping
//!    and walking to the facilities), and the answer with the coverage card and its JSON as
//!    `GET /walk` sends it, so that what `cargo xtask bench circle` measures over HTTP can be
//!    told apart from the routing.
//!
//! The routing code lives in `linli-domain`, which xtask does not otherwise need: it is an
//! optional dependency (feature `walk-bench`, which also brings the server's crate for the
//! import), so that `cargo xtask run` on a fresh machine does not compile it. `cargo xtask
//! bench walk` builds xtask again with that feature in the server's release profile (the code
//! is measured as the server runs it) and runs that.

use crate::{Result, root, step};
use std::process::Command;

pub fn run(args: &[String]) -> Result<()> {
    // Measured only in an optimised build with the routing code; anything else builds that.
    #[cfg(feature = "walk-bench")]
    if !cfg!(debug_assertions) {
        return measure::run(args);
    }
    step("Building the walk benchmark (xtask with linli-domain, server-release)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root())
        .args([
            "run",
            "--quiet",
            "-p",
            "xtask",
            "--profile",
            "server-release",
        ])
        .args(["--features", "walk-bench", "--", "bench", "walk"])
        .args(args)
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the walk benchmark failed ({status})"))
    }
}

#[cfg(feature = "walk-bench")]
mod measure {
    use super::super::{TempDir, target_dir};
    use crate::{Result, step};
    use linli_domain::api::GeoPoint;
    use linli_domain::coverage::{Reached, coverage};
    use linli_domain::walk::{
        Destination, SNAP_RADIUS_M, WalkAnswer, WalkEdge, WalkGraph, WalkNode, WalkPlan, WalkSpeed,
        WalkingAreas, snap_destinations, walk_answer, walk_answer_snapped, walking_areas,
    };
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    /// The size of one walking answer: polygons, their points, facilities within the walk.
    struct Counted {
        polygons: usize,
        points: usize,
        within: usize,
    }

    impl Counted {
        fn of(answer: &WalkAnswer) -> Self {
            Counted {
                polygons: answer.areas.iter().map(|a| a.coordinates.len()).sum(),
                points: answer
                    .areas
                    .iter()
                    .flat_map(|a| a.coordinates.iter().flatten())
                    .map(Vec::len)
                    .sum(),
                within: answer
                    .destinations
                    .iter()
                    .filter(|d| d.metres.is_some())
                    .count(),
            }
        }
    }

    const BASE: GeoPoint = GeoPoint {
        lat: 30.27,
        lon: 120.15,
    };
    const METRES_PER_DEGREE: f64 = 111_195.0;
    /// Street spacing of the generated blocks.
    const BLOCK_M: f64 = 80.0;

    struct Options {
        starts: usize,
        destinations: usize,
        seed: u64,
        /// A real extract to import and measure on as well (the cached Helsinki by default).
        osm: Option<PathBuf>,
    }

    impl Options {
        fn parse(args: &[String]) -> Result<Options> {
            let mut options = Options {
                starts: 1000,
                destinations: 200,
                seed: 2026,
                osm: None,
            };
            let usage = "usage: cargo xtask bench walk [--starts N] [--destinations D] [--seed S] [--osm FILE.osm.pbf | --osm none]";
            let mut osm_asked = false;
            let mut args = args.iter().filter(|a| *a != "--");
            while let Some(flag) = args.next() {
                if flag == "--osm" {
                    let file = args.next().ok_or(usage)?;
                    osm_asked = true;
                    options.osm = (file != "none").then(|| file.into());
                    continue;
                }
                let value = args
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| format!("{flag} needs a number"))?;
                match flag.as_str() {
                    "--starts" => options.starts = value.max(1) as usize,
                    "--destinations" => options.destinations = value as usize,
                    "--seed" => options.seed = value,
                    other => return Err(format!("unknown flag {other}; {usage}")),
                }
            }
            if !osm_asked {
                let cached = target_dir().join("tmp/osm/Helsinki.osm.pbf");
                options.osm = cached.exists().then_some(cached);
            }
            Ok(options)
        }
    }

    pub fn run(args: &[String]) -> Result<()> {
        let options = Options::parse(args)?;
        for (label, side) in [("city of 100k nodes", 316), ("district of 3.3k nodes", 58)] {
            measure_city(label, side, &options)?;
        }
        match &options.osm {
            Some(file) => measure_extract(file, &options)?,
            None => println!(
                "No OpenStreetMap extract: pass --osm FILE, or run `cargo test -p linli-server --test osm_import` once to cache Helsinki's."
            ),
        }
        Ok(())
    }

    fn measure_city(label: &str, side: usize, options: &Options) -> Result<()> {
        let mut random = SplitMix(options.seed);
        let started = Instant::now();
        let (nodes, edges) = generate_city(side, &mut random);
        let (node_count, edge_count) = (nodes.len(), edges.len());
        let closed = edges.iter().filter(|e| e.closed).count();
        let generated = started.elapsed();
        let started = Instant::now();
        let graph = WalkGraph::new(nodes, edges);
        let built = started.elapsed();
        step(&format!(
            "{label}: {node_count} nodes, {edge_count} edges ({closed} closed), {:.1} km across; generated in {generated:.0?}, graph built in {built:.0?}",
            side as f64 * BLOCK_M / 1000.0
        ));

        let span = side as f64 * BLOCK_M;
        let starts: Vec<GeoPoint> = (0..options.starts)
            .map(|_| at(random.between(0.0, span), random.between(0.0, span)))
            .collect();
        let facilities: Vec<Vec<Destination>> = starts
            .iter()
            .map(|&start| {
                (0..options.destinations)
                    .map(|i| Destination {
                        id: i as i64,
                        at: offset(
                            start,
                            random.between(-1200.0, 1200.0),
                            random.between(-1200.0, 1200.0),
                        ),
                    })
                    .collect()
            })
            .collect();

        // Warm-up: caches and the allocator, as a running server has them.
        let plan = WalkPlan::life_circle(WalkSpeed::Planning);
        for (start, facilities) in starts.iter().zip(&facilities).take(50) {
            let _ = walk_answer(&graph, *start, &plan, facilities);
        }

        let mut dijkstra = Timings::default();
        let mut reached = 0usize;
        for start in &starts {
            let snap = graph.snap(*start, 250.0).ok_or("a start found no street")?;
            reached += dijkstra.time(|| graph.reach(&snap, 900.0).len());
        }

        let mut rows = vec![dijkstra.summary(
            "Dijkstra alone, 900 m",
            format!("{} nodes reached on average", reached / starts.len()),
        )];
        for speed in [WalkSpeed::Planning, WalkSpeed::Brisk] {
            let plan = WalkPlan::life_circle(speed);
            let mut times = Timings::default();
            let (mut points, mut polygons, mut within) = (0usize, 0usize, 0usize);
            for (start, facilities) in starts.iter().zip(&facilities) {
                let answer = times
                    .time(|| walk_answer(&graph, *start, &plan, facilities))
                    .map_err(|e| format!("no answer for a start: {e}"))?;
                let counted = Counted::of(&answer);
                polygons += counted.polygons;
                points += counted.points;
                within += counted.within;
            }
            let n = starts.len();
            rows.push(times.summary(
                &format!(
                    "whole answer, 5/10/15 min at {} m/min + {} facilities",
                    speed.metres_per_minute(),
                    options.destinations
                ),
                format!(
                    "per answer: {} points in {:.1} polygons, {} facilities within 15 min",
                    points / n,
                    polygons as f64 / n as f64,
                    within / n
                ),
            ));
        }
        println!(
            "| measured ({} starts) | p50 | p99 | max | best of {REPEATS}: p50 | p99 | |",
            starts.len()
        );
        println!("|---|---:|---:|---:|---:|---:|---|");
        for row in rows {
            println!("{row}");
        }
        Ok(())
    }

    /// The real thing: `file` imported by the server's own import into a temp database, the
    /// graph and the facilities read back as the server reads them, and every facility on the
    /// network taken in turn as the start. Besides the whole answer, its phases are timed one
    /// by one, and the answer with the coverage card and its JSON as `GET /walk` sends it.
    fn measure_extract(file: &Path, options: &Options) -> Result<()> {
        let work = TempDir::new(false)?;
        let url = format!("sqlite://{}", work.path.join("walk.db").display());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("no tokio runtime: {e}"))?;
        let started = Instant::now();
        let (graph, facilities) = runtime.block_on(async {
            let db = linli_server::db::connect(&url)
                .await
                .map_err(|e| format!("{e:#}"))?;
            linli_server::import::import_osm(&db, file, None)
                .await
                .map_err(|e| format!("importing {}: {e:#}", file.display()))?;
            let graph = linli_server::store::facilities::walk_graph(&db)
                .await
                .map_err(|e| e.to_string())?;
            let facilities = linli_server::store::facilities::list(&db, &Default::default())
                .await
                .map_err(|e| e.to_string())?;
            db.close().await;
            Ok::<_, String>((graph, facilities))
        })?;
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .unwrap_or("extract");
        step(&format!(
            "{name}: {} nodes, {} edges, {} facilities; imported and read back in {:.1?}",
            graph.node_count(),
            graph.edge_count(),
            facilities.len(),
            started.elapsed()
        ));
        let destinations: Vec<Destination> = facilities
            .iter()
            .map(|f| Destination { id: f.id, at: f.at })
            .collect();
        // Starts a resident could stand at: each facility near the network, in turn, as many
        // times as it takes to make `starts` walks.
        let places: Vec<GeoPoint> = destinations
            .iter()
            .map(|d| d.at)
            .filter(|&at| graph.snap(at, SNAP_RADIUS_M).is_some())
            .collect();
        if places.is_empty() {
            return Err(format!("{name}: no facility is on the walking network"));
        }
        let starts: Vec<GeoPoint> = places
            .iter()
            .copied()
            .cycle()
            .take(options.starts)
            .collect();

        // What the server keeps between answers (see `http::WalkNetwork::snapped`).
        let snapped = snap_destinations(&graph, destinations.iter().copied());
        let plan = WalkPlan::life_circle(WalkSpeed::Planning);
        for start in starts.iter().take(50) {
            let _ = walk_answer(&graph, *start, &plan, &destinations);
        }
        let mut rows = Vec::new();
        for speed in [WalkSpeed::Planning, WalkSpeed::Brisk] {
            let plan = WalkPlan::life_circle(speed);
            let mpm = speed.metres_per_minute();
            let limits: Vec<f64> = plan.minutes().iter().map(|&m| f64::from(m * mpm)).collect();
            let longest = limits.last().copied().unwrap_or(0.0);
            let [
                mut snap_t,
                mut reach_t,
                mut areas_t,
                mut dest_t,
                mut whole_t,
                mut handler_t,
            ] = std::array::from_fn(|_| Timings::default());
            let (mut points, mut polygons, mut within, mut bytes, mut reached) =
                (0usize, 0usize, 0usize, 0usize, 0usize);
            for &start in &starts {
                // The phases of `walk_answer`, one by one.
                let snap = snap_t
                    .time(|| graph.snap(start, SNAP_RADIUS_M))
                    .ok_or("a start found no street")?;
                let reach = reach_t.time(|| graph.reach(&snap, longest));
                reached += reach.len();
                areas_t.time(|| walking_areas(&reach, &limits));
                dest_t.time(|| {
                    destinations
                        .iter()
                        .map(|d| {
                            graph
                                .snap(d.at, SNAP_RADIUS_M)
                                .and_then(|s| reach.metres_to(&s))
                        })
                        .collect::<Vec<_>>()
                });
                // The whole answer, and what the handler does: the same with the facilities
                // snapped beforehand, plus the coverage card and the JSON.
                let answer = whole_t
                    .time(|| walk_answer(&graph, start, &plan, &destinations))
                    .map_err(|e| format!("no answer for a start: {e}"))?;
                let body = handler_t.time(|| {
                    let walk = walk_answer_snapped(&graph, start, &plan, &snapped)
                        .expect("answered just above");
                    let reached: Vec<Reached> = walk
                        .destinations
                        .iter()
                        .zip(&facilities)
                        .filter_map(|(w, f)| {
                            Some(Reached {
                                facility_id: f.id,
                                category: f.category,
                                metres: f64::from(w.metres?),
                            })
                        })
                        .collect();
                    let coverage = coverage(&reached, walk.metres_per_minute);
                    serde_json::to_vec(&WalkingAreas { walk, coverage }).expect("serialisable")
                });
                bytes += body.len();
                let counted = Counted::of(&answer);
                polygons += counted.polygons;
                points += counted.points;
                within += counted.within;
            }
            let n = starts.len();
            let at = format!("at {mpm} m/min");
            rows.push(snap_t.summary(&format!("snap the start, {at}"), String::new()));
            rows.push(reach_t.summary(
                &format!("Dijkstra to {longest} m, {at}"),
                format!("{} nodes reached on average", reached / n),
            ));
            rows.push(areas_t.summary(
                &format!("the three areas, {at}"),
                format!(
                    "{} points in {:.1} polygons",
                    points / n,
                    polygons as f64 / n as f64
                ),
            ));
            rows.push(dest_t.summary(
                &format!("snap and walk to {} facilities, {at}", destinations.len()),
                format!("{} within 15 min", within / n),
            ));
            rows.push(whole_t.summary(
                &format!("whole answer (`walk_answer`), {at}"),
                String::new(),
            ));
            rows.push(handler_t.summary(
                &format!("as the server answers (facilities snapped once) + coverage + JSON, {at}"),
                format!("{:.0} KB of JSON", bytes as f64 / n as f64 / 1024.0),
            ));
        }
        println!(
            "| {name}, measured ({} walks from {} facilities) | p50 | p99 | max | best of {REPEATS}: p50 | p99 | |",
            starts.len(),
            places.len()
        );
        println!("|---|---:|---:|---:|---:|---:|---|");
        for row in rows {
            println!("{row}");
        }
        Ok(())
    }

    /// Runs per start of each measurement.
    const REPEATS: usize = 3;

    /// Per start: the first run's time and the fastest of `REPEATS` runs.
    #[derive(Default)]
    struct Timings {
        first: Vec<Duration>,
        fastest: Vec<Duration>,
    }

    impl Timings {
        /// Runs `work` `REPEATS` times, keeping the first result.
        fn time<T>(&mut self, mut work: impl FnMut() -> T) -> T {
            let mut kept = None;
            let mut fastest = Duration::MAX;
            for _ in 0..REPEATS {
                let t = Instant::now();
                let result = std::hint::black_box(work());
                let took = t.elapsed();
                fastest = fastest.min(took);
                if kept.is_none() {
                    self.first.push(took);
                    kept = Some(result);
                }
            }
            self.fastest.push(fastest);
            kept.expect("REPEATS is at least 1")
        }

        fn summary(mut self, label: &str, note: String) -> String {
            self.first.sort_unstable();
            self.fastest.sort_unstable();
            let at = |times: &[Duration], q: f64| {
                let d = times[((times.len() - 1) as f64 * q).round() as usize];
                format!("{:.3} ms", d.as_secs_f64() * 1000.0)
            };
            format!(
                "| {label} | {} | {} | {} | {} | {} | {note} |",
                at(&self.first, 0.5),
                at(&self.first, 0.99),
                at(&self.first, 1.0),
                at(&self.fastest, 0.5),
                at(&self.fastest, 0.99),
            )
        }
    }

    /// A grid city of `side` × `side` junctions: crooked (junctions moved up to 12 m), 7% of
    /// the street links missing, 3% locked gates, a footpath across 5% of the blocks, 15% of
    /// the ways bent (drawn with a middle point), and a third of the straight ones with an
    /// importer's length 0–10% longer than the straight line.
    fn generate_city(side: usize, random: &mut SplitMix) -> (Vec<WalkNode>, Vec<WalkEdge>) {
        let id = |row: usize, col: usize| (row * side + col) as i64;
        let mut nodes = Vec::with_capacity(side * side);
        for row in 0..side {
            for col in 0..side {
                let east = col as f64 * BLOCK_M + random.between(-12.0, 12.0);
                let north = row as f64 * BLOCK_M + random.between(-12.0, 12.0);
                nodes.push(WalkNode {
                    id: id(row, col),
                    at: at(east, north),
                });
            }
        }
        let mut edges = Vec::with_capacity(side * side * 2);
        let mut link = |random: &mut SplitMix, a: usize, b: usize| {
            if random.chance(0.07) {
                return;
            }
            let (from, to) = (nodes[a].at, nodes[b].at);
            let mut edge = WalkEdge {
                from: a as i64,
                to: b as i64,
                length_m: None,
                line: Vec::new(),
                closed: random.chance(0.03),
            };
            if random.chance(0.15) {
                let bend = random.between(-20.0, 20.0);
                let middle = GeoPoint {
                    lat: (from.lat + to.lat) / 2.0,
                    lon: (from.lon + to.lon) / 2.0,
                };
                edge.line = vec![from, offset(middle, bend, -bend), to];
            } else if random.chance(0.33) {
                let straight = linli_domain::nearby::distance_metres(from, to);
                edge.length_m = Some(straight * random.between(1.0, 1.1));
            }
            edges.push(edge);
        };
        for row in 0..side {
            for col in 0..side {
                let here = row * side + col;
                if col + 1 < side {
                    link(random, here, here + 1);
                }
                if row + 1 < side {
                    link(random, here, here + side);
                }
                if row + 1 < side && col + 1 < side && random.chance(0.05) {
                    link(random, here, here + side + 1);
                }
            }
        }
        (nodes, edges)
    }

    fn at(east: f64, north: f64) -> GeoPoint {
        offset(BASE, east, north)
    }

    fn offset(p: GeoPoint, east: f64, north: f64) -> GeoPoint {
        GeoPoint {
            lat: p.lat + north / METRES_PER_DEGREE,
            lon: p.lon + east / (METRES_PER_DEGREE * p.lat.to_radians().cos()),
        }
    }

    /// A small seeded generator (SplitMix64): the same city and starts on every run, without a
    /// dependency.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }

        fn between(&mut self, low: f64, high: f64) -> f64 {
            low + (high - low) * self.unit()
        }

        fn chance(&mut self, p: f64) -> bool {
            self.unit() < p
        }
    }
}
