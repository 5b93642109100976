"""The distribution ``arealkart`` installs one import package, ``areal`` (issue 16)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy of the checkout's files: setuptools leaves build/ and *.egg-info behind, and
    # a stale build/ would ship modules that no longer exist.
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    for rel in files:
        if (REPO / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, src / rel)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (whl,) = out.glob("arealkart-*.whl")
    return whl


def test_wheel_holds_only_the_areal_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    dist_info = {t for t in top if t.endswith(".dist-info")}
    assert top - dist_info == {"areal"}, sorted(top)
    # the subpackages and their data travel inside it
    for must in (
        "areal/geo/overlay.py",
        "areal/layers/catalogue/__init__.py",
        "areal/apps/cli.py",
        "areal/data/rules/default.toml",
        "areal/layers/starter/municipalities.parquet",
        "areal/apps/static/app/areal-map.js",
        "areal/apps/static/app/areal-map.css",
    ):
        assert must in names, must
    from areal.apps.planner.mapping import MAP_SCRIPTS

    for part in MAP_SCRIPTS:  # every part of the map script is served offline from the package
        assert f"areal/apps/static/app/areal-{part}.js" in names, part
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "areal = areal.apps.cli:main" in entry


@pytest.mark.slow
def test_fresh_venv_has_areal_but_no_geo(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120
    )
    py = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    before = {p.name for p in site.iterdir()}  # what a new venv seeds (pip, setuptools)
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    added = {p.name for p in site.iterdir()} - before
    assert {n for n in added if not n.endswith(".dist-info")} == {"areal"}, sorted(added)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ok = subprocess.run(
        [py, "-c", "import areal.geo.overlay, areal.apps.cli; print(areal.geo.overlay.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert str(site) in ok.stdout
    for name in ("geo", "layers", "apps", "areal_data"):
        bad = subprocess.run(
            [py, "-c", f"import {name}"], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert bad.returncode != 0 and "No module named" in bad.stderr, name
