"""Finding a resident on the tablet: the Today list's search, offline, over the local store."""
import pytest
from sqlalchemy import select

from client.service import FieldService
from client.transport import FlaskTransport
from client.ui import presenters as pr
from server.models import Resident
from shared import protocol as p
from shared.search import EXACT, FUZZY, INITIALS, keys_are_current
from testkit.factories import PASSWORD, make_district, make_person, make_resident

PEOPLE = [  # name, address, phone
    ("翟秀英", "建设路51号院3号楼2单元401", "13812345678"),
    ("单国强", "建设路51号院13号楼2单元402", None),
    ("吕桂兰", "长庆路17号", "010-66661234"),
    ("张乐", "长庆路12号院1号楼1单元101", None),
    ("区玉珍", "长庆路12号院1号楼1单元102", None),
    ("张利霞", "长庆路12号院2号楼1单元201", None),
    ("赵丽娴", "长庆路12号院2号楼1单元202", None),
    ("张利霞娟", "长庆路12号院2号楼1单元203", None),
]


@pytest.fixture
def street(db_session):
    tree = make_district(db_session, communities=1, grids=1)
    grid = tree.grids[0]
    for name, address, phone in PEOPLE:
        make_resident(db_session, grid, name=name, address=address, phone=phone)
    make_person(db_session, "alice", p.VOLUNTEER, [grid], "王芳")
    db_session.commit()
    return grid


def names(service: FieldService, query: str) -> list[str]:
    return [summary.name for summary in service.today_list(query)]


def test_the_tablet_finds_surnames_pinyin_address_codes_and_phone_tails(street, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    assert names(alice, "zhaixy") == ["翟秀英"]
    assert names(alice, "shanguoqiang") == ["单国强"]
    assert names(alice, "ouyz") == ["区玉珍"]
    assert names(alice, "lvgl") == names(alice, "lugl") == ["吕桂兰"]
    assert set(names(alice, "zhangyue")) == {"张乐"}  # 乐 in a given name: le or yue
    assert set(names(alice, "zhangle")) == {"张乐"}
    assert names(alice, "3号楼") == ["翟秀英"]  # not 13号楼
    assert names(alice, "3-2-401") == ["翟秀英"]
    assert names(alice, "5678") == ["翟秀英"]
    assert names(alice, "1234") == ["吕桂兰"]
    assert names(alice, "zhang lx")[:1] == ["张利霞"]


def test_the_today_list_puts_the_exact_name_first_then_initials(street, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    found = alice.today_list("zlx")
    assert [(s.name, s.match) for s in found] == \
        [("张利霞", INITIALS), ("赵丽娴", INITIALS), ("张利霞娟", FUZZY)]
    # a just-visited resident is put back in its place by the same order
    assert sorted(reversed(found), key=pr.today_sort_key) == found
    assert [(s.name, s.match) for s in alice.today_list("张利霞")] == \
        [("张利霞", EXACT), ("张利霞娟", FUZZY)]


def test_a_local_edit_of_the_phone_is_found_at_once_offline(street, tablet_for, db_session):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zhaixy")[0]
    alice.edit_resident(resident.id, {"phone": "13900009999"})
    assert names(alice, "9999") == ["翟秀英"]
    assert names(alice, "5678") == []
    alice.sync()  # and the server's keys follow the pushed edit
    keys = db_session.scalar(select(Resident.search_keys).where(Resident.id == resident.id))
    assert keys.endswith("|9999")


def test_a_store_written_by_an_older_app_gets_its_search_keys_made_anew(street, app,
                                                                        tmp_path):
    service = FieldService(tmp_path / "alice", transport_factory=lambda _url:
                           FlaskTransport(app), sleep=lambda _seconds: None)
    service.sign_in("http://in-process", "alice", PASSWORD, "alice 的平板")
    service.sync()
    with service.store.transaction() as db:  # the keys an older app wrote: initials, pinyin
        db.execute("UPDATE residents SET search_keys = 'dxy dixiuying' WHERE name = '翟秀英'")
        db.execute("UPDATE residents SET search_keys = 'x' WHERE name != '翟秀英'")
    service.close()
    updated = FieldService(tmp_path / "alice", transport_factory=lambda _url:
                           FlaskTransport(app), sleep=lambda _seconds: None)
    try:
        with updated.store.reading() as db:
            keys = [row[0] for row in db.execute("SELECT search_keys FROM residents")]
        assert len(keys) == len(PEOPLE) and all(keys_are_current(k) for k in keys)
        assert names(updated, "zhaixy") == ["翟秀英"]
        assert names(updated, "5678") == ["翟秀英"]  # the phone is in the new keys only
    finally:
        updated.close()
