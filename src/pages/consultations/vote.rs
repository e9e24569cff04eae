//! The vote on a topic: staff open it (question, electorate, rule, ballot, deadline); residents
//! on the frozen roll cast or change their ballot and keep a receipt; once closed (or live, if
//! staff chose so) the tally, each condition of the rule against its threshold, the verdict and
//! SVG bars; after the close, anyone checks a receipt against the published hashes.

use crate::api;
use crate::components::errors::{FormErrors, show_errors};
use crate::components::field::{Field, RadioChoice};
use crate::components::request_labels::now_seconds;
use crate::i18n::*;
use crate::pages::consultations::action::TopicAction;
use crate::pages::consultations::detail::viewer;
use crate::pages::consultations::labels::{
    RULES, area_number, choice_text, electorate_text, of_area, of_units, percent, rule_explained,
    rule_text, threshold_text,
};
use crate::pages::consultations::revisions::{CorrectionForm, CorrectionNotice, RevisionHistory};
use crate::pages::me::address_text;
use crate::pages::me::household::FormAlert;
use crate::prefs;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::ErrorCode;
use linli_domain::ballot::{
    DecisionRule, ReceiptStanding, Threshold, Verdict, YesNoTally, receipt_standing,
};
use linli_domain::consultation::{
    BallotChoice, Electorate, NewVote, OptionsResult, QuestionKind, TopicDetail, VoteView,
    VoterUnit, YesNo,
};
use linli_domain::figures::{china_time_label, parse_iso8601};

const DEFAULT_VOTE_DAYS: i64 = 7;

/// A date input's value (`2026-11-28`) for the day `at` falls on, in China time.
fn china_date(at: i64) -> String {
    china_time_label(at)[..10].to_owned()
}

/// The last second of a date input's day, China time: a vote closes at the end of its day.
fn end_of_day(date: &str) -> Option<i64> {
    parse_iso8601(&format!("{date}T23:59:59+08:00"))
}

/// The kinds staff choose from; "multiple" takes its maximum from its own field.
#[derive(Clone, Copy, PartialEq)]
enum KindChoice {
    YesNo,
    Single,
    Multiple,
    Ranked,
}

