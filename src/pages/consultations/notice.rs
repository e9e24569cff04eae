//! The printable result notice (公告) for the notice board: the question, who voted and when,
//! each condition against its threshold, the verdict, and how to check a ballot. The print
//! stylesheet drops the app's chrome so the page prints as a notice.

use crate::api;
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::pages::consultations::labels::scope_name;
use crate::pages::consultations::vote::ResultView;
use leptos::prelude::*;
use linli_domain::api::CommunityOverview;
use linli_domain::consultation::{Electorate, TopicDetail};
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
                <a href=move || format!("/consultations/{}", id().unwrap_or_default())>{t!(i18n, consultations.back_to_topic)}</a>
            </p>
        </section>
    }
}

#[component]
fn Notice(topic: TopicDetail, community: CommunityOverview) -> impl IntoView {
    let i18n = use_i18n();
    let Some((vote, tally, verdict, closed)) = topic.vote.clone().and_then(|v| {
        let closed = v.closed_at?;
        Some((v.clone(), v.tally?, v.verdict?, closed))
    }) else {
        return view! {
            <h1 id="page-title">{topic.summary.title.clone()}</h1>
            <p class="empty">{t!(i18n, consultations.no_result_yet)}</p>
        }
        .into_any();
    };
    let summary = topic.summary.clone();
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
    let date = china_time_label(closed)[..10].to_owned();
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <article class="result-notice">
            <h1 id="page-title">{t!(i18n, consultations.notice_title)}</h1>
            <p>{intro}</p>
            <ResultView rule=vote.rule owners=vote.electorate == Electorate::Owners tally verdict=Some(verdict)/>
            <p class="hint">{t!(i18n, consultations.notice_check)}</p>
            <p class="signature">
                {signed}
                <br/>
                {move || t_string!(i18n, consultations.notice_date, date = date.clone())}
            </p>
        </article>
        <p class="no-print">
            <button type="button" class="button primary" on:click=print>{t!(i18n, consultations.print)}</button>
        </p>
    }
        .into_any()
}
