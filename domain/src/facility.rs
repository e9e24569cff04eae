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

/// What a resident looks for on the map: the standard's categories gathered into a few groups
/// for the filter chips ("养老" shows both day care and care homes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityGroup {
    ElderlyCare,
    Health,
    Education,
    Food,
    SportAndLeisure,
    Services,
}

impl FacilityGroup {
    pub const ALL: [FacilityGroup; 6] = [
        FacilityGroup::ElderlyCare,
        FacilityGroup::Health,
        FacilityGroup::Education,
        FacilityGroup::Food,
        FacilityGroup::SportAndLeisure,
        FacilityGroup::Services,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FacilityGroup::ElderlyCare => "elderly_care",
            FacilityGroup::Health => "health",
            FacilityGroup::Education => "education",
            FacilityGroup::Food => "food",
            FacilityGroup::SportAndLeisure => "sport_and_leisure",
            FacilityGroup::Services => "services",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        FacilityGroup::ALL.into_iter().find(|g| g.key() == key)
    }
}

impl FacilityCategory {
    /// The filter group the category is shown under.
    pub fn group(self) -> FacilityGroup {
        use FacilityCategory as C;
        match self {
            C::ElderlyCareHome | C::ElderlyDayCare => FacilityGroup::ElderlyCare,
            C::HealthServiceCentre | C::HealthStation | C::Pharmacy => FacilityGroup::Health,
            C::MiddleSchool | C::PrimarySchool | C::Kindergarten | C::AfterSchoolCare => {
                FacilityGroup::Education
            }
            C::CommunityCanteen | C::FreshMarket | C::MarketMall | C::ConvenienceStore => {
                FacilityGroup::Food
            }
            C::LargeSportsGround
            | C::SportsGround
            | C::SmallSportsGround
            | C::Park
            | C::PlaySpace
            | C::CulturalCentre => FacilityGroup::SportAndLeisure,
            C::StreetOffice
            | C::PoliceStation
            | C::Bank
            | C::PostOffice
            | C::CommunityServiceStation
            | C::PublicToilet
            | C::BusStop
            | C::PropertyOffice
            | C::ParcelStation
            | C::WasteCollection => FacilityGroup::Services,
        }
    }
}

/// Whether a wheelchair gets in, as OpenStreetMap's `wheelchair=*` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Wheelchair {
    Yes,
    Limited,
    No,
}

impl Wheelchair {
    pub fn key(self) -> &'static str {
        match self {
            Wheelchair::Yes => "yes",
            Wheelchair::Limited => "limited",
            Wheelchair::No => "no",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "yes" => Some(Wheelchair::Yes),
            "limited" => Some(Wheelchair::Limited),
            "no" => Some(Wheelchair::No),
            _ => None,
        }
    }
}

/// A facility as the map and its list show it: a GeoJSON feature's properties (the point is
/// the feature's geometry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityProperties {
    pub category: FacilityCategory,
    /// The circle of the standard the category belongs to.
    pub circle: Circle,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
    /// OpenStreetMap `opening_hours` syntax, as staff or the map's contributors wrote it.
    pub opening_hours: String,
    pub phone: Option<String>,
    pub services_zh: String,
    pub services_en: String,
    pub wheelchair: Option<Wheelchair>,
    // The two fields that depend on the time of the answer come last: the server writes the
    // rest of a feature once and appends these to it on every answer.
    /// Open at the time of the answer (China time); none when the hours are not given.
    pub open_now: Option<bool>,
    /// When that changes next, unix seconds; none when it never does (24/7) or is unknown.
    pub next_change: Option<i64>,
}

/// What staff send to add or edit a facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewFacility {
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub address_zh: String,
    #[serde(default)]
    pub address_en: String,
    pub lat: f64,
    pub lon: f64,
    /// OpenStreetMap `opening_hours` syntax; empty when unknown.
    #[serde(default)]
    pub opening_hours: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub services_zh: String,
    #[serde(default)]
    pub services_en: String,
    #[serde(default)]
    pub wheelchair: Option<Wheelchair>,
}

/// The longest name, address or list of services a facility may have.
pub const FACILITY_TEXT_MAX_CHARS: usize = 200;

