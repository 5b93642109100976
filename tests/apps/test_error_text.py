"""The command line's errors in the user's language: Norwegian by default, English with ``--lang en``.

A table of typical errors across the commands runs in both languages through click's runner: the
Norwegian line starts ``Feil:``, has no English word (:func:`textscan.problems`) and no Python class
name; the English line starts ``Error:`` and has no Norwegian word; the exit code is the same.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from areal.apps.cli import EXIT_FAILED, EXIT_USAGE, main
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import LineString, box

from tests.apps.textscan import problems

# (id, argv, exit code, a piece of the Norwegian line). {tmp}, {site}, {far}, {lines}, {empty}, {txt}
CASES = [
    ("unknown option", ["suitability", "--no-such-option"], EXIT_USAGE, "ukjent flagg `--no-such-option`"),
    ("unknown command", ["no-such-command"], EXIT_USAGE, "ukjent kommando `no-such-command`"),
    ("unknown subcommand", ["scenario", "nosuch"], EXIT_USAGE, "ukjent kommando `nosuch`"),
    ("missing argument", ["layer", "--out", "{tmp}/x.gpkg"], EXIT_USAGE, "mangler argumentet `LAYER_ID`"),
    ("missing option", ["layer", "municipalities"], EXIT_USAGE, "mangler flagget `--out`"),
    ("extra argument", ["layers", "extra"], EXIT_USAGE, "uventet ekstra argument: `extra`"),
    ("bad choice", ["layers", "--lang", "de"], EXIT_USAGE, "`de` er ikke et av valgene `nb`, `en`"),
    ("not a number", ["indicators", "--profile-resolution", "abc"], EXIT_USAGE, "`abc` er ikke et tall"),
    (
        "bad resolution",
        ["suitability", "--profile", "data_centre", "--resolution", "-5", "--out", "{tmp}/o"],
        EXIT_USAGE,
        "må være større enn 0",
    ),
    (
        "distance not a multiple",
        [
            "suitability",
            "--profile",
            "data_centre",
            "--resolution",
            "250",
            "--distance-res",
            "300",
            "--out",
            "{tmp}/o",
        ],
        EXIT_USAGE,
        "helt multiplum",
    ),
    ("port out of range", ["api", "--port", "70000"], EXIT_USAGE, "mellom 0 og 65\u00a0535"),
    (
        "bad out suffix",
        ["layer", "municipalities", "--out", "{tmp}/x.shp"],
        EXIT_USAGE,
        "kan ikke skrive 'x.shp'",
    ),
    (
        "unknown layer",
        ["layer", "nope", "--out", "{tmp}/x.gpkg"],
        EXIT_USAGE,
        "`nope` er ikke et kjent kartlag",
    ),
    (
        "unknown profile",
        ["suitability", "--profile", "nope", "--out", "{tmp}/o"],
        EXIT_USAGE,
        "profilen `nope` finnes ikke",
    ),
    (
        "unknown context",
        ["check", "{site}", "--context", "nope"],
        EXIT_USAGE,
        "konteksten `nope` finnes ikke",
    ),
    (
        "unknown municipality",
        [
            "suitability",
            "--profile",
            "data_centre",
            "--resolution",
            "1000",
            "--municipality",
            "9999",
            "--out",
            "{tmp}/o",
        ],
        EXIT_USAGE,
        "9999 er ikke nummeret til en kommune",
    ),
    ("missing layer", ["layer", "ar5", "--out", "{tmp}/x.gpkg"], EXIT_FAILED, "«AR5 arealressurser"),
    ("file not found (argument)", ["arenas", "check", "{tmp}/no.geojson"], EXIT_USAGE, "finnes ikke"),
    ("file not found (proposal)", ["conflicts", "--proposal", "{tmp}/no.gpkg"], EXIT_USAGE, "finnes ikke"),
    ("neither file nor layer", ["conflicts", "--proposal", "skoger"], EXIT_USAGE, "verken en fil"),
    ("refused format", ["conflicts", "--proposal", "{txt}"], EXIT_USAGE, "støttes ikke"),
    ("empty file", ["conflicts", "--proposal", "{empty}"], EXIT_USAGE, "ingen geometrier"),
    (
        "wrong geometry",
        ["conflicts", "--proposal", "{lines}"],
        EXIT_USAGE,
        "må inneholde flater (fant linjer)",
    ),
    ("outside Norway", ["arenas", "check", "{far}"], EXIT_USAGE, "ligger utenfor Norge"),
    (
        "no scenario",
        ["scenario", "show", "A", "--store", "{tmp}/s.sqlite"],
        EXIT_USAGE,
        "ikke noe scenario «A»",
    ),
    (
        "bad store url",
        ["scenario", "list", "--store", "foo://x"],
        EXIT_FAILED,
        "ukjent adresse til scenariolager",
    ),
    ("usage rule", ["report", "--out", "r.pdf"], EXIT_USAGE, "nøyaktig ett av"),
    ("km without near", ["arenas", "--km", "5"], EXIT_USAGE, "`--km` trenger"),
    ("bad lon,lat", ["arenas", "--near", "ti,seksti"], EXIT_USAGE, "LENGDE,BREDDE"),
    ("unknown fetch layer", ["fetch", "nope"], EXIT_USAGE, "`nope` er ikke et kjent kartlag"),
]

CLASS_NAME = re.compile(r"\b[A-Z]\w*(Error|Exception)\b")


@pytest.fixture
def files(tmp_path, empty_data_dir):
    site = tmp_path / "site.geojson"
    frame = gpd.GeoDataFrame({"navn": ["a"]}, geometry=[box(X0, Y0, X0 + 500, Y0 + 400)], crs=UTM33)
    frame.to_crs(4326).to_file(site, driver="GeoJSON")
    far = tmp_path / "far.geojson"
    gpd.GeoDataFrame({"navn": ["a"]}, geometry=[box(2, 40, 3, 41)], crs=4326).to_file(far, driver="GeoJSON")
    lines = tmp_path / "linjer.geojson"
    line = LineString([(X0, Y0), (X0 + 500, Y0 + 400)])
    gpd.GeoDataFrame({"navn": ["a"]}, geometry=[line], crs=UTM33).to_crs(4326).to_file(
        lines, driver="GeoJSON"
    )
    empty = tmp_path / "tom.geojson"
    empty.write_text("")
    txt = tmp_path / "tekst.txt"
    txt.write_text("hei")
    return {
        k: str(v)
        for k, v in dict(tmp=tmp_path, site=site, far=far, lines=lines, empty=empty, txt=txt).items()
    }


def _line(argv, env=None):
    res = CliRunner(env=env or {}).invoke(main, argv, prog_name="areal")  # as installed
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith(("Feil:", "Error:"))]
    assert len(lines) == 1, res.output
    assert "Traceback" not in res.output
    return res.exit_code, lines[0]


@pytest.mark.parametrize(("argv", "code", "piece"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_lines_in_both_languages(argv, code, piece, files):
    argv = [a.format(**files) for a in argv]
    got, nb = _line(argv)
    assert got == code, nb
    assert nb.startswith("Feil: ") and piece in nb, nb
    assert not CLASS_NAME.search(nb), nb
    assert problems(nb, "nb") == [], (nb, problems(nb, "nb"))
    got_en, en = _line(argv, {"AREAL_LANG": "en"})
    assert got_en == code, en  # the code never depends on the language
    assert en.startswith("Error: ") and piece not in en, en
    # ids are what an English user types too; only Norwegian words are wrong there
    assert [p for p in problems(en, "en") if "norwegian word" in p] == [], en
    if "--help" in en:
        assert "(see '" in en and "(se '" in nb


def test_lang_option_wins_over_the_environment_also_before_parsing(files):
    # a usage error happens before --lang is parsed: the command line is read for it
    assert _line(["suitability", "--no-such-option", "--lang", "en"])[1].startswith("Error: No such option")
    assert _line(["suitability", "--lang=en", "--no-such-option"])[1].startswith("Error: ")
    assert _line(["layers", "extra", "--lang", "nb"], {"AREAL_LANG": "en"})[1].startswith("Feil: ")
    assert _line(["layers", "extra"], {"AREAL_LANG": "en"})[1].startswith("Error: ")
    assert _line(["layers", "extra"], {"AREAL_LANG": "xx"})[1].startswith("Feil: ")  # unknown: the default


def test_areal_lang_sets_the_printed_language_too(files):
    res = CliRunner(env={"AREAL_LANG": "en"}).invoke(main, ["layers"])
    assert res.exit_code == 0 and "Missing layers:" in res.stderr


def test_interrupt_and_an_error_without_a_key():
    from areal.apps.cli import classify_error
    from areal.geo.errors import ArealError

    assert classify_error(KeyboardInterrupt()) == (130, "Avbrutt.")
    assert classify_error(KeyboardInterrupt(), "en") == (130, "Aborted.")
    # no key: the English sentence, in the Norwegian frame, without the class name
    assert classify_error(ArealError("something odd")) == (1, "Feil: something odd")
    assert classify_error(ArealError("something odd"), "en") == (1, "Error: ArealError: something odd")
    assert classify_error(OSError(28, "No space left on device"))[1] == "Feil: disken er full"
