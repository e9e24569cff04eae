//! `POST /me/households`: proving which household one lives in with a one-time code.

use crate::helpers::{CLIENT_ADDR, TestApp, assert_problem, field_errors, retry_after, spawn_app};
use linli_domain::{BindingCode, HouseholdRelation, Role};
use linli_server::seed::{DEMO_LOGINS, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

/// What the database says about a household, shaped like the API's `Membership` minus the
/// relation and time.
async fn household_facts(app: &TestApp, household_id: i64) -> (i64, Value) {
    let row = sqlx::query(
        "SELECT h.floor_area_centi_m2, c.name_zh, c.name_en, b.number AS building,
                s.number AS stairwell, h.room, c.id AS compound_id, b.id AS building_id,
                s.id AS stairwell_id
         FROM households h
         JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id
         JOIN compounds c ON c.id = b.compound_id
         WHERE h.id = $1",
    )
    .bind(household_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let text = |name: &str| row.get::<String, _>(name);
    let number = |name: &str| row.get::<i64, _>(name);
    (
        number("floor_area_centi_m2"),
        json!({
            "compound_zh": text("name_zh"),
            "compound_en": text("name_en"),
            "building": number("building"),
            "stairwell": number("stairwell"),
            "room": text("room"),
            "compound_id": number("compound_id"),
            "building_id": number("building_id"),
            "stairwell_id": number("stairwell_id"),
        }),
    )
}

/// (used_at, used_by) of a code.
async fn code_use(app: &TestApp, code: &BindingCode) -> (Option<i64>, Option<i64>) {
    sqlx::query_as("SELECT used_at, used_by FROM binding_codes WHERE code = $1")
        .bind(code.as_str())
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The relations a user holds, by household.
async fn memberships(app: &TestApp, user_id: i64) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT household_id, relation FROM household_members WHERE user_id = $1 ORDER BY household_id",
    )
    .bind(user_id)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// A well-formed code (right check character) that the database does not hold.
async fn unknown_code(app: &TestApp, seed: u32) -> BindingCode {
    for n in seed.. {
        let code = BindingCode::from_body([n, n + 3, n + 7, 11, 13, 17, 19]);
        if app
            .count("binding_codes", &format!("code = '{}'", code.as_str()))
            .await
            == 0
        {
            return code;
        }
    }
    unreachable!()
}

#[tokio::test]
async fn an_owner_code_makes_the_resident_a_verified_owner() {
    let app = spawn_app().await;
    let me = app.register_ok("13812345678").await;
    let user_id = me["id"].as_i64().unwrap();
    let (household_id, code) = app.unused_code(HouseholdRelation::Owner).await;

    // Typed as printed on the slip, in lower case: `abcd-efgh`.
    let resp = app.bind(&code.to_string().to_lowercase()).await;

    assert_eq!(resp.status(), StatusCode::CREATED);
    let membership: Value = resp.json().await.unwrap();
    let (area, address) = household_facts(&app, household_id).await;
    assert_eq!(membership["household_id"], json!(household_id));
    assert_eq!(membership["relation"], "owner");
    assert_eq!(membership["floor_area"], json!(area));
    assert!(area > 0);
    assert_eq!(membership["address"], address);
    let (used_at, used_by) = code_use(&app, &code).await;
    assert!(used_at.is_some());
    assert_eq!(membership["verified_at"], json!(used_at.unwrap()));
    assert_eq!(used_by, Some(user_id));
    assert_eq!(
        memberships(&app, user_id).await,
        vec![(household_id, "owner".to_owned())]
    );
    assert_eq!(app.failed_guesses().await, 0);

    // /me now lists the household.
    let me: Value = app.me().await.json().await.unwrap();
    assert_eq!(me["households"], json!([membership]));
}

#[tokio::test]
async fn a_used_code_is_a_conflict_for_the_next_resident_and_counts_as_a_failure() {
    let app = spawn_app().await;
    app.register_ok("13812345678").await;
    let first = app.user_id("13812345678").await;
    let (household_id, code) = app.unused_code(HouseholdRelation::Owner).await;
    assert_eq!(app.bind(code.as_str()).await.status(), StatusCode::CREATED);

    let other = app.new_browser();
    let second = other.register_ok("13987654321").await["id"]
        .as_i64()
        .unwrap();
    let resp = other.bind(code.as_str()).await;

    let body = assert_problem(resp, 409, "binding_code_used").await;
    assert_eq!(
        field_errors(&body),
        vec![("code".to_owned(), "binding_code_used".to_owned())]
    );
    assert_eq!(
        code_use(&app, &code).await.1,
        Some(first),
        "still the first's"
    );
    assert!(memberships(&app, second).await.is_empty());
    assert_eq!(
        app.count(
            "household_members",
            &format!("household_id = {household_id}")
        )
        .await,
        1
    );
    assert_eq!(
        app.failures("binding_account", &second.to_string()).await,
        1
    );
    assert_eq!(app.failures("binding_address", CLIENT_ADDR).await, 1);
}

#[tokio::test]
async fn malformed_and_mistyped_codes_are_refused_without_counting() {
    let app = spawn_app().await;
    app.register_ok("13812345678").await;
    let user_id = app.user_id("13812345678").await;
    let (_, code) = app.unused_code(HouseholdRelation::Owner).await;

    let body = assert_problem(app.bind("ABC").await, 422, "binding_code_format").await;
    assert_eq!(
        field_errors(&body),
        vec![("code".to_owned(), "binding_code_format".to_owned())]
    );

    // One character changed: the check character catches it.
    let mut typo = code.as_str().as_bytes().to_vec();
    typo[2] = if typo[2] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();
    let body = assert_problem(app.bind(&typo).await, 422, "binding_code_typo").await;
    assert_eq!(
        field_errors(&body),
        vec![("code".to_owned(), "binding_code_typo".to_owned())]
    );
    assert_problem(app.bind("  ").await, 422, "required").await;

    assert_eq!(app.failed_guesses().await, 0, "typos are not guesses");
    assert_eq!(code_use(&app, &code).await, (None, None));
    assert!(memberships(&app, user_id).await.is_empty());

    // Far more typos than the limit still never lock anyone out.
    for _ in 0..6 {
        assert_problem(app.bind("ABC").await, 422, "binding_code_format").await;
    }
    assert_eq!(app.bind(code.as_str()).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_unknown_code_is_refused_and_counted_once_per_scope() {
    let app = spawn_app().await;
    let user_id = app.register_ok("13812345678").await["id"].as_i64().unwrap();
    let code = unknown_code(&app, 1).await;
    let members_before = app.count("household_members", "").await;

    let body = assert_problem(app.bind(code.as_str()).await, 422, "binding_code_unknown").await;

    assert_eq!(
        field_errors(&body),
        vec![("code".to_owned(), "binding_code_unknown".to_owned())]
    );
    assert_eq!(
        app.failures("binding_account", &user_id.to_string()).await,
        1
    );
    assert_eq!(app.failures("binding_address", CLIENT_ADDR).await, 1);
    assert_eq!(app.failed_guesses().await, 2);
    assert_eq!(app.count("household_members", "").await, members_before);
    assert_eq!(
        app.count("binding_codes", &format!("code = '{}'", code.as_str()))
            .await,
        0
    );
}

#[tokio::test]
async fn binding_the_same_household_twice_is_already_member() {
    let app = spawn_app().await;
    let user_id = app.register_ok("13812345678").await["id"].as_i64().unwrap();
    let (household_id, owner, member) = app.household_with_both_codes().await;
    assert_eq!(app.bind(owner.as_str()).await.status(), StatusCode::CREATED);

    let body = assert_problem(app.bind(member.as_str()).await, 409, "already_member").await;

    assert_eq!(
        field_errors(&body),
        vec![("code".to_owned(), "already_member".to_owned())]
    );
    assert_eq!(
        code_use(&app, &member).await,
        (None, None),
        "the member code is kept"
    );
    assert_eq!(
        memberships(&app, user_id).await,
        vec![(household_id, "owner".to_owned())]
    );
    assert_eq!(app.failed_guesses().await, 0);
}

#[tokio::test]
async fn sending_ones_own_code_again_is_already_member_not_a_guess() {
    let app = spawn_app().await;
    app.register_ok("13812345678").await;
    let (_, owner, _) = app.household_with_both_codes().await;
    assert_eq!(app.bind(owner.as_str()).await.status(), StatusCode::CREATED);

    assert_problem(app.bind(owner.as_str()).await, 409, "already_member").await;
    assert_eq!(app.failed_guesses().await, 0, "a double tap is not counted");
}

#[tokio::test]
async fn a_member_given_the_owner_code_becomes_the_owner() {
    let app = spawn_app().await;
    let user_id = app.register_ok("13812345678").await["id"].as_i64().unwrap();
    let (household_id, owner, member) = app.household_with_both_codes().await;

    let resp = app.bind(member.as_str()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(resp.json::<Value>().await.unwrap()["relation"], "member");
    assert_eq!(
        memberships(&app, user_id).await,
        vec![(household_id, "member".to_owned())]
    );

    let resp = app.bind(owner.as_str()).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let membership: Value = resp.json().await.unwrap();
    assert_eq!(membership["relation"], "owner");
    assert_eq!(membership["household_id"], json!(household_id));

    assert_eq!(
        memberships(&app, user_id).await,
        vec![(household_id, "owner".to_owned())],
        "upgraded in place, not a second row"
    );
    assert_eq!(code_use(&app, &owner).await.1, Some(user_id));
    assert_eq!(code_use(&app, &member).await.1, Some(user_id));
    let me: Value = app.me().await.json().await.unwrap();
    assert_eq!(me["households"], json!([membership]));
}

#[tokio::test]
async fn five_unknown_codes_lock_binding_even_for_a_good_code() {
    let app = spawn_app().await;
    let user_id = app.register_ok("13812345678").await["id"].as_i64().unwrap();
    for seed in 1..=5 {
        let code = unknown_code(&app, seed).await;
        assert_problem(app.bind(code.as_str()).await, 422, "binding_code_unknown").await;
    }
    let (_, good) = app.unused_code(HouseholdRelation::Owner).await;

    let resp = app.bind(good.as_str()).await;

    let wait = retry_after(resp.headers());
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(code_use(&app, &good).await, (None, None));
    assert!(memberships(&app, user_id).await.is_empty());
    assert_eq!(
        app.failures("binding_account", &user_id.to_string()).await,
        5
    );
}

#[tokio::test]
async fn binding_needs_a_session() {
    let app = spawn_app().await;
    let (_, code) = app.unused_code(HouseholdRelation::Owner).await;

    assert_problem(app.bind(code.as_str()).await, 401, "unauthorized").await;

    assert_eq!(code_use(&app, &code).await, (None, None));
    assert_eq!(app.failed_guesses().await, 0);
}

#[tokio::test]
async fn the_demo_owner_sees_their_pre_bound_household() {
    let app = spawn_app().await;
    let owner = DEMO_LOGINS
        .iter()
        .find(|l| l.role == Role::Resident)
        .expect("a demo resident");
    assert_eq!(owner.password, DEMO_PASSWORD);

    let resp = app.login(owner.phone, owner.password).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let me: Value = app.me().await.json().await.unwrap();

    assert_eq!(me["phone"], owner.phone);
    assert_eq!(me["role"], "resident");
    let user_id = app.user_id(owner.phone).await;
    let stored = memberships(&app, user_id).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let (household_id, relation) = &stored[0];
    assert_eq!(relation, "owner");
    let households = me["households"].as_array().expect("households");
    assert_eq!(households.len(), 1, "{me}");
    assert_eq!(households[0]["household_id"], json!(household_id));
    assert_eq!(households[0]["relation"], "owner");
    let (area, address) = household_facts(&app, *household_id).await;
    assert_eq!(households[0]["floor_area"], json!(area));
    assert_eq!(households[0]["address"], address);
    // The flat the README promises: 翠柳苑 1幢1单元301室.
    assert_eq!(address["room"], "301");
    assert_eq!(address["building"], 1);
    assert_eq!(address["stairwell"], 1);
    assert!(
        owner
            .who_zh
            .contains(address["compound_zh"].as_str().unwrap()),
        "{} vs {address}",
        owner.who_zh
    );
}

#[tokio::test]
async fn twenty_wrong_codes_across_accounts_lock_the_address() {
    let app = spawn_app().await;
    let mut seed = 1;
    // Four accounts, five unknown codes each: none passes its own limit of five.
    for i in 0..4 {
        let browser = app.new_browser();
        browser.register_ok(&format!("1370000{i:04}")).await;
        for _ in 0..5 {
            let code = unknown_code(&app, seed).await;
            seed += 1;
            assert_problem(
                browser.bind(code.as_str()).await,
                422,
                "binding_code_unknown",
            )
            .await;
        }
    }
    assert_eq!(app.failures("binding_address", CLIENT_ADDR).await, 20);

    let newcomer = app.new_browser();
    let user_id = newcomer.register_ok("13812345678").await["id"]
        .as_i64()
        .unwrap();
    let (_, good) = app.unused_code(HouseholdRelation::Owner).await;
    let resp = newcomer.bind(good.as_str()).await;

    let wait = retry_after(resp.headers());
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "too_many_attempts").await;
    assert_eq!(code_use(&app, &good).await, (None, None));
    assert!(memberships(&app, user_id).await.is_empty());
}

#[tokio::test]
async fn two_residents_racing_for_one_code_get_one_binding_and_one_conflict() {
    let app = spawn_app().await;
    let (alice, bob) = (app.new_browser(), app.new_browser());
    alice.register_ok("13812340001").await;
    bob.register_ok("13812340002").await;
    let (household_id, code) = app.unused_code(HouseholdRelation::Owner).await;

    let (a, b) = tokio::join!(alice.bind(code.as_str()), bob.bind(code.as_str()));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();

    assert_eq!(
        statuses,
        [201, 409],
        "one wins, the other is told the code is used"
    );
    assert_eq!(
        app.count(
            "household_members",
            &format!("household_id = {household_id}")
        )
        .await,
        1
    );
}
