//! Signing up and logging in.

pub mod login;
pub mod register;
