//! 议事 ("有事好商量"): the consultations tab. For now: how consultations work and who may vote.

use crate::i18n::*;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;

#[component]
pub fn ConsultationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">
                {t!(i18n, consultations.title)}
                <span class="subtitle">{t!(i18n, consultations.subtitle)}</span>
            </h1>
            <p class="lead">{t!(i18n, consultations.intro)}</p>
            <h2>{t!(i18n, consultations.steps_heading)}</h2>
            <ol class="steps">
                <li>{t!(i18n, consultations.step_propose)}</li>
                <li>{t!(i18n, consultations.step_discuss)}</li>
                <li>{t!(i18n, consultations.step_decide)}</li>
                <li>{t!(i18n, consultations.step_publish)}</li>
                <li>{t!(i18n, consultations.step_evaluate)}</li>
            </ol>
            <p class="notice">{t!(i18n, consultations.owners_note)}</p>
            {move || match session.0.get() {
                SessionState::SignedIn(me) if me.is_verified() => ().into_any(),
                SessionState::SignedIn(_) => {
                    view! {
                        <p>
                            <a class="button primary" href="/me/household">{t!(i18n, consultations.bind_to_vote)}</a>
                        </p>
                    }
                        .into_any()
                }
                _ => {
                    view! {
                        <p>
                            <a class="button primary" href="/login">{t!(i18n, consultations.login_to_take_part)}</a>
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
