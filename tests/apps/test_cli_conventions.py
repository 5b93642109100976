"""CLI conventions (issue 16): one line on stderr and a documented exit code for any bad value, no
traceback; results on stdout, notes on stderr; ``--json`` and ``--quiet``.

Every registered command must have a row in :data:`BAD_VALUES`: a command another branch adds
(``check``, ``plan-account``, ``api`` ...) fails :func:`test_every_command_declares_a_bad_value`
until it declares one, and is then tested by :func:`test_bad_value_is_one_line_exit_2`.
"""

from __future__ import annotations

import json

import click
import geopandas as gpd
import pytest
from areal.apps.cli import EXIT_FAILED, EXIT_INTERNAL, EXIT_USAGE, main
from click.testing import CliRunner
from conftest import UTM33, X0, Y0
from shapely.geometry import box

# {tmp}: a temporary folder; {file}: an existing file that is not a data folder; {site}: a small
# valid proposal in Trøndelag (GeoJSON). Each argv fails on a value, before any analysis runs.
BAD_VALUES: dict[str, list[str]] = {
    "layers": ["--data-dir", "{file}"],
    "layer": ["municipalities", "--out", "{tmp}/kommuner.shp"],
    "account": ["--out", "{tmp}/account.xlsx"],
    "api": ["--port", "70000"],
    "check": ["{site}", "--context", "no-such-context"],
    "plan-account": ["--current", "{tmp}/no-such-plan.gpkg", "--proposed", "{site}"],
    "arenas": ["--near", "ten,sixty"],
    "arenas check": ["{tmp}/no-such-area.geojson"],
    "conflicts": ["--proposal", "{tmp}/no-such-proposal.gpkg"],
    "fetch": ["--timeout", "-1"],
    "import": ["{tmp}/no-such-file.gpkg", "--as", "business_areas"],
    "indicators": ["--profile-resolution", "-5"],
    "report": ["--municipality", "5001", "--out", "{tmp}/report.docx"],
    "scenario list": ["--data-dir", "{file}"],
    "scenario show": ["no-such-scenario", "--store", "{tmp}/s.sqlite"],
    "scenario save": ["A", "--proposal", "{site}", "--weights", "grid", "--store", "{tmp}/s.sqlite"],
    "scenario delete": ["no-such-scenario", "--store", "{tmp}/s.sqlite"],
    "scenario rename": ["no-such-scenario", "B", "--store", "{tmp}/s.sqlite"],
    "scenario compare": ["A", "B", "--out", "{tmp}/compare.xlsx", "--store", "{tmp}/s.sqlite"],
    "serve": ["--port", "70000", "--no-show"],
    "suitability": ["--profile", "data_centre", "--resolution", "-5", "--out", "{tmp}/out"],
}

# Commands that print no table (a server): every other command has --json.
NO_JSON = {"serve", "api"}


def registered_commands(group: click.Group = main, prefix: str = "") -> dict[str, click.Command]:
    """Every runnable command by its path ("scenario list"); a group that runs alone counts too."""
    out: dict[str, click.Command] = {}
    for name, cmd in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(cmd, click.Group):
            if cmd.invoke_without_command:
                out[path] = cmd
            out |= registered_commands(cmd, prefix=f"{path} ")
        else:
            out[path] = cmd
    return out


COMMANDS = sorted(registered_commands())


@pytest.fixture
def paths(tmp_path, empty_data_dir):
    f = tmp_path / "not-a-folder.txt"
    f.write_text("x")
    site = tmp_path / "site.geojson"
    gpd.GeoDataFrame({"navn": ["a"]}, geometry=[box(X0, Y0, X0 + 500, Y0 + 400)], crs=UTM33).to_crs(
        4326
    ).to_file(site, driver="GeoJSON")
    return {"tmp": str(tmp_path), "file": str(f), "site": str(site)}


