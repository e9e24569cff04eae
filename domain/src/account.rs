//! Accounts: mainland mobile numbers, password rules, display names and roles.

use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A mainland China mobile number, normalised to its 11 digits (`1[3-9]XXXXXXXXX`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts the ways people type a number: spaces, dashes, a `+86`/`86`/`0086` prefix.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = FieldError::new("phone", ErrorCode::PhoneInvalid);
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        if compact.is_empty() {
            return Err(FieldError::new("phone", ErrorCode::Required));
        }
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| {
                (compact.len() == 13)
                    .then(|| compact.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&compact);
        let bytes = digits.as_bytes();
        let well_formed = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if well_formed {
            Ok(Self(digits.to_owned()))
        } else {
            Err(invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown anywhere but to its owner: `138****8000`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets Linli's rules. Never logged, never serialised.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// Passwords people pick first; the list is short on purpose, the length rule does the rest.
    const COMMON: [&'static str; 12] = [
        "password1",
        "passw0rd",
        "qwerty123",
        "abc12345",
        "abcd1234",
        "a1234567",
        "a12345678",
        "1qaz2wsx",
        "woaini1314",
        "iloveyou1",
        "admin123",
        "aa123456",
    ];

    /// `phone` is the account's own number, which must not appear in the password.
    pub fn parse(raw: &str, phone: Option<&PhoneNumber>) -> Result<Self, FieldError> {
        let err = |code| FieldError::new("password", code);
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(err(ErrorCode::Required));
        }
        if chars < Self::MIN_CHARS {
            return Err(err(ErrorCode::PasswordTooShort));
        }
        if chars > Self::MAX_CHARS {
            return Err(err(ErrorCode::PasswordTooLong));
        }
        let has_letter = raw.chars().any(char::is_alphabetic);
        let has_digit = raw.chars().any(|c| c.is_ascii_digit());
        if !(has_letter && has_digit) {
            return Err(err(ErrorCode::PasswordNeedsLetterAndDigit));
        }
        if let Some(phone) = phone
            && (raw.contains(phone.as_str()) || raw.contains(&phone.as_str()[3..]))
        {
            return Err(err(ErrorCode::PasswordContainsPhone));
        }
        if Self::COMMON.contains(&raw.to_lowercase().as_str()) {
            return Err(err(ErrorCode::PasswordTooCommon));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// How a resident is greeted in the app; private (never shown to other residents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 20;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = |code| FieldError::new("display_name", code);
        let name = raw.trim();
        if name.is_empty() {
            return Err(err(ErrorCode::Required));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(err(ErrorCode::DisplayNameTooLong));
        }
        if name
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>'))
        {
            return Err(err(ErrorCode::DisplayNameInvalid));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an account may do. Staff handle requests and consultations; admins also manage staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    Staff,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "resident" => Some(Role::Resident),
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_people_type() {
        let cases = [
            ("13800138000", Some("13800138000")),
            (" 138 0013 8000 ", Some("13800138000")),
            ("138-0013-8000", Some("13800138000")),
            ("+8613800138000", Some("13800138000")),
            ("+86 139 1234 5678", Some("13912345678")),
            ("008613800138000", Some("13800138000")),
            ("8613800138000", Some("13800138000")),
            ("19912345678", Some("19912345678")),
            ("12800138000", None),  // second digit must be 3-9
            ("1380013800", None),   // 10 digits
            ("138001380001", None), // 12 digits
            ("23800138000", None),  // must start with 1
            ("1380013800a", None),
            ("010-12345678", None),           // landline
            ("１３８００１３８０００", None), // full-width digits are refused, not guessed
        ];
        for (raw, expected) in cases {
            let got = PhoneNumber::parse(raw).ok().map(|p| p.as_str().to_owned());
            assert_eq!(got.as_deref(), expected, "input {raw:?}");
        }
    }

    #[test]
    fn empty_phone_is_required_not_invalid() {
        assert_eq!(
            PhoneNumber::parse("  ").unwrap_err().code,
            ErrorCode::Required
        );
        assert_eq!(
            PhoneNumber::parse("123").unwrap_err().code,
            ErrorCode::PhoneInvalid
        );
    }

    #[test]
    fn masked_phone_hides_the_middle_four() {
        assert_eq!(
            PhoneNumber::parse("13800138000").unwrap().masked(),
            "138****8000"
        );
    }

    #[test]
    fn password_rules_with_their_boundaries() {
        let phone = PhoneNumber::parse("13800138000").unwrap();
        let cases: [(&str, Result<(), ErrorCode>); 12] = [
            ("", Err(ErrorCode::Required)),
            ("abc1234", Err(ErrorCode::PasswordTooShort)), // 7 chars
            ("abcd1234x", Ok(())),                         // 9 chars
            ("abc12345z", Ok(())),
            ("邻里邻里邻里12", Ok(())), // letters may be Chinese
            ("abcdefgh", Err(ErrorCode::PasswordNeedsLetterAndDigit)),
            ("12345678", Err(ErrorCode::PasswordNeedsLetterAndDigit)),
            ("x13800138000", Err(ErrorCode::PasswordContainsPhone)),
            ("pw00138000", Err(ErrorCode::PasswordContainsPhone)), // last 8 digits
            ("Password1", Err(ErrorCode::PasswordTooCommon)),
            ("WoAiNi1314", Err(ErrorCode::PasswordTooCommon)),
            ("abcdefg1", Ok(())), // exactly 8 chars is enough
        ];
        for (raw, expected) in cases {
            let got = Password::parse(raw, Some(&phone))
                .map(|_| ())
                .map_err(|e| e.code);
            assert_eq!(got, expected, "input {raw:?}");
        }
        let long = format!("a1{}", "x".repeat(Password::MAX_CHARS - 2));
        assert!(Password::parse(&long, None).is_ok());
        let too_long = format!("{long}y");
        assert_eq!(
            Password::parse(&too_long, None).unwrap_err().code,
            ErrorCode::PasswordTooLong
        );
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let p = Password::parse("secret123", None).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn display_names() {
        assert_eq!(DisplayName::parse("  王阿姨 ").unwrap().as_str(), "王阿姨");
        assert_eq!(
            DisplayName::parse(" ").unwrap_err().code,
            ErrorCode::Required
        );
        assert!(DisplayName::parse(&"张".repeat(20)).is_ok());
        assert_eq!(
            DisplayName::parse(&"张".repeat(21)).unwrap_err().code,
            ErrorCode::DisplayNameTooLong
        );
        assert_eq!(
            DisplayName::parse("<script>").unwrap_err().code,
            ErrorCode::DisplayNameInvalid
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Resident, Role::Staff, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Admin.is_staff() && !Role::Resident.is_staff());
    }
}
