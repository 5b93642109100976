"""``areal suitability``: ranked candidate sites for a green-industry profile."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, emit_json, main, note, quiet, records


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
@DATA_DIR_OPTION
@JSON_OPTION
def suitability_cmd(
    profile_name,
    resolution,
    municipality,
    out,
    threshold,
    connectivity,
    windowed,
    workers,
    rules_path,
    use_conflicts,
    tile,
    distance_res,
    sensitivity_runs,
    data_dir,
    as_json,
) -> None:
    """Score land for a green-industry PROFILE and write ranked candidate sites.

    Writes OUT/<profile>_suitability.tif (cloud-optimised GeoTIFF, 0-1, NaN = excluded or off land),
    OUT/<profile>_sites.gpkg and .csv (ranked sites with area, municipality and reasons),
    OUT/<profile>_area_lost.csv (land removed per exclusion), OUT/<profile>_sensitivity.csv and
    OUT/<profile>_site_conflicts.csv (per site and rule: pair, severity, hectares, basis).
    """
    from areal.apps.formatting import area_ha, score
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
        use_starter=True,  # as `areal layers` and `areal serve` do; said below and in the run file
    )
    profile, grid = setup.profile, setup.grid
    try:  # the core's check, before any output: the message names the option
        check_distance_res(distance_res, grid)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--distance-res") from None
    no_bars = quiet() or as_json
    out.mkdir(parents=True, exist_ok=True)
    stem = out / profile.name
    note(f"{profile.title_en} ({profile.name}): grid {grid.shape[0]}×{grid.shape[1]} cells at {grid.res:g} m")
    if setup.starter:
        note(
            f"Merk: forenklet startutdrag brukt for {', '.join(setup.starter)} (simplified starter extract; "
            "set AREAL_DATA_DIR or --data-dir for the full data)"
        )
    if windowed is None:
        windowed = resolution < 50
    tags = {"profile": profile.name, "units": "suitability score 0-1", "nodata": "excluded or off land"}
    options = dict(threshold=threshold, distance_res=distance_res, sensitivity_runs=sensitivity_runs)
    if windowed:
        # Tiles go to a hidden scratch file that becomes the COG on success and is removed either way.
        n_tiles = sum(1 for _ in grid.windows(tile=tile))
        with tiled_cog(grid, f"{stem}_suitability.tif", tags=tags) as sink:
            with tqdm(total=n_tiles, desc="tiles", unit="tile", disable=no_bars) as bar:
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
        with tqdm(total=3, desc="suitability", unit="step", disable=no_bars) as bar:
            run = run_suitability(setup, progress=bar.update, **options)
        write_cog(run.suitability, grid, f"{stem}_suitability.tif", tags=tags)
    sites, conflicts = run.sites, setup.conflicts
    if len(sites):
        sites["reasons"] = site_reasons(sites, profile.criteria)
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
    click.echo(
        f"{len(sites)} candidate sites (threshold {threshold if threshold is not None else profile.threshold}, "
        f"minimum {profile.min_area_ha:g} ha, {profile.connectivity} connectivity)"
    )
    for _, r in sites.head(5).iterrows():
        extra = f"; conflicts: {r['conflicts']}" if conflicts is not None and r.get("conflicts") else ""
        click.echo(
            f"  #{r['rank']}: {area_ha(r['area_ha'])} in {r.get('kommunenavn')}, mean score {score(r['mean_score'])}{extra}"
        )
    for key, reason in skipped:
        note(f"  skipped {key}: {reason}")
    note(f"wrote {out} in {time.perf_counter() - t0:.1f} s")


def _scheduler(workers: int | None) -> str:
    """The run's scheduler (``areal --scheduler``), with ``--workers`` applied to a local pool."""
    from areal.layers import settings

    spec = settings.scheduler()
    if workers and spec in ("threads", "processes", "local"):
        return f"{spec}:{workers}"
    return spec
