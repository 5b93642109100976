"""``areal --help`` and every ``COMMAND --help`` in Norwegian by default, English unchanged with ``en``.

The tests localize a deep copy of the command line's group (:func:`nb_main`), so the Norwegian never
leaks into other tests of the process; :func:`test_localize_the_real_group_and_back` checks the
real group too, and puts its English back.
"""

from __future__ import annotations

import copy
import doctest
import re

import click
import pytest
from areal.apps import help_text
from areal.apps.cli import main
from areal.apps.help_text import (
    help_language,
    help_table,
    iter_commands,
    localize_help,
    param_help,
    param_key,
)
from click.testing import CliRunner

from tests.apps.textscan import problems

COMMANDS = [path for path, _ in iter_commands(main)]

#: Click's own English words, which the Norwegian help must not show.
CLICK_ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "Show this message and exit.",
    "Show the version and exit.",
    "[OPTIONS]",
    "COMMAND [ARGS]",
    "default:",
    "env var:",
    "required]",
    "(dynamic)",
)


def argv(path: str) -> list[str]:
    return path.split()[1:]


def help_output(group: click.Group, path: str) -> str:
    result = CliRunner().invoke(group, [*argv(path), "--help"], prog_name="areal")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def en_outputs() -> dict[str, str]:
    """The English help of every command, from a copy of the group never localized."""
    group = copy.deepcopy(main)
    return {path: help_output(group, path) for path in COMMANDS}


@pytest.fixture(scope="module")
def nb_main() -> click.Group:
    group = copy.deepcopy(main)
    localize_help(group, "nb")
    return group


# ---------------------------------------------------------------------- (a) the table is complete and current


def test_every_help_has_norwegian():
    commands = help_table()["commands"]
    missing = []
    for path, cmd in iter_commands(main):
        entry = commands.get(path)
        if entry is None:
            missing.append(f"{path}: no [commands.{path!r}]")
            continue
        for attr in ("help", "short_help", "epilog"):
            if getattr(cmd, attr) and attr not in entry:
                missing.append(f"{path}: no {attr}")
        for p in cmd.params:
            if getattr(p, "help", None) and param_help(entry, param_key(p)) is None:
                missing.append(f"{path} {param_key(p)}: no Norwegian help")
    assert not missing, "data/help_nb.toml lacks:\n" + "\n".join(missing)


def test_no_entry_names_a_command_or_option_that_does_not_exist():
    known = dict(iter_commands(main))
    stale = []
    for path, entry in help_table()["commands"].items():
        if path not in known:
            stale.append(f"{path}: no such command")
            continue
        keys = {param_key(p) for p in known[path].params if getattr(p, "help", None)}
        stale += [
            f"{path} {k}: no such option (or it has no help)"
            for k in entry.get("params", {})
            if k not in keys
        ]
        if "epilog" in entry and not known[path].epilog:
            stale.append(f"{path}: an epilog, but the command has none")
    used = {param_key(p) for _, cmd in iter_commands(main) for p in cmd.params}
    stale += [f"shared {k}: no command has it" for k in help_table()["shared"]["params"] if k not in used]
    assert not stale, "data/help_nb.toml names what is gone:\n" + "\n".join(stale)


def test_unverified_fetchers_each_have_norwegian():
    from areal.layers import fetch

    table = help_table()["commands"]["areal fetch"]["unverified"]
    assert set(table) == set(fetch.unverified()), "data/help_nb.toml [commands.'areal fetch'.unverified]"


# ---------------------------------------------------------------------- (b) Norwegian help has no English


def _prose(text: str, group: click.Group, path: str) -> str:
    """The help without what is typed as it is: usage line, names, metavars, choices, default values."""
    cmd = dict(iter_commands(group))[path]
    lines = text.splitlines()[1:]  # the usage line: the command path and metavars
    if isinstance(cmd, click.Group):  # the command names in the list of commands
        names = "|".join(re.escape(n) for n in cmd.commands)
        lines = [re.sub(rf"^  ({names})(?=\s)", " ", line) for line in lines]
    text = " ".join("\n".join(lines).split())
    ctx = click.Context(cmd)
    for p in cmd.params:
        text = text.replace(p.make_metavar(ctx), " ")
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)  # option names (a wrapped one too)
    text = re.sub(r"(\[|; )standard: [^;\]]*", r"\1", text)  # click's [standard: 10.0], as typed
    return re.sub(r"\b[A-Z][A-Z0-9_]+\b", " ", text)  # metavars and environment variables in the text


