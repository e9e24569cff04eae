//! Command line and environment: every setting has a flag and an environment variable.

use clap::{Args, Parser, Subcommand};
use linli_domain::api::TileSource;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "linli-server",
    version,
    about = "Linli 邻里: the community app's server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the SPA (the default when no command is given).
    Serve(ServeArgs),
    /// Create an Open311 API key for a client and print it (shown only this once), or revoke
    /// a client's keys.
    Open311Key(Open311KeyArgs),
    /// For `cargo xtask bench`: seed the demo community into an empty database, then add a
    /// year of service requests with their timelines, and signed-in voters for the ballots.
    #[command(hide = true)]
    BenchLoad(BenchLoadArgs),
    /// List the communities with their host names and staff, or change one: the host name
    /// it is served at, or who works for it.
    Community(CommunityArgs),
    /// Import the walking network and the places of the service circle from an OpenStreetMap
    /// extract (.osm.pbf), replacing the network and what an earlier import brought.
    ImportOsm(ImportOsmArgs),
    /// Write a consistent copy of the database (photos included) to a new file, while the
    /// server runs, and check it.
    Backup(BackupArgs),
    /// Replace the database with a backup, after checking it. The server must be stopped; the
    /// database replaced is kept beside it as `<file>.before-restore-<time>`.
    Restore(RestoreArgs),
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long)]
    pub to: PathBuf,
    /// Database URL: the SQLite file to copy.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/linli.db")]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The backup to restore (a file `backup` wrote).
    #[arg(long)]
    pub from: PathBuf,
    /// Database URL: the SQLite file to replace.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/linli.db")]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ImportOsmArgs {
    /// The OpenStreetMap extract to read (.osm.pbf).
    #[arg(long)]
    pub file: PathBuf,
    /// Database URL: a SQLite file, created and migrated if missing.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/linli.db")]
    pub database_url: String,
    /// The community to import into; by default the database's only one, or a new one named
    /// after the file when the database has none.
    #[arg(long)]
    pub community: Option<i64>,
}

#[derive(Debug, Clone, Args)]
pub struct Open311KeyArgs {
    /// The client's name, e.g. "12345热线"; it appears on the timeline of what it sends.
    #[arg(long)]
    pub name: String,
    /// Revoke every key of the client with this name instead of creating one.
    #[arg(long)]
    pub revoke: bool,
    /// Database URL: a SQLite file, created and migrated if missing.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/linli.db")]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct CommunityArgs {
    /// The community to change (an id from the list); without it, the list is printed.
    #[arg(long)]
    pub id: Option<i64>,
    /// The host name it is served at, e.g. `cuiliu.linli.example`; "" to take it away.
    #[arg(long)]
    pub host: Option<String>,
    /// The phone number of a staff account that works for it from now on.
    #[arg(long)]
    pub add_staff: Option<String>,
    /// The phone number of a staff account that no longer works for it.
    #[arg(long)]
    pub remove_staff: Option<String>,
    /// Database URL: a SQLite file, created and migrated if missing, or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/linli.db")]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct BenchLoadArgs {
    /// Database URL: a SQLite file, created and migrated if missing.
    #[arg(long)]
    pub database_url: String,
    /// How many requests to add.
    #[arg(long, default_value_t = 100_000)]
    pub requests: u64,
    /// How many verified, signed-in voters to add, each owning a household of a new compound
    /// (the ballot benchmark).
    #[arg(long, default_value_t = 0)]
    pub voters: usize,
    /// Where to write the voters' compound (first line, `compound <id>`) and their session
    /// tokens (one a line); required with `--voters`.
    #[arg(long)]
    pub voters_out: Option<std::path::PathBuf>,
    /// How many facilities to add across the demo's streets (the service circle benchmark).
    #[arg(long, default_value_t = 0)]
    pub facilities: usize,
    /// How many communities the database holds: the demo and copies of it, each served at
    /// its own host name (`c001.bench.linli.test`, ...), the requests spread over them.
    #[arg(long, default_value_t = 1)]
    pub communities: usize,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the banner prints the real one).
    #[arg(long, env = "LINLI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// Database URL: a SQLite file, created and migrated if missing.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/linli.db")]
    pub database_url: String,
    /// Folder holding the built SPA (`dist/`, from `cargo xtask dist`).
    #[arg(long, env = "LINLI_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Seed the demo community (with its public demo passwords) when the database is empty.
    /// Off by default so that a real deployment never gets demo accounts; `cargo xtask run`
    /// turns it on.
    #[arg(long, env = "LINLI_SEED_DEMO", default_value_t = false, action = clap::ArgAction::Set)]
    pub seed_demo: bool,
    /// Mark cookies `Secure`: set this when Linli is served over HTTPS.
    #[arg(long, env = "LINLI_SECURE_COOKIES", default_value_t = false, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,
    /// Trust the `X-Forwarded-For` header set by a reverse proxy in front of Linli: the client
    /// is then its last address, not the proxy's. Leave off unless such a proxy always sets it.
    #[arg(long, env = "LINLI_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,
    /// The address residents open Linli at (`https://linli.example.cn`), when a reverse proxy
    /// in front of Linli does not pass the original `Host` on: a state-changing request whose
    /// `Origin` is not this is refused. Without it, the `Host` the request was sent to is ours.
    #[arg(long, env = "LINLI_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Co-signing households a consultation proposal needs before staff review it.
    #[arg(long, env = "LINLI_COSIGN_THRESHOLD", default_value_t = linli_domain::consultation::DEFAULT_COSIGN_THRESHOLD)]
    pub cosign_threshold: u32,
    /// A raster tile server for the service-circle map (`https://…/{z}/{x}/{y}.png`). Without
    /// one the map draws only the community's own streets and buildings, which needs no
    /// internet. A tile server's licence asks for attribution: `--tile-attribution` is then
    /// required.
    #[arg(long, env = "LINLI_TILE_URL")]
    pub tile_url: Option<String>,
    /// The attribution shown under the tiles (HTML), e.g. `&copy; OpenStreetMap contributors`.
    #[arg(long, env = "LINLI_TILE_ATTRIBUTION")]
    pub tile_attribution: Option<String>,
    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LINLI_LOG_FORMAT", default_value = "pretty")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The settings handlers need at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    pub dist: PathBuf,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub public_origin: Option<String>,
    pub throttle: ThrottleLimits,
    pub cosign_threshold: u32,
    pub tiles: Option<TileSource>,
}

