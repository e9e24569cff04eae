//! Service requests (办事): the catalogue, submitting, the resident's own list, the detail with
//! its timeline, and the lifecycle actions of staff and authors.

use super::Action;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ClientAddr, CurrentUser};
use crate::http::upload::WithPhotos;
use crate::http::{AppState, no_store};
use crate::photos::StoredPhoto;
use crate::store::community::CommunityId;
use crate::store::follows::PublicFilter;
use crate::store::requests::{Idempotency, NewRequestRow, QueueFilter, Transition};
use crate::store::{self, is_unique_violation};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use linli_domain::api::{
    NewNote, NewRequest, Problem, PublicRequestPage, RequestActionBody, RequestDetail,
    RequestSummary,
};
use linli_domain::catalogue::{RequestCategory, validate_answers};
use linli_domain::figures::{FiguresReport, YearMonth};
use linli_domain::request::{
    Actor, IdempotencyKey, RequestAction, RequestDescription, RequestStatus, RequestTitle,
    TransitionError, check_point, short_text, transition,
};
use linli_domain::{ErrorCode, FieldError};
use sha2::{Digest, Sha256};

const ADDRESS_MAX_CHARS: usize = 200;
const NOTE_MAX_CHARS: usize = 500;
const HANDLER_MAX_CHARS: usize = 50;

#[utoipa::path(get, path = "/requests/categories", tag = "requests",
    responses((status = 200, body = Vec<RequestCategory>, description = "The catalogue, with time limits and extra questions")))]
pub async fn categories(State(state): State<AppState>) -> ApiResult<Json<Vec<RequestCategory>>> {
    Ok(Json(store::requests::categories(&state.db).await?))
}

/// Sent with a request's answer when it is the answer to an earlier sending with the same
/// `Idempotency-Key`, as Stripe and others name it.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

#[utoipa::path(post, path = "/requests", tag = "requests", security(("session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "The app's name for this sending (1 to 64 letters, digits or `-_.:`, a UUID say). Sent again with the same key and the same request, it is created once: the answer is the request as it is now, with `Idempotent-Replayed: true`. The same key with a different request is refused (422).")),
    request_body(content = NewRequest, description = "JSON; or, with photos, multipart/form-data with this JSON in a part named `body` and up to 3 parts named `photo` (JPEG, PNG or WebP, 5 MB each)"),
    responses(
        (status = 201, body = RequestDetail, description = "Sent (or sent before with this `Idempotency-Key`): the tracking number and deadlines are in the summary"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "A photo over 5 MB"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "A photo that is not JPEG, PNG or WebP"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Every refused field at once"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many within the hour (or minutes): see Retry-After"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    WithPhotos { body, photos }: WithPhotos<NewRequest>,
) -> ApiResult<Response> {
    let category = store::requests::category(&state.db, body.category.trim()).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let key = match headers.get("idempotency-key") {
        Some(raw) => IdempotencyKey::parse(raw.to_str().unwrap_or("\u{0}"))
            .map(Some)
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            }),
        None => None,
    };
    if category.is_none() {
        errors.push(FieldError::new("category", ErrorCode::CategoryUnknown));
    }
    let title = RequestTitle::parse(&body.title)
        .map_err(|e| errors.push(e))
        .ok();
    let description = RequestDescription::parse(&body.description)
        .map_err(|e| errors.push(e))
        .ok();
    let answers = category.as_ref().and_then(|c| {
        validate_answers(&c.questions, &body.answers)
            .map_err(|e| errors.extend(e))
            .ok()
    });
    if let Some(point) = body.location {
        let _ = check_point(point.lat, point.lon).map_err(|e| errors.push(e));
    }
    let address = match body.address.as_deref() {
        Some(raw) => short_text("address", raw, ADDRESS_MAX_CHARS)
            .map_err(|e| errors.push(e))
            .ok(),
        None => None,
    }
    .filter(|a| !a.is_empty());
    let (Some(category), Some(title), Some(description), Some(answers), true) =
        (category, title, description, answers, errors.is_empty())
    else {
        return Err(ApiError::Unprocessable(errors));
    };

    let now = crate::db::now();
    let fingerprint = key.as_ref().map(|_| fingerprint(&body, &photos));
    let idempotency = key
        .as_ref()
        .zip(fingerprint.as_deref())
        .map(|(key, fingerprint)| Idempotency {
            key: key.as_str(),
            fingerprint,
        });
    if let Some(sent) = idempotency
        && let Some(answer) = sent_before(&state, community, &user, sent, now).await?
    {
        return Ok(answer);
    }
    let actions = [Action::SendRequest, Action::UploadPhotos(photos.len())];
    super::count_actions(&state, Some(&user), &addr, &actions, now).await?;
    // Without a point or an address, the request is about the resident's own household here.
    let household_id = store::users::memberships_in(&state.db, community, user.id)
        .await?
        .first()
        .map(|m| m.household_id);
    let row = NewRequestRow {
        community,
        category: &category,
        author_id: Some(user.id),
        household_id,
        title: title.as_str(),
        description: description.as_str(),
        answers: &answers,
        location: body.location,
        address: address.as_deref(),
        contact: body.contact,
        hide_name: body.hide_name,
        photos: &photos,
        open311: None,
        idempotency,
    };
    let id = match store::requests::create(&state.db, row, now).await {
        Ok(created) => created.id,
        Err(e) => match idempotency {
            // The same sending arrived twice at once, and the other one was created first.
            Some(sent) if is_unique_violation(&e) => {
                return sent_before(&state, community, &user, sent, now)
                    .await?
                    .ok_or(e.into());
            }
            _ => return Err(e.into()),
        },
    };
    tracing::info!(request_id = id, category = %category.code, photos = photos.len(), "request submitted");
    let detail = detail_for(&state, community, id, &user, now).await?;
    Ok((StatusCode::CREATED, [no_store()], Json(detail)).into_response())
}

