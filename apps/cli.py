"""The ``areal`` command line: thin commands over :mod:`geo` and :mod:`layers`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

DATA_DIR_OPTION = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="AREAL_DATA_DIR",
    show_envvar=True,
    help="Folder with the source data (default: ~/.local/share/areal/data).",
)


EXIT_OK = 0
"""The command did what was asked."""
EXIT_FAILED = 1
"""The command line was right but the run failed: a layer missing from the data directory, a data
file that cannot be read, an unreachable service or scenario store, a write refused by the disk."""
EXIT_USAGE = 2
"""Bad usage or value: an unknown option or command, a value out of range (``--resolution -5``,
``--distance-res 300`` on 250 m cells), an unknown layer, profile or municipality, a file named on the
command line that does not exist or cannot be used (refused, empty, the wrong geometry, outside Norway),
data that breaks a layer's schema."""
EXIT_INTERNAL = 3
"""An internal error (a bug): reported in one line; ``AREAL_DEBUG=1`` shows the traceback."""
EXIT_INTERRUPTED = 130
"""Stopped with Ctrl+C."""

EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 the run failed (missing layer, unreadable data, service or store "
    "unreachable, disk full); 2 bad usage or value (option, value, name, input file, data breaking a "
    "layer's schema); 3 internal error (a bug; "
    "AREAL_DEBUG=1 shows the traceback); 130 interrupted. Errors are one line on stderr; results go "
    "to stdout, notes and progress to stderr (silenced by --quiet)."
)


def _one_line(text: str) -> str:
    # A message with several lines (a list of problems) stays one line on the terminal.
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def classify_error(exc: BaseException, lang: str = "nb") -> tuple[int, str]:
    """The exit code and the one-line message for an error that ended a command, in ``lang``.

    The code depends on the error only, never on the language. In Norwegian (the default) the line
    starts ``Feil: `` and says what the error is (:mod:`areal.apps.error_text`, by the error's key or
    click's type), without Python class names; an error with no Norwegian words keeps its English
    sentence. In English the line starts ``Error: `` and is the error's own sentence, an error of
    the project's own kinds prefixed with its class (what a library user catches).

    Parameters
    ----------
    exc : BaseException
        What the command raised.
    lang : {"nb", "en"}
        The language of the line.

    Returns
    -------
    (int, str)
        :data:`EXIT_USAGE` for bad usage or values, :data:`EXIT_FAILED` for a run that failed on
        its data or environment, :data:`EXIT_INTERNAL` for anything else (a bug).

    Examples
    --------
    >>> from areal.geo.errors import LayerMissingError, unknown_name
    >>> classify_error(ValueError("resolution must be positive, got -5"), "en")
    (2, 'Error: resolution must be positive, got -5')
    >>> classify_error(ValueError("resolution must be positive, got -5"))
    (2, 'Feil: resolution must be positive, got -5')
    >>> e = unknown_name("'x' is not a known layer", "layer", "x", ["ar5", "forest"])
    >>> classify_error(e)
    (2, 'Feil: `x` er ikke et kjent kartlag; `areal layers` viser alle med id')
    >>> classify_error(e, "en")
    (2, "Error: UnknownNameError: 'x' is not a known layer")
    >>> classify_error(LayerMissingError("layer 'ar5' is missing"))[0]
    1
    >>> classify_error(KeyboardInterrupt()), classify_error(KeyboardInterrupt(), "en")
    ((130, 'Avbrutt.'), (130, 'Aborted.'))
    >>> classify_error(ZeroDivisionError("division by zero"))[0]
    3
    """
    from areal.apps import error_text
    from areal.geo import errors as E

    en = lang == "en"
    head = "Error: " if en else "Feil: "

    def line(english: str) -> str:
        words = None if en else error_text.text(exc, "nb")
        return head + _one_line(words if words is not None else english)

    if isinstance(exc, click.UsageError):
        hint = ""
        if exc.ctx is not None:
            hint = f" ({'see' if en else 'se'} '{exc.ctx.command_path} --help')"
        return EXIT_USAGE, line(exc.format_message()) + hint
    if isinstance(exc, click.ClickException):
        return exc.exit_code, line(exc.format_message())
    if isinstance(exc, (KeyboardInterrupt, click.Abort)):
        return EXIT_INTERRUPTED, "Aborted." if en else "Avbrutt."
    failed = (
        E.LayerMissingError,
        E.FetchError,
        E.StoreError,
        E.ScenarioSchemaError,
        E.BudgetExceededError,
    )
    usage = (
        E.InputFileError,
        E.InputGeometryError,
        ValueError,
        KeyError,
        FileNotFoundError,
        IsADirectoryError,
        NotADirectoryError,
    )
    if isinstance(exc, E.ArealError):
        code = EXIT_FAILED if isinstance(exc, failed) or not isinstance(exc, usage) else EXIT_USAGE
        return code, line(f"{type(exc).__name__}: {exc}" if en else str(exc))
    if isinstance(exc, (ValueError, FileNotFoundError, IsADirectoryError, NotADirectoryError)):
        return EXIT_USAGE, line(str(exc))
    if isinstance(exc, OSError):  # disk full, permission denied, ...
        return EXIT_FAILED, line(str(exc))
    what = f"{type(exc).__name__}: {_one_line(exc)}"
    if en:
        return EXIT_INTERNAL, (
            f"Error: internal error ({what}); set AREAL_DEBUG=1 for the traceback and please report it"
        )
    return EXIT_INTERNAL, (
        f"Feil: intern feil i programmet ({what}); sett AREAL_DEBUG=1 for å se hele sporet (traceback), "
        "og meld gjerne fra om feilen"
    )