def _run(argv: list[str], lang: str | None = None, **kw):
    """Run ``areal ARGV``; ``lang="en"`` through ``$AREAL_LANG`` (every command, also those without --lang)."""
    env = {"AREAL_LANG": lang} if lang else {}
    return CliRunner(env=env).invoke(main, argv, **kw)


def _assert_one_line(res, code: int, lang: str = "nb") -> str:
    assert res.exit_code == code, (res.exit_code, res.output, res.exception)
    assert "Traceback" not in res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("Error: " if lang == "en" else "Feil: ") and len(lines[0]) < 2000, lines[0]
    assert res.stdout == "", res.stdout  # nothing half-printed on stdout
    return lines[0]


def test_every_command_declares_a_bad_value():
    missing = sorted(set(COMMANDS) - set(BAD_VALUES))
    assert not missing, f"add a bad-value row to BAD_VALUES for: {missing}"
    assert not set(BAD_VALUES) - set(COMMANDS), "BAD_VALUES names a command that does not exist"
    # the walk finds the sub-commands, not only the top level
    assert {"arenas check", "scenario list", "suitability"} <= set(COMMANDS)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("command", COMMANDS)
def test_bad_value_is_one_line_exit_2(command, paths, lang):
    if command not in BAD_VALUES:
        pytest.fail(f"{command!r} has no row in BAD_VALUES")
    argv = [*command.split(), *(a.format(**paths) for a in BAD_VALUES[command])]
    _assert_one_line(_run(argv, lang), EXIT_USAGE, lang)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_option_is_one_line_exit_2(command, lang):
    res = _run([*command.split(), "--no-such-option"], lang)
    line = _assert_one_line(res, EXIT_USAGE, lang)
    assert "--no-such-option" in line
    assert ("No such option" if lang == "en" else "ukjent flagg `--no-such-option`") in line


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - NO_JSON))
def test_every_command_that_prints_has_json(command):
    params = {p.name for p in registered_commands()[command].params}
    assert "as_json" in params, f"{command} has no --json"


def test_unknown_command_and_usage_lines():
    _assert_one_line(_run(["no-such-command"]), EXIT_USAGE)
    _assert_one_line(_run(["no-such-command"], "en"), EXIT_USAGE, "en")
    line = _assert_one_line(_run(["report", "--out", "r.pdf", "--lang", "en"]), EXIT_USAGE, "en")
    assert "exactly one of --municipality, --site or --scenario" in line
    line = _assert_one_line(_run(["report", "--out", "r.pdf"]), EXIT_USAGE)
    assert "nøyaktig ett av `--municipality`, `--site` eller `--scenario`" in line


def test_issue_cases_name_the_value_not_a_temp_file(paths, empty_data_dir):
    # --out x.shp: the message names the file asked for, never the writer's temporary file
    line = _assert_one_line(
        _run(["layer", "municipalities", "--out", f"{paths['tmp']}/x.shp"], "en"), 2, "en"
    )
    assert "cannot write x.shp" in line and ".tmp-" not in line and "--out" in line
    line = _assert_one_line(_run(["layer", "municipalities", "--out", f"{paths['tmp']}/x.shp"]), 2)
    assert "kan ikke skrive 'x.shp'" in line and ".tmp-" not in line and "`--out`" in line
    argv = ["suitability", "--profile", "data_centre", "--resolution", "-5", "--out", paths["tmp"]]
    line = _assert_one_line(_run(argv, "en"), 2, "en")
    assert "--resolution" in line and "-5" in line
    line = _assert_one_line(_run(argv), 2)
    assert "`--resolution`" in line and "større enn 0 (fikk \u22125)" in line
    # a mistyped proposal path is a missing file, not an unknown layer
    line = _assert_one_line(_run(["conflicts", "--proposal", "proposl.gpkg"], "en"), 2, "en")
    assert "file 'proposl.gpkg' does not exist" in line and "not a known layer" not in line
    line = _assert_one_line(_run(["conflicts", "--proposal", "proposl.gpkg"]), 2)
    assert "filen 'proposl.gpkg' finnes ikke" in line and "kartlag" not in line
    line = _assert_one_line(_run(["conflicts", "--proposal", "forests"], "en"), 2, "en")
    assert "neither an existing file nor a known layer" in line and "forest," in line
    line = _assert_one_line(_run(["conflicts", "--proposal", "forests"]), 2)
    assert "verken en fil som finnes eller et kjent kartlag (mente du `forest`?)" in line


