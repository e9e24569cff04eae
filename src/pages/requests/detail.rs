//! One request: its tracking number, deadlines, answers and timeline, and what the account may
//! do next (the author: withdraw or rate; staff: the handling steps).

use crate::api;
use crate::components::errors::{FormErrors, show_errors};
use crate::components::field::RadioChoice;
use crate::components::photo_picker::{ChosenPhoto, PhotoPicker, files};
use crate::components::request_labels::{StatusBadge, TimeLeft, action_text, now_seconds};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::pages::me::household::FormAlert;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;
use linli_domain::api::{RequestActionBody, RequestDetail};
use linli_domain::figures::china_time_label;
use linli_domain::request::{RejectReason, RequestAction};

#[component]
pub fn RequestDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::pages::route_id();
    let request = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => api::request(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="page" aria-labelledby="page-title">
            <Transition fallback=Loading>
                {move || {
                    request
                        .get()
                        .map(|result| match result {
                            Ok(Some(detail)) => view! { <Detail detail on_change=move || request.refetch()/> }.into_any(),
                            Ok(None) | Err(api::ApiError::Problem(_)) => {
                                view! { <crate::pages::not_found::NotFoundPage/> }.into_any()
                            }
                            Err(api::ApiError::Network) => {
                                view! { <LoadError retry=move || request.refetch()/> }.into_any()
                            }
                        })
                }}
            </Transition>
            <p>
                <a href="/requests">{tr!(i18n, requests.back_to_list)}</a>
            </p>
        </section>
    }
}

