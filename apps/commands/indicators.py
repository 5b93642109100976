"""``areal indicators``: green-competitiveness indicators for the 38 municipalities, ranked, with the county median."""

from __future__ import annotations

import time
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
from areal.apps.usecases.indicators import catalogue_frame, compute_indicator_table

MEDIAN_ID = "median"


def fmt_value(value, digits: int = 2, lang: str = "nb") -> str:
    """A figure for the console (:func:`areal.apps.formatting.number`); no value is 'ikke tilgjengelig'."""
    from areal.apps.formatting import number
    from areal.apps.labels import not_available

    return number(None if value is pd.NA else value, digits, lang, missing=not_available(lang))


#: The printed table's own words (indicator titles, units, reasons and notes: areal.apps.labels).
_TEXT = {
    "nb": {
        "median": "Fylkesmedian ({n} kommuner)",
        "head": "Indikatorer for {name} ({knr}); rangering blant {n} (1 = best)",
        "columns": ("indikator", "verdi", "rang", "fylkesmedian"),
        "note": "merknad",
        "took": "{k} indikatorer × {n} kommuner på {s} s",
        "knr": "kommunenr.",
        "name": "kommune",
        "steps": {
            "load layers": "kartlag lest",
            "land account": "arealregnskap",
            "suitability": "egnethet",
            "indicators": "indikatorer",
        },
    },
    "en": {
        "median": "County median ({n} municipalities)",
        "head": "Indicators of {name} ({knr}); rank among {n} (1 = best)",
        "columns": ("indicator", "value", "rank", "county median"),
        "note": "note",
        "took": "{k} indicators × {n} municipalities in {s} s",
        "knr": "number",
        "name": "municipality",
        "steps": {
            "load layers": "layers read",
            "land account": "land account",
            "suitability": "suitability",
            "indicators": "indicators",
        },
    },
}


def _step(key: str, T: dict, lang: str) -> str:
    """A timing step of the indicator run in words ("suitability data_centre" -> "egnethet «Datasenter»")."""
    from areal.apps.labels import profile_title

    head, _, profile = key.partition(" ")
    if head == "suitability" and profile:
        return f"{T['steps']['suitability']} «{profile_title(profile, lang)}»"
    return T["steps"].get(key, key)


def wide_table(result, lang: str = "nb") -> pd.DataFrame:
    """The municipalities' rows, then the county median row and the county row (``kommunenummer`` 50)."""
    from areal.layers import settings

    t = result.table.copy()
    s = result.summary.set_index("id")
    med_name = _TEXT["en" if lang == "en" else "nb"]["median"].format(n=len(t))
    med = {"kommunenummer": MEDIAN_ID, "kommunenavn": med_name}
    county_id, county_name = settings.county_row()
    county = {"kommunenummer": county_id, "kommunenavn": county_name}
    for ind in result.indicators:
        med[ind.id] = s.loc[ind.id, "median"]
        county[ind.id] = s.loc[ind.id, "county"]
    return pd.concat([t, pd.DataFrame([med, county])], ignore_index=True)


def write_outputs(result, inputs, out: Path | None, csv: Path | None) -> list[Path]:
    """GeoPackage (polygons + ``indicator_catalogue``) and CSV (+ ``_catalogue.csv``)."""
    import geopandas as gpd
    from areal.layers.export import write_layers

    written = []
    summary = catalogue_frame(result.summary)
    if out is not None:
        if out.suffix.lower() != ".gpkg":
            bad = click.BadParameter(f"{out.name}: use .gpkg", param_hint="--out")
            raise keyed(bad, "out_suffix", file=out.name, allowed=[".gpkg"])
        munis = inputs.municipalities.assign(kommunenummer=inputs.municipalities["kommunenummer"].astype(str))
        geo = munis[["kommunenummer", munis.geometry.name]].merge(result.table, on="kommunenummer")
        gdf = gpd.GeoDataFrame(geo, geometry=munis.geometry.name, crs=munis.crs)
        for c in [c for c in gdf.columns if c.endswith("_rank")]:
            gdf[c] = gdf[c].astype(
                "float64"
            )  # Int64 with <NA> -> NaN (GeoPackage has no nullable int via pandas)
        # one GeoPackage written whole (atomically); the catalogue as an attribute table
        write_layers({"indicators": gdf, "indicator_catalogue": summary}, out)
        written.append(out)
    if csv is not None:
        from areal.layers.export import write_csv

        write_csv(wide_table(result), csv, index=False, na_rep="NA", float_format="%.6g")
        write_csv(summary, csv.with_name(csv.stem + "_catalogue.csv"), index=False, na_rep="NA")
        written += [csv, csv.with_name(csv.stem + "_catalogue.csv")]
    return written


