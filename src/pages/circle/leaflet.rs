//! Leaflet, loaded only when a map is about to be shown, and the GeoJSON layer that
//! leptos-leaflet lacks.
//!
//! Leaflet's script and stylesheet are bundled from npm into `dist/leaflet/` by the build (no
//! CDN: the map works offline). They are not in `index.html`: every other page would pay for
//! 45 KB of gzipped JavaScript it never runs. The wasm's bindings to the global `L` are looked
//! up when called, so the app starts without it; the map waits for [`load_leaflet`].

use js_sys::{JSON, Promise, Reflect};
use leptos::prelude::*;
use leptos_leaflet::leaflet;
use leptos_leaflet::prelude::{use_leaflet_context, use_overlay_context};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const LEAFLET_JS: &str = "/leaflet/leaflet.js";
const LEAFLET_CSS: &str = "/leaflet/leaflet.css";

#[wasm_bindgen]
extern "C" {
    /// `L.geoJSON(data, options)`: a layer group drawing a GeoJSON object.
    #[wasm_bindgen(js_namespace = L, js_name = geoJSON)]
    fn geo_json(data: &JsValue, options: &JsValue) -> leaflet::FeatureGroup;

    /// `L.divIcon(options)`. The `leaflet` crate's `DivIcon` constructs an `L.Icon`, which
    /// throws "iconUrl not set", so the markers' icons are made here.
    #[wasm_bindgen(js_namespace = L, js_name = divIcon)]
    fn div_icon(options: &JsValue) -> leaflet::Icon;
}

/// Adds Leaflet's stylesheet and script to the page once, and resolves when both have loaded.
pub async fn load_leaflet() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    if Reflect::has(&window, &"L".into())? {
        return Ok(());
    }
    let document = window.document().ok_or(JsValue::NULL)?;
    let head = document.query_selector("head")?.ok_or(JsValue::NULL)?;
    let mut loads = Vec::new();
    for (tag, url_attribute, url) in [("link", "href", LEAFLET_CSS), ("script", "src", LEAFLET_JS)]
    {
        let selector = format!("{tag}[data-leaflet]");
        let element = match document.query_selector(&selector)? {
            Some(existing) => existing,
            None => {
                let element = document.create_element(tag)?;
                element.set_attribute("data-leaflet", "")?;
                if tag == "link" {
                    element.set_attribute("rel", "stylesheet")?;
                }
                element.set_attribute(url_attribute, url)?;
                head.append_child(&element)?;
                element
            }
        };
        loads.push(Promise::new(&mut |resolve, reject| {
            let _ = element.add_event_listener_with_callback("load", &resolve);
            let _ = element.add_event_listener_with_callback("error", &reject);
        }));
    }
    for load in loads {
        // A second map opened while the first is loading waits on the same elements; one that
        // opens after they loaded finds `L` above. Only the stylesheet can have loaded already
        // with `L` missing (the script failed): its promise would never settle, so skip it.
        if Reflect::has(&window, &"L".into())? {
            break;
        }
        JsFuture::from(load).await?;
    }
    Ok(())
}

thread_local! {
    /// The style of each feature is carried in its `properties.style`, so one function serves
    /// every layer (and is made once: a closure handed to JS lives as long as the page).
    static STYLE_FROM_PROPERTIES: JsValue = Closure::<dyn Fn(JsValue) -> JsValue>::new(
        |feature: JsValue| {
            Reflect::get(&feature, &"properties".into())
                .and_then(|p| Reflect::get(&p, &"style".into()))
                .unwrap_or(JsValue::UNDEFINED)
        },
    )
    .into_js_value();
}

