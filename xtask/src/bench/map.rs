//! `cargo xtask bench map`: how soon the 服务圈 page shows its map on the demo data. Builds the
//! release SPA and the release server, then runs `tests/browser/bench/map-first-render.mjs`
//! in headless Chromium, which prints the figures (first paint, first marker, walking areas
//! drawn; plain and with the CPU slowed 4×). `--loads N` (15) cold loads per setting.

use super::{build_server, target_dir};
use crate::tools::{self, Toolchain};
use crate::{Result, root, spa, step};

pub fn run(args: &[String]) -> Result<()> {
    let loads = match args {
        [] => 15,
        [flag, n] if flag == "--loads" => n
            .parse::<u32>()
            .map_err(|_| format!("--loads wants a number, not {n:?}"))?,
        _ => return Err("usage: cargo xtask bench map [--loads N]".into()),
    };
    let tools = Toolchain::ensure(&root())?;
    let chromium = tools::ensure_chromium()?;
    spa::build(&tools)?;
    build_server()?;
    step("Loading the 服务圈 page in headless Chromium");
    tools.run(
        tools
            .command("node")
            .arg(root().join("tests/browser/bench/map-first-render.mjs"))
            .env(
                "LINLI_SERVER_BIN",
                target_dir().join("server-release/linli-server"),
            )
            .env("LINLI_DIST", root().join("dist"))
            .env("LINLI_SCREENSHOTS", root().join("target/screenshots"))
            .env("LINLI_CHROMIUM", chromium)
            .env("LOADS", loads.to_string()),
        "the map benchmark",
    )
}