#[component]
pub fn OpenVoteForm(id: i64, options: usize, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let question = RwSignal::new(String::new());
    let kind = RwSignal::new(KindChoice::YesNo);
    let max = RwSignal::new("2".to_owned());
    let electorate = RwSignal::new(Electorate::Households);
    let rule = RwSignal::new(DecisionRule::SimpleMajority);
    let secret = RwSignal::new(false);
    let live = RwSignal::new(false);
    let closes = RwSignal::new(china_date(now_seconds() + DEFAULT_VOTE_DAYS * 86_400));
    let action = TopicAction::new(on_change);
    let TopicAction {
        sending, errors, ..
    } = action;
    // Owners' legal decisions are taken by owners, on named ballots (they must be auditable).
    let owners_rule = move || matches!(rule.get(), DecisionRule::OwnersDecision { .. });
    Effect::new(move |_| {
        if owners_rule() {
            electorate.set(Electorate::Owners);
            secret.set(false);
        }
    });
    // A ranked question is decided by instant runoff, a majority of the continuing ballots.
    Effect::new(move |_| {
        if kind.get() == KindChoice::Ranked {
            rule.set(DecisionRule::SimpleMajority);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Closes at the end of the chosen day, China time.
        let Some(closes_at) = end_of_day(&closes.get_untracked()) else {
            errors.update(|e| e.set_field(i18n, "closes_at", Some(ErrorCode::DeadlineInvalid)));
            return;
        };
        let kind = match kind.get_untracked() {
            KindChoice::YesNo => QuestionKind::YesNo,
            KindChoice::Single => QuestionKind::Single,
            KindChoice::Multiple => QuestionKind::Multiple {
                max: max.get_untracked().trim().parse().unwrap_or(0),
            },
            KindChoice::Ranked => QuestionKind::Ranked,
        };
        let body = NewVote {
            kind,
            question: question.get_untracked(),
            electorate: electorate.get_untracked(),
            rule: rule.get_untracked(),
            secret: secret.get_untracked(),
            live_tally: live.get_untracked(),
            closes_at,
        };
        action.send(async move { api::open_vote(id, &body).await }, || ());
    };
    view! {
        <form class="card staff-only form" on:submit=submit novalidate aria-labelledby="open-vote-heading">
            <h2 id="open-vote-heading">{tr!(i18n, consultations.open_vote_heading)}</h2>
            <FormAlert errors/>
            <Field
                id="question"
                label=Signal::derive(move || t_string!(i18n, consultations.question_label).to_string())
                value=question
                error=Signal::derive(move || errors.get().field("question"))
                required=true
            />
            <fieldset id="kind" tabindex="-1" class="choice-group">
                <legend>{tr!(i18n, consultations.kind_legend)}</legend>
                <RadioChoice name="kind" value=kind option=KindChoice::YesNo>{tr!(i18n, consultations.kind_yes_no)}</RadioChoice>
                {if options >= 2 {
                    view! {
                        <RadioChoice name="kind" value=kind option=KindChoice::Single>{tr!(i18n, consultations.kind_single)}</RadioChoice>
                        <RadioChoice name="kind" value=kind option=KindChoice::Multiple>{tr!(i18n, consultations.kind_multiple)}</RadioChoice>
                        {move || {
                            (kind.get() == KindChoice::Multiple)
                                .then(|| {
                                    view! {
                                        <Field
                                            id="max"
                                            input_type="number"
                                            inputmode="numeric"
                                            label=Signal::derive(move || t_string!(i18n, consultations.max_label).to_string())
                                            value=max
                                            error=Signal::derive(move || None::<String>)
                                        />
                                    }
                                })
                        }}
                        <RadioChoice name="kind" value=kind option=KindChoice::Ranked>{tr!(i18n, consultations.kind_ranked)}</RadioChoice>
                    }
                        .into_any()
                } else {
                    view! { <p class="hint">{tr!(i18n, consultations.kind_needs_options)}</p> }.into_any()
                }}
                {move || errors.get().field("kind").map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <fieldset class="choice-group" disabled=move || kind.get() == KindChoice::Ranked>
                <legend>{tr!(i18n, consultations.rule_legend)}</legend>
                {RULES
                    .into_iter()
                    .map(|r| view! { <RadioChoice name="rule" value=rule option=r>{move || rule_text(i18n, r)}</RadioChoice> })
                    .collect_view()}
            </fieldset>
            {move || owners_rule().then(|| view! { <p class="hint">{tr!(i18n, consultations.owners_rule_hint)}</p> })}
            <fieldset class="choice-group" disabled=owners_rule>
                <legend>{tr!(i18n, consultations.electorate_legend)}</legend>
                {[Electorate::Households, Electorate::Owners]
                    .into_iter()
                    .map(|e| {
                        view! { <RadioChoice name="electorate" value=electorate option=e>{move || electorate_text(i18n, e)}</RadioChoice> }
                    })
                    .collect_view()}
            </fieldset>
            <fieldset class="choice-group" disabled=owners_rule>
                <legend>{tr!(i18n, consultations.ballot_legend)}</legend>
                <RadioChoice name="secret" value=secret option=false>{tr!(i18n, consultations.ballot_named)}</RadioChoice>
                <RadioChoice name="secret" value=secret option=true>{tr!(i18n, consultations.ballot_secret)}</RadioChoice>
            </fieldset>
            <label class="choice">
                <input type="checkbox" prop:checked=move || live.get() on:change=move |ev| live.set(event_target_checked(&ev))/>
                <span>{tr!(i18n, consultations.live_tally)}</span>
            </label>
            <Field
                id="closes_at"
                input_type="date"
                label=Signal::derive(move || t_string!(i18n, consultations.closes_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, consultations.closes_hint).to_string())
                value=closes
                error=Signal::derive(move || errors.get().field("closes_at"))
                required=true
            />
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {tr!(i18n, consultations.open_vote_submit)}
            </button>
        </form>
    }
}

/// Where this device keeps the receipt of a unit's ballot on a topic.
fn receipt_key(topic: i64, household: i64) -> String {
    format!("linli.receipt.{topic}.{household}")
}

#[component]
pub fn VoteSection(
    topic: TopicDetail,
    vote: VoteView,
    on_change: Callback<TopicDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let who = viewer();
    let id = topic.summary.id;
    let open = vote.closed_at.is_none();
    let owners = vote.electorate == Electorate::Owners;
    let eligible = vote.eligible;
    let (units, area) = (eligible.units, area_number(eligible.area_centi_m2));
    view! {
        <section class="card vote" aria-labelledby="vote-heading">
            <h2 id="vote-heading">{tr!(i18n, consultations.vote_heading)}</h2>
            <p class="question">{vote.question.clone()}</p>
            <dl class="facts">
                <dt>{tr!(i18n, consultations.electorate_label)}</dt>
                <dd>{move || electorate_text(i18n, vote.electorate)}</dd>
                <dt>{tr!(i18n, consultations.rule_label)}</dt>
                <dd>{move || rule_text(i18n, vote.rule)}</dd>
                <dt>{tr!(i18n, consultations.ballot_label)}</dt>
                <dd>{move || if vote.secret { t_string!(i18n, consultations.secret) } else { t_string!(i18n, consultations.named) }}</dd>
                <dt>{tr!(i18n, consultations.eligible_label)}</dt>
                <dd>
                    {move || t_string!(i18n, consultations.units, count = units)}
                    {owners.then(|| {
                        let area = area.clone();
                        view! { " · " {move || t_string!(i18n, consultations.area, area = area.clone())} }
                    })}
                </dd>
                {match vote.closed_at {
                    Some(at) => view! { <dt>{tr!(i18n, consultations.closed_at)}</dt><dd>{china_time_label(at)}</dd> }.into_any(),
                    None => view! { <dt>{tr!(i18n, consultations.closes_at)}</dt><dd>{china_time_label(vote.closes_at)}</dd> }.into_any(),
                }}
            </dl>
            {open
                .then(|| {
                    if vote.can_vote {
                        view! { <BallotForm id units=vote.my_units.clone() kind=vote.kind options=vote.options.clone()/> }.into_any()
                    } else {
                        view! {
                            {move || {
                                let who = who.get();
                                if !who.signed_in {
                                    view! { <p><a class="button primary" href="/login">{tr!(i18n, consultations.login_to_vote)}</a></p> }.into_any()
                                } else if !who.staff {
                                    view! { <p class="meta">{tr!(i18n, consultations.not_eligible)}</p> }.into_any()
                                } else {
                                    ().into_any()
                                }
                            }}
                        }
                            .into_any()
                    }
                })}
            <CorrectionNotice vote=vote.clone()/>
            {match (vote.tally, vote.options_result.clone()) {
                (Some(tally), _) => {
                    view! { <ResultView rule=vote.rule owners tally verdict=vote.verdict/> }.into_any()
                }
                (None, Some(result)) => {
                    view! {
                        <OptionsResultView
                            rule=vote.rule
                            owners
                            closed=!open
                            options=vote.options.clone()
                            result
                        />
                    }
                        .into_any()
                }
                (None, None) => view! { <p class="meta">{tr!(i18n, consultations.tally_hidden)}</p> }.into_any(),
            }}
            {(!open)
                .then(|| {
                    view! {
                        <p class="button-row">
                            <a class="button secondary" href=format!("/consultations/{id}/notice")>{tr!(i18n, consultations.print_notice)}</a>
                            <a class="button secondary" href=api::result_csv_url(id) download="">{tr!(i18n, consultations.export_csv)}</a>
                        </p>
                        <RevisionHistory vote=vote.clone()/>
                        <ReceiptCheck
                            topic=id
                            hashes=topic.receipt_hashes.clone()
                            voided=topic.voided_receipt_hashes.clone()
                            households=vote.my_units.iter().map(|u| u.household_id).collect()
                        />
                    }
                })}
            {move || (!open && who.get().staff).then(|| view! { <CorrectionForm id secret=vote.secret on_change/> })}
            {move || (open && who.get().staff).then(|| view! { <ExtendVote id closes_at=vote.closes_at on_change/> <CloseVote id on_change/> })}
        </section>
    }
}

#[component]
fn BallotForm(
    id: i64,
    /// The account's units on the roll; an owner of several votes for each in turn.
    units: Vec<VoterUnit>,
    kind: QuestionKind,
    options: Vec<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Yes/no/abstain, or abstaining on a choice question.
    let choice = RwSignal::new(None::<YesNo>);
    // Single or multiple choice: the options ticked.
    let picked = RwSignal::new(Vec::<usize>::new());
    // Ranked: each option's rank as typed ("" for not ranked).
    let ranks = RwSignal::new(vec![String::new(); options.len()]);
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    // The unit this ballot is for: the first that has not voted yet.
    let unit = RwSignal::new(
        units
            .iter()
            .find(|u| !u.voted)
            .or(units.first())
            .map(|u| u.household_id)
            .unwrap_or_default(),
    );
    let voted_units = RwSignal::new(
        units
            .iter()
            .filter(|u| u.voted)
            .map(|u| u.household_id)
            .collect::<Vec<_>>(),
    );
    let voted = Signal::derive(move || voted_units.with(|v| v.contains(&unit.get())));
    let receipt = RwSignal::new(prefs::load_json::<String>(&receipt_key(
        id,
        unit.get_untracked(),
    )));
    let just_cast = RwSignal::new(false);
    let choose_unit = move |household: i64| {
        unit.set(household);
        receipt.set(prefs::load_json::<String>(&receipt_key(id, household)));
        just_cast.set(false);
        errors.set(FormErrors::default());
    };
    let unit_choice = (units.len() > 1).then(|| {
        view! {
            <fieldset class="choice-group units-choice">
                <legend>{tr!(i18n, consultations.vote_for_unit)}</legend>
                {units
                    .iter()
                    .map(|u| {
                        let (household, address) = (u.household_id, u.address.clone());
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="unit"
                                    prop:checked=move || unit.get() == household
                                    on:change=move |_| choose_unit(household)
                                />
                                <span>
                                    {move || address_text(i18n, &address)}
                                    {move || {
                                        voted_units
                                            .with(|v| v.contains(&household))
                                            .then(|| t_string!(i18n, consultations.unit_voted))
                                    }}
                                </span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
        }
    });
    let refuse = move |code: Option<ErrorCode>, text: Option<String>| {
        errors.update(|e| {
            e.set_field(i18n, "choice", code);
            if let Some(text) = text {
                e.fields.push(("choice".to_owned(), text));
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(FormErrors::default());
        let (choice, chosen) = match (kind, choice.get_untracked()) {
            (_, Some(c)) => (Some(c), Vec::new()),
            (QuestionKind::YesNo, None) => return refuse(Some(ErrorCode::Required), None),
            (QuestionKind::Ranked, None) => match ranking(&ranks.get_untracked()) {
                Ok(order) => (None, order),
                Err(()) => {
                    return refuse(
                        None,
                        Some(t_string!(i18n, consultations.rank_duplicate).to_string()),
                    );
                }
            },
            (_, None) => (None, picked.get_untracked()),
        };
        let body = BallotChoice {
            choice,
            options: chosen,
            household_id: Some(unit.get_untracked()),
            receipt: receipt.get_untracked(),
        };
        // The shared rules, as the server will apply them.
        if let Err(e) =
            linli_domain::consultation::check_ballot(kind, ranks.with_untracked(Vec::len), &body)
        {
            return refuse(Some(e.code), None);
        }
        sending.set(true);
        spawn_local(async move {
            match api::cast_ballot(id, &body).await {
                Ok(answer) => {
                    // A changed named ballot keeps the receipt this device already has.
                    let household = body.household_id.unwrap_or_default();
                    if !answer.receipt.is_empty() {
                        prefs::save_json(&receipt_key(id, household), &answer.receipt);
                        receipt.set(Some(answer.receipt));
                    }
                    voted_units.update(|v| {
                        if !v.contains(&household) {
                            v.push(household);
                        }
                    });
                    just_cast.set(true);
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };
    let count = options.len();
    let choices = match kind {
        QuestionKind::YesNo => YesNo::ALL
            .into_iter()
            .map(|c| view! { <RadioChoice name="choice" value=choice option=Some(c)>{move || choice_text(i18n, c)}</RadioChoice> })
            .collect_view()
            .into_any(),
        QuestionKind::Single | QuestionKind::Multiple { .. } => {
            let single = kind == QuestionKind::Single;
            let max = match kind {
                QuestionKind::Multiple { max } => max,
                _ => 1,
            };
            view! {
                <p class="hint">
                    {move || if single { t_string!(i18n, consultations.choose_one).to_string() } else { t_string!(i18n, consultations.choose_up_to, max).to_string() }}
                </p>
                {options
                    .into_iter()
                    .enumerate()
                    .map(|(i, name)| {
                        view! {
                            <label class="choice">
                                <input
                                    type=if single { "radio" } else { "checkbox" }
                                    name="choice"
                                    prop:checked=move || picked.with(|p| p.contains(&i))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        choice.set(None);
                                        picked.update(|p| {
                                            if single {
                                                p.clear();
                                            }
                                            p.retain(|&o| o != i);
                                            if on {
                                                p.push(i);
                                            }
                                        });
                                    }
                                />
                                <span>{name}</span>
                            </label>
                        }
                    })
                    .collect_view()}
                <AbstainChoice choice picked/>
            }
                .into_any()
        }
        QuestionKind::Ranked => view! {
            <p class="hint">{tr!(i18n, consultations.rank_hint)}</p>
            {options
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let label = name.clone();
                    let select_id = format!("rank-{i}");
                    view! {
                        <div class="rank-row">
                            <label for=select_id.clone()>
                                <span class="visually-hidden">
                                    {move || t_string!(i18n, consultations.rank_of, option = label.clone())}
                                </span>
                                <span aria-hidden="true">{name}</span>
                            </label>
                            <select
                                id=select_id
                                prop:value=move || ranks.with(|r| r[i].clone())
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    choice.set(None);
                                    ranks.update(|r| r[i] = value);
                                }
                            >
                                <option value="">{tr!(i18n, consultations.rank_none)}</option>
                                {(1..=count).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                            </select>
                        </div>
                    }
                })
                .collect_view()}
            <AbstainChoice choice picked/>
        }
            .into_any(),
    };
    view! {
        <form class="ballot" on:submit=submit novalidate>
            <FormAlert errors/>
            {unit_choice}
            {move || voted.get().then(|| view! { <p class="success" role="status">{tr!(i18n, consultations.voted)}</p> })}
            <fieldset id="choice" tabindex="-1" class="choice-group ballot-choices">
                <legend>{tr!(i18n, consultations.vote_heading)}</legend>
                {choices}
                {move || errors.get().field("choice").map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {move || if voted.get() { t_string!(i18n, consultations.change_vote) } else { t_string!(i18n, consultations.cast) }}
            </button>
            {move || {
                (just_cast.get())
                    .then(|| {
                        receipt
                            .get()
                            .map(|code| {
                                view! {
                                    <div class="receipt" role="status">
                                        <h3>{tr!(i18n, consultations.receipt_heading)}</h3>
                                        <p class="receipt-code"><code>{code}</code></p>
                                        <p class="hint">{tr!(i18n, consultations.receipt_explain)}</p>
                                    </div>
                                }
                            })
                    })
            }}
        </form>
    }
}

/// Abstaining on a choice question: it clears the options chosen, and choosing one clears it.
#[component]
fn AbstainChoice(choice: RwSignal<Option<YesNo>>, picked: RwSignal<Vec<usize>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="choice abstain">
            <input
                type="checkbox"
                prop:checked=move || choice.get() == Some(YesNo::Abstain)
                on:change=move |ev| {
                    if event_target_checked(&ev) {
                        picked.set(Vec::new());
                        choice.set(Some(YesNo::Abstain));
                    } else {
                        choice.set(None);
                    }
                }
            />
            <span>{tr!(i18n, consultations.abstain_option)}</span>
        </label>
    }
}

/// The options in order of their typed rank (1 first); an error when two share a rank.
fn ranking(ranks: &[String]) -> Result<Vec<usize>, ()> {
    let mut ranked: Vec<(usize, usize)> = ranks
        .iter()
        .enumerate()
        .filter_map(|(option, rank)| rank.parse::<usize>().ok().map(|r| (r, option)))
        .collect();
    ranked.sort_unstable();
    if ranked.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(());
    }
    Ok(ranked.into_iter().map(|(_, option)| option).collect())
}

/// Staff moving the deadline later: the date, closing at its end (China time).
#[component]
fn ExtendVote(id: i64, closes_at: i64, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let day = RwSignal::new(china_date(closes_at + 86_400));
    // The server names the field `closes_at`; this form's input is `extend_to`.
    let action = TopicAction::new(on_change).renaming(&[("closes_at", "extend_to")]);
    let TopicAction {
        sending, errors, ..
    } = action;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(at) = end_of_day(&day.get_untracked()) else {
            errors.update(|e| e.set_field(i18n, "extend_to", Some(ErrorCode::DeadlineInvalid)));
            return;
        };
        action.send(api::extend_vote(id, at), || ());
    };
    view! {
        <form class="staff-only inline-form" on:submit=submit novalidate aria-labelledby="extend-heading">
            <h3 id="extend-heading">{tr!(i18n, consultations.extend_heading)}</h3>
            <FormAlert errors/>
            <Field
                id="extend_to"
                input_type="date"
                label=Signal::derive(move || t_string!(i18n, consultations.closes_label).to_string())
                value=day
                error=Signal::derive(move || errors.get().field("extend_to"))
            />
            <button type="submit" class="button secondary" disabled=move || sending.get()>
                {tr!(i18n, consultations.extend_submit)}
            </button>
        </form>
    }
}

#[component]
fn CloseVote(id: i64, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let action = TopicAction::new(on_change);
    let TopicAction {
        sending, errors, ..
    } = action;
    let close = move |_| action.send(api::close_vote(id), || ());
    view! {
        <div class="staff-only">
            <FormAlert errors/>
            <button type="button" class="button secondary" disabled=move || sending.get() on:click=close>
                {tr!(i18n, consultations.close_vote)}
            </button>
        </div>
    }
}

/// The id of a result's heading: the current result's, or an earlier revision's beside it.
fn heading_id(revision: Option<u32>) -> String {
    match revision {
        Some(number) => format!("result-heading-r{number}"),
        None => "result-heading".to_owned(),
    }
}

/// One condition of a rule: what is measured, the fraction reached, the threshold, and whether
/// it is met, as the verdict computed it.
struct Condition {
    label: &'static str,
    reached: String,
    threshold: Threshold,
    met: bool,
}

fn conditions(
    i18n: I18nContext<Locale>,
    rule: DecisionRule,
    tally: &YesNoTally,
    verdict: &Verdict,
) -> Vec<Condition> {
    let taking_part = tally.participating();
    match rule {
        DecisionRule::SimpleMajority | DecisionRule::TwoThirds => {
            let threshold = if rule == DecisionRule::SimpleMajority {
                Threshold::more_than(1, 2)
            } else {
                Threshold::at_least(2, 3)
            };
            let cast = tally.yes.units + tally.no.units;
            vec![Condition {
                label: t_string!(i18n, consultations.cond_approval_cast),
                reached: of_units(i18n, tally.yes.units, cast),
                threshold,
                met: verdict.approval_by_units,
            }]
        }
        DecisionRule::OwnersDecision { quorum, approval } => vec![
            Condition {
                label: t_string!(i18n, consultations.cond_quorum_units),
                reached: of_units(i18n, taking_part.units, tally.eligible.units),
                threshold: quorum,
                met: verdict.quorum_by_units.unwrap_or(false),
            },
            Condition {
                label: t_string!(i18n, consultations.cond_quorum_area),
                reached: of_area(
                    i18n,
                    taking_part.area_centi_m2,
                    tally.eligible.area_centi_m2,
                ),
                threshold: quorum,
                met: verdict.quorum_by_area.unwrap_or(false),
            },
            Condition {
                label: t_string!(i18n, consultations.cond_approval_units),
                reached: of_units(i18n, tally.yes.units, taking_part.units),
                threshold: approval,
                met: verdict.approval_by_units,
            },
            Condition {
                label: t_string!(i18n, consultations.cond_approval_area),
                reached: of_area(i18n, tally.yes.area_centi_m2, taking_part.area_centi_m2),
                threshold: approval,
                met: verdict.approval_by_area.unwrap_or(false),
            },
        ],
    }
}

/// The figures of a vote: the verdict (once closed) with the rule in plain words, each condition
/// against its threshold, and the votes as bars by units (and by area for owners).
#[component]
pub fn ResultView(
    rule: DecisionRule,
    owners: bool,
    tally: YesNoTally,
    verdict: Option<Verdict>,
    /// An earlier revision of a corrected result, shown beside the current one.
    #[prop(default = None)]
    revision: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let live_verdict = verdict.unwrap_or_else(|| linli_domain::ballot::decide(rule, &tally));
    let heading_id = heading_id(revision);
    let labelled_by = heading_id.clone();
    let heading = move || match (revision, verdict.is_some()) {
        (Some(number), _) => {
            t_string!(i18n, consultations.revision_result_heading, number).to_string()
        }
        (None, true) => t_string!(i18n, consultations.result_heading).to_string(),
        (None, false) => t_string!(i18n, consultations.running_tally).to_string(),
    };
    view! {
        <section class="result" aria-labelledby=labelled_by>
            <h3 id=heading_id>{heading}</h3>
            {verdict
                .map(|v| {
                    view! {
                        <p class="verdict" class:passed=v.passed class:not-passed=!v.passed>
                            <span aria-hidden="true">{if v.passed { "✓ " } else { "✗ " }}</span>
                            {move || if v.passed { t_string!(i18n, consultations.passed) } else { t_string!(i18n, consultations.not_passed) }}
                        </p>
                    }
                })}
            <p class="rule-explained">{move || rule_explained(i18n, rule)}</p>
            <table class="conditions">
                <tbody>
                    {move || {
                        conditions(i18n, rule, &tally, &live_verdict)
                            .into_iter()
                            .map(|c| {
                                let needs = threshold_text(i18n, c.threshold);
                                view! {
                                    <tr class:met=c.met>
                                        <th scope="row">{c.label}</th>
                                        <td>{c.reached}</td>
                                        <td>{t_string!(i18n, consultations.needs, threshold = needs)}</td>
                                        <td class="mark">
                                            <span aria-hidden="true">{if c.met { "✓ " } else { "✗ " }}</span>
                                            {if c.met { t_string!(i18n, consultations.met) } else { t_string!(i18n, consultations.not_met) }}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <Bars by_area=false tally/>
            {owners.then(|| view! { <Bars by_area=true tally/> })}
        </section>
    }
}

/// Horizontal bars of yes / no / abstain / did not vote, as shares of everyone on the roll.
/// One bar: its words (which follow the language), its class (its colour), its share of the
/// whole in per mille, and its figure.
pub struct Bar {
    pub name: Signal<String>,
    pub class: &'static str,
    pub value: u64,
    pub figure: String,
}

/// Horizontal bars as shares of `whole`: words in HTML (they grow with elder mode and wrap on a
/// narrow phone), bars in SVG.
#[component]
pub fn BarChart(caption: Signal<String>, bars: Vec<Bar>, whole: u64) -> impl IntoView {
    view! {
        <figure class="bars">
            <figcaption>{caption}</figcaption>
            <ul class="bar-rows">
                {bars
                    .into_iter()
                    .map(|bar| {
                        // Per mille of the whole, so that a thin sliver still shows.
                        let width = (bar.value * 1000).checked_div(whole).unwrap_or(0);
                        view! {
                            <li class=format!("bar {}", bar.class)>
                                <span class="bar-name">{bar.name}</span>
                                <svg viewBox="0 0 1000 20" preserveAspectRatio="none" aria-hidden="true">
                                    <rect class="track" x="0" y="0" width="1000" height="20"></rect>
                                    <rect class="fill" x="0" y="0" width=width height="20"></rect>
                                </svg>
                                <span class="bar-figure">{bar.figure}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </figure>
    }
}

/// Yes / no / abstain / did not vote, as shares of everyone on the roll, by units or by area.
#[component]
fn Bars(by_area: bool, tally: YesNoTally) -> impl IntoView {
    let i18n = use_i18n();
    let measure =
        move |w: linli_domain::ballot::Weight| if by_area { w.area_centi_m2 } else { w.units };
    let whole = measure(tally.eligible);
    let voted = measure(tally.participating());
    let figure = move |value: u64| {
        if by_area {
            format!("{} ㎡ · {}", area_number(value), percent(value, whole))
        } else {
            format!("{value} · {}", percent(value, whole))
        }
    };
    let bar = |class, name: fn(I18nContext<Locale>) -> &'static str, value| Bar {
        name: Signal::derive(move || name(i18n).to_owned()),
        class,
        value,
        figure: figure(value),
    };
    let bars = vec![
        bar(
            "bar-yes",
            |i| t_string!(i, consultations.choice_yes),
            measure(tally.yes),
        ),
        bar(
            "bar-no",
            |i| t_string!(i, consultations.choice_no),
            measure(tally.no),
        ),
        bar(
            "bar-abstain",
            |i| t_string!(i, consultations.choice_abstain),
            measure(tally.abstain),
        ),
        bar(
            "bar-absent",
            |i| t_string!(i, consultations.not_voted),
            whole.saturating_sub(voted),
        ),
    ];
    let caption = Signal::derive(move || {
        if by_area {
            t_string!(i18n, consultations.chart_area).to_owned()
        } else {
            t_string!(i18n, consultations.chart_units).to_owned()
        }
    });
    view! { <BarChart caption bars whole/> }
}

/// A choice question's figures: each option's support against the rule (or, ranked, the
/// runoff's rounds), which options passed or won once closed, and bars per option.
#[component]
pub fn OptionsResultView(
    rule: DecisionRule,
    owners: bool,
    closed: bool,
    options: Vec<String>,
    result: OptionsResult,
    /// An earlier revision of a corrected result, shown beside the current one.
    #[prop(default = None)]
    revision: Option<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let tally = result.tally.clone();
    let taking_part = tally.participating();
    let name = {
        let options = options.clone();
        move |i: usize| options.get(i).cloned().unwrap_or_default()
    };
    let heading = move || match (revision, closed) {
        (Some(number), _) => {
            t_string!(i18n, consultations.revision_result_heading, number).to_string()
        }
        (None, true) => t_string!(i18n, consultations.result_heading).to_string(),
        (None, false) => t_string!(i18n, consultations.running_tally).to_string(),
    };
    let heading_id = heading_id(revision);
    let labelled_by = heading_id.clone();
    let bars: Vec<(String, u64)> = tally
        .options
        .iter()
        .enumerate()
        .map(|(i, w)| (name(i), w.units))
        .collect();
    let body = match result.runoff.clone() {
        Some(runoff) => {
            let winner = runoff.winner.map(&name);
            let columns = options.clone();
            view! {
                {closed
                    .then(|| {
                        let winner = winner.clone();
                        let won = winner.is_some();
                        view! {
                            <p class="verdict" class:passed=won class:not-passed=!won>
                                {move || match winner.clone() {
                                    Some(name) => t_string!(i18n, consultations.winner, name).to_string(),
                                    None => t_string!(i18n, consultations.no_winner).to_string(),
                                }}
                            </p>
                        }
                    })}
                <p class="rule-explained">{tr!(i18n, consultations.explain_ranked)}</p>
                // Focusable, so a keyboard user can scroll a table wider than the phone.
                <div
                    class="table-scroll"
                    role="region"
                    tabindex="0"
                    aria-label=tr!(i18n, consultations.rounds_table)
                >
                    <table class="rounds">
                        <caption class="visually-hidden">{tr!(i18n, consultations.rounds_table)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{tr!(i18n, consultations.round_heading)}</th>
                                {columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}
                                <th scope="col">{tr!(i18n, consultations.exhausted)}</th>
                                <th scope="col">{tr!(i18n, consultations.eliminated)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {runoff
                                .rounds
                                .iter()
                                .enumerate()
                                .map(|(n, round)| {
                                    let n = n + 1;
                                    let out = round.eliminated.map(&name).unwrap_or_default();
                                    view! {
                                        <tr>
                                            <th scope="row">{move || t_string!(i18n, consultations.round_n, n)}</th>
                                            {round.votes.iter().map(|v| view! { <td>{*v}</td> }).collect_view()}
                                            <td>{round.exhausted}</td>
                                            <td>{out}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <OptionBars caption=Signal::derive(move || t_string!(i18n, consultations.first_preferences).to_string()) rows=bars whole=tally.chose.units/>
            }
                .into_any()
        }
        None => {
            let passed: Vec<String> = result
                .verdicts
                .iter()
                .enumerate()
                .filter(|(_, v)| v.passed)
                .map(|(i, _)| name(i))
                .collect();
            let is_owners_rule = matches!(rule, DecisionRule::OwnersDecision { .. });
            // Under a majority rule the share is of the ballots choosing; under Art. 278, of
            // everyone taking part.
            let of = if is_owners_rule {
                taking_part
            } else {
                tally.chose
            };
            let rows: Vec<_> = tally
                .options
                .iter()
                .zip(result.verdicts.iter())
                .enumerate()
                .map(|(i, (support, verdict))| (name(i), *support, verdict.passed))
                .collect();
            view! {
                {closed
                    .then(|| {
                        let any = !passed.is_empty();
                        let names = passed.join("、");
                        view! {
                            <p class="verdict" class:passed=any class:not-passed=!any>
                                {move || if any {
                                    t_string!(i18n, consultations.options_passed, names = names.clone()).to_string()
                                } else {
                                    t_string!(i18n, consultations.options_none_passed).to_string()
                                }}
                            </p>
                        }
                    })}
                <p class="rule-explained">{tr!(i18n, consultations.explain_per_option)} " " {move || rule_explained(i18n, rule)}</p>
                <table class="conditions">
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|(option, support, met)| {
                                view! {
                                    <tr class:met=met>
                                        <th scope="row">{option}</th>
                                        <td>
                                            {move || of_units(i18n, support.units, of.units)}
                                            {owners.then(|| view! { <br/> {move || of_area(i18n, support.area_centi_m2, of.area_centi_m2)} })}
                                        </td>
                                        <td class="mark">
                                            <span aria-hidden="true">{if met { "✓ " } else { "✗ " }}</span>
                                            {move || if met { t_string!(i18n, consultations.met) } else { t_string!(i18n, consultations.not_met) }}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <OptionBars caption=Signal::derive(move || t_string!(i18n, consultations.chart_options).to_string()) rows=bars whole=of.units/>
            }
                .into_any()
        }
    };
    view! {
        <section class="result" aria-labelledby=labelled_by>
            <h3 id=heading_id>{heading}</h3>
            {body}
        </section>
    }
}

/// Bars of votes per option, as shares of `whole`.
#[component]
fn OptionBars(caption: Signal<String>, rows: Vec<(String, u64)>, whole: u64) -> impl IntoView {
    let bars = rows
        .into_iter()
        .map(|(name, value)| Bar {
            name: Signal::stored(name),
            class: "bar-yes",
            value,
            figure: format!("{value} · {}", percent(value, whole)),
        })
        .collect();
    view! { <BarChart caption bars whole/> }
}

/// SHA-256 of the receipt, in hex, computed by the browser: the code never leaves the device.
async fn receipt_hash(receipt: &str) -> Option<String> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let promise = subtle
        .digest_with_str_and_u8_array("SHA-256", receipt.trim().as_bytes())
        .ok()?;
    let digest = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&digest).to_vec();
    Some(linli_domain::hex(&bytes))
}

#[derive(Clone, Copy, PartialEq)]
enum Check {
    NotYet,
    Done(ReceiptStanding),
    Unavailable,
}

#[component]
fn ReceiptCheck(
    topic: i64,
    hashes: Vec<String>,
    voided: Vec<String>,
    households: Vec<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Filled in with the receipt this device kept for one of the account's units, if any.
    let kept = households
        .iter()
        .find_map(|h| prefs::load_json::<String>(&receipt_key(topic, *h)));
    let code = RwSignal::new(kept.unwrap_or_default());
    let outcome = RwSignal::new(Check::NotYet);
    let count = hashes.len();
    let list = StoredValue::new(hashes);
    let voided = StoredValue::new(voided);
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let receipt = code.get_untracked();
        spawn_local(async move {
            let result = match receipt_hash(&receipt).await {
                None => Check::Unavailable,
                Some(hash) => Check::Done(list.with_value(|published| {
                    voided.with_value(|voided| receipt_standing(&hash, published, voided))
                })),
            };
            outcome.set(result);
        });
    };
    view! {
        <section class="receipts" aria-labelledby="receipts-heading">
            <h3 id="receipts-heading">{tr!(i18n, consultations.receipts_heading)}</h3>
            <p>{move || t_string!(i18n, consultations.receipts_count, count)}</p>
            <form class="inline-form" on:submit=check novalidate>
                <label for="receipt">{tr!(i18n, consultations.receipt_input)}</label>
                <input id="receipt" type="text" autocomplete="off" spellcheck="false" bind:value=code/>
                <button type="submit" class="button secondary">{tr!(i18n, consultations.check_receipt)}</button>
            </form>
            <p role="status" class="receipt-outcome">
                {move || match outcome.get() {
                    Check::NotYet => String::new(),
                    Check::Done(ReceiptStanding::Counted) => format!("✓ {}", t_string!(i18n, consultations.receipt_found)),
                    Check::Done(ReceiptStanding::Voided) => format!("✗ {}", t_string!(i18n, consultations.receipt_voided)),
                    Check::Done(ReceiptStanding::NotFound) => format!("✗ {}", t_string!(i18n, consultations.receipt_not_found)),
                    Check::Unavailable => t_string!(i18n, consultations.receipt_unavailable).to_string(),
                }}
            </p>
            <details>
                <summary>{tr!(i18n, consultations.show_hashes)}</summary>
                <ol class="hashes">{list.get_value().into_iter().map(|h| view! { <li><code>{h}</code></li> }).collect_view()}</ol>
            </details>
        </section>
    }
}
