"""The bad-input corpus (``tests/fixtures/bad/``, made by ``scripts/make_bad_inputs.py``) through
every entry point: the upload path, ``areal conflicts --proposal``, ``areal import`` and
``areal arenas check``.

For every file: no traceback, no hang (each call is timed), one message naming the file and the
problem (the manifest's ``match``), and nothing written anywhere but the output folder (the
corpus folder and the output folder are snapshotted). The app's own path (the session state) is
in ``test_app_security.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from areal.apps.cli import main
from areal.geo.errors import UploadError
from areal.layers.upload import PUBLIC_LIMITS, read_upload
from click.testing import CliRunner

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
MANIFEST = json.loads((BAD / "manifest.json").read_text(encoding="utf-8"))
NAMES = sorted(MANIFEST)
REFUSED = [n for n in NAMES if MANIFEST[n]["expect"] == "refused"]
MAX_SECONDS = 15.0


def test_corpus_is_large_small_and_made_by_the_script(corpus_script, tmp_path):
    assert len(NAMES) >= 80
    assert sum((BAD / n).stat().st_size for n in NAMES) < 1024**2
    assert corpus_script.make_corpus(tmp_path) == MANIFEST
    differ = [n for n in NAMES if (tmp_path / n).read_bytes() != (BAD / n).read_bytes()]
    assert not differ, f"run `python scripts/make_bad_inputs.py`: {differ}"


def _check_message(name: str, msg: str) -> None:
    exp = MANIFEST[name]
    assert re.search(exp["match"], msg), f"{name}: {msg!r} does not match {exp['match']!r}"
    assert "Traceback" not in msg and "internal error" not in msg, msg


@pytest.mark.parametrize("name", NAMES)
def test_upload_path(name, tree, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # every temporary folder of the upload lands here
    before = tree(BAD)
    data = (BAD / name).read_bytes()
    exp = MANIFEST[name]
    t0 = time.perf_counter()
    if exp["expect"] == "refused":
        with pytest.raises(UploadError) as ei:
            read_upload(data, name, PUBLIC_LIMITS)
        msg = str(ei.value)
        _check_message(name, msg)
        assert msg.startswith(f"{name}:"), msg  # names the uploaded file ...
        assert not re.search(r"/tmp/|areal-(upload|read)-", msg), msg  # ... and never a server path
        assert ei.value.details["file"] == name
    else:
        site = read_upload(data, name, PUBLIC_LIMITS)
        assert len(site) > 0
        if exp["expect"] == "warning":
            assert any(re.search(exp["match"], w) for w in site.attrs["warnings"]), site.attrs["warnings"]
    assert time.perf_counter() - t0 < MAX_SECONDS
    assert tree(BAD) == before  # no sidecar (.gfs, .aux.xml ...) next to the input
    assert tree(scratch) == {}  # and the temporary folders are gone
    assert not Path("/tmp/areal-escaped.geojson").exists()


def _run_cli(args: list[str]) -> tuple[int, str, float]:
    t0 = time.perf_counter()
    # the reasons are matched in the English sentences, which name the exact problem (the Norwegian
    # lines say the kind of problem: tests/apps/test_error_text.py)
    res = CliRunner(env={"AREAL_LANG": "en"}).invoke(main, args)
    elapsed = time.perf_counter() - t0
    unexpected = res.exception is not None and not isinstance(res.exception, SystemExit)
    assert not unexpected, f"{args}: {res.exception!r}"
    return res.exit_code, res.output, elapsed


@pytest.mark.parametrize("name", NAMES)
def test_cli_conflicts_proposal(name, tmp_path, starter_dir, tree):
    out = tmp_path / "out"
    out.mkdir()
    before = tree(BAD)
    code, output, elapsed = _run_cli(
        [
            "conflicts",
            "--proposal",
            str(BAD / name),
            "--out",
            str(out / "c.gpkg"),
            "--data-dir",
            str(starter_dir),
        ]
    )
    exp = MANIFEST[name]
    if exp["expect"] == "refused":
        assert code == 2, output
        _check_message(name, output)
        assert name in output  # the message names the file
        assert tree(out) == {}  # nothing written for a refused input
    else:
        assert code == 0, output
        if exp["expect"] == "warning":
            assert re.search(exp["match"], output), output
        assert set(tree(out)) == {"c.gpkg"}
    assert elapsed < MAX_SECONDS
    assert tree(BAD) == before
    assert tree(starter_dir) == {}


@pytest.mark.parametrize("name", NAMES)
def test_cli_import(name, tmp_path, tree):
    data = tmp_path / "data"
    data.mkdir()
    before = tree(BAD)
    code, output, elapsed = _run_cli(["import", str(BAD / name), "--as", "forest", "--data-dir", str(data)])
    exp = MANIFEST[name]
    if exp["expect"] == "refused":
        assert code == 2, output
        _check_message(name, output)
        assert tree(data) == {}
    else:
        assert code == 0, output
        assert set(tree(data)) == {"n1000/N1000_trondelag_25833.gpkg"}
    assert elapsed < MAX_SECONDS
    assert tree(BAD) == before


@pytest.mark.parametrize("name", REFUSED[::7])
def test_cli_arenas_check(name, tmp_path, starter_dir):
    code, output, _ = _run_cli(
        [
            "arenas",
            "check",
            str(BAD / name),
            "--out",
            str(tmp_path / "a.gpkg"),
            "--data-dir",
            str(starter_dir),
        ]
    )
    assert code == 2, output
    _check_message(name, output)
    assert not (tmp_path / "a.gpkg").exists()


def test_fifo_is_refused_and_does_not_hang(tmp_path):
    fifo = tmp_path / "site.geojson"
    os.mkfifo(fifo)
    cmd = [
        sys.executable,
        "-m",
        "areal.apps.cli",
        "conflicts",
        "--proposal",
        str(fifo),
        "--out",
        str(tmp_path / "o.gpkg"),
    ]
    env = {**os.environ, "AREAL_DATA_DIR": str(tmp_path / "none"), "AREAL_LANG": "en"}
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert res.returncode == 2, res.stderr
    assert "FIFO" in res.stderr and "not a regular file" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert time.perf_counter() - t0 < 60
    nb = subprocess.run([*cmd, "--lang", "nb"], capture_output=True, text=True, timeout=60, env=env)
    assert nb.returncode == 2 and "er ikke en vanlig fil" in nb.stderr, nb.stderr


def test_folder_and_missing_file_are_clear_errors(tmp_path, starter_dir):
    folder = tmp_path / "site.geojson"
    folder.mkdir()
    for target, match in (
        (folder, "is a folder"),
        (tmp_path / "nope.geojson", "layer id|not a known layer|does not exist"),
    ):
        code, output, _ = _run_cli(
            [
                "conflicts",
                "--proposal",
                str(target),
                "--out",
                str(tmp_path / "o.gpkg"),
                "--data-dir",
                str(starter_dir),
            ]
        )
        assert code == 2 and re.search(match, output), output


def test_vsi_paths_and_connection_strings_are_refused(tmp_path, starter_dir):
    from areal.geo.errors import InputFileError
    from areal.layers.safe_open import open_vector

    for path in (
        "/vsicurl/http://127.0.0.1:9/x.geojson",
        "CSV:/etc/passwd",
        "/vsizip//tmp/x.zip/a.shp",
        "WFS:http://x",
    ):
        with pytest.raises(InputFileError, match="not a local file path") as ei:
            open_vector(path)
        assert ei.value.key == "unsafe"


@pytest.mark.parametrize(
    "rows, match",
    [
        ("1;a;63.4;10.4;SJØ", "swapped"),
        ("1;a;270000;7040000;SJØ", "not longitude/latitude"),
        ("1;a;inf;1e999;SJØ", "no geometries"),
        ("1;a;10.4;63.4;sea", "every row was refused.*'sea'"),
        ("1;a;-74.0;40.7;SJØ", "outside Norway"),
    ],
    ids=["swapped", "utm-numbers", "infinite", "bad-code", "new-york"],
)
def test_cli_import_of_a_coordinate_table(rows, match, tmp_path):
    csv = tmp_path / "lokaliteter.csv"
    csv.write_text("site_id;site_name;longitude;latitude;placement\n" + rows + "\n", encoding="utf-8")
    data = tmp_path / "data"
    code, output, _ = _run_cli(["import", str(csv), "--as", "aquaculture_sites", "--data-dir", str(data)])
    assert code == 2 and re.search(match, output), output
    assert not data.exists() or not any(data.rglob("*.csv"))
