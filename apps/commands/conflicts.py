"""``areal conflicts``: check a proposal against the rule table and write the conflicts."""

from __future__ import annotations

from pathlib import Path

import click
import geopandas as gpd
import pandas as pd
from areal.apps.cli import DATA_DIR_OPTION, main
from areal.geo.errors import LayerMissingError


def _read_proposal(proposal: str, data_dir: Path | None) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read a proposal: a file path as is, anything else as a catalogue layer id."""
    from areal.layers import loader
    from areal.layers.account_inputs import read_proposal

    if Path(proposal).exists():
        return read_proposal(proposal), None
    return loader.load(proposal, data_dir), proposal


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
    required=True,
    help="Output GeoPackage: one layer per pair plus summary tables.",
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
def conflicts_cmd(
    proposal, as_layer, with_layers, municipality, rules_path, out, csv_dir, account, data_dir
) -> None:
    """Find area conflicts of a proposal, with hectares per pair and municipality and the legal basis."""
    from areal.apps.usecases.conflicts import check_conflicts, clip_to_municipalities
    from areal.geo.rules import RuleTable, rules_frame
    from areal.layers import loader, registry
    from areal.layers.export import write_layers
    from areal.layers.project_data import load_rules

    rule_table = load_rules(rules_path)
    prop, prop_layer = _read_proposal(proposal, data_dir)
    for warning in prop.attrs.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
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
        click.echo("note: municipalities are missing: hectares are not split by municipality")
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
            click.echo(f"missing layer {lid!r}: its rules are skipped ({exc})")
    from areal.layers import settings
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
    )

    summary = res.summary()
    matrix = res.matrix.reset_index()
    by_muni = res.by_municipality
    # The whole GeoPackage is written to a temporary file and moved into place at the end: a failed
    # run never leaves a half-written output. Tables are attribute tables (no geometry column).
    out_layers: dict[str, pd.DataFrame] = {"summary": summary}
    for rule in res.rules:
        part = res.polygons[res.polygons["pair"] == rule.pair]
        if len(part):
            out_layers[rule.slug] = part
    out_layers |= {"matrix_ha": matrix, "by_municipality": by_muni, "rules": rules_frame(sub)}
    farm_sources = None
    if layers.get("farmland") is not None:
        # which source and scale the farmland rules used (AR5 1:5 000, AR50 or N50 1:50 000)
        farm_sources = pd.DataFrame(layers["farmland"].attrs.get("farmland_sources", []))
        out_layers["farmland_sources"] = farm_sources
    acc = None
    if account:
        from areal.apps.usecases.account import compute_proposal_account

        acc, _ = compute_proposal_account(prop, data_dir)
        out_layers["area_account"] = acc.table
    from areal.layers.provenance import file_row, manifest

    used = {**layers, **({"municipalities_sea": munis} if munis is not None else {})}
    used |= {lid: None for lid in b_layers if lid not in used}  # missing: named, not mapped
    if prop_layer:
        used[prop_layer] = prop
    provenance = manifest(used, data_dir, extra=[] if prop_layer else [file_row(proposal, "proposal")])
    out_layers["provenance"] = provenance
    write_layers(out_layers, out)
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        summary.to_csv(csv_dir / "summary.csv", index=False)
        matrix.to_csv(csv_dir / "matrix_ha.csv", index=False)
        by_muni.to_csv(csv_dir / "by_municipality.csv", index=False)
        pd.DataFrame(res.polygons.drop(columns="geometry")).to_csv(csv_dir / "conflicts.csv", index=False)
        if acc is not None:
            acc.table.to_csv(csv_dir / "area_account.csv", index=False, na_rep="NA")
        if farm_sources is not None:
            farm_sources.to_csv(csv_dir / "farmland_sources.csv", index=False)
        provenance.to_csv(csv_dir / "provenance.csv", index=False)

    _print_summary(res, as_layer, proposal, out, acc)
    if layers.get("farmland") is not None and any(r.b_layer == "farmland" for r in res.rules):
        from areal.layers.farmland import describe_sources

        click.echo(describe_sources(layers["farmland"], "en"))


def _print_summary(res, as_layer: str, proposal: str, out: Path, acc) -> None:
    from areal.geo.areas import describe
    from areal.geo.coverage import status_text

    click.echo(f"Conflicts of {proposal} checked as {as_layer!r} ({len(res.rules)} rules applied)")
    click.echo(f"Areas: {describe(res.area_method, lang='en')}")
    click.echo(f"{'severity':10} {'ha':>12}  pair / basis")
    click.echo("-" * 100)
    summary = res.summary()
    shares = res.statuses.set_index("pair")["covered_share"] if len(res.statuses) else {}
    for _, row in summary[summary["status"] != "not_mapped"].iterrows():
        click.echo(f"{row['severity']:10} {row['area_ha']:12,.1f}  {row['pair']}")
        if row["reason"] == "partly_mapped":
            share = 100.0 * (1.0 - float(shares.get(row["pair"], 1.0)))
            click.echo(
                f"{'':24}partly mapped: {share:,.1f} % of the proposal lies outside the layer's coverage"
            )
        click.echo(f"{'':24}{row['basis'][:96]}")
    click.echo("-" * 100)
    for _, row in summary[summary["status"] == "not_mapped"].iterrows():
        # never 0 ha: the layer says nothing here
        click.echo(
            f"{row['severity']:10} {'not mapped':>12}  {row['pair']}: {status_text('not_mapped', row['reason'], 'en')}"
        )

    for sev in ("exclusion", "high", "medium", "low"):
        click.echo(f"{sev:10} {res.total_ha(sev):12,.1f}  ha (union of all pairs of this severity)")
    click.echo(f"{'any':10} {res.total_ha():12,.1f}  ha in conflict")
    if len(res.by_municipality):
        click.echo("\nper municipality (ha): kommune, exclusion, high, medium, low, any")
        for _, r in res.by_municipality.iterrows():
            cols = ("exclusion_ha", "high_ha", "medium_ha", "low_ha", "conflict_ha")
            figures = " ".join(f"{r[c]:10,.1f}" for c in cols)
            click.echo(f"  {r['kommunenummer']} {str(r['kommunenavn'])[:22]:22} {figures}")
    if acc is not None:
        click.echo("\narea account: what the proposal lies on, each m² counted once (ha; CO2 in t CO2-eq):")
        click.echo(acc.table.round(1).to_string(index=False, na_rep="NA"))
        if acc.outside_ha > 0:
            click.echo(
                f"  {acc.outside_ha:,.1f} ha of the proposal lie outside the municipalities' land (sea)"
            )
        for m in acc.missing_layers:
            click.echo(f"  not available: {m.message()}")
        for note in acc.notes:
            click.echo(f"  note: {note}")
    if res.missing:
        click.echo(f"\nmissing layers (rules not checked): {', '.join(res.missing)}")
    for s in res.skipped:
        if "is missing" not in s:
            click.echo(f"skipped: {s}")
    click.echo(f"\nwrote {out}")
