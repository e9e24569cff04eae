//! The `/api/v1` handlers, one module per resource. Handlers stay thin: parse the input into
//! domain types, call the store, shape the answer.

pub mod auth;
pub mod community;
pub mod consultations;
pub mod deliberation;
pub mod facilities;
pub mod follows;
pub mod health;
pub mod me;
pub mod open311;
pub mod photos;
pub mod requests;
pub mod results;

use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::store::throttle::{self, Attempt, Guard};

/// Counts an attempt against its guards before it is checked, or answers 429 with the wait.
pub(crate) async fn count_attempt(
    state: &AppState,
    guards: &[Guard<'_>],
    now: i64,
) -> ApiResult<Attempt> {
    throttle::begin_attempt(
        &state.db,
        guards,
        now,
        state.settings.throttle.window_seconds,
    )
    .await?
    .map_err(|retry_after| ApiError::TooManyAttempts { retry_after })
}
