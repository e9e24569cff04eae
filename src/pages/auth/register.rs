//! 注册: a mainland mobile number, a password, an optional name, and consent to the privacy
//! notice shown above the button. The same rules as the server (linli-domain), so the form and
//! the API refuse with the same sentences.

use crate::api;
use crate::components::errors::{FormErrors, show_errors};
use crate::components::field::Field;
use crate::i18n::*;
use crate::pages::me::household::FormAlert;
use crate::session::use_session;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use linli_domain::api::RegisterRequest;
use linli_domain::personal::check_consent;
use linli_domain::{DisplayName, FieldError, Password, PhoneNumber};

/// Every refused field of the form, as the server would refuse them.
fn check(phone: &str, password: &str, name: &str, consent: bool) -> Vec<FieldError> {
    let phone = PhoneNumber::parse(phone);
    let password = Password::parse(password, phone.as_ref().ok()).err();
    let name = if name.trim().is_empty() {
        None
    } else {
        DisplayName::parse(name).err()
    };
    [phone.err(), password, name, check_consent(consent).err()]
        .into_iter()
        .flatten()
        .collect()
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let consent = RwSignal::new(false);
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let refused = check(
            &phone.get_untracked(),
            &password.get_untracked(),
            &name.get_untracked(),
            consent.get_untracked(),
        );
        if !refused.is_empty() {
            show_errors(errors, FormErrors::from_fields(i18n, &refused));
            return;
        }
        errors.set(FormErrors::default());
        sending.set(true);
        let display_name = Some(name.get_untracked()).filter(|n| !n.trim().is_empty());
        let body = RegisterRequest {
            phone: phone.get_untracked(),
            password: password.get_untracked(),
            display_name,
            privacy_consent: consent.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::register(&body).await {
                Ok(me) => {
                    session.signed_in(me);
                    navigate("/me/household", Default::default());
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };

    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, auth.register_title)}</h1>
            <form class="form" on:submit=submit novalidate>
                <FormAlert errors/>
                <Field
                    id="phone"
                    label=Signal::derive(move || t_string!(i18n, auth.phone_label).to_string())
                    hint=Signal::derive(move || t_string!(i18n, auth.phone_hint).to_string())
                    value=phone
                    error=Signal::derive(move || errors.get().field("phone"))
                    input_type="tel"
                    inputmode="numeric"
                    autocomplete="tel"
                    required=true
                />
                <Field
                    id="password"
                    label=Signal::derive(move || t_string!(i18n, auth.password_label).to_string())
                    hint=Signal::derive(move || t_string!(i18n, auth.password_hint).to_string())
                    value=password
                    error=Signal::derive(move || errors.get().field("password"))
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                />
                <Field
                    id="display_name"
                    label=Signal::derive(move || t_string!(i18n, auth.display_name_label).to_string())
                    hint=Signal::derive(move || t_string!(i18n, auth.display_name_hint).to_string())
                    value=name
                    error=Signal::derive(move || errors.get().field("display_name"))
                    autocomplete="nickname"
                />
                <section class="privacy-notice" aria-labelledby="privacy-title">
                    <h2 id="privacy-title">{tr!(i18n, auth.privacy_title)}</h2>
                    <p id="privacy-notice">{tr!(i18n, auth.privacy_notice)}</p>
                </section>
                <div class="field" class:field-invalid=move || errors.get().field("privacy_consent").is_some()>
                    <label class="choice">
                        <input
                            type="checkbox"
                            id="privacy_consent"
                            name="privacy_consent"
                            aria-describedby="privacy-notice privacy_consent-error"
                            aria-invalid=move || if errors.get().field("privacy_consent").is_some() { "true" } else { "false" }
                            prop:checked=move || consent.get()
                            on:change=move |ev| consent.set(event_target_checked(&ev))
                        />
                        <span>{tr!(i18n, auth.privacy_consent_label)}</span>
                    </label>
                    {move || errors.get().field("privacy_consent").map(|message| view! {
                        <p class="field-error" id="privacy_consent-error">
                            <span aria-hidden="true">"⚠ "</span>
                            {message}
                        </p>
                    })}
                </div>
                <button type="submit" class="button primary" disabled=move || sending.get()>
                    {move || if sending.get() { t_string!(i18n, auth.submitting) } else { t_string!(i18n, auth.submit_register) }}
                </button>
            </form>
            <p>
                {tr!(i18n, auth.have_account)} " "
                <a href="/login">{tr!(i18n, auth.to_login)}</a>
            </p>
        </section>
    }
}
