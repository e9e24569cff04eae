//! The service circle's facilities (GeoJSON, public), the walking network the map draws, and
//! staff keeping the facilities current.

use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, CurrentUser};
use crate::store;
use crate::store::community::CommunityId;
use crate::store::facilities::{CheckedFacility, FacilityFilter, FacilityRecord, NetworkEdge};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use linli_domain::api::{GeoPoint, Problem};
use linli_domain::coverage::{Reached, coverage};
use linli_domain::facility::{FacilityCategory, FacilityProperties, NewFacility, check_facility};
use linli_domain::geojson::{Feature, FeatureCollection, Geometry};
use linli_domain::nearby::bounding_box;
use linli_domain::walk::{WalkError, WalkPlan, WalkSpeed, WalkingAreas, walk_answer_snapped};
use linli_domain::{ErrorCode, FieldError};

/// How far outside its walking network a facility may be placed: a building set back from
/// the last path is still in the community; a point across town is a slip of the finger.
const EXTENT_MARGIN_METRES: f64 = 200.0;

/// A facility as GeoJSON, open or not at `now`.
fn feature_at(record: &FacilityRecord, now: i64) -> Feature<FacilityProperties> {
    record.feature(crate::opening::status_kept(&record.opening_hours, now))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct FacilityQuery {
    /// `west,south,east,north` in degrees (RFC 7946 order).
    bbox: Option<String>,
    /// Category keys, comma-separated; every category when absent.
    category: Option<String>,
}

/// `west,south,east,north` as two corners.
fn parse_bbox(raw: &str) -> Option<(GeoPoint, GeoPoint)> {
    let numbers: Vec<f64> = raw
        .split(',')
        .map(|n| n.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()?;
    let [w, s, e, n] = numbers[..] else {
        return None;
    };
    let valid = (-180.0..=180.0).contains(&w)
        && (-180.0..=180.0).contains(&e)
        && (-90.0..=90.0).contains(&s)
        && (-90.0..=90.0).contains(&n)
        && w < e
        && s < n;
    valid.then_some((GeoPoint { lat: s, lon: w }, GeoPoint { lat: n, lon: e }))
}

#[utoipa::path(get, path = "/facilities", tag = "service circle", params(FacilityQuery),
    responses(
        (status = 200, body = FeatureCollection<FacilityProperties>, description = "Facilities in service as GeoJSON points, with whether each is open now (China time)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A malformed bbox or an unknown category"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<FacilityQuery>,
) -> ApiResult<impl IntoResponse> {
    let mut errors = Vec::new();
    let bbox = match query.bbox.as_deref().filter(|b| !b.trim().is_empty()) {
        Some(raw) => parse_bbox(raw).or_else(|| {
            errors.push(FieldError::new("bbox", ErrorCode::BboxInvalid));
            None
        }),
        None => None,
    };
    let mut categories = Vec::new();
    for key in query.category.iter().flat_map(|c| c.split(',')) {
        match FacilityCategory::parse(key.trim()) {
            Some(category) => categories.push(category),
            None if key.trim().is_empty() => {}
            None => {
                errors.push(FieldError::new("category", ErrorCode::CategoryUnknown));
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    let filter = FacilityFilter { bbox, categories };
    let now = crate::db::now();
    let json = state.facilities.geojson(&state.db, &filter, now).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json))
}

#[utoipa::path(get, path = "/facilities/{id}", tag = "service circle",
    params(("id" = i64, Path, description = "The facility's id")),
    responses(
        (status = 200, body = Feature<FacilityProperties>, description = "One facility"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such facility, or it has closed"),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Feature<FacilityProperties>>> {
    let record = store::facilities::get(&state.db, id)
        .await?
        .filter(|r| r.retired_at.is_none())
        .ok_or(ApiError::NotFound)?;
    Ok(Json(feature_at(&record, crate::db::now())))
}

/// A walking-network edge as a GeoJSON line, as both map layers draw it.
fn edge_line(e: &NetworkEdge) -> Geometry {
    Geometry::LineString {
        coordinates: e.line.iter().map(|p| [p.lon, p.lat]).collect(),
    }
}

/// The properties of one way of the walking network on the map.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WayProperties {
    /// `street`, `path` or `gate`.
    kind: String,
    name_zh: Option<String>,
    name_en: Option<String>,
    /// Cannot be walked through (a locked gate, works); drawn, never routed over.
    closed: bool,
}

#[utoipa::path(get, path = "/map/network", tag = "service circle",
    responses((status = 200, body = FeatureCollection<WayProperties>, description = "The community's streets, paths and gates as GeoJSON lines: the map's own base layer, which needs no tile server")))]
pub async fn network(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let edges = store::facilities::network(&state.db).await?;
    let features = edges
        .into_iter()
        .map(|e: NetworkEdge| {
            Feature::new(
                Some(e.id),
                edge_line(&e),
                WayProperties {
                    kind: e.kind,
                    name_zh: e.name_zh,
                    name_en: e.name_en,
                    closed: e.closed,
                },
            )
        })
        .collect();
    Ok(Json(FeatureCollection::new(features)))
}

/// The properties of one feature of the map's base layer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BaseProperties {
    /// `compound` or `building` (polygons); `street`, `path` or `gate` (lines).
    kind: String,
    name_zh: Option<String>,
    name_en: Option<String>,
    /// Cannot be walked through (a locked gate, works); always false for polygons.
    closed: bool,
}

#[utoipa::path(get, path = "/map/base", tag = "service circle",
    responses((status = 200, body = FeatureCollection<BaseProperties>, description = "The map's own base layer as GeoJSON: compound boundaries and building footprints as polygons first (drawn underneath), then the streets, paths and gates as lines (with their walking-network edge id, as in /map/network); needs no tile server")))]
