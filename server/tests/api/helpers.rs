//! The test harness: every test gets its own server on a random port, its own database, and
//! its own `dist/` with a recognisable `index.html`.
//!
//! The database is a SQLite file in the test's temp dir, or, when `LINLI_TEST_POSTGRES` names
//! a PostgreSQL server (`cargo xtask test` starts a throwaway one), a database of its own on
//! that server: the same tests run on both engines.

use linli_domain::{BindingCode, HouseholdRelation};
use linli_server::config::{Settings, ThrottleLimits};
use linli_server::db::{self, Db};
use linli_server::http::{AppState, app};
use linli_server::seed;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use tempfile::TempDir;

/// The body of the temp `dist/index.html`: the SPA fallback must answer with exactly this.
pub const INDEX_HTML: &str = "<!doctype html><html><head><title>Linli test</title></head><body>linli-test-index</body></html>\n";

/// A password that passes every rule and contains none of the numbers used in the tests.
pub const GOOD_PASSWORD: &str = "linli2026ok";

/// The session cookie's name (duplicated from the server on purpose: it is part of the API).
pub const COOKIE: &str = "linli_session";

/// The address every test request comes from, as the throttle records it.
pub const CLIENT_ADDR: &str = "127.0.0.1";

/// One running server, its database, and a browser (a cookie-keeping HTTP client) pointed at it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub db: Db,
    /// The SQLite database file, to look at its bytes; None on PostgreSQL.
    pub db_file: Option<std::path::PathBuf>,
    /// The main browser: keeps cookies like a real one.
    pub client: reqwest::Client,
    browser: Browser,
    _dir: TempDir,
}

impl Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// An HTTP client with its own cookie jar: a second browser is a second person.
#[derive(Clone)]
pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
}

/// A server over the demo community (codes, demo accounts, facilities).
pub async fn spawn_app() -> TestApp {
    spawn(true).await
}

/// A server over an empty (migrated) database: faster, for tests that need no community.
pub async fn spawn_app_unseeded() -> TestApp {
    spawn(false).await
}

/// Adds a bare community (no compounds, no households) to `app`'s database; its id.
pub async fn add_community(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO communities (name_zh, name_en, city_zh, city_en, district_zh, district_en,
                                  street_office_zh, street_office_en, center_lat, center_lon)
         VALUES ('社区', 'Community', '市', 'City', '区', 'District', '街道', 'Street', 30.3, 120.1)
         RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .expect("add a community")
}

/// A server over the demo community with limits of the test's own.
pub async fn spawn_app_with_limits(throttle: ThrottleLimits) -> TestApp {
    spawn_with(true, throttle).await
}

async fn spawn(seeded: bool) -> TestApp {
    spawn_with(seeded, ThrottleLimits::default()).await
}

async fn spawn_with(seeded: bool, throttle: ThrottleLimits) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db::scratch(dir.path())
        .await
        .expect("open the test database");
    let db_file = (db::engine(&db) == db::Engine::Sqlite).then(|| dir.path().join("linli.db"));
    if seeded {
        seed::seed_demo_community(&db)
            .await
            .expect("seed the demo community");
    }
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).expect("create dist/");
    std::fs::write(dist.join("index.html"), INDEX_HTML).expect("write index.html");

    let state = AppState {
        db: db.clone(),
        settings: Arc::new(Settings {
            dist,
            secure_cookies: false,
            trust_proxy: false,
            public_origin: None,
            throttle,
            cosign_threshold: 3,
            tiles: None,
        }),
        sessions: Default::default(),
        requests: Default::default(),
        ballots: Default::default(),
        walk: Default::default(),
        facilities: Default::default(),
        communities: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let port = listener.local_addr().expect("local addr").port();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    let address = format!("http://127.0.0.1:{port}");
    let browser = Browser::new(&address);
    TestApp {
        client: browser.client.clone(),
        address,
        db,
        browser,
        db_file,
        _dir: dir,
    }
}

/// A client without a cookie jar: it sends exactly the headers it is given.
/// A tiny valid PNG, as a phone might send.
pub fn tiny_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::new(4, 4)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encode a png");
    bytes
}

