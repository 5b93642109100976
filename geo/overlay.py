"""Chunked polygon intersection engine: the exact areas of ``geopandas.overlay`` at a fraction of the cost.

The engine works on plain arrays of shapely geometries:

1. :func:`flatten` removes overlaps *inside* one layer, so overlapping features count once. A mosaic
   is checked from its boundary segments (:func:`mosaic_suspects`: shared edges cancel, the winding
   number of what is left counts the polygons over each point), then only suspects are tested
   against their neighbours for interior overlap and each overlapping cluster is unioned.
   Touching polygons are left as they are (no costly dissolve of a whole mosaic).
2. :func:`intersect` pairs two flat layers through an ``STRtree`` bulk query, chunk by chunk over the
   larger side, so memory stays bounded by ``chunk_size``. Pairs where one polygon lies properly inside
   the other (the bulk of a fine mosaic against coarse polygons) are answered by a *prepared*
   ``contains_properly`` test and cost no overlay at all: the piece is the inner polygon itself.
   Only boundary pairs go through the vectorised ``shapely.intersection``.

Areas agree with ``geopandas.overlay(how="intersection")`` on the same (flat) inputs to rounding.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

BUFFER_QUAD_SEGS = 32
"""Segments per quarter circle in buffers: a 128-gon, whose area is within 0.04 % of the circle."""

DEFAULT_CHUNK = 50_000
"""Features of the larger layer handled per chunk (bounds the pair arrays held at once)."""

_POLY_TYPES = (3, 6)  # Polygon, MultiPolygon


def as_geometry_array(geoms) -> np.ndarray:
    """Return ``geoms`` (GeoSeries, GeoDataFrame, list, array) as a 1-d object array of geometries.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> a = as_geometry_array(gpd.GeoSeries([box(0, 0, 2, 2), box(1, 1, 3, 3)]))
    >>> a.dtype, a.shape, float(shapely.area(a).sum())
    (dtype('O'), (2,), 8.0)
    """
    if hasattr(geoms, "geometry"):
        geoms = geoms.geometry
    if isinstance(geoms, gpd.GeoSeries):
        # GeometryArray.__array__ (public numpy protocol) hands back its object array without a copy.
        geoms = geoms.values
    return np.asarray(geoms, dtype=object).reshape(-1)


def polygonal(geoms: npt.ArrayLike) -> np.ndarray:
    """Keep only polygon parts: collections are reduced, points/lines/missing become empty polygons."""
    geoms = as_geometry_array(geoms)
    out = geoms.copy()
    missing = shapely.is_missing(geoms)
    types = np.where(missing, -1, shapely.get_type_id(np.where(missing, shapely.Point(), geoms)))
    empty = shapely.Polygon()
    out[~np.isin(types, _POLY_TYPES + (7,))] = empty
    for i in np.flatnonzero(types == 7):
        parts = shapely.get_parts(geoms[i])
        parts = parts[np.isin(shapely.get_type_id(parts), _POLY_TYPES)]
        out[i] = shapely.union_all(parts) if len(parts) else empty
    return out


def buffer(geoms: np.ndarray, distance: float, quad_segs: int = BUFFER_QUAD_SEGS) -> np.ndarray:
    """Buffer by ``distance`` metres (round joins, :data:`BUFFER_QUAD_SEGS` segments per quarter circle)."""
    geoms = as_geometry_array(geoms)
    if distance == 0:
        return geoms
    return shapely.buffer(geoms, distance, quad_segs=quad_segs)


def _ring_segments(geoms: np.ndarray):
    """Directed boundary segments of polygons, oriented so exteriors run counter-clockwise, holes clockwise.

    Returns ``(x0, y0, x1, y1, owner)``: one row per segment, ``owner`` the index into ``geoms``.
    With that orientation the winding number of the segments at a point is the number of
    polygons containing it (valid polygons).
    """
    if (shapely.get_type_id(geoms) == 3).all():  # all polygons: no parts to copy out
        parts, owner = geoms, np.arange(len(geoms))
    else:
        parts, owner = shapely.get_parts(geoms, return_index=True)
    n_int = shapely.get_num_interior_rings(parts)
    if n_int.any():
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        first = np.r_[True, ring_part[1:] != ring_part[:-1]]  # the exterior comes first
    else:  # no holes: a polygon's coordinates are its exterior ring
        rings, ring_part, first = parts, np.arange(len(parts)), np.ones(len(parts), bool)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    # a segment joins coordinate k and k + 1 of the same ring
    seg = np.flatnonzero(ring[1:] == ring[:-1])
    x0, y0 = xy[seg, 0], xy[seg, 1]
    x1, y1 = xy[seg + 1, 0], xy[seg + 1, 1]
    seg_ring = ring[seg]
    # ring orientation from its shoelace sum, then flip rings whose orientation is wrong
    twice_area = np.bincount(seg_ring, weights=x0 * y1 - x1 * y0, minlength=len(rings))
    flip = np.flatnonzero(np.where(first, twice_area < 0, twice_area > 0)[seg_ring])
    if len(flip):
        x0[flip], x1[flip] = x1[flip], x0[flip].copy()
        y0[flip], y1[flip] = y1[flip], y0[flip].copy()
    return x0, y0, x1, y1, owner[ring_part[seg_ring]]


def _point_hash(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A 64-bit hash of exact coordinates (equal points, equal hashes)."""
    bx = np.ascontiguousarray(x, np.float64).view(np.uint64)
    by = np.ascontiguousarray(y, np.float64).view(np.uint64)
    # splitmix64 finaliser on each coordinate: round numbers (whose low bits are all zero) still
    # spread over all 64 bits
    return _mix(_mix(bx) ^ by)


