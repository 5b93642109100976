"""No input can read a server file or make a request.

The corpus is regenerated with a real secret file (holding a unique token) and the URL of a live
listener on 127.0.0.1: OGR VRT documents with ``CSV:<secret>`` and ``/vsicurl/<listener>``,
GeoJSON whose CRS is a link, a URL, a path or ``/vsicurl/``, GML with external entities, XInclude,
``xlink:href`` and ``schemaLocation`` pointing at the secret or the listener, a WFS
DescribeFeatureType schema location, zip members that are VRT documents or symbolic links to the
secret, a GeoPackage with a VirtualOGR table, a ``.prj`` holding a path or a URL. Every file goes
through every reader; the token must appear in nothing that comes out (frames, messages, written
files) and the listener must see no connection.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from pathlib import Path

import pyogrio
import pytest
from areal.apps.cli import main
from areal.geo.errors import ArealError
from areal.layers import safe_open
from areal.layers.account_inputs import read_proposal
from areal.layers.importer import import_file
from areal.layers.upload import PLANNER_LIMITS, read_upload
from click.testing import CliRunner


def _text(obj) -> str:
    if hasattr(obj, "to_json"):
        try:
            return obj.to_json()
        except Exception:  # noqa: BLE001 - a frame without geometry, or odd dtypes
            return obj.to_string()
    return str(obj)


@pytest.fixture(scope="module")
def everything(hostile, starter_dir, tmp_path_factory):
    """Every hostile file through every reader: (outputs as text, files written, listener hits before)."""
    corpus, manifest, _ = hostile
    out_dir = tmp_path_factory.mktemp("leak-out")
    texts: list[str] = []
    for name in manifest:
        path = corpus / name
        data = path.read_bytes()
        calls = [
            lambda: safe_open.open_vector(path),
            lambda: read_upload(data, name, PLANNER_LIMITS),
            lambda: read_proposal(path),
            lambda: import_file(path, "forest", data_dir=out_dir / "data"),
        ]
        for call in calls:
            try:
                texts.append(_text(call()))
            except ArealError as exc:
                texts.append(str(exc))
        res = CliRunner().invoke(
            main,
            [
                "conflicts",
                "--proposal",
                str(path),
                "--out",
                str(out_dir / "c.gpkg"),
                "--data-dir",
                str(starter_dir),
            ],
        )
        texts.append(res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), (name, res.exception)
    written = {p: p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    return texts, written


def test_no_input_reads_the_secret(everything, token):
    texts, written = everything
    assert texts
    leaked = [t[:200] for t in texts if token in t]
    assert not leaked, leaked
    assert not [p for p, b in written.items() if token.encode() in b]


def test_no_input_makes_a_request(everything, listener):
    time.sleep(0.5)  # a connection attempt still on its way would arrive now
    assert listener.requests == []


def test_gdal_itself_is_hardened(hostile, listener, token, tmp_path):
    """Defence in depth: even reading the hostile files with plain pyogrio (none of the content
    checks) reaches no server and no secret, because of the driver allow-list and GDAL config."""
    corpus, manifest, _ = hostile
    copy = tmp_path / "raw"
    shutil.copytree(corpus, copy)
    registered = set(pyogrio.list_drivers())
    assert registered <= set(safe_open.ALLOWED_DRIVERS)
    assert not {"OGR_VRT", "CSV", "WFS", "OAPIF", "HTTP", "GPSBabel"} & registered
    before = len(listener.requests)
    for name in manifest:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                frame = pyogrio.read_dataframe(copy / name)
            except Exception:  # noqa: BLE001 - most of them are unreadable, that is fine
                continue
        assert token not in _text(frame), name
    time.sleep(0.5)
    assert listener.requests[before:] == []


def test_reading_gml_writes_no_sidecar(tmp_path, tree):
    src = Path(__file__).resolve().parents[1] / "fixtures" / "bad" / "gml_schema_server.gml"
    gml = tmp_path / "plan.gml"
    shutil.copyfile(src, gml)
    before = tree(tmp_path)
    gdf = safe_open.open_vector(gml)
    assert len(gdf) == 1 and gdf.crs.to_epsg() == 25833
    assert tree(tmp_path) == before  # no plan.gfs


def test_the_corpus_is_hostile_to_an_unhardened_gdal(hostile, listener, token):
    """Without this program's safeguards (a fresh Python with plain pyogrio), the same files do
    read the secret and do call the listener: the two tests above would fail without them."""
    import subprocess
    import sys

    corpus, _, _ = hostile
    code = (
        "import sys, warnings, pyogrio\n"
        "warnings.simplefilter('ignore')\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        df = pyogrio.read_dataframe(name)\n"
        "        print(list(df.columns), df.to_string())\n"
        "    except Exception as exc:\n"
        "        print('error', exc)\n"
    )
    before = len(listener.requests)
    files = [corpus / "vrt_disguised_as_geojson.geojson", corpus / "crs_link_to_server.geojson"]
    env = {k: v for k, v in os.environ.items() if k != "GDAL_SKIP"}  # safe_open sets it for children too
    res = subprocess.run(
        [sys.executable, "-c", code, *map(str, files)], capture_output=True, text=True, timeout=120, env=env
    )
    assert token in res.stdout  # the VRT drew the secret file's first line as a column name
    time.sleep(0.5)
    assert len(listener.requests) > before  # the link CRS was fetched
    listener.requests[before:] = []  # not a leak of the hardened program: forget them
