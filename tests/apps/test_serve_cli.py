"""``areal serve``: options, and that it starts on the starter extract alone."""

from __future__ import annotations

import os

from areal.apps.cli import main
from click.testing import CliRunner


def test_serve_help_lists_the_options():
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for opt in ("--port", "--public", "--data-dir", "--show / --no-show"):
        assert opt in out


def test_serve_starts_with_only_the_starter_extract(tmp_path, monkeypatch):
    calls = {}

    def fake_serve(data, **kw):  # the real one blocks in the Tornado loop
        calls["data"], calls["kw"] = data, kw

    monkeypatch.setattr("areal.apps.planner.server.serve", fake_serve)
    empty = tmp_path / "no-data"
    empty.mkdir()
    res = CliRunner().invoke(
        main, ["serve", "--public", "--no-show", "--port", "5999", "--data-dir", str(empty)]
    )
    assert res.exit_code == 0, res.output
    assert "mode: public" in res.output and "http://127.0.0.1:5999/" in res.output
    kw = dict(calls["kw"])
    engines, store, worker = kw.pop("engines"), kw.pop("store"), kw.pop("site_process")
    assert kw == {"mode": "public", "port": 5999, "address": "127.0.0.1", "show": False}
    # site checks go to a child forked before the preparation thread started
    assert worker.alive and worker.pid != os.getpid()
    worker.shutdown()
    assert store is None  # no scenario tools in public mode
    # the map is served at once; every profile's 250 m model is prepared in the background
    assert "ready in" not in res.output
    job = engines._warming
    if job is not None:
        job.join(timeout=120)
    assert all(engines.has_model(name, 250.0) for name in engines.profiles)
    data = calls["data"]
    assert "municipalities" in data.layers and data.states["municipalities"].status == "starter"
    assert data.states["ar5"].status == "missing"
    assert data.geojson("municipalities", 0)  # warmed and servable


def test_serve_wait_prepares_before_serving(tmp_path, monkeypatch):
    monkeypatch.setattr("areal.apps.planner.server.serve", lambda data, **kw: kw["site_process"].shutdown())
    empty = tmp_path / "no-data"
    empty.mkdir()
    res = CliRunner().invoke(main, ["serve", "--public", "--no-show", "--wait", "--data-dir", str(empty)])
    assert res.exit_code == 0, res.output
    assert "suitability models at 250 m and indicators ready in" in res.output


def test_site_check_does_not_wait_for_start_up_preparation(monkeypatch):
    """While the background preparation runs, a profile without a model is reported, not waited for."""
    import threading

    import geopandas as gpd
    from areal.apps.planner.engines import Engines
    from shapely.geometry import box

    gate = threading.Event()
    eng = Engines.__new__(Engines)  # only the parts site_suitability needs
    monkeypatch.setattr(Engines, "profiles", property(lambda self: {"p": type("P", (), {"title_nb": "P"})()}))
    monkeypatch.setattr(Engines, "best_cached_res", lambda self, name: None)
    monkeypatch.setattr(Engines, "has_model", lambda self, name, res: False)

    def never(self, name, res):
        raise AssertionError("site check waited for a model build during start-up")

    monkeypatch.setattr(Engines, "default_suitability", never)
    eng._warming = threading.Thread(target=gate.wait, daemon=True)
    eng._warming.start()
    try:
        site = gpd.GeoDataFrame(geometry=[box(270000, 7040000, 271000, 7041000)], crs=25833)
        out = eng.site_suitability(site)
        assert list(out.profile) == ["p"] and out.score.isna().all() and out.resolution_m.isna().all()
    finally:
        gate.set()
