"""Fixtures of the security tests: the bad-input corpus with a planted secret and a live listener."""

from __future__ import annotations

import importlib.util
import socket
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "bad"
TOKEN = "AREAL-SECRET-7f3c9b1e"


def load_script():
    """``scripts/make_bad_inputs.py`` as a module (it is not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_bad_inputs", ROOT / "scripts" / "make_bad_inputs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Listener:
    """A TCP server on 127.0.0.1 that records every connection (an HTTP request an input made)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(1.0)
            try:
                self.requests.append(conn.recv(512) or b"(connected)")
            except OSError:
                self.requests.append(b"(connected)")
            finally:
                conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture(scope="session")
def listener():
    srv = Listener()
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, listener):
    """The corpus regenerated with a real secret file and the live listener's URL.

    Returns ``(folder, manifest, secret_path)``.
    """
    base = tmp_path_factory.mktemp("hostile")
    secret = base / "secret" / "areal-secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"{TOKEN}\n1,2\n3,4\n", encoding="utf-8")
    corpus = base / "corpus"
    manifest = load_script().make_corpus(corpus, secret=str(secret), listener=listener.url)
    return corpus, manifest, secret


@pytest.fixture(scope="session")
def starter_dir(tmp_path_factory):
    """An empty data folder: the packaged starter extract is used (fast, the same everywhere)."""
    return tmp_path_factory.mktemp("starter-data")


def _tree(path: Path) -> dict[str, int]:
    return {str(p.relative_to(path)): p.stat().st_size for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def tree():
    """``tree(path)``: every file below ``path`` with its size (a snapshot to compare before and after)."""
    return _tree


@pytest.fixture(scope="session")
def token():
    """The string inside the planted secret file: it must never come out of any input."""
    return TOKEN


@pytest.fixture(scope="session")
def corpus_script():
    """``scripts/make_bad_inputs.py`` as a module."""
    return load_script()
