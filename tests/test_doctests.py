"""The docstring examples of ``areal.geo`` and ``areal.layers`` run as tests, one item per docstring.

The modules are imported under their package names (``areal.geo.overlay``), as users import them,
so a doctest cannot lean on the repository's top-level folders being importable.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

PACKAGES = ("areal.geo", "areal.layers")
# single modules of the apps whose examples are part of their contract
MODULES = ("areal.apps.formatting",)


def _modules() -> list[str]:
    out = []
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        out.append(pkg)
        out += [m.name for m in pkgutil.walk_packages(mod.__path__, prefix=pkg + ".")]
    return sorted(out) + list(MODULES)


def _doctests() -> list:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = []
    for name in _modules():
        for test in finder.find(importlib.import_module(name), name):
            if test.examples:
                tests.append(pytest.param(test, id=test.name))
    return tests


DOCTESTS = _doctests()


def test_the_docstrings_have_examples():
    assert len(DOCTESTS) >= 25  # a guard against a collector that silently finds nothing


@pytest.mark.parametrize("test", DOCTESTS)
def test_docstring_example(test: doctest.DocTest):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = io.StringIO()
    test = doctest.DocTest(
        test.examples, dict(test.globs), test.name, test.filename, test.lineno, test.docstring
    )
    result = runner.run(test, out=out.write, clear_globs=True)
    assert result.failed == 0, out.getvalue()
