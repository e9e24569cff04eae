//! 诉求工作台: the staff queue, nearest deadline first, filtered by status, category and
//! overdue. Each request opens its detail page, where staff take the next step.

use crate::api;
use crate::components::request_labels::{
    CategoryFilter, StatusBadge, TimeLeft, now_seconds, status_text,
};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use linli_domain::Role;
use linli_domain::api::CommunityMap;
use linli_domain::request::RequestStatus;

pub mod access_log;

#[component]
pub fn StaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_staff = Memo::new(move |_| match session.0.get() {
        SessionState::SignedIn(me) => Some(me.role.is_staff()),
        SessionState::Loading => None,
        _ => Some(false),
    });
    let is_admin = Memo::new(
        move |_| matches!(session.0.get(), SessionState::SignedIn(me) if me.role == Role::Admin),
    );
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, staff.title)}</h1>
            {move || match is_staff.get() {
                None => view! { <Loading/> }.into_any(),
                Some(false) => view! { <p class="notice">{tr!(i18n, staff.only)}</p> }.into_any(),
                Some(true) => view! { <Queue/> }.into_any(),
            }}
            {move || {
                is_admin
                    .get()
                    .then(|| {
                        view! {
                            <p>
                                <a href="/staff/access-log">{tr!(i18n, staff.access_log_link)}</a>
                            </p>
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn Queue() -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let overdue = RwSignal::new(false);
    let building = RwSignal::new(String::new());
    let map = LocalResource::new(api::community_map::<CommunityMap>);
    let list = LocalResource::new(move || {
        let building = building.get();
        let building = if building.is_empty() {
            String::new()
        } else {
            format!("&building={building}")
        };
        let query = format!(
            "status={}&category={}&overdue={}{building}",
            status.get(),
            category.get(),
            overdue.get()
        );
        async move { api::staff_queue(&query).await }
    });
    view! {
        <form class="filters" aria-label=tr!(i18n, staff.filters) on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="filter-status">{tr!(i18n, staff.filter_status)}</label>
                <select id="filter-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{tr!(i18n, staff.all_open)}</option>
                    {RequestStatus::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.key()>{move || status_text(i18n, s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <CategoryFilter id="filter-category" value=category/>
            <div class="field">
                <label for="filter-building">{tr!(i18n, staff.filter_building)}</label>
                <select id="filter-building" on:change=move |ev| building.set(event_target_value(&ev))>
                    <option value="">{tr!(i18n, staff.all_buildings)}</option>
                    {move || {
                        map.get()
                            .and_then(Result::ok)
                            .map(|m| {
                                m.buildings
                                    .iter()
                                    .map(|b| {
                                        let label = crate::components::community_map::building_label(i18n, &m, b);
                                        view! { <option value=b.id>{label}</option> }
                                    })
                                    .collect_view()
                            })
                    }}
                </select>
            </div>
            <label class="choice">
                <input type="checkbox" on:change=move |ev| overdue.set(event_target_checked(&ev))/>
                <span>{tr!(i18n, staff.overdue_only)}</span>
            </label>
        </form>
        <Transition fallback=Loading>
            {move || {
                list.get()
                    .map(|result| match result {
                        Ok(items) if items.is_empty() => {
                            view! { <p class="empty">{tr!(i18n, staff.empty)}</p> }.into_any()
                        }
                        Ok(items) => {
                            let now = now_seconds();
                            view! {
                                <ul class="request-list">
                                    {items
                                        .into_iter()
                                        .map(|item| {
                                            view! {
                                                <li>
                                                    <a class="request-link" href=format!("/requests/{}", item.id)>
                                                        <strong>{item.title.clone()}</strong>
                                                        <span class="meta">{item.tracking_number.clone()}</span>
                                                        <span class="request-status">
                                                            <StatusBadge status=item.status/>
                                                            <TimeLeft deadline=item.deadlines.resolve_by now/>
                                                        </span>
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(_) => view! { <LoadError retry=move || list.refetch()/> }.into_any(),
                    })
            }}
        </Transition>
    }
}
