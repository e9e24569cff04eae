//! `cargo xtask bench soak`: the server under ten minutes of mixed load at a fixed rate, to
//! show that it stays healthy over time: its error rate, its latency window by window, and its
//! memory (RSS) from start to end, which must stay flat.
//!
//! 1. Builds the server (`server-release`) and loads a fresh database: the demo community, a
//!    year of requests to browse, and a compound of households each with a signed-in owner
//!    (`linli-server bench-load --voters`).
//! 2. Serves it behind a pretend proxy (`--trust-proxy true`): each household's owner sends
//!    from an address of their own (`X-Forwarded-For`), as residents on their own phones do,
//!    so the per-address abuse limits see what they would see in production.
//! 3. Through the API: owners propose topics, staff accept the first and open a named
//!    households vote on it.
//! 4. The load, open-loop at a fixed rate: request `k` is due at `k / rate` seconds, whoever
//!    sends it, and its latency counts from when it was due, so a server that falls behind is
//!    seen falling behind (no coordinated omission). Of every 20 requests, 14 browse (the
//!    public lists, figures, topics, facilities, a walking area, a resident's own requests,
//!    the staff queue), 3 send a service request, 2 comment on a topic and 1 casts or changes a
//!    ballot. Each must answer 200 or 201; anything else is an error.
//! 5. Every 30 s: the requests answered, the errors, p50 and p99, the server's RSS and what it
//!    is made of (its own allocations, mapped files, shared memory; read from `/proc`), and
//!    the size of the write-ahead log. At the end: the error rate, the RSS before the load,
//!    after the first window (caches filled) and at the end, and the verdict on the server's
//!    own memory (anonymous pages), which must not grow by more than 10 %: the mapped pages
//!    are the binary and the database file read through mmap, bounded by the file's size.
//!
//! `--minutes M` (default 10), `--rate R` requests a second (default 50), `--keep`, and
//! `--heap-profile`, which runs the server under heaptrack (Debian's `heaptrack`) and keeps the
//! profile: what is still allocated when the server is stopped is what grew.

use super::ballots::{Conn, percentile};
use super::{Server, TempDir, login, target_dir, unix_now};
use crate::{Result, step};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const STAFF_PHONE: &str = "13800000002";
const RESIDENT_PHONE: &str = "13900000001";
const WINDOW: Duration = Duration::from_secs(30);
/// Enough senders that a slow answer delays no other request's start.
const SENDERS: usize = 32;
/// Households with a signed-in owner: each sends a few requests and comments in ten minutes,
/// well under the per-account limits.
const VOTERS: usize = 3000;
/// Topics the owners propose: the first is voted on; comments spread over all of them.
const TOPICS: usize = 10;
/// A point inside the demo community, for the walking area.
const WALK_FROM: &str = "lat=30.3131&lon=120.1391";

struct Options {
    minutes: u64,
    rate: u64,
    keep: bool,
    heap_profile: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options {
            minutes: 10,
            rate: 50,
            keep: false,
            heap_profile: false,
        };
        let mut args = args.iter().filter(|a| *a != "--");
        while let Some(flag) = args.next() {
            let mut value = || -> Result<u64> {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v| *v > 0)
                    .ok_or_else(|| format!("{flag} needs a positive number"))
            };
            match flag.as_str() {
                "--minutes" => options.minutes = value()?,
                "--rate" => options.rate = value()?,
                "--keep" => options.keep = true,
                "--heap-profile" => {
                    options.heap_profile = true;
                    options.keep = true;
                }
                other => {
                    return Err(format!(
                        "unknown flag {other}; usage: cargo xtask bench soak [--minutes M] [--rate R] [--keep] [--heap-profile]"
                    ));
                }
            }
        }
        Ok(options)
    }
}

/// Who is signed in where, and what there is to act on.
struct World {
    staff: String,
    resident: String,
    /// Owners' session cookies.
    voters: Vec<String>,
    topics: Vec<i64>,
    /// The topic with the open vote.
    voted: i64,
}

/// One request of the mix.
struct Call {
    method: &'static str,
    path: String,
    cookie: Option<String>,
    /// The client address it comes from (`X-Forwarded-For`), for an owner's own phone.
    from: Option<String>,
    body: Option<String>,
    expect: u16,
}

