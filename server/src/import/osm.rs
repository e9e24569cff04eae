//! Reading an OpenStreetMap PBF file: the ways a resident may walk, the named places of the
//! service circle, and the coordinates of the nodes both use.

use super::categories;
use linli_domain::facility::FacilityCategory;
use osmpbf::{Element, ElementReader};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What an edge of the walking network is, as `walk_edges.kind` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// Along a road that cars use too (on its pavement, or on the road in a quiet street).
    Street,
    /// A way for people on foot: footway, path, steps, pedestrian street, track.
    Path,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Street => "street",
            EdgeKind::Path => "path",
        }
    }
}

/// A name in both of Linli's languages: the `name:zh` / `name:en` tags, each falling back to
/// the plain `name` (which is in the local language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

impl Names {
    fn from_tags<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<Names> {
        let plain = tag("name").filter(|n| !n.trim().is_empty());
        let pick = |key: &str| {
            tag(key)
                .filter(|n| !n.trim().is_empty())
                .or(plain)
                .map(|n| n.trim().to_owned())
        };
        Some(Names {
            zh: pick("name:zh")?,
            en: pick("name:en")?,
        })
    }
}

/// A walkable way: its nodes in order, as the file lists them.
#[derive(Debug, Clone)]
pub struct WalkWay {
    pub id: i64,
    pub kind: EdgeKind,
    pub name: Option<Names>,
    pub refs: Vec<i64>,
}

/// A named place of the service circle, with what a resident reads about it.
#[derive(Debug, Clone)]
pub struct Place {
    /// `node/<id>` or `way/<id>`: the element it came from, so a new import replaces it.
    pub osm_ref: String,
    pub category: FacilityCategory,
    pub names: Names,
    pub address_zh: String,
    pub address_en: String,
    /// As tagged (the OSM `opening_hours` syntax), empty when not tagged.
    pub opening_hours: String,
    pub phone: Option<String>,
    pub at: PlaceAt,
}

#[derive(Debug, Clone)]
pub enum PlaceAt {
    Point {
        lat: f64,
        lon: f64,
    },
    /// A building or an area: stands at the centroid of these nodes.
    Outline(Vec<i64>),
}

/// Everything the import needs from one file.
#[derive(Debug, Default)]
pub struct OsmData {
    pub ways: Vec<WalkWay>,
    pub places: Vec<Place>,
    /// `(lat, lon)` of every node a walkable way or a place's outline uses.
    pub coords: HashMap<i64, (f64, f64)>,
    /// `(min lat, min lon, max lat, max lon)` of every node in the file.
    pub bounds: Option<(f64, f64, f64, f64)>,
    /// Ways with a `highway` tag that the walking rules left out (motorways, private, foot=no).
    pub excluded_highways: usize,
}

impl OsmData {
    /// Where a place stands: its point, or the mean of its outline's nodes (the closing node of
    /// a ring counted once). `None` when the file holds none of the outline's nodes.
    pub fn location(&self, place: &Place) -> Option<(f64, f64)> {
        match &place.at {
            PlaceAt::Point { lat, lon } => Some((*lat, *lon)),
            PlaceAt::Outline(refs) => {
                let ring_closed = refs.len() > 1 && refs.first() == refs.last();
                let distinct = if ring_closed {
                    &refs[..refs.len() - 1]
                } else {
                    refs
                };
                let points: Vec<(f64, f64)> = distinct
                    .iter()
                    .filter_map(|id| self.coords.get(id).copied())
                    .collect();
                if points.is_empty() {
                    return None;
                }
                let n = points.len() as f64;
                let (lat, lon) = points
                    .iter()
                    .fold((0.0, 0.0), |(a, b), (lat, lon)| (a + lat, b + lon));
                Some((lat / n, lon / n))
            }
        }
    }
}

