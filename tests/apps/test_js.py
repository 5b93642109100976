"""The map script's unit tests (node's built-in test runner) and its formatter against Python's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_JS = ROOT / "apps" / "static" / "app"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        msg = "node is not installed (apt-get install nodejs); the map script's unit tests need it"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return node


def test_map_script_unit_tests_pass():
    files = sorted(
        str(p) for p in (ROOT / "tests" / "js").glob("*.test.js")
    )  # explicit: node 18 and 22 agree
    assert len(files) >= 4
    out = subprocess.run([_node(), "--test", *files], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "# fail 0" in out.stdout and "# pass " in out.stdout


def test_map_script_parts_are_all_loaded_and_tested():
    from areal.apps.planner import mapping

    parts = {p.stem.removeprefix("areal-") for p in APP_JS.glob("areal-*.js")}
    assert parts == set(mapping.MAP_SCRIPTS)
    # the pure parts (no DOM) each have a test file
    for pure in ("format", "geo", "style", "search"):
        assert (ROOT / "tests" / "js" / f"{pure}.test.js").is_file(), pure


VALUES = [0, 0.5, 1320.94, 93829.04, 1234567.891, -4000, -0.04, 0.125, 2.5, 12.345, 999.95, 1e7, None]


def test_js_numbers_match_the_python_formatter():
    formatting = pytest.importorskip(
        "areal.apps.formatting", reason="the Python formatter is not on this branch yet"
    )
    script = (
        f"const f = require({json.dumps(str(APP_JS / 'areal-format.js'))});"
        f"const vals = {json.dumps(VALUES)};"
        "const out = {};"
        "for (const lang of ['nb', 'en']) for (const d of [0, 1, 2]) out[lang + d] = vals.map(v => f.number(v, d, lang));"
        "for (const lang of ['nb', 'en']) { out['ha' + lang] = vals.map(v => f.areaHa(v, lang));"
        " out['daa' + lang] = vals.map(v => f.areaDaa(v, lang)); }"
        "console.log(JSON.stringify(out));"
    )
    got = json.loads(
        subprocess.run([_node(), "-e", script], capture_output=True, text=True, check=True).stdout
    )
    for lang in ("nb", "en"):
        for d in (0, 1, 2):
            assert got[f"{lang}{d}"] == [formatting.number(v, d, lang) for v in VALUES], (lang, d)
        assert got[f"ha{lang}"] == [formatting.area_ha(v, lang) for v in VALUES]
        assert got[f"daa{lang}"] == [formatting.area_daa(v, lang) for v in VALUES]
