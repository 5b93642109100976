"""The help of the ``areal`` command line in the user's language: Norwegian bokmål by default.

:func:`localize_help` gives a click group, every sub-command (``areal scenario list`` too) and
every option and argument the Norwegian help of ``data/help_nb.toml`` (``lang="nb"``), or puts the
English of the code back (``lang="en"``). The table is keyed by the command path as it is typed
(``"areal suitability"``) and the option's long name (``"--resolution"``), never by the English
text: a reworded English help keeps its Norwegian, and ``tests/apps/test_help_text.py`` fails when
a command or option has no Norwegian or when an entry names one that no longer exists.

Click's own words (``Usage:``, ``Options:``, ``Commands:``, ``Show this message and exit.``,
``[default: …]``, ``[env var: …]``, ``[required]``) come from :class:`NorwegianHelpFormatter`, the
formatter of every localized command's context. Metavars, choices, option and command names stay
as they are typed.

The command line calls it once per start, before click parses anything (``--help`` is answered
while parsing), with the language of :func:`help_language`::

    localize_help(self, help_language(args))  # in ArealGroup.main, before super().main(...)
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import click

#: The Norwegian help table, shipped with the project data (``areal.data``, ``data/`` in the repository).
HELP_FILE = ("areal.data", "help_nb.toml")

#: The environment variable that sets the language when no ``--lang`` is on the command line.
ENV_LANG = "AREAL_LANG"

#: The name of the root command in the table (``areal --help``).
ROOT = "areal"

#: Click's placeholders in the usage line, in Norwegian.
USAGE_WORDS = {
    "[OPTIONS]": "[VALG]",
    "COMMAND [ARGS]...": "KOMMANDO [ARGUMENTER]...",
    "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...": "KOMMANDO1 [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]...",
}

#: Click's headings (``Options:``, ``Commands:``) in Norwegian.
HEADINGS = {"Options": "Valg", "Commands": "Kommandoer", "Arguments": "Argumenter"}

#: Click's fixed help of ``--help``, in Norwegian.
HELP_OPTION_HELP = {"Show this message and exit.": "Vis denne hjelpen og avslutt."}

# Where the English of a command or parameter is kept (on the object, the first time it is localized).
_SAVED = "_areal_help_en"


def help_language(args: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language of the help: the rule of the errors (:func:`areal.apps.error_text.language`).

    The last ``--lang`` on the command line, else ``$AREAL_LANG``, else ``nb``; read before click
    parses the command line, because ``--help`` is answered while parsing. ``args`` defaults to
    ``sys.argv[1:]``.

    Examples
    --------
    >>> help_language(["suitability", "--lang", "en", "--help"], environ={})
    'en'
    >>> help_language(["--help"], environ={"AREAL_LANG": "en"})
    'en'
    >>> help_language(["layers", "--lang=nb", "--help"], environ={"AREAL_LANG": "en"})
    'nb'
    >>> help_language(["--help"], environ={})
    'nb'
    """
    from areal.apps.error_text import language

    return language(sys.argv[1:] if args is None else list(args), environ)


@lru_cache(maxsize=1)
def help_table() -> dict[str, Any]:
    """The Norwegian help table (``data/help_nb.toml``), read once per process.

    Returns
    -------
    dict
        ``commands``: per command path its ``help``, ``short_help``, ``epilog`` and ``params``
        (help per option name); ``shared``: ``params`` shared by many commands.

    Examples
    --------
    >>> help_table()["commands"]["areal suitability"]["params"]["--resolution"]
    'Cellestørrelse i meter.'
    """
    package, name = HELP_FILE
    return tomllib.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


def param_key(param: click.Parameter) -> str:
    """The key of a parameter in the table: an option's first long name, an argument's name in capitals.

    Examples
    --------
    >>> param_key(click.Option(["-m", "--municipality", "municipality"]))
    '--municipality'
    >>> param_key(click.Option(["-q"]))
    '-q'
    >>> param_key(click.Argument(["area_file"]))
    'AREA_FILE'
    """
    if isinstance(param, click.Option):
        names = [*param.opts, *param.secondary_opts]
        return next((n for n in names if n.startswith("--")), names[0])
    return (param.name or "").upper()


