//! Around a topic's discussion: documents staff attach, comment reports, and extending a vote.

use crate::helpers::{Browser, TestApp, assert_problem, spawn_app};
use crate::requests::{STAFF, signed_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OWNER: &str = "13900000001";

/// A topic of the whole community, accepted onto the agenda by staff.
async fn accepted_topic(owner: &Browser, staff: &Browser) -> i64 {
    let resp = owner
        .post_json(
            "/consultations",
            &json!({ "title": "小区增设快递柜", "scope": { "kind": "community" } }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let id = resp.json::<Value>().await.unwrap()["summary"]["id"]
        .as_i64()
        .unwrap();
    let resp = staff
        .post_json(
            &format!("/consultations/{id}/review"),
            &json!({ "accept": true }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    id
}

async fn attach(browser: &Browser, id: i64, title: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("title", title.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("quote.pdf"),
        );
    browser
        .client
        .post(browser.api(&format!("/consultations/{id}/documents")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn stored_documents(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM topic_documents")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_attach_documents_that_everyone_can_read() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = accepted_topic(&owner, &staff).await;
    let pdf = b"%PDF-1.7\n% a quote for the parcel lockers\n".to_vec();

    // Residents cannot attach; a GIF, an empty title and an oversized file are refused.
    assert_problem(
        attach(&owner, id, "报价单", pdf.clone()).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        attach(&staff, id, "报价单", b"GIF89a....".to_vec()).await,
        415,
        "document_type",
    )
    .await;
    assert_problem(attach(&staff, id, " ", pdf.clone()).await, 422, "required").await;
    let mut huge = pdf.clone();
    huge.resize(10 * 1024 * 1024 + 1, b' ');
    assert_problem(
        attach(&staff, id, "报价单", huge).await,
        413,
        "document_too_large",
    )
    .await;
    assert_eq!(stored_documents(&app).await, 0);

    let resp = attach(&staff, id, "快递柜报价单", pdf.clone()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let detail: Value = resp.json().await.unwrap();
    let doc = &detail["documents"][0];
    assert_eq!(doc["title"], "快递柜报价单");
    assert_eq!(doc["content_type"], "application/pdf");
    assert_eq!(doc["size"], pdf.len());
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"document_attached"), "{kinds:?}");

    // Anyone, signed in or not, reads it, as it was sent, and the browser runs nothing in it.
    let visitor = app.new_browser();
    let resp = visitor
        .get(&format!("/consultations/documents/{}", doc["id"]))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let policy = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("default-src 'none'") && policy.ends_with("sandbox"),
        "{policy}"
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let audit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM consultation_audit WHERE action = 'attach_document'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn residents_report_comments_once_each() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = accepted_topic(&owner, &staff).await;
    let detail: Value = staff
        .post_json(
            &format!("/consultations/{id}/comments"),
            &json!({ "body": "广告：低价装修" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let comment = detail["comments"][0]["id"].as_i64().unwrap();
    let report = format!("/consultations/{id}/comments/{comment}/report");
    let unbound = signed_in(&app, "13900000003").await;
    assert_problem(
        unbound.post_json(&report, &json!({})).await,
        409,
        "household_required",
    )
    .await;
    for _ in 0..2 {
        let resp = owner.post_json(&report, &json!({})).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let detail: Value = resp.json().await.unwrap();
        assert_eq!(detail["comments"][0]["reports"], 1, "twice counts once");
    }
    let missing = format!("/consultations/{id}/comments/{}/report", comment + 100);
    assert_problem(
        owner.post_json(&missing, &json!({})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn staff_extend_an_open_vote_only_later_and_only_while_open() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = accepted_topic(&owner, &staff).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let closes_at = now + 7 * 86_400;
    let resp = staff
        .post_json(
            &format!("/consultations/{id}/vote"),
            &json!({ "question": "是否增设快递柜？", "electorate": "households",
                     "rule": { "kind": "simple_majority" }, "closes_at": closes_at }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let extend = format!("/consultations/{id}/extend");
    assert_problem(
        owner
            .post_json(&extend, &json!({ "closes_at": closes_at + 86_400 }))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        staff
            .post_json(&extend, &json!({ "closes_at": closes_at - 60 }))
            .await,
        422,
        "deadline_invalid",
    )
    .await;
    assert_problem(
        staff
            .post_json(&extend, &json!({ "closes_at": now + 91 * 86_400 }))
            .await,
        422,
        "deadline_invalid",
    )
    .await;
    let resp = staff
        .post_json(&extend, &json!({ "closes_at": closes_at + 86_400 }))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let detail: Value = resp.json().await.unwrap();
    assert_eq!(detail["vote"]["closes_at"], closes_at + 86_400);
    let resp = staff
        .post_json(&format!("/consultations/{id}/close"), &json!({}))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_problem(
        staff
            .post_json(&extend, &json!({ "closes_at": closes_at + 2 * 86_400 }))
            .await,
        409,
        "vote_closed",
    )
    .await;
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT action FROM consultation_audit WHERE topic_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(audit.contains(&"extend_vote".to_owned()), "{audit:?}");
}