class ArealGroup(click.Group):
    """Click group whose errors end in one line on stderr and a documented exit code, no traceback.

    Every error of every sub-command ends here (:meth:`main`), also under click's test runner:
    :func:`classify_error` picks the exit code and the line, in the language of the command line
    (:func:`areal.apps.error_text.language`: its ``--lang``, else ``$AREAL_LANG``, else ``nb``). Set ``AREAL_DEBUG=1`` to get the
    traceback of an internal error.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        from areal.apps.error_text import language
        from areal.apps.help_text import localize_help

        lang = language(sys.argv[1:] if args is None else args)
        try:
            # the help in the same language as the errors; click answers --help while parsing
            localize_help(self, lang)
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SystemExit:
            raise
        except BaseException as exc:
            code, line = classify_error(exc, lang)
            if code == EXIT_INTERNAL and os.environ.get("AREAL_DEBUG"):
                raise
            if not standalone_mode:
                raise
            click.echo(line, err=True)
            sys.exit(code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def quiet() -> bool:
    """Whether ``areal --quiet`` was given: notes, progress and "wrote ..." lines are left out."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get("areal.quiet"))


def note(message: str) -> None:
    """A note, warning or progress line: on stderr, left out with ``--quiet`` (results go to stdout)."""
    if not quiet():
        click.echo(message, err=True)


def echo_keyed_table(frame, titles, lead, lang: str = "nb") -> None:
    """Print a wide table whose column titles are long: numbered heads, the key above the table.

    ``titles`` maps the numbered columns to their titles, ``lead`` the leading columns
    (number, name) to short heads; other columns are left out.
    """
    import pandas as pd

    key = {c: f"[{k}]" for k, c in enumerate(titles, 1)}
    click.echo("Columns:" if lang == "en" else "Kolonnene:")
    for c, k in key.items():
        click.echo(f"  {k:>5} {titles[c]}")
    view = frame[[*lead, *titles]].rename(columns={**lead, **key})
    with pd.option_context("display.width", 250, "display.max_columns", 60):
        click.echo(view.to_string(index=False))


_WROTE = {"nb": "skrev {out}", "en": "wrote {out}"}


def note_wrote(out, lang: str = "nb", detail: str = "") -> None:
    """The "wrote FILE" note of a command in ``lang`` (``detail`` in brackets after it)."""
    note(_WROTE["en" if lang == "en" else "nb"].format(out=out) + (f" ({detail})" if detail else ""))


JSON_OPTION = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the result as JSON on stdout (tables as lists of records) instead of the text table.",
)


def _default_lang() -> str:
    from areal.apps.error_text import language

    return language([])  # $AREAL_LANG when it names a language, else nb


LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["nb", "en"]),
    default=_default_lang,
    show_default="nb, or $AREAL_LANG",
    help="Language of the printed text and the errors: Norwegian (default) or English; --json and the "
    "files keep the ids.",
)


def check_out(out: Path | None, allowed: tuple[str, ...] | None = None, param: str = "--out") -> None:
    """Refuse an output file with an extension the command cannot write, before any work is done."""
    from areal.layers.export import WRITABLE, check_suffix

    if out is None:
        return
    from areal.apps.error_text import keyed

    try:
        check_suffix(out, allowed or WRITABLE)
    except ValueError as exc:
        bad = click.BadParameter(str(exc), param_hint=param)
        raise keyed(bad, "out_suffix", file=Path(out).name, allowed=list(allowed or WRITABLE)) from None


def records(frame) -> list[dict]:
    """A (Geo)DataFrame as JSON-safe records (geometry left out; NaN and NA as null)."""
    import pandas as pd
    from areal.apps.jsonsafe import clean

    df = pd.DataFrame(frame)
    geom = getattr(frame, "_geometry_column_name", None)
    if geom in df.columns:
        df = df.drop(columns=geom)
    return clean(df.astype(object).where(df.notna(), None).to_dict(orient="records"))


