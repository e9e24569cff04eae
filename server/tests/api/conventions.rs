//! What holds for every endpoint: problem+json errors, language negotiation, the OpenAPI
//! document, health, and the SPA served beside the API.

use crate::helpers::{
    INDEX_HTML, assert_problem, bare_client, content_type, field_errors, spawn_app_unseeded,
};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, ACCEPT_LANGUAGE, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE,
};
use serde_json::{Value, json};

const ZH_CN: &str = include_str!("../../../locales/zh-CN.json");
const EN: &str = include_str!("../../../locales/en.json");

fn locale(source: &str) -> Value {
    serde_json::from_str(source).expect("locale file parses")
}

#[tokio::test]
async fn unknown_api_routes_are_404_problems() {
    let app = spawn_app_unseeded().await;
    for path in ["/whatever", "/auth/nope", "/me/households/1/extra", ""] {
        let resp = app.get(path).await;
        assert_problem(resp, 404, "not_found").await;
    }
    let resp = app.post_json("/no-such-thing", &json!({ "a": 1 })).await;
    assert_problem(resp, 404, "not_found").await;
}

/// "Unknown /api paths → 404 problem": a JSON client that calls a wrong version or forgets the
/// version must get a problem, not the SPA's HTML with 200.
#[tokio::test]
async fn api_paths_outside_v1_are_404_problems_not_the_spa() {
    let app = spawn_app_unseeded().await;
    let mut wrong = Vec::new();
    for path in ["/api", "/api/", "/api/v2/health", "/api/health", "/api/v1/"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        let content_type = content_type(&resp);
        if status != 404 || !content_type.starts_with("application/problem+json") {
            wrong.push(format!("GET {path} -> {status} {content_type}"));
        }
    }
    assert!(wrong.is_empty(), "not 404 problems: {wrong:#?}");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app_unseeded().await;

    let resp = app.get("/auth/login").await;

    let allow = resp
        .headers()
        .get(ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(allow.contains("POST"), "Allow: {allow:?}");
    assert_problem(resp, 405, "method_not_allowed").await;

    let resp = app
        .client
        .delete(app.api("/community"))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let app = spawn_app_unseeded().await;

    let resp = app
        .client
        .post(app.api("/auth/register"))
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"phone":"13812345678","password":"linli2026ok"}"#)
        .send()
        .await
        .unwrap();

    assert_problem(resp, 415, "unsupported_media_type").await;
    assert_eq!(app.count("users", "").await, 0);

    // No content type at all is the same.
    let resp = app
        .client
        .post(app.api("/auth/login"))
        .body("phone=13812345678")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app_unseeded().await;
    let bodies = [
        r#"{"phone": "13812345678", "password": "#,   // cut short
        r#"{"phone": "13812345678"}"#,                // a required member missing
        r#"{"phone": 13812345678, "password": "x"}"#, // a member of the wrong type
        "[]",
    ];
    for body in bodies {
        let resp = app
            .client
            .post(app.api("/auth/register"))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(resp, 400, "malformed_body").await;
        assert!(problem["errors"].is_null(), "{problem}");
    }
    assert_eq!(app.count("users", "").await, 0);
}

#[tokio::test]
async fn a_body_over_64_kib_is_a_413_problem() {
    let app = spawn_app_unseeded().await;
    let big = json!({
        "phone": "13812345678",
        "password": "linli2026ok",
        "display_name": "x".repeat(70 * 1024),
    });

    let resp = app.post_json("/auth/register", &big).await;

    assert_problem(resp, 413, "body_too_large").await;
    assert_eq!(app.count("users", "").await, 0);
}

