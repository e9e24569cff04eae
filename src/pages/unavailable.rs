//! Shown in place of a page whose module could not be downloaded (the network dropped on the
//! way, and the service worker had not kept it yet).

use crate::components::status::LoadError;
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn PageUnavailable() -> impl IntoView {
    let i18n = use_i18n();
    // Loading the page again asks for its module again; nothing was entered on it.
    let retry = move || {
        let _ = window().location().reload();
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, page_unavailable.title)}</h1>
            <LoadError retry=retry/>
        </section>
    }
}
