//! /api/v1/consultations: propose, co-sign, review, deliberate, vote under Art. 278 with hidden
//! tallies and receipts, close and publish; one ballot per unit even under a burst.

use crate::helpers::{Browser, TestApp, assert_problem, field_errors, spawn_app};
use crate::requests::{STAFF, signed_in};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(crate) const OWNER: &str = "13900000001";
const TENANT: &str = "13900000002";
const UNBOUND: &str = "13900000003";

/// The owner's building (翠柳苑 1 幢) and a household of it that nobody has bound yet.
pub(crate) async fn building_of_owner(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT s.building_id FROM users u JOIN household_members m ON m.user_id = u.id
         JOIN households h ON h.id = m.household_id JOIN stairwells s ON s.id = h.stairwell_id
         WHERE u.phone = $1",
    )
    .bind(OWNER)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// A new account bound as the owner of another unit of `building`.
pub(crate) async fn new_owner_in(app: &TestApp, building: i64, phone: &str) -> Browser {
    let code: String = sqlx::query_scalar(
        "SELECT c.code FROM binding_codes c JOIN households h ON h.id = c.household_id
         JOIN stairwells s ON s.id = h.stairwell_id
         WHERE s.building_id = $1 AND c.relation = 'owner' AND c.used_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = h.id)
         ORDER BY h.id LIMIT 1",
    )
    .bind(building)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let browser = app.new_browser();
    browser.register_ok(phone).await;
    assert_eq!(
        browser.bind(&code).await.status(),
        StatusCode::CREATED,
        "bind {phone}"
    );
    browser
}

pub(crate) async fn post(browser: &Browser, path: &str, body: Value) -> reqwest::Response {
    browser.post_json(path, &body).await
}

pub(crate) async fn ok(browser: &Browser, path: &str, body: Value) -> Value {
    let resp = post(browser, path, body.clone()).await;
    assert!(
        resp.status().is_success(),
        "{path} {body}: {}",
        resp.status()
    );
    resp.json().await.unwrap()
}

pub(crate) fn lift(building: i64) -> Value {
    json!({ "title": "1幢加装电梯", "background": "老人上下楼难，想加装电梯。",
            "options": ["加装", "不加装"], "scope": { "kind": "building", "id": building } })
}

