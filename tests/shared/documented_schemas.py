"""What the wire schemas are documented to take (docs/sync-protocol.md, DESIGN.md §4): a valid
document of each with every field set, and the ranges, lengths, required and nullable fields the
schemas must declare (held to by test_schema_contract.py; a new resident field is added here)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from shared import protocol as p
from shared import schemas as s
from shared.clock import utcnow

RESIDENT_ID = "3f1c2b7e-8a9d-4c1e-9b2a-6d5e4f3a2b1c"


def full_resident() -> dict:
    return {"name": "张桂兰", "sex": "F", "birth_year": 1941,
            "address": "建设路51号院2号楼4单元202", "phone": "13800001234",
            "emergency_contact": "王建国（儿子）", "emergency_phone": "0393-4412345",
            "care_categories": ["alone"], "ability_level": "mild",
            "ability_assessed_on": "2026-03-02", "ability_assessor": "社区卫生服务中心 王医生",
            "risk_tier": "key", "risk_reason": "独居", "visit_cadence_days": 7,
            "safety_devices": ["fall_alarm"],
            "device_details": {"fall_alarm": {"installed_on": "2025-06-01",
                                              "alarm_to": "王建国（儿子）"}},
            "care_notes": "右腿不便，敲门要多等一会儿", "status": "active"}


def full_visit() -> dict:
    return {"resident_id": RESIDENT_ID, "outcome": "met", "away_reason": None,
            "readings": {"systolic": 135, "diastolic": 85, "pulse": 72, "blood_sugar": 6.1,
                         "temperature": 36.6},
            "mood": "good", "needs": ["meals"], "services": ["chat"], "method": "door",
            "checklist": {"home_safety": "插座发烫，已报修"}, "advice": ["anti_fraud"],
            "emergency_action": "测得血压偏高，已让其休息后复测并告知女儿",
            "safety_checks": {"fall_alarm": "ok"}, "note": "一切都好",
            "follow_up_on": "2026-12-03", "corrects": None, "correction": None}


def full_note() -> dict:
    return {"resident_id": RESIDENT_ID, "text": "需要帮忙买降压药", "corrects": None,
            "correction": None}


def op_with(entity: str, action: str, data: dict) -> dict:
    op = {"op_id": str(uuid.uuid4()), "seq": 7, "entity": entity, "action": action,
          "entity_id": str(uuid.uuid4()), "grid_id": 3, "device_time": "2026-11-27T09:00:00+08:00",
          "data": data}
    op["base_version"] = 12 if action == "update" else None
    return op


BIG = 2**62
DOCUMENTED_RANGES = {
    # up to this year anywhere on Earth (a zone is at most 14 hours ahead of UTC)
    "resident:birth_year": (1900, (utcnow() + timedelta(hours=14)).year),
    "resident:visit_cadence_days": (1, 90),
    "visit:readings.systolic": (50, 260), "visit:readings.diastolic": (30, 160),
    "visit:readings.pulse": (25, 220), "visit:readings.blood_sugar": (1.0, 35.0),
    "visit:readings.temperature": (33.0, 43.0), "op:seq": (1, BIG), "op:grid_id": (1, 2**31 - 1),
    # a tablet whose clock reset to 1970 still delivers; year 1 or 9999 is refused
    "op:device_time": (datetime(1970, 1, 1, tzinfo=timezone.utc),
                       datetime(2199, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    "push:device_time": (datetime(1970, 1, 1, tzinfo=timezone.utc),
                         datetime(2199, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    "visit:follow_up_on": (date(1970, 1, 1), date(2199, 12, 31)),
    "op:base_version": (0, BIG), "pull:limit": (1, p.MAX_PULL_LIMIT),
    "sync_state:seen_position": (0, BIG), "sync_state:acked_seq": (0, BIG),
}
#: (shortest, longest); 0: may be empty.
DOCUMENTED_LENGTHS = {
    "resident:name": (1, 40), "resident:address": (1, 120), "resident:emergency_contact": (0, 40),
    "resident:care_categories": (0, len(p.CARE_CATEGORIES)),
    "resident:ability_assessor": (0, 40), "resident:risk_reason": (0, 200),
    "visit:advice": (0, len(p.ADVICE)), "visit:emergency_action": (0, 500),
    "resident:safety_devices": (0, len(p.SAFETY_DEVICES)), "resident:care_notes": (0, 2000),
    "visit:away_reason": (0, 200), "visit:needs": (0, 20), "visit:services": (0, 20),
    "visit:note": (0, 2000), "note:text": (0, 4000), "login:app_version": (0, 40),
    "login:username": (1, 64), "login:password": (1, 256), "login:device_name": (1, 80),
    "pull:app_version": (0, 40), "pull:cursor": (0, 20000), "push:app_version": (0, 40),
    "push:ops": (0, p.MAX_OPS_PER_PUSH), "sync_state:app_version": (0, 40),
    "sync_state:epoch": (0, 36),
}
DOCUMENTED_REQUIRED = {
    "resident:name", "resident:sex", "resident:birth_year", "resident:address",
    "visit:resident_id", "note:resident_id", "op:op_id", "op:seq", "op:entity", "op:action",
    "op:entity_id", "op:grid_id", "op:device_time", "op:data", "login:protocol",
    "login:username", "login:password", "login:device_id", "login:device_name",
    "pull:protocol", "push:protocol", "push:ops", "sync_state:protocol",
}


DOCUMENTED_NULLABLE = {
    "login:app_version", "pull:app_version", "push:app_version", "pull:cursor",
    "push:device_time", "op:base_version", "resident:phone", "resident:emergency_contact",
    "resident:emergency_phone", "resident:visit_cadence_days", "resident:care_notes",
    "visit:outcome", "visit:away_reason", "visit:mood", "visit:note", "visit:follow_up_on",
    "visit:corrects", "visit:correction", "note:text", "note:corrects", "note:correction",
    "resident:ability_level", "resident:ability_assessed_on", "resident:ability_assessor",
    "resident:risk_tier", "resident:risk_reason", "visit:method", "visit:emergency_action",
    "sync_state:app_version", "sync_state:epoch",
}
#: What the server sends as null, so the published OpenAPI document must say so.
RESPONSES_WITH_NULL = {
    s.OpResultSchema: {"op_id", "seq", "version", "reason"}, s.GridStateSchema: {"digest", "facts_digest"},
    s.RenewResponseSchema: {"token"},
}

