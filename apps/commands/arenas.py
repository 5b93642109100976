"""``areal arenas``: list, filter and check test arenas."""

from __future__ import annotations

from pathlib import Path

import click
import pyproj
import shapely
from areal.apps.cli import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    check_out,
    emit_json,
    main,
    note,
    records,
)
from areal.apps.error_text import keyed

_TEXT = {
    "nb": {
        "count": "{n} av {total} arenaer.",
        "municipality_only": "bare kommunen er kjent",
        "touched": "Objekter som berøres (med sonen i hver regel):",
        "none_touched": "  ingen",
        "near": "Eksisterende arenaer innen {km}:",
        "none": "  ingen",
        "no_arenas": "merknad: ingen arenaer i nærheten listet: {reason}",
        "wrote": "skrev {out}",
    },
    "en": {
        "count": "{n} of {total} arenas.",
        "municipality_only": "only the municipality is known",
        "touched": "Features touched (with each rule's zone):",
        "none_touched": "  none",
        "near": "Existing arenas within {km}:",
        "none": "  none",
        "no_arenas": "note: no arenas nearby listed: {reason}",
        "wrote": "wrote {out}",
    },
}


def _text_of(row, column: str, lang: str) -> str:
    """A text column of an arena in ``lang`` (``<column>_en`` in English when it is filled)."""
    en = row.get(f"{column}_en")
    if lang == "en" and isinstance(en, str) and en:
        return en
    value = row.get(column)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _word(group: str, code, lang: str) -> str:
    """A code of the arena table in words of ``lang`` (``arena.kind.test_bed`` -> "testbed")."""
    from areal.apps.planner import i18n

    key = f"{group}.{code}"
    return i18n.t(key, lang) if key in i18n.NB else str(code)


def arena_lines(row, lang: str = "nb", distance_km: float | None = None) -> list[str]:
    r"""The printed lines of one arena: name (and distance), what it is, where, its source.

    >>> row = {"name": "Testområde", "name_en": "Test area", "arena_type": "test_area_sea",
    ...        "status": "operating", "municipality_name": "Trondheim", "precision": "campus",
    ...        "sectors": "ocean_space", "source_url": "https://example.org/"}
    >>> print("\n".join(arena_lines(row, "nb", 12.34)))
     12,3 km  Testområde
              testområde til sjøs · i drift · Trondheim · havrom
              https://example.org/
    >>> arena_lines(row, "en")[1]
    '  test area at sea · operating · Trondheim · ocean space'
    """
    from areal.apps.formatting import number
    from areal.apps.planner import i18n

    dist = "" if distance_km is None else f"{number(distance_km, 1, lang) + ' km':>8}  "
    where = str(row.get("municipality_name") or "")
    if row.get("precision") == "municipality":
        where += f" ({_TEXT[lang]['municipality_only']})"
    what = [
        _word("arena.kind", row.get("arena_type"), lang),
        _word("arena.status", row.get("status"), lang),
        where,
        i18n.list_label(row.get("sectors") or "", "arena.sector", lang),
    ]
    pad = " " * len(dist) if dist else "  "
    return [
        f"{dist}{_text_of(row, 'name', lang)}",
        pad + " · ".join(w for w in what if w),
        pad + str(row.get("source_url") or ""),
    ]


def _parse_near(value: str | None) -> shapely.Point | None:
    if not value:
        return None
    try:
        lon, lat = (float(v) for v in value.split(","))
    except ValueError:
        bad = click.BadParameter(f"{value!r}: give LON,LAT in degrees, e.g. 10.40,63.43")
        raise keyed(bad, "lon_lat", value=value) from None
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
@LANG_OPTION
@click.pass_context
def arenas_cmd(
    ctx, sector, arena_type, status, near, km, data_dir: Path | None, as_json: bool, lang: str
) -> None:
    """List Trøndelag's lab and test arenas (filter by sector, type, status, distance)."""
    if ctx.invoked_subcommand is not None:
        return
    from areal.geo.arenas import arenas_near, filter_arenas
    from areal.layers import loader

    point = _parse_near(near)
    if point is None and km is not None:
        raise keyed(click.UsageError("--km needs --near LON,LAT"), "km_needs_near")
    arenas = loader.load("test_arenas", data_dir)
    sel = filter_arenas(arenas, sector=sector or None, arena_type=arena_type or None, status=status or None)
    if point is not None:
        sel = arenas_near(sel, point, km=km)
    if as_json:
        emit_json(records(sel))
        return
    for _, r in sel.iterrows():
        row = r.to_dict()
        for line in arena_lines(row, lang, row.get("distance_km") if "distance_km" in sel else None):
            click.echo(line)
    click.echo("\n" + _TEXT[lang]["count"].format(n=len(sel), total=len(arenas)))


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
@LANG_OPTION
def check_cmd(
    area_file: Path,
    out: Path | None,
    km: float,
    kind: str,
    data_dir: Path | None,
    as_json: bool,
    lang: str,
) -> None:
    """Planning check of a proposed test area: conflicts (with the rules of its kind), features touched, arenas nearby."""
    from areal.apps.commands.conflicts import _print_summary, _read_proposal, run_conflicts
    from areal.geo.arenas import arenas_near
    from areal.geo.conflicts import touched_features
    from areal.geo.errors import LayerMissingError
    from areal.layers import loader
    from areal.layers.project_data import load_rules

    check_out(out, (".gpkg",))
    run = run_conflicts(str(area_file), kind, None, None, None, False, data_dir, lang=lang)
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
        note(_TEXT[lang]["no_arenas"].format(reason=exc))
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
        from areal.apps.formatting import area_ha, number
        from areal.apps.labels import layer_title, pair_title, rule_basis, severity_title
        from areal.apps.planner import i18n

        T = _TEXT[lang]
        _print_summary(run.result, run.as_layer, str(area_file), None, run.rules, lang)
        click.echo("\n" + T["touched"])
        for rule, cols, hits in touched:
            click.echo(
                f"  {pair_title(rule, lang)} [{severity_title(rule.severity, lang)}] — {rule_basis(rule, lang)}"
            )
            for _, h in hits.iterrows():
                label = " ".join(str(i18n.value_label(h[c], lang)) for c in cols if c in hits.columns)
                click.echo(
                    f"    {area_ha(h['area_ha'], lang):>12}  {layer_title(rule.b_layer, lang)}: {label}"
                )
        if not touched:
            click.echo(T["none_touched"])
        if near is not None:
            click.echo("\n" + T["near"].format(km=number(km, 0 if km == int(km) else 1, lang) + " km"))
            for _, r in near.iterrows():
                row = r.to_dict()
                click.echo(
                    f"  {number(row['distance_km'], 1, lang) + ' km':>9}  {_text_of(row, 'name', lang)}"
                )
                kind_status = f"{_word('arena.kind', row['arena_type'], lang)}, {_word('arena.status', row['status'], lang)}"
                click.echo(f"{'':13}{kind_status}")
            if near.empty:
                click.echo(T["none"])
    if out is not None:
        note(_TEXT[lang]["wrote"].format(out=out))