#[tokio::test]
async fn a_lift_from_proposal_to_a_published_art_278_result() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let topic = ok(&owner, "/consultations", lift(building)).await;
    let id = topic["summary"]["id"].as_i64().unwrap();
    let path = |p: &str| format!("/consultations/{id}{p}");
    assert_eq!(topic["summary"]["status"], "collecting");
    assert_eq!(topic["summary"]["cosigns"], 1);
    assert_eq!(topic["summary"]["scope_zh"], "翠柳苑 1 幢");
    assert_eq!(topic["cosigned"], true);

    // Co-signing: once per household, only inside the scope; the threshold (3 here) moves it on.
    assert_problem(
        post(&owner, &path("/cosign"), json!({})).await,
        409,
        "already_cosigned",
    )
    .await;
    let tenant = signed_in(&app, TENANT).await; // another compound
    assert_problem(
        post(&tenant, &path("/cosign"), json!({})).await,
        409,
        "not_in_scope",
    )
    .await;
    let unbound = signed_in(&app, UNBOUND).await;
    assert_problem(
        post(&unbound, &path("/cosign"), json!({})).await,
        409,
        "household_required",
    )
    .await;
    let a = new_owner_in(&app, building, "13711110001").await;
    let b = new_owner_in(&app, building, "13711110002").await;
    let c = new_owner_in(&app, building, "13711110003").await;
    ok(&a, &path("/cosign"), json!({})).await;
    let signed = ok(&b, &path("/cosign"), json!({})).await;
    assert_eq!(signed["summary"]["status"], "in_review");
    assert_problem(
        post(&c, &path("/cosign"), json!({})).await,
        409,
        "topic_not_now",
    )
    .await;

    // Review: staff only; a refusal would need its reason; acceptance records the 四议 steps.
    assert_problem(
        post(&a, &path("/review"), json!({ "accept": true })).await,
        403,
        "forbidden",
    )
    .await;
    let staff = signed_in(&app, STAFF).await;
    let accepted = ok(
        &staff,
        &path("/review"),
        json!({ "accept": true, "note": "列入议程", "steps": ["党组织提议", "两委会商议"] }),
    )
    .await;
    assert_eq!(accepted["summary"]["status"], "accepted");
    let kinds: Vec<_> = accepted["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "proposed",
            "threshold_reached",
            "review_step",
            "review_step",
            "accepted"
        ]
    );

    // Deliberation: comments, an official answer, a reply, a moderated comment kept as hidden.
    let d = ok(&a, &path("/comments"), json!({ "body": "费用怎么分摊？" })).await;
    let question = d["comments"][0]["id"].as_i64().unwrap();
    let d = ok(
        &staff,
        &path("/comments"),
        json!({ "body": "按楼层系数分摊，方案见附件。", "parent_id": question }),
    )
    .await;
    assert_eq!(d["comments"][1]["official"], true);
    assert_eq!(d["comments"][1]["parent_id"], question);
    let d = ok(&b, &path("/comments"), json!({ "body": "广告：低价装修" })).await;
    let spam = d["comments"][2]["id"].as_i64().unwrap();
    let d = ok(
        &staff,
        &path(&format!("/comments/{spam}/hide")),
        json!({ "reason": "与议题无关的广告" }),
    )
    .await;
    assert_eq!(d["comments"][2]["body"], "");
    assert_eq!(d["comments"][2]["hidden_reason"], "与议题无关的广告");
    assert!(!serde_json::to_string(&d).unwrap().contains("低价装修"));

    // The vote: owners of the building, Art. 278 major matter, named, tally hidden until close.
    let closes_at = linli_server::db::now() + 3 * 86_400;
    let bad = post(&staff, &path("/vote"), json!({ "question": "", "electorate": "owners",
        "rule": { "kind": "owners_decision", "quorum": { "numerator": 2, "denominator": 3, "inclusive": true },
                  "approval": { "numerator": 3, "denominator": 4, "inclusive": true } },
        "closes_at": 1 })).await;
    let body = assert_problem(bad, 422, "required").await;
    assert_eq!(field_errors(&body).len(), 2);
    let rule = serde_json::to_value(linli_domain::ballot::DecisionRule::ART_278_MAJOR).unwrap();
    let opened = ok(
        &staff,
        &path("/vote"),
        json!({ "question": "是否同意为1幢加装电梯？",
        "electorate": "owners", "rule": rule, "closes_at": closes_at }),
    )
    .await;
    assert_eq!(opened["summary"]["status"], "voting");
    let units = app
        .count(
            "households h JOIN stairwells s ON s.id = h.stairwell_id",
            &format!("s.building_id = {building}"),
        )
        .await;
    assert_eq!(opened["vote"]["eligible"]["units"].as_i64().unwrap(), units);
    assert!(opened["vote"]["tally"].is_null());

    let mut receipts = Vec::new();
    for (voter, choice) in [(&owner, "yes"), (&a, "yes"), (&b, "no"), (&c, "abstain")] {
        let r = ok(voter, &path("/ballots"), json!({ "choice": choice })).await;
        receipts.push(r["receipt"].as_str().unwrap().to_owned());
    }
    // Changing a named ballot keeps one ballot for the unit.
    ok(&b, &path("/ballots"), json!({ "choice": "yes" })).await;
    let vote_id = opened["vote"]["id"].as_i64().unwrap();
    assert_eq!(
        app.count("ballots", &format!("vote_id = {vote_id}")).await,
        4
    );
    // A tenant (a member, not an owner) of another compound is not on the roll.
    assert_problem(
        post(&tenant, &path("/ballots"), json!({ "choice": "yes" })).await,
        403,
        "not_eligible",
    )
    .await;
    // Hidden while open: for the public, for voters, even for staff.
    for viewer in [&app.new_browser(), &owner, &staff] {
        let seen: Value = viewer.get(&path("")).await.json().await.unwrap();
        assert!(seen["vote"]["tally"].is_null());
        assert!(seen["vote"]["verdict"].is_null());
        assert_eq!(seen["receipt_hashes"], json!([]));
    }
    let mine: Value = owner.get(&path("")).await.json().await.unwrap();
    assert_eq!(mine["vote"]["has_voted"], true);

    assert_problem(post(&a, &path("/close"), json!({})).await, 403, "forbidden").await;
    let closed = ok(&staff, &path("/close"), json!({})).await;
    assert_eq!(closed["summary"]["status"], "decided");
    let tally = &closed["vote"]["tally"];
    assert_eq!(tally["yes"]["units"], 3);
    assert_eq!(tally["abstain"]["units"], 1);
    // 4 of the building's units took part: the quorum is not reached, so it does not pass.
    let area: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(h.floor_area_centi_m2) AS BIGINT) FROM households h JOIN stairwells s ON s.id = h.stairwell_id WHERE s.building_id = $1",
    )
    .bind(building)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(tally["eligible"]["area_centi_m2"].as_i64().unwrap(), area);
    let quorum_units = 3 * 4 >= 2 * units;
    assert_eq!(closed["vote"]["verdict"]["quorum_by_units"], quorum_units);
    assert_eq!(closed["vote"]["verdict"]["passed"], false);
    // Every receipt's hash is published, and voting is over.
    let hashes: Vec<String> = closed["receipt_hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    for r in &receipts {
        assert!(hashes.contains(&format!("{:x}", Sha256::digest(r.as_bytes()))));
    }
    assert_problem(
        post(&owner, &path("/ballots"), json!({ "choice": "no" })).await,
        409,
        "vote_closed",
    )
    .await;
    // The audit log has every staff action and ballot event.
    assert!(
        app.count(
            "consultation_audit",
            &format!("topic_id = {id} AND action = 'ballot_cast'")
        )
        .await
            == 4
    );
    assert!(
        app.count(
            "consultation_audit",
            &format!("topic_id = {id} AND action = 'ballot_changed'")
        )
        .await
            == 1
    );
}

