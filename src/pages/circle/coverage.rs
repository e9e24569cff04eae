//! The coverage card: each category of the life-circle standard (GB 50180-2018), the nearest
//! facility of it on foot and whether that is within the standard's minutes, as the server
//! counted it. What is missing can be raised at once as a request or a proposal.
//!
//! The card is below the list, and its body is a module of its own, fetched when the resident
//! scrolls near it: a first visit on a phone loads the list without it. Its heading is the
//! page's, so a screen reader's list of headings has it, and going there brings the body.

use super::{Home, LONGEST_MINUTES, Nearby, labels};
use crate::api;
use crate::components::status::LoadError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use linli_domain::coverage::{CategoryCoverage, Coverage};
use linli_domain::facility::Circle;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// The request category a missing facility is reported under.
const MISSING_REQUEST_CATEGORY: &str = "public_facilities";

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The card: its heading, then its body once the resident has scrolled within a screen of it
/// and its module has come (at once when the module is in the cache already). `near` is the
/// page's, so a new walk (another speed, another start) redraws the card at once. A module
/// that could not be downloaded is said, with a retry.
#[component]
pub fn LazyCoverageCard(
    answer: api::Answer,
    rows: Vec<Nearby>,
    home: Home,
    near: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slot = NodeRef::<leptos::html::Section>::new();
    let attempt = RwSignal::new(0u32);
    Effect::new(move || {
        if let Some(slot) = slot.get()
            && !near.get_untracked()
        {
            watch_for_near(&slot, near);
        }
    });
    let (answer, rows) = (StoredValue::new(answer), StoredValue::new(rows));
    let body = move || {
        attempt.track();
        near.get().then(|| {
            Suspend::new(async move {
                match coverage_card(answer.get_value(), rows.get_value(), home).await {
                    Ok(body) => body,
                    Err(_) => {
                        view! { <LoadError retry=move || attempt.update(|n| *n += 1)/> }.into_any()
                    }
                }
            })
        })
    };
    view! {
        <section class="card coverage-card" aria-labelledby="coverage-heading" node_ref=slot>
            <h2 id="coverage-heading">{tr!(i18n, circle.coverage_heading)}</h2>
            {body}
        </section>
    }
}

