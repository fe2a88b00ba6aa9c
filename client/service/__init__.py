"""What the app offers a volunteer, with no Kivy in it: sign in, lists, records, sync.

Every command writes locally and returns at once; sync happens separately (``sync``), and is
meant to run off the UI thread. Methods are safe to call from two threads.
"""
from __future__ import annotations

from ..lock import InvalidPin
from ..sync import DeviceWiped, SignInRequired, SyncProgress, SyncReport, UpgradeRequired
from .field import FieldService
from .models import (Account, InvalidInput, ResidentDetail, ResidentSummary, SignInError,
                     UnsentChanges)

__all__ = ["FieldService", "SignInError", "InvalidInput", "UnsentChanges", "DeviceWiped",
           "SignInRequired", "UpgradeRequired", "InvalidPin", "SyncReport", "SyncProgress",
           "ResidentSummary", "ResidentDetail", "Account"]
