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
