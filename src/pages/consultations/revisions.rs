//! A corrected result: the notice that says which revision is shown and why, every published
//! revision with its figures (the earlier ones folded), and staff's form to publish a
//! correction. A published revision never changes; a correction adds the next one.

use crate::api;
use crate::components::errors::{FieldMessage, FormErrors, show_errors};
use crate::components::field::{Field, RadioChoice, TextArea};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::pages::consultations::action::TopicAction;
use crate::pages::consultations::labels::area_number;
use crate::pages::consultations::vote::{OptionsResultView, ResultView};
use crate::pages::me::address_text;
use crate::pages::me::household::FormAlert;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::ErrorCode;
use linli_domain::FloorArea;
use linli_domain::consultation::{Electorate, TopicDetail, VoteView};
use linli_domain::figures::china_time_label;
use linli_domain::revision::{
    Correction, CorrectionKind, NewCorrection, PublishedResult, REASON_MAX_CHARS, ResultRevision,
    RollUnit, check_correction,
};

/// The outcome of a published result in a few words: passed or not, or which options passed
/// (or won a ranked count).
pub fn outcome_text(
    i18n: I18nContext<Locale>,
    result: &PublishedResult,
    options: &[String],
) -> String {
    let name = |i: usize| options.get(i).cloned().unwrap_or_default();
    if let Some(verdict) = result.verdict {
        return if verdict.passed {
            t_string!(i18n, consultations.passed).to_string()
        } else {
            t_string!(i18n, consultations.not_passed).to_string()
        };
    }
    let Some(options_result) = &result.options_result else {
        return String::new();
    };
    if let Some(runoff) = &options_result.runoff {
        return match runoff.winner {
            Some(i) => t_string!(i18n, consultations.winner, name = name(i)).to_string(),
            None => t_string!(i18n, consultations.no_winner).to_string(),
        };
    }
    let passed: Vec<String> = options_result
        .verdicts
        .iter()
        .enumerate()
        .filter(|(_, v)| v.passed)
        .map(|(i, _)| name(i))
        .collect();
    if passed.is_empty() {
        t_string!(i18n, consultations.options_none_passed).to_string()
    } else {
        t_string!(
            i18n,
            consultations.options_passed,
            names = passed.join("、")
        )
        .to_string()
    }
}

/// Above a corrected result: which revision this is, when and why it was published, and, if the
/// outcome changed, what revision 1 had said. Nothing for a result never corrected.
#[component]
pub fn CorrectionNotice(vote: VoteView) -> impl IntoView {
    let i18n = use_i18n();
    let (Some(first), Some(latest)) = (vote.revisions.first(), vote.revisions.last()) else {
        return ().into_any();
    };
    if latest.number == 1 {
        return ().into_any();
    }
    let (number, at, reason) = (
        latest.number,
        china_time_label(latest.published_at),
        latest.reason.clone(),
    );
    let changed = latest
        .result
        .outcome_differs(&first.result)
        .then(|| (first.result.clone(), vote.options.clone()));
    view! {
        <aside class="correction-notice" role="note">
            <p><strong>{move || t_string!(i18n, consultations.revision_corrected, number, at = at.clone())}</strong></p>
            <p>{move || t_string!(i18n, consultations.revision_reason, reason = reason.clone())}</p>
            {changed
                .map(|(result, options)| {
                    view! {
                        <p>
                            {move || {
                                let outcome = outcome_text(i18n, &result, &options);
                                t_string!(i18n, consultations.revision_outcome_changed, outcome)
                            }}
                        </p>
                    }
                })}
        </aside>
    }
    .into_any()
}

/// The figures of one published result, as the current result shows them.
#[component]
pub fn PublishedFigures(
    vote: VoteView,
    result: PublishedResult,
    #[prop(default = None)] revision: Option<u32>,
) -> impl IntoView {
    let owners = vote.electorate == Electorate::Owners;
    match (result.tally, result.options_result) {
        (Some(tally), _) => {
            view! { <ResultView rule=vote.rule owners tally verdict=result.verdict revision/> }
                .into_any()
        }
        (None, Some(result)) => view! {
            <OptionsResultView rule=vote.rule owners closed=true options=vote.options.clone() result revision/>
        }
        .into_any(),
        (None, None) => ().into_any(),
    }
}

