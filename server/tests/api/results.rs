//! /api/v1/consultations/{id}/corrections and /roll: a published result never changes; a
//! correction publishes the next revision with its reason, and the earlier ones stay as they were.

use crate::consultations::{OWNER, building_of_owner, csv_row, lift, new_owner_in, ok, post};
use crate::helpers::{TestApp, assert_problem, spawn_app};
use crate::requests::{STAFF, signed_in};
use serde_json::{Value, json};
use sha2::Digest;

/// Rows of the tables a correction writes, so a refusal can be shown to write nothing.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["result_revisions", "consultation_audit", "topic_events"] {
        counts.push(app.count(table, "1 = 1").await);
    }
    let areas: i64 = sqlx::query_scalar("SELECT CAST(SUM(area_centi_m2) AS BIGINT) FROM vote_roll")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let voided = app.count("ballots", "voided_in_revision IS NOT NULL").await;
    counts.extend([areas, voided]);
    counts
}

fn units(weight: &Value) -> i64 {
    weight["units"].as_i64().unwrap()
}

fn area(weight: &Value) -> i64 {
    weight["area_centi_m2"].as_i64().unwrap()
}

#[tokio::test]
async fn a_correction_is_a_new_visible_revision_and_the_first_stays() {
    let app = spawn_app().await;
    let building = building_of_owner(&app).await;
    let owner = signed_in(&app, OWNER).await;
    let staff = signed_in(&app, STAFF).await;
    let a = new_owner_in(&app, building, "13711110001").await;
    let b = new_owner_in(&app, building, "13711110002").await;
    let id = ok(&owner, "/consultations", lift(building)).await["summary"]["id"]
        .as_i64()
        .unwrap();
    let path = |p: &str| format!("/consultations/{id}{p}");
    ok(&staff, &path("/review"), json!({ "accept": true })).await;
    let rule = serde_json::to_value(linli_domain::ballot::DecisionRule::SimpleMajority).unwrap();
    let opened = ok(
        &staff,
        &path("/vote"),
        json!({ "question": "是否同意为1幢加装电梯？", "electorate": "owners", "rule": rule,
                "closes_at": linli_server::db::now() + 86_400 }),
    )
    .await;
    let vote_id = opened["vote"]["id"].as_i64().unwrap();
    let mut receipts = Vec::new();
    for (voter, choice) in [(&owner, "yes"), (&a, "yes"), (&b, "no")] {
        let ballot = ok(voter, &path("/ballots"), json!({ "choice": choice })).await;
        let receipt = ballot["receipt"].as_str().expect("a receipt");
        receipts.push(linli_domain::hex(&sha2::Sha256::digest(receipt.as_bytes())));
    }
    let home_of = |phone: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT m.household_id FROM household_members m JOIN users u ON u.id = m.user_id
                 WHERE u.phone = $1",
            )
            .bind(phone)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let (owner_home, a_home) = (home_of(OWNER).await, home_of("13711110001").await);
    let void_a = json!({ "reason": "经核实，该户投票人不是业主本人。",
                         "correction": { "kind": "void_ballot", "household_id": a_home } });

    // Nothing is published while the vote is open, so there is nothing to correct yet.
    let before = written(&app).await;
    assert_problem(
        post(&staff, &path("/corrections"), void_a.clone()).await,
        409,
        "result_not_published",
    )
    .await;

    let closed = ok(&staff, &path("/close"), json!({})).await;
    // 2 yes of 3 cast: more than half, it passes; published as revision 1.
    assert_eq!(closed["vote"]["verdict"]["passed"], true);
    let first = closed["vote"]["revisions"].as_array().unwrap().clone();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["number"], 1);
    assert_eq!(first[0]["reason"], "");
    assert!(first[0]["change"].is_null());
    assert_eq!(first[0]["result"]["tally"], closed["vote"]["tally"]);
    let before = {
        let mut b = before;
        b[0] += 1; // revision 1
        b[1] += 1; // close_vote in the audit
        b[2] += 1; // vote_closed in the history
        b
    };
    assert_eq!(written(&app).await, before);

    // Refusals, each clear and each writing nothing.
    assert_problem(
        post(&a, &path("/corrections"), void_a.clone()).await,
        403,
        "forbidden",
    )
    .await;
    let no_reason = json!({ "reason": "  ", "correction": void_a["correction"] });
    assert_problem(
        post(&staff, &path("/corrections"), no_reason).await,
        422,
        "required",
    )
    .await;
    let zero = json!({ "reason": "面积有误", "correction": { "kind": "area", "household_id": owner_home, "area_centi_m2": 0 } });
    assert_problem(
        post(&staff, &path("/corrections"), zero).await,
        422,
        "area_invalid",
    )
    .await;
    let elsewhere: i64 = sqlx::query_scalar(
        "SELECT h.id FROM households h JOIN stairwells s ON s.id = h.stairwell_id
         WHERE s.building_id <> $1 LIMIT 1",
    )
    .bind(building)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let off_roll = json!({ "reason": "误计", "correction": { "kind": "void_ballot", "household_id": elsewhere } });
    assert_problem(
        post(&staff, &path("/corrections"), off_roll).await,
        422,
        "not_on_roll",
    )
    .await;
    let silent: i64 = sqlx::query_scalar(
        "SELECT household_id FROM vote_roll WHERE vote_id = $1 AND voted = 0 LIMIT 1",
    )
    .bind(vote_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let no_ballot = json!({ "reason": "误计", "correction": { "kind": "void_ballot", "household_id": silent } });
    assert_problem(
        post(&staff, &path("/corrections"), no_ballot).await,
        409,
        "no_ballot_to_void",
    )
    .await;
    let owner_area: i64 = sqlx::query_scalar(
        "SELECT area_centi_m2 FROM vote_roll WHERE vote_id = $1 AND household_id = $2",
    )
    .bind(vote_id)
    .bind(owner_home)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let same = json!({ "reason": "面积有误", "correction": { "kind": "area", "household_id": owner_home, "area_centi_m2": owner_area } });
    assert_problem(
        post(&staff, &path("/corrections"), same).await,
        422,
        "correction_changes_nothing",
    )
    .await;
    assert_eq!(written(&app).await, before);

    // Voiding a's ballot: 1 yes to 1 no is not more than half; revision 2 says so, 1 still passes.
    let corrected = ok(&staff, &path("/corrections"), void_a.clone()).await;
    let vote = &corrected["vote"];
    assert_eq!(vote["verdict"]["passed"], false);
    assert_eq!(units(&vote["tally"]["yes"]), 1);
    assert_eq!(units(&vote["tally"]["no"]), 1);
    let revisions = vote["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0], first[0], "revision 1 as it was published");
    assert_eq!(revisions[1]["number"], 2);
    assert_eq!(revisions[1]["reason"], "经核实，该户投票人不是业主本人。");
    assert_eq!(revisions[1]["change"], "void_ballot");
    assert_eq!(revisions[1]["result"]["verdict"], vote["verdict"]);
    // a's receipt is still among those published at the close, and now marked voided, so a
    // check of it does not say it counts; the CSV lists only the receipts that count.
    let published = corrected["receipt_hashes"].as_array().unwrap();
    assert!(receipts.iter().all(|r| published.contains(&json!(r))));
    assert_eq!(corrected["voided_receipt_hashes"], json!([receipts[1]]));
    let csv = staff.get(&path("/result.csv")).await.text().await.unwrap();
    assert!(!csv.contains(&receipts[1]), "{csv}");
    assert!(
        csv.contains(&receipts[0]) && csv.contains(&receipts[2]),
        "{csv}"
    );
    let last_event = corrected["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last_event["kind"], "result_corrected");
    assert_eq!(last_event["note"], "经核实，该户投票人不是业主本人。");
    // Voiding it again finds no counted ballot.
    assert_problem(
        post(&staff, &path("/corrections"), void_a).await,
        409,
        "no_ballot_to_void",
    )
    .await;

    // The roll, for staff only: a's ballot no longer counts.
    assert_problem(a.get(&path("/roll")).await, 403, "forbidden").await;
    let roll: Value = staff.get(&path("/roll")).await.json().await.unwrap();
    let entry = |home: i64| {
        roll.as_array()
            .unwrap()
            .iter()
            .find(|u| u["household_id"] == home)
            .unwrap()
            .clone()
    };
    assert_eq!(entry(a_home)["counted"], false);
    assert_eq!(entry(owner_home)["counted"], true);
    assert_eq!(entry(owner_home)["area_centi_m2"], owner_area);

    // The owner's unit was registered 10 m² too large: its yes weighs less by area, and so
    // does the roll; revision 3.
    let area_fix = json!({ "reason": "按不动产登记簿更正一户面积。",
        "correction": { "kind": "area", "household_id": owner_home, "area_centi_m2": owner_area - 1000 } });
    let corrected = ok(&staff, &path("/corrections"), area_fix).await;
    let third = &corrected["vote"];
    assert_eq!(third["revisions"].as_array().unwrap().len(), 3);
    assert_eq!(third["revisions"][2]["change"], "area");
    assert_eq!(area(&third["tally"]["yes"]), owner_area - 1000);
    assert_eq!(
        area(&third["eligible"]),
        area(&vote["eligible"]) - 1000,
        "the roll's area follows"
    );
    assert_eq!(third["revisions"][1], vote["revisions"][1]);

    // The public sees every revision, without the unit a correction concerned.
    let public: Value = app.new_browser().get(&path("")).await.json().await.unwrap();
    assert_eq!(public["vote"]["revisions"], third["revisions"]);
    for revision in public["vote"]["revisions"].as_array().unwrap() {
        let keys: Vec<&String> = revision.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["change", "number", "published_at", "reason", "result"]
        );
    }
    let text = public.to_string();
    assert!(!text.contains("household_id"), "{text}");
    // The CSV says which revision it is, and why.
    let csv = app
        .new_browser()
        .get(&path("/result.csv?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv_row(&csv, "Published revision")[1], "3");
    assert_eq!(
        csv_row(&csv, "Reason for the correction")[1],
        "按不动产登记簿更正一户面积。"
    );

    // The audit log has each correction with the unit and the area before.
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM consultation_audit WHERE topic_id = $1 AND action = 'correct_result' ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(details.len(), 2);
    let audit: Value = serde_json::from_str(&details[1]).unwrap();
    assert_eq!(audit["revision"], 3);
    assert_eq!(audit["correction"]["household_id"], owner_home);
    assert_eq!(audit["area_before_centi_m2"], owner_area);

    // And the file itself refuses to change or drop a revision.
    for statement in [
        "UPDATE result_revisions SET reason = 'x'",
        "DELETE FROM result_revisions",
    ] {
        let refused = sqlx::query(statement).execute(&app.db).await.unwrap_err();
        assert!(refused.to_string().contains("never"), "{refused}");
    }
}

#[tokio::test]
async fn a_secret_vote_cannot_be_corrected_unit_by_unit() {
    let app = spawn_app().await;
    let staff = signed_in(&app, STAFF).await;
    // The demo's open secret vote (the charging shed), closed now.
    let shed: i64 = sqlx::query_scalar("SELECT id FROM topics WHERE title = $1")
        .bind(linli_server::seed::consultations::SHED_TITLE)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let path = |p: &str| format!("/consultations/{shed}{p}");
    let closed = ok(&staff, &path("/close"), json!({})).await;
    assert_eq!(closed["vote"]["secret"], true);
    assert_eq!(closed["vote"]["revisions"].as_array().unwrap().len(), 1);
    let household: i64 = sqlx::query_scalar(
        "SELECT household_id FROM vote_roll r JOIN votes v ON v.id = r.vote_id WHERE v.topic_id = $1 AND voted = 1 LIMIT 1",
    )
    .bind(shed)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let void = json!({ "reason": "误计", "correction": { "kind": "void_ballot", "household_id": household } });
    assert_problem(
        post(&staff, &path("/corrections"), void).await,
        409,
        "correction_secret_ballot",
    )
    .await;
}
