//! Consultations (议事, "有事好商量"): a topic goes from proposal (民事民提) through co-signing and
//! staff review, deliberation (民事民商) and a vote (民事民决) to a published result (公开).
//! The lifecycle, the field rules and the API types live here; the vote's arithmetic is in
//! `ballot`.

use crate::ballot::{
    DecisionRule, OptionsTally, RunoffResult, Verdict, Weight, YesNoTally, decide_options,
    instant_runoff,
};
use crate::request::short_text;
use crate::validation::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};

/// Co-signing households a proposal needs before staff review it (configurable per server).
pub const DEFAULT_COSIGN_THRESHOLD: u32 = 5;
pub const TITLE_MAX_CHARS: usize = 60;
pub const BACKGROUND_MAX_CHARS: usize = 2000;
pub const OPTION_MAX_CHARS: usize = 40;
pub const MAX_OPTIONS: usize = 6;
pub const COMMENT_MAX_CHARS: usize = 1000;

/// Where a topic is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TopicStatus {
    /// 征集附议: waiting for co-signatures.
    Collecting,
    /// 待审核: enough households co-signed; staff review it.
    InReview,
    /// 已立项: on the agenda, open for deliberation.
    Accepted,
    /// 未立项: declined by staff, with a public reason. Final.
    Declined,
    /// 表决中: a vote is open.
    Voting,
    /// 已公示: the vote closed and its result is published. Final.
    Decided,
}

impl TopicStatus {
    pub const ALL: [TopicStatus; 6] = [
        TopicStatus::Collecting,
        TopicStatus::InReview,
        TopicStatus::Accepted,
        TopicStatus::Declined,
        TopicStatus::Voting,
        TopicStatus::Decided,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TopicStatus::Collecting => "collecting",
            TopicStatus::InReview => "in_review",
            TopicStatus::Accepted => "accepted",
            TopicStatus::Declined => "declined",
            TopicStatus::Voting => "voting",
            TopicStatus::Decided => "decided",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Residents may co-sign only while signatures are collected.
    pub fn accepts_cosigns(self) -> bool {
        self == TopicStatus::Collecting
    }

    /// Comments are open from the proposal until the vote closes.
    pub fn accepts_comments(self) -> bool {
        matches!(
            self,
            TopicStatus::Collecting
                | TopicStatus::InReview
                | TopicStatus::Accepted
                | TopicStatus::Voting
        )
    }

    /// Staff review once the threshold is reached (or earlier, at their discretion).
    pub fn can_be_reviewed(self) -> bool {
        matches!(self, TopicStatus::Collecting | TopicStatus::InReview)
    }

    /// A vote can be opened only on a topic on the agenda.
    pub fn can_open_vote(self) -> bool {
        self == TopicStatus::Accepted
    }

    /// Once decided, staff report how the decision is carried out, and residents rate it
    /// (民事民评).
    pub fn accepts_follow_up(self) -> bool {
        self == TopicStatus::Decided
    }
}

/// The kind of a staff's report on carrying out a decision, in a topic's history.
pub const IMPLEMENTATION_UPDATE: &str = "implementation_update";

/// Residents rate the implementation once there is something to rate: the topic is decided and
/// staff have reported on it at least once.
pub fn can_rate(status: TopicStatus, updates: usize) -> bool {
    status.accepts_follow_up() && updates > 0
}

/// The stars a household gives, from 1 to 5.
pub fn check_stars(stars: i64) -> Result<u8, FieldError> {
    u8::try_from(stars)
        .ok()
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| FieldError::new("stars", ErrorCode::AnswerOutOfRange))
}

/// The status after one more co-signature, given how many households have now signed.
pub fn after_cosign(status: TopicStatus, cosigns: u32, threshold: u32) -> TopicStatus {
    if status == TopicStatus::Collecting && cosigns >= threshold {
        TopicStatus::InReview
    } else {
        status
    }
}

/// Which households a topic concerns: the whole community, or one 小区, 楼栋 or 单元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Community,
    Compound(i64),
    Building(i64),
    Stairwell(i64),
}

