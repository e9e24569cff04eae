//! The real `linli-server` binary: it starts on a free port, creates and seeds its database,
//! prints the banner the harnesses parse, and answers health checks.

use linli_domain::request::TrackingNumber;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
const RUNNING_AT: &str = "is running at http://";

/// A banner line offering an unused code: `  binding code <address> (<relation>): ABCD-EFGH`.
fn is_code_line(line: &str) -> bool {
    line.trim_start().starts_with("binding code ")
}

/// Kills the server when the test ends, whether it passed or panicked.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The child's stdout, line by line, read on a thread so waiting can time out.
fn stdout_lines(child: &mut Child) -> Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Collects lines until `done` says the banner is complete; panics at the deadline or when
/// the server exits first.
fn read_until(
    lines: &Receiver<String>,
    seen: &mut Vec<String>,
    deadline: Instant,
    done: impl Fn(&[String]) -> bool,
) {
    while !done(seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "no complete banner within {STARTUP_TIMEOUT:?}; got:\n{}",
                    seen.join("\n")
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!(
                    "the server exited before its banner was complete:\n{}",
                    seen.join("\n")
                )
            }
        }
    }
}

/// Starts the binary on a free port with its own database and dist folder; `extra` flags last.
fn spawn_server(
    db_file: &std::path::Path,
    dist: &std::path::Path,
    extra: &[&str],
) -> (KillOnDrop, std::sync::mpsc::Receiver<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_linli-server"));
    command
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--database-url")
        .arg(format!("sqlite://{}", db_file.display()))
        .arg("--dist")
        .arg(dist)
        .args(extra)
        // Whatever the developer's shell says, this test decides the settings.
        .env_remove("LINLI_SEED_DEMO")
        .env_remove("LINLI_SECURE_COOKIES")
        .env_remove("LINLI_TRUST_PROXY")
        .env_remove("LINLI_LOG_FORMAT")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut server = KillOnDrop(command.spawn().expect("start linli-server"));
    let lines = stdout_lines(&mut server.0);
    (server, lines)
}

#[tokio::test]
async fn without_seed_demo_a_new_database_gets_no_demo_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_file = dir.path().join("x.db");
    let (_server, lines) = spawn_server(&db_file, dir.path(), &[]);
    let (_, banner) = running_at(&lines);
    let db = linli_server::db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        users, 0,
        "a real deployment starts without the public demo logins"
    );
    assert!(!banner.join("\n").contains("Demo logins"));
}

#[tokio::test]
async fn the_binary_starts_seeds_prints_its_banner_and_serves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_file = dir.path().join("x.db");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>t</title>").unwrap();

    let (server, lines) = spawn_server(&db_file, &dist, &["--seed-demo", "true"]);

    let deadline = Instant::now() + STARTUP_TIMEOUT;
    let mut banner = Vec::new();
    read_until(&lines, &mut banner, deadline, |seen| {
        seen.iter().any(|l| l.contains(RUNNING_AT))
    });
    let running = banner.iter().find(|l| l.contains(RUNNING_AT)).unwrap();
    let base = running[running.find("http://").unwrap()..]
        .trim()
        .to_owned();
    assert!(running.contains("Linli 邻里"), "{running}");
    assert!(!base.ends_with(":0"), "the real port is printed: {base}");

    // The rest of the banner: the demo logins, then a few unused binding codes.
    read_until(&lines, &mut banner, deadline, |seen| {
        seen.iter().any(|l| is_code_line(l))
    });
    let text = banner.join("\n");
    for login in linli_server::seed::DEMO_LOGINS {
        assert!(
            text.contains(login.phone),
            "the banner lists {}:\n{text}",
            login.phone
        );
    }
    assert!(text.contains(linli_server::seed::DEMO_PASSWORD), "{text}");

    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = client
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .expect("health request");
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    let health: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert!(db_file.is_file(), "{} was created", db_file.display());

    // The printed code is a real, unused one.
    let code_line = banner.iter().find(|l| is_code_line(l)).unwrap();
    let printed = code_line.rsplit(": ").next().unwrap().trim();
    let code = linli_domain::BindingCode::parse(printed)
        .unwrap_or_else(|e| panic!("{printed:?} in {code_line:?}: {e:?}"));
    let db = linli_server::db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let used: Option<Option<i64>> =
        sqlx::query_scalar("SELECT used_at FROM binding_codes WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&db)
            .await
            .unwrap();
    assert_eq!(used, Some(None), "{code_line}");
    db.close().await;

    drop(server);
}

