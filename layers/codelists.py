"""Official code lists published as GML dictionaries (``gml:Dictionary`` of ``gml:Definition``).

The SOSI product specifications publish their code lists as GML dictionaries (AR5's
``ArealressursArealtype``, ``ArealressursSkogbonitet`` ...; the plan's ``Arealbruksstatus``):
each ``gml:Definition`` has the code as ``gml:identifier`` and the label as ``gml:name``.
:func:`read_gml_codelist` reads one, with the XML hardening of the safe opener (no DTD, no
entities), so the catalogue's code lists can be checked against the official ones.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "list.gml"
>>> _ = p.write_text('''<gml:Dictionary xmlns:gml="http://www.opengis.net/gml/3.2" gml:id="X">
...   <gml:identifier codeSpace="x">Arealbruksstatus</gml:identifier>
...   <gml:dictionaryEntry><gml:Definition gml:id="X.1">
...     <gml:identifier codeSpace="x#1">1</gml:identifier><gml:name>Nåværende</gml:name>
...   </gml:Definition></gml:dictionaryEntry>
... </gml:Dictionary>''', encoding="utf-8")
>>> read_gml_codelist(p)
{'1': 'Nåværende'}
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from areal.geo.errors import InputFileError

GML = "{http://www.opengis.net/gml/3.2}"


def read_gml_codelist(path: str | os.PathLike) -> dict[str, str]:
    """Code → label of a GML code-list dictionary.

    Raises
    ------
    InputFileError
        Not XML, a DTD or entity in it, or not a ``gml:Dictionary`` (the message names the file).
    """
    p = Path(path)
    data = p.read_bytes()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputFileError(
            f"{p}: a code list with a DTD or entities is refused", "unsafe", {"file": str(p)}
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputFileError(f"{p}: not well-formed XML ({exc})", "broken", {"file": str(p)}) from None
    if root.tag != f"{GML}Dictionary":
        raise InputFileError(f"{p}: root is {root.tag}, not gml:Dictionary", "format", {"file": str(p)})
    out: dict[str, str] = {}
    for d in root.iter(f"{GML}Definition"):
        code = (d.findtext(f"{GML}identifier") or "").strip()
        name = (d.findtext(f"{GML}name") or "").strip()
        if not code:
            raise InputFileError(f"{p}: a gml:Definition has no gml:identifier", "broken", {"file": str(p)})
        out[code] = name
    return out
