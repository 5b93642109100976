"""Make the screenshot gallery of docs/app.md (docs/img/workflow_*.png) with the browser tests.

Usage::

    AREAL_DATA_DIR=/path/to/data python scripts/gallery.py

It runs the planner-workflow browser tests of ``tests/apps/test_browser.py`` (Debian chromium +
playwright, network blocked, so the map shows its offline base map) with ``AREAL_GALLERY``
pointing at ``docs/img``; each test copies its screenshot there under the name listed in
``tests/apps/browserkit.py``'s ``GALLERY``. Look at every image before committing it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = (
    "test_every_layer_toggles_and_draws",
    "test_click_inside_the_site_keeps_it_and_a_conflict_polygon_shows_its_basis",
    "test_shared_link_restores_the_whole_view_with_overlays",
    "test_search_a_place_and_coordinates",
    "test_measure_a_distance_and_an_area",
    "test_offline_base_map_when_tiles_fail",
    "test_side_panel_folds_and_overlays_leave_with_their_tab",
    "test_public_viewer_sees_no_developer_help_and_the_grid_credit",
    "test_a_weight_and_a_size_limit_give_sites_of_20_to_200_ha",
    "test_save_reopen_overwrite_rename_and_delete_a_scenario",
    "test_check_a_sea_test_area",
    "test_every_planner_page_in_norwegian_then_english_then_back",
    "test_pdf_report_downloads_from_the_app",
    "test_scenario_pdf_downloads_from_the_scenario_tab",
)


def main() -> int:
    """Run the workflow tests with the gallery folder set; return pytest's exit code."""
    target = ROOT / "docs" / "img"
    env = dict(os.environ, AREAL_GALLERY=str(target))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    cmd += [f"tests/apps/test_browser.py::{t}" for t in TESTS]
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    if code == 0:
        for png in sorted(target.glob("workflow_*.png")):
            print(f"wrote {png.relative_to(ROOT)} ({png.stat().st_size:,} bytes)")
    return code


if __name__ == "__main__":
    sys.exit(main())
