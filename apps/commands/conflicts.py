"""``areal conflicts``: check a proposal against the rule table and write the conflicts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import click
import geopandas as gpd
import pandas as pd
from areal.apps.cli import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    check_out,
    emit_json,
    main,
    note,
    note_wrote,
    records,
)
from areal.apps.error_text import keyed
from areal.geo.errors import LayerMissingError


def _read_proposal(proposal: str, data_dir: Path | None) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read a proposal: an existing file as is, else a catalogue layer id.

    A value that looks like a file (an extension or a folder in it) and does not exist is a
    missing file, not an unknown layer.
    """
    from areal.layers import loader, registry
    from areal.layers.account_inputs import read_proposal

    path = Path(proposal)
    if path.exists():
        return read_proposal(proposal), None
    if proposal in registry.names():
        return loader.load(proposal, data_dir), proposal
    if path.suffix or "/" in proposal or "\\" in proposal:
        bad = click.BadParameter(f"file {proposal!r} does not exist", param_hint="--proposal")
        raise keyed(bad, "file_not_found", path=proposal)
    import difflib

    bad = click.BadParameter(
        f"{proposal!r} is neither an existing file nor a known layer (layers: {', '.join(registry.names())})",
        param_hint="--proposal",
    )
    suggestions = difflib.get_close_matches(proposal, registry.names(), n=3)
    raise keyed(bad, "not_file_or_layer", name=proposal, suggestions=suggestions)


def _split_ids(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@main.command("conflicts")
@click.option(
    "--proposal",
    required=True,
    help="A file (.gpkg, .geojson, .shp ...) or a layer id (e.g. business_areas).",
)
@click.option(
    "--as",
    "as_layer",
    default=None,
    help="Which rules apply to the proposal (their A layer). Default: the proposal's layer id, "
    "else business_areas.",
)
@click.option(
    "--with", "with_layers", default=None, help="Only check against these layers (comma-separated ids)."
)
@click.option(
    "--municipality",
    "municipality",
    default=None,
    help="Only this municipality (kommunenummer, comma-separated for several).",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Rule table (TOML). Default: the shipped data/rules/default.toml.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output GeoPackage: one layer per pair plus summary tables (default: none written).",
)
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the tables as CSV files into this folder.",
)
@click.option(
    "--account",
    is_flag=True,
    help="Add the area account per municipality: what the proposal lies on (each m² once: developed, "
    "farmland, mire, forest, other) and the CO2 of converting it; the same figures as "
    "`areal account --proposal`.",
)
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def conflicts_cmd(
    proposal,
    as_layer,
    with_layers,
    municipality,
    rules_path,
    out,
    csv_dir,
    account,
    lang,
    data_dir,
    as_json=False,
) -> None:
    """Find area conflicts of a proposal, with hectares per pair and municipality and the legal basis."""
    check_out(out, (".gpkg",))
    run = run_conflicts(
        proposal, as_layer, with_layers, municipality, rules_path, account, data_dir, lang=lang
    )
    if out is not None:
        # The whole GeoPackage goes to a temporary file moved into place at the end (a failed run
        # never leaves a half-written output); tables are attribute tables (no geometry column).
        from areal.layers.export import write_layers

        write_layers(run.layers(), out)
    if csv_dir is not None:
        run.write_csv(csv_dir)
    if as_json:
        emit_json(run.as_json(out))
    else:
        _print_summary(run.result, run.as_layer, proposal, run.account, run.rules, lang)
        if run.farmland_text:
            click.echo(run.farmland_text)
    if out is not None:
        note_wrote(out, lang)


