"""``areal fetch``: download layers from the official services into the data directory."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, main


@main.command("fetch")
@click.argument("layers", nargs=-1)
@DATA_DIR_OPTION
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds to wait for a service.")
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="Municipality number(s) for per-municipality services (default: all 38 in Trøndelag).",
)
@click.option("--resolution", type=float, default=None, help="Raster resolution in metres (elevation).")
@click.option(
    "--bbox", type=float, nargs=4, default=None, help="xmin ymin xmax ymax (EPSG:25833) for rasters and WFS."
)
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@click.option("--list", "list_only", is_flag=True, help="List the fetchable layers and their services.")
def fetch_cmd(
    layers, data_dir: Path | None, timeout, municipalities, resolution, bbox, no_progress, list_only
) -> None:
    """Download LAYERS (default: the mission layers) from the official open services.

    Downloads resume after an interruption; checksums, licence and attribution go to
    <data dir>/fetch-manifest.json. Without network the command stops at once and names the
    manual download alternative.
    """
    from areal.layers import fetch, registry

    if list_only:
        for lid in fetch.fetchable():
            f = registry.get(lid).fetch
            click.echo(f"{lid:27} {f.service}\n{'':27} {f.url}")
        return
    ids = list(layers) or list(DEFAULT_LAYERS)
    ctx = fetch.make_context(
        data_dir,
        timeout=timeout,
        progress=not no_progress,
        municipalities=list(municipalities) or None,
        resolution=resolution,
        bbox=tuple(bbox) if bbox else None,
    )
    for lid in ids:
        res = fetch.fetch_layer(lid, ctx)
        size = sum(d.bytes for d in res.downloads)
        click.echo(
            f"{lid}: {res.n_features} features/cells from {res.service} ({size:,} bytes) → {', '.join(res.targets)}"
        )
    click.echo(f"manifest: {ctx.data_dir / fetch.MANIFEST}")


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
