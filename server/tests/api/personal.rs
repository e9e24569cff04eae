//! Personal data (个人信息保护法): consent at sign-up, the resident's own export, correction, and
//! account deletion that anonymises requests and keeps named ballots.

use crate::consultations::{OWNER, building_of_owner, lift, ok};
use crate::helpers::{
    GOOD_PASSWORD, assert_problem, field_errors, set_cookie_header, spawn_app, spawn_app_unseeded,
};
use crate::photos::camera_jpeg;
use crate::requests::{STAFF, act_ok, repair, signed_in, submit};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn sign_up_needs_consent_to_the_privacy_notice_and_records_which() {
    let app = spawn_app_unseeded().await;

    let resp = app
        .post_json(
            "/auth/register",
            &json!({ "phone": "13812345678", "password": GOOD_PASSWORD }),
        )
        .await;

    assert!(set_cookie_header(resp.headers()).is_none());
    let body = assert_problem(resp, 422, "consent_required").await;
    assert_eq!(
        field_errors(&body),
        vec![("privacy_consent".to_owned(), "consent_required".to_owned())]
    );
    assert_eq!(app.count("users", "").await, 0);

    app.register_ok("13812345678").await;
    let (at, notice): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT privacy_consent_at, privacy_notice FROM users")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(at.is_some_and(|at| at > 1_700_000_000), "{at:?}");
    assert_eq!(
        notice.as_deref(),
        Some(linli_domain::personal::PRIVACY_NOTICE_VERSION)
    );
}

#[tokio::test]
async fn a_resident_downloads_everything_held_about_them_and_nothing_of_others() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let sent = submit(&owner, &repair("单元门禁坏了")).await;
    let building = building_of_owner(&app).await;
    let topic = ok(&owner, "/consultations", lift(building)).await;
    let topic_id = topic["summary"]["id"].as_i64().unwrap();
    ok(
        &owner,
        &format!("/consultations/{topic_id}/comments"),
        json!({ "body": "电梯费用怎么分摊？" }),
    )
    .await;

    let resp = owner.get("/me/data").await;

    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let data: Value = resp.json().await.unwrap();
    assert_eq!(data["account"]["phone"], OWNER);
    assert_eq!(data["account"]["display_name"], "王建国");
    assert!(!data["households"].as_array().unwrap().is_empty());
    let requests = data["requests"].as_array().unwrap();
    assert!(
        requests
            .iter()
            .any(|r| r["summary"]["id"] == sent["summary"]["id"]
                && r["description"] == "三楼楼道灯不亮"),
        "{requests:?}"
    );
    assert_eq!(data["proposals"][0]["topic_id"], topic_id);
    assert!(
        data["comments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["body"] == "电梯费用怎么分摊？")
    );
    assert!(!data["sessions"].as_array().unwrap().is_empty());
    // Nothing of anyone else: the demo tenant's number appears nowhere.
    assert!(!data.to_string().contains("13900000002"));

    assert_problem(app.new_browser().get("/me/data").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_resident_corrects_their_name_and_a_bad_one_changes_nothing() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let patch = |name: &'static str| {
        let owner = &owner;
        async move {
            owner
                .client
                .patch(owner.api("/me"))
                .json(&json!({ "display_name": name }))
                .send()
                .await
                .unwrap()
        }
    };

    let resp = patch("王建国（301）").await;

    assert_eq!(resp.status(), StatusCode::OK);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["display_name"], "王建国（301）");
    assert_eq!(
        owner.me().await.json::<Value>().await.unwrap()["display_name"],
        "王建国（301）"
    );

    assert_problem(patch("  ").await, 422, "required").await;
    assert_problem(patch("<script>").await, 422, "display_name_invalid").await;
    assert_eq!(
        owner.me().await.json::<Value>().await.unwrap()["display_name"],
        "王建国（301）"
    );
}