/// `linli-server open311-key`: prints a new key once (only its hash is stored), and revokes.
#[tokio::test]
async fn open311_keys_are_created_printed_once_and_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("x.db").display());
    let key_command = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_linli-server"))
            .args(["open311-key", "--name", "12345热线", "--database-url", &url])
            .args(extra)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run linli-server open311-key")
    };
    let created = key_command(&[]);
    assert!(created.status.success(), "{created:?}");
    let key = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert_eq!(key.len(), 64, "only the key on stdout: {key:?}");
    assert!(String::from_utf8_lossy(&created.stderr).contains("shown only now"));

    let db = linli_server::db::connect(&url).await.unwrap();
    let (name, hash, revoked): (String, String, Option<i64>) =
        sqlx::query_as("SELECT name, key_hash, revoked_at FROM open311_clients")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(name, "12345热线");
    assert_eq!(hash, linli_server::auth::session::token_hash(&key));
    assert_ne!(hash, key);
    assert_eq!(revoked, None);

    let revoked = key_command(&["--revoke"]);
    assert!(revoked.status.success(), "{revoked:?}");
    let at: Option<i64> = sqlx::query_scalar("SELECT revoked_at FROM open311_clients")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(at.is_some());
    // Nothing left to revoke is an error, not silence.
    assert!(!key_command(&["--revoke"]).status.success());
    db.close().await;
}

/// Starts the server on `db_file` with the demo community and returns it with its base URL and
/// its output, which must be kept open: the banner goes on after the address.
fn serve_demo(
    db_file: &std::path::Path,
    dist: &std::path::Path,
) -> (KillOnDrop, String, Receiver<String>) {
    let (server, lines) = spawn_server(db_file, dist, &["--seed-demo", "true"]);
    let (base, _) = running_at(&lines);
    (server, base, lines)
}

/// Waits for the banner line with the address: the base URL it gives, and the banner so far.
fn running_at(lines: &Receiver<String>) -> (String, Vec<String>) {
    let mut banner = Vec::new();
    read_until(
        lines,
        &mut banner,
        Instant::now() + STARTUP_TIMEOUT,
        |seen| seen.iter().any(|l| l.contains(RUNNING_AT)),
    );
    let running = banner.iter().find(|l| l.contains(RUNNING_AT)).unwrap();
    let base = running[running.find("http://").unwrap()..]
        .trim()
        .to_owned();
    (base, banner)
}