#[tokio::test]
async fn messages_are_chinese_by_default_and_english_on_request() {
    let app = spawn_app_unseeded().await;
    let (zh, en) = (locale(ZH_CN), locale(EN));
    let bad = json!({ "phone": "12345", "password": "abc12", "privacy_consent": true });
    let send = |lang: Option<&'static str>| {
        let mut request = app.client.post(app.api("/auth/register")).json(&bad);
        if let Some(lang) = lang {
            request = request.header(ACCEPT_LANGUAGE, lang);
        }
        request.send()
    };

    let default = assert_problem(send(None).await.unwrap(), 422, "phone_invalid").await;
    let chinese = assert_problem(
        send(Some("zh-CN,zh;q=0.9")).await.unwrap(),
        422,
        "phone_invalid",
    )
    .await;
    let english = assert_problem(send(Some("en")).await.unwrap(), 422, "phone_invalid").await;
    let english_us = assert_problem(
        send(Some("en-US,en;q=0.9")).await.unwrap(),
        422,
        "phone_invalid",
    )
    .await;

    assert_eq!(default, chinese);
    assert_eq!(english, english_us);
    assert_eq!(
        field_errors(&default),
        vec![
            ("password".to_owned(), "password_too_short".to_owned()),
            ("phone".to_owned(), "phone_invalid".to_owned()),
        ]
    );
    for (body, table) in [(&default, &zh), (&english, &en)] {
        for error in body["errors"].as_array().unwrap() {
            let code = error["code"].as_str().unwrap();
            assert_eq!(error["message"], table["errors"][code], "{code} in {body}");
        }
        assert_eq!(
            body["title"], table["problem_titles"]["status_422"],
            "{body}"
        );
        // The overall sentence is the first refused field's.
        assert_eq!(body["detail"], body["errors"][0]["message"]);
    }
    assert_ne!(
        default["errors"][0]["message"],
        english["errors"][0]["message"]
    );
    assert_ne!(default["title"], english["title"]);

    // Errors outside validation follow the language too.
    let resp = app
        .client
        .get(app.api("/me"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 401, "unauthorized").await;
    assert_eq!(problem["detail"], en["errors"]["unauthorized"]);
    let problem = assert_problem(app.me().await, 401, "unauthorized").await;
    assert_eq!(problem["detail"], zh["errors"]["unauthorized"]);

    // So do the errors axum produces itself (here a 405).
    let resp = app
        .client
        .get(app.api("/auth/login"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 405, "method_not_allowed").await;
    assert_eq!(problem["detail"], en["errors"]["method_not_allowed"]);
    assert_eq!(problem["title"], en["problem_titles"]["status_405"]);
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_endpoint() {
    let app = spawn_app_unseeded().await;

    let resp = app.get("/openapi.json").await;

    assert_eq!(resp.status(), StatusCode::OK);
    let doc: Value = resp.json().await.unwrap();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "openapi {version:?}");
    let paths = doc["paths"].as_object().expect("paths");
    let expected = [
        ("/api/v1/health", "get"),
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/session", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/households", "post"),
        ("/api/v1/community", "get"),
        ("/api/v1/consultations/{id}/result.csv", "get"),
        ("/api/v1/consultations/{id}/updates", "post"),
        ("/api/v1/consultations/{id}/rating", "put"),
        ("/api/v1/map/base", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented; paths: {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        doc["components"]["securitySchemes"]["session"].is_object(),
        "the session cookie is documented"
    );
    for schema in [
        "Problem",
        "Me",
        "Membership",
        "CommunityOverview",
        "NewFollowUp",
        "NewRating",
        "RatingSummary",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema}"
        );
    }
}

#[tokio::test]
async fn health_reports_ok() {
    let app = spawn_app_unseeded().await;

    let resp = app.get("/health").await;

    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn app_paths_get_the_spa_but_api_paths_never_do() {
    let app = spawn_app_unseeded().await;
    for path in ["/", "/consultations", "/me/household", "/login?next=%2Fme"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let content_type = content_type(&resp);
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        assert_eq!(resp.text().await.unwrap(), INDEX_HTML, "{path}");
    }

    let resp = app.get("/whatever").await;
    let body = assert_problem(resp, 404, "not_found").await;
    assert!(!body.to_string().contains("linli-test-index"));
}

#[tokio::test]
async fn assets_go_out_compressed_and_cached_by_their_hash() {
    let app = spawn_app_unseeded().await;
    let dist = app.dist();
    let wasm = "linli-0123456789abcdef_bg.wasm";
    std::fs::write(dist.join(wasm), b"\0asm plain").unwrap();
    std::fs::write(dist.join(format!("{wasm}.br")), b"brotli form").unwrap();
    std::fs::write(dist.join(format!("{wasm}.gz")), b"gzip form").unwrap();
    std::fs::write(dist.join("favicon.ico"), b"icon").unwrap();
    let fetch = |path: &str, accept: &str| {
        bare_client()
            .get(app.url(path))
            .header(ACCEPT_ENCODING, accept)
            .send()
    };
    let header = |resp: &reqwest::Response, name| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };

    for (accept, encoding, body) in [
        ("gzip, deflate, br", "br", "brotli form"),
        ("gzip", "gzip", "gzip form"),
        ("identity", "", "\0asm plain"),
    ] {
        let resp = fetch(&format!("/{wasm}"), accept).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{accept}");
        assert_eq!(header(&resp, CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(
            header(&resp, CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(resp.text().await.unwrap(), body);
    }

    // Names without the build's hash, index.html first, are revalidated.
    for path in ["/favicon.ico", "/", "/index.html", "/me/household"] {
        let resp = fetch(path, "br").await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&resp, CACHE_CONTROL), "no-cache", "{path}");
    }

    // An old build's asset is gone: 404, never index.html cached for a year.
    let resp = fetch("/linli-fedcba9876543210_bg.wasm", "br")
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(header(&resp, CACHE_CONTROL).is_empty());
    assert!(!resp.text().await.unwrap().contains("linli-test-index"));

    // API answers are compressed on the fly for clients that accept it.
    let resp = fetch("/api/v1/openapi.json", "gzip").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header(&resp, CONTENT_ENCODING), "gzip");
    let resp = fetch("/api/v1/openapi.json", "identity").await.unwrap();
    assert_eq!(header(&resp, CONTENT_ENCODING), "");
    assert!(resp.text().await.unwrap().contains("\"openapi\""));
}
