"""The district on the server: its configured zone (``KNOCKDOOR_TIMEZONE``) and today, and its
visiting rules (``KNOCKDOOR_DISTRICT_RULES``).

Every calendar question the server asks goes through here; the rules themselves are the pure
helpers of :mod:`shared.district_day`.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from shared.clock import utcnow
from shared.district_day import district_today, zone_named
from shared.district_rules import DEFAULT_RULES, DistrictRules, RulesError, rules_from_dict

from .config import Config


def zone_name() -> str:
    """The configured zone's name: the app's when there is one, else the environment's."""
    if has_app_context():
        return current_app.config.get("TIMEZONE") or Config().TIMEZONE
    return Config().TIMEZONE


def district_zone() -> ZoneInfo:
    return zone_named(zone_name())


def today(now: datetime | None = None) -> date:
    """The district's date at ``now`` (default: the current instant)."""
    return district_today(now or utcnow(), district_zone())


def load_rules(setting) -> DistrictRules:
    """The district's rules from a setting: None (the defaults), rules already read, a dict, or
    the path of a JSON file. Raises RulesError naming the file and the bad setting."""
    if setting is None or setting == "":
        return DEFAULT_RULES
    if isinstance(setting, DistrictRules):
        return setting
    if isinstance(setting, dict):
        return rules_from_dict(setting)
    path = Path(str(setting))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RulesError(f"KNOCKDOOR_DISTRICT_RULES: cannot read {path.name} as JSON "
                         f"({error}).") from None
    try:
        return rules_from_dict(data)
    except RulesError as error:
        raise RulesError(f"{path.name}: {error}") from None


def rules() -> DistrictRules:
    """The district's rules: the app's, or (outside a request) the environment's."""
    if has_app_context():
        configured = current_app.config.get("DISTRICT_RULES")
        if isinstance(configured, DistrictRules):
            return configured
        return load_rules(configured)
    return load_rules(Config().DISTRICT_RULES)
