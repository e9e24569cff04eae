//! Outlines of the plan for the map's base layer: each compound's wall and each building's
//! footprint, as closed rings of plan metres, turned into GeoJSON Polygon coordinates when
//! written.

use super::geo::{Metres, m};
use super::plan::{
    BUILDING_DEPTH_M, BuildingPlan, COMPOUND_HALF_SIDE_M, CompoundPlan,
    LIFT_BLOCK_STAIRWELL_WIDTH_M, WALK_UP_STAIRWELL_WIDTH_M,
};

/// A closed ring: five corners, the first repeated last, counter-clockwise (RFC 7946's
/// orientation for an outer ring).
pub type Ring = [Metres; 5];

/// An axis-aligned rectangle around `centre`, as a closed counter-clockwise ring.
fn rectangle(centre: Metres, half_east: i32, half_north: i32) -> Ring {
    let corner = |e: i32, n: i32| centre + m(e * half_east, n * half_north);
    [
        corner(-1, -1),
        corner(1, -1),
        corner(1, 1),
        corner(-1, 1),
        corner(-1, -1),
    ]
}

/// The compound's wall: a square [`COMPOUND_HALF_SIDE_M`] from its centre on every side.
pub fn compound_boundary(compound: &CompoundPlan) -> Ring {
    rectangle(compound.centre, COMPOUND_HALF_SIDE_M, COMPOUND_HALF_SIDE_M)
}

/// The building's footprint: a west–east slab, one stairwell width per stairwell, with its
/// door in the middle of the south face.
pub fn building_footprint(compound: &CompoundPlan, building: &BuildingPlan) -> Ring {
    let width = if building.has_elevator {
        LIFT_BLOCK_STAIRWELL_WIDTH_M
    } else {
        WALK_UP_STAIRWELL_WIDTH_M
    };
    let stairwells = i32::try_from(building.stairwells).expect("a handful of stairwells");
    rectangle(
        compound.centre + building.offset,
        stairwells * width / 2,
        BUILDING_DEPTH_M / 2,
    )
}

/// GeoJSON Polygon coordinates (one outer ring of `[lon, lat]`), as stored.
pub fn polygon_json(ring: &Ring) -> String {
    let positions: Vec<[f64; 2]> = ring
        .iter()
        .map(|&at| {
            let (lat, lon) = super::to_lat_lon(at);
            [lon, lat]
        })
        .collect();
    serde_json::to_string(&[positions]).expect("numbers serialise")
}

/// The corners (south-west, north-east) of a rectangle ring.
#[cfg(test)]
pub fn extent(ring: &Ring) -> (Metres, Metres) {
    let (sw, ne) = (ring[0], ring[2]);
    debug_assert!(sw.east < ne.east && sw.north < ne.north);
    (sw, ne)
}
