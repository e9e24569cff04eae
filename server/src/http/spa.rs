//! Serving the built SPA: files from `dist/`, and `index.html` for every other path so that
//! a deep link (`/me/household`) survives a reload.
//!
//! The build writes each asset brotli- and gzip-compressed beside itself (`cargo xtask dist`),
//! so a phone on mobile data gets the smallest form at no cost per request. Assets whose names
//! carry the build's content hash never change under that name: they are cached for a year.
//! Everything else, `index.html` first (it names the current build's assets), is revalidated.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub fn service(dist: &Path) -> Router {
    if !dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %dist.display(),
            "the SPA is not built here: run `cargo xtask run` (or `cargo xtask dist`) to build it"
        );
    }
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_policy))
}

/// Sets how long a browser may keep what was served, and answers 404 for a missing file
/// instead of `index.html`: a page still running an old build that asks for its old wasm must
/// not be handed HTML (and cache it for a year).
async fn cache_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let served_index = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if served_index && names_a_file(&path) && !path.ends_with(".html") {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let ok = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if ok {
        let policy = if is_hashed_asset(&path) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether the path's last segment looks like a file name (`app.js`) rather than a route.
fn names_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// The build's hashed names: `linli-0123456789abcdef_bg.wasm`, `main-0123456789abcdef.css`,
/// `split_circle_tab_123-0123456789abcdef.wasm` (xtask/src/spa.rs). It writes 16 digits; 8 to 16
/// are taken, as builds made before it (with Trunk) dropped leading zeros. A name with fewer is
/// only revalidated, which is safe. `public/sw.js` has the same rule (`HASHED`).
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(i, _)| {
        let rest = &name.as_bytes()[i + 1..];
        let digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        (8..=16).contains(&digits) && matches!(rest.get(digits), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_the_build_hash_are_kept_for_a_year() {
        assert!(is_hashed_asset("/linli-c016dd31f973a23b_bg.wasm"));
        assert!(is_hashed_asset("/linli-c016dd31f973a23b.js"));
        assert!(is_hashed_asset("/main-1a1ead61be5a04e5.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/leaflet/leaflet.js"));
        assert!(!is_hashed_asset("/requests/new"));
        assert!(is_hashed_asset(
            "/split_circle_tab_4877066484612709101-d654ffa9fb1dbc35.wasm"
        ));
        assert!(is_hashed_asset("/chunk_12-d654ffa9fb1dbc35.wasm"));
        // Older builds dropped the hash's leading zeros.
        assert!(is_hashed_asset("/linli-9d66220ee8c3381_bg.wasm"));
        assert!(is_hashed_asset("/main-1a1ead61be5a04e.css"));
        assert!(!is_hashed_asset("/main-1a1ead61be5a04ez.css"));
        assert!(!is_hashed_asset("/main-1a1ead61be5a04e5a.css"));
        assert!(!is_hashed_asset("/icons/icon-192.png"));
    }

    #[test]
    fn routes_are_not_files() {
        assert!(names_a_file("/linli-c016dd31f973a23b.js"));
        assert!(!names_a_file("/me/household"));
        assert!(!names_a_file("/"));
    }
}
