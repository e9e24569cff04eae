//! The service catalogue: request categories with their time limits and the extra questions
//! each may ask (text, number, single or multiple choice), and the rules for the answers.

use crate::request::TimeLimits;
use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A kind of request the community handles (an Open311 "service").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestCategory {
    /// Stable code, e.g. `repairs`; the Open311 `service_code`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub limits: TimeLimits,
    pub questions: Vec<Question>,
}

/// An extra question a category asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub kind: QuestionKind,
    pub required: bool,
    /// The choices, for single and multiple choice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<QuestionOption>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// Named apart from a vote's `consultation::QuestionKind` in the OpenAPI document, where schema
// names share one namespace.
#[cfg_attr(feature = "openapi", schema(as = CategoryQuestionKind))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum QuestionKind {
    Text,
    Number { min: i64, max: i64 },
    Single,
    Multiple { max_choices: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionOption {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
}

/// An answer as sent: a number, a text (or the key of a single choice), or a list of choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum AnswerValue {
    Number(i64),
    Text(String),
    Choices(Vec<String>),
}

/// Answers by question key.
pub type Answers = BTreeMap<String, AnswerValue>;

/// The longest free-text answer.
pub const MAX_TEXT_ANSWER_CHARS: usize = 200;

/// Checks every answer against its question; returns the answers with empty ones dropped and
/// texts trimmed, or every refused one at once (fields named `answers.<key>`).
pub fn validate_answers(
    questions: &[Question],
    answers: &Answers,
) -> Result<Answers, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut clean = Answers::new();
    for key in answers
        .keys()
        .filter(|k| !questions.iter().any(|q| &q.key == *k))
    {
        errors.push(FieldError::new(
            format!("answers.{key}"),
            ErrorCode::AnswerUnknown,
        ));
    }
    for question in questions {
        let field = || format!("answers.{}", question.key);
        let answer = answers.get(&question.key).and_then(non_empty);
        let Some(answer) = answer else {
            if question.required {
                errors.push(FieldError::new(field(), ErrorCode::Required));
            }
            continue;
        };
        match check(question, answer) {
            Ok(value) => {
                clean.insert(question.key.clone(), value);
            }
            Err(code) => errors.push(FieldError::new(field(), code)),
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn non_empty(answer: &AnswerValue) -> Option<&AnswerValue> {
    match answer {
        AnswerValue::Text(t) if t.trim().is_empty() => None,
        AnswerValue::Choices(c) if c.is_empty() => None,
        other => Some(other),
    }
}

fn check(question: &Question, answer: &AnswerValue) -> Result<AnswerValue, ErrorCode> {
    let is_option = |key: &str| question.options.iter().any(|o| o.key == key);
    match (question.kind, answer) {
        (QuestionKind::Text, AnswerValue::Text(text)) => {
            let text = text.trim();
            if text.chars().count() > MAX_TEXT_ANSWER_CHARS {
                Err(ErrorCode::AnswerTooLong)
            } else if text.chars().any(char::is_control) {
                Err(ErrorCode::TextInvalid)
            } else {
                Ok(AnswerValue::Text(text.to_owned()))
            }
        }
        (QuestionKind::Number { min, max }, answer) => {
            // Forms send numbers as text; both are accepted.
            let number = match answer {
                AnswerValue::Number(n) => Some(*n),
                AnswerValue::Text(t) => t.trim().parse::<i64>().ok(),
                AnswerValue::Choices(_) => None,
            };
            match number {
                None => Err(ErrorCode::AnswerNotANumber),
                Some(n) if n < min || n > max => Err(ErrorCode::AnswerOutOfRange),
                Some(n) => Ok(AnswerValue::Number(n)),
            }
        }
        (QuestionKind::Single, AnswerValue::Text(key)) if is_option(key) => {
            Ok(AnswerValue::Text(key.clone()))
        }
        (QuestionKind::Multiple { max_choices }, AnswerValue::Choices(keys)) => {
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            if !unique.iter().all(|k| is_option(k)) {
                Err(ErrorCode::AnswerNotAnOption)
            } else if unique.len() > max_choices as usize {
                Err(ErrorCode::TooManyChoices)
            } else {
                Ok(AnswerValue::Choices(unique))
            }
        }
        (QuestionKind::Single | QuestionKind::Multiple { .. }, _) => {
            Err(ErrorCode::AnswerNotAnOption)
        }
        (QuestionKind::Text, _) => Err(ErrorCode::AnswerNotAnOption),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(key: &str) -> QuestionOption {
        QuestionOption {
            key: key.into(),
            label_zh: key.into(),
            label_en: key.into(),
        }
    }

    fn question(key: &str, kind: QuestionKind, required: bool, options: &[&str]) -> Question {
        Question {
            key: key.into(),
            label_zh: key.into(),
            label_en: key.into(),
            kind,
            required,
            options: options.iter().map(|o| option(o)).collect(),
        }
    }

    fn questions() -> Vec<Question> {
        vec![
            question(
                "floor",
                QuestionKind::Number { min: -3, max: 40 },
                true,
                &[],
            ),
            question("where", QuestionKind::Single, true, &["stairs", "lift"]),
            question(
                "what",
                QuestionKind::Multiple { max_choices: 2 },
                false,
                &["light", "door", "pipe"],
            ),
            question("note", QuestionKind::Text, false, &[]),
        ]
    }

    fn answers(pairs: &[(&str, AnswerValue)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn codes(result: Result<Answers, Vec<FieldError>>) -> Vec<(String, ErrorCode)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field.into_owned(), e.code))
            .collect()
    }

    #[test]
    fn good_answers_are_cleaned() {
        let got = validate_answers(
            &questions(),
            &answers(&[
                ("floor", AnswerValue::Text(" 3 ".into())),
                ("where", AnswerValue::Text("lift".into())),
                (
                    "what",
                    AnswerValue::Choices(vec!["door".into(), "light".into(), "door".into()]),
                ),
                ("note", AnswerValue::Text("  ".into())),
            ]),
        )
        .unwrap();
        assert_eq!(got["floor"], AnswerValue::Number(3));
        assert_eq!(
            got["what"],
            AnswerValue::Choices(vec!["door".into(), "light".into()])
        );
        assert!(
            !got.contains_key("note"),
            "an empty optional answer is dropped"
        );
    }

    #[test]
    fn every_refusal_is_reported_at_once_by_field() {
        let got = codes(validate_answers(
            &questions(),
            &answers(&[
                ("floor", AnswerValue::Number(41)),
                (
                    "what",
                    AnswerValue::Choices(vec!["light".into(), "door".into(), "pipe".into()]),
                ),
                ("colour", AnswerValue::Text("red".into())),
                (
                    "note",
                    AnswerValue::Text("x".repeat(MAX_TEXT_ANSWER_CHARS + 1)),
                ),
            ]),
        ));
        assert_eq!(
            got,
            vec![
                ("answers.colour".into(), ErrorCode::AnswerUnknown),
                ("answers.floor".into(), ErrorCode::AnswerOutOfRange),
                ("answers.where".into(), ErrorCode::Required),
                ("answers.what".into(), ErrorCode::TooManyChoices),
                ("answers.note".into(), ErrorCode::AnswerTooLong),
            ]
        );
    }

    #[test]
    fn numbers_choices_and_bounds() {
        let q = questions();
        let only = |k: &str, v: AnswerValue| {
            let mut a = answers(&[
                ("floor", AnswerValue::Number(1)),
                ("where", AnswerValue::Text("stairs".into())),
            ]);
            a.insert(k.into(), v);
            validate_answers(&q, &a)
        };
        assert!(only("floor", AnswerValue::Number(-3)).is_ok());
        assert!(only("floor", AnswerValue::Number(40)).is_ok());
        assert_eq!(
            codes(only("floor", AnswerValue::Number(-4))),
            vec![("answers.floor".into(), ErrorCode::AnswerOutOfRange)]
        );
        assert_eq!(
            codes(only("floor", AnswerValue::Text("三".into()))),
            vec![("answers.floor".into(), ErrorCode::AnswerNotANumber)]
        );
        assert_eq!(
            codes(only("where", AnswerValue::Text("roof".into()))),
            vec![("answers.where".into(), ErrorCode::AnswerNotAnOption)]
        );
        assert_eq!(
            codes(only("what", AnswerValue::Choices(vec!["roof".into()]))),
            vec![("answers.what".into(), ErrorCode::AnswerNotAnOption)]
        );
        assert!(
            only("what", AnswerValue::Choices(vec![])).is_ok(),
            "no choice for an optional question"
        );
    }

    #[test]
    fn answers_deserialise_from_plain_json_values() {
        let parsed: Answers =
            serde_json::from_str(r#"{"floor": 5, "where": "lift", "what": ["door"]}"#).unwrap();
        assert_eq!(parsed["floor"], AnswerValue::Number(5));
        assert_eq!(parsed["where"], AnswerValue::Text("lift".into()));
        assert_eq!(parsed["what"], AnswerValue::Choices(vec!["door".into()]));
    }
}
