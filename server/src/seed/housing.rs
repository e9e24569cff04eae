//! Compounds, buildings, stairwells and households of the plan, and the two one-time binding
//! codes each household is issued.

use super::network::WalkPlan;
use super::outline::{building_footprint, compound_boundary, polygon_json};
use super::plan::{COMPOUNDS, CompoundPlan, Home, ROOMS_PER_FLOOR};
use super::rng::{SplitMix64, mix};
use linli_domain::{BindingCode, HouseholdRelation};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// Fixed seeds: change them and every demo code in the README changes.
const CODE_SEED: u64 = 0x4C49_4E4C_4932_3032; // "LINLI202"
const FLOOR_AREA_SEED: u64 = 0x0A4E_A5EE_D000_0001;

/// A household as written, with the names needed to find it again.
#[derive(Debug, Clone)]
pub struct Household {
    pub id: i64,
    pub compound: usize,
    pub building: i64,
    pub stairwell: i64,
    pub room: String,
}

impl Household {
    pub fn is_at(&self, home: &Home) -> bool {
        self.compound == home.compound
            && self.building == home.building
            && self.stairwell == home.stairwell
            && self.room == home.room
    }
}

/// Each household's unused codes, by household id and relation.
pub type CodeBook = HashMap<(i64, HouseholdRelation), BindingCode>;

pub async fn insert_compounds(
    conn: &mut AnyConnection,
    community_id: i64,
) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(COMPOUNDS.len());
    for compound in COMPOUNDS {
        let (lat, lon) = super::to_lat_lon(compound.centre);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO compounds (community_id, name_zh, name_en, built_year, center_lat, center_lon, \
             boundary) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(community_id)
        .bind(compound.name_zh)
        .bind(compound.name_en)
        .bind(compound.built_year)
        .bind(lat)
        .bind(lon)
        .bind(polygon_json(&compound_boundary(compound)))
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Writes every building (with its door node), stairwell and household; returns the number of
/// buildings and the households in id order.
pub async fn insert_buildings(
    conn: &mut AnyConnection,
    compound_ids: &[i64],
    walk: &WalkPlan,
    node_ids: &[i64],
) -> anyhow::Result<(usize, Vec<Household>)> {
    let mut buildings = 0;
    let mut households = Vec::new();
    for (c, compound) in COMPOUNDS.iter().enumerate() {
        for (b, building) in compound.buildings.iter().enumerate() {
            let (lat, lon) = super::to_lat_lon(compound.centre + building.offset);
            let building_id: i64 = sqlx::query_scalar(
                "INSERT INTO buildings (compound_id, number, floors, has_elevator, lat, lon, door_node_id, \
                 footprint, community_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT community_id FROM compounds WHERE id = $1)) RETURNING id",
            )
            .bind(compound_ids[c])
            .bind(building.number)
            .bind(building.floors)
            .bind(i64::from(building.has_elevator))
            .bind(lat)
            .bind(lon)
            .bind(node_ids[walk.doors[c][b]])
            .bind(polygon_json(&building_footprint(compound, building)))
            .fetch_one(&mut *conn)
            .await?;
            buildings += 1;

            for stairwell in 1..=building.stairwells {
                let stairwell_id: i64 = sqlx::query_scalar(
                    "INSERT INTO stairwells (building_id, number, community_id) VALUES ($1, $2, (SELECT community_id FROM buildings WHERE id = $1)) RETURNING id",
                )
                .bind(building_id)
                .bind(stairwell)
                .fetch_one(&mut *conn)
                .await?;
                for floor in 1..=building.floors {
                    for side in 1..=ROOMS_PER_FLOOR {
                        let room = format!("{floor}{side:02}");
                        let area =
                            floor_area_centi_m2(c, compound, building.number, stairwell, side);
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO households (stairwell_id, floor, room, floor_area_centi_m2, community_id) \
                             VALUES ($1, $2, $3, $4, (SELECT community_id FROM stairwells WHERE id = $1)) RETURNING id",
                        )
                        .bind(stairwell_id)
                        .bind(floor)
                        .bind(&room)
                        .bind(area)
                        .fetch_one(&mut *conn)
                        .await?;
                        households.push(Household {
                            id,
                            compound: c,
                            building: building.number,
                            stairwell,
                            room,
                        });
                    }
                }
            }
        }
    }
    Ok((buildings, households))
}

/// Flats stacked above each other share a floor plan, so the area depends on the stack
/// (compound, building, stairwell, side), not on the floor: 301 and 601 are the same size.
fn floor_area_centi_m2(
    compound_index: usize,
    compound: &CompoundPlan,
    building: i64,
    stairwell: i64,
    side: i64,
) -> i64 {
    let (smallest, largest) = compound.floor_area_centi_m2;
    let stack = (compound_index as u64) << 48
        | (building as u64) << 32
        | (stairwell as u64) << 16
        | side as u64;
    let spread = (largest - smallest + 1) as u64;
    smallest + (mix(stack ^ FLOOR_AREA_SEED) % spread) as i64
}

/// Draws binding codes from a fixed-seed stream, never the same one twice.
struct CodeDrawer {
    rng: SplitMix64,
    issued: HashSet<BindingCode>,
}

impl CodeDrawer {
    fn new() -> Self {
        Self {
            rng: SplitMix64::new(CODE_SEED),
            issued: HashSet::new(),
        }
    }

    fn draw(&mut self) -> BindingCode {
        loop {
            let body =
                std::array::from_fn(|_| self.rng.below(BindingCode::ALPHABET.len() as u64) as u32);
            let code = BindingCode::from_body(body);
            // 31^7 ≈ 2.7e10 bodies for ~2,000 codes: a repeat is rare, but the code is the
            // primary key, so draw again rather than fail.
            if self.issued.insert(code.clone()) {
                return code;
            }
        }
    }
}

/// Issues an owner code and a member code to every household, in household order.
pub async fn insert_binding_codes(
    conn: &mut AnyConnection,
    households: &[Household],
    now: i64,
) -> anyhow::Result<CodeBook> {
    let mut drawer = CodeDrawer::new();
    let mut book = CodeBook::with_capacity(households.len() * 2);
    for household in households {
        for relation in [HouseholdRelation::Owner, HouseholdRelation::Member] {
            let code = drawer.draw();
            sqlx::query(
                "INSERT INTO binding_codes (code, household_id, relation, created_at, community_id) VALUES ($1, $2, $3, $4, (SELECT community_id FROM households WHERE id = $2))",
            )
            .bind(code.as_str())
            .bind(household.id)
            .bind(relation.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await?;
            book.insert((household.id, relation), code);
        }
    }
    Ok(book)
}
