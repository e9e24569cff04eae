//! The sentences behind error codes, read from the same locale files the SPA compiles in,
//! so a refused field reads the same in the form and in the API.

use linli_domain::{ErrorCode, Lang};
use serde_json::Value;
use std::sync::OnceLock;

const ZH_CN: &str = include_str!("../../locales/zh-CN.json");
const EN: &str = include_str!("../../locales/en.json");

fn table(lang: Lang) -> &'static Value {
    static ZH: OnceLock<Value> = OnceLock::new();
    static ENGLISH: OnceLock<Value> = OnceLock::new();
    let (cell, source) = match lang {
        Lang::ZhCn => (&ZH, ZH_CN),
        Lang::En => (&ENGLISH, EN),
    };
    // The locale files are compiled in and checked by the tests below, so this cannot fail at run time.
    cell.get_or_init(|| serde_json::from_str(source).unwrap_or(Value::Null))
}

/// The sentence for `code` in `lang`, or the code itself should a key ever be missing.
pub fn message(code: ErrorCode, lang: Lang) -> String {
    table(lang)["errors"][code.key()]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| code.key().to_owned())
}

/// The short title of a problem of this HTTP status, e.g. "请求有误".
pub fn status_title(status: u16, lang: Lang) -> String {
    table(lang)["problem_titles"][format!("status_{status}")]
        .as_str()
        .or_else(|| table(lang)["problem_titles"]["default"].as_str())
        .unwrap_or("Error")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_a_message_in_every_language() {
        for lang in [Lang::ZhCn, Lang::En] {
            assert!(table(lang).is_object(), "{} locale file parses", lang.tag());
            for code in ErrorCode::ALL {
                assert!(
                    table(lang)["errors"][code.key()].is_string(),
                    "{} lacks errors.{}",
                    lang.tag(),
                    code.key()
                );
            }
            for status in [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500] {
                assert!(
                    table(lang)["problem_titles"][format!("status_{status}")].is_string(),
                    "{} lacks problem_titles.{status}",
                    lang.tag()
                );
            }
        }
    }

    #[test]
    fn messages_differ_by_language() {
        assert_ne!(
            message(ErrorCode::PhoneInvalid, Lang::ZhCn),
            message(ErrorCode::PhoneInvalid, Lang::En)
        );
    }
}
