//! The demo community's plan: every name, place and person of the fictional 青樟社区, as
//! tables. The other seed modules only turn these tables into rows.
//!
//! Everything here is invented. The city and district are real so that coordinates, phone area
//! codes and street naming look right; the community, its street office, streets, compounds,
//! facilities and people are not.

use super::geo::{Metres, m};
use linli_domain::consultation::YesNo;
use linli_domain::facility::FacilityCategory as Cat;
use linli_domain::{HouseholdRelation, Role};

// ---------------------------------------------------------------------------------------------
// The community
// ---------------------------------------------------------------------------------------------

pub struct CommunityPlan {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub city_zh: &'static str,
    pub city_en: &'static str,
    pub district_zh: &'static str,
    pub district_en: &'static str,
    pub street_office_zh: &'static str,
    pub street_office_en: &'static str,
    /// The origin of the plan's metres (WGS-84): a spot in northern Hangzhou's grid of
    /// residential blocks, where a community like this one would plausibly be.
    pub centre_lat: f64,
    pub centre_lon: f64,
}

pub const COMMUNITY: CommunityPlan = CommunityPlan {
    name_zh: "青樟社区",
    name_en: "Qingzhang Community",
    city_zh: "杭州市",
    city_en: "Hangzhou",
    district_zh: "拱墅区",
    district_en: "Gongshu District",
    street_office_zh: "桂语街道",
    street_office_en: "Guiyu Subdistrict",
    centre_lat: 30.312_8,
    centre_lon: 120.138_6,
};

// ---------------------------------------------------------------------------------------------
// Streets: a grid of 300 m blocks, each holding one gated compound or a mix of public uses.
// ---------------------------------------------------------------------------------------------

/// The grid's extent in metres from the centre; streets run edge to edge.
pub const GRID_WEST: i32 = -600;
pub const GRID_EAST: i32 = 600;
pub const GRID_SOUTH: i32 = -450;
pub const GRID_NORTH: i32 = 450;
/// A street node every 100 m, so that a facility's connector to the street stays short.
pub const STREET_NODE_SPACING: i32 = 100;

#[derive(Debug, Clone, Copy)]
pub enum Axis {
    /// A 路 running west–east at this northing.
    EastWest { north: i32 },
    /// A 街 running south–north at this easting.
    NorthSouth { east: i32 },
}

pub struct StreetPlan {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub axis: Axis,
}

const fn road(name_zh: &'static str, name_en: &'static str, north: i32) -> StreetPlan {
    StreetPlan {
        name_zh,
        name_en,
        axis: Axis::EastWest { north },
    }
}

const fn street(name_zh: &'static str, name_en: &'static str, east: i32) -> StreetPlan {
    StreetPlan {
        name_zh,
        name_en,
        axis: Axis::NorthSouth { east },
    }
}

pub const STREETS: &[StreetPlan] = &[
    road("丰乐路", "Fengle Road", -450),
    road("青樟路", "Qingzhang Road", -150),
    road("和景路", "Hejing Road", 150),
    road("望湖路", "Wanghu Road", 450),
    street("柳浪街", "Liulang Street", -600),
    street("槐荫街", "Huaiyin Street", -300),
    street("桂香街", "Guixiang Street", 0),
    street("竹溪街", "Zhuxi Street", 300),
    street("梅坞街", "Meiwu Street", 600),
];

// ---------------------------------------------------------------------------------------------
// Compounds (小区), buildings (楼栋) and stairwells (单元)
// ---------------------------------------------------------------------------------------------

