"""``areal api``: the HTTP API (OGC API - Processes: area analysis, conflicts, suitability)."""

from __future__ import annotations

import click
from areal.apps.cli import DATA_DIR_OPTION, main


@main.command("api")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=5080, show_default=True, help="Port to listen on."
)
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to listen on.")
@DATA_DIR_OPTION
def api_cmd(port: int, address: str, data_dir) -> None:
    """Serve the area analysis, conflicts and suitability as OGC API - Processes (JSON in and out).

    Routes: / (landing page), /conformance, /processes, /processes/{id} (inputs and outputs with
    their JSON Schema), POST /processes/{id}/execution with {"inputs": {...}}.
    """
    import tornado.ioloop
    from areal.apps.api import MAX_BODY_BYTES, Api, make_app

    app = make_app(Api(data_dir))
    app.listen(port, address=address, max_body_size=MAX_BODY_BYTES)
    click.echo(f"areal api on http://{address}:{port}/ (processes: area-analysis, conflicts, suitability)")
    tornado.ioloop.IOLoop.current().start()
