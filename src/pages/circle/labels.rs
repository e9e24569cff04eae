//! The service circle's words: the standard's categories, the filter groups, the circles and
//! wheelchair access, in the current language.

use crate::i18n::*;
use leptos_i18n::I18nContext;
use linli_domain::facility::{Circle, FacilityCategory, FacilityGroup, Wheelchair};

pub fn category_label(i18n: I18nContext<Locale>, category: FacilityCategory) -> String {
    use FacilityCategory as C;
    let text = match category {
        C::MiddleSchool => t_string!(i18n, facility_category.middle_school),
        C::HealthServiceCentre => t_string!(i18n, facility_category.health_service_centre),
        C::CulturalCentre => t_string!(i18n, facility_category.cultural_centre),
        C::LargeSportsGround => t_string!(i18n, facility_category.large_sports_ground),
        C::ElderlyCareHome => t_string!(i18n, facility_category.elderly_care_home),
        C::MarketMall => t_string!(i18n, facility_category.market_mall),
        C::Bank => t_string!(i18n, facility_category.bank),
        C::PostOffice => t_string!(i18n, facility_category.post_office),
        C::StreetOffice => t_string!(i18n, facility_category.street_office),
        C::PoliceStation => t_string!(i18n, facility_category.police_station),
        C::PrimarySchool => t_string!(i18n, facility_category.primary_school),
        C::FreshMarket => t_string!(i18n, facility_category.fresh_market),
        C::SportsGround => t_string!(i18n, facility_category.sports_ground),
        C::AfterSchoolCare => t_string!(i18n, facility_category.after_school_care),
        C::CommunityServiceStation => t_string!(i18n, facility_category.community_service_station),
        C::Kindergarten => t_string!(i18n, facility_category.kindergarten),
        C::ElderlyDayCare => t_string!(i18n, facility_category.elderly_day_care),
        C::HealthStation => t_string!(i18n, facility_category.health_station),
        C::CommunityCanteen => t_string!(i18n, facility_category.community_canteen),
        C::SmallSportsGround => t_string!(i18n, facility_category.small_sports_ground),
        C::ConvenienceStore => t_string!(i18n, facility_category.convenience_store),
        C::Pharmacy => t_string!(i18n, facility_category.pharmacy),
        C::PublicToilet => t_string!(i18n, facility_category.public_toilet),
        C::BusStop => t_string!(i18n, facility_category.bus_stop),
        C::Park => t_string!(i18n, facility_category.park),
        C::PropertyOffice => t_string!(i18n, facility_category.property_office),
        C::ParcelStation => t_string!(i18n, facility_category.parcel_station),
        C::PlaySpace => t_string!(i18n, facility_category.play_space),
        C::WasteCollection => t_string!(i18n, facility_category.waste_collection),
    };
    text.to_string()
}

pub fn group_label(i18n: I18nContext<Locale>, group: FacilityGroup) -> String {
    let text = match group {
        FacilityGroup::ElderlyCare => t_string!(i18n, facility_group.elderly_care),
        FacilityGroup::Health => t_string!(i18n, facility_group.health),
        FacilityGroup::Education => t_string!(i18n, facility_group.education),
        FacilityGroup::Food => t_string!(i18n, facility_group.food),
        FacilityGroup::SportAndLeisure => t_string!(i18n, facility_group.sport_and_leisure),
        FacilityGroup::Services => t_string!(i18n, facility_group.services),
    };
    text.to_string()
}

pub fn circle_label(i18n: I18nContext<Locale>, circle: Circle) -> String {
    let text = match circle {
        Circle::Block => t_string!(i18n, circle.circle_block),
        Circle::FiveMinute => t_string!(i18n, circle.circle_five),
        Circle::TenMinute => t_string!(i18n, circle.circle_ten),
        Circle::FifteenMinute => t_string!(i18n, circle.circle_fifteen),
    };
    text.to_string()
}

pub fn wheelchair_label(i18n: I18nContext<Locale>, access: Wheelchair) -> String {
    let text = match access {
        Wheelchair::Yes => t_string!(i18n, circle.wheelchair_yes),
        Wheelchair::Limited => t_string!(i18n, circle.wheelchair_limited),
        Wheelchair::No => t_string!(i18n, circle.wheelchair_no),
    };
    text.to_string()
}
