//! The app shell: providers, header, the routed main area, and the bottom tab bar.

use crate::components::header::{AppHeader, provide_preferences};
use crate::components::status::{OfflineNotice, UnknownAddressNotice};
use crate::components::tab_bar::TabBar;
use crate::i18n::*;
use crate::outbox::OutboxNotice;
use crate::session::Session;
use crate::{pages, prefs};
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::ChooseView;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use std::future::Future;
use std::pin::Pin;

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
                {tr!(i18n, app.skip_to_content)}
            </a>
            <AppHeader/>
            <UnknownAddressNotice/>
            <OfflineNotice/>
            <OutboxNotice/>
            <main id="main" tabindex="-1">
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/") view=|| view! { <Redirect path="/requests"/> }/>
                    <Route path=path!("/requests") view=RequestsRoute/>
                    <Route path=path!("/requests/new") view=NewRequestRoute/>
                    <Route path=path!("/requests/figures") view=FiguresRoute/>
                    <Route path=path!("/requests/public") view=PublicRequestsRoute/>
                    <Route path=path!("/requests/:id") view=RequestDetailRoute/>
                    <Route path=path!("/consultations") view=ConsultationsRoute/>
                    <Route path=path!("/consultations/new") view=ProposeTopicRoute/>
                    <Route path=path!("/consultations/:id") view=TopicRoute/>
                    <Route path=path!("/consultations/:id/notice") view=NoticeRoute/>
                    <Route path=path!("/circle") view=CircleRoute/>
                    <Route path=path!("/circle/facilities/new") view=NewFacilityRoute/>
                    <Route path=path!("/circle/facilities/:id") view=FacilityRoute/>
                    <Route path=path!("/circle/facilities/:id/edit") view=EditFacilityRoute/>
                    <Route path=path!("/me") view=MeRoute/>
                    <Route path=path!("/me/household") view=BindHouseholdRoute/>
                    <Route path=path!("/staff") view=StaffRoute/>
                    <Route path=path!("/staff/access-log") view=AccessLogRoute/>
                    <Route path=path!("/login") view=LoginRoute/>
                    <Route path=path!("/register") view=RegisterRoute/>
                </Routes>
            </main>
            <TabBar/>
        </Router>
    }
}

type PageOrFailure = Result<AnyView, SplitLoaderError>;

/// The view of a lazily loaded route: its area's module, then its page. leptos_router's own
/// `Lazy<T>` is a type per route, and the router's code for a route (matching it, building
/// and rebuilding its view) is compiled once for each type; with one type for all, once per
/// shape of path. What every route does around its page is here, compiled once.
#[derive(Clone, Copy)]
struct LazyPage {
    /// The page, or the error of its module's download.
    view: fn() -> Pin<Box<dyn Future<Output = PageOrFailure>>>,
    preload: fn() -> Pin<Box<dyn Future<Output = ()>>>,
    /// The area's own stylesheet (`page_styles`), loaded beside the module.
    style: Option<&'static str>,
}

impl ChooseView for LazyPage {
    async fn choose(self) -> AnyView {
        let style = crate::page_styles::load(self.style);
        // A module that failed to download (the network dropped) is a page that says so.
        let page = (self.view)()
            .await
            .unwrap_or_else(|_| pages::unavailable::PageUnavailable().into_any());
        style.await;
        crate::boot::page_drawn();
        page
    }

    // Called by the router as navigation starts, so that the downloads start at once.
    async fn preload(&self) {
        let _style = crate::page_styles::load(self.style);
        (self.preload)().await;
    }
}

