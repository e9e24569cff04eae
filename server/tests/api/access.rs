//! Staff reaching a requester: the number masked in the staff view, opened in full only on
//! purpose and only if the resident agreed to be called, each opening in the append-only
//! access log that admins browse and the resident finds in their own data.

use crate::helpers::{
    Browser, TestApp, assert_problem, retry_after, spawn_app, spawn_app_with_limits,
};
use crate::requests::{STAFF, repair, signed_in, submit};
use linli_server::config::{Limit, ThrottleLimits};
use serde_json::{Value, json};

const RESIDENT: &str = "13900000001";
const OTHER: &str = "13900000002";
const ADMIN: &str = "13800000001";
const RESIDENT_NAME: &str = "王建国";

/// A request from the resident, who agreed to be called (or not).
async fn request_from_resident(app: &TestApp, may_call: bool) -> i64 {
    let resident = signed_in(app, RESIDENT).await;
    let mut body = repair("厨房水管漏水");
    body["contact"] = json!(if may_call { "phone" } else { "app" });
    submit(&resident, &body).await["summary"]["id"]
        .as_i64()
        .unwrap()
}

fn opening(purpose: &str) -> Value {
    json!({ "purpose": purpose })
}

/// Asks to open the number behind request `id` for `purpose`.
async fn open(browser: &Browser, id: i64, purpose: &str) -> reqwest::Response {
    browser
        .post_json(&format!("/staff/requests/{id}/contact"), &opening(purpose))
        .await
}