/// The answer to a sending whose idempotency key the author used before: the request as it is
/// now if the same request was sent, a refusal if it was another one, `None` if it was never used.
async fn sent_before(
    state: &AppState,
    community: CommunityId,
    user: &CurrentUser,
    sent: Idempotency<'_>,
    now: i64,
) -> ApiResult<Option<Response>> {
    let Some((id, fingerprint)) =
        store::requests::sent_before(&state.db, community, user.id, sent.key).await?
    else {
        return Ok(None);
    };
    if fingerprint != sent.fingerprint {
        return Err(FieldError::new("Idempotency-Key", ErrorCode::IdempotencyKeyReused).into());
    }
    tracing::info!(
        request_id = id,
        "request sent again with its idempotency key"
    );
    let detail = detail_for(state, community, id, user, now).await?;
    let replayed = (REPLAYED, HeaderValue::from_static("true"));
    Ok(Some(
        (StatusCode::CREATED, [no_store(), replayed], Json(detail)).into_response(),
    ))
}

/// What identifies a sending: the request as read (answers are a sorted map, so the JSON is
/// the same for the same request) and its photos as stored (re-encoded the same way each time).
fn fingerprint(body: &NewRequest, photos: &[StoredPhoto]) -> String {
    let mut hash = Sha256::new();
    hash.update(serde_json::to_vec(body).unwrap_or_default());
    for photo in photos {
        hash.update((photo.image.len() as u64).to_le_bytes());
        hash.update(&photo.image);
    }
    linli_domain::hex(&hash.finalize())
}

#[utoipa::path(get, path = "/me/requests", tag = "requests", security(("session" = [])),
    responses(
        (status = 200, body = Vec<RequestSummary>, description = "The signed-in resident's requests, newest first, then those they follow (`following`)"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
) -> ApiResult<impl IntoResponse> {
    let now = crate::db::now();
    let mut list = store::requests::list_for_author(&state.db, community, user.id, now).await?;
    list.extend(store::follows::followed_by(&state.db, community, user.id, now).await?);
    Ok(([no_store()], Json(list)))
}

#[utoipa::path(get, path = "/requests/{id}", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, body = RequestDetail, description = "For its author and for staff"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such request, or not yours"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let detail = detail_for(&state, community, id, &user, crate::db::now()).await?;
    Ok(([no_store()], Json(detail)))
}

#[utoipa::path(post, path = "/requests/{id}/actions", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    request_body(content = RequestActionBody, description = "JSON; or multipart/form-data with this JSON in `body` and up to 3 `photo` parts (a resolution's photos)"),
    responses(
        (status = 200, body = RequestDetail, description = "The request after the action"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Not an action for this account"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Not possible in the request's status"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A reason or handler is missing"),
    ))]
