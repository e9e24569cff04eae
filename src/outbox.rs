//! Requests written while offline: kept on this device and sent when the network returns,
//! exactly once. Each keeps the `Idempotency-Key` of its first try, so a resend after a lost
//! answer, or from two tabs at once, still makes one request on the server.

use crate::api::{self, ApiError};
use crate::i18n::*;
use crate::prefs;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::api::NewRequest;
use serde::{Deserialize, Serialize};
use std::cell::Cell;

const OUTBOX_KEY: &str = "linli.outbox";

/// A request waiting for the network, for the account that wrote it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    pub key: String,
    pub author: i64,
    pub body: NewRequest,
}

/// What became of a kept request once the network was back.
#[derive(Debug, Clone, PartialEq)]
enum Delivery {
    Sent {
        title: String,
        id: i64,
        number: String,
    },
    Refused {
        title: String,
        reason: String,
    },
}

thread_local! {
    /// One delivery round at a time in this tab (the server's key covers other tabs).
    static SENDING: Cell<bool> = const { Cell::new(false) };
    /// How many kept requests the signed-in account has, for the notice.
    static WAITING: ArcRwSignal<usize> = ArcRwSignal::new(0);
    /// What became of the requests sent from the outbox since the app started.
    static DELIVERED: ArcRwSignal<Vec<Delivery>> = ArcRwSignal::new(Vec::new());
}

fn waiting() -> ArcRwSignal<usize> {
    WAITING.with(Clone::clone)
}

fn delivered() -> ArcRwSignal<Vec<Delivery>> {
    DELIVERED.with(Clone::clone)
}

/// Subscribes the caller to deliveries: a list of the account's requests reloads after one.
pub fn track_deliveries() {
    DELIVERED.with(|d| d.track());
}

fn count_for(author: i64) -> usize {
    all().iter().filter(|q| q.author == author).count()
}

/// A fresh key for one request: 128 random bits in hex.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    if bytes == [0; 16] {
        // No crypto: time and Math.random still make a collision within one account unlikely.
        let seed =
            js_sys::Date::now().to_bits() ^ (js_sys::Math::random() * u64::MAX as f64) as u64;
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn all() -> Vec<Queued> {
    prefs::load_json(OUTBOX_KEY).unwrap_or_default()
}

fn save(items: &[Queued]) -> bool {
    if items.is_empty() {
        prefs::forget(OUTBOX_KEY);
        true
    } else {
        prefs::try_save_json(OUTBOX_KEY, &items)
    }
}

/// Keeps a request to send when the network is back; false when this device cannot keep it
/// (storage full or turned off), so the form can say the request was not saved.
pub fn keep(item: Queued) -> bool {
    let mut items = all();
    items.push(item);
    let kept = save(&items);
    if kept {
        waiting().update(|n| *n += 1);
    }
    kept
}

fn forget(key: &str) {
    let rest: Vec<Queued> = all().into_iter().filter(|q| q.key != key).collect();
    save(&rest);
}

/// Sends the signed-in account's kept requests, oldest first, stopping at the first network
/// failure; and says what happened to each.
fn deliver(author: i64) {
    if SENDING.with(|s| s.replace(true)) {
        return;
    }
    spawn_local(async move {
        for item in all().into_iter().filter(|q| q.author == author) {
            let title = item.body.title.clone();
            match api::create_request(&item.body, &[], &item.key).await {
                Ok(detail) => {
                    forget(&item.key);
                    delivered().update(|d| {
                        d.push(Delivery::Sent {
                            title,
                            id: detail.summary.id,
                            number: detail.summary.tracking_number,
                        })
                    });
                }
                // Still offline, or signed out meanwhile: keep it for the next try.
                Err(ApiError::Network) => break,
                Err(ApiError::Problem(p)) if p.status == 401 => break,
                Err(ApiError::Problem(p)) => {
                    forget(&item.key);
                    let reason = p.detail.unwrap_or(p.title);
                    delivered().update(|d| d.push(Delivery::Refused { title, reason }));
                }
            }
        }
        waiting().set(count_for(author));
        SENDING.with(|s| s.set(false));
    });
}

/// Sends kept requests when the app starts signed in and whenever the browser is back online,
/// and tells the resident what is waiting and what was sent.
#[component]
pub fn OutboxNotice() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let (waiting, delivered) = (waiting(), delivered());
    // Loading keeps the last answer, so a session reload does not look like a sign-out.
    let author = Memo::new(move |last: Option<&Option<i64>>| match session.0.get() {
        SessionState::SignedIn(me) => Some(me.id),
        SessionState::Loading | SessionState::Unreachable => last.copied().flatten(),
        SessionState::Guest => None,
    });
    let try_now = move || {
        if let Some(author) = author.get_untracked() {
            WAITING.with(|w| w.set(count_for(author)));
            deliver(author);
        }
    };
    // Another account (or nobody) on the same phone sees none of the last one's requests:
    // neither their count nor the titles of those just sent.
    let shown_for = StoredValue::new(None::<i64>);
    Effect::new(move || {
        let now = author.get();
        if shown_for.get_value() != now {
            shown_for.set_value(now);
            WAITING.with(|w| w.set(0));
            DELIVERED.with(|d| d.set(Vec::new()));
        }
        if now.is_some() {
            try_now();
        }
    });
    let handle = window_event_listener_untyped("online", move |_| try_now());
    on_cleanup(move || handle.remove());

    view! {
        <div class="outbox-notice" role="status" aria-live="polite">
            {move || {
                let n = waiting.get();
                (n > 0).then(|| view! { <p>{t!(i18n, outbox.waiting, n)}</p> })
            }}
            <For
                each=move || delivered.get().into_iter().enumerate()
                key=|(i, _)| *i
                let((_, delivery))
            >
                {match delivery {
                    Delivery::Sent { title, id, number } => {
                        view! {
                            <p>
                                {t!(i18n, outbox.sent, title, number)} " "
                                <a class="button small" href=format!("/requests/{id}")>{t!(i18n, outbox.view)}</a>
                            </p>
                        }
                            .into_any()
                    }
                    Delivery::Refused { title, reason } => {
                        view! { <p class="refused">{t!(i18n, outbox.refused, title, reason)}</p> }.into_any()
                    }
                }}
            </For>
        </div>
    }
}
