//! Requests written while offline: kept on this device and sent when the network returns,
//! exactly once. Each keeps the `Idempotency-Key` of its first try, so a resend after a lost
//! answer, or from two tabs at once, still makes one request on the server.

use crate::api::{self, ApiError};
use crate::i18n::*;
use crate::prefs;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use linli_domain::api::NewRequest;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::pin::Pin;

/// Each kept request is its own localStorage entry, `linli.outbox.<idempotency key>`: adding
/// or removing one never rewrites the others, so two tabs keeping and sending at once cannot
/// drop each other's requests (localStorage has no transactions across tabs).
const OUTBOX_PREFIX: &str = "linli.outbox.";
/// Where earlier versions kept the whole list in one entry; moved to the entries on reading.
const OLD_OUTBOX_KEY: &str = "linli.outbox";

/// A request waiting for the network, for the account that wrote it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Queued {
    key: String,
    author: i64,
    body: NewRequest,
    /// When it was kept (ms since the epoch), so they are sent oldest first.
    #[serde(default)]
    kept_at: f64,
}

/// A kept request the server took, once the network was back.
#[derive(Debug, Clone, PartialEq)]
struct Sent {
    title: String,
    id: i64,
    number: String,
}

/// A kept request the server refused; `in_draft` when its words went back into the form.
#[derive(Debug, Clone, PartialEq)]
struct Refused {
    title: String,
    reason: String,
    in_draft: bool,
}

thread_local! {
    /// The signed-in account, whose kept requests are sent (set by [`OutboxNotice`]).
    static AUTHOR: Cell<Option<i64>> = const { Cell::new(None) };
    /// One delivery round at a time in this tab (the server's key covers other tabs), and
    /// whether another was asked for while it ran.
    static SENDING: Cell<bool> = const { Cell::new(false) };
    static ASKED_AGAIN: Cell<bool> = const { Cell::new(false) };
    /// Whether a retry is already waiting on its timer.
    static RETRY_SET: Cell<bool> = const { Cell::new(false) };
    /// How many kept requests the signed-in account has, for the notice.
    static WAITING: ArcRwSignal<usize> = ArcRwSignal::new(0);
    /// What became of the requests sent from the outbox since the app started.
    static SENT: ArcRwSignal<Vec<Sent>> = ArcRwSignal::new(Vec::new());
    static REFUSED: ArcRwSignal<Vec<Refused>> = ArcRwSignal::new(Vec::new());
}

/// How long after a failed round the next one starts, for the phones whose browser says
/// "online" before the network works (or never says it).
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(20);

fn waiting() -> ArcRwSignal<usize> {
    WAITING.with(Clone::clone)
}

fn sent() -> ArcRwSignal<Vec<Sent>> {
    SENT.with(Clone::clone)
}

fn refused() -> ArcRwSignal<Vec<Refused>> {
    REFUSED.with(Clone::clone)
}

/// Subscribes the caller to deliveries: a list of the account's requests reloads after one.
pub fn track_deliveries() {
    SENT.with(|d| d.track());
}

fn count_for(author: i64) -> usize {
    all().iter().filter(|q| q.author == author).count()
}

fn signed_in() -> Option<i64> {
    AUTHOR.with(Cell::get)
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
    linli_domain::hex(&bytes)
}

/// Every kept request on this device, oldest first.
fn all() -> Vec<Queued> {
    move_old_list();
    let mut items: Vec<Queued> = prefs::keys_starting_with(OUTBOX_PREFIX)
        .iter()
        .filter_map(|key| prefs::load_json(key))
        .collect();
    items.sort_by(|a, b| a.kept_at.total_cmp(&b.kept_at).then(a.key.cmp(&b.key)));
    items
}

/// Moves a list an earlier version kept into one entry per request, one request at a time:
/// each is written as an entry, then taken off the list, so a full storage stops the move
/// with every request in exactly one of the two places (and [`forget`] looks in both).
fn move_old_list() {
    let Some(mut old) = prefs::load_json::<Vec<Queued>>(OLD_OUTBOX_KEY) else {
        return;
    };
    // Before anything kept since: the old list was in the order the requests were written.
    let first_kept_at = old.len() as f64;
    while let Some(item) = old.first() {
        let item = Queued {
            kept_at: first_kept_at - old.len() as f64,
            ..item.clone()
        };
        if !save(&item) {
            return;
        }
        old.remove(0);
        if !save_old_list(&old) {
            return;
        }
    }
}

