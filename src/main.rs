//! Linli 邻里: the resident-facing single-page app.

mod api;
mod app;
mod components;
mod i18n;
mod outbox;
mod pages;
mod prefs;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    // The static shell in index.html only covers the wait for the wasm; the app takes over now.
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot-shell"))
    {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
