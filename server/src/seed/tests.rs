//! The demo community is what every later feature and browser test starts from: check its
//! shape, its determinism and the promises the README makes about it.

use super::*;
use crate::auth::password::verify_password;
use linli_domain::facility::{Circle, FacilityCategory};
use linli_domain::{Password, PhoneNumber};
use std::collections::{HashMap, HashSet, VecDeque};
use tempfile::TempDir;

/// A fresh, migrated database in its own directory (kept alive by the returned guard).
async fn fresh_db() -> (TempDir, Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::db::scratch(dir.path()).await.expect("connect");
    (dir, db)
}

async fn seeded_db() -> (TempDir, Db, SeedReport) {
    let (dir, db) = fresh_db().await;
    let report = seed_demo_community(&db).await.expect("seed");
    (dir, db, report)
}

async fn count(db: &Db, table: &str) -> usize {
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db)
        .await
        .unwrap();
    n as usize
}

#[tokio::test]
async fn seeds_an_empty_database_with_counts_in_range() {
    let (_dir, db) = fresh_db().await;
    assert!(is_empty(&db).await.unwrap());
    let report = seed_demo_community(&db).await.unwrap();
    assert!(!is_empty(&db).await.unwrap());

    // The report tells the truth about what is in the database.
    assert_eq!(count(&db, "communities").await, 1);
    assert_eq!(count(&db, "compounds").await, report.compounds);
    assert_eq!(count(&db, "buildings").await, report.buildings);
    assert_eq!(count(&db, "households").await, report.households);
    assert_eq!(count(&db, "users").await, report.users);
    assert_eq!(count(&db, "facilities").await, report.facilities);
    assert_eq!(count(&db, "walk_nodes").await, report.walk_nodes);
    assert_eq!(count(&db, "walk_edges").await, report.walk_edges);

    assert_eq!(report.compounds, 3);
    assert!((18..=22).contains(&report.buildings), "{report:?}");
    assert!((500..=1200).contains(&report.households), "{report:?}");
    assert!(
        (DEMO_LOGINS.len() + 40..=DEMO_LOGINS.len() + 60).contains(&report.users),
        "{report:?}"
    );
    assert!((35..=45).contains(&report.facilities), "{report:?}");
    assert!(
        report.walk_nodes > 100 && report.walk_edges >= report.walk_nodes - 1,
        "{report:?}"
    );
    assert_eq!(count(&db, "binding_codes").await, 2 * report.households);
}

#[tokio::test]
async fn compounds_differ_in_age_and_lifts_and_flats_are_plausible() {
    let (_dir, db, _) = seeded_db().await;
    // (built_year, buildings, buildings with a lift, min floors, max floors)
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT c.built_year, COUNT(*), CAST(SUM(b.has_elevator) AS BIGINT), MIN(b.floors), MAX(b.floors) \
         FROM compounds c JOIN buildings b ON b.compound_id = c.id GROUP BY c.id ORDER BY c.built_year",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    let (old_year, old_buildings, old_lifts, old_min, old_max) = rows[0];
    assert!(
        old_year < 2000 && old_lifts == 0 && old_min == 6 && old_max == 6,
        "{rows:?}"
    );
    assert!(old_buildings >= 6);
    assert!(
        rows[2].0 >= 2010 && rows[2].2 == rows[2].1,
        "the newest compound has lifts: {rows:?}"
    );

    // Two flats on every floor of every stairwell, named after their floor.
    let stairwells_per_building: Vec<(i64,)> =
        sqlx::query_as("SELECT COUNT(*) FROM stairwells GROUP BY building_id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(
        stairwells_per_building
            .iter()
            .all(|&(n,)| (2..=3).contains(&n))
    );
    let bad_layout: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stairwells s JOIN buildings b ON b.id = s.building_id \
         WHERE (SELECT COUNT(*) FROM households h WHERE h.stairwell_id = s.id) <> 2 * b.floors",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(bad_layout, 0);
    let rooms: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT floor, room, floor_area_centi_m2 FROM households")
            .fetch_all(&db)
            .await
            .unwrap();
    for (floor, room, area) in &rooms {
        assert!(
            room == &format!("{floor}01") || room == &format!("{floor}02"),
            "{floor} {room}"
        );
        assert!((4_500..=14_000).contains(area), "{room}: {area}");
    }
    let distinct_areas: HashSet<i64> = rooms.iter().map(|r| r.2).collect();
    assert!(
        distinct_areas.len() > 20,
        "areas vary: {}",
        distinct_areas.len()
    );
}

