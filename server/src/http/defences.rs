//! Web defences on every response: the security headers, with a Content-Security-Policy the
//! SPA runs under, and the refusal of state-changing API requests sent from another site.
//!
//! SameSite=Lax cookies already keep a session out of another site's POST in current
//! browsers; the Origin check below does not rely on that, and covers older browsers and a
//! sibling site under the same registrable domain (which SameSite counts as the same site).

use crate::config::Settings;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use linli_domain::ErrorCode;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::error::ApiError;

/// The headers every response carries, worked out once at start-up.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    /// For the SPA's pages and files (a service worker takes its policy from its own script's
    /// response, so the files get it too).
    app_policy: HeaderValue,
    /// For API answers: JSON and photos, which never run anything.
    api_policy: HeaderValue,
    /// Set when Linli is served over HTTPS: browsers then refuse plain HTTP to it for a year.
    strict_transport: bool,
}

/// What an API answer may do when opened as a page: nothing.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

impl SecurityHeaders {
    /// The policy for the SPA in `settings.dist`: its inline scripts are allowed by their
    /// SHA-256, so a script injected into a page is not run. A rebuilt `dist/` needs a restart,
    /// as its scripts' hashes change.
    pub fn new(settings: &Settings) -> Self {
        let index = std::fs::read_to_string(settings.dist.join("index.html")).unwrap_or_default();
        let tile_origin = settings.tiles.as_ref().and_then(|t| tile_origin(&t.url));
        let policy = app_policy(&inline_script_hashes(&index), tile_origin.as_deref());
        Self {
            app_policy: HeaderValue::from_str(&policy).unwrap_or_else(|_| {
                // Hashes are base64 and origins come from a checked URL: this cannot happen,
                // and if it did the strictest policy is the safe answer.
                HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
            }),
            api_policy: HeaderValue::from_static(API_POLICY),
            strict_transport: settings.secure_cookies,
        }
    }
}

/// The SPA's Content-Security-Policy. `'wasm-unsafe-eval'` lets the page compile its own
/// WebAssembly (it allows no JavaScript `eval`); inline style attributes stay allowed, as the
/// map library positions its layers with them.
fn app_policy(script_hashes: &[String], tile_origin: Option<&str>) -> String {
    let scripts: String = script_hashes
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    let tiles = tile_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{tiles}; \
         connect-src 'self'{tiles}; font-src 'self'; manifest-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of each inline script the page runs (`<script>` without `src`); data
/// blocks (`type="application/json"`) are not run, so they need none.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start + "<script".len()..];
        let Some(tag_end) = rest.find('>') else { break };
        let attributes = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(body_end) = rest.find("</script>") else {
            break;
        };
        let body = &rest[..body_end];
        rest = &rest[body_end..];
        let is_data = attributes.contains("application/json");
        if !attributes.contains("src=") && !is_data {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
    }
    hashes
}

/// The origin tiles are fetched from, as a CSP source: `None` for tiles served by Linli
/// itself (a path), `https://*.tile.example.org` for a `{s}` subdomain template.
fn tile_origin(template: &str) -> Option<String> {
    let (scheme, after) = template.split_once("://")?;
    let host = after.split(['/', '?', '#']).next()?;
    let host = match host.strip_prefix("{s}.") {
        Some(rest) => format!("*.{rest}"),
        None => host.to_owned(),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-:*".contains(c);
    (!host.is_empty() && host.chars().all(allowed) && matches!(scheme, "http" | "https"))
        .then(|| format!("{scheme}://{host}"))
}

/// Adds the security headers to every response.
pub async fn add_security_headers(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = is_api_path(request.uri().path());
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    let policy = if is_api {
        headers.api_policy.clone()
    } else {
        headers.app_policy.clone()
    };
    out.insert(header::CONTENT_SECURITY_POLICY, policy);
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Nothing of a resident's path (a request's number) goes to a tile server or a link.
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // For browsers older than `frame-ancestors`.
    out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    out.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // The map asks for the phone's position; nothing asks for the camera or microphone (a
    // photo is chosen through the file picker).
    out.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(self), camera=(), microphone=(), payment=()"),
    );
    if headers.strict_transport {
        out.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path.starts_with("/open311/")
}

