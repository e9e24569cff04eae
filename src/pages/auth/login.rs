//! 登录: mobile number and password.

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
use linli_domain::api::LoginRequest;
use linli_domain::{ErrorCode, FieldError, PhoneNumber};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut refused = Vec::new();
        if let Err(e) = PhoneNumber::parse(&phone.get_untracked()) {
            refused.push(e);
        }
        if password.get_untracked().is_empty() {
            refused.push(FieldError::new("password", ErrorCode::Required));
        }
        if !refused.is_empty() {
            show_errors(errors, FormErrors::from_fields(i18n, &refused));
            return;
        }
        errors.set(FormErrors::default());
        sending.set(true);
        let body = LoginRequest {
            phone: phone.get_untracked(),
            password: password.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::login(&body).await {
                Ok(me) => {
                    session.signed_in(me);
                    navigate("/me", Default::default());
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };

    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, auth.login_title)}</h1>
            <form class="form" on:submit=submit novalidate>
                <FormAlert errors/>
                <Field
                    id="phone"
                    label=Signal::derive(move || t_string!(i18n, auth.phone_label).to_string())
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
                    value=password
                    error=Signal::derive(move || errors.get().field("password"))
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit" class="button primary" disabled=move || sending.get()>
                    {move || if sending.get() { t_string!(i18n, auth.submitting) } else { t_string!(i18n, auth.submit_login) }}
                </button>
            </form>
            <p>
                {tr!(i18n, auth.no_account)} " "
                <a href="/register">{tr!(i18n, auth.to_register)}</a>
            </p>
        </section>
    }
}