def emit_json(value) -> None:
    """Print ``value`` as JSON on stdout (the one encoder: never NaN)."""
    from areal.apps.jsonsafe import dumps

    click.echo(dumps(value))


@click.group(cls=ArealGroup, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="arealkart")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Only results and errors: no notes, warnings, progress bars or 'wrote ...' lines (stderr).",
)
@click.option(
    "--county",
    default=None,
    metavar="NN",
    help="County of the run: its number (50 Trøndelag, the default; 03 Oslo, 46 Vestland ...) or "
    "'all' for all of Norway (areas then geodesic). Also $AREAL_COUNTY.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="WHERE",
    help="Where engines run their chunks: threads (default), processes, tcp://host:port (a dask "
    "cluster) or local (a dask LocalCluster); ':N' sets the workers, e.g. threads:4. Also $AREAL_SCHEDULER.",
)
@click.pass_context
def main(ctx: click.Context, quiet: bool, county: str | None, scheduler: str | None) -> None:
    """Arealkart Trøndelag: land-use conflicts, green-industry suitability and test arenas."""
    ctx.meta["areal.quiet"] = quiet

    from areal.geo.scheduler import get_scheduler
    from areal.layers import settings

    # The options reach the loader and the engines through the environment of this process,
    # restored when the command ends (so a test's CliRunner leaves nothing behind).
    for env, value in ((settings.ENV_COUNTY, county), (settings.ENV_SCHEDULER, scheduler)):
        if value is None:
            continue
        try:
            value = settings.county(value) if env == settings.ENV_COUNTY else value
            if env == settings.ENV_SCHEDULER and not value.startswith(("tcp://", "tls://")):
                get_scheduler(value).close()  # an unknown name fails here, with the known ones
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=f"--{env.split('_')[1].lower()}") from None
        old = os.environ.get(env)
        os.environ[env] = value
        ctx.call_on_close(lambda env=env, old=old: _restore(env, old))


def _restore(env: str, old: str | None) -> None:
    if old is None:
        os.environ.pop(env, None)
    else:
        os.environ[env] = old


def _fmt_total(st, lang: str = "nb") -> str:
    if st.total is None:
        return ""
    from areal.apps.formatting import count, number

    if st.unit == "m cells":
        return f"{count(st.total, lang)} {'m cells' if lang == 'en' else 'mill. ruter'}"
    return f"{number(st.total, 1, lang)} {st.unit}"


#: ``areal layers``' own words; layers by title, their id (the argument of fetch, import and layer) last.
_LAYERS_TEXT = {
    "nb": {
        "columns": ("kartlag", "status", "antall", "totalt", "utgiver", "lisens", "versjon", "id"),
        "status": {"loaded": "lastet", "starter": "startutdrag", "missing": "mangler", "error": "feil"},
        "repaired": "{n} ugyldige geometrier reparert",
        "filtered": "{n} rader utelatt av lagets filter ({where})",
        "outside": "{n} objekter utenfor fylket",
        "summary": "{n} kartlag: {ok} tilgjengelige, {missing} mangler, {error} med feil.",
        "missing_note": (
            "Kartlag som mangler: `areal layers -v` sier hvor hvert av dem ventes og hvordan det hentes "
            "(`areal fetch`)."
        ),
    },
    "en": {
        "columns": ("layer", "status", "count", "total", "publisher", "licence", "vintage", "id"),
        "status": {"loaded": "loaded", "starter": "starter", "missing": "missing", "error": "error"},
        "repaired": "{n} invalid geometries repaired",
        "filtered": "{n} rows left out by the layer's filter ({where})",
        "outside": "{n} features outside the county mask",
        "summary": "{n} layers: {ok} available, {missing} missing, {error} with errors.",
        "missing_note": (
            "Missing layers: `areal layers -v` says where each is expected and how to get it (`areal fetch`)."
        ),
    },
}


