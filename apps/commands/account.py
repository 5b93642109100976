"""``areal account``: the land account (areal- og naturregnskap) per municipality."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from areal.apps.cli import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    check_out,
    echo_keyed_table,
    emit_json,
    main,
    note,
    note_wrote,
    records,
)
from areal.apps.error_text import keyed
from areal.apps.usecases.account import compute_account


def format_ha(value, digits: int = 1, lang: str = "nb") -> str:
    """A figure for the console (:func:`areal.apps.formatting.number`); no value is 'ikke tilgjengelig'."""
    from areal.apps.formatting import number
    from areal.apps.labels import not_available

    return number(None if value is pd.NA else value, digits, lang, missing=not_available(lang))


#: The printed account's own words (classes and notes come from areal.apps.labels).
_TEXT = {
    "nb": {
        "head": "Arealregnskap {name} ({knr}) og {county}, EPSG:25833",
        "class": "klasse",
        "absent": "ikke tilgjengelig",
        "missing": "kartlag som mangler:",
        "starter": "merknad: forenklet startutdrag brukt for {layers} (sett AREAL_DATA_DIR for fulle data)",
        "note": "merknad",
        "rows": "{n} rader: {munis} kommuner og fylket",
        "knr": "kommunenr.",
        "name": "kommune",
    },
    "en": {
        "head": "Land account {name} ({knr}) and {county}, EPSG:25833",
        "class": "class",
        "absent": "not available",
        "missing": "missing layers:",
        "starter": "note: simplified starter extract used for {layers} (set AREAL_DATA_DIR for full data)",
        "note": "note",
        "rows": "{n} rows: {munis} municipalities and the county",
        "knr": "number",
        "name": "municipality",
    },
}


def write_account(acc, inputs, out: Path) -> None:
    """Write the account: ``.csv`` (table, ``NA`` = not available) or ``.gpkg`` (polygons + tables)."""
    import geopandas as gpd
    import shapely
    from areal.layers.export import write_csv, write_layers

    missing = pd.DataFrame(
        [
            {"layer": m.layer, "affects": ", ".join(m.affects), "reason": m.reason, "remedy": m.remedy}
            for m in acc.missing_layers
        ],
        columns=["layer", "affects", "reason", "remedy"],
    )
    suffix = out.suffix.lower()
    # the datasets behind the figures (publisher, vintage, SHA-256, licence, scale)
    provenance = inputs.provenance()
    if suffix == ".csv":
        write_csv(acc.table, out, index=False, na_rep="NA", float_format="%.4f")
        if len(missing):
            write_csv(missing, out.with_name(out.stem + "_missing_layers.csv"), index=False)
        write_csv(provenance, out.with_name(out.stem + "_provenance.csv"), index=False)
    elif suffix == ".gpkg":
        munis = inputs.municipalities.sort_values("kommunenummer")
        geoms = {k: g for k, g in zip(munis["kommunenummer"].astype(str), munis.geometry.values)}
        geoms[acc.county_id] = shapely.union_all(munis.geometry.values)
        gdf = gpd.GeoDataFrame(
            acc.table.copy(), geometry=[geoms[k] for k in acc.table["kommunenummer"]], crs=munis.crs
        )
        # one GeoPackage written whole (atomically); missing layers and provenance as attribute tables
        tables = {"land_account": gdf} | ({"missing_layers": missing} if len(missing) else {})
        write_layers(tables | {"provenance": provenance}, out)
    else:
        bad = click.BadParameter(f"{out.name}: use .csv or .gpkg", param_hint="--out")
        raise keyed(bad, "out_suffix", file=out.name, allowed=[".csv", ".gpkg"])


@main.command("account")
@click.option(
    "--municipality",
    "-m",
    "municipality",
    default=None,
    metavar="KNR",
    help="Show one municipality (number, e.g. 5001) next to the county total.",
)
@click.option(
    "--proposal",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Proposed business land (polygons): adds what it lies on and the CO2 of converting it.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the whole table (38 municipalities + county) to .csv or .gpkg.",
)
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def account_cmd(
    municipality: str | None,
    proposal: Path | None,
    out: Path | None,
    lang: str,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    """Land account: hectares of every class per municipality and for Trøndelag.

    Classes whose layer is absent are shown as 'ikke tilgjengelig' (never 0), with the command
    that fetches or imports the layer.
    """
    from areal.apps.labels import column_titles, layer_title, localise_note, missing_layer_text

    check_out(out, (".csv", ".gpkg"))
    acc, inputs = compute_account(data_dir, proposal)
    titles = column_titles(lang)
    T = _TEXT["en" if lang == "en" else "nb"]
    table = acc.table
    starter = [lid for lid, o in inputs.origins.items() if o == "starter"]
    rows = table
    if municipality is not None:
        rows = table[table["kommunenummer"] == municipality]
        if rows.empty:
            numbers = table["kommunenummer"][table["kommunenummer"] != acc.county_id]
            bad = click.BadParameter(
                f"{municipality!r} is not one of the {len(numbers)} municipalities: {', '.join(numbers)}",
                param_hint="--municipality",
            )
            raise keyed(bad, "unknown_name", kind="municipality", name=municipality, known=list(numbers))
    if out is not None:
        write_account(acc, inputs, out)
    if as_json:
        emit_json(
            {
                "county_id": acc.county_id,
                "rows": records(
                    rows
                    if municipality is None
                    else pd.concat([rows, table[table["kommunenummer"] == acc.county_id]])
                ),
                "missing_layers": [
                    {"layer": m.layer, "affects": list(m.affects), "reason": m.reason, "remedy": m.remedy}
                    for m in acc.missing_layers
                ],
                "starter_layers": starter,
                "notes": list(acc.notes),
                "out": None if out is None else str(out),
            }
        )
        return
    if municipality is not None:
        row, county = rows.iloc[0], acc.county
        click.echo(T["head"].format(name=row["kommunenavn"], knr=municipality, county=county["kommunenavn"]))
        header = f"{T['class']:55} {row['kommunenavn'][:22]:>22} {county['kommunenavn'][:16]:>16}"
        click.echo(header)
        click.echo("-" * len(header))
        for col in [c for c in table.columns if c not in ("kommunenummer", "kommunenavn")]:
            digits = 3 if col.endswith("_share") else (0 if col.endswith("_co2_t") else 1)
            click.echo(
                f"{titles.get(col, col)[:55]:55} {format_ha(row[col], digits, lang):>22} "
                f"{format_ha(county[col], digits, lang):>16}"
            )
    else:
        cols = ["kommunenummer", "kommunenavn", *acc.present_columns()]
        shown = table[cols].copy()
        for c in cols[2:]:
            shown[c] = shown[c].map(lambda v, c=c: format_ha(v, 3 if c.endswith("_share") else 0, lang))
        lead = {"kommunenummer": T["knr"], "kommunenavn": T["name"]}
        echo_keyed_table(shown, {c: titles.get(c, c) for c in cols[2:]}, lead, lang)
        absent = [c for c in table.columns[2:] if c not in cols]
        if absent:
            click.echo(f"\n{T['absent']}: {', '.join(titles.get(c, c) for c in absent)}")
    if acc.missing_layers:
        note(T["missing"])
        for m in acc.missing_layers:
            note(f"  · {missing_layer_text(m, lang)}")
    if starter:
        note(T["starter"].format(layers=", ".join(layer_title(lid, lang) for lid in starter)))
    for text in acc.notes:
        note(f"{T['note']}: {localise_note(text, lang)}")
    if out is not None:
        n_munis = int((table["kommunenummer"] != acc.county_id).sum())
        note_wrote(out, lang, T["rows"].format(n=len(table), munis=n_munis))
