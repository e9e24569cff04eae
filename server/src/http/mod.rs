//! The HTTP surface: the router, its middleware, and the SPA it serves beside the API.

pub mod defences;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod spa;
pub mod upload;

use crate::config::Settings;
use crate::db::Db;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use error::{ApiError, PROBLEM_JSON, REQUEST_LANG};
use linli_domain::walk::{Destination, SnappedDestination, WalkGraph, snap_destinations};
use linli_domain::{ErrorCode, Lang};
use std::sync::Arc;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Request bodies larger than this are refused with 413 (photos, later, have their own limit).
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Signed-in sessions, kept so that a request need not wait on the database for them.
    pub sessions: Arc<crate::store::sessions::SessionCache>,
    /// The queue, public list and figures, read again only when a request changed.
    pub requests: Arc<crate::store::read_cache::RequestReads>,
    /// Casts ballots in groups, one commit for all those waiting.
    pub ballots: Arc<crate::store::ballots::BallotWriter>,
    /// The walking network, read from the database on first use.
    pub walk: Arc<WalkNetwork>,
    /// The facilities in service, read from the database on first use and after each change.
    pub facilities: Arc<crate::store::facilities::FacilityCache>,
    /// Which community each address serves.
    pub communities: Arc<crate::store::community::Directory>,
}

/// The walking network of the process, read once: it changes only by an import, run with the
/// server stopped.
#[derive(Default)]
pub struct WalkNetwork {
    graph: tokio::sync::OnceCell<Arc<WalkGraph>>,
    /// The facilities put on the network, with the facility list they were made from: an
    /// answer then walks to them without snapping each again (a tenth of a city answer).
    snapped: std::sync::Mutex<Option<(FacilityList, Arc<Vec<SnappedDestination>>)>>,
}

type FacilityList = Arc<Vec<crate::store::facilities::KeptFacility>>;

impl WalkNetwork {
    pub async fn graph(&self, db: &Db) -> sqlx::Result<Arc<WalkGraph>> {
        self.graph
            .get_or_try_init(|| async {
                crate::store::facilities::walk_graph(db).await.map(Arc::new)
            })
            .await
            .cloned()
    }

    /// `facilities` put on `graph`, in their order: worked out again only when staff have
    /// changed the list (the facility cache then hands out a new one).
    pub fn snapped(
        &self,
        graph: &WalkGraph,
        facilities: &FacilityList,
    ) -> Arc<Vec<SnappedDestination>> {
        let mut kept = self.snapped.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((list, snapped)) = kept.as_ref()
            && Arc::ptr_eq(list, facilities)
        {
            return snapped.clone();
        }
        let snapped = Arc::new(snap_destinations(
            graph,
            facilities.iter().map(|f| Destination {
                id: f.record.id,
                at: f.record.at,
            }),
        ));
        *kept = Some((facilities.clone(), snapped.clone()));
        snapped
    }
}

/// The whole application as a router, testable without a socket.
pub fn app(state: AppState) -> Router {
    let (api, mut openapi) = openapi::api_router().split_for_parts();
    openapi::document_common_answers(&mut openapi);
    let openapi = Arc::new(openapi);
    let api = api
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        // Anything else under /api is an API 404, never the SPA's index.html. `{*rest}` does not
        // match an empty rest, hence the two bare forms.
        .route("/api", axum::routing::any(api_not_found))
        .route("/api/", axum::routing::any(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(compression());
    // Open311 GeoReport v2 has its own specification; it is not part of our OpenAPI document.
    let open311 = Router::new()
        .route(
            "/open311/v2/{file}",
            axum::routing::get(crate::api::open311::collection).post(crate::api::open311::submit),
        )
        .route(
            "/open311/v2/services/{file}",
            axum::routing::get(crate::api::open311::service_definition),
        )
        .route(
            "/open311/v2/requests/{file}",
            axum::routing::get(crate::api::open311::request),
        )
        .route(
            "/open311/v2/tokens/{file}",
            axum::routing::get(crate::api::open311::token),
        )
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(compression());
    let security_headers = Arc::new(defences::SecurityHeaders::new(&state.settings));
    let public_origin: Option<Arc<str>> = state.settings.public_origin.as_deref().map(Arc::from);
    Router::new()
        .merge(api)
        .merge(open311)
        .fallback_service(spa::service(&state.settings.dist))
        .layer(middleware::from_fn_with_state(
            public_origin,
            defences::refuse_cross_site_writes,
        ))
        .layer(middleware::from_fn(negotiate_language))
        .layer(middleware::from_fn_with_state(
            security_headers,
            defences::add_security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// API answers compressed for clients that accept it: a street's facilities are 700 KB of
/// JSON, a tenth of that compressed. A middle level: on two cores the best brotli would cost
/// more time than it saves on the wire.
fn compression() -> CompressionLayer {
    CompressionLayer::new().quality(CompressionLevel::Precise(4))
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

/// Picks the language of messages from `Accept-Language` for everything the request runs.
async fn negotiate_language(request: Request, next: Next) -> Response {
    let lang = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or_default();
    REQUEST_LANG.scope(lang, next.run(request)).await
}

/// Errors that axum produces itself (405, 413, a missing route) come without a body; the API
/// promises problem+json for every error, so give them one.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::MalformedBody,
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = ApiError::Status(status, code).into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

/// `no-store` for API answers: they carry personal data and must not sit in shared caches.
pub fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}
