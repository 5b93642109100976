r"""No HTML from data: every string that did not come from this program's own templates is escaped.

Panel's Markdown and Alert panes render HTML (a scenario named ``<img src=x onerror=…>`` ran
script when it was shown). Views therefore pass every user or data string (scenario names, file
names, error details, layer attribute values, arena names, reasons) through :func:`esc`, which
escapes HTML *and* the Markdown characters that could make a link or change the layout. Data
tables are rendered with ``escape=True``; the map escapes in its own script.

>>> esc('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&quot;alert\\(1\\)&quot;&gt;'
>>> md_link("Kilde", "javascript:alert(1)")
'Kilde (javascript:alert\\(1\\))'
"""

from __future__ import annotations

import html
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_PATH = re.compile(r"(?<![\w:])(?:[A-Za-z]:)?[/\\](?:[^\s:;,'\"()<>]+[/\\])+[^\s:;,'\"()<>]*")


def esc(value: Any) -> str:
    """``value`` as text that shows literally in a Markdown or HTML pane."""
    text = html.escape("" if value is None else str(value), quote=True)
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_link(title: Any, url: Any) -> str:
    """A Markdown link when ``url`` is http(s), else the title with the address as plain text."""
    u = "" if url is None else str(url).strip()
    if re.match(r"^https?://[^\s<>\"'()\[\]]+$", u):
        return f"[{esc(title or u)}]({u})"
    return f"{esc(title)} ({esc(u)})" if u else esc(title)


def strip_paths(message: str) -> str:
    """A message without file-system paths (for the public page: ``/srv/data/x.gpkg`` → ``…/x.gpkg``).

    >>> strip_paths("cannot read /srv/areal/data/n1000/N1000.gpkg: broken")
    'cannot read …/N1000.gpkg: broken'
    """

    def short(m: re.Match) -> str:
        tail = re.split(r"[/\\]", m.group(0))[-1]
        return f"…/{tail}" if tail else "…"

    return _PATH.sub(short, str(message))
