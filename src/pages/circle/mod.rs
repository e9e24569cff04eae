//! 服务圈: the 15-minute service circle tab. For now: the community in figures (a live data
//! view with loading, error and empty states); the map comes with the service-circle feature.

use crate::api::{self, ApiError};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use leptos::prelude::*;
use linli_domain::api::CommunityOverview;

#[component]
pub fn CirclePage() -> impl IntoView {
    let i18n = use_i18n();
    let overview = LocalResource::new(api::community);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">
                {t!(i18n, circle.title)}
                <span class="subtitle">{t!(i18n, circle.subtitle)}</span>
            </h1>
            <p class="lead">{t!(i18n, circle.intro)}</p>
            <p class="hint">{t!(i18n, circle.walking_note)}</p>
            <Transition fallback=Loading>
                {move || {
                    overview
                        .get()
                        .map(|result| match result {
                            Ok(community) => view! { <Community community/> }.into_any(),
                            Err(ApiError::Problem(p)) if p.status == 404 => {
                                view! { <p class="empty">{t!(i18n, states.empty)}</p> }.into_any()
                            }
                            Err(_) => view! { <LoadError retry=move || overview.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
            <p class="notice">{t!(i18n, circle.map_coming)}</p>
        </section>
    }
}

#[component]
fn Community(community: CommunityOverview) -> impl IntoView {
    let i18n = use_i18n();
    let zh = move || i18n.get_locale() == Locale::zh_CN;
    let name = {
        let c = community.clone();
        move || {
            if zh() {
                format!("{} · {}", c.city_zh, c.name_zh)
            } else {
                format!("{}, {}", c.name_en, c.city_en)
            }
        }
    };
    let (households, verified, facilities) = (
        community.households,
        community.verified_households,
        community.facilities,
    );
    view! {
        <section class="card" aria-labelledby="community-heading">
            <h2 id="community-heading">{t!(i18n, circle.community_heading)}</h2>
            <p class="community-name">{name}</p>
            <p>{move || t_string!(i18n, circle.households_count, count = households, verified = verified)}</p>
            <p>{move || t_string!(i18n, circle.facilities_count, count = facilities)}</p>
            <h3>{t!(i18n, circle.compounds_heading)}</h3>
            <ul class="plain-list">
                {community
                    .compounds
                    .into_iter()
                    .map(|c| {
                        let label = {
                            let c = c.clone();
                            move || pick(i18n, &c.name_zh, &c.name_en).to_owned()
                        };
                        view! {
                            <li>
                                <strong>{label}</strong>
                                <span class="meta">
                                    {move || t_string!(
                                        i18n, circle.compound_line,
                                        buildings = c.buildings, households = c.households, year = c.built_year
                                    )}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
