//! The translations, generated at build time from `locales/*.json` by `build.rs`.
//! Generated code exports more than we use; that is not ours to warn about.

#[allow(unused, dead_code, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

pub use generated::i18n::*;

use linli_domain::Lang;

/// The domain's language for the i18n locale (they name the same two languages).
pub fn lang_of(locale: Locale) -> Lang {
    match locale {
        Locale::zh_CN => Lang::ZhCn,
        Locale::en => Lang::En,
    }
}

pub fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::ZhCn => Locale::zh_CN,
        Lang::En => Locale::en,
    }
}

/// The current language's form of a value the server sends in both (`name_zh` / `name_en`).
/// It reads the locale, so a view that calls it follows the language switch.
pub fn pick<'a>(i18n: leptos_i18n::I18nContext<Locale>, zh: &'a str, en: &'a str) -> &'a str {
    if i18n.get_locale() == Locale::zh_CN {
        zh
    } else {
        en
    }
}

/// A text of the current language, drawn in a view and redrawn on a language switch:
/// `tr!(i18n, circle.title)`, for any key without arguments (the others use `t!`).
///
/// Every text made this way is the same type, the closure [`text`] returns, so Leptos compiles
/// the code that draws and redraws a text once for the whole app. `t!` gives each text a closure
/// type of its own, and with it about 1 KB of that code each time: the app has hundreds.
macro_rules! tr {
    ($i18n:expr, $($key:tt)+) => {
        $crate::i18n::text($i18n, |i18n| leptos_i18n::t_string!(i18n, $($key)+))
    };
}
pub(crate) use tr;

/// See [`tr!`]: `key` reads the text in the context's language (and so follows it).
pub fn text(
    i18n: leptos_i18n::I18nContext<Locale>,
    key: fn(leptos_i18n::I18nContext<Locale>) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key(i18n)
}
