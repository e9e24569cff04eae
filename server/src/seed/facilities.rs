//! The facilities of the service circle, with addresses derived from where they stand.

use super::geo::Metres;
use super::network::{WalkPlan, nearest_street};
use super::plan::{self, Axis, COMPOUNDS, FACILITIES, Place};
use sqlx::AnyConnection;

/// House numbers go up by two every this many metres along a street: odd numbers on the north
/// (or east) side, even on the south (or west), as on Chinese streets.
const METRES_PER_NUMBER_PAIR: i32 = 20;

pub async fn insert_facilities(
    conn: &mut AnyConnection,
    community_id: i64,
    walk: &WalkPlan,
    node_ids: &[i64],
) -> anyhow::Result<usize> {
    for (index, facility) in FACILITIES.iter().enumerate() {
        let (at, (address_zh, address_en)) = match facility.place {
            Place::Street(at) => (at, street_address(at)),
            Place::InCompound {
                compound,
                offset,
                where_zh,
                where_en,
            } => {
                let home = &COMPOUNDS[compound];
                let address = (
                    format!("{}{}", home.name_zh, where_zh),
                    format!("{}, {}", home.name_en, where_en),
                );
                (home.centre + offset, address)
            }
        };
        let (lat, lon) = super::to_lat_lon(at);
        sqlx::query(
            "INSERT INTO facilities (community_id, category, name_zh, name_en, address_zh, address_en, \
             lat, lon, opening_hours, phone, node_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(community_id)
        .bind(facility.category.key())
        .bind(facility.name_zh)
        .bind(facility.name_en)
        .bind(address_zh)
        .bind(address_en)
        .bind(lat)
        .bind(lon)
        .bind(facility.opening_hours)
        .bind(facility.phone)
        .bind(node_ids[walk.facility_nodes[index]])
        .execute(&mut *conn)
        .await?;
    }
    Ok(FACILITIES.len())
}

/// The address of a point beside a street: the nearest street's name and a house number
/// counted along it ("桂香街79号", "No. 79 Guixiang Street").
pub fn street_address(at: Metres) -> (String, String) {
    let street = nearest_street(at);
    let (along, odd_side) = match street.axis {
        Axis::EastWest { north } => (at.east - plan::GRID_WEST, at.north > north),
        Axis::NorthSouth { east } => (at.north - plan::GRID_SOUTH, at.east > east),
    };
    let number = along.max(0) / METRES_PER_NUMBER_PAIR * 2 + if odd_side { 1 } else { 2 };
    (
        format!("{}{}号", street.name_zh, number),
        format!("No. {} {}", number, street.name_en),
    )
}
