"""Credentials for the services that need them, from environment variables or a config file.

* **Norge digitalt** (the national plan database's OGC API Features, FKB data): a user name and
  password, ``AREAL_NORGE_DIGITALT_USER`` / ``AREAL_NORGE_DIGITALT_PASSWORD``;
* **Geonorge GeoID** (orders of FKB-AR5 through the download API): a token, ``AREAL_GEOID_TOKEN``.

Environment variables win; otherwise the ``[credentials]`` table of ``<data dir>/fetch.toml`` or
of ``$AREAL_CREDENTIALS_FILE``::

    [credentials.norge_digitalt]
    user = "..."
    password = "..."

    [credentials.geoid]
    token = "..."

A secret is never logged or shown: :class:`Credentials` masks it in ``repr`` and ``str``, and the
fetch messages name the variable to set, never its value.
"""

from __future__ import annotations

import base64
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from areal.geo.errors import FetchError

SERVICES: dict[str, dict[str, str]] = {
    "norge_digitalt": {
        "title": "Norge digitalt (Nasjonal arealplanbase, FKB)",
        "user_env": "AREAL_NORGE_DIGITALT_USER",
        "password_env": "AREAL_NORGE_DIGITALT_PASSWORD",
        "how": "access comes with a Norge digitalt membership (municipalities, county, state agencies): "
        "ask your organisation's Geonorge contact, see https://www.geonorge.no/samarbeid/norge-digitalt/",
    },
    "geoid": {
        "title": "Geonorge GeoID (nedlasting av FKB-data)",
        "token_env": "AREAL_GEOID_TOKEN",
        "how": "log in at https://www.geonorge.no with a GeoID (BAAT) user that has FKB access and "
        "create a download token",
    },
}


@dataclass(frozen=True)
class Credentials:
    """A user/password or a token for one service; the secret is never shown."""

    service: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    source: str = ""

    def __repr__(self) -> str:
        have = "token" if self.token else ("user/password" if self.password else "nothing")
        return f"Credentials({self.service!r}, {have} from {self.source or 'nowhere'})"

    __str__ = __repr__

    @property
    def present(self) -> bool:
        """True when there is something to authenticate with."""
        return bool(self.token or (self.user and self.password))

    def headers(self) -> dict[str, str]:
        """HTTP headers: ``Authorization: Basic`` for user/password, ``Bearer`` for a token.

        >>> Credentials("geoid", token="t0k").headers()
        {'Authorization': 'Bearer t0k'}
        >>> Credentials("norge_digitalt", user="u", password="p").headers()["Authorization"]
        'Basic dTpw'
        """
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user and self.password:
            raw = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {raw}"}
        return {}


def _config_files(data_dir: Path | None) -> list[Path]:
    out = []
    if os.environ.get("AREAL_CREDENTIALS_FILE"):
        out.append(Path(os.environ["AREAL_CREDENTIALS_FILE"]))
    if data_dir is not None:
        out.append(Path(data_dir) / "fetch.toml")
    return out


def get(service: str, data_dir: str | os.PathLike | None = None) -> Credentials:
    """The credentials of ``service`` (``"norge_digitalt"`` or ``"geoid"``); empty when none are set.

    >>> import os
    >>> os.environ["AREAL_GEOID_TOKEN"] = "secret"
    >>> c = get("geoid")
    >>> c.present, "secret" in repr(c)
    (True, False)
    >>> del os.environ["AREAL_GEOID_TOKEN"]
    """
    if service not in SERVICES:
        raise KeyError(f"unknown credential service {service!r}; known: {', '.join(SERVICES)}")
    spec = SERVICES[service]
    if "token_env" in spec and os.environ.get(spec["token_env"]):
        return Credentials(service, token=os.environ[spec["token_env"]], source=spec["token_env"])
    if "user_env" in spec and os.environ.get(spec["user_env"]) and os.environ.get(spec["password_env"]):
        return Credentials(
            service,
            user=os.environ[spec["user_env"]],
            password=os.environ[spec["password_env"]],
            source=f"{spec['user_env']}/{spec['password_env']}",
        )
    for path in _config_files(Path(data_dir) if data_dir is not None else None):
        if not path.is_file():
            continue
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise FetchError(f"credentials file {path} is not valid TOML: {exc}") from None
        entry = (doc.get("credentials") or {}).get(service) or {}
        if entry.get("token") or (entry.get("user") and entry.get("password")):
            return Credentials(
                service, entry.get("user"), entry.get("password"), entry.get("token"), source=str(path)
            )
    return Credentials(service)


def how_to_get(service: str) -> str:
    """One sentence: which variables to set and how to get access (no secret in it)."""
    spec = SERVICES[service]
    names = spec["token_env"] if "token_env" in spec else f"{spec['user_env']} and {spec['password_env']}"
    where = f"set {names} (or [credentials.{service}] in <data dir>/fetch.toml)"
    return f"{spec['title']}: {where}; {spec['how']}"


def refused(service: str, status: int, url: str, layer: str) -> FetchError:
    """The one clear message for HTTP 401/403: which service, why, how to get access."""
    spec = SERVICES[service]
    names = spec["token_env"] if "token_env" in spec else f"{spec['user_env']} / {spec['password_env']}"
    return FetchError(
        f"layer {layer!r}: {spec['title']} refused access (HTTP {status}) at {url}. "
        f"To get access, {how_to_get(service)}.",
        key="fetch_denied",
        params={
            "layer": layer,
            "service": spec["title"],
            "status": status,
            "url": url,
            "env": names,
            "auth": service,
        },
    )
