//! The signed-in account: who I am, and proving which household I belong to.

use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ClientAddr, CurrentUser};
use crate::http::{AppState, no_store};
use crate::store::households::BindError;
use crate::store::{self, throttle::Scope};
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
    Ok(([no_store()], Json(me)))
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
    let limits = state.settings.throttle;
    let account = user.id.to_string();
    for (scope, subject, limit) in [
        (Scope::BindingAccount, account.as_str(), limits.per_account),
        (Scope::BindingAddress, addr.as_str(), limits.per_address),
    ] {
        if let Some(retry_after) = store::throttle::locked_for(
            &state.db,
            scope,
            subject,
            now,
            limit,
            limits.window_seconds,
        )
        .await?
        {
            return Err(ApiError::TooManyAttempts { retry_after });
        }
    }
    let refused = |code| FieldError::new("code", code);
    let error = match store::households::bind(&state.db, user.id, &code, now).await {
        Ok(membership) => {
            tracing::info!(
                user_id = user.id,
                household_id = membership.household_id,
                "household bound"
            );
            return Ok((StatusCode::CREATED, [no_store()], Json(membership)));
        }
        Err(BindError::Unknown) => {
            ApiError::Unprocessable(vec![refused(ErrorCode::BindingCodeUnknown)])
        }
        Err(BindError::Used) => ApiError::Conflict(refused(ErrorCode::BindingCodeUsed)),
        Err(BindError::AlreadyMember) => {
            return Err(ApiError::Conflict(refused(ErrorCode::AlreadyMember)));
        }
        Err(BindError::Db(e)) => return Err(e.into()),
    };
    // Unknown and used codes are guesses: count them against the account and the address.
    store::throttle::record_failure(&state.db, Scope::BindingAccount, &account, now).await?;
    store::throttle::record_failure(&state.db, Scope::BindingAddress, &addr, now).await?;
    Err(error)
}