impl World {
    /// The `k`-th request of the load. The same `k` always gives the same request.
    fn call(&self, k: u64) -> Call {
        let round = k / 20;
        let voter = (round as usize) % self.voters.len();
        let topic = self.topics[(round as usize) % self.topics.len()];
        let as_voter = |method, path: String, body: String, expect| Call {
            method,
            path,
            cookie: Some(self.voters[voter].clone()),
            from: Some(address_of(voter)),
            body: Some(body),
            expect,
        };
        match k % 20 {
            14..=16 => as_voter(
                "POST",
                "/api/v1/requests".into(),
                format!(
                    r#"{{"category":"repairs","title":"压测第{k}号：楼道灯不亮","description":"","answers":{{"where":"stairwell"}}}}"#
                ),
                201,
            ),
            17 | 18 => as_voter(
                "POST",
                format!("/api/v1/consultations/{topic}/comments"),
                format!(r#"{{"body":"压测第{k}条意见：赞成，但要算清费用。"}}"#),
                201,
            ),
            19 => as_voter(
                "POST",
                format!("/api/v1/consultations/{}/ballots", self.voted),
                format!(
                    r#"{{"choice":"{}"}}"#,
                    if round.is_multiple_of(3) { "no" } else { "yes" }
                ),
                200,
            ),
            browse => {
                let (path, cookie) = match (browse + round) % 10 {
                    0 => ("/api/v1/requests/public?limit=20".to_owned(), None),
                    1 => ("/api/v1/requests/figures".to_owned(), None),
                    2 => ("/api/v1/consultations".to_owned(), None),
                    3 => (format!("/api/v1/consultations/{topic}"), None),
                    4 => ("/api/v1/facilities".to_owned(), None),
                    5 => (format!("/api/v1/walk?{WALK_FROM}"), None),
                    6 => ("/api/v1/community".to_owned(), None),
                    7 => ("/api/v1/me/requests".to_owned(), Some(&self.resident)),
                    8 => (
                        format!("/api/v1/consultations/{}", self.voted),
                        Some(&self.voters[voter]),
                    ),
                    _ => ("/api/v1/staff/requests".to_owned(), Some(&self.staff)),
                };
                Call {
                    method: "GET",
                    path,
                    cookie: cookie.cloned(),
                    from: None,
                    body: None,
                    expect: 200,
                }
            }
        }
    }
}

/// A household owner's own address, in 10.0.0.0/8.
fn address_of(voter: usize) -> String {
    format!(
        "10.{}.{}.{}",
        (voter >> 16) & 0xff,
        (voter >> 8) & 0xff,
        voter & 0xff
    )
}

/// What one window of the load saw.
#[derive(Default)]
struct Window {
    latencies_us: Vec<u64>,
    errors: u64,
    statuses: BTreeMap<u16, u64>,
    first_error: Option<String>,
    rss_kib: Option<u64>,
    memory: Option<Memory>,
    /// The size of the database's write-ahead log at the end of the window.
    wal_bytes: u64,
}

/// What the server's resident memory is made of, from `/proc/<pid>/status`, in KiB: its own
/// allocations (anonymous), the pages of files it maps (the binary, libraries, the database
/// read through mmap) and of shared memory (SQLite's WAL index).
#[derive(Clone, Copy, Default)]
struct Memory {
    anon: u64,
    file: u64,
    shmem: u64,
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    super::build_server()?;
    let binary = target_dir().join("server-release/linli-server");
    let work = TempDir::new(options.keep)?;
    let database_url = format!("sqlite://{}", work.path.join("bench.db").display());
    step(&format!(
        "Loading the demo community, 20,000 requests and {VOTERS} signed-in owners into {}",
        work.path.display()
    ));
    let (compound, tokens) = super::load(&binary, &database_url, &work.path, 20_000, VOTERS)?;

    step("Starting the server behind a pretend proxy (--trust-proxy true)");
    let program = if options.heap_profile {
        heaptrack_wrapper(&binary, &work.path)?
    } else {
        binary.clone()
    };
    let server = Server::behind_proxy(&program, &database_url, &work.path)?;
    let addr = server.addr.clone();
    // Under heaptrack the child is heaptrack's script; the memory to watch is the server's.
    let pid = server_process(server.child.id());
    println!(
        "Serving at http://{addr}, pid {pid} (log: {})",
        server.log.display()
    );
    let world = set_up(&addr, compound, tokens)?;
    let rss_before = rss_kib(pid).ok_or("cannot read the server's RSS from /proc")?;