fn save_old_list(items: &[Queued]) -> bool {
    if items.is_empty() {
        prefs::forget(OLD_OUTBOX_KEY);
        true
    } else {
        prefs::try_save_json(OLD_OUTBOX_KEY, &items)
    }
}

fn save(item: &Queued) -> bool {
    prefs::try_save_json(&format!("{OUTBOX_PREFIX}{}", item.key), item)
}

/// Keeps a request to send when the network is back; false when this device cannot keep it
/// (storage full or turned off), so the form can say the request was not saved.
pub fn keep(key: String, author: i64, body: NewRequest) -> bool {
    let kept = save(&Queued {
        key,
        author,
        body,
        kept_at: js_sys::Date::now(),
    });
    if kept {
        waiting().update(|n| *n += 1);
    }
    kept
}

fn forget(key: &str) {
    prefs::forget(&format!("{OUTBOX_PREFIX}{key}"));
    if let Some(mut old) = prefs::load_json::<Vec<Queued>>(OLD_OUTBOX_KEY)
        && old.iter().any(|q| q.key == key)
    {
        old.retain(|q| q.key != key);
        save_old_list(&old);
    }
}

/// Whether a refusal is the server's or the network's trouble, to be tried again later.
fn try_again_later(status: u16) -> bool {
    status >= 500 || matches!(status, 401 | 408 | 429)
}

/// Puts a refused request's words back into the request form, unless another draft is there.
fn back_into_draft(body: &NewRequest) -> bool {
    let free = prefs::load_json::<NewRequest>(prefs::REQUEST_DRAFT_KEY)
        .is_none_or(|d| d.title.trim().is_empty() && d.description.trim().is_empty());
    free && prefs::try_save_json(prefs::REQUEST_DRAFT_KEY, body)
}

/// Whether this device keeps any request at all: a look at localStorage's keys, with nothing
/// parsed, so that the app starts without the delivery's code (its own wasm module).
fn anything_kept() -> bool {
    prefs::has(OLD_OUTBOX_KEY) || !prefs::keys_starting_with(OUTBOX_PREFIX).is_empty()
}

/// Sends the signed-in account's kept requests in a round ([`delivery_round`]), one round at a
/// time, and sets a retry after trouble.
fn deliver() {
    if !anything_kept() {
        waiting().set(0);
        return;
    }
    if SENDING.with(|s| s.replace(true)) {
        ASKED_AGAIN.with(|a| a.set(true));
        return;
    }
    spawn_local(async move {
        // A module that cannot be downloaded (offline, before the service worker kept it) is
        // trouble like any other: the round is tried again later.
        let troubled = match delivery_round().await {
            Ok(round) => round.await,
            Err(_) => true,
        };
        SENDING.with(|s| s.set(false));
        if ASKED_AGAIN.with(|a| a.replace(false)) {
            deliver();
        } else if troubled && !RETRY_SET.with(|r| r.replace(true)) {
            set_timeout(
                || {
                    RETRY_SET.with(|r| r.set(false));
                    deliver();
                },
                RETRY_AFTER,
            );
        }
    });
}

/// The split point of the delivery's module: `cargo xtask dist` cuts the wasm here. Most
/// visits keep nothing, and never fetch the code that reads, sends and answers for kept
/// requests. Fallible: a module that fails to download would otherwise abort the whole app.
#[leptos::wasm_split::wasm_split(
    outbox_delivery,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
fn delivery_round() -> Result<Pin<Box<dyn Future<Output = bool>>>, SplitLoaderError> {
    Ok(Box::pin(send_kept()))
}

