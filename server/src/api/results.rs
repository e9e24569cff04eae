//! Corrections to a published result (staff): each publishes a new revision with its reason,
//! beside the ones before, which stay as they were. And the roll staff pick the unit from.

use super::consultations::{existing_topic, staff_only, topic_now};
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, CurrentUser};
use crate::store;
use crate::store::community::CommunityId;
use crate::store::results::CorrectionOutcome;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use linli_domain::api::Problem;
use linli_domain::consultation::TopicDetail;
use linli_domain::revision::{NewCorrection, RollUnit, check_correction};
use linli_domain::{ErrorCode, FieldError};

#[utoipa::path(get, path = "/consultations/{id}/roll", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")),
    responses(
        (status = 200, body = Vec<RollUnit>, description = "The vote's frozen roll: each unit's place and area, and whether a ballot of it counts. Staff only; never the choices."),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such topic, or no vote on it"),
    ))]
pub async fn roll(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RollUnit>>> {
    staff_only(&user)?;
    let vote = store::consultations::vote_of_topic(&state.db, community, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(
        store::results::roll_units(&state.db, community, vote.id).await?,
    ))
}

#[utoipa::path(post, path = "/consultations/{id}/corrections", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")), request_body = NewCorrection,
    responses(
        (status = 201, body = TopicDetail, description = "Published as the result's next revision; the earlier ones stay visible, and the audit log records it"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No published result yet, a secret vote, or no ballot of that unit to void"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "No reason, an implausible area, a unit not on the roll, or nothing changed"),
    ))]
pub async fn correct(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewCorrection>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let reason = check_correction(&body).map_err(ApiError::Unprocessable)?;
    existing_topic(&state, community, id).await?;
    let outcome = store::results::correct(
        &state.db,
        community,
        id,
        user.id,
        &reason,
        body.correction,
        crate::db::now(),
    )
    .await?;
    let refused = |field: &'static str, code| Err(ApiError::Conflict(FieldError::new(field, code)));
    let unfit = |field: &'static str, code| Err(FieldError::new(field, code).into());
    match outcome {
        CorrectionOutcome::Published(number) => {
            tracing::info!(topic_id = id, revision = number, "result corrected");
            Ok((
                StatusCode::CREATED,
                topic_now(&state, community, id, &user).await?,
            ))
        }
        CorrectionOutcome::NoVote | CorrectionOutcome::NotClosed => {
            refused("vote", ErrorCode::ResultNotPublished)
        }
        CorrectionOutcome::Secret => refused("vote", ErrorCode::CorrectionSecretBallot),
        CorrectionOutcome::NoBallot => refused("household_id", ErrorCode::NoBallotToVoid),
        CorrectionOutcome::NotOnRoll => unfit("household_id", ErrorCode::NotOnRoll),
        CorrectionOutcome::NothingChanged => unfit("area", ErrorCode::CorrectionChangesNothing),
    }
}