def test_distance_res_not_a_multiple_is_exit_2_before_any_output(paths):
    # starter extract (empty data dir): 250 m cells, distances on 300 m
    res_argv = ["suitability", "--profile", "data_centre", "--resolution", "250", "--distance-res", "300"]
    res_argv += ["--out", f"{paths['tmp']}/out"]
    res = _run(res_argv)
    line = _assert_one_line(res, EXIT_USAGE)
    assert "`--distance-res`" in line and "helt multiplum av rutenettets oppløsning 250 m" in line
    res = _run([*res_argv, "--lang", "en"])
    line = _assert_one_line(res, EXIT_USAGE, "en")
    assert "--distance-res" in line and "whole multiple of the grid resolution 250 m" in line


def test_a_run_that_fails_on_its_data_is_exit_1(empty_data_dir, tmp_path):
    argv = ["layer", "ar5", "--out", str(tmp_path / "x.gpkg")]
    line = _assert_one_line(_run([*argv, "--lang", "en"]), EXIT_FAILED, "en")
    assert "LayerMissingError" in line and "areal fetch ar5" in line
    line = _assert_one_line(_run(argv), EXIT_FAILED)
    assert "«AR5 arealressurser (jordbruk, skog, myr)» mangler" in line and "`areal fetch ar5`" in line
    assert "LayerMissingError" not in line


def test_internal_error_is_one_line_exit_3_and_debug_shows_it(empty_data_dir, monkeypatch):
    from areal.layers import registry

    def boom():
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(registry, "names", boom)
    line = _assert_one_line(_run(["layers", "--lang", "en"]), EXIT_INTERNAL, "en")
    assert "internal error (ZeroDivisionError: division by zero)" in line and "AREAL_DEBUG=1" in line
    line = _assert_one_line(_run(["layers"]), EXIT_INTERNAL)
    assert "intern feil i programmet (ZeroDivisionError: division by zero)" in line
    assert "sett AREAL_DEBUG=1" in line
    monkeypatch.setenv("AREAL_DEBUG", "1")
    res = _run(["layers"])
    assert isinstance(res.exception, ZeroDivisionError)


def test_exit_codes_are_in_help_and_docs():
    from pathlib import Path

    text = _run(["--help"], "en").stdout
    for code in ("0 done", "1 the run failed", "2 bad usage or value", "3 internal error"):
        assert code in " ".join(text.split())
    text = _run(["--help"]).stdout  # Norwegian by default
    for code in ("0 ferdig", "1 kjøringen feilet", "2 feil bruk eller verdi", "3 intern feil"):
        assert code in " ".join(text.split())
    docs = (Path(__file__).parents[2] / "docs" / "cli.md").read_text()
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "--json", "--quiet"):
        assert code in docs


def test_notes_on_stderr_results_on_stdout_and_quiet(empty_data_dir):
    res = _run(["layers"])
    assert res.exit_code == 0
    assert "municipalities" in res.stdout and "Kartlag som mangler" not in res.stdout
    assert "Kartlag som mangler:" in res.stderr
    quiet = _run(["--quiet", "layers"])
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == res.stdout


def test_layers_json(empty_data_dir):
    res = _run(["layers", "--json"])
    assert res.exit_code == 0 and res.stderr == ""
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert rows["municipalities"]["status"] == "starter" and rows["municipalities"]["count"] == 38
    assert rows["ar5"]["status"] == "missing" and rows["ar5"]["count"] is None


