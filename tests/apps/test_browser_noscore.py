"""A site the profiles exclude: the report says why a score is "–" (chromium, issue 14)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from conftest import UTM33

from tests.apps.browserkit import _data_dir
from tests.apps.textscan import problems

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def park_site(planner_server, tmp_path_factory):
    """A 60 ha disc inside a national park of the server's data (every profile excludes parks)."""
    from areal.layers.loader import load

    parks = load("national_parks", _data_dir(tmp_path_factory)).to_crs(UTM33)
    park = parks.geometry.iloc[int(parks.area.argmax())]
    inner = park.buffer(-600)
    site = inner.representative_point().buffer(437)  # ≈ 60 ha
    assert park.contains(site)
    path = tmp_path_factory.mktemp("uploads") / "omrade_i_nasjonalpark.geojson"
    gpd.GeoDataFrame({"navn": ["I nasjonalparken"]}, geometry=[site], crs=UTM33).to_crs(4326).to_file(
        path, driver="GeoJSON"
    )
    return path


def test_excluded_site_explains_its_missing_scores(planner_server, visit, park_site):
    visit.open(planner_server.url)
    visit.upload(park_site)
    visit.text(".areal-site-summary", timeout=60_000)
    note = visit.text(".areal-noscore", timeout=60_000)
    plain = note.replace("\u00a0", " ")
    assert "ingen poengsum" in plain and "utelukket av Nasjonalparker" in plain, plain
    assert "100 % utelukket" in plain, plain
    assert "Datasenter" in plain and "data_centre" not in plain and "national_parks" not in plain
    assert not problems(note, "nb", "site report note"), problems(note, "nb", "site report note")
    visit.page.locator(".areal-noscore").scroll_into_view_if_needed()
    visit.page.wait_for_timeout(400)
    visit.shot("site_excluded_note")


def test_every_tab_title_is_inside_the_sidebar(planner_server, visit):
    """Nine tab titles do not fit a 400 px sidebar on one row: they wrap instead of running out of it."""
    visit.open(planner_server.url)
    box = visit.page.locator(".areal-tabs").first.evaluate(
        """(host) => {
          const hdr = host.shadowRoot.querySelector('.bk-header');
          const h = hdr.getBoundingClientRect();
          return {right: h.right, tabs: Array.from(hdr.querySelectorAll('.bk-tab')).map(t => {
            const r = t.getBoundingClientRect();
            return [t.textContent, r.left, r.right];
          })};
        }"""
    )
    assert len(box["tabs"]) >= 8, box
    outside = [t for t, left, right in box["tabs"] if right > box["right"] + 0.5 or left < 0]
    assert not outside, (outside, box)
