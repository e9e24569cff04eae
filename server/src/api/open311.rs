//! Open311 GeoReport v2 at `/open311/v2`: discovery, services, service definitions (the extra
//! questions as attributes), requests and one request, tokens, and sending a request with an
//! API key; each in `.json` and `.xml` with the spec's element names, and its error format
//! (`[{code, description}]`).
//! Requests are public data here: the title stands for the description, no names, no
//! contact details, coordinates rounded to about 100 m. What a client sends about the person
//! (name, phone, email, device, account) is not kept.
//! One record model is rendered to both formats, so they cannot drift apart.

use crate::auth::session::{new_token, token_hash};
use crate::http::AppState;
use crate::http::error::{ApiError, REQUEST_LANG};
use crate::http::extract::Here;
use crate::messages;
use crate::store;
use crate::store::community::{CommunityId, NotFound};
use crate::store::requests::{Created, NewRequestRow, Open311Filter, Open311Source};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_domain::api::ContactPreference;
use linli_domain::api::GeoPoint;
use linli_domain::catalogue::{AnswerValue, Answers, Question, QuestionKind, validate_answers};
use linli_domain::figures::{china_iso8601, china_time_label, parse_iso8601};
use linli_domain::nearby::coarse;
use linli_domain::request::{
    RequestDescription, RequestStatus, RequestTitle, TrackingNumber, check_point, short_text,
};
use linli_domain::{ErrorCode, FieldError, Lang};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Xml,
}

