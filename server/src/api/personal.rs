//! A resident's own data, under the Personal Information Protection Law: download all of it,
//! correct it, delete the account.

use crate::auth::{password, session};
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ClientAddr, CurrentUser};
use crate::http::{AppState, no_store};
use crate::store;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use linli_domain::api::{Me, Problem};
use linli_domain::personal::{AccountCorrection, AccountDeletion, MyData};
use linli_domain::request::Actor;
use linli_domain::{DisplayName, ErrorCode, FieldError, PhoneNumber};

#[utoipa::path(get, path = "/me/data", tag = "me", security(("session" = [])),
    responses(
        (status = 200, body = MyData, description = "Everything Linli holds about the account, as a JSON download"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_data(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<impl IntoResponse> {
    let account = store::users::me(&state.db, user.id)
        .await?
        .ok_or(ApiError::Unauthorized(ErrorCode::Unauthorized))?;
    let own = store::personal::own_rows(&state.db, user.id).await?;
    let now = crate::db::now();
    let mut requests = Vec::with_capacity(own.requests.len());
    for (community, id) in own.requests {
        requests.push(super::requests::detail_as(&state, community, id, Actor::Author, now).await?);
    }
    let data = MyData {
        exported_at: now,
        households: account.households.clone(),
        account,
        created_at: own.created_at,
        privacy_consent_at: own.privacy_consent_at,
        privacy_notice: own.privacy_notice,
        requests,
        following: own.following,
        proposals: own.proposals,
        cosignatures: own.cosignatures,
        comments: own.comments,
        named_ballots: own.named_ballots,
        ratings: own.ratings,
        sessions: own.sessions,
        contact_openings: store::access_log::openings_of(&state.db, user.id).await?,
    };
    tracing::info!(user_id = user.id, "personal data exported");
    Ok((
        [
            no_store(),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"linli-my-data.json\""
                    .parse()
                    .expect("a valid header"),
            ),
        ],
        Json(data),
    ))
}

#[utoipa::path(patch, path = "/me", tag = "me", security(("session" = [])),
    request_body = AccountCorrection,
    responses(
        (status = 200, body = Me, description = "Corrected"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A name that is empty, too long or not text"),
    ))]
pub async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<AccountCorrection>,
) -> ApiResult<impl IntoResponse> {
    let name = body.display_name.trim();
    if name.is_empty() {
        return Err(FieldError::new("display_name", ErrorCode::Required).into());
    }
    let name = DisplayName::parse(name)?;
    store::personal::correct_name(&state.db, user.id, name.as_str()).await?;
    let me = store::users::me(&state.db, user.id)
        .await?
        .ok_or(ApiError::Unauthorized(ErrorCode::Unauthorized))?;
    Ok(([no_store()], Json(user.shown(me))))
}

#[utoipa::path(post, path = "/me/deletion", tag = "me", security(("session" = [])),
    request_body = AccountDeletion,
    responses(
        (status = 204, description = "The account is deleted and signed out everywhere; its requests stay, anonymised, and its named ballots stay on the record"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "The password is missing or wrong; nothing is deleted"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many wrong passwords: see Retry-After"),
    ))]
pub async fn delete_account(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<AccountDeletion>,
) -> ApiResult<impl IntoResponse> {
    if body.password.is_empty() {
        return Err(FieldError::new("password", ErrorCode::Required).into());
    }
    let me = store::users::me(&state.db, user.id)
        .await?
        .ok_or(ApiError::Unauthorized(ErrorCode::Unauthorized))?;
    let phone = PhoneNumber::parse(&me.phone)?;
    let now = crate::db::now();
    // A wrong password here counts as a wrong login: a borrowed phone cannot guess it.
    let guards = super::auth::password_guards(&state, phone.as_str(), &addr);
    let attempt = super::count_attempt(&state, &guards, now).await?;
    let credentials = store::users::credentials(&state.db, &phone).await?;
    if !password::verify_password_async(body.password, credentials.map(|c| c.password_hash)).await?
    {
        return Err(FieldError::new("password", ErrorCode::WrongPassword).into());
    }
    store::throttle::forgive(&state.db, attempt).await?;
    let kept_ballots = store::personal::delete_account(&state.db, user.id, now).await?;
    // The rows are gone; this forgets the sessions this process still keeps in memory.
    state.sessions.delete_all_of(&state.db, user.id).await?;
    tracing::info!(user_id = user.id, kept_ballots, "account deleted");
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/"));
    Ok((StatusCode::NO_CONTENT, jar))
}