pub fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client")
}

impl TestApp {
    /// The `dist/` the server serves the SPA from.
    pub fn dist(&self) -> std::path::PathBuf {
        self._dir.path().join("dist")
    }

    /// Another browser (its own cookies) on the same server, i.e. another person.
    pub fn new_browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// A browser that reaches the server by the host name `host` (as a city's Linli serves
    /// each community at its own), without needing that name in DNS.
    pub fn browser_at(&self, host: &str) -> Browser {
        let addr: SocketAddr = self
            .address
            .trim_start_matches("http://")
            .parse()
            .expect("the test server's socket address");
        Browser {
            address: format!("http://{host}:{}", addr.port()),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .no_proxy()
                .resolve(host, addr)
                .build()
                .expect("http client"),
        }
    }

    /// Gives a community the host name it is served at.
    pub async fn name_host(&self, community: i64, host: &str) {
        sqlx::query("UPDATE communities SET hostname = $1 WHERE id = $2")
            .bind(host)
            .bind(community)
            .execute(&self.db)
            .await
            .expect("name a community's host");
    }

    /// An unused binding code granting `relation`, with its household id (from the seed).
    pub async fn unused_code(&self, relation: HouseholdRelation) -> (i64, BindingCode) {
        let sample = seed::sample_unused_codes(&self.db, 200)
            .await
            .expect("sample codes")
            .into_iter()
            .find(|s| s.relation == relation)
            .expect("an unused code of that relation");
        (sample.household_id, sample.code)
    }

    /// A household whose owner and member codes are both unused: (household, owner, member).
    pub async fn household_with_both_codes(&self) -> (i64, BindingCode, BindingCode) {
        let household_id: i64 = sqlx::query_scalar(
            "SELECT household_id FROM binding_codes WHERE used_at IS NULL
             GROUP BY household_id HAVING COUNT(*) = 2 ORDER BY household_id LIMIT 1",
        )
        .fetch_one(&self.db)
        .await
        .expect("a household with both codes unused");
        let code = |relation: &'static str| {
            let db = self.db.clone();
            async move {
                let raw: String = sqlx::query_scalar(
                    "SELECT code FROM binding_codes WHERE household_id = $1 AND relation = $2",
                )
                .bind(household_id)
                .bind(relation)
                .fetch_one(&db)
                .await
                .expect("code");
                BindingCode::parse(&raw).expect("stored codes are valid")
            }
        };
        (household_id, code("owner").await, code("member").await)
    }

    /// The id of the account with this (normalised) number.
    pub async fn user_id(&self, phone: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(phone)
            .fetch_one(&self.db)
            .await
            .expect("user row")
    }

    /// `SELECT COUNT(*) FROM <table> [WHERE <filter>]`, for asserting what was written.
    pub async fn count(&self, table: &str, filter: &str) -> i64 {
        let sql = if filter.is_empty() {
            format!("SELECT COUNT(*) FROM {table}")
        } else {
            format!("SELECT COUNT(*) FROM {table} WHERE {filter}")
        };
        sqlx::query_scalar(&sql)
            .fetch_one(&self.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Failed guesses (logins and binding codes) recorded for throttling, of any subject.
    pub async fn failed_guesses(&self) -> i64 {
        self.count(
            "throttle_events",
            "scope LIKE 'login%' OR scope LIKE 'binding%'",
        )
        .await
    }

    /// Recorded failures of a throttle scope for a subject.
    pub async fn failures(&self, scope: &str, subject: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM throttle_events WHERE scope = $1 AND subject = $2")
            .bind(scope)
            .bind(subject)
            .fetch_one(&self.db)
            .await
            .expect("count failures")
    }
}

impl Browser {
    fn new(address: &str) -> Self {
        Self {
            address: address.to_owned(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .no_proxy()
                .build()
                .expect("http client"),
        }
    }

    /// `/api/v1` + `path`
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// A path of the site itself (for the SPA and non-v1 paths).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.api(path))
            .send()
            .await
            .expect("GET request")
    }

    /// `body` as JSON in the part `body`, and each `(media type, bytes)` as a `photo` part.
    pub async fn post_with_photos(
        &self,
        path: &str,
        body: &Value,
        photos: &[(&str, Vec<u8>)],
    ) -> Response {
        let mut form = reqwest::multipart::Form::new().text("body", body.to_string());
        for (i, (media_type, bytes)) in photos.iter().enumerate() {
            let part = reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(format!("photo{i}"))
                .mime_str(media_type)
                .expect("media type");
            form = form.part("photo", part);
        }
        self.client
            .post(self.api(path))
            .multipart(form)
            .send()
            .await
            .expect("POST request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.api(path))
            .json(body)
            .send()
            .await
            .expect("POST request")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(self.api(path))
            .json(body)
            .send()
            .await
            .expect("PUT request")
    }

    pub async fn register(&self, phone: &str, password: &str) -> Response {
        self.post_json(
            "/auth/register",
            &json!({ "phone": phone, "password": password, "privacy_consent": true }),
        )
        .await
    }

    /// Registers and checks it worked: returns the new account as `Me` JSON.
    pub async fn register_ok(&self, phone: &str) -> Value {
        let resp = self.register(phone, GOOD_PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "register {phone}");
        resp.json().await.expect("Me JSON")
    }

    pub async fn login(&self, phone: &str, password: &str) -> Response {
        self.post_json(
            "/auth/login",
            &json!({ "phone": phone, "password": password }),
        )
        .await
    }

    pub async fn logout(&self) -> Response {
        self.client
            .post(self.api("/auth/logout"))
            .send()
            .await
            .expect("logout request")
    }

    pub async fn me(&self) -> Response {
        self.get("/me").await
    }

    pub async fn bind(&self, code: &str) -> Response {
        self.post_json("/me/households", &json!({ "code": code }))
            .await
    }
}

/// The value of the session cookie this response sets (from its raw `Set-Cookie` header).
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    set_cookie_header(headers).and_then(|raw| {
        let pair = raw.split(';').next()?;
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_owned())
    })
}

