"""A community supervisor sees their community, a street supervisor their street, the admin
everything: on every page, and by URL too."""
from __future__ import annotations

import pytest


def test_other_communitys_resident_is_not_found_by_url(as_user, scenario):
    client = as_user("kunwu_sup")
    zhao = scenario.residents["zhao"]  # 濮上社区
    page = client.get(f"/residents/{zhao.id}")
    assert page.status_code == 404
    assert "赵桂芳" not in page.get_data(as_text=True)
    as_json = client.get(f"/residents/{zhao.id}", headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert as_json.get_json()["error"] == "not_found"
    assert set(as_json.get_json()) == {"status", "error", "message", "details"}


@pytest.mark.parametrize("path", [
    "/grids/{pushang1}", "/areas/{pushang}", "/residents?area={pushang}",
    "/export/download?kind=residents&format=csv&area={pushang}", "/audit?resident={zhao}"])
def test_other_areas_are_not_found(as_user, scenario, path):
    ids = {"pushang1": scenario.grids["pushang1"].id, "pushang": scenario.communities["pushang"].id,
           "zhao": scenario.residents["zhao"].id}
    assert as_user("kunwu_sup").get(path.format(**ids)).status_code == 404


def test_changes_outside_the_area_are_refused(as_user, scenario, db_session):
    client = as_user("pushang_sup")
    zhang = scenario.residents["zhang"]
    assert client.post(f"/residents/{zhang.id}", data={"phone": "110"}).status_code == 404
    assert client.post(f"/conflicts/{scenario.conflict.id}/settle",
                       data={"choice": "lost"}).status_code == 404
    assert client.post(f"/tablets/{scenario.devices['tablet_a'].id}/revoke").status_code == 404
    db_session.expire_all()
    assert db_session.get(type(zhang), zhang.id).phone == "13800000001"


def test_lists_show_only_the_own_area(as_user, scenario):
    kunwu = as_user("kunwu_sup")
    residents = kunwu.get("/residents?show=all").get_data(as_text=True)
    assert "张利霞" in residents and "赵桂芳" not in residents and "孙玉兰" not in residents
    street = as_user("street_sup").get("/residents?show=all").get_data(as_text=True)
    assert "孙玉兰" in street and "张利霞" in street and "赵桂芳" not in street
    admin = as_user("admin").get("/residents?show=all").get_data(as_text=True)
    assert all(name in admin for name in ("孙玉兰", "张利霞", "赵桂芳"))
    tablets = kunwu.get("/tablets").get_data(as_text=True)
    assert "平板-vol_a" in tablets and "平板-vol_c" not in tablets
    assert "侯胜涛" not in kunwu.get("/people").get_data(as_text=True)
    conflicts = as_user("pushang_sup").get("/conflicts").get_data(as_text=True)
    assert "张利霞" not in conflicts


def test_admin_reaches_every_resident(as_user, scenario):
    admin = as_user("admin")
    for resident in scenario.residents.values():
        assert admin.get(f"/residents/{resident.id}").status_code == 200
