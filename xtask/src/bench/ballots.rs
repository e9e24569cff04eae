//! `cargo xtask bench ballots`: a consultation's vote under load, measured the way the issue
//! states it: 10,000 eligible households voting concurrently over 64 loopback connections, at
//! least 1,000 ballots a second, none lost and none counted twice (the tally equals the ballots
//! sent), and the result of 10,000 ballots computed in under 50 ms.
//!
//! 1. Builds the server (`server-release`) and loads a fresh database: the demo community and a
//!    compound of 10,000 households, each with a verified owner who is signed in
//!    (`linli-server bench-load --voters`, which hands over the session tokens).
//! 2. Through the API: one voter proposes a topic for the compound, staff accept it and open a
//!    secret households vote (the roll of 10,000 is frozen then).
//! 3. 64 threads, each on its own keep-alive connection, take the next voter in turn and send
//!    their ballot (`POST /ballots` with that voter's cookie), until every voter has voted once.
//!    The choice is fixed by the voter's number, so what was sent is known exactly.
//! 4. Staff close the vote (timed, once: it publishes the result and freezes the receipt
//!    hashes). The published tally (read from the result sheet) must equal the ballots
//!    answered 200, choice by choice, with one receipt hash per ballot.
//! 5. The result is then read again and again, one request at a time: the detail and the result
//!    sheet, each of which counts the 10,000 ballots again on every request (the tally is not
//!    kept) and lists every receipt hash. Their p50 and p99 are the time to compute and serve
//!    the result, judged against the 50 ms target.

use super::{Response, Server, TempDir, login, target_dir, unix_now};
use crate::{Result, step};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const STAFF_PHONE: &str = "13800000002";

struct Options {
    voters: usize,
    connections: usize,
    /// Sequential reads of the result after the close.
    reads: usize,
    keep: bool,
    /// On PostgreSQL instead of a SQLite file.
    postgres: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options {
            voters: 10_000,
            connections: 64,
            reads: 100,
            keep: false,
            postgres: false,
        };
        let mut args = args.iter().filter(|a| *a != "--");
        while let Some(flag) = args.next() {
            let mut value = || -> Result<usize> {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v| *v > 0)
                    .ok_or_else(|| format!("{flag} needs a positive number"))
            };
            match flag.as_str() {
                "--voters" => options.voters = value()?,
                "--connections" => options.connections = value()?,
                "--reads" => options.reads = value()?,
                "--keep" => options.keep = true,
                "--postgres" => options.postgres = true,
                other => {
                    return Err(format!(
                        "unknown flag {other}; usage: cargo xtask bench ballots [--voters N] [--connections C] [--reads R] [--keep] [--postgres]"
                    ));
                }
            }
        }
        Ok(options)
    }
}

/// The choice of the `i`-th voter: 60 % yes, 30 % no, 10 % abstain.
fn choice(i: usize) -> &'static str {
    match i % 10 {
        0..=5 => "yes",
        6..=8 => "no",
        _ => "abstain",
    }
}

