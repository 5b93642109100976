"""``areal report``: a PDF report of a municipality, a site or a saved scenario (offline)."""

from __future__ import annotations

from pathlib import Path

import click

from apps.cli import DATA_DIR_OPTION, main
from apps.commands.scenario import STORE_OPTION


@main.command("report")
@click.option("--municipality", "-m", default=None, metavar="KNR", help="Municipality number, e.g. 5001.")
@click.option("--site", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Polygons of a site (GeoPackage, GeoJSON, ...).")
@click.option("--scenario", default=None, metavar="NAME", help="A saved scenario (see `areal scenario list`).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output .pdf")
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True)
@STORE_OPTION
@DATA_DIR_OPTION
def report_cmd(municipality: str | None, site: Path | None, scenario: str | None, out: Path, lang: str,
               store_url: str | None, data_dir: Path | None) -> None:
    """Render a PDF report: map, land account, conflicts, indicators, suitability, method.

    Exactly one of --municipality, --site, --scenario. Needs no internet: the map is drawn from the
    local layers.
    """
    from apps.report import municipality_report, render_report, site_report

    chosen = [x for x in (municipality, site, scenario) if x is not None]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --municipality, --site or --scenario")
    if out.suffix.lower() != ".pdf":
        raise click.BadParameter(f"{out.name}: the report is a .pdf", param_hint="--out")
    if municipality is not None:
        inputs = municipality_report(municipality, data_dir, lang=lang)
    elif site is not None:
        from layers.account_inputs import read_proposal

        inputs = site_report(read_proposal(site), site.name, data_dir, lang=lang)
    else:
        from layers.scenario_store import open_store

        s = open_store(store_url, data_dir).get(scenario)
        inputs = site_report(s.proposal, s.name, data_dir, kind="scenario", lang=lang)
        if s.profile or s.weights:
            inputs.notes.append(f"scenario profile {s.profile or '-'}, weights "
                                + ", ".join(f"{k}={v:g}" for k, v in s.weights.items()))
    render_report(inputs, out, lang=lang)
    click.echo(f"wrote {out} ({inputs.kind} report: {inputs.name})")
