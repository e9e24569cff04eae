//! 诉求公示: every request's progress for anyone, without login and without personal data:
//! no names, numbers, descriptions or photos, and places rounded to about 100 m.

use crate::api;
use crate::components::community_map::CommunityMapView;
use crate::components::request_labels::{CategoryFilter, StatusBadge};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::api::{CommunityMap, PublicRequestItem, PublicRequestPage};
use linli_domain::figures::china_time_label;

#[component]
pub fn PublicRequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let category = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let map = LocalResource::new(api::community_map::<CommunityMap>);
    let filter = move || format!("category={}&state={}", category.get(), state.get());
    let first = LocalResource::new(move || {
        let query = filter();
        async move { api::public_requests(&query).await }
    });
    // Pages loaded with "more", after the first.
    let more = RwSignal::new(Vec::<PublicRequestItem>::new());
    let next = RwSignal::new(None::<i64>);
    Effect::new(move || {
        if let Some(Ok(page)) = first.get() {
            more.set(Vec::new());
            next.set(page.next_before);
        }
    });
    let load_more = move |_| {
        let Some(before) = next.get_untracked() else {
            return;
        };
        let query = format!("{}&before={before}", untrack(filter));
        spawn_local(async move {
            if let Ok(PublicRequestPage { items, next_before }) = api::public_requests(&query).await
            {
                more.update(|m| m.extend(items));
                next.set(next_before);
            }
        });
    };
    let all_items = move || {
        let mut items = match first.get() {
            Some(Ok(page)) => page.items,
            _ => Vec::new(),
        };
        items.extend(more.get());
        items
    };
    let marks = Signal::derive(move || {
        all_items()
            .into_iter()
            .filter_map(|i| i.location)
            .collect::<Vec<_>>()
    });
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, requests.public_title)}</h1>
            <p>{tr!(i18n, requests.public_intro)}</p>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <CategoryFilter id="public-category" value=category/>
                <div class="field">
                    <label for="public-state">{tr!(i18n, requests.public_state)}</label>
                    <select id="public-state" on:change=move |ev| state.set(event_target_value(&ev))>
                        <option value="">{tr!(i18n, requests.public_state_all)}</option>
                        <option value="open">{tr!(i18n, requests.public_state_open)}</option>
                        <option value="closed">{tr!(i18n, requests.public_state_closed)}</option>
                    </select>
                </div>
            </form>
            {move || {
                map.get()
                    .and_then(Result::ok)
                    .map(|map| {
                        view! {
                            <CommunityMapView map marks/>
                            <p class="hint">{tr!(i18n, requests.public_map_caption)}</p>
                        }
                    })
            }}
            <Transition fallback=Loading>
                {move || {
                    first
                        .get()
                        .map(|result| match result {
                            Err(_) => view! { <LoadError retry=move || first.refetch()/> }.into_any(),
                            Ok(_) if all_items().is_empty() => {
                                view! { <p class="empty">{tr!(i18n, requests.public_empty)}</p> }.into_any()
                            }
                            Ok(_) => {
                                view! {
                                    <ul class="request-list public-list">
                                        {all_items().into_iter().map(|item| view! { <PublicItem item/> }).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            {move || {
                next.get()
                    .is_some()
                    .then(|| {
                        view! {
                            <p>
                                <button type="button" class="button secondary" on:click=load_more>
                                    {tr!(i18n, requests.public_more)}
                                </button>
                            </p>
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn PublicItem(item: PublicRequestItem) -> impl IntoView {
    let i18n = use_i18n();
    let (zh, en) = (
        item.compound_zh.clone().unwrap_or_default(),
        item.compound_en.clone().unwrap_or_default(),
    );
    let followers = item.followers;
    view! {
        <li>
            <div class="request-link">
                <strong>{item.title.clone()}</strong>
                <span class="meta">
                    {item.tracking_number.clone()} " · " {china_time_label(item.submitted_at)}
                    {(!zh.is_empty()).then(|| view! { " · " {move || pick(i18n, &zh, &en).to_owned()} })}
                </span>
                <span class="request-status">
                    <StatusBadge status=item.status/>
                    {item.overdue.then(|| view! { <span class="badge overdue">{tr!(i18n, requests.overdue)}</span> })}
                    {(followers > 0).then(|| view! { <span class="meta">{move || t_string!(i18n, requests.similar_followers, count = followers)}</span> })}
                </span>
            </div>
        </li>
    }
}
