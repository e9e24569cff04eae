//! The service circle's facilities and the walking network the map draws.

use super::community::CommunityId;
use crate::db::Db;
use linli_domain::api::GeoPoint;
use linli_domain::facility::{FacilityCategory, FacilityProperties, NewFacility, Wheelchair};
use linli_domain::geojson::{Feature, Geometry};
use sqlx::any::AnyRow;
use sqlx::{Any, QueryBuilder, Row};

/// A facility as stored. Its open-now state is worked out when it is answered.
#[derive(Debug, Clone)]
pub struct FacilityRecord {
    pub id: i64,
    pub category: FacilityCategory,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
    pub at: GeoPoint,
    pub opening_hours: String,
    pub phone: Option<String>,
    pub services_zh: String,
    pub services_en: String,
    pub wheelchair: Option<Wheelchair>,
    pub retired_at: Option<i64>,
}

/// Whether a facility is open at the time of an answer, and when that next changes (unix
/// seconds), as [`crate::opening::status`] works it out.
pub type OpenStatus = (Option<bool>, Option<i64>);

impl FacilityRecord {
    /// The facility as the map's GeoJSON feature.
    pub fn feature(&self, (open_now, next_change): OpenStatus) -> Feature<FacilityProperties> {
        Feature::new(
            Some(self.id),
            Geometry::Point {
                coordinates: [self.at.lon, self.at.lat],
            },
            FacilityProperties {
                category: self.category,
                circle: self.category.circle(),
                name_zh: self.name_zh.clone(),
                name_en: self.name_en.clone(),
                address_zh: self.address_zh.clone(),
                address_en: self.address_en.clone(),
                opening_hours: self.opening_hours.clone(),
                phone: self.phone.clone(),
                services_zh: self.services_zh.clone(),
                services_en: self.services_en.clone(),
                wheelchair: self.wheelchair,
                open_now,
                next_change,
            },
        )
    }
}

const COLUMNS: &str = "id, category, name_zh, name_en, address_zh, address_en, lat, lon,
    opening_hours, phone, services_zh, services_en, wheelchair, retired_at";

/// A row whose category this build does not know (written by a newer one) is left out.
fn record(r: &AnyRow) -> Option<FacilityRecord> {
    Some(FacilityRecord {
        id: r.get("id"),
        category: FacilityCategory::parse(r.get("category"))?,
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        address_zh: r.get("address_zh"),
        address_en: r.get("address_en"),
        at: GeoPoint {
            lat: r.get("lat"),
            lon: r.get("lon"),
        },
        opening_hours: r.get("opening_hours"),
        phone: r.get("phone"),
        services_zh: r.get("services_zh"),
        services_en: r.get("services_en"),
        wheelchair: r
            .get::<Option<String>, _>("wheelchair")
            .and_then(|w| Wheelchair::parse(&w)),
        retired_at: r.get("retired_at"),
    })
}

/// Which facilities a map asks for.
#[derive(Debug, Default)]
pub struct FacilityFilter {
    /// South-west and north-east corners.
    pub bbox: Option<(GeoPoint, GeoPoint)>,
    /// Any of these; all when empty.
    pub categories: Vec<FacilityCategory>,
}

/// The facilities in service (not retired) that the filter asks for, by id.
pub async fn list(db: &Db, filter: &FacilityFilter) -> sqlx::Result<Vec<FacilityRecord>> {
    let mut query: QueryBuilder<'_, Any> = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM facilities WHERE retired_at IS NULL"
    ));
    if let Some((sw, ne)) = filter.bbox {
        query
            .push(" AND lat BETWEEN ")
            .push_bind(sw.lat)
            .push(" AND ")
            .push_bind(ne.lat)
            .push(" AND lon BETWEEN ")
            .push_bind(sw.lon)
            .push(" AND ")
            .push_bind(ne.lon);
    }
    if !filter.categories.is_empty() {
        query.push(" AND category IN (");
        let mut keys = query.separated(", ");
        for category in &filter.categories {
            keys.push_bind(category.key());
        }
        query.push(")");
    }
    query.push(" ORDER BY id");
    let (sql, args) = super::built(&mut query, crate::db::engine(db));
    let rows = sqlx::query_with(&sql, args).fetch_all(db).await?;
    Ok(rows.iter().filter_map(record).collect())
}

/// One facility, retired or not.
pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<FacilityRecord>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM facilities WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().and_then(record))
}

/// The corners of the community's walking network: where a facility can be walked to.
pub async fn network_extent(db: &Db) -> sqlx::Result<Option<(GeoPoint, GeoPoint)>> {
    let r = sqlx::query(
        "SELECT MIN(lat) AS s, MIN(lon) AS w, MAX(lat) AS n, MAX(lon) AS e FROM walk_nodes",
    )
    .fetch_one(db)
    .await?;
    let corner = |lat: Option<f64>, lon: Option<f64>| {
        Some(GeoPoint {
            lat: lat?,
            lon: lon?,
        })
    };
    Ok(corner(r.get("s"), r.get("w")).zip(corner(r.get("n"), r.get("e"))))
}

