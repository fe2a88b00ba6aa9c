"""Roster import (preview, dry run, all-or-nothing) and exports (CSV and .xlsx)."""
from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook, load_workbook

from server.models import AuditEntry, ChangeLogEntry, Resident

HEADER = "网格,姓名,性别,出生年份,地址,电话,居住情况,安全设备\n"


def roster_csv(grid_code: str, rows: list[str], header: str = HEADER) -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).format(grid=grid_code).encode("utf-8")


GOOD_ROWS = ["{grid},周桂英,女,1940,昆吾路10号1单元101,13512345678,独居、高龄,跌倒报警器",
             "{grid},吴国华,男,1938,昆吾路10号2单元201,,空巢,"]
BAD_ROWS = ["{grid},郑秀兰,女,十九四五,昆吾路10号3单元301,,独居,",  # line 4: birth year
            "{grid},,女,1945,昆吾路10号4单元401,,独居,",  # line 5: no name
            "濮上社区第1网格,钱玉梅,女,1947,濮上路2号,,独居,",  # line 6: another community
            "{grid},冯淑珍,女,1949,昆吾路10号5单元501,123abc,寡居,"]  # line 7: phone, situation


def upload(web, content: bytes, filename: str = "名册.csv", **data):
    return web.post("/import", data={"file": (io.BytesIO(content), filename), **data},
                    content_type="multipart/form-data")


def residents_named(db_session, *names):
    return db_session.query(Resident).filter(Resident.name.in_(names)).count()


def test_preview_imports_nothing_then_confirm_imports_all(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    grid = scenario.grids["kunwu1"]
    preview = upload(web, roster_csv(grid.code, GOOD_ROWS))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "周桂英" in html and "有效 2 行，有问题 0 行" in html
    db_session.rollback()
    assert residents_named(db_session, "周桂英", "吴国华") == 0
    token = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    response = web.post("/import", data={"upload": token, "mode": "all"})
    assert response.status_code == 302
    db_session.rollback()
    zhou = db_session.query(Resident).filter_by(name="周桂英").one()
    # an old roster's 居住情况 column: 独居 read as a care category, 高龄 left to the birth year
    assert zhou.grid_id == grid.id and zhou.care_categories == ["alone"]
    assert zhou.safety_devices == ["fall_alarm"] and zhou.sex == "F"
    assert db_session.get(ChangeLogEntry, ("resident", zhou.id)) is not None
    assert db_session.query(AuditEntry).filter_by(action="import_roster").one().detail["rows"] == 2


def test_bad_rows_are_reported_and_nothing_is_imported(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    grid = scenario.grids["kunwu1"]
    preview = upload(web, roster_csv(grid.code, GOOD_ROWS + BAD_ROWS))
    assert preview.status_code == 422
    html = preview.get_data(as_text=True)
    lines = re.findall(r'<tr data-line="(\d+)">', html)
    assert lines == ["4", "5", "6", "7"]
    assert "出生年份" in html and "不是您管辖范围内的网格" in html and "寡居" in html
    token = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    forced = web.post("/import", data={"upload": token, "mode": "all"})
    assert forced.status_code == 422
    db_session.rollback()
    assert residents_named(db_session, "周桂英", "吴国华", "郑秀兰", "冯淑珍") == 0
    chosen = web.post("/import", data={"upload": token, "mode": "valid_only"})
    assert chosen.status_code == 302
    db_session.rollback()
    assert residents_named(db_session, "周桂英", "吴国华") == 2
    assert residents_named(db_session, "郑秀兰", "冯淑珍", "钱玉梅") == 0


def test_xlsx_roster_with_english_headers_and_default_grid(as_user, scenario, db_session):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "sex", "birth_year", "address", "living_situation"])
    sheet.append(["Mary Li", "F", 1941, "Kunwu Road 3", "alone"])
    sheet.append(["秦大爷", "男", 1936.0, "昆吾路3号", "独居"])
    buffer = io.BytesIO()
    book.save(buffer)
    web = as_user("kunwu_sup")
    grid = scenario.grids["kunwu2"]
    missing_grid = upload(web, buffer.getvalue(), "roster.xlsx")
    assert missing_grid.status_code == 422 and "缺少列" in missing_grid.get_data(as_text=True)
    preview = upload(web, buffer.getvalue(), "roster.xlsx", default_grid=str(grid.id))
    assert preview.status_code == 200
    token = re.search(r'name="upload" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    assert web.post("/import", data={"upload": token, "mode": "all",
                                     "default_grid": str(grid.id)}).status_code == 302
    db_session.rollback()
    assert db_session.query(Resident).filter_by(grid_id=grid.id, name="秦大爷").one().birth_year \
        == 1936


def test_gbk_csv_duplicates_and_tampering(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    grid = scenario.grids["kunwu1"]
    rows = GOOD_ROWS + [GOOD_ROWS[0], "{grid},张利霞,女,1941,长庆路12号院3号楼2单元401,,独居,"]
    preview = upload(web, roster_csv(grid.code, rows).decode().encode("gb18030"))
    html = preview.get_data(as_text=True)
    # line 4 repeats line 2; line 5 is a resident already in the grid: not an error, it is
    # listed as such and left as it is unless the supervisor chooses to update it
    assert re.findall(r'<tr data-line="(\d+)">', html) == ["4"]
    assert "与表格第 2 行是同一个人" in html and "张利霞</td><td>女" in html
    assert "（已在名册中）" in html
    assert web.post("/import", data={"upload": "forged", "mode": "all"}).status_code == 400


def rows_of_csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_resident_export_csv_by_area(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    response = web.get(f"/export/download?kind=residents&format=csv"
                       f"&area={scenario.grids['kunwu1'].id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    table = rows_of_csv(response.data)
    assert table[0][:5] == ["序号", "所属网格", "姓名", "性别", "出生年份"]
    assert sorted(row[2] for row in table[1:]) == sorted(["张利霞", "王秀英", "李桂兰", "陈玉珍"])
    everything = rows_of_csv(web.get("/export/download?kind=residents&format=csv").data)
    assert "赵桂芳" not in {row[2] for row in everything}
    assert len(everything) - 1 == 6  # 昆吾社区 has six residents, one of them moved away
    assert db_session.query(AuditEntry).filter_by(action="export").count() == 2


def test_visit_export_xlsx_by_date_range(as_user, scenario):
    from datetime import timedelta
    from testkit.web_scenario import today_local
    web = as_user("admin")
    today = today_local()
    response = web.get(f"/export/download?kind=visits&format=xlsx&lang=en"
                       f"&from={today - timedelta(days=5)}&to={today}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Visited at", "Grid", "Name", "Address")
    # Within five days: 刘德华 (3 d), 张利霞 (2 d), 王秀英 and 赵桂芳 (1 d).
    assert sorted(row[2] for row in rows[1:]) == sorted(["刘德华", "张利霞", "王秀英", "赵桂芳"])
    high = next(row for row in rows[1:] if row[2] == "张利霞")
    # The district's administrator gets no readings in bulk (docs/security.md); the community
    # supervisor does (tests/web/test_personal_data.py).
    systolic = rows[0].index("Systolic (mmHg)")
    assert high[systolic] is None and high[systolic + 1] is None


def test_bad_export_requests(as_user, scenario):
    web = as_user("kunwu_sup")
    assert web.get("/export/download?kind=secrets&format=csv").status_code == 400
    assert web.get("/export/download?kind=visits&format=csv&from=2026-02-30").status_code == 400
