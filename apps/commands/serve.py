"""``areal serve``: the map app (planner workbench or public viewer)."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, main, note


@main.command("serve")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=5006, show_default=True, help="Port to listen on."
)
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--public", is_flag=True, help="Public read-only viewer (upload limits, no paths, no planner tools)."
)
@DATA_DIR_OPTION
@click.option("--show/--no-show", default=True, show_default=True, help="Open the app in a browser tab.")
@click.option(
    "--prewarm/--no-prewarm",
    default=True,
    show_default=True,
    help="Build every suitability profile at 250 m and the indicator table in the background after start "
    "(site checks then answer in < 2 s; until then their profile scores say they are being prepared).",
)
@click.option(
    "--wait/--no-wait",
    default=False,
    show_default=True,
    help="Wait for the preparation (--prewarm) before serving instead of serving the map at once.",
)
@click.option(
    "--basic-auth",
    "basic_auth",
    envvar="AREAL_BASIC_AUTH",
    show_envvar=True,
    default=None,
    help='Planner login: a password, or a JSON file of {"user": "password"} (Panel basic auth). '
    "Required in planner mode when --address is not 127.0.0.1/localhost; the public viewer (--public) stays open.",
)
@click.option(
    "--cookie-secret",
    envvar="AREAL_COOKIE_SECRET",
    show_envvar=True,
    default=None,
    help="Secret that signs the login cookie (default: random per start; a restart logs everyone out).",
)
@click.option(
    "--api-token",
    envvar="AREAL_API_TOKEN",
    show_envvar=True,
    default=None,
    help="With --basic-auth: scripts may call /areal/api/... with 'Authorization: Bearer TOKEN'.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Worker threads for site checks and analyses.",
)
@click.option(
    "--store",
    "store_url",
    envvar="AREAL_SCENARIO_STORE",
    show_envvar=True,
    default=None,
    help="Scenario store of the planner: a file path / sqlite:///PATH, or postgresql://... "
    "(default: <data dir>/scenarios.sqlite).",
)
def serve_cmd(
    port: int,
    address: str,
    public: bool,
    data_dir: Path | None,
    show: bool,
    prewarm: bool,
    wait: bool,
    basic_auth: str | None,
    cookie_secret: str | None,
    api_token: str | None,
    workers: int,
    store_url: str | None,
) -> None:
    """Start the map app; works with only the packaged starter extract when no data folder exists.

    Planner mode bound to anything but the local machine needs a login (--basic-auth); uploads
    are read safely (docs/security.md) and analyses run on a bounded worker pool.
    """
    from areal.apps.planner.data import AppData
    from areal.apps.planner.server import check_auth, serve, site_check_process

    check_auth("public" if public else "planner", address, basic_auth)

    mode = "public" if public else "planner"
    import time

    from areal.apps.planner.engines import SITE_CHECK_RES, Engines
    from areal.geo.errors import StoreError
    from areal.layers.scenario_store import open_store

    data = AppData.load(data_dir)
    data.warm()
    engines = Engines(data)
    site_process = site_check_process(data, engines)  # forked before the preparation thread starts
    if prewarm:
        # The map is served at once; models and indicators are prepared behind it.
        t0 = time.perf_counter()
        job = engines.prewarm(SITE_CHECK_RES, indicators=True)
        if wait:
            job.join()
            note(
                f"suitability models at {SITE_CHECK_RES:g} m and indicators ready in {time.perf_counter() - t0:.1f} s"
            )
    store = None
    if not public:
        try:
            store = open_store(store_url, data_dir)
        except (StoreError, OSError) as exc:
            note(f"note: scenario tools are off: {exc}")
    n_missing = sum(st.status in ("missing", "error") for st in data.states.values())
    note(
        f"{len(data.layers)} vector and {len(data.rasters)} raster layers loaded, {n_missing} unavailable; "
        f"mode: {mode}"
    )
    note(
        f"Arealkart Trøndelag at http://{address}:{port}/ (Ctrl+C to stop)",
    )
    extra: dict = {}
    if basic_auth and not public:
        note("planner login: on (basic auth)")
        extra.update(basic_auth=basic_auth, cookie_secret=cookie_secret, api_token=api_token)
    if workers != 2:
        extra["workers"] = workers
    serve(
        data,
        mode=mode,
        port=port,
        address=address,
        show=show,
        engines=engines,
        store=store,
        site_process=site_process or False,
        **extra,
    )