/// A facility as staff sent it, after the API's checks.
pub struct CheckedFacility {
    pub category: FacilityCategory,
    pub fields: NewFacility,
}

/// Adds a facility to the community, which looks after it; its id.
pub async fn insert(
    db: &Db,
    community: CommunityId,
    facility: &CheckedFacility,
    now: i64,
) -> sqlx::Result<i64> {
    let row = bind_details(
        sqlx::query(
            "INSERT INTO facilities (category, name_zh, name_en, address_zh, address_en,
             lat, lon, opening_hours, phone, services_zh, services_en, wheelchair, updated_at,
             community_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         RETURNING id",
        ),
        facility,
        now,
    )
    .bind(community.0)
    .fetch_one(db)
    .await?;
    Ok(row.get(0))
}

/// Binds a facility's details and `now`, in the column order of [`insert`] and [`update`].
fn bind_details<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    facility: &'q CheckedFacility,
    now: i64,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    let f = &facility.fields;
    query
        .bind(facility.category.key())
        .bind(&f.name_zh)
        .bind(&f.name_en)
        .bind(&f.address_zh)
        .bind(&f.address_en)
        .bind(f.lat)
        .bind(f.lon)
        .bind(&f.opening_hours)
        .bind(&f.phone)
        .bind(&f.services_zh)
        .bind(&f.services_en)
        .bind(f.wheelchair.map(Wheelchair::key))
        .bind(now)
}

/// Replaces a facility's details; false when the community has no such facility in service.
pub async fn update(
    db: &Db,
    community: CommunityId,
    id: i64,
    facility: &CheckedFacility,
    now: i64,
) -> sqlx::Result<bool> {
    let f = &facility.fields;
    let changed = bind_details(
        sqlx::query(
            "UPDATE facilities SET category = $1, name_zh = $2, name_en = $3, address_zh = $4,
             address_en = $5, lat = $6, lon = $7, opening_hours = $8, phone = $9, services_zh = $10,
             services_en = $11, wheelchair = $12, updated_at = $13,
             -- A moved facility is snapped to the network afresh when routed to.
             node_id = CASE WHEN lat = $14 AND lon = $15 THEN node_id END
         WHERE community_id = $17 AND id = $16 AND retired_at IS NULL",
        ),
        facility,
        now,
    )
    .bind(f.lat)
    .bind(f.lon)
    .bind(id)
    .bind(community.0)
    .execute(db)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Takes a facility out of service (it has closed); false when the community had no such
/// facility in service.
pub async fn retire(db: &Db, community: CommunityId, id: i64, now: i64) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "UPDATE facilities SET retired_at = $1, updated_at = $2
         WHERE community_id = $3 AND id = $4 AND retired_at IS NULL",
    )
    .bind(now)
    .bind(now)
    .bind(community.0)
    .bind(id)
    .execute(db)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// One walkable way of the network as the map draws it.
#[derive(Debug, Clone)]
pub struct NetworkEdge {
    pub id: i64,
    /// `street`, `path` or `gate`.
    pub kind: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub closed: bool,
    /// From one end to the other.
    pub line: Vec<GeoPoint>,
}

/// Every edge of the walking network with its line: the stored one, or its two ends.
pub async fn network(db: &Db) -> sqlx::Result<Vec<NetworkEdge>> {
    let rows = sqlx::query(
        "SELECT e.id, e.kind, e.name_zh, e.name_en, e.closed, e.geometry,
                a.lat AS a_lat, a.lon AS a_lon, b.lat AS b_lat, b.lon AS b_lon
         FROM walk_edges e
         JOIN walk_nodes a ON a.id = e.from_node
         JOIN walk_nodes b ON b.id = e.to_node
         ORDER BY e.id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let stored: Option<Vec<[f64; 2]>> = r
                .get::<Option<String>, _>("geometry")
                .and_then(|g| serde_json::from_str(&g).ok());
            let line = match stored {
                Some(points) if points.len() >= 2 => points
                    .into_iter()
                    .map(|[lon, lat]| GeoPoint { lat, lon })
                    .collect(),
                _ => vec![
                    GeoPoint {
                        lat: r.get("a_lat"),
                        lon: r.get("a_lon"),
                    },
                    GeoPoint {
                        lat: r.get("b_lat"),
                        lon: r.get("b_lon"),
                    },
                ],
            };
            NetworkEdge {
                id: r.get("id"),
                kind: r.get("kind"),
                name_zh: r.get("name_zh"),
                name_en: r.get("name_en"),
                closed: r.get::<i64, _>("closed") != 0,
                line,
            }
        })
        .collect())
}

