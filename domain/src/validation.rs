//! Validation outcomes shared by the form and the server: a field name and a stable code.
//! The words shown to people live in the locale files (`locales/*.json`, key `errors.<code>`).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Every reason Linli can refuse a value. The serialized name is the key under `errors`
/// in the locale files, so the SPA and the server show the same sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Required,
    PhoneInvalid,
    PhoneTaken,
    PasswordTooShort,
    PasswordTooLong,
    PasswordNeedsLetterAndDigit,
    PasswordContainsPhone,
    PasswordTooCommon,
    DisplayNameTooLong,
    DisplayNameInvalid,
    BindingCodeFormat,
    BindingCodeTypo,
    BindingCodeUnknown,
    BindingCodeUsed,
    AlreadyMember,
    TitleTooLong,
    DescriptionTooLong,
    TextInvalid,
    AnswerUnknown,
    AnswerNotANumber,
    AnswerOutOfRange,
    AnswerNotAnOption,
    TooManyChoices,
    AnswerTooLong,
    LocationInvalid,
    CategoryUnknown,
    HandlerRequired,
    ReasonRequired,
    TooManyPhotos,
    PhotoTooLarge,
    PhotoType,
    PhotoUnreadable,
    ReasonUnknown,
    CannotFollow,
    /// A request sent to a Linli that has no community set up yet.
    NoCommunity,
    /// An address that is none of the communities' host names (a city's Linli serves each
    /// community at its own).
    UnknownCommunity,
    HouseholdRequired,
    NotInScope,
    AlreadyCosigned,
    TopicNotNow,
    NotEligible,
    VoteClosed,
    ReceiptNeeded,
    TallyHidden,
    DeadlineInvalid,
    /// A choice question needs the topic's options (two or more); ranked ones a majority rule.
    QuestionDoesNotFit,
    DocumentType,
    DocumentTooLarge,
    OpeningHoursInvalid,
    OutsideCommunity,
    BboxInvalid,
    AreaInvalid,
    ResultNotPublished,
    CorrectionSecretBallot,
    NotOnRoll,
    NoBallotToVoid,
    CorrectionChangesNothing,
    ActionNotAllowedNow,
    MonthInvalid,
    /// The `Idempotency-Key` header is not 1 to 64 letters, digits or `-_.:`.
    IdempotencyKeyInvalid,
    /// The same `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused,
    StatusUnknown,
    WrongCredentials,
    TooManyAttempts,
    MalformedBody,
    BodyTooLarge,
    UnsupportedMediaType,
    NotFound,
    MethodNotAllowed,
    Unauthorized,
    Forbidden,
    /// A state-changing request sent from another site's page (cross-site request forgery).
    CrossOrigin,
    /// Sign-up without agreeing to the privacy notice.
    ConsentRequired,
    /// Staff asked for the number of a resident who did not agree to be called, or whose
    /// account is deleted.
    ContactNotShared,
    /// The signed-in account's own password, asked again to confirm (deleting the account),
    /// is not right. Unlike a login, the number is not in question.
    WrongPassword,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 76] = [
        ErrorCode::Required,
        ErrorCode::PhoneInvalid,
        ErrorCode::PhoneTaken,
        ErrorCode::PasswordTooShort,
        ErrorCode::PasswordTooLong,
        ErrorCode::PasswordNeedsLetterAndDigit,
        ErrorCode::PasswordContainsPhone,
        ErrorCode::PasswordTooCommon,
        ErrorCode::DisplayNameTooLong,
        ErrorCode::DisplayNameInvalid,
        ErrorCode::BindingCodeFormat,
        ErrorCode::BindingCodeTypo,
        ErrorCode::BindingCodeUnknown,
        ErrorCode::BindingCodeUsed,
        ErrorCode::AlreadyMember,
        ErrorCode::TitleTooLong,
        ErrorCode::DescriptionTooLong,
        ErrorCode::TextInvalid,
        ErrorCode::AnswerUnknown,
        ErrorCode::AnswerNotANumber,
        ErrorCode::AnswerOutOfRange,
        ErrorCode::AnswerNotAnOption,
        ErrorCode::TooManyChoices,
        ErrorCode::AnswerTooLong,
        ErrorCode::LocationInvalid,
        ErrorCode::CategoryUnknown,
        ErrorCode::HandlerRequired,
        ErrorCode::ReasonRequired,
        ErrorCode::TooManyPhotos,
        ErrorCode::PhotoTooLarge,
        ErrorCode::PhotoType,
        ErrorCode::PhotoUnreadable,
        ErrorCode::ReasonUnknown,
        ErrorCode::CannotFollow,
        ErrorCode::NoCommunity,
        ErrorCode::UnknownCommunity,
        ErrorCode::HouseholdRequired,
        ErrorCode::NotInScope,
        ErrorCode::AlreadyCosigned,
        ErrorCode::TopicNotNow,
        ErrorCode::NotEligible,
        ErrorCode::VoteClosed,
        ErrorCode::ReceiptNeeded,
        ErrorCode::TallyHidden,
        ErrorCode::DeadlineInvalid,
        ErrorCode::QuestionDoesNotFit,
        ErrorCode::DocumentType,
        ErrorCode::DocumentTooLarge,
        ErrorCode::OpeningHoursInvalid,
        ErrorCode::OutsideCommunity,
        ErrorCode::BboxInvalid,
        ErrorCode::AreaInvalid,
        ErrorCode::ResultNotPublished,
        ErrorCode::CorrectionSecretBallot,
        ErrorCode::NotOnRoll,
        ErrorCode::NoBallotToVoid,
        ErrorCode::CorrectionChangesNothing,
        ErrorCode::ActionNotAllowedNow,
        ErrorCode::MonthInvalid,
        ErrorCode::IdempotencyKeyInvalid,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::StatusUnknown,
        ErrorCode::WrongCredentials,
        ErrorCode::TooManyAttempts,
        ErrorCode::MalformedBody,
        ErrorCode::BodyTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::CrossOrigin,
        ErrorCode::ConsentRequired,
        ErrorCode::ContactNotShared,
        ErrorCode::WrongPassword,
        ErrorCode::Internal,
    ];

    /// The key of this code in the locale files' `errors` table.
    pub fn key(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::PhoneInvalid => "phone_invalid",
            ErrorCode::PhoneTaken => "phone_taken",
            ErrorCode::PasswordTooShort => "password_too_short",
            ErrorCode::PasswordTooLong => "password_too_long",
            ErrorCode::PasswordNeedsLetterAndDigit => "password_needs_letter_and_digit",
            ErrorCode::PasswordContainsPhone => "password_contains_phone",
            ErrorCode::PasswordTooCommon => "password_too_common",
            ErrorCode::DisplayNameTooLong => "display_name_too_long",
            ErrorCode::DisplayNameInvalid => "display_name_invalid",
            ErrorCode::BindingCodeFormat => "binding_code_format",
            ErrorCode::BindingCodeTypo => "binding_code_typo",
            ErrorCode::BindingCodeUnknown => "binding_code_unknown",
            ErrorCode::BindingCodeUsed => "binding_code_used",
            ErrorCode::AlreadyMember => "already_member",
            ErrorCode::TitleTooLong => "title_too_long",
            ErrorCode::DescriptionTooLong => "description_too_long",
            ErrorCode::TextInvalid => "text_invalid",
            ErrorCode::AnswerUnknown => "answer_unknown",
            ErrorCode::AnswerNotANumber => "answer_not_a_number",
            ErrorCode::AnswerOutOfRange => "answer_out_of_range",
            ErrorCode::AnswerNotAnOption => "answer_not_an_option",
            ErrorCode::TooManyChoices => "too_many_choices",
            ErrorCode::AnswerTooLong => "answer_too_long",
            ErrorCode::LocationInvalid => "location_invalid",
            ErrorCode::CategoryUnknown => "category_unknown",
            ErrorCode::HandlerRequired => "handler_required",
            ErrorCode::ReasonRequired => "reason_required",
            ErrorCode::TooManyPhotos => "too_many_photos",
            ErrorCode::PhotoTooLarge => "photo_too_large",
            ErrorCode::PhotoType => "photo_type",
            ErrorCode::PhotoUnreadable => "photo_unreadable",
            ErrorCode::ReasonUnknown => "reason_unknown",
            ErrorCode::CannotFollow => "cannot_follow",
            ErrorCode::NoCommunity => "no_community",
            ErrorCode::UnknownCommunity => "unknown_community",
            ErrorCode::HouseholdRequired => "household_required",
            ErrorCode::NotInScope => "not_in_scope",
            ErrorCode::AlreadyCosigned => "already_cosigned",
            ErrorCode::TopicNotNow => "topic_not_now",
            ErrorCode::NotEligible => "not_eligible",
            ErrorCode::VoteClosed => "vote_closed",
            ErrorCode::ReceiptNeeded => "receipt_needed",
            ErrorCode::TallyHidden => "tally_hidden",
            ErrorCode::DeadlineInvalid => "deadline_invalid",
            ErrorCode::QuestionDoesNotFit => "question_does_not_fit",
            ErrorCode::DocumentType => "document_type",
            ErrorCode::DocumentTooLarge => "document_too_large",
            ErrorCode::OpeningHoursInvalid => "opening_hours_invalid",
            ErrorCode::OutsideCommunity => "outside_community",
            ErrorCode::BboxInvalid => "bbox_invalid",
            ErrorCode::AreaInvalid => "area_invalid",
            ErrorCode::ResultNotPublished => "result_not_published",
            ErrorCode::CorrectionSecretBallot => "correction_secret_ballot",
            ErrorCode::NotOnRoll => "not_on_roll",
            ErrorCode::NoBallotToVoid => "no_ballot_to_void",
            ErrorCode::CorrectionChangesNothing => "correction_changes_nothing",
            ErrorCode::ActionNotAllowedNow => "action_not_allowed_now",
            ErrorCode::MonthInvalid => "month_invalid",
            ErrorCode::IdempotencyKeyInvalid => "idempotency_key_invalid",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::StatusUnknown => "status_unknown",
            ErrorCode::WrongCredentials => "wrong_credentials",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::MalformedBody => "malformed_body",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CrossOrigin => "cross_origin",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::ContactNotShared => "contact_not_shared",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::Internal => "internal",
        }
    }
}

/// One refused field: which one, and why. Most fields are named statically; the answers to
/// a category's extra questions are named `answers.<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, code: ErrorCode) -> Self {
        Self {
            field: field.into(),
            code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serializes_to_its_locale_key() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.key()));
        }
    }
}