#[tokio::test]
async fn every_household_has_one_owner_and_one_member_code_that_parse() {
    let (_dir, db, report) = seeded_db().await;
    let per_household: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT h.id, \
         (SELECT COUNT(*) FROM binding_codes bc WHERE bc.household_id = h.id AND bc.relation = 'owner'), \
         (SELECT COUNT(*) FROM binding_codes bc WHERE bc.household_id = h.id AND bc.relation = 'member') \
         FROM households h",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(per_household.len(), report.households);
    for (id, owners, members) in per_household {
        assert_eq!((owners, members), (1, 1), "household {id}");
    }
    let codes: Vec<(String,)> = sqlx::query_as("SELECT code FROM binding_codes")
        .fetch_all(&db)
        .await
        .unwrap();
    for (code,) in codes {
        let parsed = BindingCode::parse(&code).unwrap_or_else(|e| panic!("{code}: {e:?}"));
        assert_eq!(parsed.as_str(), code, "stored in the compact form");
    }
}

#[tokio::test]
async fn seeding_is_deterministic() {
    let (_a, first, _) = seeded_db().await;
    let (_b, second, _) = seeded_db().await;
    let codes = "SELECT code, household_id, relation, used_by FROM binding_codes ORDER BY code";
    let households =
        "SELECT id, stairwell_id, room, floor_area_centi_m2 FROM households ORDER BY id";
    type CodeRow = (String, i64, String, Option<i64>);
    let a: Vec<CodeRow> = sqlx::query_as(codes).fetch_all(&first).await.unwrap();
    let b: Vec<CodeRow> = sqlx::query_as(codes).fetch_all(&second).await.unwrap();
    assert_eq!(a, b);
    type HouseholdRow = (i64, i64, String, i64);
    let a: Vec<HouseholdRow> = sqlx::query_as(households).fetch_all(&first).await.unwrap();
    let b: Vec<HouseholdRow> = sqlx::query_as(households).fetch_all(&second).await.unwrap();
    assert_eq!(a, b);
    let a: Vec<String> = sample_unused_codes(&first, 5)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code.to_string())
        .collect();
    let b: Vec<String> = sample_unused_codes(&second, 5)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code.to_string())
        .collect();
    assert_eq!(a, b, "the README's sample codes are the same everywhere");
}

#[tokio::test]
async fn seeding_a_non_empty_database_errors_and_changes_nothing() {
    let (_dir, db, report) = seeded_db().await;
    let err = seed_demo_community(&db).await.unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
    assert_eq!(count(&db, "communities").await, 1);
    assert_eq!(count(&db, "households").await, report.households);
    assert_eq!(count(&db, "users").await, report.users);
}

