"""The PDF of an area analysis: one table of statuses per dataset, then what to do about each hit.

The rows are :func:`areal.apps.usecases.analysis.display_rows`, the same text the app and the CLI
show; only the layout is here.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from areal.apps.usecases.analysis import COLUMN_TITLES, display_rows, summary_line
from areal.geo.area_analysis import AreaAnalysis
from areal.geo.rules import RuleTable

TEXT = {
    "nb": {
        "title": "Arealanalyse: {name}",
        "made": "Laget {date} med Arealkart Trøndelag. Kontekst: {context}.",
        "hits": "Treff: lovgrunnlag og veiledning",
        "none": "Ingen treff i denne konteksten.",
        "method": "Metode",
        "method_text": (
            "Arealer er eksakte polygonskjæringer i EPSG:25833 (overlapp i et datasett telles én gang). "
            "Soner etter naturmangfoldloven § 49 er ringen utenfor verneområdet. Rødt: treff på en regel "
            "med alvorlighet «utelukket» eller «høy»; gult: middels eller lav, eller treff bare i bufferen. "
            "«Ikke kartlagt»: datasettet finnes ikke i datakatalogen for området (aldri 0 ha)."
        ),
    },
    "en": {
        "title": "Area analysis: {name}",
        "made": "Made {date} with Arealkart Trøndelag. Context: {context}.",
        "hits": "Hits: legal basis and guidance",
        "none": "No hits in this context.",
        "method": "Method",
        "method_text": (
            "Areas are exact polygon intersections in EPSG:25833 (overlaps inside a dataset counted once). "
            "Nature Diversity Act § 49 zones are the ring outside the protected area. Red: a hit on a rule "
            "of severity exclusion or high; yellow: medium or low, or a hit only in the buffer. "
            "'Not mapped': the dataset is not in the data directory for the area (never 0 ha)."
        ),
    },
}

#: Columns of the status table, in order.
TABLE_COLUMNS = ("title", "status", "area", "share", "buffer", "zone", "distance", "quality")


def render_analysis_pdf(
    result: AreaAnalysis,
    rules: RuleTable,
    out: str | os.PathLike,
    *,
    name: str = "",
    lang: str = "nb",
    when: date | None = None,
) -> Path:
    """Write the area analysis as a PDF to ``out`` (atomically) and return the path."""
    from areal.apps.report import _fonts, write_pdf
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Table, TableStyle

    lang = "en" if lang == "en" else "nb"
    t = TEXT[lang]
    when = when or date.today()
    font, bold = _fonts()
    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9)
    h1 = ParagraphStyle("h1", parent=ss["Heading1"], fontName=bold, fontSize=16)
    h2 = ParagraphStyle("h2", parent=ss["Heading2"], fontName=bold, fontSize=12, spaceBefore=8)

    def esc(s: str) -> str:
        return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    ctx_title = result.context.title_en if lang == "en" else result.context.title_nb
    title = t["title"].format(name=name or ctx_title)
    rows = display_rows(result, rules, lang)
    story = [
        Paragraph(esc(title), h1),
        Paragraph(esc(t["made"].format(date=when.isoformat(), context=ctx_title)), body),
        Paragraph(esc(summary_line(result, lang)), body),
    ]
    head = [Paragraph(esc(COLUMN_TITLES[c][1 if lang == "en" else 0]), cell) for c in TABLE_COLUMNS]
    data = [head] + [[Paragraph(esc(r[c]), cell) for c in TABLE_COLUMNS] for r in rows]
    widths = [6.2 * cm, 3.2 * cm, 2.2 * cm, 1.6 * cm, 2.2 * cm, 2.2 * cm, 2.2 * cm, 4.6 * cm]
    tbl = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaf6")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    tint = {"hit_red": "#f8d7da", "hit_yellow": "#fff3cd", "no_hit": "#d1e7dd"}
    for i, r in enumerate(rows, start=1):
        if r["status_id"] in tint:
            style.append(("BACKGROUND", (1, i), (1, i), colors.HexColor(tint[r["status_id"]])))
    tbl.setStyle(TableStyle(style))
    story.append(tbl)
    story.append(Paragraph(t["hits"], h2))
    hits = [r for r in rows if r["status_id"] in ("hit_red", "hit_yellow")]
    for r in hits:
        story.append(Paragraph(f"<b>{esc(r['title'])}</b> – {esc(r['status'])}", body))
        if r["basis"]:
            story.append(
                Paragraph(f"{esc(COLUMN_TITLES['basis'][1 if lang == 'en' else 0])}: {esc(r['basis'])}", cell)
            )
        if r["guidance"]:
            story.append(
                Paragraph(
                    f"{esc(COLUMN_TITLES['guidance'][1 if lang == 'en' else 0])}: {esc(r['guidance'])}", cell
                )
            )
    if not hits:
        story.append(Paragraph(t["none"], body))
    story.append(Paragraph(t["method"], h2))
    story.append(Paragraph(esc(t["method_text"]), body))

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_pdf(story, out, title=title, pagesize=landscape(A4), margins_cm=(1.5, 1.5))