impl ServeArgs {
    /// The configured tile server, refused without an attribution or without the `{z}`,
    /// `{x}` and `{y}` a tile URL needs.
    pub fn tiles(&self) -> Result<Option<TileSource>, String> {
        let Some(url) = self
            .tile_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        if !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)) {
            return Err(format!("--tile-url {url:?} lacks {{z}}, {{x}} or {{y}}"));
        }
        let attribution = self
            .tile_attribution
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or("--tile-url needs --tile-attribution: tile licences ask for it")?;
        Ok(Some(TileSource {
            url: url.to_owned(),
            attribution: attribution.to_owned(),
        }))
    }
}

/// How many times an account, and a client address, may do one thing within a window before
/// they are told to wait (429 with `Retry-After`).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub window_seconds: i64,
    pub per_account: i64,
    pub per_address: i64,
}

/// The limits against guessing and flooding. Staff and admins are not limited in what they
/// write: their accounts are made by an admin, and a busy morning's notes must not stop.
///
/// Address limits are higher than account ones because a community centre's Wi-Fi, where staff
/// help elders sign up, puts many residents behind one address.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failed guesses: wrong passwords, unknown or used binding codes.
    pub failures: Limit,
    /// New accounts, by address only (a new account has no history).
    pub registrations: Limit,
    /// Service requests sent (Open311 clients have keys of their own and are not counted).
    pub requests: Limit,
    /// Comments on consultations and residents' notes on requests.
    pub comments: Limit,
    /// Photos uploaded with requests, each one counted.
    pub photos: Limit,
    /// Residents' numbers opened by one staff member: a day's calls fit, a harvest of the
    /// community's numbers does not. Only the account limit applies.
    pub contact_openings: Limit,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        const HOUR: i64 = 3600;
        Self {
            failures: Limit {
                window_seconds: 15 * 60,
                per_account: 5,
                per_address: 20,
            },
            registrations: Limit {
                window_seconds: HOUR,
                per_account: 1,
                per_address: 30,
            },
            requests: Limit {
                window_seconds: HOUR,
                per_account: 10,
                per_address: 60,
            },
            comments: Limit {
                window_seconds: 10 * 60,
                per_account: 20,
                per_address: 120,
            },
            photos: Limit {
                window_seconds: HOUR,
                per_account: 20,
                per_address: 120,
            },
            contact_openings: Limit {
                // The longest window: main.rs forgets throttle events after a day.
                window_seconds: 24 * HOUR,
                per_account: 60,
                per_address: 60,
            },
        }
    }
}

impl From<&ServeArgs> for Settings {
    fn from(args: &ServeArgs) -> Self {
        Self {
            dist: args.dist.clone(),
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
            public_origin: args.public_origin.clone(),
            throttle: ThrottleLimits::default(),
            cosign_threshold: args.cosign_threshold,
            // `main` refuses to start with a bad tile setting before it gets here.
            tiles: args.tiles().ok().flatten(),
        }
    }
}

#[cfg(test)]
mod tile_tests {
    use super::*;

    fn args(url: Option<&str>, attribution: Option<&str>) -> ServeArgs {
        let mut argv = vec!["linli-server".to_owned()];
        if let Some(url) = url {
            argv.push(format!("--tile-url={url}"));
        }
        if let Some(a) = attribution {
            argv.push(format!("--tile-attribution={a}"));
        }
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::parse_from(argv).serve
    }

    #[test]
    fn tiles_are_off_unless_configured_with_their_attribution() {
        assert_eq!(args(None, None).tiles(), Ok(None));
        assert_eq!(args(Some(" "), None).tiles(), Ok(None));
        let osm = args(
            Some("https://tile.example.org/{z}/{x}/{y}.png"),
            Some("&copy; OpenStreetMap contributors"),
        );
        assert_eq!(
            osm.tiles().unwrap().unwrap().attribution,
            "&copy; OpenStreetMap contributors"
        );
        assert!(
            args(Some("https://tile.example.org/{z}/{x}/{y}.png"), None)
                .tiles()
                .is_err()
        );
        assert!(
            args(Some("https://tile.example.org/tile.png"), Some("x"))
                .tiles()
                .is_err()
        );
    }
}