#[tokio::test]
async fn the_walk_graph_is_connected_and_everything_has_a_node() {
    let (_dir, db, _) = seeded_db().await;
    let nodes: Vec<(i64,)> = sqlx::query_as("SELECT id FROM walk_nodes")
        .fetch_all(&db)
        .await
        .unwrap();
    let edges: Vec<(i64, i64)> = sqlx::query_as("SELECT from_node, to_node FROM walk_edges")
        .fetch_all(&db)
        .await
        .unwrap();
    let mut neighbours: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(a, b) in &edges {
        neighbours.entry(a).or_default().push(b);
        neighbours.entry(b).or_default().push(a);
    }
    let start = nodes[0].0;
    let mut seen = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in neighbours.get(&node).into_iter().flatten() {
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    assert_eq!(seen.len(), nodes.len(), "every node is reachable on foot");

    let doorless: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM buildings b LEFT JOIN walk_nodes n ON n.id = b.door_node_id \
         WHERE n.id IS NULL OR n.kind <> 'door' OR n.compound_id <> b.compound_id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(doorless, 0);
    let nodeless: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM facilities f LEFT JOIN walk_nodes n ON n.id = f.node_id \
         WHERE n.id IS NULL OR n.kind <> 'facility'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(nodeless, 0);
    let gates: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT c.id, (SELECT COUNT(*) FROM walk_nodes n WHERE n.compound_id = c.id AND n.kind = 'gate') \
         FROM compounds c",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(
        gates.iter().all(|&(_, n)| (1..=2).contains(&n)),
        "{gates:?}"
    );
    // Only gates lead out of a compound: no lane joins a street directly.
    let leaks: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM walk_edges e JOIN walk_nodes a ON a.id = e.from_node JOIN walk_nodes b ON b.id = e.to_node \
         WHERE (a.kind = 'street') <> (b.kind = 'street') AND a.kind <> 'gate' AND b.kind <> 'gate' \
         AND a.kind <> 'facility' AND b.kind <> 'facility'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(leaks, 0);
}

#[test]
fn connectors_are_short_and_edges_have_length() {
    let walk = network::WalkPlan::build();
    for edge in &walk.edges {
        let (a, b) = (&walk.nodes[edge.from], &walk.nodes[edge.to]);
        let length = a.at.distance_to(b.at);
        assert!(length > 1.0, "{a:?} {b:?}");
        assert!(length <= 160.0, "an edge of {length:.0} m: {a:?} {b:?}");
    }
}

#[test]
fn facility_addresses_name_the_street_they_face() {
    // West side of 桂香街, 450 m up from the grid's south edge: an even number.
    assert_eq!(
        facilities::street_address(geo::m(-12, 0)),
        ("桂香街46号".to_owned(), "No. 46 Guixiang Street".to_owned())
    );
    // Just east of the same street, across the road: odd.
    assert_eq!(facilities::street_address(geo::m(12, 0)).0, "桂香街45号");
    // Nearer to 青樟路 than to 桂香街: numbered along 青樟路.
    assert_eq!(facilities::street_address(geo::m(20, -162)).0, "青樟路64号");
}

#[tokio::test]
async fn demo_logins_exist_with_their_roles_and_valid_passwords() {
    let (_dir, db, _) = seeded_db().await;
    let roles: Vec<Role> = DEMO_LOGINS.iter().map(|l| l.role).collect();
    assert!(roles.contains(&Role::Admin));
    assert!(roles.iter().filter(|&&r| r == Role::Staff).count() >= 2);
    assert!(roles.iter().filter(|&&r| r == Role::Resident).count() >= 3);
    assert!(DEMO_LOGINS.iter().any(|l| l.who_zh.contains("网格员")));

    let mut checked_hash = false;
    for login in DEMO_LOGINS {
        let phone =
            PhoneNumber::parse(login.phone).unwrap_or_else(|e| panic!("{}: {e:?}", login.phone));
        assert_eq!(phone.as_str(), login.phone, "stored in normal form");
        Password::parse(login.password, Some(&phone))
            .unwrap_or_else(|e| panic!("{}: {e:?}", login.phone));
        let (role, hash): (String, String) =
            sqlx::query_as("SELECT role, password_hash FROM users WHERE phone = $1")
                .bind(login.phone)
                .fetch_one(&db)
                .await
                .unwrap_or_else(|e| panic!("{} missing: {e}", login.phone));
        assert_eq!(role, login.role.as_str(), "{}", login.phone);
        if !checked_hash {
            assert!(verify_password(login.password, &hash));
            checked_hash = true;
        }
    }

    // Every seeded phone is a valid, distinct mainland number.
    let phones: Vec<(String,)> = sqlx::query_as("SELECT phone FROM users")
        .fetch_all(&db)
        .await
        .unwrap();
    for (phone,) in &phones {
        assert_eq!(PhoneNumber::parse(phone).unwrap().as_str(), phone);
    }
}

