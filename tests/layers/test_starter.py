"""The packaged starter extract: small, redistributable only, and used when the data dir is empty."""

import json

import pytest
from areal.layers import loader, registry, settings


def test_starter_is_small_and_redistributable():
    d = settings.starter_dir()
    files = list(d.glob("*.parquet"))
    assert files, "starter extract missing: run scripts/build_starter.py"
    assert sum(f.stat().st_size for f in files) < 5 * 1024 * 1024
    for f in files:
        spec = registry.get(f.stem)
        assert spec.redistributable, f"{f.name}: licence {spec.licence} does not allow redistribution"
        assert any(k in spec.licence for k in ("CC BY 4.0", "NLOD")), spec.licence
    manifest = json.loads((d / "manifest.json").read_text())
    assert set(manifest["layers"]) == {f.stem for f in files}


def test_starter_used_when_data_dir_is_empty(empty_data_dir):
    m = loader.load("municipalities")
    assert len(m) == 38 and m.attrs["load_report"]["origin"] == "starter"
    assert m.crs.to_epsg() == 25833
    assert m.area.sum() / 1e6 == pytest.approx(42_048, rel=0.01)
    assert loader.status("municipalities").status == "starter"


def test_starter_not_used_when_disabled(empty_data_dir):
    with pytest.raises(FileNotFoundError):
        loader.load("municipalities", use_starter=False)
