//! The community's plan as a small SVG map: compounds, buildings, and points on it (requests
//! on the public page, the chosen place in the form). Drawn from our own data, so it works
//! without any map service; in picking mode a tap chooses a point, and a building list does
//! the same for keyboards and screen readers.

use crate::i18n::*;
use leptos::prelude::*;
use linli_domain::api::{CommunityMap, GeoPoint, MapBuilding};
use wasm_bindgen::JsCast;

const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 300.0;
const MARGIN: f64 = 24.0;

/// Maps between the community's coordinates and the drawing: an equirectangular projection
/// around the centre, which is exact enough over a few hundred metres.
#[derive(Clone, Copy)]
struct Projection {
    min: GeoPoint,
    scale: f64,
    lon_factor: f64,
}

impl Projection {
    fn of(map: &CommunityMap) -> Self {
        let lon_factor = map.centre.lat.to_radians().cos();
        let points = map
            .buildings
            .iter()
            .map(|b| b.at)
            .chain(map.compounds.iter().map(|c| c.centre));
        let (mut min, mut max) = (map.centre, map.centre);
        for p in points {
            min.lat = min.lat.min(p.lat);
            min.lon = min.lon.min(p.lon);
            max.lat = max.lat.max(p.lat);
            max.lon = max.lon.max(p.lon);
        }
        let span_x = ((max.lon - min.lon) * lon_factor).max(1e-6);
        let span_y = (max.lat - min.lat).max(1e-6);
        let scale = ((WIDTH - 2.0 * MARGIN) / span_x).min((HEIGHT - 2.0 * MARGIN) / span_y);
        Self {
            min,
            scale,
            lon_factor,
        }
    }

    fn to_xy(self, p: GeoPoint) -> (f64, f64) {
        (
            MARGIN + (p.lon - self.min.lon) * self.lon_factor * self.scale,
            HEIGHT - MARGIN - (p.lat - self.min.lat) * self.scale,
        )
    }

    fn to_point(self, x: f64, y: f64) -> GeoPoint {
        GeoPoint {
            lat: self.min.lat + (HEIGHT - MARGIN - y) / self.scale,
            lon: self.min.lon + (x - MARGIN) / (self.lon_factor * self.scale),
        }
    }
}

/// The label of a building: compound name and number, in the current language.
pub fn building_label(
    i18n: leptos_i18n::I18nContext<Locale>,
    map: &CommunityMap,
    b: &MapBuilding,
) -> String {
    let compound = map
        .compounds
        .iter()
        .find(|c| c.id == b.compound_id)
        .map(|c| pick(i18n, &c.name_zh, &c.name_en).to_owned())
        .unwrap_or_default();
    t_string!(
        i18n,
        requests.building_label,
        compound = compound,
        number = b.number
    )
    .to_string()
}

#[component]
pub fn CommunityMapView(
    map: CommunityMap,
    /// Points to mark (the public page's requests).
    #[prop(into, optional)]
    marks: Signal<Vec<GeoPoint>>,
    /// When given, a tap or a building choice sets this point.
    #[prop(optional)]
    picked: Option<RwSignal<Option<GeoPoint>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let projection = Projection::of(&map);
    let map = StoredValue::new(map);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(picked) = picked else { return };
        let Some(svg) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return;
        }
        let x = (f64::from(ev.client_x()) - rect.left()) * WIDTH / rect.width();
        let y = (f64::from(ev.client_y()) - rect.top()) * HEIGHT / rect.height();
        picked.set(Some(projection.to_point(x, y)));
    };
    let buildings = map.with_value(|m| {
        m.buildings
            .iter()
            .map(|b| {
                let (x, y) = projection.to_xy(b.at);
                view! {
                    <g class="map-building">
                        <rect x=x - 7.0 y=y - 5.0 width="14" height="10" rx="2"/>
                        <text x=x y=y + 3.5 text-anchor="middle">{b.number}</text>
                    </g>
                }
            })
            .collect_view()
    });
    let compounds = map.with_value(|m| {
        m.compounds
            .iter()
            .map(|c| {
                let (x, y) = projection.to_xy(c.centre);
                let (zh, en) = (c.name_zh.clone(), c.name_en.clone());
                view! {
                    <text class="map-compound" x=x y=y - 14.0 text-anchor="middle">
                        {move || pick(i18n, &zh, &en).to_owned()}
                    </text>
                }
            })
            .collect_view()
    });
    let building_choice = picked.map(|picked| {
        let choose = move |ev: leptos::ev::Event| {
            let id: Option<i64> = event_target_value(&ev).parse().ok();
            let at = map.with_value(|m| m.buildings.iter().find(|b| Some(b.id) == id).map(|b| b.at));
            if at.is_some() {
                picked.set(at);
            }
        };
        view! {
            <div class="field">
                <label for="map-building">{tr!(i18n, requests.map_building)}</label>
                <select id="map-building" on:change=choose>
                    <option value="">{tr!(i18n, requests.map_choose)}</option>
                    {move || {
                        map.with_value(|m| {
                            m.buildings
                                .iter()
                                .map(|b| view! { <option value=b.id>{building_label(i18n, m, b)}</option> })
                                .collect_view()
                        })
                    }}
                </select>
            </div>
        }
    });
    view! {
        <figure class="community-map">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=tr!(i18n, requests.map_title)
                class:pickable=picked.is_some()
                on:click=on_click
            >
                <rect class="map-ground" x="0" y="0" width=WIDTH height=HEIGHT/>
                {buildings}
                {compounds}
                {move || {
                    marks
                        .get()
                        .into_iter()
                        .map(|p| {
                            let (x, y) = projection.to_xy(p);
                            view! { <circle class="map-mark" cx=x cy=y r="5"/> }
                        })
                        .collect_view()
                }}
                {move || {
                    picked
                        .and_then(|p| p.get())
                        .map(|p| {
                            let (x, y) = projection.to_xy(p);
                            view! { <circle class="map-picked" cx=x cy=y r="8"/> }
                        })
                }}
            </svg>
            {building_choice}
        </figure>
    }
}
