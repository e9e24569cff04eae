//! The bottom tab bar: 办事, 议事, 服务圈, 我的. Each tab has a text label; icons are decoration.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TabBar() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="tab-bar" aria-label=tr!(i18n, nav.label)>
            <ul>
                <li>
                    <A href="/requests">
                        <Icon path="M4 5h16v14H4z M8 9h8 M8 13h5"/>
                        <span>{tr!(i18n, nav.requests)}</span>
                    </A>
                </li>
                <li>
                    <A href="/consultations">
                        <Icon path="M4 6h12v8H9l-4 3v-3H4z M18 9h2v8h-1v3l-4-3h-4"/>
                        <span>{tr!(i18n, nav.consultations)}</span>
                    </A>
                </li>
                <li>
                    <A href="/circle">
                        <Icon path="M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18 M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8"/>
                        <span>{tr!(i18n, nav.circle)}</span>
                    </A>
                </li>
                <li>
                    <A href="/me">
                        <Icon path="M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8 M4 20c1-4 4-6 8-6s7 2 8 6"/>
                        <span>{tr!(i18n, nav.me)}</span>
                    </A>
                </li>
            </ul>
        </nav>
    }
}

#[component]
fn Icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/>
        </svg>
    }
}
