//! Reaching the resident behind a request by phone. Staff see the number masked (`139****0001`)
//! and open it in full only on purpose, saying why; each opening is written to the access log,
//! which admins browse and which the resident finds in the export of their own data
//! (个人信息保护法: personal information is used for a stated purpose, and its use is recorded).

use crate::account::{PhoneNumber, Role};
use crate::api::ContactPreference;
use serde::{Deserialize, Serialize};

/// Why a staff member opens a resident's number; the opening is refused without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactPurpose {
    /// To agree a time to come and look, or to do the work (预约上门).
    ArrangeVisit,
    /// To ask what the request means, or what is missing from it (核实情况).
    ClarifyRequest,
    /// To tell the resident the outcome and ask if it is settled (回访).
    ReportBack,
}

impl ContactPurpose {
    pub const ALL: [ContactPurpose; 3] = [
        ContactPurpose::ArrangeVisit,
        ContactPurpose::ClarifyRequest,
        ContactPurpose::ReportBack,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ContactPurpose::ArrangeVisit => "arrange_visit",
            ContactPurpose::ClarifyRequest => "clarify_request",
            ContactPurpose::ReportBack => "report_back",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// The resident behind a request, as staff see it before opening the contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requester {
    pub display_name: String,
    /// `139****0001`: enough to tell two residents apart, not enough to call.
    pub phone_masked: String,
    /// Whether the resident agreed to be called; the full number opens only if so.
    pub may_call: bool,
}

impl Requester {
    pub fn new(display_name: String, phone: &PhoneNumber, contact: ContactPreference) -> Self {
        Requester {
            display_name,
            phone_masked: phone.masked(),
            may_call: contact == ContactPreference::Phone,
        }
    }
}

/// A staff member's request to open a resident's number.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactOpening {
    pub purpose: ContactPurpose,
}

/// The number, opened: its opening is in the access log from `logged_at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedContact {
    pub display_name: String,
    pub phone: String,
    /// Unix seconds.
    pub logged_at: i64,
}

/// What was done with a resident's personal data. Only the opening of a contact so far; the
/// log's rows keep the action's name so that others can join it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    OpenContact,
}

impl AccessAction {
    pub fn key(self) -> &'static str {
        match self {
            AccessAction::OpenContact => "open_contact",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        (key == "open_contact").then_some(AccessAction::OpenContact)
    }
}

/// One row of the access log, as admins read it: who, when, why, about which request. It
/// names the staff member, never the resident: the tracking number leads to the request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLogEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor_name: String,
    pub actor_role: Role,
    pub action: AccessAction,
    pub purpose: ContactPurpose,
    pub request_id: i64,
    pub tracking_number: String,
}

/// A page of the access log, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessLogPage {
    pub entries: Vec<AccessLogEntry>,
    /// Pass as `before` for the next (older) page; none on the last page.
    pub next_before: Option<i64>,
}

/// A time staff opened the resident's number, as the resident reads it in their data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyContactOpening {
    /// Unix seconds.
    pub at: i64,
    pub purpose: ContactPurpose,
    pub tracking_number: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_through_their_keys() {
        for purpose in ContactPurpose::ALL {
            assert_eq!(ContactPurpose::parse(purpose.key()), Some(purpose));
            let json = serde_json::to_string(&purpose).unwrap();
            assert_eq!(json, format!("\"{}\"", purpose.key()));
        }
        assert_eq!(ContactPurpose::parse("curiosity"), None);
        assert_eq!(
            AccessAction::parse(AccessAction::OpenContact.key()),
            Some(AccessAction::OpenContact)
        );
    }

    #[test]
    fn staff_see_the_number_masked_and_whether_they_may_call() {
        let phone = PhoneNumber::parse("13900000001").unwrap();
        let wants_calls = Requester::new("王建国".into(), &phone, ContactPreference::Phone);
        assert_eq!(wants_calls.phone_masked, "139****0001");
        assert!(wants_calls.may_call);
        assert!(!wants_calls.phone_masked.contains("13900000001"));
        let app_only = Requester::new("王建国".into(), &phone, ContactPreference::App);
        assert!(!app_only.may_call);
    }
}
