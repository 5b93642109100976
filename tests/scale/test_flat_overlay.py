"""The partitioned overlay of flat layers and the mosaic overlap check."""

import numpy as np
import pytest
import shapely
from areal.geo.overlay import (
    ArraySource,
    EnvelopeGrid,
    _envelope_hits,
    flat_overlay,
    flatten,
    hilbert_key,
    intersect,
    mosaic_suspects,
    overlapping_pairs,
)
from areal.geo.scheduler import get_scheduler
from shapely import box


def voronoi(n_side, cell=100.0, seed=2841):
    rng = np.random.default_rng(seed)
    g = np.arange(n_side) * cell
    gx, gy = np.meshgrid(g, g)
    pts = np.c_[
        gx.ravel() + rng.uniform(0.1, 0.9, gx.size) * cell, gy.ravel() + rng.uniform(0.1, 0.9, gy.size) * cell
    ]
    ext = box(0, 0, n_side * cell, n_side * cell)
    vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=ext, ordered=True)
    return shapely.intersection(shapely.get_parts(vor), ext)


def proposals(n, extent, seed=17):
    rng = np.random.default_rng(seed)
    pts = shapely.points(rng.uniform(0, extent, n), rng.uniform(0, extent, n))
    return shapely.buffer(pts, rng.uniform(40, 160, n), quad_segs=8)


def all_pairs(g):
    i, j = shapely.STRtree(g).query(g)
    k = i < j
    i, j = i[k], j[k]
    r = shapely.relate_pattern(g[i], g[j], "T********")
    return set(zip(i[r].tolist(), j[r].tolist()))


def test_a_clean_mosaic_has_no_suspects_and_every_overlap_is_found():
    g = voronoi(20)
    assert len(mosaic_suspects(g, 1.0)) == 0
    assert len(overlapping_pairs(g)[0]) == 0
    rng = np.random.default_rng(5)
    bad = g.copy()
    moved = rng.choice(len(g), 12, replace=False)
    bad[moved] = [shapely.affinity.translate(x, 31, 17) for x in bad[moved]]
    dup = np.r_[bad, g[[3, 50]]]  # two exact duplicates (same edges, same direction)
    i, j = overlapping_pairs(dup)
    assert set(zip(i.tolist(), j.tolist())) == all_pairs(dup)
    assert (3, len(bad)) in set(zip(i.tolist(), j.tolist()))


def test_nested_holes_and_a_polygon_inside_another():
    ring = box(0, 0, 10, 10).difference(box(3, 3, 7, 7))
    core = box(3, 3, 7, 7)
    assert len(mosaic_suspects(np.array([ring, core]), 1.0)) == 0  # a hole filled exactly: clean
    inner = box(1, 1, 2, 2)  # inside the ring polygon without touching it
    s = mosaic_suspects(np.array([ring, core, inner]), 1.0)
    assert set(s.tolist()) >= {0, 2}
    i, j = overlapping_pairs(np.array([ring, core, inner] + [box(20 + k, 0, 21 + k, 1) for k in range(70)]))
    assert list(zip(i, j)) == [(0, 2)]


def test_multipolygons_and_clockwise_rings_are_oriented_before_the_check():
    a = shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)])
    b = shapely.Polygon([(1, 0), (1, 1), (2, 1), (2, 0)])  # clockwise exterior
    assert len(mosaic_suspects(np.array([a, b]), 1.0)) == 0
    c = shapely.Polygon([(0.5, 0), (0.5, 1), (1.5, 1), (1.5, 0)])
    assert set(mosaic_suspects(np.array([a, b, c]), 1.0).tolist()) == {0, 1, 2}


