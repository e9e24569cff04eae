//! Staff's access to a resident's personal data: opening the number behind a request, on
//! purpose and on the record, and the access log that admins browse.

use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, CurrentUser};
use crate::http::{AppState, no_store};
use crate::store::community::CommunityId;
use crate::store::throttle::{Guard, Scope};
use crate::store::{self};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use linli_domain::api::Problem;
use linli_domain::contact::{AccessLogPage, ContactOpening, OpenedContact};
use linli_domain::{ErrorCode, FieldError, Role};

#[utoipa::path(post, path = "/staff/requests/{id}/contact", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    request_body = ContactOpening,
    responses(
        (status = 200, body = OpenedContact, description = "The requester's full number; the opening, with its purpose, is now in the access log"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not staff"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The resident did not agree to be called, or deleted their account"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many numbers opened today: see Retry-After"),
    ))]
pub async fn open_contact(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ContactOpening>,
) -> ApiResult<impl IntoResponse> {
    if !user.role.is_staff() {
        return Err(ApiError::Forbidden);
    }
    if store::requests::ownership(&state.db, community, id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let now = crate::db::now();
    let limit = state.settings.throttle.contact_openings;
    let account = user.id.to_string();
    super::count_attempt(
        &state,
        &[Guard {
            scope: Scope::ContactAccount,
            subject: &account,
            limit: limit.per_account,
            window: limit.window_seconds,
            cost: 1,
        }],
        now,
    )
    .await?;
    let opened =
        store::access_log::open_contact(&state.db, community, id, user.id, body.purpose, now)
            .await?
            .ok_or_else(|| {
                ApiError::Conflict(FieldError::new("contact", ErrorCode::ContactNotShared))
            })?;
    tracing::info!(
        staff_id = user.id,
        request_id = id,
        purpose = body.purpose.key(),
        "a requester's number was opened"
    );
    Ok(([no_store()], Json(opened)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct LogQuery {
    /// The `next_before` of the previous page.
    before: Option<i64>,
    /// Page size, 1 to 200 (a size outside is brought inside); 50 when absent.
    limit: Option<i64>,
}

const LOG_PAGE: i64 = 50;
const LOG_PAGE_MAX: i64 = 200;

#[utoipa::path(get, path = "/admin/access-log", tag = "administration", security(("session" = [])), params(LogQuery),
    responses(
        (status = 200, body = AccessLogPage, description = "Who opened which resident's personal data, when and why; newest first"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not an admin"),
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Query(query): Query<LogQuery>,
) -> ApiResult<impl IntoResponse> {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let limit = query.limit.unwrap_or(LOG_PAGE).clamp(1, LOG_PAGE_MAX);
    let page = store::access_log::page(&state.db, community, query.before, limit).await?;
    Ok(([no_store()], Json(page)))
}
