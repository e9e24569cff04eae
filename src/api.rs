//! The API client: one typed function per endpoint, over gloo-net, using the shared DTOs.
//! Pages call these and never build URLs themselves.

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::{ArcRwSignal, GetUntracked, RwSignal, Set};
use linli_domain::Lang;
use linli_domain::api::{
    BindHouseholdRequest, CommunityOverview, GeoPoint, LoginRequest, Me, Membership, NewNote,
    NewRequest, PublicRequestPage, RegisterRequest, RequestActionBody, RequestDetail,
    RequestSummary, SessionInfo, SimilarRequest,
};
use linli_domain::catalogue::RequestCategory;
use linli_domain::consultation::{
    BallotChoice, BallotReceipt, NewComment, NewTopic, NewVote, TopicDetail, TopicReview,
    TopicSummary,
};
use linli_domain::facility::{FacilityProperties, NewFacility};
use linli_domain::figures::FiguresReport;
use linli_domain::fixed_decimal;
use linli_domain::geojson::Feature;
use linli_domain::personal::{AccountCorrection, AccountDeletion};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::Cell;

const BASE: &str = "/api/v1";

thread_local! {
    /// The language the server should answer in; follows the language switch.
    static LANG: Cell<Lang> = const { Cell::new(Lang::ZhCn) };
    /// When the oldest read since the network went down was saved, if the service worker
    /// (`public/sw.js`) answered it from its cache; `None` once the network answers again.
    static OFFLINE_SAVED_AT: ArcRwSignal<Option<i64>> = ArcRwSignal::new(None);
}

/// The header `public/sw.js` puts on an answer it kept: when it was saved, in ms since the epoch.
const SAVED_AT_HEADER: &str = "linli-offline-saved-at";

/// When what is on screen was saved (unix seconds), while the app shows kept answers offline.
pub fn offline_saved_at() -> ArcRwSignal<Option<i64>> {
    OFFLINE_SAVED_AT.with(Clone::clone)
}

pub fn set_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
}

/// Why a call failed: the network, or the server's answer.
#[derive(Debug, Clone)]
pub enum ApiError {
    Network,
    Problem(Refusal),
}

/// The server's answer to a call that failed: its status, and its problem document as sent,
/// read where a page shows it (`messages`). The code that reads one is then in the modules of
/// the pages that show them, not in the main module that every first visit loads.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    status_text: String,
    body: String,
}

/// What a problem document says in words (`Problem` without its codes), in the language of
/// the call's `Accept-Language`.
#[derive(Debug, Deserialize)]
pub struct ProblemMessages {
    pub title: String,
    #[serde(default)]
    pub detail: Option<String>,
    /// The refused fields' names and messages.
    #[serde(default)]
    pub errors: Vec<FieldMessage>,
}

#[derive(Debug, Deserialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

impl Refusal {
    /// The problem document's words, or the status line when the body is not one.
    pub fn messages(&self) -> ProblemMessages {
        serde_json::from_str(&self.body).unwrap_or_else(|_| ProblemMessages {
            title: self.status_text.clone(),
            detail: None,
            errors: vec![],
        })
    }
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
    Err(ApiError::Problem(Refusal {
        status: response.status(),
        status_text: response.status_text(),
        body: response.text().await.unwrap_or_default(),
    }))
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let text = get_text(path).await?;
    serde_json::from_str(&text).map_err(|_| ApiError::Network)
}

/// An answer kept as the server sent it, for a page whose parts read different things from
/// it: 服务圈's list reads the walk to each facility, and its map (a module of its own) the
/// walking areas. One download, and each part carries only the code that reads its part: the
/// areas' nested coordinates take more code to read than the rest of the list page's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer(std::sync::Arc<str>);

impl Answer {
    /// The answer read as `T`, which names only the fields it needs (others are skipped).
    pub fn read<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(&self.0).ok()
    }
}

/// An answer kept as sent, to be read in parts (see [`Answer`]).
async fn get_answer(path: &str) -> Result<Answer, ApiError> {
    get_text(path).await.map(|text| Answer(text.into()))
}

