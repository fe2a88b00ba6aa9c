"""The demo's history: visits and case notes drawn for every resident up to today, and the
whole plan (:func:`build_plan`)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from shared import protocol as p
from shared.clock import utcnow
from shared.district_rules import follows_up
from shared.due import cadence_days

from .. import district
from .plan import (Plan, PlannedNote, PlannedVisit, _Draw, _plan_areas, _plan_people,
                   _plan_residents)
from .words import (AWAY_REASONS, CASE_NOTES, CHECKLIST_NOTES, DEFAULT_RANDOM_SEED,
                    EMERGENCY_ACTIONS, HISTORY_DAYS, VISIT_NOTES)


def build_plan(random_seed: int = DEFAULT_RANDOM_SEED, now: datetime | None = None) -> Plan:
    """The whole demo as data: no database, so it is cheap to compare for determinism."""
    now = (now or utcnow()).replace(microsecond=0)
    draw = _Draw(random_seed)
    plan = Plan()
    _plan_areas(plan)
    _plan_people(plan, draw)
    _plan_residents(plan, draw, now)
    _plan_history(plan, draw, now)
    return plan


def _office_hours(draw: _Draw, day: date, now: datetime) -> datetime:
    """A moment on ``day`` between 8:30 and 17:30 China time, never in the future."""
    minutes = draw.rng.randint(8 * 60 + 30, 17 * 60 + 30)
    moment = datetime.combine(day, time(minutes // 60, minutes % 60),
                              district.district_zone()).astimezone(timezone.utc)
    return min(moment, now - timedelta(minutes=draw.rng.randint(20, 90)))


def _plan_history(plan: Plan, draw: _Draw, now: datetime) -> None:
    rng = draw.rng
    today = district.today(now)
    workers_of: dict[str, list[str]] = {}
    for person in plan.people:
        if person.role in p.FIELD_ROLES:
            for key in person.areas:
                workers_of.setdefault(key, []).append(person.username)

    for index, resident in enumerate(plan.residents):
        fields = resident.fields
        workers = workers_of[resident.grid]
        if fields["risk_tier"] == "high" and rng.random() < 0.3:
            plan.pairings.append((index, rng.choice(workers)))  # 结对帮扶
        cadence = cadence_days(fields["care_categories"], fields["birth_year"],
                               fields["visit_cadence_days"], today, fields["risk_tier"])
        alone = follows_up(fields["care_categories"], fields["birth_year"], fields["risk_tier"],
                           today)
        roll = rng.random()
        # The state the history leads up to today.
        if roll < 0.07:
            kind = "overdue"
            last_met_days = cadence + rng.randint(3, 12)
        elif alone and roll < 0.07 + 0.12:
            kind = "follow_up"  # the last knock went unanswered
            last_met_days = rng.randint(max(2, cadence - 3), cadence + 4)
        elif roll < 0.22:
            kind = "hospitalised" if rng.random() < 0.15 else "normal"
            last_met_days = rng.randint(0, min(cadence, HISTORY_DAYS))
        else:
            kind = "normal"
            last_met_days = rng.randint(0, min(cadence, HISTORY_DAYS))

        days = []  # (days ago, outcome)
        if kind == "hospitalised":
            days.append((rng.randint(1, 4), p.HOSPITALISED))
            last_met_days += 5
        elif kind == "follow_up":
            days.append((rng.randint(1, max(1, last_met_days - 1)), p.NO_ANSWER))
        days.append((last_met_days, p.MET))
        ago = last_met_days
        while True:
            ago += cadence + rng.randint(-1, 2)
            if ago > HISTORY_DAYS:
                break
            roll = rng.random()
            if roll < (0.08 if alone else 0.04):
                # Nobody answered; the worker came back a day or two later and met them.
                days.append((ago, p.MET))
                days.append((ago + rng.randint(1, 2), p.NO_ANSWER))
                ago += 2
            elif roll < 0.12:
                days.append((ago, p.AWAY))
            elif roll < 0.123:
                days.append((ago, p.EMERGENCY))  # found unwell and dealt with at once
            else:
                days.append((ago, p.MET))
        if kind == "hospitalised":
            fields["status"] = "hospitalised"

        baseline = rng.randint(118, 150) + (10 if fields["care_notes"] and "高血压"
                                            in fields["care_notes"] else 0)
        for ago, outcome in sorted(days, key=lambda item: -item[0]):
            if ago > HISTORY_DAYS + 7:
                continue
            visited_at = _office_hours(draw, today - timedelta(days=ago), now)
            recorded_at = min(now, visited_at + timedelta(minutes=rng.randint(5, 600)))
            plan.visits.append(PlannedVisit(
                index, rng.choice(workers), visited_at, recorded_at, outcome,
                _visit_details(draw, fields, outcome, baseline), draw.uuid()))

        if draw.chance(0.12):
            written_at = _office_hours(draw, today - timedelta(days=rng.randint(0, HISTORY_DAYS)),
                                       now)
            plan.notes.append(PlannedNote(index, rng.choice(workers), written_at,
                                          rng.choice(CASE_NOTES), draw.uuid()))


def _visit_details(draw: _Draw, fields: dict, outcome: str, baseline: int) -> dict:
    """What a worker records at the door; empty values left out, as the push path does."""
    rng = draw.rng
    details: dict = {}
    if outcome == p.AWAY:
        details["away_reason"] = rng.choice(AWAY_REASONS[:3])
        return details
    if outcome == p.HOSPITALISED:
        details["away_reason"] = "住院治疗"
        details["note"] = "邻居说老人前几天住进了市人民医院,已联系家属。"
        return details
    if outcome == p.NO_ANSWER:
        if draw.chance(0.5):
            details["note"] = rng.choice(["敲门无人应答,电话也没接,明天再来。",
                                          "敲门没人开,已给子女打电话。",
                                          "家里没人,邻居说可能去买菜了。"])
        return details
    if outcome == p.EMERGENCY:
        details["emergency_action"] = rng.choice(EMERGENCY_ACTIONS)
        details["checklist"] = {"health": "老人说头晕胸闷，站不稳。"}
        details["services"] = ["referral"]
        return details
    # High-risk residents are seen at the door; others are sometimes called instead.
    method = p.DOOR if fields["risk_tier"] == "high" else rng.choices(
        (p.DOOR, "phone", "video"), (80, 16, 4))[0]
    if method != p.DOOR:
        details["method"] = method
        details["mood"] = rng.choices(p.MOODS, [6, 3, 1])[0]
        details["services"] = ["chat"]
        if draw.chance(0.3):
            details["advice"] = [rng.choice(p.ADVICE)]
        return details
    if draw.chance(0.35):
        details["advice"] = rng.sample(p.ADVICE, rng.randint(1, 2))
    if draw.chance(0.08):
        item, text = rng.choice(CHECKLIST_NOTES)
        details["checklist"] = {item: text}
    services = ["chat"]
    if draw.chance(0.8):
        systolic = max(95, min(200, int(rng.gauss(baseline, 9))))
        diastolic = max(55, min(systolic - 25, int(rng.gauss(systolic * 0.6, 6))))
        details["readings"] = {"systolic": systolic, "diastolic": diastolic,
                               "pulse": rng.randint(58, 96)}
        services.append("health_check")
    details["mood"] = rng.choices(p.MOODS, [6, 3, 1])[0]
    if draw.chance(0.25):
        needs = rng.sample(p.NEEDS, rng.randint(1, 2))
        details["needs"] = needs
        if "meals" in needs:
            services.append("meal_delivered")
        if "errands" in needs or "medicine" in needs:
            services.append("errand_run")
        if "repairs" in needs and draw.chance(0.5):
            services.append("repair_done")
        if "medical" in needs:
            services.append("referral")
    if fields["safety_devices"] and draw.chance(0.35):
        details["safety_checks"] = {device: ("faulty" if draw.chance(0.05) else "ok")
                                    for device in fields["safety_devices"]}
        services.append("device_check")
    details["services"] = services
    systolic = details.get("readings", {}).get("systolic", 0)
    if systolic >= 150 and draw.chance(0.7):
        details["note"] = "血压偏高,提醒按时吃药,少吃咸。"
    elif "meal_delivered" in services and draw.chance(0.5):
        details["note"] = "冰箱里菜不多,已联系社区食堂送餐。"
    elif draw.chance(0.3):
        details["note"] = rng.choice(VISIT_NOTES)
    return details