/// Every revision of a corrected result, newest first: its number, date, what changed and its
/// outcome; the figures of the earlier ones behind a disclosure. Nothing until corrected.
#[component]
pub fn RevisionHistory(vote: VoteView) -> impl IntoView {
    let i18n = use_i18n();
    if vote.revisions.len() < 2 {
        return ().into_any();
    }
    let current = vote.revisions.last().map(|r| r.number).unwrap_or_default();
    let rows = vote
        .revisions
        .iter()
        .rev()
        .cloned()
        .map(|revision| {
            let vote = vote.clone();
            let is_current = revision.number == current;
            view! { <RevisionRow vote revision current=is_current/> }
        })
        .collect_view();
    view! {
        <section class="revisions" aria-labelledby="revisions-heading">
            <h3 id="revisions-heading">{tr!(i18n, consultations.revisions_heading)}</h3>
            <ol class="revision-list" reversed=true>{rows}</ol>
        </section>
    }
    .into_any()
}

#[component]
fn RevisionRow(vote: VoteView, revision: ResultRevision, current: bool) -> impl IntoView {
    let i18n = use_i18n();
    let ResultRevision {
        number,
        published_at,
        reason,
        change,
        result,
    } = revision;
    let what = move || match change {
        None => t_string!(i18n, consultations.revision_first).to_string(),
        Some(CorrectionKind::Area) => {
            t_string!(i18n, consultations.revision_change_area).to_string()
        }
        Some(CorrectionKind::VoidBallot) => {
            t_string!(i18n, consultations.revision_change_void_ballot).to_string()
        }
    };
    let outcome = {
        let (result, options) = (result.clone(), vote.options.clone());
        move || outcome_text(i18n, &result, &options)
    };
    view! {
        <li class="revision" class:current=current>
            <p class="revision-line">
                <strong>{move || t_string!(i18n, consultations.revision_n, number)}</strong>
                {current.then(|| view! { " " <span class="badge">{tr!(i18n, consultations.revision_current)}</span> })}
                " · " {china_time_label(published_at)} " · " {what} " · " <span class="outcome">{outcome}</span>
            </p>
            {(!reason.is_empty())
                .then(|| {
                    let reason = reason.clone();
                    view! { <p class="meta">{move || t_string!(i18n, consultations.revision_reason, reason = reason.clone())}</p> }
                })}
            {(!current)
                .then(|| {
                    view! {
                        <details>
                            <summary>{move || t_string!(i18n, consultations.revision_show_figures, number)}</summary>
                            <PublishedFigures vote result revision=Some(number)/>
                        </details>
                    }
                })}
        </li>
    }
}

/// Which correction staff are writing.
#[derive(Clone, Copy, PartialEq)]
enum KindChoice {
    Area,
    Void,
}

/// How staff name a unit of the roll: its place, its area, and whether its ballot counts.
fn unit_label(i18n: I18nContext<Locale>, unit: &RollUnit) -> String {
    let place = address_text(i18n, &unit.address);
    let label = t_string!(
        i18n,
        consultations.roll_unit,
        place,
        area = area_number(unit.area_centi_m2)
    )
    .to_string();
    if unit.counted {
        format!("{label}{}", t_string!(i18n, consultations.roll_counted))
    } else {
        label
    }
}

