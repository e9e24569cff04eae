//! `cargo xtask size`: the raw and gzip (level 9) size of each asset in `dist/`, and of what a
//! first visit downloads (the HTML, scripts, wasm and styles). A benchmark: it prints figures
//! for BENCHMARKS.md and asserts nothing.

use crate::Result;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::Path;

pub fn report(dist: &Path) -> Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e} (build it first: cargo xtask dist)", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let (mut first_raw, mut first_gzip) = (0, 0);
    println!("{:<44} {:>10} {:>10}", "asset", "raw B", "gzip B");
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let gzip = gzip_len(&bytes)?;
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        println!("{name:<44} {:>10} {gzip:>10}", bytes.len());
        if is_first_load(&name) {
            first_raw += bytes.len();
            first_gzip += gzip;
        }
    }
    println!(
        "{:<44} {first_raw:>10} {first_gzip:>10}",
        "first load (html + js + wasm + css)"
    );
    Ok(())
}

fn is_first_load(name: &str) -> bool {
    [".html", ".js", ".wasm", ".css"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len())
}
