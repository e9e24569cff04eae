//! Markers that would cover each other on a map, gathered into groups: a group of one is drawn
//! as its own marker, a larger group as one marker with a count that zooms in when tapped.
//!
//! A marker that half hides another is a target a finger cannot reliably hit (WCAG 2.5.8
//! asks for 24 px of clear space; elder mode draws 60 px markers). Grouping is done on the
//! screen positions at the current zoom, in Web Mercator as Leaflet draws them, so it needs
//! no map library and can be tested here.

use crate::api::GeoPoint;

/// The size of the world at zoom 0, in pixels (Leaflet's and every tile server's 256 px tile).
const TILE: f64 = 256.0;

/// Where `at` is drawn at `zoom`, in pixels from the world's top-left corner (EPSG:3857).
pub fn world_pixel(at: GeoPoint, zoom: f64) -> (f64, f64) {
    let scale = TILE * 2f64.powf(zoom);
    // Web Mercator stops at about ±85.05°, where the projection's y would run off to infinity.
    let lat = at.lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    let x = scale * (at.lon + 180.0) / 360.0;
    let y = scale * (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    (x, y)
}

/// The points gathered so that the first point of every group is at least `spacing` pixels
/// from the first point of every other (on both axes at once, as square markers need), at
/// `zoom`. Each group lists indices into `points`; groups and their members keep the order of
/// `points`, so with the nearest facility first, each group is drawn where its nearest member
/// is.
pub fn declutter(points: &[GeoPoint], zoom: f64, spacing: f64) -> Vec<Vec<usize>> {
    let mut groups: Vec<((f64, f64), Vec<usize>)> = Vec::new();
    for (i, at) in points.iter().enumerate() {
        let (x, y) = world_pixel(*at, zoom);
        let near = groups
            .iter_mut()
            .find(|((gx, gy), _)| (gx - x).abs() < spacing && (gy - y).abs() < spacing);
        match near {
            Some((_, members)) => members.push(i),
            None => groups.push(((x, y), vec![i])),
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

/// The first whole zoom after `from`, up to `max`, at which `points` no longer all share one
/// group: where a tap on a group's marker takes the map so that it comes apart. `max` when
/// they never do (places in the same building, say), where the map draws every marker.
pub fn separating_zoom(points: &[GeoPoint], from: f64, spacing: f64, max: f64) -> f64 {
    let mut zoom = from.floor() + 1.0;
    while zoom < max && declutter(points, zoom, spacing).len() < 2 {
        zoom += 1.0;
    }
    zoom.min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    #[test]
    fn projects_as_leaflet_does() {
        // Leaflet: map.project([0, 0], 0) is (128, 128); the antimeridian is the world's edge.
        let (x, y) = world_pixel(at(0.0, 0.0), 0.0);
        assert!((x - 128.0).abs() < 1e-9 && (y - 128.0).abs() < 1e-9);
        let (x, _) = world_pixel(at(0.0, 180.0), 1.0);
        assert!((x - 512.0).abs() < 1e-9);
        // Shanghai at zoom 15, against EPSG:3857's metres, y = R ln tan(π/4 + φ/2), scaled to
        // the world's 2^15 × 256 pixels.
        let (x, y) = world_pixel(at(31.2304, 121.4737), 15.0);
        assert!((x - 7_024_846.37).abs() < 0.01, "x {x}");
        assert!((y - 3_427_616.47).abs() < 0.01, "y {y}");
    }

    #[test]
    fn points_closer_than_the_spacing_share_a_group_and_others_stand_alone() {
        // At zoom 15 near Shanghai a pixel is about 4.1 m: 0.0001° of longitude (9.5 m) is
        // about 2.3 px, 0.01° about 233 px.
        let points = [
            at(31.2304, 121.4737),
            at(31.2304, 121.4738),
            at(31.2304, 121.4837),
            at(31.2305, 121.4737),
        ];
        assert_eq!(declutter(&points, 15.0, 30.0), vec![vec![0, 1, 3], vec![2]]);
        // Zoomed far in, every one stands alone.
        assert_eq!(
            declutter(&points, 22.0, 30.0),
            vec![vec![0], vec![1], vec![2], vec![3]]
        );
        // At zoom 19 the three near ones are 37 and 44 px apart: room for 30 px markers, not
        // for elder mode's 60 px ones.
        assert_eq!(declutter(&points, 19.0, 30.0).len(), 4);
        assert_eq!(declutter(&points, 19.0, 60.0), vec![vec![0, 1, 3], vec![2]]);
    }

    #[test]
    fn the_first_points_of_any_two_groups_are_a_spacing_apart() {
        // A line of points 10 px apart: greedy gathering never leaves two groups' first points
        // closer than the spacing, whatever the order.
        let points: Vec<_> = (0..40)
            .map(|i| at(31.23, 121.47 + f64::from(i) * 0.000_043))
            .collect();
        let groups = declutter(&points, 15.0, 30.0);
        let firsts: Vec<_> = groups
            .iter()
            .map(|g| world_pixel(points[g[0]], 15.0))
            .collect();
        for (i, a) in firsts.iter().enumerate() {
            for b in &firsts[i + 1..] {
                assert!((a.0 - b.0).abs() >= 30.0 || (a.1 - b.1).abs() >= 30.0);
            }
        }
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 40);
        assert!(groups.len() > 1 && groups.len() < 40);
    }

    #[test]
    fn a_tapped_group_zooms_to_where_it_comes_apart() {
        let points = [
            at(31.2304, 121.4737),
            at(31.2304, 121.4738),
            at(31.2305, 121.4737),
        ];
        // 2.3 px apart at 15, 37 px at 19: 30 px markers separate at 19, 60 px ones never
        // before the limit.
        assert_eq!(separating_zoom(&points, 15.0, 30.0, 19.0), 19.0);
        assert_eq!(separating_zoom(&points, 15.0, 60.0, 19.0), 19.0);
        assert_eq!(separating_zoom(&points, 15.0, 30.0, 22.0), 19.0);
        assert_eq!(separating_zoom(&points, 15.0, 60.0, 22.0), 20.0);
        // From a fractional zoom the next whole one is tried first.
        assert_eq!(separating_zoom(&points, 18.4, 30.0, 22.0), 19.0);
        // Places at one spot never come apart: the limit, where nothing is grouped.
        let same = [at(31.23, 121.47), at(31.23, 121.47)];
        assert_eq!(separating_zoom(&same, 15.0, 30.0, 19.0), 19.0);
    }

    #[test]
    fn no_points_no_groups() {
        assert!(declutter(&[], 15.0, 30.0).is_empty());
    }
}
