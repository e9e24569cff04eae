//! The plan's local coordinates: whole metres east and north of the community centre,
//! turned into WGS-84 only when a row is written.

use std::ops::Add;

/// Mean Earth radius (IUGG), the one haversine distance code uses, so that distances computed
/// from the stored coordinates match the metres of the plan.
const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// A point (or an offset) of the plan, in whole metres. Integers keep node identity exact:
/// two streets meeting at a corner share the corner because their coordinates are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Metres {
    pub east: i32,
    pub north: i32,
}

/// Shorthand for the plan tables.
pub const fn m(east: i32, north: i32) -> Metres {
    Metres { east, north }
}

impl Add for Metres {
    type Output = Metres;
    fn add(self, other: Metres) -> Metres {
        m(self.east + other.east, self.north + other.north)
    }
}

impl Metres {
    /// Straight-line distance on the plan.
    pub fn distance_to(self, other: Metres) -> f64 {
        let de = f64::from(self.east - other.east);
        let dn = f64::from(self.north - other.north);
        de.hypot(dn)
    }

    /// Latitude and longitude of this point, given the plan's origin (an equirectangular
    /// projection: exact to centimetres over the 2 km the plan spans).
    pub fn to_lat_lon(self, origin_lat: f64, origin_lon: f64) -> (f64, f64) {
        let metres_per_degree = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let lat = origin_lat + f64::from(self.north) / metres_per_degree;
        let lon =
            origin_lon + f64::from(self.east) / (metres_per_degree * origin_lat.to_radians().cos());
        (lat, lon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
        let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
        let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
        let h = ((la2 - la1) / 2.0).sin().powi(2)
            + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().asin()
    }

    #[test]
    fn plan_metres_survive_the_projection() {
        let (lat0, lon0) = (30.31, 120.14);
        for (a, b) in [
            (m(0, 0), m(0, 600)),
            (m(-800, 0), m(800, 0)),
            (m(-300, -200), m(400, 500)),
        ] {
            let d = haversine(a.to_lat_lon(lat0, lon0), b.to_lat_lon(lat0, lon0));
            assert!((d - a.distance_to(b)).abs() < 1.0, "{a:?}-{b:?}: {d}");
        }
    }
}
