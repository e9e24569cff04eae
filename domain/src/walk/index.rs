//! A uniform grid over the open edges' segments, for snapping a point to the network.
//!
//! A grid rather than an R-tree: street segments are short and spread fairly evenly over a
//! city, so square buckets of about two segment lengths hold a handful each, the build is two
//! passes over the segments, and a lookup reads a few neighbouring buckets. It needs no
//! dependency (geo's R-tree would pull in `rstar`).

use super::{Edge, Xy};

/// A segment: the shape points `point` and `point + 1` of `edge`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Segment {
    pub edge: u32,
    pub point: u32,
}

#[derive(Debug, Clone)]
pub(super) struct SegmentIndex {
    origin: Xy,
    cell_m: f64,
    cols: usize,
    rows: usize,
    /// Segments of cell `c` are `segments[cell_start[c]..cell_start[c + 1]]`.
    cell_start: Vec<u32>,
    segments: Vec<Segment>,
}

/// Keeps the grid's memory in proportion to the network, whatever its extent.
const MAX_CELLS_PER_SEGMENT: f64 = 4.0;
const MIN_CELL_M: f64 = 25.0;

impl SegmentIndex {
    pub(super) fn build(edges: &[Edge], shape: &[Xy]) -> SegmentIndex {
        let open_segments = || {
            edges
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.closed)
                .flat_map(|(e, edge)| {
                    (edge.shape_start..edge.shape_end - 1).map(move |point| Segment {
                        edge: e as u32,
                        point,
                    })
                })
        };
        let (mut min, mut max) = (
            Xy {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Xy {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        );
        let mut count = 0usize;
        let mut total_length = 0.0;
        for s in open_segments() {
            for p in [shape[s.point as usize], shape[s.point as usize + 1]] {
                min.x = min.x.min(p.x);
                min.y = min.y.min(p.y);
                max.x = max.x.max(p.x);
                max.y = max.y.max(p.y);
            }
            total_length += super::distance(shape[s.point as usize], shape[s.point as usize + 1]);
            count += 1;
        }
        if count == 0 {
            return SegmentIndex {
                origin: Xy { x: 0.0, y: 0.0 },
                cell_m: 1.0,
                cols: 0,
                rows: 0,
                cell_start: vec![0],
                segments: Vec::new(),
            };
        }
        let (width, height) = (max.x - min.x, max.y - min.y);
        // About two mean segment lengths per cell, but never so small that the grid outgrows
        // the network (a few far-away stray nodes would otherwise blow it up).
        let mean = total_length / count as f64;
        let by_area = ((width * height) / (count as f64 * MAX_CELLS_PER_SEGMENT)).sqrt();
        let cell_m = (2.0 * mean).max(by_area).max(MIN_CELL_M);
        let cols = (width / cell_m).floor() as usize + 1;
        let rows = (height / cell_m).floor() as usize + 1;
        let mut index = SegmentIndex {
            origin: min,
            cell_m,
            cols,
            rows,
            cell_start: vec![0; cols * rows + 1],
            segments: Vec::new(),
        };

        // Two passes: count per cell, then place, so the buckets are one flat array.
        for s in open_segments() {
            for cell in index.cells_of(shape[s.point as usize], shape[s.point as usize + 1]) {
                index.cell_start[cell + 1] += 1;
            }
        }
        for c in 1..index.cell_start.len() {
            index.cell_start[c] += index.cell_start[c - 1];
        }
        let mut fill = index.cell_start.clone();
        let placeholder = Segment { edge: 0, point: 0 };
        index.segments = vec![placeholder; *index.cell_start.last().unwrap_or(&0) as usize];
        for s in open_segments() {
            for cell in index.cells_of(shape[s.point as usize], shape[s.point as usize + 1]) {
                index.segments[fill[cell] as usize] = s;
                fill[cell] += 1;
            }
        }
        index
    }

    /// The cells of the segment's bounding box (a superset of the cells it crosses; segments
    /// are short, so the difference is small).
    fn cells_of(&self, a: Xy, b: Xy) -> impl Iterator<Item = usize> + use<> {
        let (c0, r0) = self.cell_at(Xy {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        });
        let (c1, r1) = self.cell_at(Xy {
            x: a.x.max(b.x),
            y: a.y.max(b.y),
        });
        let cols = self.cols;
        let clamp_c = |c: i64| c.clamp(0, cols as i64 - 1) as usize;
        let clamp_r = |r: i64| r.clamp(0, self.rows as i64 - 1) as usize;
        let (c0, c1, r0, r1) = (clamp_c(c0), clamp_c(c1), clamp_r(r0), clamp_r(r1));
        (r0..=r1).flat_map(move |r| (c0..=c1).map(move |c| r * cols + c))
    }

    fn cell_at(&self, p: Xy) -> (i64, i64) {
        (
            ((p.x - self.origin.x) / self.cell_m).floor() as i64,
            ((p.y - self.origin.y) / self.cell_m).floor() as i64,
        )
    }

    /// The segment nearest to `p` within `radius_m`, by the caller's distance. Searches rings
    /// of cells outwards and stops as soon as no unvisited cell can hold anything nearer.
    pub(super) fn nearest(
        &self,
        p: Xy,
        radius_m: f64,
        distance_to: impl Fn(Segment) -> f64,
    ) -> Option<Segment> {
        if self.segments.is_empty() || radius_m.is_nan() || radius_m < 0.0 {
            return None;
        }
        let (pc, pr) = self.cell_at(p);
        let mut best: Option<(f64, Segment)> = None;
        // Rings beyond the grid on every side hold nothing.
        let farthest_ring = [pc, self.cols as i64 - 1 - pc, pr, self.rows as i64 - 1 - pr]
            .into_iter()
            .map(i64::abs)
            .max()
            .unwrap_or(0);
        // From p to the nearest side of its own cell: ring k is at least that plus k - 1
        // cells away, so a near segment usually ends the search after ring 0 or 1.
        let in_cell = Xy {
            x: p.x - self.origin.x - pc as f64 * self.cell_m,
            y: p.y - self.origin.y - pr as f64 * self.cell_m,
        };
        let to_own_side = in_cell
            .x
            .min(self.cell_m - in_cell.x)
            .min(in_cell.y)
            .min(self.cell_m - in_cell.y)
            .max(0.0);
        for ring in 0..=farthest_ring {
            let nearest_possible = if ring == 0 {
                0.0
            } else {
                to_own_side + (ring - 1) as f64 * self.cell_m
            };
            if nearest_possible > radius_m || best.is_some_and(|(d, _)| d <= nearest_possible) {
                break;
            }
            for (c, r) in ring_cells(pc, pr, ring) {
                if c < 0 || r < 0 || c >= self.cols as i64 || r >= self.rows as i64 {
                    continue;
                }
                let cell = r as usize * self.cols + c as usize;
                let bucket = self.cell_start[cell] as usize..self.cell_start[cell + 1] as usize;
                for &segment in &self.segments[bucket] {
                    let d = distance_to(segment);
                    if d <= radius_m && best.is_none_or(|(b, _)| d < b) {
                        best = Some((d, segment));
                    }
                }
            }
        }
        best.map(|(_, segment)| segment)
    }
}

/// The cells at Chebyshev distance `ring` from (`c`, `r`).
fn ring_cells(c: i64, r: i64, ring: i64) -> impl Iterator<Item = (i64, i64)> {
    (-ring..=ring).flat_map(move |d| {
        // Top and bottom rows in full, left and right columns without their corners.
        let rows = [(c + d, r - ring), (c + d, r + ring)];
        let cols = [(c - ring, r + d), (c + ring, r + d)];
        let corner = d == -ring || d == ring;
        rows.into_iter().take(if ring == 0 { 1 } else { 2 }).chain(
            cols.into_iter()
                .take(if corner || ring == 0 { 0 } else { 2 }),
        )
    })
}