const CHOICES: [&str; 3] = ["yes", "no", "abstain"];

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    super::build_server()?;
    let binary = target_dir().join("server-release/linli-server");

    let work = TempDir::new(options.keep)?;
    let (database_url, _postgres) = super::database(options.postgres, &work.path)?;
    step(&format!(
        "Loading the demo community and {} signed-in voters into {}",
        options.voters,
        work.path.display()
    ));
    let started = Instant::now();
    let (compound, tokens) = super::load(&binary, &database_url, &work.path, 0, options.voters)?;
    println!("Database ready in {:.1?}.", started.elapsed());

    step("Starting the server on a free loopback port");
    let server = Server::start(&binary, &database_url, &work.path)?;
    let addr = server.addr.clone();
    println!("Serving at http://{addr} (log: {})", server.log.display());
    let staff = login(&addr, STAFF_PHONE)?;
    let mut conn = Conn::new(&addr);

    step("Proposing, accepting and opening the vote through the API");
    let proposer = format!("linli_session={}", tokens[0]);
    let body = format!(
        r#"{{"title":"压测：小区西门改为人脸识别门禁","background":"","options":[],"scope":{{"kind":"compound","id":{compound}}}}}"#
    );
    let proposed = conn.expect(
        "POST",
        "/api/v1/consultations",
        Some(&proposer),
        Some(&body),
        201,
    )?;
    let topic =
        super::json_integer(&proposed.body, "id").ok_or("the proposal's answer has no id")?;
    let path = |p: &str| format!("/api/v1/consultations/{topic}{p}");
    conn.expect(
        "POST",
        &path("/review"),
        Some(&staff),
        Some(r#"{"accept":true,"note":"压测"}"#),
        200,
    )?;
    let vote = format!(
        r#"{{"question":"是否同意？","electorate":"households","rule":{{"kind":"simple_majority"}},"secret":true,"live_tally":false,"closes_at":{}}}"#,
        unix_now() + 86_400
    );
    let opened = conn.expect("POST", &path("/vote"), Some(&staff), Some(&vote), 201)?;
    let eligible = super::json_integer(&opened.body, "units").unwrap_or(-1);
    if eligible != options.voters as i64 {
        return Err(format!(
            "the roll holds {eligible} households, not the {} voters",
            options.voters
        ));
    }
    println!("Topic {topic}: a secret households vote, {eligible} on the roll.");

    step(&format!(
        "Casting {} ballots over {} connections",
        options.voters, options.connections
    ));
    let cast = cast_all(&addr, &path("/ballots"), &tokens, options.connections);
    println!(
        "{} ballots in {:.2} s: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, statuses {:?}",
        cast.latencies_us.len(),
        cast.wall.as_secs_f64(),
        cast.rate(),
        percentile(&cast.latencies_us, 50.0),
        percentile(&cast.latencies_us, 99.0),
        cast.statuses
    );

    step("Closing the vote and checking the tally against what was sent");
    let closing = Instant::now();
    conn.expect("POST", &path("/close"), Some(&staff), Some("{}"), 200)?;
    let close_ms = closing.elapsed().as_secs_f64() * 1000.0;
    let sheet = conn.expect("GET", &path("/result.csv?lang=en"), None, None, 200)?;
    let counted: Vec<u64> = ["Yes", "No", "Abstain"]
        .iter()
        .map(|label| csv_units(&sheet.body, label))
        .collect::<Result<_>>()?;
    let hashes = sheet
        .body
        .split("\r\n")
        .filter(|l| l.len() == 64 && l.bytes().all(|b| b.is_ascii_hexdigit()))
        .count() as u64;
    let sent: Vec<u64> = CHOICES.iter().map(|c| cast.accepted[c_index(c)]).collect();
    let sent_total: u64 = sent.iter().sum();
    let counted_total: u64 = counted.iter().sum();
    println!(
        "Sent and answered 200: yes {} no {} abstain {} ({sent_total}); counted: yes {} no {} abstain {} ({counted_total}); {hashes} receipt hashes published.",
        sent[0], sent[1], sent[2], counted[0], counted[1], counted[2]
    );
    let lost = sent_total.saturating_sub(counted_total);
    let doubled = counted_total.saturating_sub(sent_total);

    step(&format!(
        "Reading the result {} times, one request at a time",
        options.reads
    ));
    let detail = timed_reads(&mut conn, &path(""), options.reads)?;
    let csv = timed_reads(&mut conn, &path("/result.csv"), options.reads)?;
    let log = server.log.clone();
    drop(server);

    let mut table = String::from("| measured | figure | target | met |\n|---|---:|---|---|\n");
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let rate = cast.rate();
    let _ = writeln!(
        table,
        "| ballots cast ({} voters, {} connections) | {:.0}/s (p50 {:.1} ms, p99 {:.1} ms) | >= 1000/s | {} |",
        options.voters,
        options.connections,
        rate,
        percentile(&cast.latencies_us, 50.0),
        percentile(&cast.latencies_us, 99.0),
        yes_no(rate >= 1000.0)
    );
    let _ = writeln!(
        table,
        "| ballots lost / counted twice | {lost} / {doubled} (sent {sent_total}, counted {counted_total}, {hashes} receipts) | 0 / 0 | {} |",
        yes_no(lost == 0 && doubled == 0 && counted == sent && hashes == sent_total)
    );
    let _ = writeln!(
        table,
        "| close, once (publishes the verdict and {hashes} receipt hashes) | {close_ms:.1} ms | (none) | |"
    );
    for (name, us) in [
        (
            "detail (counts the ballots, the verdict, every receipt)",
            &detail,
        ),
        (
            "result.csv (counts the ballots, the verdict, every receipt)",
            &csv,
        ),
    ] {
        let p99 = percentile(us, 99.0);
        let _ = writeln!(
            table,
            "| {name}, {} reads | p50 {:.1} ms, p99 {p99:.1} ms | p99 < 50 ms | {} |",
            us.len(),
            percentile(us, 50.0),
            yes_no(p99 < 50.0)
        );
    }
    println!("\n{table}");

    let unexpected: u64 = cast
        .statuses
        .iter()
        .filter(|(s, _)| *s != 200)
        .map(|(_, n)| n)
        .sum();
    let mut problems = Vec::new();
    if unexpected > 0 || cast.errors > 0 {
        problems.push(format!(
            "{unexpected} ballots were not answered 200 and {} failed on the wire ({:?})",
            cast.errors, cast.statuses
        ));
    }
    if lost > 0 || doubled > 0 || counted != sent || hashes != sent_total {
        problems.push(format!(
            "the tally does not match what was sent: sent {sent:?}, counted {counted:?}, {hashes} receipts"
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
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

fn c_index(choice: &str) -> usize {
    CHOICES.iter().position(|c| *c == choice).unwrap_or(0)
}

/// The compound id and the tokens `bench-load --voters-out` wrote.
pub(super) fn read_voters(file: &std::path::Path) -> Result<(i64, Vec<String>)> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut lines = text.lines();
    let compound = lines
        .next()
        .and_then(|l| l.strip_prefix("compound "))
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| format!("{}: no compound line", file.display()))?;
    let tokens: Vec<String> = lines.map(str::to_owned).collect();
    if tokens.is_empty() {
        return Err(format!("{}: no voters", file.display()));
    }
    Ok((compound, tokens))
}

/// The units of a row of the result sheet (`Yes,6000,480000.00`).
fn csv_units(csv: &str, label: &str) -> Result<u64> {
    csv.split("\r\n")
        .find_map(|line| line.strip_prefix(&format!("{label},")))
        .and_then(|rest| rest.split(',').next())
        .and_then(|units| units.parse().ok())
        .ok_or_else(|| format!("the result sheet has no {label} row:\n{csv}"))
}

/// What the ballots' run saw.
struct Cast {
    wall: Duration,
    latencies_us: Vec<u64>,
    statuses: Vec<(u16, u64)>,
    /// Ballots answered 200, by choice (yes, no, abstain).
    accepted: [u64; 3],
    /// Requests that failed on the wire (after one retry on a fresh connection).
    errors: u64,
}

impl Cast {
    fn rate(&self) -> f64 {
        self.latencies_us.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Every voter casts one ballot; `connections` threads share the work.
fn cast_all(addr: &str, path: &str, tokens: &[String], connections: usize) -> Cast {
    let next = AtomicUsize::new(0);
    let results = Mutex::new((
        Vec::with_capacity(tokens.len()),
        Vec::new(),
        [0u64; 3],
        0u64,
    ));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..connections {
            scope.spawn(|| {
                let mut conn = Conn::new(addr);
                let mut latencies = Vec::new();
                let mut statuses: Vec<u16> = Vec::new();
                let mut accepted = [0u64; 3];
                let mut errors = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(token) = tokens.get(i) else { break };
                    let cookie = format!("linli_session={token}");
                    let body = format!(r#"{{"choice":"{}"}}"#, choice(i));
                    let sent = Instant::now();
                    match conn.request("POST", path, Some(&cookie), Some(&body)) {
                        Ok(response) => {
                            latencies.push(sent.elapsed().as_micros() as u64);
                            if response.status == 200 && response.body.contains("\"receipt\"") {
                                accepted[c_index(choice(i))] += 1;
                            }
                            statuses.push(response.status);
                        }
                        Err(_) => errors += 1,
                    }
                }
                let mut all = results.lock().expect("no thread panics holding it");
                all.0.extend(latencies);
                all.1.extend(statuses);
                for (total, mine) in all.2.iter_mut().zip(accepted) {
                    *total += mine;
                }
                all.3 += errors;
            });
        }
    });
    let wall = started.elapsed();
    let (latencies_us, statuses, accepted, errors) =
        results.into_inner().expect("no thread panicked");
    let mut counts: Vec<(u16, u64)> = Vec::new();
    for status in statuses {
        match counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => counts.push((status, 1)),
        }
    }
    counts.sort_unstable();
    Cast {
        wall,
        latencies_us,
        statuses: counts,
        accepted,
        errors,
    }
}

/// `reads` GETs of `path` in a row on one connection; their latencies in µs.
pub(super) fn timed_reads(conn: &mut Conn, path: &str, reads: usize) -> Result<Vec<u64>> {
    let mut latencies = Vec::with_capacity(reads);
    for _ in 0..reads {
        let started = Instant::now();
        conn.expect("GET", path, None, None, 200)?;
        latencies.push(started.elapsed().as_micros() as u64);
    }
    Ok(latencies)
}

/// The `p`-th percentile of latencies in µs, in ms (nearest rank).
pub(super) fn percentile(us: &[u64], p: f64) -> f64 {
    if us.is_empty() {
        return 0.0;
    }
    let mut sorted = us.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

/// An HTTP/1.1 keep-alive connection, opened again if the server closed it.
pub(super) struct Conn {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
    /// Sent as `X-Forwarded-For`, for a server behind a proxy (`--trust-proxy`): the client
    /// address this connection stands for.
    pub(super) forwarded_for: Option<String>,
}

impl Conn {
    pub(super) fn new(addr: &str) -> Self {
        Conn {
            addr: addr.to_owned(),
            stream: None,
            forwarded_for: None,
        }
    }

    /// A request that must answer `status`.
    pub(super) fn expect(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&str>,
        status: u16,
    ) -> Result<Response> {
        let response = self.request(method, path, cookie, body)?;
        if response.status != status {
            return Err(format!(
                "{method} {path} answered {}: {}",
                response.status, response.body
            ));
        }
        Ok(response)
    }

    /// Sends once; on a connection the server had closed, once more on a new one.
    pub(super) fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&str>,
    ) -> Result<Response> {
        let reused = self.stream.is_some();
        match self.exchange(method, path, cookie, body) {
            Ok(r) => Ok(r),
            Err(_) if reused => {
                self.stream = None;
                self.exchange(method, path, cookie, body)
            }
            Err(e) => Err(e),
        }
    }

    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&str>,
    ) -> Result<Response> {
        if self.stream.is_none() {
            let stream =
                TcpStream::connect(&self.addr).map_err(|e| format!("{}: {e}", self.addr))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .map_err(|e| e.to_string())?;
            self.stream = Some(BufReader::new(stream));
        }
        let reader = self.stream.as_mut().expect("connected above");
        let body = body.unwrap_or("");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            request.push_str("Content-Type: application/json\r\n");
        }
        if let Some(cookie) = cookie {
            let _ = write!(request, "Cookie: {cookie}\r\n");
        }
        if let Some(client) = &self.forwarded_for {
            let _ = write!(request, "X-Forwarded-For: {client}\r\n");
        }
        request.push_str("\r\n");
        request.push_str(body);
        let result = read_response(reader, request.as_bytes());
        if result.is_err() {
            self.stream = None;
        }
        let (response, close) = result?;
        if close {
            self.stream = None;
        }
        Ok(response)
    }
}

