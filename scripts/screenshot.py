"""Make the README screenshot (docs/screenshot.png) with the browser test of the suitability view.

Usage::

    AREAL_DATA_DIR=/path/to/data python scripts/screenshot.py

It runs ``tests/apps/test_browser.py::test_weight_change_updates_the_site_table`` (Debian
chromium + playwright, network blocked: the suitability overlay, ranked candidate sites on the
map and the selected site's reasons and conflicts) with ``AREAL_SCREENSHOT`` pointing at
``docs/screenshot.png``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run the test with the screenshot target set; return pytest's exit code."""
    target = ROOT / "docs" / "screenshot.png"
    env = dict(os.environ, AREAL_SCREENSHOT=str(target), AREAL_SCREENSHOT_TEST="suitability")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/apps/test_browser.py::test_weight_change_updates_the_site_table",
    ]
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    if code == 0:
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")
    return code


if __name__ == "__main__":
    sys.exit(main())
