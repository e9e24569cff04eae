//! Pieces used by two or more pages.

pub mod errors;
pub mod field;
pub mod header;
pub mod request_labels;
pub mod status;
pub mod tab_bar;
