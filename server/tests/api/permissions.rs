//! The permission matrix: every operation of the served OpenAPI document, called as a visitor,
//! another resident, the resident who owns the objects, staff and an admin, against a table of
//! expected outcomes. An operation missing from the table fails the test, as does a row for an
//! operation that no longer exists. Every answer is then searched for what its reader must not
//! see: the resident's phone number and name (staff see the number only where they open it on
//! purpose), a secret ballot's receipt, a hidden tally.
//!
//! The rows run in order, each role in turn, through a consultation's whole life (proposal,
//! review, an open secret vote, the close), so that each call is one the role could really
//! make. A write "passes" authorisation when it is answered with anything but 401, 403 or 404:
//! a 409 or 422 after the permission check is still a permission granted. A read passes only
//! with 2xx.

use crate::consultations::{OWNER, building_of_owner, lift};
use crate::helpers::{Browser, TestApp, spawn_app, tiny_png};
use crate::requests::{STAFF, repair, signed_in};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const OTHER: &str = "13900000002";
const ADMIN: &str = "13800000001";
const OWNER_NAME: &str = "王建国";

/// Who calls, in the order each row is tried.
const ROLES: [&str; 5] = ["visitor", "other resident", "resident", "staff", "admin"];

/// The outcome of one call: `+` done (2xx); refused by permission: `U` 401 (not signed in),
/// `F` 403, `N` 404 (not shown to this reader); let through the permission check and then
/// refused: `C` 409 (not in this state, or not in scope), `V` 422 (a field refused).
fn outcome(status: u16) -> char {
    match status {
        200..=299 => '+',
        401 => 'U',
        403 => 'F',
        404 => 'N',
        409 => 'C',
        422 => 'V',
        _ => '?',
    }
}

enum Body {
    None,
    Json(Value),
    /// A consultation document: a one-page PDF with its title.
    Document,
}

struct Row {
    method: Method,
    /// As in the document, below `/api/v1`.
    path: &'static str,
    query: &'static str,
    body: Body,
    /// One outcome per role, in `ROLES` order, separated by spaces: "U N + + +".
    expected: &'static str,
}

fn row(method: Method, path: &'static str, expected: &'static str) -> Row {
    Row {
        method,
        path,
        query: "",
        body: Body::None,
        expected,
    }
}

fn with(method: Method, path: &'static str, body: Value, expected: &'static str) -> Row {
    Row {
        body: Body::Json(body),
        ..row(method, path, expected)
    }
}

/// The objects the rows act on, all the resident's but the facility.
struct Fixture {
    request: i64,
    photo: i64,
    topic: i64,
    comment: i64,
    document: i64,
    facility: i64,
}

