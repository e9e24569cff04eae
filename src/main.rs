//! Linli 邻里: the resident-facing single-page app.

mod api;
mod app;
mod boot;
mod components;
mod i18n;
mod outbox;
mod page_styles;
mod pages;
mod prefs;
mod session;

/// Talc in place of Rust's default wasm allocator (dlmalloc): less code in the main module,
/// which every first visit loads, and faster.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    console_error_panic_hook::set_once();
    // The static shell in index.html covers the wait for the wasm, and then for the page's
    // own module: the app takes over when the page is drawn.
    boot::wait_for_page();
    leptos::mount::mount_to_body(app::App);
}
