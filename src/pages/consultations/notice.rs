//! The printable result notice (公告) for the notice board: the question, who voted and when,
//! each condition against its threshold, the verdict, and how to check a ballot. The print
//! stylesheet drops the app's chrome so the page prints as a notice.

use crate::api;
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::pages::consultations::labels::scope_name;
use crate::pages::consultations::revisions::{PublishedFigures, outcome_text};
use leptos::prelude::*;
use linli_domain::api::CommunityOverview;
use linli_domain::consultation::TopicDetail;
use linli_domain::figures::china_time_label;

#[component]
pub fn NoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::pages::route_id();
    let data = LocalResource::new(move || {
        let id = id();
        async move {
            let Some(id) = id else { return Ok(None) };
            let topic = api::consultation(id).await?;
            let community = api::community().await?;
            Ok::<_, api::ApiError>(Some((topic, community)))
        }
    });
    view! {
        <section class="page notice-page" aria-labelledby="page-title">
            <Transition fallback=Loading>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Ok(Some((topic, community))) => view! { <Notice topic community/> }.into_any(),
                            Ok(None) | Err(api::ApiError::Problem(_)) => {
                                view! { <crate::pages::not_found::NotFoundPage/> }.into_any()
                            }
                            Err(api::ApiError::Network) => view! { <LoadError retry=move || data.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
            <p class="no-print">
                <a href=move || format!("/consultations/{}", id().unwrap_or_default())>{tr!(i18n, consultations.back_to_topic)}</a>
            </p>
        </section>
    }
}

#[component]
fn Notice(topic: TopicDetail, community: CommunityOverview) -> impl IntoView {
    let i18n = use_i18n();
    // The latest published revision: the one the notice board shows.
    let Some((vote, latest, closed)) = topic.vote.clone().and_then(|v| {
        let closed = v.closed_at?;
        Some((v.clone(), v.revisions.last()?.clone(), closed))
    }) else {
        return view! {
            <h1 id="page-title">{topic.summary.title.clone()}</h1>
            <p class="empty">{tr!(i18n, consultations.no_result_yet)}</p>
        }
        .into_any();
    };
    let summary = topic.summary.clone();
    let figures = view! { <PublishedFigures vote=vote.clone() result=latest.result.clone()/> };
    let intro = move || {
        let title = summary.title.clone();
        let scope = scope_name(i18n, &summary);
        let opened = china_time_label(vote.opened_at);
        let closed = china_time_label(closed);
        let question = vote.question.clone();
        t_string!(
            i18n,
            consultations.notice_intro,
            title,
            scope,
            opened,
            closed,
            question
        )
        .to_string()
    };
    let signed = {
        let c = community.clone();
        move || {
            let community = pick(i18n, &c.name_zh, &c.name_en).to_owned();
            t_string!(i18n, consultations.notice_signed, community).to_string()
        }
    };
    let date = china_time_label(latest.published_at)[..10].to_owned();
    let number = latest.number;
    // A corrected result says so, why, and what revision 1 had said.
    let correction = vote.revisions.first().filter(|_| number > 1).map(|first| {
        let reason = latest.reason.clone();
        let (result, options) = (first.result.clone(), vote.options.clone());
        let at = china_time_label(first.published_at);
        view! {
            <p>{move || t_string!(i18n, consultations.revision_reason, reason = reason.clone())}</p>
            <p>
                {move || {
                    let outcome = outcome_text(i18n, &result, &options);
                    t_string!(i18n, consultations.notice_first_published, at = at.clone(), outcome)
                }}
            </p>
        }
    });
    let title = move || {
        if number > 1 {
            t_string!(i18n, consultations.notice_correction_title, number).to_string()
        } else {
            t_string!(i18n, consultations.notice_title).to_string()
        }
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <article class="result-notice">
            <h1 id="page-title">{title}</h1>
            <p>{intro}</p>
            {correction}
            {figures}
            <p class="hint">{tr!(i18n, consultations.notice_check)}</p>
            <p class="signature">
                {signed}
                <br/>
                {move || t_string!(i18n, consultations.notice_date, date = date.clone())}
            </p>
        </article>
        <p class="no-print">
            <button type="button" class="button primary" on:click=print>{tr!(i18n, consultations.print)}</button>
        </p>
    }
        .into_any()
}