@dataclass
class ConflictRun:
    """What ``areal conflicts`` found, ready to print, write or send as JSON."""

    result: object  # areal.geo.conflicts.ConflictResult
    as_layer: str
    rules: object  # the RuleTable of the requested layers
    account: object | None = None  # LandAccount of the proposal (``--account``)
    farmland_sources: pd.DataFrame | None = None  # the farmland sources used, with scale
    farmland_text: str | None = None  # the same in a sentence (printed with the summary)
    provenance: pd.DataFrame | None = None  # the datasets used (layers.provenance.manifest)

    def layers(self) -> dict[str, pd.DataFrame]:
        """The output GeoPackage's layers: summary, one per pair, matrix, per municipality, rules."""
        from areal.geo.rules import rules_frame

        res = self.result
        out: dict[str, pd.DataFrame] = {"summary": res.summary()}
        for rule in res.rules:
            part = res.polygons[res.polygons["pair"] == rule.pair]
            if len(part):
                out[rule.slug] = part
        out |= {
            "matrix_ha": res.matrix.reset_index(),
            "by_municipality": res.by_municipality,
            "rules": rules_frame(self.rules),
        }
        if self.account is not None:
            out["area_account"] = self.account.table
        if self.farmland_sources is not None:
            out["farmland_sources"] = self.farmland_sources
        if self.provenance is not None:
            out["provenance"] = self.provenance
        return out

    def write_csv(self, folder: Path) -> None:
        """The tables as CSV files in ``folder``."""
        from areal.layers.export import write_csv

        res = self.result
        write_csv(res.summary(), folder / "summary.csv", index=False)
        write_csv(res.matrix.reset_index(), folder / "matrix_ha.csv", index=False)
        write_csv(res.by_municipality, folder / "by_municipality.csv", index=False)
        write_csv(res.polygons, folder / "conflicts.csv", index=False)
        if self.account is not None:
            write_csv(self.account.table, folder / "area_account.csv", index=False, na_rep="NA")
        if self.farmland_sources is not None:
            write_csv(self.farmland_sources, folder / "farmland_sources.csv", index=False)
        if self.provenance is not None:
            write_csv(self.provenance, folder / "provenance.csv", index=False)

    def as_json(self, out: Path | None) -> dict:
        """Summary, totals per severity, per municipality, missing and skipped (``--json``)."""
        res = self.result
        doc = {
            "as": self.as_layer,
            "area_method": res.area_method,
            "summary": records(res.summary()),
            "total_ha": {sev: res.total_ha(sev) for sev in ("exclusion", "high", "medium", "low")}
            | {"any": res.total_ha()},
            "by_municipality": records(res.by_municipality),
            "missing_layers": list(res.missing),
            "skipped": list(res.skipped),
            "out": None if out is None else str(out),
        }
        if self.account is not None:
            doc["area_account"] = records(self.account.table)
        if self.farmland_sources is not None:
            doc["farmland_sources"] = records(self.farmland_sources)
        return doc


