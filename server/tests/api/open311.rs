//! Open311 GeoReport v2 at /open311/v2: JSON and XML, the spec's names and errors, sending
//! requests with an API key, tokens, the date window, and nothing personal in public requests.

use crate::helpers::{TestApp, add_community, spawn_app, spawn_app_unseeded};
use linli_server::seed::{DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

/// A point inside the demo community (its centre is 30.3128, 120.1386).
const LAT: &str = "30.3131";
const LONG: &str = "120.1391";
/// Personal details a hotline sends along; none of them may come out again.
const PHONE: &str = "13912345678";
const FIRST_NAME: &str = "Zhang";
const LAST_NAME: &str = "Sanfeng";
const EMAIL: &str = "zhang.sanfeng@example.com";

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
    assert!(
        discovery["key_service"]
            .as_str()
            .unwrap()
            .contains("api_key")
    );

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
        // Bounded by neither a digit nor a letter: eleven digits inside a hex token (the
        // request's token is random hex, and "…bc17581646181" once failed this test) are not
        // a phone number.
        let standalone = (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && bytes.get(i + 11).is_none_or(|b| !b.is_ascii_alphanumeric());
        standalone
            && window[0] == b'1'
            && (b'3'..=b'9').contains(&window[1])
            && window.iter().all(u8::is_ascii_digit)
    })
}