def test_envelope_filter_is_a_superset_of_envelope_intersection():
    rng = np.random.default_rng(3)
    lo = rng.uniform(0, 1000, (5000, 2))
    b = np.c_[lo, lo + rng.uniform(0, 30, (5000, 2))]
    b[7] = np.nan
    olo = rng.uniform(0, 1000, (40, 2))
    o = np.c_[olo, olo + rng.uniform(0, 80, (40, 2))]
    hits = _envelope_hits(b, o, max_cells=400)
    boxes, obox = shapely.box(*np.nan_to_num(b).T), shapely.box(*o.T)
    truth = np.zeros(len(b), bool)
    truth[shapely.STRtree(obox).query(boxes)[0]] = True
    truth[7] = False
    assert (hits | ~truth).all() and not hits[7]
    fine = _envelope_hits(b, o, max_cells=100_000)
    assert (fine | ~truth).all() and fine.sum() < 1.5 * truth.sum()  # a finer grid filters closer


def _truth(b, o):
    boxes, obox = shapely.box(*np.nan_to_num(b).T), shapely.box(*o.T)
    truth = np.zeros(len(b), bool)
    truth[shapely.STRtree(obox).query(boxes)[0]] = True
    truth[~np.isfinite(b).all(axis=1)] = False
    return truth


@pytest.mark.parametrize("max_index", [EnvelopeGrid.MAX_INDEX, 10])
def test_envelope_grid_is_exact_and_a_superset_when_its_index_is_too_large(monkeypatch, max_index):
    monkeypatch.setattr(EnvelopeGrid, "MAX_INDEX", max_index)
    rng = np.random.default_rng(5)
    lo = rng.uniform(0, 1000, (20_000, 2))
    b = np.c_[lo, lo + rng.uniform(0, 30, (20_000, 2))]
    b[3] = np.nan
    b[4] = [-50, -50, 2000, 2000]  # covers every cell: decided by the summed-area table alone
    b[5] = [b[5, 0], b[5, 1], b[5, 0], b[5, 1]]  # a point
    olo = rng.uniform(0, 1000, (300, 2))
    o = np.c_[olo, olo + rng.uniform(0, 80, (300, 2))]
    o[0] = [b[6, 2], b[6, 3], b[6, 2] + 5, b[6, 3] + 5]  # touches row 6 at a corner only
    truth = _truth(b, o)
    hits = EnvelopeGrid(o).hits(b)
    assert truth[6] and truth[4] and not hits[3]
    if max_index > 10:
        assert (hits == truth).all()
    else:
        assert (hits | ~truth).all() and hits.sum() > truth.sum()
    assert not EnvelopeGrid(np.zeros((0, 4))).hits(b).any()


def test_hilbert_key_keeps_neighbours_together():
    x, y = np.meshgrid(np.arange(16.0), np.arange(16.0))
    k = hilbert_key(x.ravel(), y.ravel(), (0, 0, 15, 15), level=4)
    assert sorted(k.tolist()) == list(range(256))
    order = np.argsort(k)
    steps = np.abs(np.diff(x.ravel()[order])) + np.abs(np.diff(y.ravel()[order]))
    assert (steps == 1).all()  # each next cell is a neighbour


def reference(many, few):
    fa, fb = flatten(many), flatten(few)
    p = intersect(fa.geoms, fb.geoms)
    return p, fa, fb


@pytest.mark.parametrize("with_overlaps", [False, True])
def test_flat_overlay_equals_flatten_then_intersect(with_overlaps):
    g = voronoi(30)
    if with_overlaps:
        rng = np.random.default_rng(9)
        moved = rng.choice(len(g), 25, replace=False)
        g = g.copy()
        g[moved] = [shapely.affinity.translate(x, 40, 25) for x in g[moved]]
    few = proposals(120, 3000.0)
    ref, fa, fb = reference(g, few)
    got = flat_overlay(g, few, partition_rows=60)
    assert got.area.sum() == pytest.approx(ref.area.sum(), rel=1e-12)
    assert (fa.n_merged > 0) == with_overlaps
    if not with_overlaps:
        # same pieces, indexed by source rows on both sides
        np.testing.assert_array_equal(got.ia, fa.source[ref.ia])
        np.testing.assert_array_equal(got.ib, fb.source[ref.ib])
        np.testing.assert_array_equal(got.area, ref.area)
    # per proposal the same hectares, whatever the clusters
    per_ref = np.bincount(fb.source[ref.ib], weights=ref.area, minlength=len(few))
    per_got = np.bincount(got.ib, weights=got.area, minlength=len(few))
    np.testing.assert_allclose(per_got, per_ref, rtol=1e-9, atol=1e-6)


