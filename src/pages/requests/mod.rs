//! 办事: the service-requests tab. Signed in: "new request" and my requests; a visitor sees
//! what the tab offers and a way to log in.

pub mod contact;
pub mod detail;
pub mod figures;
pub mod new;
pub mod public;

use crate::api;
use crate::components::request_labels::{StatusBadge, TimeLeft, now_seconds};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use linli_domain::api::RequestSummary;
use linli_domain::figures::china_time_label;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let signed_in = Memo::new(move |_| matches!(session.0.get(), SessionState::SignedIn(_)));
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, requests.title)}</h1>
            <p class="lead">{tr!(i18n, requests.intro)}</p>
            <p>
                <a href="/requests/figures">{tr!(i18n, figures.link)}</a>
                " · "
                <a href="/requests/public">{tr!(i18n, requests.public_link)}</a>
            </p>
            {move || {
                if signed_in.get() {
                    view! {
                        <p>
                            <a class="button primary" href="/requests/new">{tr!(i18n, requests.new_request)}</a>
                        </p>
                        <MyRequests/>
                    }
                        .into_any()
                } else {
                    view! { <Introduction/> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Introduction() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p>{tr!(i18n, requests.what_you_get)}</p>
        <h2>{tr!(i18n, requests.categories_heading)}</h2>
        <ul class="chip-list">
            <li>{tr!(i18n, requests.cat_repairs)}</li>
            <li>{tr!(i18n, requests.cat_sanitation)}</li>
            <li>{tr!(i18n, requests.cat_facilities)}</li>
            <li>{tr!(i18n, requests.cat_safety)}</li>
            <li>{tr!(i18n, requests.cat_disputes)}</li>
            <li>{tr!(i18n, requests.cat_elderly)}</li>
            <li>{tr!(i18n, requests.cat_household)}</li>
            <li>{tr!(i18n, requests.cat_policy)}</li>
        </ul>
        <p>
            <a class="button primary" href="/login">{tr!(i18n, requests.login_to_submit)}</a>
        </p>
    }
}

#[component]
fn MyRequests() -> impl IntoView {
    let i18n = use_i18n();
    // Loaded again when a request kept offline has been sent, so it shows up here.
    let list = LocalResource::new(|| {
        crate::outbox::track_deliveries();
        api::my_requests()
    });
    view! {
        <section aria-labelledby="my-requests-heading">
            <h2 id="my-requests-heading">{tr!(i18n, requests.my_requests)}</h2>
            <Transition fallback=Loading>
                {move || {
                    list.get()
                        .map(|result| match result {
                            Ok(items) if items.is_empty() => {
                                view! { <p class="empty">{tr!(i18n, requests.none_yet)}</p> }.into_any()
                            }
                            Ok(items) => {
                                view! {
                                    <ul class="request-list">
                                        <For each=move || items.clone() key=|r| (r.id, r.status) let:item>
                                            <RequestItem item/>
                                        </For>
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(_) => view! { <LoadError retry=move || list.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn RequestItem(item: RequestSummary) -> impl IntoView {
    let i18n = use_i18n();
    let now = now_seconds();
    let open = !item.status.is_final() && !item.status.is_completed();
    view! {
        <li>
            <a class="request-link" href=format!("/requests/{}", item.id)>
                <strong>{item.title.clone()}</strong>
                <span class="meta">{item.tracking_number.clone()} " · " {china_time_label(item.submitted_at)}</span>
                <span class="request-status">
                    <StatusBadge status=item.status/>
                    {item.following.then(|| view! { <span class="badge">{tr!(i18n, requests.following_badge)}</span> })}
                    {open.then(|| view! { <TimeLeft deadline=item.deadlines.resolve_by now/> })}
                </span>
            </a>
        </li>
    }
}
