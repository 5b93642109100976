"""``areal fetch`` and ``areal import`` in the user's language (``--lang nb|en``, Norwegian default).

They printed English sentences written in the data layer ("3 page(s) from collection ...",
"272 features read, 272 written to ...", "refused 5 row(s) with column 'arealtype' ...", "note:
unverified fetcher: ...") with raw layer ids and English numbers (``12,345 bytes``) whatever the
language. The data layer now returns structured notes (a code and its values) and the command
renders them: layers by title, numbers in the language's format, the id only where it is what the
user types next (``areal fetch ar5``). Fetches run against the recordings, imports on the real
official samples.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from areal.apps.cli import main
from areal.layers import fetch, registry
from click.testing import CliRunner
from recorded_transport import ROOT, RecordedTransport

from tests.apps.textscan import problems

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "official-samples"
NBSP = "\u00a0"
#: Names of services and data sets that hold Norwegian words (quoted as their owners title them).
PROPER_NAMES = (
    "Hovedled og Biled",
    "Fiskeplasser, aktive og passive redskap",
    "Administrative enheter, kommuner",
)


def _out(res) -> tuple[str, str]:
    return res.stdout, res.stderr


def _samples() -> Path:
    import os

    root = Path(os.environ.get("AREAL_DATA_DIR", "")) / "official-samples"
    path = root if root.is_dir() else SAMPLES
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"official samples not found at {path}")
        pytest.skip("official samples not found (set AREAL_DATA_DIR to the shared data folder)")
    return path


@pytest.fixture
def recorded_fetch(monkeypatch, tmp_path):
    """``areal fetch`` on the recorded official responses (no network), with a GeoID token."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "fetch.toml").write_text('[credentials.geoid]\ntoken = "recorded-token"\n', encoding="utf-8")
    real = fetch.make_context

    def recorded(data_dir=None, **kw):
        ctx = real(data_dir, **kw)
        ctx.transport, ctx.poll_s, ctx.backoff = RecordedTransport(), 0.0, 0.0
        return ctx

    monkeypatch.setattr(fetch, "make_context", recorded)
    return d


