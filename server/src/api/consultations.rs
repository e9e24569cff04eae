//! Consultations (议事): proposing and co-signing topics, staff review, comments, and a
//! yes/no/abstain vote under the rule staff choose (Art. 278 for owners' decisions), with
//! tallies hidden until the close unless shown live, receipts, and the published result.

use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ClientAddr, CurrentUser};
use crate::http::{AppState, no_store};
use crate::store;
use crate::store::community::CommunityId;
use crate::store::consultations::{CastOutcome, CosignOutcome, RateOutcome, TopicFacts};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use linli_domain::api::{Membership, Problem};
use linli_domain::consultation::{
    BallotChoice, BallotReceipt, COMMENT_MAX_CHARS, Electorate, IMPLEMENTATION_UPDATE, NewComment,
    NewFollowUp, NewRating, NewTopic, NewVote, RatingSummary, TopicDetail, TopicReview,
    TopicSummary, VoterUnit, can_rate, check_ballot, check_stars, check_topic,
};
use linli_domain::request::short_text;
use linli_domain::{ErrorCode, FieldError, HouseholdRelation, Lang};

const QUESTION_MAX_CHARS: usize = 200;
const NOTE_MAX_CHARS: usize = 500;
pub(crate) const MAX_VOTE_DAYS: i64 = 90;

fn conflict(code: ErrorCode) -> ApiError {
    ApiError::Conflict(FieldError::new("topic", code))
}

pub(crate) fn staff_only(user: &CurrentUser) -> ApiResult<()> {
    if user.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The account's verified households; refusing accounts that have none.
pub(crate) async fn households_of(
    state: &AppState,
    community: CommunityId,
    user: &CurrentUser,
) -> ApiResult<Vec<Membership>> {
    let list = store::users::memberships_in(&state.db, community, user.id).await?;
    if list.is_empty() {
        return Err(ApiError::Conflict(FieldError::new(
            "household",
            ErrorCode::HouseholdRequired,
        )));
    }
    Ok(list)
}

#[utoipa::path(get, path = "/consultations", tag = "consultations",
    responses((status = 200, body = Vec<TopicSummary>, description = "Every topic, newest first")))]
pub async fn list(
    State(state): State<AppState>,
    community: CommunityId,
) -> ApiResult<Json<Vec<TopicSummary>>> {
    Ok(Json(
        store::consultations::list(&state.db, community, state.settings.cosign_threshold).await?,
    ))
}

#[utoipa::path(post, path = "/consultations", tag = "consultations", security(("session" = [])), request_body = NewTopic,
    responses(
        (status = 201, body = TopicDetail, description = "Proposed; the proposing household is the first co-signature"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No verified home, or the home is outside the scope"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewTopic>,
) -> ApiResult<impl IntoResponse> {
    let homes = households_of(&state, community, &user).await?;
    let topic = check_topic(&body).map_err(ApiError::Unprocessable)?;
    if !store::consultations::scope_exists(&state.db, community, body.scope).await? {
        return Err(FieldError::new("scope", ErrorCode::NotInScope).into());
    }
    // The proposer's own home must be concerned by the topic.
    let home_ids: Vec<i64> = homes.iter().map(|m| m.household_id).collect();
    let home =
        store::consultations::first_in_scope(&state.db, community, body.scope, &home_ids).await?;
    let household_id =
        home.ok_or_else(|| ApiError::Conflict(FieldError::new("scope", ErrorCode::NotInScope)))?;
    let now = crate::db::now();
    let id = store::consultations::create_topic(
        &state.db,
        user.id,
        household_id,
        &topic,
        body.scope,
        state.settings.cosign_threshold,
        now,
    )
    .await?;
    tracing::info!(topic_id = id, "topic proposed");
    Ok((
        StatusCode::CREATED,
        topic_now(&state, community, id, &user).await?,
    ))
}

#[utoipa::path(get, path = "/consultations/{id}", tag = "consultations",
    params(("id" = i64, Path, description = "The topic's id")),
    responses(
        (status = 200, body = TopicDetail, description = "Public: the tally only once it may be shown"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    community: CommunityId,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        [no_store()],
        Json(detail_for(&state, community, id, user.as_ref()).await?),
    ))
}

/// What every action on a topic answers with: the topic as the acting account now sees it.
pub(crate) async fn topic_now(
    state: &AppState,
    community: CommunityId,
    id: i64,
    user: &CurrentUser,
) -> ApiResult<impl IntoResponse + use<>> {
    Ok((
        [no_store()],
        Json(detail_for(state, community, id, Some(user)).await?),
    ))
}