/// The memberships of a demo login: (compound, building, stairwell, room, relation).
async fn memberships_of(db: &Db, phone: &str) -> Vec<(String, i64, i64, String, String)> {
    sqlx::query_as(
        "SELECT c.name_zh, b.number, s.number, h.room, m.relation \
         FROM users u JOIN household_members m ON m.user_id = u.id \
         JOIN households h ON h.id = m.household_id JOIN stairwells s ON s.id = h.stairwell_id \
         JOIN buildings b ON b.id = s.building_id JOIN compounds c ON c.id = b.compound_id \
         WHERE u.phone = $1",
    )
    .bind(phone)
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn bound_demo_residents_are_members_and_their_codes_are_spent() {
    let (_dir, db, _) = seeded_db().await;
    for account in &plan::DEMO_ACCOUNTS {
        let memberships = memberships_of(&db, account.login.phone).await;
        match account.home {
            Some((home, relation)) => {
                let compound = plan::COMPOUNDS[home.compound].name_zh.to_owned();
                let expected = (
                    compound,
                    home.building,
                    home.stairwell,
                    home.room.to_owned(),
                    relation.as_str().to_owned(),
                );
                assert_eq!(memberships, vec![expected], "{}", account.login.phone);
            }
            None => assert!(
                memberships.is_empty(),
                "{} is not bound",
                account.login.phone
            ),
        }
    }
    let owner = DEMO_LOGINS
        .iter()
        .find(|l| l.who_zh.contains("业主"))
        .unwrap();
    assert_eq!(memberships_of(&db, owner.phone).await[0].4, "owner");
    let tenant = DEMO_LOGINS
        .iter()
        .find(|l| l.who_zh.contains("租户"))
        .unwrap();
    assert_eq!(memberships_of(&db, tenant.phone).await[0].4, "member");

    // Each membership spent exactly the code of its household and relation, and nothing else
    // was spent.
    let spent: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT household_id, used_by, relation FROM binding_codes WHERE used_at IS NOT NULL ORDER BY household_id, relation",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let members: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT household_id, user_id, relation FROM household_members ORDER BY household_id, relation",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(spent, members);
    let owners = members.iter().filter(|m| m.2 == "owner").count();
    assert!(
        owners >= 20 && members.len() - owners >= 4,
        "mostly owners, some members: {members:?}"
    );
    let staff_bound: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM household_members m JOIN users u ON u.id = m.user_id WHERE u.role <> 'resident'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(staff_bound, 0);
}

#[tokio::test]
async fn facilities_cover_every_circle_but_leave_gaps() {
    let (_dir, db, _) = seeded_db().await;
    let keys: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT category FROM facilities")
        .fetch_all(&db)
        .await
        .unwrap();
    let present: HashSet<FacilityCategory> = keys
        .iter()
        .map(|(k,)| FacilityCategory::parse(k).unwrap_or_else(|| panic!("unknown category {k}")))
        .collect();
    for circle in [
        Circle::Block,
        Circle::FiveMinute,
        Circle::TenMinute,
        Circle::FifteenMinute,
    ] {
        let n = present.iter().filter(|c| c.circle() == circle).count();
        assert!(n >= 3, "{circle:?}: only {n} categories");
    }
    let absent: Vec<&FacilityCategory> = FacilityCategory::ALL
        .iter()
        .filter(|c| !present.contains(c))
        .collect();
    assert!(absent.len() >= 2, "{absent:?}");
    assert!(absent.contains(&&FacilityCategory::AfterSchoolCare));
    for category in plan::ABSENT_CATEGORIES {
        assert!(
            !present.contains(category),
            "{category:?} should be missing"
        );
    }

    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT address_zh, address_en, opening_hours, phone FROM facilities")
            .fetch_all(&db)
            .await
            .unwrap();
    for (zh, en, hours, phone) in rows {
        assert!(
            !zh.is_empty() && en.is_ascii() && !hours.is_empty(),
            "{zh} {en} {hours}"
        );
        if let Some(phone) = phone {
            assert!(phone.starts_with("0571-8") && phone.len() == 13, "{phone}");
        }
    }
}

#[tokio::test]
async fn sample_codes_are_unused_ordered_and_addressed() {
    let (_dir, db, _) = seeded_db().await;
    let samples = sample_unused_codes(&db, 6).await.unwrap();
    assert_eq!(samples.len(), 6);
    for pair in samples.windows(2) {
        let key = |s: &SampleCode| (s.household_id, s.relation != HouseholdRelation::Owner);
        assert!(key(&pair[0]) < key(&pair[1]), "{samples:?}");
    }
    for sample in &samples {
        let used: Option<i64> =
            sqlx::query_scalar("SELECT used_at FROM binding_codes WHERE code = $1")
                .bind(sample.code.as_str())
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(used, None);
        assert!(
            sample.address_zh.ends_with('室') && sample.address_en.starts_with("Room "),
            "{sample:?}"
        );
    }
    assert_eq!(sample_unused_codes(&db, 0).await.unwrap().len(), 0);
}

/// A topic's id by its title.
async fn topic_id(db: &Db, title: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM topics WHERE title = $1")
        .bind(title)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{title}: {e}"))
}

/// The demo owner's household.
async fn demo_owner_household(db: &Db) -> i64 {
    let owner = DEMO_LOGINS
        .iter()
        .find(|l| l.who_zh.contains("业主"))
        .unwrap();
    sqlx::query_scalar(
        "SELECT m.household_id FROM household_members m JOIN users u ON u.id = m.user_id WHERE u.phone = $1",
    )
    .bind(owner.phone)
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_lift_vote_was_decided_by_the_buildings_owners_and_passed() {
    use crate::store::consultations as store;
    use linli_domain::ballot::{DecisionRule, Weight, decide};
    use linli_domain::consultation::{TopicStatus, YesNo};

    let (_dir, db, report) = seeded_db().await;
    let c = crate::store::community::only(&db).await;
    let id = topic_id(&db, consultations::LIFT_TITLE).await;
    let topic = store::topic(&db, c, id, 5).await.unwrap().unwrap();
    assert_eq!(topic.summary.status, TopicStatus::Decided);
    assert_eq!(topic.summary.scope_zh, "翠柳苑 3 幢");
    let kinds: Vec<&str> = topic.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "proposed",
            "threshold_reached",
            "review_step",
            "review_step",
            "review_step",
            "review_step",
            "accepted",
            "vote_opened",
            "vote_closed",
            "implementation_update",
            "implementation_update",
            "implementation_update"
        ]
    );
    // 民事民评: nine owners rated the works: 5, 5, 5, 4, 4, 5, 2, 3, 4 = 37/9 = 4.11.
    let rating = store::ratings(&db, c, id).await.unwrap();
    assert_eq!(rating.count, 9);
    assert_eq!(rating.by_stars, [0, 1, 1, 3, 4]);
    assert_eq!(rating.average_centi, Some(411));
    assert_eq!(topic.comments.iter().filter(|c| c.official).count(), 2);
    assert!(topic.events.iter().all(|e| e.at < crate::db::now()));

    // The plan's flats, with their areas as stored: what the tally must say, figured here
    // without the store.
    let mut expected = [Weight::default(); 3];
    let mut eligible = Weight::default();
    for &(stairwell, room, choice) in plan::LIFT_BALLOTS {
        let area: i64 = sqlx::query_scalar(
            "SELECT h.floor_area_centi_m2 FROM households h JOIN stairwells s ON s.id = h.stairwell_id
             JOIN buildings b ON b.id = s.building_id JOIN compounds c ON c.id = b.compound_id
             WHERE c.name_zh = '翠柳苑' AND b.number = 3 AND s.number = $1 AND h.room = $2",
        )
        .bind(stairwell)
        .bind(room)
        .fetch_one(&db)
        .await
        .unwrap();
        let one = Weight {
            units: 1,
            area_centi_m2: area as u64,
        };
        eligible = eligible + one;
        if let Some(choice) = choice {
            let i = [YesNo::Yes, YesNo::No, YesNo::Abstain]
                .iter()
                .position(|c| *c == choice)
                .unwrap();
            expected[i] = expected[i] + one;
        }
    }
    let vote = store::vote_view(&db, c, id).await.unwrap().unwrap();
    assert_eq!(vote.rule, DecisionRule::ART_278_MAJOR);
    assert!(!vote.secret);
    assert!(vote.closed_at.is_some_and(|t| t < crate::db::now()));
    let tally = vote.tally.expect("published after the close");
    assert_eq!(tally.eligible, eligible);
    assert_eq!(
        (tally.yes, tally.no, tally.abstain),
        (expected[0], expected[1], expected[2])
    );
    // By owners: 24 on the roll, 20 took part (3·20 >= 2·24), 16 said yes (4·16 >= 3·20).
    assert_eq!(tally.eligible.units, 24);
    assert_eq!(
        (tally.yes.units, tally.no.units, tally.abstain.units),
        (16, 3, 1)
    );
    // By area (centi-m²): 1,444.92 m² on the roll, 1,203.57 m² took part (3·120357 = 361071
    // >= 2·144492 = 288984, 83.3%), 963.28 m² said yes (4·96328 = 385312 >= 3·120357 = 361071,
    // 80.0%).
    assert_eq!(
        (
            tally.eligible.area_centi_m2,
            tally.participating().area_centi_m2,
            tally.yes.area_centi_m2,
            tally.no.area_centi_m2,
            tally.abstain.area_centi_m2
        ),
        (144_492, 120_357, 96_328, 18_551, 5_478)
    );
    let verdict = vote.verdict.expect("decided");
    assert_eq!(verdict, decide(DecisionRule::ART_278_MAJOR, &tally));
    assert_eq!(verdict.quorum_by_units, Some(true));
    assert_eq!(verdict.quorum_by_area, Some(true));
    assert!(verdict.approval_by_units);
    assert_eq!(verdict.approval_by_area, Some(true));
    assert!(verdict.passed);

    // Genuine ballots: each named ballot was cast by a verified owner of its unit; every receipt
    // is published; the audit log has each ballot and the one change.
    let strangers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM ballots b WHERE b.vote_id = $1 AND NOT EXISTS (
            SELECT 1 FROM household_members m WHERE m.household_id = b.household_id
            AND m.user_id = b.voter_id AND m.relation = 'owner')",
    )
    .bind(vote.id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(strangers, 0);
    assert_eq!(
        store::receipt_hashes(&db, c, vote.id).await.unwrap().len(),
        20
    );
    let audit: Vec<(String, i64)> = sqlx::query_as(
        "SELECT action, COUNT(*) FROM consultation_audit WHERE topic_id = $1 GROUP BY action ORDER BY action",
    )
    .bind(id)
    .fetch_all(&db)
    .await
    .unwrap();
    let audit: HashMap<String, i64> = audit.into_iter().collect();
    assert_eq!(audit["ballot_cast"], 20);
    assert_eq!(audit["ballot_changed"], 1);
    assert_eq!(audit["accepted"], 1);
    assert_eq!(audit["open_vote"], 1);
    assert_eq!(audit["close_vote"], 1);
    assert_eq!(audit["implementation_update"], 3);
    assert_eq!(report.topics, 3);
}

