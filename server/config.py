"""One config object, read from the environment with safe defaults."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from shared.district_day import DEFAULT_ZONE
from shared.protocol import MAX_BODY_BYTES, MAX_WIRE_BYTES


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("KNOCKDOOR_DATA_DIR", "var"))
    return f"sqlite:///{(data_dir / 'knockdoor.db').as_posix()}"


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return value


@dataclass
class Config:
    DATABASE_URL: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_DATABASE_URL") or _default_database_url())
    #: Signs web sessions. Set it in production; the random default forgets sessions on restart.
    SECRET_KEY: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_SECRET_KEY") or secrets.token_hex(32))
    #: Key of the ID-number hashes (docs/security.md). Set it once and never change it: the
    #: hashes of residents imported before would no longer match. Unset: SECRET_KEY.
    ID_HASH_KEY: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_ID_HASH_KEY", ""))
    #: werkzeug method for password hashes: slow on purpose.
    PASSWORD_HASH_METHOD: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_PASSWORD_HASH", "scrypt"))
    #: Failed sign-ins of one account (from anywhere) per window before that account waits.
    LOGIN_MAX_FAILURES: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_LOGIN_MAX_FAILURES", 5))
    #: Failed sign-ins from one client address (any accounts) per window before it waits.
    LOGIN_MAX_FAILURES_PER_ADDRESS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_LOGIN_MAX_FAILURES_PER_ADDRESS", 20))
    LOGIN_WINDOW_SECONDS: int = 15 * 60
    #: A device token unused for this many days stops working (the tablet signs in again,
    #: keeping its unsent work).
    DEVICE_TOKEN_IDLE_DAYS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_DEVICE_TOKEN_IDLE_DAYS", 30))
    #: A device token older than this is replaced by a new one at the tablet's next renewal.
    DEVICE_TOKEN_ROTATE_DAYS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_DEVICE_TOKEN_ROTATE_DAYS", 7))
    #: How long the replaced token keeps working, for a renewal whose answer was lost.
    DEVICE_TOKEN_GRACE_HOURS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_DEVICE_TOKEN_GRACE_HOURS", 72))
    #: The tablet policy sent to every tablet (docs/app.md): PIN lock and the stale-tablet rule.
    TABLET_PIN_IDLE_MINUTES: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_TABLET_PIN_IDLE_MINUTES", 5))
    TABLET_PIN_ATTEMPTS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_TABLET_PIN_ATTEMPTS", 5))
    TABLET_LOCK_AFTER_DAYS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_TABLET_LOCK_AFTER_DAYS", 14))
    TABLET_WIPE_AFTER_DAYS: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_TABLET_WIPE_AFTER_DAYS", 60))
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none,
    #: the connecting address is the client's). Never more than there really are: a client
    #: could otherwise choose its own address.
    TRUSTED_PROXIES: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_TRUSTED_PROXIES", 0, minimum=0))
    #: Secure (HTTPS-only) cookies unless turned off, as `make demo` and the tests do.
    SESSION_COOKIE_SECURE: bool = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_SECURE_COOKIES", "1") != "0")
    #: A web session ends after this long without a click, and at sign-out.
    WEB_SESSION_IDLE_MINUTES: int = field(default_factory=lambda: _int_env(
        "KNOCKDOOR_WEB_SESSION_IDLE_MINUTES", 30))
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    #: Largest body accepted on the wire, compressed or not (shared.protocol.MAX_WIRE_BYTES).
    MAX_WIRE_BYTES: int = MAX_WIRE_BYTES
    #: Largest body once inflated (Flask applies it after server.compression has inflated a
    #: gzip body, so it must be the inflate limit, not the wire limit).
    MAX_CONTENT_LENGTH: int = MAX_BODY_BYTES
    BABEL_DEFAULT_LOCALE: str = "zh_CN"
    #: The district's time zone (IANA name): every calendar day and every time a person reads.
    TIMEZONE: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_TIMEZONE") or DEFAULT_ZONE)
    #: The district's visiting rules (care categories, cadence per risk tier, follow-ups, which
    #: methods count, reading thresholds): a JSON file, see docs/operations.md. Unset: defaults.
    DISTRICT_RULES: str | None = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_DISTRICT_RULES") or None)
    TESTING: bool = False

    # flask-smorest / OpenAPI
    API_TITLE: str = "Knockdoor"
    API_VERSION: str = "v1"
    OPENAPI_VERSION: str = "3.0.3"
    OPENAPI_URL_PREFIX: str = "/api"
    OPENAPI_JSON_PATH: str = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH: str = "/docs"
    #: Served by the app itself (see server.api.docs): the office intranet has no internet.
    OPENAPI_SWAGGER_UI_URL: str = "/api/swagger-ui/"

    def as_flask(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
