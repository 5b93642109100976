"""Make the README screenshot (docs/screenshot.png) with the browser test that uploads a site.

Usage::

    AREAL_DATA_DIR=/path/to/data python scripts/screenshot.py

It runs ``tests/apps/test_browser.py::test_upload_gives_a_site_report`` (Debian chromium +
playwright, network blocked) with ``AREAL_SCREENSHOT`` pointing at ``docs/screenshot.png``.
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
    env = dict(os.environ, AREAL_SCREENSHOT=str(target))
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/apps/test_browser.py::test_upload_gives_a_site_report",
    ]
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    if code == 0:
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")
    return code


if __name__ == "__main__":
    sys.exit(main())
