//! `GET /community`: the public overview, which must never leak a resident's number.

use crate::helpers::{assert_problem, spawn_app, spawn_app_unseeded};
use linli_domain::HouseholdRelation;
use reqwest::StatusCode;
use serde_json::Value;

/// Every substring matching `1[3-9]\d{9}` (a mainland mobile number).
fn phone_numbers(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(10))
        .filter(|&i| {
            bytes[i] == b'1'
                && (b'3'..=b'9').contains(&bytes[i + 1])
                && bytes[i + 2..i + 11].iter().all(u8::is_ascii_digit)
        })
        .map(|i| &text[i..i + 11])
        .collect()
}

#[test]
fn the_phone_pattern_finds_numbers_anywhere() {
    assert_eq!(phone_numbers("call 13812345678!"), vec!["13812345678"]);
    assert_eq!(phone_numbers("\"x\":19912345678}"), vec!["19912345678"]);
    assert!(phone_numbers("12812345678 1381234567 0571-88888888").is_empty());
}

#[tokio::test]
async fn the_overview_shows_the_three_compounds_and_no_phone_numbers() {
    let app = spawn_app().await;

    let resp = app.get("/community").await;

    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.unwrap();
    assert!(
        phone_numbers(&text).is_empty(),
        "phone numbers in the public overview: {:?}",
        phone_numbers(&text)
    );
    let overview: Value = serde_json::from_str(&text).unwrap();
    let compounds = overview["compounds"].as_array().expect("compounds");
    assert_eq!(compounds.len(), 3, "{overview}");
    let households = overview["households"].as_i64().unwrap();
    assert!(households > 0);
    assert_eq!(households, app.count("households", "").await);
    assert_eq!(
        compounds
            .iter()
            .map(|c| c["households"].as_i64().unwrap())
            .sum::<i64>(),
        households
    );
    assert!(
        compounds
            .iter()
            .all(|c| c["buildings"].as_i64().unwrap() > 0)
    );
    let facilities = overview["facilities"].as_i64().unwrap();
    assert!(facilities > 0);
    assert_eq!(facilities, app.count("facilities", "").await);
    let verified = overview["verified_households"].as_i64().unwrap();
    assert!(verified > 0 && verified <= households, "{overview}");
    assert!(overview["name_zh"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(overview["name_en"].as_str().is_some_and(|n| !n.is_empty()));

    // A household bound through the API is counted as verified.
    app.register_ok("13812345678").await;
    let (household_id, code) = app.unused_code(HouseholdRelation::Owner).await;
    let already = app
        .count(
            "household_members",
            &format!("household_id = {household_id}"),
        )
        .await;
    assert_eq!(app.bind(code.as_str()).await.status(), StatusCode::CREATED);
    let after: Value = app.get("/community").await.json().await.unwrap();
    let expected = if already == 0 { verified + 1 } else { verified };
    assert_eq!(after["verified_households"].as_i64().unwrap(), expected);
}

#[tokio::test]
async fn without_a_community_the_overview_says_none_is_set_up() {
    let app = spawn_app_unseeded().await;
    assert_problem(app.get("/community").await, 409, "no_community").await;
}