def run_conflicts(
    proposal: str,
    as_layer: str | None,
    with_layers: str | None,
    municipality: str | None,
    rules_path: Path | None,
    account: bool,
    data_dir: Path | None,
    lang: str = "nb",
) -> ConflictRun:
    """Check ``proposal`` (a file or a layer id) against the rule table (``areal conflicts``, ``arenas check``)."""
    from areal.apps.usecases.conflicts import check_conflicts, clip_to_municipalities
    from areal.layers import loader, registry, settings
    from areal.layers.project_data import load_rules

    rule_table = load_rules(rules_path)
    prop, prop_layer = _read_proposal(proposal, data_dir)
    from areal.apps.labels import missing_layer_note

    for warning in prop.attrs.get("warnings", []):
        note(("warning: " if lang == "en" else "advarsel: ") + str(warning))
    as_layer = as_layer or (
        prop_layer if prop_layer and rule_table.rules_for(prop_layer) else "business_areas"
    )
    wanted = _split_ids(with_layers)
    for lid in wanted:
        registry.get(lid)  # unknown ids fail here with the list of known layers
    try:
        munis = loader.load("municipalities_sea", data_dir)
    except LayerMissingError:
        munis = None
        note(
            "note: municipalities are missing: hectares are not split by municipality"
            if lang == "en"
            else "merknad: kommunegrensene mangler: hektarene er ikke fordelt på kommuner"
        )
    knrs = _split_ids(municipality)
    if knrs and munis is None:
        raise LayerMissingError(
            "--municipality needs the municipalities layer, which is missing",
            key="layer_missing",
            params={"layer": "municipalities"},
        )
    b_layers = list(
        dict.fromkeys(r.b_layer for r in rule_table.rules_for(as_layer) if not wanted or r.b_layer in wanted)
    )
    layers: dict[str, gpd.GeoDataFrame] = {}
    for lid in b_layers:
        try:
            layers[lid] = loader.load(lid, data_dir)
        except LayerMissingError:
            note(missing_layer_note(lid, data_dir, lang))
    from areal.layers.coverage import coverages

    res = check_conflicts(
        prop,
        layers,
        rule_table,
        as_layer=as_layer,
        against=wanted or None,
        municipalities=munis,
        within=knrs,
        scheduler=settings.scheduler(),
        area_method=settings.area_method(),
        coverage=coverages(layers, data_dir, frames=layers),
    )
    prop, _ = clip_to_municipalities(prop, munis, knrs)  # the part the tables are about
    # The rules table written out: the rules of the requested layers (others of as_layer left out).
    sub = dataclasses.replace(
        rule_table,
        rules=tuple(r for r in rule_table.rules if r.a_layer != as_layer or r.b_layer in b_layers),
    )
    acc = None
    if account:
        from areal.apps.usecases.account import compute_proposal_account

        acc, _ = compute_proposal_account(prop, data_dir)
    farm = layers.get("farmland")
    farm_sources = None
    farm_text = None
    if farm is not None:
        from areal.layers.farmland import describe_sources

        # which source and scale the farmland rules used (AR5 1:5 000, AR50 or N50 1:50 000)
        farm_sources = pd.DataFrame(farm.attrs.get("farmland_sources", []))
        if any(r.b_layer == "farmland" for r in res.rules):
            farm_text = describe_sources(farm, lang)
    from areal.layers.provenance import file_row, manifest

    used = {**layers, **({"municipalities_sea": munis} if munis is not None else {})}
    used |= {lid: None for lid in b_layers if lid not in used}  # missing: named as not mapped
    if prop_layer:
        used[prop_layer] = prop
    provenance = manifest(used, data_dir, extra=[] if prop_layer else [file_row(proposal, "proposal")])
    return ConflictRun(res, as_layer, sub, acc, farm_sources, farm_text, provenance)


#: The printed summary's own words (pairs, severities, bases and statuses come from areal.apps.labels).
_TEXT = {
    "nb": {
        "head": "Konflikter for {proposal}, sjekket som {what} ({n} regler brukt)",
        "areas": "Arealer: {method}",
        "columns": ("alvorlighetsgrad", "ha", "par / lovgrunnlag"),
        "partly": "delvis kartlagt: {share} av forslaget ligger utenfor lagets dekning",
        "union": "ha (union av alle par med denne alvorlighetsgraden)",
        "any": ("alle", "ha i konflikt"),
        "per_municipality": "per kommune (ha): kommune, {severities}, alle",
        "account": "arealregnskap: hva forslaget ligger på, hver m² telt én gang (ha; CO2 i tonn CO2-ekv.):",
        "outside": "{ha} av forslaget ligger utenfor kommunenes landareal (sjø)",
        "not_available": "ikke tilgjengelig",
        "note": "merknad",
        "missing": "kartlag som mangler (reglene er ikke sjekket)",
        "skipped": "regel hoppet over",
    },
    "en": {
        "head": "Conflicts of {proposal}, checked as {what} ({n} rules applied)",
        "areas": "Areas: {method}",
        "columns": ("severity", "ha", "pair / basis"),
        "partly": "partly mapped: {share} of the proposal lies outside the layer's coverage",
        "union": "ha (union of all pairs of this severity)",
        "any": ("any", "ha in conflict"),
        "per_municipality": "per municipality (ha): municipality, {severities}, any",
        "account": "area account: what the proposal lies on, each m² counted once (ha; CO2 in t CO2-eq):",
        "outside": "{ha} of the proposal lie outside the municipalities' land (sea)",
        "not_available": "not available",
        "note": "note",
        "missing": "missing layers (rules not checked)",
        "skipped": "rule skipped",
    },
}


