//! Open311 GeoReport v2 at /open311/v2 (read side): JSON and XML, the spec's names and errors,
//! and nothing personal in public requests.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::Value;

async fn get(app: &crate::helpers::TestApp, path: &str) -> (StatusCode, String, String) {
    let resp = app.client.get(app.url(path)).send().await.unwrap();
    let status = resp.status();
    let content_type = crate::helpers::content_type(&resp);
    (status, content_type, resp.text().await.unwrap())
}

#[tokio::test]
async fn discovery_and_services_in_json_and_xml() {
    let app = spawn_app().await;
    let (status, ct, body) = get(&app, "/open311/v2/discovery.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/json"));
    let discovery: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(discovery["endpoints"][0]["formats"][1], "text/xml");

    let services: Value =
        serde_json::from_str(&get(&app, "/open311/v2/services.json").await.2).unwrap();
    let services = services.as_array().unwrap();
    assert_eq!(services.len(), 9);
    assert_eq!(services[0]["service_code"], "repairs");
    assert_eq!(services[0]["metadata"], true);
    assert_eq!(services[0]["type"], "realtime");

    let (status, ct, xml) = get(&app, "/open311/v2/services.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/xml"));
    assert!(xml.starts_with("<?xml"));
    assert_eq!(xml.matches("<service>").count(), 9);
    assert!(xml.contains("<service_code>repairs</service_code>"));

    let definition: Value =
        serde_json::from_str(&get(&app, "/open311/v2/services/safety.json").await.2).unwrap();
    assert_eq!(definition["service_code"], "safety");
    let attribute = &definition["attributes"][0];
    assert_eq!(attribute["code"], "hazard");
    assert_eq!(attribute["datatype"], "singlevaluelist");
    assert_eq!(attribute["required"], true);
    assert_eq!(attribute["values"][0]["key"], "fire_exit");
    let xml = get(&app, "/open311/v2/services/safety.xml").await.2;
    assert!(xml.contains(
        "<service_definition><service_code>safety</service_code><attributes><attribute>"
    ));
}

#[tokio::test]
async fn requests_are_public_anonymised_and_filterable() {
    let app = spawn_app().await;
    let (status, _, body) = get(&app, "/open311/v2/requests.json").await;
    assert_eq!(status, StatusCode::OK);
    let all: Value = serde_json::from_str(&body).unwrap();
    let all = all.as_array().unwrap();
    assert!(!all.is_empty());
    for r in all {
        assert!(["open", "closed"].contains(&r["status"].as_str().unwrap()));
        assert!(r["service_request_id"].as_str().unwrap().starts_with("LL-"));
        assert!(r["expected_datetime"].as_str().unwrap().ends_with("+08:00"));
    }
    // No phone numbers, no account names anywhere in the public data.
    let phone = regex_lite_phone(&body);
    assert!(!phone, "a phone number leaked: {body}");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT display_name FROM users WHERE role = 'resident'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(
        names.iter().all(|n| !body.contains(n.as_str())),
        "a resident's name leaked"
    );

    let closed: Value =
        serde_json::from_str(&get(&app, "/open311/v2/requests.json?status=closed").await.2)
            .unwrap();
    assert!(
        closed
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "closed")
    );
    let id = all[0]["service_request_id"].as_str().unwrap();
    let one: Value = serde_json::from_str(
        &get(&app, &format!("/open311/v2/requests/{id}.json"))
            .await
            .2,
    )
    .unwrap();
    assert_eq!(one[0]["service_request_id"], id);
    let xml = get(&app, &format!("/open311/v2/requests/{id}.xml")).await.2;
    assert!(xml.contains(&format!(
        "<service_requests><request><service_request_id>{id}</service_request_id>"
    )));
}

#[tokio::test]
async fn errors_follow_the_spec() {
    let app = spawn_app().await;
    let (status, _, body) = get(&app, "/open311/v2/requests/LL-1999-000001.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let errors: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(errors[0]["code"], 404);
    assert!(errors[0]["description"].is_string());
    let (status, _, xml) = get(&app, "/open311/v2/services/casino.xml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(xml.contains("<errors><error><code>404</code>"));
    let (status, _, _) = get(&app, "/open311/v2/requests.json?status=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// True if the text holds a mainland mobile number (1[3-9] and nine more digits, standing alone).
fn regex_lite_phone(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(10)).any(|i| {
        let window = &bytes[i..i + 11];
        let standalone = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 11).is_none_or(|b| !b.is_ascii_digit());
        standalone
            && window[0] == b'1'
            && (b'3'..=b'9').contains(&window[1])
            && window.iter().all(u8::is_ascii_digit)
    })
}