async fn get_text(path: &str) -> Result<String, ApiError> {
    let response = send(with_lang(Request::get(&format!("{BASE}{path}"))).build()).await?;
    let saved_at = response
        .headers()
        .get(SAVED_AT_HEADER)
        .and_then(|ms| ms.parse::<i64>().ok())
        .map(|ms| ms / 1000);
    OFFLINE_SAVED_AT.with(|offline| {
        // A page reads several answers; offline, the notice gives the oldest of them, so it
        // never says the screen is newer than it is.
        let shown = match (offline.get_untracked(), saved_at) {
            (Some(before), Some(now)) => Some(before.min(now)),
            (_, now) => now,
        };
        if offline.get_untracked() != shown {
            offline.set(shown);
        }
    });
    response.text().await.map_err(|_| ApiError::Network)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let response = send(with_lang(Request::post(&format!("{BASE}{path}"))).json(body)).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let response = send(with_lang(Request::put(&format!("{BASE}{path}"))).json(body)).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

/// The signed-in account (`None` when nobody is signed in), and whether the address the app
/// was opened at is no community's.
pub async fn session() -> Result<SessionInfo, ApiError> {
    get::<SessionInfo>("/auth/session").await
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

/// Ends every session of the account, on every phone and computer, this one included.
pub async fn logout_everywhere() -> Result<(), ApiError> {
    send(with_lang(Request::post(&format!("{BASE}/auth/logout-everywhere"))).build())
        .await
        .map(|_| ())
}

/// The address of the download of everything Linli holds about the signed-in account.
pub const MY_DATA_URL: &str = "/api/v1/me/data";

/// Corrects the account's name.
pub async fn correct_account(body: &AccountCorrection) -> Result<Me, ApiError> {
    let response = send(with_lang(Request::patch(&format!("{BASE}/me"))).json(body)).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

/// Deletes the account, confirmed with its password; the session ends with it.
pub async fn delete_account(body: &AccountDeletion) -> Result<(), ApiError> {
    send(with_lang(Request::post(&format!("{BASE}/me/deletion"))).json(body))
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

/// JSON as it is; with photos, the JSON in a `body` part and each photo in a `photo` part.
async fn post_with_photos<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    photos: &[web_sys::File],
) -> Result<T, ApiError> {
    post_with_photos_once(path, body, photos, None).await
}

/// [`post_with_photos`], with an `Idempotency-Key` when the server is to create it only once.
async fn post_with_photos_once<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    photos: &[web_sys::File],
    idempotency_key: Option<&str>,
) -> Result<T, ApiError> {
    let mut builder = with_lang(Request::post(&format!("{BASE}{path}")));
    if let Some(key) = idempotency_key {
        builder = builder.header("Idempotency-Key", key);
    }
    if photos.is_empty() {
        let response = send(builder.json(body)).await?;
        return response.json().await.map_err(|_| ApiError::Network);
    }
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    let json = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    form.append_with_str("body", &json)
        .map_err(|_| ApiError::Network)?;
    for photo in photos {
        form.append_with_blob_and_filename("photo", photo, &photo.name())
            .map_err(|_| ApiError::Network)?;
    }
    let response = send(builder.body(form)).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

/// Sends a request; sent again with the same `idempotency_key` (after a lost answer, or from
/// the offline outbox), the server creates it only once and answers with the same request.
pub async fn create_request(
    body: &NewRequest,
    photos: &[web_sys::File],
    idempotency_key: &str,
) -> Result<RequestDetail, ApiError> {
    post_with_photos_once("/requests", body, photos, Some(idempotency_key)).await
}

/// Open requests like the one being written; `at` is a picked point, else the household.
pub async fn similar_requests(
    category: &str,
    at: Option<GeoPoint>,
) -> Result<Vec<SimilarRequest>, ApiError> {
    let point = at
        .map(|p| format!("&lat={}&lon={}", p.lat, p.lon))
        .unwrap_or_default();
    get(&format!("/requests/similar?category={category}{point}")).await
}

pub async fn follow_request(id: i64) -> Result<RequestDetail, ApiError> {
    post(&format!("/requests/{id}/follow"), &serde_json::json!({})).await
}

pub async fn unfollow_request(id: i64) -> Result<(), ApiError> {
    send(with_lang(Request::delete(&format!("{BASE}/requests/{id}/follow"))).build())
        .await
        .map(|_| ())
}

/// The public list; `query` is the filter as URL parameters (`category=…&state=open&before=…`).
pub async fn public_requests(query: &str) -> Result<PublicRequestPage, ApiError> {
    get(&format!("/requests/public?{query}")).await
}

/// The community's map, read as `T`: the request form's map reads all of it
/// (`CommunityMap`), 服务圈 only where its walks start.
pub async fn community_map<T: DeserializeOwned>() -> Result<T, ApiError> {
    get("/community/map").await
}

/// Where the browser loads a photo (the session cookie goes with it).
pub fn photo_url(id: i64, thumbnail: bool) -> String {
    if thumbnail {
        format!("{BASE}/photos/{id}?thumbnail=true")
    } else {
        format!("{BASE}/photos/{id}")
    }
}

pub async fn my_requests() -> Result<Vec<RequestSummary>, ApiError> {
    get("/me/requests").await
}

pub async fn request(id: i64) -> Result<RequestDetail, ApiError> {
    get(&format!("/requests/{id}")).await
}

pub async fn request_action(
    id: i64,
    body: &RequestActionBody,
    photos: &[web_sys::File],
) -> Result<RequestDetail, ApiError> {
    post_with_photos(&format!("/requests/{id}/actions"), body, photos).await
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

/// Opens the full number of a request's sender, for staff; the opening is written to the
/// access log with its purpose.
pub async fn open_contact(
    id: i64,
    body: &linli_domain::contact::ContactOpening,
) -> Result<linli_domain::contact::OpenedContact, ApiError> {
    post(&format!("/staff/requests/{id}/contact"), body).await
}

/// A page of the access log (admins only), newest first, from before the entry `before`.
pub async fn access_log(
    before: Option<i64>,
) -> Result<linli_domain::contact::AccessLogPage, ApiError> {
    let query = before.map(|b| format!("?before={b}")).unwrap_or_default();
    get(&format!("/admin/access-log{query}")).await
}

pub async fn add_request_note(id: i64, body: &NewNote) -> Result<RequestDetail, ApiError> {
    post(&format!("/requests/{id}/notes"), body).await
}

pub async fn consultations() -> Result<Vec<TopicSummary>, ApiError> {
    get("/consultations").await
}

pub async fn consultation(id: i64) -> Result<TopicDetail, ApiError> {
    get(&format!("/consultations/{id}")).await
}

pub async fn propose_topic(body: &NewTopic) -> Result<TopicDetail, ApiError> {
    post("/consultations", body).await
}

pub async fn cosign_topic(id: i64) -> Result<TopicDetail, ApiError> {
    post(
        &format!("/consultations/{id}/cosign"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn review_topic(id: i64, body: &TopicReview) -> Result<TopicDetail, ApiError> {
    post(&format!("/consultations/{id}/review"), body).await
}

pub async fn comment_on_topic(id: i64, body: &NewComment) -> Result<TopicDetail, ApiError> {
    post(&format!("/consultations/{id}/comments"), body).await
}

pub async fn hide_comment(id: i64, comment: i64, reason: &str) -> Result<TopicDetail, ApiError> {
    post(
        &format!("/consultations/{id}/comments/{comment}/hide"),
        &serde_json::json!({ "reason": reason }),
    )
    .await
}

pub async fn open_vote(id: i64, body: &NewVote) -> Result<TopicDetail, ApiError> {
    post(&format!("/consultations/{id}/vote"), body).await
}

pub async fn cast_ballot(id: i64, body: &BallotChoice) -> Result<BallotReceipt, ApiError> {
    post(&format!("/consultations/{id}/ballots"), body).await
}

pub async fn close_vote(id: i64) -> Result<TopicDetail, ApiError> {
    post(
        &format!("/consultations/{id}/close"),
        &serde_json::json!({}),
    )
    .await
}

/// Staff: the vote's roll, to pick the unit a correction concerns.
pub async fn vote_roll(id: i64) -> Result<Vec<linli_domain::revision::RollUnit>, ApiError> {
    get(&format!("/consultations/{id}/roll")).await
}

/// Staff publishing a corrected result as the next revision.
pub async fn correct_result(
    id: i64,
    correction: &linli_domain::revision::NewCorrection,
) -> Result<TopicDetail, ApiError> {
    post(&format!("/consultations/{id}/corrections"), correction).await
}

/// Where the browser downloads a closed vote's result as CSV.
pub fn result_csv_url(id: i64) -> String {
    format!("{BASE}/consultations/{id}/result.csv")
}

/// Staff attaching a document: its title and the file, as multipart.
pub async fn attach_document(
    id: i64,
    title: &str,
    file: &web_sys::File,
) -> Result<TopicDetail, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_str("title", title)
        .map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Network)?;
    let path = format!("{BASE}/consultations/{id}/documents");
    let response = send(with_lang(Request::post(&path)).body(form)).await?;
    response.json().await.map_err(|_| ApiError::Network)
}

/// Where anyone reads a topic's document.
pub fn document_url(id: i64) -> String {
    format!("{BASE}/consultations/documents/{id}")
}

pub async fn report_comment(id: i64, comment: i64) -> Result<TopicDetail, ApiError> {
    post(
        &format!("/consultations/{id}/comments/{comment}/report"),
        &serde_json::json!({}),
    )
    .await
}

pub async fn extend_vote(id: i64, closes_at: i64) -> Result<TopicDetail, ApiError> {
    post(
        &format!("/consultations/{id}/extend"),
        &serde_json::json!({ "closes_at": closes_at }),
    )
    .await
}

pub async fn post_follow_up(id: i64, note: &str) -> Result<TopicDetail, ApiError> {
    post(
        &format!("/consultations/{id}/updates"),
        &serde_json::json!({ "note": note }),
    )
    .await
}

pub async fn rate_topic(id: i64, stars: u8) -> Result<TopicDetail, ApiError> {
    put(
        &format!("/consultations/{id}/rating"),
        &serde_json::json!({ "stars": stars }),
    )
    .await
}

// --- The service circle ---------------------------------------------------------------------

pub type FacilityFeature = Feature<FacilityProperties>;

/// Every facility in service, as GeoJSON points with whether each is open now
/// (a `FeatureCollection<FacilityProperties>`, read as the points it holds).
pub async fn facilities() -> Result<FacilityPoints, ApiError> {
    get("/facilities").await
}

/// The facilities' GeoJSON, read as points: the API's facilities are all points. Read as
/// `Feature`s, whose geometry may be any of four shapes (and is told apart by a tag, which
/// serde buffers), it took about 5 KB more code on 服务圈's first load. An answer that is not
/// all points is refused as a whole, like any answer that does not read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FacilityPoints {
    pub features: Vec<FacilityPoint>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FacilityPoint {
    pub id: i64,
    pub geometry: Point,
    pub properties: FacilityProperties,
}

/// A GeoJSON point's geometry: `[longitude, latitude]`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Point {
    pub coordinates: [f64; 2],
}

pub async fn facility(id: i64) -> Result<FacilityFeature, ApiError> {
    get(&format!("/facilities/{id}")).await
}

/// The map's own base layer (compound walls, building footprints, streets, paths, gates) as
/// raw GeoJSON, kept as sent: the map's module reads it, and it goes to Leaflet as is.
pub async fn map_base() -> Result<Answer, ApiError> {
    get_answer("/map/base").await
}

/// Fetches `answer` into `into`, which is `None` until it arrives: for an answer a page reads
/// once and does not fetch again when something changes. (A `LocalResource` does that and
/// more, and its machinery, compiled for each type of answer, was about 2 KB of brotli on
/// 服务圈's first load for each of the answers it reads this way.)
pub fn fetch_into<T: Send + Sync + 'static>(
    into: RwSignal<Option<Result<T, ApiError>>>,
    answer: impl Future<Output = Result<T, ApiError>> + 'static,
) {
    into.set(None);
    leptos::task::spawn_local(async move {
        let answer = answer.await;
        // The page may have gone meanwhile.
        into.try_set(Some(answer));
    });
}

/// The 5/10/15-minute walking areas from `from`, the walk to each facility, and the coverage
/// card, at `metres_per_minute` (`WalkingAreas`), to be read in parts.
pub async fn walk(from: GeoPoint, metres_per_minute: u32) -> Result<Answer, ApiError> {
    get_answer(&format!(
        "/walk?lat={}&lon={}&speed={metres_per_minute}",
        fixed_decimal(from.lat, 6),
        fixed_decimal(from.lon, 6)
    ))
    .await
}

pub async fn add_facility(body: &NewFacility) -> Result<FacilityFeature, ApiError> {
    post("/staff/facilities", body).await
}

pub async fn edit_facility(id: i64, body: &NewFacility) -> Result<FacilityFeature, ApiError> {
    put(&format!("/staff/facilities/{id}"), body).await
}

pub async fn retire_facility(id: i64) -> Result<(), ApiError> {
    send(
        with_lang(Request::post(&format!(
            "{BASE}/staff/facilities/{id}/retire"
        )))
        .build(),
    )
    .await
    .map(|_| ())
}
