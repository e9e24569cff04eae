//! A request's photos, for its author and staff only: the public never sees them (a photo of
//! a flat or a face is personal even when the request is not).

use crate::api::requests::involved;
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::CurrentUser;
use crate::store;
use crate::store::community::CommunityId;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct PhotoQuery {
    /// The 320-pixel thumbnail instead of the photo.
    #[serde(default)]
    thumbnail: bool,
}

#[utoipa::path(get, path = "/photos/{id}", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The photo's id, from a timeline entry"), PhotoQuery),
    responses(
        (status = 200, content_type = "image/jpeg", description = "The re-encoded photo, without any metadata"),
        (status = 401, body = linli_domain::api::Problem, content_type = "application/problem+json"),
        (status = 404, body = linli_domain::api::Problem, content_type = "application/problem+json", description = "No such photo, or not on a request of yours"),
    ))]
pub async fn photo(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<PhotoQuery>,
) -> ApiResult<impl IntoResponse> {
    let photo = store::photos::get(&state.db, community, id, query.thumbnail)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The same rule as the request itself: its author and staff.
    involved(&state, community, photo.request_id, &user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, photo.media_type),
            // A stored photo never changes; only this browser may keep it.
            (
                header::CACHE_CONTROL,
                "private, max-age=604800, immutable".to_owned(),
            ),
        ],
        photo.bytes,
    ))
}
