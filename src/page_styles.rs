//! The pages' own stylesheets: `style/consultations.css` and `style/circle.css`, apart from
//! `style/main.css`, so that a first visit loads only the stylesheet of the tab it opens.
//! A page of another area waits for its stylesheet before it is drawn (`LazyPage` in
//! `app.rs`), so it never shows unstyled.
//!
//! The loading itself is index.html's start script's (`linliStyle`, xtask/src/spa.rs), which
//! knows the files' names and already adds the stylesheet of the route a visit opens at.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Starts loading the stylesheet `name` now, unless it is loaded or loading already; the
/// future is ready once it applies, or failed to load (the page is drawn anyway). No
/// stylesheet (`None`) is ready at once.
pub fn load(name: Option<&'static str>) -> impl Future<Output = ()> {
    let loading = name.and_then(|name| {
        let start = js_sys::Reflect::get(&js_sys::global(), &"linliStyle".into()).ok()?;
        let loading = start
            .dyn_into::<js_sys::Function>()
            .ok()?
            .call1(&JsValue::NULL, &name.into())
            .ok()?;
        loading.dyn_into::<js_sys::Promise>().ok()
    });
    async move {
        if let Some(loading) = loading {
            let _ = JsFuture::from(loading).await;
        }
    }
}
