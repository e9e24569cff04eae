//! The API client: one typed function per endpoint, over gloo-net, using the shared DTOs.
//! Pages call these and never build URLs themselves.

use gloo_net::http::{Request, RequestBuilder, Response};
use linli_domain::Lang;
use linli_domain::api::{
    BindHouseholdRequest, CommunityOverview, LoginRequest, Me, Membership, NewNote, NewRequest,
    Problem, RegisterRequest, RequestActionBody, RequestDetail, RequestSummary, SessionInfo,
};
use linli_domain::catalogue::RequestCategory;
use linli_domain::figures::FiguresReport;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::Cell;

const BASE: &str = "/api/v1";

thread_local! {
    /// The language the server should answer in; follows the language switch.
    static LANG: Cell<Lang> = const { Cell::new(Lang::ZhCn) };
}

pub fn set_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
}

/// Why a call failed: the network, or the server's problem document.
#[derive(Debug, Clone)]
pub enum ApiError {
    Network,
    Problem(Problem),
}

fn with_lang(builder: RequestBuilder) -> RequestBuilder {
    builder.header("Accept-Language", LANG.with(Cell::get).tag())
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let response = request
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let problem = response.json::<Problem>().await.unwrap_or(Problem {
        kind: "about:blank".into(),
        title: response.status_text(),
        status,
        detail: None,
        code: None,
        errors: vec![],
    });
    Err(ApiError::Problem(problem))
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = send(with_lang(Request::get(&format!("{BASE}{path}"))).build()).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let response = send(with_lang(Request::post(&format!("{BASE}{path}"))).json(body)).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

/// The signed-in account, or `None` when nobody is signed in.
pub async fn session() -> Result<Option<Me>, ApiError> {
    get::<SessionInfo>("/auth/session").await.map(|s| s.me)
}

pub async fn register(body: &RegisterRequest) -> Result<Me, ApiError> {
    post("/auth/register", body).await
}

pub async fn login(body: &LoginRequest) -> Result<Me, ApiError> {
    post("/auth/login", body).await
}

pub async fn logout() -> Result<(), ApiError> {
    send(with_lang(Request::post(&format!("{BASE}/auth/logout"))).build())
        .await
        .map(|_| ())
}

pub async fn bind_household(code: &str) -> Result<Membership, ApiError> {
    post(
        "/me/households",
        &BindHouseholdRequest {
            code: code.to_owned(),
        },
    )
    .await
}

pub async fn community() -> Result<CommunityOverview, ApiError> {
    get("/community").await
}

pub async fn request_categories() -> Result<Vec<RequestCategory>, ApiError> {
    get("/requests/categories").await
}

pub async fn create_request(body: &NewRequest) -> Result<RequestDetail, ApiError> {
    post("/requests", body).await
}

pub async fn my_requests() -> Result<Vec<RequestSummary>, ApiError> {
    get("/me/requests").await
}

pub async fn request(id: i64) -> Result<RequestDetail, ApiError> {
    get(&format!("/requests/{id}")).await
}

pub async fn request_action(id: i64, body: &RequestActionBody) -> Result<RequestDetail, ApiError> {
    post(&format!("/requests/{id}/actions"), body).await
}

pub async fn request_figures(month: Option<String>) -> Result<FiguresReport, ApiError> {
    match month {
        Some(month) => get(&format!("/requests/figures?month={month}")).await,
        None => get("/requests/figures").await,
    }
}

/// The staff queue; `query` is the filter as URL parameters (`status=…&category=…&overdue=true`).
pub async fn staff_queue(query: &str) -> Result<Vec<RequestSummary>, ApiError> {
    get(&format!("/staff/requests?{query}")).await
}

pub async fn add_request_note(id: i64, body: &NewNote) -> Result<RequestDetail, ApiError> {
    post(&format!("/requests/{id}/notes"), body).await
}
