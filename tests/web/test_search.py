"""The web view's resident lists search as the tablet does (shared/search.py), within scope."""
import re

import pytest

from testkit.factories import make_resident


def listed(html: str) -> list[str]:
    """The residents a list shows, in its order."""
    return re.findall(r'href="/residents/[0-9a-f-]{36}">([^<]+)</a>', html)


@pytest.fixture
def more(scenario, db_session):
    grids = scenario.grids
    make_resident(db_session, grids["kunwu1"], name="翟秀英", phone="13812345678",
                  address="长庆路12号院13号楼2单元402")
    make_resident(db_session, grids["kunwu2"], name="吕桂兰", address="绿城路5号")
    make_resident(db_session, grids["kunwu1"], name="张利霞娟", address="昆吾路8号3单元101")
    make_resident(db_session, grids["kunwu1"], name="赵丽娴", address="昆吾路8号3单元102")
    make_resident(db_session, grids["pushang1"], name="翟秀兰", address="濮上路2号")
    db_session.commit()
    return scenario


@pytest.mark.parametrize("query, expected", [
    ("zhaixy", ["翟秀英"]),  # 翟 read as a surname
    ("lvgl", ["吕桂兰"]), ("lugl", ["吕桂兰"]),
    ("zhang lx", ["张利霞", "张利霞娟"]), ("zhangLX", ["张利霞", "张利霞娟"]),
    ("3号楼", ["张利霞"]),  # not 13号楼
    ("3-2-401", ["张利霞"]),
    ("5678", ["翟秀英"]), ("0001", ["张利霞"]),
])
def test_the_residents_list_finds_as_the_tablet_does(as_user, more, query, expected):
    html = as_user("kunwu_sup").get("/residents", query_string={"q": query}).get_data(
        as_text=True)
    assert listed(html) == expected


def test_the_exact_name_comes_first_then_initials_then_the_rest(as_user, more):
    client = as_user("kunwu_sup")
    html = client.get("/residents", query_string={"q": "zlx"}).get_data(as_text=True)
    assert set(listed(html)[:2]) == {"张利霞", "赵丽娴"} and listed(html)[2:] == ["张利霞娟"]
    html = client.get("/residents", query_string={"q": "张利霞"}).get_data(as_text=True)
    assert listed(html) == ["张利霞", "张利霞娟"]
    grid = more.grids["kunwu1"].id
    html = client.get(f"/grids/{grid}", query_string={"q": "zlx"}).get_data(as_text=True)
    assert set(listed(html)[:2]) == {"张利霞", "赵丽娴"} and listed(html)[2:] == ["张利霞娟"]


def test_a_search_stays_within_the_supervisors_area(as_user, more):
    assert listed(as_user("kunwu_sup").get("/residents?q=zhaixl").get_data(as_text=True)) == []
    assert listed(as_user("pushang_sup").get("/residents?q=zhaixl").get_data(as_text=True)) \
        == ["翟秀兰"]


def test_keys_follow_a_new_phone(as_user, more, db_session):
    from server.models import Resident
    from server.sync.edits import edit_resident
    from server.sync.edits import lock_resident
    resident_id = db_session.query(Resident.id).filter_by(name="翟秀英").scalar()
    db_session.commit()
    resident = lock_resident(db_session, resident_id)
    edit_resident(db_session, more.people["kunwu_sup"], resident, {"phone": "13900009999"})
    db_session.commit()
    client = as_user("kunwu_sup")
    assert listed(client.get("/residents?q=9999").get_data(as_text=True)) == ["翟秀英"]
    assert listed(client.get("/residents?q=5678").get_data(as_text=True)) == []
