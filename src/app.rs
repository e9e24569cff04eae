//! The app shell: providers, header, the routed main area, and the bottom tab bar.

use crate::components::header::{AppHeader, provide_preferences};
use crate::components::status::OfflineNotice;
use crate::components::tab_bar::TabBar;
use crate::i18n::*;
use crate::outbox::OutboxNotice;
use crate::session::Session;
use crate::{pages, prefs};
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    view! {
        // The root provider would follow the browser's language; Linli starts in the saved
        // language, zh-CN by default, so the app lives in a sub-context seeded with it.
        <I18nContextProvider set_lang_attr_on_html=false>
            <I18nSubContextProvider initial_locale=Signal::stored(locale_of(prefs::saved_lang()))>
                <Shell/>
            </I18nSubContextProvider>
        </I18nContextProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    provide_preferences();
    Session::provide();
    let i18n = use_i18n();
    view! {
        <Router>
            <NavigationEffects/>
            // The router would only scroll to #main; the skip link must move focus there.
            <a
                class="skip-link"
                href="#main"
                on:click=|ev| {
                    ev.prevent_default();
                    focus_main();
                }
            >
                {t!(i18n, app.skip_to_content)}
            </a>
            <AppHeader/>
            <OfflineNotice/>
            <OutboxNotice/>
            <main id="main" tabindex="-1">
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/") view=|| view! { <Redirect path="/requests"/> }/>
                    <Route path=path!("/requests") view=pages::requests::RequestsPage/>
                    <Route path=path!("/requests/new") view=pages::requests::new::NewRequestPage/>
                    <Route path=path!("/requests/figures") view=pages::requests::figures::FiguresPage/>
                    <Route path=path!("/requests/public") view=pages::requests::public::PublicRequestsPage/>
                    <Route path=path!("/requests/:id") view=pages::requests::detail::RequestDetailPage/>
                    <Route path=path!("/consultations") view=pages::consultations::ConsultationsPage/>
                    <Route path=path!("/consultations/new") view=pages::consultations::propose::ProposeTopicPage/>
                    <Route path=path!("/consultations/:id") view=pages::consultations::detail::TopicPage/>
                    <Route path=path!("/consultations/:id/notice") view=pages::consultations::notice::NoticePage/>
                    <Route path=path!("/circle") view=pages::circle::CirclePage/>
                    <Route path=path!("/circle/facilities/new") view=pages::circle::edit::NewFacilityPage/>
                    <Route path=path!("/circle/facilities/:id") view=pages::circle::facility::FacilityPage/>
                    <Route path=path!("/circle/facilities/:id/edit") view=pages::circle::edit::EditFacilityPage/>
                    <Route path=path!("/me") view=pages::me::MePage/>
                    <Route path=path!("/me/household") view=pages::me::household::BindHouseholdPage/>
                    <Route path=path!("/staff") view=pages::staff::StaffPage/>
                    <Route path=path!("/login") view=pages::auth::login::LoginPage/>
                    <Route path=path!("/register") view=pages::auth::register::RegisterPage/>
                </Routes>
            </main>
            <TabBar/>
        </Router>
    }
}

/// What a screen-reader user needs on each in-app navigation: a page title naming where they
/// are, and focus moved to the new content (as a full page load would do).
#[component]
fn NavigationEffects() -> impl IntoView {
    let i18n = use_i18n();
    let pathname = use_location().pathname;
    Effect::new(move || {
        let area = match pathname.get().split('/').nth(1).unwrap_or_default() {
            "" | "requests" => t_string!(i18n, nav.requests),
            "consultations" => t_string!(i18n, nav.consultations),
            "circle" => t_string!(i18n, nav.circle),
            "me" => t_string!(i18n, nav.me),
            "login" => t_string!(i18n, auth.login_title),
            "register" => t_string!(i18n, auth.register_title),
            "staff" => t_string!(i18n, staff.title),
            _ => t_string!(i18n, not_found.title),
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{area} · {}", t_string!(i18n, app.name)));
        }
    });
    // Focus follows navigation only, not the first load and not a language switch.
    Effect::new(move |previous: Option<String>| {
        let path = pathname.get();
        if previous.is_some_and(|p| p != path) {
            focus_main();
        }
        path
    });
}

fn focus_main() {
    use wasm_bindgen::JsCast;
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}