pub async fn base(
    State(state): State<AppState>,
    community: CommunityId,
) -> ApiResult<impl IntoResponse> {
    let outlines = store::facilities::outlines(&state.db, community).await?;
    let edges = store::facilities::network(&state.db).await?;
    let polygons = outlines.into_iter().map(|o| {
        Feature::new(
            None,
            Geometry::Polygon {
                coordinates: o.rings,
            },
            BaseProperties {
                kind: o.kind.to_owned(),
                name_zh: Some(o.name_zh),
                name_en: Some(o.name_en),
                closed: false,
            },
        )
    });
    let lines = edges.into_iter().map(|e| {
        Feature::new(
            Some(e.id),
            edge_line(&e),
            BaseProperties {
                kind: e.kind,
                name_zh: e.name_zh,
                name_en: e.name_en,
                closed: e.closed,
            },
        )
    });
    Ok(Json(FeatureCollection::new(
        polygons.chain(lines).collect(),
    )))
}

/// Checks a facility as staff sent it: the shared rules, then what needs the database.
async fn checked(state: &AppState, body: &NewFacility) -> ApiResult<CheckedFacility> {
    let (category, fields) = check_facility(body).map_err(ApiError::Unprocessable)?;
    let mut errors = Vec::new();
    if !crate::opening::is_valid(&fields.opening_hours) {
        errors.push(FieldError::new(
            "opening_hours",
            ErrorCode::OpeningHoursInvalid,
        ));
    }
    let inside = match store::facilities::network_extent(&state.db).await? {
        Some((sw, ne)) => {
            let (south_west, _) = bounding_box(sw, EXTENT_MARGIN_METRES);
            let (_, north_east) = bounding_box(ne, EXTENT_MARGIN_METRES);
            (south_west.lat..=north_east.lat).contains(&fields.lat)
                && (south_west.lon..=north_east.lon).contains(&fields.lon)
        }
        None => false,
    };
    if !inside {
        errors.push(FieldError::new("location", ErrorCode::OutsideCommunity));
    }
    if errors.is_empty() {
        Ok(CheckedFacility { category, fields })
    } else {
        Err(ApiError::Unprocessable(errors))
    }
}

fn staff_only(user: &CurrentUser) -> ApiResult<()> {
    super::consultations::staff_only(user)
}

#[utoipa::path(post, path = "/staff/facilities", tag = "service circle", security(("session" = [])),
    request_body = NewFacility,
    responses(
        (status = 201, body = Feature<FacilityProperties>, description = "Added"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Unknown category, missing name, hours that do not parse, or a point outside the community"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewFacility>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let facility = checked(&state, &body).await?;
    let now = crate::db::now();
    let id = store::facilities::insert(&state.db, community, &facility, now).await?;
    state.facilities.changed();
    tracing::info!(facility_id = id, staff_id = user.id, "facility added");
    let record = store::facilities::get(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(feature_at(&record, now))))
}

#[utoipa::path(put, path = "/staff/facilities/{id}", tag = "service circle", security(("session" = [])),
    params(("id" = i64, Path, description = "The facility's id")), request_body = NewFacility,
    responses(
        (status = 200, body = Feature<FacilityProperties>, description = "Replaced"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such facility in service"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewFacility>,
) -> ApiResult<impl IntoResponse> {
    staff_only(&user)?;
    let facility = checked(&state, &body).await?;
    let now = crate::db::now();
    let updated = store::facilities::update(&state.db, community, id, &facility, now).await?;
    state.facilities.changed();
    if !updated {
        return Err(ApiError::NotFound);
    }
    tracing::info!(facility_id = id, staff_id = user.id, "facility edited");
    let record = store::facilities::get(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(feature_at(&record, now)))
}

#[utoipa::path(post, path = "/staff/facilities/{id}/retire", tag = "service circle", security(("session" = [])),
    params(("id" = i64, Path, description = "The facility's id")),
    responses(
        (status = 204, description = "Out of service: no longer on the map or in the coverage"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "Staff only"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such facility in service"),
    ))]
