//! Around a topic's discussion: staff attach documents (plans, quotes) anyone can read,
//! residents report comments to the moderators, and staff extend an open vote's deadline.

use super::consultations::{MAX_VOTE_DAYS, existing_topic, households_of, staff_only, topic_now};
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, CurrentUser};
use crate::http::upload::multipart_error;
use crate::store;
use crate::store::community::CommunityId;
use crate::store::deliberation::Extension;
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use linli_domain::api::Problem;
use linli_domain::consultation::TopicDetail;
use linli_domain::deliberation::{
    DOCUMENT_FIELD, DOCUMENT_TITLE_MAX_CHARS, ExtendVote, MAX_DOCUMENT_BYTES, document_type,
};
use linli_domain::request::short_text;
use linli_domain::{ErrorCode, FieldError};

/// The body of a document upload: the document and its title.
pub const DOCUMENT_BODY_LIMIT: usize = MAX_DOCUMENT_BYTES as usize + 64 * 1024;

#[utoipa::path(post, path = "/consultations/{id}/documents", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path, description = "The topic's id")),
    request_body(content_type = "multipart/form-data", description = "A part `title` (text) and a part `file` (PDF, JPEG or PNG, at most 10 MB)"),
    responses(
        (status = 201, body = TopicDetail, description = "Attached; listed on the topic for everyone"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "Not a PDF, JPEG or PNG"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn attach_document(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut parts: Multipart,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    existing_topic(&state, community, id).await?;
    let mut title = String::new();
    let mut file = None;
    while let Some(field) = parts.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("title") => title = field.text().await.map_err(multipart_error)?,
            Some(DOCUMENT_FIELD) => file = Some(read_document(field).await?),
            _ => {}
        }
    }
    let title = short_text("title", &title, DOCUMENT_TITLE_MAX_CHARS)?;
    let mut errors = Vec::new();
    if title.is_empty() {
        errors.push(FieldError::new("title", ErrorCode::Required));
    }
    let Some(bytes) = file else {
        errors.push(FieldError::new(DOCUMENT_FIELD, ErrorCode::Required));
        return Err(ApiError::Unprocessable(errors));
    };
    let Some(content_type) = document_type(&bytes) else {
        return Err(ApiError::Refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            FieldError::new(DOCUMENT_FIELD, ErrorCode::DocumentType),
        ));
    };
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    let now = crate::db::now();
    store::deliberation::attach_document(&state.db, id, user.id, &title, content_type, &bytes, now)
        .await?;
    Ok((
        StatusCode::CREATED,
        topic_now(&state, community, id, &user).await?,
    ))
}

/// Reads the document part, refusing it as soon as it passes 10 MB rather than after.
async fn read_document(mut field: Field<'_>) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if (bytes.len() + chunk.len()) as u64 > MAX_DOCUMENT_BYTES {
            return Err(ApiError::Refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                FieldError::new(DOCUMENT_FIELD, ErrorCode::DocumentTooLarge),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[utoipa::path(get, path = "/consultations/documents/{document_id}", tag = "consultations",
    params(("document_id" = i64, Path)),
    responses(
        (status = 200, description = "The document as attached (public, like the topic)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn document(
    State(state): State<AppState>,
    community: CommunityId,
    Path(document_id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let (content_type, bytes) = store::deliberation::document(&state.db, community, document_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let extension = match content_type.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    // Shown in the browser, a document runs nothing and reaches nothing: every API answer is
    // sent with `default-src 'none'; sandbox` (`http::defences`), this one included.
    let disposition = format!("inline; filename=\"linli-document-{document_id}.{extension}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                "public, max-age=86400, immutable".to_owned(),
            ),
        ],
        bytes,
    ))
}

#[utoipa::path(post, path = "/consultations/{id}/comments/{comment_id}/report", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path), ("comment_id" = i64, Path)),
    responses(
        (status = 200, body = TopicDetail, description = "Reported to the moderators (twice counts once)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No verified home"),
    ))]
pub async fn report_comment(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path((id, comment_id)): Path<(i64, i64)>,
) -> ApiResult<impl IntoResponse> {
    households_of(&state, community, &user).await?;
    if !store::consultations::comment_of_topic(&state.db, community, id, comment_id).await? {
        return Err(ApiError::NotFound);
    }
    store::deliberation::report_comment(&state.db, comment_id, user.id, crate::db::now()).await?;
    tracing::info!(topic_id = id, comment_id, "comment reported");
    topic_now(&state, community, id, &user).await
}

#[utoipa::path(post, path = "/consultations/{id}/extend", tag = "consultations", security(("session" = [])),
    params(("id" = i64, Path)), request_body = ExtendVote,
    responses(
        (status = 200, body = TopicDetail, description = "The vote closes later"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "No open vote"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Not later than now, or more than 90 days after opening"),
    ))]
pub async fn extend(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ExtendVote>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    existing_topic(&state, community, id).await?;
    let now = crate::db::now();
    match store::deliberation::extend_vote(
        &state.db,
        community,
        id,
        user.id,
        body.closes_at,
        MAX_VOTE_DAYS * 86_400,
        now,
    )
    .await?
    {
        Extension::Extended => topic_now(&state, community, id, &user).await,
        Extension::NotOpen => Err(ApiError::Conflict(FieldError::new(
            "vote",
            ErrorCode::VoteClosed,
        ))),
        Extension::Invalid => Err(FieldError::new("closes_at", ErrorCode::DeadlineInvalid).into()),
    }
}