@main.command("indicators")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="GeoPackage of the 38 municipality polygons carrying the indicators and ranks.",
)
@click.option(
    "--csv",
    "csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV: the 38 municipalities, the county median row and the county row (+ FILE_catalogue.csv).",
)
@click.option(
    "--profile-resolution",
    type=click.FloatRange(min=0, min_open=True),
    default=250.0,
    show_default=True,
    help="Cell size (m) of the county-wide suitability runs behind the best-site indicators.",
)
@click.option(
    "--municipality",
    "-m",
    default=None,
    metavar="KNR",
    help="Print one municipality's indicators next to the county median and county value.",
)
@click.option(
    "--business-areas",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Use this business-area file (official kommuneplan schema) as layer business_areas.",
)
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def indicators_cmd(
    out: Path | None,
    csv: Path | None,
    profile_resolution: float,
    municipality: str | None,
    business_areas: Path | None,
    lang: str,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    """Indicators of data/indicators/*.toml for all 38 municipalities: value, rank, county median.

    An indicator whose input layer is absent is 'ikke tilgjengelig' (never 0), with the layer to
    fetch or import. Rank 1 is best (respecting higher_is_better); municipalities without a value
    are unranked.
    """
    from areal.apps.formatting import number
    from areal.apps.labels import indicator_heading, indicator_text, not_available
    from areal.layers import settings

    T = _TEXT["en" if lang == "en" else "nb"]

    check_out(out, (".gpkg",))
    check_out(csv, (".csv",), param="--csv")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    result, inputs = compute_indicator_table(
        data_dir, profile_resolution=profile_resolution, business_areas=business_areas, timings=timings
    )
    s = result.summary.set_index("id")
    titles = {i.id: indicator_heading(i, lang) for i in result.indicators}
    if municipality is not None:
        rows = result.table[result.table["kommunenummer"] == municipality]
        if rows.empty:
            bad = click.BadParameter(
                f"{municipality!r} is not one of the 38 municipalities: "
                f"{', '.join(result.table['kommunenummer'])}",
                param_hint="--municipality",
            )
            known = list(result.table["kommunenummer"])
            raise keyed(bad, "unknown_name", kind="municipality", name=municipality, known=known)
    written = write_outputs(result, inputs, out, csv)
    if as_json:
        table = wide_table(result)
        if municipality is not None:
            from areal.layers import settings

            table = table[table["kommunenummer"].isin([municipality, MEDIAN_ID, settings.county_row()[0]])]
        emit_json(
            {
                "rows": records(table),
                "indicators": records(catalogue_frame(result.summary, encode=False)),
                "written": [str(p) for p in written],
            }
        )
        return
    if municipality is not None:
        row = rows.iloc[0]
        click.echo(T["head"].format(name=row["kommunenavn"], knr=municipality, n=len(result.table)))
        county_name = settings.county_row()[1]
        ind_h, val_h, rank_h, med_h = T["columns"]
        w = min(80, max(len(t) for t in titles.values()))
        click.echo(f"{ind_h:{w}} {val_h:>17} {rank_h:>5} {med_h:>17} {county_name[:17]:>17}")
        for ind in result.indicators:
            r = row[f"{ind.id}_rank"]
            click.echo(
                f"{titles[ind.id][:w]:{w}} {fmt_value(row[ind.id], ind.digits, lang):>17} "
                f"{'-' if pd.isna(r) else int(r):>5} {fmt_value(s.loc[ind.id, 'median'], ind.digits, lang):>17} "
                f"{fmt_value(s.loc[ind.id, 'county'], ind.digits, lang):>17}"
            )
    else:
        shown = wide_table(result, lang)
        ok = [i.id for i in result.indicators if s.loc[i.id, "status"] == "ok"]
        view = shown[["kommunenummer", "kommunenavn", *ok]].copy()
        for ind in result.indicators:
            if ind.id in view:
                view[ind.id] = view[ind.id].map(lambda v, d=ind.digits: fmt_value(v, d, lang))
        view["kommunenummer"] = view["kommunenummer"].where(view["kommunenummer"] != MEDIAN_ID, "")
        echo_keyed_table(
            view, {i: titles[i] for i in ok}, {"kommunenummer": T["knr"], "kommunenavn": T["name"]}, lang
        )
    na = result.summary[result.summary["status"] != "ok"]
    if len(na):
        click.echo(f"\n{not_available(lang)[:1].upper()}{not_available(lang)[1:]}:")
        for _, r in na.iterrows():
            click.echo(f"  · {titles[r['id']]}: {indicator_text(r['reason'], lang)}")
    for _, r in result.summary.iterrows():
        if len(r["notes"]):
            note(f"{T['note']} ({titles[r['id']]}): {indicator_text(r['notes'], lang)}")
    for path in written:
        note_wrote(path, lang)
    took = T["took"].format(
        k=len(result.indicators), n=len(result.table), s=number(time.perf_counter() - t0, 1, lang)
    )
    note(
        f"{took} ("
        + ", ".join(f"{_step(k, T, lang)} {number(v, 1, lang)} s" for k, v in timings.items())
        + ")"
    )
