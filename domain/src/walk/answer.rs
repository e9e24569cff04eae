//! The service circle's walking answer as the API sends it: the areas walkable within each time
//! and the walk to each facility.

use super::{Snap, WalkGraph, walking_areas};
use crate::api::GeoPoint;
use crate::facility::PLANNING_WALK_METRES_PER_MINUTE;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest walk an answer draws. The circles stop at 15 minutes; this leaves room for a
/// slower walker's "how far is 20 or 30 minutes" and bounds the work of one request.
pub const MAX_MINUTES: u32 = 30;

/// How far from the network a start or a facility may be and still be put on it: a building
/// set back from the street, or a facility inside a compound whose paths are not mapped.
pub const SNAP_RADIUS_M: f64 = 250.0;

/// The walking speeds offered. Planners use 60 m per minute (GB 50180-2018 is written for a
/// slow walk of 50–67 m/min); routing engines assume 80 and more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WalkSpeed {
    /// 50 m/min: an older resident, a child, a pram.
    Slow,
    /// 60 m/min: the planners' speed.
    #[default]
    Planning,
    /// 80 m/min: what map apps assume.
    Brisk,
}

impl WalkSpeed {
    pub const ALL: [WalkSpeed; 3] = [WalkSpeed::Slow, WalkSpeed::Planning, WalkSpeed::Brisk];

    pub fn metres_per_minute(self) -> u32 {
        match self {
            WalkSpeed::Slow => 50,
            WalkSpeed::Planning => PLANNING_WALK_METRES_PER_MINUTE,
            WalkSpeed::Brisk => 80,
        }
    }

    /// The offered speed of that many metres per minute, if it is one.
    pub fn from_metres_per_minute(metres: u32) -> Option<WalkSpeed> {
        WalkSpeed::ALL
            .into_iter()
            .find(|s| s.metres_per_minute() == metres)
    }
}

/// What is asked: the times to draw and the walking speed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkPlan {
    minutes: Vec<u32>,
    speed: WalkSpeed,
}

impl WalkPlan {
    /// The times (in any order, repeats ignored), each 1 to [`MAX_MINUTES`].
    pub fn new(minutes: &[u32], speed: WalkSpeed) -> Result<WalkPlan, WalkError> {
        if minutes.is_empty() {
            return Err(WalkError::NoMinutes);
        }
        if let Some(&bad) = minutes.iter().find(|&&m| m == 0 || m > MAX_MINUTES) {
            return Err(WalkError::MinutesOutOfRange(bad));
        }
        let mut minutes = minutes.to_vec();
        minutes.sort_unstable();
        minutes.dedup();
        Ok(WalkPlan { minutes, speed })
    }

    /// The life circle's three times (5, 10 and 15 minutes) at a speed.
    pub fn life_circle(speed: WalkSpeed) -> WalkPlan {
        WalkPlan {
            minutes: vec![5, 10, 15],
            speed,
        }
    }

    /// The times, shortest first.
    pub fn minutes(&self) -> &[u32] {
        &self.minutes
    }

    pub fn speed(&self) -> WalkSpeed {
        self.speed
    }

    fn metres_for(&self, minutes: u32) -> f64 {
        f64::from(minutes * self.speed.metres_per_minute())
    }

    fn longest_metres(&self) -> f64 {
        self.minutes.last().map_or(0.0, |&m| self.metres_for(m))
    }
}

/// Why no walking answer could be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkError {
    NoMinutes,
    MinutesOutOfRange(u32),
    /// No open path or street within [`SNAP_RADIUS_M`] of the start.
    StartOffNetwork,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkError::NoMinutes => write!(f, "no walking time asked for"),
            WalkError::MinutesOutOfRange(m) => {
                write!(f, "{m} minutes is not between 1 and {MAX_MINUTES}")
            }
            WalkError::StartOffNetwork => write!(
                f,
                "the start is more than {SNAP_RADIUS_M} m from any open street or path"
            ),
        }
    }
}

impl std::error::Error for WalkError {}

/// A place to walk to: a facility of the service circle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Destination {
    pub id: i64,
    pub at: GeoPoint,
}

/// A destination already put on the network (or found too far from it): what a server keeps
/// for its facilities, so that an answer does not snap them all again (see
/// [`snap_destinations`] and [`walk_answer_snapped`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnappedDestination {
    pub id: i64,
    snap: Option<Snap>,
}

