//! /api/v1/requests: the catalogue, submitting, who may see what, and the lifecycle.

use crate::helpers::{Browser, TestApp, assert_problem, field_errors, spawn_app};
use linli_domain::request::RequestAction;
use linli_server::seed::DEMO_PASSWORD;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) const STAFF: &str = "13800000002";
const OWNER: &str = "13900000001";

pub(crate) async fn signed_in(app: &TestApp, phone: &str) -> Browser {
    let browser = app.new_browser();
    assert_eq!(
        browser.login(phone, DEMO_PASSWORD).await.status(),
        StatusCode::OK,
        "login {phone}"
    );
    browser
}

pub(crate) fn repair(title: &str) -> Value {
    json!({ "category": "repairs", "title": title, "description": "三楼楼道灯不亮",
            "answers": { "where": "stairwell", "floor": "3" } })
}

pub(crate) async fn submit(browser: &Browser, body: &Value) -> Value {
    let resp = browser.post_json("/requests", body).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json().await.unwrap()
}

pub(crate) async fn act(browser: &Browser, id: i64, body: Value) -> reqwest::Response {
    browser
        .post_json(&format!("/requests/{id}/actions"), &body)
        .await
}

pub(crate) async fn act_ok(browser: &Browser, id: i64, body: Value) -> Value {
    let resp = act(browser, id, body.clone()).await;
    assert_eq!(resp.status(), StatusCode::OK, "{body}");
    resp.json().await.unwrap()
}

#[tokio::test]
async fn the_catalogue_is_public_with_limits_and_questions() {
    let app = spawn_app().await;
    let resp = app.new_browser().get("/requests/categories").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let cats: Value = resp.json().await.unwrap();
    let codes: Vec<&str> = cats
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "repairs",
            "sanitation",
            "public_facilities",
            "safety",
            "disputes",
            "elderly_help",
            "household_services",
            "policy",
            "other"
        ]
    );
    let safety = &cats[3];
    assert_eq!(
        safety["limits"],
        json!({ "response_hours": 1, "resolution_hours": 24 })
    );
    assert_eq!(safety["questions"][0]["key"], "hazard");
    assert_eq!(safety["questions"][0]["kind"]["type"], "single");
}

#[tokio::test]
async fn a_resident_submits_and_gets_a_tracking_number_and_deadlines() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let first = submit(&owner, &repair("楼道灯坏了")).await;
    let second = submit(&owner, &repair("楼道灯又坏了")).await;

    let summary = &first["summary"];
    let year = linli_domain::figures::YearMonth::of(summary["submitted_at"].as_i64().unwrap()).year;
    let number = |v: &Value| {
        let raw = v["summary"]["tracking_number"].as_str().unwrap();
        linli_domain::request::TrackingNumber::parse(raw).unwrap()
    };
    // The year's numbers continue after the demo requests', one by one.
    assert_eq!(i32::from(number(&first).year), year);
    assert_eq!(number(&second).seq, number(&first).seq + 1);
    assert_eq!(summary["status"], "submitted");
    let sent = summary["submitted_at"].as_i64().unwrap();
    assert_eq!(summary["deadlines"]["respond_by"], sent + 24 * 3600);
    assert_eq!(summary["deadlines"]["resolve_by"], sent + 7 * 24 * 3600);
    assert_eq!(
        first["answers"],
        json!({ "where": "stairwell", "floor": 3 }),
        "answers are cleaned"
    );
    assert_eq!(
        first["hide_name"], true,
        "names are hidden from the public by default"
    );
    assert_eq!(first["allowed_actions"], json!(["withdraw"]));
    assert_eq!(first["timeline"].as_array().unwrap().len(), 1);

    // The demo owner is bound to a household: the request is about it.
    let household: Option<i64> =
        sqlx::query_scalar("SELECT household_id FROM service_requests WHERE id = $1")
            .bind(summary["id"].as_i64().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(household.is_some());

    let mine: Value = owner.get("/me/requests").await.json().await.unwrap();
    assert_eq!(mine[0]["title"], "楼道灯又坏了", "newest first");
    assert_eq!(mine[1]["title"], "楼道灯坏了");
}

