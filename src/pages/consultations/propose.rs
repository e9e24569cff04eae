//! Proposing a topic (民事民提): title, background, the options proposed, and which of the
//! places the resident's home lies in it concerns. Checked with the shared rules before sending.

use crate::api;
use crate::components::errors::{FieldMessage, FormErrors, show_errors};
use crate::components::field::{Field, RadioChoice, TextArea};
use crate::i18n::*;
use crate::pages::me::household::FormAlert;
use crate::session::{SessionState, use_session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use linli_domain::api::Membership;
use linli_domain::consultation::{BACKGROUND_MAX_CHARS, MAX_OPTIONS, NewTopic, Scope, check_topic};

#[component]
pub fn ProposeTopicPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, consultations.form_title)}</h1>
            {move || match session.0.get() {
                SessionState::SignedIn(me) if me.is_verified() => {
                    view! { <ProposeForm home=me.households[0].clone()/> }.into_any()
                }
                SessionState::SignedIn(_) => {
                    view! {
                        <p>
                            <a class="button primary" href="/me/household">{tr!(i18n, consultations.bind_to_vote)}</a>
                        </p>
                    }
                        .into_any()
                }
                SessionState::Loading => ().into_any(),
                _ => {
                    view! {
                        <p>
                            <a class="button primary" href="/login">{tr!(i18n, consultations.login_to_take_part)}</a>
                        </p>
                    }
                        .into_any()
                }
            }}
            <p>
                <a href="/consultations">{tr!(i18n, consultations.back_to_list)}</a>
            </p>
        </section>
    }
}

#[component]
fn ProposeForm(home: Membership) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    // Another page may have filled it in (the service circle's "missing near me").
    let query = use_query_map().get_untracked();
    let title = RwSignal::new(query.get("title").unwrap_or_default());
    let background = RwSignal::new(query.get("background").unwrap_or_default());
    // Two empty options to start: most topics are "do it / don't".
    let options = RwSignal::new(vec![String::new(), String::new()]);
    let a = home.address.clone();
    // A facility missing near home concerns the whole community; most proposals, one building.
    let scope = RwSignal::new(if query.get("title").is_some() {
        Scope::Community
    } else {
        Scope::Building(a.building_id)
    });
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    let names = move |which: Scope| {
        let compound = pick(i18n, &a.compound_zh, &a.compound_en).to_owned();
        match which {
            Scope::Community => t_string!(i18n, consultations.scope_community).to_string(),
            Scope::Compound(_) => {
                let name = compound.clone();
                t_string!(i18n, consultations.scope_compound, name).to_string()
            }
            Scope::Building(_) => {
                let number = a.building;
                let name = t_string!(i18n, requests.building_label, compound, number).to_string();
                t_string!(i18n, consultations.scope_building, name).to_string()
            }
            Scope::Stairwell(_) => {
                let (building, stairwell) = (a.building, a.stairwell);
                let name = t_string!(
                    i18n,
                    consultations.stairwell_name,
                    compound,
                    building,
                    stairwell
                )
                .to_string();
                t_string!(i18n, consultations.scope_stairwell, name).to_string()
            }
        }
    };
    let a = home.address;
    let scopes = [
        Scope::Community,
        Scope::Compound(a.compound_id),
        Scope::Building(a.building_id),
        Scope::Stairwell(a.stairwell_id),
    ];
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let body = NewTopic {
            title: title.get_untracked(),
            background: background.get_untracked(),
            options: options.get_untracked(),
            scope: scope.get_untracked(),
        };
        if let Err(refused) = check_topic(&body) {
            show_errors(errors, FormErrors::from_fields(i18n, &refused));
            return;
        }
        errors.set(FormErrors::default());
        sending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::propose_topic(&body).await {
                Ok(detail) => navigate(
                    &format!("/consultations/{}?proposed=1", detail.summary.id),
                    Default::default(),
                ),
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };
    view! {
        <form class="form" on:submit=on_submit novalidate>
            <p class="lead">{tr!(i18n, consultations.form_intro)}</p>
            <FormAlert errors/>
            <Field
                id="title"
                label=Signal::derive(move || t_string!(i18n, consultations.title_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, consultations.title_hint).to_string())
                value=title
                error=Signal::derive(move || errors.get().field("title"))
                required=true
            />
            <TextArea
                id="background"
                label=Signal::derive(move || t_string!(i18n, consultations.background_label).to_string())
                value=background
                max_chars=BACKGROUND_MAX_CHARS
                error=Signal::derive(move || errors.get().field("background"))
                rows=5
            />
            <fieldset id="options" tabindex="-1" class="options-editor">
                <legend>{tr!(i18n, consultations.options_legend)}</legend>
                <p class="hint">{tr!(i18n, consultations.options_hint)}</p>
                {move || {
                    let count = options.with(Vec::len);
                    (0..count)
                        .map(|i| {
                            let id = format!("options.{i}");
                            let n = i + 1;
                            view! {
                                <div class="option-row" class:field-invalid=move || errors.get().field(&format!("options.{i}")).is_some()>
                                    <label for=id.clone()>{move || t_string!(i18n, consultations.option_n, n)}</label>
                                    <input
                                        id=id.clone()
                                        type="text"
                                        prop:value=move || options.with(|o| o.get(i).cloned().unwrap_or_default())
                                        on:input=move |ev| {
                                            let text = event_target_value(&ev);
                                            options.update(|o| if let Some(slot) = o.get_mut(i) { *slot = text });
                                        }
                                    />
                                    <button
                                        type="button"
                                        class="button secondary small"
                                        aria-label=move || t_string!(i18n, consultations.remove_option, n)
                                        on:click=move |_| options.update(|o| if i < o.len() { o.remove(i); })
                                    >
                                        "×"
                                    </button>
                                    <FieldMessage errors field=id/>
                                </div>
                            }
                        })
                        .collect_view()
                }}
                <FieldMessage errors field="options"/>
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || { options.with(Vec::len) >= MAX_OPTIONS }
                    on:click=move |_| options.update(|o| o.push(String::new()))
                >
                    {tr!(i18n, consultations.add_option)}
                </button>
            </fieldset>
            <fieldset id="scope" tabindex="-1" class="choice-group">
                <legend>{tr!(i18n, consultations.scope_legend)}</legend>
                {scopes
                    .into_iter()
                    .map(|s| {
                        let names = names.clone();
                        view! { <RadioChoice name="scope" value=scope option=s>{move || names(s)}</RadioChoice> }
                    })
                    .collect_view()}
                <FieldMessage errors field="scope"/>
            </fieldset>
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {tr!(i18n, consultations.submit)}
            </button>
        </form>
    }
}