/// Every stairwell has two flats per floor ("一梯两户"), named 301, 302 on the third floor.
pub const ROOMS_PER_FLOOR: i64 = 2;
/// The door is on the building's south face, this far from its centre line...
pub const DOOR_SETBACK_M: i32 = 6;
/// ...and the front lane that serves a row of buildings runs this far south of it.
pub const FRONT_LANE_SETBACK_M: i32 = 14;
/// Every building is a slab running west to east, so each flat faces south (what buyers in
/// China ask for first), this deep: the door on the south face is [`DOOR_SETBACK_M`] from the
/// centre line.
pub const BUILDING_DEPTH_M: i32 = 2 * DOOR_SETBACK_M;
/// A slab's length per stairwell: a stairwell and its two flats side by side, each flat running
/// through from the south face to the north (南北通透). The small walk-up flats are narrower
/// than those of the lift blocks, which also hold a lift shaft.
pub const WALK_UP_STAIRWELL_WIDTH_M: i32 = 18;
pub const LIFT_BLOCK_STAIRWELL_WIDTH_M: i32 = 22;
/// A compound fills its 300 m block but for the pavement: its wall runs this far from its
/// centre on every side, and its gates stand in the wall.
pub const COMPOUND_HALF_SIDE_M: i32 = 135;

pub struct BuildingPlan {
    pub number: i64,
    /// Centre of the building relative to the compound centre.
    pub offset: Metres,
    pub floors: i64,
    pub stairwells: i64,
    pub has_elevator: bool,
}

pub struct GatePlan {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub offset: Metres,
}

pub struct CompoundPlan {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub built_year: i64,
    pub centre: Metres,
    /// The north–south alley that joins the front lanes, relative to the centre; placed
    /// between two columns of buildings.
    pub alley_east: i32,
    /// The range flats' floor areas are drawn from, in hundredths of m² (inclusive).
    pub floor_area_centi_m2: (i64, i64),
    pub buildings: &'static [BuildingPlan],
    pub gates: &'static [GatePlan],
}

/// A 1990s six-storey walk-up: no lift, which is why its owners will vote on retrofitting one.
const fn walk_up(number: i64, east: i32, north: i32, stairwells: i64) -> BuildingPlan {
    BuildingPlan {
        number,
        offset: m(east, north),
        floors: 6,
        stairwells,
        has_elevator: false,
    }
}

/// A building with lifts (2000s small high-rise or newer tower).
const fn lift_block(number: i64, east: i32, north: i32, floors: i64) -> BuildingPlan {
    BuildingPlan {
        number,
        offset: m(east, north),
        floors,
        stairwells: 2,
        has_elevator: true,
    }
}

const fn gate(name_zh: &'static str, name_en: &'static str, east: i32, north: i32) -> GatePlan {
    GatePlan {
        name_zh,
        name_en,
        offset: m(east, north),
    }
}

/// Index of the old compound in [`COMPOUNDS`]; the demo owner lives there.
pub const OLD_COMPOUND: usize = 0;
/// Index of the 2000s compound; the demo tenant lives there.
pub const MID_COMPOUND: usize = 1;
/// Index of the newest compound.
pub const NEW_COMPOUND: usize = 2;

pub const COMPOUNDS: &[CompoundPlan] = &[
    CompoundPlan {
        name_zh: "翠柳苑",
        name_en: "Cuiliu Garden",
        built_year: 1993,
        centre: m(-150, 0),
        alley_east: 0,
        // Former work-unit flats: small.
        floor_area_centi_m2: (4_500, 7_500),
        buildings: &[
            walk_up(1, -55, 75, 3),
            walk_up(2, 55, 75, 3),
            walk_up(3, -55, 25, 2),
            walk_up(4, 55, 25, 3),
            walk_up(5, -55, -25, 3),
            walk_up(6, 55, -25, 2),
            walk_up(7, -55, -75, 3),
            walk_up(8, 55, -75, 2),
        ],
        gates: &[
            gate("西门", "West Gate", -135, 11),
            gate("东门", "East Gate", 135, -39),
        ],
    },
    CompoundPlan {
        name_zh: "金桂花园",
        name_en: "Jingui Garden",
        built_year: 2006,
        centre: m(150, 0),
        alley_east: 35,
        floor_area_centi_m2: (7_500, 11_000),
        buildings: &[
            lift_block(1, -65, 45, 11),
            lift_block(2, 0, 45, 11),
            lift_block(3, 65, 45, 11),
            lift_block(4, -65, -45, 11),
            lift_block(5, 0, -45, 11),
            lift_block(6, 65, -45, 11),
        ],
        // The north gate faces 锦澜府's south gate across 和景路.
        gates: &[
            gate("西门", "West Gate", -135, 31),
            gate("北门", "North Gate", 35, 135),
        ],
    },
    CompoundPlan {
        name_zh: "锦澜府",
        name_en: "Jinlan Residence",
        built_year: 2018,
        centre: m(150, 300),
        alley_east: 35,
        floor_area_centi_m2: (9_000, 14_000),
        buildings: &[
            lift_block(1, -70, 50, 18),
            lift_block(2, 0, 50, 18),
            lift_block(3, 70, 50, 18),
            // No building 4: developers skip the unlucky number (四 sounds like 死).
            lift_block(5, -70, -45, 18),
            lift_block(6, 0, -45, 18),
            lift_block(7, 70, -45, 18),
        ],
        gates: &[
            gate("南门", "South Gate", 35, -135),
            gate("西门", "West Gate", -135, 36),
        ],
    },
];

