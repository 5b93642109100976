"""``areal import FILE --as LAYER``: a user's file becomes a catalogue layer."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, LANG_OPTION, emit_json, main, note_wrote


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
@LANG_OPTION
@JSON_OPTION
def import_cmd(
    file: Path,
    layer_id: str,
    column_map: Path | None,
    inner_layer: str | None,
    strict: bool,
    data_dir: Path | None,
    lang: str,
    as_json: bool,
) -> None:
    """Import FILE (GeoPackage, GeoJSON, zipped Shapefile, GML, SOSI-derived GeoJSON) as layer LAYER.

    The report (rows read, written and refused, columns mapped, code-list checks) goes to stdout,
    the "wrote ..." line to stderr.
    """
    from areal.apps.fetch_text import import_lines
    from areal.layers.importer import import_file

    report = import_file(
        file, layer_id, data_dir=data_dir, column_map=column_map, inner_layer=inner_layer, strict=strict
    )
    if as_json:
        emit_json(report.to_dict())
        return
    for line in import_lines(report, lang):
        click.echo(line)
    note_wrote(report.target, lang)
