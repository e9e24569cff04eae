//! The API's one error type, turned into `application/problem+json` (RFC 9457) in one place.

use crate::messages;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_domain::api::{FieldProblem, Problem};
use linli_domain::{ErrorCode, FieldError, Lang};

pub const PROBLEM_JSON: &str = "application/problem+json";

tokio::task_local! {
    /// The language negotiated for the request being handled; set by `http::negotiate_language`.
    pub static REQUEST_LANG: Lang;
}

/// The language negotiated for the request being handled (Chinese outside a request).
pub fn request_lang() -> Lang {
    REQUEST_LANG.try_with(|l| *l).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more fields were refused (422).
    #[error("validation failed")]
    Unprocessable(Vec<FieldError>),
    /// The body was not the JSON we expect, or not JSON at all.
    #[error("bad request: {0:?}")]
    BadRequest(ErrorCode, Option<String>),
    #[error("unauthorized")]
    Unauthorized(ErrorCode),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The request conflicts with what is stored (a taken number, a used code).
    #[error("conflict")]
    Conflict(FieldError),
    #[error("too many attempts, retry after {retry_after}s")]
    TooManyAttempts { retry_after: i64 },
    /// One field refused with a status of its own: a photo too large (413) or not a photo (415).
    #[error("refused with {0}")]
    Refused(StatusCode, FieldError),
    /// A status produced outside our handlers (405, 413, 415...), given a problem body.
    #[error("http status {0}")]
    Status(StatusCode, ErrorCode),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Unprocessable(vec![e])
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(..) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Refused(status, _) | ApiError::Status(status, _) => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::Unprocessable(_) => "validation",
            ApiError::BadRequest(..) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not-found",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooManyAttempts { .. } => "too-many-attempts",
            ApiError::Refused(..) => "refused",
            ApiError::Status(..) => "http",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn to_problem(&self, lang: Lang) -> Problem {
        let status = self.status();
        let field = |e: &FieldError| FieldProblem {
            field: e.field.to_string(),
            code: e.code,
            message: messages::message(e.code, lang),
        };
        let (code, errors, detail) = match self {
            ApiError::Unprocessable(errors) => (None, errors.iter().map(field).collect(), None),
            ApiError::Conflict(e) | ApiError::Refused(_, e) => (Some(e.code), vec![field(e)], None),
            ApiError::BadRequest(code, detail) => (Some(*code), vec![], detail.clone()),
            ApiError::Unauthorized(code) => (Some(*code), vec![], None),
            ApiError::Forbidden => (Some(ErrorCode::Forbidden), vec![], None),
            ApiError::NotFound => (Some(ErrorCode::NotFound), vec![], None),
            ApiError::TooManyAttempts { .. } => (Some(ErrorCode::TooManyAttempts), vec![], None),
            ApiError::Status(_, code) => (Some(*code), vec![], None),
            ApiError::Internal(_) => (Some(ErrorCode::Internal), vec![], None),
        };
        // The overall sentence: the single reason, or the first refused field's.
        let detail = detail.or_else(|| {
            code.map(|c| messages::message(c, lang))
                .or_else(|| errors.first().map(|e: &FieldProblem| e.message.clone()))
        });
        Problem {
            kind: format!("/problems/{}", self.slug()),
            title: messages::status_title(status.as_u16(), lang),
            status: status.as_u16(),
            detail,
            code,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            // The cause goes to the log, never to the client.
            tracing::error!(error = ?e, "internal error");
        }
        let problem = self.to_problem(request_lang());
        let mut response = (self.status(), axum::Json(problem)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let ApiError::TooManyAttempts { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
