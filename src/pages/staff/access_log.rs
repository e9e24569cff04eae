//! 个人信息访问日志, for admins: each time staff opened a resident's full number, newest first,
//! with who, when, why and the request; older pages load below on demand.

use crate::api;
use crate::components::request_labels::contact_purpose_text;
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::Role;
use linli_domain::contact::AccessLogEntry;
use linli_domain::figures::china_time_label;

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_admin = Memo::new(move |_| match session.0.get() {
        SessionState::SignedIn(me) => Some(me.role == Role::Admin),
        SessionState::Loading => None,
        _ => Some(false),
    });
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, staff.access_log_title)}</h1>
            {move || match is_admin.get() {
                None => view! { <Loading/> }.into_any(),
                Some(false) => view! { <p class="notice">{tr!(i18n, staff.access_log_only)}</p> }.into_any(),
                Some(true) => view! { <Log/> }.into_any(),
            }}
            <p>
                <a href="/staff">{tr!(i18n, staff.title)}</a>
            </p>
        </section>
    }
}

#[component]
fn Log() -> impl IntoView {
    let i18n = use_i18n();
    let first = LocalResource::new(|| api::access_log(None));
    // Older pages, appended as they are asked for.
    let older = RwSignal::new(Vec::<AccessLogEntry>::new());
    let next_before = RwSignal::new(None::<Option<i64>>);
    let loading_more = RwSignal::new(false);
    let more = move |_| {
        let Some(Some(before)) = next_before.get_untracked() else {
            return;
        };
        loading_more.set(true);
        spawn_local(async move {
            if let Ok(page) = api::access_log(Some(before)).await {
                older.update(|entries| entries.extend(page.entries));
                next_before.set(Some(page.next_before));
            }
            loading_more.set(false);
        });
    };
    view! {
        <p class="intro">{tr!(i18n, staff.access_log_intro)}</p>
        <Transition fallback=Loading>
            {move || {
                first
                    .get()
                    .map(|result| match result {
                        Ok(page) if page.entries.is_empty() => {
                            view! { <p class="empty">{tr!(i18n, staff.access_log_empty)}</p> }.into_any()
                        }
                        Ok(page) => {
                            if next_before.get_untracked().is_none() {
                                next_before.set(Some(page.next_before));
                            }
                            let entries = page.entries;
                            view! {
                                <ol class="timeline access-log" aria-label=tr!(i18n, staff.access_log_caption)>
                                    {entries.into_iter().map(|e| view! { <Entry e/> }).collect_view()}
                                    {move || older.get().into_iter().map(|e| view! { <Entry e/> }).collect_view()}
                                </ol>
                                {move || {
                                    matches!(next_before.get(), Some(Some(_)))
                                        .then(|| {
                                            view! {
                                                <p class="actions">
                                                    <button
                                                        type="button"
                                                        class="button secondary"
                                                        disabled=move || loading_more.get()
                                                        on:click=more
                                                    >
                                                        {tr!(i18n, staff.access_log_more)}
                                                    </button>
                                                </p>
                                            }
                                        })
                                }}
                            }
                                .into_any()
                        }
                        Err(_) => view! { <LoadError retry=move || first.refetch()/> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// One opening: when, who and why, and the request it was for.
#[component]
fn Entry(e: AccessLogEntry) -> impl IntoView {
    let i18n = use_i18n();
    let purpose = e.purpose;
    view! {
        <li>
            <span class="meta">{china_time_label(e.at)}</span>
            <strong>{e.actor_name} " · " {move || contact_purpose_text(i18n, purpose)}</strong>
            <span class="note">
                <a href=format!("/requests/{}", e.request_id)>{e.tracking_number}</a>
            </span>
        </li>
    }
}