impl Scope {
    pub fn kind(self) -> &'static str {
        match self {
            Scope::Community => "community",
            Scope::Compound(_) => "compound",
            Scope::Building(_) => "building",
            Scope::Stairwell(_) => "stairwell",
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            Scope::Community => None,
            Scope::Compound(id) | Scope::Building(id) | Scope::Stairwell(id) => Some(id),
        }
    }

    pub fn from_parts(kind: &str, id: Option<i64>) -> Option<Self> {
        match (kind, id) {
            ("community", _) => Some(Scope::Community),
            ("compound", Some(id)) => Some(Scope::Compound(id)),
            ("building", Some(id)) => Some(Scope::Building(id)),
            ("stairwell", Some(id)) => Some(Scope::Stairwell(id)),
            _ => None,
        }
    }
}

/// Who may vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Electorate {
    /// Verified households in scope, one vote each, cast by any verified member.
    Households,
    /// Every exclusive unit in scope, one vote each weighted by its floor area, cast by a
    /// verified owner of it (the Art. 278 electorate: units nobody bound still count as absent).
    Owners,
}

impl Electorate {
    pub fn key(self) -> &'static str {
        match self {
            Electorate::Households => "households",
            Electorate::Owners => "owners",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [Electorate::Households, Electorate::Owners]
            .into_iter()
            .find(|e| e.key() == key)
    }
}

/// A yes/no/abstain answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    Yes,
    No,
    Abstain,
}

impl YesNo {
    /// In the order a ballot offers them.
    pub const ALL: [YesNo; 3] = [YesNo::Yes, YesNo::No, YesNo::Abstain];

    pub fn key(self) -> &'static str {
        match self {
            YesNo::Yes => "yes",
            YesNo::No => "no",
            YesNo::Abstain => "abstain",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// What a vote asks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Yes, no or abstain on the question.
    #[default]
    YesNo,
    /// One of the topic's options.
    Single,
    /// At most `max` of the topic's options.
    Multiple { max: u32 },
    /// The topic's options in order of preference; counted by instant runoff.
    Ranked,
}

impl QuestionKind {
    pub fn key(self) -> &'static str {
        match self {
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Single => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::Ranked => "ranked",
        }
    }

    /// Whether a vote of this kind can be held on `options` options under `rule`: a choice
    /// needs at least two options, "at most k" needs 1 ≤ k ≤ options, and a ranked question is
    /// decided by instant runoff (a majority of the continuing ballots, counted by units), so
    /// it takes no other rule.
    pub fn fits(self, options: usize, rule: DecisionRule) -> bool {
        match self {
            QuestionKind::YesNo => true,
            QuestionKind::Single => options >= 2,
            QuestionKind::Multiple { max } => options >= 2 && max >= 1 && max as usize <= options,
            QuestionKind::Ranked => options >= 2 && rule == DecisionRule::SimpleMajority,
        }
    }
}

/// A ballot as it is stored and counted: yes, no, abstain, or the option indexes chosen
/// (in order of preference for a ranked question).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredChoice {
    YesNo(YesNo),
    Options(Vec<usize>),
}

impl StoredChoice {
    /// `yes`, `no`, `abstain`, or the indexes as a JSON array (`[2,0]`).
    pub fn to_db(&self) -> String {
        match self {
            StoredChoice::YesNo(c) => c.key().to_owned(),
            StoredChoice::Options(o) => {
                let list: Vec<String> = o.iter().map(usize::to_string).collect();
                format!("[{}]", list.join(","))
            }
        }
    }

    pub fn from_db(raw: &str) -> Option<Self> {
        if let Some(c) = YesNo::parse(raw) {
            return Some(StoredChoice::YesNo(c));
        }
        let inner = raw.strip_prefix('[')?.strip_suffix(']')?;
        if inner.is_empty() {
            return Some(StoredChoice::Options(Vec::new()));
        }
        inner
            .split(',')
            .map(|n| n.trim().parse().ok())
            .collect::<Option<Vec<usize>>>()
            .map(StoredChoice::Options)
    }
}

impl From<YesNo> for StoredChoice {
    fn from(choice: YesNo) -> Self {
        StoredChoice::YesNo(choice)
    }
}