// ---------------------------------------------------------------------------------------------
// Facilities of the 15-minute life circle
// ---------------------------------------------------------------------------------------------

/// Categories the plan leaves out on purpose, so "what is missing near me" has an answer:
/// no 4:30 after-school classroom, no elderly care home, no cultural centre.
/// Only the tests read it: it states the intent, `FACILITIES` carries it out.
#[cfg(test)]
pub const ABSENT_CATEGORIES: &[Cat] = &[
    Cat::AfterSchoolCare,
    Cat::ElderlyCareHome,
    Cat::CulturalCentre,
];

pub enum Place {
    /// On a street, at this point (a few metres off the street line); the address is derived
    /// from the nearest street.
    Street(Metres),
    /// Inside a compound (block-level facilities), relative to its centre.
    InCompound {
        compound: usize,
        offset: Metres,
        where_zh: &'static str,
        where_en: &'static str,
    },
}

pub struct FacilityPlan {
    pub category: Cat,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub place: Place,
    /// OpenStreetMap `opening_hours` syntax.
    pub opening_hours: &'static str,
    /// A public landline of the facility, if it has one.
    pub phone: Option<&'static str>,
}

const fn on_street(
    category: Cat,
    name_zh: &'static str,
    name_en: &'static str,
    at: Metres,
    opening_hours: &'static str,
    phone: Option<&'static str>,
) -> FacilityPlan {
    FacilityPlan {
        category,
        name_zh,
        name_en,
        place: Place::Street(at),
        opening_hours,
        phone,
    }
}

#[allow(clippy::too_many_arguments)] // a table row: naming each column would not read better
const fn in_compound(
    category: Cat,
    name_zh: &'static str,
    name_en: &'static str,
    compound: usize,
    offset: Metres,
    (where_zh, where_en): (&'static str, &'static str),
    opening_hours: &'static str,
    phone: Option<&'static str>,
) -> FacilityPlan {
    FacilityPlan {
        category,
        name_zh,
        name_en,
        place: Place::InCompound {
            compound,
            offset,
            where_zh,
            where_en,
        },
        opening_hours,
        phone,
    }
}

/// Opening hours used by several facilities.
const ALWAYS: &str = "24/7";
const OFFICE_HOURS: &str = "Mo-Fr 08:30-12:00,13:30-17:30";
const SHOP_HOURS: &str = "Mo-Su 07:00-23:00";
/// Hangzhou's timed waste drop-off (定时定点): mornings and evenings only.
const WASTE_HOURS: &str = "Mo-Su 06:30-09:00,18:00-21:00";

