//! Pieces used by two or more pages.

pub mod community_map;
pub mod errors;
pub mod field;
pub mod header;
pub mod photo_picker;
pub mod request_labels;
pub mod status;
pub mod tab_bar;