/// Checks a ballot against its question: yes/no/abstain for a yes/no question; for a choice
/// question, one option, at most k distinct options, or a ranking of distinct options, or an
/// explicit abstention (which counts toward participation).
pub fn check_ballot(
    kind: QuestionKind,
    options: usize,
    ballot: &BallotChoice,
) -> Result<StoredChoice, FieldError> {
    let not_an_option = || FieldError::new("choice", ErrorCode::AnswerNotAnOption);
    match (kind, ballot.choice) {
        (QuestionKind::YesNo, Some(c)) if ballot.options.is_empty() => Ok(StoredChoice::YesNo(c)),
        (QuestionKind::YesNo, _) => Err(not_an_option()),
        (_, Some(YesNo::Abstain)) if ballot.options.is_empty() => {
            Ok(StoredChoice::YesNo(YesNo::Abstain))
        }
        (_, Some(_)) => Err(not_an_option()),
        (_, None) => {
            let picked = &ballot.options;
            if picked.is_empty() {
                return Err(FieldError::new("choice", ErrorCode::Required));
            }
            let mut seen = vec![false; options];
            for &o in picked {
                if o >= options || seen[o] {
                    return Err(not_an_option());
                }
                seen[o] = true;
            }
            let most = match kind {
                QuestionKind::Single => 1,
                QuestionKind::Multiple { max } => max as usize,
                _ => options,
            };
            if picked.len() > most {
                return Err(FieldError::new("choice", ErrorCode::TooManyChoices));
            }
            Ok(StoredChoice::Options(picked.clone()))
        }
    }
}

/// The result of a choice question: its tally and each option's verdict under the rule, or,
/// for a ranked question, the instant-runoff rounds and winner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionsResult {
    /// First preferences for a ranked question.
    pub tally: OptionsTally,
    /// By option index; empty for a ranked question.
    pub verdicts: Vec<Verdict>,
    pub runoff: Option<RunoffResult>,
}

/// Counts the ballots of a choice question: `(choice, area)` per ballot.
pub fn count_options(
    kind: QuestionKind,
    rule: DecisionRule,
    eligible: Weight,
    options: usize,
    ballots: &[(StoredChoice, u64)],
) -> OptionsResult {
    let mut tally = OptionsTally {
        eligible,
        options: vec![Weight::default(); options],
        ..Default::default()
    };
    let mut rankings = Vec::new();
    for (choice, area) in ballots {
        let one = Weight {
            units: 1,
            area_centi_m2: *area,
        };
        match choice {
            StoredChoice::Options(picked) if !picked.is_empty() => {
                tally.chose = tally.chose + one;
                // A ranked ballot's first preference is its support in the first round.
                let supported = if kind == QuestionKind::Ranked {
                    &picked[..1]
                } else {
                    &picked[..]
                };
                for &o in supported {
                    if let Some(w) = tally.options.get_mut(o) {
                        *w = *w + one;
                    }
                }
                rankings.push(picked.clone());
            }
            _ => tally.abstain = tally.abstain + one,
        }
    }
    if kind == QuestionKind::Ranked {
        OptionsResult {
            tally,
            verdicts: Vec::new(),
            runoff: Some(instant_runoff(options, &rankings)),
        }
    } else {
        OptionsResult {
            verdicts: decide_options(rule, &tally),
            tally,
            runoff: None,
        }
    }
}

// ---- API types ----

/// A resident's proposal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTopic {
    pub title: String,
    #[serde(default)]
    pub background: String,
    /// The options proposed (e.g. "加装电梯" / "不加装"); may be empty for an open question.
    #[serde(default)]
    pub options: Vec<String>,
    pub scope: Scope,
}

/// A checked proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedTopic {
    pub title: String,
    pub background: String,
    pub options: Vec<String>,
}

/// Checks a proposal's fields, every refusal at once.
pub fn check_topic(topic: &NewTopic) -> Result<CheckedTopic, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = match short_text("title", &topic.title, TITLE_MAX_CHARS) {
        Ok(t) if t.is_empty() => {
            errors.push(FieldError::new("title", ErrorCode::Required));
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError::new("title", e.code));
            None
        }
    };
    let background = short_text("background", &topic.background, BACKGROUND_MAX_CHARS)
        .map_err(|e| errors.push(e))
        .ok();
    let mut options = Vec::new();
    if topic.options.len() > MAX_OPTIONS {
        errors.push(FieldError::new("options", ErrorCode::TooManyChoices));
    }
    for (i, raw) in topic.options.iter().enumerate() {
        match short_text("options", raw, OPTION_MAX_CHARS) {
            Ok(o) if o.is_empty() => {}
            Ok(o) => options.push(o),
            Err(e) => errors.push(FieldError::new(format!("options.{i}"), e.code)),
        }
    }
    match (title, background, errors.is_empty()) {
        (Some(title), Some(background), true) => Ok(CheckedTopic {
            title,
            background,
            options,
        }),
        _ => Err(errors),
    }
}