/// The plan places the compounds around (-150, 0), (150, 0) and (150, 300). On foot from the
/// doors, each compound has a few everyday facilities within about 300 m (mostly near its
/// gates), more at about 500 m and the district-level ones at 800–1,200 m; some sit beyond the
/// circle the standard expects them in (from 翠柳苑 the health station is a 700–900 m walk),
/// which is what the service-circle map is meant to reveal.
#[rustfmt::skip] // one row per facility reads as a table; rustfmt would spread each over 8 lines
pub const FACILITIES: &[FacilityPlan] = &[
    // 5-minute circle (about 300 m)
    on_street(Cat::CommunityServiceStation, "青樟社区党群服务站", "Qingzhang Community Service Station", m(-12, 0), "Mo-Fr 08:30-17:30; Sa 09:00-12:00", Some("0571-85217301")),
    on_street(Cat::Kindergarten, "青樟幼儿园", "Qingzhang Kindergarten", m(-12, 110), "Mo-Fr 07:30-17:30", Some("0571-85217315")),
    on_street(Cat::Kindergarten, "锦澜双语幼儿园", "Jinlan Bilingual Kindergarten", m(312, 360), "Mo-Fr 07:45-17:15", Some("0571-85217322")),
    on_street(Cat::ElderlyDayCare, "翠柳居家养老服务照料中心", "Cuiliu Elderly Day Care Centre", m(-288, -40), "Mo-Su 08:00-17:00", Some("0571-85217308")),
    on_street(Cat::ElderlyDayCare, "锦澜老年人日间照料中心", "Jinlan Elderly Day Care Centre", m(312, 240), "Mo-Fr 08:00-17:30", Some("0571-85217326")),
    on_street(Cat::HealthStation, "竹溪街社区卫生服务站", "Zhuxi Street Community Health Station", m(312, 60), "Mo-Fr 08:00-17:00; Sa 08:00-12:00", Some("0571-85217330")),
    on_street(Cat::CommunityCanteen, "青樟长者食堂", "Qingzhang Community Canteen", m(12, -70), "Mo-Su 10:30-13:00,16:30-18:30", None),
    on_street(Cat::SmallSportsGround, "青樟口袋公园健身场", "Qingzhang Pocket Park Fitness Ground", m(-150, -162), "Mo-Su 05:30-21:30", None),
    on_street(Cat::SmallSportsGround, "锦澜篮球场", "Jinlan Basketball Court", m(12, 390), "Mo-Su 06:00-21:00", None),
    on_street(Cat::ConvenienceStore, "小樟便利店", "Xiaozhang Mart", m(12, -120), ALWAYS, None),
    on_street(Cat::ConvenienceStore, "桂香便利", "Guixiang Mart", m(-288, 120), SHOP_HOURS, None),
    on_street(Cat::ConvenienceStore, "四季便利店", "Four Seasons Mart", m(240, 162), SHOP_HOURS, None),
    on_street(Cat::Pharmacy, "康民大药房", "Kangmin Pharmacy", m(-12, -120), "Mo-Su 08:00-22:00", Some("0571-85217346")),
    on_street(Cat::Pharmacy, "仁心药店", "Renxin Pharmacy", m(-312, 60), ALWAYS, Some("0571-85217351")),
    on_street(Cat::PublicToilet, "青樟路公共厕所", "Qingzhang Road Public Toilet", m(-220, -162), ALWAYS, None),
    on_street(Cat::PublicToilet, "和景路公共厕所", "Hejing Road Public Toilet", m(250, 138), ALWAYS, None),
    on_street(Cat::BusStop, "青樟路桂香街口站", "Qingzhang Rd & Guixiang St bus stop", m(20, -162), "Mo-Su 05:30-23:00", None),
    on_street(Cat::BusStop, "和景路槐荫街口站", "Hejing Rd & Huaiyin St bus stop", m(-280, 162), "Mo-Su 05:30-23:00", None),
    on_street(Cat::BusStop, "竹溪街和景路口站", "Zhuxi St & Hejing Rd bus stop", m(312, 170), "Mo-Su 06:00-22:30", None),
    // 10-minute circle (about 500 m)
    on_street(Cat::PrimarySchool, "青樟小学", "Qingzhang Primary School", m(-450, -162), "Mo-Fr 07:30-17:00", Some("0571-85217360")),
    on_street(Cat::FreshMarket, "桂语农贸市场", "Guiyu Fresh Market", m(312, -60), "Mo-Su 06:00-19:00", None),
    on_street(Cat::FreshMarket, "槐荫菜场", "Huaiyin Food Market", m(-312, 330), "Mo-Su 05:30-18:30", None),
    on_street(Cat::SportsGround, "桂语全民健身中心", "Guiyu Community Fitness Centre", m(450, -162), "Mo-Su 06:00-21:00", Some("0571-85217372")),
    on_street(Cat::Park, "樟园", "Camphor Garden", m(-450, 138), "Mo-Su 05:00-22:00", None),
    on_street(Cat::Park, "竹溪公园", "Zhuxi Park", m(312, 400), ALWAYS, None),
    // 15-minute circle (800–1000 m)
    on_street(Cat::MiddleSchool, "桂语中学", "Guiyu Middle School", m(588, -320), "Mo-Fr 07:00-17:30", Some("0571-85217380")),
    on_street(Cat::HealthServiceCentre, "桂语街道社区卫生服务中心", "Guiyu Community Health Service Centre", m(-450, 438), "Mo-Su 08:00-17:00", Some("0571-85217388")),
    on_street(Cat::LargeSportsGround, "桂语体育中心", "Guiyu Sports Centre", m(-550, -438), "Mo-Su 06:00-22:00", Some("0571-85217395")),
    on_street(Cat::MarketMall, "桂语广场购物中心", "Guiyu Plaza Shopping Centre", m(588, 100), "Mo-Su 10:00-22:00", None),
    on_street(Cat::Bank, "钱江商业银行桂语支行", "Qianjiang Commercial Bank, Guiyu Branch", m(450, 162), "Mo-Fr 09:00-17:00; Sa 09:00-16:00", Some("0571-85217403")),
    on_street(Cat::Bank, "丰乐银行青樟分理处", "Fengle Bank, Qingzhang Sub-branch", m(-100, -438), "Mo-Fr 09:00-17:00", None),
    on_street(Cat::PostOffice, "桂语邮政所", "Guiyu Post Office", m(-100, 438), "Mo-Su 08:30-17:30", Some("0571-85217411")),
    on_street(Cat::StreetOffice, "桂语街道办事处", "Guiyu Subdistrict Office", m(450, -438), OFFICE_HOURS, Some("0571-85217420")),
    on_street(Cat::PoliceStation, "桂语派出所", "Guiyu Police Station", m(-588, -100), ALWAYS, Some("0571-85217426")),
    // Inside the compounds (block level). The old compound has no play space: it was built
    // before anyone planned one, another gap the map should show.
    in_compound(Cat::PropertyOffice, "翠柳苑物业服务中心", "Cuiliu Garden Property Office", OLD_COMPOUND, m(-95, 0), ("西门内", "inside the west gate"), "Mo-Su 08:00-18:00", Some("0571-85217431")),
    in_compound(Cat::ParcelStation, "翠柳苑快递驿站", "Cuiliu Garden Parcel Station", OLD_COMPOUND, m(-15, 0), ("中心通道旁", "by the central alley"), "Mo-Su 08:00-21:00", None),
    in_compound(Cat::WasteCollection, "翠柳苑垃圾分类投放点", "Cuiliu Garden Waste Sorting Point", OLD_COMPOUND, m(75, -100), ("8幢南侧", "south of Bldg 8"), WASTE_HOURS, None),
    in_compound(Cat::PropertyOffice, "金桂花园物业服务中心", "Jingui Garden Property Office", MID_COMPOUND, m(-95, 0), ("西门内", "inside the west gate"), "Mo-Su 08:00-20:00", Some("0571-85217438")),
    in_compound(Cat::ParcelStation, "金桂花园快递驿站", "Jingui Garden Parcel Station", MID_COMPOUND, m(-100, 36), ("1幢西侧", "west of Bldg 1"), "Mo-Su 08:00-21:00", None),
    in_compound(Cat::PlaySpace, "金桂花园儿童乐园", "Jingui Garden Playground", MID_COMPOUND, m(35, 0), ("中心花园", "in the central garden"), "Mo-Su 06:00-21:00", None),
    in_compound(Cat::WasteCollection, "金桂花园垃圾分类投放点", "Jingui Garden Waste Sorting Point", MID_COMPOUND, m(90, -90), ("6幢东南角", "south-east of Bldg 6"), WASTE_HOURS, None),
    in_compound(Cat::PropertyOffice, "锦澜府物业服务中心", "Jinlan Residence Property Office", NEW_COMPOUND, m(-95, 0), ("西门内", "inside the west gate"), ALWAYS, Some("0571-85217445")),
    in_compound(Cat::ParcelStation, "锦澜府智能快递柜", "Jinlan Residence Parcel Lockers", NEW_COMPOUND, m(15, -95), ("南门内", "inside the south gate"), ALWAYS, None),
    in_compound(Cat::PlaySpace, "锦澜府儿童活动场", "Jinlan Residence Play Area", NEW_COMPOUND, m(35, 0), ("中心花园", "in the central garden"), "Mo-Su 06:00-21:00", None),
    in_compound(Cat::WasteCollection, "锦澜府垃圾分类投放点", "Jinlan Residence Waste Sorting Point", NEW_COMPOUND, m(105, 40), ("3幢东侧", "east of Bldg 3"), WASTE_HOURS, None),
];

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

