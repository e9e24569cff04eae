//! `linli-server`: opens the database, seeds the demo community when it is empty, and serves
//! the API and the SPA.

use clap::Parser;
use linli_domain::request::short_text;
use linli_server::auth::session::{new_token, token_hash};
use linli_server::backup::BackupSummary;
use linli_server::config::{
    BackupArgs, BenchLoadArgs, Cli, Command, CommunityArgs, ImportOsmArgs, LogFormat,
    Open311KeyArgs, RestoreArgs, ServeArgs, Settings,
};
use linli_server::http::{AppState, app};
use linli_server::{backup, db, import, seed, store};
use std::net::SocketAddr;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    // Before the runtime starts its threads: the allocator is tuned once, for all of them.
    linli_server::allocator::tune();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        Some(Command::Open311Key(args)) => return open311_key(args).await,
        Some(Command::BenchLoad(args)) => {
            init_tracing(LogFormat::Pretty);
            return bench_load(args).await;
        }
        Some(Command::ImportOsm(args)) => {
            init_tracing(LogFormat::Pretty);
            return import_osm(args).await;
        }
        Some(Command::Backup(args)) => return backup_command(args).await,
        Some(Command::Restore(args)) => return restore_command(args).await,
        Some(Command::Community(args)) => return community_command(args).await,
        None => cli.serve,
    };
    init_tracing(args.log_format);
    serve(args).await
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    args.tiles().map_err(anyhow::Error::msg)?;
    // Held until the process ends: one server per database, and no restore under it.
    let _hold = db::hold(&args.database_url).await?;
    let db = db::connect(&args.database_url).await?;
    let now = db::now();
    store::sessions::delete_expired(&db, now).await?;
    store::throttle::delete_older_than(&db, now - 24 * 3600).await?;

    if args.seed_demo && seed::is_empty(&db).await? {
        let report = seed::seed_demo_community(&db).await?;
        tracing::info!(
            households = report.households,
            users = report.users,
            facilities = report.facilities,
            topics = report.topics,
            "seeded the demo community"
        );
    }

    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    let addr = listener.local_addr()?;
    print_banner(&db, addr, args.seed_demo).await?;

    let state = AppState {
        db,
        settings: Arc::new(Settings::from(&args)),
        sessions: Default::default(),
        requests: Default::default(),
        ballots: Default::default(),
        walk: Default::default(),
        facilities: Default::default(),
        communities: Default::default(),
    };
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// `linli-server open311-key --name <client>`: the new key alone on stdout (for scripts), the
/// explanation on stderr. Only the key's hash is stored, so it cannot be shown again.
async fn open311_key(args: Open311KeyArgs) -> anyhow::Result<()> {
    let name = short_text("name", &args.name, 50)
        .ok()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!("--name must be 1 to 50 characters, without control characters")
        })?;
    let db = db::connect(&args.database_url).await?;
    let now = db::now();
    if args.revoke {
        let revoked = store::open311::revoke_clients(&db, &name, now).await?;
        if revoked == 0 {
            anyhow::bail!("no live Open311 key for {name:?}");
        }
        eprintln!("Revoked {revoked} Open311 key(s) of {name}.");
    } else {
        let key = new_token()?;
        let mut conn = db.acquire().await?;
        let id = store::open311::create_client(&mut conn, &name, &token_hash(&key), now).await?;
        eprintln!(
            "Open311 API key for {name} (client {id}). It is shown only now; Linli keeps only its hash."
        );
        println!("{key}");
    }
    Ok(())
}

/// `linli-server community`: the list, or one community's host name or staff changed.
async fn community_command(args: CommunityArgs) -> anyhow::Result<()> {
    let db = db::connect(&args.database_url).await?;
    let changes = args.host.is_some() || args.add_staff.is_some() || args.remove_staff.is_some();
    match args.id {
        None if changes => anyhow::bail!("say which community to change with --id"),
        None => {}
        Some(id) => {
            if let Some(host) = &args.host {
                store::community::set_host(&db, id, Some(host)).await?;
            }
            if let Some(phone) = &args.add_staff {
                store::community::set_staff(&db, id, phone, true).await?;
            }
            if let Some(phone) = &args.remove_staff {
                store::community::set_staff(&db, id, phone, false).await?;
            }
        }
    }
    for c in store::community::list(&db).await? {
        println!(
            "{}\t{}\t{}\tstaff: {}",
            c.id,
            c.name_zh,
            c.hostname
                .as_deref()
                .unwrap_or("(any address, when it is the only community)"),
            if c.staff.is_empty() {
                "none".to_owned()
            } else {
                c.staff.join(", ")
            }
        );
    }
    db.close().await;
    Ok(())
}