#[component]
fn Detail(detail: RequestDetail, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let just_sent = move || query.read().get("sent").is_some();
    let just_followed = move || query.read().get("followed").is_some();
    let now = now_seconds();
    let s = detail.summary.clone();
    let tracking = s.tracking_number.clone();
    let open = !s.status.is_final() && !s.status.is_completed();
    view! {
        <h1 id="page-title">{s.title.clone()}</h1>
        {move || {
            just_sent()
                .then(|| {
                    let number = tracking.clone();
                    view! {
                        <p class="success" role="status">
                            <span aria-hidden="true">"✓ "</span>
                            {move || t_string!(i18n, requests.sent, number = number.clone())}
                        </p>
                    }
                })
        }}
        {move || {
            just_followed()
                .then(|| {
                    view! {
                        <p class="success" role="status">
                            <span aria-hidden="true">"✓ "</span>
                            {tr!(i18n, requests.followed)}
                        </p>
                    }
                })
        }}
        <dl class="facts">
            <dt>{tr!(i18n, requests.tracking_number)}</dt>
            <dd class="tracking-number">{s.tracking_number.clone()}</dd>
            <dt>{tr!(i18n, requests.status_label)}</dt>
            <dd><StatusBadge status=s.status/></dd>
            <dt>{tr!(i18n, requests.submitted_at)}</dt>
            <dd>{china_time_label(s.submitted_at)}</dd>
            <dt>{tr!(i18n, requests.respond_by)}</dt>
            <dd>{china_time_label(s.deadlines.respond_by)}</dd>
            <dt>{tr!(i18n, requests.resolve_by)}</dt>
            <dd>
                {china_time_label(s.deadlines.resolve_by)} " "
                {open.then(|| view! { <TimeLeft deadline=s.deadlines.resolve_by now/> })}
            </dd>
            {detail.handler.clone().map(|h| view! { <dt>{tr!(i18n, requests.handler)}</dt><dd>{h}</dd> })}
            {(detail.followers > 0)
                .then(|| view! { <dt>{tr!(i18n, requests.followers_count)}</dt><dd>{detail.followers}</dd> })}
        </dl>
        {detail
            .requester
            .clone()
            .map(|requester| view! { <super::contact::RequesterContact id=s.id requester/> })}
        {detail.following.then(|| view! { <Unfollow id=s.id/> })}
        {(!detail.description.is_empty()).then(|| view! { <p class="description">{detail.description.clone()}</p> })}
        {(!detail.answers.is_empty()).then(|| view! { <Answers category=s.category.clone() answers=detail.answers.clone()/> })}
        <h2>{tr!(i18n, requests.timeline)}</h2>
        <ol class="timeline">
            {detail
                .timeline
                .iter()
                .map(|e| {
                    let action = e.action.clone();
                    let staff = e.actor_role == "staff";
                    view! {
                        <li>
                            <span class="meta">
                                {china_time_label(e.at)} " · "
                                {move || if staff { t_string!(i18n, requests.by_staff) } else { t_string!(i18n, requests.by_resident) }}
                            </span>
                            <strong>
                                {move || action_text(i18n, &action)}
                                {(!e.public).then_some(move || t_string!(i18n, requests.internal_mark))}
                            </strong>
                            {e.reason.map(|r| view! { <span class="note">{move || reason_text(i18n, r)}</span> })}
                            {(!e.note.is_empty()).then(|| view! { <span class="note">{e.note.clone()}</span> })}
                            {(!e.photos.is_empty())
                                .then(|| {
                                    view! {
                                        <ul class="photo-previews">
                                            {e.photos.iter().enumerate().map(|(i, id)| {
                                                let alt = move || t_string!(i18n, requests.photo_alt, n = i + 1);
                                                view! {
                                                    <li>
                                                        <a href=api::photo_url(*id, false) target="_blank">
                                                            <img src=api::photo_url(*id, true) alt=alt loading="lazy"/>
                                                        </a>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {(!detail.allowed_actions.is_empty())
            .then(|| view! { <Actions id=s.id allowed=detail.allowed_actions.clone() on_change/> })}
        // A follower reads along; notes are for the author and staff.
        {(!detail.following).then(|| view! { <NoteForm id=s.id on_change/> })}
    }
}

/// The buttons for what this account may do next, with the note (a reason, a comment) and,
/// for dispatching, the handler.
#[component]
fn Actions(id: i64, allowed: Vec<RequestAction>, on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let note = RwSignal::new(String::new());
    let handler = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    let can_dispatch = allowed.contains(&RequestAction::Dispatch);
    // Only rejecting needs the note; say so only where rejecting is possible.
    let can_reject = allowed.contains(&RequestAction::Reject);
    let reason = RwSignal::new(None::<RejectReason>);
    // Photos show the work done, or that it is not done.
    let with_photos = allowed.contains(&RequestAction::Resolve)
        || allowed.contains(&RequestAction::RateUnsatisfied);
    let photos = RwSignal::new_local(Vec::<ChosenPhoto>::new());
    let run = move |action: RequestAction| {
        sending.set(true);
        errors.set(FormErrors::default());
        let body = RequestActionBody {
            action,
            note: note.get_untracked(),
            handler: Some(handler.get_untracked()).filter(|h| !h.trim().is_empty()),
            reason: reason.get_untracked(),
        };
        let chosen = files(&photos.get_untracked());
        spawn_local(async move {
            match api::request_action(id, &body, &chosen).await {
                Ok(_) => on_change.run(()),
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="actions-heading">
            <h2 id="actions-heading">
                {if allowed.contains(&RequestAction::RateSatisfied) {
                    tr!(i18n, requests.rate_heading).into_any()
                } else {
                    tr!(i18n, requests.actions_heading).into_any()
                }}
            </h2>
            <FormAlert errors/>
            {can_reject
                .then(|| {
                    view! {
                        <fieldset id="reason" tabindex="-1" class="choice-group">
                            <legend>{tr!(i18n, requests.reason_label)}</legend>
                            {RejectReason::ALL
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <RadioChoice name="reason" value=reason option=Some(r)>
                                            {move || reason_text(i18n, r)}
                                        </RadioChoice>
                                    }
                                })
                                .collect_view()}
                            {move || errors.get().field("reason").map(|m| view! { <p class="field-error">{m}</p> })}
                        </fieldset>
                    }
                })}
            <div class="field">
                <label for="note">{tr!(i18n, requests.note_optional)}</label>
                <textarea
                    id="note"
                    rows="2"
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
            </div>
            {can_dispatch
                .then(|| {
                    view! {
                        <crate::components::field::Field
                            id="handler"
                            label=Signal::derive(move || t_string!(i18n, requests.handler_label).to_string())
                            value=handler
                            error=Signal::derive(move || errors.get().field("handler"))
                        />
                    }
                })}
            {with_photos
                .then(|| {
                    view! {
                        <PhotoPicker
                            photos
                            errors
                            label=Signal::derive(move || t_string!(i18n, requests.action_photos).to_string())
                        />
                    }
                })}
            <p class="actions">
                {allowed
                    .into_iter()
                    .map(|action| {
                        view! {
                            <button
                                type="button"
                                class="button secondary"
                                disabled=move || sending.get()
                                on:click=move |_| run(action)
                            >
                                {move || do_text(i18n, action)}
                            </button>
                        }
                    })
                    .collect_view()}
            </p>
        </section>
    }
}

fn reason_text(i18n: I18nContext<Locale>, reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::OutOfScope => t_string!(i18n, requests.reason_out_of_scope),
        RejectReason::Duplicate => t_string!(i18n, requests.reason_duplicate),
        RejectReason::ReferredElsewhere => t_string!(i18n, requests.reason_referred_elsewhere),
    }
}

/// For a follower: stop following (the request leaves their list).
#[component]
fn Unfollow(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = leptos_router::hooks::use_navigate();
    let stop = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if api::unfollow_request(id).await.is_ok() {
                navigate("/requests", Default::default());
            }
        });
    };
    view! {
        <p class="following">
            <span class="badge">{tr!(i18n, requests.following_badge)}</span>
            " "
            <button type="button" class="button secondary" on:click=stop>
                {tr!(i18n, requests.unfollow)}
            </button>
        </p>
    }
}

fn do_text(i18n: I18nContext<Locale>, action: RequestAction) -> &'static str {
    match action {
        RequestAction::Accept => t_string!(i18n, request_do.accept),
        RequestAction::Reject => t_string!(i18n, request_do.reject),
        RequestAction::Dispatch => t_string!(i18n, request_do.dispatch),
        RequestAction::Start => t_string!(i18n, request_do.start),
        RequestAction::Resolve => t_string!(i18n, request_do.resolve),
        RequestAction::Withdraw => t_string!(i18n, request_do.withdraw),
        RequestAction::RateSatisfied => t_string!(i18n, request_do.rate_satisfied),
        RequestAction::RateUnsatisfied => t_string!(i18n, request_do.rate_unsatisfied),
    }
}

/// The answers to the category's extra questions, with the questions' and options' labels.
#[component]
fn Answers(category: String, answers: linli_domain::catalogue::Answers) -> impl IntoView {
    use linli_domain::catalogue::AnswerValue;
    let i18n = use_i18n();
    let catalogue = LocalResource::new(api::request_categories);
    move || {
        let questions = catalogue
            .get()
            .and_then(Result::ok)
            .and_then(|cats| cats.into_iter().find(|c| c.code == category))
            .map(|c| c.questions)
            .unwrap_or_default();
        let label = |zh_text: &str, en_text: &str| pick(i18n, zh_text, en_text).to_owned();
        let rows = answers
            .iter()
            .map(|(key, value)| {
                let question = questions.iter().find(|q| &q.key == key);
                let option = |k: &str| {
                    question
                        .and_then(|q| q.options.iter().find(|o| o.key == k))
                        .map(|o| label(&o.label_zh, &o.label_en))
                        .unwrap_or_else(|| k.to_owned())
                };
                let term = question
                    .map(|q| label(&q.label_zh, &q.label_en))
                    .unwrap_or_else(|| key.clone());
                let text = match value {
                    AnswerValue::Number(n) => n.to_string(),
                    AnswerValue::Text(t) => option(t),
                    AnswerValue::Choices(c) => {
                        c.iter().map(|k| option(k)).collect::<Vec<_>>().join("、")
                    }
                };
                view! { <dt>{term}</dt><dd>{text}</dd> }
            })
            .collect_view();
        view! {
            <h2>{tr!(i18n, requests.questions_heading)}</h2>
            <dl class="facts">{rows}</dl>
        }
    }
}

/// A note for the timeline; staff may keep it internal.
#[component]
fn NoteForm(id: i64, on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let is_staff = crate::session::is_staff();
    let text = RwSignal::new(String::new());
    let internal = RwSignal::new(false);
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sending.set(true);
        let body = linli_domain::api::NewNote {
            note: text.get_untracked(),
            public: !internal.get_untracked(),
        };
        spawn_local(async move {
            match api::add_request_note(id, &body).await {
                Ok(_) => {
                    text.set(String::new());
                    errors.set(FormErrors::default());
                    on_change.run(());
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };
    view! {
        <form class="form card" on:submit=submit novalidate>
            <h2>{tr!(i18n, requests.add_note)}</h2>
            <FormAlert errors/>
            <div class="field">
                <label for="new-note">{tr!(i18n, requests.note_text)}</label>
                <textarea
                    id="new-note"
                    rows="2"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </div>
            {move || {
                is_staff.get()
                    .then(|| {
                        view! {
                            <label class="choice">
                                <input type="checkbox" on:change=move |ev| internal.set(event_target_checked(&ev))/>
                                <span>{tr!(i18n, requests.internal_note)}</span>
                            </label>
                        }
                    })
            }}
            <button type="submit" class="button secondary" disabled=move || sending.get()>
                {tr!(i18n, requests.add_note)}
            </button>
        </form>
    }
}
