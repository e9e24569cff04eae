//! 办事: the service-requests tab. For now it says what it will offer and who can use it.

use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t!(i18n, requests.title)}</h1>
            <p class="lead">{t!(i18n, requests.intro)}</p>
            <p>{t!(i18n, requests.what_you_get)}</p>
            <h2>{t!(i18n, requests.categories_heading)}</h2>
            <ul class="chip-list">
                <li>{t!(i18n, requests.cat_repairs)}</li>
                <li>{t!(i18n, requests.cat_sanitation)}</li>
                <li>{t!(i18n, requests.cat_facilities)}</li>
                <li>{t!(i18n, requests.cat_safety)}</li>
                <li>{t!(i18n, requests.cat_disputes)}</li>
                <li>{t!(i18n, requests.cat_elderly)}</li>
                <li>{t!(i18n, requests.cat_household)}</li>
                <li>{t!(i18n, requests.cat_policy)}</li>
            </ul>
            {move || match session.0.get() {
                SessionState::SignedIn(_) => {
                    view! { <p class="notice">{t!(i18n, requests.coming_soon)}</p> }.into_any()
                }
                _ => {
                    view! {
                        <p>
                            <a class="button primary" href="/login">{t!(i18n, requests.login_to_submit)}</a>
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
