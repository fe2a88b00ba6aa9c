"""One config object, read from the environment with safe defaults."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from shared.district_day import DEFAULT_ZONE


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("KNOCKDOOR_DATA_DIR", "var"))
    return f"sqlite:///{(data_dir / 'knockdoor.db').as_posix()}"


@dataclass
class Config:
    DATABASE_URL: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_DATABASE_URL") or _default_database_url())
    #: Signs web sessions. Set it in production; the random default forgets sessions on restart.
    SECRET_KEY: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_SECRET_KEY") or secrets.token_hex(32))
    #: werkzeug method for password hashes: slow on purpose.
    PASSWORD_HASH_METHOD: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_PASSWORD_HASH", "scrypt"))
    LOGIN_MAX_FAILURES: int = field(default_factory=lambda: int(os.environ.get(
        "KNOCKDOOR_LOGIN_MAX_FAILURES", "5")))
    LOGIN_WINDOW_SECONDS: int = 15 * 60
    SESSION_COOKIE_SECURE: bool = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_SECURE_COOKIES", "0") == "1")
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    #: Largest compressed body accepted; decompressed bodies are capped by MAX_BODY_BYTES.
    MAX_CONTENT_LENGTH: int = 4 * 1024 * 1024
    BABEL_DEFAULT_LOCALE: str = "zh_CN"
    #: The district's time zone (IANA name): every calendar day and every time a person reads.
    TIMEZONE: str = field(default_factory=lambda: os.environ.get(
        "KNOCKDOOR_TIMEZONE") or DEFAULT_ZONE)
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
