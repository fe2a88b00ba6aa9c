"""What shows while the tablet's database opens."""
from __future__ import annotations

from .base import AppScreen


class StartScreen(AppScreen):
    pass
