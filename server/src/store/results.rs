//! A vote's count and its published results. The result published at the close is revision 1;
//! a correction (one unit's area on the roll, or one unit's ballot voided) publishes the next
//! revision with its reason. Revisions are stored as published and never change (the table's
//! triggers refuse it), so earlier ones read exactly as they did.

use super::community::CommunityId;
use super::consultations::{audit, event};
use crate::db::Db;
use linli_domain::ballot::{DecisionRule, Weight, YesNoTally, decide};
use linli_domain::consultation::{QuestionKind, StoredChoice, YesNo, count_options};
use linli_domain::revision::{Correction, PublishedResult, ResultRevision, RollUnit};
use sqlx::{AnyConnection, Row};

/// The settings of a vote that its count needs.
struct CountSettings {
    rule: DecisionRule,
    kind: QuestionKind,
    options: usize,
}

async fn count_settings(
    conn: &mut AnyConnection,
    vote_id: i64,
) -> sqlx::Result<Option<CountSettings>> {
    let row = sqlx::query("SELECT rule, kind, options FROM votes WHERE id = $1")
        .bind(vote_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| CountSettings {
        rule: serde_json::from_str(r.get("rule")).unwrap_or(DecisionRule::SimpleMajority),
        kind: serde_json::from_str(r.get("kind")).unwrap_or_default(),
        options: serde_json::from_str::<Vec<String>>(r.get("options"))
            .unwrap_or_default()
            .len(),
    }))
}

/// Counts a vote now, from its roll and its ballots that count: the tally (or the choice
/// question's result) and the verdict under its rule.
pub async fn count_on(conn: &mut AnyConnection, vote_id: i64) -> sqlx::Result<PublishedResult> {
    let settings = count_settings(conn, vote_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let eligible = roll_weight(conn, vote_id).await?;
    if settings.kind == QuestionKind::YesNo {
        let tally = tally(conn, vote_id, eligible).await?;
        return Ok(PublishedResult {
            eligible,
            tally: Some(tally),
            verdict: Some(decide(settings.rule, &tally)),
            options_result: None,
        });
    }
    let rows = sqlx::query(
        "SELECT choice, area_centi_m2 FROM ballots
         WHERE vote_id = $1 AND voided_in_revision IS NULL",
    )
    .bind(vote_id)
    .fetch_all(&mut *conn)
    .await?;
    let ballots: Vec<(StoredChoice, u64)> = rows
        .iter()
        .filter_map(|r| {
            let choice = StoredChoice::from_db(r.get("choice"))?;
            Some((choice, r.get::<i64, _>("area_centi_m2").max(0) as u64))
        })
        .collect();
    Ok(PublishedResult {
        eligible,
        tally: None,
        verdict: None,
        options_result: Some(count_options(
            settings.kind,
            settings.rule,
            eligible,
            settings.options,
            &ballots,
        )),
    })
}

/// [`count_on`] on a connection of the pool.
pub async fn count(db: &Db, vote_id: i64) -> sqlx::Result<PublishedResult> {
    count_on(&mut *db.acquire().await?, vote_id).await
}

/// Everyone on a vote's frozen roll: units and their area.
pub(super) async fn roll_weight(conn: &mut AnyConnection, vote_id: i64) -> sqlx::Result<Weight> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS units, CAST(COALESCE(SUM(area_centi_m2), 0) AS BIGINT) AS area FROM vote_roll WHERE vote_id = $1",
    )
    .bind(vote_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Weight {
        units: r.get::<i64, _>("units") as u64,
        area_centi_m2: r.get::<i64, _>("area") as u64,
    })
}

/// The yes/no tally of a vote from its ballots that count, against its roll's `eligible`.
async fn tally(
    conn: &mut AnyConnection,
    vote_id: i64,
    eligible: Weight,
) -> sqlx::Result<YesNoTally> {
    let mut tally = YesNoTally {
        eligible,
        ..Default::default()
    };
    let rows = sqlx::query(
        "SELECT choice, COUNT(*) AS units, CAST(COALESCE(SUM(area_centi_m2), 0) AS BIGINT) AS area
         FROM ballots WHERE vote_id = $1 AND voided_in_revision IS NULL GROUP BY choice",
    )
    .bind(vote_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let weight = Weight {
            units: r.get::<i64, _>("units") as u64,
            area_centi_m2: r.get::<i64, _>("area") as u64,
        };
        match YesNo::parse(r.get("choice")) {
            Some(YesNo::Yes) => tally.yes = weight,
            Some(YesNo::No) => tally.no = weight,
            Some(YesNo::Abstain) => tally.abstain = weight,
            None => {}
        }
    }
    Ok(tally)
}

