"""``areal fetch``: download layers from the official services into the data directory."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, LANG_OPTION, emit_json, main, note_wrote, quiet
from areal.apps.error_text import keyed


def _unverified_help() -> str:
    from areal.layers import fetch

    lines = [f"{lid}: {what}" for lid, what in fetch.unverified().items()]
    return "\n\n\b\nUnverified fetchers (no real public sample confirms these details):\n" + "\n".join(lines)


@main.command("fetch", epilog=_unverified_help())
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
@click.option(
    "--source",
    type=click.Choice(["ar5", "ar50", "n50_arealdekke"]),
    default=None,
    help="For `areal fetch farmland`: this source instead of the best available "
    "(AR5 with a GeoID token, else AR50, else N50).",
)
@click.option("--retries", type=int, default=3, show_default=True, help="Retries of a failed download.")
@click.option("--refresh", is_flag=True, help="Download again files already complete in downloads/.")
@LANG_OPTION
@JSON_OPTION
def fetch_cmd(
    layers,
    data_dir: Path | None,
    timeout,
    municipalities,
    resolution,
    bbox,
    no_progress,
    list_only,
    source,
    retries,
    refresh,
    lang,
    as_json,
) -> None:
    """Download LAYERS (default: the mission layers) from the official open services.

    Downloads are retried with backoff, resume after an interruption (HTTP Range), are checked
    by SHA-256 and skipped when already complete; checksums, licence and attribution go to
    <data dir>/fetch-manifest.json. Without network the command stops at once and names the
    manual download alternative. Services that need access (kommuneplaner: Norge digitalt,
    AREAL_NORGE_DIGITALT_USER / _PASSWORD; FKB-AR5: a GeoID token, AREAL_GEOID_TOKEN) read
    their credentials from these variables or from [credentials] in <data dir>/fetch.toml;
    `areal fetch farmland` picks the best open farmland source.
    """
    from areal.apps import fetch_text
    from areal.layers import fetch, registry

    if bbox and not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        value = " ".join(f"{v:g}" for v in bbox)
        bad = click.BadParameter(f"{value}: needs xmin < xmax and ymin < ymax", param_hint="--bbox")
        raise keyed(bad, "bbox", value=value)
    if list_only:
        rows = [(lid, registry.get(lid).fetch) for lid in fetch.fetchable()]
        if as_json:
            emit_json(
                [
                    {"layer": lid, "service": f.service, "url": f.url, "unverified": f.unverified}
                    for lid, f in rows
                ]
            )
            return
        _echo_list(fetch_text.fetch_list_rows(lang), {lid: f.url for lid, f in rows}, lang)
        return
    ids = list(layers) or list(DEFAULT_LAYERS)
    for lid in ids:
        registry.get(lid)  # an unknown id fails before any download, with the known ones
    ctx = fetch.make_context(
        data_dir,
        timeout=timeout,
        progress=not (no_progress or quiet() or as_json),
        label_text=lambda label: fetch_text.label_text(label, lang),
        municipalities=list(municipalities) or None,
        resolution=resolution,
        bbox=tuple(bbox) if bbox else None,
        source=source,
        retries=retries,
        refresh=refresh,
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
                "notes": [n.to_dict() for n in res.notes],
            }
        )
        if not as_json:
            click.echo(fetch_text.fetch_line(res, lang))
            words = fetch_text.FETCH_WORDS["en" if lang == "en" else "nb"]
            for n in res.notes:
                click.echo(f"  {words['note']}: {fetch_text.note_text(n, lang)}")
    if as_json:
        emit_json({"fetched": done, "manifest": str(ctx.data_dir / fetch.MANIFEST)})
    else:
        words = fetch_text.FETCH_WORDS["en" if lang == "en" else "nb"]
        note_wrote(ctx.data_dir / fetch.MANIFEST, lang, words["manifest"])


def _echo_list(rows: list[tuple[str, str, str, str]], urls: dict[str, str], lang: str) -> None:
    """``areal fetch --list``: each layer by title, its id (the argument of fetch) last.

    Below it the service, its address and whether a real sample confirms the fetcher.
    """
    from areal.apps.fetch_text import FETCH_WORDS

    words = FETCH_WORDS["en" if lang == "en" else "nb"]
    w = min(50, max(len(r[0]) for r in rows))
    pad = " " * 4
    for title, service, verified, lid in rows:
        click.echo(f"{title[:w]:{w}}  {lid}")
        click.echo(f"{pad}{words['service']}: {service}")
        if urls[lid]:
            click.echo(f"{pad}{urls[lid]}")
        click.echo(f"{pad}{verified}")


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