/// The walking network as the router takes it. Read once per process (see `http::WalkNetwork`):
/// the network changes only by an import, which is run with the server stopped.
pub async fn walk_graph(db: &Db) -> sqlx::Result<linli_domain::walk::WalkGraph> {
    use linli_domain::walk::{WalkEdge, WalkGraph, WalkNode};
    let nodes = sqlx::query("SELECT id, lat, lon FROM walk_nodes")
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| WalkNode {
            id: r.get("id"),
            at: GeoPoint {
                lat: r.get("lat"),
                lon: r.get("lon"),
            },
        })
        .collect();
    let edges =
        sqlx::query("SELECT from_node, to_node, length_m, geometry, closed FROM walk_edges")
            .fetch_all(db)
            .await?
            .iter()
            .map(|r| {
                let line: Vec<[f64; 2]> = r
                    .get::<Option<String>, _>("geometry")
                    .and_then(|g| serde_json::from_str(&g).ok())
                    .unwrap_or_default();
                WalkEdge {
                    from: r.get("from_node"),
                    to: r.get("to_node"),
                    length_m: r.get("length_m"),
                    line: line
                        .into_iter()
                        .map(|[lon, lat]| GeoPoint { lat, lon })
                        .collect(),
                    closed: r.get::<i64, _>("closed") != 0,
                }
            })
            .collect();
    Ok(WalkGraph::new(nodes, edges))
}

/// An outline of the map's base layer: a compound's boundary or a building's footprint.
#[derive(Debug, Clone)]
pub struct Outline {
    /// `compound` or `building`.
    pub kind: &'static str,
    pub name_zh: String,
    pub name_en: String,
    /// GeoJSON Polygon coordinates: rings of `[lon, lat]`, the outer one first.
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// The compounds' boundaries, then the buildings' footprints (named like "3幢"), by compound
/// and number; those without a stored outline, or with one that does not read as a polygon,
/// are left out.
pub async fn outlines(db: &Db, community: CommunityId) -> sqlx::Result<Vec<Outline>> {
    let rows = sqlx::query(
        "SELECT 'compound' AS kind, id AS compound_id, name_zh, name_en, NULL AS number,
                boundary AS outline
         FROM compounds WHERE community_id = $1 AND boundary IS NOT NULL
         UNION ALL
         SELECT 'building', c.id, c.name_zh, c.name_en, b.number, b.footprint
         FROM buildings b JOIN compounds c ON c.id = b.compound_id
         WHERE b.community_id = $1 AND b.footprint IS NOT NULL
         ORDER BY kind DESC, compound_id, number",
    )
    .bind(community.0)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let rings: Vec<Vec<[f64; 2]>> = serde_json::from_str(r.get("outline")).ok()?;
            let closed = |ring: &Vec<[f64; 2]>| ring.len() >= 4 && ring.first() == ring.last();
            if rings.is_empty() || !rings.iter().all(closed) {
                return None;
            }
            let (kind, name_zh, name_en) = match r.get::<Option<i64>, _>("number") {
                None => ("compound", r.get("name_zh"), r.get("name_en")),
                Some(n) => ("building", format!("{n}幢"), format!("Building {n}")),
            };
            Some(Outline {
                kind,
                name_zh,
                name_en,
                rings,
            })
        })
        .collect())
}

/// The facilities in service, kept in memory: every map view and every walk reads all of
/// them, and handing 10,000 rows over from SQLite takes longer than the answer may. Read on
/// first use and again after any change this process makes (staff's add, edit and retire); the
/// import, the only other writer, is run with the server stopped.
#[derive(Debug, Default)]
pub struct FacilityCache(std::sync::Mutex<CacheState>);

#[derive(Debug, Default)]
struct CacheState {
    /// Bumped by each change, so that a list read before a change is not kept after it.
    generation: u64,
    list: Option<std::sync::Arc<Vec<KeptFacility>>>,
}

/// A facility in memory, with its GeoJSON feature written once: a street's view holds
/// 1,500 of them, and writing them out again on every answer took most of its time.
#[derive(Debug)]
pub struct KeptFacility {
    pub record: FacilityRecord,
    /// The feature's JSON up to where the open-now part goes (see [`FeatureJson`]).
    json: FeatureJson,
}

impl FacilityCache {
    /// Every facility in service, by id.
    pub async fn all(&self, db: &Db) -> sqlx::Result<std::sync::Arc<Vec<KeptFacility>>> {
        let generation = {
            let state = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(list) = &state.list {
                return Ok(list.clone());
            }
            state.generation
        };
        let kept: Vec<KeptFacility> = list(db, &FacilityFilter::default())
            .await?
            .into_iter()
            .map(|record| KeptFacility {
                json: FeatureJson::new(&record),
                record,
            })
            .collect();
        let list = std::sync::Arc::new(kept);
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if state.generation == generation {
            state.list = Some(list.clone());
        }
        Ok(list)
    }

