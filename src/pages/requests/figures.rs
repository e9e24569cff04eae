//! 办事数据公开: the public figures of a month, in total and by category, as a chart and as a
//! table with the same numbers (the table is what screen readers read).

use crate::api;
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use linli_domain::catalogue::RequestCategory;
use linli_domain::figures::{Figures, FiguresReport, Ratio, YearMonth};
use linli_domain::fixed_decimal;

#[component]
pub fn FiguresPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let month = Memo::new(move |_| query.read().get("month").and_then(|m| YearMonth::parse(&m)));
    let report =
        LocalResource::new(move || api::request_figures(month.get().map(|m| m.to_string())));
    let catalogue = LocalResource::new(api::request_categories);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, figures.title)}</h1>
            <p class="lead">{tr!(i18n, figures.intro)}</p>
            <Transition fallback=Loading>
                {move || {
                    let categories = catalogue.get().and_then(Result::ok).unwrap_or_default();
                    report
                        .get()
                        .map(|result| match result {
                            Ok(report) => view! { <Report report categories/> }.into_any(),
                            Err(_) => view! { <LoadError retry=move || report.refetch()/> }.into_any(),
                        })
                }}
            </Transition>
            <p class="hint">{tr!(i18n, figures.definitions)}</p>
        </section>
    }
}

#[component]
fn Report(report: FiguresReport, categories: Vec<RequestCategory>) -> impl IntoView {
    let i18n = use_i18n();
    let month = YearMonth::parse(&report.month);
    let nav = month.map(|m| {
        let next = YearMonth::of(m.bounds().1);
        (m.previous(), next)
    });
    let t = report.total;
    let name = StoredValue::new(categories);
    let category_name = move |code: &str| {
        name.with_value(|cats| {
            cats.iter()
                .find(|c| c.code == code)
                .map(|c| pick(i18n, &c.name_zh, &c.name_en).to_owned())
                .unwrap_or_else(|| code.to_owned())
        })
    };
    let rows: Vec<_> = report
        .by_category
        .into_iter()
        .filter(|c| c.figures.received > 0)
        .collect();
    let max = rows
        .iter()
        .map(|c| c.figures.received)
        .max()
        .unwrap_or(1)
        .max(1);
    view! {
        <nav class="month-nav" aria-label=tr!(i18n, figures.title)>
            {nav.map(|(previous, _)| view! {
                <a class="button secondary" href=format!("/requests/figures?month={previous}")>{tr!(i18n, figures.previous)}</a>
            })}
            <h2 class="month">{report.month.clone()}</h2>
            {nav.map(|(_, next)| view! {
                <a class="button secondary" href=format!("/requests/figures?month={next}")>{tr!(i18n, figures.next)}</a>
            })}
        </nav>
        <dl class="figure-grid">
            <div><dt>{tr!(i18n, figures.received)}</dt><dd>{t.received}</dd></div>
            <div><dt>{tr!(i18n, figures.completion_rate)}</dt><dd>{percent(t.completion)}</dd></div>
            <div><dt>{tr!(i18n, figures.response_rate)}</dt><dd>{percent(t.response)}</dd></div>
            <div><dt>{tr!(i18n, figures.satisfaction_rate)}</dt><dd>{percent(t.satisfaction)}</dd></div>
            <div><dt>{tr!(i18n, figures.median)}</dt><dd>{move || hours(i18n, t)}</dd></div>
            <div><dt>{tr!(i18n, figures.overdue)}</dt><dd>{t.overdue}</dd></div>
        </dl>
        <h2>{tr!(i18n, figures.by_category)}</h2>
        <figure class="chart">
            <svg
                role="img"
                aria-labelledby="chart-caption"
                viewBox=format!("0 0 320 {}", rows.len().max(1) * 34)
                width="100%"
            >
                {rows
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let y = i * 34;
                        let received = c.figures.received as f64 / max as f64 * 200.0;
                        let completed = c.figures.completed as f64 / max as f64 * 200.0;
                        let code = c.category.clone();
                        view! {
                            <g transform=format!("translate(0 {y})")>
                                <text x="0" y="14" class="chart-label">{move || category_name(&code)}</text>
                                <rect x="96" y="2" height="12" width=fixed_decimal(received, 1) class="bar-received"></rect>
                                <rect x="96" y="16" height="12" width=fixed_decimal(completed, 1) class="bar-completed"></rect>
                                <text x=fixed_decimal(100.0 + received, 1) y="13" class="chart-value">{c.figures.received}</text>
                                <text x=fixed_decimal(100.0 + completed, 1) y="27" class="chart-value">{c.figures.completed}</text>
                            </g>
                        }
                    })
                    .collect_view()}
            </svg>
            <figcaption id="chart-caption">
                {tr!(i18n, figures.chart_caption)} " ("
                <span class="legend-received">{tr!(i18n, figures.received)}</span> " / "
                <span class="legend-completed">{tr!(i18n, figures.completed)}</span> ")"
            </figcaption>
        </figure>
        // Focusable, so a keyboard user can scroll a table wider than the phone.
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="figures-table-caption">
            <table>
                <caption id="figures-table-caption" class="visually-hidden">{tr!(i18n, figures.table_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(i18n, figures.category)}</th>
                        <th scope="col">{tr!(i18n, figures.received)}</th>
                        <th scope="col">{tr!(i18n, figures.completed)}</th>
                        <th scope="col">{tr!(i18n, figures.completion_rate)}</th>
                        <th scope="col">{tr!(i18n, figures.response_rate)}</th>
                        <th scope="col">{tr!(i18n, figures.satisfaction_rate)}</th>
                        <th scope="col">{tr!(i18n, figures.overdue)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|c| {
                            let f = c.figures;
                            let code = c.category;
                            view! {
                                <tr>
                                    <th scope="row">{move || category_name(&code)}</th>
                                    <td>{f.received}</td>
                                    <td>{f.completed}</td>
                                    <td>{percent(f.completion)}</td>
                                    <td>{percent(f.response)}</td>
                                    <td>{percent(f.satisfaction)}</td>
                                    <td>{f.overdue}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `95.0%`, or `—` when there is nothing to divide by.
fn percent(ratio: Ratio) -> String {
    ratio.percent_label()
}

fn hours(i18n: leptos_i18n::I18nContext<Locale>, figures: Figures) -> String {
    figures
        .median_seconds_to_resolution
        .map(|s| {
            let tenths = (s * 10 + 1800) / 3600;
            let count = format!("{}.{}", tenths / 10, tenths % 10);
            t_string!(i18n, figures.hours, count = count).to_string()
        })
        .unwrap_or_else(|| "—".to_owned())
}