    let seconds = options.minutes * 60;
    step(&format!(
        "{} requests a second for {} minutes, {SENDERS} senders, open loop",
        options.rate, options.minutes
    ));
    let windows: Vec<Mutex<Window>> = (0..seconds.div_ceil(WINDOW.as_secs()))
        .map(|_| Mutex::default())
        .collect();
    let total = seconds * options.rate;
    let next = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..SENDERS {
            scope.spawn(|| send(&addr, &world, &next, total, options.rate, started, &windows));
        }
        // The server's memory at the end of each window.
        scope.spawn(|| {
            for (i, window) in windows.iter().enumerate() {
                let end = started + WINDOW * (i as u32 + 1);
                std::thread::sleep(end.saturating_duration_since(Instant::now()));
                let rss = rss_kib(pid);
                let mut window = window.lock().expect("window lock");
                window.rss_kib = rss;
                window.memory = memory(pid);
                window.wal_bytes = std::fs::metadata(work.path.join("bench.db-wal"))
                    .map(|m| m.len())
                    .unwrap_or(0);
                drop(window);
                println!(
                    "{:>5} s: {} requests started, RSS {:.1} MiB",
                    (i as u64 + 1) * WINDOW.as_secs(),
                    next.load(Ordering::Relaxed).min(total),
                    rss.unwrap_or(0) as f64 / 1024.0
                );
            }
        });
    });
    let wall = started.elapsed();
    let database_bytes = std::fs::metadata(work.path.join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    drop(server);

    let windows: Vec<Window> = windows
        .into_iter()
        .map(|w| w.into_inner().expect("window lock"))
        .collect();
    report(&windows, rss_before, wall, database_bytes);
    if windows.iter().all(|w| w.latencies_us.is_empty()) {
        return Err("no request was answered".into());
    }
    Ok(())
}

/// The server's own process: `pid` itself, or the `linli-server` that a wrapper (heaptrack's
/// script) started below it, followed through `/proc/<pid>/task/<pid>/children`.
fn server_process(pid: u32) -> u32 {
    let comm = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let mut current = pid;
    for _ in 0..8 {
        if comm(current).trim() == "linli-server" {
            return current;
        }
        let children = std::fs::read_to_string(format!("/proc/{current}/task/{current}/children"))
            .unwrap_or_default();
        match children
            .split_whitespace()
            .next()
            .and_then(|c| c.parse().ok())
        {
            Some(child) => current = child,
            None => break,
        }
    }
    pid
}

/// A script that runs the server under heaptrack, its profile written beside the database.
fn heaptrack_wrapper(
    binary: &std::path::Path,
    work: &std::path::Path,
) -> Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let script = work.join("linli-server-under-heaptrack");
    let text = format!(
        "#!/bin/sh\nexec heaptrack -o {} {} \"$@\"\n",
        work.join("heap").display(),
        binary.display()
    );
    std::fs::write(&script, text).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    Ok(script)
}

/// Proposals, their acceptance and the vote, through the API.
fn set_up(addr: &str, compound: i64, tokens: Vec<String>) -> Result<World> {
    let staff = login(addr, STAFF_PHONE)?;
    let resident = login(addr, RESIDENT_PHONE)?;
    let voters: Vec<String> = tokens
        .iter()
        .map(|t| format!("linli_session={t}"))
        .collect();
    let mut conn = Conn::new(addr);
    let mut topics = Vec::new();
    for (n, proposer) in voters.iter().take(TOPICS).enumerate() {
        conn.forwarded_for = Some(address_of(n));
        let body = format!(
            r#"{{"title":"压测议题{n}：小区公共事务","background":"","options":[],"scope":{{"kind":"compound","id":{compound}}}}}"#
        );
        let proposed = conn.expect(
            "POST",
            "/api/v1/consultations",
            Some(proposer),
            Some(&body),
            201,
        )?;
        topics.push(super::json_integer(&proposed.body, "id").ok_or("a proposal without an id")?);
    }
    conn.forwarded_for = None;
    let voted = topics[0];
    let path = |p: &str| format!("/api/v1/consultations/{voted}{p}");
    conn.expect(
        "POST",
        &path("/review"),
        Some(&staff),
        Some(r#"{"accept":true,"note":"压测"}"#),
        200,
    )?;
    let vote = format!(
        r#"{{"question":"是否同意？","electorate":"households","rule":{{"kind":"simple_majority"}},"secret":false,"live_tally":true,"closes_at":{}}}"#,
        unix_now() + 86_400
    );
    conn.expect("POST", &path("/vote"), Some(&staff), Some(&vote), 201)?;
    println!("{TOPICS} topics proposed; topic {voted} has a named households vote open.");
    Ok(World {
        staff,
        resident,
        voters,
        topics,
        voted,
    })
}

/// One sender: takes the next request number, waits until it is due, sends it on its own
/// keep-alive connection and records it in the window it was due in.
fn send(
    addr: &str,
    world: &World,
    next: &AtomicU64,
    total: u64,
    rate: u64,
    started: Instant,
    windows: &[Mutex<Window>],
) {
    let mut conn = Conn::new(addr);
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= total {
            return;
        }
        let due = started + Duration::from_secs_f64(k as f64 / rate as f64);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let call = world.call(k);
        conn.forwarded_for = call.from.clone();
        let answer = conn.request(
            call.method,
            &call.path,
            call.cookie.as_deref(),
            call.body.as_deref(),
        );
        let latency = due.elapsed();
        let index = ((due - started).as_secs() / WINDOW.as_secs()) as usize;
        let mut window = windows[index.min(windows.len() - 1)]
            .lock()
            .expect("window lock");
        window.latencies_us.push(latency.as_micros() as u64);
        let (status, error) = match answer {
            Ok(r) if r.status == call.expect => (r.status, None),
            Ok(r) => (
                r.status,
                Some(format!(
                    "{} {}: {} {}",
                    call.method, call.path, r.status, r.body
                )),
            ),
            Err(e) => (0, Some(format!("{} {}: {e}", call.method, call.path))),
        };
        *window.statuses.entry(status).or_default() += 1;
        if let Some(error) = error {
            window.errors += 1;
            window.first_error.get_or_insert(error);
        }
    }
}

