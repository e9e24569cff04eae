//! The app header, and the two switches it shares with the 我的 page: language and elder mode.

use crate::i18n::*;
use crate::{api, prefs};
use leptos::prelude::*;

/// Elder mode (长辈模式), shared by every page: larger text and targets, stronger contrast.
#[derive(Clone, Copy)]
pub struct ElderMode(pub RwSignal<bool>);

pub fn provide_preferences() {
    let i18n = use_i18n();
    let elder = RwSignal::new(prefs::saved_elder_mode());
    provide_context(ElderMode(elder));
    Effect::new(move || prefs::save_elder_mode(elder.get()));

    Effect::new(move || {
        let lang = lang_of(i18n.get_locale());
        prefs::save_lang(lang);
        api::set_lang(lang);
    });
}

#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <a class="brand" href="/">
                <span class="brand-name">{tr!(i18n, app.name)}</span>
                <span class="brand-tagline">{tr!(i18n, app.tagline)}</span>
            </a>
            <div class="header-actions">
                <LanguageSwitch/>
                <ElderModeSwitch/>
            </div>
        </header>
    }
}

/// Switches between 中文 and English; its text is always in the language it switches to.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale() {
            Locale::zh_CN => Locale::en,
            Locale::en => Locale::zh_CN,
        };
        i18n.set_locale(next);
    };
    let target_lang = move || match i18n.get_locale() {
        Locale::zh_CN => "en",
        Locale::en => "zh-CN",
    };
    view! {
        <button
            type="button"
            class="switch-button"
            lang=target_lang
            aria-label=tr!(i18n, header.switch_language_label)
            on:click=toggle
        >
            {tr!(i18n, header.switch_language)}
        </button>
    }
}

/// A toggle button whose pressed state is announced and shown by text and a mark, not colour.
#[component]
pub fn ElderModeSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let ElderMode(elder) = expect_context::<ElderMode>();
    view! {
        <button
            type="button"
            class="switch-button elder-switch"
            aria-pressed=move || if elder.get() { "true" } else { "false" }
            on:click=move |_| elder.update(|on| *on = !*on)
        >
            <span class="switch-mark" aria-hidden="true">{move || if elder.get() { "✓" } else { "" }}</span>
            {tr!(i18n, header.elder_mode)}
        </button>
    }
}