/// Sets `near` once `element` comes within a screen's height of the viewport. (leptos-use's
/// `use_intersection_observer` does this too, but the feature it needs turns on event filters
/// in the leptos-use that leptos_i18n uses: 2.4 KB more in every first load.)
fn watch_for_near(element: &web_sys::Element, near: RwSignal<bool>) {
    let callback = Closure::<dyn Fn(js_sys::Array, IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: IntersectionObserver| {
            let seen = entries.iter().any(|e| {
                e.unchecked_into::<IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if seen {
                near.set(true);
                observer.disconnect();
            }
        },
    );
    let options = IntersectionObserverInit::new();
    options.set_root_margin("100% 0px");
    let Ok(observer) =
        IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
    else {
        // No observer (a very old browser): the card is simply shown.
        near.set(true);
        return;
    };
    observer.observe(element);
    // The callback and the observer live as long as the effect that made them (its owner keeps
    // the callback, and disconnects the observer when it is cleaned up).
    StoredValue::new_local(callback);
    on_cleanup(move || observer.disconnect());
}

/// What the card reads of a walking answer (`WalkingAreas`, read in part).
#[derive(Deserialize)]
struct CoverageOf {
    coverage: Coverage,
}

/// The split point of the card's module (`cargo xtask dist` cuts the wasm here). Fallible: a
/// module that cannot be downloaded is said in the card.
#[leptos::wasm_split::wasm_split(
    coverage_card,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
fn coverage_card(
    answer: api::Answer,
    rows: Vec<Nearby>,
    home: Home,
) -> Result<AnyView, SplitLoaderError> {
    Ok(match answer.read::<CoverageOf>() {
        Some(CoverageOf { coverage }) => view! { <CoverageBody coverage rows home/> }.into_any(),
        None => ().into_any(),
    })
}

/// The card under its heading: the score, each category, and what to do about what is missing.
#[component]
fn CoverageBody(coverage: Coverage, rows: Vec<Nearby>, home: Home) -> impl IntoView {
    let i18n = use_i18n();
    let (met, total, speed) = (coverage.met, coverage.total, coverage.metres_per_minute);
    let rows = StoredValue::new(rows);
    let circles = [
        Circle::Block,
        Circle::FiveMinute,
        Circle::TenMinute,
        Circle::FifteenMinute,
    ];
    let missing: Vec<CategoryCoverage> = coverage
        .categories
        .iter()
        .filter(|c| !c.met)
        .cloned()
        .collect();
    let categories = StoredValue::new(coverage.categories);
    view! {
            <p class="coverage-score">
                <strong>{move || t_string!(i18n, circle.coverage_score, met, total)}</strong>
            </p>
            <meter min="0" max=total value=met aria-hidden="true"></meter>
            <p class="hint">{tr!(i18n, circle.coverage_intro)}</p>
            {circles
                .into_iter()
                .map(|circle| {
                    let lines: Vec<CategoryCoverage> = categories
                        .with_value(|all| all.iter().filter(|c| c.circle == circle).cloned().collect());
                    view! {
                        <h3>{move || labels::circle_label(i18n, circle)}</h3>
                        <ul class="plain-list coverage-lines">
                            {lines
                                .into_iter()
                                .map(|line| view! { <CoverageLine line rows/> })
                                .collect_view()}
                        </ul>
                    }
                })
                .collect_view()}
            <Show when={
                let any = !missing.is_empty();
                move || any
            }>
                <h3>{tr!(i18n, circle.missing_heading)}</h3>
            </Show>
            <ul class="plain-list missing-actions">
                {missing
                    .into_iter()
                    .map(|line| view! { <MissingActions line home speed/> })
                    .collect_view()}
            </ul>
    }
}

#[component]
fn CoverageLine(line: CategoryCoverage, rows: StoredValue<Vec<Nearby>>) -> impl IntoView {
    let i18n = use_i18n();
    let category = line.category;
    let nearest = line.nearest.clone().map(|n| {
        let name = rows.with_value(|rows| {
            rows.iter()
                .find(|r| r.id == n.facility_id)
                .map(|r| (r.facility.name_zh.clone(), r.facility.name_en.clone()))
        });
        (name.unwrap_or_default(), n.minutes)
    });
    let nearest_minutes = nearest.as_ref().map(|n| n.1);
    view! {
        <li class=if line.met { "coverage-line met" } else { "coverage-line missing" } data-category=category.key()>
            <span class="coverage-status">
                <span aria-hidden="true">{if line.met { "✓ " } else { "✗ " }}</span>
                {move || {
                    if line.met {
                        t_string!(i18n, circle.met).to_string()
                    } else {
                        t_string!(i18n, circle.missing).to_string()
                    }
                }}
            </span>
            <span class="coverage-category">{move || labels::category_label(i18n, category)}</span>
            <span class="coverage-nearest" data-minutes=nearest_minutes>
                {move || match &nearest {
                    Some(((zh, en), minutes)) => {
                        let (name, minutes) = (pick(i18n, zh, en).to_owned(), *minutes);
                        t_string!(i18n, circle.nearest, name, minutes).to_string()
                    }
                    None => t_string!(i18n, circle.none_reachable, minutes = LONGEST_MINUTES).to_string(),
                }}
            </span>
        </li>
    }
}

/// "附近缺少药店": a request to the community office, or a proposal to discuss, filled in.
#[component]
fn MissingActions(line: CategoryCoverage, home: Home, speed: u32) -> impl IntoView {
    let i18n = use_i18n();
    let key = line.category.key();
    let line = StoredValue::new(line);
    let texts = move || -> (String, String) {
        let line = line.get_value();
        let category = labels::category_label(i18n, line.category);
        let title = t_string!(i18n, circle.missing_title, category = category.clone()).to_string();
        let nearest = match &line.nearest {
            Some(n) => t_string!(i18n, circle.missing_nearest, minutes = n.minutes).to_string(),
            None => t_string!(i18n, circle.missing_none, minutes = LONGEST_MINUTES).to_string(),
        };
        let description = t_string!(
            i18n,
            circle.missing_description,
            place = home.place(i18n),
            speed,
            within = line.within_minutes,
            category,
            nearest
        )
        .to_string();
        (title, description)
    };
    let request = move || {
        let (title, description) = texts();
        format!(
            "/requests/new?category={MISSING_REQUEST_CATEGORY}&title={}&description={}",
            encode(&title),
            encode(&description)
        )
    };
    let proposal = move || {
        let (title, description) = texts();
        format!(
            "/consultations/new?title={}&background={}",
            encode(&title),
            encode(&description)
        )
    };
    view! {
        <li data-category=key>
            <strong>{move || texts().0}</strong>
            <span class="button-row">
                <a class="button small" href=request>{tr!(i18n, circle.report_missing)}</a>
                <a class="button small" href=proposal>{tr!(i18n, circle.propose_missing)}</a>
            </span>
        </li>
    }
}
