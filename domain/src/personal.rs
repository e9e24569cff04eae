//! A resident's personal data, under the Personal Information Protection Law (个人信息保护法):
//! consent to the privacy notice at sign-up, and the right to see, export, correct and delete
//! what Linli holds about them.

use crate::api::{Me, Membership, RequestDetail};
use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};

/// The privacy notice a resident agrees to at sign-up; its text is in the locale files
/// (`auth.privacy_notice`). A new wording gets a new version, so that each account records
/// which one it agreed to.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-11";

/// What a deleted account is called where its records stay (a named ballot's roll).
pub const DELETED_ACCOUNT_NAME: &str = "已注销用户";

/// Sign-up needs the resident's consent to the notice.
pub fn check_consent(given: bool) -> Result<(), FieldError> {
    if given {
        Ok(())
    } else {
        Err(FieldError::new(
            "privacy_consent",
            ErrorCode::ConsentRequired,
        ))
    }
}

/// A correction of the account's own details. The phone number is the login and is not
/// changed here.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountCorrection {
    pub display_name: String,
}

/// Deleting the account, confirmed with its password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDeletion {
    pub password: String,
}

/// Everything Linli holds about one account, as its owner downloads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyData {
    /// Unix seconds.
    pub exported_at: i64,
    pub account: Me,
    /// Unix seconds.
    pub created_at: i64,
    /// When the privacy notice was agreed to, and which version; none for accounts made by
    /// staff.
    pub privacy_consent_at: Option<i64>,
    pub privacy_notice: Option<String>,
    /// The households the account is a verified member of (also in `account`).
    pub households: Vec<Membership>,
    /// Every request the account sent, as its author sees it.
    pub requests: Vec<RequestDetail>,
    /// Requests of others the account follows ("me too"), by tracking number.
    pub following: Vec<String>,
    pub proposals: Vec<MyTopicEntry>,
    pub cosignatures: Vec<MyTopicEntry>,
    pub comments: Vec<MyComment>,
    /// Named ballots: kept as the law requires, also after the account is deleted. Secret
    /// ballots are stored without their voter, so nothing links them to this account.
    pub named_ballots: Vec<MyBallot>,
    pub ratings: Vec<MyRating>,
    /// The account's signed-in devices.
    pub sessions: Vec<MySession>,
    /// Each time staff opened the account's phone number from one of its requests, and why.
    pub contact_openings: Vec<crate::contact::MyContactOpening>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyTopicEntry {
    pub topic_id: i64,
    pub title: String,
    /// Unix seconds.
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyComment {
    pub topic_id: i64,
    pub body: String,
    pub hidden: bool,
    /// Unix seconds.
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyBallot {
    pub topic_id: i64,
    pub question: String,
    pub household_id: i64,
    /// `yes`, `no`, `abstain`, or the chosen options' indexes (`[2,0]`).
    pub choice: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyRating {
    pub topic_id: i64,
    pub stars: i64,
    /// Unix seconds.
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySession {
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_needs_consent_to_the_notice() {
        assert!(check_consent(true).is_ok());
        let refused = check_consent(false).unwrap_err();
        assert_eq!(refused.field, "privacy_consent");
        assert_eq!(refused.code, ErrorCode::ConsentRequired);
    }
}
