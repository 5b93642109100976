"""Language and numbers: one formatter everywhere, every rule, criterion and code in words in nb and en.

Issue 14: the Norwegian UI showed English legal bases, criteria and arena codes; raw ids
(``business_areas × power_lines``, ``site_id``, ``high``) were on screen; numbers came as
``1,320.98 m`` in the app, ``93 829.0`` in the CLI, six-decimal scores. These tests fail when any
of that comes back; the rendered pages and PDFs are scanned by ``test_browser.py`` and
:func:`test_pdf_reports_have_no_raw_ids_or_english` with :mod:`textscan`.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from areal.apps import formatting

from tests.apps.textscan import problems

NBSP = formatting.NBSP
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------- one formatter


@pytest.mark.parametrize("value, digits", [(93829.04, 1), (1320.98, 2), (-4000.0, 0), (0.876543, 2)])
def test_every_number_helper_is_the_one_formatter(value, digits):
    from areal.apps.commands.account import format_ha
    from areal.apps.commands.indicators import fmt_value
    from areal.apps.labels import number as labels_number
    from areal.apps.report import fmt

    want = formatting.number(value, digits)
    assert fmt(value, digits) == want
    assert labels_number(value, digits) == want
    assert format_ha(value, digits) == want
    assert fmt_value(value, digits) == want
    assert formatting.number(value, digits, "en") == format_ha(value, digits, "en")


def test_ui_templates_fill_numbers_in_the_language():
    from areal.apps.planner.i18n import t

    nb = t("conf.summary", "nb", n=23, ha=93829.04, s=1.234)
    assert f"93{NBSP}829,0 ha" in nb and "1,23 s" in nb and "93,829" not in nb
    en = t("conf.summary", "en", n=23, ha=93829.04, s=1.234)
    assert "93,829.0 ha" in en and "1.23 s" in en


def test_table_cells_follow_their_column():
    df = pd.DataFrame(
        {"kommunenummer": [5001], "n_features": [23], "area_ha": [93829.04], "mean_score": [0.876543]}
    )
    row = formatting.display_frame(df).iloc[0].tolist()
    assert row == ["5001", "23", f"93{NBSP}829,0", "0,88"]  # counts without decimals, scores two
    assert formatting.column_number("distance_m", 1320.94, scale=1_000_000) == f"1{NBSP}300"


def test_cli_prints_norwegian_numbers(tmp_path):
    from areal.apps.cli import main
    from click.testing import CliRunner

    res = CliRunner().invoke(main, ["account", "--municipality", "5001"])
    assert res.exit_code == 0, res.output
    assert not [p for p in problems(res.output, "nb") if "number" in p], res.output[-2000:]


# ---------------------------------------------------------------------- data translations


def _rules_doc():
    from areal.layers.project_data import default_rules_path

    return tomllib.loads(default_rules_path().read_text(encoding="utf-8"))


def test_every_rule_and_class_has_both_languages():
    doc = _rules_doc()
    for i, rule in enumerate(doc["rule"]):
        for key in ("basis_nb", "explanation_nb", "basis", "explanation"):
            assert str(rule.get(key, "")).strip(), f"rule {i + 1} ({rule['a']} × {rule['b']}) lacks {key}"
        assert rule["basis_nb"] != rule["basis"] or "§" in rule["basis"], i  # translated, not copied
    for layer, classes in doc["classes"].items():
        for name, body in classes.items():
            assert body.get("label") and body.get("label_en"), f"class {layer}:{name} lacks label/label_en"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_conflict_rules_in_words_have_no_raw_ids(lang):
    from areal.apps.labels import pair_title, rule_basis, rule_explanation, severity_title
    from areal.layers.project_data import load_rules

    table = load_rules()
    text = "\n".join(
        f"{pair_title(r, lang)} | {severity_title(r.severity, lang)} | {rule_basis(r, lang)} | "
        f"{rule_explanation(r, lang)}"
        for r in table.rules
    )
    # The English legal basis names Norwegian acts by their Norwegian titles: only ids count there.
    found = problems(text, lang, "rules")
    if lang == "en":
        found = [p for p in found if "norwegian word" not in p]
    assert found == []


def test_localised_conflict_frame():
    from areal.apps.labels import localise_conflicts

    df = pd.DataFrame(
        {
            "pair": ["business_areas × power_lines (30 m)"],
            "severity": ["high"],
            "basis": ["x"],
            "area_ha": [1.0],
        }
    )
    nb = localise_conflicts(df, "nb").iloc[0]
    assert nb["severity"] == "høy" and "Kraftledninger" in nb["pair"] and "business_areas" not in nb["pair"]
    assert nb["basis"].startswith("forskrift om elektriske forsyningsanlegg (byggeforbudsbeltet")
    assert (
        localise_conflicts(df, "en")
        .iloc[0]["basis"]
        .startswith("forskrift om elektriske forsyningsanlegg (the")
    )


def test_every_profile_criterion_has_a_norwegian_label():
    from areal.apps.labels import criterion_label
    from areal.layers.project_data import load_profile, profile_names

    for name in profile_names():
        for c in load_profile(name).criteria:
            assert c.label_nb and criterion_label(c, "nb") != criterion_label(c, "en"), (name, c.id)


def test_arena_codes_have_words_in_both_languages():
    from areal.apps.planner import i18n

    arenas = pd.read_csv(ROOT / "data" / "test_arenas" / "test_arenas.csv")
    codes = {f"arena.kind.{v}" for v in arenas["arena_type"]}
    codes |= {f"arena.sector.{v}" for s in arenas["sectors"] for v in str(s).split(";")}
    codes |= {f"arena.status.{v}" for v in arenas["status"]} | {
        f"arena.precision.{v}" for v in arenas["precision"]
    }
    for key in codes:
        assert key in i18n.NB and key in i18n.EN, key


# ---------------------------------------------------------------------- rate limit


def test_data_endpoints_answer_429_past_the_budget(starter_data):
    import tornado.testing
    import tornado.web
    from areal.apps.planner.server import RateLimiter, extra_patterns

    class Case(tornado.testing.AsyncHTTPTestCase):
        def get_app(self):
            limiter = RateLimiter(burst=3, per_second=0.01)
            return tornado.web.Application(extra_patterns(starter_data, limiter=limiter))

        def runTest(self):
            codes = [self.fetch("/areal/api/geojson/municipalities?band=0").code for _ in range(4)]
            assert codes == [200, 200, 200, 429], codes
            assert self.fetch("/areal/api/places").headers.get("Retry-After")

    def run() -> None:
        case = Case()
        case.setUp()
        try:
            case.runTest()
        finally:
            case.tearDown()

    # on a thread of its own: the browser tests' playwright keeps an event loop on the main thread
    import threading

    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread
            errors.append(exc)

    th = threading.Thread(target=guarded)
    th.start()
    th.join(60)
    assert not th.is_alive(), "the rate-limit check did not finish in 60 s"
    if errors:
        raise errors[0]


def test_geojson_endpoint_answers_in_the_map_language(starter_data):
    """The map script asks ``/geojson/<layer>?...&lang=en`` in English: the tooltips follow."""
    import json
    import threading

    import tornado.testing
    import tornado.web
    from areal.apps.planner.server import extra_patterns

    class Case(tornado.testing.AsyncHTTPTestCase):
        def get_app(self):
            return tornado.web.Application(extra_patterns(starter_data))

        def runTest(self):
            def verneform(query: str) -> set[str]:
                r = self.fetch(f"/areal/api/geojson/national_parks?band=0{query}")
                assert r.code == 200, r.body
                return {f["properties"]["verneform"] for f in json.loads(r.body)["features"]}

            assert verneform("") == verneform("&lang=nb") == {"Nasjonalpark"}
            assert verneform("&lang=en") == {"National park"}
            assert self.fetch("/areal/api/geojson/national_parks?band=0&lang=xx").code == 400

    errors: list[BaseException] = []

    def guarded() -> None:  # a thread of its own: playwright keeps an event loop on the main thread
        case = Case()
        try:
            case.setUp()
            case.runTest()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread
            errors.append(exc)
        finally:
            case.tearDown()

    th = threading.Thread(target=guarded)
    th.start()
    th.join(60)
    assert not th.is_alive(), "the endpoint check did not finish in 60 s"
    if errors:
        raise errors[0]


# ---------------------------------------------------------------------- PDFs


def _credits() -> tuple[str, ...]:
    from areal.layers import registry

    return tuple(sorted({registry.get(n).attribution for n in registry.names()}, key=len, reverse=True))


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
def test_pdf_reports_have_no_raw_ids_or_english(tmp_path):
    """A site and a municipality report of the starter extract, read back with pdftotext."""
    import geopandas as gpd
    from areal.apps.report import municipality_report, render_report, site_report
    from conftest import UTM33, X0, Y0
    from shapely.geometry import box

    empty = tmp_path / "no-data"
    empty.mkdir()
    site = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33)
    reports = {
        "site": site_report(site, "omrade.geojson", empty),
        "municipality": municipality_report("5001", empty),
    }
    for kind, inputs in reports.items():
        out = render_report(inputs, tmp_path / f"{kind}.pdf")
        text = _pdf_text(out)
        # credits are quoted as their owners write them (some in English); pdftotext breaks lines
        flat = " ".join(text.split())
        assert problems(flat, "nb", f"{kind}.pdf", allowed=_credits()) == []
        assert "omrade.geojson" not in text.splitlines()[0]  # the title is the report's own
        if kind == "municipality":
            assert "Arealkonflikter med lovgrunnlag" in text


def test_every_legend_class_has_an_english_label():
    from areal.apps.planner.i18n import VALUE_EN
    from areal.apps.planner.mapping import legend_entries
    from areal.layers import registry

    for name in registry.names():
        spec = registry.get(name)
        if spec.style.categories and not spec.style.class_breaks:
            labels = spec.code_lists.get(spec.style.category_column or "", {})
            for code in spec.style.categories:
                assert labels.get(code, code) in VALUE_EN, (name, code)
            nb = [c["label"] for c in legend_entries(spec, "nb")["categories"]]
            en = [c["label"] for c in legend_entries(spec, "en")["categories"]]
            assert nb != en, name


def test_every_code_list_value_and_tooltip_field_has_english():
    """Issue 14: map tooltips in English. Every label of a catalogue code list (decoded on the
    server, so Norwegian) has its entry in the one value table, and every tooltip column a field
    label in both languages: a code added without a translation fails here."""
    from areal.apps.planner import i18n
    from areal.layers import registry

    missing, checked = [], 0
    for name in registry.names():
        spec = registry.get(name)
        if not (spec.code_lists or spec.tooltip):
            continue
        for col, codes in spec.code_lists.items():
            for code, label in codes.items():
                checked += 1
                if label not in i18n.VALUE_EN:
                    missing.append(f"{name}.{col}={code} {label!r}")
                    continue
                en = i18n.VALUE_EN[label]
                assert i18n.value_label(label, "en") == en and i18n.value_label(label, "nb") == label
                assert problems(en, "en", f"{name}.{col}={code}") == []
        for col in spec.tooltip:
            for lang in ("nb", "en"):
                assert f"field.{col}" in i18n.STRINGS[lang], (name, col, lang)
            assert problems(i18n.field_label(col, "en"), "en", f"{name} field {col}") == []
    assert missing == []
    assert checked > 150  # the catalogue's code lists were all read


def test_indicator_units_in_english():
    from areal.apps.labels import unit_title

    units = {
        line.split("=", 1)[1].strip().strip('"')
        for path in (ROOT / "data" / "indicators").glob("*.toml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("unit")
    }
    assert units
    for u in units:
        assert problems(unit_title(u, "en"), "en") == [], u


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_conflicts_cli_summary_is_in_words_of_its_language(real_data, tmp_path, lang):
    """``areal conflicts`` printed raw pair ids (``business_areas × power_lines``), English bases and
    headings whatever the language; Norwegian is the default and English complete with ``--lang en``."""
    import geopandas as gpd
    from areal.apps.cli import main
    from click.testing import CliRunner
    from conftest import UTM33, X0, Y0
    from shapely.geometry import box

    site = tmp_path / "forslag.geojson"
    gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=UTM33).to_crs(4326).to_file(site)
    args = ["conflicts", "--proposal", str(site), "--account", "--data-dir", str(real_data)]
    res = CliRunner().invoke(main, args + ([] if lang == "nb" else ["--lang", "en"]))
    assert res.exit_code == 0, res.output
    out = res.stdout if hasattr(res, "stdout") else res.output
    assert problems(out, lang, f"areal conflicts ({lang})", allowed=(str(site),)) == []
    if lang == "nb":
        assert "alvorlighetsgrad" in out and "ha i konflikt" in out and "Kraftledninger (N1000)" in out
    else:
        assert "severity" in out and "ha in conflict" in out and "Power lines (N1000)" in out


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_arenas_cli_is_in_words_of_its_language(real_data, tmp_path, lang):
    """``areal arenas`` printed raw ids and codes (``test_area_sea``, ``operating``, ``ocean_space``) and
    ``arenas check`` English headings and missing-layer notes whatever the language."""
    import geopandas as gpd
    from areal.apps.cli import main
    from click.testing import CliRunner
    from shapely.geometry import box

    extra = [] if lang == "nb" else ["--lang", "en"]
    res = CliRunner().invoke(
        main, ["arenas", "--near", "10.40,63.43", "--km", "20", "--data-dir", str(real_data), *extra]
    )
    assert res.exit_code == 0, res.output
    listing = res.stdout if hasattr(res, "stdout") else res.output
    assert problems(listing, lang, f"areal arenas ({lang})") == []
    assert ("i drift" if lang == "nb" else "operating") in listing
    assert "test_area_sea" not in listing and "ocean_space" not in listing

    sea = tmp_path / "testomraade.geojson"  # off Frøya and Hitra, among fish farms
    gpd.GeoDataFrame(geometry=[box(8.6, 63.65, 8.75, 63.72)], crs=4326).to_file(sea)
    res = CliRunner().invoke(
        main, ["arenas", "check", str(sea), "--as", "test_area_sea", "--data-dir", str(real_data), *extra]
    )
    assert res.exit_code == 0, res.output
    out = res.stdout if hasattr(res, "stdout") else res.output
    err = res.stderr if hasattr(res, "stderr") else ""
    assert problems(out, lang, f"areal arenas check ({lang})", allowed=(str(sea),)) == []
    assert problems(err, lang, f"areal arenas check notes ({lang})", allowed=(str(real_data),)) == []
    heading = "Objekter som berøres" if lang == "nb" else "Features touched"
    assert heading in out and ("Akvakulturlokaliteter" if lang == "nb" else "Aquaculture sites") in out


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_suitability_cli_is_in_words_of_its_language(real_data, tmp_path, lang):
    """``areal suitability`` printed English sentences, raw pair ids and severities
    (``business_areas × forest (low, 23.20 ha)``) and skipped keys (``conflict layer ar5``)."""
    from areal.apps.cli import main
    from click.testing import CliRunner

    extra = [] if lang == "nb" else ["--lang", "en"]
    args = ["suitability", "--profile", "data_centre", "--resolution", "250", "--sensitivity-runs", "0"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path), "--data-dir", str(real_data), *extra])
    assert res.exit_code == 0, res.output
    out = res.stdout if hasattr(res, "stdout") else res.output
    err = res.stderr if hasattr(res, "stderr") else ""
    import pandas as pd

    places = tuple(pd.read_csv(tmp_path / "data_centre_sites.csv")["place_name"].dropna().unique())
    assert places  # proper names ("Trondheim lufthavn, Værnes") are the same in both languages
    assert problems(out, lang, f"areal suitability ({lang})", allowed=places) == []
    assert problems(err, lang, f"areal suitability notes ({lang})", allowed=(str(tmp_path),)) == []
    assert ("kandidatområder" if lang == "nb" else "candidate sites") in out
    assert ("konflikter:" if lang == "nb" else "conflicts:") in out  # sites with their conflicts in words


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("command", ["account", "indicators"])
def test_account_and_indicator_cli_are_in_words_of_their_language(real_data, tmp_path, lang, command):
    """``areal account`` mixed "Ikke tilgjengelig (not available)", raw layer ids and "wrote 39 rows (38
    municipalities + county)"; ``areal indicators`` printed raw indicator ids as column heads, "Merk
    <id>: <English notes>" and English reasons ("layer 'business_areas' is not in the data directory")."""
    from areal.apps.cli import main
    from click.testing import CliRunner

    extra = [] if lang == "nb" else ["--lang", "en"]
    out_file = tmp_path / ("acc.csv" if command == "account" else "ind.gpkg")
    res = CliRunner().invoke(main, [command, "--out", str(out_file), "--data-dir", str(real_data), *extra])
    assert res.exit_code == 0, res.output
    out = res.stdout if hasattr(res, "stdout") else res.output
    err = res.stderr if hasattr(res, "stderr") else ""
    assert problems(out, lang, f"areal {command} ({lang})") == []
    assert problems(err, lang, f"areal {command} notes ({lang})", allowed=(str(tmp_path),)) == []
    assert ("skrev " if lang == "nb" else "wrote ") + str(out_file) in err
    if command == "indicators":
        assert "protected_share" not in out and "best_site_data_centre" not in err
        assert [t for t in out.splitlines() if _bracket_problem(t)] == []  # "… (andel (0–1))"
        assert ("Fylkesmedian" if lang == "nb" else "County median") in out


