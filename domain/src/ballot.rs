//! The decision rules of a consultation's vote (议事表决), in integer arithmetic only:
//! a simple or two-thirds majority of the votes cast, and the owners' joint decisions of PRC
//! Civil Code Art. 278, which need a quorum and an approval both by exclusive floor area and by
//! number of owners (one per exclusive unit). Thresholds are data, because cities set their own.
//! Also the instant-runoff count for ranked questions.

use serde::{Deserialize, Serialize};

/// A fraction with its bound: "at least 2/3" includes 2/3, "more than 1/2" excludes 1/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Threshold {
    pub numerator: u64,
    pub denominator: u64,
    /// True for "at least", false for "more than".
    pub inclusive: bool,
}

impl Threshold {
    pub const fn at_least(numerator: u64, denominator: u64) -> Self {
        Self {
            numerator,
            denominator,
            inclusive: true,
        }
    }

    pub const fn more_than(numerator: u64, denominator: u64) -> Self {
        Self {
            numerator,
            denominator,
            inclusive: false,
        }
    }

    /// Whether `part` of `whole` reaches the threshold: `part/whole >= n/d` is compared as
    /// `part*d >= n*whole`, in u128 so that no product can overflow. Nothing of nothing
    /// reaches no threshold.
    pub fn met(self, part: u64, whole: u64) -> bool {
        if whole == 0 {
            return false;
        }
        let left = u128::from(part) * u128::from(self.denominator);
        let right = u128::from(self.numerator) * u128::from(whole);
        if self.inclusive {
            left >= right
        } else {
            left > right
        }
    }
}

/// How a question is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionRule {
    /// More than half of the votes cast (yes + no; abstentions are not votes cast), by headcount.
    SimpleMajority,
    /// At least two thirds of the votes cast, by headcount.
    TwoThirds,
    /// Art. 278: a quorum of participants by area AND by owners, then approval among the
    /// participants by area AND by owners. Abstaining participants count toward the quorum.
    OwnersDecision {
        quorum: Threshold,
        approval: Threshold,
    },
}

impl DecisionRule {
    /// Art. 278 ordinary matters (e.g. using the maintenance fund, hiring the property manager):
    /// at least 2/3 take part; more than half of the participants approve.
    pub const ART_278_ORDINARY: DecisionRule = DecisionRule::OwnersDecision {
        quorum: Threshold::at_least(2, 3),
        approval: Threshold::more_than(1, 2),
    };

    /// Art. 278 major matters (raising the maintenance fund, rebuilding, e.g. adding a lift;
    /// changing the use of common parts): at least 2/3 take part; at least 3/4 of them approve.
    pub const ART_278_MAJOR: DecisionRule = DecisionRule::OwnersDecision {
        quorum: Threshold::at_least(2, 3),
        approval: Threshold::at_least(3, 4),
    };
}

/// Counts in two measures: exclusive units (or households) and floor area (centi-m²).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weight {
    pub units: u64,
    pub area_centi_m2: u64,
}

impl std::ops::Add for Weight {
    type Output = Weight;

    fn add(self, other: Weight) -> Weight {
        Weight {
            units: self.units + other.units,
            area_centi_m2: self.area_centi_m2 + other.area_centi_m2,
        }
    }
}

/// What a yes/no/abstain question received, against its frozen roll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YesNoTally {
    /// Everyone on the roll.
    pub eligible: Weight,
    pub yes: Weight,
    pub no: Weight,
    pub abstain: Weight,
}

impl YesNoTally {
    pub fn participating(&self) -> Weight {
        self.yes + self.no + self.abstain
    }
}

/// The verdict and each condition behind it, so the result page can say why in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdict {
    /// None where the rule has no quorum.
    pub quorum_by_units: Option<bool>,
    pub quorum_by_area: Option<bool>,
    pub approval_by_units: bool,
    /// None where the rule counts heads only.
    pub approval_by_area: Option<bool>,
    pub passed: bool,
}

