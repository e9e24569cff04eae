//! The areas walkable within each time, drawn from a [`Reach`].
//!
//! Method: every reached stretch of the network (whole edges, and the part of an edge walked
//! before the budget ran out) is buffered by [`AREA_BUFFER_M`] on a small metre grid around
//! the start ([`AREA_CELL_M`] cells). Each cell keeps the fewest walking metres of the network
//! within the buffer of it; the area for a time is then the outline of the cells at or under
//! that time's metres.
//!
//! Why this and not a concave hull of the reached nodes: a hull has to guess a concavity
//! parameter, bridges across rivers, railways and closed compounds that the walk goes round,
//! and can split or merge parts arbitrarily. The grid follows the network by construction:
//! - **connected along the network**: the buffer (at least 0.71 of a cell) covers the centre of
//!   every cell a walked line passes through, and diagonal-only contacts are filled in (see
//!   [`fill_saddles`]), so a walk never leaves a gap in its area;
//! - **nested**: one grid of metres serves every time, so the 5-minute area is inside the
//!   10-minute one by construction, and each grows with the minutes;
//! - **fast and bounded**: the work is the reached edges times a few cells each, plus a scan of
//!   a grid of at most [`MAX_CELLS_ACROSS`]² cells; no polygon boolean operations.
//!
//! The outlines follow cell edges (a 20 m staircase on diagonal streets), rings are simple,
//! outer rings run counter-clockwise and holes clockwise, as GeoJSON (RFC 7946) asks.

use super::{Reach, WalkGraph, Xy};
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// The side of a grid cell, in metres, for walks up to about 1.6 km.
pub const AREA_CELL_M: f64 = 20.0;

/// How far either side of a walked line counts as reached: about a building's depth from the
/// street, two cells.
pub const AREA_BUFFER_M: f64 = 40.0;

/// Longer walks get coarser cells so that the grid stays this many cells across at most.
const MAX_CELLS_ACROSS: usize = 192;

/// The areas walkable within each of `limits_m` (walking metres), as lon/lat multipolygons, in
/// the order given. Limits beyond the reach's own limit are drawn as far as it went.
pub fn walking_areas(reach: &Reach<'_>, limits_m: &[f64]) -> Vec<MultiPolygon<f64>> {
    let largest = limits_m
        .iter()
        .copied()
        .filter(|m| m.is_finite())
        .fold(0.0, f64::max)
        .min(reach.limit_m);
    let mut grid = MetreGrid::around(reach, largest);
    grid.stamp_reach(reach, largest);
    grid.fill_saddles();
    let Some(mut tracer) = Tracer::new(&grid) else {
        return limits_m
            .iter()
            .map(|_| MultiPolygon::new(Vec::new()))
            .collect();
    };
    limits_m
        .iter()
        .map(|&limit| {
            if limit.is_nan() || limit < 0.0 {
                MultiPolygon::new(Vec::new())
            } else {
                tracer.outline(&grid, limit.min(largest) as f32, reach.graph)
            }
        })
        .collect()
}

/// Walking metres per cell over a square around the start, `f32::INFINITY` where nothing was
/// reached. Cell (c, r) spans x from `origin.x + c * cell_m`, y from `origin.y + r * cell_m`.
struct MetreGrid {
    origin: Xy,
    cell_m: f64,
    buffer_m: f64,
    cols: usize,
    rows: usize,
    metres: Vec<f32>,
    /// The cells stamped so far: later passes only scan this box.
    touched: Option<(usize, usize, usize, usize)>,
}

impl MetreGrid {
    fn around(reach: &Reach<'_>, largest_m: f64) -> MetreGrid {
        let graph = reach.graph;
        let start = graph.projection.to_xy(reach.start.on_network);
        // A walk of `largest_m` cannot end farther than that from its start (edge lengths are
        // at least the distance between their ends), plus the buffer and a cell of margin.
        // Plane and haversine metres differ by well under 1% within a city.
        let mut cell_m = AREA_CELL_M;
        let half_span =
            |cell_m: f64| largest_m * 1.01 + 2.0 * cell_m + AREA_BUFFER_M.max(cell_m * 2.0);
        while 2.0 * half_span(cell_m) / cell_m > MAX_CELLS_ACROSS as f64 {
            cell_m *= 1.25;
        }
        let buffer_m = AREA_BUFFER_M.max(cell_m * 2.0);
        let half = half_span(cell_m);
        let across = (2.0 * half / cell_m).ceil() as usize;
        MetreGrid {
            origin: Xy {
                x: start.x - half,
                y: start.y - half,
            },
            cell_m,
            buffer_m,
            cols: across,
            rows: across,
            metres: vec![f32::INFINITY; across * across],
            touched: None,
        }
    }