/// Staff publishing a correction of a closed vote's result: one unit of the roll, its area or
/// its ballot, and the public reason. A secret vote says why it cannot be corrected.
#[component]
pub fn CorrectionForm(id: i64, secret: bool, on_change: Callback<TopicDetail>) -> impl IntoView {
    let i18n = use_i18n();
    if secret {
        return view! {
            <details class="staff-only correction">
                <summary>{tr!(i18n, consultations.correct_heading)}</summary>
                <p class="meta">{tr!(i18n, consultations.correct_not_possible_secret)}</p>
            </details>
        }
        .into_any();
    }
    // Read once the staff member opens the form.
    let opened = RwSignal::new(false);
    let roll = LocalResource::new(move || async move {
        if opened.get() {
            api::vote_roll(id).await.map(Some)
        } else {
            Ok(None)
        }
    });
    let household = RwSignal::new(String::new());
    let kind = RwSignal::new(KindChoice::Area);
    let area = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let action = TopicAction::new(on_change).renaming(&[
        ("household_id", "correction_unit"),
        ("area", "correction_area"),
        ("reason", "correction_reason"),
    ]);
    let TopicAction {
        sending, errors, ..
    } = action;
    let error = move |field: &'static str| Signal::derive(move || errors.get().field(field));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let unit = household.get_untracked().parse::<i64>().ok();
        let typed_area = (kind.get_untracked() == KindChoice::Area)
            .then(|| FloorArea::parse_m2(&area.get_untracked()));
        let mut refused = FormErrors::default();
        if unit.is_none() {
            refused.set_field(i18n, "correction_unit", Some(ErrorCode::Required));
        }
        if let Some(Err(code)) = typed_area {
            refused.set_field(i18n, "correction_area", Some(code));
        }
        let household_id = unit.unwrap_or_default();
        let correction = match typed_area {
            Some(Ok(area)) => Correction::Area {
                household_id,
                area_centi_m2: area.centi_m2(),
            },
            _ => Correction::VoidBallot { household_id },
        };
        let new = NewCorrection {
            reason: reason.get_untracked(),
            correction,
        };
        if let Err(fields) = check_correction(&new) {
            for f in fields.iter().filter(|f| f.field == "reason") {
                refused.set_field(i18n, "correction_reason", Some(f.code));
            }
        }
        if !refused.fields.is_empty() {
            refused.general = Some(t_string!(i18n, auth.form_has_errors).to_string());
            show_errors(errors, refused);
            return;
        }
        action.send(
            async move { api::correct_result(id, &new).await },
            // The page takes the corrected topic and draws a fresh form (and roll) for it.
            || (),
        );
    };
    view! {
        <details class="staff-only correction" on:toggle=move |_| opened.set(true)>
            <summary>{tr!(i18n, consultations.correct_heading)}</summary>
            <form class="form" on:submit=submit novalidate>
                <p class="hint">{tr!(i18n, consultations.correct_intro)}</p>
                <FormAlert errors/>
                <Suspense fallback=Loading>
                    {move || {
                        roll.get()
                            .map(|loaded| match loaded {
                                Ok(units) => {
                                    let units = units.unwrap_or_default();
                                    view! {
                                        <div class="field" class:field-invalid=move || error("correction_unit").get().is_some()>
                                            <label for="correction_unit">{tr!(i18n, consultations.correct_unit)}</label>
                                            <select
                                                id="correction_unit"
                                                aria-describedby="correction_unit-error"
                                                prop:value=move || household.get()
                                                on:change=move |ev| household.set(event_target_value(&ev))
                                            >
                                                <option value="">{tr!(i18n, consultations.correct_choose_unit)}</option>
                                                {units
                                                    .into_iter()
                                                    .map(|unit| {
                                                        let value = unit.household_id.to_string();
                                                        view! { <option value=value>{move || unit_label(i18n, &unit)}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                            <FieldMessage errors field="correction_unit"/>
                                        </div>
                                    }
                                        .into_any()
                                }
                                Err(_) => view! { <LoadError retry=move || roll.refetch()/> }.into_any(),
                            })
                    }}
                </Suspense>
                <fieldset class="choice-group">
                    <legend>{tr!(i18n, consultations.correct_kind)}</legend>
                    <RadioChoice name="correction_kind" value=kind option=KindChoice::Area>
                        {tr!(i18n, consultations.correct_kind_area)}
                    </RadioChoice>
                    <RadioChoice name="correction_kind" value=kind option=KindChoice::Void>
                        {tr!(i18n, consultations.correct_kind_void)}
                    </RadioChoice>
                </fieldset>
                <Show when=move || kind.get() == KindChoice::Area>
                    <Field
                        id="correction_area"
                        inputmode="decimal"
                        label=Signal::derive(move || t_string!(i18n, consultations.correct_area).to_string())
                        hint=Signal::derive(move || t_string!(i18n, consultations.correct_area_hint).to_string())
                        value=area
                        error=error("correction_area")
                    />
                </Show>
                <TextArea
                    id="correction_reason"
                    label=Signal::derive(move || t_string!(i18n, consultations.correct_reason).to_string())
                    value=reason
                    max_chars=REASON_MAX_CHARS
                    error=error("correction_reason")
                    rows=3
                />
                <p class="hint">{tr!(i18n, consultations.correct_reason_hint)}</p>
                <button type="submit" class="button primary" disabled=move || sending.get()>
                    {tr!(i18n, consultations.correct_submit)}
                </button>
            </form>
        </details>
    }
    .into_any()
}