    /// Those the filter asks for as a GeoJSON feature collection, each with its open-now state
    /// at `now`; the same JSON as serialising `FeatureCollection<FacilityProperties>`.
    pub async fn geojson(
        &self,
        db: &Db,
        filter: &FacilityFilter,
        now: i64,
    ) -> sqlx::Result<String> {
        let all = self.all(db).await?;
        let chosen = all.iter().filter(|f| filter.matches(&f.record));
        Ok(collection_json(chosen.map(|f| {
            let status = crate::opening::status_kept(&f.record.opening_hours, now);
            (&f.json, status)
        })))
    }

    /// Forgets the list after a change (call it once the change is committed).
    pub fn changed(&self) {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        state.list = None;
    }
}

/// A facility's feature as JSON, written once without the part that depends on the time of the
/// answer. `FacilityProperties` ends with `open_now` and `next_change` and `Feature` with its
/// properties, so a feature's JSON is this text, the two values and the two closing braces.
#[derive(Debug)]
struct FeatureJson(Box<str>);

/// How a feature written with neither value ends.
const OPEN_NOW_TAIL: &str = r#"null,"next_change":null}}"#;

impl FeatureJson {
    fn new(record: &FacilityRecord) -> Self {
        let whole = serde_json::to_string(&record.feature((None, None)))
            .expect("a feature of strings and numbers serialises");
        let head = whole
            .strip_suffix(OPEN_NOW_TAIL)
            .expect("FacilityProperties ends with open_now and next_change");
        FeatureJson(head.into())
    }

    fn write(&self, out: &mut String, (open_now, next_change): OpenStatus) {
        use std::fmt::Write;
        out.push_str(&self.0);
        let _ = match open_now {
            Some(open) => write!(out, "{open}"),
            None => write!(out, "null"),
        };
        let _ = match next_change {
            Some(at) => write!(out, r#","next_change":{at}}}}}"#),
            None => write!(out, r#","next_change":null}}}}"#),
        };
    }
}

/// A feature collection from features written once and their open-now states.
fn collection_json<'a>(features: impl Iterator<Item = (&'a FeatureJson, OpenStatus)>) -> String {
    let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
    for (i, (json, status)) in features.enumerate() {
        if i > 0 {
            out.push(',');
        }
        json.write(&mut out, status);
    }
    out.push_str("]}");
    out
}

impl FacilityFilter {
    /// The same test as [`list`]'s SQL, on a record in memory.
    pub fn matches(&self, f: &FacilityRecord) -> bool {
        let inside = self.bbox.is_none_or(|(sw, ne)| {
            (sw.lat..=ne.lat).contains(&f.at.lat) && (sw.lon..=ne.lon).contains(&f.at.lon)
        });
        inside && (self.categories.is_empty() || self.categories.contains(&f.category))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::geojson::FeatureCollection;

    fn record(id: i64, phone: Option<&str>, wheelchair: Option<Wheelchair>) -> FacilityRecord {
        FacilityRecord {
            id,
            category: FacilityCategory::Pharmacy,
            name_zh: "康\"民\"药房".into(),
            name_en: "Kangmin \\ Pharmacy".into(),
            address_zh: "幸福路 3 号".into(),
            address_en: String::new(),
            at: GeoPoint {
                lat: 30.2741,
                lon: 120.15515,
            },
            opening_hours: "Mo-Su 08:00-21:00".into(),
            phone: phone.map(Into::into),
            services_zh: "配药\n测血压".into(),
            services_en: "Prescriptions".into(),
            wheelchair,
            retired_at: None,
        }
    }

    #[test]
    fn features_written_once_are_the_json_serde_writes() {
        let records = [
            record(1, Some("0571-8888 1234"), Some(Wheelchair::Yes)),
            record(2, None, None),
            record(3, None, Some(Wheelchair::Limited)),
            record(4, Some("120"), Some(Wheelchair::No)),
        ];
        let statuses = [
            (Some(true), Some(1_790_000_000)),
            (None, None),
            (Some(false), None),
            (Some(true), Some(-5)),
        ];
        let kept: Vec<FeatureJson> = records.iter().map(FeatureJson::new).collect();
        let written = collection_json(kept.iter().zip(statuses));
        let serialised = serde_json::to_string(&FeatureCollection::new(
            records
                .iter()
                .zip(statuses)
                .map(|(r, s)| r.feature(s))
                .collect(),
        ))
        .unwrap();
        assert_eq!(written, serialised);
        assert_eq!(
            collection_json(std::iter::empty()),
            serde_json::to_string(&FeatureCollection::<FacilityProperties>::new(vec![])).unwrap()
        );
    }
}