#[tokio::test]
async fn every_refused_field_is_reported_and_nothing_is_written() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let (requests_before, events_before) = (
        app.count("service_requests", "").await,
        app.count("request_events", "").await,
    );
    let resp = owner
        .post_json(
            "/requests",
            &json!({ "category": "safety", "title": " ", "description": "x".repeat(2001),
                     "answers": { "hazard": "ghosts" }, "location": { "lat": 91.0, "lon": 0.0 } }),
        )
        .await;
    let body = assert_problem(resp, 422, "required").await;
    let mut fields = field_errors(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            (
                "answers.hazard".to_owned(),
                "answer_not_an_option".to_owned()
            ),
            ("description".to_owned(), "description_too_long".to_owned()),
            ("location".to_owned(), "location_invalid".to_owned()),
            ("title".to_owned(), "required".to_owned()),
        ]
    );
    let unknown = owner
        .post_json("/requests", &json!({ "category": "casino", "title": "x" }))
        .await;
    assert_problem(unknown, 422, "category_unknown").await;
    assert_eq!(
        app.count("service_requests", "").await,
        requests_before,
        "nothing written"
    );
    assert_eq!(
        app.count("request_events", "").await,
        events_before,
        "nothing written"
    );

    let visitor = app.new_browser().post_json("/requests", &repair("x")).await;
    assert_problem(visitor, 401, "unauthorized").await;
}

