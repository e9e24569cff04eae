//! How well a home is served: for each category of the life-circle standard (GB 50180-2018),
//! the nearest facility on foot and whether it lies within the circle the standard puts that
//! category in, at the walking speed chosen. A slower walker sees more missing, which is the
//! point: the standard's minutes are a walk, not a distance on a map.

use crate::facility::{Circle, FacilityCategory};
use serde::{Deserialize, Serialize};

/// The walking minutes within which the standard expects a category of this circle. The
/// block-level ones (property office, parcel point) are expected inside the compound, a walk
/// of a few minutes at most.
pub fn circle_minutes(circle: Circle) -> u32 {
    match circle {
        Circle::Block | Circle::FiveMinute => 5,
        Circle::TenMinute => 10,
        Circle::FifteenMinute => 15,
    }
}

/// A facility reached on foot: its id, category, and the walking metres to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reached {
    pub facility_id: i64,
    pub category: FacilityCategory,
    pub metres: f64,
}

/// One category's line on the coverage card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCoverage {
    pub category: FacilityCategory,
    pub circle: Circle,
    /// The standard's walking minutes for this category.
    pub within_minutes: u32,
    /// The nearest facility of the category on foot, if any can be reached at all.
    pub nearest: Option<NearestFacility>,
    /// Reached within `within_minutes`.
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearestFacility {
    pub facility_id: i64,
    /// Whole metres along the network.
    pub metres: u32,
    /// Walking minutes at the chosen speed, rounded up (a 4.2-minute walk is "5 minutes").
    pub minutes: u32,
}

/// The coverage card: every category of the standard, and how many are met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub metres_per_minute: u32,
    pub categories: Vec<CategoryCoverage>,
    pub met: u32,
    pub total: u32,
}

/// Minutes a walk of `metres` takes at `metres_per_minute`, rounded up.
pub fn walking_minutes(metres: f64, metres_per_minute: u32) -> u32 {
    (metres / f64::from(metres_per_minute.max(1)))
        .ceil()
        .max(0.0) as u32
}

/// The coverage card from the facilities reached (in any order), at a walking speed.
pub fn coverage(reached: &[Reached], metres_per_minute: u32) -> Coverage {
    let categories: Vec<CategoryCoverage> = FacilityCategory::ALL
        .iter()
        .map(|&category| {
            let nearest = reached
                .iter()
                .filter(|r| r.category == category && r.metres.is_finite())
                .min_by(|a, b| a.metres.total_cmp(&b.metres))
                .map(|r| NearestFacility {
                    facility_id: r.facility_id,
                    metres: r.metres.round() as u32,
                    minutes: walking_minutes(r.metres, metres_per_minute),
                });
            let within_minutes = circle_minutes(category.circle());
            let met = nearest
                .as_ref()
                .is_some_and(|n| n.minutes <= within_minutes);
            CategoryCoverage {
                category,
                circle: category.circle(),
                within_minutes,
                nearest,
                met,
            }
        })
        .collect();
    Coverage {
        metres_per_minute,
        met: categories.iter().filter(|c| c.met).count() as u32,
        total: categories.len() as u32,
        categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: i64, category: FacilityCategory, metres: f64) -> Reached {
        Reached {
            facility_id: id,
            category,
            metres,
        }
    }

    #[test]
    fn the_nearest_counts_against_its_circle_at_the_chosen_speed() {
        let reached = [
            at(1, FacilityCategory::Pharmacy, 420.0),
            at(2, FacilityCategory::Pharmacy, 290.0),
            at(3, FacilityCategory::PrimarySchool, 650.0),
            at(4, FacilityCategory::MiddleSchool, 880.0),
        ];
        let card = coverage(&reached, 60);
        let line = |c: FacilityCategory| card.categories.iter().find(|l| l.category == c).unwrap();
        // 290 m at 60 m/min: 4.83 min, "5 minutes": within the 5-minute circle.
        let pharmacy = line(FacilityCategory::Pharmacy);
        assert_eq!(pharmacy.nearest.as_ref().unwrap().facility_id, 2);
        assert_eq!(pharmacy.nearest.as_ref().unwrap().minutes, 5);
        assert!(pharmacy.met);
        // 650 m is a 10.8-minute walk, "11 minutes": outside the 10-minute circle.
        assert!(!line(FacilityCategory::PrimarySchool).met);
        assert_eq!(
            line(FacilityCategory::PrimarySchool)
                .nearest
                .as_ref()
                .unwrap()
                .minutes,
            11
        );
        assert!(
            line(FacilityCategory::MiddleSchool).met,
            "880 m: 15 minutes"
        );
        assert!(!line(FacilityCategory::Kindergarten).met);
        assert!(line(FacilityCategory::Kindergarten).nearest.is_none());
        assert_eq!(card.total as usize, FacilityCategory::ALL.len());

        // A slow walker (50 m/min): the pharmacy is 6 minutes away, the middle school 18.
        let slow = coverage(&reached, 50);
        let line = |c: FacilityCategory| slow.categories.iter().find(|l| l.category == c).unwrap();
        assert!(!line(FacilityCategory::Pharmacy).met);
        assert!(!line(FacilityCategory::MiddleSchool).met);
        assert!(slow.met < card.met);
    }

    #[test]
    fn minutes_round_up() {
        assert_eq!(walking_minutes(0.0, 60), 0);
        assert_eq!(walking_minutes(60.0, 60), 1);
        assert_eq!(walking_minutes(61.0, 60), 2);
        assert_eq!(walking_minutes(900.0, 60), 15);
    }
}
