//! The hand-over from the static shell in `index.html` to the app.
//!
//! The shell (the header, the tab's heading and lead, a skeleton) stays on screen until the
//! first page is drawn, and the app's header and `<main>` stay hidden until then (the class
//! below, `style/main.css`): a page's own module arrives after the main one, and the content
//! area would otherwise be empty in between. The page draws the same header, heading and lead
//! in the same places, so nothing moves when it takes over; the shell is not moved or redrawn,
//! so what the resident sees first stays painted once.

use std::cell::Cell;

const SHELL_ID: &str = "boot-shell";
/// On `<html>` while the shell is shown in place of the app.
const WAITING_CLASS: &str = "app-waiting";

thread_local! {
    /// Whether the shell was handed over already.
    static DONE: Cell<bool> = const { Cell::new(false) };
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// Keeps the shell in place of the app's header and content; call before mounting.
pub fn wait_for_page() {
    if let Some(root) = root() {
        let _ = root.class_list().add_1(WAITING_CLASS);
    }
}

/// A page is about to be drawn: the shell goes and the app shows, in the same frame.
pub fn page_drawn() {
    if DONE.with(|d| d.replace(true)) {
        return;
    }
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(SHELL_ID))
    {
        shell.remove();
    }
    if let Some(root) = root() {
        let _ = root.class_list().remove_1(WAITING_CLASS);
    }
}
