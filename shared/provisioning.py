"""The sign-in a supervisor hands a new volunteer as a QR code: where the server is, and a short
one-time code (never the password). Pure: parse and format, no I/O.

Shape (a URI; every value percent-encoded)::

    knockdoor://provision?server=https%3A%2F%2Fknock.example.org&user=lixiaohong&code=7KQ2-M9PD

``server`` (required): the server's address, http or https. ``code`` (required): the one-time
sign-in code; the tablet sends it in place of the password to the ordinary sign-in, once, before
it expires (the server decides both). ``user`` (optional): the username, filled in for the
volunteer. Unknown parameters are ignored, so later versions may add some.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

SCHEME = "knockdoor"
ACTION = "provision"
MAX_LENGTH = 2000  # a QR code a tablet camera reads well holds far less


class ProvisioningError(ValueError):
    """``code``: not_provisioning, missing_server, bad_server, missing_code, too_long."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Provisioning:
    server: str
    code: str
    username: str | None = None


def looks_like_payload(text: str | None) -> bool:
    """Whether a scanned or typed text is meant as a provisioning payload (a server address
    typed by hand is not)."""
    return (text or "").strip().lower().startswith(f"{SCHEME}:")


def format_payload(server: str, code: str, username: str | None = None) -> str:
    query = f"server={quote(server, safe='')}"
    if username:
        query += f"&user={quote(username, safe='')}"
    query += f"&code={quote(code, safe='')}"
    return f"{SCHEME}://{ACTION}?{query}"


def _one(values: dict, name: str) -> str:
    found = values.get(name) or [""]
    return found[0].strip()


def parse_payload(text: str) -> Provisioning:
    """The provisioning in ``text``, or ProvisioningError naming what is wrong."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise ProvisioningError("too_long")
    parts = urlsplit(text)
    if parts.scheme.lower() != SCHEME or (parts.netloc or parts.path.strip("/")).lower() != ACTION:
        raise ProvisioningError("not_provisioning")
    values = parse_qs(parts.query, keep_blank_values=True)
    server = _one(values, "server").rstrip("/")
    if not server:
        raise ProvisioningError("missing_server")
    target = urlsplit(server)
    if target.scheme not in ("http", "https") or not target.hostname:
        raise ProvisioningError("bad_server")
    code = _one(values, "code")
    if not code:
        raise ProvisioningError("missing_code")
    return Provisioning(server=server, code=code, username=_one(values, "user") or None)
