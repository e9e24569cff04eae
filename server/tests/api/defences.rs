//! Web defences: security headers on every response, and state-changing requests refused when
//! a browser says another site's page sent them.

use crate::helpers::{GOOD_PASSWORD, assert_problem, bare_client, spawn_app_unseeded};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, ORIGIN};
use serde_json::json;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app_unseeded().await;
    let pages = ["/", "/requests/new", "/no-such-file.js"];
    let api = ["/api/v1/health", "/api/v1/me", "/api/v1/nothing-here"];
    for path in pages.iter().chain(&api) {
        let resp = bare_client().get(app.url(path)).send().await.unwrap();
        let headers = resp.headers();
        assert_eq!(
            header(headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(headers, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
        let policy = header(headers, "content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        if api.contains(path) {
            assert!(policy.starts_with("default-src 'none'"), "{path}: {policy}");
        } else {
            assert!(
                policy.contains("script-src 'self' 'wasm-unsafe-eval'")
                    && policy.contains("object-src 'none'")
                    && !policy.contains("'unsafe-eval'"),
                "{path}: {policy}"
            );
        }
        // Served over plain HTTP here: no promise of HTTPS.
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
    }
}

#[tokio::test]
async fn a_write_from_another_site_is_refused_and_changes_nothing() {
    let app = spawn_app_unseeded().await;
    let register =
        json!({ "phone": "13812345678", "password": GOOD_PASSWORD, "privacy_consent": true });

    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let resp = bare_client()
            .post(app.api("/auth/register"))
            .header(name, value)
            .json(&register)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(resp, 403, "cross_origin").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("其他网站"),
            "{problem}"
        );
        assert_eq!(app.count("users", "").await, 0, "{name}: {value}");
    }

    // The same request from Linli's own page, and from a program that sends no Origin.
    let resp = bare_client()
        .post(app.api("/auth/register"))
        .header(ORIGIN, &app.address)
        .header("sec-fetch-site", "same-origin")
        .json(&register)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = app.login("13812345678", GOOD_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);

    // A signed-in resident's cookie does not carry another site's logout-everywhere either.
    let resp = app
        .client
        .post(app.api("/auth/logout-everywhere"))
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "cross_origin").await;
    assert_eq!(app.me().await.status(), StatusCode::OK);

    // Reading is not refused: a link from elsewhere still opens.
    let resp = bare_client()
        .get(app.api("/health"))
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}
