"""``areal import FILE --as LAYER``: a user's file becomes a catalogue layer."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, emit_json, main


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "layer_id", required=True, help="Target layer id (see `areal layers`).")
@click.option(
    "--map",
    "column_map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help='TOML column map: [columns] "SOURCE" = "column", [values.column] "value" = "code".',
)
@click.option("--layer", "inner_layer", default=None, help="Layer inside a multi-layer file.")
@click.option("--strict", is_flag=True, help="Refuse the file when any row has a code outside the code list.")
@DATA_DIR_OPTION
@JSON_OPTION
def import_cmd(
    file: Path,
    layer_id: str,
    column_map: Path | None,
    inner_layer: str | None,
    strict: bool,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    """Import FILE (GeoPackage, GeoJSON, zipped Shapefile, GML, SOSI-derived GeoJSON) as layer LAYER."""
    from areal.layers.importer import import_file

    report = import_file(
        file, layer_id, data_dir=data_dir, column_map=column_map, inner_layer=inner_layer, strict=strict
    )
    if as_json:
        from dataclasses import asdict

        emit_json(asdict(report))
        return
    for line in report.lines():
        click.echo(line)
