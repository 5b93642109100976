"""``areal fetch``: download layers from the official services into the data directory."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, emit_json, main, note, quiet


@main.command("fetch")
@click.argument("layers", nargs=-1)
@DATA_DIR_OPTION
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for a service.",
)
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="Municipality number(s) for per-municipality services (default: all 38 in Trøndelag).",
)
@click.option(
    "--resolution",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Raster resolution in metres (elevation).",
)
@click.option(
    "--bbox", type=float, nargs=4, default=None, help="xmin ymin xmax ymax (EPSG:25833) for rasters and WFS."
)
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@click.option("--list", "list_only", is_flag=True, help="List the fetchable layers and their services.")
@JSON_OPTION
def fetch_cmd(
    layers, data_dir: Path | None, timeout, municipalities, resolution, bbox, no_progress, list_only, as_json
) -> None:
    """Download LAYERS (default: the mission layers) from the official open services.

    Downloads resume after an interruption; checksums, licence and attribution go to
    <data dir>/fetch-manifest.json. Without network the command stops at once and names the
    manual download alternative.
    """
    from areal.layers import fetch, registry

    if bbox and not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        raise click.BadParameter(
            f"{' '.join(f'{v:g}' for v in bbox)}: needs xmin < xmax and ymin < ymax", param_hint="--bbox"
        )
    if list_only:
        rows = [(lid, registry.get(lid).fetch) for lid in fetch.fetchable()]
        if as_json:
            emit_json([{"layer": lid, "service": f.service, "url": f.url} for lid, f in rows])
            return
        for lid, f in rows:
            click.echo(f"{lid:27} {f.service}\n{'':27} {f.url}")
        return
    ids = list(layers) or list(DEFAULT_LAYERS)
    for lid in ids:
        registry.get(lid)  # an unknown id fails before any download, with the known ones
    ctx = fetch.make_context(
        data_dir,
        timeout=timeout,
        progress=not (no_progress or quiet() or as_json),
        municipalities=list(municipalities) or None,
        resolution=resolution,
        bbox=tuple(bbox) if bbox else None,
    )
    done = []
    for lid in ids:
        res = fetch.fetch_layer(lid, ctx)
        size = sum(d.bytes for d in res.downloads)
        done.append(
            {
                "layer": lid,
                "features": res.n_features,
                "service": res.service,
                "bytes": size,
                "targets": res.targets,
            }
        )
        if not as_json:
            click.echo(
                f"{lid}: {res.n_features} features/cells from {res.service} ({size:,} bytes) → {', '.join(res.targets)}"
            )
    if as_json:
        emit_json({"fetched": done, "manifest": str(ctx.data_dir / fetch.MANIFEST)})
    else:
        note(f"manifest: {ctx.data_dir / fetch.MANIFEST}")


DEFAULT_LAYERS = (
    "business_areas",
    "ar5",
    "reindeer_pastures",
    "reindeer_migration_routes",
    "reindeer_districts",
    "protected_areas",
    "aquaculture_sites",
    "elevation",
)
