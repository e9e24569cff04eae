//! Consultations: topics and their co-signatures, history and comments; votes with their frozen
//! roll and ballots; the audit log. Every write that checks a state does it inside its
//! `BEGIN IMMEDIATE` transaction, so two requests racing cannot both pass the check.

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::ballot::DecisionRule;
use linli_domain::consultation::{
    CheckedTopic, Comment, Electorate, IMPLEMENTATION_UPDATE, NewVote, QuestionKind, RatingSummary,
    Scope, StoredChoice, TopicEvent, TopicStatus, TopicSummary, VoteView, after_cosign, can_rate,
};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, QueryBuilder, Row};

/// The households of a scope within a community, as a subquery with `?` placeholders (number
/// the whole statement with [`super::numbered`]): bind the community's id, then the scope's id
/// when it has one ([`bind_scope`] does both).
fn households_in(scope: Scope) -> &'static str {
    match scope {
        Scope::Community => "SELECT h.id FROM households h WHERE h.community_id = ?",
        Scope::Compound(_) => {
            "SELECT h.id FROM households h JOIN stairwells s ON s.id = h.stairwell_id
             JOIN buildings b ON b.id = s.building_id
             WHERE h.community_id = ? AND b.compound_id = ?"
        }
        Scope::Building(_) => {
            "SELECT h.id FROM households h JOIN stairwells s ON s.id = h.stairwell_id
             WHERE h.community_id = ? AND s.building_id = ?"
        }
        Scope::Stairwell(_) => {
            "SELECT h.id FROM households h WHERE h.community_id = ? AND h.stairwell_id = ?"
        }
    }
}

/// Binds what [`households_in`] asks for.
fn bind_scope<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    community: CommunityId,
    scope: Scope,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    let query = query.bind(community.0);
    match scope.id() {
        Some(id) => query.bind(id),
        None => query,
    }
}

