"""docs/app.md shows every planner-workflow screenshot the browser tests make (and only those)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _gallery() -> dict[str, str]:
    tree = ast.parse((ROOT / "tests" / "apps" / "browserkit.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "GALLERY" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("GALLERY not found in browserkit.py")


def test_gallery_in_the_docs_matches_the_browser_tests():
    gallery = _gallery()
    doc = (ROOT / "docs" / "app.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(img/(workflow_[a-z_]+)\.png\)", doc)
    assert sorted(shown) == sorted(gallery)
    for name in gallery:
        png = ROOT / "docs" / "img" / f"{name}.png"
        assert png.is_file() and png.stat().st_size > 20_000, png
