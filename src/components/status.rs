//! The states every data view has besides its data: loading and failed (with a retry).

use crate::i18n::*;
use leptos::prelude::*;

/// A placeholder the size of the content that is coming, announced to screen readers.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="skeleton-line"></span>
            <span class="skeleton-line short"></span>
            <span class="visually-hidden">{tr!(i18n, states.loading)}</span>
        </div>
    }
}

/// Says so while the pages show what the service worker kept because the network is down.
/// The live region is always there, so the message is announced when it appears.
#[component]
pub fn OfflineNotice() -> impl IntoView {
    let i18n = use_i18n();
    let saved_at = crate::api::offline_saved_at();
    view! {
        <div class="offline-notice" role="status" aria-live="polite">
            {move || {
                saved_at
                    .get()
                    .map(|seconds| {
                        let time = linli_domain::figures::china_time_label(seconds);
                        view! { <p>{t!(i18n, app.offline_shown, time)}</p> }
                    })
            }}
        </div>
    }
}

/// Says so when the app was opened at an address that is no community's: every page of a
/// community would fail there, each with its own message.
#[component]
pub fn UnknownAddressNotice() -> impl IntoView {
    let i18n = use_i18n();
    let unknown = crate::session::use_session().1;
    view! {
        <div class="address-notice" role="status" aria-live="polite">
            {move || unknown.get().then(|| view! { <p>{tr!(i18n, errors.unknown_community)}</p> })}
        </div>
    }
}

#[component]
pub fn LoadError(#[prop(into)] retry: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    // At an address that is no community's, the network is not what failed.
    let unknown = crate::session::use_session().1;
    view! {
        <div class="load-error" role="alert">
            <p>
                {move || {
                    if unknown.get() {
                        t_string!(i18n, errors.unknown_community)
                    } else {
                        t_string!(i18n, states.error)
                    }
                }}
            </p>
            <button type="button" class="button secondary" on:click=move |_| retry.run(())>
                {tr!(i18n, states.retry)}
            </button>
        </div>
    }
}
