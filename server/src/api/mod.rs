//! The `/api/v1` handlers, one module per resource. Handlers stay thin: parse the input into
//! domain types, call the store, shape the answer.

pub mod access;
pub mod auth;
pub mod community;
pub mod consultations;
pub mod deliberation;
pub mod facilities;
pub mod follows;
pub mod health;
pub mod me;
pub mod open311;
pub mod personal;
pub mod photos;
pub mod requests;
pub mod results;

use crate::config::{Limit, ThrottleLimits};
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::CurrentUser;
use crate::store::throttle::{self, Attempt, Guard, Scope};

/// Counts an attempt against its guards before it is checked, or answers 429 with the wait.
pub(crate) async fn count_attempt(
    state: &AppState,
    guards: &[Guard<'_>],
    now: i64,
) -> ApiResult<Attempt> {
    throttle::begin_attempt(&state.db, guards, now)
        .await?
        .map_err(|retry_after| ApiError::TooManyAttempts { retry_after })
}

/// Something a resident or a visitor does that could flood the community if repeated.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    Register,
    SendRequest,
    Comment,
    /// This many photos uploaded at once.
    UploadPhotos(usize),
}

impl Action {
    fn limit(self, limits: &ThrottleLimits) -> Limit {
        match self {
            Action::Register => limits.registrations,
            Action::SendRequest => limits.requests,
            Action::Comment => limits.comments,
            Action::UploadPhotos(_) => limits.photos,
        }
    }

    fn scopes(self) -> (Scope, Scope) {
        match self {
            // A sign-up has no account yet: only its address counts.
            Action::Register => (Scope::RegisterAddress, Scope::RegisterAddress),
            Action::SendRequest => (Scope::RequestAccount, Scope::RequestAddress),
            Action::Comment => (Scope::CommentAccount, Scope::CommentAddress),
            Action::UploadPhotos(_) => (Scope::PhotoAccount, Scope::PhotoAddress),
        }
    }

    fn cost(self) -> i64 {
        match self {
            Action::UploadPhotos(n) => i64::try_from(n).unwrap_or(i64::MAX),
            _ => 1,
        }
    }
}

/// Counts actions against their limits, all or none in one transaction, or answers 429 with
/// the seconds to wait. Call it after the input was checked (a refused form counts nothing)
/// and just before the write. Staff are not limited (see [`ThrottleLimits`]).
pub(crate) async fn count_actions(
    state: &AppState,
    user: Option<&CurrentUser>,
    addr: &str,
    actions: &[Action],
    now: i64,
) -> ApiResult<()> {
    if user.is_some_and(|u| u.role.is_staff()) {
        return Ok(());
    }
    let account = user.map(|u| u.id.to_string());
    let mut guards = Vec::with_capacity(actions.len() * 2);
    for &action in actions {
        let limit = action.limit(&state.settings.throttle);
        let (account_scope, address_scope) = action.scopes();
        let cost = action.cost();
        if cost == 0 {
            continue;
        }
        guards.push(Guard {
            scope: address_scope,
            subject: addr,
            limit: limit.per_address,
            window: limit.window_seconds,
            cost,
        });
        if let Some(account) = account.as_deref() {
            guards.push(Guard {
                scope: account_scope,
                subject: account,
                limit: limit.per_account,
                window: limit.window_seconds,
                cost,
            });
        }
    }
    if guards.is_empty() {
        return Ok(());
    }
    count_attempt(state, &guards, now).await.map(|_| ())
}
