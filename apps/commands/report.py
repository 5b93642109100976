"""``areal report``: a PDF report of a municipality, a site or a saved scenario (offline)."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, LANG_OPTION, emit_json, main, note, note_wrote
from areal.apps.commands.scenario import STORE_OPTION
from areal.apps.error_text import keyed


@main.command("report")
@click.option("--municipality", "-m", default=None, metavar="KNR", help="Municipality number, e.g. 5001.")
@click.option(
    "--site",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Polygons of a site (GeoPackage, GeoJSON, ...).",
)
@click.option(
    "--scenario", default=None, metavar="NAME", help="A saved scenario (see `areal scenario list`)."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output .pdf")
@LANG_OPTION
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    metavar="NAME",
    help="Suitability profile(s) for the suitability section (default: all for a municipality, the "
    "scenario's profile for a scenario, none for a site).",
)
@click.option(
    "--business-areas",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Use this business-area file (official kommuneplan schema) as layer business_areas.",
)
@click.option(
    "--profile-resolution",
    type=click.FloatRange(min=0, min_open=True),
    default=250.0,
    show_default=True,
    help="Cell size (m) of the county-wide suitability runs.",
)
@STORE_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def report_cmd(
    municipality: str | None,
    site: Path | None,
    scenario: str | None,
    out: Path,
    lang: str,
    profiles: tuple[str, ...],
    business_areas: Path | None,
    profile_resolution: float,
    store_url: str | None,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    """Render a PDF report: map, land account, conflicts, indicators, suitability, method.

    Exactly one of --municipality, --site, --scenario. Needs no internet: the map is drawn from the
    local layers.
    """
    from areal.apps.report import municipality_report, render_report, site_report

    chosen = [x for x in (municipality, site, scenario) if x is not None]
    if len(chosen) != 1:
        raise keyed(
            click.UsageError("give exactly one of --municipality, --site or --scenario"), "report_one_of"
        )
    from areal.layers.project_data import profile_names

    unknown = [p for p in profiles if p not in profile_names()]
    if unknown:
        raise click.BadParameter(
            f"{unknown}: profiles are {', '.join(profile_names())}", param_hint="--profile"
        )
    if out.suffix.lower() != ".pdf":
        raise keyed(
            click.BadParameter(f"{out.name}: the report is a .pdf", param_hint="--out"),
            "report_pdf",
            file=out.name,
        )
    progress = _Progress(lang)
    progress("inputs")
    if municipality is not None:
        inputs = municipality_report(
            municipality,
            data_dir,
            lang=lang,
            profiles=list(profiles) or None,
            business_areas=business_areas,
            profile_resolution=profile_resolution,
        )
    elif site is not None:
        from areal.layers.account_inputs import read_proposal

        inputs = site_report(
            read_proposal(site),
            site.name,
            data_dir,
            lang=lang,
            profiles=list(profiles),
            business_areas=business_areas,
            profile_resolution=profile_resolution,
        )
    else:
        from areal.apps.report import scenario_report
        from areal.layers.scenario_store import open_store

        inputs = scenario_report(
            open_store(store_url, data_dir).get(scenario),
            data_dir,
            lang=lang,
            profiles=list(profiles),
            business_areas=business_areas,
            profile_resolution=profile_resolution,
        )
    progress("pdf")
    render_report(inputs, out, lang=lang)
    progress.done()
    if as_json:
        emit_json({"out": str(out), "kind": inputs.kind, "name": inputs.name, "lang": lang})
    else:
        kind = _KINDS.get(inputs.kind, (inputs.kind, inputs.kind))[1 if lang == "en" else 0]
        note_wrote(out, lang, f"{kind}: {inputs.name}")


#: The report kinds in words (nb, en) for the "wrote" line.
_KINDS = {
    "site": ("rapport for området", "site report"),
    "municipality": ("kommunerapport", "municipality report"),
    "scenario": ("scenariorapport", "scenario report"),
}


class _Progress:
    """Steps of the report on stderr with the elapsed time, so a 20 s build is not a silent wait."""

    STEPS = {
        "inputs": (
            "Beregner arealregnskap, konflikter og indikatorer",
            "Computing land account, conflicts, indicators",
        ),
        "pdf": ("Tegner kartet og setter sammen PDF-en", "Drawing the map and the PDF"),
    }

    def __init__(self, lang: str):
        import time

        self.lang, self.t0, self.n = lang, time.monotonic(), 0

    def _elapsed(self) -> str:
        import time

        from areal.apps.formatting import number

        return f"{number(time.monotonic() - self.t0, 1, self.lang)} s"

    def __call__(self, step: str) -> None:
        self.n += 1
        nb, en = self.STEPS[step]
        note(f"[{self.n}/{len(self.STEPS)}] {en if self.lang == 'en' else nb} … ({self._elapsed()})")

    def done(self) -> None:
        note(f"{'ferdig' if self.lang != 'en' else 'done'} ({self._elapsed()})")
