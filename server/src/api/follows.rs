//! "Me too" (附议): before sending, the similar open requests nearby; following one instead of
//! sending a duplicate; and the follower's view of it.

use crate::api::requests::detail_as;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::CurrentUser;
use crate::http::{AppState, no_store};
use crate::store;
use crate::store::community::CommunityId;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use linli_domain::api::{GeoPoint, Problem, RequestDetail, SimilarRequest};
use linli_domain::nearby::still_open_and_recent;
use linli_domain::request::{Actor, check_point};
use linli_domain::{ErrorCode, FieldError};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SimilarQuery {
    /// The category of the request being written.
    category: String,
    /// The point it is about; without it, the resident's household.
    lat: Option<f64>,
    lon: Option<f64>,
}

#[utoipa::path(get, path = "/requests/similar", tag = "requests", security(("session" = [])), params(SimilarQuery),
    responses(
        (status = 200, body = Vec<SimilarRequest>, description = "Open requests of the category within 250 m, sent in the last 30 days, nearest first"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Not a valid point"),
    ))]
pub async fn similar(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Query(query): Query<SimilarQuery>,
) -> ApiResult<impl IntoResponse> {
    let here = match (query.lat, query.lon) {
        (Some(lat), Some(lon)) => {
            check_point(lat, lon)?;
            Some(GeoPoint { lat, lon })
        }
        (None, None) => {
            let homes = store::users::memberships_in(&state.db, community, user.id).await?;
            match homes.first() {
                Some(m) => {
                    store::follows::household_point(&state.db, community, m.household_id).await?
                }
                None => None,
            }
        }
        _ => return Err(FieldError::new("location", ErrorCode::LocationInvalid).into()),
    };
    // A typed address without a household has no point to compare with.
    let list = match here {
        Some(here) => {
            store::follows::similar_open(
                &state.db,
                community,
                query.category.trim(),
                here,
                user.id,
                crate::db::now(),
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(([no_store()], Json(list)))
}

#[utoipa::path(post, path = "/requests/{id}/follow", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, body = RequestDetail, description = "Followed (again, harmlessly); the follower's view"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Your own request, or no longer open"),
    ))]
pub async fn follow(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let ownership = store::requests::ownership(&state.db, community, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = crate::db::now();
    if user.role.is_staff()
        || ownership.author_id == Some(user.id)
        || !still_open_and_recent(ownership.status, ownership.submitted_at, now)
    {
        return Err(ApiError::Conflict(FieldError::new(
            "request",
            ErrorCode::CannotFollow,
        )));
    }
    store::follows::follow(&state.db, community, id, user.id, now).await?;
    tracing::info!(request_id = id, "request followed");
    Ok((
        [no_store()],
        Json(follower_view(&state, community, id, now).await?),
    ))
}

#[utoipa::path(delete, path = "/requests/{id}/follow", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 204, description = "No longer followed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unfollow(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    store::follows::unfollow(&state.db, community, id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The request as a follower sees it (see `RequestDetail::for_follower`).
pub(crate) async fn follower_view(
    state: &AppState,
    community: CommunityId,
    id: i64,
    now: i64,
) -> ApiResult<RequestDetail> {
    Ok(detail_as(state, community, id, Actor::Other, now)
        .await?
        .for_follower())
}