/// Puts each destination on `graph`, in the order given.
pub fn snap_destinations(
    graph: &WalkGraph,
    destinations: impl IntoIterator<Item = Destination>,
) -> Vec<SnappedDestination> {
    destinations
        .into_iter()
        .map(|d| SnappedDestination {
            id: d.id,
            snap: graph.snap(d.at, SNAP_RADIUS_M),
        })
        .collect()
}

/// The area walkable within one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalkArea {
    pub minutes: u32,
    /// The walking metres of that time at the answer's speed.
    pub metres: u32,
    /// A GeoJSON MultiPolygon's `coordinates`: polygons, each an outer ring (counter-clockwise)
    /// then its holes (clockwise), each ring closed, points as [lon, lat] to 6 decimals.
    /// Empty when nothing is walkable.
    pub coordinates: Vec<Vec<Vec<[f64; 2]>>>,
}

/// The walk to one destination.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DestinationWalk {
    pub id: i64,
    /// Walking metres along the network, rounded; `None` when it is farther than the longest
    /// time asked, cut off by a closed way, or not near the network.
    pub metres: Option<u32>,
    /// Minutes at the answer's speed, rounded up: a walk of 5 min 10 s is not "5 minutes".
    pub minutes: Option<u32>,
}

/// The whole walking answer for one start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalkAnswer {
    pub metres_per_minute: u32,
    /// Where the walk starts: the start put on the nearest open street or path.
    pub start: GeoPoint,
    /// One area per time asked, shortest first; each contains the shorter ones.
    pub areas: Vec<WalkArea>,
    /// The destinations in the order given.
    pub destinations: Vec<DestinationWalk>,
}

/// What `GET /walk` answers: the walk from one start and the coverage card it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalkingAreas {
    pub walk: WalkAnswer,
    pub coverage: crate::coverage::Coverage,
}

/// Walks from `from` on `graph`: the areas for each of the plan's times and the walk to each
/// destination, up to the longest time.
pub fn walk_answer(
    graph: &WalkGraph,
    from: GeoPoint,
    plan: &WalkPlan,
    destinations: &[Destination],
) -> Result<WalkAnswer, WalkError> {
    walk_answer_snapped(
        graph,
        from,
        plan,
        &snap_destinations(graph, destinations.iter().copied()),
    )
}

/// [`walk_answer`] to destinations snapped beforehand on the same `graph`.
pub fn walk_answer_snapped(
    graph: &WalkGraph,
    from: GeoPoint,
    plan: &WalkPlan,
    destinations: &[SnappedDestination],
) -> Result<WalkAnswer, WalkError> {
    let start = graph
        .snap(from, SNAP_RADIUS_M)
        .ok_or(WalkError::StartOffNetwork)?;
    let reach = graph.reach(&start, plan.longest_metres());
    let limits: Vec<f64> = plan.minutes.iter().map(|&m| plan.metres_for(m)).collect();
    let areas = walking_areas(&reach, &limits)
        .into_iter()
        .zip(&plan.minutes)
        .map(|(shape, &minutes)| WalkArea {
            minutes,
            metres: minutes * plan.speed.metres_per_minute(),
            coordinates: shape
                .iter()
                .map(|polygon| {
                    std::iter::once(polygon.exterior())
                        .chain(polygon.interiors())
                        .map(|ring| ring.coords().map(|c| [round6(c.x), round6(c.y)]).collect())
                        .collect()
                })
                .collect(),
        })
        .collect();
    let speed = plan.speed.metres_per_minute();
    let destinations = destinations
        .iter()
        .map(|d| {
            let metres = d
                .snap
                .and_then(|snap| reach.metres_to(&snap))
                .map(|m| m.round() as u32);
            DestinationWalk {
                id: d.id,
                metres,
                minutes: metres.map(|m| m.div_ceil(speed)),
            }
        })
        .collect();
    Ok(WalkAnswer {
        metres_per_minute: plan.speed.metres_per_minute(),
        start: start.on_network,
        areas,
        destinations,
    })
}

/// Six decimals of a degree are about 10 cm: the JSON stays short, the 20 m grid unharmed.
/// Rounding is the same for every area, so shared corners stay shared and the areas nested.
fn round6(degrees: f64) -> f64 {
    (degrees * 1e6).round() / 1e6
}
