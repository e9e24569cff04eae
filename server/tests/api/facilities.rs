//! /api/v1/facilities, /map/network and /staff/facilities: the service circle's facilities as
//! GeoJSON, the walking network the map draws, and staff keeping the list current.

use crate::consultations::OWNER;
use crate::helpers::{TestApp, assert_problem, spawn_app};
use crate::requests::{STAFF, signed_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn collection(app: &TestApp, query: &str) -> Vec<Value> {
    let resp = app.new_browser().get(&format!("/facilities{query}")).await;
    assert_eq!(resp.status(), StatusCode::OK, "{query}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "FeatureCollection");
    body["features"].as_array().unwrap().clone()
}

/// A facility staff might add: a pharmacy near the demo's first facility.
async fn new_pharmacy(app: &TestApp) -> Value {
    let (lat, lon): (f64, f64) =
        sqlx::query_as("SELECT lat, lon FROM facilities ORDER BY id LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    json!({ "category": "pharmacy", "name_zh": "益丰大药房", "name_en": "Yifeng Pharmacy",
            "address_zh": "青樟路 20 号", "lat": lat + 0.0003, "lon": lon,
            "opening_hours": "Mo-Su 08:00-21:00", "phone": "0571-85217399",
            "services_zh": "医保刷卡、测血压", "services_en": "Medical insurance, blood pressure",
            "wheelchair": "yes" })
}

#[tokio::test]
async fn facilities_are_geojson_points_filtered_by_category_and_area() {
    let app = spawn_app().await;
    let all = collection(&app, "").await;
    assert_eq!(all.len() as i64, app.count("facilities", "1 = 1").await);
    for f in &all {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        let p = &f["properties"];
        assert!(p["name_zh"].as_str().is_some_and(|n| !n.is_empty()));
        // Every demo facility has hours, so each says whether it is open now.
        assert!(p["open_now"].is_boolean(), "{p}");
    }
    // Always-open facilities never change state; others say when they next do.
    let always = all
        .iter()
        .find(|f| f["properties"]["opening_hours"] == "24/7")
        .unwrap();
    assert_eq!(always["properties"]["open_now"], true);
    assert!(always["properties"]["next_change"].is_null());

    let pharmacies = collection(&app, "?category=pharmacy").await;
    assert_eq!(
        pharmacies.len() as i64,
        app.count("facilities", "category = 'pharmacy'").await
    );
    assert!(
        pharmacies
            .iter()
            .all(|f| f["properties"]["category"] == "pharmacy")
    );
    assert_eq!(pharmacies[0]["properties"]["circle"], "five_minute");
    let two = collection(&app, "?category=pharmacy,kindergarten").await;
    assert_eq!(
        two.len() as i64,
        app.count("facilities", "category IN ('pharmacy', 'kindergarten')")
            .await
    );

    // A small box around one facility holds it and not the others far away.
    let [lon, lat] = [
        all[0]["geometry"]["coordinates"][0].as_f64().unwrap(),
        all[0]["geometry"]["coordinates"][1].as_f64().unwrap(),
    ];
    let d = 0.0002;
    let boxed = collection(
        &app,
        &format!("?bbox={},{},{},{}", lon - d, lat - d, lon + d, lat + d),
    )
    .await;
    assert!(boxed.iter().any(|f| f["id"] == all[0]["id"]));
    assert!(boxed.len() < all.len());

    let public = app.new_browser();
    assert_problem(
        public.get("/facilities?bbox=1,2,3").await,
        422,
        "bbox_invalid",
    )
    .await;
    assert_problem(
        public.get("/facilities?bbox=120.3,30,120.1,31").await,
        422,
        "bbox_invalid",
    )
    .await;
    assert_problem(
        public.get("/facilities?category=casino").await,
        422,
        "category_unknown",
    )
    .await;

    let id = all[0]["id"].as_i64().unwrap();
    let one: Value = public
        .get(&format!("/facilities/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one, all[0]);
    assert_problem(public.get("/facilities/999999").await, 404, "not_found").await;
}

#[tokio::test]
async fn the_walking_network_is_drawn_from_the_servers_own_geojson() {
    let app = spawn_app().await;
    let body: Value = app
        .new_browser()
        .get("/map/network")
        .await
        .json()
        .await
        .unwrap();
    let ways = body["features"].as_array().unwrap();
    assert_eq!(ways.len() as i64, app.count("walk_edges", "1 = 1").await);
    for way in ways {
        assert_eq!(way["geometry"]["type"], "LineString");
        assert!(way["geometry"]["coordinates"].as_array().unwrap().len() >= 2);
        assert!(["street", "path", "gate"].contains(&way["properties"]["kind"].as_str().unwrap()));
    }
    assert!(
        ways.iter().any(|w| w["properties"]["name_zh"].is_string()),
        "streets are named"
    );
}

#[tokio::test]
async fn staff_add_edit_and_retire_facilities_and_nothing_else_gets_in() {
    let app = spawn_app().await;
    let staff = signed_in(&app, STAFF).await;
    let resident = signed_in(&app, OWNER).await;
    let pharmacy = new_pharmacy(&app).await;
    let before = app.count("facilities", "1 = 1").await;

    assert_problem(
        resident.post_json("/staff/facilities", &pharmacy).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.new_browser()
            .post_json("/staff/facilities", &pharmacy)
            .await,
        401,
        "unauthorized",
    )
    .await;
    let mut bad_hours = pharmacy.clone();
    bad_hours["opening_hours"] = json!("8 to 9 daily");
    assert_problem(
        staff.post_json("/staff/facilities", &bad_hours).await,
        422,
        "opening_hours_invalid",
    )
    .await;
    let mut far = pharmacy.clone();
    far["lat"] = json!(39.9);
    far["lon"] = json!(116.4);
    assert_problem(
        staff.post_json("/staff/facilities", &far).await,
        422,
        "outside_community",
    )
    .await;
    let mut unknown = pharmacy.clone();
    unknown["category"] = json!("casino");
    assert_problem(
        staff.post_json("/staff/facilities", &unknown).await,
        422,
        "category_unknown",
    )
    .await;
    assert_eq!(
        app.count("facilities", "1 = 1").await,
        before,
        "refusals write nothing"
    );

    let added = staff.post_json("/staff/facilities", &pharmacy).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["properties"]["services_zh"], "医保刷卡、测血压");
    assert_eq!(added["properties"]["wheelchair"], "yes");
    assert!(
        collection(&app, "?category=pharmacy")
            .await
            .iter()
            .any(|f| f["id"] == id)
    );

    let mut edited = pharmacy.clone();
    edited["opening_hours"] = json!("24/7");
    edited["wheelchair"] = json!("limited");
    let resp = staff
        .put_json(&format!("/staff/facilities/{id}"), &edited)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let now: Value = app
        .new_browser()
        .get(&format!("/facilities/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["properties"]["opening_hours"], "24/7");
    assert_eq!(now["properties"]["open_now"], true);
    assert_eq!(now["properties"]["wheelchair"], "limited");
    assert_problem(
        staff.put_json("/staff/facilities/999999", &edited).await,
        404,
        "not_found",
    )
    .await;

    assert_problem(
        resident
            .post_json(&format!("/staff/facilities/{id}/retire"), &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let retired = staff
        .post_json(&format!("/staff/facilities/{id}/retire"), &json!({}))
        .await;
    assert_eq!(retired.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.new_browser().get(&format!("/facilities/{id}")).await,
        404,
        "not_found",
    )
    .await;
    assert!(!collection(&app, "").await.iter().any(|f| f["id"] == id));
    assert_problem(
        staff
            .post_json(&format!("/staff/facilities/{id}/retire"), &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        staff
            .put_json(&format!("/staff/facilities/{id}"), &edited)
            .await,
        404,
        "not_found",
    )
    .await;
}
