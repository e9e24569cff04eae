//! How consultations are put into words: statuses, scopes, rules, thresholds, history entries,
//! and the two measures (units and floor area) every figure comes in.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::ballot::{DecisionRule, Threshold};
use linli_domain::consultation::{Electorate, TopicStatus, TopicSummary, YesNo};
use linli_domain::figures::Ratio;

pub fn status_text(i18n: I18nContext<Locale>, status: TopicStatus) -> &'static str {
    match status {
        TopicStatus::Collecting => t_string!(i18n, consultations.status_collecting),
        TopicStatus::InReview => t_string!(i18n, consultations.status_in_review),
        TopicStatus::Accepted => t_string!(i18n, consultations.status_accepted),
        TopicStatus::Declined => t_string!(i18n, consultations.status_declined),
        TopicStatus::Voting => t_string!(i18n, consultations.status_voting),
        TopicStatus::Decided => t_string!(i18n, consultations.status_decided),
    }
}

/// The status as words in a badge; the class only adds colour to what the words say.
#[component]
pub fn TopicStatusBadge(status: TopicStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=format!("badge topic-{}", status.key())>{move || status_text(i18n, status)}</span> }
}

/// The topic's scope in the current language.
pub fn scope_name(i18n: I18nContext<Locale>, topic: &TopicSummary) -> String {
    pick(i18n, &topic.scope_zh, &topic.scope_en).to_owned()
}

pub fn choice_text(i18n: I18nContext<Locale>, choice: YesNo) -> &'static str {
    match choice {
        YesNo::Yes => t_string!(i18n, consultations.choice_yes),
        YesNo::No => t_string!(i18n, consultations.choice_no),
        YesNo::Abstain => t_string!(i18n, consultations.choice_abstain),
    }
}

pub fn electorate_text(i18n: I18nContext<Locale>, electorate: Electorate) -> &'static str {
    match electorate {
        Electorate::Households => t_string!(i18n, consultations.electorate_households),
        Electorate::Owners => t_string!(i18n, consultations.electorate_owners),
    }
}

/// The rules staff can choose from, in the order the form offers them.
pub const RULES: [DecisionRule; 4] = [
    DecisionRule::SimpleMajority,
    DecisionRule::TwoThirds,
    DecisionRule::ART_278_ORDINARY,
    DecisionRule::ART_278_MAJOR,
];

pub fn rule_text(i18n: I18nContext<Locale>, rule: DecisionRule) -> String {
    match rule {
        DecisionRule::SimpleMajority => t_string!(i18n, consultations.rule_simple_majority).into(),
        DecisionRule::TwoThirds => t_string!(i18n, consultations.rule_two_thirds).into(),
        r if r == DecisionRule::ART_278_ORDINARY => {
            t_string!(i18n, consultations.rule_art278_ordinary).into()
        }
        r if r == DecisionRule::ART_278_MAJOR => {
            t_string!(i18n, consultations.rule_art278_major).into()
        }
        DecisionRule::OwnersDecision { quorum, approval } => format!(
            "{} · {}",
            threshold_text(i18n, quorum),
            threshold_text(i18n, approval)
        ),
    }
}

/// "at least 2/3", "more than 1/2".
pub fn threshold_text(i18n: I18nContext<Locale>, t: Threshold) -> String {
    let (n, d) = (t.numerator, t.denominator);
    if t.inclusive {
        t_string!(i18n, consultations.at_least, n, d).to_string()
    } else {
        t_string!(i18n, consultations.more_than, n, d).to_string()
    }
}

/// The rule in plain words, as the result page and the notice explain it.
pub fn rule_explained(i18n: I18nContext<Locale>, rule: DecisionRule) -> String {
    match rule {
        DecisionRule::SimpleMajority => {
            t_string!(i18n, consultations.explain_simple_majority).into()
        }
        DecisionRule::TwoThirds => t_string!(i18n, consultations.explain_two_thirds).into(),
        DecisionRule::OwnersDecision { quorum, approval } => {
            let quorum = threshold_text(i18n, quorum);
            let approval = threshold_text(i18n, approval);
            t_string!(i18n, consultations.explain_owners, quorum, approval).to_string()
        }
    }
}

pub fn event_text(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "proposed" => t_string!(i18n, consultations.event_proposed).into(),
        "threshold_reached" => t_string!(i18n, consultations.event_threshold_reached).into(),
        "review_step" => t_string!(i18n, consultations.event_review_step).into(),
        "accepted" => t_string!(i18n, consultations.event_accepted).into(),
        "declined" => t_string!(i18n, consultations.event_declined).into(),
        "vote_opened" => t_string!(i18n, consultations.event_vote_opened).into(),
        "vote_closed" => t_string!(i18n, consultations.event_vote_closed).into(),
        "result_corrected" => t_string!(i18n, consultations.event_result_corrected).into(),
        "document_attached" => t_string!(i18n, consultations.event_document_attached).into(),
        "vote_extended" => t_string!(i18n, consultations.event_vote_extended).into(),
        "implementation_update" => {
            t_string!(i18n, consultations.event_implementation_update).into()
        }
        other => other.to_owned(),
    }
}

/// Floor area as people write it: `1234.56`, from centi-m².
pub fn area_number(centi_m2: u64) -> String {
    format!("{}.{:02}", centi_m2 / 100, centi_m2 % 100)
}

pub fn percent(part: u64, whole: u64) -> String {
    Ratio {
        num: part,
        den: whole,
    }
    .percent_label()
}

/// "8 / 12 units (66.7%)".
pub fn of_units(i18n: I18nContext<Locale>, part: u64, whole: u64) -> String {
    let percent = percent(part, whole);
    t_string!(i18n, consultations.of_units, part, whole, percent).to_string()
}

/// "812.40 / 1200.00 m² (67.7%)".
pub fn of_area(i18n: I18nContext<Locale>, part: u64, whole: u64) -> String {
    let percent = percent(part, whole);
    let (part, whole) = (area_number(part), area_number(whole));
    t_string!(i18n, consultations.of_area, part, whole, percent).to_string()
}