/// Writes `request` and reads one response (Content-Length or chunked); also whether the server
/// will close the connection.
fn read_response(reader: &mut BufReader<TcpStream>, request: &[u8]) -> Result<(Response, bool)> {
    reader
        .get_mut()
        .write_all(request)
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    let read_line = |reader: &mut BufReader<TcpStream>, line: &mut String| -> Result<()> {
        line.clear();
        match reader.read_line(line) {
            Ok(0) => Err("connection closed".to_owned()),
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    };
    read_line(reader, &mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        read_line(reader, &mut line)?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((k, v)) = trimmed.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            read_line(reader, &mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| format!("bad chunk size {line:?}"))?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        body.resize(length, 0);
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    }
    let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
    Ok((
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        },
        close,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_fixed_by_the_voters_number() {
        let counts = CHOICES.map(|c| (0..10_000).filter(|&i| choice(i) == c).count());
        assert_eq!(counts, [6_000, 3_000, 1_000]);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let us: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile(&us, 50.0), 50.0);
        assert_eq!(percentile(&us, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }

    #[test]
    fn reads_units_from_the_result_sheet() {
        let csv =
            "\u{feff}Item,Value\r\n,Households,Area (m²)\r\nYes,6000,480000.00\r\nNo,3,1.00\r\n";
        assert_eq!(csv_units(csv, "Yes").unwrap(), 6000);
        assert_eq!(csv_units(csv, "No").unwrap(), 3);
        assert!(csv_units(csv, "Abstain").is_err());
    }
}