/// A flat, by the names residents use: compound, 幢, 单元, 室.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Home {
    pub compound: usize,
    pub building: i64,
    pub stairwell: i64,
    pub room: &'static str,
}

/// A demo account: what the README shows ([`super::DemoLogin`]) plus what the seed needs.
pub struct DemoAccount {
    pub login: super::DemoLogin,
    pub display_name: &'static str,
    /// The household the account is already bound to, and as what.
    pub home: Option<(Home, HouseholdRelation)>,
}

/// The single password of every seeded account (demo logins and extra residents alike), so
/// that anyone trying the demo can sign in as any neighbour to vote.
pub const DEMO_PASSWORD: &str = "linli2026";

/// The demo owner's flat: a third-floor flat in a lift-less walk-up, the typical voter on an
/// elevator retrofit.
pub const DEMO_OWNER_HOME: Home = Home {
    compound: OLD_COMPOUND,
    building: 1,
    stairwell: 1,
    room: "301",
};
/// The demo tenant's flat, rented in the 2000s compound.
pub const DEMO_TENANT_HOME: Home = Home {
    compound: MID_COMPOUND,
    building: 3,
    stairwell: 2,
    room: "802",
};

const fn login(
    phone: &'static str,
    role: Role,
    who_zh: &'static str,
    who_en: &'static str,
) -> super::DemoLogin {
    super::DemoLogin {
        phone,
        password: DEMO_PASSWORD,
        role,
        who_zh,
        who_en,
    }
}

pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        login: login(
            "13800000001",
            Role::Admin,
            "社区管理员（周主任）",
            "Community administrator (Director Zhou)",
        ),
        display_name: "周主任",
        home: None,
    },
    DemoAccount {
        login: login(
            "13800000002",
            Role::Staff,
            "社区工作者（陈晓）",
            "Community worker (Chen Xiao)",
        ),
        display_name: "陈晓",
        home: None,
    },
    DemoAccount {
        login: login(
            "13800000003",
            Role::Staff,
            "网格员（刘敏，负责翠柳苑）",
            "Grid worker (Liu Min, covers Cuiliu Garden)",
        ),
        display_name: "刘敏",
        home: None,
    },
    DemoAccount {
        login: login(
            "13900000001",
            Role::Resident,
            "业主王建国，已绑定翠柳苑1幢1单元301室",
            "Owner Wang Jianguo, bound to Room 301, Unit 1, Bldg 1, Cuiliu Garden",
        ),
        display_name: "王建国",
        home: Some((DEMO_OWNER_HOME, HouseholdRelation::Owner)),
    },
    DemoAccount {
        login: login(
            "13900000002",
            Role::Resident,
            "租户赵小雨，已作为家庭成员绑定金桂花园3幢2单元802室",
            "Tenant Zhao Xiaoyu, bound as a member of Room 802, Unit 2, Bldg 3, Jingui Garden",
        ),
        display_name: "赵小雨",
        home: Some((DEMO_TENANT_HOME, HouseholdRelation::Member)),
    },
    DemoAccount {
        login: login(
            "13900000003",
            Role::Resident,
            "新注册居民孙悦，尚未绑定房屋（可用一个未使用的绑定码）",
            "New resident Sun Yue, registered but not yet bound (try an unused binding code)",
        ),
        display_name: "孙悦",
        home: None,
    },
];