/// Whether a scope names a place of the community.
pub async fn scope_exists(db: &Db, community: CommunityId, scope: Scope) -> sqlx::Result<bool> {
    let table = match scope {
        Scope::Community => return Ok(true),
        Scope::Compound(_) => "compounds",
        Scope::Building(_) => "buildings",
        Scope::Stairwell(_) => "stairwells",
    };
    let row = sqlx::query(&format!(
        "SELECT 1 FROM {table} WHERE community_id = $1 AND id = $2"
    ))
    .bind(community.0)
    .bind(scope.id())
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Whether a household lies within a scope of the community.
pub async fn in_scope(
    conn: &mut AnyConnection,
    community: CommunityId,
    scope: Scope,
    household_id: i64,
) -> sqlx::Result<bool> {
    let sql = super::numbered(&format!("SELECT 1 WHERE ? IN ({})", households_in(scope)));
    let query = sqlx::query(&sql).bind(household_id);
    Ok(bind_scope(query, community, scope)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// A topic's columns with what its scope's name is made of, in one query: the community (for
/// the whole community), the compound, the building and stairwell numbers. Callers add WHERE and
/// ORDER BY.
const TOPIC_SELECT: &str = "SELECT t.id, t.title, t.background, t.options, t.status, t.scope_kind,
        t.scope_id, t.created_at,
        (SELECT COUNT(*) FROM topic_cosigns x
          WHERE x.community_id = t.community_id AND x.topic_id = t.id) AS cosigns,
        cm.name_zh AS community_zh, cm.name_en AS community_en,
        c.name_zh AS compound_zh, c.name_en AS compound_en,
        b.number AS building_number, s.number AS stairwell_number
     FROM topics t
     LEFT JOIN communities cm
            ON t.scope_kind = 'community' AND cm.id = t.community_id
     LEFT JOIN stairwells s ON t.scope_kind = 'stairwell' AND s.id = t.scope_id
     LEFT JOIN buildings b ON b.id = CASE t.scope_kind WHEN 'building' THEN t.scope_id
                                                      WHEN 'stairwell' THEN s.building_id END
     LEFT JOIN compounds c ON c.id = CASE t.scope_kind WHEN 'compound' THEN t.scope_id
                                                       ELSE b.compound_id END";

/// A scope's name in both languages from a [`TOPIC_SELECT`] row: "翠柳苑 1 幢 2 单元" /
/// "Cuiliu Garden, building 1, unit 2". Empty should the place be gone.
fn scope_names(scope: Scope, r: &AnyRow) -> (String, String) {
    let text = |column: &str| r.get::<Option<String>, _>(column).unwrap_or_default();
    let number = |column: &str| r.get::<Option<i64>, _>(column).unwrap_or_default();
    let (compound_zh, compound_en) = (text("compound_zh"), text("compound_en"));
    match scope {
        Scope::Community => (text("community_zh"), text("community_en")),
        Scope::Compound(_) => (compound_zh, compound_en),
        Scope::Building(_) => {
            let b = number("building_number");
            (
                format!("{compound_zh} {b} 幢"),
                format!("{compound_en}, building {b}"),
            )
        }
        Scope::Stairwell(_) => {
            let (b, s) = (number("building_number"), number("stairwell_number"));
            (
                format!("{compound_zh} {b} 幢 {s} 单元"),
                format!("{compound_en}, building {b}, unit {s}"),
            )
        }
    }
}

pub(super) async fn event(
    conn: &mut AnyConnection,
    topic_id: i64,
    at: i64,
    actor_role: &str,
    kind: &str,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO topic_events (topic_id, at, actor_role, kind, note, community_id) VALUES ($1, $2, $3, $4, $5, (SELECT community_id FROM topics WHERE id = $1))",
    )
    .bind(topic_id)
    .bind(at)
    .bind(actor_role)
    .bind(kind)
    .bind(note)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends to the audit log; there is no update or delete of it anywhere.
pub(super) async fn audit(
    conn: &mut AnyConnection,
    topic_id: i64,
    at: i64,
    actor_id: Option<i64>,
    action: &str,
    detail: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO consultation_audit (topic_id, at, actor_id, action, detail, community_id) VALUES ($1, $2, $3, $4, $5, (SELECT community_id FROM topics WHERE id = $1))",
    )
    .bind(topic_id)
    .bind(at)
    .bind(actor_id)
    .bind(action)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a proposal; the proposing household is its first co-signature.
pub async fn create_topic(
    db: &Db,
    author_id: i64,
    household_id: i64,
    topic: &CheckedTopic,
    scope: Scope,
    threshold: u32,
    now: i64,
) -> sqlx::Result<i64> {
    let mut tx = super::begin_immediate(db).await?;
    let id = create_topic_on(
        &mut tx,
        author_id,
        household_id,
        topic,
        scope,
        threshold,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create_topic`] inside the caller's transaction (the demo seed writes its topics in its
/// own).
pub async fn create_topic_on(
    tx: &mut AnyConnection,
    author_id: i64,
    household_id: i64,
    topic: &CheckedTopic,
    scope: Scope,
    threshold: u32,
    now: i64,
) -> sqlx::Result<i64> {
    let status = after_cosign(TopicStatus::Collecting, 1, threshold);
    let id: i64 = sqlx::query(
        "INSERT INTO topics (author_id, household_id, title, background, options, scope_kind,
                             scope_id, status, created_at, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, (SELECT community_id FROM households WHERE id = $2)) RETURNING id",
    )
    .bind(author_id)
    .bind(household_id)
    .bind(&topic.title)
    .bind(&topic.background)
    .bind(serde_json::to_string(&topic.options).unwrap_or_else(|_| "[]".into()))
    .bind(scope.kind())
    .bind(scope.id())
    .bind(status.key())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    sqlx::query(
        "INSERT INTO topic_cosigns (topic_id, household_id, user_id, signed_at, community_id) VALUES ($1, $2, $3, $4, (SELECT community_id FROM topics WHERE id = $1))",
    )
    .bind(id)
    .bind(household_id)
    .bind(author_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    event(&mut *tx, id, now, "resident", "proposed", "").await?;
    Ok(id)
}

/// The facts access decisions need about a topic.
pub struct TopicFacts {
    pub status: TopicStatus,
    pub scope: Scope,
}

fn facts_of(r: &AnyRow) -> TopicFacts {
    TopicFacts {
        status: TopicStatus::parse(r.get("status")).unwrap_or(TopicStatus::Collecting),
        scope: Scope::from_parts(r.get("scope_kind"), r.get("scope_id"))
            .unwrap_or(Scope::Community),
    }
}

pub async fn topic_facts(
    db: &Db,
    community: CommunityId,
    id: i64,
) -> sqlx::Result<Option<TopicFacts>> {
    read_facts(&mut *db.acquire().await?, community, id).await
}

/// A topic's status and scope, read on `conn` (inside the caller's transaction, where it
/// decides a write).
/// A topic of another community is not found.
async fn read_facts(
    conn: &mut AnyConnection,
    community: CommunityId,
    id: i64,
) -> sqlx::Result<Option<TopicFacts>> {
    let row = sqlx::query(
        "SELECT status, scope_kind, scope_id FROM topics WHERE community_id = $1 AND id = $2",
    )
    .bind(community.0)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().map(facts_of))
}

#[derive(Debug, PartialEq, Eq)]
pub enum CosignOutcome {
    Signed(TopicStatus),
    NotCollecting,
    AlreadySigned,
    OutOfScope,
    NoSuchTopic,
}

/// Co-signs for a household, once per household; the topic moves to review at the threshold.
pub async fn cosign(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    household_id: i64,
    user_id: i64,
    threshold: u32,
    now: i64,
) -> sqlx::Result<CosignOutcome> {
    let mut tx = super::begin_immediate(db).await?;
    let outcome = cosign_on(
        &mut tx,
        community,
        topic_id,
        household_id,
        user_id,
        threshold,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`cosign`] inside the caller's transaction. Writes nothing unless it signs.
pub async fn cosign_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    household_id: i64,
    user_id: i64,
    threshold: u32,
    now: i64,
) -> sqlx::Result<CosignOutcome> {
    let Some(facts) = read_facts(&mut *tx, community, topic_id).await? else {
        return Ok(CosignOutcome::NoSuchTopic);
    };
    if !facts.status.accepts_cosigns() {
        return Ok(CosignOutcome::NotCollecting);
    }
    if !in_scope(&mut *tx, community, facts.scope, household_id).await? {
        return Ok(CosignOutcome::OutOfScope);
    }
    let inserted = sqlx::query(
        "INSERT INTO topic_cosigns (topic_id, household_id, user_id, signed_at, community_id) VALUES ($1, $2, $3, $4, (SELECT community_id FROM topics WHERE id = $1))
         ON CONFLICT (topic_id, household_id) DO NOTHING",
    )
    .bind(topic_id)
    .bind(household_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(CosignOutcome::AlreadySigned);
    }
    let count: i64 =
        sqlx::query("SELECT COUNT(*) FROM topic_cosigns WHERE community_id = $1 AND topic_id = $2")
            .bind(community.0)
            .bind(topic_id)
            .fetch_one(&mut *tx)
            .await?
            .get(0);
    let status = after_cosign(facts.status, count as u32, threshold);
    if status != facts.status {
        sqlx::query("UPDATE topics SET status = $1 WHERE community_id = $2 AND id = $3")
            .bind(status.key())
            .bind(community.0)
            .bind(topic_id)
            .execute(&mut *tx)
            .await?;
        event(&mut *tx, topic_id, now, "resident", "threshold_reached", "").await?;
    }
    Ok(CosignOutcome::Signed(status))
}

/// Staff's review: accept onto the agenda with the steps taken, or decline with the reason.
/// False when the topic is no longer reviewable.
#[allow(clippy::too_many_arguments)]
pub async fn review(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    accept: bool,
    note: &str,
    steps: &[String],
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = super::begin_immediate(db).await?;
    let done = review_on(
        &mut tx, community, topic_id, staff_id, accept, note, steps, now,
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// [`review`] inside the caller's transaction. Writes nothing when it answers false.
#[allow(clippy::too_many_arguments)]
pub async fn review_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    accept: bool,
    note: &str,
    steps: &[String],
    now: i64,
) -> sqlx::Result<bool> {
    let to = if accept {
        TopicStatus::Accepted
    } else {
        TopicStatus::Declined
    };
    let updated = sqlx::query(
        "UPDATE topics SET status = $1
         WHERE community_id = $2 AND id = $3 AND status IN ('collecting', 'in_review')",
    )
    .bind(to.key())
    .bind(community.0)
    .bind(topic_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    for step in steps {
        event(&mut *tx, topic_id, now, "staff", "review_step", step).await?;
    }
    let kind = if accept { "accepted" } else { "declined" };
    event(&mut *tx, topic_id, now, "staff", kind, note).await?;
    audit(&mut *tx, topic_id, now, Some(staff_id), kind, note).await?;
    Ok(true)
}

/// Adds a comment; a staff member's comment is the community's official answer.
pub async fn add_comment(
    db: &Db,
    topic_id: i64,
    parent_id: Option<i64>,
    author_id: i64,
    by_staff: bool,
    body: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let mut conn = db.acquire().await?;
    add_comment_on(
        &mut conn, topic_id, parent_id, author_id, by_staff, body, now,
    )
    .await
}

/// [`add_comment`] on the caller's connection (or transaction).
pub async fn add_comment_on(
    conn: &mut AnyConnection,
    topic_id: i64,
    parent_id: Option<i64>,
    author_id: i64,
    by_staff: bool,
    body: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let author_role = if by_staff { "staff" } else { "resident" };
    Ok(sqlx::query(
        "INSERT INTO topic_comments (topic_id, parent_id, author_id, author_role, official, body, created_at, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT community_id FROM topics WHERE id = $1)) RETURNING id",
    )
    .bind(topic_id)
    .bind(parent_id)
    .bind(author_id)
    .bind(author_role)
    .bind(i64::from(by_staff))
    .bind(body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .get(0))
}

/// Whether a comment belongs to a topic (a reply's parent, a comment to hide).
pub async fn comment_of_topic(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    comment_id: i64,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM topic_comments WHERE community_id = $1 AND id = $2 AND topic_id = $3",
    )
    .bind(community.0)
    .bind(comment_id)
    .bind(topic_id)
    .fetch_optional(db)
    .await?
    .is_some())
}

/// Hides a comment, keeping it and recording who and why.
pub async fn hide_comment(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    comment_id: i64,
    staff_id: i64,
    reason: &str,
    now: i64,
) -> sqlx::Result<()> {
    let mut tx = super::begin_immediate(db).await?;
    sqlx::query(
        "UPDATE topic_comments SET hidden_at = $1, hidden_by = $2, hidden_reason = $3
         WHERE community_id = $4 AND id = $5 AND topic_id = $6",
    )
    .bind(now)
    .bind(staff_id)
    .bind(reason)
    .bind(community.0)
    .bind(comment_id)
    .bind(topic_id)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        topic_id,
        now,
        Some(staff_id),
        "hide_comment",
        &format!("comment {comment_id}: {reason}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens the topic's vote and freezes its roll. False when the topic is not on the agenda.
pub async fn open_vote(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    vote: &NewVote,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = super::begin_immediate(db).await?;
    let opened = open_vote_on(&mut tx, community, topic_id, staff_id, vote, now).await?;
    tx.commit().await?;
    Ok(opened)
}

/// [`open_vote`] inside the caller's transaction. Writes nothing when it answers false.
pub async fn open_vote_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    vote: &NewVote,
    now: i64,
) -> sqlx::Result<bool> {
    let Some(facts) = read_facts(&mut *tx, community, topic_id).await? else {
        return Ok(false);
    };
    if !facts.status.can_open_vote() {
        return Ok(false);
    }
    let vote_id: i64 = sqlx::query(
        "INSERT INTO votes (topic_id, question, electorate, rule, secret, live_tally, opened_at,
                            closes_at, opened_by, kind, options, community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT options FROM topics WHERE id = $11), (SELECT community_id FROM topics WHERE id = $1))
         RETURNING id",
    )
    .bind(topic_id)
    .bind(&vote.question)
    .bind(vote.electorate.key())
    .bind(serde_json::to_string(&vote.rule).unwrap_or_default())
    .bind(i64::from(vote.secret))
    .bind(i64::from(vote.live_tally))
    .bind(now)
    .bind(vote.closes_at)
    .bind(staff_id)
    .bind(serde_json::to_string(&vote.kind).unwrap_or_default())
    .bind(topic_id)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    // Owners: every exclusive unit in scope, bound or not (absent owners count against the
    // quorum). Households: those with a verified member when the vote opens.
    let verified = match vote.electorate {
        Electorate::Owners => "",
        Electorate::Households => {
            " AND EXISTS (SELECT 1 FROM household_members m
                          WHERE m.community_id = x.community_id AND m.household_id = x.id)"
        }
    };
    let sql = super::numbered(&format!(
        "INSERT INTO vote_roll (vote_id, household_id, area_centi_m2, community_id)
         SELECT ?, x.id, x.floor_area_centi_m2, x.community_id FROM households x
         WHERE x.id IN ({}){verified}",
        households_in(facts.scope)
    ));
    let mut query = sqlx::query(&sql).bind(vote_id).bind(community.0);
    if let Some(id) = facts.scope.id() {
        query = query.bind(id);
    }
    let frozen = query.execute(&mut *tx).await?.rows_affected();
    sqlx::query("UPDATE topics SET status = 'voting' WHERE community_id = $1 AND id = $2")
        .bind(community.0)
        .bind(topic_id)
        .execute(&mut *tx)
        .await?;
    event(
        &mut *tx,
        topic_id,
        now,
        "staff",
        "vote_opened",
        &vote.question,
    )
    .await?;
    audit(
        &mut *tx,
        topic_id,
        now,
        Some(staff_id),
        "open_vote",
        &format!(
            "vote {vote_id}, {} on the roll, {}, {}",
            frozen,
            vote.electorate.key(),
            if vote.secret { "secret" } else { "named" }
        ),
    )
    .await?;
    Ok(true)
}

/// A vote's settings, for the checks before casting.
#[derive(Debug, Clone)]
pub struct VoteFacts {
    pub id: i64,
    pub topic_id: i64,
    pub electorate: Electorate,
    pub secret: bool,
    pub closes_at: i64,
    pub closed_at: Option<i64>,
    pub kind: QuestionKind,
    /// How many options a choice question offers.
    pub options: usize,
}

pub async fn vote_of_topic(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
) -> sqlx::Result<Option<VoteFacts>> {
    vote_of_topic_on(&mut *db.acquire().await?, community, topic_id).await
}

/// [`vote_of_topic`] on the caller's connection (or transaction).
pub async fn vote_of_topic_on(
    conn: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
) -> sqlx::Result<Option<VoteFacts>> {
    let row = sqlx::query(
        "SELECT id, topic_id, electorate, secret, closes_at, closed_at, kind, options
         FROM votes WHERE community_id = $1 AND topic_id = $2",
    )
    .bind(community.0)
    .bind(topic_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| VoteFacts {
        id: r.get("id"),
        topic_id: r.get("topic_id"),
        electorate: Electorate::parse(r.get("electorate")).unwrap_or(Electorate::Households),
        secret: super::flag(&r, "secret"),
        closes_at: r.get("closes_at"),
        closed_at: r.get("closed_at"),
        kind: question_kind(r.get("kind")),
        options: vote_options(r.get("options")).len(),
    }))
}

/// A stored question kind; yes/no for anything unreadable (the column's default).
fn question_kind(raw: &str) -> QuestionKind {
    serde_json::from_str(raw).unwrap_or_default()
}

/// A vote's frozen options, stored as a JSON array of strings.
fn vote_options(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// `column IN (?, ?, …)` with each of `ids` bound, for a query being built.
fn push_in(query: &mut QueryBuilder<'_, Any>, column: &str, ids: &[i64]) {
    query.push(column).push(" IN (");
    let mut list = query.separated(", ");
    for &id in ids {
        list.push_bind(id);
    }
    list.push_unseparated(")");
}

/// One of the asking account's units on a vote's roll, and whether it has voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollEntry {
    pub household_id: i64,
    pub voted: bool,
}

/// Which of `households` are on the vote's roll (in household order), in one query.
pub async fn roll_entries(
    db: &Db,
    community: CommunityId,
    vote_id: i64,
    households: &[i64],
) -> sqlx::Result<Vec<RollEntry>> {
    if households.is_empty() {
        return Ok(Vec::new());
    }
    let mut query =
        QueryBuilder::new("SELECT household_id, voted FROM vote_roll WHERE community_id = ");
    query.push_bind(community.0).push(" AND vote_id = ");
    query.push_bind(vote_id).push(" AND ");
    push_in(&mut query, "household_id", households);
    query.push(" ORDER BY household_id");
    let (sql, args) = super::built(&mut query, crate::db::engine(db));
    let rows = sqlx::query_with(&sql, args).fetch_all(db).await?;
    Ok(rows
        .iter()
        .map(|r| RollEntry {
            household_id: r.get("household_id"),
            voted: super::flag(r, "voted"),
        })
        .collect())
}

/// Which of `households` are on the vote's roll.
pub async fn on_roll(
    db: &Db,
    community: CommunityId,
    vote_id: i64,
    households: &[i64],
) -> sqlx::Result<Vec<i64>> {
    Ok(roll_entries(db, community, vote_id, households)
        .await?
        .into_iter()
        .map(|e| e.household_id)
        .collect())
}

#[derive(Debug, PartialEq, Eq)]
pub enum CastOutcome {
    /// The receipt to keep (a new one for a first ballot; the same one when changed).
    Cast(String),
    Closed,
    /// A secret ballot was cast for this unit already, and no valid receipt came with the change.
    ReceiptNeeded,
}

fn receipt_hash(receipt: &str) -> String {
    format!("{:x}", Sha256::digest(receipt.as_bytes()))
}

/// Casts or changes a unit's ballot inside the caller's transaction (the ballot writer's group,
/// `store::ballots`, or the seed's): the roll's `voted` flag and the ballot table's uniqueness
/// make simultaneous first ballots for one unit yield exactly one. Writes nothing unless it
/// casts or changes.
#[allow(clippy::too_many_arguments)]
pub async fn cast_on(
    tx: &mut AnyConnection,
    vote: &VoteFacts,
    household_id: i64,
    voter_id: i64,
    choice: impl Into<StoredChoice>,
    receipt: Option<&str>,
    new_receipt: &str,
    now: i64,
) -> sqlx::Result<CastOutcome> {
    let choice = choice.into().to_db();
    // A unit's first ballot flips its roll flag, only while the vote is open, and brings back
    // the unit's area: one statement on the way every first ballot takes.
    let first_area: Option<i64> = sqlx::query(
        "UPDATE vote_roll SET voted = 1
         WHERE vote_id = $1 AND household_id = $2 AND voted = 0
           AND EXISTS (SELECT 1 FROM votes v WHERE v.id = $3 AND v.closed_at IS NULL
                                                 AND v.closes_at > $4)
         RETURNING area_centi_m2",
    )
    .bind(vote.id)
    .bind(household_id)
    .bind(vote.id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.get(0));
    let first = first_area.is_some();
    if !first {
        let open = sqlx::query(
            "SELECT 1 FROM votes WHERE id = $1 AND closed_at IS NULL AND closes_at > $2",
        )
        .bind(vote.id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if !open {
            return Ok(CastOutcome::Closed);
        }
    }
    let outcome = if let Some(area) = first_area {
        // Named ballots keep the unit and the voter; secret ones neither.
        let (unit, voter) = if vote.secret {
            (None, None)
        } else {
            (Some(household_id), Some(voter_id))
        };
        sqlx::query(
            "INSERT INTO ballots (vote_id, household_id, voter_id, area_centi_m2, choice, receipt_hash, community_id)
             VALUES ($1, $2, $3, $4, $5, $6, (SELECT community_id FROM votes WHERE id = $1))",
        )
        .bind(vote.id)
        .bind(unit)
        .bind(voter)
        .bind(area)
        .bind(&choice)
        .bind(receipt_hash(new_receipt))
        .execute(&mut *tx)
        .await?;
        CastOutcome::Cast(new_receipt.to_owned())
    } else if vote.secret {
        let Some(receipt) = receipt else {
            return Ok(CastOutcome::ReceiptNeeded);
        };
        let changed =
            sqlx::query("UPDATE ballots SET choice = $1 WHERE vote_id = $2 AND receipt_hash = $3")
                .bind(&choice)
                .bind(vote.id)
                .bind(receipt_hash(receipt))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed != 1 {
            return Ok(CastOutcome::ReceiptNeeded);
        }
        CastOutcome::Cast(receipt.to_owned())
    } else {
        // A named ballot is found by its unit; the voter is whoever changed it last.
        sqlx::query(
            "UPDATE ballots SET choice = $1, voter_id = $2 WHERE vote_id = $3 AND household_id = $4",
        )
        .bind(&choice)
        .bind(voter_id)
        .bind(vote.id)
        .bind(household_id)
        .execute(&mut *tx)
        .await?;
        CastOutcome::Cast(receipt.map(str::to_owned).unwrap_or_default())
    };
    let detail = if vote.secret {
        "secret ballot".to_owned()
    } else {
        format!("household {household_id}, voter {voter_id}")
    };
    let action = if first {
        "ballot_cast"
    } else {
        "ballot_changed"
    };
    audit(&mut *tx, vote.topic_id, now, None, action, &detail).await?;
    Ok(outcome)
}

/// Closes the vote and publishes the result. False when it was not open.
pub async fn close_vote(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = super::begin_immediate(db).await?;
    let closed = close_vote_on(&mut tx, community, topic_id, staff_id, now).await?;
    tx.commit().await?;
    Ok(closed)
}

/// [`close_vote`] inside the caller's transaction. Writes nothing when it answers false.
pub async fn close_vote_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let closed = sqlx::query(
        "UPDATE votes SET closed_at = $1
         WHERE community_id = $2 AND topic_id = $3 AND closed_at IS NULL",
    )
    .bind(now)
    .bind(community.0)
    .bind(topic_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if closed != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE topics SET status = 'decided' WHERE community_id = $1 AND id = $2")
        .bind(community.0)
        .bind(topic_id)
        .execute(&mut *tx)
        .await?;
    // The ballots are final now: publish their receipt hashes once, in their sorted order.
    let hashes: Vec<String> = sqlx::query(
        "SELECT b.receipt_hash FROM ballots b JOIN votes v ON v.id = b.vote_id
         WHERE b.community_id = $1 AND v.community_id = $1 AND v.topic_id = $2
         ORDER BY b.receipt_hash",
    )
    .bind(community.0)
    .bind(topic_id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let vote_id: i64 = sqlx::query_scalar(
        "UPDATE votes SET published_receipts = $1 WHERE community_id = $2 AND topic_id = $3
         RETURNING id",
    )
    .bind(hashes.join("\n"))
    .bind(community.0)
    .bind(topic_id)
    .fetch_one(&mut *tx)
    .await?;
    super::results::publish_first_on(&mut *tx, vote_id, Some(staff_id), now).await?;
    event(&mut *tx, topic_id, now, "staff", "vote_closed", "").await?;
    audit(&mut *tx, topic_id, now, Some(staff_id), "close_vote", "").await?;
    Ok(true)
}

/// The receipt hashes of a vote's ballots that a correction voided after the close, sorted.
pub async fn voided_receipt_hashes(
    db: &Db,
    community: CommunityId,
    vote_id: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT receipt_hash FROM ballots
         WHERE community_id = $1 AND vote_id = $2 AND voided_in_revision IS NOT NULL
         ORDER BY receipt_hash",
    )
    .bind(community.0)
    .bind(vote_id)
    .fetch_all(db)
    .await
}

/// The receipt hashes of a vote, sorted (so their order says nothing about who voted when):
/// those published at the close, or, for a vote still open, its ballots' so far.
pub async fn receipt_hashes(
    db: &Db,
    community: CommunityId,
    vote_id: i64,
) -> sqlx::Result<Vec<String>> {
    let published: Option<String> = sqlx::query_scalar(
        "SELECT published_receipts FROM votes WHERE community_id = $1 AND id = $2",
    )
    .bind(community.0)
    .bind(vote_id)
    .fetch_optional(db)
    .await?
    .flatten();
    if let Some(text) = published {
        return Ok(text.lines().map(str::to_owned).collect());
    }
    let rows = sqlx::query(
        "SELECT receipt_hash FROM ballots WHERE community_id = $1 AND vote_id = $2
         ORDER BY receipt_hash",
    )
    .bind(community.0)
    .bind(vote_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Every topic of the community, newest first, in one query.
pub async fn list(
    db: &Db,
    community: CommunityId,
    threshold: u32,
) -> sqlx::Result<Vec<TopicSummary>> {
    let rows = sqlx::query(&format!(
        "{TOPIC_SELECT} WHERE t.community_id = $1 ORDER BY t.created_at DESC, t.id DESC"
    ))
    .bind(community.0)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| summary_of(r, threshold)).collect())
}

fn summary_of(r: &AnyRow, threshold: u32) -> TopicSummary {
    let facts = facts_of(r);
    let (scope_zh, scope_en) = scope_names(facts.scope, r);
    TopicSummary {
        id: r.get("id"),
        title: r.get("title"),
        status: facts.status,
        scope: facts.scope,
        scope_zh,
        scope_en,
        cosigns: r.get::<i64, _>("cosigns") as u32,
        cosign_threshold: threshold,
        created_at: r.get("created_at"),
    }
}

/// A topic's public parts: summary, background, options, history, comments.
pub struct TopicRecord {
    pub summary: TopicSummary,
    pub background: String,
    pub options: Vec<String>,
    pub events: Vec<TopicEvent>,
    pub comments: Vec<Comment>,
}

pub async fn topic(
    db: &Db,
    community: CommunityId,
    id: i64,
    threshold: u32,
) -> sqlx::Result<Option<TopicRecord>> {
    let Some(r) = sqlx::query(&format!(
        "{TOPIC_SELECT} WHERE t.community_id = $1 AND t.id = $2"
    ))
    .bind(community.0)
    .bind(id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let events = sqlx::query(
        "SELECT at, actor_role, kind, note FROM topic_events
         WHERE community_id = $1 AND topic_id = $2 ORDER BY at, id",
    )
    .bind(community.0)
    .bind(id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|e| TopicEvent {
        at: e.get("at"),
        actor_role: e.get("actor_role"),
        kind: e.get("kind"),
        note: e.get("note"),
    })
    .collect();
    let comments = sqlx::query(
        "SELECT c.id, c.parent_id, c.author_role, c.official, c.body, c.hidden_reason, c.hidden_at,
                c.created_at,
                (SELECT COUNT(*) FROM comment_reports r
                  WHERE r.community_id = c.community_id AND r.comment_id = c.id) AS reports
         FROM topic_comments c WHERE c.community_id = $1 AND c.topic_id = $2
         ORDER BY c.created_at, c.id",
    )
    .bind(community.0)
    .bind(id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|c| {
        let hidden = c.get::<Option<i64>, _>("hidden_at").is_some();
        Comment {
            id: c.get("id"),
            parent_id: c.get("parent_id"),
            author_role: c.get("author_role"),
            official: super::flag(c, "official"),
            body: if hidden { String::new() } else { c.get("body") },
            hidden_reason: if hidden { c.get("hidden_reason") } else { None },
            created_at: c.get("created_at"),
            reports: c.get::<i64, _>("reports").max(0) as u32,
        }
    })
    .collect();
    Ok(Some(TopicRecord {
        summary: summary_of(&r, threshold),
        background: r.get("background"),
        options: serde_json::from_str(r.get("options")).unwrap_or_default(),
        events,
        comments,
    }))
}

/// Whether one of `households` has co-signed (or proposed) a topic, in one query.
pub async fn has_cosigned(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    households: &[i64],
) -> sqlx::Result<bool> {
    if households.is_empty() {
        return Ok(false);
    }
    let mut query = QueryBuilder::new("SELECT COUNT(*) FROM topic_cosigns WHERE community_id = ");
    query.push_bind(community.0).push(" AND topic_id = ");
    query.push_bind(topic_id).push(" AND ");
    push_in(&mut query, "household_id", households);
    let (sql, args) = super::built(&mut query, crate::db::engine(db));
    let signed: i64 = sqlx::query_with(&sql, args).fetch_one(db).await?.get(0);
    Ok(signed > 0)
}

/// The first of `households` (in the order given) that lies within `scope`, in one query.
pub async fn first_in_scope(
    db: &Db,
    community: CommunityId,
    scope: Scope,
    households: &[i64],
) -> sqlx::Result<Option<i64>> {
    if households.is_empty() {
        return Ok(None);
    }
    // An account's own households: a handful of parameters.
    let list = vec!["?"; households.len()].join(", ");
    let sql = super::numbered(&format!(
        "SELECT x.id FROM households x WHERE x.id IN ({list}) AND x.id IN ({})",
        households_in(scope)
    ));
    let mut query = sqlx::query(&sql);
    for &id in households {
        query = query.bind(id);
    }
    let inside: Vec<i64> = bind_scope(query, community, scope)
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(households.iter().copied().find(|h| inside.contains(h)))
}

/// The vote as shown: the tally only once closed or when shown live.
pub async fn vote_view(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
) -> sqlx::Result<Option<VoteView>> {
    let Some(r) = sqlx::query(
        "SELECT id, question, electorate, rule, secret, live_tally, opened_at, closes_at, closed_at,
                kind, options
         FROM votes WHERE community_id = $1 AND topic_id = $2",
    )
    .bind(community.0)
    .bind(topic_id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let vote_id: i64 = r.get("id");
    let rule: DecisionRule =
        serde_json::from_str(r.get("rule")).unwrap_or(DecisionRule::SimpleMajority);
    let closed_at: Option<i64> = r.get("closed_at");
    let live = super::flag(&r, "live_tally");
    let kind = question_kind(r.get("kind"));
    let options = vote_options(r.get("options"));
    // The published result once closed (its latest revision); while open, a count made now if
    // staff chose a live tally, and nothing otherwise: a hidden tally is not even counted.
    let (result, revisions) = if closed_at.is_some() {
        let revisions = super::results::revisions(db, vote_id).await?;
        let latest = match revisions.last() {
            Some(r) => r.result.clone(),
            None => super::results::count(db, vote_id).await?,
        };
        (Some(latest), revisions)
    } else if live {
        (Some(super::results::count(db, vote_id).await?), Vec::new())
    } else {
        (None, Vec::new())
    };
    let eligible = match &result {
        Some(r) => r.eligible,
        None => super::results::roll_weight(&mut *db.acquire().await?, vote_id).await?,
    };
    let (tally, verdict, options_result) = match result {
        Some(r) => (r.tally, closed_at.and(r.verdict), r.options_result),
        None => (None, None, None),
    };
    Ok(Some(VoteView {
        id: vote_id,
        question: r.get("question"),
        electorate: Electorate::parse(r.get("electorate")).unwrap_or(Electorate::Households),
        rule,
        secret: super::flag(&r, "secret"),
        live_tally: live,
        opened_at: r.get("opened_at"),
        closes_at: r.get("closes_at"),
        closed_at,
        eligible,
        verdict,
        tally,
        kind,
        options: if kind == QuestionKind::YesNo {
            Vec::new()
        } else {
            options
        },
        options_result,
        revisions,
        my_units: Vec::new(),
        can_vote: false,
        has_voted: false,
    }))
}

/// Whether a unit has voted (the roll's flag; for the voter's own view).
pub async fn has_voted(db: &Db, vote_id: i64, household_id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM vote_roll WHERE vote_id = $1 AND household_id = $2 AND voted = 1",
    )
    .bind(vote_id)
    .bind(household_id)
    .fetch_optional(db)
    .await?
    .is_some())
}

// ---- Follow-up (民事民评) ----

/// Staff's report on carrying out a decided topic: an event in its history, and in the audit
/// log. False when the topic is not decided.
pub async fn post_update(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    note: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let mut tx = super::begin_immediate(db).await?;
    let posted = post_update_on(&mut tx, community, topic_id, staff_id, note, now).await?;
    tx.commit().await?;
    Ok(posted)
}

/// [`post_update`] inside the caller's transaction. Writes nothing when it answers false.
pub async fn post_update_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    staff_id: i64,
    note: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let decided = read_facts(&mut *tx, community, topic_id)
        .await?
        .is_some_and(|f| f.status.accepts_follow_up());
    if !decided {
        return Ok(false);
    }
    event(
        &mut *tx,
        topic_id,
        now,
        "staff",
        IMPLEMENTATION_UPDATE,
        note,
    )
    .await?;
    audit(
        &mut *tx,
        topic_id,
        now,
        Some(staff_id),
        IMPLEMENTATION_UPDATE,
        note,
    )
    .await?;
    Ok(true)
}

#[derive(Debug, PartialEq, Eq)]
pub enum RateOutcome {
    Rated,
    /// Not decided, or nothing reported on it yet.
    NotNow,
    OutOfScope,
    NoSuchTopic,
}

/// A household's stars for a decided topic's implementation; rating again replaces them.
pub async fn rate(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    household_id: i64,
    user_id: i64,
    stars: u8,
    now: i64,
) -> sqlx::Result<RateOutcome> {
    let mut tx = super::begin_immediate(db).await?;
    let outcome = rate_on(
        &mut tx,
        community,
        topic_id,
        household_id,
        user_id,
        stars,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// [`rate`] inside the caller's transaction. Writes nothing unless it rates.
pub async fn rate_on(
    tx: &mut AnyConnection,
    community: CommunityId,
    topic_id: i64,
    household_id: i64,
    user_id: i64,
    stars: u8,
    now: i64,
) -> sqlx::Result<RateOutcome> {
    let Some(facts) = read_facts(&mut *tx, community, topic_id).await? else {
        return Ok(RateOutcome::NoSuchTopic);
    };
    let updates: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM topic_events WHERE community_id = $1 AND topic_id = $2 AND kind = $3",
    )
    .bind(community.0)
    .bind(topic_id)
    .bind(IMPLEMENTATION_UPDATE)
    .fetch_one(&mut *tx)
    .await?;
    if !can_rate(facts.status, updates as usize) {
        return Ok(RateOutcome::NotNow);
    }
    if !in_scope(&mut *tx, community, facts.scope, household_id).await? {
        return Ok(RateOutcome::OutOfScope);
    }
    sqlx::query(
        "INSERT INTO topic_ratings (topic_id, household_id, user_id, stars, rated_at, community_id)
         VALUES ($1, $2, $3, $4, $5, (SELECT community_id FROM topics WHERE id = $1))
         ON CONFLICT (topic_id, household_id)
         DO UPDATE SET stars = excluded.stars, user_id = excluded.user_id,
                       rated_at = excluded.rated_at",
    )
    .bind(topic_id)
    .bind(household_id)
    .bind(user_id)
    .bind(i64::from(stars))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(RateOutcome::Rated)
}

/// How households rated a topic's implementation: counts only, never who gave what.
pub async fn ratings(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
) -> sqlx::Result<RatingSummary> {
    let rows = sqlx::query(
        "SELECT stars, COUNT(*) AS households FROM topic_ratings
         WHERE community_id = $1 AND topic_id = $2 GROUP BY stars",
    )
    .bind(community.0)
    .bind(topic_id)
    .fetch_all(db)
    .await?;
    let mut by_stars = [0u32; 5];
    for r in rows {
        let stars: i64 = r.get("stars");
        if let Some(n) = usize::try_from(stars - 1)
            .ok()
            .and_then(|i| by_stars.get_mut(i))
        {
            *n = r.get::<i64, _>("households") as u32;
        }
    }
    Ok(RatingSummary::from_counts(by_stars))
}

/// The stars the first of `households` (in the order given) that rated a topic gave it.
pub async fn my_rating(
    db: &Db,
    community: CommunityId,
    topic_id: i64,
    households: &[i64],
) -> sqlx::Result<Option<u8>> {
    if households.is_empty() {
        return Ok(None);
    }
    let mut query =
        QueryBuilder::new("SELECT household_id, stars FROM topic_ratings WHERE community_id = ");
    query.push_bind(community.0).push(" AND topic_id = ");
    query.push_bind(topic_id).push(" AND ");
    push_in(&mut query, "household_id", households);
    let (sql, args) = super::built(&mut query, crate::db::engine(db));
    let rated: Vec<(i64, i64)> = sqlx::query_with(&sql, args)
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(households
        .iter()
        .find_map(|h| rated.iter().find(|(r, _)| r == h))
        .and_then(|(_, stars)| u8::try_from(*stars).ok()))
}
