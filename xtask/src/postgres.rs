//! A throwaway PostgreSQL server for the tests that run on both engines: a fresh cluster
//! (`initdb`) in a temporary folder, listening on a free loopback port, stopped and removed
//! when dropped. `LINLI_TEST_POSTGRES` (a URL) names a server to use instead.

use crate::Result;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The variable the API tests read: a PostgreSQL URL whose user may create databases. Each
/// test creates its own database on that server.
pub const TEST_URL_VAR: &str = "LINLI_TEST_POSTGRES";

/// The oldest PostgreSQL Linli supports.
const OLDEST_MAJOR: u32 = 15;

/// `cargo xtask postgres -- COMMAND…`: runs COMMAND with `LINLI_TEST_POSTGRES` naming a
/// server (a throwaway one unless it is already set), for one test or a benchmark on
/// PostgreSQL: `cargo xtask postgres -- cargo test -p linli-server --test api ballots`.
pub fn with_server(args: &[String]) -> Result<()> {
    let command = match args.first().map(String::as_str) {
        Some("--") => &args[1..],
        _ => args,
    };
    let Some((program, rest)) = command.split_first() else {
        return Err("usage: cargo xtask postgres -- COMMAND [ARGS…]".into());
    };
    let server = Server::start(false)?;
    println!("{TEST_URL_VAR}={}", server.url());
    let status = Command::new(program)
        .args(rest)
        .env(TEST_URL_VAR, server.url())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} failed ({status})"))
    }
}

pub enum Server {
    /// Configured by `LINLI_TEST_POSTGRES`: used as it is, left running.
    Configured(String),
    Throwaway(Throwaway),
}

impl Server {
    /// The configured server, or a throwaway one started now: `durable` as a deployment's
    /// (for benchmarks), or with fsync off (for tests, which need not survive a power cut).
    pub fn start(durable: bool) -> Result<Server> {
        match std::env::var(TEST_URL_VAR) {
            Ok(url) if !url.is_empty() => Ok(Server::Configured(url)),
            _ => Throwaway::start(durable).map(Server::Throwaway),
        }
    }

    /// A new, empty database `name` on the server (dropped first if it exists); its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let psql = match self {
            Server::Configured(_) => PathBuf::from("psql"),
            Server::Throwaway(t) => t.bin.join("psql"),
        };
        for statement in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            run(
                Command::new(&psql).arg(self.url()).args([
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-q",
                    "-c",
                    &statement,
                ]),
                "psql",
            )?;
        }
        let base = self.url().split('?').next().unwrap_or_default();
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        Ok(format!("{server}/{name}"))
    }

    pub fn url(&self) -> &str {
        match self {
            Server::Configured(url) => url,
            Server::Throwaway(t) => &t.url,
        }
    }
}

pub struct Throwaway {
    dir: PathBuf,
    bin: PathBuf,
    owner: Option<&'static str>,
    url: String,
}

impl Throwaway {
    fn start(durable: bool) -> Result<Throwaway> {
        let bin = binaries()?;
        // PostgreSQL refuses to run as root: as root (CI), the cluster belongs to the system's
        // `postgres` user, which Debian's package creates.
        let owner = is_root().then_some("postgres");
        stop_leftovers(owner, &bin);
        let dir = std::env::temp_dir().join(format!("linli-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut server = Throwaway {
            url: String::new(),
            dir,
            bin,
            owner,
        };
        if let Some(user) = owner {
            run(Command::new("chown").arg(user).arg(&server.dir), "chown")?;
        }
        let data = server.dir.join("data");
        run(
            server.command("initdb").arg("-D").arg(&data).args([
                "-U",
                "linli",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]),
            "initdb",
        )?;
        let port = free_port()?;
        // fsync off for tests: a throwaway cluster need not survive a power cut, and the tests'
        // many small databases are created several times faster without it. Benchmarks keep
        // PostgreSQL's defaults, durable like SQLite's `synchronous = FULL`.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=300{}",
            server.dir.display(),
            if durable { "" } else { " -c fsync=off" }
        );
        run(
            server
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(server.dir.join("log"))
                .args(["-w", "-o", &options, "start"]),
            "pg_ctl start",
        )?;
        server.url = format!("postgres://linli@127.0.0.1:{port}/postgres");
        Ok(server)
    }

    fn command(&self, program: &str) -> Command {
        pg_command(&self.bin, self.owner, program, &self.dir)
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        stop(&self.dir, self.owner, &self.bin);
    }
}

/// Stops the cluster in `dir` if one runs there (its `postmaster.pid` says so, even when
/// starting it failed half way), then removes the folder.
fn stop(dir: &Path, owner: Option<&'static str>, bin: &Path) {
    let data = dir.join("data");
    if data.join("postmaster.pid").exists() {
        let _ = pg_command(bin, owner, "pg_ctl", dir)
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// One of PostgreSQL's programs, run as the cluster's `owner` when there is one, in `dir`: a
/// folder the owner may enter, since PostgreSQL 15's programs return to the folder they were
/// started in and fail when it is root's own (a checkout under /root, say).
fn pg_command(bin: &Path, owner: Option<&'static str>, program: &str, dir: &Path) -> Command {
    let path = bin.join(program);
    let mut command = match owner {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(path);
            command
        }
        None => Command::new(path),
    };
    command.current_dir(dir);
    command
}

/// Clusters left by an earlier run that was killed before it could stop its own (a Ctrl-C
/// does not run destructors): those whose xtask process is gone are stopped and removed.
fn stop_leftovers(owner: Option<&'static str>, bin: &Path) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("linli-postgres-"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !alive(pid) {
            stop(&entry.path(), owner, bin);
        }
    }
}

/// Whether process `pid` runs: it exists and is not a zombie waiting to be reaped.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // `pid (name) state …`: the state follows the last parenthesis.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// The newest installed PostgreSQL's programs (Debian keeps them in
/// /usr/lib/postgresql/MAJOR/bin), at least version 15.
fn binaries() -> Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|major| *major >= OLDEST_MAJOR && root.join(format!("{major}/bin/initdb")).exists())
        .max();
    match newest {
        Some(major) => Ok(root.join(format!("{major}/bin"))),
        None => Err(format!(
            "PostgreSQL {OLDEST_MAJOR} or newer is not installed (apt-get install postgresql), \
             and {TEST_URL_VAR} names no server to use instead"
        )),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port for PostgreSQL: {e}"))
}

fn run(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .map_err(|e| format!("{what} did not start: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
