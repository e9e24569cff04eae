//! What counts as "the same problem nearby": the rule behind the similar requests a resident
//! sees before sending, so that "me too" (附议) can replace a duplicate.

use crate::api::GeoPoint;
use crate::request::RequestStatus;
use geo::{Distance, Haversine, Point};

/// Requests of the same category within this distance are shown as similar.
pub const SIMILAR_RADIUS_METRES: f64 = 250.0;

/// ...if they were sent within this many seconds (30 days).
pub const SIMILAR_WINDOW_SECS: i64 = 30 * 86_400;

/// Metres along the Earth's surface between two points.
pub fn distance_metres(a: GeoPoint, b: GeoPoint) -> f64 {
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat))
}

/// A latitude/longitude box that contains every point within `radius` metres of `centre`:
/// the cheap index-friendly prefilter before the exact distance.
pub fn bounding_box(centre: GeoPoint, radius: f64) -> (GeoPoint, GeoPoint) {
    const METRES_PER_DEGREE: f64 = 111_195.0; // on the mean Earth radius
    let dlat = radius / METRES_PER_DEGREE;
    // Degrees of longitude shrink with latitude; the Chinese mainland is far from the poles.
    let dlon = radius / (METRES_PER_DEGREE * centre.lat.to_radians().cos().max(0.01));
    (
        GeoPoint {
            lat: centre.lat - dlat,
            lon: centre.lon - dlon,
        },
        GeoPoint {
            lat: centre.lat + dlat,
            lon: centre.lon + dlon,
        },
    )
}

/// Whether a request sent at `submitted_at` in `status` is still a candidate to follow: sent
/// within the window and still being worked on (not final, not yet resolved).
pub fn still_open_and_recent(status: RequestStatus, submitted_at: i64, now: i64) -> bool {
    !status.is_final() && !status.is_completed() && now - submitted_at <= SIMILAR_WINDOW_SECS
}

/// A coordinate rounded to three decimals, about 100 m: what the public sees of a place,
/// enough to find the spot, not the door.
pub fn coarse(degrees: f64) -> f64 {
    (degrees * 1000.0).round() / 1000.0
}

/// Whether `other` is close enough to `here` to be the same problem.
pub fn is_near(here: GeoPoint, other: GeoPoint) -> bool {
    distance_metres(here, other) <= SIMILAR_RADIUS_METRES
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: GeoPoint = GeoPoint {
        lat: 30.2741,
        lon: 120.1551,
    };

    fn north(metres: f64) -> GeoPoint {
        GeoPoint {
            lat: HERE.lat + metres / 111_195.0,
            lon: HERE.lon,
        }
    }

    #[test]
    fn public_places_are_rounded_to_about_100_metres() {
        assert_eq!(coarse(30.274_149), 30.274);
        assert_eq!(coarse(120.155_51), 120.156);
    }

    #[test]
    fn within_250_metres_is_near_and_beyond_is_not() {
        assert!(is_near(HERE, HERE));
        assert!(is_near(HERE, north(249.0)));
        assert!(!is_near(HERE, north(252.0)));
        assert!((distance_metres(HERE, north(100.0)) - 100.0).abs() < 0.5);
    }

    #[test]
    fn the_box_holds_every_near_point() {
        let (low, high) = bounding_box(HERE, SIMILAR_RADIUS_METRES);
        for bearing in 0..36 {
            let angle = f64::from(bearing) * 10f64.to_radians();
            let metres = SIMILAR_RADIUS_METRES - 0.1;
            let p = GeoPoint {
                lat: HERE.lat + metres * angle.cos() / 111_195.0,
                lon: HERE.lon + metres * angle.sin() / (111_195.0 * HERE.lat.to_radians().cos()),
            };
            assert!(is_near(HERE, p));
            assert!(p.lat >= low.lat && p.lat <= high.lat);
            assert!(p.lon >= low.lon && p.lon <= high.lon);
        }
    }

    #[test]
    fn only_open_requests_of_the_last_30_days() {
        let now = 1_800_000_000;
        let day = 86_400;
        assert!(still_open_and_recent(
            RequestStatus::Submitted,
            now - 30 * day,
            now
        ));
        assert!(!still_open_and_recent(
            RequestStatus::Submitted,
            now - 30 * day - 1,
            now
        ));
        assert!(still_open_and_recent(RequestStatus::Reopened, now, now));
        for done in [
            RequestStatus::Resolved,
            RequestStatus::Closed,
            RequestStatus::Rejected,
            RequestStatus::Withdrawn,
        ] {
            assert!(!still_open_and_recent(done, now, now));
        }
    }
}
