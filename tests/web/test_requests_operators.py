"""The operators' side of the three lists: partner keys and department accounts from the
``knockdoor`` command (audited, and working where a partner or a department meets them), and
working days beyond the calendar package (Monday to Friday, provisional, the district's own
announced days, deadlines counted again)."""
from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timezone

import time_machine
from sqlalchemy import select

from knockdoor import cli
from server.models import AuditEntry, ChangeLogEntry, Person
from server.threelists import workdays
from server.threelists.models import ApiPartner, Department, DepartmentStaff, ServiceRequest
from shared import requests as r
from testkit.web_helpers import sign_in

# Wednesday 30 December 2026 in the district: the package (chinesecalendar 1.11) knows 2026 and
# nothing of 2027.
DECEMBER_30 = datetime(2026, 12, 30, 2, 0, tzinfo=timezone.utc)
PASSWORD = "a long password"


def knockdoor(database_url, *args) -> int:
    return cli.main([*args[:2], *args[2:], "--database-url", database_url])


def audited(db_session, action) -> list[AuditEntry]:
    db_session.rollback()
    return list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_partner_key_from_the_command_line_works_until_revoked(app, database_url, scenario,
                                                                 db_session, capsys):
    grid = scenario.grids["kunwu1"]
    assert knockdoor(database_url, "partner", "add", "--name", "12345热线平台", "--grid",
                     grid.name, "--personal-data") == 0
    out = capsys.readouterr().out
    key = re.search(r"API key \(shown once, only its hash is kept\): (\S+)", out).group(1)
    partner = db_session.scalar(select(ApiPartner))
    assert partner.personal_data and partner.grid_id == grid.id and key not in partner.key_hash
    assert [a.detail["name"] for a in audited(db_session, "partner_add")] == ["12345热线平台"]

    client = app.test_client()
    posted = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "repairs", "description": "楼道灯坏了"})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    request_id = posted.get_json()[0]["service_request_id"]
    seen = client.get(f"/open311/v2/requests/{request_id}.json", query_string={"api_key": key})
    assert seen.get_json()[0]["description"] == "楼道灯坏了"  # may see personal data

    assert knockdoor(database_url, "partner", "list") == 0
    assert "12345热线平台\tactive\tpersonal data" in capsys.readouterr().out
    assert knockdoor(database_url, "partner", "revoke", str(partner.id)) == 0
    assert knockdoor(database_url, "partner", "revoke", str(partner.id)) == 1
    assert knockdoor(database_url, "partner", "revoke", "999") == 1
    refused = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "repairs", "description": "又坏了"})
    assert refused.status_code == 403
    assert len(audited(db_session, "partner_revoke")) == 1
    assert knockdoor(database_url, "partner", "add", "--name", "x", "--grid", "无此网格") == 1


