//! The JSON bodies of `/api/v1`, shared by the server (which derives their OpenAPI schemas)
//! and the SPA (which deserialises them).

use crate::account::Role;
use crate::household::{FloorArea, HouseholdRelation};
use crate::validation::ErrorCode;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// An RFC 9457 problem document (`application/problem+json`), Linli's only error shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The machine-readable reason, when there is one overall reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// One entry per refused field, for validation problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldProblem {
    pub field: String,
    pub code: ErrorCode,
    /// The sentence to show, in the language negotiated from `Accept-Language`.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
    pub database: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegisterRequest {
    pub phone: String,
    pub password: String,
    /// How the app greets the resident; optional, private.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Agreed to the privacy notice (`personal::PRIVACY_NOTICE_VERSION`); required.
    #[serde(default)]
    pub privacy_consent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    pub phone: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BindHouseholdRequest {
    pub code: String,
}

/// Who the browser is signed in as, if anyone: 200 either way, so that a visitor's first
/// page load does not produce an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    pub me: Option<Me>,
    /// The address the app was opened at is none of the communities' (a city's Linli serves
    /// each at its own host name): the app says so at once, before anything else fails.
    #[serde(default)]
    pub unknown_address: bool,
}

/// The signed-in account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: i64,
    /// The account's own number, in full: only ever sent to its owner.
    pub phone: String,
    pub display_name: String,
    pub role: Role,
    pub households: Vec<Membership>,
}

impl Me {
    pub fn is_verified(&self) -> bool {
        !self.households.is_empty()
    }

    pub fn is_owner(&self) -> bool {
        self.households
            .iter()
            .any(|h| h.relation == HouseholdRelation::Owner)
    }
}

/// A household the account is a verified member of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Membership {
    pub household_id: i64,
    pub address: HouseholdAddress,
    pub relation: HouseholdRelation,
    pub floor_area: FloorArea,
    pub verified_at: i64,
}

/// Where a household is, in both languages: 小区, 楼栋, 单元, room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HouseholdAddress {
    pub compound_zh: String,
    pub compound_en: String,
    pub building: i64,
    pub stairwell: i64,
    pub room: String,
    /// The ids of the places it lies in, so a consultation can be scoped to them.
    pub compound_id: i64,
    pub building_id: i64,
    pub stairwell_id: i64,
}

/// The community in figures, public: what the landing pages show before anyone logs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommunityOverview {
    pub name_zh: String,
    pub name_en: String,
    pub city_zh: String,
    pub city_en: String,
    pub street_office_zh: String,
    pub street_office_en: String,
    pub compounds: Vec<CompoundSummary>,
    pub households: i64,
    pub verified_households: i64,
    pub facilities: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CompoundSummary {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub built_year: i64,
    pub buildings: i64,
    pub households: i64,
}

// ---- Service requests (办事) ----

/// How the resident wants to be contacted about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactPreference {
    /// Updates in the app only.
    #[default]
    App,
    /// Staff may also call the account's number.
    Phone,
}

impl ContactPreference {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactPreference::App => "app",
            ContactPreference::Phone => "phone",
        }
    }
}

/// A WGS-84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

fn yes() -> bool {
    true
}

/// What a resident sends to open a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewRequest {
    /// A category code from the catalogue.
    pub category: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Answers to the category's extra questions, by question key.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: crate::catalogue::Answers,
    /// A point picked on the map; without it (and without an address) the resident's household.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// An address typed in.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub contact: ContactPreference,
    /// Hide the resident's name from the public (on unless turned off).
    #[serde(default = "yes")]
    pub hide_name: bool,
}

/// A request in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RequestSummary {
    pub id: i64,
    /// e.g. `LL-2026-000123`
    pub tracking_number: String,
    pub category: String,
    pub title: String,
    pub status: crate::request::RequestStatus,
    pub submitted_at: i64,
    pub deadlines: crate::request::Deadlines,
    /// Past its resolution deadline and not resolved (at the time of the answer).
    pub overdue: bool,
    /// In the asking resident's list because they follow it ("me too"), not because they sent it.
    #[serde(default)]
    pub following: bool,
}