/// Sends the signed-in account's kept requests, oldest first, and says what became of each;
/// true when network or server trouble ended the round. A request the server refused goes
/// back into the draft. If the account changes during a send, its answer is not shown and the
/// request stays kept: sent again later with its key, it is answered as a replay.
async fn send_kept() -> bool {
    waiting().set(signed_in().map_or(0, count_for));
    let mut tried: Vec<String> = Vec::new();
    let mut troubled = false;
    while let Some(author) = signed_in() {
        let Some(item) = all()
            .into_iter()
            .find(|q| q.author == author && !tried.contains(&q.key))
        else {
            break;
        };
        tried.push(item.key.clone());
        let answer = api::create_request(&item.body, &[], &item.key).await;
        if signed_in() != Some(author) {
            break;
        }
        let title = item.body.title.clone();
        match answer {
            Ok(detail) => {
                forget(&item.key);
                sent().update(|d| {
                    d.push(Sent {
                        title,
                        id: detail.summary.id,
                        number: detail.summary.tracking_number,
                    })
                });
            }
            Err(ApiError::Network) => troubled = true,
            Err(ApiError::Problem(p)) if try_again_later(p.status) => troubled = true,
            Err(ApiError::Problem(refusal)) => {
                let in_draft = back_into_draft(&item.body);
                forget(&item.key);
                let p = refusal.messages();
                let reason = p.detail.unwrap_or(p.title);
                refused().update(|d| {
                    d.push(Refused {
                        title,
                        reason,
                        in_draft,
                    })
                });
            }
        }
        if troubled {
            break;
        }
    }
    waiting().set(signed_in().map_or(0, count_for));
    troubled
}

/// Sends kept requests when the app starts signed in and whenever the browser is back online,
/// and tells the resident what is waiting and what was sent.
#[component]
pub fn OutboxNotice() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let waiting = waiting();
    let (sent, refused) = (sent(), refused());
    // Loading keeps the last answer, so a session reload does not look like a sign-out.
    let author = Memo::new(move |last: Option<&Option<i64>>| match session.0.get() {
        SessionState::SignedIn(me) => Some(me.id),
        SessionState::Loading | SessionState::Unreachable => last.copied().flatten(),
        SessionState::Guest => None,
    });
    let try_now = move || {
        if author.get_untracked().is_some() {
            deliver();
        }
    };
    // Another account (or nobody) on the same phone sees none of the last one's requests:
    // neither their count nor the titles of those just sent.
    let shown_for = StoredValue::new(None::<i64>);
    Effect::new(move || {
        let now = author.get();
        AUTHOR.with(|a| a.set(now));
        if shown_for.get_value() != now {
            shown_for.set_value(now);
            WAITING.with(|w| w.set(0));
            SENT.with(|d| d.set(Vec::new()));
            REFUSED.with(|d| d.set(Vec::new()));
        }
        if now.is_some() {
            try_now();
        }
    });
    let handle = window_event_listener_untyped("online", move |_| try_now());
    on_cleanup(move || handle.remove());

    view! {
        // A refusal is an alert; what waits and what was sent is said politely.
        <div class="outbox-notice refused" role="alert">
            {move || {
                refused
                    .get()
                    .into_iter()
                    .map(|Refused { title, reason, in_draft }| {
                        view! {
                            <p>
                                {t!(i18n, outbox.refused, title, reason)}
                                {in_draft
                                    .then(|| {
                                        view! {
                                            " "
                                            <a class="button small" href="/requests/new">{tr!(i18n, outbox.back_in_draft)}</a>
                                        }
                                    })}
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
        <div class="outbox-notice" role="status" aria-live="polite">
            {move || {
                let n = waiting.get();
                (n > 0).then(|| view! { <p>{t!(i18n, outbox.waiting, n)}</p> })
            }}
            {move || {
                sent.get()
                    .into_iter()
                    .map(|Sent { title, id, number }| {
                        let name = title.clone();
                        view! {
                            <p>
                                {t!(i18n, outbox.sent, title, number)} " "
                                <a
                                    class="button small"
                                    href=format!("/requests/{id}")
                                    aria-label=move || t_string!(i18n, outbox.view_named, title = name.clone())
                                >
                                    {tr!(i18n, outbox.view)}
                                </a>
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