/// One field of a record.
enum Field {
    Text(String),
    Number(i64),
    Decimal(f64),
    Bool(bool),
    Null,
    /// A list of records, with the XML tag of each item.
    Records(&'static str, Vec<Record>),
    /// A list of strings, with the XML tag of each item.
    Strings(&'static str, Vec<String>),
}

type Record = Vec<(&'static str, Field)>;

fn text(s: impl Into<String>) -> Field {
    Field::Text(s.into())
}

/// Splits `services.json` into its name and format; `None` for another extension.
fn split_format(path: &str) -> Option<(&str, Format)> {
    if let Some(name) = path.strip_suffix(".json") {
        Some((name, Format::Json))
    } else {
        path.strip_suffix(".xml").map(|name| (name, Format::Xml))
    }
}

fn render(
    format: Format,
    root: &'static str,
    item: &'static str,
    records: Vec<Record>,
) -> Response {
    match format {
        Format::Json => {
            let body = Value::Array(records.into_iter().map(json_record).collect());
            (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                body.to_string(),
            )
                .into_response()
        }
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            out.push_str(&format!("<{root}>"));
            for record in records {
                xml_record(&mut out, item, record);
            }
            out.push_str(&format!("</{root}>"));
            ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response()
        }
    }
}

/// A single record that is the document itself (discovery, a service definition).
fn render_one(format: Format, root: &'static str, record: Record) -> Response {
    match format {
        Format::Json => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            json_record(record).to_string(),
        )
            .into_response(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml_record(&mut out, root, record);
            ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response()
        }
    }
}

fn json_record(record: Record) -> Value {
    let mut map = Map::new();
    for (key, field) in record {
        let value = match field {
            Field::Text(s) => Value::String(s),
            Field::Number(n) => Value::from(n),
            Field::Decimal(d) => Value::from(d),
            Field::Bool(b) => Value::Bool(b),
            Field::Null => Value::Null,
            Field::Records(_, list) => Value::Array(list.into_iter().map(json_record).collect()),
            Field::Strings(_, list) => Value::Array(list.into_iter().map(Value::String).collect()),
        };
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

fn xml_record(out: &mut String, tag: &str, record: Record) {
    out.push_str(&format!("<{tag}>"));
    for (key, field) in record {
        match field {
            Field::Records(item, list) => {
                out.push_str(&format!("<{key}>"));
                for r in list {
                    xml_record(out, item, r);
                }
                out.push_str(&format!("</{key}>"));
            }
            Field::Strings(item, list) => {
                out.push_str(&format!("<{key}>"));
                for s in list {
                    out.push_str(&format!("<{item}>{}</{item}>", escape(&s)));
                }
                out.push_str(&format!("</{key}>"));
            }
            Field::Null => out.push_str(&format!("<{key}/>")),
            Field::Text(s) => out.push_str(&format!("<{key}>{}</{key}>", escape(&s))),
            Field::Number(n) => out.push_str(&format!("<{key}>{n}</{key}>")),
            Field::Decimal(d) => out.push_str(&format!("<{key}>{d}</{key}>")),
            Field::Bool(b) => out.push_str(&format!("<{key}>{b}</{key}>")),
        }
    }
    out.push_str(&format!("</{tag}>"));
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The spec's error document, in the asked format (JSON when the format is unknown).
fn error(format: Format, status: StatusCode, description: &str) -> Response {
    errors(format, status, vec![description.to_owned()])
}

/// The spec's error document with one entry per problem.
fn errors(format: Format, status: StatusCode, descriptions: Vec<String>) -> Response {
    let records = descriptions
        .into_iter()
        .map(|description| {
            vec![
                ("code", Field::Number(i64::from(status.as_u16()))),
                ("description", text(description)),
            ]
        })
        .collect();
    let mut response = render(format, "errors", "error", records);
    *response.status_mut() = status;
    response
}

fn not_found(format: Format) -> Response {
    error(format, StatusCode::NOT_FOUND, "not found")
}

/// The community the address serves, or the spec's error document saying why there is none.
fn community_or_refusal(
    format: Format,
    here: Result<Here, ApiError>,
) -> Result<CommunityId, Box<Response>> {
    match here {
        Ok(Here(Ok(community))) => Ok(community),
        Ok(Here(Err(NotFound::NoneYet))) => Err(Box::new(error(
            format,
            StatusCode::CONFLICT,
            "no community is set up here yet, so requests cannot be received",
        ))),
        Ok(Here(Err(NotFound::UnknownHost))) => Err(Box::new(error(
            format,
            StatusCode::NOT_FOUND,
            "this address is no community's: send to your community's own Linli address",
        ))),
        Err(e) => Err(Box::new(internal(format, e))),
    }
}

fn bad_request(format: Format, description: &str) -> Response {
    error(format, StatusCode::BAD_REQUEST, description)
}

fn internal(format: Format, e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "open311 request failed");
    error(format, StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

/// `/open311/v2/discovery.json`
fn discovery(format: Format) -> Response {
    let endpoint = vec![
        (
            "specification",
            text("http://wiki.open311.org/GeoReport_v2"),
        ),
        ("url", text("/open311/v2")),
        ("changeset", text("2026-11-21T17:00:00+08:00")),
        ("type", text("production")),
        (
            "formats",
            Field::Strings("format", vec!["application/json".into(), "text/xml".into()]),
        ),
    ];
    render_one(
        format,
        "discovery",
        vec![
            ("changeset", text("2026-11-21T17:00:00+08:00")),
            ("contact", text("社区服务站 Community service station")),
            (
                "key_service",
                text(
                    "Sending requests (POST requests.json or .xml) needs an api_key: ask the \
                     community service station (社区服务站) for one.",
                ),
            ),
            ("endpoints", Field::Records("endpoint", vec![endpoint])),
        ],
    )
}

/// `/open311/v2/discovery.json`, `/open311/v2/services.json` and `/open311/v2/requests.json`
pub async fn collection(
    State(state): State<AppState>,
    here: Result<Here, ApiError>,
    Path(file): Path<String>,
    query: Result<Query<RequestsQuery>, QueryRejection>,
) -> Response {
    let Some((name, format)) = split_format(&file) else {
        return not_found(Format::Json);
    };
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => return bad_request(format, &rejection.body_text()),
    };
    match name {
        "discovery" => discovery(format),
        "services" => services(&state, format).await,
        "requests" => match community_or_refusal(format, here) {
            Ok(community) => requests(&state, community, format, query).await,
            Err(refusal) => *refusal,
        },
        _ => not_found(format),
    }
}

async fn services(state: &AppState, format: Format) -> Response {
    let categories = match store::requests::categories(&state.db).await {
        Ok(c) => c,
        Err(e) => return internal(format, e),
    };
    let records = categories
        .into_iter()
        .map(|c| {
            vec![
                ("service_code", text(c.code)),
                ("service_name", text(c.name_zh)),
                ("description", text(c.description_zh)),
                ("metadata", Field::Bool(!c.questions.is_empty())),
                ("type", text("realtime")),
                ("keywords", text(c.name_en)),
                ("group", text("community")),
            ]
        })
        .collect();
    render(format, "services", "service", records)
}

/// `/open311/v2/services/{code}.json`: the extra questions as attributes.
pub async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Response {
    let Some((code, format)) = split_format(&file) else {
        return not_found(Format::Json);
    };
    let category = match store::requests::category(&state.db, code).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(format),
        Err(e) => return internal(format, e),
    };
    let attributes = category
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let datatype = match q.kind {
                QuestionKind::Text => "string",
                QuestionKind::Number { .. } => "number",
                QuestionKind::Single => "singlevaluelist",
                QuestionKind::Multiple { .. } => "multivaluelist",
            };
            let values = q.options.iter().map(|o| {
                vec![
                    ("key", text(o.key.clone())),
                    ("name", text(o.label_zh.clone())),
                ]
            });
            vec![
                ("variable", Field::Bool(true)),
                ("code", text(q.key.clone())),
                ("datatype", text(datatype)),
                ("required", Field::Bool(q.required)),
                ("datatype_description", text(q.label_en.clone())),
                ("order", Field::Number(i as i64 + 1)),
                ("description", text(q.label_zh.clone())),
                ("values", Field::Records("value", values.collect())),
            ]
        })
        .collect();
    render_one(
        format,
        "service_definition",
        vec![
            ("service_code", text(category.code)),
            ("attributes", Field::Records("attribute", attributes)),
        ],
    )
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RequestsQuery {
    service_request_id: Option<String>,
    service_code: Option<String>,
    status: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

/// The spec's longest `start_date`..`end_date` span, and the window when neither is given.
const WINDOW_SECONDS: i64 = 90 * 86_400;

/// The most requests one answer lists (the spec's 1000).
const MAX_REQUESTS: i64 = 1000;

/// The `submitted_at` window `[from, to]` a query asks for: the last 90 days by default, 90
/// days from `start_date` or up to `end_date` when only one is given, and at most 90 days.
fn window(start: Option<i64>, end: Option<i64>, now: i64) -> Result<(i64, Option<i64>), String> {
    match (start, end) {
        (None, None) => Ok((now - WINDOW_SECONDS, None)),
        (Some(start), None) => Ok((start, Some(start + WINDOW_SECONDS))),
        (None, Some(end)) => Ok((end - WINDOW_SECONDS, Some(end))),
        (Some(start), Some(end)) if end < start => Err("end_date is before start_date".to_owned()),
        (Some(start), Some(end)) if end - start > WINDOW_SECONDS => {
            Err("start_date and end_date may not span more than 90 days".to_owned())
        }
        (Some(start), Some(end)) => Ok((start, Some(end))),
    }
}

/// A query parameter's comma-separated values, trimmed, empty ones dropped.
fn list(raw: Option<&str>) -> Vec<&str> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// A W3C date-time parameter, or the spec's 400 naming it.
fn date_param(name: &str, raw: Option<&str>) -> Result<Option<i64>, String> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        // An unencoded `+` in a query string arrives as a space: `…T08:00:00 08:00`.
        Some(raw) => parse_iso8601(&raw.replace(' ', "+"))
            .map(Some)
            .ok_or_else(|| {
                format!("{name} is not a W3C date-time such as 2026-11-21T08:00:00+08:00")
            }),
    }
}

async fn requests(
    state: &AppState,
    community: CommunityId,
    format: Format,
    query: RequestsQuery,
) -> Response {
    let mut statuses = Vec::new();
    for wanted in list(query.status.as_deref()) {
        if !matches!(wanted, "open" | "closed") {
            return bad_request(format, "status must be open or closed");
        }
        statuses.extend(
            RequestStatus::ALL
                .into_iter()
                .filter(|s| s.open311() == wanted),
        );
    }
    let Some(ids) = list(query.service_request_id.as_deref())
        .into_iter()
        .map(TrackingNumber::parse)
        .collect::<Option<Vec<_>>>()
    else {
        return bad_request(format, "service_request_id is not a tracking number");
    };
    let categories: Vec<String> = list(query.service_code.as_deref())
        .into_iter()
        .map(str::to_owned)
        .collect();
    let dates = date_param("start_date", query.start_date.as_deref()).and_then(|start| {
        let end = date_param("end_date", query.end_date.as_deref())?;
        window(start, end, crate::db::now())
    });
    let (from, to) = match dates {
        Ok(window) => window,
        Err(description) => return bad_request(format, &description),
    };
    let filter = Open311Filter {
        community,
        ids: &ids,
        categories: &categories,
        statuses: &statuses,
        from,
        to,
        limit: MAX_REQUESTS,
    };
    let rows = match store::requests::public_list(&state.db, &filter).await {
        Ok(rows) => rows,
        Err(e) => return internal(format, e),
    };
    let records = rows.into_iter().map(request_record).collect();
    render(format, "service_requests", "request", records)
}

/// `/open311/v2/requests/{id}.json`
pub async fn request(
    State(state): State<AppState>,
    here: Result<Here, ApiError>,
    Path(file): Path<String>,
) -> Response {
    let Some((id, format)) = split_format(&file) else {
        return not_found(Format::Json);
    };
    let community = match community_or_refusal(format, here) {
        Ok(community) => community,
        Err(refusal) => return *refusal,
    };
    let Some(number) = TrackingNumber::parse(id) else {
        return not_found(format);
    };
    let filter = Open311Filter {
        community,
        ids: &[number],
        categories: &[],
        statuses: &[],
        from: 0,
        to: None,
        limit: 1,
    };
    match store::requests::public_list(&state.db, &filter).await {
        Ok(rows) if !rows.is_empty() => render(
            format,
            "service_requests",
            "request",
            rows.into_iter().map(request_record).collect(),
        ),
        Ok(_) => not_found(format),
        Err(e) => internal(format, e),
    }
}

/// `/open311/v2/tokens/{token}.json`: the request a client's token stands for.
pub async fn token(
    State(state): State<AppState>,
    here: Result<Here, ApiError>,
    Path(file): Path<String>,
) -> Response {
    let Some((token, format)) = split_format(&file) else {
        return not_found(Format::Json);
    };
    let community = match community_or_refusal(format, here) {
        Ok(community) => community,
        Err(refusal) => return *refusal,
    };
    match store::open311::token_request(&state.db, community, token).await {
        Ok(Some(number)) => render(
            format,
            "service_requests",
            "request",
            vec![vec![
                (
                    "service_request_id",
                    number.map_or(Field::Null, |n| text(n.to_string())),
                ),
                ("token", text(token)),
            ]],
        ),
        Ok(None) => not_found(format),
        Err(e) => internal(format, e),
    }
}

fn request_record(r: store::requests::PublicRequest) -> Record {
    vec![
        ("service_request_id", text(r.tracking_number.to_string())),
        ("status", text(r.status.open311())),
        ("status_notes", text(r.status.key())),
        ("service_name", text(r.service_name)),
        ("service_code", text(r.service_code)),
        ("description", text(r.title)),
        (
            "agency_responsible",
            r.handler.map(text).unwrap_or(Field::Null),
        ),
        ("service_notice", Field::Null),
        ("requested_datetime", text(china_iso8601(r.submitted_at))),
        ("updated_datetime", text(china_iso8601(r.updated_at))),
        ("expected_datetime", text(china_iso8601(r.resolve_by))),
        ("address", r.address.map(text).unwrap_or(Field::Null)),
        ("address_id", Field::Null),
        ("zipcode", Field::Null),
        (
            "lat",
            r.lat
                .map(|v| Field::Decimal(coarse(v)))
                .unwrap_or(Field::Null),
        ),
        (
            "long",
            r.lon
                .map(|v| Field::Decimal(coarse(v)))
                .unwrap_or(Field::Null),
        ),
        ("media_url", Field::Null),
    ]
}

/// What a client sent, field by field, before any check.
#[derive(Debug, Default)]
struct Submission {
    api_key: Option<String>,
    service_code: Option<String>,
    lat: Option<String>,
    long: Option<String>,
    address_string: Option<String>,
    description: Option<String>,
    /// `attribute[code]=v` and `attribute[code][]=v`, by code, values in order.
    attributes: BTreeMap<String, Vec<String>>,
}

impl Submission {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut s = Submission::default();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "api_key" => &mut s.api_key,
                "service_code" => &mut s.service_code,
                "lat" => &mut s.lat,
                "long" => &mut s.long,
                "address_string" => &mut s.address_string,
                "description" => &mut s.description,
                // first_name, last_name, email, phone, device_id, account_id, media_url,
                // address_id, jurisdiction_id: accepted and dropped. Linli keeps no contact
                // details of people who report through another system, and has one
                // jurisdiction.
                _ => {
                    if let Some(code) = attribute_code(&key) {
                        s.attributes.entry(code.to_owned()).or_default().push(value);
                    }
                    continue;
                }
            };
            *slot = Some(value).filter(|v| !v.trim().is_empty());
        }
        s
    }
}

