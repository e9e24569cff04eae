//! Turning refusals into sentences: a domain `ErrorCode` into the locale's text, and an API
//! failure into per-field messages plus one overall message.

use crate::api::ApiError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::{ErrorCode, FieldError};

/// The locale's sentence for a code: the same key the server reads for its problem+json.
pub fn error_text(i18n: I18nContext<Locale>, code: ErrorCode) -> String {
    let text = match code {
        ErrorCode::Required => t_string!(i18n, errors.required),
        ErrorCode::PhoneInvalid => t_string!(i18n, errors.phone_invalid),
        ErrorCode::PhoneTaken => t_string!(i18n, errors.phone_taken),
        ErrorCode::PasswordTooShort => t_string!(i18n, errors.password_too_short),
        ErrorCode::PasswordTooLong => t_string!(i18n, errors.password_too_long),
        ErrorCode::PasswordNeedsLetterAndDigit => {
            t_string!(i18n, errors.password_needs_letter_and_digit)
        }
        ErrorCode::PasswordContainsPhone => t_string!(i18n, errors.password_contains_phone),
        ErrorCode::PasswordTooCommon => t_string!(i18n, errors.password_too_common),
        ErrorCode::DisplayNameTooLong => t_string!(i18n, errors.display_name_too_long),
        ErrorCode::DisplayNameInvalid => t_string!(i18n, errors.display_name_invalid),
        ErrorCode::BindingCodeFormat => t_string!(i18n, errors.binding_code_format),
        ErrorCode::BindingCodeTypo => t_string!(i18n, errors.binding_code_typo),
        ErrorCode::BindingCodeUnknown => t_string!(i18n, errors.binding_code_unknown),
        ErrorCode::BindingCodeUsed => t_string!(i18n, errors.binding_code_used),
        ErrorCode::AlreadyMember => t_string!(i18n, errors.already_member),
        ErrorCode::TitleTooLong => t_string!(i18n, errors.title_too_long),
        ErrorCode::DescriptionTooLong => t_string!(i18n, errors.description_too_long),
        ErrorCode::TextInvalid => t_string!(i18n, errors.text_invalid),
        ErrorCode::AnswerUnknown => t_string!(i18n, errors.answer_unknown),
        ErrorCode::AnswerNotANumber => t_string!(i18n, errors.answer_not_a_number),
        ErrorCode::AnswerOutOfRange => t_string!(i18n, errors.answer_out_of_range),
        ErrorCode::AnswerNotAnOption => t_string!(i18n, errors.answer_not_an_option),
        ErrorCode::TooManyChoices => t_string!(i18n, errors.too_many_choices),
        ErrorCode::AnswerTooLong => t_string!(i18n, errors.answer_too_long),
        ErrorCode::LocationInvalid => t_string!(i18n, errors.location_invalid),
        ErrorCode::CategoryUnknown => t_string!(i18n, errors.category_unknown),
        ErrorCode::HandlerRequired => t_string!(i18n, errors.handler_required),
        ErrorCode::ReasonRequired => t_string!(i18n, errors.reason_required),
        ErrorCode::TooManyPhotos => t_string!(i18n, errors.too_many_photos),
        ErrorCode::PhotoTooLarge => t_string!(i18n, errors.photo_too_large),
        ErrorCode::PhotoType => t_string!(i18n, errors.photo_type),
        ErrorCode::PhotoUnreadable => t_string!(i18n, errors.photo_unreadable),
        ErrorCode::ReasonUnknown => t_string!(i18n, errors.reason_unknown),
        ErrorCode::CannotFollow => t_string!(i18n, errors.cannot_follow),
        ErrorCode::NoCommunity => t_string!(i18n, errors.no_community),
        ErrorCode::UnknownCommunity => t_string!(i18n, errors.unknown_community),
        ErrorCode::HouseholdRequired => t_string!(i18n, errors.household_required),
        ErrorCode::NotInScope => t_string!(i18n, errors.not_in_scope),
        ErrorCode::AlreadyCosigned => t_string!(i18n, errors.already_cosigned),
        ErrorCode::TopicNotNow => t_string!(i18n, errors.topic_not_now),
        ErrorCode::NotEligible => t_string!(i18n, errors.not_eligible),
        ErrorCode::VoteClosed => t_string!(i18n, errors.vote_closed),
        ErrorCode::ReceiptNeeded => t_string!(i18n, errors.receipt_needed),
        ErrorCode::TallyHidden => t_string!(i18n, errors.tally_hidden),
        ErrorCode::DeadlineInvalid => t_string!(i18n, errors.deadline_invalid),
        ErrorCode::QuestionDoesNotFit => t_string!(i18n, errors.question_does_not_fit),
        ErrorCode::DocumentType => t_string!(i18n, errors.document_type),
        ErrorCode::DocumentTooLarge => t_string!(i18n, errors.document_too_large),
        ErrorCode::OpeningHoursInvalid => t_string!(i18n, errors.opening_hours_invalid),
        ErrorCode::OutsideCommunity => t_string!(i18n, errors.outside_community),
        ErrorCode::BboxInvalid => t_string!(i18n, errors.bbox_invalid),
        ErrorCode::AreaInvalid => t_string!(i18n, errors.area_invalid),
        ErrorCode::ResultNotPublished => t_string!(i18n, errors.result_not_published),
        ErrorCode::CorrectionSecretBallot => t_string!(i18n, errors.correction_secret_ballot),
        ErrorCode::NotOnRoll => t_string!(i18n, errors.not_on_roll),
        ErrorCode::NoBallotToVoid => t_string!(i18n, errors.no_ballot_to_void),
        ErrorCode::CorrectionChangesNothing => t_string!(i18n, errors.correction_changes_nothing),
        ErrorCode::ActionNotAllowedNow => t_string!(i18n, errors.action_not_allowed_now),
        ErrorCode::MonthInvalid => t_string!(i18n, errors.month_invalid),
        ErrorCode::IdempotencyKeyInvalid => t_string!(i18n, errors.idempotency_key_invalid),
        ErrorCode::IdempotencyKeyReused => t_string!(i18n, errors.idempotency_key_reused),
        ErrorCode::StatusUnknown => t_string!(i18n, errors.status_unknown),
        ErrorCode::WrongCredentials => t_string!(i18n, errors.wrong_credentials),
        ErrorCode::TooManyAttempts => t_string!(i18n, errors.too_many_attempts),
        ErrorCode::MalformedBody => t_string!(i18n, errors.malformed_body),
        ErrorCode::BodyTooLarge => t_string!(i18n, errors.body_too_large),
        ErrorCode::UnsupportedMediaType => t_string!(i18n, errors.unsupported_media_type),
        ErrorCode::NotFound => t_string!(i18n, errors.not_found),
        ErrorCode::MethodNotAllowed => t_string!(i18n, errors.method_not_allowed),
        ErrorCode::Unauthorized => t_string!(i18n, errors.unauthorized),
        ErrorCode::Forbidden => t_string!(i18n, errors.forbidden),
        ErrorCode::CrossOrigin => t_string!(i18n, errors.cross_origin),
        ErrorCode::ConsentRequired => t_string!(i18n, errors.consent_required),
        ErrorCode::ContactNotShared => t_string!(i18n, errors.contact_not_shared),
        ErrorCode::WrongPassword => t_string!(i18n, errors.wrong_password),
        ErrorCode::Internal => t_string!(i18n, errors.internal),
    };
    text.to_string()
}

