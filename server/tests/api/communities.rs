//! A city's Linli: several communities in one database, each served at its own host name.
//! What one community holds is not read, changed or counted from another's address, and staff
//! are staff only where they work.

use crate::helpers::{Browser, TestApp, add_community, assert_problem, spawn_app};
use crate::requests::{STAFF, repair, submit};
use linli_server::seed::{DEMO_OPEN311_KEY, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

/// The demo community's address.
const CUILIU: &str = "cuiliu.linli.test";
/// A second community of the same city, with nothing in it yet.
const HEHUA: &str = "hehua.linli.test";
const OWNER: &str = "13900000001";

/// The demo community and a second one, each named for its host; the ids of both.
async fn city() -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    let demo: i64 = sqlx::query_scalar("SELECT id FROM communities")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let second = add_community(&app).await;
    app.name_host(demo, CUILIU).await;
    app.name_host(second, HEHUA).await;
    (app, demo, second)
}

async fn signed_in_at(app: &TestApp, host: &str, phone: &str) -> Browser {
    let browser = app.browser_at(host);
    assert_eq!(
        browser.login(phone, DEMO_PASSWORD).await.status(),
        StatusCode::OK,
        "login {phone} at {host}"
    );
    browser
}

async fn json(browser: &Browser, path: &str) -> Value {
    let resp = browser.get(path).await;
    assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
    resp.json().await.unwrap()
}

