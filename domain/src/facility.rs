//! The 15-minute life circle (GB 50180-2018): facility categories and the circle each
//! belongs to, with the planners' walking speed.

use serde::{Deserialize, Serialize};

/// The walking speed planners use for the life circle: a slow walk, 60 m per minute
/// (not the 80+ m/min routing engines assume).
pub const PLANNING_WALK_METRES_PER_MINUTE: u32 = 60;

/// The circle of GB 50180-2018 that a facility is expected in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Circle {
    /// Inside the compound (居住街坊): property office, parcel point, play space, waste point.
    Block,
    /// About 300 m.
    FiveMinute,
    /// About 500 m.
    TenMinute,
    /// 800–1000 m.
    FifteenMinute,
}

impl Circle {
    /// The walking distance the standard sets as this circle's reach, in metres.
    pub fn reach_metres(self) -> u32 {
        match self {
            Circle::Block => 150,
            Circle::FiveMinute => 300,
            Circle::TenMinute => 500,
            Circle::FifteenMinute => 1000,
        }
    }
}

macro_rules! categories {
    ($( $variant:ident => $key:literal, $circle:ident; )*) => {
        /// What a facility of the service circle is. The key names its label in the locale files
        /// (`facility.<key>`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum FacilityCategory { $( $variant, )* }

        impl FacilityCategory {
            pub const ALL: &'static [FacilityCategory] = &[ $( FacilityCategory::$variant, )* ];

            pub fn key(self) -> &'static str {
                match self { $( FacilityCategory::$variant => $key, )* }
            }

            pub fn parse(key: &str) -> Option<Self> {
                match key { $( $key => Some(FacilityCategory::$variant), )* _ => None }
            }

            /// The circle GB 50180-2018 expects this facility in.
            pub fn circle(self) -> Circle {
                match self { $( FacilityCategory::$variant => Circle::$circle, )* }
            }
        }
    };
}

categories! {
    MiddleSchool => "middle_school", FifteenMinute;
    HealthServiceCentre => "health_service_centre", FifteenMinute;
    CulturalCentre => "cultural_centre", FifteenMinute;
    LargeSportsGround => "large_sports_ground", FifteenMinute;
    ElderlyCareHome => "elderly_care_home", FifteenMinute;
    MarketMall => "market_mall", FifteenMinute;
    Bank => "bank", FifteenMinute;
    PostOffice => "post_office", FifteenMinute;
    StreetOffice => "street_office", FifteenMinute;
    PoliceStation => "police_station", FifteenMinute;
    PrimarySchool => "primary_school", TenMinute;
    FreshMarket => "fresh_market", TenMinute;
    SportsGround => "sports_ground", TenMinute;
    AfterSchoolCare => "after_school_care", TenMinute;
    CommunityServiceStation => "community_service_station", FiveMinute;
    Kindergarten => "kindergarten", FiveMinute;
    ElderlyDayCare => "elderly_day_care", FiveMinute;
    HealthStation => "health_station", FiveMinute;
    CommunityCanteen => "community_canteen", FiveMinute;
    SmallSportsGround => "small_sports_ground", FiveMinute;
    ConvenienceStore => "convenience_store", FiveMinute;
    Pharmacy => "pharmacy", FiveMinute;
    PublicToilet => "public_toilet", FiveMinute;
    BusStop => "bus_stop", FiveMinute;
    Park => "park", TenMinute;
    PropertyOffice => "property_office", Block;
    ParcelStation => "parcel_station", Block;
    PlaySpace => "play_space", Block;
    WasteCollection => "waste_collection", Block;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &c in FacilityCategory::ALL {
            assert_eq!(FacilityCategory::parse(c.key()), Some(c));
            assert!(seen.insert(c.key()), "duplicate key {}", c.key());
        }
        assert_eq!(FacilityCategory::parse("casino"), None);
    }

    #[test]
    fn circles_follow_the_standard() {
        assert_eq!(FacilityCategory::PrimarySchool.circle(), Circle::TenMinute);
        assert_eq!(FacilityCategory::Kindergarten.circle(), Circle::FiveMinute);
        assert_eq!(
            FacilityCategory::MiddleSchool.circle(),
            Circle::FifteenMinute
        );
        assert_eq!(FacilityCategory::ParcelStation.circle(), Circle::Block);
        assert!(Circle::FiveMinute.reach_metres() < Circle::TenMinute.reach_metres());
        assert_eq!(
            Circle::FifteenMinute.reach_metres() / PLANNING_WALK_METRES_PER_MINUTE,
            16
        );
    }
}