#[tokio::test]
async fn a_secret_ballot_keeps_no_voter_and_changes_only_with_its_receipt() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = ok(&owner, "/consultations", lift(building)).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let path = |p: &str| format!("/consultations/{id}{p}");
    ok(&staff, &path("/review"), json!({ "accept": true })).await;
    ok(
        &staff,
        &path("/vote"),
        json!({ "question": "是否同意？", "electorate": "households",
        "rule": { "kind": "simple_majority" }, "secret": true, "live_tally": true,
        "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    let first = ok(&owner, &path("/ballots"), json!({ "choice": "no" })).await["receipt"]
        .as_str()
        .unwrap()
        .to_owned();
    let vote_id: i64 = sqlx::query_scalar("SELECT id FROM votes WHERE topic_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let ballots = |filter: &str| format!("vote_id = {vote_id}{filter}");
    assert_eq!(
        app.count(
            "ballots",
            &ballots(" AND household_id IS NULL AND voter_id IS NULL")
        )
        .await,
        1
    );
    // Shown live when staff chose so.
    let live: Value = app.new_browser().get(&path("")).await.json().await.unwrap();
    assert_eq!(live["vote"]["tally"]["no"]["units"], 1);
    // And so is the result sheet, marked as a count in progress, without receipts yet.
    let sheet = app.get(&path("/result.csv?lang=en")).await;
    assert_eq!(sheet.status(), StatusCode::OK);
    let sheet = sheet.text().await.unwrap();
    assert!(
        sheet.contains("\r\nResult,voting in progress (live count)\r\n"),
        "{sheet}"
    );
    assert!(sheet.contains("\r\nNo,1,"), "{sheet}");
    assert!(
        sheet.contains("\r\npublished when the vote closes\r\n"),
        "{sheet}"
    );
    assert_problem(
        post(&owner, &path("/ballots"), json!({ "choice": "yes" })).await,
        409,
        "receipt_needed",
    )
    .await;
    assert_problem(
        post(
            &owner,
            &path("/ballots"),
            json!({ "choice": "yes", "receipt": "guess" }),
        )
        .await,
        409,
        "receipt_needed",
    )
    .await;
    ok(
        &owner,
        &path("/ballots"),
        json!({ "choice": "yes", "receipt": first }),
    )
    .await;
    assert_eq!(
        app.count("ballots", &ballots(" AND choice = 'yes'")).await,
        1
    );
    assert_eq!(app.count("ballots", &ballots("")).await, 1);
    // The audit log says a secret ballot was cast, never by whom.
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM consultation_audit WHERE topic_id = $1 AND action LIKE 'ballot%'",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(details.len(), 2, "cast, then changed");
    assert!(details.iter().all(|d| d == "secret ballot"));
}

#[tokio::test]
async fn the_same_unit_voting_fifty_times_at_once_yields_one_ballot() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = ok(&owner, "/consultations", lift(building)).await["summary"]["id"]
        .as_i64()
        .unwrap();
    ok(
        &staff,
        &format!("/consultations/{id}/review"),
        json!({ "accept": true }),
    )
    .await;
    ok(
        &staff,
        &format!("/consultations/{id}/vote"),
        json!({ "question": "是否同意？", "electorate": "owners",
        "rule": { "kind": "simple_majority" }, "secret": true,
        "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    // Fifty requests in flight at once for the same unit, each on its own task.
    let url = owner.api(&format!("/consultations/{id}/ballots"));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let client = owner.client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({ "choice": "yes" }))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT)
    );
    let vote_id: i64 = sqlx::query_scalar("SELECT id FROM votes WHERE topic_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let this_vote = format!("vote_id = {vote_id}");
    assert_eq!(app.count("ballots", &this_vote).await, 1);
    assert_eq!(
        app.count("vote_roll", &format!("{this_vote} AND voted = 1"))
            .await,
        1
    );
}

#[tokio::test]
async fn proposals_are_checked_and_refused_clearly() {
    let app = spawn_app().await;
    let demo_topics = app.count("topics", "").await;
    let building = building_of_owner(&app).await;
    let unbound = signed_in(&app, UNBOUND).await;
    assert_problem(
        post(&unbound, "/consultations", lift(building)).await,
        409,
        "household_required",
    )
    .await;
    let tenant = signed_in(&app, TENANT).await;
    assert_problem(
        post(&tenant, "/consultations", lift(building)).await,
        409,
        "not_in_scope",
    )
    .await;
    let owner = signed_in(&app, OWNER).await;
    let refused = post(
        &owner,
        "/consultations",
        json!({ "title": "", "options": ["x".repeat(41)],
        "scope": { "kind": "community" } }),
    )
    .await;
    let body = assert_problem(refused, 422, "required").await;
    let fields: Vec<String> = field_errors(&body).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["options.0", "title"]);
    assert_problem(
        post(
            &owner,
            "/consultations",
            json!({ "title": "x", "scope": { "kind": "building", "id": 999999 } }),
        )
        .await,
        422,
        "not_in_scope",
    )
    .await;
    assert_eq!(app.count("topics", "").await, demo_topics);
    let staff = signed_in(&app, STAFF).await;
    let id = ok(&owner, "/consultations", lift(building)).await["summary"]["id"]
        .as_i64()
        .unwrap();
    assert_problem(
        post(
            &staff,
            &format!("/consultations/{id}/review"),
            json!({ "accept": false }),
        )
        .await,
        422,
        "reason_required",
    )
    .await;
    let declined = ok(
        &staff,
        &format!("/consultations/{id}/review"),
        json!({ "accept": false, "note": "属于业委会职责" }),
    )
    .await;
    assert_eq!(declined["summary"]["status"], "declined");
    assert_problem(
        post(
            &staff,
            &format!("/consultations/{id}/vote"),
            json!({ "question": "q", "electorate": "owners",
            "rule": { "kind": "simple_majority" }, "closes_at": linli_server::db::now() + 600 }),
        )
        .await,
        409,
        "topic_not_now",
    )
    .await;
    let list: Value = app
        .new_browser()
        .get("/consultations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], id);
}

#[tokio::test]
async fn the_demo_owner_finds_a_vote_to_cast_and_a_proposal_to_co_sign() {
    let app = spawn_app().await;
    let list: Value = app
        .new_browser()
        .get("/consultations")
        .await
        .json()
        .await
        .unwrap();
    let find = |status: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["status"] == status)
            .unwrap_or_else(|| panic!("a {status} topic in {list}"))["id"]
            .as_i64()
            .unwrap()
    };
    let (decided, voting, collecting) = (find("decided"), find("voting"), find("collecting"));
    let owner = signed_in(&app, OWNER).await;

    // The finished lift vote is published: tally, verdict, receipts.
    let lift: Value = owner
        .get(&format!("/consultations/{decided}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lift["vote"]["verdict"]["passed"], true);
    assert_eq!(lift["vote"]["tally"]["yes"]["units"], 16);
    assert_eq!(lift["receipt_hashes"].as_array().unwrap().len(), 20);
    let sheet = owner
        .get(&format!("/consultations/{decided}/result.csv"))
        .await
        .text()
        .await
        .unwrap();
    for line in [
        "应参与,24,1444.92",
        "参与,20,1203.57",
        "同意,16,963.28",
        "结果,通过",
    ] {
        assert!(
            sheet.contains(&format!("\r\n{line}\r\n")),
            "{line} in {sheet}"
        );
    }
    assert_eq!(lift["vote"]["can_vote"], false);
    // Rated by the building's owners; the demo owner lives in another building.
    assert_eq!(lift["rating"]["count"], 9);
    assert_eq!(lift["can_rate"], false);

    // The open vote: hidden tally, and the demo owner has a ballot to cast.
    let path = format!("/consultations/{voting}");
    let open: Value = owner.get(&path).await.json().await.unwrap();
    assert!(open["vote"]["tally"].is_null());
    assert_problem(
        owner.get(&format!("{path}/result.csv")).await,
        409,
        "tally_hidden",
    )
    .await;
    assert_eq!(open["vote"]["can_vote"], true);
    assert_eq!(open["vote"]["has_voted"], false);
    ok(
        &owner,
        &format!("{path}/ballots"),
        json!({ "choice": "yes" }),
    )
    .await;
    let after: Value = owner.get(&path).await.json().await.unwrap();
    assert_eq!(after["vote"]["has_voted"], true);

    // The proposal still collecting: not yet signed by the demo owner, who may sign it.
    let path = format!("/consultations/{collecting}");
    let roof: Value = owner.get(&path).await.json().await.unwrap();
    assert_eq!(roof["cosigned"], false);
    let signed = ok(&owner, &format!("{path}/cosign"), json!({})).await;
    assert_eq!(signed["cosigned"], true);
    assert_eq!(signed["summary"]["cosigns"], 3);
}

/// The cells of the first CSV row whose first cell is `label`.
pub(crate) fn csv_row(csv: &str, label: &str) -> Vec<String> {
    csv.split("\r\n")
        .map(|line| line.split(',').map(str::to_owned).collect::<Vec<_>>())
        .find(|cells| cells[0] == label)
        .unwrap_or_else(|| panic!("no row {label} in\n{csv}"))
}

/// `units` and `area_centi_m2` of a weight in the detail, as the CSV writes them.
fn as_written(weight: &Value) -> Vec<String> {
    let area = weight["area_centi_m2"].as_u64().unwrap();
    vec![
        weight["units"].as_u64().unwrap().to_string(),
        format!("{}.{:02}", area / 100, area % 100),
    ]
}

#[tokio::test]
async fn the_result_csv_waits_for_the_close_then_says_what_the_detail_says() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let a = new_owner_in(&app, building, "13711110001").await;
    let id = ok(&owner, "/consultations", lift(building)).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let path = |p: &str| format!("/consultations/{id}{p}");
    let public = app.new_browser();

    // No vote yet: nothing to export.
    assert_problem(public.get(&path("/result.csv")).await, 409, "tally_hidden").await;
    ok(&staff, &path("/review"), json!({ "accept": true })).await;
    let rule = serde_json::to_value(linli_domain::ballot::DecisionRule::ART_278_ORDINARY).unwrap();
    ok(
        &staff,
        &path("/vote"),
        json!({ "question": "是否同意为1幢加装电梯？", "electorate": "owners", "rule": rule,
                "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    ok(&owner, &path("/ballots"), json!({ "choice": "yes" })).await;
    ok(&a, &path("/ballots"), json!({ "choice": "no" })).await;

    // Open with a hidden tally: refused for everyone, staff included, and not a figure leaks.
    for viewer in [&public, &owner, &staff] {
        let refused = viewer.get(&path("/result.csv?lang=en")).await;
        let body = assert_problem(refused, 409, "tally_hidden").await;
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["code", "detail", "errors", "status", "title", "type"],
            "{body}"
        );
        let text = body.to_string();
        for leak in ["units", "area", "\"tally\":", "yes", "Eligible"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }

    let closed = ok(&staff, &path("/close"), json!({})).await;
    let vote = &closed["vote"];
    let tally = &vote["tally"];
    let resp = public.get(&path("/result.csv?lang=en")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"linli-consultation-{id}-result.csv\"")
    );
    let bytes = resp.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a UTF-8 byte order mark"
    );
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();

    assert_eq!(csv_row(&csv, "Question")[1], vote["question"]);
    assert_eq!(csv_row(&csv, "Topic number")[1], id.to_string());
    assert_eq!(csv_row(&csv, "Ballot")[1], "named");
    assert_eq!(
        csv_row(&csv, "Eligible")[1..],
        as_written(&tally["eligible"])
    );
    assert_eq!(csv_row(&csv, "Yes")[1..], as_written(&tally["yes"]));
    assert_eq!(csv_row(&csv, "No")[1..], as_written(&tally["no"]));
    assert_eq!(csv_row(&csv, "Abstain")[1..], as_written(&tally["abstain"]));
    let yes = &tally["yes"];
    let no = &tally["no"];
    let participating = json!({
        "units": yes["units"].as_u64().unwrap() + no["units"].as_u64().unwrap(),
        "area_centi_m2": yes["area_centi_m2"].as_u64().unwrap() + no["area_centi_m2"].as_u64().unwrap(),
    });
    assert_eq!(
        csv_row(&csv, "Participating")[1..],
        as_written(&participating)
    );
    let verdict = &vote["verdict"];
    assert_eq!(
        verdict["passed"], false,
        "2 of the building's units took part"
    );
    assert_eq!(csv_row(&csv, "Result")[1], "not passed");
    let met = |b: &Value| if b.as_bool().unwrap() { "yes" } else { "no" };
    assert_eq!(
        csv_row(&csv, "Owners taking part")[1],
        met(&verdict["quorum_by_units"])
    );
    assert_eq!(
        csv_row(&csv, "Approval by area")[1],
        met(&verdict["approval_by_area"])
    );
    let closed_at = vote["closed_at"].as_i64().unwrap();
    assert_eq!(
        csv_row(&csv, "Closed")[1],
        linli_domain::figures::china_time_label(closed_at)
    );
    for hash in closed["receipt_hashes"].as_array().unwrap() {
        assert!(
            csv.contains(&format!("\r\n{}\r\n", hash.as_str().unwrap())),
            "{hash}"
        );
    }

    // In Chinese by default, and nobody's name, phone number or flat in either language.
    let zh = public.get(&path("/result.csv")).await.text().await.unwrap();
    assert!(zh.contains("\r\n结果,未通过\r\n"), "{zh}");
    let people: Vec<(String, String)> = sqlx::query_as("SELECT phone, display_name FROM users")
        .fetch_all(&app.db)
        .await
        .unwrap();
    for (phone, name) in &people {
        for sheet in [&csv, &zh] {
            assert!(!sheet.contains(phone.as_str()), "{phone} leaked");
            assert!(!sheet.contains(name.as_str()), "{name} leaked");
        }
    }
    assert!(!zh.contains('室') && !csv.contains("Room"), "no flat");
    assert_problem(
        app.get("/consultations/999999/result.csv").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn every_kind_of_scope_is_named_and_an_owner_of_two_homes_acts_for_the_right_one() {
    let app = spawn_app().await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let (stairwell, compound): (i64, i64) = sqlx::query_as(
        "SELECT s.id, b.compound_id FROM users u JOIN household_members m ON m.user_id = u.id
         JOIN households h ON h.id = m.household_id JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id WHERE u.phone = $1",
    )
    .bind(OWNER)
    .fetch_one(&app.db)
    .await
    .unwrap();
    // A second home, in another compound (金桂花园).
    let (second, code): (i64, String) = sqlx::query_as(
        "SELECT h.id, c.code FROM binding_codes c JOIN households h ON h.id = c.household_id
         JOIN stairwells s ON s.id = h.stairwell_id JOIN buildings b ON b.id = s.building_id
         WHERE b.compound_id <> $1 AND c.relation = 'owner' AND c.used_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = h.id)
         ORDER BY h.id LIMIT 1",
    )
    .bind(compound)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owner.bind(&code).await.status(), StatusCode::CREATED);
    let other_compound: i64 = sqlx::query_scalar(
        "SELECT b.compound_id FROM households h JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id WHERE h.id = $1",
    )
    .bind(second)
    .fetch_one(&app.db)
    .await
    .unwrap();

    let propose = |scope: Value| {
        let owner = owner.clone();
        async move {
            ok(
                &owner,
                "/consultations",
                json!({ "title": "议题", "scope": scope }),
            )
            .await
        }
    };
    let community = propose(json!({ "kind": "community" })).await;
    let mine = propose(json!({ "kind": "stairwell", "id": stairwell })).await;
    let there = propose(json!({ "kind": "compound", "id": other_compound })).await;
    let list: Value = app.get("/consultations").await.json().await.unwrap();
    let names = |id: &Value| {
        let t = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == *id)
            .unwrap();
        (
            t["scope_zh"].as_str().unwrap().to_owned(),
            t["scope_en"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        names(&community["summary"]["id"]),
        ("青樟社区".to_owned(), "Qingzhang Community".to_owned())
    );
    assert_eq!(
        names(&mine["summary"]["id"]),
        (
            "翠柳苑 1 幢 1 单元".to_owned(),
            "Cuiliu Garden, building 1, unit 1".to_owned()
        )
    );
    assert_eq!(names(&there["summary"]["id"]).0, "金桂花园");
    // The proposal in the other compound was made for the second home.
    let there_id = there["summary"]["id"].as_i64().unwrap();
    assert_eq!(
        app.count(
            "topics",
            &format!("id = {there_id} AND household_id = {second}")
        )
        .await,
        1
    );
    assert_eq!(there["cosigned"], true);

    // A households vote of the whole community: both homes are on the roll, each votes once.
    let id = community["summary"]["id"].as_i64().unwrap();
    let path = |p: &str| format!("/consultations/{id}{p}");
    ok(&staff, &path("/review"), json!({ "accept": true })).await;
    ok(
        &staff,
        &path("/vote"),
        json!({ "question": "是否同意？", "electorate": "households",
        "rule": { "kind": "simple_majority" }, "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    let before: Value = owner.get(&path("")).await.json().await.unwrap();
    assert_eq!(before["vote"]["can_vote"], true);
    assert_eq!(before["vote"]["has_voted"], false);
    ok(
        &owner,
        &path("/ballots"),
        json!({ "choice": "yes", "household_id": second }),
    )
    .await;
    let after: Value = owner.get(&path("")).await.json().await.unwrap();
    assert_eq!(after["vote"]["has_voted"], true);
    assert_eq!(
        after["vote"]["can_vote"], true,
        "the first home has not voted"
    );
}

/// A refusal's status and its (field, code) pairs.
async fn refusal(resp: reqwest::Response, status: u16) -> Vec<(String, String)> {
    assert_eq!(resp.status().as_u16(), status);
    field_errors(&resp.json::<Value>().await.unwrap())
}

/// Every ballot row of a vote, as stored.
async fn stored_choices(app: &TestApp, vote_id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT choice FROM ballots WHERE vote_id = $1 ORDER BY id")
        .bind(vote_id)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// A topic with three options for the owner's building, accepted onto the agenda.
async fn three_option_topic(owner: &Browser, staff: &Browser, building: i64) -> i64 {
    let topic = ok(
        owner,
        "/consultations",
        json!({ "title": "1幢楼道粉刷颜色", "options": ["米白", "浅灰", "淡黄"],
                "scope": { "kind": "building", "id": building } }),
    )
    .await;
    let id = topic["summary"]["id"].as_i64().unwrap();
    ok(
        staff,
        &format!("/consultations/{id}/review"),
        json!({ "accept": true }),
    )
    .await;
    id
}

fn closes_in_a_week() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 7 * 86_400
}

#[tokio::test]
async fn choice_questions_count_each_option_and_refuse_what_is_not_an_option() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = three_option_topic(&owner, &staff, building).await;
    let path = |p: &str| format!("/consultations/{id}{p}");
    let vote = |kind: Value| {
        json!({ "question": "选哪种颜色？", "kind": kind, "electorate": "households",
                "rule": { "kind": "simple_majority" }, "closes_at": closes_in_a_week() })
    };

    // The households' roll is frozen when the vote opens: these three are on it.
    let a = new_owner_in(&app, building, "13722220001").await;
    let b = new_owner_in(&app, building, "13722220002").await;
    let c = new_owner_in(&app, building, "13722220003").await;

    // A kind that does not fit the topic or the rule is refused, and opens nothing.
    let refused = post(&staff, &path("/vote"), json!({ "question": "选哪种颜色？",
        "kind": { "kind": "ranked" }, "electorate": "owners",
        "rule": { "kind": "owners_decision", "quorum": { "numerator": 2, "denominator": 3, "inclusive": true },
                  "approval": { "numerator": 1, "denominator": 2, "inclusive": false } },
        "closes_at": closes_in_a_week() })).await;
    assert_eq!(
        refusal(refused, 422).await,
        [("kind".to_owned(), "question_does_not_fit".to_owned())]
    );
    let refused = post(
        &staff,
        &path("/vote"),
        vote(json!({ "kind": "multiple", "max": 4 })),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let opened = ok(
        &staff,
        &path("/vote"),
        vote(json!({ "kind": "multiple", "max": 2 })),
    )
    .await;
    assert_eq!(opened["vote"]["options"], json!(["米白", "浅灰", "淡黄"]));
    assert_eq!(
        opened["vote"]["options_result"],
        Value::Null,
        "hidden until the close"
    );
    let vote_id = opened["vote"]["id"].as_i64().unwrap();

    // Refusals write nothing: an index out of range, a repeat, too many, yes on a choice.
    for (body, code) in [
        (json!({ "options": [3] }), "answer_not_an_option"),
        (json!({ "options": [1, 1] }), "answer_not_an_option"),
        (json!({ "options": [0, 1, 2] }), "too_many_choices"),
        (json!({ "choice": "yes" }), "answer_not_an_option"),
        (json!({}), "required"),
    ] {
        let resp = post(&a, &path("/ballots"), body.clone()).await;
        assert_eq!(
            refusal(resp, 422).await,
            [("choice".to_owned(), code.to_owned())],
            "{body}"
        );
    }
    assert!(stored_choices(&app, vote_id).await.is_empty());

    // Four households: {米白, 浅灰}, {米白}, {淡黄}, abstain.
    ok(&a, &path("/ballots"), json!({ "options": [0, 1] })).await;
    ok(&owner, &path("/ballots"), json!({ "options": [0] })).await;
    ok(&b, &path("/ballots"), json!({ "options": [2] })).await;
    ok(&c, &path("/ballots"), json!({ "choice": "abstain" })).await;
    assert_eq!(
        stored_choices(&app, vote_id).await,
        ["[0,1]", "[0]", "[2]", "abstain"]
    );

    let closed = ok(&staff, &path("/close"), json!({})).await;
    let result = &closed["vote"]["options_result"];
    let units = |i: usize| result["tally"]["options"][i]["units"].as_u64().unwrap();
    assert_eq!([units(0), units(1), units(2)], [2, 1, 1]);
    assert_eq!(result["tally"]["chose"]["units"], 3);
    assert_eq!(result["tally"]["abstain"]["units"], 1);
    // 2 of the 3 ballots choosing support 米白: more than half. 浅灰, 淡黄: 1 of 3.
    let passed: Vec<bool> = result["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, false, false]);
    assert_eq!(closed["vote"]["tally"], Value::Null);

    let csv = owner
        .get(&path("/result.csv?lang=zh-CN"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv_row(&csv, "米白")[1], "2");
    assert_eq!(csv_row(&csv, "淡黄")[1], "1");
}

#[tokio::test]
async fn a_ranked_question_publishes_its_runoff_rounds() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let id = three_option_topic(&owner, &staff, building).await;
    let path = |p: &str| format!("/consultations/{id}{p}");
    // First preferences: 米白 2, 浅灰 2, 淡黄 1. 淡黄 goes; its ballot moves to 浅灰: 浅灰 wins 3–2.
    let rankings = [vec![0, 1], vec![0], vec![1, 0], vec![1], vec![2, 1]];
    let mut voters = vec![owner];
    for i in 1..rankings.len() {
        voters.push(new_owner_in(&app, building, &format!("1373333000{i}")).await);
    }
    ok(
        &staff,
        &path("/vote"),
        json!({ "question": "按喜好排序", "kind": { "kind": "ranked" },
        "electorate": "households", "rule": { "kind": "simple_majority" }, "live_tally": true,
        "closes_at": closes_in_a_week() }),
    )
    .await;
    for (voter, ranking) in voters.iter().zip(rankings) {
        ok(voter, &path("/ballots"), json!({ "options": ranking })).await;
    }
    // Live: the rounds are public while it is open, as staff chose.
    let live = voters[0]
        .get(&path(""))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let runoff = &live["vote"]["options_result"]["runoff"];
    assert_eq!(runoff["rounds"][0]["votes"], json!([2, 2, 1]));
    assert_eq!(runoff["rounds"][0]["eliminated"], 2);
    assert_eq!(runoff["rounds"][1]["votes"], json!([2, 3, 0]));
    assert_eq!(runoff["winner"], 1);
}

#[tokio::test]
async fn staff_report_on_a_decided_topic_and_households_in_scope_rate_it_once_each() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let a = new_owner_in(&app, building, "13711110001").await;
    let id = ok(&owner, "/consultations", lift(building)).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let path = |p: &str| format!("/consultations/{id}{p}");
    let report = |note: &str| json!({ "note": note });
    ok(&staff, &path("/review"), json!({ "accept": true })).await;
    ok(
        &staff,
        &path("/vote"),
        json!({ "question": "是否同意？", "electorate": "owners",
        "rule": { "kind": "simple_majority" }, "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    ok(&owner, &path("/ballots"), json!({ "choice": "yes" })).await;

    // Not before the decision: no report, no rating.
    assert_problem(
        post(&staff, &path("/updates"), report("已开工")).await,
        409,
        "topic_not_now",
    )
    .await;
    let put = |who: &Browser, stars: i64| {
        let client = who.client.clone();
        let url = who.api(&path("/rating"));
        async move {
            client
                .put(url)
                .json(&json!({ "stars": stars }))
                .send()
                .await
                .unwrap()
        }
    };
    assert_problem(put(&owner, 4).await, 409, "topic_not_now").await;
    ok(&staff, &path("/close"), json!({})).await;
    // Decided, but nothing reported yet: nothing to rate.
    let decided: Value = owner.get(&path("")).await.json().await.unwrap();
    assert_eq!(decided["can_rate"], false);
    assert_eq!(decided["rating"]["count"], 0);
    assert_problem(put(&owner, 4).await, 409, "topic_not_now").await;

    // Reports: staff only, with words, into the history and the audit log.
    assert_problem(
        post(&owner, &path("/updates"), report("我说开工了")).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        post(&staff, &path("/updates"), report(" ")).await,
        422,
        "required",
    )
    .await;
    let reported = ok(&staff, &path("/updates"), report("施工单位已进场")).await;
    let last = reported["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "implementation_update");
    assert_eq!(last["actor_role"], "staff");
    assert_eq!(last["note"], "施工单位已进场");
    assert_eq!(
        app.count(
            "consultation_audit",
            &format!("topic_id = {id} AND action = 'implementation_update'")
        )
        .await,
        1
    );

    // Ratings: 1 to 5, one per household (again replaces it), only in scope, counts only.
    let mine: Value = owner.get(&path("")).await.json().await.unwrap();
    assert_eq!(mine["can_rate"], true);
    assert_eq!(mine["my_rating"], Value::Null);
    for bad in [0, 6] {
        assert_problem(put(&owner, bad).await, 422, "answer_out_of_range").await;
    }
    let rated: Value = put(&owner, 4).await.json().await.unwrap();
    assert_eq!(rated["my_rating"], 4);
    assert_eq!(rated["rating"]["count"], 1);
    assert_eq!(rated["rating"]["average_centi"], 400);
    let again: Value = put(&owner, 2).await.json().await.unwrap();
    assert_eq!(
        again["rating"]["count"], 1,
        "the household's rating is replaced"
    );
    assert_eq!(again["my_rating"], 2);
    let both: Value = put(&a, 5).await.json().await.unwrap();
    assert_eq!(both["rating"]["count"], 2);
    assert_eq!(both["rating"]["average_centi"], 350);
    assert_eq!(both["rating"]["by_stars"], json!([0, 1, 0, 0, 1]));
    assert_eq!(both["my_rating"], 5);
    assert_eq!(
        app.count("topic_ratings", &format!("topic_id = {id}"))
            .await,
        2
    );

    let tenant = signed_in(&app, TENANT).await;
    assert_problem(put(&tenant, 5).await, 409, "not_in_scope").await;
    let unbound = signed_in(&app, UNBOUND).await;
    assert_problem(put(&unbound, 5).await, 409, "household_required").await;
    let public: Value = app.new_browser().get(&path("")).await.json().await.unwrap();
    assert_eq!(public["rating"]["count"], 2);
    assert_eq!(public["my_rating"], Value::Null);
    assert_eq!(public["can_rate"], false);
    let seen = public.to_string();
    assert!(!seen.contains(OWNER) && !seen.contains("13711110001"));
}