/// Where an extra resident's flat is drawn from.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Stairwell {
        compound: usize,
        building: i64,
        stairwell: i64,
    },
    Building {
        compound: usize,
        building: i64,
    },
    Compound(usize),
}

pub struct ResidentPlan {
    pub display_name: &'static str,
    pub relation: HouseholdRelation,
    pub target: Target,
}

/// Extra residents' phones: this prefix and a running four-digit number from 1001, a block
/// no demo login uses.
pub const EXTRA_PHONE_PREFIX: &str = "1360571";
pub const EXTRA_PHONE_FIRST: u32 = 1001;

const fn owner(display_name: &'static str, target: Target) -> ResidentPlan {
    ResidentPlan {
        display_name,
        relation: HouseholdRelation::Owner,
        target,
    }
}

const fn member(display_name: &'static str, target: Target) -> ResidentPlan {
    ResidentPlan {
        display_name,
        relation: HouseholdRelation::Member,
        target,
    }
}

/// The demo owner's stairwell and building get most owners, so an elevator-retrofit vote there
/// has a real electorate (but, with 12 flats a stairwell, not yet a 2/3 turnout on its own).
const OWNER_STAIRWELL: Target = Target::Stairwell {
    compound: DEMO_OWNER_HOME.compound,
    building: DEMO_OWNER_HOME.building,
    stairwell: DEMO_OWNER_HOME.stairwell,
};
const OWNER_BUILDING: Target = Target::Building {
    compound: DEMO_OWNER_HOME.compound,
    building: DEMO_OWNER_HOME.building,
};

pub const EXTRA_RESIDENTS: &[ResidentPlan] = &[
    owner("王阿姨", OWNER_STAIRWELL),
    owner("李师傅", OWNER_STAIRWELL),
    owner("张大爷", OWNER_STAIRWELL),
    owner("刘老师", OWNER_STAIRWELL),
    owner("陈姐", OWNER_STAIRWELL),
    owner("杨叔", OWNER_BUILDING),
    owner("赵奶奶", OWNER_BUILDING),
    owner("黄阿姨", OWNER_BUILDING),
    member("周老伯", OWNER_BUILDING),
    owner(
        "吴先生",
        Target::Building {
            compound: OLD_COMPOUND,
            building: 2,
        },
    ),
    owner(
        "徐女士",
        Target::Building {
            compound: OLD_COMPOUND,
            building: 2,
        },
    ),
    owner(
        "孙师傅",
        Target::Building {
            compound: OLD_COMPOUND,
            building: 2,
        },
    ),
    owner("胡阿姨", Target::Compound(OLD_COMPOUND)),
    owner("朱大姐", Target::Compound(OLD_COMPOUND)),
    owner("高老师", Target::Compound(OLD_COMPOUND)),
    owner("林先生", Target::Compound(MID_COMPOUND)),
    owner("何奶奶", Target::Compound(MID_COMPOUND)),
    owner("郭师傅", Target::Compound(MID_COMPOUND)),
    owner("马阿姨", Target::Compound(MID_COMPOUND)),
    owner("罗先生", Target::Compound(MID_COMPOUND)),
    owner("梁女士", Target::Compound(MID_COMPOUND)),
    member("宋大爷", Target::Compound(MID_COMPOUND)),
    member("郑阿姨", Target::Compound(MID_COMPOUND)),
    owner("谢老师", Target::Compound(NEW_COMPOUND)),
    owner("韩先生", Target::Compound(NEW_COMPOUND)),
    owner("唐阿姨", Target::Compound(NEW_COMPOUND)),
    owner("冯师傅", Target::Compound(NEW_COMPOUND)),
    owner("于女士", Target::Compound(NEW_COMPOUND)),
    member("董大爷", Target::Compound(NEW_COMPOUND)),
    member("萧姐", Target::Compound(NEW_COMPOUND)),
];