def iter_commands(group: click.Command, path: str = ROOT) -> Iterator[tuple[str, click.Command]]:
    """Every command under ``group`` (the group first) with its path as typed, sub-groups recursively.

    Examples
    --------
    >>> g = click.Group("areal", commands=[click.Group("scenario", commands=[click.Command("list")])])
    >>> [p for p, _ in iter_commands(g)]
    ['areal', 'areal scenario', 'areal scenario list']
    """
    yield path, group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from iter_commands(group.commands[name], f"{path} {name}")


def param_help(entry: Mapping[str, Any], key: str, table: Mapping[str, Any] | None = None) -> str | None:
    """The Norwegian help of parameter ``key`` of a command's table ``entry``, else the shared one.

    Examples
    --------
    >>> param_help(help_table()["commands"]["areal layer"], "--out")
    'Filen som skrives (.gpkg, .geojson, .parquet eller .csv).'
    >>> param_help({}, "--json").startswith("Skriv resultatet som JSON")
    True
    >>> param_help({}, "--no-such-option") is None
    True
    """
    table = help_table() if table is None else table
    own = entry.get("params", {})
    if key in own:
        return own[key]
    return table.get("shared", {}).get("params", {}).get(key)


class NorwegianHelpFormatter(click.HelpFormatter):
    """Click's help formatter with click's own words in Norwegian.

    ``Usage:`` → ``Bruk:``, the headings ``Options``/``Commands`` → ``Valg``/``Kommandoer``, the
    help of ``--help``, and the brackets click adds to an option's help (``[default: …]`` →
    ``[standard: …]``, ``[env var: …]`` → ``[miljøvariabel: …]``, ``[required]`` → ``[påkrevd]``).

    Examples
    --------
    >>> f = NorwegianHelpFormatter(width=60)
    >>> f.write_usage("areal layers", "[VALG]")
    >>> with f.section("Options"):
    ...     f.write_dl([("--lang [nb|en]", "Språket.  [default: nb; required]")])
    >>> print(f.getvalue().rstrip())
    Bruk: areal layers [VALG]
    <BLANKLINE>
    Valg:
      --lang [nb|en]  Språket.  [standard: nb; påkrevd]
    """

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:  # noqa: D102
        super().write_usage(prog, args, "Bruk: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:  # noqa: D102
        super().write_heading(HEADINGS.get(heading, heading))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:  # noqa: D102
        super().write_dl([(term, nb_help_cell(text)) for term, text in rows], col_max, col_spacing)


class NorwegianContext(click.Context):
    """A click context whose help is written by :class:`NorwegianHelpFormatter`."""

    formatter_class = NorwegianHelpFormatter


def _nb_extra(item: str) -> str:
    key, sep, value = item.partition(": ")
    if sep and key == "default":
        return f"standard: {'(dynamisk)' if value == '(dynamic)' else value}"
    if sep and key == "env var":
        return f"miljøvariabel: {value}"
    return "påkrevd" if item == "required" else item


def nb_help_cell(text: str) -> str:
    """An option's help cell with click's words in Norwegian: ``--help``'s own help and the brackets.

    Click writes ``HELP  [env var: X; default: Y; RANGE; required]`` (``click.Option.get_help_record``);
    the help itself and the values are left as they are.

    Examples
    --------
    >>> nb_help_cell("Porten.  [default: 5006; 0<=x<=65535]")
    'Porten.  [standard: 5006; 0<=x<=65535]'
    >>> nb_help_cell("Mappe.  [env var: AREAL_DATA_DIR; required]")
    'Mappe.  [miljøvariabel: AREAL_DATA_DIR; påkrevd]'
    >>> nb_help_cell("[required]")
    '[påkrevd]'
    >>> nb_help_cell("Show this message and exit.")
    'Vis denne hjelpen og avslutt.'
    >>> nb_help_cell("Reglene (data/rules/default.toml [kinds])")
    'Reglene (data/rules/default.toml [kinds])'
    """
    if text in HELP_OPTION_HELP:
        return HELP_OPTION_HELP[text]
    if not text.endswith("]"):
        return text
    head, sep, tail = text.rpartition("  [")
    if not sep:
        if not text.startswith("["):
            return text
        tail = text[1:]
    items = "; ".join(_nb_extra(i) for i in tail[:-1].split("; "))
    return f"{head}  [{items}]" if sep else f"[{items}]"


@lru_cache(maxsize=None)
def _norwegian_context_class(cls: type[click.Context]) -> type[click.Context]:
    if cls is click.Context:
        return NorwegianContext
    return type(f"Norwegian{cls.__name__}", (cls,), {"formatter_class": NorwegianHelpFormatter})


def _saved(obj: object, attrs: tuple[str, ...]) -> dict[str, Any]:
    # The English of the code, kept on the object the first time it is localized.
    saved = obj.__dict__.get(_SAVED)
    if saved is None:
        saved = {a: getattr(obj, a) for a in attrs}
        obj.__dict__[_SAVED] = saved
    return saved


_COMMAND_ATTRS = ("help", "short_help", "epilog", "options_metavar", "context_class")


def _fetch_epilog(entry: Mapping[str, Any]) -> str | None:
    # `areal fetch`'s epilog lists layers.fetch.unverified(): the heading, then one line per layer id.
    from areal.layers import fetch

    notes = entry.get("unverified", {})
    lines = [f"{lid}: {notes.get(lid, what)}" for lid, what in fetch.unverified().items()]
    return "\n\n\b\n" + entry["epilog"] + "\n" + "\n".join(lines)


#: Epilogs built from the table and the code rather than written out (by command path).
EPILOG_BUILDERS = {"areal fetch": _fetch_epilog}


def localize_help(group: click.Command, lang: str = "nb", table: Mapping[str, Any] | None = None) -> None:
    """Give ``group``, its sub-commands, options and arguments the help in ``lang``.

    ``"en"`` puts back the English of the code; anything else is Norwegian bokmål from
    :func:`help_table`. Idempotent, and cheap enough for every start (the table is read once per
    process): it only sets attributes. A command or option missing from the table keeps its English.

    Parameters
    ----------
    group : click.Command
        The root command, ``areal.apps.cli.main``.
    lang : str
        ``"nb"`` (default) or ``"en"``.
    table : mapping, optional
        The table; default :func:`help_table`.

    Examples
    --------
    >>> @click.group("areal")
    ... def g():
    ...     "Land-use conflicts."
    >>> @g.command("layer")
    ... @click.option("--out", help="Output file.")
    ... def layer(out):
    ...     "Export one layer."
    >>> localize_help(g, "nb")
    >>> layer.help, layer.params[0].help, layer.options_metavar
    ('Eksporter ett rensket kartlag (EPSG:25833) til en fil.', 'Filen som skrives (.gpkg, .geojson, .parquet eller .csv).', '[VALG]')
    >>> localize_help(g, "en")
    >>> layer.help, layer.params[0].help, layer.options_metavar
    ('Export one layer.', 'Output file.', '[OPTIONS]')
    """
    nb = lang != "en"
    table = (help_table() if table is None else table) if nb else {}
    commands = table.get("commands", {})
    for path, cmd in iter_commands(group):
        attrs = _COMMAND_ATTRS + (("subcommand_metavar",) if isinstance(cmd, click.Group) else ())
        en = _saved(cmd, attrs)
        for p in cmd.params:
            if not hasattr(p, "help"):  # a click.Argument has no help of its own
                continue
            p_en = _saved(p, ("help",))
            if not nb or not p_en["help"]:
                p.help = p_en["help"]
            else:
                p.help = param_help(commands.get(path, {}), param_key(p), table) or p_en["help"]
        if not nb:
            for attr, value in en.items():
                setattr(cmd, attr, value)
            continue
        entry = commands.get(path, {})
        cmd.help = entry.get("help", en["help"])
        cmd.short_help = entry.get("short_help", en["short_help"])
        if en["epilog"] and "epilog" in entry:
            build = EPILOG_BUILDERS.get(path)
            cmd.epilog = build(entry) if build else entry["epilog"]
        else:
            cmd.epilog = en["epilog"]
        cmd.options_metavar = USAGE_WORDS.get(en["options_metavar"], en["options_metavar"])
        if isinstance(cmd, click.Group):
            cmd.subcommand_metavar = USAGE_WORDS.get(en["subcommand_metavar"], en["subcommand_metavar"])
        cmd.context_class = _norwegian_context_class(en["context_class"])
