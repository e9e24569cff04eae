//! Words and badges for requests, shared by the list and the detail page.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::contact::ContactPurpose;
use linli_domain::figures::split_duration;
use linli_domain::request::RequestStatus;
use linli_domain::request::seconds_left;

pub fn status_text(i18n: I18nContext<Locale>, status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Submitted => t_string!(i18n, request_status.submitted),
        RequestStatus::Accepted => t_string!(i18n, request_status.accepted),
        RequestStatus::Dispatched => t_string!(i18n, request_status.dispatched),
        RequestStatus::InProgress => t_string!(i18n, request_status.in_progress),
        RequestStatus::Resolved => t_string!(i18n, request_status.resolved),
        RequestStatus::Reopened => t_string!(i18n, request_status.reopened),
        RequestStatus::Closed => t_string!(i18n, request_status.closed),
        RequestStatus::Rejected => t_string!(i18n, request_status.rejected),
        RequestStatus::Withdrawn => t_string!(i18n, request_status.withdrawn),
    }
}

/// A timeline entry's action (`submit`, a lifecycle action, `note`) in words.
pub fn action_text(i18n: I18nContext<Locale>, action: &str) -> &'static str {
    match action {
        "submit" => t_string!(i18n, request_action.submit),
        "accept" => t_string!(i18n, request_action.accept),
        "reject" => t_string!(i18n, request_action.reject),
        "dispatch" => t_string!(i18n, request_action.dispatch),
        "start" => t_string!(i18n, request_action.start),
        "resolve" => t_string!(i18n, request_action.resolve),
        "withdraw" => t_string!(i18n, request_action.withdraw),
        "rate_satisfied" => t_string!(i18n, request_action.rate_satisfied),
        "rate_unsatisfied" => t_string!(i18n, request_action.rate_unsatisfied),
        "note" => t_string!(i18n, request_action.note),
        _ => "",
    }
}

/// The status as text in a badge; the class only adds colour to words that already say it.
#[component]
pub fn StatusBadge(status: RequestStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class=format!("badge status-{}", status.key())>{move || status_text(i18n, status)}</span> }
}

/// "还剩 2 天 3 小时", or "已超时" past the deadline.
#[component]
pub fn TimeLeft(deadline: i64, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    let left = seconds_left(deadline, now);
    move || {
        if left < 0 {
            view! { <span class="badge overdue"><span aria-hidden="true">"⚠ "</span>{tr!(i18n, requests.overdue)}</span> }
                .into_any()
        } else {
            let (days, hours, _) = split_duration(left);
            view! { <span>{move || t_string!(i18n, requests.time_left, days = days, hours = hours)}</span> }.into_any()
        }
    }
}

/// Now, in unix seconds, from the browser's clock.
pub fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// A filter by category: every category of the catalogue, or all of them (the empty value).
#[component]
pub fn CategoryFilter(#[prop(into)] id: String, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let catalogue = LocalResource::new(crate::api::request_categories);
    view! {
        <div class="field">
            <label for=id.clone()>{tr!(i18n, staff.filter_category)}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">{tr!(i18n, staff.all_categories)}</option>
                {move || {
                    catalogue
                        .get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| {
                            let name = pick(i18n, &c.name_zh, &c.name_en).to_owned();
                            view! { <option value=c.code>{name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// Why staff opened a resident's number.
pub fn contact_purpose_text(i18n: I18nContext<Locale>, purpose: ContactPurpose) -> &'static str {
    match purpose {
        ContactPurpose::ArrangeVisit => t_string!(i18n, requests.purpose_arrange_visit),
        ContactPurpose::ClarifyRequest => t_string!(i18n, requests.purpose_clarify_request),
        ContactPurpose::ReportBack => t_string!(i18n, requests.purpose_report_back),
    }
}
