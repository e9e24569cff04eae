//! Pages by route: what the router mounts.

pub mod auth;
pub mod circle;
pub mod consultations;
pub mod me;
pub mod not_found;
pub mod requests;
pub mod staff;
pub mod unavailable;

/// The route's `:id` as a number (reactive), or `None` when it is not one.
pub fn route_id() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        use leptos::prelude::Read;
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    }
}