#[tokio::test]
async fn each_address_serves_its_own_community_and_no_other() {
    let (app, _, _) = city().await;
    let cuiliu = json(&app.browser_at(CUILIU), "/community").await;
    let hehua = json(&app.browser_at(HEHUA), "/community").await;
    assert_eq!(hehua["name_en"], "Community");
    assert_ne!(cuiliu["name_en"], hehua["name_en"]);
    assert!(cuiliu["households"].as_i64().unwrap() > 0);
    assert_eq!(hehua["households"], 0);
    // Upper case, a port and a final dot name the same host.
    let shouted = app.browser_at("HEHUA.linli.test.");
    assert_eq!(json(&shouted, "/community").await["name_en"], "Community");
    // With every community named, an address that is none of theirs is nobody's.
    let body = assert_problem(app.get("/community").await, 404, "unknown_community").await;
    assert!(body["detail"].as_str().unwrap().contains("网址"), "{body}");
    // The app asks as it starts, and says so under its header.
    assert_eq!(json(&app, "/auth/session").await["unknown_address"], true);
    assert_eq!(
        json(&app.browser_at(CUILIU), "/auth/session").await["unknown_address"],
        false
    );
    // The app itself is still served there (it shows the refusal).
    assert_eq!(
        app.client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_request_sent_in_one_community_is_not_seen_or_counted_in_another() {
    let (app, _, _) = city().await;
    // One account, city-wide, signed in at both addresses.
    let here = signed_in_at(&app, CUILIU, OWNER).await;
    let there = signed_in_at(&app, HEHUA, OWNER).await;
    let before = json(&there, "/requests/figures").await;
    let sent = submit(&here, &repair("二单元楼道灯坏了")).await;
    let id = sent["summary"]["id"].as_i64().unwrap();
    let number = sent["summary"]["tracking_number"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        json(&here, &format!("/requests/{id}")).await["summary"]["id"],
        id
    );
    assert_problem(
        there.get(&format!("/requests/{id}")).await,
        404,
        "not_found",
    )
    .await;
    let mine = json(&there, "/me/requests").await;
    assert!(mine.as_array().unwrap().is_empty(), "{mine}");
    let public = json(&there, "/requests/public").await;
    assert!(public["items"].as_array().unwrap().is_empty(), "{public}");
    let listed = json(&here, "/requests/public").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["tracking_number"] == number.as_str())
    );
    assert_eq!(json(&there, "/requests/figures").await, before);
    // Nor can it be acted on, followed or written to from the other address.
    let withdraw = serde_json::json!({ "action": "withdraw", "note": "" });
    assert_eq!(
        there
            .post_json(&format!("/requests/{id}/actions"), &withdraw)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let note = serde_json::json!({ "note": "还没修", "public": true });
    assert_eq!(
        there
            .post_json(&format!("/requests/{id}/notes"), &note)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.count("request_events", &format!("request_id = {id}"))
            .await,
        1,
        "only its sending"
    );
    // Open311 too answers for the community of the address it is asked at.
    let open311 = app.browser_at(HEHUA);
    let resp = open311
        .client
        .get(open311.url(&format!("/open311/v2/requests/{number}.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_are_staff_only_in_the_communities_they_work_for() {
    let (app, _, second) = city().await;
    let request = submit(
        &signed_in_at(&app, CUILIU, OWNER).await,
        &repair("路灯不亮"),
    )
    .await;
    let id = request["summary"]["id"].as_i64().unwrap();

    let at_home = signed_in_at(&app, CUILIU, STAFF).await;
    assert_eq!(json(&at_home, "/auth/session").await["me"]["role"], "staff");
    assert_eq!(
        at_home.get("/staff/requests").await.status(),
        StatusCode::OK
    );

    // Elsewhere the same account is a resident: no queue, no numbers, no staff answers.
    let away = signed_in_at(&app, HEHUA, STAFF).await;
    assert_eq!(json(&away, "/auth/session").await["me"]["role"], "resident");
    assert_eq!(json(&away, "/me").await["role"], "resident");
    let renamed = away
        .client
        .patch(away.api("/me"))
        .json(&serde_json::json!({ "display_name": "王社工" }))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(renamed.json::<Value>().await.unwrap()["role"], "resident");
    // At an address that is no community's, nobody is staff, and the app is told so.
    let nowhere = app.new_browser();
    let login = nowhere.login(STAFF, DEMO_PASSWORD).await;
    assert_eq!(login.json::<Value>().await.unwrap()["role"], "resident");
    assert_eq!(
        json(&nowhere, "/auth/session").await["me"]["role"],
        "resident"
    );
    assert_problem(away.get("/staff/requests").await, 403, "forbidden").await;
    let review = serde_json::json!({ "accept": true, "note": "", "steps": [] });
    assert_eq!(
        away.post_json("/consultations/1/review", &review)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Once they work there too, they are staff there, and its queue holds only its requests.
    sqlx::query("INSERT INTO staff_communities (user_id, community_id) VALUES ($1, $2)")
        .bind(app.user_id(STAFF).await)
        .bind(second)
        .execute(&app.db)
        .await
        .unwrap();
    let both = signed_in_at(&app, HEHUA, STAFF).await;
    assert_eq!(json(&both, "/auth/session").await["me"]["role"], "staff");
    let queue = json(&both, "/staff/requests").await;
    assert!(queue.as_array().unwrap().is_empty(), "{queue}");
    // A request of the other community is not theirs to act on from here.
    let accept = serde_json::json!({ "action": "accept", "note": "" });
    assert_eq!(
        both.post_json(&format!("/requests/{id}/actions"), &accept)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let opened_before = app.count("access_log", "").await;
    let open = serde_json::json!({ "purpose": "clarify_request" });
    assert_eq!(
        both.post_json(&format!("/staff/requests/{id}/contact"), &open)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("access_log", "").await, opened_before);
}

#[tokio::test]
async fn consultations_belong_to_their_community() {
    let (app, _, _) = city().await;
    let here = signed_in_at(&app, CUILIU, OWNER).await;
    let there = signed_in_at(&app, HEHUA, OWNER).await;
    let topics = json(&here, "/consultations").await;
    let topics = topics.as_array().unwrap();
    assert!(!topics.is_empty());
    assert!(
        json(&there, "/consultations")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    for topic in topics {
        let id = topic["id"].as_i64().unwrap();
        assert_problem(
            there.get(&format!("/consultations/{id}")).await,
            404,
            "not_found",
        )
        .await;
        assert_eq!(
            there
                .post_json(&format!("/consultations/{id}/cosign"), &Value::Null)
                .await
                .status(),
            StatusCode::CONFLICT,
            "no home here to sign for"
        );
    }
    // Her homes are in the other community: here she has none to propose for.
    let topic = serde_json::json!({
        "title": "荷花苑加装电梯", "background": "六层无电梯。",
        "options": [], "scope": { "kind": "community" }
    });
    assert_problem(
        there.post_json("/consultations", &topic).await,
        409,
        "household_required",
    )
    .await;
    let ballots_before = app.count("ballots", "").await;
    let open = topics
        .iter()
        .find(|t| t["status"] == "voting")
        .expect("the demo has a vote open");
    let ballot = serde_json::json!({ "choice": "yes" });
    assert_eq!(
        there
            .post_json(&format!("/consultations/{}/ballots", open["id"]), &ballot)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("ballots", "").await, ballots_before);
}

#[tokio::test]
async fn an_open311_client_sends_to_the_community_of_the_address() {
    let (app, _, second) = city().await;
    let form = [
        ("api_key", DEMO_OPEN311_KEY),
        ("service_code", "repairs"),
        ("description", "荷花苑 2 幢门口路灯不亮"),
        ("address_string", "荷花苑 2 幢"),
        ("attribute[where]", "stairwell"),
        ("attribute[floor]", "2"),
    ];
    let send = |browser: Browser| async move {
        browser
            .client
            .post(browser.url("/open311/v2/requests.json"))
            .form(&form)
            .send()
            .await
            .unwrap()
    };
    let nowhere = send(app.new_browser()).await;
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("service_requests", &format!("community_id = {second}"))
            .await,
        0
    );
    let resp = send(app.browser_at(HEHUA)).await;
    assert_eq!(resp.status(), StatusCode::OK, "{:?}", resp.text().await);
    assert_eq!(
        app.count("service_requests", &format!("community_id = {second}"))
            .await,
        1
    );
}

/// One household in `community`, in a compound, building and stairwell of its own; its id.
async fn add_household(app: &TestApp, community: i64) -> i64 {
    let one = |sql: &'static str, parent: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(parent)
                .bind(community)
                .fetch_one(&db)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    };
    let compound = one(
        "INSERT INTO compounds (name_zh, name_en, built_year, center_lat, center_lon, community_id)
         VALUES ('荷花苑', 'Hehua Garden', $1, 30.3, 120.1, $2) RETURNING id",
        1998,
    )
    .await;
    let building = one(
        "INSERT INTO buildings (compound_id, number, floors, has_elevator, lat, lon, community_id)
         VALUES ($1, 1, 6, 0, 30.3, 120.1, $2) RETURNING id",
        compound,
    )
    .await;
    let stairwell = one(
        "INSERT INTO stairwells (building_id, number, community_id) VALUES ($1, 1, $2) RETURNING id",
        building,
    )
    .await;
    one(
        "INSERT INTO households (stairwell_id, floor, room, floor_area_centi_m2, community_id)
         VALUES ($1, 1, '101', 8000, $2) RETURNING id",
        stairwell,
    )
    .await
}

#[tokio::test]
async fn the_whole_community_is_its_own_households_and_no_others() {
    use linli_domain::ballot::DecisionRule;
    use linli_domain::consultation::{CheckedTopic, Electorate, NewVote, QuestionKind, Scope};
    use linli_server::store::community::CommunityId;
    use linli_server::store::consultations as store;

    let (app, demo, second) = city().await;
    let stranger = add_household(&app, second).await;
    let neighbour: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM households WHERE community_id = $1")
            .bind(demo)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (here, there) = (CommunityId(demo), CommunityId(second));
    let first = |community, homes: Vec<i64>| {
        let db = app.db.clone();
        async move {
            store::first_in_scope(&db, community, Scope::Community, &homes)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        first(here, vec![stranger, neighbour]).await,
        Some(neighbour)
    );
    assert_eq!(first(here, vec![stranger]).await, None);
    assert_eq!(
        first(there, vec![neighbour, stranger]).await,
        Some(stranger)
    );
    let compound: i64 = sqlx::query_scalar("SELECT MIN(id) FROM compounds WHERE community_id = $1")
        .bind(demo)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        store::scope_exists(&app.db, here, Scope::Compound(compound))
            .await
            .unwrap()
    );
    assert!(
        !store::scope_exists(&app.db, there, Scope::Compound(compound))
            .await
            .unwrap()
    );

    // A vote of the whole community freezes a roll of its households only.
    let proposer = app.user_id(OWNER).await;
    let owner_home: i64 =
        sqlx::query_scalar("SELECT household_id FROM household_members WHERE user_id = $1")
            .bind(proposer)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let topic = CheckedTopic {
        title: "社区议事厅开放时间".into(),
        background: "周末也开放。".into(),
        options: vec![],
    };
    let now = linli_server::db::now();
    let id = store::create_topic(
        &app.db,
        proposer,
        owner_home,
        &topic,
        Scope::Community,
        1,
        now,
    )
    .await
    .unwrap();
    let staff = app.user_id(STAFF).await;
    assert!(
        store::review(&app.db, here, id, staff, true, "", &[], now)
            .await
            .unwrap()
    );
    // Not from the other community's address: the topic is not there.
    let vote = NewVote {
        question: "是否周末开放？".into(),
        kind: QuestionKind::YesNo,
        electorate: Electorate::Owners,
        rule: DecisionRule::SimpleMajority,
        secret: false,
        live_tally: false,
        closes_at: now + 86_400,
    };
    assert!(
        !store::open_vote(&app.db, there, id, staff, &vote, now)
            .await
            .unwrap()
    );
    assert!(
        store::open_vote(&app.db, here, id, staff, &vote, now)
            .await
            .unwrap()
    );
    let vote_id: i64 = sqlx::query_scalar("SELECT id FROM votes WHERE topic_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let roll = app
        .count("vote_roll", &format!("vote_id = {vote_id}"))
        .await;
    let households = app
        .count("households", &format!("community_id = {demo}"))
        .await;
    assert_eq!(roll, households);
    assert_eq!(
        app.count(
            "vote_roll",
            &format!("vote_id = {vote_id} AND household_id = {stranger}")
        )
        .await,
        0
    );
}
