//! `cargo xtask bench circle`: the service circle through the real HTTP API, as a phone asks it.
//!
//! 1. `GET /api/v1/facilities` on a database holding the demo community and 10,000 more
//!    facilities (`bench-load --facilities`): all of them, one street block (`bbox`), one
//!    category, and a block with two categories. The issue's target: under 10 ms.
//! 2. `GET /api/v1/walk` (the 5, 10 and 15-minute areas, the walk to every facility and the
//!    coverage card) on the demo community, and on the Helsinki extract imported with
//!    `linli-server import-osm` when it is at hand (`--osm PATH`, or the copy the import test
//!    caches in `target/tmp/osm/`). The issue's target for the walking answer: p50 under 2 ms
//!    and p99 under 5 ms; over HTTP it also pays for the request, the facility list and JSON.
//!
//! Requests go one at a time over one keep-alive loopback connection, so each latency is one
//! request's own; the server is the `server-release` build on a temp database.

use super::ballots::{Conn, percentile, timed_reads};
use super::{Server, TempDir, build_server, target_dir};
use crate::{Result, step};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

struct Options {
    facilities: usize,
    reads: usize,
    osm: Option<PathBuf>,
    keep: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            facilities: 10_000,
            reads: 300,
            osm: None,
            keep: false,
        };
        let usage = "usage: cargo xtask bench circle [--facilities N] [--reads R] [--osm FILE.osm.pbf] [--keep]";
        let mut args = args.iter().filter(|a| *a != "--");
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--keep" => options.keep = true,
                "--osm" => options.osm = Some(args.next().ok_or(usage)?.into()),
                "--facilities" | "--reads" => {
                    let value: usize = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .ok_or_else(|| format!("{flag} needs a number"))?;
                    if flag == "--facilities" {
                        options.facilities = value;
                    } else {
                        options.reads = value.max(1);
                    }
                }
                other => return Err(format!("unknown flag {other}; {usage}")),
            }
        }
        if options.osm.is_none() {
            let cached = target_dir().join("tmp/osm/Helsinki.osm.pbf");
            options.osm = cached.exists().then_some(cached);
        }
        Ok(options)
    }
}

/// One measured row.
struct Row {
    label: String,
    p50: f64,
    p99: f64,
    max: f64,
    note: String,
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    build_server()?;
    let binary = target_dir().join("server-release/linli-server");
    let work = TempDir::new(options.keep)?;
    let mut rows = Vec::new();

    // The facilities query over many facilities.
    let url = format!("sqlite://{}", work.path.join("facilities.db").display());
    step(&format!(
        "Loading the demo community and {} facilities",
        options.facilities
    ));
    load(
        &binary,
        &["bench-load", "--database-url", &url, "--requests", "0"],
        &["--facilities", &options.facilities.to_string()],
    )?;
    {
        let server = Server::start(&binary, &url, &work.path)?;
        let mut conn = Conn::new(&server.addr);
        let all = conn.expect("GET", "/api/v1/facilities", None, None, 200)?;
        let total = all.body.matches("\"Feature\"").count();
        // One 300 m block of the demo's grid (the compound 翠柳苑 and its streets), and the
        // whole grid: the bbox a phone sends for a street-level view and for the community.
        let block = "120.1355,30.3108,120.1395,30.3150";
        let cases = [
            ("all facilities", "/api/v1/facilities".to_owned()),
            (
                "one category",
                "/api/v1/facilities?category=pharmacy".to_owned(),
            ),
            (
                "a street-level view (bbox, 400 × 450 m)",
                format!("/api/v1/facilities?bbox={block}"),
            ),
            (
                "that view, two categories",
                format!("/api/v1/facilities?bbox={block}&category=pharmacy,kindergarten"),
            ),
        ];
        for (label, path) in cases {
            step(&format!("GET {path}: {} reads", options.reads));
            let answered = conn.expect("GET", &path, None, None, 200)?;
            let features = answered.body.matches("\"Feature\"").count();
            timed_reads(&mut conn, &path, options.reads / 10)?;
            let us = timed_reads(&mut conn, &path, options.reads)?;
            rows.push(row(
                &format!("GET /facilities, {label}"),
                &us,
                format!(
                    "{features} of {total} features, {} KB",
                    answered.body.len() / 1024
                ),
            ));
        }
    }