def test_a_department_account_signs_in_to_its_inbox_until_deactivated(app, database_url,
                                                                      scenario, db_session,
                                                                      capsys):
    assert knockdoor(database_url, "department", "add", "--code", "housing", "--name",
                     "区住建局") == 0
    assert knockdoor(database_url, "department", "add", "--code", "housing", "--name",
                     "又一个") == 1
    assert knockdoor(database_url, "department", "account", "--department", "housing",
                     "--username", "fang", "--name", "房管所王科长", "--password", PASSWORD) == 0
    assert knockdoor(database_url, "department", "account", "--department", "nope",
                     "--username", "x", "--name", "x", "--password", PASSWORD) == 1
    assert knockdoor(database_url, "department", "account", "--department", "housing",
                     "--username", "fang", "--name", "x", "--password", PASSWORD) == 1
    assert knockdoor(database_url, "department", "account", "--department", "housing",
                     "--username", "short", "--name", "x", "--password", "short") == 2
    db_session.rollback()
    fang = db_session.scalar(select(Person).where(Person.username == "fang"))
    housing = db_session.scalar(select(Department).where(Department.code == "housing"))
    assert fang.role == r.DEPARTMENT and db_session.get(DepartmentStaff, fang.id) \
        .department_id == housing.id
    response = sign_in(app.test_client(), "fang", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    capsys.readouterr()
    assert knockdoor(database_url, "department", "list") == 0
    assert "housing\t区住建局\tactive\tfang (房管所王科长)" in capsys.readouterr().out

    assert knockdoor(database_url, "department", "stop-account", "fang") == 0
    assert knockdoor(database_url, "department", "stop-account", "fang") == 1
    assert knockdoor(database_url, "department", "stop-account", "vol_a") == 1  # not a dept.
    assert sign_in(app.test_client(), "fang", PASSWORD).headers.get("Location") != "/inbox"
    assert [len(audited(db_session, a)) for a in (
        "department_add", "department_account_add", "department_account_stop")] == [1, 1, 1]


def test_years_the_package_does_not_know_count_monday_to_friday_and_are_provisional():
    plain = workdays.WorkCalendar()
    assert workdays.covered_through() == 2026  # chinesecalendar 1.11; update this with it
    # 2026 is the package's: 1 October is National Day, Saturday 10 October is worked.
    assert plain.due_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert plain.is_workday(date(2026, 10, 10))
    # 2027 is not: Friday 1 January counts, nothing is provisional before it.
    assert plain.due_after(date(2026, 12, 30), 2) == date(2027, 1, 1)
    assert plain.is_provisional(date(2027, 1, 1)) and not plain.is_provisional(date(2026, 12, 31))
    assert not plain.is_provisional(None)
    # The district's announced days win over both.
    announced = workdays.WorkCalendar({date(2027, 1, 1): (workdays.HOLIDAY, "元旦"),
                                       date(2026, 10, 10): (workdays.HOLIDAY, "")})
    assert announced.due_after(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert not announced.is_workday(date(2026, 10, 10))
    worked = workdays.WorkCalendar({date(2027, 1, 2): (workdays.WORKDAY, "调休")})
    assert worked.due_after(date(2026, 12, 31), 2) == date(2027, 1, 2)


def handed_over(db_session, grid, due_on, working_days=3) -> ServiceRequest:
    department = db_session.scalar(select(Department)) or Department(
        code="housing", name="区住建局", active=True)
    db_session.add(department)
    db_session.flush()
    item = ServiceRequest(
        id=str(uuid.uuid4()), grid_id=grid.id, category="repairs", description="屋顶漏水",
        urgency="normal", channel="visit", raised_at=DECEMBER_30, state=r.HANDED_OVER,
        state_since=DECEMBER_30, department_id=department.id, handed_at=DECEMBER_30, due_on=due_on,
        due_working_days=working_days, version=0, events_count=0)
    db_session.add(item)
    db_session.commit()
    return item


@time_machine.travel(DECEMBER_30, tick=False)
def test_announced_holidays_move_open_deadlines_and_the_tablets_hear_of_it(
        as_user, database_url, scenario, db_session, capsys):
    grid = scenario.grids["kunwu1"]
    # Handed over on 30 December with 3 working days, counted Monday to Friday: 4 January.
    item = handed_over(db_session, grid, date(2027, 1, 4))
    stays = handed_over(db_session, grid, date(2026, 12, 31), working_days=1)
    page = as_user("kunwu_sup").get(f"/requests/{item.id}").get_data(as_text=True)
    assert "2027-01-04" in page and "暂定" in page
    assert "暂定" not in as_user("kunwu_sup").get(f"/requests/{stays.id}").get_data(as_text=True)

    assert knockdoor(database_url, "workdays", "holiday", "2027-01-01", "--note", "元旦") == 0
    assert knockdoor(database_url, "workdays", "holiday", "2027-13-01") == 2
    assert knockdoor(database_url, "workdays", "remove", "2027-02-01") == 1
    capsys.readouterr()
    assert knockdoor(database_url, "workdays", "list") == 0
    assert "2027-01-01\tholiday\t元旦" in capsys.readouterr().out
    assert knockdoor(database_url, "workdays", "rederive") == 0
    assert "2 deadlines counted again, 1 moved" in capsys.readouterr().out
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(ServiceRequest, item.id).due_on == date(2027, 1, 5)
    assert db_session.get(ServiceRequest, stays.id).due_on == date(2026, 12, 31)
    logged = json.loads(db_session.scalar(select(ChangeLogEntry.payload).where(
        ChangeLogEntry.entity_id == item.id)))
    assert logged["due_on"] == "2027-01-05" and logged["due_provisional"] is True
    rederived = audited(db_session, "deadlines_rederive")[0].detail
    assert rederived["moved"] == [[item.id, "2027-01-04", "2027-01-05"]]
    # Removing the rule and counting again puts it back.
    assert knockdoor(database_url, "workdays", "remove", "2027-01-01") == 0
    assert knockdoor(database_url, "workdays", "rederive") == 0
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(ServiceRequest, item.id).due_on == date(2027, 1, 4)
    assert len(audited(db_session, "workday_rule")) == 2