pub async fn retire(
    State(state): State<AppState>,
    community: CommunityId,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    staff_only(&user)?;
    let retired = store::facilities::retire(&state.db, community, id, crate::db::now()).await?;
    state.facilities.changed();
    if !retired {
        return Err(ApiError::NotFound);
    }
    tracing::info!(facility_id = id, staff_id = user.id, "facility retired");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct WalkQuery {
    /// Where the walk starts (the home, the resident's position, or a point on the map).
    lat: f64,
    lon: f64,
    /// Metres per minute: 50 (slow), 60 (the planners' speed, the default) or 80.
    speed: Option<u32>,
    /// The times to draw, comma-separated, each 1 to 30; "5,10,15" by default.
    minutes: Option<String>,
}

#[utoipa::path(get, path = "/walk", tag = "service circle", params(WalkQuery),
    responses(
        (status = 200, body = WalkingAreas, description = "Areas walkable within each time (GeoJSON MultiPolygon coordinates, along the network, not circles), the walk to every facility in service, and each category of the life-circle standard met or missing at that speed"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A speed not offered, times out of range, or a start too far from the community's network"),
    ))]
pub async fn walk(
    State(state): State<AppState>,
    Query(query): Query<WalkQuery>,
) -> ApiResult<Json<WalkingAreas>> {
    let mut errors = Vec::new();
    let speed = match query.speed {
        None => Some(WalkSpeed::default()),
        Some(m) => WalkSpeed::from_metres_per_minute(m),
    };
    if speed.is_none() {
        errors.push(FieldError::new("speed", ErrorCode::AnswerNotAnOption));
    }
    let minutes: Option<Vec<u32>> = match query.minutes.as_deref().map(str::trim) {
        None | Some("") => Some(vec![5, 10, 15]),
        Some(raw) => raw.split(',').map(|m| m.trim().parse().ok()).collect(),
    };
    let plan = match (minutes, speed) {
        (Some(minutes), Some(speed)) => WalkPlan::new(&minutes, speed).ok(),
        _ => None,
    };
    if plan.is_none() && speed.is_some() {
        errors.push(FieldError::new("minutes", ErrorCode::AnswerOutOfRange));
    }
    let on_earth = (-90.0..=90.0).contains(&query.lat) && (-180.0..=180.0).contains(&query.lon);
    if !on_earth {
        errors.push(FieldError::new("location", ErrorCode::LocationInvalid));
    }
    let (Some(plan), true) = (plan, errors.is_empty()) else {
        return Err(ApiError::Unprocessable(errors));
    };
    let graph = state.walk.graph(&state.db).await?;
    let facilities = state.facilities.all(&state.db).await?;
    let destinations = state.walk.snapped(&graph, &facilities);
    let from = GeoPoint {
        lat: query.lat,
        lon: query.lon,
    };
    let answer = walk_answer_snapped(&graph, from, &plan, &destinations).map_err(|e| match e {
        WalkError::StartOffNetwork => {
            ApiError::from(FieldError::new("location", ErrorCode::OutsideCommunity))
        }
        WalkError::NoMinutes | WalkError::MinutesOutOfRange(_) => {
            ApiError::from(FieldError::new("minutes", ErrorCode::AnswerOutOfRange))
        }
    })?;
    let reached: Vec<Reached> = answer
        .destinations
        .iter()
        .zip(facilities.iter())
        .filter_map(|(walk, facility)| {
            Some(Reached {
                facility_id: facility.record.id,
                category: facility.record.category,
                metres: f64::from(walk.metres?),
            })
        })
        .collect();
    let coverage = coverage(&reached, answer.metres_per_minute);
    Ok(Json(WalkingAreas {
        walk: answer,
        coverage,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bbox_is_west_south_east_north() {
        let (sw, ne) = parse_bbox("120.1,30.2,120.3,30.4").unwrap();
        assert_eq!((sw.lon, sw.lat, ne.lon, ne.lat), (120.1, 30.2, 120.3, 30.4));
        for bad in [
            "",
            "1,2,3",
            "120.3,30.2,120.1,30.4",
            "a,b,c,d",
            "0,0,0,0",
            "0,-91,1,1",
            "NaN,0,1,1",
        ] {
            assert!(parse_bbox(bad).is_none(), "{bad}");
        }
    }
}