/// Stores revision `number` of a vote's result as counted now; answers the number.
async fn publish_on(
    conn: &mut AnyConnection,
    vote_id: i64,
    number: u32,
    staff_id: Option<i64>,
    reason: &str,
    correction: Option<Correction>,
    now: i64,
) -> sqlx::Result<u32> {
    let result = count_on(conn, vote_id).await?;
    let json = |v: Result<String, serde_json::Error>| v.map_err(|e| sqlx::Error::Encode(e.into()));
    sqlx::query(
        "INSERT INTO result_revisions
             (vote_id, number, published_at, published_by, reason, correction, result, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT community_id FROM votes WHERE id = $1))",
    )
    .bind(vote_id)
    .bind(i64::from(number))
    .bind(now)
    .bind(staff_id)
    .bind(reason)
    .bind(
        correction
            .map(|c| json(serde_json::to_string(&c)))
            .transpose()?,
    )
    .bind(json(serde_json::to_string(&result))?)
    .execute(&mut *conn)
    .await?;
    Ok(number)
}

/// The number the next revision of a vote's result takes.
async fn next_number(conn: &mut AnyConnection, vote_id: i64) -> sqlx::Result<u32> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM result_revisions WHERE vote_id = $1",
    )
    .bind(vote_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(number as u32)
}

/// Publishes a closing vote's result as its revision 1, inside the closing transaction.
pub(super) async fn publish_first_on(
    conn: &mut AnyConnection,
    vote_id: i64,
    staff_id: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    let number = next_number(conn, vote_id).await?;
    publish_on(conn, vote_id, number, staff_id, "", None, now).await?;
    Ok(())
}

/// Publishes revision 1 for every closed vote that has none: votes closed before revisions were
/// kept. Run at start-up, after the migrations; their ballots cannot have changed since.
pub async fn publish_missing(db: &Db) -> sqlx::Result<u64> {
    let mut tx = super::begin_immediate(db).await?;
    let missing: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, closed_at FROM votes v WHERE closed_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM result_revisions r WHERE r.vote_id = v.id)",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (vote_id, closed_at) in &missing {
        publish_first_on(&mut tx, *vote_id, None, *closed_at).await?;
    }
    tx.commit().await?;
    Ok(missing.len() as u64)
}

/// Every published revision of a vote's result, oldest first.
pub async fn revisions(db: &Db, vote_id: i64) -> sqlx::Result<Vec<ResultRevision>> {
    let rows = sqlx::query(
        "SELECT number, published_at, reason, correction, result FROM result_revisions
         WHERE vote_id = $1 ORDER BY number",
    )
    .bind(vote_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let correction: Option<String> = r.get("correction");
            let change = correction
                .and_then(|c| serde_json::from_str::<Correction>(&c).ok())
                .map(Correction::kind);
            Ok(ResultRevision {
                number: r.get::<i64, _>("number") as u32,
                published_at: r.get("published_at"),
                reason: r.get("reason"),
                change,
                result: serde_json::from_str(r.get("result"))
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            })
        })
        .collect()
}

/// Why a correction was not published.
#[derive(Debug, PartialEq, Eq)]
pub enum CorrectionOutcome {
    Published(u32),
    NoVote,
    /// The vote is still open: there is no published result to correct.
    NotClosed,
    Secret,
    NotOnRoll,
    /// Voiding a unit that has no ballot counting.
    NoBallot,
    /// The roll already has this area.
    NothingChanged,
}

/// Applies a correction to a closed, named vote and publishes the next revision, with the
/// staff action in the audit log and an event in the topic's history. Writes nothing unless it
/// publishes.
pub async fn correct(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    reason: &str,
    correction: Correction,
    now: i64,
) -> sqlx::Result<CorrectionOutcome> {
    let mut tx = super::begin_immediate(db).await?;
    let outcome = correct_on(
        &mut tx, community, topic_id, staff_id, reason, correction, now,
    )
    .await?;
    if matches!(outcome, CorrectionOutcome::Published(_)) {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcome)
}