@main.command("layers")
@DATA_DIR_OPTION
@click.option("--strict", is_flag=True, help="Treat schema problems as errors.")
@click.option("--verbose", "-v", is_flag=True, help="Show messages and repair counts.")
@LANG_OPTION
@JSON_OPTION
def layers_cmd(data_dir: Path | None, strict: bool, verbose: bool, lang: str, as_json: bool) -> None:
    """List every catalogue layer with status, count, total, publisher, licence and vintage."""
    from areal.apps.formatting import count
    from areal.apps.labels import layer_title, vintage_text
    from areal.layers import loader, registry

    rows = [loader.status(lid, data_dir, strict=strict) for lid in registry.names()]
    n_missing = sum(st.status == "missing" for st in rows)
    n_error = sum(st.status == "error" for st in rows)
    if as_json:
        emit_json(
            [
                {
                    "id": st.spec.id,
                    "status": st.status,
                    "count": st.count,
                    "total": st.total,
                    "unit": st.unit or None,
                    "publisher": st.spec.publisher,
                    "licence": st.spec.licence,
                    "vintage": st.spec.vintage,
                    "message": st.message or None,
                    "problems": list((st.report or {}).get("problems", [])),
                }
                for st in rows
            ]
        )
        return
    T = _LAYERS_TEXT["en" if lang == "en" else "nb"]
    c = T["columns"]
    titles = {st.spec.id: layer_title(st.spec.id, lang) for st in rows}
    vintages = {st.spec.id: vintage_text(st.spec.vintage, lang) for st in rows}
    wt = min(60, max(len(t) for t in [c[0], *titles.values()]))
    wv = min(30, max(len(v) for v in [c[6], *vintages.values()]))
    header = f"{c[0]:{wt}} {c[1]:11} {c[2]:>8} {c[3]:>18}  {c[4]:34} {c[5]:26} {c[6]:{wv}} {c[7]}"
    click.echo(header)
    click.echo("-" * len(header))
    for st in rows:
        s = st.spec
        n = "" if st.count is None else count(st.count, lang)
        status = T["status"].get(st.status, st.status)
        click.echo(
            f"{titles[s.id][:wt]:{wt}} {status:11} {n:>8} {_fmt_total(st, lang):>18}  "
            f"{s.publisher[:34]:34} {s.licence[:26]:26} {vintages[s.id][:wv]:{wv}} {s.id}"
        )
        rep = st.report or {}
        if verbose and rep:
            extra = []
            if rep.get("n_repaired"):
                extra.append(T["repaired"].format(n=rep["n_repaired"]))
            if rep.get("n_filtered"):
                where = ", ".join(f"{k} ~ {loader.expand_where(v)}" for k, v in st.spec.where.items())
                extra.append(T["filtered"].format(n=rep["n_filtered"], where=where))
            if rep.get("n_outside_county"):
                extra.append(T["outside"].format(n=rep["n_outside_county"]))
            from areal.apps.fetch_text import note_text

            # the loader's problems as structured notes (an older cache has only the sentences)
            extra += [note_text(n, lang) for n in rep.get("problem_notes", rep.get("problems", []))]
            for line in extra:
                click.echo(f"{'':{wt}}   · {line}")
        if st.status in ("missing", "error") and (verbose or st.status == "error"):
            click.echo(f"{'':{wt}}   · {st.message}")
    ok = len(rows) - n_missing - n_error
    click.echo("\n" + T["summary"].format(n=len(rows), ok=ok, missing=n_missing, error=n_error))
    if n_missing:
        note(T["missing_note"])


@main.command("layer")
@click.argument("layer_id")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Output file (.gpkg, .geojson, .parquet or .csv).",
)
@DATA_DIR_OPTION
@LANG_OPTION
@JSON_OPTION
def layer_cmd(layer_id: str, out: Path, data_dir: Path | None, lang: str, as_json: bool) -> None:
    """Export one cleaned layer (EPSG:25833) to a file."""
    from areal.layers import loader
    from areal.layers.export import write_frame

    check_out(out)
    df = loader.load(layer_id, data_dir)
    write_frame(df, out, layer=layer_id)
    rep = df.attrs.get("load_report", {})
    if as_json:
        emit_json(
            {"layer": layer_id, "out": str(out), "features": len(df), "repaired": rep.get("n_repaired", 0)}
        )
        return
    from areal.apps.formatting import count
    from areal.apps.labels import layer_title

    n, k = count(len(df), lang), count(rep.get("n_repaired", 0), lang)
    if lang == "en":
        note(f"wrote {n} features of «{layer_title(layer_id, lang)}» to {out} ({k} repaired geometries)")
    else:
        note(f"skrev {n} objekter av «{layer_title(layer_id, lang)}» til {out} ({k} geometrier reparert)")


def _register_commands() -> None:
    import importlib
    import pkgutil

    import areal.apps.commands

    for mod in sorted(m.name for m in pkgutil.iter_modules(areal.apps.commands.__path__)):
        importlib.import_module(f"areal.apps.commands.{mod}")


_register_commands()


def run() -> None:  # pragma: no cover - console entry for `python -m areal.apps.cli`
    """Entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    # `python -m areal.apps.cli`: the commands register on the imported module's group, not on
    # this __main__ copy of it.
    from areal.apps.cli import run as _run

    _run()