/// The benchmark's database: the demo community and `args.requests` more requests, written in
/// one transaction. Prints one line that `cargo xtask bench` shows.
async fn bench_load(args: BenchLoadArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let db = db::connect(&args.database_url).await?;
    if seed::is_empty(&db).await? {
        seed::seed_demo_community(&db).await?;
    }
    if args.communities > 1 {
        let copied = std::time::Instant::now();
        let ids = seed::load_bench_communities(&db, args.communities).await?;
        println!(
            "copied the demo community {} times in {:.1?}, served at {} to {}",
            ids.len() - 1,
            copied.elapsed(),
            seed::bench_host(1),
            seed::bench_host(ids.len())
        );
    }
    let seeded = started.elapsed();
    let loaded = seed::load_bench_requests(&db, args.requests, db::now()).await?;
    let (requests, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM service_requests), (SELECT COUNT(*) FROM request_events)",
    )
    .fetch_one(&db)
    .await?;
    println!(
        "loaded {loaded} requests in {:.1?} (demo seed {:.1?}); the database holds {requests} requests and {events} timeline entries",
        started.elapsed() - seeded,
        seeded
    );
    if args.facilities > 0 {
        let started = std::time::Instant::now();
        let added = seed::load_bench_facilities(&db, args.facilities).await?;
        println!("loaded {added} facilities in {:.1?}", started.elapsed());
    }
    if args.voters > 0 {
        let out = args
            .voters_out
            .ok_or_else(|| anyhow::anyhow!("--voters needs --voters-out <file>"))?;
        let started = std::time::Instant::now();
        let voters = seed::load_bench_voters(&db, args.voters, db::now()).await?;
        let mut text = format!("compound {}\n", voters.compound_id);
        for token in &voters.tokens {
            text.push_str(token);
            text.push('\n');
        }
        std::fs::write(&out, text)?;
        println!(
            "loaded {} signed-in voters in compound {} in {:.1?}; their session tokens are in {}",
            voters.tokens.len(),
            voters.compound_id,
            started.elapsed(),
            out.display()
        );
    }
    db.close().await;
    Ok(())
}

/// `linli-server backup --to <file>`: a checked copy of the database, the server running or not.
async fn backup_command(args: BackupArgs) -> anyhow::Result<()> {
    sqlite_only(&args.database_url, "backup")?;
    let summary = backup::backup(&args.database_url, &args.to).await?;
    println!("backed up to {}", args.to.display());
    print_backup(&summary);
    Ok(())
}

/// `linli-server restore --from <file>`: the database replaced by a checked copy, the server stopped.
async fn restore_command(args: RestoreArgs) -> anyhow::Result<()> {
    sqlite_only(&args.database_url, "restore")?;
    let (summary, kept) = backup::restore(&args.from, &args.database_url).await?;
    println!(
        "restored {} into {}",
        args.from.display(),
        args.database_url
    );
    print_backup(&summary);
    if let Some(kept) = kept {
        println!("the database it replaced is kept as {}", kept.display());
    }
    Ok(())
}

/// `backup` and `restore` copy a SQLite file; a PostgreSQL database has its own tools.
fn sqlite_only(url: &str, command: &str) -> anyhow::Result<()> {
    if db::Engine::of_url(url) == db::Engine::Postgres {
        anyhow::bail!(
            "`{command}` copies a SQLite file; back up a PostgreSQL database with pg_dump or \
             pg_basebackup and restore it with pg_restore (see README)"
        );
    }
    Ok(())
}

fn print_backup(s: &BackupSummary) {
    println!(
        "  integrity ok, schema {}, {} bytes: {} accounts, {} requests ({} photos), {} ballots",
        s.schema_version, s.bytes, s.users, s.requests, s.photos, s.ballots
    );
}

/// `linli-server import-osm --file <extract.osm.pbf>`: imports, then prints what it imported.
async fn import_osm(args: ImportOsmArgs) -> anyhow::Result<()> {
    // A running server keeps the walking network it read at start: import with it stopped.
    let _hold = db::hold(&args.database_url).await?;
    let db = db::connect(&args.database_url).await?;
    let report = import::import_osm(&db, &args.file, args.community).await?;
    if report.created_community {
        println!(
            "created community {} for {}",
            report.community_id,
            args.file.display()
        );
    }
    println!(
        "community {}: {} walking nodes, {} edges ({} highways left out as not walkable), {} facilities",
        report.community_id,
        report.walk_nodes,
        report.walk_edges,
        report.excluded_highways,
        report.facility_total()
    );
    for (category, count) in &report.facilities {
        println!("  {category:<26} {count}");
    }
    if report.rehooked > 0 {
        println!(
            "{} facilities and building doors not from the file now point at the nearest new node",
            report.rehooked
        );
    }
    db.close().await;
    Ok(())
}

/// What a person (and the browser tests) need to start: the address, the demo logins, and a
/// few unused binding codes. The `Linli is running at` line is parsed by the test harness.
async fn print_banner(db: &db::Db, addr: SocketAddr, demo: bool) -> anyhow::Result<()> {
    println!("Linli 邻里 is running at http://{addr}");
    if demo {
        println!("Demo logins:");
        for login in seed::DEMO_LOGINS {
            println!(
                "  {:<7} {}  password {}  {} / {}",
                login.role.as_str(),
                login.phone,
                login.password,
                login.who_zh,
                login.who_en
            );
        }
        println!(
            "Open311 demo API key: {} (POST /open311/v2/requests.json)",
            seed::DEMO_OPEN311_KEY
        );
        println!("Unused household binding codes:");
        for sample in seed::sample_unused_codes(db, 4).await? {
            println!(
                "  binding code {} {} ({}): {}",
                sample.address_zh,
                sample.address_en,
                sample.relation.as_str(),
                sample.code
            );
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