/// The topic's facts, or 404.
pub(crate) async fn existing_topic(
    state: &AppState,
    community: CommunityId,
    id: i64,
) -> ApiResult<TopicFacts> {
    store::consultations::topic_facts(&state.db, community, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The topic as this account (or a visitor) sees it.
pub(crate) async fn detail_for(
    state: &AppState,
    community: CommunityId,
    id: i64,
    user: Option<&CurrentUser>,
) -> ApiResult<TopicDetail> {
    let record =
        store::consultations::topic(&state.db, community, id, state.settings.cosign_threshold)
            .await?
            .ok_or(ApiError::NotFound)?;
    let homes: Vec<Membership> = match user {
        Some(u) => store::users::memberships_in(&state.db, community, u.id).await?,
        None => Vec::new(),
    };
    let home_ids: Vec<i64> = homes.iter().map(|m| m.household_id).collect();
    let cosigned = store::consultations::has_cosigned(&state.db, community, id, &home_ids).await?;
    let mut vote = store::consultations::vote_view(&state.db, community, id).await?;
    let mut receipt_hashes = Vec::new();
    let mut voided_receipt_hashes = Vec::new();
    if let Some(v) = vote.as_mut() {
        let now = crate::db::now();
        let mine = store::consultations::roll_entries(
            &state.db,
            community,
            v.id,
            &candidate_units(v.electorate, &homes),
        )
        .await?;
        v.can_vote = v.closed_at.is_none() && v.closes_at > now && !mine.is_empty();
        v.has_voted = mine.iter().any(|e| e.voted);
        v.my_units = mine
            .iter()
            .filter_map(|e| {
                let home = homes.iter().find(|m| m.household_id == e.household_id)?;
                Some(VoterUnit {
                    household_id: e.household_id,
                    address: home.address.clone(),
                    voted: e.voted,
                })
            })
            .collect();
        if v.closed_at.is_some() {
            receipt_hashes =
                store::consultations::receipt_hashes(&state.db, community, v.id).await?;
            voided_receipt_hashes =
                store::consultations::voided_receipt_hashes(&state.db, community, v.id).await?;
        }
    }
    // 民事民评: the ratings once decided; whether this account's household may rate.
    let status = record.summary.status;
    let (rating, my_rating, can_rate) = if status.accepts_follow_up() {
        let updates = record
            .events
            .iter()
            .filter(|e| e.kind == IMPLEMENTATION_UPDATE)
            .count();
        let may = can_rate(status, updates)
            && store::consultations::first_in_scope(
                &state.db,
                community,
                record.summary.scope,
                &home_ids,
            )
            .await?
            .is_some();
        (
            store::consultations::ratings(&state.db, community, id).await?,
            store::consultations::my_rating(&state.db, community, id, &home_ids).await?,
            may,
        )
    } else {
        (RatingSummary::from_counts([0; 5]), None, false)
    };
    Ok(TopicDetail {
        summary: record.summary,
        background: record.background,
        options: record.options,
        events: record.events,
        comments: record.comments,
        vote,
        cosigned,
        receipt_hashes,
        voided_receipt_hashes,
        documents: store::deliberation::documents(&state.db, community, id).await?,
        rating,
        my_rating,
        can_rate,
    })
}

/// The account's units it could vote for: any verified membership for a households vote; only
/// ownership for an owners' vote.
fn candidate_units(electorate: Electorate, homes: &[Membership]) -> Vec<i64> {
    homes
        .iter()
        .filter(|m| electorate == Electorate::Households || m.relation == HouseholdRelation::Owner)
        .map(|m| m.household_id)
        .collect()
}

/// Of those, the units on the vote's roll.
async fn eligible_units(
    state: &AppState,
    community: CommunityId,
    vote_id: i64,
    electorate: Electorate,
    homes: &[Membership],
) -> ApiResult<Vec<i64>> {
    let candidates = candidate_units(electorate, homes);
    Ok(store::consultations::on_roll(&state.db, community, vote_id, &candidates).await?)
}

#[utoipa::path(post, path = "/consultations/{id}/cosign", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")),
    responses(
        (status = 200, body = TopicDetail, description = "Co-signed for the household"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not collecting, already co-signed, or outside the scope"),
    ))]
pub async fn cosign(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let homes = households_of(&state, community, &user).await?;
    let facts = existing_topic(&state, community, id).await?;
    // One signature per household: the first home of the account in scope signs (the store
    // checks the scope again inside its transaction).
    let home_ids: Vec<i64> = homes.iter().map(|m| m.household_id).collect();
    let outcome =
        match store::consultations::first_in_scope(&state.db, community, facts.scope, &home_ids)
            .await?
        {
            Some(household_id) => {
                store::consultations::cosign(
                    &state.db,
                    community,
                    id,
                    household_id,
                    user.id,
                    state.settings.cosign_threshold,
                    crate::db::now(),
                )
                .await?
            }
            None => CosignOutcome::OutOfScope,
        };
    match outcome {
        CosignOutcome::Signed(_) => topic_now(&state, community, id, &user).await,
        CosignOutcome::NoSuchTopic => Err(ApiError::NotFound),
        CosignOutcome::NotCollecting => Err(conflict(ErrorCode::TopicNotNow)),
        CosignOutcome::AlreadySigned => Err(conflict(ErrorCode::AlreadyCosigned)),
        CosignOutcome::OutOfScope => Err(conflict(ErrorCode::NotInScope)),
    }
}

#[utoipa::path(post, path = "/consultations/{id}/review", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = TopicReview,
    responses(
        (status = 200, body = TopicDetail),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Already reviewed"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A refusal needs its reason"),
    ))]