/// A topic in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicSummary {
    pub id: i64,
    pub title: String,
    pub status: TopicStatus,
    pub scope: Scope,
    /// e.g. "翠柳苑 1 幢", in both languages.
    pub scope_zh: String,
    pub scope_en: String,
    pub cosigns: u32,
    pub cosign_threshold: u32,
    pub created_at: i64,
}

/// One step of a topic's history: proposal, co-signatures reaching the threshold, each review
/// step (四议), acceptance or refusal, the vote opening and closing, follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicEvent {
    pub at: i64,
    pub actor_role: String,
    pub kind: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `resident` or `staff`; names are not shown.
    pub author_role: String,
    /// An official answer from the community (staff only).
    pub official: bool,
    /// Empty once hidden; the reason is shown instead.
    pub body: String,
    pub hidden_reason: Option<String>,
    pub created_at: i64,
    /// How many accounts reported it to the moderators.
    #[serde(default)]
    pub reports: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    pub body: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// Staff's review decision: accept onto the agenda (with the review steps taken), or decline
/// with a public reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicReview {
    pub accept: bool,
    /// The public reason (required to decline) or the agenda note.
    #[serde(default)]
    pub note: String,
    /// The review steps (四议: 党组织提议, 两委会商议, 党员大会审议, 居民代表会议决议) recorded, in order.
    #[serde(default)]
    pub steps: Vec<String>,
}

/// Staff opening a yes/no/abstain vote on an accepted topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewVote {
    pub question: String,
    /// Yes/no by default; a choice question asks about the topic's options.
    #[serde(default)]
    pub kind: QuestionKind,
    pub electorate: Electorate,
    pub rule: DecisionRule,
    /// Secret: ballots are stored without the voter (advisory consultations only).
    #[serde(default)]
    pub secret: bool,
    /// Show running tallies before the close.
    #[serde(default)]
    pub live_tally: bool,
    /// Unix seconds.
    pub closes_at: i64,
}

/// A vote as anyone sees it; the tally only once it may be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteView {
    pub id: i64,
    pub question: String,
    pub electorate: Electorate,
    pub rule: DecisionRule,
    pub secret: bool,
    pub live_tally: bool,
    pub opened_at: i64,
    pub closes_at: i64,
    pub closed_at: Option<i64>,
    /// How many units or households are on the frozen roll (and their area).
    pub eligible: crate::ballot::Weight,
    /// Hidden (None) while open unless `live_tally`.
    pub tally: Option<YesNoTally>,
    /// Once closed.
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub kind: QuestionKind,
    /// The options a choice question asks about, frozen when the vote opened.
    #[serde(default)]
    pub options: Vec<String>,
    /// A choice question's result, shown when the tally may be (`tally` stays empty).
    #[serde(default)]
    pub options_result: Option<OptionsResult>,
    /// Every published version of the result, oldest first, once closed: the figures above are
    /// the last one's. A correction adds a revision; none ever changes.
    #[serde(default)]
    pub revisions: Vec<crate::revision::ResultRevision>,
    /// The asking account's units on the roll, each with whether it has voted: an owner of two
    /// units votes for each.
    #[serde(default)]
    pub my_units: Vec<VoterUnit>,
    /// Whether the asking account can vote now (eligible, open), and for which unit.
    pub can_vote: bool,
    /// The asking account's unit has voted.
    pub has_voted: bool,
}

