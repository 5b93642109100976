"""The "Arealanalyse" tab in chromium: upload an area, analyse it, read the statuses (issue 15)."""

from __future__ import annotations

import pytest

from tests.apps.browserkit import _tab

pytestmark = pytest.mark.browser


def test_analysis_tab_shows_a_status_per_dataset(planner_server, visit, site_file):
    # the session's planner server: the tab needs no model of its own
    visit.open(planner_server.url, timeout=120_000)
    visit.upload(site_file)
    visit.text(".areal-site-summary", timeout=60_000)  # the site is in the session
    _tab(visit, "Arealanalyse")
    visit.page.locator(".areal-analysis-run button").click()
    summary = visit.text(".areal-analysis-summary", timeout=60_000)
    assert summary.startswith("Arealanalyse (Reguleringsplan): areal 400,0") and "ha" in summary
    table = visit.text(".areal-analysis-table", timeout=10_000)
    for word in ("Datasett", "Status", "Areal treff", "Tettbebyggelse (N1000)", "Ikke relevant"):
        assert word in table, (word, table[:500])
    assert "NaN" not in table and "nan" not in table
    visit.page.wait_for_timeout(500)
    visit.shot("analysis_tab")