#[tokio::test]
async fn deleting_an_account_anonymises_its_requests_keeps_named_ballots_and_ends_its_sessions() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let on_the_phone = signed_in(&app, OWNER).await;
    // A request sent with a photo of the stairwell, which staff resolve with one of their work.
    let sent = owner
        .post_with_photos(
            "/requests",
            &repair("楼道堆满杂物"),
            &[("image/jpeg", camera_jpeg(320, 240))],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let sent: Value = sent.json().await.unwrap();
    let request_id = sent["summary"]["id"].as_i64().unwrap();
    let resident_photo = sent["timeline"][0]["photos"][0].as_i64().unwrap();
    let stored_photo = owner
        .get(&format!("/photos/{resident_photo}"))
        .await
        .bytes()
        .await
        .unwrap();
    // A named vote the owner takes part in.
    let building = building_of_owner(&app).await;
    let topic = ok(&owner, "/consultations", lift(building)).await;
    let id = topic["summary"]["id"].as_i64().unwrap();
    let staff = signed_in(&app, STAFF).await;
    for step in [
        json!({ "action": "accept" }),
        json!({ "action": "dispatch", "handler": "网格员 王芳" }),
        json!({ "action": "start" }),
    ] {
        act_ok(&staff, request_id, step).await;
    }
    let resolved = staff
        .post_with_photos(
            &format!("/requests/{request_id}/actions"),
            &json!({ "action": "resolve", "note": "已清理" }),
            &[("image/jpeg", camera_jpeg(400, 300))],
        )
        .await;
    assert_eq!(resolved.status(), StatusCode::OK);
    let resolved: Value = resolved.json().await.unwrap();
    let staff_photo_id = resolved["timeline"].as_array().unwrap().last().unwrap()["photos"][0]
        .as_i64()
        .unwrap();
    let staff_photo = staff
        .get(&format!("/photos/{staff_photo_id}"))
        .await
        .bytes()
        .await
        .unwrap();
    ok(
        &staff,
        &format!("/consultations/{id}/review"),
        json!({ "accept": true, "note": "表决" }),
    )
    .await;
    ok(
        &staff,
        &format!("/consultations/{id}/vote"),
        json!({ "question": "是否加装电梯？", "electorate": "households",
                "rule": { "kind": "simple_majority" }, "secret": false, "live_tally": false,
                "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    let resp = owner
        .post_json(
            &format!("/consultations/{id}/ballots"),
            &json!({ "choice": "yes" }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let user_id = app.user_id(OWNER).await;

    // A wrong password deletes nothing.
    let resp = owner
        .post_json("/me/deletion", &json!({ "password": "不是这个密码2026" }))
        .await;
    assert_problem(resp, 422, "wrong_password").await;
    assert_eq!(owner.me().await.status(), StatusCode::OK);

    let resp = owner
        .post_json("/me/deletion", &json!({ "password": "linli2026" }))
        .await;

    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // The wrong password above was counted against the number; that count goes with it.
    assert_eq!(
        app.count("throttle_events", &format!("subject = '{OWNER}'"))
            .await,
        0
    );
    // Signed out here and on the other phone; the number signs in no more.
    assert_eq!(owner.me().await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(on_the_phone.me().await.status(), StatusCode::UNAUTHORIZED);
    let resp = app.new_browser().login(OWNER, "linli2026").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Nothing personal is left on the account's row.
    let (phone, name, deleted): (String, String, Option<i64>) =
        sqlx::query_as("SELECT phone, display_name, deleted_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!phone.contains(OWNER), "{phone}");
    assert_ne!(name, "王建国");
    assert!(deleted.is_some());
    assert_eq!(
        app.count("household_members", &format!("user_id = {user_id}"))
            .await,
        0
    );
    // The request stays for the community, with no author.
    let (author, hide_name): (Option<i64>, i64) =
        sqlx::query_as("SELECT author_id, hide_name FROM service_requests WHERE id = $1")
            .bind(request_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((author, hide_name), (None, 1));
    // Without the photo of their stairwell; the photo of the work done stays.
    assert_eq!(
        app.count("request_photos", &format!("request_id = {request_id}"))
            .await,
        1
    );
    assert_problem(
        staff.get(&format!("/photos/{resident_photo}")).await,
        404,
        "not_found",
    )
    .await;
    // On SQLite, nor are its bytes left in the file's free pages once the log is checkpointed.
    // (PostgreSQL has no such setting: its space is reused after VACUUM; see SECURITY.md.)
    if let Some(db_file) = &app.db_file {
        let (busy,): (i64,) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(busy, 0, "the checkpoint ran to the end");
        let file = std::fs::read(db_file).unwrap();
        let has =
            |haystack: &[u8], sample: &[u8]| haystack.windows(sample.len()).any(|w| w == sample);
        // Samples of the deleted photo; the staff photo (the same test picture, larger) can share
        // runs of bytes with it, so those prove nothing and are left out.
        let step = stored_photo.len() / 17;
        let samples: Vec<(usize, &[u8])> = (1..17)
            .map(|i| (i * step, &stored_photo[i * step..i * step + 32]))
            .filter(|(_, sample)| !has(&staff_photo, sample))
            .collect();
        assert!(
            samples.len() >= 8,
            "only {} samples tell the photos apart",
            samples.len()
        );
        for (at, sample) in samples {
            assert!(
                !has(&file, sample),
                "bytes {at} of the deleted photo are still in the file"
            );
        }
    }
    // The named ballot stays on the record, still counted.
    assert_eq!(
        app.count(
            "ballots",
            &format!("voter_id = {user_id} AND choice = 'yes'")
        )
        .await,
        1
    );
    let detail: Value = staff
        .get(&format!("/consultations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!detail.to_string().contains("王建国"), "{detail}");

    // The number is free for a new account.
    app.new_browser().register_ok(OWNER).await;
}