// ---------------------------------------------------------------------------------------------
// Consultations (议事)
// ---------------------------------------------------------------------------------------------

/// The walk-up whose owners have decided to retrofit lifts (one per stairwell): 翠柳苑 3幢,
/// two stairwells, 24 flats. Not the demo owner's building, so he has a vote of his own to try.
pub const LIFT_COMPOUND: usize = OLD_COMPOUND;
pub const LIFT_BUILDING: i64 = 3;

/// How each flat of the lift building voted: (stairwell, room, choice); `None` when its owner
/// took no part (flats let out, owners living elsewhere). Ground- and first-floor owners gain
/// least from a lift and fear for their light and quiet, so the no votes come from there.
///
/// Tally by owners (units): 24 eligible, 20 took part (16 yes, 3 no, 1 abstain). Quorum
/// 20/24 >= 2/3; approval 16/20 = 80% >= 3/4. By area too, for any areas this compound's flats
/// can have: flats above each other share their area, so with stacks a, b, c, d (x01 and x02 of
/// each stairwell) the yes area is 4(a+b+c+d) of a part of 6a+5b+4c+5d, and 3/4 is reached when
/// b+4c+d >= 2a, true whenever the largest flat is under 3 times the smallest (45–75 m²). The
/// seed test checks the figures in m².
#[rustfmt::skip] // a table: one flat a line reads better than rustfmt's layout
pub const LIFT_BALLOTS: &[(i64, &str, Option<YesNo>)] = &[
    (1, "101", Some(YesNo::No)),      (1, "102", Some(YesNo::No)),
    (1, "201", Some(YesNo::Abstain)), (1, "202", Some(YesNo::Yes)),
    (1, "301", Some(YesNo::Yes)),     (1, "302", Some(YesNo::Yes)),
    (1, "401", Some(YesNo::Yes)),     (1, "402", Some(YesNo::Yes)),
    (1, "501", Some(YesNo::Yes)),     (1, "502", None),
    (1, "601", Some(YesNo::Yes)),     (1, "602", Some(YesNo::Yes)),
    (2, "101", None),                 (2, "102", Some(YesNo::No)),
    (2, "201", Some(YesNo::Yes)),     (2, "202", None),
    (2, "301", Some(YesNo::Yes)),     (2, "302", Some(YesNo::Yes)),
    (2, "401", Some(YesNo::Yes)),     (2, "402", Some(YesNo::Yes)),
    (2, "501", None),                 (2, "502", Some(YesNo::Yes)),
    (2, "601", Some(YesNo::Yes)),     (2, "602", Some(YesNo::Yes)),
];

/// The owners of the lift building who registered to vote, in the order of the flats above
/// that vote and have no owner account yet (an extra resident may already own one of them).
pub const LIFT_OWNER_NAMES: &[&str] = &[
    "蒋阿姨",
    "沈师傅",
    "韦大爷",
    "秦老师",
    "尤女士",
    "许先生",
    "何阿婆",
    "吕叔",
    "施大姐",
    "张老伯",
    "孔先生",
    "曹阿姨",
    "严师傅",
    "华女士",
    "金大爷",
    "魏老师",
    "陶阿姨",
    "姜先生",
    "戚大姐",
    "谢老伯",
    "邹师傅",
    "喻女士",
    "柏先生",
    "水阿姨",
];