#[tokio::test]
async fn another_resident_cannot_see_or_touch_a_request() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let other = app.new_browser();
    other.register_ok("13712345678").await;

    assert_problem(
        other.get(&format!("/requests/{id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        act(&other, id, json!({ "action": "withdraw" })).await,
        404,
        "not_found",
    )
    .await;
    let theirs: Value = other.get("/me/requests").await.json().await.unwrap();
    assert_eq!(theirs, json!([]));
    // Staff see it.
    let staff = signed_in(&app, STAFF).await;
    assert_eq!(
        staff.get(&format!("/requests/{id}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_whole_lifecycle_with_an_unsatisfied_round() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();

    act_ok(&staff, id, json!({ "action": "accept" })).await;
    let no_handler = act(&staff, id, json!({ "action": "dispatch" })).await;
    assert_problem(no_handler, 422, "handler_required").await;
    let d = act_ok(
        &staff,
        id,
        json!({ "action": "dispatch", "handler": "网格员刘敏" }),
    )
    .await;
    assert_eq!(d["handler"], "网格员刘敏");
    act_ok(&staff, id, json!({ "action": "start" })).await;
    act_ok(
        &staff,
        id,
        json!({ "action": "resolve", "note": "已更换灯泡" }),
    )
    .await;

    let d = act_ok(
        &owner,
        id,
        json!({ "action": "rate_unsatisfied", "note": "还是不亮" }),
    )
    .await;
    assert_eq!(d["summary"]["status"], "reopened");
    assert_eq!(d["satisfied"], false);
    act_ok(&staff, id, json!({ "action": "start" })).await;
    act_ok(
        &staff,
        id,
        json!({ "action": "resolve", "note": "更换了线路" }),
    )
    .await;
    let d = act_ok(&owner, id, json!({ "action": "rate_satisfied" })).await;

    assert_eq!(d["summary"]["status"], "closed");
    assert_eq!(d["satisfied"], true);
    assert_eq!(d["allowed_actions"], json!([]));
    let actions: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submit",
            "accept",
            "dispatch",
            "start",
            "resolve",
            "rate_unsatisfied",
            "start",
            "resolve",
            "rate_satisfied"
        ]
    );
    assert_eq!(
        d["timeline"][5]["note"], "还是不亮",
        "the reason is on the timeline"
    );
    assert_eq!(d["timeline"][5]["actor_role"], "resident");
    let (responded, resolved): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT responded_at, resolved_at FROM service_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(responded.is_some() && resolved.is_some());
}

#[tokio::test]
async fn refused_actions_say_why_and_change_nothing() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();

    // A resident cannot act as staff, staff cannot rate.
    assert_problem(
        act(&owner, id, json!({ "action": "accept" })).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        act(&staff, id, json!({ "action": "rate_satisfied" })).await,
        403,
        "forbidden",
    )
    .await;
    // Rejecting needs one of the reasons, not just any words.
    let refused = assert_problem(
        act(
            &staff,
            id,
            json!({ "action": "reject", "note": "不归我们管" }),
        )
        .await,
        422,
        "reason_unknown",
    )
    .await;
    assert_eq!(
        field_errors(&refused),
        [("reason".to_owned(), "reason_unknown".to_owned())]
    );
    assert_eq!(
        act(
            &staff,
            id,
            json!({ "action": "reject", "reason": "because" })
        )
        .await
        .status(),
        StatusCode::BAD_REQUEST
    );
    // Not possible yet / any more.
    assert_problem(
        act(&staff, id, json!({ "action": "resolve" })).await,
        409,
        "action_not_allowed_now",
    )
    .await;
    act_ok(&staff, id, json!({ "action": "accept" })).await;
    assert_problem(
        act(&owner, id, json!({ "action": "withdraw" })).await,
        409,
        "action_not_allowed_now",
    )
    .await;
    // An unknown action is a malformed body.
    assert_problem(
        act(&staff, id, json!({ "action": "teleport" })).await,
        400,
        "malformed_body",
    )
    .await;

    let status: String = sqlx::query_scalar("SELECT status FROM service_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "accepted");
    assert_eq!(
        app.count("request_events", &format!("request_id = {id}"))
            .await,
        2,
        "submit and accept only"
    );
}

#[tokio::test]
async fn withdrawing_before_acceptance_is_final() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let d = act_ok(&owner, id, json!({ "action": "withdraw" })).await;
    assert_eq!(d["summary"]["status"], "withdrawn");
    assert_eq!(d["allowed_actions"], json!([]));
    let staff = signed_in(&app, STAFF).await;
    assert_problem(
        act(&staff, id, json!({ "action": "accept" })).await,
        409,
        "action_not_allowed_now",
    )
    .await;
    assert!(
        RequestAction::allowed(
            linli_domain::request::RequestStatus::Withdrawn,
            linli_domain::request::Actor::Staff
        )
        .is_empty()
    );
}

#[tokio::test]
async fn the_figures_of_a_month_are_public_and_follow_the_requests() {
    let app = spawn_app().await;
    // Start from this month's demo requests, then add a known round and compare the change.
    let before: Value = app
        .new_browser()
        .get("/requests/figures")
        .await
        .json()
        .await
        .unwrap();
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    for action in ["accept", "start"] {
        if action == "start" {
            act_ok(
                &staff,
                id,
                json!({ "action": "dispatch", "handler": "网格员刘敏" }),
            )
            .await;
        }
        act_ok(&staff, id, json!({ "action": action })).await;
    }
    act_ok(&staff, id, json!({ "action": "resolve" })).await;
    act_ok(&owner, id, json!({ "action": "rate_satisfied" })).await;

    let after: Value = app
        .new_browser()
        .get("/requests/figures")
        .await
        .json()
        .await
        .unwrap();
    let delta = |path: &[&str]| {
        let pick = |v: &Value| {
            path.iter()
                .fold(v.clone(), |v, k| v[*k].clone())
                .as_u64()
                .unwrap()
        };
        pick(&after) - pick(&before)
    };
    assert_eq!(delta(&["total", "received"]), 1);
    assert_eq!(delta(&["total", "completed"]), 1);
    assert_eq!(delta(&["total", "completion", "num"]), 1);
    assert_eq!(
        delta(&["total", "response", "num"]),
        1,
        "accepted within its limit"
    );
    assert_eq!(delta(&["total", "satisfaction", "num"]), 1);
    assert_eq!(delta(&["total", "satisfaction", "den"]), 1);
    let repairs = after["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "repairs")
        .unwrap();
    assert!(repairs["figures"]["received"].as_u64().unwrap() >= 1);

    // No personal data in the public figures.
    let text = app
        .new_browser()
        .get("/requests/figures")
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains(OWNER) && !text.contains("楼道灯坏了"));

    let bad = app
        .new_browser()
        .get("/requests/figures?month=2026-13")
        .await;
    assert_problem(bad, 422, "month_invalid").await;
    let empty: Value = app
        .new_browser()
        .get("/requests/figures?month=1999-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["total"]["received"], 0);
    assert_eq!(
        empty["total"]["satisfaction"],
        json!({ "num": 0, "den": 0 })
    );
}

#[tokio::test]
async fn the_staff_queue_is_for_staff_sorted_by_deadline_and_filtered() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    assert_problem(owner.get("/staff/requests").await, 403, "forbidden").await;
    assert_problem(
        app.new_browser().get("/staff/requests").await,
        401,
        "unauthorized",
    )
    .await;

    let staff = signed_in(&app, STAFF).await;
    let open: Value = staff.get("/staff/requests").await.json().await.unwrap();
    let open = open.as_array().unwrap();
    assert!(!open.is_empty());
    let deadlines: Vec<i64> = open
        .iter()
        .map(|r| r["deadlines"]["resolve_by"].as_i64().unwrap())
        .collect();
    assert!(
        deadlines.windows(2).all(|w| w[0] <= w[1]),
        "nearest deadline first"
    );
    assert!(
        open.iter()
            .all(|r| !["closed", "rejected", "withdrawn"].contains(&r["status"].as_str().unwrap())),
        "by default only what is still open"
    );

    let submitted: Value = staff
        .get("/staff/requests?status=submitted")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        submitted
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "submitted")
    );
    let safety: Value = staff
        .get("/staff/requests?category=safety&status=closed")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        safety
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["category"] == "safety" && r["status"] == "closed")
    );
    let overdue: Value = staff
        .get("/staff/requests?overdue=true")
        .await
        .json()
        .await
        .unwrap();
    let overdue = overdue.as_array().unwrap();
    assert!(!overdue.is_empty(), "the demo data has overdue requests");
    assert!(overdue.iter().all(|r| r["overdue"] == true));
    let expected = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM service_requests WHERE status IN ('submitted','accepted','dispatched','in_progress','reopened') AND resolve_by < $1",
    )
    .bind(linli_server::db::now())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(overdue.len() as i64, expected.min(50));

    assert_problem(
        staff.get("/staff/requests?status=lost").await,
        422,
        "status_unknown",
    )
    .await;
}