#[test]
fn a_phone_number_is_eleven_digits_standing_alone_not_inside_a_token() {
    assert!(regex_lite_phone(r#"{"phone":"13900000001"}"#));
    assert!(regex_lite_phone("电话13900000001。"));
    assert!(!regex_lite_phone(r#"{"token":"fde1bc17581646181"}"#));
    assert!(!regex_lite_phone("139000000012"));
    assert!(!regex_lite_phone("12900000001"));
}

/// POSTs a form to an Open311 path: (status, content type, body).
async fn post_form(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    post_form_in(app, path, form, "zh-CN").await
}

async fn post_form_in(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    lang: &str,
) -> (StatusCode, String, String) {
    let resp = app
        .client
        .post(app.url(path))
        .header("Accept-Language", lang)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let content_type = crate::helpers::content_type(&resp);
    (status, content_type, resp.text().await.unwrap())
}

/// A good safety report from the demo client, with the caller's details a hotline would add.
fn safety_report() -> Vec<(&'static str, &'static str)> {
    vec![
        ("api_key", DEMO_OPEN311_KEY),
        ("service_code", "safety"),
        ("lat", LAT),
        ("long", LONG),
        ("attribute[hazard]", "fire_exit"),
        (
            "description",
            "消防通道被电动车堵了\n翠柳苑3幢北侧，晚上尤其严重。",
        ),
        ("first_name", FIRST_NAME),
        ("last_name", LAST_NAME),
        ("phone", PHONE),
        ("email", EMAIL),
        ("device_id", "device-42"),
        ("account_id", "acct-42"),
        ("media_url", "https://example.com/photo.jpg"),
    ]
}

/// Every row an Open311 POST could write.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("service_requests", "").await,
        app.count("request_events", "").await,
        app.count("open311_tokens", "").await,
    )
}

/// The `description`s of a JSON error document, asserting its shape and status code.
fn descriptions(body: &str, code: u16) -> Vec<String> {
    let errors: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    errors
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {body}"))
        .iter()
        .map(|e| {
            assert_eq!(e["code"], code, "{body}");
            e["description"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn assert_nothing_personal(body: &str) {
    for personal in [
        PHONE,
        FIRST_NAME,
        LAST_NAME,
        EMAIL,
        "device-42",
        "acct-42",
        "photo.jpg",
    ] {
        assert!(!body.contains(personal), "{personal} leaked: {body}");
    }
    assert!(!regex_lite_phone(body), "a phone number leaked: {body}");
}

#[tokio::test]
async fn a_client_posts_in_json_and_reads_it_back_by_id_and_token() {
    let app = spawn_app().await;
    let before = written(&app).await;
    let (status, ct, body) = post_form(&app, "/open311/v2/requests.json", &safety_report()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ct.starts_with("application/json"));
    assert_nothing_personal(&body);
    let answer: Value = serde_json::from_str(&body).unwrap();
    let id = answer[0]["service_request_id"].as_str().unwrap().to_owned();
    let token = answer[0]["token"].as_str().unwrap().to_owned();
    assert!(id.starts_with("LL-"), "{body}");
    assert!(token.len() >= 32, "{body}");
    assert!(answer[0]["account_id"].is_null());
    assert!(
        answer[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("前办结")
    );
    let after = written(&app).await;
    assert_eq!(after, (before.0 + 1, before.1 + 1, before.2 + 1));

    // Public, by id: the first line stands for the description; the point is rounded.
    let (status, _, body) = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_nothing_personal(&body);
    let one: Value = serde_json::from_str(&body).unwrap();
    let r = &one[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["status_notes"], "submitted");
    assert_eq!(r["service_code"], "safety");
    assert_eq!(r["description"], "消防通道被电动车堵了");
    assert_eq!(r["lat"], 30.313);
    assert_eq!(r["long"], 120.139);
    // Safety: resolved within 24 hours.
    let requested = r["requested_datetime"].as_str().unwrap();
    let expected = r["expected_datetime"].as_str().unwrap();
    let secs = |t: &str| linli_domain::figures::parse_iso8601(t).unwrap();
    assert_eq!(secs(expected) - secs(requested), 24 * 3600);

    // By token, in both formats.
    let (status, _, body) = get(&app, &format!("/open311/v2/tokens/{token}.json")).await;
    assert_eq!(status, StatusCode::OK);
    let by_token: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(by_token[0]["service_request_id"], id.as_str());
    assert_eq!(by_token[0]["token"], token.as_str());
    let xml = get(&app, &format!("/open311/v2/tokens/{token}.xml"))
        .await
        .2;
    assert!(xml.contains(&format!(
        "<service_requests><request><service_request_id>{id}</service_request_id><token>{token}</token></request></service_requests>"
    )), "{xml}");
    let (status, _, body) = get(&app, "/open311/v2/tokens/no-such-token.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(descriptions(&body, 404).len(), 1);

    // In the list, newest first.
    let list = get(&app, "/open311/v2/requests.json").await.2;
    assert_nothing_personal(&list);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["service_request_id"], id.as_str());

    // Stored: no author, the client, the answers, the whole description, nothing personal.
    let (author, client, answers, description): (Option<i64>, Option<i64>, String, String) =
        sqlx::query_as(
            "SELECT author_id, open311_client_id, answers, description FROM service_requests
             WHERE open311_client_id IS NOT NULL",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(author, None);
    let demo_client: i64 = sqlx::query_scalar("SELECT id FROM open311_clients WHERE name = $1")
        .bind(DEMO_OPEN311_CLIENT)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(client, Some(demo_client));
    assert_eq!(answers, r#"{"hazard":"fire_exit"}"#);
    assert!(description.starts_with("消防通道被电动车堵了\n翠柳苑3幢北侧"));
    for table_column in [
        ("service_requests", "description"),
        ("service_requests", "title"),
        ("service_requests", "address"),
        ("request_events", "note"),
    ] {
        let (table, column) = table_column;
        for personal in [PHONE, FIRST_NAME, EMAIL] {
            assert_eq!(
                app.count(table, &format!("{column} LIKE '%{personal}%'"))
                    .await,
                0,
                "{personal} stored in {table}.{column}"
            );
        }
    }
}

#[tokio::test]
async fn a_client_posts_in_xml_with_a_multivaluelist_and_an_address_only() {
    let app = spawn_app().await;
    let form = [
        ("api_key", DEMO_OPEN311_KEY),
        ("service_code", "sanitation"),
        ("address_string", "翠柳苑2幢东侧垃圾房"),
        ("attribute[kinds][]", "rubbish"),
        ("attribute[kinds][]", "smell"),
        ("description", "垃圾房满了，味道很大"),
        ("phone", PHONE),
    ];
    let (status, ct, xml) = post_form(&app, "/open311/v2/requests.xml", &form).await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert!(ct.starts_with("text/xml"));
    assert!(xml.starts_with("<?xml"));
    assert_nothing_personal(&xml);
    let between = |open: &str, close: &str| {
        let start = xml.find(open).unwrap_or_else(|| panic!("{open} in {xml}")) + open.len();
        xml[start..start + xml[start..].find(close).unwrap()].to_owned()
    };
    assert!(xml.contains("<service_requests><request><service_request_id>LL-"));
    assert!(xml.contains("<account_id/>"));
    let id = between("<service_request_id>", "</service_request_id>");
    let token = between("<token>", "</token>");

    let one = get(&app, &format!("/open311/v2/requests/{id}.xml")).await.2;
    assert!(one.contains(&format!("<service_request_id>{id}</service_request_id>")));
    assert!(one.contains("<service_code>sanitation</service_code>"));
    assert!(one.contains("<description>垃圾房满了，味道很大</description>"));
    // The typed address is not public; without a point or a household there is no place.
    assert!(!one.contains("翠柳苑2幢东侧垃圾房"), "{one}");
    assert!(one.contains("<lat/>"), "{one}");
    let by_token = get(&app, &format!("/open311/v2/tokens/{token}.xml"))
        .await
        .2;
    assert!(by_token.contains(&format!("<service_request_id>{id}</service_request_id>")));

    let answers: String = sqlx::query_scalar(
        "SELECT answers FROM service_requests WHERE open311_client_id IS NOT NULL",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(answers, r#"{"kinds":["rubbish","smell"]}"#);
}

#[tokio::test]
async fn staff_handle_an_open311_request_like_any_other() {
    let app = spawn_app().await;
    let body = post_form(&app, "/open311/v2/requests.json", &safety_report())
        .await
        .2;
    let number: Value = serde_json::from_str(&body).unwrap();
    let number = number[0]["service_request_id"].as_str().unwrap().to_owned();
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM service_requests WHERE open311_client_id IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();

    let staff = app.new_browser();
    assert_eq!(
        staff.login("13800000002", DEMO_PASSWORD).await.status(),
        StatusCode::OK
    );
    let queue: Value = staff.get("/staff/requests").await.json().await.unwrap();
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["tracking_number"] == number.as_str()),
        "the Open311 request is in the staff queue"
    );
    let resp = staff.get(&format!("/requests/{id}")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let detail: Value = resp.json().await.unwrap();
    assert_eq!(detail["summary"]["status"], "submitted");
    assert_eq!(detail["timeline"][0]["action"], "submit");
    assert_eq!(detail["timeline"][0]["public"], true);
    assert!(
        detail["timeline"][0]["note"]
            .as_str()
            .unwrap()
            .contains(DEMO_OPEN311_CLIENT),
        "{detail}"
    );
    assert!(
        detail["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "accept")
    );
    let resp = staff
        .post_json(
            &format!("/requests/{id}/actions"),
            &serde_json::json!({ "action": "accept" }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let one: Value = serde_json::from_str(
        &get(&app, &format!("/open311/v2/requests/{number}.json"))
            .await
            .2,
    )
    .unwrap();
    assert_eq!(one[0]["status_notes"], "accepted");

    // Nobody's own request: a resident cannot see it.
    let resident = app.new_browser();
    assert_eq!(
        resident.login("13900000001", DEMO_PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        resident.get(&format!("/requests/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_a_valid_key_nothing_is_written() {
    let app = spawn_app().await;
    let before = written(&app).await;
    let with_key = |key: Option<&'static str>| {
        let mut form: Vec<_> = safety_report()
            .into_iter()
            .filter(|(k, _)| *k != "api_key")
            .collect();
        if let Some(key) = key {
            form.push(("api_key", key));
        }
        form
    };
    let (status, ct, body) = post_form(&app, "/open311/v2/requests.json", &with_key(None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(ct.starts_with("application/json"));
    assert_eq!(descriptions(&body, 403), ["api_key is required"]);
    for wrong in ["", "linli-demo-open311-KEY", "x"] {
        let (status, _, body) =
            post_form(&app, "/open311/v2/requests.json", &with_key(Some(wrong))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{wrong:?}: {body}");
        assert_eq!(descriptions(&body, 403).len(), 1);
    }
    let (status, _, xml) = post_form(&app, "/open311/v2/requests.xml", &with_key(Some("x"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        xml.contains("<errors><error><code>403</code><description>api_key is not valid"),
        "{xml}"
    );
    // Even a bad form is refused for the key first, and says nothing about the fields.
    let (status, _, body) = post_form(
        &app,
        "/open311/v2/requests.json",
        &[("api_key", "x"), ("service_code", "casino")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("service_code"), "{body}");
    assert_eq!(written(&app).await, before);
}

/// The key of the hotline's client that [`add_hotline_client`] adds.
const HOTLINE_KEY: &str = "a-key-for-the-12345-hotline";

/// Adds the 12345 hotline as an Open311 client, with [`HOTLINE_KEY`].
async fn add_hotline_client(app: &TestApp) {
    let mut conn = app.db.acquire().await.unwrap();
    linli_server::store::open311::create_client(
        &mut conn,
        "12345热线",
        &linli_server::auth::session::token_hash(HOTLINE_KEY),
        0,
    )
    .await
    .unwrap();
}

/// A question about a policy, sent with `key`.
fn policy_question(key: &str) -> [(&'static str, &str); 4] {
    [
        ("api_key", key),
        ("service_code", "policy"),
        ("address_string", "青樟社区"),
        ("description", "想咨询医保异地报销"),
    ]
}

#[tokio::test]
async fn a_revoked_key_is_refused() {
    let app = spawn_app_unseeded().await;
    add_community(&app).await;
    let key = HOTLINE_KEY;
    add_hotline_client(&app).await;
    let form = policy_question(key);
    let (status, _, body) = post_form(&app, "/open311/v2/requests.json", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Only the hash is stored.
    assert_eq!(
        app.count("open311_clients", &format!("key_hash = '{key}'"))
            .await,
        0
    );

    let revoked = linli_server::store::open311::revoke_clients(&app.db, "12345热线", 1)
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    let before = written(&app).await;
    let (status, _, body) = post_form(&app, "/open311/v2/requests.json", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn a_linli_with_no_community_yet_refuses_requests_and_writes_nothing() {
    let app = spawn_app_unseeded().await;
    let key = HOTLINE_KEY;
    add_hotline_client(&app).await;
    let form = policy_question(key);
    let (status, _, body) = post_form(&app, "/open311/v2/requests.json", &form).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("no community"), "{body}");
    assert_eq!(app.count("service_requests", "").await, 0);
}

#[tokio::test]
async fn bad_input_is_400_naming_each_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let before = written(&app).await;
    // The report with some fields replaced (or, with "", removed).
    let report = |changes: &[(&'static str, &'static str)]| {
        let mut form: Vec<(&str, &str)> = safety_report()
            .into_iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .collect();
        form.extend(changes.iter().filter(|(_, v)| !v.is_empty()).copied());
        form
    };
    let long_description = "很".repeat(2001);
    // (the form, the descriptions expected in order)
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            report(&[("service_code", "casino"), ("attribute[hazard]", "")]),
            vec!["service_code: There is no such request category."],
        ),
        (
            report(&[("service_code", "")]),
            vec!["service_code: This field is required."],
        ),
        (
            report(&[("lat", ""), ("long", "")]),
            vec!["lat/long or address_string: This field is required."],
        ),
        (
            report(&[("long", "")]),
            vec!["long: This field is required."],
        ),
        (
            report(&[("lat", "95"), ("long", "120.1")]),
            vec!["lat/long: The location's coordinates are not valid."],
        ),
        (
            report(&[("lat", "north")]),
            vec!["lat/long: The location's coordinates are not valid."],
        ),
        (
            // Beijing: a real point, but not in this community.
            report(&[("lat", "39.9042"), ("long", "116.4074")]),
            vec![
                "lat/long: The location's coordinates are not valid. (more than 5 km from the community)",
            ],
        ),
        (
            report(&[("attribute[hazard]", "volcano")]),
            vec!["attribute[hazard]: Please choose from the options given."],
        ),
        (
            report(&[("attribute[hazard]", "")]),
            vec!["attribute[hazard]: This field is required."],
        ),
        (
            report(&[("attribute[colour]", "red")]),
            vec!["attribute[colour]: This is not one of this category's questions."],
        ),
        (
            report(&[("description", "")]),
            vec!["description: This field is required."],
        ),
        (
            report(&[("description", "bell\u{7}")]),
            vec!["description: The text contains control characters that cannot be used."],
        ),
        (
            report(&[
                ("service_code", "casino"),
                ("attribute[hazard]", ""),
                ("lat", ""),
                ("long", ""),
                ("description", ""),
            ]),
            vec![
                "service_code: There is no such request category.",
                "description: This field is required.",
                "lat/long or address_string: This field is required.",
            ],
        ),
    ];
    for (form, want) in cases {
        for (path, xml) in [
            ("/open311/v2/requests.json", false),
            ("/open311/v2/requests.xml", true),
        ] {
            let (status, _, body) = post_form_in(&app, path, &form, "en").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}: {body}");
            if xml {
                assert_eq!(
                    body.matches("<error><code>400</code>").count(),
                    want.len(),
                    "{body}"
                );
                assert!(
                    body.contains(&format!(
                        "<description>{}</description>",
                        want[0].replace('\'', "&apos;")
                    )),
                    "{body}"
                );
            } else {
                assert_eq!(descriptions(&body, 400), want, "{form:?}");
            }
        }
    }
    let mut form = report(&[]);
    form.retain(|(k, _)| *k != "description");
    form.push(("description", &long_description));
    let (status, _, body) = post_form_in(&app, "/open311/v2/requests.json", &form, "en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        descriptions(&body, 400),
        ["description: The description can have at most 2000 characters."]
    );
    // In the default language, the same sentence as the app's form.
    let (_, _, body) = post_form(
        &app,
        "/open311/v2/requests.json",
        &report(&[("service_code", "casino"), ("attribute[hazard]", "")]),
    )
    .await;
    assert_eq!(
        descriptions(&body, 400),
        ["service_code: 没有这个诉求类别。"]
    );
    // Not a form at all.
    let resp = app
        .client
        .post(app.url("/open311/v2/requests.json"))
        .json(&serde_json::json!({ "api_key": DEMO_OPEN311_KEY }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(descriptions(&resp.text().await.unwrap(), 415).len(), 1);

    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn requests_are_filtered_by_date_window_code_and_status() {
    let app = spawn_app().await;
    let now = linli_server::db::now();
    let day = 86_400;
    let iso = linli_domain::figures::china_iso8601;
    let ids = |body: &str| -> Vec<String> {
        let list: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let query = |params: &[(&str, String)]| {
        let pairs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace('+', "%2B")))
            .collect();
        format!("/open311/v2/requests.json?{}", pairs.join("&"))
    };

    // The last week, then the week before: they match the database and do not overlap.
    let week = query(&[("start_date", iso(now - 7 * day)), ("end_date", iso(now))]);
    let (status, _, body) = get(&app, &week).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let last_week = ids(&body);
    let in_db = app
        .count(
            "service_requests",
            &format!(
                "submitted_at >= {} AND submitted_at <= {now}",
                now - 7 * day
            ),
        )
        .await;
    assert_eq!(last_week.len() as i64, in_db);
    assert!(in_db > 0, "the demo has requests in the last week");
    let earlier = ids(&get(
        &app,
        &query(&[
            ("start_date", iso(now - 14 * day)),
            ("end_date", iso(now - 7 * day - 1)),
        ]),
    )
    .await
    .2);
    assert!(!earlier.is_empty());
    assert!(earlier.iter().all(|id| !last_week.contains(id)));
    // Newest first.
    let list: Value = serde_json::from_str(&body).unwrap();
    let times: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            linli_domain::figures::parse_iso8601(r["requested_datetime"].as_str().unwrap()).unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    // UTC with Z is the same instant.
    let utc = |t: i64| iso(t - 8 * 3600).replace("+08:00", "Z");
    let same = ids(&get(
        &app,
        &query(&[("start_date", utc(now - 7 * day)), ("end_date", utc(now))]),
    )
    .await
    .2);
    assert_eq!(same, last_week);

    // Only end_date: the 90 days before it. Long ago: nothing.
    let (status, _, body) = get(&app, &query(&[("end_date", iso(now - 200 * day))])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "[]");
    let xml = get(
        &app,
        &query(&[("end_date", iso(now - 200 * day))]).replace(".json", ".xml"),
    )
    .await
    .2;
    assert!(
        xml.ends_with("<service_requests></service_requests>"),
        "{xml}"
    );

    // By code and status, comma lists allowed.
    let safety_closed: Value = serde_json::from_str(
        &get(
            &app,
            "/open311/v2/requests.json?service_code=safety,sanitation&status=closed",
        )
        .await
        .2,
    )
    .unwrap();
    let safety_closed = safety_closed.as_array().unwrap();
    assert!(!safety_closed.is_empty());
    assert!(safety_closed.iter().all(|r| r["status"] == "closed"
        && ["safety", "sanitation"].contains(&r["service_code"].as_str().unwrap())));
    let both = ids(&get(&app, "/open311/v2/requests.json?status=open,closed")
        .await
        .2);
    let all = ids(&get(&app, "/open311/v2/requests.json").await.2);
    assert_eq!(both, all);
    // Several ids at once, whatever the other filters say.
    let two = format!("{},{}", all[0], all[1]);
    let by_ids = ids(&get(
        &app,
        &format!("/open311/v2/requests.json?service_request_id={two}&service_code=none"),
    )
    .await
    .2);
    assert_eq!(by_ids, all[..2]);

    // Bad dates and windows are 400 in the spec's format.
    for (params, want) in [
        (
            vec![("start_date", "yesterday".to_owned())],
            "start_date is not a W3C date-time",
        ),
        (
            vec![("end_date", "2026-11-21".to_owned())],
            "end_date is not a W3C date-time",
        ),
        (
            vec![("start_date", iso(now)), ("end_date", iso(now - day))],
            "end_date is before start_date",
        ),
        (
            vec![("start_date", iso(now - 91 * day)), ("end_date", iso(now))],
            "may not span more than 90 days",
        ),
    ] {
        let (status, _, body) = get(&app, &query(&params)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{params:?}");
        let d = descriptions(&body, 400);
        assert!(d[0].contains(want), "{d:?}");
    }
}

#[tokio::test]
async fn at_most_1000_requests_are_listed() {
    let app = spawn_app_unseeded().await;
    let now = linli_server::db::now();
    // 1100 requests in the last hours, straight into the table, in a community of their own.
    let community = add_community(&app).await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)
         INSERT INTO service_requests
            (tracking_year, tracking_seq, category_code, title, description, answers,
             contact_preference, hide_name, status, submitted_at, respond_by, resolve_by,
             community_id)
         SELECT 2026, i, 'other', 'bulk ' || i, '', '{}', 'app', 0, 'submitted', $1 - i, $2, $3, $4
         FROM n",
    )
    .bind(now)
    .bind(now + 3600)
    .bind(now + 7200)
    .bind(community)
    .execute(&app.db)
    .await
    .unwrap();
    let list: Value =
        serde_json::from_str(&get(&app, "/open311/v2/requests.json").await.2).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1000);
    assert_eq!(list[0]["description"], "bulk 1");
    assert_eq!(list[999]["description"], "bulk 1000");
}