async fn correct_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    reason: &str,
    correction: Correction,
    now: i64,
) -> sqlx::Result<CorrectionOutcome> {
    let Some(vote) = super::consultations::vote_of_topic_on(tx, community, topic_id).await? else {
        return Ok(CorrectionOutcome::NoVote);
    };
    if vote.closed_at.is_none() {
        return Ok(CorrectionOutcome::NotClosed);
    }
    if vote.secret {
        return Ok(CorrectionOutcome::Secret);
    }
    let household_id = correction.household_id();
    let area: Option<i64> = sqlx::query_scalar(
        "SELECT area_centi_m2 FROM vote_roll WHERE vote_id = $1 AND household_id = $2",
    )
    .bind(vote.id)
    .bind(household_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(area) = area else {
        return Ok(CorrectionOutcome::NotOnRoll);
    };
    let next = next_number(tx, vote.id).await?;
    match correction {
        Correction::Area { area_centi_m2, .. } => {
            if area == area_centi_m2 as i64 {
                return Ok(CorrectionOutcome::NothingChanged);
            }
            sqlx::query(
                "UPDATE vote_roll SET area_centi_m2 = $1 WHERE vote_id = $2 AND household_id = $3",
            )
            .bind(area_centi_m2 as i64)
            .bind(vote.id)
            .bind(household_id)
            .execute(&mut *tx)
            .await?;
            // A named ballot carries its unit's area: it counts with the corrected one.
            sqlx::query(
                "UPDATE ballots SET area_centi_m2 = $1 WHERE vote_id = $2 AND household_id = $3",
            )
            .bind(area_centi_m2 as i64)
            .bind(vote.id)
            .bind(household_id)
            .execute(&mut *tx)
            .await?;
        }
        Correction::VoidBallot { .. } => {
            let voided = sqlx::query(
                "UPDATE ballots SET voided_in_revision = $1
                 WHERE vote_id = $2 AND household_id = $3 AND voided_in_revision IS NULL",
            )
            .bind(i64::from(next))
            .bind(vote.id)
            .bind(household_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if voided == 0 {
                return Ok(CorrectionOutcome::NoBallot);
            }
        }
    }
    let number = publish_on(
        tx,
        vote.id,
        next,
        Some(staff_id),
        reason,
        Some(correction),
        now,
    )
    .await?;
    event(tx, topic_id, now, "staff", "result_corrected", reason).await?;
    let detail = serde_json::json!({
        "revision": number,
        "reason": reason,
        "correction": correction,
        "area_before_centi_m2": area,
    });
    audit(
        tx,
        topic_id,
        now,
        Some(staff_id),
        "correct_result",
        &detail.to_string(),
    )
    .await?;
    Ok(CorrectionOutcome::Published(number))
}

/// The roll of a vote as staff see it to correct a result: each unit's place, area, and
/// whether a ballot of it counts now.
pub async fn roll_units(
    db: &Db,
    community: CommunityId,
    vote_id: i64,
) -> sqlx::Result<Vec<RollUnit>> {
    let rows = sqlx::query(
        "SELECT r.household_id, c.id AS compound_id, c.name_zh, c.name_en, b.id AS building_id,
                b.number AS building, s.id AS stairwell_id, s.number AS stairwell, h.room,
                r.area_centi_m2,
                CASE WHEN EXISTS (SELECT 1 FROM ballots x
                                  WHERE x.community_id = r.community_id AND x.vote_id = r.vote_id
                                  AND x.household_id = r.household_id
                                  AND x.voided_in_revision IS NULL) THEN 1 ELSE 0 END AS counted
         FROM vote_roll r
         JOIN households h ON h.id = r.household_id
         JOIN stairwells s ON s.id = h.stairwell_id
         JOIN buildings b ON b.id = s.building_id
         JOIN compounds c ON c.id = b.compound_id
         WHERE r.community_id = $1 AND r.vote_id = $2
         ORDER BY c.id, b.number, s.number, h.floor, h.room",
    )
    .bind(community.0)
    .bind(vote_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| RollUnit {
            household_id: r.get("household_id"),
            address: super::users::address_from_row(r),
            area_centi_m2: r.get::<i64, _>("area_centi_m2").max(0) as u64,
            counted: super::flag(r, "counted"),
        })
        .collect())
}