def _bracket_problem(title: str) -> str:
    """'nested' for a bracket inside a bracket, 'doubled' for the same bracket group twice, else ''."""
    import re

    depth = 0
    for ch in title:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth > 1:
            return "nested"
    groups = re.findall(r"\(([^()]*)\)", title)
    return "doubled" if len(groups) != len(set(groups)) else ""


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_titles_with_units_have_no_nested_or_doubled_brackets(lang):
    """A title with its unit in brackets got the unit appended again: «Andel landareal vernet (andel
    (0–1))» in ``areal indicators``, the app's Indicators tab and the scenario comparison. Every
    indicator and metric title is composed once (:func:`areal.apps.labels.with_unit`)."""
    from types import SimpleNamespace

    from areal.apps.labels import (
        SCENARIO_GROUPS,
        SCENARIO_METRICS,
        column_titles,
        indicator_heading,
        scenario_group_title,
        scenario_metric_title,
    )
    from areal.apps.planner.engines import Engines
    from areal.geo.rules import SEVERITIES
    from areal.layers.project_data import load_indicators

    inds = load_indicators()
    titles = {f"indicator {i.id}": indicator_heading(i, lang) for i in inds}
    # the app's Indicators tab (its titles, without computing the table)
    stub = SimpleNamespace(
        indicator_ids=lambda: [i.id for i in inds], indicator_table=lambda: SimpleNamespace(indicators=inds)
    )
    titles |= {f"app {k}": v for k, v in Engines.indicator_titles(stub, lang).items()}
    titles |= {f"account {k}": v for k, v in column_titles(lang).items()}
    # every metric of a scenario comparison
    metrics = [("proposal", m) for m in SCENARIO_METRICS] + [("conflicts", f"{s}_ha") for s in SEVERITIES]
    metrics += [("land account", c) for c in column_titles(lang)]
    titles |= {f"compare {g} {m}": scenario_metric_title(g, m, lang) for g, m in metrics}
    titles |= {f"compare {i.id}": scenario_metric_title("indicators", i.id, lang, i) for i in inds}
    titles |= {f"group {g}": scenario_group_title(g, lang) for g in SCENARIO_GROUPS}
    bad = {k: (t, _bracket_problem(t)) for k, t in titles.items() if _bracket_problem(t)}
    assert bad == {}
    shares = [t for k, t in titles.items() if k.startswith("indicator ") and "0–1" in t]
    assert shares and all(t.endswith(", 0–1)") for t in shares), shares


