//! 我的: the account, its households, its own data, and the settings (language, elder mode).

pub mod data;
pub mod household;

use crate::api;
use crate::components::header::{ElderModeSwitch, LanguageSwitch};
use crate::components::status::{LoadError, Loading};
use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::api::{HouseholdAddress, Me, Membership};
use linli_domain::{HouseholdRelation, Role};

#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{tr!(i18n, me.title)}</h1>
            <p class="lead">{tr!(i18n, me.intro)}</p>
            {move || match session.0.get() {
                SessionState::Loading => view! { <Loading/> }.into_any(),
                SessionState::Unreachable => view! { <LoadError retry=move || session.reload()/> }.into_any(),
                SessionState::Guest => view! { <Guest/> }.into_any(),
                SessionState::SignedIn(me) => view! { <Account me/> }.into_any(),
            }}
            <section class="card" aria-labelledby="settings-heading">
                <h2 id="settings-heading">{tr!(i18n, me.settings_heading)}</h2>
                <div class="setting">
                    <ElderModeSwitch/>
                    <p class="hint">{tr!(i18n, me.elder_mode_hint)}</p>
                </div>
                <div class="setting">
                    <span class="setting-label">{tr!(i18n, me.language)}</span>
                    <LanguageSwitch/>
                </div>
            </section>
        </section>
    }
}

#[component]
fn Guest() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p>{tr!(i18n, me.guest_intro)}</p>
        <p class="actions">
            <a class="button primary" href="/login">{tr!(i18n, auth.login_title)}</a>
            <a class="button secondary" href="/register">{tr!(i18n, auth.register_title)}</a>
        </p>
    }
}

#[component]
fn Account(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let logging_out = RwSignal::new(false);
    let logout_failed = RwSignal::new(false);
    let log_out = move |everywhere: bool| {
        logging_out.set(true);
        logout_failed.set(false);
        spawn_local(async move {
            // Only the server can end the session: on a shared phone, showing "logged out" while
            // the cookie still works would be worse than saying it failed.
            let ended = if everywhere {
                api::logout_everywhere().await
            } else {
                api::logout().await
            };
            match ended {
                Ok(()) => session.0.set(SessionState::Guest),
                Err(_) => logout_failed.set(true),
            }
            logging_out.set(false);
        });
    };
    let role = move || match me.role {
        Role::Resident => t_string!(i18n, me.role_resident),
        Role::Staff => t_string!(i18n, me.role_staff),
        Role::Admin => t_string!(i18n, me.role_admin),
    };
    let display_name = RwSignal::new(me.display_name.clone());
    let has_households = !me.households.is_empty();
    let is_staff = me.role.is_staff();
    view! {
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">{tr!(i18n, me.account_heading)}</h2>
            <dl class="facts">
                <dt>{tr!(i18n, me.display_name)}</dt>
                <dd>{move || display_name.get()}</dd>
                <dt>{tr!(i18n, me.phone)}</dt>
                <dd>{me.phone.clone()}</dd>
                <dt>{tr!(i18n, me.role)}</dt>
                <dd>{role}</dd>
            </dl>
        </section>
        {is_staff.then(|| view! {
            <p><a class="button primary" href="/staff">{tr!(i18n, staff.link)}</a></p>
        })}
        <section class="card" aria-labelledby="households-heading">
            <h2 id="households-heading">{tr!(i18n, me.households_heading)}</h2>
            {if has_households {
                view! {
                    <ul class="plain-list">
                        {me.households.into_iter().map(|m| view! { <li><HouseholdLine membership=m/></li> }).collect_view()}
                    </ul>
                    <p><a class="button secondary" href="/me/household">{tr!(i18n, me.bind_another)}</a></p>
                }
                    .into_any()
            } else {
                view! {
                    <p class="empty">{tr!(i18n, me.no_household)}</p>
                    <p><a class="button primary" href="/me/household">{tr!(i18n, me.bind_cta)}</a></p>
                }
                    .into_any()
            }}
        </section>
        <p class="actions">
            <button type="button" class="button secondary" on:click=move |_| log_out(false) disabled=move || logging_out.get()>
                {move || if logging_out.get() { t_string!(i18n, me.logging_out) } else { t_string!(i18n, me.logout) }}
            </button>
            <button type="button" class="button secondary" on:click=move |_| log_out(true) disabled=move || logging_out.get()
                aria-describedby="logout-everywhere-hint">
                {tr!(i18n, me.logout_everywhere)}
            </button>
        </p>
        <p class="hint" id="logout-everywhere-hint">{tr!(i18n, me.logout_everywhere_hint)}</p>
        <div role="alert">
            {move || logout_failed.get().then(|| view! { <p class="form-alert">{tr!(i18n, errors.network)}</p> })}
        </div>
        <data::OwnData display_name/>
    }
}

/// A household's address, relation and floor area, in the current language.
#[component]
pub fn HouseholdLine(membership: Membership) -> impl IntoView {
    let i18n = use_i18n();
    let relation = move || relation_text(i18n, membership.relation);
    let address = household_address(i18n, membership.clone());
    let area = membership.floor_area.to_string();
    view! {
        <strong>{address}</strong>
        <span class="meta">{relation} " · " {tr!(i18n, me.floor_area)} " " {area}</span>
    }
}

pub fn relation_text(i18n: I18nContext<Locale>, relation: HouseholdRelation) -> &'static str {
    match relation {
        HouseholdRelation::Owner => t_string!(i18n, me.relation_owner),
        HouseholdRelation::Member => t_string!(i18n, me.relation_member),
    }
}

pub fn household_address(
    i18n: I18nContext<Locale>,
    m: Membership,
) -> impl Fn() -> String + Clone + 'static {
    move || address_text(i18n, &m.address)
}

/// "翠柳苑 1号楼1单元301室" in the language shown.
pub fn address_text(i18n: I18nContext<Locale>, a: &HouseholdAddress) -> String {
    let compound = pick(i18n, &a.compound_zh, &a.compound_en);
    t_string!(
        i18n,
        me.address,
        compound = compound,
        building = a.building,
        stairwell = a.stairwell,
        room = &a.room
    )
    .to_string()
}
