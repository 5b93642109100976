"""Type-check ``geo/`` and ``layers/`` with mypy as the installed package ``areal`` sees them.

The repository's folders become the subpackages ``areal.geo``, ``areal.layers`` ... only through
setuptools' ``package-dir`` (or ``areal/__init__.py`` extending its path in a checkout), which mypy
does not follow. This script lays out the package the way it is installed, as symbolic links to the
checkout in a temporary folder, runs mypy there with the settings of ``[tool.mypy]`` in
``pyproject.toml``, and reports the findings under the repository's own paths (``geo/grid.py:12``).

Usage: ``python scripts/typecheck.py [extra mypy arguments]``; the exit status is mypy's.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers")
"""The folders checked (``areal.geo``, ``areal.layers``); ``apps`` and ``data`` are only importable."""


def main(argv: list[str]) -> int:
    """Run mypy on :data:`PACKAGES`; findings printed with repository paths."""
    from mypy import api

    with tempfile.TemporaryDirectory(prefix="areal-typecheck-") as tmp:
        pkg = Path(tmp) / "areal"
        pkg.mkdir()
        (pkg / "__init__.py").symlink_to(ROOT / "areal" / "__init__.py")
        for sub in ("geo", "layers", "apps", "data"):
            (pkg / sub).symlink_to(ROOT / sub, target_is_directory=True)
        cache = ROOT / ".mypy_cache"
        args = ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache)]
        for sub in PACKAGES:
            args += ["-p", f"areal.{sub}"]
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            out, err, status = api.run(args + argv)
        finally:
            os.chdir(cwd)
    for text, stream in ((out, sys.stdout), (err, sys.stderr)):
        for sub in ("geo", "layers", "apps", "data"):
            text = text.replace(f"areal/{sub}/", f"{sub}/")
        stream.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
