//! `cargo xtask bench`: the service requests' speed, measured the way the issue states it.
//!
//! 1. Builds the server (`server-release`).
//! 2. Makes a fresh database in a temp folder (or, with `--postgres`, on a PostgreSQL started
//!    for the run): the demo community plus 100,000 requests over the last year, with their
//!    timelines, and 12,000 households each with a signed-in owner (`linli-server
//!    bench-load`).
//! 3. Serves it on a free loopback port behind a pretend proxy (`--trust-proxy true`), and
//!    signs in once as staff (sign-in is throttled, so the cookie is reused). The requests
//!    sent are sent by the owners in turn, each from an address of their own
//!    (`X-Forwarded-For`), as residents on their own phones: the abuse limits count per account
//!    and per address, and the measure is of the server, not of the limits.
//! 4. Drives each endpoint with `wrk` at a fixed concurrency (64 connections): a warm-up, then
//!    a measured run. wrk runs a Lua script written here, which rotates through a mix of
//!    queries and counts the status codes.
//! 5. Prints requests, requests/s, p50 and p99 per endpoint against the targets.
//!
//! A benchmark, not a test: a missed target is reported, not failed. It fails only when the
//! measurement itself is wrong: a response with an unexpected status, or socket errors.
//!
//! `cargo xtask bench ballots` measures a consultation's vote instead (see `ballots.rs`), and
//! `cargo xtask bench walk` the service circle's walking answer (see `walk.rs`), `bench circle`
//! its API over HTTP (`circle.rs`), `bench map` the map page's first render (`map.rs`),
//! `bench lighthouse` Lighthouse's scores on the four tabs (`lighthouse.rs`), and `bench soak`
//! ten minutes of mixed load at a fixed rate, with latency and memory over time (`soak.rs`).

mod ballots;
mod circle;
mod lighthouse;
mod map;
mod soak;
mod walk;

use crate::{Result, root, step};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONCURRENCY: u32 = 64;
const STAFF_PHONE: &str = "13800000002";
const DEMO_PASSWORD: &str = "linli2026";

struct Options {
    requests: u64,
    seconds: u64,
    warmup_seconds: u64,
    /// Keep the temp folder (database, server log, scripts) for a closer look.
    keep: bool,
    /// On PostgreSQL instead of a SQLite file (see [`database`]).
    postgres: bool,
    /// Communities in the database, each at its own host name; every scenario spreads its
    /// requests over them in turn (see [`community_hosts`]).
    communities: usize,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options {
            requests: 100_000,
            seconds: 10,
            warmup_seconds: 2,
            keep: false,
            postgres: false,
            communities: 1,
        };
        let mut args = args.iter().filter(|a| *a != "--");
        while let Some(flag) = args.next() {
            let mut value = || -> Result<u64> {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("{flag} needs a number"))
            };
            match flag.as_str() {
                "--requests" => options.requests = value()?,
                "--seconds" => options.seconds = value()?.max(1),
                "--warmup" => options.warmup_seconds = value()?,
                "--keep" => options.keep = true,
                "--postgres" => options.postgres = true,
                "--communities" => options.communities = value()?.clamp(1, 999) as usize,
                other => {
                    return Err(format!(
                        "unknown flag {other}; usage: cargo xtask bench [--requests N] [--seconds S] [--warmup S] [--keep] [--postgres] [--communities N]"
                    ));
                }
            }
        }
        Ok(options)
    }
}

/// What an endpoint must reach.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// The 99th percentile latency under this many milliseconds.
    P99UnderMs(f64),
    /// At least this many requests per second.
    RateAtLeast(f64),
}

impl Target {
    fn met(self, m: &Measured) -> bool {
        match self {
            Target::P99UnderMs(ms) => m.p99_ms() < ms,
            Target::RateAtLeast(rate) => m.rate() >= rate,
        }
    }

    fn label(self) -> String {
        match self {
            Target::P99UnderMs(ms) => format!("p99 < {ms} ms"),
            Target::RateAtLeast(rate) => format!(">= {rate}/s"),
        }
    }
}

