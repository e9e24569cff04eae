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
    for (changes, code) in [
        (
            json!({"opening_hours": "8 to 9 daily"}),
            "opening_hours_invalid",
        ),
        (json!({"lat": 39.9, "lon": 116.4}), "outside_community"),
        (json!({"category": "casino"}), "category_unknown"),
    ] {
        let mut bad = pharmacy.clone();
        for (field, value) in changes.as_object().unwrap() {
            bad[field] = value.clone();
        }
        assert_problem(staff.post_json("/staff/facilities", &bad).await, 422, code).await;
    }
    assert_eq!(
        app.count("facilities", "1 = 1").await,
        before,
        "refusals write nothing"
    );

    // The list is read (and kept in memory) before each change, so each change must show.
    let pharmacies_before = collection(&app, "?category=pharmacy").await.len();
    let added = staff.post_json("/staff/facilities", &pharmacy).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["properties"]["services_zh"], "医保刷卡、测血压");
    assert_eq!(added["properties"]["wheelchair"], "yes");
    let pharmacies = collection(&app, "?category=pharmacy").await;
    assert_eq!(pharmacies.len(), pharmacies_before + 1);
    assert!(pharmacies.iter().any(|f| f["id"] == id));

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
    let listed = collection(&app, "?category=pharmacy").await;
    let listed = listed.iter().find(|f| f["id"] == id).unwrap();
    assert_eq!(listed["properties"]["opening_hours"], "24/7");
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

/// The planar area of a GeoJSON MultiPolygon's coordinates in square degrees (outer rings minus
/// holes): enough to compare areas around one point.
fn area(multi: &Value) -> f64 {
    let ring = |r: &Value| {
        let p: Vec<(f64, f64)> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        p.windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum::<f64>()
            / 2.0
    };
    multi
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|polygon| polygon.as_array().unwrap().iter().map(ring))
        .sum()
}

