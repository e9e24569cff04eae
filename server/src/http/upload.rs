//! Bodies that may carry photos: plain JSON, or `multipart/form-data` with the same JSON in a
//! part named `body` and up to three parts named `photo`. Photos are checked and re-encoded
//! here, before the handler runs, so a handler sees either everything valid or a problem.

use super::JSON_BODY_LIMIT;
use super::error::ApiError;
use super::extract::ApiJson;
use crate::photos::{PhotoError, StoredPhoto, process};
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use linli_domain::photo::{FIELD, MAX_PHOTO_BYTES, MAX_PHOTOS};
use linli_domain::{ErrorCode, FieldError};
use serde::de::DeserializeOwned;

/// The whole body of a request with photos: three photos of 5 MB and the JSON beside them.
pub const UPLOAD_BODY_LIMIT: usize = MAX_PHOTOS * MAX_PHOTO_BYTES as usize + 1024 * 1024;

pub struct WithPhotos<T> {
    pub body: T,
    pub photos: Vec<StoredPhoto>,
}

impl<T, S> FromRequest<S> for WithPhotos<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            // Without photos, the body is as small as any other JSON body.
            let req = req.map(|b| Body::new(http_body_util::Limited::new(b, JSON_BODY_LIMIT)));
            let ApiJson(body) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(Self {
                body,
                photos: Vec::new(),
            });
        }
        let mut parts = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(ErrorCode::MalformedBody, Some(e.body_text())))?;
        let mut body = None;
        let mut uploads: Vec<Vec<u8>> = Vec::new();
        while let Some(field) = parts.next_field().await.map_err(multipart_error)? {
            match field.name() {
                Some("body") => {
                    let text = field.text().await.map_err(multipart_error)?;
                    let value = serde_json::from_str::<T>(&text).map_err(|e| {
                        ApiError::BadRequest(ErrorCode::MalformedBody, Some(e.to_string()))
                    })?;
                    body = Some(value);
                }
                Some("photo") => {
                    if uploads.len() == MAX_PHOTOS {
                        return Err(FieldError::new(FIELD, ErrorCode::TooManyPhotos).into());
                    }
                    uploads.push(read_photo(field).await?);
                }
                // Unknown parts are ignored, as unknown JSON fields are.
                _ => {}
            }
        }
        let body = body.ok_or_else(|| {
            ApiError::BadRequest(
                ErrorCode::MalformedBody,
                Some("the multipart body has no part named `body`".into()),
            )
        })?;
        // Decoding and encoding pictures is CPU work; keep it off the async workers.
        let photos = tokio::task::spawn_blocking(move || {
            uploads
                .iter()
                .map(|bytes| process(bytes))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(photo_error)?;
        Ok(Self { body, photos })
    }
}

/// Reads one photo part, refusing it as soon as it passes 5 MB rather than after.
async fn read_photo(mut field: Field<'_>) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if (bytes.len() + chunk.len()) as u64 > MAX_PHOTO_BYTES {
            return Err(photo_error(PhotoError::TooLarge));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn photo_error(e: PhotoError) -> ApiError {
    match e {
        PhotoError::TooLarge => ApiError::Refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            FieldError::new(FIELD, ErrorCode::PhotoTooLarge),
        ),
        PhotoError::WrongType => ApiError::Refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            FieldError::new(FIELD, ErrorCode::PhotoType),
        ),
        PhotoError::Unreadable => FieldError::new(FIELD, ErrorCode::PhotoUnreadable).into(),
    }
}

/// A multipart body that failed to arrive: too large (413) or malformed (400).
pub(crate) fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::Status(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge)
    } else {
        ApiError::BadRequest(ErrorCode::MalformedBody, Some(e.body_text()))
    }
}