/// A unit the asking account may vote for on a vote's roll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoterUnit {
    pub household_id: i64,
    pub address: crate::api::HouseholdAddress,
    pub voted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotChoice {
    /// Yes, no or abstain; for a choice question, only an abstention (or nothing).
    #[serde(default)]
    pub choice: Option<YesNo>,
    /// For a choice question: the option indexes chosen, in order of preference if ranked.
    #[serde(default)]
    pub options: Vec<usize>,
    /// Which unit, for an owner of several; their only unit otherwise.
    #[serde(default)]
    pub household_id: Option<i64>,
    /// To change a secret ballot: the receipt of the one cast before (the server cannot tell
    /// which ballot is whose).
    #[serde(default)]
    pub receipt: Option<String>,
}

/// What a voter keeps: the code whose hash is published after the close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotReceipt {
    pub receipt: String,
}

/// Staff's report on carrying out a decided topic (施工招标, 开工, 验收…), shown in its history.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewFollowUp {
    pub note: String,
}

/// A household's rating of how a decided topic was carried out (民事民评); rating again
/// replaces it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRating {
    /// 1 to 5.
    pub stars: i64,
}

/// The households' ratings of how a decided topic was carried out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingSummary {
    /// Households that rated.
    pub count: u32,
    /// The average in hundredths of a star (425 for 4.25), rounded half up; None before the
    /// first rating.
    pub average_centi: Option<u32>,
    /// Households per number of stars, 1 star first (five entries).
    pub by_stars: Vec<u32>,
}