    /// Stamps every reached stretch of every open edge the walk got onto.
    fn stamp_reach(&mut self, reach: &Reach<'_>, largest_m: f64) {
        let graph = reach.graph;
        self.stamp_edge(reach, reach.start.edge, largest_m);
        // Nearest first: a cell then mostly gets its fewest metres from the first stretch that
        // comes near it, and the later, farther stretches find it already lower and skip it
        // (see `stamp_segment`).
        for &node in &reach.settled {
            for arc in graph.arcs_of(node) {
                // An edge with both ends reached is drawn once, from its lower end.
                let drawn_from_other_end = arc.to < node && reach.node_metres(arc.to).is_some();
                if arc.edge != reach.start.edge && !drawn_from_other_end {
                    self.stamp_edge(reach, arc.edge, largest_m);
                }
            }
        }
    }

    /// Stamps the part of `edge` within `largest_m`, with the walking metres of each point.
    fn stamp_edge(&mut self, reach: &Reach<'_>, edge: u32, largest_m: f64) {
        let graph = reach.graph;
        let e = &graph.edges[edge as usize];
        let scale = e.walk_per_plane_m();
        for piece in pieces(reach.sources_on(edge), e.length_m, largest_m).iter() {
            // The piece on the drawn shape, segment by segment.
            for p in e.shape_start as usize..e.shape_end as usize - 1 {
                let (s0, s1) = (
                    graph.shape_along[p] * scale,
                    graph.shape_along[p + 1] * scale,
                );
                let (lo, hi) = (piece.from_m.max(s0), piece.to_m.min(s1));
                if lo > hi || (lo == hi && s0 != s1) {
                    continue;
                }
                let at = |s: f64| {
                    let t = if s1 > s0 { (s - s0) / (s1 - s0) } else { 0.0 };
                    super::lerp(graph.shape_xy[p], graph.shape_xy[p + 1], t)
                };
                self.stamp_segment(at(lo), at(hi), piece.metres_at(lo), piece.metres_at(hi));
            }
        }
    }

    /// Lowers every cell whose centre is within the buffer of segment `a`-`b` to the fewest
    /// walking metres among the segment's points within the buffer of it. Metres vary linearly
    /// along the segment, so the fewest is at one end of that stretch.
    ///
    /// This is the hot loop of an answer (a city centre's 15-minute walk stamps thousands of
    /// short segments, each over some twenty cells), so the candidate cells are simply the
    /// segment's box widened by the buffer, found with no division per row, and a cell already
    /// at or under the segment's fewest metres is passed over before any geometry.
    fn stamp_segment(&mut self, a: Xy, b: Xy, metres_a: f64, metres_b: f64) {
        let r = self.buffer_m;
        let cell_m = self.cell_m;
        // Cell centres are at origin + (index + 0.5) * cell: the first index at or after a
        // coordinate, and the last at or before it, clamped to the grid.
        let first =
            |offset: f64, count: usize| (ceil(offset / cell_m - 0.5).max(0.0) as usize).min(count);
        let last = |offset: f64, count: usize| {
            let last = floor(offset / cell_m - 0.5);
            (last >= 0.0).then(|| (last as usize).min(count - 1))
        };
        let (Some(r1), Some(c1)) = (
            last(a.y.max(b.y) + r - self.origin.y, self.rows),
            last(a.x.max(b.x) + r - self.origin.x, self.cols),
        ) else {
            return;
        };
        let r0 = first(a.y.min(b.y) - r - self.origin.y, self.rows);
        let c0 = first(a.x.min(b.x) - r - self.origin.x, self.cols);
        if r0 > r1 || c0 > c1 {
            return;
        }
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let length = (dx * dx + dy * dy).sqrt();
        let (unit_x, unit_y) = if length > 1e-9 {
            (dx / length, dy / length)
        } else {
            (0.0, 0.0)
        };
        let slope = if length > 1e-9 {
            (metres_b - metres_a) / length
        } else {
            0.0
        };
        let r2 = r * r;
        // No point of the segment has fewer metres than this: a cell already at or under it
        // cannot be lowered.
        let fewest = metres_a.min(metres_b) as f32;
        for row in r0..=r1 {
            let cy = self.origin.y + (row as f64 + 0.5) * cell_m;
            let py = cy - a.y;
            let line = &mut self.metres[row * self.cols + c0..=row * self.cols + c1];
            for (col, cell) in (c0..).zip(line.iter_mut()) {
                if *cell <= fewest {
                    continue;
                }
                let cx = self.origin.x + (col as f64 + 0.5) * cell_m;
                let px = cx - a.x;
                // Along the segment (in metres from a) and across it; a segment of no length
                // is a point, all "across".
                let along = px * unit_x + py * unit_y;
                let across2 = (px * px + py * py - along * along).max(0.0);
                if across2 > r2 {
                    continue;
                }
                let half_chord = (r2 - across2).sqrt();
                let lo = (along - half_chord).max(0.0);
                let hi = (along + half_chord).min(length);
                if lo > hi {
                    continue;
                }
                let value = (metres_a + slope * lo).min(metres_a + slope * hi);
                *cell = cell.min(value as f32);
            }
        }
        self.touched = Some(match self.touched {
            None => (c0, r0, c1, r1),
            Some((a0, b0, a1, b1)) => (a0.min(c0), b0.min(r0), a1.max(c1), b1.max(r1)),
        });
    }

