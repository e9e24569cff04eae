//! The languages Linli speaks: Simplified Chinese first, English second.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The BCP 47 tag, as used in `<html lang>` and the locale file names.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") {
            Some(Lang::ZhCn)
        } else if tag == "en" || tag.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks the language from an `Accept-Language` header: the first tag we speak in the
    /// order the client prefers (by q-value), Chinese when none matches.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut tags: Vec<(u16, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some(((q.clamp(0.0, 1.0) * 1000.0) as u16, i, tag))
            })
            .collect();
        tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.into_iter()
            .filter(|(q, _, _)| *q > 0)
            .find_map(|(_, _, tag)| Lang::from_tag(tag))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_the_clients_preference() {
        let cases = [
            ("", Lang::ZhCn),
            ("en-US,en;q=0.9", Lang::En),
            ("zh-CN,zh;q=0.9,en;q=0.8", Lang::ZhCn),
            ("fr-FR, en;q=0.5, zh;q=0.4", Lang::En),
            ("en;q=0.2, zh-TW;q=0.8", Lang::ZhCn),
            ("en;q=0, de", Lang::ZhCn),
            ("de-DE", Lang::ZhCn),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn tags_round_trip() {
        for lang in [Lang::ZhCn, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
    }
}
