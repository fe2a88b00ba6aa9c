"""The district's visiting rules on the tablet: kept as the server last sent them (every pull
carries them), the defaults until then. The rules themselves are shared/district_rules.py."""
from __future__ import annotations

import json
from datetime import date
from typing import Callable

from shared.clock import utcnow
from shared.district_day import district_today, zone_or_default
from shared.district_rules import DEFAULT_RULES, DistrictRules, RulesError, follows_up
from shared.district_rules import rules_from_dict

#: Meta keys: the district's rules (JSON) and its zone (the same key client.sync writes).
RULES_META = "district_rules"
ZONE_META = "district_zone"


def rules_from_text(text: str | None) -> DistrictRules:
    """Rules as stored; unreadable or missing ones are the defaults (never a crash)."""
    if not text:
        return DEFAULT_RULES
    try:
        return rules_from_dict(json.loads(text))
    except (ValueError, RulesError, TypeError):
        return DEFAULT_RULES


def follow_up_rule(rules: DistrictRules, today: date) -> Callable[[dict], bool]:
    """Whether a no-answer at the door of the resident of ``record`` opens a follow-up."""
    def follows(record: dict) -> bool:
        return follows_up(record.get("care_categories"), record.get("birth_year"),
                          record.get("risk_tier"), today, rules)
    return follows


def rule_from_meta(get_meta: Callable[[str], str | None]) -> Callable[[dict], bool]:
    today = district_today(utcnow(), zone_or_default(get_meta(ZONE_META)))
    return follow_up_rule(rules_from_text(get_meta(RULES_META)), today)