/// The raw `Set-Cookie` header for the session cookie, attributes included.
pub fn set_cookie_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.trim_start().starts_with(&format!("{COOKIE}=")))
        .map(str::to_owned)
}

/// `GET /api/v1/me` with exactly this session token and no other cookie.
pub async fn me_with_token(app: &TestApp, token: &str) -> Response {
    bare_client()
        .get(app.api("/me"))
        .header(reqwest::header::COOKIE, format!("{COOKIE}={token}"))
        .send()
        .await
        .expect("GET /me")
}

/// The response's media type, or "" when it has none.
pub fn content_type(resp: &Response) -> String {
    resp.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Checks a problem+json answer: status, media type, the RFC 9457 members, and the reason.
/// `code` is the overall `code`, or (for validation problems, which have one entry per refused
/// field and no overall code) a code among `errors`. Returns the body for further checks.
pub async fn assert_problem(resp: Response, status: u16, code: &str) -> Value {
    let url = resp.url().clone();
    assert_eq!(resp.status().as_u16(), status, "status of {url}");
    let content_type = content_type(&resp);
    assert!(
        content_type.starts_with("application/problem+json"),
        "{url}: content-type {content_type:?}"
    );
    let text = resp.text().await.expect("body");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"));
    assert_eq!(body["status"], json!(status), "{url}: {body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problems/")),
        "{url}: type in {body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{url}: title in {body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{url}: detail in {body}"
    );
    let field_codes = field_codes(&body);
    match body.get("code") {
        Some(overall) => assert_eq!(overall, &json!(code), "{url}: {body}"),
        None => assert!(
            field_codes.iter().any(|c| c == code),
            "{url}: no overall code and {code} not among the field errors: {body}"
        ),
    }
    body
}

/// The `code` of each entry of a problem's `errors`.
pub fn field_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The `(field, code)` pairs of a validation problem, sorted.
pub fn field_errors(body: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    pairs
}

/// The `Retry-After` header in seconds; panics when it is missing or not a number.
pub fn retry_after(headers: &HeaderMap) -> i64 {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a numeric Retry-After header")
}