/// One entry of a request's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimelineEntry {
    pub at: i64,
    /// `resident` or `staff`: who acted, by role (names are not shown).
    pub actor_role: String,
    /// `submit`, a `RequestAction`, or `note`.
    pub action: String,
    pub from_status: Option<crate::request::RequestStatus>,
    pub to_status: Option<crate::request::RequestStatus>,
    pub note: String,
    /// False for staff-internal notes (only staff ever receive those).
    pub public: bool,
    /// Why it was turned down, on a `reject` entry.
    #[serde(default)]
    pub reason: Option<crate::request::RejectReason>,
    /// The ids of the photos that came with this entry (see `/photos/{id}`).
    #[serde(default)]
    pub photos: Vec<i64>,
}

/// A request as its author or staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RequestDetail {
    pub summary: RequestSummary,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: crate::catalogue::Answers,
    pub location: Option<GeoPoint>,
    pub address: Option<String>,
    pub contact: ContactPreference,
    pub hide_name: bool,
    /// Who handles it: a grid worker or a department.
    pub handler: Option<String>,
    pub satisfied: Option<bool>,
    pub timeline: Vec<TimelineEntry>,
    /// What the asking account may do next.
    pub allowed_actions: Vec<crate::request::RequestAction>,
    /// How many residents said "me too".
    #[serde(default)]
    pub followers: i64,
    /// Whether the asking account follows it (and did not send it).
    #[serde(default)]
    pub following: bool,
    /// Who sent it, for staff only: the name and the masked number. None for anyone else, and
    /// once the account is deleted.
    #[serde(default)]
    pub requester: Option<crate::contact::Requester>,
}

impl RequestDetail {
    /// What a resident who follows someone else's request may see: what it is about and
    /// how it is going, not what the author wrote about themselves. No description, answers,
    /// exact place, contact or photos; only the status changes and staff's public words.
    pub fn for_follower(self) -> Self {
        let timeline = self
            .timeline
            .into_iter()
            .filter(|e| e.public && e.action != "note")
            .map(|e| TimelineEntry {
                note: if e.actor_role == "staff" {
                    e.note
                } else {
                    String::new()
                },
                photos: Vec::new(),
                ..e
            })
            .collect();
        Self {
            description: String::new(),
            answers: Default::default(),
            location: None,
            address: None,
            contact: ContactPreference::App,
            hide_name: true,
            timeline,
            allowed_actions: Vec::new(),
            following: true,
            requester: None,
            ..self
        }
    }
}

/// A status change asked for by staff or by the author.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RequestActionBody {
    pub action: crate::request::RequestAction,
    /// A reason or comment for the timeline (required to reject).
    #[serde(default)]
    pub note: String,
    /// Who it is dispatched to (required to dispatch).
    #[serde(default)]
    pub handler: Option<String>,
    /// Why it is turned down (required to reject).
    #[serde(default)]
    pub reason: Option<crate::request::RejectReason>,
}

/// A note on a request's timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewNote {
    pub note: String,
    /// Internal notes are seen by staff only; residents can only add public ones.
    #[serde(default = "yes")]
    pub public: bool,
}

/// An open request like the one being written: same category, nearby, recent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SimilarRequest {
    pub id: i64,
    pub tracking_number: String,
    pub title: String,
    pub status: crate::request::RequestStatus,
    pub submitted_at: i64,
    /// From the place being reported, rounded to 10 m.
    pub distance_metres: u32,
    pub followers: i64,
    /// The asking resident sent it or already follows it.
    pub mine: bool,
}

