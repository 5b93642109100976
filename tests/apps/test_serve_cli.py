"""``areal serve``: options, and that it starts on the starter extract alone."""

from __future__ import annotations

from click.testing import CliRunner

from apps.cli import main


def test_serve_help_lists_the_options():
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    for opt in ("--port", "--public", "--data-dir", "--show / --no-show"):
        assert opt in out


def test_serve_starts_with_only_the_starter_extract(tmp_path, monkeypatch):
    calls = {}

    def fake_serve(data, **kw):  # the real one blocks in the Tornado loop
        calls["data"], calls["kw"] = data, kw

    monkeypatch.setattr("apps.planner.server.serve", fake_serve)
    empty = tmp_path / "no-data"
    empty.mkdir()
    res = CliRunner().invoke(main, ["serve", "--public", "--no-show", "--port", "5999", "--data-dir", str(empty)])
    assert res.exit_code == 0, res.output
    assert "mode: public" in res.output and "http://127.0.0.1:5999/" in res.output
    kw = dict(calls["kw"])
    engines, store = kw.pop("engines"), kw.pop("store")
    assert kw == {"mode": "public", "port": 5999, "address": "127.0.0.1", "show": False}
    assert store is None  # no scenario tools in public mode
    # every profile's model is built at 250 m before serving, so site checks stay fast
    assert "suitability models at 250 m ready" in res.output
    assert all(engines.has_model(name, 250.0) for name in engines.profiles)
    data = calls["data"]
    assert "municipalities" in data.layers and data.states["municipalities"].status == "starter"
    assert data.states["ar5"].status == "missing"
    assert data.geojson("municipalities", 0)  # warmed and servable
