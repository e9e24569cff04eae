//! What deliberation (民事民商) adds around a topic's comments: the documents staff attach
//! (plans, quotes) and which of them the app accepts, told by their bytes, not their name.

use serde::{Deserialize, Serialize};

/// A document may be at most 10 MB: a scanned quote or a plan drawing.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;
pub const DOCUMENT_TITLE_MAX_CHARS: usize = 60;
/// The multipart part and the field refusals name.
pub const DOCUMENT_FIELD: &str = "file";

/// A document's type from its first bytes: PDF, JPEG or PNG; `None` for anything else.
pub fn document_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A document attached to a topic, as listed on it (its bytes come from its own URL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicDocument {
    pub id: i64,
    pub title: String,
    pub content_type: String,
    pub size: u64,
    pub uploaded_at: i64,
}

/// Staff moving a vote's deadline later (never earlier: voters planned on it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtendVote {
    /// Unix seconds.
    pub closes_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_told_by_their_bytes() {
        assert_eq!(document_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(document_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(document_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(document_type(b"<html>"), None);
        assert_eq!(document_type(b"GIF89a"), None);
        assert_eq!(document_type(b""), None);
    }
}