    /// Removes the diagonal-only contacts of every threshold at once. Where two diagonal cells
    /// would be in an area while the other two are not (a "saddle"), one of the other two is
    /// lowered to the diagonal's larger metres. Then no area ever has cells that touch by a
    /// corner only: the walk stays connected, and every traced ring is simple (OGC-valid, no
    /// ring touching itself). Lowering only ever adds a cell to an area, and does so for every
    /// larger time as well, so the areas stay nested.
    fn fill_saddles(&mut self) {
        let Some((c0, r0, c1, r1)) = self.touched else {
            return;
        };
        // A lowered cell can make a new saddle next to it; values only decrease, to values
        // already in the grid, so this settles, in practice after a pass or two.
        let (c0, r0) = (c0.saturating_sub(1), r0.saturating_sub(1));
        let (c1, r1) = ((c1 + 1).min(self.cols - 1), (r1 + 1).min(self.rows - 1));
        loop {
            let mut changed = false;
            for row in r0..r1 {
                for col in c0..c1 {
                    let i00 = row * self.cols + col;
                    let (i10, i01, i11) = (i00 + 1, i00 + self.cols, i00 + self.cols + 1);
                    let m = &mut self.metres;
                    let main = m[i00].max(m[i11]);
                    let anti = m[i10].max(m[i01]);
                    if main < m[i10].min(m[i01]) {
                        m[i10] = main;
                        changed = true;
                    } else if anti < m[i00].min(m[i11]) {
                        m[i00] = anti;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }
}

/// `f64::floor` for the grid's offsets (far within `i64`), inline: without SSE4.1 the standard
/// one is a call into libm, and this runs for every row of every stamped segment.
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// `f64::ceil` likewise.
fn ceil(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t < x { t + 1.0 } else { t }
}

/// A stretch of an edge on which the walking metres change linearly (rising or falling by one
/// metre per metre along it), in walking metres from the edge's `from` node.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Piece {
    from_m: f64,
    to_m: f64,
    metres_from: f64,
    metres_to: f64,
}

impl Piece {
    fn metres_at(&self, s: f64) -> f64 {
        if self.to_m > self.from_m {
            let t = (s - self.from_m) / (self.to_m - self.from_m);
            self.metres_from + (self.metres_to - self.metres_from) * t
        } else {
            self.metres_from.min(self.metres_to)
        }
    }
}

/// The walked stretches of an edge of `length_m`, given the points the walk gets onto it from
/// (position along it, walking metres there), cut where the metres pass `limit_m`.
///
/// The metres at a position `s` are the fewest of `m + |s - position|` over the sources: they
/// fall towards each source and rise away from it, meeting halfway between two sources.
fn pieces(sources: impl Iterator<Item = (f64, f64)>, length_m: f64, limit_m: f64) -> Pieces {
    // At most three sources (both ends and the start), so no allocation: this runs for every
    // reached edge of every answer.
    let mut raw = [(0.0, 0.0); MAX_SOURCES];
    let mut n = 0;
    for source in sources.take(MAX_SOURCES) {
        raw[n] = source;
        n += 1;
    }
    let raw = &mut raw[..n];
    raw.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Each source's metres, improved through the others along the edge, so that only
    // neighbouring sources decide a stretch.
    let mut sources = [(0.0, 0.0); MAX_SOURCES];
    for (i, &(position, metres)) in raw.iter().enumerate() {
        let best = raw
            .iter()
            .map(|&(p, m)| m + (position - p).abs())
            .fold(metres, f64::min);
        sources[i] = (position, best);
    }
    let sources = &sources[..n];
    let mut stretches = Pieces::default();
    let (Some(&first), Some(&last)) = (sources.first(), sources.last()) else {
        return stretches;
    };
    // Before the first source and after the last, the metres only rise towards the ends.
    stretches.push_up_to(linear(first.0, first.1, 0.0), limit_m);
    for pair in sources.windows(2) {
        let ((p0, m0), (p1, m1)) = (pair[0], pair[1]);
        let meet = ((p0 + p1 + m1 - m0) / 2.0).clamp(p0, p1);
        stretches.push_up_to(linear(p0, m0, meet), limit_m);
        stretches.push_up_to(linear(p1, m1, meet), limit_m);
    }
    stretches.push_up_to(linear(last.0, last.1, length_m), limit_m);
    stretches
}

/// The sources of an edge: its two ends and the start.
const MAX_SOURCES: usize = 3;

/// An edge's walked stretches: two per source at most, kept inline.
#[derive(Debug, Clone, Copy, Default)]
struct Pieces {
    items: [Piece; 2 * MAX_SOURCES],
    len: usize,
}

impl Pieces {
    /// Adds `piece` cut at `limit_m`, unless it starts beyond it.
    fn push_up_to(&mut self, piece: Piece, limit_m: f64) {
        if let Some(piece) = piece.up_to(limit_m) {
            self.items[self.len] = piece;
            self.len += 1;
        }
    }
}

impl std::ops::Deref for Pieces {
    type Target = [Piece];

    fn deref(&self) -> &[Piece] {
        &self.items[..self.len]
    }
}

/// The stretch from a source at `position` (with `metres`) to `end`, where the metres rise by
/// one per metre away from the source.
fn linear(position: f64, metres: f64, end: f64) -> Piece {
    let gained = (end - position).abs();
    let (from_m, to_m, metres_from, metres_to) = if end >= position {
        (position, end, metres, metres + gained)
    } else {
        (end, position, metres + gained, metres)
    };
    Piece {
        from_m,
        to_m,
        metres_from,
        metres_to,
    }
}

impl Piece {
    /// This stretch cut where its metres pass `limit_m`, or `None` if it starts beyond it.
    fn up_to(self, limit_m: f64) -> Option<Piece> {
        let low = self.metres_from.min(self.metres_to);
        if low > limit_m {
            return None;
        }
        let high = self.metres_from.max(self.metres_to);
        if high <= limit_m {
            return Some(self);
        }
        let reachable = limit_m - low;
        Some(if self.metres_from <= self.metres_to {
            Piece {
                to_m: self.from_m + reachable,
                metres_to: limit_m,
                ..self
            }
        } else {
            Piece {
                from_m: self.to_m - reachable,
                metres_from: limit_m,
                ..self
            }
        })
    }
}

/// Traces the outline of the cells within a limit into rings.
///
/// It works on a mask of the stamped box with a one-cell border that is always outside, so
/// that neighbours are plain index offsets with no bounds checks. Its buffers are reused
/// across the limits of one answer.
struct Tracer {
    /// The grid cell at mask cell (1, 1).
    first_col: usize,
    first_row: usize,
    /// Mask size, border included.
    width: usize,
    height: usize,
    /// 1 where the cell is within the limit.
    mask: Vec<u8>,
    /// Connected part of each mask cell within the limit (0: not within).
    part: Vec<u32>,
    /// For each mask corner (`y * (width + 1) + x`), the next corner along an outline, with
    /// the area on the left; `NONE` when no outline leaves it.
    next: Vec<u32>,
    starts: Vec<u32>,
    stack: Vec<usize>,
}

const NONE: u32 = u32::MAX;

impl Tracer {
    /// A tracer for the cells of `grid` that anything was stamped on (and the saddle fill's
    /// margin of one cell around them).
    fn new(grid: &MetreGrid) -> Option<Tracer> {
        let (c0, r0, c1, r1) = grid.touched?;
        let (c0, r0) = (c0.saturating_sub(1), r0.saturating_sub(1));
        let (c1, r1) = ((c1 + 1).min(grid.cols - 1), (r1 + 1).min(grid.rows - 1));
        let (width, height) = (c1 - c0 + 3, r1 - r0 + 3);
        Some(Tracer {
            first_col: c0,
            first_row: r0,
            width,
            height,
            mask: vec![0; width * height],
            part: vec![0; width * height],
            next: vec![NONE; (width + 1) * (height + 1)],
            starts: Vec::new(),
            stack: Vec::new(),
        })
    }

    fn outline(&mut self, grid: &MetreGrid, limit: f32, graph: &WalkGraph) -> MultiPolygon<f64> {
        let w = self.width;
        for y in 1..self.height - 1 {
            let row = &grid.metres[(self.first_row + y - 1) * grid.cols + self.first_col..];
            for x in 1..w - 1 {
                self.mask[y * w + x] = u8::from(row[x - 1] <= limit);
            }
        }
        self.part.fill(0);

        let corners = w + 1;
        let mut parts = 0u32;
        for y in 1..self.height - 1 {
            for x in 1..w - 1 {
                let cell = y * w + x;
                if self.mask[cell] == 0 {
                    continue;
                }
                if self.part[cell] == 0 {
                    parts += 1;
                    self.label_part(cell, parts);
                }
                // Each side facing outside is an outline edge, the area on its left: the
                // bottom runs east, the right north, the top west, the left south.
                let corner = |x: usize, y: usize| (y * corners + x) as u32;
                let sides = [
                    (cell - w, corner(x, y), corner(x + 1, y)),
                    (cell + 1, corner(x + 1, y), corner(x + 1, y + 1)),
                    (cell + w, corner(x + 1, y + 1), corner(x, y + 1)),
                    (cell - 1, corner(x, y + 1), corner(x, y)),
                ];
                for (neighbour, from, to) in sides {
                    if self.mask[neighbour] == 0 {
                        // Without saddles, one outline leaves each corner at most.
                        debug_assert_eq!(self.next[from as usize], NONE);
                        self.next[from as usize] = to;
                        self.starts.push(from);
                    }
                }
            }
        }

        // Per connected part: its outer ring and holes (every part has exactly one outer ring).
        let mut outers: Vec<Option<Polygon<f64>>> = vec![None; parts as usize];
        let mut holes = Vec::new();
        let mut ring = Vec::new();
        let starts = std::mem::take(&mut self.starts);
        for &start in &starts {
            if self.next[start as usize] == NONE {
                continue; // already traced as part of another ring
            }
            ring.clear();
            let mut at = start;
            let mut part = 0;
            let mut doubled_area = 0i64;
            loop {
                let to = self.next[at as usize];
                self.next[at as usize] = NONE;
                let (ax, ay) = (
                    (at as usize % corners) as i64,
                    (at as usize / corners) as i64,
                );
                let (bx, by) = (
                    (to as usize % corners) as i64,
                    (to as usize / corners) as i64,
                );
                if part == 0 {
                    // The cell on the left of this edge is inside: its part owns the ring.
                    let (lx, ly) = match (bx - ax, by - ay) {
                        (1, 0) => (ax, ay),
                        (0, 1) => (ax - 1, ay),
                        (-1, 0) => (ax - 1, ay - 1),
                        _ => (ax, ay - 1),
                    };
                    part = self.part[ly as usize * w + lx as usize];
                }
                doubled_area += ax * by - bx * ay;
                ring.push((ax, ay));
                at = to;
                if at == start {
                    break;
                }
            }
            let line = self.ring_to_geo(grid, &corners_only(&ring), graph);
            if doubled_area > 0 {
                outers[part as usize - 1] = Some(Polygon::new(line, Vec::new()));
            } else {
                holes.push((part, line));
            }
        }
        self.starts = starts;
        self.starts.clear();
        for (part, hole) in holes {
            if let Some(polygon) = &mut outers[part as usize - 1] {
                polygon.interiors_push(hole);
            }
        }
        MultiPolygon::new(outers.into_iter().flatten().collect())
    }

    /// Labels the connected cells (sharing a side) within the limit, from one cell.
    fn label_part(&mut self, cell: usize, label: u32) {
        let w = self.width;
        self.stack.clear();
        self.part[cell] = label;
        self.stack.push(cell);
        while let Some(cell) = self.stack.pop() {
            // The border is outside, so the neighbours of an inside cell are in the mask.
            for n in [cell - 1, cell + 1, cell - w, cell + w] {
                if self.mask[n] != 0 && self.part[n] == 0 {
                    self.part[n] = label;
                    self.stack.push(n);
                }
            }
        }
    }

    fn ring_to_geo(
        &self,
        grid: &MetreGrid,
        ring: &[(i64, i64)],
        graph: &WalkGraph,
    ) -> LineString<f64> {
        // Mask corner (x, y) is grid corner (first_col + x - 1, first_row + y - 1).
        let x0 = grid.origin.x + (self.first_col as f64 - 1.0) * grid.cell_m;
        let y0 = grid.origin.y + (self.first_row as f64 - 1.0) * grid.cell_m;
        let mut coords: Vec<Coord<f64>> = ring
            .iter()
            .map(|&(x, y)| {
                let p = graph.projection.to_geo(Xy {
                    x: x0 + x as f64 * grid.cell_m,
                    y: y0 + y as f64 * grid.cell_m,
                });
                Coord { x: p.lon, y: p.lat }
            })
            .collect();
        if let Some(&first) = coords.first() {
            coords.push(first);
        }
        LineString::new(coords)
    }
}

/// The ring's corners only: a corner is kept where the outline turns.
fn corners_only(ring: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let n = ring.len();
    (0..n)
        .filter(|&i| {
            let (prev, here, next) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            (here.0 - prev.0, here.1 - prev.1) != (next.0 - here.0, next.1 - here.1)
        })
        .map(|i| ring[i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn an_edge_walked_from_both_ends_meets_in_the_middle() {
        let p = pieces([(0.0, 10.0), (100.0, 30.0)].into_iter(), 100.0, 1000.0);
        // Rising from the start of the edge (nothing before it), then the two halves.
        let meet = p
            .iter()
            .find(|piece| approx(piece.metres_to, 70.0))
            .unwrap();
        assert!(approx(meet.from_m, 0.0) && approx(meet.to_m, 60.0));
        assert!(
            p.iter()
                .all(|piece| piece.metres_from.max(piece.metres_to) <= 70.0 + 1e-9)
        );
    }

    #[test]
    fn the_budget_cuts_an_edge_part_way() {
        let p = pieces([(0.0, 50.0)].into_iter(), 100.0, 80.0);
        let walked: Vec<_> = p.iter().filter(|piece| piece.to_m > piece.from_m).collect();
        assert_eq!(walked.len(), 1);
        assert!(approx(walked[0].to_m, 30.0));
        assert!(approx(walked[0].metres_at(30.0), 80.0));
    }

    #[test]
    fn a_start_on_the_edge_is_walked_both_ways() {
        let p = pieces([(40.0, 0.0)].into_iter(), 100.0, 25.0);
        let mut spans: Vec<(f64, f64)> = p.iter().map(|piece| (piece.from_m, piece.to_m)).collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(spans, vec![(15.0, 40.0), (40.0, 65.0)]);
    }

    #[test]
    fn the_inline_floor_and_ceil_are_the_standard_ones() {
        for x in [
            -41.5,
            -40.0,
            -39.999,
            -0.5,
            -0.0,
            0.0,
            0.25,
            0.5,
            1.0,
            3.7,
            95.0,
            191.49,
            1e6 + 0.5,
        ] {
            assert_eq!(floor(x), x.floor(), "floor {x}");
            assert_eq!(ceil(x), x.ceil(), "ceil {x}");
        }
    }

    #[test]
    fn pieces_of_three_sources_need_no_more_room_than_six() {
        // Both ends and the start on one edge: two stretches per source.
        let p = pieces(
            [(0.0, 30.0), (100.0, 50.0), (40.0, 0.0)].into_iter(),
            100.0,
            1000.0,
        );
        assert_eq!(p.len(), 6);
        assert!(p.iter().all(|piece| piece.from_m <= piece.to_m));
        // The start decides the whole edge: 40 m back to the start of the edge, 60 on.
        assert!(p.iter().any(|piece| approx(piece.metres_at(0.0), 30.0)));
        assert!(p.iter().any(|piece| approx(piece.metres_at(100.0), 50.0)));
    }

    #[test]
    fn corners_drop_straight_runs() {
        let square = [
            (0, 0),
            (1, 0),
            (2, 0),
            (2, 1),
            (2, 2),
            (1, 2),
            (0, 2),
            (0, 1),
        ];
        assert_eq!(corners_only(&square), vec![(0, 0), (2, 0), (2, 2), (0, 2)]);
    }
}