def test_a_duplicate_cell_inside_a_proposal_counts_once():
    cells = [box(x, y, x + 1, y + 1) for x in range(6) for y in range(6)]
    dup = box(2, 2, 3, 3)
    got = flat_overlay(cells + [dup], [box(1.5, 1.5, 3.5, 3.5)], partition_rows=4)
    assert got.area.sum() == pytest.approx(4.0, rel=1e-12)
    # the duplicate and its twin form one cluster indexed by its smallest row (the original cell)
    assert got.ia.tolist().count(2 * 6 + 2) == 1 and len(cells) not in got.ia


def test_buffer_is_applied_to_the_many_side_as_it_is_read():
    pts = shapely.points([[0, 0], [1000, 0], [5000, 5000]])
    got = flat_overlay(pts, [box(-100, -100, 1100, 100)], buffer_m=50.0)
    ref = intersect(flatten(shapely.buffer(pts, 50.0, quad_segs=32)).geoms, [box(-100, -100, 1100, 100)])
    assert got.area.sum() == pytest.approx(ref.area.sum(), rel=1e-12)
    assert sorted(set(got.ia.tolist())) == [0, 1]


@pytest.mark.parametrize("spec", ["serial", "threads:2", "processes:2"])
def test_every_scheduler_gives_the_in_memory_pieces(spec):
    g = voronoi(24)
    few = proposals(80, 2400.0, seed=4)
    base = flat_overlay(g, few, partition_rows=50)
    with get_scheduler(spec) as s:
        got = flat_overlay(ArraySource(g), few, scheduler=s, partition_rows=50)
    np.testing.assert_array_equal(got.ia, base.ia)
    np.testing.assert_array_equal(got.ib, base.ib)
    np.testing.assert_array_equal(got.area, base.area)
    assert all(a.equals_exact(b, 0) for a, b in zip(got.geoms, base.geoms))


def test_dask_cluster_gives_the_in_memory_pieces(dask_client):
    g = voronoi(24)
    few = proposals(80, 2400.0, seed=4)
    base = flat_overlay(g, few, partition_rows=50)
    got = flat_overlay(g, few, scheduler=dask_client, partition_rows=50)
    np.testing.assert_array_equal(got.ia, base.ia)
    np.testing.assert_array_equal(got.area, base.area)


def test_empty_sides_give_no_pieces():
    assert len(flat_overlay([], [box(0, 0, 1, 1)])) == 0
    assert len(flat_overlay([box(0, 0, 1, 1)], [])) == 0
    assert len(flat_overlay([box(0, 0, 1, 1)], [box(5, 5, 6, 6)])) == 0
    with pytest.raises(ValueError, match="buffer_m must be >= 0"):
        flat_overlay([box(0, 0, 1, 1)], [box(0, 0, 1, 1)], buffer_m=-1)


def test_a_checkerboard_selection_is_settled_by_rings_split_at_corners():
    from areal.geo.overlay import _outline_rings, _ring_segments, _uncancelled

    rng = np.random.default_rng(8)
    cells = np.array([box(x, y, x + 1, y + 1) for x in range(20) for y in range(20)])
    pick = cells[rng.random(len(cells)) < 0.5]  # many cells meeting only at a corner
    x0, y0, x1, y1, _ = _ring_segments(pick)
    keep = _uncancelled(x0, y0, x1, y1)
    rings = _outline_rings(x0[keep], y0[keep], x1[keep], y1[keep])
    assert rings is not None and shapely.is_valid(rings[0]).all()  # the fast path, no GEOS noding
    assert set(rings[1].tolist()) <= {0, 1}
    assert len(mosaic_suspects(pick, 1.0)) == 0
    both = np.r_[pick, pick[:3]]
    assert set(mosaic_suspects(both, 1.0).tolist()) >= {0, 1, 2, len(pick), len(pick) + 1, len(pick) + 2}
