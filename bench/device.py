"""A filled tablet for the app benchmark and the screenshots: a seeded server database, and a
real sync into the tablet's local store (in-process, over ``FlaskTransport``)."""
from __future__ import annotations

import random
import tempfile
from datetime import timedelta
from pathlib import Path

FAR_AWAY_SERVER = "http://127.0.0.1:9"  # nothing listens there: the app runs "offline"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["秀英", "桂兰", "玉珍", "淑芬", "利霞", "德华", "建国", "秀兰", "凤英", "国强", "玉兰",
         "明", "志刚", "春梅", "丽华", "文华", "金凤", "永福", "保国", "素珍"]
STREETS = ["长庆路", "华龙街", "建设路", "人民路", "中原路", "和平街", "光明路", "胜利街"]


# ---- filling a tablet ----------------------------------------------------------------------


def seed_server(url: str, residents: int, *, seed: int = 7, username: str = "volunteer1",
                password: str = "correct horse", grids: int = 2):
    """A migrated server database with one volunteer over ``grids`` grids and ``residents``
    residents spread across them. Returns (district, person) for further arranging."""
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.migrate import upgrade
    from server.sync.edits import create_residents
    from shared import protocol as p
    from testkit.factories import make_district, make_person

    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(seed)
    with Session(engine, expire_on_commit=False) as session:
        district = make_district(session, streets=1, communities=1, grids=grids)
        person = make_person(session, username, display_name="李晓红", areas=district.grids,
                             password=password)
        rows = []
        for index in range(residents):
            grid = district.grids[index % len(district.grids)]
            situation = rng.choice([[p.ALONE], [p.ALONE, p.DISABLED], [p.EMPTY_NEST],
                                    [], [p.EMPTY_NEST, p.DISABLED]])
            devices = rng.sample(list(p.SAFETY_DEVICES), rng.choice([0, 1, 2, 2, 3]))
            devices.sort(key=list(p.SAFETY_DEVICES).index)
            rows.append((grid.id, {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "sex": rng.choice("FM"),
                "birth_year": rng.randint(1930, 1955),
                "address": f"{rng.choice(STREETS)}{rng.randint(1, 99)}号院{rng.randint(1, 12)}"
                           f"号楼{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                "phone": f"13{rng.randint(100000000, 999999999)}",
                "emergency_contact": rng.choice(["女儿", "儿子", "侄子", "邻居"]) +
                rng.choice(SURNAMES) + "女士",
                "emergency_phone": f"15{rng.randint(100000000, 999999999)}",
                "care_categories": situation, "safety_devices": devices,
                "ability_level": rng.choice(list(p.ABILITY_LEVELS)),
                "care_notes": rng.choice(["", "高血压，每天早上服药。", "耳背，敲门要用力。",
                                          "糖尿病，注意饮食。", "腿脚不便，行动慢，多等一会儿。"]),
            }))
        create_residents(session, None, rows)
        session.commit()
    engine.dispose()
    return district, person


def flask_app(url: str):
    from server import create_app

    return create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


#: The unlock code of the benchmark's and the screenshots' tablets (client.lock).
UNLOCK_CODE = "4821"


def signed_in_service(data_dir: str | Path, app, *, username: str = "volunteer1",
                      password: str = "correct horse", device_name: str = "网格平板 A",
                      server_url: str = FAR_AWAY_SERVER):
    """A FieldService on ``data_dir`` signed in to ``app`` in-process and synced once."""
    from client.service import FieldService
    from client.transport import FlaskTransport

    service = FieldService(data_dir, transport_factory=lambda _url: FlaskTransport(app))
    service.sign_in(server_url, username, password, device_name)
    service.set_pin(UNLOCK_CODE)
    report = service.sync()
    assert report.ok, report.error
    return service


def record_history(service, *, seed: int = 11, share: float = 0.8) -> None:
    """Visits in the past few weeks for most residents, so the list has every due state.
    The device clock is moved back while recording (device time is what the server keeps),
    and set right again before syncing."""
    from shared import protocol as p
    from shared.clock import utcnow

    rng = random.Random(seed)
    now = utcnow()
    for summary in service.today_list():
        if rng.random() > share:
            continue
        days_ago = rng.choice([1, 3, 5, 6, 8, 10, 13, 16, 20])
        moment = now - timedelta(days=days_ago, hours=rng.randint(0, 6))
        service.clock = lambda moment=moment: moment
        outcome = p.MET if rng.random() > 0.1 else p.NO_ANSWER
        readings = {"systolic": rng.randint(115, 160), "diastolic": rng.randint(70, 95),
                    "pulse": rng.randint(60, 90)} if outcome == p.MET else None
        service.record_visit(summary.id, outcome, readings=readings,
                             mood=rng.choice(["good", "ok"]) if outcome == p.MET else None,
                             services=["chat"] if outcome == p.MET else ())
    service.clock = utcnow
    service._engine = None  # the engine took the clock when it was made
    report = service.sync()
    assert report.ok, report.error


def prepare_device(data_dir: str | Path, residents: int, *, history: bool = True,
                   workdir: str | Path | None = None):
    """A tablet data folder holding ``residents`` residents (and a visit history)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="knockdoor-bench-"))
    url = f"sqlite:///{workdir / 'server.db'}"
    seed_server(url, residents)
    app = flask_app(url)
    service = signed_in_service(data_dir, app)
    if history:
        record_history(service)
    service.close()
    return url
