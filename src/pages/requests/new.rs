//! 提交诉求: the request form. The category comes from the server's catalogue, with its own
//! extra questions; every rule is the shared crate's, so the form refuses what the server would.

use crate::api::ApiError;
use crate::components::community_map::CommunityMapView;
use crate::components::errors::{FieldMessage, FormErrors, show_errors};
use crate::components::field::{Field, RadioChoice, TextArea};
use crate::components::photo_picker::{ChosenPhoto, PhotoPicker, files};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::outbox;
use crate::pages::me::household::FormAlert;
use crate::session::{SessionState, use_session};
use crate::{api, prefs};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use linli_domain::api::{CommunityMap, ContactPreference, GeoPoint, NewRequest, SimilarRequest};
use linli_domain::catalogue::{
    AnswerValue, Answers, Question, QuestionKind, RequestCategory, validate_answers,
};
use linli_domain::request::{RequestDescription, RequestTitle};
use linli_domain::{ErrorCode, FieldError};

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_guest = Memo::new(move |_| session.0.get() == SessionState::Guest);
    let catalogue = LocalResource::new(api::request_categories);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, requests.form_title)}</h1>
            {move || {
                if is_guest.get() {
                    view! {
                        <p>
                            <a class="button primary" href="/login">{tr!(i18n, requests.login_to_submit)}</a>
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <Transition fallback=Loading>
                            {move || {
                                catalogue
                                    .get()
                                    .map(|result| match result {
                                        Ok(categories) => view! { <RequestForm categories/> }.into_any(),
                                        Err(_) => view! { <LoadError retry=move || catalogue.refetch()/> }.into_any(),
                                    })
                            }}
                        </Transition>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Where the request is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Home,
    Map,
    Address,
}

/// A request another page filled in (the service circle's "missing near me"), carried in
/// the query: `?category=…&title=…&description=…`. It takes the place of a saved draft.
fn prefilled() -> Option<NewRequest> {
    let query = use_query_map().get_untracked();
    let title = query.get("title").filter(|t| !t.trim().is_empty())?;
    Some(NewRequest {
        category: query.get("category").unwrap_or_default(),
        title,
        description: query.get("description").unwrap_or_default(),
        answers: Answers::default(),
        location: None,
        address: None,
        contact: ContactPreference::default(),
        hide_name: true,
    })
}

#[component]
fn RequestForm(categories: Vec<RequestCategory>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let session = use_session();
    let has_home =
        move || matches!(session.0.get(), SessionState::SignedIn(me) if me.is_verified());
    let categories = StoredValue::new(categories);
    // One key for this request however often it is sent, so a resend after a lost answer
    // makes no second request.
    let idempotency_key = StoredValue::new(outbox::new_key());
    // An unsent request is kept on the device: a closed page or a failed send loses nothing.
    let draft: Option<NewRequest> =
        prefilled().or_else(|| prefs::load_json(prefs::REQUEST_DRAFT_KEY));
    // An empty form is saved as a draft too; only words worth keeping make it a restored one.
    let restored_draft = draft
        .as_ref()
        .is_some_and(|d| !d.title.trim().is_empty() || !d.description.trim().is_empty());
    let category = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.category.clone())
            .unwrap_or_default(),
    );
    let title = RwSignal::new(draft.as_ref().map(|d| d.title.clone()).unwrap_or_default());
    let description = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.description.clone())
            .unwrap_or_default(),
    );
    let address = RwSignal::new(
        draft
            .as_ref()
            .and_then(|d| d.address.clone())
            .unwrap_or_default(),
    );
    let answers = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.answers.clone())
            .unwrap_or_default(),
    );
    let picked = RwSignal::new(draft.as_ref().and_then(|d| d.location));
    let place = RwSignal::new(match &draft {
        Some(d) if d.location.is_some() => Place::Map,
        Some(d) if d.address.is_some() => Place::Address,
        _ => Place::Home,
    });
    let photos = RwSignal::new_local(Vec::<ChosenPhoto>::new());
    let contact = RwSignal::new(draft.as_ref().map(|d| d.contact).unwrap_or_default());
    let hide_name = RwSignal::new(draft.as_ref().is_none_or(|d| d.hide_name));
    let current = move || NewRequest {
        category: category.get(),
        title: title.get(),
        description: description.get(),
        answers: answers.get(),
        location: picked.get().filter(|_| place.get() == Place::Map),
        address: Some(address.get())
            .filter(|a| place.get() == Place::Address && !a.trim().is_empty()),
        contact: contact.get(),
        hide_name: hide_name.get(),
    };
    Effect::new(move || prefs::save_json(prefs::REQUEST_DRAFT_KEY, &current()));
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    let selected =
        move || categories.with_value(|c| c.iter().find(|c| c.code == category.get()).cloned());

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut refused: Vec<FieldError> = Vec::new();
        let chosen = selected();
        if chosen.is_none() {
            refused.push(FieldError::new("category", ErrorCode::Required));
        }
        if let Err(e) = RequestTitle::parse(&title.get_untracked()) {
            refused.push(e);
        }
        if let Err(e) = RequestDescription::parse(&description.get_untracked()) {
            refused.push(e);
        }
        if let Some(c) = &chosen
            && let Err(e) = validate_answers(&c.questions, &answers.get_untracked())
        {
            refused.extend(e);
        }
        if !refused.is_empty() {
            show_errors(errors, FormErrors::from_fields(i18n, &refused));
            return;
        }
        errors.set(FormErrors::default());
        sending.set(true);
        let body = untrack(current);
        let navigate = navigate.clone();
        let photos = files(&photos.get_untracked());
        let key = idempotency_key.get_value();
        let author = match session.0.get_untracked() {
            SessionState::SignedIn(me) => Some(me.id),
            _ => None,
        };
        spawn_local(async move {
            match api::create_request(&body, &photos, &key).await {
                Ok(detail) => {
                    prefs::forget(prefs::REQUEST_DRAFT_KEY);
                    navigate(
                        &format!("/requests/{}?sent=1", detail.summary.id),
                        Default::default(),
                    )
                }
                // Offline: words alone can wait on the phone (photos cannot be kept there), to
                // be sent with the same key once the network is back.
                Err(ApiError::Network)
                    if photos.is_empty()
                        && author.is_some_and(|author| outbox::keep(key, author, body)) =>
                {
                    prefs::forget(prefs::REQUEST_DRAFT_KEY);
                    navigate("/requests", Default::default());
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <FormAlert errors/>
            <fieldset id="category" tabindex="-1" class="choice-group" aria-describedby="category-error">
                <legend>{tr!(i18n, requests.category_label)}</legend>
                {categories
                    .get_value()
                    .into_iter()
                    .map(|c| {
                        let code = c.code.clone();
                        let checked_code = code.clone();
                        let label = move || pick(i18n, &c.name_zh, &c.name_en).to_owned();
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="category"
                                    value=code.clone()
                                    prop:checked=move || category.get() == checked_code
                                    on:change=move |_| {
                                        category.set(code.clone());
                                        answers.set(Answers::new());
                                    }
                                />
                                <span>{label}</span>
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldMessage errors field="category"/>
            </fieldset>
            <Field
                id="title"
                label=Signal::derive(move || t_string!(i18n, requests.title_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, requests.title_hint).to_string())
                value=title
                error=Signal::derive(move || errors.get().field("title"))
                required=true
            />
            <TextArea
                id="description"
                label=Signal::derive(move || t_string!(i18n, requests.description_label).to_string())
                value=description
                max_chars=RequestDescription::MAX_CHARS
                error=Signal::derive(move || errors.get().field("description"))
                rows=5
            />
            {move || {
                selected()
                    .filter(|c| !c.questions.is_empty())
                    .map(|c| {
                        view! {
                            <fieldset class="questions">
                                <legend>{tr!(i18n, requests.questions_heading)}</legend>
                                {c
                                    .questions
                                    .into_iter()
                                    .map(|q| view! { <QuestionInput question=q answers errors/> })
                                    .collect_view()}
                            </fieldset>
                        }
                    })
            }}
            <fieldset class="choice-group" id="location" tabindex="-1">
                <legend>{tr!(i18n, requests.location_label)}</legend>
                {move || {
                    has_home()
                        .then(|| {
                            view! {
                                <RadioChoice name="place" value=place option=Place::Home>{tr!(i18n, requests.location_home)}</RadioChoice>
                            }
                        })
                }}
                <RadioChoice name="place" value=place option=Place::Map>{tr!(i18n, requests.location_map)}</RadioChoice>
                <RadioChoice name="place" value=place option=Place::Address>{tr!(i18n, requests.location_address)}</RadioChoice>
                {move || {
                    (!has_home() && place.get() == Place::Home)
                        .then(|| view! { <p class="hint">{tr!(i18n, requests.location_no_home)}</p> })
                }}
                <FieldMessage errors field="location"/>
            </fieldset>
            {move || (place.get() == Place::Map).then(|| view! { <MapPicker picked/> })}
            {move || {
                (place.get() == Place::Address)
                    .then(|| {
                        view! {
                            <Field
                                id="address"
                                label=Signal::derive(move || t_string!(i18n, requests.address_label).to_string())
                                value=address
                                error=Signal::derive(move || errors.get().field("address"))
                                autocomplete="street-address"
                            />
                        }
                    })
            }}
            <Similar category=category.into() at=Signal::derive(move || picked.get().filter(|_| place.get() == Place::Map)) place_is_address=Signal::derive(move || place.get() == Place::Address)/>
            <PhotoPicker
                photos
                errors
                label=Signal::derive(move || t_string!(i18n, requests.photos_label).to_string())
            />
            // A restored draft has its words back but not its photos: files cannot be kept.
            {restored_draft.then(|| view! { <p class="hint">{tr!(i18n, requests.draft_no_photos)}</p> })}
            <fieldset class="choice-group">
                <legend>{tr!(i18n, requests.contact_label)}</legend>
                <RadioChoice name="contact" value=contact option=ContactPreference::App>{tr!(i18n, requests.contact_app)}</RadioChoice>
                <RadioChoice name="contact" value=contact option=ContactPreference::Phone>{tr!(i18n, requests.contact_phone)}</RadioChoice>
            </fieldset>
            <label class="choice">
                <input
                    type="checkbox"
                    name="hide_name"
                    prop:checked=move || hide_name.get()
                    on:change=move |ev| hide_name.set(event_target_checked(&ev))
                />
                <span>{tr!(i18n, requests.hide_name)}</span>
            </label>
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {move || if sending.get() { t_string!(i18n, auth.submitting) } else { t_string!(i18n, requests.submit) }}
            </button>
        </form>
    }
}

/// One extra question, as the input its kind calls for; its id is `answers.<key>` so a refusal
/// can focus it.
#[component]
fn QuestionInput(
    question: Question,
    answers: RwSignal<Answers>,
    errors: RwSignal<FormErrors>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("answers.{}", question.key);
    let error_id = format!("{id}-error");
    let key = StoredValue::new(question.key.clone());
    let label = {
        let q = question.clone();
        move || {
            let text = pick(i18n, &q.label_zh, &q.label_en).to_owned();
            if q.required {
                text
            } else {
                format!("{text}{}", t_string!(i18n, requests.optional))
            }
        }
    };
    let set = move |value: Option<AnswerValue>| {
        answers.update(|a| match value {
            Some(v) => {
                a.insert(key.get_value(), v);
            }
            None => {
                a.remove(&key.get_value());
            }
        })
    };
    let field = id.clone();
    let message = view! { <FieldMessage errors field=field/> };
    let option_label = move |o: &linli_domain::catalogue::QuestionOption| {
        pick(i18n, &o.label_zh, &o.label_en).to_owned()
    };
    match question.kind {
        QuestionKind::Text | QuestionKind::Number { .. } => {
            let numeric = matches!(question.kind, QuestionKind::Number { .. });
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <input
                        id=id.clone()
                        type="text"
                        inputmode=numeric.then_some("numeric")
                        aria-describedby=error_id
                        prop:value=move || match answers.with(|a| a.get(&key.get_value()).cloned()) {
                            Some(AnswerValue::Text(t)) => t,
                            Some(AnswerValue::Number(n)) => n.to_string(),
                            _ => String::new(),
                        }
                        on:input=move |ev| {
                            let raw = event_target_value(&ev);
                            set((!raw.trim().is_empty()).then_some(AnswerValue::Text(raw)));
                        }
                    />
                    {message}
                </div>
            }
            .into_any()
        }
        QuestionKind::Single | QuestionKind::Multiple { .. } => {
            let multiple = matches!(question.kind, QuestionKind::Multiple { .. });
            view! {
                <fieldset id=id.clone() tabindex="-1" class="choice-group" aria-describedby=error_id>
                    <legend>{label}</legend>
                    {question
                        .options
                        .iter()
                        .map(|o| {
                            let option_key = o.key.clone();
                            let checked_key = o.key.clone();
                            let checked = move || match answers.with(|a| a.get(&key.get_value()).cloned()) {
                                Some(AnswerValue::Text(k)) => k == checked_key,
                                Some(AnswerValue::Choices(c)) => c.contains(&checked_key),
                                _ => false,
                            };
                            let text = {
                                let o = o.clone();
                                move || option_label(&o)
                            };
                            let on_change = move |ev| {
                                let checked = event_target_checked(&ev);
                                let option_key = option_key.clone();
                                if multiple {
                                    answers.update(|a| {
                                        let mut chosen = match a.get(&key.get_value()) {
                                            Some(AnswerValue::Choices(c)) => c.clone(),
                                            _ => Vec::new(),
                                        };
                                        chosen.retain(|k| *k != option_key);
                                        if checked {
                                            chosen.push(option_key);
                                        }
                                        a.insert(key.get_value(), AnswerValue::Choices(chosen));
                                    });
                                } else {
                                    set(Some(AnswerValue::Text(option_key)));
                                }
                            };
                            view! {
                                <label class="choice">
                                    <input
                                        type=if multiple { "checkbox" } else { "radio" }
                                        name=key.get_value()
                                        prop:checked=checked
                                        on:change=on_change
                                    />
                                    <span>{text}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                    {message}
                </fieldset>
            }
                .into_any()
        }
    }
}

/// The refusal of one field, if any, with an id its control points at.
/// The small map to pick the place on, once the community's plan has loaded.
#[component]
fn MapPicker(picked: RwSignal<Option<GeoPoint>>) -> impl IntoView {
    let i18n = use_i18n();
    let map = LocalResource::new(api::community_map::<CommunityMap>);
    view! {
        <div class="map-picker">
            <p class="hint">{tr!(i18n, requests.map_pick_hint)}</p>
            <Transition fallback=Loading>
                {move || {
                    map.get()
                        .map(|result| match result {
                            Ok(map) => view! { <CommunityMapView map picked/> }.into_any(),
                            Err(_) => view! { <LoadError retry=move || map.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
        </div>
    }
}

/// Before sending: open requests like this one nearby, each with "me too" (附议), which
/// follows it instead of sending a duplicate.
#[component]
fn Similar(
    category: Signal<String>,
    at: Signal<Option<GeoPoint>>,
    place_is_address: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let similar = LocalResource::new(move || {
        let (category, at, typed) = (category.get(), at.get(), place_is_address.get());
        async move {
            // A typed address has no point to compare with.
            if category.is_empty() || typed {
                return Vec::new();
            }
            api::similar_requests(&category, at)
                .await
                .unwrap_or_default()
        }
    });
    let follow = move |id: i64| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if api::follow_request(id).await.is_ok() {
                prefs::forget(prefs::REQUEST_DRAFT_KEY);
                navigate(&format!("/requests/{id}?followed=1"), Default::default());
            }
        });
    };
    move || {
        let list: Vec<SimilarRequest> = similar.get().unwrap_or_default();
        (!list.is_empty()).then(|| {
            let follow = follow.clone();
            view! {
                <section class="card similar" aria-labelledby="similar-heading" aria-live="polite">
                    <h2 id="similar-heading">{tr!(i18n, requests.similar_heading)}</h2>
                    <p class="hint">{tr!(i18n, requests.similar_intro)}</p>
                    <ul class="similar-list">
                        {list
                            .into_iter()
                            .map(|r| {
                                let follow = follow.clone();
                                let (metres, count, id) = (r.distance_metres, r.followers, r.id);
                                view! {
                                    <li>
                                        <a href=format!("/requests/{id}")>{r.title.clone()}</a>
                                        <span class="meta">
                                            <crate::components::request_labels::StatusBadge status=r.status/>
                                            " · " {move || t_string!(i18n, requests.similar_distance, metres = metres)}
                                            " · " {move || t_string!(i18n, requests.similar_followers, count = count)}
                                        </span>
                                        {if r.mine {
                                            view! { <span class="meta">{tr!(i18n, requests.already_yours)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <button type="button" class="button secondary" on:click=move |_| follow(id)>
                                                    {tr!(i18n, requests.me_too)}
                                                </button>
                                            }
                                                .into_any()
                                        }}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