/// A `Name:  1234 kB` line of a process's `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, name: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS")
}

fn memory(pid: u32) -> Option<Memory> {
    Some(Memory {
        anon: status_kib(pid, "RssAnon")?,
        file: status_kib(pid, "RssFile")?,
        shmem: status_kib(pid, "RssShmem")?,
    })
}

fn report(windows: &[Window], rss_before: u64, wall: Duration, database_bytes: u64) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "\n| window | answered | errors | p50 ms | p99 ms | max ms | RSS MiB | anon | file | shmem | WAL MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (i, w) in windows.iter().enumerate() {
        let from = i as u64 * WINDOW.as_secs();
        let m = w.memory.unwrap_or_default();
        println!(
            "| {}–{} s | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            from,
            from + WINDOW.as_secs(),
            w.latencies_us.len(),
            w.errors,
            percentile(&w.latencies_us, 50.0),
            percentile(&w.latencies_us, 99.0),
            percentile(&w.latencies_us, 100.0),
            mib(w.rss_kib.unwrap_or(0)),
            mib(m.anon),
            mib(m.file),
            mib(m.shmem),
            w.wal_bytes as f64 / (1024.0 * 1024.0)
        );
    }
    let all: Vec<u64> = windows
        .iter()
        .flat_map(|w| w.latencies_us.iter().copied())
        .collect();
    let errors: u64 = windows.iter().map(|w| w.errors).sum();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    for w in windows {
        for (status, n) in &w.statuses {
            *statuses.entry(*status).or_default() += n;
        }
    }
    println!(
        "\n{} requests in {:.0} s ({:.1}/s): {} errors ({:.3} %), statuses {:?}; p50 {:.1} ms, p99 {:.1} ms overall",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        errors,
        100.0 * errors as f64 / all.len().max(1) as f64,
        statuses,
        percentile(&all, 50.0),
        percentile(&all, 99.0)
    );
    for error in windows
        .iter()
        .filter_map(|w| w.first_error.as_deref())
        .take(5)
    {
        println!("  error: {}", error.chars().take(300).collect::<String>());
    }
    let warm = windows.first().and_then(|w| w.rss_kib).unwrap_or(0);
    let end = windows.last().and_then(|w| w.rss_kib).unwrap_or(0);
    println!(
        "RSS: {:.1} MiB before the load, {:.1} MiB after the first {} s, {:.1} MiB at the end.",
        mib(rss_before),
        mib(warm),
        WINDOW.as_secs(),
        mib(end),
    );
    // The verdict is on the server's own memory. The mapped pages (RssFile) are the binary and
    // the database read through mmap: shared with the system's file cache, reclaimable, and
    // bounded by the file's size, they grow only as far as the load reads a growing database.
    let first = windows.first().and_then(|w| w.memory).unwrap_or_default();
    let last = windows.last().and_then(|w| w.memory).unwrap_or_default();
    let growth = last.anon as f64 / first.anon.max(1) as f64 - 1.0;
    println!(
        "Own memory (RssAnon): {:.1} MiB after the first window, {:.1} MiB at the end ({:+.1} %): {}",
        mib(first.anon),
        mib(last.anon),
        100.0 * growth,
        if growth <= 0.10 { "flat" } else { "GROWING" }
    );
    println!(
        "Mapped files (RssFile): {:.1} MiB after the first window, {:.1} MiB at the end; the database file ends at {:.1} MiB.",
        mib(first.file),
        mib(last.file),
        database_bytes as f64 / (1024.0 * 1024.0)
    );
}