/// One endpoint under load: the requests wrk rotates through, and what each must answer.
struct Scenario {
    name: &'static str,
    /// Method, path and body.
    requests: Vec<(&'static str, String, Option<String>)>,
    cookie: Option<String>,
    /// The host names the requests go to in turn, each getting the whole plan before the
    /// next; empty: the server's own address (a database of one community).
    hosts: Vec<String>,
    /// Residents on phones of their own, taken in turn (each request as the next one): the
    /// abuse limits count per account and per address, and one resident sending thousands of
    /// requests a second would rightly be refused. Empty: every request as `cookie`.
    senders: Vec<Sender>,
    expect_status: u16,
    target: Target,
    /// Requests sent per second beside the load, each answered 201: every one changes what
    /// the lists and figures show, so their kept pages must be read again.
    sent_per_second: u32,
}

/// A resident sending from a phone of their own: the session cookie, and the address the
/// pretend proxy in front of the server (`--trust-proxy`) says the request came from.
#[derive(Clone)]
struct Sender {
    cookie: String,
    address: String,
}

/// The bench's signed-in owners (`bench-load --voters`), each from an address of their own.
fn senders(tokens: &[String]) -> Vec<Sender> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, token)| Sender {
            cookie: format!("linli_session={token}"),
            address: format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
        })
        .collect()
}

/// Owners loaded for the create scenarios: about 70,000 requests in its 12 s at 6,000 a second,
/// so each of the first 10,000 sends 7, under the limit of 10 an hour; the last 2,000 send the
/// requests beside the last scenario, one each.
const SENDERS: usize = 12_000;
const SENDERS_FOR_CREATE: usize = 10_000;

/// What wrk reported for one measured run (the line our Lua `done` writes).
#[derive(Debug, Default, PartialEq)]
struct Measured {
    requests: u64,
    duration_us: u64,
    p50_us: u64,
    p99_us: u64,
    socket_errors: u64,
    /// How many responses had each status code.
    statuses: Vec<(u16, u64)>,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.requests as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }

    fn p50_ms(&self) -> f64 {
        self.p50_us as f64 / 1000.0
    }

    fn p99_ms(&self) -> f64 {
        self.p99_us as f64 / 1000.0
    }

    /// Responses whose status was not the expected one.
    fn unexpected(&self, expect: u16) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| *status != expect)
            .map(|(_, n)| n)
            .sum()
    }
}