def _fetch_args(d: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_fixtures

    bbox = [str(v) for v in make_fixtures.DTM_BBOX]
    return [
        "fetch",
        "--data-dir",
        str(d),
        "--municipality",
        "5001",
        "--municipality",
        "5028",
        "--bbox",
        *bbox,
    ]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_fetch_prints_in_the_language(recorded_fetch, lang):
    d = recorded_fetch
    extra = [] if lang == "nb" else ["--lang", "en"]
    layers = [
        "business_areas",
        "ar5",
        "reindeer_pastures",
        "protected_areas",
        "aquaculture_sites",
        "elevation",
    ]
    res = CliRunner().invoke(
        main, [*_fetch_args(d), *layers, "farmland", "--source", "ar5", "--no-progress", *extra]
    )
    assert res.exit_code == 0, res.output
    out, err = _out(res)
    allowed = (str(d),)
    assert problems(out, lang, f"areal fetch ({lang})", allowed=allowed) == []
    assert problems(err, lang, f"areal fetch notes ({lang})", allowed=allowed) == []
    lines = out.splitlines()
    # a layer by its title, never its id; every note of every fetcher in words
    for lid in layers:
        title = registry.get(lid).title_in(lang)
        assert any(ln.startswith(f"«{title}»: ") for ln in lines), (title, out)
    assert not any(re.match(r"^[a-z0-9_]+: ", ln) for ln in lines), out  # no "ar5: ..." line
    if lang == "nb":
        assert "3 sider fra samlingen KpArealformålOmråde" in out
        assert "bestilling rec-0001: status sjekket 1 gang" in out
        assert "ukontrollert henter: filnavnene for årstidsbeite" in out
        assert "tillatelse uten lokalitet (tom LOK_NR) utelatt" in out
        assert (
            "jordbruksareal fra «AR5 arealressurser (jordbruk, skog, myr)» (NIBIO, 1:5" + NBSP + "000)" in out
        )
        assert re.search(r" objekter fra .+, \d+,\d" + NBSP + "kB → ", out)  # decimal comma
        assert f"skrev {d / fetch.MANIFEST} (sjekksummer" in err
    else:
        assert "3 pages from collection KpArealformålOmråde" in out
        assert "order rec-0001: 1 status check" in out
        assert "unverified fetcher: the årstidsbeite file names" in out
        assert "permit row without a site (empty LOK_NR) left out" in out
        assert "farmland from «AR5 land resources (farmland, forest, mire)» (NIBIO, 1:5,000)" in out
        assert re.search(r" features from .+, \d+\.\d" + NBSP + "kB → ", out)  # decimal point
        assert f"wrote {d / fetch.MANIFEST} (checksums" in err
    # --json keeps the ids and the structured notes (with their English message)
    res = CliRunner().invoke(main, [*_fetch_args(d), "business_areas", "--json", *extra])
    import json

    doc = json.loads(res.stdout)
    (row,) = doc["fetched"]
    assert row["layer"] == "business_areas" and row["notes"][0]["code"] == "fetch.pages"
    assert row["notes"][0]["pages"] == 3 and row["notes"][0]["message"].startswith("3 page(s)")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_fetch_progress_labels_in_the_language(recorded_fetch, lang):
    extra = [] if lang == "nb" else ["--lang", "en"]
    res = CliRunner().invoke(main, [*_fetch_args(recorded_fetch), "elevation", "business_areas", *extra])
    assert res.exit_code == 0, res.output
    err = res.stderr
    if lang == "nb":
        assert "DTM-kartflis 1" in err and "Næringsområder i kommuneplan side 1" in err
        assert "DTM tile" not in err and " page " not in err
    else:
        assert "DTM tile 1" in err and "Business areas in municipal master plans page 1" in err


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_fetch_list_in_the_language(lang):
    extra = [] if lang == "nb" else ["--lang", "en"]
    res = CliRunner().invoke(main, ["fetch", "--list", *extra])
    assert res.exit_code == 0, res.output
    out = res.stdout
    ids = fetch.fetchable()
    # the id is what the user types next (`areal fetch ar5`): at the end of the title line only
    allowed = tuple(f" {lid}\n" for lid in ids) + PROPER_NAMES
    assert problems(out, lang, f"areal fetch --list ({lang})", allowed=allowed) == []
    first = out.splitlines()[0].split()
    assert first[-1] == "municipalities" and " ".join(first[:-1]) == registry.get("municipalities").title_in(
        lang
    )
    unverified = "ukontrollert: " if lang == "nb" else "unverified: "
    assert out.count(unverified) == len(fetch.unverified())
    assert ("bekreftet av et ekte utdrag" if lang == "nb" else "confirmed by a real sample") in out


def _import(path: Path, layer: str, data: Path, lang: str, *extra: str):
    args = ["import", str(path), "--as", layer, "--data-dir", str(data), *extra]
    return CliRunner().invoke(main, args + ([] if lang == "nb" else ["--lang", "en"]))


@pytest.fixture
def refused_file(tmp_path) -> Path:
    """NIBIO's real AR5 shapefile with 5 rows given an arealtype outside the code list (77)."""
    import geopandas as gpd

    g = gpd.read_file(_samples() / "nibio-ar5/nibio-workshop-shapefile/1910-2_f.shp")
    g.loc[g.index[:5], "artype"] = 77
    out = tmp_path / "ar5_med_feil.gpkg"
    g.to_file(out)
    return out


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_import_report_in_the_language(tmp_path, refused_file, lang):
    samples = _samples()
    cases = [
        (samples / "nibio-ar5/fkb-ar5-gml/FKB_AR5.gml", "ar5"),
        (samples / "nibio-ar5/nibio-workshop-shapefile/1910-2_f.shp", "ar5"),
        (samples / "naturbase-verneomrader/naturvernomraade.sos", "protected_areas"),
        (refused_file, "ar5"),
    ]
    outs = {}
    for i, (path, layer) in enumerate(cases):
        data = tmp_path / f"d{i}"
        res = _import(path, layer, data, lang)
        assert res.exit_code == 0, res.output
        out, err = _out(res)
        allowed = (str(path), str(data))
        assert problems(out, lang, f"areal import {path.name} ({lang})", allowed=allowed) == []
        assert problems(err, lang, f"areal import {path.name} notes ({lang})", allowed=allowed) == []
        assert err.startswith("skrev " if lang == "nb" else "wrote ")
        title = registry.get(layer).title_in(lang)
        assert out.startswith(f"{path} → «{title}»: ")
        outs[path.name] = out
    gml, shp, sos, bad = (outs[p.name] for p, _ in cases)
    if lang == "nb":
        assert "272 objekter lest, 272 skrevet" in gml and "22 ugyldige geometrier reparert" in gml
        assert "merk: " in gml and "lengdegrad 9,71, breddegrad 60,87" in gml  # decimal comma
        assert "kolonnen `artype` → `arealtype`" in shp and "dekningen (" in shp
        assert "17 objekter lest, 17 skrevet" in sos
        assert "85 objekter lest, 80 skrevet, 5 avvist" in bad
        assert "5 rader avvist: kolonnen `arealtype` har koder utenfor kodelisten: `77` (5 rader)" in bad
    else:
        assert "272 features read, 272 written" in gml and "22 invalid geometries repaired" in gml
        assert "note: " in gml and "longitude 9.71, latitude 60.87" in gml
        assert "column `artype` → `arealtype`" in shp and "coverage (" in shp
        assert "17 features read, 17 written" in sos
        assert "85 features read, 80 written, 5 refused" in bad
        assert "5 rows refused: column `arealtype` not in the code list: `77` (5 rows)" in bad


def test_import_json_keeps_the_structured_report(tmp_path, refused_file):
    import json

    res = CliRunner().invoke(
        main, ["import", str(refused_file), "--as", "ar5", "--data-dir", str(tmp_path / "d"), "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["n_refused"] == 5 and doc["layer"] == "ar5"
    (r,) = doc["refused"]
    assert r["code"] == "import.codes_refused" and r["column"] == "arealtype" and r["values"] == [["77", 5]]
    assert r["message"] == "5 row(s) with column 'arealtype' not in the code list: '77' (5×)"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_layers_verbose_renders_the_loaders_problems(tmp_path, lang):
    """``areal layers -v`` printed the loader's problems with a file in English ("column 'arealtype':
    3 values not in the code list: ...")."""
    import geopandas as gpd
    from shapely.geometry import box

    d = tmp_path / "data"
    (d / "protected").mkdir(parents=True)
    x0, y0 = 270_000, 7_040_000
    gpd.GeoDataFrame(
        {"navn": ["A", "B"], "verneform": ["Naturreservat", "Ukjent vern"]},
        geometry=[box(x0, y0, x0 + 100, y0 + 100), box(x0 + 200, y0, x0 + 300, y0 + 100)],
        crs="EPSG:25833",
    ).to_file(d / "protected" / "Naturvernomrader_50.gpkg", layer="protected_areas")
    extra = [] if lang == "nb" else ["--lang", "en"]
    res = CliRunner().invoke(main, ["layers", "-v", "--data-dir", str(d), *extra])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if "`verneform`" in ln]
    assert lines, res.stdout
    want = (
        "utenfor kodelisten: `Ukjent vern` (1 rad)"
        if lang == "nb"
        else "not in the code list: `Ukjent vern` (1 row)"
    )
    assert want in lines[0]
    assert problems(lines[0], lang, "areal layers -v") == []


def test_every_note_code_has_words_in_both_languages():
    from areal.apps import fetch_text
    from areal.layers import loader

    emitted = (
        set(fetch.FETCH_NOTES) | set(loader.LOAD_NOTES) | {"import.codes_refused", "location.outside_county"}
    )
    assert emitted <= set(fetch_text.NOTES), emitted - set(fetch_text.NOTES)
    assert set(fetch.FETCH_LABELS) <= set(fetch_text.LABELS)
    # every unverified fetcher's text is known (a changed catalogue text needs a new translation)
    for lid, what in fetch.unverified().items():
        assert fetch_text.UNVERIFIED[lid][0] == what, lid
        for lang in ("nb", "en"):
            assert problems(fetch_text.unverified_text(lid, lang), lang, lid) == []
    for lid in fetch.fetchable():
        assert problems(fetch_text.service_text(lid, "nb"), "nb", lid) == []