/// Reads the file in two passes: ways (and tagged nodes) first, then the coordinates of the
/// nodes those ways use. Blocking; it keeps only what the import needs, not the whole file.
pub fn read(path: &Path) -> anyhow::Result<OsmData> {
    let mut data = OsmData::default();
    ElementReader::from_path(path)?.for_each(|element| match element {
        Element::Way(way) => {
            let tags: Vec<(&str, &str)> = way.tags().collect();
            let tag = |key: &str| lookup(&tags, key);
            if tag("highway").is_some() {
                match walk_kind(tag) {
                    Some(kind) => data.ways.push(WalkWay {
                        id: way.id(),
                        kind,
                        name: Names::from_tags(tag),
                        refs: way.refs().collect(),
                    }),
                    None => data.excluded_highways += 1,
                }
            }
            if let Some(place) = place(&tags, || {
                (
                    format!("way/{}", way.id()),
                    PlaceAt::Outline(way.refs().collect()),
                )
            }) {
                data.places.push(place);
            }
        }
        Element::Node(node) => {
            let tags: Vec<(&str, &str)> = node.tags().collect();
            data.places
                .extend(point_place(&tags, node.id(), node.lat(), node.lon()));
        }
        Element::DenseNode(node) => {
            let tags: Vec<(&str, &str)> = node.tags().collect();
            data.places
                .extend(point_place(&tags, node.id(), node.lat(), node.lon()));
        }
        // A place mapped as a multipolygon relation (a large park, a campus) is left out: its
        // outline needs the member ways' geometry, and such places usually also carry a node
        // or a way of their own.
        Element::Relation(_) => {}
    })?;

    let needed: HashSet<i64> = data
        .ways
        .iter()
        .flat_map(|way| way.refs.iter().copied())
        .chain(data.places.iter().flat_map(|place| match &place.at {
            PlaceAt::Outline(refs) => refs.clone(),
            PlaceAt::Point { .. } => Vec::new(),
        }))
        .collect();
    let mut bounds: Option<(f64, f64, f64, f64)> = None;
    let mut coords = HashMap::with_capacity(needed.len());
    let mut note = |id: i64, lat: f64, lon: f64| {
        bounds = Some(match bounds {
            None => (lat, lon, lat, lon),
            Some((s, w, n, e)) => (s.min(lat), w.min(lon), n.max(lat), e.max(lon)),
        });
        if needed.contains(&id) {
            coords.insert(id, (lat, lon));
        }
    };
    ElementReader::from_path(path)?.for_each(|element| match element {
        Element::Node(node) => note(node.id(), node.lat(), node.lon()),
        Element::DenseNode(node) => note(node.id(), node.lat(), node.lon()),
        Element::Way(_) | Element::Relation(_) => {}
    })?;
    data.coords = coords;
    data.bounds = bounds;
    Ok(data)
}

fn lookup<'a>(tags: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
}

/// The place an element's tags describe, if they map to a category and name it.
/// The place a node maps, if it is one (plain and dense nodes are the same thing to us).
fn point_place(tags: &[(&str, &str)], id: i64, lat: f64, lon: f64) -> Option<Place> {
    place(tags, || (format!("node/{id}"), PlaceAt::Point { lat, lon }))
}

fn place(tags: &[(&str, &str)], at: impl FnOnce() -> (String, PlaceAt)) -> Option<Place> {
    if !tags.iter().any(|(k, _)| categories::is_candidate_key(k)) {
        return None;
    }
    let tag = |key: &str| lookup(tags, key);
    let category = categories::category_of(tag)?;
    let names = Names::from_tags(tag)?;
    let (address_zh, address_en) = address(tag);
    let (osm_ref, at) = at();
    Some(Place {
        osm_ref,
        category,
        names,
        address_zh,
        address_en,
        opening_hours: tag("opening_hours").unwrap_or_default().trim().to_owned(),
        phone: tag("phone")
            .or_else(|| tag("contact:phone"))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        at,
    })
}

