//! 我的数据: what a resident can do with the data Linli holds about them (个人信息保护法):
//! download all of it, correct their name, delete the account.

use crate::api;
use crate::components::errors::{FormErrors, show_errors};
use crate::components::field::Field;
use crate::i18n::*;
use crate::pages::me::household::FormAlert;
use crate::session::{SessionState, use_session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::personal::{AccountCorrection, AccountDeletion};

/// The account's name as shown on the page; corrected here, shown in the account card.
#[component]
pub fn OwnData(display_name: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="data-heading">
            <h2 id="data-heading">{tr!(i18n, me.data_heading)}</h2>
            <p class="hint" id="data-hint">{tr!(i18n, me.data_hint)}</p>
            // A plain link: the browser saves the server's JSON as a file, nothing is kept.
            <p>
                <a class="button secondary" href=api::MY_DATA_URL download="linli-my-data.json" aria-describedby="data-hint">
                    {tr!(i18n, me.data_download)}
                </a>
            </p>
            <NameCorrection display_name/>
        </section>
        <AccountDeletionForm/>
    }
}

#[component]
fn NameCorrection(display_name: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(display_name.get_untracked());
    let errors = RwSignal::new(FormErrors::default());
    let saved = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        saved.set(false);
        let body = AccountCorrection {
            display_name: name.get_untracked(),
        };
        spawn_local(async move {
            match api::correct_account(&body).await {
                Ok(me) => {
                    errors.set(FormErrors::default());
                    display_name.set(me.display_name);
                    saved.set(true);
                }
                Err(e) => show_errors(errors, FormErrors::from_api(i18n, &e)),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="form" on:submit=save novalidate>
            <FormAlert errors/>
            <Field
                id="display_name"
                label=Signal::derive(move || t_string!(i18n, me.name_edit).to_string())
                hint=Signal::derive(move || t_string!(i18n, auth.display_name_hint).to_string())
                value=name
                error=Signal::derive(move || errors.get().field("display_name"))
                autocomplete="nickname"
            />
            <button type="submit" class="button secondary" disabled=move || saving.get()>
                {tr!(i18n, me.name_save)}
            </button>
            <p role="status" class="hint">{move || saved.get().then(|| t_string!(i18n, me.name_saved))}</p>
        </form>
    }
}

#[component]
fn AccountDeletionForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FormErrors::default());
    let deleting = RwSignal::new(false);
    let delete = move |ev: SubmitEvent| {
        ev.prevent_default();
        deleting.set(true);
        let body = AccountDeletion {
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::delete_account(&body).await {
                Ok(()) => session.0.set(SessionState::Guest),
                Err(e) => {
                    show_errors(errors, FormErrors::from_api(i18n, &e));
                    deleting.set(false);
                }
            }
        });
    };
    view! {
        <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">{tr!(i18n, me.delete_heading)}</h2>
            <p class="hint">{tr!(i18n, me.delete_hint)}</p>
            <form class="form" on:submit=delete novalidate>
                <FormAlert errors/>
                <Field
                    id="password"
                    label=Signal::derive(move || t_string!(i18n, me.delete_password).to_string())
                    value=password
                    error=Signal::derive(move || errors.get().field("password"))
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit" class="button danger" disabled=move || deleting.get()>
                    {move || if deleting.get() { t_string!(i18n, me.deleting) } else { t_string!(i18n, me.delete_confirm) }}
                </button>
            </form>
        </section>
    }
}