#[tokio::test]
async fn the_demo_owner_has_an_open_vote_to_cast_and_a_proposal_to_co_sign() {
    use crate::store::consultations as store;
    use linli_domain::consultation::TopicStatus;

    let (_dir, db, _) = seeded_db().await;
    let c = crate::store::community::only(&db).await;
    let home = demo_owner_household(&db).await;

    let shed = topic_id(&db, consultations::SHED_TITLE).await;
    let vote = store::vote_view(&db, c, shed).await.unwrap().unwrap();
    assert!(vote.secret && !vote.live_tally);
    assert!(vote.closes_at > crate::db::now() && vote.closed_at.is_none());
    assert_eq!(vote.tally, None, "hidden until the close");
    assert_eq!(
        store::on_roll(&db, c, vote.id, &[home]).await.unwrap(),
        [home]
    );
    assert!(!store::has_voted(&db, vote.id, home).await.unwrap());
    let (ballots, anonymous): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), SUM(CASE WHEN household_id IS NULL AND voter_id IS NULL THEN 1 ELSE 0 END)
         FROM ballots WHERE vote_id = $1",
    )
    .bind(vote.id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        ballots >= 10 && anonymous == ballots,
        "{ballots} {anonymous}"
    );

    let roof = topic_id(&db, consultations::ROOF_TITLE).await;
    let topic = store::topic(&db, c, roof, 5).await.unwrap().unwrap();
    assert_eq!(topic.summary.status, TopicStatus::Collecting);
    assert_eq!(topic.summary.cosigns, 2, "below the tests' threshold of 3");
    assert!(!store::has_cosigned(&db, c, roof, &[home]).await.unwrap());
    let mut conn = db.acquire().await.unwrap();
    assert!(
        store::in_scope(&mut conn, c, topic.summary.scope, home)
            .await
            .unwrap()
    );
}