/// The `highway` values a person may walk along without a further tag saying so.
const ROADS: &[&str] = &[
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
];
const FOOT_WAYS: &[&str] = &[
    "footway",
    "path",
    "pedestrian",
    "steps",
    "corridor",
    "track",
];

/// Whether a way with these tags is part of the walking network, and as what.
///
/// - Roads and foot ways are walkable; a trunk road only with a pavement tagged on it (Chinese
///   expressway-like 快速路 have none); a cycleway or bridleway only where `foot=yes` or
///   `designated` says people may walk it. Motorways, construction sites and the rest are not.
/// - `foot=no` (or `private`, or `use_sidepath`: walk the separate pavement instead) excludes a
///   way; `access=private|no` too, unless a `foot` tag opens it to people on foot.
pub fn walk_kind<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<EdgeKind> {
    let highway = tag("highway")?;
    let foot = tag("foot");
    if matches!(foot, Some("no" | "private" | "use_sidepath")) {
        return None;
    }
    let foot_invited = matches!(foot, Some("yes" | "designated"));
    let foot_allowed = foot_invited || foot == Some("permissive");
    if matches!(tag("access"), Some("private" | "no")) && !foot_allowed {
        return None;
    }
    if ROADS.contains(&highway) {
        Some(EdgeKind::Street)
    } else if FOOT_WAYS.contains(&highway) {
        Some(EdgeKind::Path)
    } else if matches!(highway, "trunk" | "trunk_link") && (has_pavement(&tag) || foot_invited) {
        Some(EdgeKind::Street)
    } else if matches!(highway, "cycleway" | "bridleway") && foot_invited {
        Some(EdgeKind::Path)
    } else {
        None
    }
}

/// A pavement mapped on the road itself (`sidewalk=both|left|right|yes`, or the per-side keys).
/// `sidewalk=separate` means it is its own footway, which the import takes on its own.
fn has_pavement<'a>(tag: &impl Fn(&str) -> Option<&'a str>) -> bool {
    matches!(tag("sidewalk"), Some("both" | "left" | "right" | "yes"))
        || ["sidewalk:both", "sidewalk:left", "sidewalk:right"]
            .iter()
            .any(|key| tag(key) == Some("yes"))
}

