"""Fixtures of the app tests: the starter-extract data every fresh install has."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def starter_data(tmp_path_factory):
    """AppData from the packaged starter extract only (an empty data folder)."""
    from areal.apps.planner.data import AppData

    return AppData.load(tmp_path_factory.mktemp("no-data"))
