//! The signed-in account: who I am, and proving which household I belong to.

use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ClientAddr, CurrentUser};
use crate::http::{AppState, no_store};
use crate::store::households::BindError;
use crate::store::{
    self,
    throttle::{Guard, Scope},
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use linli_domain::api::{BindHouseholdRequest, Me, Membership, Problem};
use linli_domain::{BindingCode, ErrorCode, FieldError};

#[utoipa::path(get, path = "/me", tag = "me", security(("session" = [])),
    responses(
        (status = 200, body = Me),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    ))]
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> ApiResult<impl IntoResponse> {
    let me = store::users::me(&state.db, user.id)
        .await?
        .ok_or(ApiError::Unauthorized(ErrorCode::Unauthorized))?;
    Ok(([no_store()], Json(user.shown(me))))
}

#[utoipa::path(post, path = "/me/households", tag = "me", security(("session" = [])),
    request_body = BindHouseholdRequest,
    responses(
        (status = 201, body = Membership, description = "Now a verified member (or owner) of the household"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Code already used, or already a member"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Malformed, mistyped or unknown code"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many wrong codes: see Retry-After"),
    ))]
pub async fn bind_household(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<BindHouseholdRequest>,
) -> ApiResult<impl IntoResponse> {
    // A malformed or mistyped code is caught by its own check character; it guesses nothing,
    // so it does not count as a failed attempt.
    let code = BindingCode::parse(&body.code)?;
    let now = crate::db::now();
    let limits = state.settings.throttle.failures;
    let account = user.id.to_string();
    let guards = [
        Guard {
            scope: Scope::BindingAccount,
            subject: &account,
            limit: limits.per_account,
            window: limits.window_seconds,
            cost: 1,
        },
        Guard {
            scope: Scope::BindingAddress,
            subject: &addr,
            limit: limits.per_address,
            window: limits.window_seconds,
            cost: 1,
        },
    ];
    // Counted before the lookup, so parallel guesses cannot slip under the limit.
    let attempt = super::count_attempt(&state, &guards, now).await?;
    let outcome = store::households::bind(&state.db, user.id, &code, now).await;
    // Unknown and used codes are guesses and stay counted; anything else is forgiven.
    if !matches!(outcome, Err(BindError::Unknown | BindError::Used)) {
        store::throttle::forgive(&state.db, attempt).await?;
    }
    let refused = |code| FieldError::new("code", code);
    match outcome {
        Ok(membership) => {
            tracing::info!(
                user_id = user.id,
                household_id = membership.household_id,
                "household bound"
            );
            Ok((StatusCode::CREATED, [no_store()], Json(membership)))
        }
        Err(BindError::Unknown) => Err(ApiError::Unprocessable(vec![refused(
            ErrorCode::BindingCodeUnknown,
        )])),
        Err(BindError::Used) => Err(ApiError::Conflict(refused(ErrorCode::BindingCodeUsed))),
        Err(BindError::AlreadyMember) => Err(ApiError::Conflict(refused(ErrorCode::AlreadyMember))),
        Err(BindError::Db(e)) => Err(e.into()),
    }
}
