"""``areal suitability``: ranked candidate sites for a green-industry profile."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, LANG_OPTION, emit_json, main, note, quiet, records
from areal.apps.error_text import keyed


@main.command("suitability")
@click.option(
    "--profile",
    "profile_name",
    required=True,
    help="Profile name (data/profiles/*.toml, e.g. data_centre) or a path to a TOML file.",
)
@click.option(
    "--resolution",
    type=click.FloatRange(min=0, min_open=True),
    default=100.0,
    show_default=True,
    help="Cell size in metres.",
)
@click.option("--municipality", default=None, help="Limit to one municipality (number, e.g. 5001).")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder (GeoTIFF, GeoPackage and CSV are written there).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Override the profile's score threshold for sites.",
)
@click.option(
    "--min-area",
    "min_area_ha",
    type=float,
    default=None,
    help="Smallest site in ha (default: the profile's min_area_ha).",
)
@click.option(
    "--max-area",
    "max_area_ha",
    type=float,
    default=None,
    help="Largest site in ha; larger suitable regions are split into compact parcels "
    "(default: the profile's max_area_ha).",
)
@click.option(
    "--connectivity",
    type=click.Choice(["rook", "queen"]),
    default=None,
    help="How cells group into sites (default: the profile's).",
)
@click.option(
    "--windowed/--in-memory",
    default=None,
    help="Tile-by-tile run with bounded memory (default: windowed below 50 m); sites are "
    "labelled per tile and merged across tile borders.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Workers of a windowed run on threads or processes (default: all cores); see `areal --scheduler`.",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Conflict rule table (default: the shipped data/rules/default.toml).",
)
@click.option(
    "--conflicts/--no-conflicts",
    "use_conflicts",
    default=True,
    show_default=True,
    help="Exclude the rule table's exclusion rules for business land and list the conflicts "
    "each site touches.",
)
@click.option(
    "--tile",
    type=click.IntRange(min=16),
    default=2048,
    show_default=True,
    help="Tile size (cells) of a windowed run.",
)
@click.option(
    "--distance-res",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Compute distances on this coarser lattice (a multiple of --resolution).",
)
@click.option(
    "--sensitivity-runs",
    type=click.IntRange(min=0),
    default=500,
    show_default=True,
    help="Monte-Carlo weight draws for the rank stability table (0: skip).",
)
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def suitability_cmd(
    profile_name,
    resolution,
    municipality,
    out,
    threshold,
    min_area_ha,
    max_area_ha,
    connectivity,
    windowed,
    workers,
    rules_path,
    use_conflicts,
    tile,
    distance_res,
    sensitivity_runs,
    lang,
    data_dir,
    as_json,
) -> None:
    """Score land for a green-industry PROFILE and write ranked candidate sites.

    Writes OUT/<profile>_suitability.tif (cloud-optimised GeoTIFF, 0-1, NaN = excluded or off land),
    OUT/<profile>_sites.gpkg and .csv (ranked sites with area, municipality and reasons),
    OUT/<profile>_area_lost.csv (land removed per exclusion), OUT/<profile>_sensitivity.csv and
    OUT/<profile>_site_conflicts.csv (per site and rule: pair, severity, hectares, basis).
    """
    from areal.apps.formatting import number
    from areal.apps.labels import site_reasons
    from areal.apps.usecases.suitability import prepare_suitability, run_suitability
    from areal.geo.criterion_arrays import check_distance_res
    from areal.layers.export import atomic_path, tiled_cog, write_cog, write_frame
    from tqdm import tqdm

    t0 = time.perf_counter()
    setup = prepare_suitability(
        profile_name,
        resolution=resolution,
        municipality=municipality,
        connectivity=connectivity,
        rules=rules_path,
        use_conflicts=use_conflicts,
        data_dir=data_dir,
        min_area_ha=min_area_ha,
        max_area_ha=max_area_ha,
        use_starter=True,  # as `areal layers` and `areal serve` do; said below and in the run file
    )
    profile, grid = setup.profile, setup.grid
    try:  # the core's check, before any output: the message names the option
        check_distance_res(distance_res, grid)
    except ValueError as exc:
        bad = click.BadParameter(str(exc), param_hint="--distance-res")
        raise keyed(bad, "distance_res", value=distance_res, grid=grid.res) from None
    no_bars = quiet() or as_json
    out.mkdir(parents=True, exist_ok=True)
    stem = out / profile.name
    T = _TEXT[lang]
    title = profile.title_en if lang == "en" else profile.title_nb
    note(T["grid"].format(title=title, rows=grid.shape[0], cols=grid.shape[1], res=number(grid.res, 0, lang)))
    if setup.starter:
        from areal.apps.labels import layer_title

        note(T["starter"].format(layers=", ".join(layer_title(lid, lang) for lid in setup.starter)))
    if windowed is None:
        windowed = resolution < 50
    tags = {"profile": profile.name, "units": "suitability score 0-1", "nodata": "excluded or off land"}
    options = dict(threshold=threshold, distance_res=distance_res, sensitivity_runs=sensitivity_runs)
    if windowed:
        # Tiles go to a hidden scratch file that becomes the COG on success and is removed either way.
        n_tiles = sum(1 for _ in grid.windows(tile=tile))
        with tiled_cog(grid, f"{stem}_suitability.tif", tags=tags) as sink:
            with tqdm(
                total=n_tiles, desc=T["tiles"], unit=T["tile"], disable=no_bars, bar_format=_BAR
            ) as bar:
                run = run_suitability(
                    setup,
                    windowed=True,
                    tile=tile,
                    sink=sink,
                    progress=bar.update,
                    workers=workers,
                    scheduler=_scheduler(workers),
                    **options,
                )
    else:
        with tqdm(total=3, desc=T["suitability"], unit=T["step"], disable=no_bars, bar_format=_BAR) as bar:
            run = run_suitability(setup, progress=bar.update, **options)
        write_cog(run.suitability, grid, f"{stem}_suitability.tif", tags=tags)
    sites = run.sites
    if len(sites):
        sites["reasons"] = site_reasons(sites, profile.criteria, lang)
    if run.sensitivity is not None:
        write_frame(run.sensitivity, f"{stem}_sensitivity.csv")
    write_frame(sites, f"{stem}_sites.gpkg", layer=f"{profile.name}_sites")
    write_frame(sites, f"{stem}_sites.csv")
    write_frame(run.area_lost, f"{stem}_area_lost.csv")
    if run.site_conflicts is not None:
        write_frame(run.site_conflicts, f"{stem}_site_conflicts.csv")
    skipped = run.skipped
    summary = {
        "profile": profile.name,
        "resolution_m": grid.res,
        "shape": grid.shape,
        "bounds": grid.bounds,
        "weights": dict(profile.weights),
        "skipped": [list(s) for s in skipped],
        "starter_layers": list(setup.starter),
        "windowed": bool(windowed),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    with atomic_path(out / f"{profile.name}_run.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2))
    if as_json:
        emit_json(summary | {"out": str(out), "sites": records(sites)})
        return
    for line in summary_lines(profile, sites, run.site_conflicts, threshold, lang):
        click.echo(line)
    T = _TEXT[lang]
    from areal.apps.labels import skipped_words

    for words in skipped_words(skipped, profile, lang):
        note(f"  {T['skipped']}: {words}")
    note(T["wrote"].format(out=out, s=number(time.perf_counter() - t0, 1, lang)))


#: The progress bar without tqdm's rate (``2.19step/s``: English number format, English unit).
_BAR = "{desc}: {percentage:3.0f} % |{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"

_TEXT = {
    "nb": {
        "grid": "{title}: rutenett {rows} × {cols} celler à {res} m",
        "starter": "merk: forenklet startutdrag brukt for {layers} (sett AREAL_DATA_DIR eller --data-dir for alle data)",
        "head": "{n} kandidatområder (terskel {threshold}, minst {min}{max}, {conn})",
        "max": ", høyst {max} (større områder delt)",
        "conn": {
            "queen": "celler som møtes i et hjørne henger sammen",
            "rook": "bare celler med felles side henger sammen",
        },
        "site": "  #{rank}: {ha} i {kommune}{near}, gjennomsnittlig egnethet {score}",
        "near": " ved {place}",
        "conflicts": "        konflikter: {what}",
        "more": " og {n} til",
        "skipped": "utelatt",
        "tiles": "ruter",
        "tile": "rute",
        "suitability": "egnethet",
        "step": "trinn",
        "wrote": "skrev {out} på {s} s",
    },
    "en": {
        "grid": "{title}: grid {rows} × {cols} cells at {res} m",
        "starter": "note: simplified starter extract used for {layers} (set AREAL_DATA_DIR or --data-dir for the full data)",
        "head": "{n} candidate sites (threshold {threshold}, minimum {min}{max}, {conn})",
        "max": ", maximum {max} (larger regions split)",
        "conn": {
            "queen": "cells meeting at a corner are connected",
            "rook": "only cells sharing a side are connected",
        },
        "site": "  #{rank}: {ha} in {kommune}{near}, mean score {score}",
        "near": " near {place}",
        "conflicts": "        conflicts: {what}",
        "more": " and {n} more",
        "skipped": "skipped",
        "tiles": "tiles",
        "tile": "tile",
        "suitability": "suitability",
        "step": "step",
        "wrote": "wrote {out} in {s} s",
    },
}


def summary_lines(profile, sites, site_conflicts, threshold, lang: str = "nb", top: int = 5) -> list[str]:
    """The printed summary of ``areal suitability``: the run's settings and the best ``top`` sites.

    Each site with its hectares, municipality, nearest place and mean score, and its conflicts
    (pair in words, severity, hectares; most hectares first, three at most).
    """
    from areal.apps.formatting import area_ha, score
    from areal.apps.labels import pair_text, severity_title
    from areal.apps.planner import i18n

    T = _TEXT[lang]
    limit = T["max"].format(max=area_ha(profile.max_area_ha, lang)) if profile.max_area_ha else ""
    out = [
        T["head"].format(
            n=len(sites),
            threshold=score(threshold if threshold is not None else profile.threshold, lang),
            min=area_ha(profile.min_area_ha, lang),
            max=limit,
            conn=T["conn"].get(profile.connectivity, profile.connectivity),
        )
    ]
    for _, r in sites.head(top).iterrows():
        place = r.get("place_name")
        out.append(
            T["site"].format(
                rank=r["rank"],
                ha=area_ha(r["area_ha"], lang),
                kommune=r.get("kommunenavn") or i18n.t("layers.missing", lang),
                near=T["near"].format(place=place) if isinstance(place, str) and place else "",
                score=score(r["mean_score"], lang),
            )
        )
        if site_conflicts is None or not len(site_conflicts):
            continue
        mine = site_conflicts[site_conflicts["site_id"] == r["site_id"]]
        if not len(mine):
            continue
        per = (
            mine.groupby("pair", sort=False)
            .agg(ha=("area_ha", "sum"), severity=("severity", "first"))
            .sort_values("ha", ascending=False, kind="stable")
        )
        words = [
            # the A side is the candidate site itself: name only what it meets
            f"{pair_text(pair, lang).split(' × ', 1)[-1]} ({severity_title(c.severity, lang)}, {area_ha(c.ha, lang)})"
            for pair, c in per.head(3).iterrows()
        ]
        more = T["more"].format(n=len(per) - 3) if len(per) > 3 else ""
        out.append(T["conflicts"].format(what="; ".join(words) + more))
    return out


def _scheduler(workers: int | None) -> str:
    """The run's scheduler (``areal --scheduler``), with ``--workers`` applied to a local pool."""
    from areal.layers import settings

    spec = settings.scheduler()
    if workers and spec in ("threads", "processes", "local"):
        return f"{spec}:{workers}"
    return spec
