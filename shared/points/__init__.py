"""Duty points (履职积分): rules as data, a ledger computed from synced facts (docs/points.md).

Pure: no I/O, Flask or Kivy, so the tablet shows a person the same figure offline as the
server once they have synced."""
from .facts import (
                    ASSIGNED,
                    NOT_SATISFIED,
                    PARTLY,
                    RAISED,
                    RESOLVED,
                    SATISFIED,
                    VERDICT,
                    Adjustment,
                    Entry,
                    PointsResident,
                    PointsVisit,
                    RequestEvent,
)
from .ledger import Ledger, compute_ledger
from .rules import (
                    RuleBook,
                    RuleError,
                    RuleSet,
                    add_version,
                    default_rules,
                    rules_from_dict,
                    rules_to_dict,
)
from .totals import totals

__all__ = ["ASSIGNED", "NOT_SATISFIED", "PARTLY", "RAISED", "RESOLVED", "SATISFIED", "VERDICT",
           "Adjustment", "Entry", "Ledger", "PointsResident", "PointsVisit", "RequestEvent",
           "RuleBook", "RuleError", "RuleSet", "add_version", "compute_ledger", "default_rules",
           "rules_from_dict", "rules_to_dict", "totals"]