pub async fn review(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TopicReview>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let note = short_text("note", &body.note, NOTE_MAX_CHARS)?;
    if !body.accept && note.is_empty() {
        return Err(FieldError::new("note", ErrorCode::ReasonRequired).into());
    }
    let steps = body
        .steps
        .iter()
        .map(|s| short_text("steps", s, NOTE_MAX_CHARS))
        .collect::<Result<Vec<_>, _>>()?;
    existing_topic(&state, community, id).await?;
    let now = crate::db::now();
    if !store::consultations::review(
        &state.db,
        community,
        id,
        user.id,
        body.accept,
        &note,
        &steps,
        now,
    )
    .await?
    {
        return Err(conflict(ErrorCode::TopicNotNow));
    }
    topic_now(&state, community, id, &user).await
}

#[utoipa::path(post, path = "/consultations/{id}/comments", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = NewComment,
    responses(
        (status = 201, body = TopicDetail, description = "Staff comments are official answers"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No verified home, or the topic is closed to comments"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many within the hour (or minutes): see Retry-After"),
    ))]
pub async fn comment(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewComment>,
) -> ApiResult<impl IntoResponse> {
    let facts = existing_topic(&state, community, id).await?;
    let staff = user.role.is_staff();
    if !staff {
        households_of(&state, community, &user).await?;
    }
    let text = short_text("body", &body.body, COMMENT_MAX_CHARS)?;
    if text.is_empty() {
        return Err(FieldError::new("body", ErrorCode::Required).into());
    }
    if !facts.status.accepts_comments() {
        return Err(conflict(ErrorCode::TopicNotNow));
    }
    if let Some(parent) = body.parent_id
        && !store::consultations::comment_of_topic(&state.db, community, id, parent).await?
    {
        return Err(FieldError::new("parent_id", ErrorCode::NotFound).into());
    }
    let now = crate::db::now();
    super::count_actions(&state, Some(&user), &addr, &[super::Action::Comment], now).await?;
    store::consultations::add_comment(&state.db, id, body.parent_id, user.id, staff, &text, now)
        .await?;
    Ok((
        StatusCode::CREATED,
        topic_now(&state, community, id, &user).await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct HideComment {
    pub reason: String,
}

#[utoipa::path(post, path = "/consultations/{id}/comments/{comment_id}/hide", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path), ("comment_id" = i64, Path)), request_body = HideComment,
    responses(
        (status = 200, body = TopicDetail, description = "Hidden, with the moderator's reason shown in its place"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn hide_comment(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path((id, comment_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<HideComment>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let reason = short_text("reason", &body.reason, NOTE_MAX_CHARS)?;
    if reason.is_empty() {
        return Err(FieldError::new("reason", ErrorCode::ReasonRequired).into());
    }
    if !store::consultations::comment_of_topic(&state.db, community, id, comment_id).await? {
        return Err(ApiError::NotFound);
    }
    store::consultations::hide_comment(
        &state.db,
        community,
        id,
        comment_id,
        user.id,
        &reason,
        crate::db::now(),
    )
    .await?;
    topic_now(&state, community, id, &user).await
}

#[utoipa::path(post, path = "/consultations/{id}/vote", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = NewVote,
    responses(
        (status = 201, body = TopicDetail, description = "Open; the roll is frozen now"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The topic is not on the agenda"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn open_vote(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewVote>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let mut errors = Vec::new();
    let question = short_text("question", &body.question, QUESTION_MAX_CHARS)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if question.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("question", ErrorCode::Required));
    }
    let now = crate::db::now();
    if body.closes_at <= now || body.closes_at > now + MAX_VOTE_DAYS * 86_400 {
        errors.push(FieldError::new("closes_at", ErrorCode::DeadlineInvalid));
    }
    // Options cannot change once proposed, so reading them before the vote's transaction is safe.
    let record =
        store::consultations::topic(&state.db, community, id, state.settings.cosign_threshold)
            .await?
            .ok_or(ApiError::NotFound)?;
    if !body.kind.fits(record.options.len(), body.rule) {
        errors.push(FieldError::new("kind", ErrorCode::QuestionDoesNotFit));
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    let vote = NewVote { question, ..body };
    if !store::consultations::open_vote(&state.db, community, id, user.id, &vote, now).await? {
        return Err(conflict(ErrorCode::TopicNotNow));
    }
    tracing::info!(topic_id = id, "vote opened");
    Ok((
        StatusCode::CREATED,
        topic_now(&state, community, id, &user).await?,
    ))
}

#[utoipa::path(post, path = "/consultations/{id}/ballots", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = BallotChoice,
    responses(
        (status = 200, body = BallotReceipt, description = "Cast, or changed; keep the receipt to check it was counted (and, for a secret ballot, to change it)"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not on the roll"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Closed, or a secret ballot changed without its receipt"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A choice that is not one of the question's answers"),
    ))]
pub async fn vote(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BallotChoice>,
) -> ApiResult<impl IntoResponse> {
    let vote = store::consultations::vote_of_topic(&state.db, community, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let choice = check_ballot(vote.kind, vote.options, &body).map_err(ApiError::from)?;
    let now = crate::db::now();
    if vote.closed_at.is_some() || vote.closes_at <= now {
        return Err(ApiError::Conflict(FieldError::new(
            "vote",
            ErrorCode::VoteClosed,
        )));
    }
    let homes = store::users::memberships_in(&state.db, community, user.id).await?;
    let units = eligible_units(&state, community, vote.id, vote.electorate, &homes).await?;
    // An owner of two units votes for each separately, naming it; otherwise their one unit.
    let household_id = match (body.household_id, units.as_slice()) {
        (Some(h), _) if units.contains(&h) => h,
        (None, [only]) => *only,
        (None, [first, ..]) => *first,
        _ => {
            return Err(ApiError::Refused(
                StatusCode::FORBIDDEN,
                FieldError::new("household_id", ErrorCode::NotEligible),
            ));
        }
    };
    let new_receipt = crate::auth::session::new_token()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("receipt: {e}")))?;
    let ballot = store::ballots::Ballot {
        vote,
        household_id,
        voter_id: user.id,
        choice,
        receipt: body.receipt,
        new_receipt,
        now,
    };
    let outcome = state.ballots.cast(&state.db, ballot).await?;
    match outcome {
        CastOutcome::Cast(receipt) => Ok(([no_store()], Json(BallotReceipt { receipt }))),
        CastOutcome::Closed => Err(ApiError::Conflict(FieldError::new(
            "vote",
            ErrorCode::VoteClosed,
        ))),
        CastOutcome::ReceiptNeeded => Err(ApiError::Conflict(FieldError::new(
            "receipt",
            ErrorCode::ReceiptNeeded,
        ))),
    }
}

#[utoipa::path(post, path = "/consultations/{id}/close", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")),
    responses(
        (status = 200, body = TopicDetail, description = "Closed: the tally, the verdict and the receipt hashes are public"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No open vote"),
    ))]
pub async fn close(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    existing_topic(&state, community, id).await?;
    if !store::consultations::close_vote(&state.db, community, id, user.id, crate::db::now())
        .await?
    {
        return Err(conflict(ErrorCode::TopicNotNow));
    }
    tracing::info!(topic_id = id, "vote closed");
    topic_now(&state, community, id, &user).await
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ResultQuery {
    /// `zh-CN` or `en`; the `Accept-Language` of the request when absent (a download link
    /// cannot set that header).
    lang: Option<String>,
}

#[utoipa::path(get, path = "/consultations/{id}/result.csv", tag = "consultations",
    params(("id" = i64, Path, description = "The topic's id"), ResultQuery),
    responses(
        (status = 200, body = String, content_type = "text/csv",
            description = "The vote's result for a spreadsheet (UTF-8 with a BOM): its settings, the tally by units and by area, the verdict, and the receipt hashes once closed. No names, phone numbers or households."),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No result to show: no vote yet, or a vote still open with its tally hidden"),
    ))]
pub async fn result_csv(
    State(state): State<AppState>,
    community: CommunityId,
    Path(id): Path<i64>,
    Query(query): Query<ResultQuery>,
) -> ApiResult<impl IntoResponse> {
    let record =
        store::consultations::topic(&state.db, community, id, state.settings.cosign_threshold)
            .await?
            .ok_or(ApiError::NotFound)?;
    // `vote_view` is the one place a tally leaves the store: hidden there, refused here.
    let vote = store::consultations::vote_view(&state.db, community, id).await?;
    let Some(vote) = vote.filter(|v| v.tally.is_some() || v.options_result.is_some()) else {
        return Err(ApiError::Conflict(FieldError::new(
            "vote",
            ErrorCode::TallyHidden,
        )));
    };
    // The receipts that count: a ballot voided by a correction is not counted any more.
    let hashes = if vote.closed_at.is_some() {
        let voided =
            store::consultations::voided_receipt_hashes(&state.db, community, vote.id).await?;
        let mut hashes =
            store::consultations::receipt_hashes(&state.db, community, vote.id).await?;
        hashes.retain(|h| voided.binary_search(h).is_err());
        hashes
    } else {
        Vec::new()
    };
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_else(crate::http::error::request_lang);
    let csv = crate::export::vote_result(lang, &record.summary, &vote, &hashes);
    let filename = format!("attachment; filename=\"linli-consultation-{id}-result.csv\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                header::HeaderValue::from_str(&filename)
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("disposition: {e}")))?,
            ),
            no_store(),
        ],
        csv,
    ))
}

