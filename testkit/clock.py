"""Clocks for tests: no test may depend on the hour at which it runs (docs/design.md §4a).

``AROUND_MIDNIGHT`` are the instants at which the time-sensitive tests run: either side of the
district's midnight (16:00 UTC in China) and either side of UTC's. ``KNOCKDOOR_TEST_FROZEN_AT``
(an ISO instant) makes every test, and every Python process the tests start, begin at that
instant with the clock ticking on from there (see tests/conftest.py and
testkit/frozen_clock/sitecustomize.py): ``make test`` shows it passes whatever the wall clock says.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from shared.clock import utcnow
from shared.district_day import DEFAULT_ZONE, district_today, zone_named

FROZEN_AT_ENV = "KNOCKDOOR_TEST_FROZEN_AT"
CHINA = zone_named(DEFAULT_ZONE)
#: Sunday 29 November 2026 to Monday 30 November, a week's boundary too: 15:59 and 16:01 UTC
#: are 23:59 on Sunday and 00:01 on Monday in China; 23:59 and 00:01 UTC are either side of
#: UTC's midnight (07:59 and 08:01 on Monday in China).
AROUND_MIDNIGHT = ("2026-11-29T15:59:00Z", "2026-11-29T16:01:00Z",
                   "2026-11-29T23:59:00Z", "2026-11-30T00:01:00Z")
#: Put first on a subprocess's PYTHONPATH so that it starts at the frozen instant too.
SITE_DIR = Path(__file__).resolve().parent / "frozen_clock"


def today_in_china() -> date:
    """The district's today at the (possibly frozen) current instant."""
    return district_today(utcnow(), CHINA)


def frozen_at() -> str | None:
    return os.environ.get(FROZEN_AT_ENV) or None


def subprocess_pythonpath(*paths: str) -> str:
    """PYTHONPATH for a Python process a test starts: the frozen clock's site first when the
    run is frozen, then ``paths``."""
    return os.pathsep.join(([str(SITE_DIR)] if frozen_at() else []) + [str(p) for p in paths])
