"""Issue 12 on the real app (Xvfb, a real server process): a campaign started by a supervisor
appears at the top of Today after a sync, with who is left to visit; and every screen, walked
in Chinese, shows no English word and no code (LANGUAGE.md rule 1; units and names allowed).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from server.campaigns import start_campaign
from shared import protocol as p
from shared.clock import utcnow
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.app_driver import AppDriver
from testkit.app_world import app_and_server, server_database

pytestmark = pytest.mark.ui

LATIN = re.compile(r"[A-Za-z]{4,}")
HAN = re.compile(r"[\u4e00-\u9fff]")
#: Half-width punctuation in Chinese text (LANGUAGE.md rule 2); a time's colon (09:30) is not.
HALF_WIDTH = re.compile(r"[,;?!()]|(?<!\d):|:(?!\d)")
#: Units and names LANGUAGE.md allows on a Chinese screen.
ALLOWED = {"mmHg", "mmol", "English"}
WALKED: set[str] = set()


@pytest.fixture(scope="module")
def world(tmp_path_factory, kivy_env):
    tmp = tmp_path_factory.mktemp("chinese-app")
    url, engine = server_database(tmp)
    with Session(engine, expire_on_commit=False) as session:
        district = make_district(session, streets=1, communities=1, grids=1)
        [home] = district.grids
        make_person(session, "xiaoli", areas=[home], display_name="王晓丽")
        people = {name: make_resident(session, home, name=name, care_categories=situation,
                                      phone="13800000011")
                  for name, situation in (("张利霞", [p.ALONE]), ("王秀英", [p.EMPTY_NEST]))}
        session.commit()
    with app_and_server(url, engine, tmp, kivy_env) as (server, app):
        yield {"engine": engine, "server": server, "app": app, "grid": home.id,
               "ids": {name: r.id for name, r in people.items()}}


#: The switch to the other language names it in that language, so that its readers find it.
LANGUAGE_SWITCH = "Language: English"


def english_on_screen(app: AppDriver) -> list[str]:
    WALKED.add(app.screen())
    # the server's address (settings: the account) is an identifier, not a word
    words = {word for text in app.texts() if text != LANGUAGE_SWITCH
             for word in LATIN.findall(re.sub(r"https?://\S+", "", text))}
    return sorted(words - ALLOWED) + half_width_on_screen(app)


def half_width_on_screen(app: AppDriver) -> list[str]:
    """Chinese lines with half-width punctuation in them."""
    return [text for text in app.texts() if text != LANGUAGE_SWITCH and HAN.search(text)
            and HALF_WIDTH.search(re.sub(r"https?://\S+", "", text))]


def test_sign_in_screen_is_chinese(world):
    app = world["app"]
    app.wait_ready()
    assert app.screen() == "signin"
    assert english_on_screen(app) == []
    app.fill_sign_in(world["server"].url, "xiaoli", PASSWORD, "一号网格平板")
    app.wait_for_screen("pin")
    assert english_on_screen(app) == []
    app.choose_pin()
    app.wait_until(lambda: len(app.rows()["rows"]) == 2, what="two residents")
    assert english_on_screen(app) == []


def test_a_campaign_shows_at_the_top_of_today(world):
    app = world["app"]
    with Session(world["engine"]) as session:
        start_campaign(session, area_id=world["grid"], grid_ids={world["grid"]},
                       kind="heatwave", note="午后高温，请逐户查看", categories=[p.ALONE],
                       allowed_categories=p.LIVING_SITUATIONS, person_id=None, now=utcnow())
        session.commit()
    app.tap("全部已上传")  # the status bar opens the Sync screen
    app.wait_for_screen("sync")
    assert english_on_screen(app) == []
    app.tap("马上上传")
    app.wait_until(lambda: not app.state()["syncing"], what="the sync to finish")
    app.back()
    app.wait_for_screen("today")
    app.wait_for_text("高温天气：请在 24 小时内走访")
    banner = next(text for text in app.texts() if "高温天气" in text)
    assert "还有 1 位居民要走访" in banner and "张利霞" in banner and "王秀英" not in banner
    assert english_on_screen(app) == []


VISIT_STATES: list[str] = []


def visit_state(name: str, app: AppDriver) -> list[str]:
    VISIT_STATES.append(name)
    return english_on_screen(app)


def walk_the_visit_forms_states(app: AppDriver) -> None:
    """The visit form's states, each read in Chinese: the checklist with an exception, a
    dangerous reading's warning, an emergency, its red lines, a phone call; then thrown away."""
    app.tap("见到本人")
    app.wait_for_text("走访内容")
    app.tap_id("family_concern")
    assert visit_state("the checklist", app) == []
    app.type("systolic", "185")
    app.type("diastolic", "110")
    app.wait_for_text("偏高（警戒值 180）")
    assert visit_state("the warning", app) == []
    app.tap("约明天回访")
    app.wait_for_text("已约明天回访")
    assert visit_state("the follow-up proposed", app) == []
    app.tap("发现紧急情况并已处置")
    app.tap("保存走访")
    app.wait_for_text("请写下对紧急情况做了哪些处置。")
    assert visit_state("an emergency's red lines", app) == []
    app.send(cmd="scroll", id="scroll", to=0)
    assert visit_state("the checklist's red line and the form's end", app) == []
    app.send(cmd="scroll", id="scroll", to=1)
    app.tap("电话", exact=True)
    app.wait_until(lambda: not app.shows("血压"), what="a phone call: no readings")
    assert visit_state("a phone call", app) == []
    app.back()  # a half-filled visit asks first
    app.wait_for_text("这次走访还没有保存")
    assert visit_state("the question on 返回", app) == []
    app.tap("不要了，清空后返回")
    app.wait_for_screen("resident")


def test_every_other_screen_is_chinese(world):
    app = world["app"]
    app.type("search", "zlx")
    app.wait_until(lambda: len(app.rows()["rows"]) == 1, what="only 张利霞")
    app.tap("张利霞")
    app.wait_for_screen("resident")
    assert english_on_screen(app) == []
    for button, screen in (("记录走访", "visit"), ("写记录", "note"), ("修改资料", "edit")):
        if not app.shows(button):
            continue
        app.tap(button)
        app.wait_for_screen(screen)
        assert english_on_screen(app) == [], screen
        if screen == "visit":
            walk_the_visit_forms_states(app)  # ends back on the resident's screen
            continue
        app.back()
        app.wait_for_screen("resident")
    app.back()
    app.wait_for_screen("today")
    app.tap("设置", exact=True)
    app.wait_for_screen("settings")
    assert english_on_screen(app) == []
    app.back()
    print(f"\napp screens walked in Chinese: {len(WALKED)} ({', '.join(sorted(WALKED))}), "
          f"and {len(VISIT_STATES)} states of the visit form ({', '.join(VISIT_STATES)})")
    assert len(WALKED) >= 7
