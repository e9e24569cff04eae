//! 服务圈: the 15-minute service circle. A map of what can be reached on foot from home, drawn
//! from the server's walking network (no tile server needed), with the same facilities in a
//! list sorted by walking minutes, and the life-circle check of GB 50180-2018.
//!
//! The page owns the state (the start, the speed, the filter, the facility selected); the map,
//! the list and the coverage card only show it.

mod coverage;
pub mod edit;
pub mod facility;
mod labels;
mod leaflet;
mod list;
mod map;

use crate::api::{self, ApiError};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::prefs;
use crate::session::{SessionState, is_staff, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;
use linli_domain::api::{GeoPoint, TileSource};
use linli_domain::facility::{FacilityGroup, FacilityProperties};
use linli_domain::fixed_decimal;
use linli_domain::walk::{DestinationWalk, WalkSpeed};
use serde::Deserialize;

const SPEED_KEY: &str = "linli.walk_speed";

/// The longest walk the page asks for (the server's default 5, 10 and 15 minutes): farther
/// facilities are "out of reach".
pub const LONGEST_MINUTES: u32 = 15;

/// Where the walks start, and why there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Home {
    pub at: GeoPoint,
    pub kind: HomeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeKind {
    /// The resident's own building.
    Household,
    /// Nobody's home is known (a visitor): the community's centre.
    Centre,
    /// The device's position.
    Located,
    /// A point tapped on the map.
    Picked,
}

impl HomeKind {
    fn key(self) -> &'static str {
        match self {
            HomeKind::Household => "household",
            HomeKind::Centre => "centre",
            HomeKind::Located => "located",
            HomeKind::Picked => "picked",
        }
    }

    fn parse(key: &str) -> Option<HomeKind> {
        [
            HomeKind::Household,
            HomeKind::Centre,
            HomeKind::Located,
            HomeKind::Picked,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }
}

impl Home {
    pub fn place(self, i18n: I18nContext<Locale>) -> String {
        let text = match self.kind {
            HomeKind::Household => t_string!(i18n, circle.home_household),
            HomeKind::Centre => t_string!(i18n, circle.home_centre),
            HomeKind::Located => t_string!(i18n, circle.home_located),
            HomeKind::Picked => t_string!(i18n, circle.home_picked),
        };
        text.to_string()
    }

    /// The query that carries this start to a facility's page.
    pub fn query(self, speed: WalkSpeed) -> String {
        format!(
            "from={},{}&start={}&speed={}",
            fixed_decimal(self.at.lat, 6),
            fixed_decimal(self.at.lon, 6),
            self.kind.key(),
            speed.metres_per_minute()
        )
    }

    /// The start a facility page's query carries, if it carries a valid one.
    pub fn from_query(from: &str, start: Option<&str>) -> Option<Home> {
        let (lat, lon) = from.split_once(',')?;
        let (lat, lon) = (
            lat.trim().parse::<f64>().ok()?,
            lon.trim().parse::<f64>().ok()?,
        );
        let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        let kind = start.and_then(HomeKind::parse).unwrap_or(HomeKind::Picked);
        valid.then_some(Home {
            at: GeoPoint { lat, lon },
            kind,
        })
    }
}

/// What 服务圈 reads of the community map (`CommunityMap`, read in part): where a walk starts
/// when the resident has not chosen, and the tiles under the map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CircleBase {
    pub centre: GeoPoint,
    pub buildings: Vec<BuildingAt>,
    #[serde(default)]
    pub tiles: Option<TileSource>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BuildingAt {
    pub id: i64,
    pub at: GeoPoint,
}

/// What the list reads of a walking answer (`WalkingAreas`, read in part); the coverage is
/// the coverage card's, the areas the map's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListWalk {
    pub walk: Walks,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Walks {
    pub destinations: Vec<DestinationWalk>,
}

/// The start a resident gets without choosing: their building, or the community's centre.
pub fn default_home(map: &CircleBase, household_building: Option<i64>) -> Home {
    household_building
        .and_then(|id| map.buildings.iter().find(|b| b.id == id))
        .map(|b| Home {
            at: b.at,
            kind: HomeKind::Household,
        })
        .unwrap_or(Home {
            at: map.centre,
            kind: HomeKind::Centre,
        })
}

/// The building of the signed-in resident's first household, once the session is known.
pub fn household_building() -> Memo<Option<i64>> {
    let session = use_session();
    Memo::new(move |_| match session.0.get() {
        SessionState::SignedIn(me) => me.households.first().map(|h| h.address.building_id),
        _ => None,
    })
}

/// The speed chosen on this device before, or the planners' 60 m/min.
pub fn saved_speed() -> WalkSpeed {
    prefs::load_json::<u32>(SPEED_KEY)
        .and_then(WalkSpeed::from_metres_per_minute)
        .unwrap_or_default()
}

/// A facility with the walk to it from the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearby {
    pub id: i64,
    pub at: GeoPoint,
    pub facility: FacilityProperties,
    pub metres: Option<u32>,
    pub minutes: Option<u32>,
}

