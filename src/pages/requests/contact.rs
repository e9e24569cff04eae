//! For staff on a request: who sent it, with the number masked, and the full number opened on
//! purpose. The reason is asked for first, because the opening is written to the access log
//! with it; the number then shows as a link that dials it.

use crate::api;
use crate::components::errors::{FieldMessage, FormErrors, show_errors};
use crate::components::field::RadioChoice;
use crate::components::request_labels::contact_purpose_text;
use crate::i18n::*;
use crate::pages::me::household::FormAlert;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::ErrorCode;
use linli_domain::contact::{ContactOpening, ContactPurpose, OpenedContact, Requester};

#[component]
pub fn RequesterContact(id: i64, requester: Requester) -> impl IntoView {
    let i18n = use_i18n();
    let purpose = RwSignal::new(None::<ContactPurpose>);
    let errors = RwSignal::new(FormErrors::default());
    let opening = RwSignal::new(false);
    let opened = RwSignal::new(None::<OpenedContact>);
    let open = move |_| {
        let Some(purpose) = purpose.get_untracked() else {
            let mut refusal = FormErrors::default();
            refusal.set_field(i18n, "purpose", Some(ErrorCode::Required));
            show_errors(errors, refusal);
            return;
        };
        opening.set(true);
        errors.set(FormErrors::default());
        spawn_local(async move {
            match api::open_contact(id, &ContactOpening { purpose }).await {
                Ok(contact) => opened.set(Some(contact)),
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            opening.set(false);
        });
    };
    let Requester {
        display_name,
        phone_masked,
        may_call,
    } = requester;
    view! {
        <section class="card" aria-labelledby="requester-heading">
            <h2 id="requester-heading">{tr!(i18n, requests.requester_heading)}</h2>
            <dl class="facts">
                <dt>{tr!(i18n, requests.requester_name)}</dt>
                <dd>{display_name}</dd>
                <dt>{tr!(i18n, requests.requester_phone)}</dt>
                <dd class="phone">
                    {move || match opened.get() {
                        Some(contact) => {
                            let label = t_string!(i18n, requests.contact_call, phone = contact.phone.clone());
                            view! {
                                <a class="button" href=format!("tel:{}", contact.phone) aria-label=label>
                                    {contact.phone.clone()}
                                </a>
                            }
                                .into_any()
                        }
                        None => view! { <span>{phone_masked.clone()}</span> }.into_any(),
                    }}
                </dd>
            </dl>
            {move || {
                if !may_call {
                    view! { <p class="notice">{tr!(i18n, requests.requester_app_only)}</p> }.into_any()
                } else if opened.get().is_some() {
                    view! {
                        <p class="success" role="status">
                            <span aria-hidden="true">"✓ "</span>
                            {tr!(i18n, requests.contact_opened)}
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <FormAlert errors/>
                        <fieldset id="purpose" tabindex="-1" class="choice-group">
                            <legend>{tr!(i18n, requests.contact_purpose)}</legend>
                            {ContactPurpose::ALL
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <RadioChoice name="purpose" value=purpose option=Some(p)>
                                            {move || contact_purpose_text(i18n, p)}
                                        </RadioChoice>
                                    }
                                })
                                .collect_view()}
                            <FieldMessage errors field="purpose"/>
                        </fieldset>
                        <p class="hint">{tr!(i18n, requests.contact_logged_hint)}</p>
                        <p class="actions">
                            <button type="button" class="button secondary" disabled=move || opening.get() on:click=open>
                                {move || {
                                    if opening.get() {
                                        t_string!(i18n, requests.contact_opening)
                                    } else {
                                        t_string!(i18n, requests.contact_open)
                                    }
                                }}
                            </button>
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
