"""The ``areal`` command line: thin commands over :mod:`geo` and :mod:`layers`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from areal.geo.errors import ArealError

DATA_DIR_OPTION = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="AREAL_DATA_DIR",
    show_envvar=True,
    help="Folder with the source data (default: ~/.local/share/areal/data).",
)


class ArealGroup(click.Group):
    """Click group that turns errors into one clear line (exit code 1), no traceback.

    Project errors (:class:`~areal.geo.errors.ArealError`) name the file and the problem. Anything
    else is a bug: it is reported in one line as an internal error (set ``AREAL_DEBUG=1`` for
    the traceback).
    """

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            return super().invoke(ctx)
        except ArealError as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("AREAL_DEBUG"):
                raise
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); set AREAL_DEBUG=1 for the traceback and "
                "please report it"
            ) from exc


@click.group(cls=ArealGroup)
@click.version_option(package_name="arealkart")
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
def main(ctx: click.Context, county: str | None, scheduler: str | None) -> None:
    """Arealkart Trøndelag: land-use conflicts, green-industry suitability and test arenas."""
    import os

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
    import os

    if old is None:
        os.environ.pop(env, None)
    else:
        os.environ[env] = old


def _fmt_total(st) -> str:
    if st.total is None:
        return ""
    from areal.apps.formatting import count, number

    if st.unit == "m cells":
        return f"{count(st.total)} m cells"
    return f"{number(st.total, 1)} {st.unit}"


@main.command("layers")
@DATA_DIR_OPTION
@click.option("--strict", is_flag=True, help="Treat schema problems as errors.")
@click.option("--verbose", "-v", is_flag=True, help="Show messages and repair counts.")
def layers_cmd(data_dir: Path | None, strict: bool, verbose: bool) -> None:
    """List every catalogue layer with status, count, total, publisher, licence and vintage."""
    from areal.layers import loader, registry

    rows = []
    for lid in registry.names():
        st = loader.status(lid, data_dir, strict=strict)
        rows.append(st)
    header = f"{'layer':27} {'status':8} {'count':>8} {'total':>18}  {'publisher':34} {'licence':26} vintage"
    click.echo(header)
    click.echo("-" * len(header))
    for st in rows:
        s = st.spec
        count = "" if st.count is None else f"{st.count:,}"
        click.echo(
            f"{s.id:27} {st.status:8} {count:>8} {_fmt_total(st):>18}  {s.publisher[:34]:34} {s.licence[:26]:26} {s.vintage}"
        )
        rep = st.report or {}
        if verbose and rep:
            extra = []
            if rep.get("n_repaired"):
                extra.append(f"{rep['n_repaired']} invalid geometries repaired")
            if rep.get("n_filtered"):
                extra.append(
                    f"{rep['n_filtered']} rows left out by the layer's filter ("
                    + ", ".join(f"{k} ~ {loader.expand_where(v)}" for k, v in st.spec.where.items())
                    + ")"
                )
            if rep.get("n_outside_county"):
                extra.append(f"{rep['n_outside_county']} features outside the county mask")
            extra += rep.get("problems", [])
            for line in extra:
                click.echo(f"{'':27}   · {line}")
        if st.status in ("missing", "error") and (verbose or st.status == "error"):
            click.echo(f"{'':27}   · {st.message}")
    n_missing = sum(st.status == "missing" for st in rows)
    n_error = sum(st.status == "error" for st in rows)
    click.echo(
        f"\n{len(rows)} layers: {len(rows) - n_missing - n_error} available, {n_missing} missing, {n_error} with errors."
    )
    if n_missing:
        click.echo(
            "Missing layers: `areal layers -v` says where each is expected and how to get it (`areal fetch`)."
        )


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
def layer_cmd(layer_id: str, out: Path, data_dir: Path | None) -> None:
    """Export one cleaned layer (EPSG:25833) to a file."""
    from areal.layers import loader
    from areal.layers.export import write_frame

    df = loader.load(layer_id, data_dir)
    write_frame(df, out, layer=layer_id)
    rep = df.attrs.get("load_report", {})
    click.echo(
        f"wrote {len(df)} features of {layer_id!r} to {out} ({rep.get('n_repaired', 0)} repaired geometries)"
    )


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
