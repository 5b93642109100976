"""``areal check``: the area analysis of one area in a context (status per dataset), as text, JSON or PDF."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, LANG_OPTION, main, note


def _contexts() -> list[str]:
    from areal.apps.usecases.analysis import load_contexts

    return list(load_contexts().contexts)


@main.command("check")
@click.argument("area_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--context",
    "context",
    default="reguleringsplan",
    show_default=True,
    help="Analysis context (data/contexts.toml): planinitiativ, reguleringsplan, kommuneplan, byggesak, ros, ku.",
)
@click.option(
    "--buffer",
    "buffer_m",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Buffer around the area (m).",
)
@click.option("--json", "as_json", is_flag=True, help="Write the result as JSON to standard output.")
@click.option(
    "--pdf",
    "pdf",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a PDF report.",
)
@LANG_OPTION
@DATA_DIR_OPTION
def check_cmd(
    area_file: Path, context: str, buffer_m: float, as_json: bool, pdf: Path | None, lang: str, data_dir
) -> None:
    """Area analysis of AREA_FILE in a context: a status per dataset.

    Per dataset: hit red/yellow, no hit, not relevant, not mapped or error; the area and share
    hit, the distance, the legal basis and what to do.
    """
    from areal.apps import jsonsafe
    from areal.apps.usecases.analysis import (
        COLUMN_TITLES,
        display_rows,
        load_contexts,
        read_area,
        run_area_analysis,
        summary_line,
    )
    from areal.geo.errors import unknown_name
    from areal.layers.project_data import load_rules

    rules = load_rules()
    contexts = load_contexts(rules=rules)
    if context not in contexts.contexts:
        raise unknown_name(
            f"--context {context!r} is unknown; known contexts: {', '.join(contexts.contexts)}",
            "context",
            context,
            contexts.contexts,
        )
    area = read_area(area_file)
    for warning in area.attrs.get("warnings", []):
        note(f"warning: {warning}")
    res = run_area_analysis(
        area, context, buffer_m=buffer_m, data_dir=data_dir, rules=rules, contexts=contexts
    )
    if pdf is not None:
        from areal.apps.analysis_report import render_analysis_pdf

        render_analysis_pdf(res, rules, pdf, name=area_file.name, lang=lang)
    if as_json:
        click.echo(jsonsafe.dumps(res.to_dict()))
        return
    click.echo(summary_line(res, lang))
    t = 1 if lang == "en" else 0
    head = [COLUMN_TITLES[k][t] for k in ("status", "title", "area", "share", "buffer", "zone", "distance")]
    click.echo(
        f"  {head[0]:<24} {head[1]:<60} {head[2]:>12} {head[3]:>8} {head[4]:>10} {head[5]:>10} {head[6]:>10}"
    )
    for r in display_rows(res, rules, lang):
        extra = f"  ({r['message']})" if r["message"] and r["status_id"] in ("error", "not_mapped") else ""
        click.echo(
            f"  {r['status']:<24} {r['title'][:60]:<60} {r['area']:>12} {r['share']:>8} "
            f"{r['buffer']:>10} {r['zone']:>10} {r['distance']:>10}{extra}"
        )
    if pdf is not None:
        note(f"PDF: {pdf}")