/// Checks what staff sent for a facility, apart from what needs the server (whether the hours
/// parse, whether the point lies in the community): answers the category, and the fields
/// trimmed, with an English name defaulting to the Chinese one.
pub fn check_facility(
    new: &NewFacility,
) -> Result<(FacilityCategory, NewFacility), Vec<crate::FieldError>> {
    use crate::request::short_text;
    use crate::{ErrorCode, FieldError};
    let mut errors = Vec::new();
    let category = FacilityCategory::parse(new.category.trim());
    if new.category.trim().is_empty() {
        errors.push(FieldError::new("category", ErrorCode::Required));
    } else if category.is_none() {
        errors.push(FieldError::new("category", ErrorCode::CategoryUnknown));
    }
    let mut text = |field: &'static str, raw: &str| {
        short_text(field, raw, FACILITY_TEXT_MAX_CHARS)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let name_zh = text("name_zh", &new.name_zh);
    let name_en = text("name_en", &new.name_en);
    let address_zh = text("address_zh", &new.address_zh);
    let address_en = text("address_en", &new.address_en);
    let services_zh = text("services_zh", &new.services_zh);
    let services_en = text("services_en", &new.services_en);
    if name_zh.is_empty() && !errors.iter().any(|e| e.field == "name_zh") {
        errors.push(FieldError::new("name_zh", ErrorCode::Required));
    }
    let phone = new
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    let dialable = |p: &str| {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        (3..=15).contains(&digits) && p.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c))
    };
    if phone.as_deref().is_some_and(|p| !dialable(p)) {
        errors.push(FieldError::new("phone", ErrorCode::PhoneInvalid));
    }
    let on_earth = new.lat.is_finite()
        && new.lon.is_finite()
        && (-90.0..=90.0).contains(&new.lat)
        && (-180.0..=180.0).contains(&new.lon);
    if !on_earth {
        errors.push(FieldError::new("location", ErrorCode::LocationInvalid));
    }
    match category {
        Some(category) if errors.is_empty() => Ok((
            category,
            NewFacility {
                category: category.key().to_owned(),
                name_en: if name_en.is_empty() {
                    name_zh.clone()
                } else {
                    name_en
                },
                name_zh,
                address_zh,
                address_en,
                lat: new.lat,
                lon: new.lon,
                opening_hours: new.opening_hours.trim().to_owned(),
                phone,
                services_zh,
                services_en,
                wheelchair: new.wheelchair,
            },
        )),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_categories_and_its_key_round_trips() {
        for group in FacilityGroup::ALL {
            assert_eq!(FacilityGroup::parse(group.key()), Some(group));
            assert!(
                FacilityCategory::ALL.iter().any(|c| c.group() == group),
                "{group:?}"
            );
        }
        assert_eq!(
            FacilityCategory::ALL
                .iter()
                .filter(|c| c.group() == FacilityGroup::ElderlyCare)
                .count(),
            2
        );
        assert_eq!(FacilityGroup::parse("nonsense"), None);
    }

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &c in FacilityCategory::ALL {
            assert_eq!(FacilityCategory::parse(c.key()), Some(c));
            assert!(seen.insert(c.key()), "duplicate key {}", c.key());
        }
        assert_eq!(FacilityCategory::parse("casino"), None);
    }

    fn pharmacy() -> NewFacility {
        NewFacility {
            category: "pharmacy".into(),
            name_zh: " 康民大药房 ".into(),
            name_en: "".into(),
            address_zh: "青樟路 8 号".into(),
            address_en: "".into(),
            lat: 30.28,
            lon: 120.16,
            opening_hours: " Mo-Su 08:00-22:00 ".into(),
            phone: Some(" 0571-85217346 ".into()),
            services_zh: "".into(),
            services_en: "".into(),
            wheelchair: Some(Wheelchair::Yes),
        }
    }

    #[test]
    fn a_facility_is_checked_and_trimmed() {
        use crate::ErrorCode;
        let (category, checked) = check_facility(&pharmacy()).unwrap();
        assert_eq!(category, FacilityCategory::Pharmacy);
        assert_eq!(checked.name_zh, "康民大药房");
        assert_eq!(checked.name_en, "康民大药房", "the Chinese name stands in");
        assert_eq!(checked.opening_hours, "Mo-Su 08:00-22:00");
        assert_eq!(checked.phone.as_deref(), Some("0571-85217346"));

        let refused = |f: NewFacility| {
            check_facility(&f)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.field.into_owned(), e.code))
                .collect::<Vec<_>>()
        };
        let unchosen = NewFacility {
            category: " ".into(),
            ..pharmacy()
        };
        assert_eq!(
            refused(unchosen),
            [("category".to_owned(), ErrorCode::Required)]
        );
        let bad = NewFacility {
            category: "casino".into(),
            name_zh: "  ".into(),
            phone: Some("call me".into()),
            lat: f64::NAN,
            ..pharmacy()
        };
        assert_eq!(
            refused(bad),
            [
                ("category".to_owned(), ErrorCode::CategoryUnknown),
                ("name_zh".to_owned(), ErrorCode::Required),
                ("phone".to_owned(), ErrorCode::PhoneInvalid),
                ("location".to_owned(), ErrorCode::LocationInvalid),
            ]
        );
        let long = NewFacility {
            services_zh: "配".repeat(FACILITY_TEXT_MAX_CHARS + 1),
            ..pharmacy()
        };
        assert_eq!(
            refused(long),
            [("services_zh".to_owned(), ErrorCode::AnswerTooLong)]
        );
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