/// `attribute[hazard]` and `attribute[kinds][]` name the question `hazard` and `kinds`.
fn attribute_code(key: &str) -> Option<&str> {
    let inner = key.strip_prefix("attribute[")?;
    let inner = inner.strip_suffix("[]").unwrap_or(inner);
    let code = inner.strip_suffix(']')?;
    (!code.is_empty() && !code.contains(['[', ']'])).then_some(code)
}

/// The attributes as answers to the category's questions: a list for a multivaluelist (even
/// when sent as one `attribute[code]=v`), otherwise the one value sent.
fn answers_from(questions: &[Question], attributes: BTreeMap<String, Vec<String>>) -> Answers {
    attributes
        .into_iter()
        .map(|(code, mut values)| {
            let multiple = questions
                .iter()
                .any(|q| q.key == code && matches!(q.kind, QuestionKind::Multiple { .. }));
            let value = if multiple || values.len() > 1 {
                values.retain(|v| !v.trim().is_empty());
                AnswerValue::Choices(values)
            } else {
                AnswerValue::Text(values.pop().unwrap_or_default())
            };
            (code, value)
        })
        .collect()
}

/// The title Linli lists a request by, made from an Open311 description (which has none): its
/// first line, cut to a title's length. Titles are public, and hotline operators often type the
/// caller's number into the description, so runs of seven or more digits are masked.
fn title_from(description: &str) -> String {
    let line = description
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let line: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = mask_long_numbers(&line);
    if line.chars().count() <= RequestTitle::MAX_CHARS {
        line
    } else {
        let mut cut: String = line.chars().take(RequestTitle::MAX_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// Replaces every digit of a run of seven or more digits (single spaces or hyphens between them
/// allowed, as in `139 1234 5678`) with `*`.
fn mask_long_numbers(text: &str) -> String {
    const LONG: usize = 7;
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // Extend the run over digits and single separators that sit between digits.
        let (start, mut end, mut digits) = (i, i, 0);
        let mut j = i;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                end = j + 1;
                j += 1;
            } else if matches!(chars[j], ' ' | '-')
                && chars.get(j + 1).is_some_and(char::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= LONG {
            for c in &mut out[start..end] {
                if c.is_ascii_digit() {
                    *c = '*';
                }
            }
        }
        i = end.max(i + 1);
    }
    out.into_iter().collect()
}

/// How far from the community's centre a reported point may be: a community and the streets
/// around it, with room for a hotline's approximate geocoding.
const REACH_METRES: f64 = 5_000.0;

/// The distance between two nearby points, in metres (flat-earth approximation, plenty at
/// the scale of `REACH_METRES`).
fn metres_between((lat0, lon0): (f64, f64), (lat, lon): (f64, f64)) -> f64 {
    const METRES_PER_DEGREE: f64 = 111_320.0;
    let dy = (lat - lat0) * METRES_PER_DEGREE;
    let dx = (lon - lon0) * METRES_PER_DEGREE * lat0.to_radians().cos();
    dx.hypot(dy)
}

/// A submission that passed every check, ready to be stored.
struct Checked {
    category: linli_domain::catalogue::RequestCategory,
    title: RequestTitle,
    description: RequestDescription,
    answers: Answers,
    location: Option<GeoPoint>,
    address: Option<String>,
}

/// The spec's field names for our refusals: `service_code`, `attribute[hazard]`, `lat/long`…
fn open311_field(field: &str) -> String {
    match field {
        "category" => "service_code".to_owned(),
        "title" | "description" => "description".to_owned(),
        "location" => "lat/long".to_owned(),
        "address" => "address_string".to_owned(),
        other => match other.strip_prefix("answers.") {
            Some(code) => format!("attribute[{code}]"),
            None => other.to_owned(),
        },
    }
}

/// `attribute[hazard]: Please choose from the options given.`, in the request's language,
/// with the same sentence the form shows.
fn describe(e: &FieldError, lang: Lang) -> String {
    format!(
        "{}: {}",
        open311_field(&e.field),
        messages::message(e.code, lang)
    )
}

/// Checks a submission with the same rules as the app's form; every problem at once.
async fn check(
    state: &AppState,
    community: CommunityId,
    s: Submission,
    lang: Lang,
) -> sqlx::Result<Result<Checked, Vec<String>>> {
    let mut problems: Vec<String> = Vec::new();
    let mut refuse = |e: FieldError| problems.push(describe(&e, lang));

    let category = match s.service_code.as_deref().map(str::trim) {
        None => {
            refuse(FieldError::new("category", ErrorCode::Required));
            None
        }
        Some(code) => {
            let category = store::requests::category(&state.db, code).await?;
            if category.is_none() {
                refuse(FieldError::new("category", ErrorCode::CategoryUnknown));
            }
            category
        }
    };
    let description = match s.description.as_deref() {
        None => {
            refuse(FieldError::new("description", ErrorCode::Required));
            None
        }
        Some(raw) => RequestDescription::parse(raw).map_err(&mut refuse).ok(),
    };
    let title = description.as_ref().and_then(|d| {
        RequestTitle::parse(&title_from(d.as_str()))
            .map_err(&mut refuse)
            .ok()
    });
    let answers = category.as_ref().and_then(|c| {
        let sent = answers_from(&c.questions, s.attributes);
        validate_answers(&c.questions, &sent)
            .map_err(|errors| errors.into_iter().for_each(&mut refuse))
            .ok()
    });
    let address = match s.address_string.as_deref() {
        None => None,
        Some(raw) => short_text("address", raw, ADDRESS_MAX_CHARS)
            .map_err(&mut refuse)
            .ok(),
    };
    let location = match (s.lat.as_deref(), s.long.as_deref()) {
        (None, None) => None,
        (Some(_), None) => {
            refuse(FieldError::new("long", ErrorCode::Required));
            None
        }
        (None, Some(_)) => {
            refuse(FieldError::new("lat", ErrorCode::Required));
            None
        }
        (Some(lat), Some(lon)) => match (lat.trim().parse::<f64>(), lon.trim().parse::<f64>()) {
            (Ok(lat), Ok(lon)) => check_point(lat, lon)
                .map_err(&mut refuse)
                .ok()
                .map(|()| GeoPoint { lat, lon }),
            _ => {
                refuse(FieldError::new("location", ErrorCode::LocationInvalid));
                None
            }
        },
    };
    // A point far from the community is a mistake (swapped lat/long, a wrong city), not ours.
    if let Some(point) = location
        && let Some(centre) = store::open311::community_centre(&state.db, community).await?
        && metres_between(centre, (point.lat, point.lon)) > REACH_METRES
    {
        problems.push(format!(
            "lat/long: {} (more than {} km from the community)",
            messages::message(ErrorCode::LocationInvalid, lang),
            REACH_METRES / 1000.0
        ));
    }
    let no_location_sent = s.lat.is_none() && s.long.is_none() && s.address_string.is_none();
    if no_location_sent {
        problems.push(format!(
            "lat/long or address_string: {}",
            messages::message(ErrorCode::Required, lang)
        ));
    }
    Ok(match (category, title, description, answers) {
        (Some(category), Some(title), Some(description), Some(answers)) if problems.is_empty() => {
            Ok(Checked {
                category,
                title,
                description,
                answers,
                location,
                address: address.filter(|a| !a.is_empty()),
            })
        }
        _ => Err(problems),
    })
}

/// As long as the app's address field.
const ADDRESS_MAX_CHARS: usize = 200;

/// `POST /open311/v2/requests.json` (and `.xml`): a request from a client with an API key,
/// sent as `application/x-www-form-urlencoded`. It enters the normal lifecycle at once, so
/// the answer carries its tracking number, and a token for clients that expect one.
pub async fn submit(
    State(state): State<AppState>,
    here: Result<Here, ApiError>,
    Path(file): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let format = match split_format(&file) {
        Some(("requests", format)) => format,
        Some((_, format)) => return not_found(format),
        None => return not_found(Format::Json),
    };
    let pairs = match form {
        Ok(Form(pairs)) => pairs,
        Err(rejection) => {
            let status = match rejection.status() {
                s @ (StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::PAYLOAD_TOO_LARGE) => s,
                _ => StatusCode::BAD_REQUEST,
            };
            return error(format, status, &rejection.body_text());
        }
    };
    let submission = Submission::from_pairs(pairs);
    let client = match submission.api_key.as_deref() {
        None => return error(format, StatusCode::FORBIDDEN, "api_key is required"),
        Some(key) => match store::open311::live_client(&state.db, &token_hash(key.trim())).await {
            Ok(Some(client)) => client,
            Ok(None) => {
                return error(
                    format,
                    StatusCode::FORBIDDEN,
                    "api_key is not valid, or was revoked",
                );
            }
            Err(e) => return internal(format, e),
        },
    };
    let lang = REQUEST_LANG.try_with(|l| *l).unwrap_or_default();
    let community = match community_or_refusal(format, here) {
        Ok(community) => community,
        Err(refusal) => return *refusal,
    };
    let checked = match check(&state, community, submission, lang).await {
        Ok(Ok(checked)) => checked,
        Ok(Err(problems)) => return errors(format, StatusCode::BAD_REQUEST, problems),
        Err(e) => return internal(format, e),
    };
    let token = match new_token() {
        Ok(token) => token,
        Err(e) => return internal(format, e),
    };
    let now = crate::db::now();
    // No author to call back and no name to hide: contact goes through the client's system.
    let row = NewRequestRow {
        community,
        category: &checked.category,
        author_id: None,
        household_id: None,
        title: checked.title.as_str(),
        description: checked.description.as_str(),
        answers: &checked.answers,
        location: checked.location,
        address: checked.address.as_deref(),
        contact: ContactPreference::App,
        hide_name: true,
        photos: &[],
        idempotency: None,
        open311: Some(Open311Source {
            client_id: client.id,
            client_name: &client.name,
            token: &token,
        }),
    };
    let Created {
        id,
        tracking_number: number,
        deadlines,
    } = match store::requests::create(&state.db, row, now).await {
        Ok(created) => created,
        Err(e) => return internal(format, e),
    };
    tracing::info!(
        request_id = id,
        category = %checked.category.code,
        open311_client = client.id,
        "request submitted through Open311"
    );
    let notice = format!(
        "已受理：{} 前响应，{} 前办结。Received: a response by {}, resolution by {} (China time).",
        china_time_label(deadlines.respond_by),
        china_time_label(deadlines.resolve_by),
        china_time_label(deadlines.respond_by),
        china_time_label(deadlines.resolve_by),
    );
    render(
        format,
        "service_requests",
        "request",
        vec![vec![
            ("service_request_id", text(number.to_string())),
            ("token", text(token)),
            ("service_notice", text(notice)),
            ("account_id", Field::Null),
        ]],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_give_the_question_code() {
        assert_eq!(attribute_code("attribute[hazard]"), Some("hazard"));
        assert_eq!(attribute_code("attribute[kinds][]"), Some("kinds"));
        for bad in [
            "attribute[]",
            "attribute[]]",
            "attribute[a][b]",
            "attribute",
            "hazard",
            "attribute[x",
        ] {
            assert_eq!(attribute_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn titles_are_the_first_line_cut_and_without_phone_numbers() {
        assert_eq!(
            title_from("\n  楼道灯不亮  \n三楼到五楼都不亮"),
            "楼道灯不亮"
        );
        let long = "很".repeat(80);
        let title = title_from(&long);
        assert_eq!(title.chars().count(), RequestTitle::MAX_CHARS);
        assert!(title.ends_with('…'));
        assert_eq!(title_from("王先生13912345678反映"), "王先生***********反映");
        assert_eq!(
            title_from("call 139 1234-5678 now"),
            "call *** ****-**** now"
        );
        // Short numbers (a floor, a building, a year) stay.
        assert_eq!(title_from("3幢2单元802室 2026年"), "3幢2单元802室 2026年");
        assert_eq!(title_from("tab\there"), "tab here");
    }

    #[test]
    fn the_date_window_is_90_days_at_most() {
        let now = 1_800_000_000;
        let day = 86_400;
        assert_eq!(window(None, None, now), Ok((now - 90 * day, None)));
        assert_eq!(
            window(Some(now), None, now),
            Ok((now, Some(now + 90 * day)))
        );
        assert_eq!(
            window(None, Some(now), now),
            Ok((now - 90 * day, Some(now)))
        );
        assert_eq!(
            window(Some(now - 90 * day), Some(now), now),
            Ok((now - 90 * day, Some(now)))
        );
        assert!(window(Some(now - 90 * day - 1), Some(now), now).is_err());
        assert!(window(Some(now), Some(now - 1), now).is_err());
    }

    #[test]
    fn multivalue_attributes_become_lists() {
        let questions: Vec<Question> = serde_json::from_str(
            r#"[{"key": "kinds", "label_zh": "", "label_en": "", "kind": {"type": "multiple", "max_choices": 3}, "required": true, "options": []},
                {"key": "where", "label_zh": "", "label_en": "", "kind": {"type": "single"}, "required": true, "options": []}]"#,
        )
        .unwrap();
        let sent = BTreeMap::from([
            ("kinds".to_owned(), vec!["smell".to_owned()]),
            ("where".to_owned(), vec!["home".to_owned()]),
            ("other".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
        ]);
        let answers = answers_from(&questions, sent);
        assert_eq!(answers["kinds"], AnswerValue::Choices(vec!["smell".into()]));
        assert_eq!(answers["where"], AnswerValue::Text("home".into()));
        assert_eq!(
            answers["other"],
            AnswerValue::Choices(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn distances_are_about_right() {
        let centre = (30.27, 120.15);
        let d = metres_between(centre, (30.28, 120.15));
        assert!((1100.0..1120.0).contains(&d), "{d}");
        let d = metres_between(centre, (30.27, 120.16));
        assert!((950.0..970.0).contains(&d), "{d}");
    }
}
