//! Registration, login and logout. Sessions are server-side rows behind an HttpOnly cookie.

use crate::auth::{password, session};
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ClientAddr, CurrentUser, Here};
use crate::http::{AppState, no_store};
use crate::store::community::NotFound;
use crate::store::{
    self,
    throttle::{Guard, Scope},
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use linli_domain::api::{LoginRequest, Me, Problem, RegisterRequest, SessionInfo};
use linli_domain::personal::{PRIVACY_NOTICE_VERSION, check_consent};
use linli_domain::{DisplayName, ErrorCode, FieldError, Password, PhoneNumber, Role};

#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, body = Me, description = "Account created and signed in (sets the session cookie)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The number already has an account"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A field was refused"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many within the hour (or minutes): see Retry-After"),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> ApiResult<impl IntoResponse> {
    // Every refused field at once, so the form can mark them all.
    let phone = PhoneNumber::parse(&body.phone);
    let password = Password::parse(&body.password, phone.as_ref().ok());
    let name = match body.display_name.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => DisplayName::parse(raw).map(Some),
    };
    let consent = check_consent(body.privacy_consent);
    let (phone, password, name) = match (phone, password, name, consent) {
        (Ok(p), Ok(pw), Ok(n), Ok(())) => (p, pw, n),
        (p, pw, n, consent) => {
            let errors: Vec<FieldError> = [p.err(), pw.err(), n.err(), consent.err()]
                .into_iter()
                .flatten()
                .collect();
            return Err(ApiError::Unprocessable(errors));
        }
    };
    // Without a name, the account goes by its masked number: the same in every language.
    let display_name = name
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| phone.masked());

    let now = crate::db::now();
    super::count_actions(&state, None, &addr, &[super::Action::Register], now).await?;
    let hash = password::hash_password_async(password.expose().to_owned()).await?;
    let user_id = match store::users::insert(
        &state.db,
        &phone,
        &hash,
        &display_name,
        Role::Resident,
        PRIVACY_NOTICE_VERSION,
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(store::users::InsertError::PhoneTaken) => {
            return Err(ApiError::Conflict(FieldError::new(
                "phone",
                ErrorCode::PhoneTaken,
            )));
        }
        Err(store::users::InsertError::Db(e)) => return Err(e.into()),
    };
    tracing::info!(user_id, "account registered");
    let jar = rotate_session(&state, jar, user_id, now).await?;
    let me = store::users::me(&state.db, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, [no_store()], jar, Json(me)))
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = Me, description = "Signed in; a new session cookie replaces any old one"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "Wrong number or password"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many failures: see Retry-After"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    Here(here): Here,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let phone = PhoneNumber::parse(&body.phone)?;
    if body.password.is_empty() {
        return Err(FieldError::new("password", ErrorCode::Required).into());
    }
    let now = crate::db::now();
    let guards = password_guards(&state, phone.as_str(), &addr);
    // Counted before the (slow) check, so parallel guesses cannot slip under the limit.
    let attempt = super::count_attempt(&state, &guards, now).await?;

    let credentials = store::users::credentials(&state.db, &phone).await?;
    let user_id = credentials.as_ref().map(|c| c.id);
    let matches =
        password::verify_password_async(body.password, credentials.map(|c| c.password_hash))
            .await?;
    let Some(user_id) = user_id.filter(|_| matches) else {
        return Err(ApiError::Unauthorized(ErrorCode::WrongCredentials));
    };
    store::throttle::forgive(&state.db, attempt).await?;
    store::throttle::clear(&state.db, Scope::LoginAccount, phone.as_str()).await?;

    let jar = rotate_session(&state, jar, user_id, now).await?;
    let me = store::users::me_here(&state.db, user_id, here.ok())
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(user_id, "signed in");
    Ok(([no_store()], jar, Json(me)))
}

/// The limits on wrong passwords for an account (by its number) and for an address: a login,
/// and the password that confirms an account's deletion, count against the same ones.
pub(super) fn password_guards<'a>(
    state: &AppState,
    phone: &'a str,
    addr: &'a str,
) -> [Guard<'a>; 2] {
    let limits = state.settings.throttle.failures;
    [
        Guard {
            scope: Scope::LoginAccount,
            subject: phone,
            limit: limits.per_account,
            window: limits.window_seconds,
            cost: 1,
        },
        Guard {
            scope: Scope::LoginAddress,
            subject: addr,
            limit: limits.per_address,
            window: limits.window_seconds,
            cost: 1,
        },
    ]
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out; the session is ended on the server")))]
pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> ApiResult<impl IntoResponse> {
    if let Some(cookie) = jar.get(session::COOKIE_NAME) {
        state
            .sessions
            .delete(&state.db, &session::token_hash(cookie.value()))
            .await?;
    }
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/"));
    Ok((StatusCode::NO_CONTENT, jar))
}

#[utoipa::path(post, path = "/auth/logout-everywhere", tag = "auth", security(("session" = [])),
    responses(
        (status = 204, description = "Every session of the account is ended, on every device, this one included"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    let ended = state.sessions.delete_all_of(&state.db, user.id).await?;
    tracing::info!(user_id = user.id, ended, "signed out everywhere");
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/"));
    Ok((StatusCode::NO_CONTENT, jar))
}

#[utoipa::path(get, path = "/auth/session", tag = "auth",
    responses((status = 200, body = SessionInfo, description = "The signed-in account, or `me: null` for a visitor")))]
pub async fn session(
    State(state): State<AppState>,
    Here(here): Here,
    user: Option<CurrentUser>,
) -> ApiResult<impl IntoResponse> {
    let unknown_address = here == Err(NotFound::UnknownHost);
    let me = match user {
        Some(user) => store::users::me(&state.db, user.id)
            .await?
            .map(|me| user.shown(me)),
        None => None,
    };
    Ok((
        [no_store()],
        Json(SessionInfo {
            me,
            unknown_address,
        }),
    ))
}

/// A login or a registration always gets a fresh session, and ends the one the browser came with.
async fn rotate_session(
    state: &AppState,
    jar: CookieJar,
    user_id: i64,
    now: i64,
) -> ApiResult<CookieJar> {
    if let Some(old) = jar.get(session::COOKIE_NAME) {
        state
            .sessions
            .delete(&state.db, &session::token_hash(old.value()))
            .await?;
    }
    let token = session::new_token()?;
    store::sessions::create(
        &state.db,
        &session::token_hash(&token),
        user_id,
        now,
        now + session::SESSION_SECONDS,
    )
    .await?;
    let cookie = Cookie::build((session::COOKIE_NAME, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .path("/")
        .max_age(time_seconds(session::SESSION_SECONDS));
    Ok(jar.add(cookie))
}

fn time_seconds(seconds: i64) -> time::Duration {
    time::Duration::seconds(seconds)
}
