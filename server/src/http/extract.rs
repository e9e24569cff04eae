//! Extractors that turn a request into typed input or a problem: JSON bodies, the community
//! the request is for, the signed-in user, and the client's address.

use super::AppState;
use super::error::ApiError;
use crate::auth::session::{COOKIE_NAME, token_hash};
use crate::store::community::{CommunityId, NotFound};
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum_extra::extract::CookieJar;
use linli_domain::{ErrorCode, FieldError, Role};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// `axum::Json`, but every rejection is a problem+json with a specific reason.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::Status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
        ),
        JsonRejection::JsonDataError(e) => {
            ApiError::BadRequest(ErrorCode::MalformedBody, Some(e.body_text()))
        }
        JsonRejection::JsonSyntaxError(e) => {
            ApiError::BadRequest(ErrorCode::MalformedBody, Some(e.body_text()))
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::Status(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BodyTooLarge)
        }
        other => ApiError::BadRequest(ErrorCode::MalformedBody, Some(other.body_text())),
    }
}

/// Where the request was sent: the community its `Host` names (see
/// [`store::community::Directory`]), or why none does; for handlers that answer either way.
pub struct Here(pub Result<CommunityId, NotFound>);

impl FromRequestParts<AppState> for Here {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        community_of(parts, state).await.map(Here)
    }
}

/// The community the request is for: 404 `unknown_community` at an address that is none of
/// the communities', 409 `no_community` before any community is set up.
impl FromRequestParts<AppState> for CommunityId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        community_of(parts, state)
            .await?
            .map_err(|missing| match missing {
                NotFound::NoneYet => {
                    ApiError::Conflict(FieldError::new("community", ErrorCode::NoCommunity))
                }
                NotFound::UnknownHost => {
                    ApiError::Status(StatusCode::NOT_FOUND, ErrorCode::UnknownCommunity)
                }
            })
    }
}

async fn community_of(
    parts: &Parts,
    state: &AppState,
) -> Result<Result<CommunityId, NotFound>, ApiError> {
    // HTTP/1.1 sends `Host`; HTTP/2 the URI's authority.
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or_default();
    Ok(state.communities.resolve(&state.db, host).await?)
}

/// The signed-in account behind the session cookie; 401 when there is none.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    /// The role that holds for this request: staff are staff only at the communities they
    /// work for, and residents everywhere else (admins run the whole database).
    pub role: Role,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(COOKIE_NAME)
            .map(|c| c.value().to_owned())
            .ok_or(ApiError::Unauthorized(ErrorCode::Unauthorized))?;
        let hash = token_hash(&token);
        let session = state
            .sessions
            .find(&state.db, &hash, crate::db::now())
            .await?
            .ok_or(ApiError::Unauthorized(ErrorCode::Unauthorized))?;
        let role = match session.role {
            Role::Staff => {
                let here = community_of(parts, state).await?.ok();
                if here.is_some_and(|c| session.staff_of.contains(&c)) {
                    Role::Staff
                } else {
                    Role::Resident
                }
            }
            role => role,
        };
        Ok(CurrentUser {
            id: session.user_id,
            role,
            token_hash: hash,
        })
    }
}

impl CurrentUser {
    /// The account as it is shown to its owner: with the role the checks of this request use,
    /// so the app offers nothing the server would refuse.
    pub fn shown(&self, me: linli_domain::api::Me) -> linli_domain::api::Me {
        linli_domain::api::Me {
            role: self.role,
            ..me
        }
    }
}

/// `Option<CurrentUser>`: a visitor is `None`, not an error.
impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(ApiError::Unauthorized(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The client's address, for throttling: the socket's peer, or with `trust_proxy` the last
/// `X-Forwarded-For` entry (the one our proxy added). IPv6 clients are grouped by their /64,
/// which is what one household's router is handed. "unknown" without a socket (router tests).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = || {
            parts
                .headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse::<IpAddr>()
                .ok()
        };
        let peer = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip())
        };
        let ip = if state.settings.trust_proxy {
            forwarded().or_else(peer)
        } else {
            peer()
        };
        Ok(ClientAddr(
            ip.map(throttle_key).unwrap_or_else(|| "unknown".to_owned()),
        ))
    }
}

fn throttle_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_grouped_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(throttle_key(a), throttle_key(b));
        assert_eq!(throttle_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_eq!(throttle_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