@pytest.mark.realdata
def test_every_indicator_reason_and_note_is_known_words(real_data):
    """Every reason and note code the shipped indicators give, on the full extracts and on the
    starter extract, is one :data:`areal.apps.labels.INDICATOR_NOTES` words in both languages (no
    English left in Norwegian)."""
    from areal.apps.labels import indicator_text, indicator_text_known
    from areal.apps.usecases.indicators import compute_indicator_table
    from areal.geo.indicators import NOTE_CODES, Note

    for data_dir in (real_data, None):
        result, _ = compute_indicator_table(data_dir)
        notes = [r for r in result.summary["reason"] if r is not None]
        notes += [n for ns in result.summary["notes"] for n in ns]
        assert notes  # the extracts lack business areas and AR5: there are reasons and notes
        assert all(isinstance(n, Note) for n in notes)
        unknown = [n for n in notes if not indicator_text_known(n) or n.code not in NOTE_CODES]
        assert unknown == [], unknown
        for n in notes:
            assert set(n.values) == set(NOTE_CODES[n.code]), n
            assert problems(indicator_text(n, "nb"), "nb", "indicator text") == [], n
            assert problems(indicator_text(n, "en"), "en", "indicator text") == [], n


def test_indicator_text_by_hand():
    from areal.apps.labels import INDICATOR_NOTES, indicator_text
    from areal.geo.indicators import NOTE_CODES, Note

    assert set(INDICATOR_NOTES) == set(NOTE_CODES)  # every code the core can give has words
    got = indicator_text(
        (
            Note.of("layers_missing", layers=["business_areas"], purpose="planned_business"),
            Note.of("no_value", n=3),
        )
    )
    assert got == (
        "«Næringsområder i kommuneplan (arealformål 1300)» (framtidige næringsområder) finnes ikke i "
        "datamappen; hent det med `areal fetch business_areas` eller `areal import FIL --as business_areas` | "
        "3 kommuner har ingen verdi (ikke noe areal å dele på)"
    )
    two = Note.of("layers_missing", layers=["business_areas", "ar5"], purpose="")
    assert indicator_text(two, "en").count("is not in the data directory") == 2
    assert (
        "«AR5 arealressurser (jordbruk, skog, myr)» finnes ikke i datamappen; hent det med `areal fetch ar5`"
        in (indicator_text(two))
    )
    # the values go through titles and the language's number format
    run = Note.of("profile_run", profile="data_centre", resolution=250.0, threshold=0.75, min_area_ha=20.0)
    assert indicator_text(run, "en") == "profile «Data centre» at 250 m, threshold 0.75, minimum 20 ha"
    assert indicator_text(Note.of("no_origin", layers=["business_areas", "built_up"])).startswith(
        "både «Næringsområder i kommuneplan (arealformål 1300)» og «Tettbebyggelse"
    )
    # a JSON round trip renders the same
    assert indicator_text(run.to_dict()) == indicator_text(run)
    assert indicator_text(Note.of("something_new", n=1), "nb") == "something_new (n=1)"  # never lost


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_scenario_cli_is_in_words_of_its_language(tmp_path, lang):
    """``areal scenario`` printed English sentences ("saved scenario …", "2 scenario(s) in …"), raw
    metric ids (``proposal: area_ha``, ``layers_missing``), raw layer ids and ISO time stamps."""
    import geopandas as gpd
    from areal.apps.cli import main
    from click.testing import CliRunner
    from conftest import UTM33, X0, Y0
    from shapely.geometry import box

    f = tmp_path / "forslag.geojson"
    gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=UTM33).to_crs(4326).to_file(f)
    extra = ["--store", str(tmp_path / "s.sqlite"), *([] if lang == "nb" else ["--lang", "en"])]
    steps = [
        [
            "save",
            "Alternativ A",
            "--proposal",
            str(f),
            "--profile",
            "data_centre",
            "--layers",
            "ar5,power_lines",
        ],
        ["save", "Alternativ B", "--proposal", str(f)],
        ["list"],
        ["show", "Alternativ A"],
        ["compare", "Alternativ A", "Alternativ B"],
        ["rename", "Alternativ B", "Alternativ C"],
        ["delete", "Alternativ C"],
    ]
    for step in steps:
        res = CliRunner().invoke(main, ["scenario", *step, *extra])
        assert res.exit_code == 0, res.output
        out = res.stdout if hasattr(res, "stdout") else res.output
        err = res.stderr if hasattr(res, "stderr") else ""
        allowed = ("Alternativ A", "Alternativ B", "Alternativ C", str(tmp_path))
        assert problems(out, lang, f"areal scenario {step[0]} ({lang})", allowed=allowed) == []
        assert problems(err, lang, f"areal scenario {step[0]} notes ({lang})", allowed=allowed) == []
        assert "+00:00" not in out  # times as the reader writes them, not ISO stamps
