"""Imported at start-up by every Python process whose PYTHONPATH starts here (tests only):
with KNOCKDOOR_TEST_FROZEN_AT set, the process's clock starts at that instant and ticks on, so a
live server or app under test lives at the same hour as the test that started it."""
import os

_at = os.environ.get("KNOCKDOOR_TEST_FROZEN_AT")
if _at:
    try:
        import time_machine
    except ImportError:  # a process without the dev extras: nothing to freeze with
        pass
    else:
        time_machine.travel(_at, tick=True).start()