/// Draws a GeoJSON object on the surrounding `MapContainer`, replacing it whenever `data`
/// changes. Each feature's `properties.style` holds its Leaflet path options (`color`,
/// `weight`, `fillOpacity`, `className`, ...). The layer takes no clicks: they reach the map.
#[component]
pub fn GeoJsonLayer(
    #[prop(into)] data: Signal<Option<serde_json::Value>>,
    /// Fit the map to the layer the first time it is drawn.
    #[prop(optional)]
    fit_on_first_draw: bool,
) -> impl IntoView {
    let context = use_leaflet_context().expect("GeoJsonLayer inside a MapContainer");
    let layer = StoredValue::new_local(None::<leaflet::FeatureGroup>);
    let drawn_once = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(map) = context.map() else {
            return;
        };
        if let Some(old) = layer.get_value() {
            old.remove();
        }
        let Some(data) = data.get() else {
            layer.set_value(None);
            return;
        };
        let Ok(data) = JSON::parse(&data.to_string()) else {
            return;
        };
        let options = js_sys::Object::new();
        let style = STYLE_FROM_PROPERTIES.with(Clone::clone);
        let _ = Reflect::set(&options, &"style".into(), &style);
        let _ = Reflect::set(&options, &"interactive".into(), &false.into());
        let group = geo_json(&data, &options);
        group.add_to(&map);
        if fit_on_first_draw && !drawn_once.get_value() {
            drawn_once.set_value(true);
            // Leaflet keeps the size it measured first; measured before the page had laid out
            // (a map drawn just as its page arrives), it fits the areas into 0×0 pixels, which
            // is the whole world.
            map.invalidate_size(false);
            map.fit_bounds(&group.get_bounds());
        }
        layer.set_value(Some(group));
    });
    on_cleanup(move || {
        if let Some(old) = layer.get_value() {
            old.remove();
        }
    });
}

/// Gives the surrounding `Marker` a CSS-drawn icon (`L.divIcon`) of `size` pixels, centred on
/// the point, whose class follows `class` (for the selected facility, say), showing `count`
/// when given (a group of places).
#[component]
pub fn MarkerIcon(
    #[prop(into)] class: Signal<String>,
    size: f64,
    #[prop(optional)] count: Option<usize>,
) -> impl IntoView {
    let overlay = use_overlay_context().expect("MarkerIcon inside a Marker");
    Effect::new(move |_| {
        let Some(marker) = overlay.container::<leaflet::Marker>() else {
            return;
        };
        let options = js_sys::Object::new();
        let pair = |v: f64| js_sys::Array::of2(&v.into(), &v.into());
        let _ = Reflect::set(&options, &"className".into(), &class.get().into());
        let _ = Reflect::set(&options, &"iconSize".into(), &pair(size));
        let _ = Reflect::set(&options, &"iconAnchor".into(), &pair(size / 2.0));
        if let Some(count) = count {
            // A number only: nothing here is read as markup that came from elsewhere.
            let _ = Reflect::set(&options, &"html".into(), &count.to_string().into());
        }
        marker.set_icon(&div_icon(&options));
    });
}

/// Makes Enter on the surrounding `Marker` (with `keyboard`, a focusable `role="button"`) do
/// what a tap does: Leaflet itself answers Enter only by opening a popup.
#[component]
pub fn EnterActivates(on_enter: Callback<()>) -> impl IntoView {
    let overlay = use_overlay_context().expect("EnterActivates inside a Marker");
    let bound = StoredValue::new_local(None::<(leaflet::Marker, Closure<dyn Fn(JsValue)>)>);
    Effect::new(move |_| {
        let Some(marker) = overlay.container::<leaflet::Marker>() else {
            return;
        };
        if bound.with_value(Option::is_some) {
            return;
        }
        let handler = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            let key = Reflect::get(&event, &"originalEvent".into())
                .and_then(|original| Reflect::get(&original, &"key".into()))
                .ok()
                .and_then(|key| key.as_string());
            if key.as_deref() == Some("Enter") {
                on_enter.run(());
            }
        });
        marker
            .unchecked_ref::<leaflet::Evented>()
            .on("keypress", handler.as_ref());
        bound.set_value(Some((marker, handler)));
    });
    on_cleanup(move || {
        if let Some((marker, handler)) = bound.try_update_value(Option::take).flatten() {
            marker
                .unchecked_ref::<leaflet::Evented>()
                .off("keypress", handler.as_ref());
        }
    });
}