pub async fn act(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    WithPhotos { body, photos }: WithPhotos<RequestActionBody>,
) -> ApiResult<impl IntoResponse> {
    let (ownership, actor) = involved(&state, community, id, &user).await?;
    let to = match transition(ownership.status, body.action, actor) {
        Ok(to) => to,
        Err(TransitionError::NotYours) => return Err(ApiError::Forbidden),
        Err(TransitionError::NotNow) => {
            return Err(ApiError::Conflict(FieldError::new(
                "action",
                ErrorCode::ActionNotAllowedNow,
            )));
        }
    };
    let note = short_text("note", &body.note, NOTE_MAX_CHARS)?;
    let handler = match body.handler.as_deref() {
        Some(raw) => Some(short_text("handler", raw, HANDLER_MAX_CHARS)?).filter(|h| !h.is_empty()),
        None => None,
    };
    let reason = body.reason.filter(|_| body.action == RequestAction::Reject);
    if body.action == RequestAction::Reject && reason.is_none() {
        return Err(FieldError::new("reason", ErrorCode::ReasonUnknown).into());
    }
    if body.action == RequestAction::Dispatch && handler.is_none() {
        return Err(FieldError::new("handler", ErrorCode::HandlerRequired).into());
    }
    let now = crate::db::now();
    let applied = store::requests::apply(
        &state.db,
        community,
        id,
        Transition {
            action: body.action,
            from: ownership.status,
            to,
            actor_role: if actor == Actor::Staff {
                "staff"
            } else {
                "resident"
            },
            actor_id: user.id,
            note: &note,
            handler: handler.as_deref(),
            reason,
            photos: &photos,
        },
        now,
    )
    .await?;
    if !applied {
        // Someone else acted first; the status this action was decided on is gone.
        return Err(ApiError::Conflict(FieldError::new(
            "action",
            ErrorCode::ActionNotAllowedNow,
        )));
    }
    tracing::info!(
        request_id = id,
        action = body.action.key(),
        "request action"
    );
    let detail = detail_as(&state, community, id, actor, now).await?;
    Ok(([no_store()], Json(detail)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct FiguresQuery {
    /// The month, `2026-11`; the current month (China time) when absent.
    month: Option<String>,
}

#[utoipa::path(get, path = "/requests/figures", tag = "requests", params(FiguresQuery),
    responses(
        (status = 200, body = FiguresReport, description = "Public figures of a month: in total and by category"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Not a month"),
    ))]
pub async fn figures(
    State(state): State<AppState>,
    community: CommunityId,
    Query(query): Query<FiguresQuery>,
) -> ApiResult<Json<FiguresReport>> {
    let now = crate::db::now();
    let month = match query.month.as_deref() {
        None => YearMonth::of(now),
        Some(raw) => YearMonth::parse(raw)
            .ok_or_else(|| FieldError::new("month", ErrorCode::MonthInvalid))?,
    };
    let report = state
        .requests
        .figures(&state.db, community, month, now)
        .await?;
    Ok(Json(report))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct QueueQuery {
    /// A status key; without it, every request still open.
    status: Option<String>,
    /// A category code.
    category: Option<String>,
    /// Only requests past their resolution deadline and not resolved.
    #[serde(default)]
    overdue: bool,
    /// A building's id (see `/community/map`): requests of its households.
    building: Option<i64>,
    /// 1-based page of 50.
    page: Option<u32>,
}

const QUEUE_PAGE: i64 = 50;

#[utoipa::path(get, path = "/staff/requests", tag = "requests", security(("session" = [])), params(QueueQuery),
    responses(
        (status = 200, body = Vec<RequestSummary>, description = "The queue, nearest deadline first"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> ApiResult<impl IntoResponse> {
    if !user.role.is_staff() {
        return Err(ApiError::Forbidden);
    }
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(
            RequestStatus::parse(raw)
                .ok_or_else(|| FieldError::new("status", ErrorCode::StatusUnknown))?,
        ),
        None => None,
    };
    let filter = QueueFilter {
        community,
        status,
        category: query.category.filter(|c| !c.is_empty()),
        overdue_only: query.overdue,
        building: query.building,
        limit: QUEUE_PAGE,
        offset: i64::from(query.page.unwrap_or(1).max(1) - 1) * QUEUE_PAGE,
    };
    let list = state
        .requests
        .queue(&state.db, &filter, crate::db::now())
        .await?;
    Ok(([no_store()], Json(list)))
}

#[utoipa::path(post, path = "/requests/{id}/notes", tag = "requests", security(("session" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    request_body = NewNote,
    responses(
        (status = 201, body = RequestDetail, description = "The request with the note on its timeline"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Residents cannot add internal notes"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many within the hour (or minutes): see Retry-After"),
    ))]
pub async fn add_note(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewNote>,
) -> ApiResult<impl IntoResponse> {
    let (_, actor) = involved(&state, community, id, &user).await?;
    if actor == Actor::Author && !body.public {
        return Err(ApiError::Forbidden);
    }
    let note = short_text("note", &body.note, NOTE_MAX_CHARS)?;
    if note.is_empty() {
        return Err(FieldError::new("note", ErrorCode::Required).into());
    }
    let role = if actor == Actor::Staff {
        "staff"
    } else {
        "resident"
    };
    let now = crate::db::now();
    super::count_actions(&state, Some(&user), &addr, &[Action::Comment], now).await?;
    store::requests::add_note(
        &state.db,
        community,
        id,
        role,
        user.id,
        &note,
        body.public,
        now,
    )
    .await?;
    let detail = detail_as(&state, community, id, actor, now).await?;
    Ok((StatusCode::CREATED, [no_store()], Json(detail)))
}

/// The request's author and status, and who this account is to it; someone else's request
/// answers 404, as if it did not exist.
pub(crate) async fn involved(
    state: &AppState,
    community: CommunityId,
    id: i64,
    user: &CurrentUser,
) -> ApiResult<(store::requests::Ownership, Actor)> {
    let ownership = store::requests::ownership(&state.db, community, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    match actor_of(user, ownership.author_id) {
        Actor::Other => Err(ApiError::NotFound),
        actor => Ok((ownership, actor)),
    }
}

/// Staff act as staff (even on a request of their own); the author as the author.
fn actor_of(user: &CurrentUser, author_id: Option<i64>) -> Actor {
    if user.role.is_staff() {
        Actor::Staff
    } else if author_id == Some(user.id) {
        Actor::Author
    } else {
        Actor::Other
    }
}

/// The request as this account may see it, with what it may do next; 404 for anyone else's.
async fn detail_for(
    state: &AppState,
    community: CommunityId,
    id: i64,
    user: &CurrentUser,
    now: i64,
) -> ApiResult<RequestDetail> {
    let ownership = store::requests::ownership(&state.db, community, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let actor = actor_of(user, ownership.author_id);
    if actor == Actor::Other {
        // Someone else's request is readable only to those who follow it.
        if !store::follows::is_following(&state.db, community, id, user.id).await? {
            return Err(ApiError::NotFound);
        }
        return crate::api::follows::follower_view(state, community, id, now).await;
    }
    detail_as(state, community, id, actor, now).await
}

/// The request as seen by `actor` (already known to be its author or staff).
pub(crate) async fn detail_as(
    state: &AppState,
    community: CommunityId,
    id: i64,
    actor: Actor,
    now: i64,
) -> ApiResult<RequestDetail> {
    let mut detail = store::requests::detail(&state.db, community, id, actor == Actor::Staff, now)
        .await?
        .ok_or(ApiError::NotFound)?;
    detail.allowed_actions = RequestAction::allowed(detail.summary.status, actor);
    detail.followers = store::follows::follower_count(&state.db, community, id).await?;
    if actor == Actor::Staff {
        detail.requester = store::access_log::requester(&state.db, community, id).await?;
    }
    Ok(detail)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct PublicQuery {
    /// A category code.
    category: Option<String>,
    /// `open` (being handled) or `closed` (done or refused); both when absent.
    state: Option<String>,
    /// The `next_before` of the previous page.
    before: Option<i64>,
    /// Page size, 1 to 100; 20 when absent.
    limit: Option<i64>,
}

const PUBLIC_PAGE: i64 = 20;
const PUBLIC_PAGE_MAX: i64 = 100;

#[utoipa::path(get, path = "/requests/public", tag = "requests", params(PublicQuery),
    responses(
        (status = 200, body = PublicRequestPage, description = "Requests without any personal data, newest first, with a coarse place"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn public_list(
    State(state): State<AppState>,
    community: CommunityId,
    Query(query): Query<PublicQuery>,
) -> ApiResult<Json<PublicRequestPage>> {
    let open = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => return Err(FieldError::new("state", ErrorCode::StatusUnknown).into()),
    };
    let limit = query.limit.unwrap_or(PUBLIC_PAGE).clamp(1, PUBLIC_PAGE_MAX);
    let filter = PublicFilter {
        community,
        category: query.category.filter(|c| !c.is_empty()),
        open,
        before: query.before,
        // One more than asked tells whether there is a next page.
        limit: limit + 1,
    };
    let mut rows = state
        .requests
        .public_page(&state.db, &filter, crate::db::now())
        .await?;
    let next_before = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|(id, _)| *id)
    } else {
        None
    };
    Ok(Json(PublicRequestPage {
        items: rows.into_iter().map(|(_, item)| item).collect(),
        next_before,
    }))
}
