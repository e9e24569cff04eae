//! Authentication: password hashing and session tokens.

pub mod password;
pub mod session;
