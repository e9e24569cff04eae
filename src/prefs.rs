//! Device preferences that survive a reload: language and elder mode (长辈模式), kept in
//! localStorage and applied to `<html>` (`lang`, and the `elder` class that switches the CSS
//! variables). `public/prefs.js` applies the same keys before the wasm loads, so there is no flash.

use linli_domain::Lang;

const LANG_KEY: &str = "linli.lang";
const ELDER_KEY: &str = "linli.elder_mode";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

pub fn saved_lang() -> Lang {
    storage()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

pub fn save_lang(lang: Lang) {
    if let Some(s) = storage() {
        // Storage can be full or disabled (private mode): the choice then lasts for this visit.
        let _ = s.set_item(LANG_KEY, lang.tag());
    }
    if let Some(root) = root() {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

pub fn saved_elder_mode() -> bool {
    storage()
        .and_then(|s| s.get_item(ELDER_KEY).ok().flatten())
        .as_deref()
        == Some("on")
}

pub fn save_elder_mode(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(ELDER_KEY, if on { "on" } else { "off" });
    }
    if let Some(root) = root() {
        let _ = root.class_list().toggle_with_force("elder", on);
    }
}

/// The request form's unsent words (a draft), also where a refused offline request goes back.
pub const REQUEST_DRAFT_KEY: &str = "linli.request_draft";

/// Saves a value on this device (a draft, say); storage that is full or disabled only means
/// the value is not kept.
pub fn save_json<T: serde::Serialize>(key: &str, value: &T) {
    try_save_json(key, value);
}

/// [`save_json`] for what must not be lost: false when this device could not keep it.
pub fn try_save_json<T: serde::Serialize>(key: &str, value: &T) -> bool {
    match (storage(), serde_json::to_string(value)) {
        (Some(s), Ok(json)) => s.set_item(key, &json).is_ok(),
        _ => false,
    }
}

pub fn load_json<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let json = storage()?.get_item(key).ok().flatten()?;
    serde_json::from_str(&json).ok()
}

/// Whether this device keeps a value under `key`.
pub fn has(key: &str) -> bool {
    storage().is_some_and(|s| s.get_item(key).ok().flatten().is_some())
}

/// The keys of this device's saved values that start with `prefix`.
pub fn keys_starting_with(prefix: &str) -> Vec<String> {
    let Some(s) = storage() else {
        return Vec::new();
    };
    (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|key| key.starts_with(prefix))
        .collect()
}

pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
