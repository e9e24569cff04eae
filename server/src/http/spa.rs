//! Serving the built SPA: files from `dist/`, and `index.html` for every other path so that
//! a deep link (`/me/household`) survives a reload.

use axum::http::{HeaderValue, header};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeader;

pub fn service(dist: &Path) -> ServeDir<SetResponseHeader<ServeFile, HeaderValue>> {
    if !dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %dist.display(),
            "the SPA is not built here: run `cargo xtask run` (or `cargo xtask dist`) to build it"
        );
    }
    // index.html names the hashed assets of the current build: always revalidate it.
    let index = SetResponseHeader::overriding(
        ServeFile::new(dist.join("index.html")),
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    ServeDir::new(dist).fallback(index)
}