/// The address from the `addr:*` tags: `addr:full` when given, otherwise built from its parts.
/// Chinese order runs from the city down to the number ("北京市东城区东四北大街107号"); the
/// English one gives street and number, then postcode and town ("Mannerheimintie 5, 00100
/// Helsinki"). `:zh`/`:en` variants of each key win where tagged. Empty when nothing is tagged.
fn address<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> (String, String) {
    let part = |key: &str, lang: &str| {
        tag(&format!("{key}:{lang}"))
            .or_else(|| tag(key))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let full = |lang: &str| part("addr:full", lang).map(str::to_owned);
    let zh = full("zh").unwrap_or_else(|| {
        let number = part("addr:housenumber", "zh").map(|n| {
            if n.ends_with(|c: char| c.is_ascii_digit()) {
                format!("{n}号")
            } else {
                n.to_owned()
            }
        });
        let parts = [
            part("addr:province", "zh").map(str::to_owned),
            part("addr:city", "zh").map(str::to_owned),
            part("addr:district", "zh").map(str::to_owned),
            part("addr:street", "zh").map(str::to_owned),
            number,
        ];
        join_chinese(parts.into_iter().flatten())
    });
    let en = full("en").unwrap_or_else(|| {
        let street = [part("addr:street", "en"), part("addr:housenumber", "en")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let town = [part("addr:postcode", "en"), part("addr:city", "en")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [street, town]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    });
    (zh, en)
}

/// Chinese addresses are written without spaces; a space only keeps two Latin words (or a word
/// and a number) of a foreign address apart.
fn join_chinese(parts: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for part in parts {
        let latin_meets_latin = out
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && part
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        if latin_meets_latin {
            out.push(' ');
        }
        out.push_str(&part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type Tags = [(&'static str, &'static str)];

    /// Looks keys up in a literal tag list, as the reader looks them up in an element's tags.
    fn lookup_in(tags: &Tags) -> impl Fn(&str) -> Option<&'static str> + '_ {
        move |key| tags.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
    }

    fn kind(tags: &Tags) -> Option<EdgeKind> {
        walk_kind(lookup_in(tags))
    }

    #[test]
    fn walking_rules() {
        use EdgeKind::{Path, Street};
        let cases: &[(&Tags, Option<EdgeKind>)] = &[
            (&[("highway", "residential")], Some(Street)),
            (&[("highway", "service")], Some(Street)),
            (&[("highway", "living_street")], Some(Street)),
            (&[("highway", "primary")], Some(Street)),
            (&[("highway", "footway")], Some(Path)),
            (
                &[("highway", "footway"), ("footway", "crossing")],
                Some(Path),
            ),
            (&[("highway", "steps")], Some(Path)),
            (&[("highway", "pedestrian")], Some(Path)),
            (&[("highway", "track")], Some(Path)),
            (&[("highway", "motorway")], None),
            (&[("highway", "motorway_link")], None),
            (&[("highway", "construction")], None),
            (&[("highway", "trunk")], None),
            (&[("highway", "trunk"), ("sidewalk", "both")], Some(Street)),
            (&[("highway", "trunk"), ("sidewalk", "separate")], None),
            (
                &[("highway", "trunk"), ("sidewalk:right", "yes")],
                Some(Street),
            ),
            (&[("highway", "cycleway")], None),
            (
                &[("highway", "cycleway"), ("foot", "designated")],
                Some(Path),
            ),
            (&[("highway", "cycleway"), ("foot", "yes")], Some(Path)),
            (&[("highway", "footway"), ("foot", "no")], None),
            (&[("highway", "service"), ("access", "private")], None),
            (&[("highway", "service"), ("access", "no")], None),
            (
                &[
                    ("highway", "service"),
                    ("access", "private"),
                    ("foot", "permissive"),
                ],
                Some(Street),
            ),
            (
                &[("highway", "path"), ("access", "destination")],
                Some(Path),
            ),
            (&[("building", "yes")], None),
        ];
        for (tags, expected) in cases {
            assert_eq!(kind(tags), *expected, "{tags:?}");
        }
    }

    #[test]
    fn names_fall_back_to_the_local_name() {
        let names = Names::from_tags(lookup_in(&[("name", "Apteekki"), ("name:en", "Pharmacy")]));
        assert_eq!(
            names,
            Some(Names {
                zh: "Apteekki".into(),
                en: "Pharmacy".into()
            })
        );
        let only_zh = Names::from_tags(lookup_in(&[("name:zh", "药店")]));
        assert_eq!(only_zh, None, "a name in one language only is not enough");
        assert_eq!(Names::from_tags(lookup_in(&[("name", "  ")])), None);
    }

    #[test]
    fn addresses_in_both_orders() {
        let chinese = [
            ("addr:city", "北京市"),
            ("addr:district", "东城区"),
            ("addr:street", "东四北大街"),
            ("addr:housenumber", "107"),
        ];
        assert_eq!(
            address(lookup_in(&chinese)).0,
            "北京市东城区东四北大街107号"
        );
        let finnish = [
            ("addr:street", "Mannerheimintie"),
            ("addr:housenumber", "5"),
            ("addr:postcode", "00100"),
            ("addr:city", "Helsinki"),
        ];
        assert_eq!(
            address(lookup_in(&finnish)),
            (
                "Helsinki Mannerheimintie 5号".to_owned(),
                "Mannerheimintie 5, 00100 Helsinki".to_owned()
            )
        );
        assert_eq!(address(lookup_in(&[])), (String::new(), String::new()));
        assert_eq!(
            address(lookup_in(&[("addr:full", "Somewhere 1")])).1,
            "Somewhere 1"
        );
    }
}
