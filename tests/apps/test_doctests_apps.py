"""The docstring examples of the app modules written for issue 14 run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("areal.apps.jsonsafe", "areal.apps.planner.urlstate", "areal.apps.planner.mapping")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