#[test]
fn outlines_hold_the_network_and_stay_off_its_lanes() {
    use super::geo::Metres;
    use super::network::{NodeKind, WalkPlan};
    use super::outline::{building_footprint, compound_boundary, extent};
    type Box = (Metres, Metres);
    let strictly_inside = |(sw, ne): Box, e: f64, n: f64| {
        f64::from(sw.east) < e
            && e < f64::from(ne.east)
            && f64::from(sw.north) < n
            && n < f64::from(ne.north)
    };
    let on_edge_of = |(sw, ne): Box, p: Metres| {
        let within =
            (sw.east..=ne.east).contains(&p.east) && (sw.north..=ne.north).contains(&p.north);
        within && !strictly_inside((sw, ne), f64::from(p.east), f64::from(p.north))
    };
    let walk = WalkPlan::build();
    let mut footprints: Vec<Box> = Vec::new();
    for (c, compound) in plan::COMPOUNDS.iter().enumerate() {
        let wall = extent(&compound_boundary(compound));
        for node in walk.nodes.iter().filter(|n| n.compound == Some(c)) {
            let (e, n) = (f64::from(node.at.east), f64::from(node.at.north));
            if node.kind == NodeKind::Gate {
                assert!(
                    on_edge_of(wall, node.at),
                    "{}: gate {:?} in the wall",
                    compound.name_en,
                    node.at
                );
            } else {
                assert!(
                    strictly_inside(wall, e, n),
                    "{}: {node:?} inside",
                    compound.name_en
                );
            }
        }
        for (b, building) in compound.buildings.iter().enumerate() {
            let ring = building_footprint(compound, building);
            assert_eq!(ring[0], ring[4], "closed");
            let fp = extent(&ring);
            let (width, depth) = (fp.1.east - fp.0.east, fp.1.north - fp.0.north);
            assert!(
                (30..=70).contains(&width) && depth == 12,
                "a slab, {width} × {depth} m"
            );
            for corner in [fp.0, fp.1] {
                let (e, n) = (f64::from(corner.east), f64::from(corner.north));
                assert!(
                    strictly_inside(wall, e, n),
                    "{} building {}",
                    compound.name_en,
                    building.number
                );
            }
            let door = walk.nodes[walk.doors[c][b]].at;
            assert!(
                on_edge_of(fp, door) && door.north == fp.0.north,
                "door on the south face"
            );
            footprints.push(fp);
        }
    }
    for (i, a) in footprints.iter().enumerate() {
        for b in &footprints[i + 1..] {
            let apart = a.1.east <= b.0.east
                || b.1.east <= a.0.east
                || a.1.north <= b.0.north
                || b.1.north <= a.0.north;
            assert!(apart, "footprints {a:?} and {b:?} overlap");
        }
    }
    // No way of the network runs through a building (doors are on its face), and no
    // facility stands inside one: checked every half metre along every edge.
    for edge in &walk.edges {
        let (a, b) = (walk.nodes[edge.from].at, walk.nodes[edge.to].at);
        let steps = (a.distance_to(b) * 2.0).ceil() as i32;
        for s in 0..=steps {
            let t = f64::from(s) / f64::from(steps.max(1));
            let e = f64::from(a.east) + t * f64::from(b.east - a.east);
            let n = f64::from(a.north) + t * f64::from(b.north - a.north);
            for &fp in &footprints {
                assert!(
                    !strictly_inside(fp, e, n),
                    "edge {a:?}–{b:?} crosses {fp:?}"
                );
            }
        }
    }
}