#[tokio::test]
async fn walking_areas_follow_the_network_and_the_coverage_card_follows_the_walk() {
    let app = spawn_app().await;
    // From a building door of the demo.
    let (lat, lon): (f64, f64) =
        sqlx::query_as("SELECT lat, lon FROM buildings ORDER BY id LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let public = app.new_browser();
    let resp = public.get(&format!("/walk?lat={lat}&lon={lon}")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    let walk = &body["walk"];
    assert_eq!(walk["metres_per_minute"], 60);
    let areas = walk["areas"].as_array().unwrap();
    let minutes: Vec<i64> = areas
        .iter()
        .map(|a| a["minutes"].as_i64().unwrap())
        .collect();
    assert_eq!(minutes, [5, 10, 15]);
    let sizes: Vec<f64> = areas.iter().map(|a| area(&a["coordinates"])).collect();
    assert!(
        sizes[0] > 0.0 && sizes[0] < sizes[1] && sizes[1] < sizes[2],
        "{sizes:?}"
    );

    // Every facility in service has its walk, in minutes rounded up at 60 m/min.
    let facilities = app.count("facilities", "retired_at IS NULL").await;
    let walks = walk["destinations"].as_array().unwrap();
    assert_eq!(walks.len() as i64, facilities);
    for w in walks.iter().filter(|w| !w["metres"].is_null()) {
        let metres = w["metres"].as_f64().unwrap();
        assert_eq!(
            w["minutes"].as_f64().unwrap(),
            (metres / 60.0).ceil(),
            "{w}"
        );
        assert!(metres <= 15.0 * 60.0 + 1.0);
    }

    // The card: every category, each met exactly when its nearest walk fits its circle; the
    // categories the demo leaves out are missing.
    let card = &body["coverage"];
    let lines = card["categories"].as_array().unwrap();
    assert_eq!(lines.len(), 29);
    let mut met = 0;
    for line in lines {
        let fits = line["nearest"]["minutes"]
            .as_i64()
            .is_some_and(|m| m <= line["within_minutes"].as_i64().unwrap());
        assert_eq!(line["met"], fits, "{line}");
        met += i64::from(fits);
        if let Some(id) = line["nearest"]["facility_id"].as_i64() {
            let walk = walks.iter().find(|w| w["id"] == id).unwrap();
            assert_eq!(walk["minutes"], line["nearest"]["minutes"]);
        }
    }
    assert_eq!(card["met"], met);
    for absent in ["after_school_care", "elderly_care_home", "cultural_centre"] {
        let line = lines.iter().find(|l| l["category"] == absent).unwrap();
        assert!(line["nearest"].is_null() && line["met"] == false, "{line}");
    }

    // A slower walker reaches less.
    let slow: Value = public
        .get(&format!("/walk?lat={lat}&lon={lon}&speed=50"))
        .await
        .json()
        .await
        .unwrap();
    assert!(slow["coverage"]["met"].as_i64() <= card["met"].as_i64());
    assert!(area(&slow["walk"]["areas"][2]["coordinates"]) < sizes[2]);

    // The server keeps the facilities put on the network; a facility staff add is walked to
    // in the next answer, one they retire is gone from it.
    let staff = signed_in(&app, STAFF).await;
    let mut pharmacy = new_pharmacy(&app).await;
    pharmacy["lat"] = json!(lat + 0.0002);
    pharmacy["lon"] = json!(lon);
    let added: Value = staff
        .post_json("/staff/facilities", &pharmacy)
        .await
        .json()
        .await
        .unwrap();
    let id = added["id"].clone();
    let walk_to = |answer: &Value| {
        answer["walk"]["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == id)
            .cloned()
    };
    let walk_from_the_door = || async {
        let answer = public.get(&format!("/walk?lat={lat}&lon={lon}")).await;
        answer.json::<Value>().await.unwrap()
    };
    let after = walk_from_the_door().await;
    assert_eq!(
        after["walk"]["destinations"].as_array().unwrap().len(),
        walks.len() + 1
    );
    let new_walk = walk_to(&after).expect("the new pharmacy is walked to");
    assert!(
        new_walk["minutes"].as_i64().is_some_and(|m| m <= 5),
        "{new_walk}"
    );
    staff
        .post_json(&format!("/staff/facilities/{id}/retire"), &json!({}))
        .await;
    let retired = walk_from_the_door().await;
    assert_eq!(
        retired["walk"]["destinations"].as_array().unwrap().len(),
        walks.len()
    );
    assert_eq!(walk_to(&retired), None);

    // Refusals.
    let ask = |q: String| {
        let public = app.new_browser();
        async move { public.get(&format!("/walk?{q}")).await }
    };
    assert_problem(
        ask(format!("lat={lat}&lon={lon}&speed=70")).await,
        422,
        "answer_not_an_option",
    )
    .await;
    assert_problem(
        ask(format!("lat={lat}&lon={lon}&minutes=0")).await,
        422,
        "answer_out_of_range",
    )
    .await;
    assert_problem(
        ask(format!("lat={lat}&lon={lon}&minutes=5,31")).await,
        422,
        "answer_out_of_range",
    )
    .await;
    assert_problem(
        ask(format!("lat={lat}&lon={lon}&minutes=five")).await,
        422,
        "answer_out_of_range",
    )
    .await;
    assert_problem(
        ask("lat=39.9&lon=116.4".into()).await,
        422,
        "outside_community",
    )
    .await;
    assert_problem(
        ask("lat=100&lon=116.4".into()).await,
        422,
        "location_invalid",
    )
    .await;
}

/// `[west, south, east, north]` of a polygon's outer ring.
fn ring_bbox(ring: &[Value]) -> [f64; 4] {
    ring.iter().fold(
        [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
        |[w, s, e, n], p| {
            let (lon, lat) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            [w.min(lon), s.min(lat), e.max(lon), n.max(lat)]
        },
    )
}

#[tokio::test]
async fn the_base_map_draws_compounds_and_buildings_under_the_ways() {
    let app = spawn_app().await;
    let resp = app.new_browser().get("/map/base").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "FeatureCollection");
    let features = body["features"].as_array().unwrap();
    let kind = |f: &Value| f["properties"]["kind"].as_str().unwrap().to_owned();

    // Polygons first, so a map that draws in order puts the ways on top.
    let polygons = features
        .iter()
        .take_while(|f| f["geometry"]["type"] == "Polygon")
        .count();
    assert!(
        features[polygons..]
            .iter()
            .all(|f| f["geometry"]["type"] == "LineString"),
        "lines after the polygons"
    );
    let lines = &features[polygons..];
    assert_eq!(lines.len() as i64, app.count("walk_edges", "1 = 1").await);
    assert!(
        lines
            .iter()
            .all(|l| ["street", "path", "gate"].contains(&kind(l).as_str()))
    );

    let compounds: Vec<&Value> = features[..polygons]
        .iter()
        .filter(|f| kind(f) == "compound")
        .collect();
    let buildings: Vec<&Value> = features[..polygons]
        .iter()
        .filter(|f| kind(f) == "building")
        .collect();
    assert_eq!(compounds.len() + buildings.len(), polygons);
    assert_eq!(
        compounds.len() as i64,
        app.count("compounds", "1 = 1").await
    );
    assert_eq!(
        buildings.len() as i64,
        app.count("buildings", "1 = 1").await
    );
    assert!(
        compounds
            .iter()
            .any(|c| c["properties"]["name_zh"] == "翠柳苑")
    );
    for polygon in compounds.iter().chain(&buildings) {
        let rings = polygon["geometry"]["coordinates"].as_array().unwrap();
        let outer = rings[0].as_array().unwrap();
        assert!(outer.len() >= 4, "{polygon}");
        assert_eq!(outer.first(), outer.last(), "a closed ring: {polygon}");
        assert_eq!(polygon["properties"]["closed"], false);
    }

    // Every footprint lies within its compound's wall: the compound whose boundary holds the
    // footprint's centre must hold all of it, and each compound holds as many buildings as it
    // has in the database.
    let walls: Vec<[f64; 4]> = compounds
        .iter()
        .map(|c| ring_bbox(c["geometry"]["coordinates"][0].as_array().unwrap()))
        .collect();
    let mut held = vec![0_i64; walls.len()];
    for building in &buildings {
        let name = building["properties"]["name_zh"].as_str().unwrap();
        assert!(name.ends_with('幢'), "{name}");
        assert!(
            building["properties"]["name_en"]
                .as_str()
                .unwrap()
                .starts_with("Building ")
        );
        let [w, s, e, n] = ring_bbox(building["geometry"]["coordinates"][0].as_array().unwrap());
        let (lon, lat) = ((w + e) / 2.0, (s + n) / 2.0);
        let wall = walls
            .iter()
            .position(|&[ww, ws, we, wn]| (ww..=we).contains(&lon) && (ws..=wn).contains(&lat))
            .unwrap_or_else(|| panic!("{name} stands in no compound"));
        let [ww, ws, we, wn] = walls[wall];
        assert!(
            ww <= w && e <= we && ws <= s && n <= wn,
            "{name} inside its wall"
        );
        held[wall] += 1;
    }
    for (compound, held) in compounds.iter().zip(held) {
        let name = compound["properties"]["name_zh"].as_str().unwrap();
        let planned = app
            .count(
                "buildings b JOIN compounds c ON c.id = b.compound_id",
                &format!("c.name_zh = '{name}'"),
            )
            .await;
        assert_eq!(held, planned, "{name}");
    }

    // The older layer answers as before.
    let network: Value = app
        .new_browser()
        .get("/map/network")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(network["features"].as_array().unwrap(), lines);
}
