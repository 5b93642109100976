"""``areal arenas``: list, filter and check test arenas."""

from __future__ import annotations

from pathlib import Path

import click
import pyproj
import shapely
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, check_out, emit_json, main, note, records


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
@click.option(
    "--km",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="With --near: only arenas within this many km.",
)
@DATA_DIR_OPTION
@JSON_OPTION
@click.pass_context
def arenas_cmd(ctx, sector, arena_type, status, near, km, data_dir: Path | None, as_json: bool) -> None:
    """List Trøndelag's lab and test arenas (filter by sector, type, status, distance)."""
    if ctx.invoked_subcommand is not None:
        return
    from areal.geo.arenas import arenas_near, filter_arenas
    from areal.layers import loader

    point = _parse_near(near)
    if point is None and km is not None:
        raise click.UsageError("--km needs --near LON,LAT")
    arenas = loader.load("test_arenas", data_dir)
    sel = filter_arenas(arenas, sector=sector or None, arena_type=arena_type or None, status=status or None)
    if point is not None:
        sel = arenas_near(sel, point, km=km)
    if as_json:
        emit_json(records(sel))
        return
    for _, r in sel.iterrows():
        dist = f"{r['distance_km']:6.1f} km  " if "distance_km" in sel else ""
        where = "(kommune)" if r["placed_at_municipality"] else f"({r['precision']})"
        click.echo(
            f"{dist}{r['id']:38} {r['arena_type']:18} {r['status']:9} {r['municipality_name']:12} {where:12} {r['sectors']}"
        )
        click.echo(f"{'':{len(dist)}}  {r['name']} — {r['source_url']}")
    click.echo(f"\n{len(sel)} of {len(arenas)} arenas.")


# Which layers' individual features a test-area check lists (id and name columns), beyond the totals.
_FEATURE_COLUMNS = {
    "aquaculture_sites": ("site_id", "site_name"),
    "protected_areas": ("navn", "verneform"),
    "national_parks": ("navn",),
    "wind_power": ("anleggNavn",),
}


@arenas_cmd.command("check")
@click.argument("area_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the conflict polygons and tables to this GeoPackage (default: no file is written).",
)
@click.option(
    "--km",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Existing arenas within this distance.",
)
@click.option(
    "--as",
    "kind",
    type=click.Choice(["test_area_land", "test_area_sea", "business_areas", "other"]),
    default="test_area_land",
    show_default=True,
    help="What the area is: it is checked with that kind's rules (data/rules/default.toml [kinds]); "
    "test_area_sea adds aquaculture zones, coral reefs, fairways and fishing grounds.",
)
@DATA_DIR_OPTION
@JSON_OPTION
def check_cmd(
    area_file: Path, out: Path | None, km: float, kind: str, data_dir: Path | None, as_json: bool
) -> None:
    """Planning check of a proposed test area: conflicts (with the rules of its kind), features touched, arenas nearby."""
    from areal.apps.commands.conflicts import _print_summary, _read_proposal, run_conflicts
    from areal.geo.arenas import arenas_near
    from areal.geo.conflicts import touched_features
    from areal.geo.errors import LayerMissingError
    from areal.layers import loader
    from areal.layers.project_data import load_rules

    check_out(out, (".gpkg",))
    run = run_conflicts(str(area_file), kind, None, None, None, False, data_dir)
    if out is not None:
        from areal.layers.export import write_layers

        write_layers(run.layers(), out)
    area, _ = _read_proposal(str(area_file), data_dir)
    touched = []
    table = load_rules()
    for rule in table.rules_for(kind):
        cols = _FEATURE_COLUMNS.get(rule.b_layer)
        if cols is None:
            continue
        try:
            layer = loader.load(rule.b_layer, data_dir)
        except LayerMissingError:
            continue
        if rule.b_class:  # e.g. only the sea sites of the aquaculture register
            layer = table.select(rule.b_layer, layer, rule.b)
        hits = touched_features(
            area,
            layer,
            rule.buffer_m,
            columns=tuple(c for c in cols if c in layer.columns),
            zone=rule.zone,
        )
        if not hits.empty:
            touched.append((rule, cols, hits))
    try:
        arenas = loader.load("test_arenas", data_dir)
    except LayerMissingError as exc:
        near = None
        note(f"note: no arenas nearby listed: {exc}")
    else:
        near = arenas_near(arenas, area.geometry.union_all().representative_point(), km=km)
    if as_json:
        doc = run.as_json(out)
        doc["features_touched"] = [
            {"pair": rule.pair, "severity": rule.severity, "basis": rule.basis, "layer": rule.b_layer}
            | {"features": records(hits)}
            for rule, _, hits in touched
        ]
        doc["arenas_within_km"] = km
        doc["arenas_near"] = None if near is None else records(near)
        emit_json(doc)
    else:
        _print_summary(run.result, run.as_layer, str(area_file), None)
        click.echo("\nFeatures touched (with each rule's zone):")
        for rule, cols, hits in touched:
            click.echo(f"  {rule.pair} [{rule.severity}] — {rule.basis}")
            for _, h in hits.iterrows():
                label = " ".join(str(h[c]) for c in cols if c in hits.columns)
                click.echo(f"    {h['area_ha']:10.2f} ha  {rule.b_layer}: {label}")
        if near is not None:
            click.echo(f"\nExisting arenas within {km:g} km:")
            for _, r in near.iterrows():
                click.echo(f"  {r['distance_km']:6.1f} km  {r['name']} ({r['arena_type']}, {r['status']})")
            if near.empty:
                click.echo("  none")
    if out is not None:
        note(f"wrote {out}")