#[tokio::test]
async fn internal_notes_are_for_staff_and_public_notes_for_everyone_involved() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let notes = |d: &Value| -> Vec<String> {
        d["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "note")
            .map(|e| e["note"].as_str().unwrap().to_owned())
            .collect()
    };
    let post = |b: &Browser, body: Value| {
        let b = b.clone();
        async move { b.post_json(&format!("/requests/{id}/notes"), &body).await }
    };

    let resp = post(
        &staff,
        json!({ "note": "住户电话打不通，明天再联系", "public": false }),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = post(&staff, json!({ "note": "已联系电工，明天上午上门" })).await;
    let staff_view: Value = resp.json().await.unwrap();
    assert_eq!(
        notes(&staff_view),
        ["住户电话打不通，明天再联系", "已联系电工，明天上午上门"]
    );

    let owner_view: Value = owner
        .get(&format!("/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        notes(&owner_view),
        ["已联系电工，明天上午上门"],
        "the internal note stays with staff"
    );

    assert_problem(
        post(&owner, json!({ "note": "悄悄话", "public": false })).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(post(&owner, json!({ "note": "  " })).await, 422, "required").await;
    let added = post(&owner, json!({ "note": "上午家里有人" })).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let other = app.new_browser();
    other.register_ok("13712345678").await;
    assert_problem(
        post(&other, json!({ "note": "hi" })).await,
        404,
        "not_found",
    )
    .await;
}

/// Sends `body` as the owner would from the app, naming the sending `key`.
async fn send_with_key(browser: &Browser, key: &str, body: &Value) -> reqwest::Response {
    browser
        .client
        .post(format!("{}/api/v1/requests", browser.address))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_request_sent_again_with_its_key_is_created_once() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let before = app.count("service_requests", "").await;
    let key = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b";

    let first = send_with_key(&owner, key, &repair("楼道灯坏了")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    // The answer was lost on the way, say: the app sends the same request again.
    let again = send_with_key(&owner, key, &repair("楼道灯坏了")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["summary"]["id"], first["summary"]["id"]);
    assert_eq!(
        again["summary"]["tracking_number"],
        first["summary"]["tracking_number"]
    );
    assert_eq!(app.count("service_requests", "").await, before + 1);

    // The key names that request only: another one with it is refused, and nothing is written.
    let other = send_with_key(&owner, key, &repair("电梯坏了")).await;
    let problem = assert_problem(other, 422, "idempotency_key_reused").await;
    assert_eq!(
        field_errors(&problem),
        [(
            "Idempotency-Key".to_owned(),
            "idempotency_key_reused".to_owned()
        )]
    );
    assert_eq!(app.count("service_requests", "").await, before + 1);

    // Keys are each resident's own: another resident's same key is another request.
    let neighbour = signed_in(&app, "13900000002").await;
    let theirs = send_with_key(&neighbour, key, &repair("楼道灯坏了")).await;
    assert_eq!(theirs.status(), StatusCode::CREATED);
    assert!(theirs.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.count("service_requests", "").await, before + 2);
}

#[tokio::test]
async fn the_same_sending_arriving_many_times_at_once_is_created_once() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let before = app.count("service_requests", "").await;
    let mut sendings = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let owner = Browser {
            address: owner.address.clone(),
            client: owner.client.clone(),
        };
        sendings.spawn(async move {
            let resp = send_with_key(&owner, "offline-queue-1", &repair("楼道灯坏了")).await;
            assert_eq!(resp.status(), StatusCode::CREATED);
            let detail: Value = resp.json().await.unwrap();
            detail["summary"]["id"].as_i64().unwrap()
        });
    }
    let mut ids = Vec::new();
    while let Some(id) = sendings.join_next().await {
        ids.push(id.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every sending answered with the one request");
    assert_eq!(app.count("service_requests", "").await, before + 1);
}

#[tokio::test]
async fn requests_sent_at_once_take_consecutive_tracking_numbers_each_once() {
    let app = spawn_app().await;
    let mut residents = Vec::new();
    for phone in ["13900000001", "13900000002", "13900000003"] {
        residents.push(signed_in(&app, phone).await);
    }
    // Eight requests from each of three residents, all in flight together.
    let mut sendings = tokio::task::JoinSet::new();
    for (r, resident) in residents.iter().enumerate() {
        for i in 0..8 {
            let resident = resident.clone();
            sendings.spawn(async move {
                let sent = submit(&resident, &repair(&format!("楼道灯坏了 {r}-{i}"))).await;
                let number = sent["summary"]["tracking_number"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                number.rsplit('-').next().unwrap().parse::<i64>().unwrap()
            });
        }
    }
    let mut numbers = Vec::new();
    while let Some(number) = sendings.join_next().await {
        numbers.push(number.unwrap());
    }
    // Each a number of its own, with none skipped.
    numbers.sort_unstable();
    assert_eq!(numbers.len(), 24);
    assert!(
        numbers.windows(2).all(|w| w[1] == w[0] + 1),
        "not consecutive: {numbers:?}"
    );
}

#[tokio::test]
async fn a_linli_with_no_community_yet_refuses_a_residents_request_and_writes_nothing() {
    let app = crate::helpers::spawn_app_unseeded().await;
    app.register_ok("13900000009").await;
    let resp = app.post_json("/requests", &repair("楼道灯坏了")).await;
    assert_problem(resp, 409, "no_community").await;
    assert_eq!(app.count("service_requests", "").await, 0);
}

#[tokio::test]
async fn a_malformed_idempotency_key_is_refused_with_the_other_fields() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let before = app.count("service_requests", "").await;
    let mut body = repair("楼道灯坏了");
    body["title"] = json!("");
    let resp = send_with_key(&owner, "has spaces", &body).await;
    let problem = assert_problem(resp, 422, "idempotency_key_invalid").await;
    let mut fields = field_errors(&problem);
    fields.sort();
    assert_eq!(
        fields,
        [
            (
                "Idempotency-Key".to_owned(),
                "idempotency_key_invalid".to_owned()
            ),
            ("title".to_owned(), "required".to_owned()),
        ]
    );
    assert_eq!(app.count("service_requests", "").await, before);
}
