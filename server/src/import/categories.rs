//! Which OpenStreetMap tags make a place a facility of the service circle, and of which
//! [`FacilityCategory`].

use linli_domain::facility::FacilityCategory;

/// One mapping: an element carrying every tag of `tags` is a facility of `category`.
#[derive(Debug, Clone, Copy)]
pub struct TagRule {
    pub tags: &'static [(&'static str, &'static str)],
    pub category: FacilityCategory,
}

const fn rule(
    tags: &'static [(&'static str, &'static str)],
    category: FacilityCategory,
) -> TagRule {
    TagRule { tags, category }
}

use FacilityCategory as C;

/// OpenStreetMap tags → the GB 50180-2018 facility categories. The first rule whose tags all
/// match wins, so the narrower rules (two tags) come before the broader ones they refine.
///
/// | OSM tags | category | why |
/// |---|---|---|
/// | `amenity=school` + `isced:level=2`, `3` or `2;3` | `middle_school` | ISCED 2–3 is lower and upper secondary: 初中/高中 |
/// | `amenity=school` | `primary_school` | a school without a level is most often a primary (or all-through) school, the 10-minute one |
/// | `amenity=kindergarten`, `amenity=childcare` | `kindergarten` | 幼儿园 and 托儿所 are one 5-minute item of the standard |
/// | `amenity=prep_school` | `after_school_care` | tutoring after lessons is what the "4:30 classroom" offers |
/// | `amenity=clinic`, `amenity=hospital`, `healthcare=centre`, `healthcare=clinic`, `healthcare=hospital` | `health_service_centre` | a clinic with several doctors is the 社区卫生服务中心's role; a hospital covers it too |
/// | `amenity=doctors`, `healthcare=doctor` | `health_station` | a single practice is the 5-minute 卫生服务站 |
/// | `amenity=pharmacy`, `healthcare=pharmacy` | `pharmacy` | 药店 |
/// | `social_facility=nursing_home`, `social_facility=assisted_living`, `amenity=nursing_home` | `elderly_care_home` | residential care for the elderly: 养老院 |
/// | `social_facility=day_care` + `social_facility:for=senior`, `amenity=social_facility` + `social_facility:for=senior` | `elderly_day_care` | day services for seniors: 老年人日间照料中心 |
/// | `social_facility=soup_kitchen` | `community_canteen` | meals for those who need them: 社区食堂 / 老年餐桌 |
/// | `amenity=community_centre`, `amenity=social_centre` | `community_service_station` | the neighbourhood house is where residents meet the community's services |
/// | `amenity=arts_centre`, `amenity=library` | `cultural_centre` | 文化活动中心: arts, reading, classes |
/// | `amenity=townhall` | `street_office` | the local government's office, as 街道办事处 is |
/// | `amenity=police` | `police_station` | 派出所 |
/// | `amenity=bank` | `bank` | 银行 |
/// | `amenity=post_office` | `post_office` | 邮政所 |
/// | `amenity=parcel_locker` | `parcel_station` | 快递驿站 / 智能快递柜 |
/// | `shop=mall`, `shop=department_store` | `market_mall` | 商场 |
/// | `amenity=marketplace`, `shop=supermarket`, `shop=greengrocer` | `fresh_market` | the standard's 10-minute item is "菜市场或生鲜超市": a market or a fresh-food supermarket |
/// | `shop=convenience` | `convenience_store` | 便利店 |
/// | `leisure=stadium` | `large_sports_ground` | 大型多功能运动场地 |
/// | `leisure=sports_centre`, `leisure=sports_hall` | `sports_ground` | a mid-size, often indoor, sports ground |
/// | `leisure=pitch` | `small_sports_ground` | a single court or field: 小型多功能运动场地 |
/// | `leisure=playground`, `leisure=fitness_station` | `play_space` | the block's play and fitness space (儿童、老年人活动场地) |
/// | `leisure=park` | `park` | 公园 |
/// | `amenity=toilets` | `public_toilet` | 公共厕所 |
/// | `highway=bus_stop` | `bus_stop` | 公交站 |
/// | `office=property_management` | `property_office` | 物业管理用房 |
/// | `amenity=recycling`, `amenity=waste_transfer_station` | `waste_collection` | 垃圾收集点 |
///
/// Only named places are imported: a resident looks for "the pharmacy on X street", and a
/// nameless map feature cannot be told apart from the next one.
pub const TAG_RULES: &[TagRule] = &[
    rule(
        &[("amenity", "school"), ("isced:level", "2")],
        C::MiddleSchool,
    ),
    rule(
        &[("amenity", "school"), ("isced:level", "3")],
        C::MiddleSchool,
    ),
    rule(
        &[("amenity", "school"), ("isced:level", "2;3")],
        C::MiddleSchool,
    ),
    rule(&[("amenity", "school")], C::PrimarySchool),
    rule(&[("amenity", "kindergarten")], C::Kindergarten),
    rule(&[("amenity", "childcare")], C::Kindergarten),
    rule(&[("amenity", "prep_school")], C::AfterSchoolCare),
    rule(&[("amenity", "clinic")], C::HealthServiceCentre),
    rule(&[("amenity", "hospital")], C::HealthServiceCentre),
    rule(&[("healthcare", "centre")], C::HealthServiceCentre),
    rule(&[("healthcare", "clinic")], C::HealthServiceCentre),
    rule(&[("healthcare", "hospital")], C::HealthServiceCentre),
    rule(&[("amenity", "doctors")], C::HealthStation),
    rule(&[("healthcare", "doctor")], C::HealthStation),
    rule(&[("amenity", "pharmacy")], C::Pharmacy),
    rule(&[("healthcare", "pharmacy")], C::Pharmacy),
    rule(&[("social_facility", "nursing_home")], C::ElderlyCareHome),
    rule(
        &[("social_facility", "assisted_living")],
        C::ElderlyCareHome,
    ),
    rule(&[("amenity", "nursing_home")], C::ElderlyCareHome),
    rule(
        &[
            ("social_facility", "day_care"),
            ("social_facility:for", "senior"),
        ],
        C::ElderlyDayCare,
    ),
    rule(
        &[
            ("amenity", "social_facility"),
            ("social_facility:for", "senior"),
        ],
        C::ElderlyDayCare,
    ),
    rule(&[("social_facility", "soup_kitchen")], C::CommunityCanteen),
    rule(
        &[("amenity", "community_centre")],
        C::CommunityServiceStation,
    ),
    rule(&[("amenity", "social_centre")], C::CommunityServiceStation),
    rule(&[("amenity", "arts_centre")], C::CulturalCentre),
    rule(&[("amenity", "library")], C::CulturalCentre),
    rule(&[("amenity", "townhall")], C::StreetOffice),
    rule(&[("amenity", "police")], C::PoliceStation),
    rule(&[("amenity", "bank")], C::Bank),
    rule(&[("amenity", "post_office")], C::PostOffice),
    rule(&[("amenity", "parcel_locker")], C::ParcelStation),
    rule(&[("shop", "mall")], C::MarketMall),
    rule(&[("shop", "department_store")], C::MarketMall),
    rule(&[("amenity", "marketplace")], C::FreshMarket),
    rule(&[("shop", "supermarket")], C::FreshMarket),
    rule(&[("shop", "greengrocer")], C::FreshMarket),
    rule(&[("shop", "convenience")], C::ConvenienceStore),
    rule(&[("leisure", "stadium")], C::LargeSportsGround),
    rule(&[("leisure", "sports_centre")], C::SportsGround),
    rule(&[("leisure", "sports_hall")], C::SportsGround),
    rule(&[("leisure", "pitch")], C::SmallSportsGround),
    rule(&[("leisure", "playground")], C::PlaySpace),
    rule(&[("leisure", "fitness_station")], C::PlaySpace),
    rule(&[("leisure", "park")], C::Park),
    rule(&[("amenity", "toilets")], C::PublicToilet),
    rule(&[("highway", "bus_stop")], C::BusStop),
    rule(&[("office", "property_management")], C::PropertyOffice),
    rule(&[("amenity", "recycling")], C::WasteCollection),
    rule(&[("amenity", "waste_transfer_station")], C::WasteCollection),
];