/// Each table of community data, the table its rows belong to, and the column that says which
/// row (migration 0020 fills `community_id` down these links).
const COMMUNITY_LINKS: [(&str, &str, &str); 22] = [
    ("buildings", "compounds", "compound_id"),
    ("stairwells", "buildings", "building_id"),
    ("households", "stairwells", "stairwell_id"),
    ("binding_codes", "households", "household_id"),
    ("household_members", "households", "household_id"),
    ("service_requests", "households", "household_id"),
    ("request_events", "service_requests", "request_id"),
    ("request_photos", "service_requests", "request_id"),
    ("request_followers", "service_requests", "request_id"),
    ("access_log", "service_requests", "request_id"),
    ("topics", "households", "household_id"),
    ("topic_cosigns", "topics", "topic_id"),
    ("topic_events", "topics", "topic_id"),
    ("topic_comments", "topics", "topic_id"),
    ("topic_documents", "topics", "topic_id"),
    ("topic_ratings", "topics", "topic_id"),
    ("consultation_audit", "topics", "topic_id"),
    ("comment_reports", "topic_comments", "comment_id"),
    ("votes", "topics", "topic_id"),
    ("vote_roll", "votes", "vote_id"),
    ("ballots", "votes", "vote_id"),
    ("result_revisions", "votes", "vote_id"),
];

