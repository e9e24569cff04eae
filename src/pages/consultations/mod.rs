//! 议事 ("有事好商量"): the consultations tab. Every topic by phase (voting now first), the way
//! to propose one, and how consultations work.

pub mod action;
pub mod detail;
pub mod labels;
pub mod notice;
pub mod propose;
pub mod revisions;
pub mod vote;

use crate::api;
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::session::{SessionState, use_session};
use labels::{TopicStatusBadge, scope_name};
use leptos::prelude::*;
use linli_domain::consultation::{TopicStatus, TopicSummary};
use linli_domain::figures::china_time_label;

#[component]
pub fn ConsultationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let topics = LocalResource::new(api::consultations);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">
                {tr!(i18n, consultations.title)}
                <span class="subtitle">{tr!(i18n, consultations.subtitle)}</span>
            </h1>
            <p class="lead">{tr!(i18n, consultations.intro)}</p>
            {move || match session.0.get() {
                SessionState::SignedIn(me) if me.is_verified() => {
                    view! {
                        <p>
                            <a class="button primary" href="/consultations/new">{tr!(i18n, consultations.propose)}</a>
                        </p>
                    }
                        .into_any()
                }
                SessionState::SignedIn(_) => {
                    view! {
                        <p>
                            <a class="button primary" href="/me/household">{tr!(i18n, consultations.bind_to_vote)}</a>
                        </p>
                    }
                        .into_any()
                }
                _ => {
                    view! {
                        <p>
                            <a class="button primary" href="/login">{tr!(i18n, consultations.login_to_take_part)}</a>
                        </p>
                    }
                        .into_any()
                }
            }}
            <Transition fallback=Loading>
                {move || {
                    topics
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! { <p class="empty">{tr!(i18n, consultations.none_yet)}</p> }.into_any()
                            }
                            Ok(list) => view! { <TopicGroups list/> }.into_any(),
                            Err(_) => view! { <LoadError retry=move || topics.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
            <details class="how-it-works">
                <summary>{tr!(i18n, consultations.how_it_works)}</summary>
                <ol class="steps">
                    <li>{tr!(i18n, consultations.step_propose)}</li>
                    <li>{tr!(i18n, consultations.step_discuss)}</li>
                    <li>{tr!(i18n, consultations.step_decide)}</li>
                    <li>{tr!(i18n, consultations.step_publish)}</li>
                    <li>{tr!(i18n, consultations.step_evaluate)}</li>
                </ol>
                <p class="notice">{tr!(i18n, consultations.owners_note)}</p>
            </details>
        </section>
    }
}

/// Which heading a topic is listed under: what needs residents now comes first.
fn group_of(status: TopicStatus) -> usize {
    match status {
        TopicStatus::Voting => 0,
        TopicStatus::Collecting => 1,
        TopicStatus::InReview | TopicStatus::Accepted => 2,
        TopicStatus::Decided | TopicStatus::Declined => 3,
    }
}

#[component]
fn TopicGroups(list: Vec<TopicSummary>) -> impl IntoView {
    let i18n = use_i18n();
    (0..4)
        .filter_map(|group| {
            let items: Vec<TopicSummary> = list
                .iter()
                .filter(|t| group_of(t.status) == group)
                .cloned()
                .collect();
            if items.is_empty() {
                return None;
            }
            let heading_id = format!("topics-{group}");
            let labelled_by = heading_id.clone();
            Some(view! {
                <section aria-labelledby=labelled_by>
                    <h2 id=heading_id>
                        {move || match group {
                            0 => t_string!(i18n, consultations.group_voting),
                            1 => t_string!(i18n, consultations.group_collecting),
                            2 => t_string!(i18n, consultations.group_agenda),
                            _ => t_string!(i18n, consultations.group_done),
                        }}
                    </h2>
                    <ul class="request-list topic-list">
                        {items.into_iter().map(|topic| view! { <TopicItem topic/> }).collect_view()}
                    </ul>
                </section>
            })
        })
        .collect_view()
}

#[component]
fn TopicItem(topic: TopicSummary) -> impl IntoView {
    let i18n = use_i18n();
    let collecting = topic.status == TopicStatus::Collecting;
    let (count, threshold) = (topic.cosigns, topic.cosign_threshold);
    let scope = {
        let topic = topic.clone();
        move || scope_name(i18n, &topic)
    };
    view! {
        <li>
            <a class="request-link" href=format!("/consultations/{}", topic.id)>
                <strong>{topic.title.clone()}</strong>
                <span class="meta">{scope} " · " {china_time_label(topic.created_at)}</span>
                <span class="request-status">
                    <TopicStatusBadge status=topic.status/>
                    {collecting
                        .then(|| {
                            view! {
                                <span class="badge">
                                    {move || t_string!(i18n, consultations.cosign_count, count, threshold)}
                                </span>
                            }
                        })}
                </span>
            </a>
        </li>
    }
}
