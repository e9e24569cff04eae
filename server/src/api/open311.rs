//! Open311 GeoReport v2 at `/open311/v2`, the read side: discovery, services, service
//! definitions (the extra questions as attributes), requests and one request, each in `.json`
//! and `.xml` with the spec's element names, and its error format (`[{code, description}]`).
//! Requests are public data here: the title stands for the description, no names, no
//! contact details, coordinates rounded to about 100 m.
//! One record model is rendered to both formats, so they cannot drift apart.

use crate::http::AppState;
use crate::store;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_domain::catalogue::QuestionKind;
use linli_domain::figures::china_iso8601;
use linli_domain::request::TrackingNumber;
use serde_json::{Map, Value};

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
    let record = vec![
        ("code", Field::Number(i64::from(status.as_u16()))),
        ("description", text(description)),
    ];
    let mut response = render(format, "errors", "error", vec![record]);
    *response.status_mut() = status;
    response
}

fn not_found(format: Format) -> Response {
    error(format, StatusCode::NOT_FOUND, "not found")
}

fn internal(e: sqlx::Error) -> Response {
    tracing::error!(error = ?e, "open311 query failed");
    error(
        Format::Json,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error",
    )
}

/// `/open311/v2/discovery.json`
fn discovery(format: Format) -> Response {
    let endpoint = vec![
        (
            "specification",
            text("http://wiki.open311.org/GeoReport_v2"),
        ),
        ("url", text("/open311/v2")),
        ("changeset", text("2026-11-21T00:00:00+08:00")),
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
            ("changeset", text("2026-11-21T00:00:00+08:00")),
            ("contact", text("社区服务站 Community service station")),
            ("key_service", text("Write access is not offered yet.")),
            ("endpoints", Field::Records("endpoint", vec![endpoint])),
        ],
    )
}

/// `/open311/v2/discovery.json`, `/open311/v2/services.json` and `/open311/v2/requests.json`
pub async fn collection(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<RequestsQuery>,
) -> Response {
    match split_format(&file) {
        Some(("discovery", format)) => discovery(format),
        Some(("services", format)) => services(&state, format).await,
        Some(("requests", format)) => requests(&state, format, query).await,
        Some((_, format)) => not_found(format),
        None => not_found(Format::Json),
    }
}

async fn services(state: &AppState, format: Format) -> Response {
    let categories = match store::requests::categories(&state.db).await {
        Ok(c) => c,
        Err(e) => return internal(e),
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
        Err(e) => return internal(e),
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
}

async fn requests(state: &AppState, format: Format, query: RequestsQuery) -> Response {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s @ ("open" | "closed")) => Some(s),
        Some(_) => {
            return error(
                format,
                StatusCode::BAD_REQUEST,
                "status must be open or closed",
            );
        }
    };
    let ids: Vec<TrackingNumber> = match query.service_request_id.as_deref() {
        None | Some("") => Vec::new(),
        Some(raw) => match raw
            .split(',')
            .map(TrackingNumber::parse)
            .collect::<Option<Vec<_>>>()
        {
            Some(ids) => ids,
            None => {
                return error(
                    format,
                    StatusCode::BAD_REQUEST,
                    "service_request_id is not a tracking number",
                );
            }
        },
    };
    let rows =
        match store::requests::public_list(&state.db, query.service_code.as_deref(), &ids).await {
            Ok(rows) => rows,
            Err(e) => return internal(e),
        };
    let records = rows
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status.open311() == s))
        .map(request_record)
        .collect();
    render(format, "service_requests", "request", records)
}

/// `/open311/v2/requests/{id}.json`
pub async fn request(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, format)) = split_format(&file) else {
        return not_found(Format::Json);
    };
    let Some(number) = TrackingNumber::parse(id) else {
        return not_found(format);
    };
    match store::requests::public_list(&state.db, None, &[number]).await {
        Ok(rows) if !rows.is_empty() => render(
            format,
            "service_requests",
            "request",
            rows.into_iter().map(request_record).collect(),
        ),
        Ok(_) => not_found(format),
        Err(e) => internal(e),
    }
}

fn request_record(r: store::requests::PublicRequest) -> Record {
    // About 100 m: enough to find the place, not the door.
    let coarse = |x: f64| (x * 1000.0).round() / 1000.0;
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
