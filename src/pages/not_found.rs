//! Shown for any path the router does not know.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::boot::page_drawn();
    let i18n = use_i18n();
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, not_found.title)}</h1>
            <p>{tr!(i18n, not_found.body)}</p>
            <p>
                <a class="button primary" href="/requests">{tr!(i18n, not_found.home)}</a>
            </p>
        </section>
    }
}