def _print_summary(res, as_layer: str, proposal: str, acc, rules=None, lang: str = "nb") -> None:
    """The text summary of ``areal conflicts``: pairs, severities and bases in words of ``lang``."""
    from areal.apps.formatting import area_ha, number, percent
    from areal.apps.labels import (
        area_method_text,
        column_titles,
        layer_title,
        localise_conflicts,
        localise_note,
        missing_layer_text,
        severity_title,
        skipped_rule_text,
        status_text,
    )

    T = _TEXT["en" if lang == "en" else "nb"]
    rule_list = list(getattr(rules, "rules", rules) or []) or None
    click.echo(T["head"].format(proposal=proposal, what=layer_title(as_layer, lang), n=len(res.rules)))
    click.echo(T["areas"].format(method=area_method_text(res.area_method, lang=lang)))
    sev_h, ha_h, pair_h = T["columns"]
    click.echo(f"{sev_h:16} {ha_h:>12}  {pair_h}")
    click.echo("-" * 100)
    summary = res.summary()
    shares = res.statuses.set_index("pair")["covered_share"] if len(res.statuses) else {}
    words = localise_conflicts(summary[["pair", "severity", "basis"]], lang, rule_list)
    for i, row in summary[summary["status"] != "not_mapped"].iterrows():
        w = words.loc[i]
        click.echo(f"{w['severity']:16} {number(row['area_ha'], 1, lang):>12}  {w['pair']}")
        if row["reason"] == "partly_mapped":
            share = 1.0 - float(shares.get(row["pair"], 1.0))
            click.echo(f"{'':30}{T['partly'].format(share=percent(share, lang=lang))}")
        click.echo(f"{'':30}{w['basis']}")
    click.echo("-" * 100)
    for i, row in summary[summary["status"] == "not_mapped"].iterrows():
        w = words.loc[i]  # never 0 ha: the layer says nothing here
        click.echo(
            f"{w['severity']:16} {'–':>12}  {w['pair']}: {status_text('not_mapped', row['reason'], lang)}"
        )
    for sev in ("exclusion", "high", "medium", "low"):
        click.echo(f"{severity_title(sev, lang):16} {number(res.total_ha(sev), 1, lang):>12}  {T['union']}")
    click.echo(f"{T['any'][0]:16} {number(res.total_ha(), 1, lang):>12}  {T['any'][1]}")
    if len(res.by_municipality):
        sevs = ", ".join(severity_title(v, lang) for v in ("exclusion", "high", "medium", "low"))
        click.echo("\n" + T["per_municipality"].format(severities=sevs))
        for _, r in res.by_municipality.iterrows():
            cols = ("exclusion_ha", "high_ha", "medium_ha", "low_ha", "conflict_ha")
            figures = " ".join(f"{number(r[c], 1, lang):>10}" for c in cols)
            click.echo(f"  {r['kommunenummer']} {str(r['kommunenavn'])[:22]:22} {figures}")
    if acc is not None:
        click.echo("\n" + T["account"])
        shown = acc.table.copy()
        for c in shown.columns:
            if pd.api.types.is_float_dtype(shown[c]):
                shown[c] = shown[c].map(lambda v: number(v, 1, lang))
        titles = column_titles(lang) | (
            {"kommunenummer": "Municipality no.", "kommunenavn": "Municipality"}
            if lang == "en"
            else {"kommunenummer": "Kommunenr.", "kommunenavn": "Kommune"}
        )
        click.echo(shown.rename(columns=lambda c: titles.get(c, c)).to_string(index=False))
        if acc.outside_ha > 0:
            click.echo("  " + T["outside"].format(ha=area_ha(acc.outside_ha, lang)))
        for m in acc.missing_layers:
            click.echo(f"  {T['not_available']}: {missing_layer_text(m, lang)}")
        for text in acc.notes:
            click.echo(f"  {T['note']}: {localise_note(text, lang)}")
    if res.missing:
        click.echo(f"\n{T['missing']}: {', '.join(layer_title(m, lang) for m in res.missing)}")
    for s in res.skipped:
        if "is missing" not in s:
            note(f"{T['skipped']}: {skipped_rule_text(s, lang, rule_list)}")
