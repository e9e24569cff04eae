//! The service circle's map: the community's own streets and paths as the base layer (no tile
//! server, so it works offline), the walking areas the server computed along them, the start,
//! and the facilities as markers. Everything on it is also in the list beside it.

use super::leaflet::{EnterActivates, GeoJsonLayer, MarkerIcon, load_leaflet};
use super::{Home, Nearby, labels};
use crate::api;
use crate::components::header::ElderMode;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_leaflet::leaflet;
use leptos_leaflet::prelude::*;
use linli_domain::api::{GeoPoint, TileSource};
use linli_domain::declutter::{declutter, separating_zoom};
use serde::Deserialize;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;

/// Zoom at which a 15-minute walk (about 1 km each way) fits a phone's width.
const START_ZOOM: f64 = 15.0;

/// The closest zoom the map goes to; there every place has a marker of its own.
const MAX_ZOOM: f64 = 19.0;

/// How far apart, in pixels, two markers must be drawn to stand alone: a 30 px marker and a
/// little gap, or elder mode's 60 px target. Closer ones are drawn as one group with a count
/// (`linli_domain::declutter`), so no marker hides part of another from a finger.
const MARKER_SPACING: f64 = 34.0;
const ELDER_MARKER_SPACING: f64 = 62.0;

/// The colour of the area walkable within `minutes` (the legend uses the same).
fn area_colour(minutes: u32) -> &'static str {
    match minutes {
        0..=5 => "#1b7f4b",
        6..=10 => "#2f6fb0",
        _ => "#7a4fb0",
    }
}

