//! The areas walkable within each time, drawn from a [`Reach`].
//!
//! Method: every reached stretch of the network (whole edges, and the part of an edge walked
//! before the budget ran out) is drawn on a small metre grid around the start ([`AREA_CELL_M`]
//! cells), each cell keeping the fewest walking metres of the walk inside it; then every cell
//! takes the fewest metres of the cells within two of it, a buffer of about [`AREA_BUFFER_M`].
//! The area for a time is the outline of the cells at or under that time's metres.
//!
//! Why this and not a concave hull of the reached nodes: a hull has to guess a concavity
//! parameter, bridges across rivers, railways and closed compounds that the walk goes round,
//! and can split or merge parts arbitrarily. The grid follows the network by construction:
//! - **connected along the network**: every cell a walked line passes through is in the area,
//!   and diagonal-only contacts are filled in (see [`fill_saddles`]), so a walk never leaves a
//!   gap in its area;
//! - **nested**: one grid of metres serves every time, so the 5-minute area is inside the
//!   10-minute one by construction, and each grows with the minutes;
//! - **fast and bounded**: the work is the reached edges times a cell or two each, plus a few
//!   scans of a grid of at most [`MAX_CELLS_ACROSS`]² cells; no polygon boolean operations.
//!
//! The outlines follow cell edges (a 20 m staircase on diagonal streets), rings are simple,
//! outer rings run counter-clockwise and holes clockwise, as GeoJSON (RFC 7946) asks.

use super::{Reach, WalkGraph, Xy};
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// The side of a grid cell, in metres, for walks up to about 1.6 km.
pub const AREA_CELL_M: f64 = 20.0;

/// How far either side of a walked line counts as reached: about a building's depth from the
/// street, two cells (see [`MetreGrid::spread_to_buffer`] for how exactly).
pub const AREA_BUFFER_M: f64 = 40.0;