def _mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _uncancelled(x0, y0, x1, y1) -> np.ndarray:
    """Mask of the segments left after removing exactly opposite pairs (a shared edge of a mosaic).

    Only pairs that are the sole two copies of an edge, with equal coordinates and opposite
    directions, are removed; the winding number of what is left equals that of all segments.
    """
    with np.errstate(over="ignore"):
        ha, hb = _point_hash(x0, y0), _point_hash(x1, y1)
        key = np.minimum(ha, hb) * np.uint64(0x165667B19E3779F9) ^ np.maximum(ha, hb)
    order = np.argsort(key)
    k = key[order]
    start = np.r_[True, k[1:] != k[:-1]]
    gid = np.cumsum(start) - 1
    size = np.bincount(gid)
    # groups of exactly two: their first member sits at a group start followed by its twin
    i = np.flatnonzero(start & (size[gid] == 2))
    a, b = order[i], order[i + 1]
    opposite = (x0[a] == x1[b]) & (y0[a] == y1[b]) & (x1[a] == x0[b]) & (y1[a] == y0[b])
    keep = np.ones(len(x0), bool)
    keep[a[opposite]] = False
    keep[b[opposite]] = False
    return keep


def _winding(px, py, x0, y0, x1, y1) -> np.ndarray:
    """Winding number of the directed segments around each point (Sunday's crossing rule)."""
    lines = shapely.linestrings(np.stack([np.c_[x0, y0], np.c_[x1, y1]], axis=1))
    tree = shapely.STRtree(lines)
    far = float(max(x0.max(), x1.max())) + 1.0
    rays = shapely.linestrings(np.stack([np.c_[px, py], np.c_[np.full(len(px), far), py]], axis=1))
    q, s = tree.query(rays)  # segments whose envelope meets the ray to the right of the point
    cross = (x1[s] - x0[s]) * (py[q] - y0[s]) - (px[q] - x0[s]) * (y1[s] - y0[s])
    up = (y0[s] <= py[q]) & (y1[s] > py[q]) & (cross > 0)
    down = (y1[s] <= py[q]) & (y0[s] > py[q]) & (cross < 0)
    return np.bincount(q, weights=up.astype(np.int64) - down, minlength=len(px)).astype(np.int64)


def mosaic_suspects(geoms: np.ndarray, max_boundary_share: float = 0.35) -> np.ndarray | None:
    """Polygons that may overlap another one, found from the boundary segments alone (exact superset).

    The mosaic fast path of the overlap check. With exteriors counter-clockwise and holes
    clockwise, the winding number of all boundary segments at a point is the number of polygons
    containing it, so the layer is free of overlaps exactly when that number is never 2 or more.
    Edges shared by two neighbours cancel (same coordinates, opposite directions), so in a mosaic
    only the outline of the whole is left; its faces are formed (noding and polygonising that
    short outline) and the winding number is taken at one interior point of each. Polygons
    meeting a face covered twice are the suspects; an empty array proves there is no overlap.

    Parameters
    ----------
    geoms : ndarray of geometries
        Valid, non-empty polygons.
    max_boundary_share : float
        When more than this share of the segments is left after cancelling (not a mosaic: few
        shared edges), return None: the other strategies of :func:`overlapping_pairs` are cheaper.

    Examples
    --------
    >>> from shapely import box
    >>> mosaic_suspects(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)]), 1.0)
    array([], dtype=int64)
    >>> mosaic_suspects(np.array([box(0, 0, 2, 2), box(1, 1, 3, 3), box(5, 5, 6, 6)]), 1.0)
    array([0, 1])
    """
    x0, y0, x1, y1, _ = _ring_segments(geoms)
    if len(x0) == 0:
        return np.empty(0, np.int64)
    keep = _uncancelled(x0, y0, x1, y1)
    n_left = int(keep.sum())
    if n_left > max_boundary_share * len(x0):
        return None
    if n_left == 0:  # pragma: no cover - a finite set of polygons always leaves its outline
        return np.empty(0, np.int64)
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    rings = _outline_rings(x0, y0, x1, y1)
    if rings is not None:
        polys, w = rings
        bad = polys[w >= 2]
    else:  # the outline is not a set of simple, non-crossing rings: form its faces with GEOS
        outline = shapely.multilinestrings(np.stack([np.c_[x0, y0], np.c_[x1, y1]], axis=1))
        faces = shapely.get_parts(shapely.polygonize([shapely.union_all(outline)]))
        faces = faces[shapely.area(faces) > 0]
        if len(faces) == 0:
            return np.empty(0, np.int64)
        inner = shapely.point_on_surface(faces)
        bad = faces[_winding(shapely.get_x(inner), shapely.get_y(inner), x0, y0, x1, y1) >= 2]
    if len(bad) == 0:
        return np.empty(0, np.int64)
    _, hit = shapely.STRtree(geoms).query(bad, predicate="intersects")
    return np.unique(hit)