/// The key to the areas' colours.
#[component]
fn AreaLegend() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="area-legend">
            <span class="area-legend-title">{tr!(i18n, circle.areas_legend)}</span>
            {[5u32, 10, 15]
                .into_iter()
                .map(|minutes| {
                    view! {
                        <span class="area-key">
                            <span class="area-swatch" style=format!("border-color: {0}; background: {0}33", area_colour(minutes)) aria-hidden="true"></span>
                            {move || t_string!(i18n, circle.area_minutes, minutes)}
                        </span>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// What the map reads of a walking answer (`WalkingAreas`): the areas, their coordinates as
/// sent, since they go to Leaflet as they are.
#[derive(Deserialize)]
struct MapWalk {
    walk: MapAreas,
}

#[derive(Deserialize)]
struct MapAreas {
    areas: Vec<MapArea>,
}

#[derive(Deserialize)]
struct MapArea {
    minutes: u32,
    /// A GeoJSON MultiPolygon's coordinates; empty when nothing is walkable.
    coordinates: Value,
}

/// The walking areas as GeoJSON, the longest first so the shorter ones are drawn on top.
fn areas_geojson(answer: &api::Answer) -> Value {
    let areas = answer
        .read::<MapWalk>()
        .map(|w| w.walk.areas)
        .unwrap_or_default();
    let features: Vec<Value> = areas
        .into_iter()
        .rev()
        .filter(|area| area.coordinates.as_array().is_some_and(|c| !c.is_empty()))
        .map(|area| {
            let colour = area_colour(area.minutes);
            json!({
                "type": "Feature",
                "geometry": { "type": "MultiPolygon", "coordinates": area.coordinates },
                "properties": {
                    "minutes": area.minutes,
                    "style": {
                        "color": colour, "weight": 2, "opacity": 0.9,
                        "fillColor": colour, "fillOpacity": 0.12,
                        "className": format!("walk-area walk-area-{}", area.minutes),
                    },
                },
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// The server's base layer with each feature's look put in its properties.
fn styled_base(mut network: Value) -> Value {
    if let Some(features) = network.get_mut("features").and_then(Value::as_array_mut) {
        for feature in features {
            let kind = feature["properties"]["kind"].as_str().unwrap_or("path");
            let closed = feature["properties"]["closed"].as_bool().unwrap_or(false);
            let style = match (kind, closed) {
                (_, true) => {
                    json!({ "color": "#b3261e", "weight": 3, "dashArray": "3 5", "className": "base-closed" })
                }
                ("street", _) => {
                    json!({ "color": "#9aa4ae", "weight": 7, "className": "base-street" })
                }
                ("gate", _) => json!({ "color": "#6d5a3a", "weight": 4, "className": "base-gate" }),
                ("compound", _) => json!({
                    "color": "#8fae8b", "weight": 1, "fillColor": "#e3eddc", "fillOpacity": 0.7,
                    "className": "base-compound",
                }),
                ("building", _) => json!({
                    "color": "#a39a8c", "weight": 1, "fillColor": "#d9d1c3", "fillOpacity": 0.95,
                    "className": "base-building",
                }),
                _ => json!({ "color": "#b9c2ca", "weight": 2, "className": "base-path" }),
            };
            feature["properties"]["style"] = style;
        }
    }
    network
}

/// What the map shows and whom it tells: the page's state, handed down as one value.
#[derive(Clone, Copy)]
pub struct MapLayers {
    /// Raster tiles under it, when the deployment configured a tile server.
    pub tiles: Signal<Option<TileSource>>,
    /// The walking answer, read here for its areas.
    pub walk: Signal<Option<api::Answer>>,
    pub home: Signal<Option<Home>>,
    /// The facilities shown (the filter applied).
    pub facilities: Signal<Vec<Nearby>>,
    /// Every facility with its walk, once the walk is known: the walk in words counts them.
    pub reachable: Signal<Option<Vec<Nearby>>>,
    pub selected: RwSignal<Option<i64>>,
    /// While true, a tap on the map chooses the start.
    pub picking: RwSignal<bool>,
    pub on_pick: Callback<GeoPoint>,
}

/// The map, fetched when it is first shown: Leaflet's script, the map's own wasm module
/// (split off from the page's: it is most of 服务圈's code, and phones open on the list) and
/// the base layer start loading together, and the module draws the pane (see [`MapPane`]).
#[component]
pub fn CircleMap(layers: MapLayers, shown: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    // The module and Leaflet download side by side. The pane is the module's; without Leaflet
    // it still shows the key and the walk in words, and says that the map failed.
    let module = RwSignal::new(None::<bool>);
    spawn_local(async move {
        module.try_set(Some(__preload_loaded_map().await.is_ok()));
    });
    let leaflet = RwSignal::new(None::<bool>);
    spawn_local(async move {
        leaflet.try_set(Some(load_leaflet().await.is_ok()));
    });
    let leaflet = leaflet.read_only().into();
    let base = RwSignal::new(None);
    api::fetch_into(base, api::map_base());
    let base = Signal::derive(move || base.get().and_then(Result::ok));
    let failed = move || {
        view! { <p class="map-placeholder form-alert" role="alert">{tr!(i18n, circle.map_failed)}</p> }
    };
    move || match module.get() {
        Some(false) => failed().into_any(),
        // The module is here: its view comes at once.
        Some(true) => Suspend::new(async move {
            match loaded_map(layers, shown, base, leaflet).await {
                Ok(pane) => pane,
                Err(_) => failed().into_any(),
            }
        })
        .into_any(),
        None => view! { <p class="map-placeholder">{tr!(i18n, circle.map_loading)}</p> }.into_any(),
    }
}

/// The split point of the map's module: `cargo xtask dist` cuts the wasm here. Fallible: a
/// module that cannot be downloaded (a flaky network) is said on the map, where a failed load
/// would otherwise abort the whole app.
#[leptos::wasm_split::wasm_split(
    loaded_map,
    wasm_split_path = ::leptos::wasm_split,
    preload(__preload_loaded_map),
    fallible
)]
fn loaded_map(
    layers: MapLayers,
    shown: Signal<bool>,
    base: Signal<Option<api::Answer>>,
    leaflet: Signal<Option<bool>>,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <MapPane layers shown base leaflet/> }.into_any())
}

/// The map pane, in the map's module: the map, its key, and the walk in words. The map is drawn
/// only once its frame has a size on screen: Leaflet measures its box when it starts, and a
/// map started in a hidden pane (the list chosen again while it loaded) or before the page was
/// attached (the modules already cached) would fit the community into 0×0 pixels. The base
/// layer is added when it arrives.
#[component]
fn MapPane(
    layers: MapLayers,
    shown: Signal<bool>,
    base: Signal<Option<api::Answer>>,
    /// Whether Leaflet loaded; `None` while it loads.
    leaflet: Signal<Option<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let frame = NodeRef::<leptos::html::Div>::new();
    let drawn = RwSignal::new(false);
    // Looked at again each frame until the frame has a size, while the map is to be shown.
    let next_frame = RwSignal::new(0u32);
    Effect::new(move || {
        next_frame.track();
        if drawn.get_untracked() || !shown.get() || leaflet.get() != Some(true) {
            return;
        }
        if frame
            .get()
            .is_some_and(|f| f.is_connected() && f.client_width() > 0)
        {
            drawn.set(true);
        } else {
            request_animation_frame(move || next_frame.update(|n| *n += 1));
        }
    });
    let network = Memo::new(move |_| base.get().and_then(|b| b.read::<Value>())).into();
    let (picking, reachable) = (layers.picking, layers.reachable);
    view! {
        <div class="circle-map-frame" class:picking=move || picking.get() node_ref=frame>
            {move || match (leaflet.get(), drawn.get()) {
                (Some(false), _) => {
                    view! { <p class="map-placeholder form-alert" role="alert">{tr!(i18n, circle.map_failed)}</p> }
                        .into_any()
                }
                (_, true) => view! { <LoadedMap layers network/> }.into_any(),
                _ => view! { <p class="map-placeholder">{tr!(i18n, circle.map_loading)}</p> }.into_any(),
            }}
        </div>
        <AreaLegend/>
        {move || reachable.get().map(|rows| view! { <ReachSummary rows/> })}
    }
}

fn drop_leaflet_credit(map: &leaflet::Map) {
    let control = js_sys::Reflect::get(map, &"attributionControl".into()).ok();
    let set_prefix = control
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"setPrefix".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(control), Some(set_prefix)) = (control, set_prefix) {
        let _ = set_prefix.call1(&control, &false.into());
    }
}

#[component]
fn LoadedMap(layers: MapLayers, network: Signal<Option<Value>>) -> impl IntoView {
    let MapLayers {
        tiles,
        walk,
        home,
        facilities,
        selected,
        picking,
        on_pick,
        ..
    } = layers;
    let i18n = use_i18n();
    let map = JsRwSignal::<Option<leaflet::Map>>::new_local(None);
    let zoom = RwSignal::new(START_ZOOM);
    let events = MapEvents::new()
        .mouse_click(move |event: leaflet::MouseEvent| {
            if picking.get_untracked() {
                let at = event.lat_lng();
                on_pick.run(GeoPoint {
                    lat: at.lat(),
                    lon: at.lng(),
                });
            }
        })
        .zoom_end(move |_| {
            if let Some(map) = map.get_untracked() {
                zoom.set(map.get_zoom());
            }
        });
    let elder = use_context::<ElderMode>().map(|ElderMode(on)| on);
    let spacing = Signal::derive(move || {
        if elder.is_some_and(|on| on.get()) {
            ELDER_MARKER_SPACING
        } else {
            MARKER_SPACING
        }
    });
    // The facilities as the map draws them at this zoom: alone where there is room, grouped
    // where there is not. The selected one goes first, so that it is drawn where it is, alone
    // or as the place of the group that holds it (marked as holding it).
    let groups = Memo::new(move |_| {
        let chosen = selected.get();
        let (mut order, rest): (Vec<_>, Vec<_>) = facilities
            .get()
            .into_iter()
            .partition(|n| Some(n.id) == chosen);
        order.extend(rest);
        let zoom = zoom.get();
        if zoom >= MAX_ZOOM {
            return order.into_iter().map(|n| vec![n]).collect::<Vec<_>>();
        }
        let points: Vec<GeoPoint> = order.iter().map(|n| n.at).collect();
        declutter(&points, zoom, spacing.get())
            .into_iter()
            .map(|members| members.into_iter().map(|i| order[i].clone()).collect())
            .collect()
    });
    let zoom_into = Callback::new(move |members: Vec<GeoPoint>| {
        let Some(map) = map.get_untracked() else {
            return;
        };
        let to = separating_zoom(
            &members,
            zoom.get_untracked(),
            spacing.get_untracked(),
            MAX_ZOOM,
        );
        let n = members.len() as f64;
        let lat = members.iter().map(|p| p.lat).sum::<f64>() / n;
        let lon = members.iter().map(|p| p.lon).sum::<f64>() / n;
        map.set_view(&leaflet::LatLng::new(lat, lon), to);
    });
    // The first start known centres the map; later ones (a picked point) keep the view.
    let centred = StoredValue::new(false);
    // Leaflet's own "Leaflet" credit is a tiny link that no finger (and no elder-mode target
    // rule) can hit; the map data's attribution, which the licence requires, stays.
    Effect::new(move || {
        if let Some(map) = map.get() {
            drop_leaflet_credit(&map);
        }
    });
    Effect::new(move || {
        if let (Some(map), Some(home)) = (map.get(), home.get())
            && !centred.get_value()
        {
            centred.set_value(true);
            map.set_view(&leaflet::LatLng::new(home.at.lat, home.at.lon), START_ZOOM);
        }
    });
    let base = Signal::derive(move || network.get().map(styled_base));
    let areas = Signal::derive(move || walk.get().map(|w| areas_geojson(&w)));
    let home_position =
        Signal::derive_local(move || home.get().map(|h| Position::new(h.at.lat, h.at.lon)));
    let zoom_by = move |steps: f64| {
        if let Some(map) = map.get_untracked() {
            if steps > 0.0 {
                map.zoom_in(steps);
            } else {
                map.zoom_out(-steps);
            }
        }
    };
    view! {
        // The zoom buttons sit above the map, not on it: Leaflet's own, in a corner of the map,
        // covered the places drawn there (the more so in elder mode, at 60 px each), and
        // their names were English in every language.
        <div class="map-zoom" role="group" aria-label=tr!(i18n, circle.zoom_label)>
            <button type="button" class="button secondary" on:click=move |_| zoom_by(1.0)>
                {tr!(i18n, circle.zoom_in)}
            </button>
            <button type="button" class="button secondary" on:click=move |_| zoom_by(-1.0)>
                {tr!(i18n, circle.zoom_out)}
            </button>
        </div>
        <MapContainer
            class="circle-map"
            zoom=START_ZOOM
            zoom_control=false
            map=map.write_only()
            events
            attr:role="region"
            attr:aria-label=tr!(i18n, circle.map_label)
            // The zoom the markers were grouped for, once the map has come to rest there.
            attr:data-zoom=move || zoom.get()
        >
            {move || {
                tiles.get().map(|t| view! { <TileLayer url=t.url attribution=t.attribution max_zoom=19.0/> })
            }}
            <GeoJsonLayer data=base/>
            <GeoJsonLayer data=areas fit_on_first_draw=true/>
            {move || {
                home_position
                    .get()
                    .map(|position| {
                        view! {
                            <Marker
                                position=position
                                title=Signal::derive(move || t_string!(i18n, circle.home_marker).to_string())
                                z_index_offset=Some(1000.0)
                                // Where the walks start, not something to press: no focus
                                // stop, no target for a finger (`.home-now` says it in words).
                                interactive=Some(false)
                                keyboard=Some(false)
                            >
                                <MarkerIcon class="home-marker" size=48.0/>
                            </Marker>
                        }
                    })
            }}
            <For
                each=move || groups.get()
                key=|group| group_key(group)
                let:group
            >
                {if group.len() == 1 {
                    let nearby = group.into_iter().next().expect("a group of one");
                    view! { <FacilityMarker nearby selected/> }.into_any()
                } else {
                    view! { <GroupMarker group selected zoom_into/> }.into_any()
                }}
            </For>
        </MapContainer>
    }
}

#[component]
fn FacilityMarker(nearby: Nearby, selected: RwSignal<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = nearby.id;
    let group = nearby.facility.category.group().key();
    let title = {
        let nearby = nearby.clone();
        Signal::derive(move || {
            let f = &nearby.facility;
            let mut title = format!(
                "{} · {}",
                pick(i18n, &f.name_zh, &f.name_en),
                labels::category_label(i18n, f.category)
            );
            if let (Some(minutes), Some(metres)) = (nearby.minutes, nearby.metres) {
                title.push_str(" · ");
                title.push_str(&t_string!(i18n, circle.walk_line, minutes, metres).to_string());
            }
            title
        })
    };
    let icon_class = Signal::derive(move || {
        let chosen = if selected.get() == Some(id) {
            " selected"
        } else {
            ""
        };
        format!("facility-marker group-{group}{chosen}")
    });
    view! {
        <Marker
            position=Position::new(nearby.at.lat, nearby.at.lon)
            title
            keyboard=Some(true)
            mouse_events=MouseEvents::new().on_click(move |_| selected.set(Some(id)))
        >
            <MarkerIcon class=icon_class size=30.0/>
            <EnterActivates on_enter=Callback::new(move |()| selected.set(Some(id)))/>
        </Marker>
    }
}

/// What a marker is drawn for: its places, each with its walk (a new walk redraws it).
fn group_key(group: &[Nearby]) -> Vec<(i64, Option<u32>)> {
    group.iter().map(|n| (n.id, n.minutes)).collect()
}

/// Places too close to draw apart at this zoom, as one marker with their count, drawn where
/// the nearest of them is; a tap zooms in until they come apart. Its title names them.
#[component]
fn GroupMarker(
    group: Vec<Nearby>,
    selected: RwSignal<Option<i64>>,
    zoom_into: Callback<Vec<GeoPoint>>,
) -> impl IntoView {
    /// Names in a marker's title; the list beside the map has every one.
    const NAMED: usize = 4;
    let i18n = use_i18n();
    let count = group.len();
    let first = group[0].at;
    let points: Vec<GeoPoint> = group.iter().map(|n| n.at).collect();
    let open_up = Callback::new(move |()| zoom_into.run(points.clone()));
    let ids: Vec<i64> = group.iter().map(|n| n.id).collect();
    let icon_class = Signal::derive(move || {
        let holds_chosen = selected.get().is_some_and(|id| ids.contains(&id));
        format!(
            "facility-group{}",
            if holds_chosen { " selected" } else { "" }
        )
    });
    let title = Signal::derive(move || {
        let names: Vec<&str> = group
            .iter()
            .take(NAMED)
            .map(|n| pick(i18n, &n.facility.name_zh, &n.facility.name_en))
            .collect();
        let mut names = names.join(t_string!(i18n, circle.name_separator));
        if count > NAMED {
            names.push_str(t_string!(i18n, circle.cluster_more));
        }
        t_string!(i18n, circle.cluster_title, count, names = names.clone()).to_string()
    });
    view! {
        <Marker
            position=Position::new(first.lat, first.lon)
            title
            keyboard=Some(true)
            mouse_events=MouseEvents::new().on_click(move |_| open_up.run(()))
        >
            <MarkerIcon class=icon_class size=34.0 count/>
            <EnterActivates on_enter=open_up/>
        </Marker>
    }
}

/// The walking areas in words, for those who cannot see the map: how many facilities each
/// time reaches.
#[component]
fn ReachSummary(rows: Vec<Nearby>) -> impl IntoView {
    let i18n = use_i18n();
    let within = move |limit: u32| {
        rows.iter()
            .filter(|n| n.minutes.is_some_and(|m| m <= limit))
            .count()
    };
    let (five, ten, fifteen) = (within(5), within(10), within(15));
    view! {
        <p class="reach-summary">
            {move || t_string!(i18n, circle.reach_summary, five, ten, fifteen)}
        </p>
    }
}
