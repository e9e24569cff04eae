//! Linli's server: the REST API under `/api/v1`, backed by SQLite, which also serves the SPA.

pub mod allocator;
pub mod api;
pub mod auth;
pub mod backup;
pub mod config;
pub mod db;
pub mod export;
pub mod http;
pub mod import;
pub mod messages;
pub mod opening;
pub mod photos;
pub mod seed;
pub mod store;
