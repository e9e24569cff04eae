//! Abuse limits on what succeeds: sign-ups by address; requests, comments and photos by
//! account and by address. Each is answered 429 with `Retry-After` and writes nothing.

use crate::helpers::{
    GOOD_PASSWORD, TestApp, assert_problem, bare_client, retry_after, spawn_app_with_limits,
    tiny_png,
};
use crate::requests::{STAFF, repair, signed_in, submit};
use linli_server::config::{Limit, ThrottleLimits};
use reqwest::StatusCode;
use serde_json::json;

const RESIDENT: &str = "13900000001";
const TENANT: &str = "13900000002";

fn limits(change: impl FnOnce(&mut ThrottleLimits)) -> ThrottleLimits {
    let mut limits = ThrottleLimits::default();
    change(&mut limits);
    limits
}

fn limit(window_seconds: i64, per_account: i64, per_address: i64) -> Limit {
    Limit {
        window_seconds,
        per_account,
        per_address,
    }
}

async fn requests_written(app: &TestApp) -> i64 {
    app.count("service_requests", "").await
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited() {
    let app = spawn_app_with_limits(limits(|l| l.registrations = limit(3600, 1, 2))).await;
    let users = app.count("users", "").await;
    for phone in ["13812340001", "13812340002"] {
        app.new_browser().register_ok(phone).await;
    }

    let resp = app
        .new_browser()
        .register("13812340003", GOOD_PASSWORD)
        .await;

    let wait = retry_after(resp.headers());
    assert!((3590..=3600).contains(&wait), "{wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(app.count("users", "").await, users + 2);
    // A refused form is not a sign-up and is not counted: it is still refused for its field.
    let resp = bare_client()
        .post(app.api("/auth/register"))
        .json(&json!({ "phone": "123", "password": GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn requests_are_limited_per_account_and_per_address_but_not_for_staff() {
    let app = spawn_app_with_limits(limits(|l| l.requests = limit(3600, 2, 3))).await;
    let before = requests_written(&app).await;
    let resident = signed_in(&app, RESIDENT).await;
    submit(&resident, &repair("一楼灯不亮")).await;
    submit(&resident, &repair("二楼灯不亮")).await;

    let resp = resident.post_json("/requests", &repair("三楼灯不亮")).await;
    assert!(retry_after(resp.headers()) > 3500);
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(requests_written(&app).await, before + 2);

    // A refused request does not count: the tenant's third sending from the same address
    // fills the address's three; the fourth is refused for the address.
    let tenant = signed_in(&app, TENANT).await;
    let resp = tenant.post_json("/requests", &repair("")).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    submit(&tenant, &repair("四楼灯不亮")).await;
    let resp = tenant.post_json("/requests", &repair("五楼灯不亮")).await;
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(requests_written(&app).await, before + 3);

    let staff = signed_in(&app, STAFF).await;
    submit(&staff, &repair("代居民登记：六楼灯不亮")).await;
    assert_eq!(requests_written(&app).await, before + 4);
}

#[tokio::test]
async fn each_photo_counts_and_a_sending_over_the_limit_writes_nothing() {
    let app = spawn_app_with_limits(limits(|l| l.photos = limit(3600, 3, 100))).await;
    let (requests, photos) = (
        requests_written(&app).await,
        app.count("request_photos", "").await,
    );
    let resident = signed_in(&app, RESIDENT).await;
    let two = [("image/png", tiny_png()), ("image/png", tiny_png())];
    let resp = resident
        .post_with_photos("/requests", &repair("井盖松动"), &two)
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);

    // One photo is left: a sending with two is refused whole, request and photos.
    let resp = resident
        .post_with_photos("/requests", &repair("井盖又松了"), &two)
        .await;
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(requests_written(&app).await, requests + 1);
    assert_eq!(app.count("request_photos", "").await, photos + 2);

    // Without photos, a request still goes through.
    submit(&resident, &repair("井盖不见了")).await;
    let resp = resident
        .post_with_photos("/requests", &repair("井盖找到了"), &two[..1])
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn residents_notes_are_limited_and_staff_answers_are_not() {
    let app = spawn_app_with_limits(limits(|l| l.comments = limit(600, 2, 100))).await;
    let resident = signed_in(&app, RESIDENT).await;
    let id = submit(&resident, &repair("电梯异响")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let note = |text: &str| json!({ "note": text, "public": true });
    let path = format!("/requests/{id}/notes");
    for text in ["还在响", "晚上更响"] {
        let resp = resident.post_json(&path, &note(text)).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }

    let resp = resident.post_json(&path, &note("又响了")).await;

    let wait = retry_after(resp.headers());
    assert!((590..=600).contains(&wait), "{wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    let staff = signed_in(&app, STAFF).await;
    for text in ["已派维修", "明早到场", "已修好"] {
        let resp = staff.post_json(&path, &note(text)).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    let notes = format!("request_id = {id} AND action = 'note'");
    assert_eq!(app.count("request_events", &notes).await, 5);
}
