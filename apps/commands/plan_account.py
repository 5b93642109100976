"""``areal plan-account``: the arealregnskap of a kommuneplan (current plan against a proposal)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, LANG_OPTION, main, note, note_wrote
from areal.apps.error_text import keyed


def _kommune(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not re.fullmatch(r"\d{4}", value):
        bad = click.BadParameter(f"{value!r}: give a 4-digit municipality number, e.g. 5001")
        raise keyed(bad, "municipality_number", value=value)
    return value


def _statuses(_ctx, _param, value: str) -> tuple[str, ...]:
    codes = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [c for c in codes if c not in ("1", "2", "3")]
    if bad or not codes:
        raise click.BadParameter(
            f"{value!r}: give arealbruksstatus codes separated by commas "
            "(1 nåværende, 2 framtidig, 3 videreutvikling av nåværende), e.g. 2 or 2,3"
        )
    return codes


@main.command("plan-account")
@click.option(
    "--current",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="The current kommuneplan (GML, SOSI, GeoPackage, GeoJSON or plan database JSON).",
)
@click.option(
    "--proposed",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="The proposed kommuneplan (same formats).",
)
@click.option(
    "--kommune",
    default=None,
    metavar="NNNN",
    callback=_kommune,
    help="Account this municipality only (and lend its number to areas without one).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for arealregnskap.csv, .xlsx and .pdf.",
)
@click.option(
    "--reserve-status",
    default="2",
    show_default=True,
    callback=_statuses,
    help="Arealbruksstatus codes that make the plan reserve (2 framtidig; 2,3 with videreutvikling).",
)
@click.option(
    "--default-status",
    type=click.Choice(["1", "2", "3"]),
    default=None,
    help="Status for areas without one (a reguleringsplan has none).",
)
@LANG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (and --json).")
@DATA_DIR_OPTION
def plan_account_cmd(
    current: Path,
    proposed: Path,
    kommune: str | None,
    out: Path | None,
    reserve_status: tuple[str, ...],
    default_status: str | None,
    lang: str,
    as_json: bool,
    quiet: bool,
    data_dir: Path | None,
) -> None:
    """Arealregnskap: the plan reserve per arealformål × land class, what is new, what is returned to LNF, CO₂.

    Land classes come from AR5 in the data directory where it is present, else N50 Arealdekke, else
    N1000; the part no source covers is 'ikke kartlagt'. Laid out like the KDD guidance
    (Arealregnskap i kommuneplan, 2023).
    """
    from areal.apps.jsonsafe import dumps
    from areal.apps.usecases.plan_account import (
        TABLE_TITLES,
        co2_table,
        compute_plan_account,
        display_table,
        note_text,
        text,
        write_outputs,
    )
    from areal.geo.plan_account import TABLES

    result = compute_plan_account(
        current,
        proposed,
        kommune=kommune,
        data_dir=data_dir,
        reserve_status=reserve_status,
        default_status=default_status,
    )
    for w in result.warnings:
        note(f"{'advarsel' if lang == 'nb' else 'warning'}: {note_text(w, lang)}")
    written = write_outputs(result, out, lang) if out is not None else []
    if as_json:
        doc = result.to_dict()
        doc["written"] = [str(p) for p in written]
        click.echo(dumps(doc))
        return
    if quiet:
        return
    knrs = result.municipalities
    click.echo(f"{result.current_name} → {result.proposed_name}")
    for knr in [None, *knrs] if len(knrs) > 1 else knrs:
        click.echo(f"\n== {result.municipality_title(knr, lang)} ==")
        for kind in TABLES:
            click.echo(f"\n{TABLE_TITLES[lang][kind]} (ha)")
            click.echo(display_table(result, kind, knr, lang).to_string(index=False))
        click.echo(f"\n{TABLE_TITLES[lang]['co2']} (t CO₂)")
        click.echo(co2_table(result, knr, lang).to_string(index=False))
        click.echo(text("co2_note", lang))
    click.echo("\n" + result.provenance(lang))
    for n in result.account.notes:
        note(f"{text('note', lang)}: {note_text(n, lang)}")
    for p in written:
        note_wrote(p, lang)