    // The walking answer on the demo, then on Helsinki.
    let url = format!("sqlite://{}", work.path.join("demo.db").display());
    step("Loading the demo community alone");
    load(
        &binary,
        &["bench-load", "--database-url", &url, "--requests", "0"],
        &[],
    )?;
    rows.extend(walks(
        &binary,
        &url,
        &work,
        "demo community",
        options.reads,
    )?);
    match &options.osm {
        Some(file) => {
            let url = format!("sqlite://{}", work.path.join("helsinki.db").display());
            step(&format!("Importing {}", file.display()));
            load(
                &binary,
                &["import-osm", "--database-url", &url, "--file"],
                &[&file.display().to_string()],
            )?;
            rows.extend(walks(&binary, &url, &work, "Helsinki", options.reads)?);
        }
        None => println!(
            "No OpenStreetMap extract: pass --osm FILE, or run `cargo test -p linli-server --test osm_import` once to cache Helsinki's."
        ),
    }

    println!("\n| measured | p50 ms | p99 ms | max ms | what |\n|---|---:|---:|---:|---|");
    for r in &rows {
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {} |",
            r.label, r.p50, r.p99, r.max, r.note
        );
    }
    Ok(())
}

fn load(binary: &std::path::Path, args: &[&str], more: &[&str]) -> Result<()> {
    let started = Instant::now();
    let status = Command::new(binary)
        .args(args)
        .args(more)
        .status()
        .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
    if !status.success() {
        return Err(format!("{} {} failed ({status})", args[0], more.join(" ")));
    }
    println!("Ready in {:.1?}.", started.elapsed());
    Ok(())
}

fn row(label: &str, us: &[u64], note: String) -> Row {
    Row {
        label: label.to_owned(),
        p50: percentile(us, 50.0),
        p99: percentile(us, 99.0),
        max: percentile(us, 100.0),
        note,
    }
}

/// `GET /walk` from each facility of the database in turn (a start a resident could stand at),
/// at 60 m/min, and at 80 m/min, which walks further.
fn walks(
    binary: &std::path::Path,
    url: &str,
    work: &TempDir,
    label: &str,
    reads: usize,
) -> Result<Vec<Row>> {
    let server = Server::start(binary, url, &work.path)?;
    let mut conn = Conn::new(&server.addr);
    let listed = conn.expect("GET", "/api/v1/facilities", None, None, 200)?;
    let points = coordinates(&listed.body);
    // Starts the network reaches (a place far from any way answers 422 and is left out).
    let mut starts = Vec::new();
    for [lon, lat] in &points {
        let path = format!("/api/v1/walk?lat={lat}&lon={lon}");
        if conn.request("GET", &path, None, None)?.status == 200 {
            starts.push((lat, lon));
        }
    }
    if starts.is_empty() {
        return Err(format!("{label}: no facility is on the walking network"));
    }
    let mut rows = Vec::new();
    for speed in [60, 80] {
        step(&format!(
            "{label}: GET /walk at {speed} m/min from {} starts, {reads} reads",
            starts.len()
        ));
        let mut us = Vec::with_capacity(reads);
        let mut bytes = 0;
        for i in 0..reads + reads / 10 {
            let (lat, lon) = starts[i % starts.len()];
            let path = format!("/api/v1/walk?lat={lat}&lon={lon}&speed={speed}");
            let started = Instant::now();
            let answer = conn.expect("GET", &path, None, None, 200)?;
            let elapsed = started.elapsed().as_micros() as u64;
            // The first tenth warms up.
            if i >= reads / 10 {
                us.push(elapsed);
                bytes += answer.body.len();
            }
        }
        rows.push(row(
            &format!("GET /walk, {label}, {speed} m/min"),
            &us,
            format!(
                "{} starts of {} facilities; {} facilities walked to; {:.0} KB a answer",
                starts.len(),
                points.len(),
                points.len(),
                bytes as f64 / us.len() as f64 / 1024.0
            ),
        ));
    }
    Ok(rows)
}

/// Every `"coordinates":[lon,lat]` point of a GeoJSON document.
fn coordinates(json: &str) -> Vec<[f64; 2]> {
    json.split("\"coordinates\":[")
        .skip(1)
        .filter_map(|rest| {
            let (pair, _) = rest.split_once(']')?;
            let (lon, lat) = pair.split_once(',')?;
            Some([lon.trim().parse().ok()?, lat.trim().parse().ok()?])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_points_from_geojson() {
        let json = r#"{"features":[{"geometry":{"type":"Point","coordinates":[120.1,30.2]}},
            {"geometry":{"type":"Point","coordinates":[ 24.9, 60.1 ]}}]}"#;
        assert_eq!(super::coordinates(json), vec![[120.1, 30.2], [24.9, 60.1]]);
    }
}
