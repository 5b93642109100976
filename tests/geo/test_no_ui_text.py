"""``geo/`` is the analysis core: ids and numbers out, no words for a user (issue 16).

User-facing words (Norwegian and English labels, "ikke kartlagt", remedies) live in
``apps/labels.py``; the core raises typed errors with data. Two checks over every module of
``geo/``: no string literal (docstrings aside) carries Norwegian UI words, and no function takes a
``lang`` parameter (choosing a language is a view's job).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[2] / "geo"
UI_WORDS = re.compile(
    r"\b(ikke|Merk|Hent|tilgjengelig|kartlagt|treff|arealer|mangler|utenfor|delvis|plane|geodetiske)\b"
)
MODULES = sorted(GEO.glob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:  # the docstring, and attribute docstrings after assignments
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    out.add(id(stmt.value))
    return out


def ui_text(source: str) -> list[str]:
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if UI_WORDS.search(node.value):
                found.append(f"line {node.lineno}: {node.value[:60]!r}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.args + node.args.kwonlyargs + node.args.posonlyargs
            if any(a.arg == "lang" for a in args):
                found.append(f"line {node.lineno}: {node.name}(lang=...)")
    return found


def test_the_scan_finds_ui_text():
    assert ui_text('X = {"not_mapped": ("ikke kartlagt", "not mapped")}\n')
    assert ui_text("def describe(method, lang='nb'):\n    return method\n")
    assert not ui_text(
        'NOT_MAPPED = "ikke_kartlagt"\n"""Ids are fine: ikke kartlagt in a docstring too."""\n'
    )


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_geo_module_holds_no_ui_text(module):
    assert ui_text(module.read_text()) == []
