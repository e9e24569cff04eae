//! The community's public overview.

use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::store;
use crate::store::community::CommunityId;
use axum::Json;
use axum::extract::State;
use linli_domain::api::{CommunityMap, CommunityOverview, Problem};

#[utoipa::path(get, path = "/community", tag = "community",
    responses(
        (status = 200, body = CommunityOverview, description = "Public figures of the community"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "An address that is no community's"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No community set up yet"),
    ))]
pub async fn overview(
    State(state): State<AppState>,
    community: CommunityId,
) -> ApiResult<Json<CommunityOverview>> {
    store::community::overview(&state.db, community)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/community/map", tag = "community",
    responses(
        (status = 200, body = CommunityMap, description = "Where the compounds and buildings are, for the small maps, and the raster tiles configured for the map (none by default)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "An address that is no community's"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No community set up yet"),
    ))]
pub async fn map(
    State(state): State<AppState>,
    community: CommunityId,
) -> ApiResult<Json<CommunityMap>> {
    let mut map = store::community::map(&state.db, community)
        .await?
        .ok_or(ApiError::NotFound)?;
    map.tiles = state.settings.tiles.clone();
    Ok(Json(map))
}
