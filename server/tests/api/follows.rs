//! "Me too" (附议): similar open requests nearby, following one, what a follower may see, and
//! the public list with no personal data.

use crate::helpers::{TestApp, assert_problem, spawn_app};
use crate::requests::{STAFF, act_ok, repair, signed_in, submit};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OWNER: &str = "13900000001";
const TENANT: &str = "13900000002";
const UNBOUND: &str = "13900000003";

/// The building of the owner's household: where their requests are by default.
async fn owner_building(app: &TestApp) -> (i64, f64, f64) {
    let row: (i64, f64, f64) = sqlx::query_as(
        "SELECT b.id, b.lat, b.lon FROM users u
         JOIN household_members m ON m.user_id = u.id
         JOIN households h ON h.id = m.household_id
         JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id
         WHERE u.phone = $1",
    )
    .bind(OWNER)
    .fetch_one(&app.db)
    .await
    .unwrap();
    row
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn similar_requests_nearby_can_be_followed_instead_of_sent_again() {
    let app = spawn_app().await;
    let (_, lat, lon) = owner_building(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let detail = submit(&owner, &repair("单元门禁坏了，门关不上")).await;
    let id = detail["summary"]["id"].as_i64().unwrap();

    // 100 m north of the owner's building: found, with its distance.
    let tenant = signed_in(&app, TENANT).await;
    let near = format!(
        "/requests/similar?category=repairs&lat={}&lon={lon}",
        lat + 100.0 / 111_195.0
    );
    let list: Value = tenant.get(&near).await.json().await.unwrap();
    let found = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .expect("found nearby");
    assert!(
        (90..=110).contains(&found["distance_metres"].as_i64().unwrap()),
        "{found}"
    );
    assert_eq!(found["mine"], false);
    assert!(found.get("description").is_none());
    // 400 m away, or another category: not similar.
    let far = format!(
        "/requests/similar?category=repairs&lat={}&lon={lon}",
        lat + 400.0 / 111_195.0
    );
    assert!(!ids(&tenant.get(&far).await.json().await.unwrap()).contains(&id));
    let other = format!("/requests/similar?category=sanitation&lat={lat}&lon={lon}");
    assert!(!ids(&tenant.get(&other).await.json().await.unwrap()).contains(&id));
    // Without a point, the resident's own household is the place.
    let home: Value = owner
        .get("/requests/similar?category=repairs")
        .await
        .json()
        .await
        .unwrap();
    let own = home
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .expect("at home");
    assert_eq!(own["mine"], true);
    assert_problem(
        tenant
            .get("/requests/similar?category=repairs&lat=95&lon=120")
            .await,
        422,
        "location_invalid",
    )
    .await;

    // Me too: the tenant follows instead of sending a duplicate.
    let before = app.count("service_requests", "").await;
    let resp = tenant
        .post_json(&format!("/requests/{id}/follow"), &json!({}))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let seen: Value = resp.json().await.unwrap();
    assert_eq!(seen["following"], true);
    assert_eq!(seen["followers"], 1);
    assert_eq!(seen["description"], "");
    assert_eq!(seen["allowed_actions"], json!([]));
    assert_eq!(app.count("service_requests", "").await, before);
    // Twice is once.
    tenant
        .post_json(&format!("/requests/{id}/follow"), &json!({}))
        .await;
    assert_eq!(
        app.count("request_followers", &format!("request_id = {id}"))
            .await,
        1
    );
    // It is in the tenant's list, marked as followed, and readable; the author sees the count.
    let mine: Value = tenant.get("/me/requests").await.json().await.unwrap();
    let entry = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(entry["following"], true);
    assert_eq!(
        tenant.get(&format!("/requests/{id}")).await.status(),
        StatusCode::OK
    );
    let authored: Value = owner
        .get(&format!("/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(authored["followers"], 1);
    assert_eq!(authored["following"], false);
    let staff = signed_in(&app, STAFF).await;
    let accepted = act_ok(&staff, id, json!({ "action": "accept", "note": "明天修" })).await;
    assert_eq!(accepted["followers"], 1);
    let followed: Value = tenant
        .get(&format!("/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(followed["summary"]["status"], "accepted");
    assert_eq!(
        followed["timeline"].as_array().unwrap().last().unwrap()["note"],
        "明天修"
    );

    // One's own request, or staff: nothing to follow.
    assert_problem(
        owner
            .post_json(&format!("/requests/{id}/follow"), &json!({}))
            .await,
        409,
        "cannot_follow",
    )
    .await;
    assert_problem(
        staff
            .post_json(&format!("/requests/{id}/follow"), &json!({}))
            .await,
        409,
        "cannot_follow",
    )
    .await;
    // Unfollowing hides it again.
    let resp = tenant
        .client
        .delete(tenant.api(&format!("/requests/{id}/follow")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_problem(
        tenant.get(&format!("/requests/{id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.new_browser()
            .post_json(&format!("/requests/{id}/follow"), &json!({}))
            .await,
        401,
        "unauthorized",
    )
    .await;
    // An account without a household and no point has nothing nearby to compare with.
    let unbound = signed_in(&app, UNBOUND).await;
    let none: Value = unbound
        .get("/requests/similar?category=repairs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn a_closed_request_cannot_be_followed() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let id = submit(&owner, &repair("楼道灯坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    act_ok(&owner, id, json!({ "action": "withdraw" })).await;
    let tenant = signed_in(&app, TENANT).await;
    assert_problem(
        tenant
            .post_json(&format!("/requests/{id}/follow"), &json!({}))
            .await,
        409,
        "cannot_follow",
    )
    .await;
}

#[tokio::test]
async fn the_public_list_pages_through_requests_without_personal_data() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let mut body = repair("楼道灯不亮 — 公开列表");
    body["description"] = json!("我是张三，电话 13900000001，住 301");
    body["address"] = json!("翠柳苑1幢1单元301室门口");
    let id = submit(&owner, &body).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let (year, seq): (i64, i64) =
        sqlx::query_as("SELECT tracking_year, tracking_seq FROM service_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let tracking = format!("LL-{year}-{seq:06}");

    let visitor = app.new_browser();
    let resp = visitor.get("/requests/public?limit=5").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    for secret in [
        "13900000001",
        "张三",
        // The room, as written; a bare "301" also turns up inside timestamps.
        "住 301",
        "1单元301",
        "description",
        "phone",
        "display_name",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let first: Value = serde_json::from_str(&text).unwrap();
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["tracking_number"], tracking.as_str());
    assert!(items[0]["compound_zh"].is_string());
    // A coarse place: three decimals at most.
    let lat = items[0]["location"]["lat"].as_f64().unwrap();
    assert!(((lat * 1000.0).round() / 1000.0 - lat).abs() < 1e-9);

    // The next page continues where the first stopped, without repeats, newest first.
    let before = first["next_before"].as_i64().expect("more pages");
    let second: Value = visitor
        .get(&format!("/requests/public?limit=5&before={before}"))
        .await
        .json()
        .await
        .unwrap();
    let second = second["items"].as_array().unwrap();
    assert_eq!(second.len(), 5);
    let times: Vec<i64> = items
        .iter()
        .chain(second)
        .map(|r| r["submitted_at"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    let numbers: std::collections::HashSet<_> = items
        .iter()
        .chain(second)
        .map(|r| r["tracking_number"].clone())
        .collect();
    assert_eq!(numbers.len(), 10);

    // Filters, and a refused one.
    let open: Value = visitor
        .get("/requests/public?state=open&limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(open["items"].as_array().unwrap().iter().all(|r| {
        !["resolved", "closed", "rejected", "withdrawn"].contains(&r["status"].as_str().unwrap())
    }));
    let safety: Value = visitor
        .get("/requests/public?category=safety&limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        safety["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["category"] == "safety")
    );
    assert_problem(
        visitor.get("/requests/public?state=maybe").await,
        422,
        "status_unknown",
    )
    .await;
    let all: Value = visitor
        .get("/requests/public?limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] != "withdrawn")
    );
    // Done or refused: the rest of the list.
    let closed: Value = visitor
        .get("/requests/public?state=closed&limit=100")
        .await
        .json()
        .await
        .unwrap();
    let closed = closed["items"].as_array().unwrap();
    assert!(
        closed
            .iter()
            .all(|r| ["resolved", "closed", "rejected"].contains(&r["status"].as_str().unwrap()))
    );
    assert_eq!(
        open["items"].as_array().unwrap().len() + closed.len(),
        all["items"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn staff_filter_the_queue_by_building_and_record_why_they_refuse() {
    let app = spawn_app().await;
    let (building, _, _) = owner_building(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let id = submit(&owner, &repair("一楼信箱坏了")).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let staff = signed_in(&app, STAFF).await;
    let list: Value = staff
        .get(&format!("/staff/requests?building={building}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(ids(&list).contains(&id));
    let in_building = app
        .count(
            "service_requests r JOIN households h ON h.id = r.household_id JOIN stairwells s ON s.id = h.stairwell_id",
            &format!("s.building_id = {building} AND r.status NOT IN ('closed', 'rejected', 'withdrawn')"),
        )
        .await;
    assert_eq!(list.as_array().unwrap().len() as i64, in_building.min(50));
    let map: Value = app
        .new_browser()
        .get("/community/map")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        map["buildings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == building)
    );

    let refused = act_ok(
        &staff,
        id,
        json!({ "action": "reject", "reason": "referred_elsewhere", "note": "信箱归邮政管理" }),
    )
    .await;
    let last = refused["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["reason"], "referred_elsewhere");
    assert_eq!(last["note"], "信箱归邮政管理");
    assert_eq!(refused["summary"]["status"], "rejected");
}
