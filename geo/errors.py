"""Typed errors shared by the analysis core, the layer loaders and the apps.

Every error is a subclass of :class:`ArealError` *and* of the matching builtin, so callers
can catch either ``ArealError`` (everything from this project) or the builtin they expect
(``FileNotFoundError``, ``ValueError``, ``KeyError`` ...).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class ArealError(Exception):
    """Base class of all errors raised by Arealkart Trøndelag.

    ``str(exc)`` is one English sentence for library users. An error a user of the command line
    or the app meets also says *what* it is: ``key`` names the message (``"unknown_name"``,
    ``"layer_missing"``, ``"no_scenario"`` ...) and ``params`` holds its values, so a front end
    can say it in the user's language (``apps/error_text.py``); without a key the English
    sentence is all there is.

    Parameters
    ----------
    message : str
        The English sentence.
    key : str, optional
        What the error is, for a translated message.
    params : dict, optional
        The values the translated message names (plain data: strings, numbers, lists).

    Examples
    --------
    >>> e = StoreError("no such store", key="store_unreachable", params={"store": "x"})
    >>> str(e), e.key, e.params
    ('no such store', 'store_unreachable', {'store': 'x'})
    >>> ArealError("plain").key is None
    True
    """

    def __init__(self, *args: object, key: str | None = None, params: dict | None = None):
        super().__init__(*args)
        self.key = key
        self.params = dict(params or {})

    @property
    def details(self) -> dict:
        """The same as :attr:`params` (the older name used by the upload errors)."""
        return self.params


def unknown_name(
    message: str, kind: str, name: object, known: Iterable[object], **params
) -> UnknownNameError:
    """An :class:`UnknownNameError` with its key, the known names and the close matches.

    Parameters
    ----------
    message : str
        The English sentence.
    kind : str
        What was named: ``"layer"``, ``"profile"``, ``"municipality"``, ``"context"``,
        ``"scenario"``, ``"criterion"`` ...
    name : object
        The name that is not known.
    known : iterable
        The names that are.
    **params
        More values for the translated message (``store`` for a scenario).

    Examples
    --------
    >>> e = unknown_name("'forests' is not a known layer", "layer", "forests", ["forest", "mire"])
    >>> e.key, e.params["suggestions"], str(e)
    ('unknown_name', ['forest'], "'forests' is not a known layer")
    """
    names = [str(k) for k in known]
    suggestions = difflib.get_close_matches(str(name), names, n=3, cutoff=0.6)
    return UnknownNameError(
        message,
        key="unknown_name",
        params={"kind": kind, "name": str(name), "known": names, "suggestions": suggestions, **params},
    )


class UnknownNameError(ArealError, KeyError):
    """A layer, rule, profile or option name that is not known.

    The message lists the valid names.
    """

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class DuplicateNameError(ArealError, ValueError):
    """A name registered twice."""


class LayerMissingError(ArealError, FileNotFoundError):
    """The source file of a layer is not present in the data directory."""


class LayerReadError(ArealError, OSError):
    """A source file exists but cannot be read (corrupt, wrong format, bad encoding)."""


class EmptyLayerError(ArealError, ValueError):
    """A source file was read but holds no features."""


class CRSMissingError(ArealError, ValueError):
    """Geometries carry no coordinate reference system."""


class CRSMismatchError(ArealError, ValueError):
    """Two inputs are in different coordinate reference systems."""


class LayerValidationError(ArealError, ValueError):
    """A layer breaks its declared schema (columns, dtypes, code lists, geometry type).

    Parameters
    ----------
    problems : list of str
        Every problem found, so the user sees them all at once.
    """

    def __init__(self, message: str, problems: list[str] | None = None, **kw):
        super().__init__(message, **kw)
        self.problems = list(problems or [])


class RuleError(ArealError, ValueError):
    """A rule, profile or indicator table (TOML) has an invalid entry."""


class GridMismatchError(ArealError, ValueError):
    """Arrays entering an overlay are not on the same analysis grid."""


class InputGeometryError(ArealError, ValueError):
    """A user-supplied geometry (upload, drawing) is unusable."""


class FetchError(ArealError, ConnectionError):
    """A download from an official service failed."""


class ScenarioSchemaError(ArealError, ValueError):
    """A stored scenario (or scenario store) has a schema version this program cannot read."""


class StoreError(ArealError, OSError):
    """A scenario store cannot be opened or written (bad URL, unreachable server, corrupt file)."""


class UploadError(InputGeometryError):
    """A user upload (GeoJSON, GeoPackage, zipped Shapefile) cannot be used as a site.

    Parameters
    ----------
    message : str
        What is wrong, naming the uploaded file (never a server path).
    key : str
        Short machine-readable reason (``"too_large"``, ``"too_many_vertices"``, ``"format"``,
        ``"broken"``, ``"empty"``, ``"no_crs"``, ``"geometry_type"``), used by the app to pick a
        translated message.
    details : dict, optional
        Values for the translated message (file name, sizes, limits).
    """

    key: str  # always set: the reason, with a default

    def __init__(
        self, message: str, key: str = "broken", details: dict | None = None, params: dict | None = None
    ):
        super().__init__(message, key=key, params={**(details or {}), **(params or {})})


class UploadTooLargeError(UploadError):
    """An upload above the byte or vertex limit of the current mode."""


class InputFileError(LayerReadError):
    """A user's input file (upload or CLI argument) is refused or cannot be read.

    Parameters
    ----------
    message : str
        One line naming the file and the problem (never a server path for uploads).
    key : str
        Machine-readable reason, used by the app to pick a translated message: ``"format"``,
        ``"broken"``, ``"empty"``, ``"too_large"``, ``"unsafe"``, ``"zip"``, ``"ambiguous"``,
        ``"crs"``, ``"no_crs"``, ``"not_regular"``, ``"non_finite"``.
    details : dict, optional
        Values for the translated message.
    """

    key: str  # always set: the reason, with a default

    def __init__(
        self, message: str, key: str = "broken", details: dict | None = None, params: dict | None = None
    ):
        super().__init__(message, key=key, params={**(details or {}), **(params or {})})


class ImplausibleLocationError(InputGeometryError):
    """Coordinates that cannot be meant: swapped axes, far outside Norway, or the whole globe.

    ``key`` is ``"swapped"``, ``"outside"`` or ``"whole_globe"``; ``details`` holds the values
    the message names.
    """

    key: str  # always set: the reason, with a default

    def __init__(
        self, message: str, key: str = "outside", details: dict | None = None, params: dict | None = None
    ):
        super().__init__(message, key=key, params={**(details or {}), **(params or {})})


class BudgetExceededError(ArealError, TimeoutError):
    """Work refused or stopped because it exceeds the operation's point, vertex or time budget."""

    key: str  # always set: the reason, with a default

    def __init__(
        self, message: str, key: str = "budget", details: dict | None = None, params: dict | None = None
    ):
        super().__init__(message, key=key, params={**(details or {}), **(params or {})})


@contextmanager
def adding(**params: object) -> Iterator[None]:
    """Add ``params`` to any :class:`ArealError` raised inside (values it does not have yet).

    A reader names the user's file once (``adding(path=...)``) and every error of the file, raised
    deep inside, carries it for the translated message.

    >>> try:
    ...     with adding(path="a.gpkg"):
    ...         raise InputFileError("a.gpkg: broken", "broken")
    ... except InputFileError as exc:
    ...     exc.params["path"]
    'a.gpkg'
    """
    try:
        yield
    except ArealError as exc:
        for k, v in params.items():
            exc.params.setdefault(k, v)
        raise