#[utoipa::path(post, path = "/consultations/{id}/updates", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = NewFollowUp,
    responses(
        (status = 201, body = TopicDetail, description = "Reported: an `implementation_update` event in the history, and in the audit log"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The topic is not decided"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_update(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewFollowUp>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let note = short_text("note", &body.note, NOTE_MAX_CHARS)?;
    if note.is_empty() {
        return Err(FieldError::new("note", ErrorCode::Required).into());
    }
    existing_topic(&state, community, id).await?;
    if !store::consultations::post_update(
        &state.db,
        community,
        id,
        user.id,
        &note,
        crate::db::now(),
    )
    .await?
    {
        return Err(conflict(ErrorCode::TopicNotNow));
    }
    Ok((
        StatusCode::CREATED,
        topic_now(&state, community, id, &user).await?,
    ))
}

#[utoipa::path(put, path = "/consultations/{id}/rating", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = NewRating,
    responses(
        (status = 200, body = TopicDetail, description = "Rated for the household (rating again replaces it); only the counts are shown"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No verified home, the home is outside the scope, or not decided and reported on yet"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Stars outside 1 to 5"),
    ))]
pub async fn rate(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewRating>,
) -> ApiResult<impl IntoResponse> {
    let homes = households_of(&state, community, &user).await?;
    let stars = check_stars(body.stars)?;
    let facts = existing_topic(&state, community, id).await?;
    // One rating per household: the first home of the account in scope rates.
    let home_ids: Vec<i64> = homes.iter().map(|m| m.household_id).collect();
    let outcome =
        match store::consultations::first_in_scope(&state.db, community, facts.scope, &home_ids)
            .await?
        {
            Some(household_id) => {
                store::consultations::rate(
                    &state.db,
                    community,
                    id,
                    household_id,
                    user.id,
                    stars,
                    crate::db::now(),
                )
                .await?
            }
            None => RateOutcome::OutOfScope,
        };
    match outcome {
        RateOutcome::Rated => topic_now(&state, community, id, &user).await,
        RateOutcome::NoSuchTopic => Err(ApiError::NotFound),
        RateOutcome::NotNow => Err(conflict(ErrorCode::TopicNotNow)),
        RateOutcome::OutOfScope => Err(conflict(ErrorCode::NotInScope)),
    }
}