/// What a form shows after a refusal: messages by field name, and one for the whole form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormErrors {
    pub fields: Vec<(String, String)>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn from_fields(i18n: I18nContext<Locale>, errors: &[FieldError]) -> Self {
        FormErrors {
            fields: errors
                .iter()
                .map(|e| (e.field.to_string(), error_text(i18n, e.code)))
                .collect(),
            general: Some(t_string!(i18n, auth.form_has_errors).to_string()),
        }
    }

    /// The server's answer: its messages are already in our language (Accept-Language).
    pub fn from_api(i18n: I18nContext<Locale>, error: &ApiError) -> Self {
        match error {
            ApiError::Network => FormErrors {
                fields: vec![],
                general: Some(t_string!(i18n, errors.network).to_string()),
            },
            ApiError::Problem(refusal) => {
                let problem = refusal.messages();
                FormErrors {
                    fields: problem
                        .errors
                        .into_iter()
                        .map(|e| (e.field, e.message))
                        .collect(),
                    general: problem.detail.or(Some(problem.title)),
                }
            }
        }
    }

    /// Moves focus to the first refused field (its input's id is the field name), so keyboard
    /// and screen-reader users land on what needs fixing.
    pub fn focus_first_field(&self) {
        use wasm_bindgen::JsCast;
        let Some((field, _)) = self.fields.first() else {
            return;
        };
        if let Some(input) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(field))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    }

    /// Replaces one field's refusal (or clears it with `None`), keeping the others.
    pub fn set_field(&mut self, i18n: I18nContext<Locale>, name: &str, code: Option<ErrorCode>) {
        self.fields.retain(|(f, _)| f != name);
        if let Some(code) = code {
            self.fields.push((name.to_owned(), error_text(i18n, code)));
        }
    }

    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.clone())
    }
}

/// Shows a refusal on a form and moves focus to the first field it names.
pub fn show_errors(errors: RwSignal<FormErrors>, refusal: FormErrors) {
    errors.set(refusal);
    // After the view has rendered the error (and aria-invalid) for that field.
    request_animation_frame(move || errors.with_untracked(FormErrors::focus_first_field));
}

/// A field's refusal under it, with the id its input's `aria-describedby` names.
#[component]
pub fn FieldMessage(errors: RwSignal<FormErrors>, #[prop(into)] field: String) -> impl IntoView {
    let id = format!("{field}-error");
    move || {
        errors.get().field(&field).map(|message| {
            view! {
                <p class="field-error" id=id.clone()>
                    <span aria-hidden="true">"⚠ "</span>
                    {message}
                </p>
            }
        })
    }
}
