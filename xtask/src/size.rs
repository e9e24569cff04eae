//! The SPA's assets compressed at build time, and `cargo xtask size`: the raw, gzip and brotli
//! size of each asset in `dist/`, and of what a first visit downloads (the HTML, scripts, wasm
//! and styles at the top of `dist/`; Leaflet under `dist/leaflet/` loads only with a map). A
//! benchmark: it prints figures for BENCHMARKS.md and asserts nothing.

use crate::Result;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What is worth compressing: text and wasm (images and fonts are compressed already).
const COMPRESSIBLE: [&str; 7] = [".html", ".js", ".wasm", ".css", ".svg", ".json", ".ico"];

/// Writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip, level 9) beside each compressible
/// asset of `dist`, for the server to send as they are: the best compression costs seconds
/// once at build time instead of time on every request.
pub fn precompress(dist: &Path) -> Result<()> {
    for path in files(dist)? {
        let name = path.to_string_lossy();
        if !COMPRESSIBLE.iter().any(|ext| name.ends_with(ext)) {
            continue;
        }
        let bytes = read(&path)?;
        let write = |ext: &str, data: Vec<u8>| {
            let mut out = path.clone().into_os_string();
            out.push(ext);
            std::fs::write(&out, data).map_err(|e| format!("{}: {e}", path.display()))
        };
        write(".br", brotli_bytes(&bytes)?)?;
        write(".gz", gzip_bytes(&bytes)?)?;
    }
    Ok(())
}

pub fn report(dist: &Path) -> Result<()> {
    let files = files(dist).map_err(|e| format!("{e} (build it first: cargo xtask dist)"))?;
    let (mut first_raw, mut first_gzip, mut first_br) = (0, 0, 0);
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        "asset", "raw B", "gzip B", "brotli B"
    );
    for path in files {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let bytes = read(&path)?;
        let gzip = gzip_bytes(&bytes)?.len();
        let br = brotli_bytes(&bytes)?.len();
        println!("{name:<52} {:>10} {gzip:>10} {br:>10}", bytes.len());
        if is_first_load(&name) {
            first_raw += bytes.len();
            first_gzip += gzip;
            first_br += br;
        }
    }
    println!(
        "{:<52} {first_raw:>10} {first_gzip:>10} {first_br:>10}",
        "first load (html + js + wasm + css)"
    );
    Ok(())
}

fn is_first_load(name: &str) -> bool {
    !name.contains('/')
        && [".html", ".js", ".wasm", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn gzip_bytes(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

fn brotli_bytes(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}