/// The facilities with their walks, nearest first; those out of reach last, by name.
pub fn nearby(facilities: &api::FacilityPoints, walks: Option<&[DestinationWalk]>) -> Vec<Nearby> {
    // By id: a linear search per facility would be quadratic in a city's facilities.
    let walks: std::collections::HashMap<i64, &DestinationWalk> = walks
        .map(|w| w.iter().map(|d| (d.id, d)).collect())
        .unwrap_or_default();
    let mut rows: Vec<Nearby> = facilities
        .features
        .iter()
        .map(|feature| {
            let (id, coordinates) = (feature.id, feature.geometry.coordinates);
            let walked = walks.get(&id);
            Nearby {
                id,
                at: GeoPoint {
                    lat: coordinates[1],
                    lon: coordinates[0],
                },
                facility: feature.properties.clone(),
                metres: walked.and_then(|d| d.metres),
                minutes: walked.and_then(|d| d.minutes),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.metres.is_none(), a.metres, &a.facility.name_zh).cmp(&(
            b.metres.is_none(),
            b.metres,
            &b.facility.name_zh,
        ))
    });
    rows
}

/// Phones show the map or the list, the list first; wide screens show both side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShowAs {
    Map,
    List,
}

/// Whether the screen is wide enough to show the map beside the list (`.circle-body` in
/// `style/main.css` switches at the same width).
fn map_beside_list() -> bool {
    window()
        .match_media("(min-width: 60rem)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

#[component]
pub fn CirclePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let staff = is_staff();
    // Read once: fetched into signals rather than resources (see `api::fetch_into`).
    let community_map = RwSignal::new(None);
    api::fetch_into(community_map, api::community_map::<CircleBase>());
    let facilities = RwSignal::new(None);
    let load_facilities = move || api::fetch_into(facilities, api::facilities());
    load_facilities();
    let household = household_building();
    let chosen = RwSignal::new(None::<Home>);
    let home = Memo::new(move |_| {
        chosen.get().or_else(|| {
            community_map
                .get()
                .and_then(Result::ok)
                .map(|map| default_home(&map, household.get()))
        })
    });
    let speed = RwSignal::new(saved_speed());
    Effect::new(move || prefs::save_json(SPEED_KEY, &speed.get().metres_per_minute()));
    // The walk from the start at the speed, asked again when either changes, and when the
    // language does (an error is in the server's words, in the language asked). The last answer
    // stays until the next comes, and an answer to an older question (the start moved on
    // meanwhile) is dropped. A signal, not a resource, for the reason of `api::fetch_into`.
    let walk = RwSignal::new(None::<Result<api::Answer, ApiError>>);
    let asked = StoredValue::new(0u64);
    Effect::new(move || {
        i18n.get_locale();
        let (Some(home), speed) = (home.get(), speed.get()) else {
            return;
        };
        let question = asked.get_value() + 1;
        asked.set_value(question);
        spawn_local(async move {
            let answer = api::walk(home.at, speed.metres_per_minute()).await;
            if asked.try_get_value() == Some(question) {
                walk.try_set(Some(answer));
            }
        });
    });
    let walk_answer = Memo::new(move |_| walk.get().and_then(Result::ok));
    let list_walk = Memo::new(move |_| walk_answer.get()?.read::<ListWalk>());
    let walk_error = Memo::new(move |_| match walk.get() {
        // The server's words, in the language the walk was asked in.
        Some(Err(ApiError::Problem(refusal))) => {
            let p = refusal.messages();
            Some(
                p.errors
                    .into_iter()
                    .next()
                    .map(|e| e.message)
                    .unwrap_or(p.title),
            )
        }
        Some(Err(ApiError::Network)) => Some(t_string!(i18n, states.error).to_string()),
        _ => None,
    });
    let rows = Memo::new(move |_| {
        facilities.get().and_then(Result::ok).map(|all| {
            let walk = list_walk.get();
            nearby(&all, walk.as_ref().map(|w| &w.walk.destinations[..]))
        })
    });
    let group = RwSignal::new(
        query
            .get_untracked()
            .get("group")
            .and_then(|g| FacilityGroup::parse(&g)),
    );
    let shown = Memo::new(move |_| {
        let group = group.get();
        rows.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|n| group.is_none_or(|g| n.facility.category.group() == g))
            .collect::<Vec<_>>()
    });
    let selected = RwSignal::new(
        query
            .get_untracked()
            .get("facility")
            .and_then(|f| f.parse::<i64>().ok()),
    );
    let picking = RwSignal::new(false);
    // Shown or not, as a memo: the reset button is not drawn again for each new start.
    let chosen_any = Memo::new(move |_| chosen.with(Option::is_some));
    // Whether the resident has come near the coverage card, below the list (see `coverage`).
    let coverage_near = RwSignal::new(false);
    let located_error = RwSignal::new(false);
    // The list sorted by walking minutes comes first on a phone, and the map (its own module,
    // Leaflet and the base layer: most of what this page would load) only once it is asked for:
    // by the map button, "on the map" in the list, or a facility page's link to it.
    let show_as = RwSignal::new(if selected.get_untracked().is_some() {
        ShowAs::Map
    } else {
        ShowAs::List
    });
    Effect::watch(
        move || selected.get(),
        move |facility, _, _| {
            if facility.is_some() {
                show_as.set(ShowAs::Map);
            }
        },
        false,
    );
    // A screen turned or widened past the width that shows both shows the map too.
    let wide = RwSignal::new(map_beside_list());
    let on_resize = window_event_listener(leptos::ev::resize, move |_| wide.set(map_beside_list()));
    on_cleanup(move || on_resize.remove());
    let map_shown = Signal::derive(move || wide.get() || show_as.get() == ShowAs::Map);
    // Once opened, the map stays, hidden or not, so it is not fetched and drawn again.
    let map_opened = Memo::new(move |was: Option<&bool>| was == Some(&true) || map_shown.get());
    let on_pick = Callback::new(move |at: GeoPoint| {
        picking.set(false);
        chosen.set(Some(Home {
            at,
            kind: HomeKind::Picked,
        }));
    });
    let use_location = move |_| {
        located_error.set(false);
        spawn_local(async move {
            match current_position().await {
                Some(at) => chosen.set(Some(Home {
                    at,
                    kind: HomeKind::Located,
                })),
                None => located_error.set(true),
            }
        });
    };
    let reset_home = move |_| {
        picking.set(false);
        chosen.set(None);
    };
    let add_link = move || match home.get() {
        Some(h) if h.kind == HomeKind::Picked => format!(
            "/circle/facilities/new?lat={}&lon={}",
            fixed_decimal(h.at.lat, 6),
            fixed_decimal(h.at.lon, 6)
        ),
        _ => "/circle/facilities/new".to_owned(),
    };

    view! {
        <section class="page circle-page" aria-labelledby="page-title">
            <h1 id="page-title">
                {tr!(i18n, circle.title)}
                <span class="subtitle">{tr!(i18n, circle.subtitle)}</span>
            </h1>
            <p class="lead">{tr!(i18n, circle.intro)}</p>
            <p class="hint">{tr!(i18n, circle.walking_note)}</p>
            <div class="circle-controls">
                <fieldset class="home-choice">
                    <legend>{tr!(i18n, circle.home_legend)}</legend>
                    <p class="home-now" aria-live="polite">
                        <span class="home-dot" aria-hidden="true"></span>
                        {move || home.get().map(|h| h.place(i18n))}
                    </p>
                    <div class="button-row">
                        <button type="button" class="button small" on:click=use_location>
                            {tr!(i18n, circle.use_location)}
                        </button>
                        <button
                            type="button"
                            class="button small"
                            aria-pressed=move || picking.get().to_string()
                            on:click=move |_| {
                                picking.update(|p| *p = !*p);
                                show_as.set(ShowAs::Map);
                            }
                        >
                            {tr!(i18n, circle.pick_on_map)}
                        </button>
                        {move || chosen_any.get().then(|| view! {
                            <button type="button" class="button small" on:click=reset_home>
                                {move || {
                                    if household.get().is_some() {
                                        t_string!(i18n, circle.home_household).to_string()
                                    } else {
                                        t_string!(i18n, circle.home_centre).to_string()
                                    }
                                }}
                            </button>
                        })}
                    </div>
                    {move || picking.get().then(|| view! {
                        <p class="hint" role="status">{tr!(i18n, circle.picking_hint)}</p>
                    })}
                    {move || located_error.get().then(|| view! {
                        <p class="form-alert" role="alert">{tr!(i18n, circle.location_unavailable)}</p>
                    })}
                </fieldset>
                <SpeedChoice speed/>
            </div>
            {move || walk_error.get().map(|message| view! { <p class="form-alert" role="alert">{message}</p> })}
            <fieldset class="filter-chips">
                <legend>{tr!(i18n, circle.filter_legend)}</legend>
                <button
                    type="button"
                    class="chip"
                    aria-pressed=move || group.get().is_none().to_string()
                    on:click=move |_| group.set(None)
                >
                    {tr!(i18n, circle.filter_all)}
                </button>
                {FacilityGroup::ALL
                    .into_iter()
                    .map(|g| {
                        view! {
                            <button
                                type="button"
                                class=format!("chip group-{}", g.key())
                                aria-pressed=move || (group.get() == Some(g)).to_string()
                                on:click=move |_| group.set(Some(g))
                            >
                                <span class="chip-icon" aria-hidden="true"></span>
                                {move || labels::group_label(i18n, g)}
                            </button>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="view-toggle" role="group" aria-label=tr!(i18n, circle.view_legend)>
                <button
                    type="button"
                    aria-pressed=move || (show_as.get() == ShowAs::Map).to_string()
                    on:click=move |_| show_as.set(ShowAs::Map)
                >
                    {tr!(i18n, circle.view_map)}
                </button>
                <button
                    type="button"
                    aria-pressed=move || (show_as.get() == ShowAs::List).to_string()
                    on:click=move |_| show_as.set(ShowAs::List)
                >
                    {tr!(i18n, circle.view_list)}
                </button>
            </div>
            <div class=move || {
                format!(
                    "circle-body {}",
                    if show_as.get() == ShowAs::Map { "show-map" } else { "show-list" },
                )
            }>
                <div class="circle-map-pane">
                    {move || map_opened.get().then(|| view! {
                        <map::CircleMap layers=map::MapLayers {
                            tiles: Signal::derive(move || community_map.get().and_then(Result::ok).and_then(|m| m.tiles)),
                            walk: Signal::derive(move || walk_answer.get()),
                            home: Signal::derive(move || home.get()),
                            facilities: Signal::derive(move || shown.get()),
                            reachable: Signal::derive(move || {
                                if list_walk.with(Option::is_some) { rows.get() } else { None }
                            }),
                            selected,
                            picking,
                            on_pick,
                        } shown=map_shown/>
                    })}
                    {move || {
                        selected
                            .get()
                            .and_then(|id| shown.get().into_iter().find(|n| n.id == id))
                            .map(|n| {
                                let link = Signal::stored(facility_link(n.id, home.get(), speed.get()));
                                view! {
                                    <div class="selected-facility" aria-live="polite">
                                        <list::FacilityEntry nearby=n link heading_level=2/>
                                    </div>
                                }
                            })
                    }}
                </div>
                <div class="circle-list-pane">
                    {move || match facilities.with(|f| f.as_ref().map(Result::is_ok)) {
                        None => view! { <Loading/> }.into_any(),
                        Some(true) => {
                            view! {
                                <list::FacilityList
                                    rows=Signal::derive(move || shown.get())
                                    link=Callback::new(move |id: i64| facility_link(id, home.get(), speed.get()))
                                    selected
                                />
                            }
                                .into_any()
                        }
                        Some(false) => view! { <LoadError retry=load_facilities/> }.into_any(),
                    }}
                </div>
            </div>
            {move || {
                let (home, rows, answer) = (home.get()?, rows.get()?, walk_answer.get()?);
                Some(view! { <coverage::LazyCoverageCard answer rows home near=coverage_near/> })
            }}
            {move || staff.get().then(|| view! {
                <p>
                    <a class="button" href=add_link>{tr!(i18n, circle.staff_add)}</a>
                </p>
            })}
        </section>
    }
}

/// A facility's page, carrying the start and the speed so it shows the same walk.
pub fn facility_link(id: i64, home: Option<Home>, speed: WalkSpeed) -> String {
    match home {
        Some(home) => format!("/circle/facilities/{id}?{}", home.query(speed)),
        None => format!("/circle/facilities/{id}"),
    }
}

#[component]
fn SpeedChoice(speed: RwSignal<WalkSpeed>) -> impl IntoView {
    let i18n = use_i18n();
    let label = move |s: WalkSpeed| match s {
        WalkSpeed::Slow => t_string!(i18n, circle.speed_slow).to_string(),
        WalkSpeed::Planning => t_string!(i18n, circle.speed_planning).to_string(),
        WalkSpeed::Brisk => t_string!(i18n, circle.speed_brisk).to_string(),
    };
    view! {
        <fieldset class="speed-choice">
            <legend>{tr!(i18n, circle.speed_legend)}</legend>
            {WalkSpeed::ALL
                .into_iter()
                .map(|s| {
                    view! {
                        <label class="choice">
                            <input
                                type="radio"
                                name="walk-speed"
                                value=s.metres_per_minute()
                                prop:checked=move || speed.get() == s
                                on:change=move |_| speed.set(s)
                            />
                            <span>{move || label(s)}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// The device's position, if the resident allows it (None when refused or unavailable).
async fn current_position() -> Option<GeoPoint> {
    use js_sys::Reflect;
    let geolocation = web_sys::window()?.navigator().geolocation().ok()?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = geolocation.get_current_position_with_error_callback(&resolve, Some(&reject));
    });
    let position = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    // Read by name: web-sys marks the typed `GeolocationPosition` unstable.
    let coords = Reflect::get(&position, &"coords".into()).ok()?;
    let number = |name: &str| Reflect::get(&coords, &name.into()).ok()?.as_f64();
    Some(GeoPoint {
        lat: number("latitude")?,
        lon: number("longitude")?,
    })
}