/// Signs in as the demo owner and submits a request titled `title`; its tracking number.
async fn submit_request(base: &str, title: &str) -> String {
    let client = reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "phone": "13900000001", "password": "linli2026" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), reqwest::StatusCode::OK);
    let created = client
        .post(format!("{base}/api/v1/requests"))
        .json(&serde_json::json!({ "category": "repairs", "title": title,
            "description": "三楼楼道灯不亮", "answers": { "where": "stairwell", "floor": "3" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let body: serde_json::Value = created.json().await.unwrap();
    body["summary"]["tracking_number"]
        .as_str()
        .expect("a tracking number")
        .to_owned()
}

async fn titles(db_file: &std::path::Path) -> Vec<String> {
    let db = linli_server::db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let titles = sqlx::query_scalar("SELECT title FROM service_requests ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    db.close().await;
    titles
}

fn server_command(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_linli-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli-server")
}

/// `backup` copies the database while the server runs; `restore` puts it back only with the
/// server stopped, and keeps what it replaced.
#[tokio::test]
async fn backup_while_serving_and_restore_with_the_server_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_file = dir.path().join("linli.db");
    let url = format!("sqlite://{}", db_file.display());
    let copy = dir.path().join("backups").join("monday.db");
    let copy_arg = copy.to_str().unwrap();

    let (server, base, _output) = serve_demo(&db_file, dir.path());
    submit_request(&base, "备份之前的诉求").await;
    let backed_up = server_command(&["backup", "--database-url", &url, "--to", copy_arg]);
    assert!(backed_up.status.success(), "{backed_up:?}");
    let said = String::from_utf8_lossy(&backed_up.stdout);
    assert!(said.contains("integrity ok"), "{said}");
    submit_request(&base, "备份之后的诉求").await;

    // Never over an existing file; never under a running server.
    let again = server_command(&["backup", "--database-url", &url, "--to", copy_arg]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let refused = server_command(&["restore", "--database-url", &url, "--from", copy_arg]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("stop it first"),
        "{refused:?}"
    );
    // Nor a second server on the same file.
    let second = Command::new(env!("CARGO_BIN_EXE_linli-server"))
        .args(["--addr", "127.0.0.1:0", "--database-url", &url])
        .arg("--dist")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap();
    assert!(
        !second.status.success(),
        "a second server on one database must not start"
    );
    assert!(String::from_utf8_lossy(&second.stderr).contains("stop it first"));

    // A damaged file is refused before anything is replaced.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let junk_restore = server_command(&[
        "restore",
        "--database-url",
        &url,
        "--from",
        junk.to_str().unwrap(),
    ]);
    assert!(!junk_restore.status.success());

    // Killed, the server leaves its latest writes in the WAL beside the file: the restore
    // must keep them with the database it replaces.
    drop(server);
    assert!(dir.path().join("linli.db-wal").exists());
    let restored = server_command(&["restore", "--database-url", &url, "--from", copy_arg]);
    assert!(restored.status.success(), "{restored:?}");
    let after = titles(&db_file).await;
    assert!(after.iter().any(|t| t == "备份之前的诉求"), "{after:?}");
    assert!(!after.iter().any(|t| t == "备份之后的诉求"), "{after:?}");

    // What the restore replaced is kept, whole: a single file, its WAL's writes in it.
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("linli.db.before-restore-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let before_restore = titles(&kept[0]).await;
    assert!(
        before_restore.iter().any(|t| t == "备份之后的诉求"),
        "{before_restore:?}"
    );
    assert_eq!(after.len() + 1, before_restore.len());

    // The restored database serves again.
    let (_server, base, _output) = serve_demo(&db_file, dir.path());
    submit_request(&base, "恢复之后的诉求").await;
}

/// A client that sends this session cookie with every request (a voter of `bench-load`).
fn client_with_session(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("linli_session={token}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .no_proxy()
        .default_headers(headers)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// POSTs JSON and answers the body when the status is the one expected, `None` otherwise
/// (a refusal, or no answer at all because the server is gone).
async fn post_expecting(
    client: &reqwest::Client,
    url: &str,
    body: serde_json::Value,
    status: u16,
) -> Option<serde_json::Value> {
    let resp = client.post(url).json(&body).send().await.ok()?;
    if resp.status().as_u16() != status {
        return None;
    }
    resp.json().await.ok()
}

/// What the load saw the server acknowledge, and what it sent without an answer.
#[derive(Default)]
struct Acknowledged {
    /// Tracking number → title of each request answered 201.
    requests: Vec<(String, String)>,
    comments: Vec<String>,
    /// Per voter: the choices answered 200, in order, and a choice sent but never answered.
    ballots: Vec<(Vec<&'static str>, Option<&'static str>)>,
}

/// SIGKILL in the middle of a write load (requests, comments, ballots): after a restart,
/// every write the server acknowledged is there, nothing is half-written, and the database
/// passes its integrity check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_keeps_every_write_it_acknowledged() {
    const VOTERS: usize = 40;
    let dir = tempfile::tempdir().expect("temp dir");
    let db_file = dir.path().join("linli.db");
    let url = format!("sqlite://{}", db_file.display());
    let voters_file = dir.path().join("voters.txt");
    let loaded = server_command(&[
        "bench-load",
        "--database-url",
        &url,
        "--requests",
        "0",
        "--voters",
        &VOTERS.to_string(),
        "--voters-out",
        voters_file.to_str().unwrap(),
    ]);
    assert!(loaded.status.success(), "{loaded:?}");
    let voters_text = std::fs::read_to_string(&voters_file).unwrap();
    let mut voter_lines = voters_text.lines();
    let compound: i64 = voter_lines
        .next()
        .and_then(|l| l.strip_prefix("compound "))
        .and_then(|id| id.trim().parse().ok())
        .expect("a compound line");
    let tokens: Vec<String> = voter_lines.map(str::to_owned).collect();
    assert_eq!(tokens.len(), VOTERS);

    let (server, lines) = spawn_server(&db_file, dir.path(), &[]);
    let (base, _) = running_at(&lines);
    let api = |path: &str| format!("{base}/api/v1{path}");
    let staff = reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let login = json_body("13800000002", "linli2026");
    post_expecting(&staff, &api("/auth/login"), login, 200)
        .await
        .expect("staff signs in");
    // A named vote of the compound, so that a voter may change a ballot again and again.
    let proposal = serde_json::json!({ "title": "西门改为人脸识别门禁", "background": "",
        "options": [], "scope": { "kind": "compound", "id": compound } });
    let topic = post_expecting(
        &client_with_session(&tokens[0]),
        &api("/consultations"),
        proposal,
        201,
    )
    .await
    .expect("proposed")["summary"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("topic id"));
    let topic_path = |p: &str| api(&format!("/consultations/{topic}{p}"));
    let review = serde_json::json!({ "accept": true, "note": "同意表决" });
    post_expecting(&staff, &topic_path("/review"), review, 200)
        .await
        .expect("accepted");
    let vote = serde_json::json!({ "question": "是否同意？", "electorate": "households",
        "rule": { "kind": "simple_majority" }, "secret": false, "live_tally": false,
        "closes_at": linli_server::db::now() + 86_400 });
    post_expecting(&staff, &topic_path("/vote"), vote, 201)
        .await
        .expect("vote opened");

    // The load: staff send requests and comments, every voter votes and changes the vote,
    // each in a loop that ends when the server stops answering.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Acknowledged {
        ballots: vec![(Vec::new(), None); VOTERS],
        ..Default::default()
    }));
    let mut load = tokio::task::JoinSet::new();
    {
        let (staff, acked, url) = (staff.clone(), acked.clone(), api("/requests"));
        load.spawn(async move {
            for n in 0.. {
                let title = format!("压力测试第{n}号诉求");
                let body = serde_json::json!({ "category": "repairs", "title": title,
                    "description": "楼道灯不亮", "answers": { "where": "stairwell" } });
                let Some(created) = post_expecting(&staff, &url, body, 201).await else {
                    break;
                };
                let number = created["summary"]["tracking_number"].as_str().unwrap();
                acked
                    .lock()
                    .unwrap()
                    .requests
                    .push((number.to_owned(), title));
            }
        });
    }
    {
        let (staff, acked, url) = (staff.clone(), acked.clone(), topic_path("/comments"));
        load.spawn(async move {
            for n in 0.. {
                let text = format!("压力测试第{n}条评论");
                let body = serde_json::json!({ "body": text });
                if post_expecting(&staff, &url, body, 201).await.is_none() {
                    break;
                }
                acked.lock().unwrap().comments.push(text);
            }
        });
    }
    for (voter, token) in tokens.iter().enumerate() {
        let (client, acked, url) = (
            client_with_session(token),
            acked.clone(),
            topic_path("/ballots"),
        );
        load.spawn(async move {
            for round in 0.. {
                let choice = if (voter + round) % 2 == 0 {
                    "yes"
                } else {
                    "no"
                };
                acked.lock().unwrap().ballots[voter].1 = Some(choice);
                let body = serde_json::json!({ "choice": choice });
                if post_expecting(&client, &url, body, 200).await.is_none() {
                    break;
                }
                let mut acked = acked.lock().unwrap();
                acked.ballots[voter].0.push(choice);
                acked.ballots[voter].1 = None;
            }
        });
    }
    // Killed once every kind of write has been acknowledged a few times, loads still running.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let enough = {
            let acked = acked.lock().unwrap();
            acked.requests.len() >= 20
                && acked.comments.len() >= 20
                && acked.ballots.iter().all(|(choices, _)| choices.len() >= 2)
        };
        assert!(
            Instant::now() < deadline,
            "the load made too little progress"
        );
        if enough {
            break;
        }
    }
    let mut server = server;
    server.0.kill().expect("SIGKILL the server");
    server.0.wait().unwrap();
    while let Some(task) = load.join_next().await {
        task.expect("a load task ended cleanly");
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());

    // Restarted on the same file, it serves again.
    let (_server, lines) = spawn_server(&db_file, dir.path(), &[]);
    let (base, _) = running_at(&lines);
    let health = reqwest::get(format!("{base}/api/v1/health")).await.unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);

    let db = linli_server::db::connect(&url).await.unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let broken_links = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(broken_links.is_empty(), "rows pointing at nothing");

    let stored: Vec<(String, String)> = sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT tracking_year, tracking_seq, title FROM service_requests",
    )
    .fetch_all(&db)
    .await
    .unwrap()
    .into_iter()
    .map(|(year, seq, title)| {
        let (year, seq) = (year as u16, seq as u32);
        (TrackingNumber { year, seq }.to_string(), title)
    })
    .collect();
    for request in &acked.requests {
        assert!(stored.contains(request), "acknowledged {request:?} is lost");
    }
    // Nothing half-written: every request has the event that created it.
    let without_events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_requests r
         WHERE NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(without_events, 0);

    let comments: Vec<String> =
        sqlx::query_scalar("SELECT body FROM topic_comments WHERE topic_id = $1")
            .bind(topic)
            .fetch_all(&db)
            .await
            .unwrap();
    for comment in &acked.comments {
        assert!(
            comments.contains(comment),
            "acknowledged {comment:?} is lost"
        );
    }

    // Each voter's ballot is the last one acknowledged, or the one sent when the server died.
    for (voter, (choices, unanswered)) in acked.ballots.iter().enumerate() {
        let user_id: i64 = sqlx::query_scalar("SELECT user_id FROM sessions WHERE token_hash = $1")
            .bind(linli_server::auth::session::token_hash(&tokens[voter]))
            .fetch_one(&db)
            .await
            .unwrap();
        let stored: Vec<String> = sqlx::query_scalar(
            "SELECT b.choice FROM ballots b JOIN votes v ON v.id = b.vote_id
             WHERE v.topic_id = $1 AND b.voter_id = $2",
        )
        .bind(topic)
        .bind(user_id)
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(stored.len(), 1, "voter {voter}: one ballot per household");
        let last = choices.last().copied();
        assert!(
            Some(stored[0].as_str()) == last || Some(stored[0].as_str()) == *unanswered,
            "voter {voter}: stored {stored:?}, acknowledged {choices:?}, unanswered {unanswered:?}"
        );
    }
    db.close().await;
}

fn json_body(phone: &str, password: &str) -> serde_json::Value {
    serde_json::json!({ "phone": phone, "password": password })
}