/// The request as `browser` reads it.
async fn read(browser: &Browser, id: i64) -> Value {
    browser
        .get(&format!("/requests/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn openings_logged(app: &TestApp) -> i64 {
    app.count("access_log", "").await
}

#[tokio::test]
async fn staff_see_the_number_masked_until_they_open_it_with_a_purpose() {
    let app = spawn_app().await;
    let id = request_from_resident(&app, true).await;
    let staff = signed_in(&app, STAFF).await;

    let detail = read(&staff, id).await;
    assert_eq!(
        detail["requester"],
        json!({ "display_name": RESIDENT_NAME, "phone_masked": "139****0001", "may_call": true })
    );
    let queue = staff.get("/staff/requests").await.text().await.unwrap();
    for seen in [detail.to_string(), queue] {
        assert!(!seen.contains(RESIDENT), "the full number shows: {seen}");
    }
    // The author sees their own request without a requester block.
    let resident = signed_in(&app, RESIDENT).await;
    let own = read(&resident, id).await;
    assert!(own["requester"].is_null(), "{own}");

    let before = openings_logged(&app).await;
    let path = format!("/staff/requests/{id}/contact");
    // No purpose, or one not on the list: refused, and nothing is logged.
    for body in [json!({}), opening("curiosity")] {
        let resp = staff.post_json(&path, &body).await;
        assert_problem(resp, 400, "malformed_body").await;
    }
    assert_eq!(openings_logged(&app).await, before);

    let resp = open(&staff, id, "arrange_visit").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let opened: Value = resp.json().await.unwrap();
    assert_eq!(opened["phone"], RESIDENT);
    assert_eq!(opened["display_name"], RESIDENT_NAME);
    assert_eq!(openings_logged(&app).await, before + 1);
    let (actor, purpose, subject): (i64, String, i64) = sqlx::query_as(
        "SELECT actor_id, purpose, subject_id FROM access_log WHERE request_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(actor, app.user_id(STAFF).await);
    assert_eq!(purpose, "arrange_visit");
    assert_eq!(subject, app.user_id(RESIDENT).await);
}

#[tokio::test]
async fn a_resident_who_asked_for_the_app_only_cannot_be_opened() {
    let app = spawn_app().await;
    let id = request_from_resident(&app, false).await;
    let staff = signed_in(&app, STAFF).await;
    let detail = read(&staff, id).await;
    assert_eq!(detail["requester"]["may_call"], false);
    assert_eq!(detail["requester"]["phone_masked"], "139****0001");

    let before = openings_logged(&app).await;
    let resp = open(&staff, id, "clarify_request").await;
    let problem = assert_problem(resp, 409, "contact_not_shared").await;
    assert!(!problem.to_string().contains(RESIDENT), "{problem}");
    assert_eq!(openings_logged(&app).await, before);
}

#[tokio::test]
async fn only_staff_open_numbers_and_only_admins_read_the_log() {
    let app = spawn_app().await;
    let id = request_from_resident(&app, true).await;
    let before = openings_logged(&app).await;
    for (phone, status) in [(RESIDENT, 403), (OTHER, 403)] {
        let browser = signed_in(&app, phone).await;
        let resp = open(&browser, id, "report_back").await;
        assert_eq!(resp.status(), status, "{phone}");
        assert_eq!(browser.get("/admin/access-log").await.status(), 403);
    }
    let visitor = app.new_browser();
    assert_eq!(open(&visitor, id, "report_back").await.status(), 401);
    assert_eq!(visitor.get("/admin/access-log").await.status(), 401);
    let staff = signed_in(&app, STAFF).await;
    assert_eq!(staff.get("/admin/access-log").await.status(), 403);
    let missing = staff
        .post_json("/staff/requests/999999/contact", &opening("report_back"))
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(openings_logged(&app).await, before);
}

#[tokio::test]
async fn admins_browse_the_log_newest_first_page_by_page_without_residents_numbers() {
    let app = spawn_app().await;
    let id = request_from_resident(&app, true).await;
    let staff = signed_in(&app, STAFF).await;
    for purpose in ["arrange_visit", "clarify_request", "report_back"] {
        assert_eq!(open(&staff, id, purpose).await.status(), 200);
    }
    let admin = signed_in(&app, ADMIN).await;

    let resp = admin.get("/admin/access-log?limit=2").await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains(RESIDENT),
        "the log shows a resident's number: {text}"
    );
    assert!(
        !text.contains(RESIDENT_NAME),
        "the log names the resident: {text}"
    );
    let page: Value = serde_json::from_str(&text).unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["purpose"], "report_back");
    assert_eq!(entries[1]["purpose"], "clarify_request");
    assert_eq!(entries[0]["action"], "open_contact");
    assert_eq!(entries[0]["actor_role"], "staff");
    assert_eq!(entries[0]["request_id"], id);
    let staff_name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE phone = $1")
        .bind(STAFF)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(entries[0]["actor_name"], staff_name);
    assert!(
        entries[0]["tracking_number"]
            .as_str()
            .is_some_and(|t| t.starts_with("LL-")),
        "{page}"
    );

    let before = page["next_before"].as_i64().expect("another page");
    let next: Value = admin
        .get(&format!("/admin/access-log?limit=2&before={before}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["entries"][0]["purpose"], "arrange_visit");
    assert_eq!(next["entries"][0]["request_id"], id);
    // The whole log pages through to its end, each entry once.
    let mut seen = 0;
    let mut before: Option<i64> = None;
    loop {
        let query = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let page: Value = admin
            .get(&format!("/admin/access-log?limit=4{query}"))
            .await
            .json()
            .await
            .unwrap();
        seen += page["entries"].as_array().unwrap().len() as i64;
        match page["next_before"].as_i64() {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    assert_eq!(seen, openings_logged(&app).await);
}

#[tokio::test]
async fn the_resident_finds_each_opening_in_their_data_and_the_log_cannot_be_rewritten() {
    let app = spawn_app().await;
    let id = request_from_resident(&app, true).await;
    let staff = signed_in(&app, STAFF).await;
    let opened = open(&staff, id, "report_back").await;
    assert_eq!(opened.status(), 200);
    let resident = signed_in(&app, RESIDENT).await;
    let data: Value = resident.get("/me/data").await.json().await.unwrap();
    let tracking = data["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["summary"]["id"] == id)
        .map(|r| r["summary"]["tracking_number"].clone())
        .expect("the request is in the export");
    let openings = data["contact_openings"].as_array().unwrap();
    assert!(
        openings
            .iter()
            .any(|o| o["purpose"] == "report_back" && o["tracking_number"] == tracking),
        "{openings:?}"
    );

    for statement in [
        "UPDATE access_log SET purpose = 'arrange_visit'",
        "DELETE FROM access_log",
    ] {
        let refused = sqlx::query(statement).execute(&app.db).await;
        assert!(
            refused.unwrap_err().to_string().contains("append-only"),
            "{statement}"
        );
    }
}

#[tokio::test]
async fn a_deleted_account_has_no_number_to_open() {
    let app = spawn_app().await;
    let id = request_from_resident(&app, true).await;
    let resident = signed_in(&app, RESIDENT).await;
    let resp = resident
        .post_json("/me/deletion", &json!({ "password": "linli2026" }))
        .await;
    assert_eq!(resp.status(), 204);

    let staff = signed_in(&app, STAFF).await;
    let detail = read(&staff, id).await;
    assert!(detail["requester"].is_null(), "{detail}");
    let resp = open(&staff, id, "report_back").await;
    assert_problem(resp, 409, "contact_not_shared").await;
}

#[tokio::test]
async fn a_staff_member_opening_number_after_number_is_stopped() {
    let app = spawn_app_with_limits(ThrottleLimits {
        contact_openings: Limit {
            window_seconds: 86_400,
            per_account: 2,
            per_address: 2,
        },
        ..ThrottleLimits::default()
    })
    .await;
    let id = request_from_resident(&app, true).await;
    let staff = signed_in(&app, STAFF).await;
    for _ in 0..2 {
        assert_eq!(open(&staff, id, "arrange_visit").await.status(), 200);
    }
    let before = openings_logged(&app).await;
    let resp = open(&staff, id, "arrange_visit").await;
    let wait = retry_after(resp.headers());
    assert!((86_000..=86_400).contains(&wait), "{wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(openings_logged(&app).await, before);
    // Another staff member is not held back by the first one's count.
    let admin = signed_in(&app, ADMIN).await;
    assert_eq!(open(&admin, id, "arrange_visit").await.status(), 200);
}
