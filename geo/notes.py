"""Structured notes: what a library function reports as a code and its values, not as a sentence.

A :class:`Note` is what the data layer returns where it used to return an English sentence (a
fetch's service notes, an import's refused rows, a reader's problems with a file): a ``code``
(``"fetch.pages"``) and its ``values`` (``{"pages": 3, "collection": "KpArealformålOmråde"}``).
Its :attr:`~Note.message` (and ``str()``) is the English sentence, for library users and logs;
the apps render the same note in the user's language from the code and the values (layers by
title, numbers in the language's format), so no sentence is ever parsed back.

Each module that emits notes declares the English text of its codes with :func:`register`, next
to the code that emits them.

Examples
--------
>>> register("example.pages", "{pages} page(s) from collection {collection}")
>>> n = Note.of("example.pages", pages=3, collection="K")
>>> str(n)
'3 page(s) from collection K'
>>> n.to_dict()
{'code': 'example.pages', 'pages': 3, 'collection': 'K', 'message': '3 page(s) from collection K'}
>>> Note.from_dict(n.to_dict()) == n
True
>>> str(Note.from_dict("a sentence from an older cache"))
'a sentence from an older cache'
>>> str(Note.from_dict({"code": "other.module", "n": 2, "message": "2 things"}))
'2 things'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = ["Note", "TEXT", "register", "english"]

TEXT = "text"
"""The code of a note that is only a sentence (from an older cache or manifest, or a plain string)."""

Template = str | Callable[[Mapping[str, Any]], str]
_ENGLISH: dict[str, Template] = {TEXT: "{text}"}


def _plain(value: Any) -> Any:
    """A value as JSON has it: tuples and lists as lists, numpy scalars as Python numbers."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (str, bytes)) and getattr(value, "shape", None) == ():
        return item()
    return value


def register(code: str, english_text: Template) -> None:
    """Declare the English sentence of a note code: a ``str.format`` template or a function of the values."""
    _ENGLISH[code] = english_text


def english(code: str, values: Mapping[str, Any]) -> str:
    """The English sentence of a code with its values (the code and values when the code is unknown).

    >>> english("no.such.code", {"n": 1})
    'no.such.code (n=1)'
    """
    template = _ENGLISH.get(code)
    if template is None:
        return f"{code} ({', '.join(f'{k}={v}' for k, v in values.items())})"
    return template(values) if callable(template) else template.format(**values)


@dataclass(frozen=True, eq=True)
class Note:
    """One structured note: a code and its values; ``str()`` is the English sentence.

    Attributes
    ----------
    code : str
        What happened (``"fetch.pages"``, ``"import.codes_refused"`` ...).
    values : Mapping
        The facts (counts, layer ids, file names, column names), JSON-safe plain values.
    recorded : str
        The English sentence a note read back from a file carried (:meth:`from_dict`): the
        message when this process does not know the code (its module was not imported).
    """

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    recorded: str = field(default="", compare=False, repr=False)

    @classmethod
    def of(cls, code: str, /, **values: Any) -> "Note":
        """A note with its values as keywords, made JSON-plain (tuples as lists, numpy scalars as numbers).

        >>> import numpy as np
        >>> Note.of("x", layers=("ar5",), n=np.int64(3)).values
        {'layers': ['ar5'], 'n': 3}
        """
        return cls(code, {k: _plain(v) for k, v in values.items()})

    @property
    def message(self) -> str:
        """The English sentence."""
        if self.code not in _ENGLISH and self.recorded:
            return self.recorded
        return english(self.code, self.values)

    def __str__(self) -> str:
        return self.message

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __hash__(self) -> int:  # the values are a dict: hash by the code and the sentence
        return hash((self.code, self.message))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: the code, the values, and the English ``message``."""
        return {"code": self.code, **dict(self.values), "message": self.message}

    @classmethod
    def from_dict(cls, doc: "Mapping[str, Any] | str | Note") -> "Note":
        """Back from :meth:`to_dict` (a plain string becomes a :data:`TEXT` note)."""
        if isinstance(doc, Note):
            return doc
        if isinstance(doc, str):
            return cls(TEXT, {"text": doc})
        values = {k: v for k, v in doc.items() if k not in ("code", "message")}
        return cls(str(doc.get("code") or TEXT), values, str(doc.get("message") or ""))
