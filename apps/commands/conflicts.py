"""``areal conflicts``: check a proposal against the rule table and write the conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
import geopandas as gpd
import pandas as pd
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, check_out, emit_json, main, note, records
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
        raise click.BadParameter(f"file {proposal!r} does not exist", param_hint="--proposal")
    raise click.BadParameter(
        f"{proposal!r} is neither an existing file nor a known layer (layers: {', '.join(registry.names())})",
        param_hint="--proposal",
    )


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
@DATA_DIR_OPTION
@JSON_OPTION
def conflicts_cmd(
    proposal, as_layer, with_layers, municipality, rules_path, out, csv_dir, account, data_dir, as_json=False
) -> None:
    """Find area conflicts of a proposal, with hectares per pair and municipality and the legal basis."""
    check_out(out, (".gpkg",))
    run = run_conflicts(proposal, as_layer, with_layers, municipality, rules_path, account, data_dir)
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
        _print_summary(run.result, run.as_layer, proposal, run.account)
        if run.farmland_text:
            click.echo(run.farmland_text)
    if out is not None:
        note(f"wrote {out}")


@dataclass
class ConflictRun:
    """What ``areal conflicts`` found, ready to print, write or send as JSON."""

    result: object  # areal.geo.conflicts.ConflictResult
    as_layer: str
    rules: object  # the RuleTable of the requested layers
    account: object | None = None  # LandAccount of the proposal (``--account``)
    farmland_sources: pd.DataFrame | None = None  # the farmland sources used, with scale
    farmland_text: str | None = None  # the same in a sentence (printed with the summary)

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
) -> ConflictRun:
    """Check ``proposal`` (a file or a layer id) against the rule table (``areal conflicts``, ``arenas check``)."""
    from areal.apps.usecases.conflicts import check_conflicts, clip_to_municipalities
    from areal.geo.rules import RuleTable
    from areal.layers import loader, registry, settings
    from areal.layers.project_data import load_rules

    rule_table = load_rules(rules_path)
    prop, prop_layer = _read_proposal(proposal, data_dir)
    for warning in prop.attrs.get("warnings", []):
        note(f"warning: {warning}")
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
        note("note: municipalities are missing: hectares are not split by municipality")
    knrs = _split_ids(municipality)
    if knrs and munis is None:
        raise LayerMissingError("--municipality needs the municipalities layer, which is missing")
    b_layers = list(
        dict.fromkeys(r.b_layer for r in rule_table.rules_for(as_layer) if not wanted or r.b_layer in wanted)
    )
    layers: dict[str, gpd.GeoDataFrame] = {}
    for lid in b_layers:
        try:
            layers[lid] = loader.load(lid, data_dir)
        except LayerMissingError as exc:
            note(f"missing layer {lid!r}: its rules are skipped ({exc})")
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
    sub = RuleTable(
        tuple(r for r in rule_table.rules if r.a_layer != as_layer or r.b_layer in b_layers),
        rule_table.classes,
        rule_table.source,
        rule_table.kinds,
        rule_table.virtual,
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
            farm_text = describe_sources(farm, "en")
    return ConflictRun(res, as_layer, sub, acc, farm_sources, farm_text)


def _print_summary(res, as_layer: str, proposal: str, acc) -> None:
    from areal.apps.formatting import area_ha, number, percent
    from areal.apps.labels import area_method_text, missing_layer_text, status_text

    click.echo(f"Conflicts of {proposal} checked as {as_layer!r} ({len(res.rules)} rules applied)")
    click.echo(f"Areas: {area_method_text(res.area_method, lang='en')}")
    click.echo(f"{'severity':10} {'ha':>12}  pair / basis")
    click.echo("-" * 100)
    summary = res.summary()
    shares = res.statuses.set_index("pair")["covered_share"] if len(res.statuses) else {}
    for _, row in summary[summary["status"] != "not_mapped"].iterrows():
        click.echo(f"{row['severity']:10} {number(row['area_ha'], 1):>12}  {row['pair']}")
        if row["reason"] == "partly_mapped":
            share = 1.0 - float(shares.get(row["pair"], 1.0))
            click.echo(
                f"{'':24}partly mapped: {percent(share)} of the proposal lies outside the layer's coverage"
            )
        click.echo(f"{'':24}{row['basis'][:96]}")
    click.echo("-" * 100)
    for _, row in summary[summary["status"] == "not_mapped"].iterrows():
        # never 0 ha: the layer says nothing here
        click.echo(
            f"{row['severity']:10} {'not mapped':>12}  {row['pair']}: {status_text('not_mapped', row['reason'], 'en')}"
        )

    for sev in ("exclusion", "high", "medium", "low"):
        click.echo(f"{sev:10} {number(res.total_ha(sev), 1):>12}  ha (union of all pairs of this severity)")
    click.echo(f"{'any':10} {number(res.total_ha(), 1):>12}  ha in conflict")
    if len(res.by_municipality):
        click.echo("\nper municipality (ha): kommune, exclusion, high, medium, low, any")
        for _, r in res.by_municipality.iterrows():
            cols = ("exclusion_ha", "high_ha", "medium_ha", "low_ha", "conflict_ha")
            figures = " ".join(f"{number(r[c], 1):>10}" for c in cols)
            click.echo(f"  {r['kommunenummer']} {str(r['kommunenavn'])[:22]:22} {figures}")
    if acc is not None:
        click.echo("\narea account: what the proposal lies on, each m² counted once (ha; CO2 in t CO2-eq):")
        shown = acc.table.copy()
        for c in shown.columns:
            if pd.api.types.is_float_dtype(shown[c]):
                shown[c] = shown[c].map(lambda v: number(v, 1))
        click.echo(shown.to_string(index=False))
        if acc.outside_ha > 0:
            click.echo(
                f"  {area_ha(acc.outside_ha)} of the proposal lie outside the municipalities' land (sea)"
            )
        for m in acc.missing_layers:
            click.echo(f"  not available: {missing_layer_text(m)}")
        for text in acc.notes:
            click.echo(f"  note: {text}")
    if res.missing:
        click.echo(f"\nmissing layers (rules not checked): {', '.join(res.missing)}")
    for s in res.skipped:
        if "is missing" not in s:
            note(f"skipped: {s}")