/// The buffer in cells, whatever the cell size.
const BUFFER_CELLS: usize = 2;

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
    grid.spread_to_buffer();
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
        // at least the distance between their ends), plus the cell it ends in, the buffer and
        // a cell of margin. Plane and haversine metres differ by well under 1% within a city.
        let mut cell_m = AREA_CELL_M;
        let half_span = |cell_m: f64| largest_m * 1.01 + (BUFFER_CELLS + 2) as f64 * cell_m;
        while 2.0 * half_span(cell_m) / cell_m > MAX_CELLS_ACROSS as f64 {
            cell_m *= 1.25;
        }
        let half = half_span(cell_m);
        let across = (2.0 * half / cell_m).ceil() as usize;
        MetreGrid {
            origin: Xy {
                x: start.x - half,
                y: start.y - half,
            },
            cell_m,
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
            // The piece on the drawn shape, segment by segment (the shape's metres along only
            // grow, so the segments past the piece's end are skipped all at once).
            for p in e.shape_start as usize..e.shape_end as usize - 1 {
                let (s0, s1) = (
                    graph.shape_along[p] * scale,
                    graph.shape_along[p + 1] * scale,
                );
                if s0 > piece.to_m {
                    break;
                }
                let (lo, hi) = (piece.from_m.max(s0), piece.to_m.min(s1));
                if lo > hi || (lo == hi && s0 != s1) {
                    continue;
                }
                let (a, b) = (graph.shape_xy[p], graph.shape_xy[p + 1]);
                // Most pieces cover whole segments: their ends are the shape's own points.
                let at = |s: f64, end: f64, point: Xy| {
                    if s == end || s1 <= s0 {
                        point
                    } else {
                        super::lerp(a, b, (s - s0) / (s1 - s0))
                    }
                };
                self.stamp_segment(
                    at(lo, s0, a),
                    at(hi, s1, b),
                    piece.metres_at(lo),
                    piece.metres_at(hi),
                );
            }
        }
    }

    /// Lowers each cell the segment `a`-`b` passes through to the fewest walking metres of the
    /// segment's part inside it. Metres vary linearly along the segment, so the fewest is at
    /// the point where the segment enters or leaves the cell.
    ///
    /// The cells are visited in order along the segment (Amanatides and Woo's traversal): one
    /// to three per segment of a city's street, against the twenty cells of a buffer around it
    /// that an exact buffer would visit, which is what made an answer fast enough
    /// (see [`MetreGrid::spread_to_buffer`] for the buffer).
    fn stamp_segment(&mut self, a: Xy, b: Xy, metres_a: f64, metres_b: f64) {
        let per_cell = 1.0 / self.cell_m;
        let (ua, va) = (
            (a.x - self.origin.x) * per_cell,
            (a.y - self.origin.y) * per_cell,
        );
        let (du, dv) = ((b.x - a.x) * per_cell, (b.y - a.y) * per_cell);
        let (mut col, mut row) = (floor(ua) as i64, floor(va) as i64);
        let (end_col, end_row) = (floor(ua + du) as i64, floor(va + dv) as i64);
        if (col, row) == (end_col, end_row) {
            // Most segments of a city's streets are shorter than a cell.
            self.lower(col, row, metres_a.min(metres_b));
            return;
        }
        // Along the segment (0 at a, 1 at b): where the next column and row boundaries are
        // crossed, and how far apart those crossings are.
        let crossing = |from: f64, delta: f64| {
            let step = 1.0 / delta.abs();
            if delta > 0.0 {
                ((floor(from) + 1.0 - from) * step, step)
            } else if delta < 0.0 {
                ((from - floor(from)) * step, step)
            } else {
                (f64::INFINITY, f64::INFINITY)
            }
        };
        let (mut next_col_t, col_step_t) = crossing(ua, du);
        let (mut next_row_t, row_step_t) = crossing(va, dv);
        let metres_at = |t: f64| metres_a + (metres_b - metres_a) * t.clamp(0.0, 1.0);
        let mut entered_t = 0.0;
        // Exactly the cells from a's to b's: each step crosses one column or one row boundary,
        // so rounding can never run the walk past b.
        let steps = end_col.abs_diff(col) + end_row.abs_diff(row);
        for step in 0..=steps {
            let cross_col = col != end_col && (row == end_row || next_col_t <= next_row_t);
            let left_t = if step == steps {
                1.0
            } else if cross_col {
                next_col_t
            } else {
                next_row_t
            };
            self.lower(col, row, metres_at(entered_t).min(metres_at(left_t)));
            entered_t = left_t;
            if cross_col {
                col += if du > 0.0 { 1 } else { -1 };
                next_col_t += col_step_t;
            } else {
                row += if dv > 0.0 { 1 } else { -1 };
                next_row_t += row_step_t;
            }
        }
    }

    /// Lowers cell (`col`, `row`) to `metres`, if it is on the grid (the grid is sized to hold
    /// the whole walk, so a cell off it is a rounding at the margin).
    fn lower(&mut self, col: i64, row: i64, metres: f64) {
        if col < 0 || row < 0 || col as usize >= self.cols || row as usize >= self.rows {
            return;
        }
        let (col, row) = (col as usize, row as usize);
        let cell = &mut self.metres[row * self.cols + col];
        *cell = cell.min(metres as f32);
        self.touched = Some(match self.touched {
            None => (col, row, col, row),
            Some((c0, r0, c1, r1)) => (c0.min(col), r0.min(row), c1.max(col), r1.max(row)),
        });
    }

    /// Turns the cells the walk passed through into the cells near it: each cell takes the
    /// fewest metres among the cells up to [`BUFFER_CELLS`] away across or along and one
    /// diagonally (a disc of radius two cells on the grid, the 5 x 5 square without its
    /// corners). A point of the walk thus counts for every cell whose centre is within 1.5
    /// cells of it (30 m) and for none farther than 2.9 cells (58 m): about the
    /// [`AREA_BUFFER_M`] either side of a street that a building's front door can be.
    ///
    /// The disc is the union of a 5 x 3 and a 3 x 5 rectangle, and a rectangle's minimum is a
    /// minimum over rows followed by one over columns, so every cell costs sixteen reads.
    fn spread_to_buffer(&mut self) {
        let Some((c0, r0, c1, r1)) = self.touched else {
            return;
        };
        // The windows below are written out for two cells.
        const _: () = assert!(BUFFER_CELLS == 2);
        let reach = BUFFER_CELLS;
        // The box of the cells the walk passed through, widened by what they spread to. The
        // grid's margin keeps that box `reach` cells clear of the grid's sides (see `around`),
        // so the clamp below never cuts a spread short; it keeps the reads on the grid.
        let (c0, r0) = (
            c0.saturating_sub(reach).max(reach),
            r0.saturating_sub(reach).max(reach),
        );
        let (c1, r1) = (
            (c1 + reach).min(self.cols - 1 - reach),
            (r1 + reach).min(self.rows - 1 - reach),
        );
        if c0 > c1 || r0 > r1 {
            return;
        }
        let width = c1 - c0 + 1;
        // Per row: the minimum over 5 and over 3 cells centred on each cell of the box, for
        // rows r0 - reach ..= r1 + reach. Outside the widened box every cell is unreached.
        let rows_read = r0 - reach..r1 + reach + 1;
        let mut wide = vec![f32::INFINITY; rows_read.len() * width];
        let mut narrow = vec![f32::INFINITY; rows_read.len() * width];
        for (i, row) in rows_read.clone().enumerate() {
            let line = &self.metres[row * self.cols + c0 - reach..=row * self.cols + c1 + reach];
            let (w, n) = (
                &mut wide[i * width..(i + 1) * width],
                &mut narrow[i * width..(i + 1) * width],
            );
            for (k, (w, n)) in w.iter_mut().zip(n.iter_mut()).enumerate() {
                let centre3 = line[k + 1].min(line[k + 2]).min(line[k + 3]);
                *n = centre3;
                *w = centre3.min(line[k]).min(line[k + 4]);
            }
        }
        // Then per column: 5 rows of the 3-cell minima, and 3 rows of the 5-cell minima.
        fn band(rows: &[f32], i: usize, width: usize) -> &[f32] {
            &rows[i * width..(i + 1) * width]
        }
        for (i, row) in (r0..=r1).enumerate() {
            let out = &mut self.metres[row * self.cols + c0..=row * self.cols + c1];
            // Row `row` is `i + reach` in the bands.
            out.copy_from_slice(band(&narrow, i, width));
            for k in 1..=2 * reach {
                for (o, &m) in out.iter_mut().zip(band(&narrow, i + k, width)) {
                    *o = o.min(m);
                }
            }
            for k in 1..=2 * reach - 1 {
                for (o, &m) in out.iter_mut().zip(band(&wide, i + k, width)) {
                    *o = o.min(m);
                }
            }
        }
        self.touched = Some((c0, r0, c1, r1));
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
/// one is a call into libm, and this runs for every stamped segment.
fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
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
    /// The walking metres at `s` metres along the edge (within the stretch): one metre more
    /// or less per metre walked, so no division on this path that runs for every segment.
    fn metres_at(&self, s: f64) -> f64 {
        let walked = (s - self.from_m).clamp(0.0, (self.to_m - self.from_m).max(0.0));
        if self.metres_to >= self.metres_from {
            self.metres_from + walked
        } else {
            self.metres_from - walked
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

    /// An empty grid of `across` x `across` 20 m cells with its corner at (0, 0).
    fn empty_grid(across: usize) -> MetreGrid {
        MetreGrid {
            origin: Xy { x: 0.0, y: 0.0 },
            cell_m: AREA_CELL_M,
            cols: across,
            rows: across,
            metres: vec![f32::INFINITY; across * across],
            touched: None,
        }
    }

    /// A small deterministic generator, so the cases are the same on every run.
    fn numbers(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn a_segment_lowers_exactly_the_cells_it_passes_through_to_its_fewest_metres_in_them() {
        let mut next = numbers(7);
        for case in 0..300 {
            let mut grid = empty_grid(12);
            let mut point = || Xy {
                x: 20.0 + next() * 200.0,
                y: 20.0 + next() * 200.0,
            };
            let (a, b) = (point(), point());
            // Axis-parallel and single-cell segments too.
            let b = match case % 5 {
                0 => Xy { x: b.x, y: a.y },
                1 => Xy { x: a.x, y: b.y },
                2 => Xy {
                    x: a.x + 3.0,
                    y: a.y - 2.0,
                },
                _ => b,
            };
            let (metres_a, metres_b) = (100.0 + next() * 300.0, 100.0 + next() * 300.0);
            grid.stamp_segment(a, b, metres_a, metres_b);
            // By sampling the segment finely: the cells it visits and the fewest metres in each.
            let mut expected = vec![f32::INFINITY; 144];
            for i in 0..=20_000 {
                let t = f64::from(i) / 20_000.0;
                let p = super::super::lerp(a, b, t);
                let cell = (p.y / 20.0) as usize * 12 + (p.x / 20.0) as usize;
                let metres = (metres_a + (metres_b - metres_a) * t) as f32;
                expected[cell] = expected[cell].min(metres);
            }
            for (cell, (&got, &want)) in grid.metres.iter().zip(&expected).enumerate() {
                // Sampling finds a cell's fewest metres to within a sample's step.
                let close = (got.is_infinite() && want.is_infinite()) || (got - want).abs() < 0.05;
                assert!(close, "case {case}, cell {cell}: {got} against {want}");
            }
        }
    }

    #[test]
    fn the_spread_gives_each_cell_the_fewest_metres_within_two_cells_but_not_diagonally_two() {
        let mut next = numbers(11);
        let across = 16;
        let mut grid = empty_grid(across);
        let mut line = vec![f32::INFINITY; across * across];
        // Scattered cells away from the grid's sides, as the walk leaves them.
        for _ in 0..25 {
            let (col, row) = (4 + (next() * 8.0) as usize, 4 + (next() * 8.0) as usize);
            let metres = (next() * 500.0) as f32;
            grid.lower(col as i64, row as i64, f64::from(metres));
            line[row * across + col] = line[row * across + col].min(metres);
        }
        grid.spread_to_buffer();
        for row in 0..across {
            for col in 0..across {
                let mut want = f32::INFINITY;
                for (r, c) in (0..across).flat_map(|r| (0..across).map(move |c| (r, c))) {
                    let (dr, dc) = (r.abs_diff(row), c.abs_diff(col));
                    if dr <= 2 && dc <= 2 && !(dr == 2 && dc == 2) {
                        want = want.min(line[r * across + c]);
                    }
                }
                assert_eq!(grid.metres[row * across + col], want, "cell ({col}, {row})");
            }
        }
    }

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
    fn the_inline_floor_is_the_standard_one() {
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