/// Decides a yes/no/abstain question under `rule`.
pub fn decide(rule: DecisionRule, tally: &YesNoTally) -> Verdict {
    match rule {
        DecisionRule::SimpleMajority | DecisionRule::TwoThirds => {
            let threshold = if rule == DecisionRule::SimpleMajority {
                Threshold::more_than(1, 2)
            } else {
                Threshold::at_least(2, 3)
            };
            let cast = tally.yes.units + tally.no.units;
            let approval = threshold.met(tally.yes.units, cast);
            Verdict {
                quorum_by_units: None,
                quorum_by_area: None,
                approval_by_units: approval,
                approval_by_area: None,
                passed: approval,
            }
        }
        DecisionRule::OwnersDecision { quorum, approval } => {
            let taking_part = tally.participating();
            let quorum_units = quorum.met(taking_part.units, tally.eligible.units);
            let quorum_area = quorum.met(taking_part.area_centi_m2, tally.eligible.area_centi_m2);
            let approval_units = approval.met(tally.yes.units, taking_part.units);
            let approval_area = approval.met(tally.yes.area_centi_m2, taking_part.area_centi_m2);
            Verdict {
                quorum_by_units: Some(quorum_units),
                quorum_by_area: Some(quorum_area),
                approval_by_units: approval_units,
                approval_by_area: Some(approval_area),
                passed: quorum_units && quorum_area && approval_units && approval_area,
            }
        }
    }
}

/// What a choice question (single or multiple choice) received: each option's support (a
/// multiple-choice ballot supports several), the ballots that chose at least one option, and
/// the abstentions, against the frozen roll.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionsTally {
    pub eligible: Weight,
    /// By option index.
    pub options: Vec<Weight>,
    /// Ballots that chose at least one option.
    pub chose: Weight,
    pub abstain: Weight,
}

impl OptionsTally {
    pub fn participating(&self) -> Weight {
        self.chose + self.abstain
    }

    /// One option seen as a yes/no question: the ballots supporting it say yes, the other
    /// ballots that chose something say no, abstentions abstain. The same rule then decides
    /// each option exactly as it decides a yes/no question.
    pub fn as_yes_no(&self, option: usize) -> YesNoTally {
        let yes = self.options.get(option).copied().unwrap_or_default();
        YesNoTally {
            eligible: self.eligible,
            yes,
            no: Weight {
                units: self.chose.units.saturating_sub(yes.units),
                area_centi_m2: self.chose.area_centi_m2.saturating_sub(yes.area_centi_m2),
            },
            abstain: self.abstain,
        }
    }
}

/// Decides each option of a choice question under `rule`. Under a majority rule at most one
/// option of a single-choice question can pass; a multiple-choice question may approve several.
pub fn decide_options(rule: DecisionRule, tally: &OptionsTally) -> Vec<Verdict> {
    (0..tally.options.len())
        .map(|i| decide(rule, &tally.as_yes_no(i)))
        .collect()
}

/// One round of an instant-runoff count: the first preferences of the ballots still counting,
/// by option index, and the option eliminated at its end (none in the final round).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunoffRound {
    /// Votes per option; eliminated options keep 0.
    pub votes: Vec<u64>,
    /// Ballots with no continuing preference left.
    pub exhausted: u64,
    pub eliminated: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunoffResult {
    pub rounds: Vec<RunoffRound>,
    /// None when there were no valid ballots.
    pub winner: Option<usize>,
}