@pytest.mark.parametrize("path", COMMANDS)
def test_norwegian_help_has_no_english(nb_main, path):
    out = help_output(nb_main, path)
    assert not [w for w in CLICK_ENGLISH if w in out], out
    for word in ("Bruk: areal", "Valg:", "Vis denne hjelpen og avslutt."):
        assert word in out
    from areal.layers import fetch

    ids = tuple(f"{lid}:" for lid in fetch.unverified()) if path == "areal fetch" else ()
    found = problems(_prose(out, nb_main, path), "nb", where=f"{path} --help", allowed=ids)
    assert not found, "\n".join(found)


def test_click_words_in_norwegian(nb_main):
    out = help_output(nb_main, "areal")
    assert "Kommandoer:" in out and "Bruk: areal [VALG] KOMMANDO [ARGUMENTER]..." in out
    assert "Avslutningskoder: 0 ferdig" in out
    out = help_output(nb_main, "areal serve")
    assert "[miljøvariabel: AREAL_DATA_DIR]" in " ".join(out.split())
    assert "[standard: 127.0.0.1]" in out
    assert "[påkrevd]" in help_output(nb_main, "areal import")


def test_metavars_and_choices_kept(nb_main):
    # The first column of every option row (names, metavars, choices) is the same in both languages.
    def terms(group: click.Group) -> dict[str, list[str]]:
        out = {}
        for path, cmd in iter_commands(group):
            ctx = cmd.context_class(cmd, info_name=path)
            out[path] = [rec[0] for p in cmd.get_params(ctx) if (rec := p.get_help_record(ctx))]
        return out

    assert terms(nb_main) == terms(copy.deepcopy(main))
    assert "--source [ar5|ar50|n50_arealdekke]" in terms(nb_main)["areal fetch"]


# ---------------------------------------------------------------------- (c) English unchanged, (d) idempotent


@pytest.mark.parametrize("path", COMMANDS)
def test_english_help_is_the_original(nb_main, en_outputs, path):
    group = copy.deepcopy(main)
    localize_help(group, "nb")
    localize_help(group, "en")
    assert help_output(group, path) == en_outputs[path]
    localize_help(group, "en")
    assert help_output(group, path) == en_outputs[path]


def test_idempotent(nb_main):
    once = {path: help_output(nb_main, path) for path in COMMANDS}
    group = copy.deepcopy(main)
    for lang in ("nb", "nb", "en", "nb"):
        localize_help(group, lang)
    assert {path: help_output(group, path) for path in COMMANDS} == once


def test_localize_the_real_group_and_back(en_outputs):
    try:
        localize_help(main, "nb")
        assert help_output(main, "areal suitability").startswith("Bruk: areal suitability [VALG]")
    finally:
        localize_help(main, "en")
    assert {path: help_output(main, path) for path in COMMANDS} == en_outputs


# ---------------------------------------------------------------------- the language, as the lead wires it


@pytest.mark.parametrize(
    ("args", "env", "lang"),
    [
        (["--help"], {}, "nb"),
        (["suitability", "--help"], {"AREAL_LANG": "en"}, "en"),
        (["suitability", "--lang", "en", "--help"], {}, "en"),
        (["scenario", "list", "--help", "--lang=en"], {}, "en"),
        (["layers", "--lang", "nb", "--help"], {"AREAL_LANG": "en"}, "nb"),
        (["layers", "--lang", "en", "--lang", "nb", "--help"], {}, "nb"),
        (["scenario", "save", "A", "--note", "x", "--", "--lang", "en"], {}, "nb"),
    ],
)
def test_help_language(args, env, lang):
    assert help_language(args, environ=env) == lang


def test_wired_like_arealgroup_main(en_outputs):
    # What ArealGroup.main will do: localize_help(self, help_language(args)) before click parses.
    group = copy.deepcopy(main)
    for args, expected in (
        (["suitability", "--lang", "en", "--help"], "Usage:"),
        (["suitability", "--help"], "Bruk:"),
    ):
        localize_help(group, help_language(args, environ={}))
        out = CliRunner().invoke(group, args, prog_name="areal").output
        assert out.startswith(f"{expected} areal suitability")
    localize_help(group, help_language(["--help"], environ={"AREAL_LANG": "en"}))
    assert help_output(group, "areal") == en_outputs["areal"]


def test_docstring_examples():
    result = doctest.testmod(help_text, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