/// Every tag key some rule looks at: an element without any of them is no facility, which
/// spares the full table for the vast majority of nodes.
pub fn is_candidate_key(key: &str) -> bool {
    TAG_RULES
        .iter()
        .any(|rule| rule.tags.iter().any(|&(k, _)| k == key))
}

/// The category of a place tagged with `tags` (looked up by key), if any rule matches.
pub fn category_of<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<FacilityCategory> {
    TAG_RULES
        .iter()
        .find(|rule| rule.tags.iter().all(|&(k, v)| tag(k) == Some(v)))
        .map(|rule| rule.category)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    type Tags<'a> = &'a [(&'a str, &'a str)];

    fn category(tags: Tags) -> Option<FacilityCategory> {
        let tags: HashMap<&str, &str> = tags.iter().copied().collect();
        category_of(|k| tags.get(k).copied())
    }

    #[test]
    fn tags_map_to_their_categories() {
        let cases: &[(Tags, Option<FacilityCategory>)] = &[
            (&[("amenity", "pharmacy")], Some(C::Pharmacy)),
            (&[("shop", "convenience")], Some(C::ConvenienceStore)),
            (&[("shop", "supermarket")], Some(C::FreshMarket)),
            (&[("amenity", "school")], Some(C::PrimarySchool)),
            (
                &[("amenity", "school"), ("isced:level", "2")],
                Some(C::MiddleSchool),
            ),
            (&[("amenity", "kindergarten")], Some(C::Kindergarten)),
            (&[("leisure", "playground")], Some(C::PlaySpace)),
            (&[("leisure", "park")], Some(C::Park)),
            (&[("amenity", "doctors")], Some(C::HealthStation)),
            (&[("amenity", "clinic")], Some(C::HealthServiceCentre)),
            (
                &[
                    ("amenity", "social_facility"),
                    ("social_facility", "nursing_home"),
                ],
                Some(C::ElderlyCareHome),
            ),
            (
                &[
                    ("amenity", "social_facility"),
                    ("social_facility", "day_care"),
                    ("social_facility:for", "senior"),
                ],
                Some(C::ElderlyDayCare),
            ),
            // A day centre for another group is no elderly day care.
            (
                &[
                    ("amenity", "social_facility"),
                    ("social_facility", "day_care"),
                    ("social_facility:for", "disabled"),
                ],
                None,
            ),
            (&[("amenity", "casino")], None),
            (&[("building", "yes")], None),
        ];
        for (tags, expected) in cases {
            assert_eq!(category(tags), *expected, "{tags:?}");
        }
    }

    #[test]
    fn every_rule_is_reachable() {
        // A rule shadowed by an earlier, broader one would never apply.
        for (index, rule) in TAG_RULES.iter().enumerate() {
            let winner = category(rule.tags);
            assert_eq!(winner, Some(rule.category), "rule {index} {:?}", rule.tags);
        }
    }

    #[test]
    fn candidate_keys_are_the_keys_of_the_rules() {
        for key in [
            "amenity",
            "shop",
            "leisure",
            "healthcare",
            "social_facility",
        ] {
            assert!(is_candidate_key(key), "{key}");
        }
        assert!(!is_candidate_key("building"));
    }
}
