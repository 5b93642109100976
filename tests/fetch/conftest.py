"""Fixtures for the fetch/import tests, and ``official_data_dir`` for end-to-end tests.

``official_data_dir`` runs the real fetchers against the recorded official responses (no network),
so the engines' end-to-end tests can load every mission layer with
``areal.layers.loader.load(layer, data_dir=official_data_dir)``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# Register the helper module under its own name without putting tests/fetch on sys.path
# (that would shadow tests/conftest.py for `from conftest import X0`).
if "recorded_transport" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "recorded_transport", Path(__file__).with_name("recorded_transport.py")
    )
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules["recorded_transport"] = _mod
    _spec.loader.exec_module(_mod)
from recorded_transport import (  # noqa: E402
    MISSION_LAYERS,
    RECORDED,
    RecordedTransport,
    build_official_data_dir,
    offline_transport,
)

__all__ = ["MISSION_LAYERS", "RecordedTransport", "offline_transport", "RECORDED"]


@pytest.fixture(scope="session")
def recorded_dir() -> Path:
    return RECORDED


@pytest.fixture
def transport() -> RecordedTransport:
    return RecordedTransport()


@pytest.fixture(scope="session")
def official_data_dir(tmp_path_factory) -> Path:
    """A data directory with all mission layers in official format (fetched offline from recordings)."""
    return build_official_data_dir(tmp_path_factory.mktemp("official-data"))