/// Refuses a state-changing API request that a browser says came from another site's page.
/// Browsers send `Origin` with every such request (and `Sec-Fetch-Site` with most); a request
/// with neither comes from a program, which holds no resident's cookie by accident.
/// Open311 is left out: its clients are other servers, authenticated by key, not by cookie.
pub async fn refuse_cross_site_writes(
    State(public_origin): State<Option<Arc<str>>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if sent_from_elsewhere(request.headers(), public_origin.as_deref()) {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            "refused a cross-site write"
        );
        return ApiError::Status(axum::http::StatusCode::FORBIDDEN, ErrorCode::CrossOrigin)
            .into_response();
    }
    next.run(request).await
}

/// Whether the request's own headers show it was sent by another site's page: its `Origin`
/// is not ours (the configured public origin, or else the host it was sent to), or
/// `Sec-Fetch-Site` says so.
fn sent_from_elsewhere(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    match public_origin {
        Some(ours) => !origin.eq_ignore_ascii_case(ours.trim_end_matches('/')),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            // `Origin: null` (a sandboxed frame, a file) has no authority: refused.
            !matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_that_run_are_hashed() {
        let html = r#"<script src="/prefs.js"></script>
            <script type="application/json" id="routes">[1]</script>
            <script>run()</script>
            <script type="module">import x from '/x.js';</script>"#;
        let hashes = inline_script_hashes(html);
        let expected = |body: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()))
        };
        assert_eq!(
            hashes,
            vec![expected("run()"), expected("import x from '/x.js';")]
        );
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
    }

    #[test]
    fn the_policy_names_each_hash_and_the_tile_server() {
        let policy = app_policy(&["abc=".into()], Some("https://*.tile.example.org"));
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"));
        assert!(policy.contains("img-src 'self' data: blob: https://*.tile.example.org;"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-eval'") || policy.contains("wasm-unsafe-eval"));
    }

    #[test]
    fn tile_origins_are_taken_from_the_template() {
        assert_eq!(
            tile_origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.openstreetmap.org")
        );
        assert_eq!(
            tile_origin("http://tiles.local:8080/{z}/{x}/{y}.png").as_deref(),
            Some("http://tiles.local:8080")
        );
        assert_eq!(tile_origin("/tiles/{z}/{x}/{y}.png"), None);
        // Only the host is taken, and only if it cannot end the directive.
        assert_eq!(
            tile_origin("https://tiles.example/'; script-src *").as_deref(),
            Some("https://tiles.example")
        );
        assert_eq!(tile_origin("https://a.example;script-src/{z}"), None);
        assert_eq!(tile_origin("javascript://x/{z}"), None);
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn writes_from_our_own_pages_and_from_programs_pass() {
        let ours = headers(&[
            ("host", "linli.local:3000"),
            ("origin", "http://linli.local:3000"),
        ]);
        assert!(!sent_from_elsewhere(&ours, None));
        assert!(!sent_from_elsewhere(
            &headers(&[("host", "linli.local")]),
            None
        ));
        let same = headers(&[("host", "x"), ("sec-fetch-site", "same-origin")]);
        assert!(!sent_from_elsewhere(&same, None));
        let behind_proxy = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://linli.example.cn"),
        ]);
        assert!(!sent_from_elsewhere(
            &behind_proxy,
            Some("https://linli.example.cn/")
        ));
    }

    #[test]
    fn writes_from_other_sites_are_refused() {
        let other = headers(&[("host", "linli.local"), ("origin", "https://evil.example")]);
        assert!(sent_from_elsewhere(&other, None));
        assert!(sent_from_elsewhere(
            &headers(&[("host", "linli.local"), ("origin", "null")]),
            None
        ));
        let sibling = headers(&[("host", "linli.local"), ("sec-fetch-site", "same-site")]);
        assert!(sent_from_elsewhere(&sibling, None));
        let proxied = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(sent_from_elsewhere(
            &proxied,
            Some("https://linli.example.cn")
        ));
    }
}
