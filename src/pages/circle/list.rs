//! The facilities as a list, nearest on foot first: everything the map shows, for screen
//! readers, keyboards and anyone who prefers reading to a map.

use super::{LONGEST_MINUTES, Nearby, labels};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::facility::FacilityProperties;

/// A time of day in China (UTC+8, no daylight saving), as `HH:MM`.
pub fn china_clock(at: i64) -> String {
    let seconds = (at + 8 * 3600).rem_euclid(86_400);
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// "营业中 · 18:00 起休息": open now or not, and when that changes.
pub fn open_status(
    i18n: I18nContext<Locale>,
    facility: &FacilityProperties,
) -> (String, &'static str) {
    let Some(open) = facility.open_now else {
        return (
            t_string!(i18n, circle.hours_unknown).to_string(),
            "hours-unknown",
        );
    };
    let mut text = if open {
        t_string!(i18n, circle.open_now).to_string()
    } else {
        t_string!(i18n, circle.closed_now).to_string()
    };
    if let Some(at) = facility.next_change {
        let state = if open {
            t_string!(i18n, circle.state_closed).to_string()
        } else {
            t_string!(i18n, circle.state_open).to_string()
        };
        let time = china_clock(at);
        text.push_str(" · ");
        text.push_str(&t_string!(i18n, circle.changes_at, time, state).to_string());
    }
    (text, if open { "open-now" } else { "closed-now" })
}

/// The walk in words: "步行 6 分钟 · 350 米", or out of reach.
pub fn walk_text(
    i18n: I18nContext<Locale>,
    minutes: Option<u32>,
    metres: Option<u32>,
    reach: u32,
) -> String {
    match (minutes, metres) {
        (Some(minutes), Some(metres)) => {
            t_string!(i18n, circle.walk_line, minutes, metres).to_string()
        }
        _ => t_string!(i18n, circle.unreachable, minutes = reach).to_string(),
    }
}

#[component]
pub fn FacilityList(
    rows: Signal<Vec<Nearby>>,
    /// The facility page's address for an id.
    link: Callback<i64, String>,
    selected: RwSignal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="facility-list" aria-labelledby="facility-list-heading">
            <h2 id="facility-list-heading">{tr!(i18n, circle.list_heading)}</h2>
            <p class="meta">{move || t_string!(i18n, circle.list_sorted, count = rows.get().len())}</p>
            <ol class="plain-list">
                <For each=move || rows.get() key=|n| (n.id, n.minutes) let:nearby>
                    {
                        let id = nearby.id;
                        view! {
                            <li class:selected=move || selected.get() == Some(id)>
                                // Follows the start and the speed: a row whose walk did not
                                // change is kept, and its link must not keep the old ones.
                                <FacilityEntry nearby link=Signal::derive(move || link.run(id)) heading_level=3/>
                                <button
                                    type="button"
                                    class="button small show-on-map"
                                    on:click=move |_| selected.set(Some(id))
                                >
                                    {tr!(i18n, circle.show_on_map)}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ol>
        </section>
    }
}

/// One facility: name (a link to its page), kind, address, walk, hours, phone, services and
/// wheelchair access.
#[component]
pub fn FacilityEntry(nearby: Nearby, link: Signal<String>, heading_level: u8) -> impl IntoView {
    let i18n = use_i18n();
    let f = StoredValue::new(nearby.facility.clone());
    let name = move || f.with_value(|f| pick(i18n, &f.name_zh, &f.name_en).to_owned());
    let heading = move || {
        let name = view! { <a href=link>{name}</a> };
        if heading_level == 2 {
            view! { <h2 class="facility-name">{name}</h2> }.into_any()
        } else {
            view! { <h3 class="facility-name">{name}</h3> }.into_any()
        }
    };
    let (minutes, metres) = (nearby.minutes, nearby.metres);
    view! {
        <article class="facility-entry">
            {heading}
            <p class="meta">
                <span class=format!("category-dot group-{}", nearby.facility.category.group().key()) aria-hidden="true"></span>
                {move || f.with_value(|f| labels::category_label(i18n, f.category))}
                " · "
                {move || f.with_value(|f| pick(i18n, &f.address_zh, &f.address_en).to_owned())}
            </p>
            <p class="walk" class:unreachable=minutes.is_none()>
                {move || walk_text(i18n, minutes, metres, LONGEST_MINUTES)}
            </p>
            <FacilityFacts facility=f/>
        </article>
    }
}

/// Hours, phone, services and access: shared by the list and the facility's own page.
#[component]
pub fn FacilityFacts(facility: StoredValue<FacilityProperties>) -> impl IntoView {
    let i18n = use_i18n();
    let f = facility;
    let status = move || f.with_value(|f| open_status(i18n, f));
    view! {
        <p class="hours">
            <span class=move || format!("badge {}", status().1)>{move || status().0}</span>
            {f.with_value(|f| (!f.opening_hours.is_empty()).then(|| view! { <span class="hours-text">{f.opening_hours.clone()}</span> }))}
        </p>
        {f.with_value(|f| f.phone.clone()).map(|phone| {
            let tel = format!("tel:{}", phone.replace([' ', '-'], ""));
            view! {
                <p>
                    <a class="tel" href=tel>{move || t_string!(i18n, circle.call, phone = phone.clone())}</a>
                </p>
            }
        })}
        {move || {
            f.with_value(|f| {
                let services = pick(i18n, &f.services_zh, &f.services_en).to_owned();
                (!services.is_empty()).then(|| view! { <p class="services">{services}</p> })
            })
        }}
        {f.with_value(|f| f.wheelchair).map(|access| {
            view! {
                <p class=format!("wheelchair wheelchair-{}", access.key())>
                    <span aria-hidden="true">"♿ "</span>
                    {move || labels::wheelchair_label(i18n, access)}
                </p>
            }
        })}
    }
}
