//! The GeoJSON (RFC 7946) the map reads: features with a point, a line or polygons, and typed
//! properties. Coordinates are `[longitude, latitude]`, as the RFC orders them.

use serde::{Deserialize, Serialize};

/// `[lon, lat]`.
pub type Position = [f64; 2];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type")]
pub enum Geometry {
    Point {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<f64>))]
        coordinates: Position,
    },
    LineString {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<f64>>))]
        coordinates: Vec<Position>,
    },
    /// Outer ring first, then holes; each ring closed (first position repeated last).
    Polygon {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Vec<f64>>>))]
        coordinates: Vec<Vec<Position>>,
    },
    MultiPolygon {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Vec<Vec<f64>>>>))]
        coordinates: Vec<Vec<Vec<Position>>>,
    },
}

/// A feature with properties `P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feature<P> {
    /// Always "Feature".
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<i64>,
    pub geometry: Geometry,
    pub properties: P,
}

impl<P> Feature<P> {
    pub fn new(id: Option<i64>, geometry: Geometry, properties: P) -> Self {
        Feature {
            kind: FeatureTag::Feature,
            id,
            geometry,
            properties,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FeatureTag {
    Feature,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CollectionTag {
    FeatureCollection,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeatureCollection<P> {
    /// Always "FeatureCollection".
    #[serde(rename = "type")]
    pub kind: CollectionTag,
    pub features: Vec<Feature<P>>,
}

impl<P> FeatureCollection<P> {
    pub fn new(features: Vec<Feature<P>>) -> Self {
        FeatureCollection {
            kind: CollectionTag::FeatureCollection,
            features,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_serialize_as_rfc_7946_says() {
        let point = Feature::new(
            Some(3),
            Geometry::Point {
                coordinates: [120.1, 30.2],
            },
            serde_json::json!({ "name": "药房" }),
        );
        let collection = FeatureCollection::new(vec![point]);
        assert_eq!(
            serde_json::to_value(&collection).unwrap(),
            serde_json::json!({
                "type": "FeatureCollection",
                "features": [{
                    "type": "Feature", "id": 3,
                    "geometry": { "type": "Point", "coordinates": [120.1, 30.2] },
                    "properties": { "name": "药房" }
                }]
            })
        );
    }
}
