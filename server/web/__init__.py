"""Supervisor web view (server-rendered pages)."""
from __future__ import annotations

from flask import Flask


def init_web(app: Flask) -> None:
    """Registers the supervisor pages."""