impl Fixture {
    fn path(&self, template: &str) -> String {
        let id = if template.starts_with("/requests/") || template.starts_with("/staff/requests/") {
            self.request
        } else if template.starts_with("/photos/") {
            self.photo
        } else if template.starts_with("/consultations/") {
            self.topic
        } else {
            self.facility
        };
        template
            .replace("{id}", &id.to_string())
            .replace("{comment_id}", &self.comment.to_string())
            .replace("{document_id}", &self.document.to_string())
    }
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

async fn call(browser: &Browser, row: &Row, path: &str) -> (u16, String) {
    let url = format!("{}{}", browser.api(path), row.query);
    let request = browser.client.request(row.method.clone(), url);
    let request = match &row.body {
        Body::None => request,
        Body::Json(body) => request.json(body),
        Body::Document => request.multipart(
            reqwest::multipart::Form::new()
                .text("title", "电梯报价单")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(pdf()).file_name("quote.pdf"),
                ),
        ),
    };
    let resp = request.send().await.expect("send");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

async fn fixture(app: &TestApp, resident: &Browser, staff: &Browser) -> Fixture {
    let mut hidden = repair("楼道灯坏了");
    hidden["hide_name"] = json!(true);
    // Staff may open the number: the resident agreed to be called.
    hidden["contact"] = json!("phone");
    let resp = resident
        .post_with_photos("/requests", &hidden, &[("image/png", tiny_png())])
        .await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    let request = created["summary"]["id"].as_i64().expect("request id");
    let photo: i64 = sqlx::query_scalar("SELECT id FROM request_photos WHERE request_id = $1")
        .bind(request)
        .fetch_one(&app.db)
        .await
        .unwrap();

    let building = building_of_owner(app).await;
    let resp = resident.post_json("/consultations", &lift(building)).await;
    assert_eq!(resp.status(), 201);
    let topic = resp.json::<Value>().await.unwrap()["summary"]["id"]
        .as_i64()
        .expect("topic id");
    let comments = format!("/consultations/{topic}/comments");
    let resp = resident
        .post_json(
            &comments,
            &json!({ "body": "支持加装，但要先算清楚费用分摊。" }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let comment: i64 = sqlx::query_scalar("SELECT MAX(id) FROM topic_comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let resp = staff
        .client
        .post(staff.api(&format!("/consultations/{topic}/documents")))
        .multipart(
            reqwest::multipart::Form::new()
                .text("title", "加装电梯方案")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(pdf()).file_name("plan.pdf"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let document: i64 = sqlx::query_scalar("SELECT MAX(id) FROM topic_documents")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let facility: i64 = sqlx::query_scalar("SELECT MIN(id) FROM facilities")
        .fetch_one(&app.db)
        .await
        .unwrap();
    Fixture {
        request,
        photo,
        topic,
        comment,
        document,
        facility,
    }
}

/// The table, in the order the calls are made.
fn table(facility: Value, closes_at: i64) -> Vec<Row> {
    use Method as M;
    let vote = json!({ "question": "是否同意加装电梯？", "electorate": "households",
        "rule": { "kind": "simple_majority" }, "secret": true, "live_tally": false,
        "closes_at": closes_at });
    vec![
        // Public reads.
        row(M::GET, "/health", "+ + + + +"),
        row(M::GET, "/community", "+ + + + +"),
        row(M::GET, "/community/map", "+ + + + +"),
        row(M::GET, "/map/base", "+ + + + +"),
        row(M::GET, "/map/network", "+ + + + +"),
        row(M::GET, "/facilities", "+ + + + +"),
        row(M::GET, "/facilities/{id}", "+ + + + +"),
        Row {
            query: "?lat=30.3131&lon=120.1391",
            ..row(M::GET, "/walk", "+ + + + +")
        },
        row(M::GET, "/requests/categories", "+ + + + +"),
        row(M::GET, "/requests/figures", "+ + + + +"),
        row(M::GET, "/requests/public", "+ + + + +"),
        row(M::GET, "/auth/session", "+ + + + +"),
        row(M::GET, "/consultations", "+ + + + +"),
        row(
            M::GET,
            "/consultations/documents/{document_id}",
            "+ + + + +",
        ),
        // The signed-in resident's own.
        row(M::GET, "/me", "U + + + +"),
        row(M::GET, "/me/requests", "U + + + +"),
        row(M::GET, "/me/data", "U + + + +"),
        with(
            M::PATCH,
            "/me",
            json!({ "display_name": "邻里用户" }),
            "U + + + +",
        ),
        // A wrong password: everyone signed in may ask, and nobody is deleted.
        with(
            M::POST,
            "/me/deletion",
            json!({ "password": "不是这个密码2026" }),
            "U V V V V",
        ),
        with(
            M::POST,
            "/me/households",
            json!({ "code": "0000-0000" }),
            "U V V V V",
        ),
        // A service request: its author and staff only.
        Row {
            query: "?category=repairs",
            ..row(M::GET, "/requests/similar", "U + + + +")
        },
        row(M::GET, "/requests/{id}", "U N + + +"),
        row(M::GET, "/photos/{id}", "U N + + +"),
        with(
            M::POST,
            "/requests/{id}/notes",
            json!({ "note": "灯还是不亮", "public": true }),
            "U N + + +",
        ),
        with(M::POST, "/requests/{id}/follow", json!({}), "U + C C C"),
        row(M::DELETE, "/requests/{id}/follow", "U + + + +"),
        row(M::GET, "/staff/requests", "U F F + +"),
        with(
            M::POST,
            "/staff/requests/{id}/contact",
            json!({ "purpose": "arrange_visit" }),
            "U F F + +",
        ),
        row(M::GET, "/admin/access-log", "U F F F +"),
        with(
            M::POST,
            "/requests/{id}/actions",
            json!({ "action": "accept" }),
            "U N F + C",
        ),
        with(M::POST, "/requests", repair("二楼灯也不亮"), "U + + + +"),
        // A consultation from proposal to result.
        with(
            M::POST,
            "/consultations",
            json!({ "title": "小区增设充电桩", "background": "电动车充电难。",
                    "options": [], "scope": { "kind": "compound", "id": 1 } }),
            "U C + C C",
        ),
        with(
            M::POST,
            "/consultations/{id}/cosign",
            json!({}),
            "U C C C C",
        ),
        with(
            M::POST,
            "/consultations/{id}/comments",
            json!({ "body": "同意。" }),
            "U + + + +",
        ),
        with(
            M::POST,
            "/consultations/{id}/comments/{comment_id}/report",
            json!({}),
            "U + + C C",
        ),
        with(
            M::POST,
            "/consultations/{id}/comments/{comment_id}/hide",
            json!({ "reason": "与议题无关的广告" }),
            "U F F + +",
        ),
        Row {
            body: Body::Document,
            ..row(M::POST, "/consultations/{id}/documents", "U F F + +")
        },
        with(
            M::POST,
            "/consultations/{id}/review",
            json!({ "accept": true, "note": "列入议程" }),
            "U F F + C",
        ),
        with(M::POST, "/consultations/{id}/vote", vote, "U F F + C"),
        row(M::GET, "/consultations/{id}/roll", "U F F + +"),
        with(
            M::POST,
            "/consultations/{id}/ballots",
            json!({ "choice": "yes" }),
            "U F + F F",
        ),
        // Read while the secret vote is open: no tally shows.
        row(M::GET, "/consultations/{id}", "+ + + + +"),
        with(
            M::POST,
            "/consultations/{id}/extend",
            json!({ "closes_at": closes_at + 86_400 }),
            "U F F + V",
        ),
        with(M::POST, "/consultations/{id}/close", json!({}), "U F F + C"),
        row(M::GET, "/consultations/{id}/result.csv", "+ + + + +"),
        with(
            M::POST,
            "/consultations/{id}/corrections",
            json!({ "reason": "经核实，该户投票人不是业主本人。",
                    "correction": { "kind": "void_ballot", "household_id": 1 } }),
            "U F F C C",
        ),
        with(
            M::POST,
            "/consultations/{id}/updates",
            json!({ "note": "已开工" }),
            "U F F + +",
        ),
        with(
            M::PUT,
            "/consultations/{id}/rating",
            json!({ "stars": 5 }),
            "U C + C C",
        ),
        // The service circle's facilities: staff only.
        with(M::POST, "/staff/facilities", facility.clone(), "U F F + +"),
        with(M::PUT, "/staff/facilities/{id}", facility, "U F F + +"),
        with(
            M::POST,
            "/staff/facilities/{id}/retire",
            json!({}),
            "U F F + N",
        ),
        // Accounts, last: they end the sessions the rows above ran under.
        with(
            M::POST,
            "/auth/register",
            json!({ "phone": "13712345678", "password": "长期有效的密码2026", "privacy_consent": true }),
            "+ C C C C",
        ),
        // The visitor is signed in by the sign-up just above; the others by their own login.
        row(M::POST, "/auth/logout-everywhere", "+ + + + +"),
        with(
            M::POST,
            "/auth/login",
            json!({ "phone": "13712345678", "password": "长期有效的密码2026" }),
            "+ + + + +",
        ),
        row(M::POST, "/auth/logout", "+ + + + +"),
    ]
}

#[tokio::test]
async fn every_operation_answers_each_role_as_the_table_says_and_leaks_nothing() {
    let app = spawn_app().await;
    let visitor = app.new_browser();
    let other = signed_in(&app, OTHER).await;
    let resident = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let admin = signed_in(&app, ADMIN).await;
    let browsers = [&visitor, &other, &resident, &staff, &admin];
    let fixture = fixture(&app, &resident, &staff).await;
    let facility: Value = visitor
        .get(&format!("/facilities/{}", fixture.facility))
        .await
        .json()
        .await
        .unwrap();
    let facility_body = json!({ "category": "pharmacy", "name_zh": "益丰大药房",
        "name_en": "Yifeng Pharmacy", "address_zh": "青樟路 20 号",
        "lat": facility["lat"].as_f64().unwrap_or(30.3131),
        "lon": facility["lon"].as_f64().unwrap_or(120.1391),
        "opening_hours": "Mo-Su 08:00-21:00", "phone": "0571-85217399",
        "services_zh": "医保刷卡", "services_en": "Medical insurance", "wheelchair": "yes" });
    let rows = table(facility_body, linli_server::db::now() + 7 * 86_400);

    // The table and the document name the same operations.
    let doc: Value = visitor.get("/openapi.json").await.json().await.unwrap();
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            let path = path.trim_start_matches("/api/v1").to_owned();
            item.as_object()
                .expect("path item")
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let tabled: BTreeSet<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "operations missing from the table: {missing:#?}"
    );
    assert!(
        stale.is_empty(),
        "rows for no documented operation: {stale:#?}"
    );
    assert_eq!(rows.len(), tabled.len(), "one row per operation");

    let mut wrong = Vec::new();
    let mut all = Vec::new();
    let mut answers = Vec::new();
    for row in &rows {
        let path = fixture.path(row.path);
        let mut got = Vec::new();
        for (role, browser) in ROLES.iter().zip(browsers) {
            let (status, body) = call(browser, row, &path).await;
            got.push(outcome(status).to_string());
            answers.push((*role, format!("{} {path}", row.method), status, body));
        }
        let got = got.join(" ");
        all.push(format!("{} {} {got}", row.method, row.path));
        if got != row.expected {
            wrong.push(format!(
                "{} {}: expected {}, got {got}",
                row.method, row.path, row.expected
            ));
        }
    }
    let statuses: Vec<String> = answers
        .iter()
        .map(|(role, call, status, _)| format!("{call} as {role}: {status}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{wrong:#?}\n(roles: {ROLES:?})\nevery answer: {statuses:#?}\nevery row: {all:#?}"
    );

    // What each reader must not see.
    let receipt = receipt_of_the_secret_ballot(&answers);
    for (role, call, _, body) in &answers {
        let outsider = matches!(*role, "visitor" | "other resident");
        if outsider {
            assert!(
                !body.contains(OWNER),
                "{call} as {role} shows the owner's phone"
            );
            if call.contains("/requests") || call.contains("/community/map") {
                assert!(
                    !body.contains(OWNER_NAME),
                    "{call} as {role} names the requester who asked to stay hidden"
                );
            }
        }
        // Staff see the number in full only where they open it on purpose (and it is logged).
        if matches!(*role, "staff" | "admin") && !call.ends_with("/contact") {
            assert!(
                !body.contains(OWNER),
                "{call} as {role} shows the owner's full number"
            );
        }
        if !(*role == "resident" && call.ends_with("/ballots")) {
            assert!(
                !body.contains(&receipt),
                "{call} as {role} shows the secret ballot's receipt"
            );
        }
    }
    assert_tally_hidden_while_open(&answers);
}

/// The receipt the resident was given for the secret ballot.
fn receipt_of_the_secret_ballot(answers: &[(&str, String, u16, String)]) -> String {
    let (_, _, status, body) = answers
        .iter()
        .find(|(role, call, _, _)| *role == "resident" && call.ends_with("/ballots"))
        .expect("the resident voted");
    assert_eq!(*status, 200, "the resident's ballot: {body}");
    let ballot: Value = serde_json::from_str(body).unwrap();
    let receipt = ballot["receipt"].as_str().expect("a receipt").to_owned();
    assert!(receipt.len() >= 16, "{receipt}");
    receipt
}

/// Every view of the topic read while the secret vote was open shows no tally.
fn assert_tally_hidden_while_open(answers: &[(&str, String, u16, String)]) {
    let mut open_views = 0;
    for (role, call, status, body) in answers {
        let Ok(view) = serde_json::from_str::<Value>(body) else {
            continue;
        };
        let vote = &view["vote"];
        if *status >= 300 || !vote.is_object() || !vote["closed_at"].is_null() {
            continue;
        }
        open_views += 1;
        assert!(
            vote["tally"].is_null() && vote["options_result"].is_null(),
            "{call} as {role} shows a tally of an open vote without a live tally: {vote}"
        );
    }
    assert!(open_views >= 5, "the open vote was seen {open_views} times");
}
