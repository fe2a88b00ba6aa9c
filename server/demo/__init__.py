"""The demo district: 华龙区 as a supervisor would recognise it.

``knockdoor seed --demo`` calls :func:`seed_demo`: four streets (街道), ten communities (社区),
26 grids (网格) and about 1,400 elderly residents with the shape of a real care roster (mostly
women, born 1930–1960, a third living alone), the knock-door teams assigned to the grids, and
five weeks of visit history, so that the tablets and the supervisor pages have something true
to show on the first morning: who is overdue, whose door stayed shut, who needs meals.

Everything is drawn from one :class:`random.Random` seeded with ``random_seed``, so the same seed
gives the same district, people, roster and history (relative to the day it is seeded). The ids
of residents are made by :func:`server.sync.edits.create_residents` and differ from run to run;
visit and note ids are drawn from the seed.

Residents go in through ``create_residents`` and visits through :class:`ChangeBatch`, in a few
large batches, so every record is in the change log exactly as if it had been synced, and the
whole district seeds in a few seconds.

The package: :mod:`.words` (places, names, notes), :mod:`.plan` (areas, people, roster),
:mod:`.history` (visits and notes; :func:`build_plan`), :mod:`.seed` (writing it, wiping).
"""
from __future__ import annotations

from .history import build_plan
from .plan import (Plan, PlannedArea, PlannedNote, PlannedPerson, PlannedResident,
                   PlannedVisit, field_usernames)
from .seed import (DemoDataExists, DemoSummary, Login, display_width, has_data, pad,
                   seed_demo, wipe)
from .words import (DEFAULT_RANDOM_SEED, DEMO_PASSWORD, DEMO_PASSWORD_HASH, DISTRICT_CODE,
                    DISTRICT_NAME, HISTORY_DAYS, STREETS, SURNAMES)

__all__ = ["DEFAULT_RANDOM_SEED", "DEMO_PASSWORD", "DEMO_PASSWORD_HASH", "DISTRICT_CODE",
           "DISTRICT_NAME", "HISTORY_DAYS", "STREETS", "SURNAMES", "DemoDataExists",
           "DemoSummary", "Login", "Plan", "PlannedArea", "PlannedNote", "PlannedPerson",
           "PlannedResident", "PlannedVisit", "build_plan", "display_width", "field_usernames",
           "has_data", "pad", "seed_demo", "wipe"]
