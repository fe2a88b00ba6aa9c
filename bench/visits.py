"""Realistic visit ops, as tablets push them (synthetic residents and notes)."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone





# ---- realistic visits -------------------------------------------------------------------------

NOTES = ["老人精神不错，血压正常，已提醒按时吃药。", "独居，燃气报警器电池快没电了，已登记更换。",
         "说腿有点疼，约了社区医生下周上门。", "子女不在身边，帮忙代买了米和油。",
         "情绪低落，陪聊了二十分钟，下周再来看看。", "烟感正常，家里收拾得很干净。",
         "血糖偏高，提醒少吃甜食，已告知家属。", "需要帮忙办理高龄补贴，已转社区。"]
MOODS = ("good", "ok", "low")
NEEDS = ("meals", "medicine", "errands", "cleaning", "repairs", "medical", "company")
SERVICES = ("chat", "health_check", "errand_run", "meal_delivered", "device_check")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "玉珍", "淑芬", "德华", "建国", "国强", "凤英", "志明", "丽华", "春梅", "金花"]


def visit_data(rng: random.Random, resident_id: str) -> dict:
    """What a volunteer records at a door: readings, mood, needs, services, a short note."""
    if rng.random() < 0.1:
        return {"resident_id": resident_id, "outcome": "no_answer"}
    data = {"resident_id": resident_id, "outcome": "met",
            "readings": {"systolic": rng.randint(112, 158), "diastolic": rng.randint(66, 96),
                         "pulse": rng.randint(58, 96)},
            "mood": rng.choice(MOODS), "services": rng.sample(SERVICES, rng.randint(1, 2)),
            "safety_checks": {"smoke_detector": "ok", "fall_alarm": rng.choice(("ok", "ok",
                                                                               "faulty"))},
            "note": rng.choice(NOTES)}
    needs = rng.sample(NEEDS, rng.randint(0, 2))
    if needs:
        data["needs"] = needs
    return data


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def visit_ops(rng: random.Random, grid_id: int, resident_ids: list[str], count: int,
              first_seq: int = 1, start: datetime | None = None) -> list[dict]:
    """``count`` visit ops of one device, in its order, device times a few seconds apart."""
    start = start or datetime.now(timezone.utc) - timedelta(days=1)
    return [{"op_id": str(uuid.uuid4()), "seq": first_seq + i, "entity": "visit",
             "action": "create", "entity_id": str(uuid.uuid4()), "grid_id": grid_id,
             "device_time": iso(start + timedelta(seconds=3 * i)),
             "data": visit_data(rng, rng.choice(resident_ids))} for i in range(count)]


def gzip_json(body: dict) -> bytes:
    from client.transport import encode_body
    return encode_body(body)
