//! Pages by route: what the router mounts.

pub mod auth;
pub mod circle;
pub mod consultations;
pub mod me;
pub mod not_found;
pub mod requests;
pub mod staff;