/// Instant-runoff voting over `options` options. Each ballot lists option indexes, most
/// preferred first (indexes out of range and repeats are skipped). An option with more than half
/// of the continuing ballots wins; otherwise the option with the fewest votes is eliminated.
/// A tie for the fewest is broken by the earlier rounds (the one with fewer votes then goes),
/// and if still tied, by the later position in the option list, so the count is reproducible
/// and the published rounds show exactly why.
pub fn instant_runoff(options: usize, ballots: &[Vec<usize>]) -> RunoffResult {
    let mut continuing = vec![true; options];
    let mut rounds: Vec<RunoffRound> = Vec::new();
    loop {
        let mut votes = vec![0u64; options];
        let mut exhausted = 0;
        for ballot in ballots {
            match ballot.iter().find(|&&o| o < options && continuing[o]) {
                Some(&o) => votes[o] += 1,
                None => exhausted += 1,
            }
        }
        let counting: u64 = votes.iter().sum();
        let remaining: Vec<usize> = (0..options).filter(|&o| continuing[o]).collect();
        if counting == 0 {
            rounds.push(RunoffRound {
                votes,
                exhausted,
                eliminated: None,
            });
            return RunoffResult {
                rounds,
                winner: None,
            };
        }
        let majority = remaining
            .iter()
            .copied()
            .find(|&o| Threshold::more_than(1, 2).met(votes[o], counting));
        if let Some(winner) = majority.or_else(|| (remaining.len() == 1).then(|| remaining[0])) {
            rounds.push(RunoffRound {
                votes,
                exhausted,
                eliminated: None,
            });
            return RunoffResult {
                rounds,
                winner: Some(winner),
            };
        }
        let loser = remaining
            .iter()
            .copied()
            .min_by(|&a, &b| {
                votes[a]
                    .cmp(&votes[b])
                    .then_with(|| {
                        // Earlier rounds, most recent first: fewer votes then goes first.
                        rounds
                            .iter()
                            .rev()
                            .map(|r| r.votes[a].cmp(&r.votes[b]))
                            .find(|o| o.is_ne())
                            .unwrap_or(std::cmp::Ordering::Equal)
                    })
                    // Still tied: the later option in the list goes.
                    .then_with(|| b.cmp(&a))
            })
            .expect("at least two options remain");
        continuing[loser] = false;
        rounds.push(RunoffRound {
            votes,
            exhausted,
            eliminated: Some(loser),
        });
    }
}

/// What the published receipt hashes say about one ballot's receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStanding {
    /// Published and counted in the current result.
    Counted,
    /// Published at the close, then voided by a correction: not counted any more.
    Voided,
    /// Not among the published hashes: a mistyped code, or another vote's.
    NotFound,
}

