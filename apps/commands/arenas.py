"""``areal arenas``: list, filter and check test arenas."""

from __future__ import annotations

from pathlib import Path

import click
import pyproj
import shapely

from apps.cli import DATA_DIR_OPTION, main


def _parse_near(value: str | None) -> shapely.Point | None:
    if not value:
        return None
    try:
        lon, lat = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r}: give LON,LAT in degrees, e.g. 10.40,63.43") from None
    x, y = pyproj.Transformer.from_crs(4326, 25833, always_xy=True).transform(lon, lat)
    return shapely.Point(x, y)


@main.group("arenas", invoke_without_command=True)
@click.option("--sector", multiple=True, help="Sector (unique prefix ok, e.g. ocean); repeatable.")
@click.option("--type", "arena_type", multiple=True, help="Arena type, e.g. lab, test_area_sea.")
@click.option("--status", multiple=True, help="operating or planned.")
@click.option("--near", help="LON,LAT (WGS84): sort by straight-line distance from here.")
@click.option("--km", type=float, default=None, help="With --near: only arenas within this many km.")
@DATA_DIR_OPTION
@click.pass_context
def arenas_cmd(ctx, sector, arena_type, status, near, km, data_dir: Path | None) -> None:
    """List Trøndelag's lab and test arenas (filter by sector, type, status, distance)."""
    if ctx.invoked_subcommand is not None:
        return
    from geo.arenas import arenas_near, filter_arenas
    from layers import loader

    arenas = loader.load("test_arenas", data_dir)
    sel = filter_arenas(arenas, sector=sector or None, arena_type=arena_type or None, status=status or None)
    point = _parse_near(near)
    if point is not None:
        sel = arenas_near(sel, point, km=km)
    elif km is not None:
        raise click.UsageError("--km needs --near LON,LAT")
    for _, r in sel.iterrows():
        dist = f"{r['distance_km']:6.1f} km  " if "distance_km" in sel else ""
        where = "(kommune)" if r["placed_at_municipality"] else f"({r['precision']})"
        click.echo(f"{dist}{r['id']:38} {r['arena_type']:18} {r['status']:9} {r['municipality_name']:12} {where:12} {r['sectors']}")
        click.echo(f"{'':{len(dist)}}  {r['name']} — {r['source_url']}")
    click.echo(f"\n{len(sel)} of {len(arenas)} arenas.")
