//! The `/api/v1` handlers, one module per resource. Handlers stay thin: parse the input into
//! domain types, call the store, shape the answer.

pub mod auth;
pub mod community;
pub mod health;
pub mod me;
pub mod open311;
pub mod requests;