/// A request as the public sees it: no name, no contact, no description, a coarse place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicRequestItem {
    pub tracking_number: String,
    pub category: String,
    pub title: String,
    pub status: crate::request::RequestStatus,
    pub submitted_at: i64,
    pub overdue: bool,
    /// The compound (小区), never a building or a room.
    pub compound_zh: Option<String>,
    pub compound_en: Option<String>,
    /// Rounded to about 100 m.
    pub location: Option<GeoPoint>,
    pub followers: i64,
}

/// One page of the public list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublicRequestPage {
    pub items: Vec<PublicRequestItem>,
    /// Pass as `before` for the next page; none on the last page.
    pub next_before: Option<i64>,
}

/// The community's plan, for the small maps: where each building and compound is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommunityMap {
    pub centre: GeoPoint,
    pub compounds: Vec<MapCompound>,
    pub buildings: Vec<MapBuilding>,
    /// Raster tiles under the map, when the deployment configured a tile server; without
    /// them the map draws the community's own network and works offline.
    #[serde(default)]
    pub tiles: Option<TileSource>,
}

/// A raster tile server (`https://…/{z}/{x}/{y}.png`) and the attribution its licence asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TileSource {
    pub url: String,
    /// HTML, as the deployment wrote it (e.g. `&copy; OpenStreetMap contributors`).
    pub attribution: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MapCompound {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub centre: GeoPoint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MapBuilding {
    pub id: i64,
    pub compound_id: i64,
    /// 幢: the building's number within its compound.
    pub number: i64,
    pub at: GeoPoint,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Deadlines, RequestStatus};

    fn entry(role: &str, action: &str, note: &str, public: bool) -> TimelineEntry {
        TimelineEntry {
            at: 1,
            actor_role: role.into(),
            action: action.into(),
            from_status: None,
            to_status: None,
            note: note.into(),
            public,
            reason: None,
            photos: vec![7],
        }
    }

    #[test]
    fn a_follower_sees_progress_but_nothing_the_author_wrote() {
        let detail = RequestDetail {
            summary: RequestSummary {
                id: 1,
                tracking_number: "LL-2026-000001".into(),
                category: "repairs".into(),
                title: "楼道灯不亮".into(),
                status: RequestStatus::Accepted,
                submitted_at: 0,
                deadlines: Deadlines {
                    respond_by: 1,
                    resolve_by: 2,
                },
                overdue: false,
                following: false,
            },
            description: "我家住 301，电话 139…".into(),
            answers: Default::default(),
            location: Some(GeoPoint {
                lat: 30.0,
                lon: 120.0,
            }),
            address: Some("翠柳苑 1 幢 301".into()),
            contact: ContactPreference::Phone,
            hide_name: false,
            handler: Some("网格员".into()),
            satisfied: None,
            timeline: vec![
                entry("resident", "submit", "", true),
                entry("resident", "note", "我晚上在家", true),
                entry("staff", "note", "内部：业主难沟通", false),
                entry("staff", "accept", "已受理，明天上门", true),
                entry("resident", "rate_unsatisfied", "还是不亮，301", true),
            ],
            allowed_actions: vec![crate::request::RequestAction::Withdraw],
            followers: 2,
            following: false,
            requester: Some(crate::contact::Requester {
                display_name: "王建国".into(),
                phone_masked: "139****0001".into(),
                may_call: true,
            }),
        };
        let seen = detail.for_follower();
        assert_eq!(seen.description, "");
        assert_eq!(seen.address, None);
        assert_eq!(seen.location, None);
        assert_eq!(seen.contact, ContactPreference::App);
        assert!(seen.allowed_actions.is_empty());
        assert!(seen.following);
        assert_eq!(seen.requester, None);
        let actions: Vec<_> = seen.timeline.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["submit", "accept", "rate_unsatisfied"]);
        assert_eq!(seen.timeline[1].note, "已受理，明天上门");
        assert_eq!(seen.timeline[2].note, "");
        assert!(seen.timeline.iter().all(|e| e.photos.is_empty()));
    }
}
