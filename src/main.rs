//! Linli 邻里: the resident-facing single-page app.

mod api;
mod app;
mod boot;
mod components;
mod i18n;
mod outbox;
mod pages;
mod prefs;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    // The static shell in index.html covers the wait for the wasm, and then for the page's
    // own module: the app takes over when the page is drawn.
    boot::wait_for_page();
    leptos::mount::mount_to_body(app::App);
}
