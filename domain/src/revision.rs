//! Corrections to a published result. A result, once published at the close, never changes: a
//! correction is published as a new revision beside it, with its reason, and every earlier
//! revision stays readable with the figures it had. One correction touches one unit of the roll,
//! so each revision says exactly what it fixed.

use crate::ballot::{Verdict, Weight, YesNoTally};
use crate::consultation::OptionsResult;
use crate::request::short_text;
use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};

/// The longest reason a correction may give (it is printed on the notice board).
pub const REASON_MAX_CHARS: usize = 500;

/// What a correction changes in a closed vote's count. Only named votes can be corrected: a
/// secret ballot cannot be traced to its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Correction {
    /// The roll had the wrong floor area for this unit; the property register's is this one.
    Area {
        household_id: i64,
        area_centi_m2: u64,
    },
    /// This unit's ballot should not have counted (cast by someone who was not entitled to).
    VoidBallot { household_id: i64 },
}

impl Correction {
    pub fn household_id(self) -> i64 {
        match self {
            Correction::Area { household_id, .. } | Correction::VoidBallot { household_id } => {
                household_id
            }
        }
    }

    pub fn kind(self) -> CorrectionKind {
        match self {
            Correction::Area { .. } => CorrectionKind::Area,
            Correction::VoidBallot { .. } => CorrectionKind::VoidBallot,
        }
    }
}

/// What kind of change a revision made: public, unlike the unit it concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    Area,
    VoidBallot,
}

/// Staff's request to publish a corrected result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCorrection {
    /// Why, in words fit for the notice board (no names: the public reads it).
    pub reason: String,
    pub correction: Correction,
}

/// Checks a correction before anything is read: the reason is given and short enough, an area
/// is a plausible one. Answers the reason trimmed.
pub fn check_correction(new: &NewCorrection) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let reason = short_text("reason", &new.reason, REASON_MAX_CHARS)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if reason.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("reason", ErrorCode::Required));
    }
    if let Correction::Area { area_centi_m2, .. } = new.correction
        && (area_centi_m2 == 0 || area_centi_m2 > crate::FloorArea::MAX_CENTI_M2)
    {
        errors.push(FieldError::new("area", ErrorCode::AreaInvalid));
    }
    if errors.is_empty() {
        Ok(reason)
    } else {
        Err(errors)
    }
}

/// A result as it was published: the roll's weight and the count, with the verdict. Exactly one
/// of `tally` (a yes/no question) and `options_result` (a choice question) is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedResult {
    pub eligible: Weight,
    pub tally: Option<YesNoTally>,
    pub verdict: Option<Verdict>,
    pub options_result: Option<OptionsResult>,
}

impl PublishedResult {
    /// Whether the outcome (passed or not, or the options that passed or won) differs from
    /// `earlier`'s: a correction that changes it must be announced as such.
    pub fn outcome_differs(&self, earlier: &PublishedResult) -> bool {
        let passed = |r: &PublishedResult| r.verdict.map(|v| v.passed);
        let options = |r: &PublishedResult| {
            r.options_result.as_ref().map(|o| {
                let passed: Vec<bool> = o.verdicts.iter().map(|v| v.passed).collect();
                (passed, o.runoff.as_ref().and_then(|r| r.winner))
            })
        };
        passed(self) != passed(earlier) || options(self) != options(earlier)
    }
}

/// One published version of a vote's result. Number 1 is the one published at the close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultRevision {
    pub number: u32,
    pub published_at: i64,
    /// Why it was corrected; empty for the first.
    pub reason: String,
    /// What the correction changed; none for the first.
    pub change: Option<CorrectionKind>,
    pub result: PublishedResult,
}

/// A unit on a vote's roll, as staff see it when correcting a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollUnit {
    pub household_id: i64,
    pub address: crate::api::HouseholdAddress,
    pub area_centi_m2: u64,
    /// A ballot from this unit counts in the current revision.
    pub counted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::{DecisionRule, decide};

    fn new(reason: &str, correction: Correction) -> NewCorrection {
        NewCorrection {
            reason: reason.to_owned(),
            correction,
        }
    }

    #[test]
    fn a_correction_needs_a_reason_and_a_plausible_area() {
        let void = Correction::VoidBallot { household_id: 7 };
        assert_eq!(
            check_correction(&new("  非业主本人投票  ", void)),
            Ok("非业主本人投票".to_owned())
        );
        let refused = |n: NewCorrection| {
            check_correction(&n)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.field.into_owned(), e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            refused(new("   ", void)),
            [("reason".to_owned(), ErrorCode::Required)]
        );
        assert_eq!(
            refused(new(&"长".repeat(REASON_MAX_CHARS + 1), void)),
            [("reason".to_owned(), ErrorCode::AnswerTooLong)]
        );
        for area_centi_m2 in [0, crate::FloorArea::MAX_CENTI_M2 + 1] {
            let area = Correction::Area {
                household_id: 7,
                area_centi_m2,
            };
            assert_eq!(
                refused(new("", area)),
                [
                    ("reason".to_owned(), ErrorCode::Required),
                    ("area".to_owned(), ErrorCode::AreaInvalid)
                ]
            );
        }
    }

    #[test]
    fn a_changed_verdict_is_told_apart_from_changed_figures() {
        let rule = DecisionRule::SimpleMajority;
        let units = |units: u64| Weight {
            units,
            area_centi_m2: 0,
        };
        let result = |yes: u64, no: u64| {
            let tally = YesNoTally {
                eligible: units(10),
                yes: units(yes),
                no: units(no),
                ..Default::default()
            };
            PublishedResult {
                eligible: tally.eligible,
                tally: Some(tally),
                verdict: Some(decide(rule, &tally)),
                options_result: None,
            }
        };
        // 6 to 3 and 5 to 3 both pass; 5 to 4 passes, 4 to 4 does not ("more than half").
        assert!(!result(5, 3).outcome_differs(&result(6, 3)));
        assert!(result(4, 4).outcome_differs(&result(5, 4)));
    }

    #[test]
    fn corrections_travel_as_tagged_json() {
        let area = Correction::Area {
            household_id: 3,
            area_centi_m2: 8950,
        };
        let json = serde_json::to_string(&area).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"area","household_id":3,"area_centi_m2":8950}"#
        );
        assert_eq!(serde_json::from_str::<Correction>(&json).unwrap(), area);
        assert_eq!(area.kind(), CorrectionKind::Area);
        assert_eq!(area.household_id(), 3);
    }
}