def test_arenas_json(empty_data_dir):
    res = _run(["arenas", "--json", "--near", "10.40,63.43", "--km", "20"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and all(r["distance_km"] <= 20 for r in rows)
    assert rows == sorted(rows, key=lambda r: r["distance_km"])
    text = _run(["arenas", "--near", "10.40,63.43", "--km", "20"]).stdout
    assert f"\n{len(rows)} av " in text


def test_scenario_commands_json(paths):
    store = ["--store", f"{paths['tmp']}/s.sqlite"]
    saved = _run(["scenario", "save", "A", "--proposal", paths["site"], "--json", *store])
    assert saved.exit_code == 0, saved.output
    doc = json.loads(saved.stdout)
    assert doc["name"] == "A" and doc["area_ha"] == pytest.approx(20.0, rel=1e-6)
    listed = json.loads(_run(["scenario", "list", "--json", *store]).stdout)
    assert [s["name"] for s in listed["scenarios"]] == ["A"]
    shown = json.loads(_run(["scenario", "show", "A", "--json", *store]).stdout)
    assert shown["polygons"] == 1 and shown["attributes"] == [{"navn": "a"}]
    gone = _run(["scenario", "delete", "A", "--json", *store])
    assert json.loads(gone.stdout) == {"deleted": "A", "store": json.loads(saved.stdout)["store"]}
    assert json.loads(_run(["scenario", "list", "--json", *store]).stdout)["scenarios"] == []


def test_account_json_and_its_geopackage_tables(empty_data_dir, tmp_path):
    import sqlite3

    out = tmp_path / "account.gpkg"
    res = _run(["account", "--json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = {r["kommunenummer"]: r for r in doc["rows"]}
    assert len(rows) == 39 and doc["county_id"] == "50"  # 38 municipalities and the county
    assert rows["5001"]["farmland_ha"] is None  # AR5 missing: null (not available), never 0
    assert {m["layer"] for m in doc["missing_layers"]} >= {"ar5"}
    assert "municipalities" in doc["starter_layers"]
    con = sqlite3.connect(out)
    kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    con.close()
    # the datasets behind the figures travel with them: the provenance table (realdata)
    assert kinds == {"land_account": "features", "missing_layers": "attributes", "provenance": "attributes"}
    # the same figures as the text table
    from areal.apps.commands.account import format_ha

    line = next(ln for ln in _run(["account"]).stdout.splitlines() if ln.strip().startswith("5001"))
    assert format_ha(rows["5001"]["land_ha"], 0) in line


def test_arenas_check_writes_nothing_unasked_and_json(paths, tmp_path):
    from pathlib import Path

    folder = Path(paths["site"]).parent
    before = sorted(p.name for p in folder.iterdir())
    res = _run(["arenas", "check", paths["site"], "--km", "50"])
    assert res.exit_code == 0, res.output
    assert "Eksisterende arenaer innen 50 km" in res.stdout
    assert sorted(p.name for p in folder.iterdir()) == before  # no <file>-conflicts.gpkg beside the input
    doc = json.loads(_run(["arenas", "check", paths["site"], "--json"]).stdout)
    assert doc["as"].startswith("test_area") and doc["out"] is None and doc["arenas_within_km"] == 30
    assert all(a["distance_km"] <= 30 for a in doc["arenas_near"])
    out = tmp_path / "c.gpkg"
    assert _run(["arenas", "check", paths["site"], "--out", str(out)]).exit_code == 0 and out.exists()


def test_suitability_runs_on_the_starter_extract_and_says_so(paths):
    from pathlib import Path

    out = Path(paths["tmp"]) / "suit"
    res = _run(
        [
            "suitability",
            "--profile",
            "data_centre",
            "--resolution",
            "1000",
            "--sensitivity-runs",
            "0",
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    assert "forenklet startutdrag brukt for" in res.stderr and "Kommuner (2024)" in res.stderr
    assert "kandidatområder" in res.stdout
    run = json.loads((out / "data_centre_run.json").read_text())
    assert "municipalities" in run["starter_layers"] and "county" in run["starter_layers"]
    assert (out / "data_centre_suitability.tif").exists()