pub fn run(args: &[String]) -> Result<()> {
    if args.first().is_some_and(|a| a == "ballots") {
        return ballots::run(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "circle") {
        return circle::run(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "map") {
        return map::run(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "lighthouse") {
        return lighthouse::run(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "walk") {
        return walk::run(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "soak") {
        return soak::run(&args[1..]);
    }
    let options = Options::parse(args)?;
    ensure_wrk()?;
    build_server()?;
    let binary = target_dir().join("server-release/linli-server");

    let work = TempDir::new(options.keep)?;
    let (database_url, _postgres) = database(options.postgres, &work.path)?;
    step(&format!(
        "Loading the demo community{} and {} requests into {database_url}",
        if options.communities > 1 {
            format!(" and {} copies of it", options.communities - 1)
        } else {
            String::new()
        },
        options.requests,
    ));
    let started = Instant::now();
    let (_, tokens) = load_communities(
        &binary,
        &database_url,
        &work.path,
        options.requests,
        SENDERS,
        options.communities,
    )?;
    let hosts = community_hosts(options.communities);
    println!("Database ready in {:.1?}.", started.elapsed());

    let owners = senders(&tokens);
    let (for_create, for_beside) = owners.split_at(SENDERS_FOR_CREATE.min(owners.len()));

    step("Starting the server on a free loopback port, behind a pretend proxy");
    let server = Server::behind_proxy(&binary, &database_url, &work.path)?;
    let addr = server.addr.clone();
    println!("Serving at http://{addr} (log: {})", server.log.display());
    let staff = login(&addr, STAFF_PHONE)?;
    // A cursor names a request of one community: with many, pages follow the first only.
    let cursors = if hosts.is_empty() {
        public_cursors(&addr, 6)?
    } else {
        Vec::new()
    };
    let mut scenarios = scenarios(&staff, for_create, &cursors, &months_back(unix_now(), 12));
    for scenario in &mut scenarios {
        scenario.hosts = hosts.clone();
    }

    let mut rows = Vec::new();
    for scenario in &scenarios {
        step(&format!(
            "{}: {} s warm-up, then {} s at {CONCURRENCY} connections",
            scenario.name, options.warmup_seconds, options.seconds
        ));
        let script = work
            .path
            .join(format!("{}.lua", scenario.name.replace(' ', "_")));
        std::fs::write(&script, lua_script(scenario))
            .map_err(|e| format!("{}: {e}", script.display()))?;
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (measured, sending) = std::thread::scope(|scope| {
            let sender = (scenario.sent_per_second > 0).then(|| {
                scope.spawn(|| {
                    send_requests_beside(&addr, &hosts, for_beside, scenario.sent_per_second, &stop)
                })
            });
            let measured = (|| {
                if options.warmup_seconds > 0 {
                    wrk(&addr, &script, options.warmup_seconds)?;
                }
                wrk(&addr, &script, options.seconds)
            })();
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            (
                measured,
                sender.map(|s| s.join().expect("the sender does not panic")),
            )
        });
        let measured = measured?;
        if let Some((sent, refused)) = sending {
            println!("{sent} requests sent meanwhile");
            if let Some(first) = refused.first() {
                return Err(format!(
                    "{} of the {sent} requests sent meanwhile were not answered 201, first: {first}",
                    refused.len()
                ));
            }
        }
        println!(
            "{} requests, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, statuses {:?}",
            measured.requests,
            measured.rate(),
            measured.p50_ms(),
            measured.p99_ms(),
            measured.statuses
        );
        rows.push(measured);
    }
    let log = server.log.clone();
    drop(server);

    println!("\n{}", table(&scenarios, &rows));
    let mut problems = Vec::new();
    for (scenario, m) in scenarios.iter().zip(&rows) {
        let unexpected = m.unexpected(scenario.expect_status);
        if unexpected > 0 {
            problems.push(format!(
                "{}: {unexpected} responses were not {} ({:?})",
                scenario.name, scenario.expect_status, m.statuses
            ));
        }
        if m.socket_errors > 0 {
            problems.push(format!(
                "{}: {} socket errors or timeouts",
                scenario.name, m.socket_errors
            ));
        }
        if m.requests == 0 {
            problems.push(format!("{}: no request completed", scenario.name));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    // The server logs each internal error: show the first few.
    let errors: Vec<String> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("ERROR"))
        .take(10)
        .map(str::to_owned)
        .collect();
    if !errors.is_empty() {
        println!("The server's first errors:\n{}", errors.join("\n"));
    }
    Err(format!(
        "the measurement is not valid:\n  {}",
        problems.join("\n  ")
    ))
}

pub(super) fn build_server() -> Result<()> {
    step("Building the server (server-release; the first time takes a few minutes)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root())
        .args(["build", "-p", "linli-server", "--profile", "server-release"])
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the server failed ({status})"));
    }
    Ok(())
}

/// The four measurements of the issue, each a mix of the queries people make.
fn scenarios(staff: &str, owners: &[Sender], cursors: &[i64], months: &[String]) -> Vec<Scenario> {
    let get = |path: String| ("GET", path, None);
    let queue = [
        "",
        "?status=accepted",
        "?category=repairs",
        "?overdue=true",
        "?page=2",
        "?page=3",
        "?page=4",
        "?page=5",
        "?status=in_progress&category=sanitation",
        "?overdue=true&page=2",
        "?building=1",
        "?status=submitted&page=2",
    ];
    let queue: Vec<_> = queue
        .iter()
        .map(|q| get(format!("/api/v1/staff/requests{q}")))
        .collect();
    let mut public: Vec<String> = [
        "",
        "&category=repairs",
        "&category=safety",
        "&state=open",
        "&state=closed",
        "&category=sanitation&state=open",
        "&category=policy&state=closed",
    ]
    .iter()
    .map(|q| format!("/api/v1/requests/public?limit=20{q}"))
    .collect();
    for (i, cursor) in cursors.iter().enumerate() {
        let filter = ["", "&state=open", "&category=repairs", "&state=closed"][i % 4];
        public.push(format!(
            "/api/v1/requests/public?limit=20&before={cursor}{filter}"
        ));
    }
    let bodies = [
        r#"{"category":"repairs","title":"楼道灯不亮","description":"三楼到四楼之间的灯坏了，晚上看不见。","answers":{"where":"stairwell"}}"#,
        r#"{"category":"sanitation","title":"垃圾桶满了没人清","description":"","answers":{"kinds":["rubbish"]}}"#,
        r#"{"category":"policy","title":"高龄津贴怎么申请","description":"父亲今年八十岁，想问问需要什么材料。","answers":{}}"#,
        r#"{"category":"public_facilities","title":"路灯不亮","description":"","answers":{},"contact":"phone"}"#,
    ];
    vec![
        Scenario {
            name: "staff queue",
            requests: queue.clone(),
            cookie: Some(staff.to_owned()),
            hosts: Vec::new(),
            senders: Vec::new(),
            expect_status: 200,
            target: Target::P99UnderMs(20.0),
            sent_per_second: 0,
        },
        Scenario {
            name: "public list",
            requests: public.into_iter().map(get).collect(),
            cookie: None,
            hosts: Vec::new(),
            senders: Vec::new(),
            expect_status: 200,
            target: Target::P99UnderMs(20.0),
            sent_per_second: 0,
        },
        Scenario {
            name: "figures",
            requests: months
                .iter()
                .map(|m| get(format!("/api/v1/requests/figures?month={m}")))
                .collect(),
            cookie: None,
            hosts: Vec::new(),
            senders: Vec::new(),
            expect_status: 200,
            target: Target::P99UnderMs(50.0),
            sent_per_second: 0,
        },
        Scenario {
            name: "create",
            requests: bodies
                .iter()
                .map(|b| ("POST", "/api/v1/requests".to_owned(), Some((*b).to_owned())))
                .collect(),
            cookie: None,
            hosts: Vec::new(),
            senders: owners.to_vec(),
            expect_status: 201,
            target: Target::RateAtLeast(500.0),
            sent_per_second: 0,
        },
        Scenario {
            name: "staff queue while requests are sent",
            requests: queue.clone(),
            cookie: Some(staff.to_owned()),
            hosts: Vec::new(),
            senders: Vec::new(),
            expect_status: 200,
            target: Target::P99UnderMs(20.0),
            sent_per_second: SENT_PER_SECOND,
        },
    ]
}

/// The host names of a benchmark database of `communities` communities, as `bench-load
/// --communities` names them (`linli_server::seed::bench_host`); none for one community,
/// which is served at any address.
fn community_hosts(communities: usize) -> Vec<String> {
    if communities <= 1 {
        return Vec::new();
    }
    (1..=communities)
        .map(|n| format!("c{n:03}.bench.linli.test"))
        .collect()
}

/// Requests sent per second beside the last scenario's reads: far more than any community
/// sends (a busy street office gets a few hundred a day), so that most reads follow a change.
const SENT_PER_SECOND: u32 = 20;

/// Sends `per_second` requests a second, each as the next of `senders`, one connection each,
/// until `stop`; answers how many were sent and which were not answered 201.
fn send_requests_beside(
    addr: &str,
    hosts: &[String],
    senders: &[Sender],
    per_second: u32,
    stop: &std::sync::atomic::AtomicBool,
) -> (u64, Vec<String>) {
    let body = r#"{"category":"repairs","title":"楼道灯不亮","description":"","answers":{"where":"stairwell"}}"#;
    let started = Instant::now();
    let (mut sent, mut refused) = (0u64, Vec::new());
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let due = started + Duration::from_secs_f64(sent as f64 / f64::from(per_second));
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let sender = &senders[sent as usize % senders.len().max(1)];
        let mut headers = format!(
            "Cookie: {}\r\nX-Forwarded-For: {}\r\n",
            sender.cookie, sender.address
        );
        if !hosts.is_empty() {
            let _ = write!(headers, "Host: {}\r\n", hosts[sent as usize % hosts.len()]);
        }
        match exchange(addr, "POST", "/api/v1/requests", Some(body), &headers) {
            Ok(r) if r.status == 201 => {}
            Ok(r) => refused.push(format!("{}: {}", r.status, r.body)),
            Err(e) => refused.push(e),
        }
        sent += 1;
    }
    (sent, refused)
}

/// The wrk script for a scenario: rotate through its requests (each thread from its own
/// offset), count the status codes, and write one `LINLI-BENCH` line at the end.
fn lua_script(s: &Scenario) -> String {
    let mut lua = format!(
        "-- Written by cargo xtask bench: {}.\nlocal plan = {{\n",
        s.name
    );
    for (method, path, body) in &s.requests {
        let body = body
            .as_deref()
            .map_or_else(|| "nil".to_owned(), |b| format!("[==[{b}]==]"));
        let _ = writeln!(lua, "  {{\"{method}\", [==[{path}]==], {body}}},");
    }
    lua.push_str("}\n");
    if let Some(cookie) = &s.cookie {
        let _ = writeln!(lua, "wrk.headers[\"Cookie\"] = [==[{cookie}]==]");
    }
    lua.push_str("local hosts = {\n");
    for host in &s.hosts {
        let _ = writeln!(lua, "  \"{host}\",");
    }
    lua.push_str("}\n");
    lua.push_str("local senders = {\n");
    for sender in &s.senders {
        let _ = writeln!(lua, "  {{\"{}\", \"{}\"}},", sender.cookie, sender.address);
    }
    lua.push_str("}\n");
    if s.requests.iter().any(|(_, _, body)| body.is_some()) {
        lua.push_str("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
    }
    lua.push_str(LUA_RUNNER);
    lua
}

const LUA_RUNNER: &str = r#"
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end
function init(args)
  n = offset
  statuses = {}
end
function request()
  n = n + 1
  local r = plan[(n % #plan) + 1]
  if #senders == 0 and #hosts == 0 then
    return wrk.format(r[1], r[2], nil, r[3])
  end
  -- Headers given to wrk.format replace wrk.headers: start from a copy of them.
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  if #senders > 0 then
    local s = senders[(n % #senders) + 1]
    h["Cookie"] = s[1]
    h["X-Forwarded-For"] = s[2]
    h["Content-Type"] = "application/json"
  end
  if #hosts > 0 then
    h["Host"] = hosts[(math.floor(n / #plan) % #hosts) + 1]
  end
  return wrk.format(r[1], r[2], h, r[3])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local e = summary.errors
  local line = string.format("LINLI-BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout)
  for status, count in pairs(counts) do
    line = line .. string.format(" status_%d=%d", status, count)
  end
  io.write(line .. "\n")
end
"#;

/// Runs wrk for `seconds` and reads its `LINLI-BENCH` line.
fn wrk(addr: &str, script: &Path, seconds: u64) -> Result<Measured> {
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{CONCURRENCY}"), &format!("-d{seconds}s")])
        .args(["--timeout", "10s", "-s"])
        .arg(script)
        .arg(format!("http://{addr}"))
        .output()
        .map_err(|e| format!("could not start wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    parse_wrk_line(&stdout).ok_or_else(|| format!("wrk printed no result line:\n{stdout}"))
}

/// `LINLI-BENCH requests=10 duration_us=... p50_us=... p99_us=... socket_errors=0 status_200=10`
fn parse_wrk_line(output: &str) -> Option<Measured> {
    let line = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("LINLI-BENCH "))?;
    let mut m = Measured::default();
    for pair in line.split_whitespace() {
        let (key, value) = pair.split_once('=')?;
        // LuaJIT may print whole numbers as floats.
        let value = value.parse::<f64>().ok()? as u64;
        match key {
            "requests" => m.requests = value,
            "duration_us" => m.duration_us = value,
            "p50_us" => m.p50_us = value,
            "p99_us" => m.p99_us = value,
            "socket_errors" => m.socket_errors = value,
            _ => m
                .statuses
                .push((key.strip_prefix("status_")?.parse().ok()?, value)),
        }
    }
    m.statuses.sort_unstable();
    (m.duration_us > 0).then_some(m)
}

fn table(scenarios: &[Scenario], rows: &[Measured]) -> String {
    let mut out = String::from(
        "| endpoint | requests | req/s | p50 ms | p99 ms | target | met |\n|---|---:|---:|---:|---:|---|---|\n",
    );
    for (s, m) in scenarios.iter().zip(rows) {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} |",
            s.name,
            m.requests,
            m.rate(),
            m.p50_ms(),
            m.p99_ms(),
            s.target.label(),
            if s.target.met(m) { "yes" } else { "no" }
        );
    }
    out
}

fn ensure_wrk() -> Result<()> {
    let present = || {
        Command::new("wrk")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if present() {
        return Ok(());
    }
    let hint = "the benchmark needs the HTTP load generator wrk: `apt-get install -y wrk` (Debian's package `wrk`)";
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    if !is_root {
        return Err(hint.into());
    }
    step("Installing wrk with apt-get");
    let _ = Command::new("sh")
        .args(["-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)"])
        .status();
    if present() { Ok(()) } else { Err(hint.into()) }
}

pub(super) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Loads the benchmark's database with `linli-server bench-load`: the demo community, `requests`
/// more requests and `voters` households each with a signed-in owner. Answers the owners'
/// compound and their session tokens.
pub(super) fn load(
    binary: &Path,
    database_url: &str,
    work: &Path,
    requests: u64,
    voters: usize,
) -> Result<(i64, Vec<String>)> {
    load_communities(binary, database_url, work, requests, voters, 1)
}

/// [`load`] into a database of `communities` communities: the demo and copies of it, the
/// requests spread over them (`bench-load --communities`).
fn load_communities(
    binary: &Path,
    database_url: &str,
    work: &Path,
    requests: u64,
    voters: usize,
    communities: usize,
) -> Result<(i64, Vec<String>)> {
    let voters_file = work.join("voters.txt");
    let status = Command::new(binary)
        .args(["bench-load", "--database-url", database_url])
        .args(["--requests", &requests.to_string()])
        .args(["--communities", &communities.to_string()])
        .args(["--voters", &voters.to_string(), "--voters-out"])
        .arg(&voters_file)
        .status()
        .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
    if !status.success() {
        return Err(format!("loading the database failed ({status})"));
    }
    ballots::read_voters(&voters_file)
}

/// The benchmark's database: a SQLite file in `work`, or with `postgres` a new database on a
/// PostgreSQL server started for the run (or the one `LINLI_TEST_POSTGRES` names), with
/// PostgreSQL's default, durable settings; the server stops when the second value is dropped.
pub(super) fn database(
    postgres: bool,
    work: &Path,
) -> Result<(String, Option<crate::postgres::Server>)> {
    if postgres {
        let server = crate::postgres::Server::start(true)?;
        let url = server.create_database("linli_bench")?;
        Ok((url, Some(server)))
    } else {
        let url = format!("sqlite://{}", work.join("bench.db").display());
        Ok((url, None))
    }
}

/// A folder under the system's temp folder, removed when dropped unless kept.
struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    fn new(keep: bool) -> Result<Self> {
        let path = std::env::temp_dir().join(format!("linli-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TempDir { path, keep })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if self.keep {
            println!("Kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The release server on the bench database, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    /// The API alone: no demo seeding (the database is loaded beforehand), no SPA to serve.
    fn start(binary: &Path, database_url: &str, work: &Path) -> Result<Self> {
        Self::start_serving(binary, database_url, work, false, &work.join("dist"), &[])
    }

    /// The API alone behind a pretend proxy (`--trust-proxy true`): each sender's
    /// `X-Forwarded-For` is its address, as residents on their own phones have their own.
    fn behind_proxy(program: &Path, database_url: &str, work: &Path) -> Result<Self> {
        Self::start_serving(
            program,
            database_url,
            work,
            false,
            &work.join("dist"),
            &["--trust-proxy", "true"],
        )
    }

    /// The server as `cargo xtask run` starts it: `seed_demo` seeds the demo community into
    /// an empty database, and `dist` is the SPA it serves.
    fn start_serving(
        binary: &Path,
        database_url: &str,
        work: &Path,
        seed_demo: bool,
        dist: &Path,
        more_flags: &[&str],
    ) -> Result<Self> {
        let log = work.join("server.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--database-url", database_url])
            .args(["--seed-demo", if seed_demo { "true" } else { "false" }])
            .arg("--dist")
            .arg(dist)
            .args(more_flags)
            .stdout(Stdio::piped())
            .stderr(log_file.try_clone().map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped"));
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            match lines.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("the server stopped before serving:\n{seen}"));
                }
                Ok(_) => {}
            }
            if let Some(at) = line.split("is running at http://").nth(1) {
                break at.trim().to_owned();
            }
            seen.push_str(&line);
        };
        // Keep draining the server's output into its log, so it never blocks on a full pipe.
        let mut log_file = log_file;
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut lines, &mut log_file);
        });
        Ok(Server { child, addr, log })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response: its status, headers (names in lower case) and body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// A plain HTTP/1.1 exchange, one connection each.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    cookie: Option<&str>,
) -> Result<Response> {
    let cookie = cookie.map_or_else(String::new, |c| format!("Cookie: {c}\r\n"));
    exchange(addr, method, path, body, &cookie)
}

/// [`http`] with header lines of the caller's own (each ending in CRLF).
fn exchange(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &str,
) -> Result<Response> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let body = body.unwrap_or("");
    // The caller may name the host (a community's); otherwise the address.
    let host = if headers.contains("Host: ") {
        String::new()
    } else {
        format!("Host: {addr}\r\n")
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\n{host}Connection: close\r\n{headers}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| e.to_string())?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {path}: no HTTP response"))?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: bad status line"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// Signs in and returns the `linli_session=…` cookie.
fn login(addr: &str, phone: &str) -> Result<String> {
    let body = format!(r#"{{"phone":"{phone}","password":"{DEMO_PASSWORD}"}}"#);
    let response = http(addr, "POST", "/api/v1/auth/login", Some(&body), None)?;
    if response.status != 200 {
        return Err(format!(
            "signing in as {phone} answered {}: {}",
            response.status, response.body
        ));
    }
    response
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with("linli_session="))
        .map(str::to_owned)
        .ok_or_else(|| format!("signing in as {phone} set no session cookie"))
}

/// The `next_before` cursors of the first `pages` pages of the public list.
fn public_cursors(addr: &str, pages: usize) -> Result<Vec<i64>> {
    let mut cursors = Vec::new();
    let mut path = "/api/v1/requests/public?limit=20".to_owned();
    for _ in 0..pages {
        let response = http(addr, "GET", &path, None, None)?;
        if response.status != 200 {
            return Err(format!(
                "GET {path} answered {}: {}",
                response.status, response.body
            ));
        }
        let Some(cursor) = json_integer(&response.body, "next_before") else {
            break;
        };
        cursors.push(cursor);
        path = format!("/api/v1/requests/public?limit=20&before={cursor}");
    }
    if cursors.is_empty() {
        return Err("the public list has no second page: was the database loaded?".into());
    }
    Ok(cursors)
}

/// The integer value of `"key":` in a JSON document (enough for one known field).
fn json_integer(json: &str, key: &str) -> Option<i64> {
    let rest = json.split(&format!("\"{key}\":")).nth(1)?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The last `count` calendar months in China time (UTC+8), newest first, as `2026-11`:
/// the months the loaded year covers.
fn months_back(now: i64, count: u32) -> Vec<String> {
    let days = (now + 8 * 3600).div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let index = year * 12 + month - 1;
    (0..i64::from(count))
        .map(|back| {
            let i = index - back;
            format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_line_the_lua_script_writes() {
        let output = "Running 10s test @ http://127.0.0.1:1234\n  2 threads and 64 connections\n\
            LINLI-BENCH requests=5120 duration_us=10004000 p50_us=8123 p99_us=19876.0 socket_errors=0 status_422=3 status_200=5117\n";
        let m = parse_wrk_line(output).unwrap();
        assert_eq!(m.requests, 5120);
        assert_eq!(m.p99_us, 19_876);
        assert_eq!(m.statuses, vec![(200, 5117), (422, 3)]);
        assert_eq!(m.unexpected(200), 3);
        assert!((m.rate() - 511.8).abs() < 0.1);
        assert!((m.p50_ms() - 8.123).abs() < 1e-9);
        assert_eq!(parse_wrk_line("Running 10s test\n"), None);
    }

    #[test]
    fn judges_targets() {
        let m = Measured {
            requests: 6000,
            duration_us: 10_000_000,
            p99_us: 19_999,
            ..Measured::default()
        };
        assert!(Target::P99UnderMs(20.0).met(&m));
        assert!(!Target::P99UnderMs(19.0).met(&m));
        assert!(Target::RateAtLeast(500.0).met(&m));
        assert!(!Target::RateAtLeast(601.0).met(&m));
    }

    #[test]
    fn counts_months_back_in_china_time() {
        // 2026-02-28T16:30Z is already 1 March in China.
        let now = 1_772_296_200;
        assert_eq!(months_back(now, 3), ["2026-03", "2026-02", "2026-01"]);
        assert_eq!(months_back(now, 4)[3], "2025-12");
    }

    #[test]
    fn finds_a_json_integer() {
        assert_eq!(
            json_integer(r#"{"items":[],"next_before":12345}"#, "next_before"),
            Some(12345)
        );
        assert_eq!(json_integer(r#"{"next_before":null}"#, "next_before"), None);
    }
}