def _outline_rings(x0, y0, x1, y1):
    """The outline (a cycle of directed segments) as rings, and the winding number just inside each.

    Segments are chained head to tail (at a vertex with several exits, the exit turning most
    clockwise from the way back keeps the region on the left, as in a face walk). Returns
    ``(ring polygons, w)`` with ``w[r]`` the winding number of the region just inside ring ``r``
    (its own sign plus the signs of the rings around it), or None when the rings are not all
    simple and free of crossings (then the caller nodes the outline with GEOS).
    """
    n = len(x0)
    with np.errstate(over="ignore"):
        ha, hb = _point_hash(x0, y0), _point_hash(x1, y1)
    vid, inv = np.unique(np.r_[ha, hb], return_inverse=True)
    vs, ve = inv[:n], inv[n:]
    nv = len(vid)
    out_deg = np.bincount(vs, minlength=nv)
    if (out_deg != np.bincount(ve, minlength=nv)).any():
        return None  # not a cycle (a hash collision or broken input): let GEOS decide
    by_start = np.argsort(vs, kind="stable")
    first_out = np.r_[0, np.cumsum(out_deg)]
    nxt = by_start[first_out[ve]]  # the (first) exit at each segment's end
    pinch = np.flatnonzero(out_deg[ve] > 1)
    if len(pinch):
        ang_out = np.arctan2(y1 - y0, x1 - x0)
        for s in pinch:
            v = ve[s]
            exits = by_start[first_out[v] : first_out[v + 1]]
            back = np.arctan2(y0[s] - y1[s], x0[s] - x1[s])
            turn = np.mod(back - ang_out[exits], 2 * np.pi)
            turn[turn <= 0] = 2 * np.pi
            nxt[s] = exits[np.argmin(turn)]
    if len(np.unique(nxt)) != n:
        return None
    # exact check of every link (a 64-bit hash collision must not join two different points)
    if not ((x1 == x0[nxt]) & (y1 == y0[nxt])).all():
        return None
    graph = coo_matrix((np.ones(n, bool), (np.arange(n), nxt)), shape=(n, n))
    n_ring, ring = connected_components(graph, directed=True, connection="weak")
    # position of each segment along its ring: cut each ring before its head (smallest segment
    # number) and rank the path by pointer doubling (Wyllie), about log2(ring length) passes
    idx = np.arange(n)
    head = np.full(n_ring, n, np.int64)
    np.minimum.at(head, ring, idx)
    tail_of = np.empty(n_ring, np.int64)
    is_tail = nxt == head[ring]
    tail_of[ring[is_tail]] = idx[is_tail]
    ptr = np.where(is_tail, idx, nxt)
    dist = (~is_tail).astype(np.int64)
    tail = tail_of[ring]
    while not (ptr == tail).all():
        dist = dist + dist[ptr]
        ptr = ptr[ptr]
    length = np.bincount(ring, minlength=n_ring)
    pos = length[ring] - 1 - dist
    order = np.lexsort((pos, ring))
    ring, order = _split_at_repeats(ring, order, vs)
    n_ring = int(ring.max()) + 1
    length = np.bincount(ring, minlength=n_ring)
    if (length < 3).any():
        return None
    rx, ry, rr = x0[order], y0[order], ring[order]
    # close each ring by repeating its first point
    starts = np.r_[0, np.cumsum(length)[:-1]]
    cx = np.insert(rx, np.cumsum(length), rx[starts])
    cy = np.insert(ry, np.cumsum(length), ry[starts])
    cr = np.insert(rr, np.cumsum(length), rr[starts])
    polys = shapely.polygons(shapely.linearrings(np.c_[cx, cy], indices=cr))
    if not shapely.is_valid(polys).all():
        return None
    sign = np.where(np.bincount(ring, weights=x0 * y1 - x1 * y0, minlength=n_ring) > 0, 1, -1)
    tree = shapely.STRtree(polys)
    qi, qj = tree.query(polys, predicate="intersects")
    other = qi != qj
    qi, qj = qi[other], qj[other]
    inside = shapely.within(polys[qi], polys[qj])
    apart = shapely.relate_pattern(polys[qi], polys[qj], "F********")
    if not (inside | apart | shapely.within(polys[qj], polys[qi])).all():
        return None  # two rings cross
    enclosing = np.bincount(qi[inside], weights=sign[qj[inside]], minlength=n_ring)
    return polys, sign + enclosing.astype(np.int64)


