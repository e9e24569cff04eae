//! One facility's page (a deep link: `/circle/facilities/:id`), with the walk to it from the
//! start the map used (carried in the query) or from home. Staff edit or retire it here.

use super::list::{FacilityFacts, walk_text};
use super::{
    CircleBase, Home, LONGEST_MINUTES, ListWalk, default_home, household_building, labels,
    saved_speed,
};
use crate::api::{self, ApiError};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::session::is_staff;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use linli_domain::walk::WalkSpeed;

#[component]
pub fn FacilityPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|v| v.parse::<i64>().ok()));
    let facility = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api::facility(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="page facility-page" aria-labelledby="page-title">
            <p>
                <a href=move || format!("/circle?facility={}", id.get().unwrap_or_default())>
                    "← "
                    {tr!(i18n, circle.back)}
                </a>
            </p>
            <Transition fallback=Loading>
                {move || {
                    facility
                        .get()
                        .map(|result| match result {
                            Ok(Some(feature)) => view! { <FacilityDetail feature/> }.into_any(),
                            Ok(None) | Err(ApiError::Problem(_)) => {
                                view! {
                                    <h1 id="page-title">{tr!(i18n, not_found.title)}</h1>
                                    <p class="empty">{tr!(i18n, states.empty)}</p>
                                }
                                    .into_any()
                            }
                            Err(_) => view! { <LoadError retry=move || facility.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn FacilityDetail(feature: api::FacilityFeature) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let staff = is_staff();
    let id = feature.id.unwrap_or_default();
    let f = StoredValue::new(feature.properties.clone());
    let community_map = LocalResource::new(api::community_map::<CircleBase>);
    let household = household_building();
    let start = Memo::new(move |_| {
        let q = query.get();
        let carried = q
            .get("from")
            .and_then(|from| Home::from_query(&from, q.get("start").as_deref()));
        carried.or_else(|| {
            community_map
                .get()
                .and_then(Result::ok)
                .map(|map| default_home(&map, household.get()))
        })
    });
    let speed = Memo::new(move |_| {
        query
            .get()
            .get("speed")
            .and_then(|s| s.parse().ok())
            .and_then(WalkSpeed::from_metres_per_minute)
            .unwrap_or_else(saved_speed)
    });
    let walk = LocalResource::new(move || {
        let (start, speed) = (start.get(), speed.get());
        async move {
            let start = start?;
            let answer = api::walk(start.at, speed.metres_per_minute()).await.ok()?;
            let to = answer
                .read::<ListWalk>()?
                .walk
                .destinations
                .into_iter()
                .find(|d| d.id == id)?;
            Some((start, to.minutes, to.metres))
        }
    });
    let retired = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let retire_error = RwSignal::new(None::<String>);
    let retire = move |_| {
        spawn_local(async move {
            match api::retire_facility(id).await {
                Ok(()) => retired.set(true),
                Err(ApiError::Problem(refusal)) => retire_error.set(Some(refusal.messages().title)),
                Err(ApiError::Network) => {
                    retire_error.set(Some(t_string!(i18n, states.error).to_string()))
                }
            }
        });
    };
    view! {
        <h1 id="page-title">{move || f.with_value(|f| pick(i18n, &f.name_zh, &f.name_en).to_owned())}</h1>
        <p class="meta">
            <span class=format!("category-dot group-{}", feature.properties.category.group().key()) aria-hidden="true"></span>
            {move || f.with_value(|f| labels::category_label(i18n, f.category))}
            " · "
            {move || f.with_value(|f| labels::circle_label(i18n, f.circle))}
        </p>
        <dl class="facts">
            <dt>{tr!(i18n, circle.address_label)}</dt>
            <dd>{move || f.with_value(|f| pick(i18n, &f.address_zh, &f.address_en).to_owned())}</dd>
            <dt>{tr!(i18n, circle.walk_label)}</dt>
            <dd class="walk">
                {move || {
                    walk.get()
                        .flatten()
                        .map(|(start, minutes, metres)| {
                            format!(
                                "{} · {}",
                                t_string!(i18n, circle.walk_from, place = start.place(i18n)),
                                walk_text(i18n, minutes, metres, LONGEST_MINUTES),
                            )
                        })
                }}
            </dd>
        </dl>
        <FacilityFacts facility=f/>
        <p>
            <a class="button" href=format!("/circle?facility={id}")>{tr!(i18n, circle.show_on_map)}</a>
        </p>
        <Show when=move || staff.get()>
            <div class="staff-actions">
                <Show
                    when=move || !retired.get()
                    fallback=move || view! { <p class="notice" role="status">{tr!(i18n, circle.retired)}</p> }
                >
                    <a class="button" href=format!("/circle/facilities/{id}/edit")>{tr!(i18n, circle.staff_edit)}</a>
                    <Show
                        when=move || confirming.get()
                        fallback=move || {
                            view! {
                                <button type="button" class="button danger" on:click=move |_| confirming.set(true)>
                                    {tr!(i18n, circle.staff_retire)}
                                </button>
                            }
                        }
                    >
                        <div class="confirm" role="alertdialog" aria-labelledby="retire-question">
                            <p id="retire-question">{tr!(i18n, circle.retire_confirm)}</p>
                            <button type="button" class="button danger" on:click=retire>{tr!(i18n, circle.retire_yes)}</button>
                            <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr!(i18n, circle.cancel)}</button>
                        </div>
                    </Show>
                    {move || retire_error.get().map(|m| view! { <p class="form-alert" role="alert">{m}</p> })}
                </Show>
            </div>
        </Show>
    }
}
