//! 绑定房屋: a resident enters the household's one-time binding code and becomes a verified
//! owner or member. The code's check character catches typos here, before the server sees them.

use super::{household_address, relation_text};
use crate::api;
use crate::components::errors::{FormErrors, show_errors};
use crate::components::field::Field;
use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::BindingCode;
use linli_domain::api::Membership;

#[component]
pub fn BindHouseholdPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Only a change between visitor and signed-in swaps the content: a refreshed session after
    // a successful binding must not re-create the form and wipe its success message.
    let is_guest = Memo::new(move |_| session.0.get() == SessionState::Guest);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, bind.title)}</h1>
            {move || {
                if is_guest.get() {
                    view! {
                        <p class="lead">{tr!(i18n, me.guest_intro)}</p>
                        <p>
                            <a class="button primary" href="/login">{tr!(i18n, auth.login_title)}</a>
                        </p>
                    }
                        .into_any()
                } else {
                    view! { <BindForm/> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn BindForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let sending = RwSignal::new(false);
    let bound = RwSignal::new(None::<Membership>);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        bound.set(None);
        let parsed = match BindingCode::parse(&code.get_untracked()) {
            Ok(parsed) => parsed,
            Err(e) => {
                show_errors(errors, FormErrors::from_fields(i18n, &[e]));
                return;
            }
        };
        errors.set(FormErrors::default());
        sending.set(true);
        spawn_local(async move {
            match api::bind_household(parsed.as_str()).await {
                Ok(membership) => {
                    code.set(String::new());
                    bound.set(Some(membership));
                    session.reload();
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            sending.set(false);
        });
    };

    view! {
        <p class="lead">{tr!(i18n, bind.intro)}</p>
        <form class="form" on:submit=submit novalidate>
            <FormAlert errors/>
            <Field
                id="code"
                label=Signal::derive(move || t_string!(i18n, bind.code_label).to_string())
                hint=Signal::derive(move || t_string!(i18n, bind.code_hint).to_string())
                value=code
                error=Signal::derive(move || errors.get().field("code"))
                autocomplete="one-time-code"
                required=true
            />
            <button type="submit" class="button primary" disabled=move || sending.get()>
                {move || if sending.get() { t_string!(i18n, auth.submitting) } else { t_string!(i18n, bind.submit) }}
            </button>
        </form>
        <div role="status" aria-live="polite">
            {move || {
                bound
                    .get()
                    .map(|m| {
                        let address = household_address(i18n, m.clone());
                        let relation = m.relation;
                        view! {
                            <p class="success">
                                <span aria-hidden="true">"✓ "</span>
                                {move || t_string!(
                                    i18n, bind.success,
                                    address = address(), relation = relation_text(i18n, relation)
                                )}
                            </p>
                            <p><a class="button secondary" href="/me">{tr!(i18n, bind.back_to_me)}</a></p>
                        }
                    })
            }}
        </div>
    }
}

/// The form-level message, announced when it appears.
#[component]
pub fn FormAlert(errors: RwSignal<FormErrors>) -> impl IntoView {
    view! {
        <div role="alert" class="form-alert-region">
            {move || errors.get().general.map(|m| view! { <p class="form-alert">{m}</p> })}
        </div>
    }
}