/// Groups of pages, each compiled into a wasm module of its own (`cargo xtask dist` splits the
/// wasm at each `wasm_split` fn), fetched the first time one of its routes is opened: the first
/// load of a tab carries the shell and that tab's page, not the whole app. Each tab's first
/// page is a group alone; the pages behind it share one. Not one group per page: code shared
/// by several groups becomes a module of its own for each combination of them, and 18 groups
/// made about 300 files (60 to open 办事), which a slow phone pays for in round trips.
///
/// `style` names the area's own stylesheet (`page_styles`), if it has one: loaded beside the
/// module, and the page drawn once both are.
macro_rules! lazy_area {
    (
        $area:ident, $preload:ident, $pages:ident, style = $style:expr,
        { $($route:ident => $page:path),+ $(,)? }
    ) => {
        // The variants are the routes' names, so they end alike.
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $pages {
            $($route),+
        }

        // Fallible: a module that fails to download is a page that says so (`LazyPage`), where
        // the whole app would otherwise abort with the static shell left up.
        #[leptos::wasm_split::wasm_split(
            $area,
            wasm_split_path = ::leptos::wasm_split,
            preload($preload),
            fallible
        )]
        fn $area(page: $pages) -> Result<AnyView, SplitLoaderError> {
            Ok(match page {
                $($pages::$route => $page().into_any()),+
            })
        }

        $(
            #[allow(non_upper_case_globals)]
            const $route: LazyPage = LazyPage {
                view: || Box::pin($area($pages::$route)),
                // A failure shows when the view asks again.
                preload: || {
                    Box::pin(async {
                        let _ = $preload().await;
                    })
                },
                style: $style,
            };
        )+
    };
}

lazy_area!(requests_tab, __preload_requests_tab, RequestsTab, style = None, {
    RequestsRoute => pages::requests::RequestsPage,
});
lazy_area!(requests_pages, __preload_requests_pages, RequestsPages, style = None, {
    NewRequestRoute => pages::requests::new::NewRequestPage,
    FiguresRoute => pages::requests::figures::FiguresPage,
    PublicRequestsRoute => pages::requests::public::PublicRequestsPage,
    RequestDetailRoute => pages::requests::detail::RequestDetailPage,
});
lazy_area!(consultations_tab, __preload_consultations_tab, ConsultationsTab, style = Some("consultations"), {
    ConsultationsRoute => pages::consultations::ConsultationsPage,
});
lazy_area!(consultations_pages, __preload_consultations_pages, ConsultationsPages, style = Some("consultations"), {
    ProposeTopicRoute => pages::consultations::propose::ProposeTopicPage,
    TopicRoute => pages::consultations::detail::TopicPage,
    NoticeRoute => pages::consultations::notice::NoticePage,
});
lazy_area!(circle_tab, __preload_circle_tab, CircleTab, style = Some("circle"), {
    CircleRoute => pages::circle::CirclePage,
});
lazy_area!(circle_pages, __preload_circle_pages, CirclePages, style = Some("circle"), {
    NewFacilityRoute => pages::circle::edit::NewFacilityPage,
    FacilityRoute => pages::circle::facility::FacilityPage,
    EditFacilityRoute => pages::circle::edit::EditFacilityPage,
});
lazy_area!(me_tab, __preload_me_tab, MeTab, style = None, {
    MeRoute => pages::me::MePage,
});
lazy_area!(account_pages, __preload_account_pages, AccountPages, style = None, {
    LoginRoute => pages::auth::login::LoginPage,
    RegisterRoute => pages::auth::register::RegisterPage,
    BindHouseholdRoute => pages::me::household::BindHouseholdPage,
});
lazy_area!(staff_pages, __preload_staff_pages, StaffPages, style = None, {
    StaffRoute => pages::staff::StaffPage,
    AccessLogRoute => pages::staff::access_log::AccessLogPage,
});

/// What a screen-reader user needs on each in-app navigation: a page title naming where they
/// are, and focus moved to the new content (as a full page load would do).
#[component]
fn NavigationEffects() -> impl IntoView {
    let i18n = use_i18n();
    let pathname = use_location().pathname;
    Effect::new(move || {
        let path = pathname.get();
        let area = match path.split('/').nth(1).unwrap_or_default() {
            "staff" if path.starts_with("/staff/access-log") => {
                t_string!(i18n, staff.access_log_title)
            }
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