/// Looks up a receipt's hash among a closed vote's published hashes and those voided since.
pub fn receipt_standing(hash: &str, published: &[String], voided: &[String]) -> ReceiptStanding {
    if !published.iter().any(|h| h == hash) {
        ReceiptStanding::NotFound
    } else if voided.iter().any(|h| h == hash) {
        ReceiptStanding::Voided
    } else {
        ReceiptStanding::Counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(units: u64, area: u64) -> Weight {
        Weight {
            units,
            area_centi_m2: area,
        }
    }

    #[test]
    fn each_option_is_decided_like_a_yes_no_question() {
        // 10 households; 8 take part: option 0 gets 5, option 1 gets 2, one abstains... and
        // one ballot of the 7 choosing supports both (multiple choice).
        let tally = OptionsTally {
            eligible: w(10, 1000),
            options: vec![w(5, 500), w(3, 300), w(0, 0)],
            chose: w(7, 700),
            abstain: w(1, 100),
        };
        let yes_no = tally.as_yes_no(0);
        assert_eq!(yes_no.yes, w(5, 500));
        assert_eq!(yes_no.no, w(2, 200));
        assert_eq!(yes_no.participating(), w(8, 800));
        let verdicts = decide_options(DecisionRule::SimpleMajority, &tally);
        // 5 of 7 choosing: more than half. 3 of 7: not. 0: not.
        assert_eq!(
            verdicts.iter().map(|v| v.passed).collect::<Vec<_>>(),
            [true, false, false]
        );
        // Art. 278 ordinary: 8 of 10 take part (quorum met); option 0 has 5 of the 8 taking
        // part (more than half), option 1 has 3 of 8.
        let owners = decide_options(DecisionRule::ART_278_ORDINARY, &tally);
        assert!(owners[0].passed);
        assert!(!owners[1].passed);
        // Exactly half of those choosing is not more than half.
        let even = OptionsTally {
            eligible: w(4, 400),
            options: vec![w(2, 200), w(2, 200)],
            chose: w(4, 400),
            abstain: w(0, 0),
        };
        assert!(
            decide_options(DecisionRule::SimpleMajority, &even)
                .iter()
                .all(|v| !v.passed)
        );
    }

    #[test]
    fn thresholds_at_their_bounds() {
        let two_thirds = Threshold::at_least(2, 3);
        assert!(two_thirds.met(2, 3));
        assert!(two_thirds.met(20, 30));
        assert!(!two_thirds.met(19, 30));
        assert!(two_thirds.met(667, 1000));
        assert!(!two_thirds.met(666, 1000));
        let half = Threshold::more_than(1, 2);
        assert!(!half.met(5, 10), "exactly half is not more than half");
        assert!(half.met(6, 10));
        assert!(!half.met(0, 0), "nothing of nothing");
        let three_quarters = Threshold::at_least(3, 4);
        assert!(three_quarters.met(75, 100));
        assert!(!three_quarters.met(74, 100));
        // No overflow with the largest values.
        assert!(Threshold::at_least(1, 1).met(u64::MAX, u64::MAX));
    }

    /// (name, rule, eligible, yes, no, abstain) -> [quorum by units, quorum by area,
    /// approval by units, approval by area, passed]
    type Case = (
        &'static str,
        DecisionRule,
        Weight,
        Weight,
        Weight,
        Weight,
        [bool; 5],
    );

    #[test]
    fn owners_decisions_need_both_measures_on_both_conditions() {
        use DecisionRule as R;
        let ordinary = R::ART_278_ORDINARY;
        let major = R::ART_278_MAJOR;
        // Units are counted 1 each; areas in centi-m².
        let cases: [Case; 8] = [
            (
                "exactly 2/3 take part, all approve: passes",
                ordinary,
                w(30, 3000),
                w(20, 2000),
                w(0, 0),
                w(0, 0),
                [true, true, true, true, true],
            ),
            (
                "one unit short of the quorum by head",
                ordinary,
                w(30, 3000),
                w(19, 2100),
                w(0, 0),
                w(0, 0),
                [false, true, true, true, false],
            ),
            (
                "quorum by head but not by area (small flats took part)",
                ordinary,
                w(30, 6000),
                w(20, 3000),
                w(0, 0),
                w(0, 0),
                [true, false, true, true, false],
            ),
            (
                "exactly half of the participants approve: fails more-than-half",
                ordinary,
                w(30, 3000),
                w(10, 1000),
                w(10, 1000),
                w(0, 0),
                [true, true, false, false, false],
            ),
            (
                "approval by area passes while by head fails (unequal areas)",
                ordinary,
                w(30, 3000),
                w(10, 1600),
                w(11, 900),
                w(0, 0),
                [true, true, false, true, false],
            ),
            (
                "approval by head passes while by area fails",
                ordinary,
                w(30, 3000),
                w(12, 1000),
                w(9, 1100),
                w(0, 0),
                [true, true, true, false, false],
            ),
            (
                "major matter: exactly 3/4 of participants by both: passes; abstentions count as taking part",
                major,
                w(24, 2400),
                w(15, 1500),
                w(4, 400),
                w(1, 100),
                [true, true, true, true, true],
            ),
            (
                "major matter: just under 3/4 by area",
                major,
                w(24, 2400),
                w(15, 1499),
                w(4, 401),
                w(1, 100),
                [true, true, true, false, false],
            ),
        ];
        for (name, rule, eligible, yes, no, abstain, expected) in cases {
            let v = decide(
                rule,
                &YesNoTally {
                    eligible,
                    yes,
                    no,
                    abstain,
                },
            );
            let got = [
                v.quorum_by_units.unwrap(),
                v.quorum_by_area.unwrap(),
                v.approval_by_units,
                v.approval_by_area.unwrap(),
                v.passed,
            ];
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn majorities_of_votes_cast_ignore_abstentions_and_area() {
        let tally = |yes, no, abstain| YesNoTally {
            eligible: w(100, 0),
            yes: w(yes, 0),
            no: w(no, 0),
            abstain: w(abstain, 0),
        };
        assert!(!decide(DecisionRule::SimpleMajority, &tally(5, 5, 20)).passed);
        assert!(decide(DecisionRule::SimpleMajority, &tally(6, 5, 0)).passed);
        assert!(decide(DecisionRule::TwoThirds, &tally(20, 10, 50)).passed);
        assert!(!decide(DecisionRule::TwoThirds, &tally(19, 10, 0)).passed);
        assert!(!decide(DecisionRule::SimpleMajority, &tally(0, 0, 9)).passed);
        assert_eq!(
            decide(DecisionRule::SimpleMajority, &tally(1, 0, 0)).quorum_by_units,
            None
        );
    }

    #[test]
    fn instant_runoff_transfers_until_a_majority() {
        // A 4, B 3, C 2 first preferences; C's voters prefer B: B wins in round 2.
        let mut ballots = vec![vec![0, 1]; 4];
        ballots.extend(vec![vec![1, 0]; 3]);
        ballots.extend(vec![vec![2, 1]; 2]);
        let r = instant_runoff(3, &ballots);
        assert_eq!(r.winner, Some(1));
        assert_eq!(r.rounds.len(), 2);
        assert_eq!(r.rounds[0].votes, [4, 3, 2]);
        assert_eq!(r.rounds[0].eliminated, Some(2));
        assert_eq!(r.rounds[1].votes, [4, 5, 0]);
        assert_eq!(r.rounds[1].eliminated, None);
    }

    #[test]
    fn instant_runoff_breaks_ties_reproducibly_and_counts_exhausted_ballots() {
        // C has the fewest in round 1 and goes.
        let ballots = vec![vec![0], vec![0], vec![0], vec![1], vec![2], vec![1, 0]];
        let r = instant_runoff(3, &ballots);
        assert_eq!(r.rounds[0].votes, [3, 2, 1]);
        assert_eq!(r.rounds[0].eliminated, Some(2));
        // C's only ballot had no further preference: exhausted; A has 3 of 5 continuing.
        assert_eq!(r.rounds[1].exhausted, 1);
        assert_eq!(r.winner, Some(0));

        // A tie in the current round is broken by the earlier round.
        let mut ballots = vec![vec![0]; 4];
        ballots.extend(vec![vec![1]; 3]);
        ballots.extend(vec![vec![2]; 2]);
        ballots.extend(vec![vec![3, 1]; 1]);
        // Round 1: A4 B3 C2 D1 -> D goes; round 2: A4 B4 C2 -> C goes; round 3: A4 B4, tied now
        // and in round 2, but B had fewer in round 1: B goes, A wins.
        let r = instant_runoff(4, &ballots);
        assert_eq!(r.rounds.len(), 4);
        assert_eq!(r.rounds[2].votes, [4, 4, 0, 0]);
        assert_eq!(r.rounds[2].eliminated, Some(1));
        assert_eq!(r.winner, Some(0));

        // Invalid preferences are skipped; no valid ballot means no winner.
        assert_eq!(instant_runoff(2, &[vec![5, 5]]).winner, None);
        assert_eq!(instant_runoff(2, &[vec![1, 1, 0]]).winner, Some(1));
    }

    #[test]
    fn a_receipt_voided_by_a_correction_is_not_counted() {
        let published = vec!["aa".to_owned(), "bb".to_owned()];
        let voided = vec!["bb".to_owned()];
        assert_eq!(
            receipt_standing("aa", &published, &voided),
            ReceiptStanding::Counted
        );
        assert_eq!(
            receipt_standing("bb", &published, &voided),
            ReceiptStanding::Voided
        );
        assert_eq!(
            receipt_standing("cc", &published, &voided),
            ReceiptStanding::NotFound
        );
        // A hash said to be voided but never published is not found: nothing to stand on.
        assert_eq!(
            receipt_standing("dd", &published, &["dd".to_owned()]),
            ReceiptStanding::NotFound
        );
    }
}