impl RatingSummary {
    /// From the number of households that gave 1, 2, 3, 4 and 5 stars, in integer arithmetic.
    pub fn from_counts(by_stars: [u32; 5]) -> Self {
        let count: u32 = by_stars.iter().sum();
        let stars: u64 = (1..=5u64)
            .zip(by_stars)
            .map(|(s, n)| s * u64::from(n))
            .sum();
        // round(100 * stars / count) = (200 * stars + count) / (2 * count)
        let average_centi =
            (count > 0).then(|| ((200 * stars + u64::from(count)) / (2 * u64::from(count))) as u32);
        RatingSummary {
            count,
            average_centi,
            by_stars: by_stars.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicDetail {
    pub summary: TopicSummary,
    pub background: String,
    pub options: Vec<String>,
    pub events: Vec<TopicEvent>,
    pub comments: Vec<Comment>,
    pub vote: Option<VoteView>,
    /// The asking account's household has co-signed (or proposed) it.
    pub cosigned: bool,
    /// After the close: the SHA-256 of every receipt, so anyone can check theirs was counted.
    pub receipt_hashes: Vec<String>,
    /// Those of `receipt_hashes` whose ballots a later correction voided (named ballots only:
    /// a secret one is never voided alone), so that a check of one says it no longer counts.
    #[serde(default)]
    pub voided_receipt_hashes: Vec<String>,
    /// Plans, quotes and other documents staff attached for the discussion.
    #[serde(default)]
    pub documents: Vec<crate::deliberation::TopicDocument>,
    /// 民事民评: how households rated the implementation (staff's reports on it are the
    /// history's `implementation_update` events).
    #[serde(default)]
    pub rating: RatingSummary,
    /// The stars the asking account's household gave, if it rated.
    #[serde(default)]
    pub my_rating: Option<u8>,
    /// Whether the asking account may rate now: decided, reported on, a verified home in scope.
    #[serde(default)]
    pub can_rate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(picked: &[usize]) -> BallotChoice {
        BallotChoice {
            choice: None,
            options: picked.to_vec(),
            household_id: None,
            receipt: None,
        }
    }

    #[test]
    fn ballots_are_checked_against_their_question() {
        use QuestionKind as Q;
        let yes = BallotChoice {
            choice: Some(YesNo::Yes),
            ..options(&[])
        };
        let abstain = BallotChoice {
            choice: Some(YesNo::Abstain),
            ..options(&[])
        };
        assert_eq!(
            check_ballot(Q::YesNo, 0, &yes),
            Ok(StoredChoice::YesNo(YesNo::Yes))
        );
        assert!(check_ballot(Q::YesNo, 0, &options(&[0])).is_err());
        assert!(
            check_ballot(Q::Single, 3, &yes).is_err(),
            "yes is not an option"
        );
        assert_eq!(
            check_ballot(Q::Single, 3, &abstain),
            Ok(StoredChoice::YesNo(YesNo::Abstain))
        );
        assert_eq!(
            check_ballot(Q::Single, 3, &options(&[2])),
            Ok(StoredChoice::Options(vec![2]))
        );
        let code = |r: Result<StoredChoice, FieldError>| r.unwrap_err().code;
        assert_eq!(
            code(check_ballot(Q::Single, 3, &options(&[3]))),
            ErrorCode::AnswerNotAnOption
        );
        assert_eq!(
            code(check_ballot(Q::Single, 3, &options(&[0, 1]))),
            ErrorCode::TooManyChoices
        );
        assert_eq!(
            code(check_ballot(Q::Single, 3, &options(&[]))),
            ErrorCode::Required
        );
        let two = Q::Multiple { max: 2 };
        assert!(check_ballot(two, 4, &options(&[0, 3])).is_ok());
        assert_eq!(
            code(check_ballot(two, 4, &options(&[0, 1, 2]))),
            ErrorCode::TooManyChoices
        );
        assert_eq!(
            code(check_ballot(two, 4, &options(&[1, 1]))),
            ErrorCode::AnswerNotAnOption
        );
        assert!(check_ballot(Q::Ranked, 3, &options(&[2, 0, 1])).is_ok());
        assert_eq!(
            code(check_ballot(Q::Ranked, 3, &options(&[2, 2]))),
            ErrorCode::AnswerNotAnOption
        );
    }

    #[test]
    fn question_kinds_fit_their_options_and_rule() {
        use QuestionKind as Q;
        let simple = DecisionRule::SimpleMajority;
        assert!(Q::YesNo.fits(0, DecisionRule::ART_278_MAJOR));
        assert!(!Q::Single.fits(1, simple));
        assert!(Q::Multiple { max: 3 }.fits(3, simple));
        assert!(!Q::Multiple { max: 4 }.fits(3, simple));
        assert!(!Q::Multiple { max: 0 }.fits(3, simple));
        assert!(Q::Ranked.fits(3, simple));
        assert!(!Q::Ranked.fits(3, DecisionRule::ART_278_ORDINARY));
    }

    #[test]
    fn stored_choices_round_trip() {
        for c in [
            StoredChoice::YesNo(YesNo::No),
            StoredChoice::Options(vec![2, 0]),
        ] {
            assert_eq!(StoredChoice::from_db(&c.to_db()), Some(c));
        }
        assert_eq!(StoredChoice::Options(vec![2, 0]).to_db(), "[2,0]");
    }

    #[test]
    fn choice_questions_are_counted_per_option_and_ranked_ones_by_runoff() {
        let w = |units, area_centi_m2| Weight {
            units,
            area_centi_m2,
        };
        let b = |o: &[usize], area| (StoredChoice::Options(o.to_vec()), area);
        let ballots = [
            b(&[0, 1], 100),
            b(&[0], 200),
            b(&[1], 100),
            (StoredChoice::YesNo(YesNo::Abstain), 50),
        ];
        let eligible = w(5, 600);
        let multiple = count_options(
            QuestionKind::Multiple { max: 2 },
            DecisionRule::SimpleMajority,
            eligible,
            3,
            &ballots,
        );
        assert_eq!(multiple.tally.options, [w(2, 300), w(2, 200), w(0, 0)]);
        assert_eq!(multiple.tally.chose, w(3, 400));
        assert_eq!(multiple.tally.abstain, w(1, 50));
        // 2 of the 3 choosing support option 0 (and option 1): both pass a simple majority.
        assert_eq!(
            multiple
                .verdicts
                .iter()
                .map(|v| v.passed)
                .collect::<Vec<_>>(),
            [true, true, false]
        );
        // Ranked: first preferences 0, 0, 1 (and the abstention does not count): 0 wins at once.
        let ranked = count_options(
            QuestionKind::Ranked,
            DecisionRule::SimpleMajority,
            eligible,
            3,
            &ballots,
        );
        assert_eq!(ranked.tally.options, [w(2, 300), w(1, 100), w(0, 0)]);
        assert!(ranked.verdicts.is_empty());
        assert_eq!(ranked.runoff.unwrap().winner, Some(0));
    }

    #[test]
    fn the_threshold_moves_a_proposal_to_review_once() {
        let t = DEFAULT_COSIGN_THRESHOLD;
        assert_eq!(
            after_cosign(TopicStatus::Collecting, t - 1, t),
            TopicStatus::Collecting
        );
        assert_eq!(
            after_cosign(TopicStatus::Collecting, t, t),
            TopicStatus::InReview
        );
        assert_eq!(
            after_cosign(TopicStatus::Accepted, t + 3, t),
            TopicStatus::Accepted
        );
    }

    #[test]
    fn statuses_round_trip_and_gate_what_can_happen() {
        for s in TopicStatus::ALL {
            assert_eq!(TopicStatus::parse(s.key()), Some(s));
        }
        assert!(TopicStatus::Collecting.accepts_cosigns());
        assert!(!TopicStatus::InReview.accepts_cosigns());
        assert!(!TopicStatus::Decided.accepts_comments());
        assert!(!TopicStatus::Declined.can_be_reviewed());
        assert!(TopicStatus::Accepted.can_open_vote());
        assert!(!TopicStatus::Voting.can_open_vote());
    }

    #[test]
    fn ratings_come_after_the_decision_and_a_report() {
        assert!(!can_rate(TopicStatus::Decided, 0));
        assert!(can_rate(TopicStatus::Decided, 1));
        assert!(!can_rate(TopicStatus::Voting, 3));
        assert_eq!(check_stars(1), Ok(1));
        assert_eq!(check_stars(5), Ok(5));
        for bad in [0, 6, -1, 256 + 3] {
            assert_eq!(
                check_stars(bad).unwrap_err().code,
                ErrorCode::AnswerOutOfRange,
                "{bad}"
            );
        }
    }

    #[test]
    fn a_rating_summary_averages_in_hundredths_rounded_half_up() {
        let none = RatingSummary::from_counts([0; 5]);
        assert_eq!((none.count, none.average_centi), (0, None));
        // 5, 5, 4: 14/3 = 4.666… → 467
        let three = RatingSummary::from_counts([0, 0, 0, 1, 2]);
        assert_eq!((three.count, three.average_centi), (3, Some(467)));
        // 1 and 2: 1.5 exactly → 150; 2, 2, 3: 2.333… → 233; 1, 2, 2, 2, 2, 2, 2, 2: 1.875 → 188
        assert_eq!(
            RatingSummary::from_counts([1, 1, 0, 0, 0]).average_centi,
            Some(150)
        );
        assert_eq!(
            RatingSummary::from_counts([0, 2, 1, 0, 0]).average_centi,
            Some(233)
        );
        assert_eq!(
            RatingSummary::from_counts([1, 7, 0, 0, 0]).average_centi,
            Some(188)
        );
        assert_eq!(three.by_stars, [0, 0, 0, 1, 2]);
        // The SPA may read a detail without the field.
        let d: RatingSummary =
            serde_json::from_str("{\"count\":0,\"average_centi\":null,\"by_stars\":[]}").unwrap();
        assert_eq!(d, RatingSummary::default());
    }

    #[test]
    fn scopes_serialize_with_their_kind() {
        let json = serde_json::to_string(&Scope::Building(7)).unwrap();
        assert_eq!(json, r#"{"kind":"building","id":7}"#);
        assert_eq!(
            serde_json::from_str::<Scope>(r#"{"kind":"community"}"#).unwrap(),
            Scope::Community
        );
        assert_eq!(
            Scope::from_parts("stairwell", Some(3)),
            Some(Scope::Stairwell(3))
        );
        assert_eq!(Scope::from_parts("building", None), None);
    }

    #[test]
    fn a_proposal_is_checked_field_by_field() {
        let ok = NewTopic {
            title: "  1幢加装电梯  ".into(),
            background: "老人上下楼难".into(),
            options: vec!["加装".into(), " ".into(), "不加装".into()],
            scope: Scope::Building(1),
        };
        let checked = check_topic(&ok).unwrap();
        assert_eq!(checked.title, "1幢加装电梯");
        assert_eq!(checked.options, ["加装", "不加装"]);
        let bad = NewTopic {
            title: " ".into(),
            background: "x".repeat(BACKGROUND_MAX_CHARS + 1),
            options: vec!["y".repeat(OPTION_MAX_CHARS + 1)],
            scope: Scope::Community,
        };
        let fields: Vec<_> = check_topic(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(fields, ["title", "background", "options.0"]);
    }
}