/// The tables shared by a city's communities: people, their sessions and throttling, the
/// request categories, Open311 clients, and the walking network (streets cross communities).
const CITY_WIDE: [&str; 10] = [
    "_sqlx_migrations",
    "communities",
    "users",
    "sessions",
    "throttle_events",
    "request_categories",
    "open311_clients",
    "open311_tokens",
    "walk_nodes",
    "walk_edges",
];

#[tokio::test]
async fn every_table_of_community_data_says_whose_it_is_and_agrees_with_its_parent() {
    let (_dir, db, _) = seeded_db().await;
    // What the bulk loaders write too.
    super::bulk::load_bench_requests(&db, 300, crate::db::now())
        .await
        .unwrap();
    super::voters::load_bench_voters(&db, 40, crate::db::now())
        .await
        .unwrap();

    let tables: Vec<String> = match crate::db::engine(&db) {
        crate::db::Engine::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        ),
        crate::db::Engine::Postgres => sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public'",
        ),
    }
    .fetch_all(&db)
    .await
    .unwrap();
    // A table of community data added later without the column fails here.
    for table in &tables {
        if CITY_WIDE.contains(&table.as_str()) {
            continue;
        }
        let has = sqlx::query(&format!("SELECT community_id FROM {table} LIMIT 1"))
            .fetch_optional(&db)
            .await;
        assert!(has.is_ok(), "{table} has no community_id");
    }
    for (table, parent, key) in COMMUNITY_LINKS {
        assert!(tables.iter().any(|t| t == table), "no table {table}");
        let missing = count_where(&db, table, "community_id IS NULL").await;
        assert_eq!(missing, 0, "{table}: rows without a community");
        let disagreeing: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} t JOIN {parent} p ON p.id = t.{key}
             WHERE t.community_id <> p.community_id"
        ))
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(
            disagreeing, 0,
            "{table}: rows in another community than their {parent}"
        );
    }
    // The demo fills the tables whose writing matters most here.
    for table in [
        "ballots",
        "vote_roll",
        "request_events",
        "household_members",
        "access_log",
    ] {
        assert!(count(&db, table).await > 0, "the demo has no {table}");
    }
}

async fn count_where(db: &Db, table: &str, filter: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {filter}"))
        .fetch_one(db)
        .await
        .unwrap()
}