def _split_at_repeats(ring: np.ndarray, order: np.ndarray, start_vertex: np.ndarray):
    """Cut rings that pass a vertex twice into simple rings (same segments, so the same winding).

    A face whose boundary touches itself at a point (two cells of a selection meeting at a
    corner) is walked as one ring through that point twice; GEOS calls such a ring invalid.
    Returns new ring labels per segment and the segment order (ring by ring, along each ring).
    """
    vr = start_vertex[order]
    rr = ring[order]
    # rings with a repeated start vertex (rare): found without a Python loop over all rings
    key = rr.astype(np.int64) * (int(start_vertex.max()) + 1) + vr
    srt = np.sort(key)
    dup_keys = srt[1:][srt[1:] == srt[:-1]]
    if len(dup_keys) == 0:
        return ring, order
    bad = np.unique(dup_keys // (int(start_vertex.max()) + 1))
    new_label = ring.copy()
    next_label = int(ring.max()) + 1
    new_order = [order[~np.isin(rr, bad)]]
    bounds = np.searchsorted(rr, np.r_[bad, bad + 1]).reshape(2, -1).T
    for r, (a, b) in zip(bad, bounds):
        segs, verts = order[a:b], vr[a:b]
        stack: list[tuple[int, int]] = []
        seen: dict[int, int] = {}
        pieces: list = []
        for sgm, v in zip(segs.tolist(), verts.tolist()):
            if v in seen:  # close the loop from the first visit of v
                k = seen[v]
                pieces.append(stack[k:])
                for s2, v2 in stack[k:]:
                    seen.pop(v2, None)
                stack = stack[:k]
            seen[v] = len(stack)
            stack.append((sgm, v))
        if stack:
            pieces.append(stack)
        for i, piece in enumerate(pieces):
            idx = np.array([sg for sg, _ in piece], dtype=np.int64)
            label = r if i == 0 else next_label
            next_label += i > 0
            new_label[idx] = label
            new_order.append(idx)
    order = np.concatenate(new_order)
    # ring by ring, each ring's segments in walk order (stable sort keeps the walk order)
    order = order[np.argsort(new_label[order], kind="stable")]
    return new_label, order


_MOSAIC_MIN = 64
"""Polygons from which :func:`overlapping_pairs` tries the mosaic check first."""
_MOSAIC_MAX_VERTICES = 200
"""Mean vertices per polygon up to which a layer may be a mosaic (AR5, a Voronoi test mosaic)."""


def overlapping_pairs(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)``, ``i < j``, of polygons whose interiors overlap.

    Exact strategies: a layer of many small polygons first goes through :func:`mosaic_suspects`
    (shared edges cancel, only the outline is examined) and only the polygons it names are tested
    with ``relate``; when that does not apply (few shared edges), a cost estimate chooses between
    testing every candidate pair directly with ``relate`` (few pairs: large, complex polygons such as
    N1000 forest) and GEOS' coverage validator, which flags polygons that are not part of a clean
    coverage, before ``relate``.
    """
    n = len(geoms)
    empty = np.empty(0, np.intp), np.empty(0, np.intp)
    if n < 2:
        return empty
    nv = shapely.get_num_coordinates(geoms)
    # A mosaic (many small polygons sharing edges) is settled from its boundary segments first.
    suspects = mosaic_suspects(geoms) if n >= _MOSAIC_MIN and nv.mean() <= _MOSAIC_MAX_VERTICES else None
    if suspects is not None:
        if len(suspects) < 2:
            return empty
        sub = geoms[suspects]
        i, j = shapely.STRtree(sub).query(sub)
        keep = i < j
        i, j = suspects[i[keep]], suspects[j[keep]]
    else:
        tree = shapely.STRtree(geoms)
        i, j = tree.query(geoms)  # envelope candidates only: no geometry work yet
        keep = i < j
        i, j = i[keep], j[keep]
        if len(i) == 0:
            return empty
        # Rough costs measured with GEOS 3.14: ~4 µs per relate call plus ~0.01 µs per vertex
        # involved, against ~1.3 µs per vertex for the coverage validator.
        direct = 4e-6 * len(i) + 1e-8 * float((nv[i] + nv[j]).sum())
        if direct > 1.3e-6 * float(nv.sum()):
            flagged = ~shapely.is_empty(shapely.coverage_invalid_edges(geoms))
            keep = flagged[i] | flagged[j]
            i, j = i[keep], j[keep]
    interior = shapely.relate_pattern(geoms[i], geoms[j], "T********")
    return i[interior], j[interior]


@dataclass(frozen=True)
class Flat:
    """A layer without internal overlaps.

    Attributes
    ----------
    geoms : ndarray of geometries
        Non-empty polygons; overlapping clusters of the input are unioned into one geometry.
    source : ndarray of int
        For each output geometry, the index of one input feature it came from (the smallest).
    n_merged : int
        Input features that were merged into a cluster because they overlapped another.
    """

    geoms: np.ndarray
    source: np.ndarray
    n_merged: int = 0


def flatten(geoms) -> Flat:
    """Remove overlaps inside a layer (empty and non-polygonal parts are dropped).

    Parameters
    ----------
    geoms : array-like of geometries
        Valid polygons (repair them first, e.g. with :func:`areal.geo.geometry.repair_geometries`).

    Returns
    -------
    Flat

    Examples
    --------
    >>> from shapely import box
    >>> flat = flatten([box(0, 0, 2, 2), box(1, 1, 3, 3), box(5, 5, 6, 6)])
    >>> len(flat.geoms), float(shapely.area(flat.geoms).sum()), flat.n_merged
    (2, 8.0, 2)
    """
    g = polygonal(as_geometry_array(geoms))
    keep = np.flatnonzero(~shapely.is_empty(g))
    g = g[keep]
    i, j = overlapping_pairs(g)
    if len(i) == 0:
        return Flat(g, keep, 0)
    n = len(g)
    graph = coo_matrix((np.ones(len(i), bool), (i, j)), shape=(n, n))
    n_comp, label = connected_components(graph, directed=False)
    counts = np.bincount(label, minlength=n_comp)
    first = np.full(n_comp, n, dtype=np.intp)
    np.minimum.at(first, label, np.arange(n))
    out = g[first].copy()
    multi = np.flatnonzero(counts > 1)
    order = np.argsort(label, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    for c in multi:
        members = order[bounds[c] : bounds[c + 1]]
        out[c] = shapely.union_all(g[members])
    return Flat(out, keep[first], int(counts[multi].sum()))


@dataclass(frozen=True)
class Pieces:
    """Result of :func:`intersect`: one polygonal piece per intersecting pair.

    Attributes
    ----------
    ia, ib : ndarray of int
        Indices into the two inputs.
    geoms : ndarray of geometries
        The intersection pieces (polygonal parts only).
    area : ndarray of float
        Area of each piece (m² in a metric CRS).
    n_contained : int
        Pairs answered by the containment shortcut (no overlay computed).
    """

    ia: np.ndarray
    ib: np.ndarray
    geoms: np.ndarray
    area: np.ndarray
    n_contained: int = 0

    def __len__(self) -> int:
        return len(self.ia)


def _empty_pieces() -> Pieces:
    e = np.empty(0, np.intp)
    return Pieces(e, e.copy(), np.empty(0, object), np.empty(0, float))


def intersect(a, b, *, chunk_size: int = DEFAULT_CHUNK, keep_geometry: bool = True) -> Pieces:
    """Intersect two polygon layers, chunk by chunk.

    Parameters
    ----------
    a, b : array-like of geometries
        Polygon layers in the same projected CRS. Each should be flat (see :func:`flatten`) when
        the areas are to be summed; the engine itself does not require it.
    chunk_size : int
        Features of the larger input handled per chunk.
    keep_geometry : bool
        When False only areas are returned (``geoms`` holds None), which saves memory.

    Returns
    -------
    Pieces
        Sorted by ``(ia, ib)``; pairs that only touch (zero area) are left out.

    Examples
    --------
    >>> from shapely import box
    >>> p = intersect([box(0, 0, 2000, 2000)], [box(500, 500, 1500, 1500)])
    >>> float(p.area.sum()) / 10_000  # hectares
    100.0
    """
    a = polygonal(as_geometry_array(a))
    b = polygonal(as_geometry_array(b))
    if len(a) == 0 or len(b) == 0:
        return _empty_pieces()
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    swap = len(a) > len(b)
    many, few = (a, b) if swap else (b, a)
    # The side with more vertices per feature is prepared once and used as the first predicate argument.
    shapely.prepare(few)
    shapely.prepare(many)
    out_m, out_f, out_g, out_a = [], [], [], []
    n_contained = 0
    for start in range(0, len(many), chunk_size):
        chunk = many[start : start + chunk_size]
        tree = shapely.STRtree(chunk)
        qf, tm = tree.query(few, predicate="intersects")
        if len(qf) == 0:
            continue
        gm, gf = chunk[tm], few[qf]
        m_in_f = shapely.contains_properly(gf, gm)
        rest = ~m_in_f
        f_in_m = np.zeros(len(qf), bool)
        f_in_m[rest] = shapely.contains_properly(gm[rest], gf[rest])
        rest &= ~f_in_m
        pieces = np.where(m_in_f, gm, gf)
        if rest.any():
            pieces[rest] = polygonal(shapely.intersection(gm[rest], gf[rest]))
        area = shapely.area(pieces)
        ok = area > 0
        n_contained += int((m_in_f | f_in_m)[ok].sum())
        out_m.append(tm[ok] + start)
        out_f.append(qf[ok])
        out_a.append(area[ok])
        out_g.append(pieces[ok] if keep_geometry else np.full(int(ok.sum()), None, object))
    if not out_m:
        return _empty_pieces()
    im, jf = np.concatenate(out_m), np.concatenate(out_f)
    ia, ib = (im, jf) if swap else (jf, im)
    order = np.lexsort((ib, ia))
    return Pieces(
        ia[order], ib[order], np.concatenate(out_g)[order], np.concatenate(out_a)[order], n_contained
    )


# ------------------------------------------------------------------ partitioned overlay of flat layers


def hilbert_key(x: np.ndarray, y: np.ndarray, extent: tuple[float, float, float, float], level: int = 16):
    """Position of points along a Hilbert curve over ``extent`` (``level`` bits a side), as uint64.

    Sorting by it keeps neighbours together: the order of spatially sorted row groups and of
    partitions. Points outside the extent are clamped to its edge.

    Examples
    --------
    >>> hilbert_key(np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.0, 1.0, 1.0, 0.0]), (0, 0, 1, 1), level=1)
    array([0, 1, 2, 3], dtype=uint64)
    """
    xmin, ymin, xmax, ymax = (float(v) for v in extent)
    n = 1 << level
    sx = (n - 1) / (xmax - xmin) if xmax > xmin else 0.0
    sy = (n - 1) / (ymax - ymin) if ymax > ymin else 0.0
    xi = np.clip(np.round((np.asarray(x, float) - xmin) * sx), 0, n - 1).astype(np.int64)
    yi = np.clip(np.round((np.asarray(y, float) - ymin) * sy), 0, n - 1).astype(np.int64)
    d = np.zeros(len(xi), np.uint64)
    s = n >> 1
    while s > 0:
        rx = (xi & s) > 0
        ry = (yi & s) > 0
        d += np.uint64(s) * np.uint64(s) * ((3 * rx) ^ ry).astype(np.uint64)
        # rotate the quadrant (the classic xy2d step), on the whole n-by-n square
        flip = ~ry
        swap_and_mirror = flip & rx
        xi = np.where(swap_and_mirror, n - 1 - xi, xi)
        yi = np.where(swap_and_mirror, n - 1 - yi, yi)
        xi, yi = np.where(flip, yi, xi), np.where(flip, xi, yi)
        s >>= 1
    return d


class ArraySource:
    """Polygons held in memory, seen through the source interface of :func:`flat_overlay`.

    A source answers two questions: the envelope of every row (:meth:`bounds`) and the
    geometries of some rows (:meth:`take`). :class:`areal.layers.geoparquet.ParquetSource` answers
    them from a GeoParquet file instead (bbox covering columns, row groups read on demand).
    """

    def __init__(self, geoms):
        self.geoms = as_geometry_array(geoms)

    def __len__(self) -> int:
        return len(self.geoms)

    def bounds(self) -> np.ndarray:
        """``(n, 4)`` array of ``xmin, ymin, xmax, ymax`` (NaN for missing or empty rows)."""
        return shapely.bounds(self.geoms)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """Geometries of ``rows`` (ascending row numbers).

        Prepared geometries are handed out as copies: GEOS builds a prepared geometry's indexes
        lazily, which is not safe when two partitions use one geometry on two threads.
        """
        g = self.geoms[rows]
        prepared = shapely.is_prepared(g)
        if prepared.any():
            g = g.copy()
            g[prepared] = shapely.from_wkb(shapely.to_wkb(g[prepared]))
        return g


def _is_source(x) -> bool:
    """True for a row source (``bounds()`` and ``take(rows)`` methods), False for geometries."""
    if isinstance(x, (np.ndarray, list, tuple, gpd.GeoSeries, gpd.GeoDataFrame)):
        return False
    return callable(getattr(x, "bounds", None)) and callable(getattr(x, "take", None))


class EnvelopeGrid:
    """The envelopes of a few geometries in an occupancy grid: which of many envelopes meet one.

    :meth:`hits` tells for many envelopes at once whether one meets an envelope of the grid:
    first four reads of the grid's summed-area table per envelope (a superset), then, for the
    envelopes left, an exact comparison with the envelopes listed in the grid cells they cover
    (a cell → envelopes index). Vectorised numpy only, no geometry object made: the many side's
    rows are filtered before a single one is decoded (decoding holds the GIL). Built once and
    shipped to the workers (a few MB). Where the index would be too large (a few envelopes
    covering most cells) the superset is returned.

    Parameters
    ----------
    other : ndarray, shape (m, 4)
        Envelopes ``xmin, ymin, xmax, ymax`` of the few side.
    max_cells : int
        Upper bound on the grid's cells (memory: 4 bytes per cell).
    cell : float, optional
        Wanted cell size; default half the median short side of ``other``'s envelopes, so a
        grid cell is smaller than a typical envelope and the superset stays tight.
    exact : bool
        Build the cell index for exact answers (default); False: the superset only (cheaper).

    Examples
    --------
    >>> g = EnvelopeGrid(np.array([[0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]]))
    >>> g.hits(np.array([[0.5, 0.5, 1.5, 1.5], [1.2, 1.2, 1.8, 1.8], [3.5, 3.5, 4.0, 4.0]])).tolist()
    [True, False, False]
    """

    MAX_INDEX = 8_000_000
    """Entries (envelope, cell) of the exact index at most; above it :meth:`hits` is a superset."""

    MAX_ROW_CELLS = 64
    """Envelopes of the many side covering more cells than this are kept by the superset test."""

    def __init__(
        self, other: np.ndarray, max_cells: int = 2_000_000, cell: float | None = None, exact: bool = True
    ):
        other = np.asarray(other, dtype=float).reshape(-1, 4)
        other = other[np.isfinite(other).all(axis=1)]
        self.empty = len(other) == 0
        if self.empty:
            return
        ox0, oy0 = float(other[:, 0].min()), float(other[:, 1].min())
        ox1, oy1 = float(other[:, 2].max()), float(other[:, 3].max())
        w, h = max(ox1 - ox0, 1e-9), max(oy1 - oy0, 1e-9)
        if cell is None:
            short = np.minimum(other[:, 2] - other[:, 0], other[:, 3] - other[:, 1])
            cell = float(np.median(short)) / 2
        cell = max(cell, np.sqrt(w * h / max_cells), w / 8192, h / 8192, 1e-9)
        nx, ny = int(w // cell) + 1, int(h // cell) + 1
        self.origin, self.cell, self.shape = (ox0, oy0), cell, (ny, nx)
        self.extent = (ox0, oy0, ox1, oy1)
        diff = np.zeros((ny + 1, nx + 1), np.int32)
        c0, c1 = self._cols(other[:, 0]), self._cols(other[:, 2])
        r0, r1 = self._rows(other[:, 1]), self._rows(other[:, 3])
        np.add.at(diff, (r0, c0), 1)
        np.add.at(diff, (r0, c1 + 1), -1)
        np.add.at(diff, (r1 + 1, c0), -1)
        np.add.at(diff, (r1 + 1, c1 + 1), 1)
        occupied = diff.cumsum(0, dtype=np.int32).cumsum(1, dtype=np.int32)[:ny, :nx] > 0
        sat = np.zeros((ny + 1, nx + 1), np.int32)  # at most nx * ny <= max_cells occupied cells
        sat[1:, 1:] = occupied.cumsum(0, dtype=np.int32).cumsum(1, dtype=np.int32)
        self.sat = sat
        # exact index: for each cell, the envelopes covering it (CSR: sorted by cell)
        self.other = other
        self.start: np.ndarray | None = None
        self.members: np.ndarray | None = None
        per = (c1 - c0 + 1) * (r1 - r0 + 1)
        if exact and int(per.sum()) <= self.MAX_INDEX:
            j = np.repeat(np.arange(len(other)), per)
            off = np.arange(len(j)) - np.repeat(np.cumsum(per) - per, per)
            width = np.repeat(c1 - c0 + 1, per)
            cid = (np.repeat(r0, per) + off // width) * nx + np.repeat(c0, per) + off % width
            order = np.argsort(cid, kind="stable")
            self.members = j[order].astype(np.int32)
            self.start = np.searchsorted(cid[order], np.arange(nx * ny + 1)).astype(np.int64)

    def _cols(self, x: np.ndarray) -> np.ndarray:
        c = np.floor((x - self.origin[0]) / self.cell)
        return np.clip(c, 0, self.shape[1] - 1).astype(np.int64)

    def _rows(self, y: np.ndarray) -> np.ndarray:
        r = np.floor((y - self.origin[1]) / self.cell)
        return np.clip(r, 0, self.shape[0] - 1).astype(np.int64)

    def hits(self, bounds: np.ndarray) -> np.ndarray:
        """Mask of the envelopes in ``bounds`` (``(n, 4)``) that may meet one of the grid's."""
        bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
        ok = np.isfinite(bounds).all(axis=1)
        if self.empty or not ok.any():
            return np.zeros(len(bounds), bool)
        ox0, oy0, ox1, oy1 = self.extent
        b = np.where(ok[:, None], bounds, 0.0)
        inside = ok & (b[:, 2] >= ox0) & (b[:, 0] <= ox1) & (b[:, 3] >= oy0) & (b[:, 1] <= oy1)
        q0, q1 = self._cols(b[:, 0]), self._cols(b[:, 2])
        p0, p1 = self._rows(b[:, 1]), self._rows(b[:, 3])
        sat = self.sat
        count = sat[p1 + 1, q1 + 1] - sat[p0, q1 + 1] - sat[p1 + 1, q0] + sat[p0, q0]
        hit = inside & (count > 0)
        if self.start is None or self.members is None:
            return hit
        per = (q1 - q0 + 1) * (p1 - p0 + 1)
        rows = np.flatnonzero(hit & (per <= self.MAX_ROW_CELLS))
        if len(rows) == 0:
            return hit
        # every (row, cell) under the row's envelope, then every (row, envelope) listed there
        n = per[rows]
        r = np.repeat(rows, n)
        off = np.arange(len(r)) - np.repeat(np.cumsum(n) - n, n)
        width = np.repeat(q1[rows] - q0[rows] + 1, n)
        cid = (p0[r] + off // width) * self.shape[1] + q0[r] + off % width
        lo, k = self.start[cid], self.start[cid + 1] - self.start[cid]
        r = np.repeat(r, k)
        pos = np.repeat(lo, k) + np.arange(len(r)) - np.repeat(np.cumsum(k) - k, k)
        o = self.other[self.members[pos]]
        br = b[r]
        meet = (br[:, 0] <= o[:, 2]) & (br[:, 2] >= o[:, 0]) & (br[:, 1] <= o[:, 3]) & (br[:, 3] >= o[:, 1])
        exact = np.zeros(len(b), bool)
        exact[r[meet]] = True
        hit[rows] = exact[rows]
        return hit


def _envelope_hits(bounds: np.ndarray, other: np.ndarray, max_cells: int = 1_000_000) -> np.ndarray:
    """Mask of the rows of ``bounds`` whose envelope may meet one of ``other`` (an exact superset).

    A one-off :class:`EnvelopeGrid` of ``other`` sized to ``max_cells``.
    """
    if len(other) == 0:
        return np.zeros(len(bounds), bool)
    return EnvelopeGrid(other, max_cells=max_cells, cell=0.0).hits(bounds)


@dataclass(frozen=True)
class _OverlayTask:
    owned: np.ndarray  # rows of the many side whose pieces this task computes
    rows: np.ndarray  # owned plus halo rows (ascending): the overlap check sees all of them
    few: np.ndarray  # indices into the flat few side that may meet these rows


def _pairs_to_pieces(gm: np.ndarray, gf: np.ndarray, keep_geometry: bool):
    """Pieces of candidate pairs ``gm[k] ∩ gf[k]`` (both prepared): geometry, area, containment flag."""
    m_in_f = shapely.contains_properly(gf, gm)
    rest = ~m_in_f
    f_in_m = np.zeros(len(gm), bool)
    # "gf lies in the interior of gm" needs gf's envelope strictly inside gm's: a cheap filter
    bm, bf = shapely.bounds(gm), shapely.bounds(gf)
    maybe = (
        rest & (bf[:, 0] > bm[:, 0]) & (bf[:, 1] > bm[:, 1]) & (bf[:, 2] < bm[:, 2]) & (bf[:, 3] < bm[:, 3])
    )
    # asked with the (prepared, task-local) gf first
    f_in_m[maybe] = shapely.relate_pattern(gf[maybe], gm[maybe], "T*F*FF***")
    rest &= ~f_in_m
    pieces = np.where(m_in_f, gm, gf)
    if rest.any():
        pieces[rest] = polygonal(shapely.intersection(gm[rest], gf[rest]))
    area = shapely.area(pieces)
    return (pieces if keep_geometry else None), area, m_in_f | f_in_m


def _overlay_tile(shared, task: _OverlayTask):
    """One partition of :func:`flat_overlay` (runs on a worker: reads its rows from the source)."""
    src, few_wkb, buffer_m, keep_geometry = shared
    g = polygonal(buffer(src.take(task.rows), buffer_m))
    rows = task.rows
    # this partition's own copies of the few side, prepared here: GEOS builds a prepared
    # geometry's indexes lazily, which is not safe to share between threads
    fsub = shapely.from_wkb(few_wkb[task.few])
    shapely.prepare(fsub)
    qf, qm = shapely.STRtree(g).query(fsub, predicate="intersects")
    hit = np.unique(qm)
    hit = hit[~shapely.is_empty(g[hit])]
    # the overlap check sees every row meeting the few side here, owned or halo
    pi, pj = overlapping_pairs(g[hit])
    pairs = np.c_[rows[hit[pi]], rows[hit[pj]]]
    bad = np.zeros(len(rows), bool)
    bad[hit[pi]] = True
    bad[hit[pj]] = True
    use = np.isin(rows[qm], task.owned, assume_unique=False) & ~bad[qm]
    qm, qf = qm[use], qf[use]
    pieces, area, contained = _pairs_to_pieces(g[qm], fsub[qf], keep_geometry)
    ok = area > 0
    return (
        rows[qm[ok]],
        task.few[qf[ok]],
        area[ok],
        pieces[ok] if keep_geometry else None,
        int(contained[ok].sum()),
        pairs,
    )


def _part_candidates(shared, k):
    """Rows of part ``k`` of a source (or of the whole source) whose envelope may meet the few side.

    Returns ``(rows, bounds)``: global row numbers and their envelopes (grown by the buffer).
    """
    src, grid, buffer_m = shared
    if k is None:
        part, start = src, 0
    else:
        part, start = src.sources[k], int(src.starts[k])
    b = np.asarray(part.bounds(), dtype=float)
    if buffer_m:
        b = b + np.array([-buffer_m, -buffer_m, buffer_m, buffer_m])
    hit = np.flatnonzero(grid.hits(b))
    return hit + start, b[hit]


class _CandidateBounds:
    """Envelopes of the candidate rows only, indexed by global row number (``b[rows]``)."""

    def __init__(self, rows: np.ndarray, bounds: np.ndarray):
        self.rows, self.bounds = rows, bounds

    def __getitem__(self, key):
        rows, *rest = key if isinstance(key, tuple) else (key,)
        sel = self.bounds[np.searchsorted(self.rows, rows)]
        return sel[(slice(None), *rest)] if rest else sel


def _partition(b, rows: np.ndarray, target: int) -> list[np.ndarray]:
    """Cut ``rows`` into spatially compact groups of about ``target`` rows (Hilbert order of centres)."""
    if len(rows) <= target:
        return [rows]
    cx = (b[rows, 0] + b[rows, 2]) / 2
    cy = (b[rows, 1] + b[rows, 3]) / 2
    key = hilbert_key(cx, cy, (cx.min(), cy.min(), cx.max(), cy.max()))
    order = rows[np.argsort(key, kind="stable")]
    k = int(np.ceil(len(rows) / target))
    return [np.sort(p) for p in np.array_split(order, k)]


def flat_overlay(
    many,
    few,
    *,
    scheduler=None,
    buffer_m: float = 0.0,
    partition_rows: int | None = None,
    keep_geometry: bool = True,
) -> Pieces:
    """Intersect two layers with the overlaps inside each counted once, partition by partition.

    The same areas as ``intersect(flatten(many).geoms, flatten(few).geoms)``, without flattening
    all of ``many``: only its rows meeting ``few`` are read, checked for overlaps and intersected.
    An overlap that lies outside ``few`` cannot change the result, so the check is exact.

    1. ``few`` is flattened (the proposals, a pasture outline: the small side).
    2. The envelopes of ``many`` (a source's covering columns) select the candidate rows
       (:func:`_envelope_hits`, vectorised) and these are cut into spatially compact partitions
       (Hilbert order). Each partition carries a halo: candidates of other partitions whose
       envelope meets its own.
    3. Each partition runs on ``scheduler`` (:mod:`areal.geo.scheduler`): it reads its rows
       (:meth:`take`), finds the overlapping pairs among all of them (:func:`overlapping_pairs`)
       and computes the pieces of its own rows that overlap nothing.
    4. Rows in an overlapping pair are unioned per cluster in the calling process and intersected
       there (the rare case), the piece then indexed by the cluster's smallest row.

    Parameters
    ----------
    many : array-like of geometries, or a source
        The large layer: geometries, or an object with ``__len__``, ``bounds()`` and
        ``take(rows)`` (:class:`ArraySource`, :class:`areal.layers.geoparquet.ParquetSource`).
    few : array-like of geometries or Flat
        The small layer (flattened here unless it is a :class:`Flat` already).
    scheduler : Scheduler, str, Executor or distributed.Client, optional
        Where the partitions run (see :func:`areal.geo.scheduler.get_scheduler`; default the
        calling thread). Results are reduced in partition order: every scheduler gives the same
        pieces.
    buffer_m : float
        Buffer the rows of ``many`` by this distance (m) as they are read (a rule's zone).
    partition_rows : int, optional
        Candidate rows per partition (default: enough partitions for four per worker, at most
        50,000 rows each).
    keep_geometry : bool
        When False only areas are returned.

    Returns
    -------
    Pieces
        ``ia`` are row numbers of ``many`` (for a merged cluster, its smallest row), ``ib`` row
        numbers of ``few`` (:attr:`Flat.source`); sorted by ``(ia, ib)``.

    Examples
    --------
    >>> from shapely import box
    >>> mosaic = [box(x, y, x + 1, y + 1) for x in range(4) for y in range(4)]
    >>> p = flat_overlay(mosaic + [box(0, 0, 1, 1)], [box(0.5, 0.5, 2.5, 1.5), box(0.5, 1, 2.5, 1.5)])
    >>> float(p.area.sum())  # the duplicate cell and the overlapping proposals count once
    2.0
    """
    from areal.geo.scheduler import get_scheduler

    src = many if _is_source(many) else ArraySource(many)
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be >= 0, got {buffer_m}")
    if len(src) == 0:
        return _empty_pieces()
    sched = get_scheduler(scheduler if scheduler is not None else "serial")
    if isinstance(few, Flat):
        fb, pending, few_bounds = few, None, shapely.bounds(few.geoms)
    else:
        # the few side is flattened on a thread of its own while the many side's candidates are
        # found: the features' own envelopes select exactly the rows a cluster's geometry can meet
        raw = as_geometry_array(few)
        few_bounds = shapely.bounds(raw)
        pool = ThreadPoolExecutor(1, thread_name_prefix="areal-flatten")
        pending = pool.submit(flatten, raw)
        pool.shutdown(wait=False)
    # one occupancy grid of the few side, cells about half a feature wide (at most 2 M cells,
    # 8 MB; a drawn site against a layer: a tiny grid), shared by every part
    grid = EnvelopeGrid(few_bounds, max_cells=int(min(2_000_000, max(256, 4 * len(src)))))
    subs = getattr(src, "sources", None)
    if subs is not None and len(subs) > 1:
        # a layer in parts (AR5 per municipality): each part's envelopes are read and filtered
        # on the scheduler too, so the only serial work left is planning the partitions
        found = list(sched.map(_part_candidates, range(len(subs)), shared=(src, grid, float(buffer_m))))
        cand = np.concatenate([c for c, _ in found])
        cb = np.concatenate([x for _, x in found]) if len(cand) else np.zeros((0, 4))
    else:
        cand, cb = _part_candidates((src, grid, float(buffer_m)), None)
    if pending is not None:
        fb = pending.result()
    if len(cand) == 0 or len(fb.geoms) == 0:
        return _empty_pieces()
    target = partition_rows or int(min(50_000, max(2_000, np.ceil(len(cand) / (4 * sched.workers)))))
    b = _CandidateBounds(cand, cb)
    parts = _partition(b, cand, target)
    few_tree = shapely.STRtree(fb.geoms)
    cand_tree = shapely.STRtree(shapely.box(*cb.T)) if len(parts) * len(cand) > 50_000_000 else None

    def plan():
        # a generator: the scheduler hands out the first partitions while the rest are planned
        for owned in parts:
            lo, hi = b[owned, :2].min(0), b[owned, 2:].max(0)
            ext = shapely.box(*lo, *hi)
            if cand_tree is None:  # few partitions: compare envelopes directly
                near = np.flatnonzero(
                    (cb[:, 0] <= hi[0]) & (cb[:, 2] >= lo[0]) & (cb[:, 1] <= hi[1]) & (cb[:, 3] >= lo[1])
                )
            else:
                near = cand_tree.query(ext)
            # the halo: rows whose envelope may meet an owned row's (not merely the partition's
            # bounding box, which for a Hilbert chunk holds about as many rows again)
            owned_grid = EnvelopeGrid(b[owned], max_cells=max(256, 4 * len(owned)), exact=False)
            halo = cand[near[owned_grid.hits(cb[near])]]
            rows = np.union1d(owned, halo)
            yield _OverlayTask(owned, rows, np.sort(few_tree.query(ext)))

    out_m, out_f, out_a, out_g, pairs = [], [], [], [], []
    n_contained = 0
    for rm, rf, area, geoms, n_in, pr in sched.map(
        _overlay_tile, plan(), shared=(src, shapely.to_wkb(fb.geoms), float(buffer_m), keep_geometry)
    ):
        out_m.append(rm)
        out_f.append(rf)
        out_a.append(area)
        out_g.append(geoms if keep_geometry else np.full(len(rm), None, object))
        n_contained += n_in
        pairs.append(pr)
    pair_ids = np.concatenate(pairs) if pairs else np.zeros((0, 2), np.int64)
    if len(pair_ids):
        # Overlapping rows: drop whatever a partition computed for them, union each cluster.
        members = np.unique(pair_ids)
        im = np.concatenate(out_m)
        keep = ~np.isin(im, members)
        out_m, out_f = [im[keep]], [np.concatenate(out_f)[keep]]
        out_a, out_g = [np.concatenate(out_a)[keep]], [np.concatenate(out_g)[keep]]
        local = np.searchsorted(members, pair_ids)
        graph = coo_matrix((np.ones(len(local), bool), (local[:, 0], local[:, 1])), shape=(len(members),) * 2)
        n_comp, label = connected_components(graph, directed=False)
        mg = polygonal(buffer(src.take(members), buffer_m))
        clusters = np.empty(n_comp, object)
        first = np.full(n_comp, len(members), np.intp)
        np.minimum.at(first, label, np.arange(len(members)))
        order = np.argsort(label, kind="stable")
        for c, grp in enumerate(np.split(order, np.cumsum(np.bincount(label, minlength=n_comp))[:-1])):
            clusters[c] = shapely.union_all(mg[grp])
        cp = intersect(clusters, fb.geoms, keep_geometry=keep_geometry)
        out_m.append(members[first[cp.ia]])
        out_f.append(cp.ib)
        out_a.append(cp.area)
        out_g.append(cp.geoms)
        n_contained += cp.n_contained
    ia = np.concatenate(out_m).astype(np.intp)
    ib = fb.source[np.concatenate(out_f).astype(np.intp)]
    order = np.lexsort((ib, ia))
    return Pieces(
        ia[order], ib[order], np.concatenate(out_g)[order], np.concatenate(out_a)[order], n_contained
    )
