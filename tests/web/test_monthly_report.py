"""The monthly report (issue 12, point 14): the page for a month and an area, its Chinese
.xlsx, and the dashboard's card with the trend chart and its text alternative."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from testkit.web_scenario import add_visit, today_local

from server.models import AuditEntry
from shared import protocol as p
from testkit.clock import CHINA


def month_param(day) -> str:
    return f"{day.year}-{day.month:02d}"


@pytest.fixture
def november(db_session, scenario):
    """Visits in a fixed past month (2025-11), so the figures do not depend on today."""
    zhang, wang, li = (scenario.residents[k] for k in ("zhang", "wang", "li"))
    vol = scenario.people["vol_a"]
    for resident in (zhang, wang, li):
        resident.created_at = datetime(2025, 1, 1, tzinfo=CHINA)
    chen = scenario.residents["chen"]
    chen.created_at = datetime(2025, 1, 1, tzinfo=CHINA)

    def at(day, hour=10):
        return datetime(2025, 11, day, hour, tzinfo=CHINA)
    add_visit(db_session, zhang, vol, at(3), p.MET, needs=["medicine", "meals"],
              services=["referral"])
    add_visit(db_session, zhang, vol, at(20), p.MET, needs=["medicine"])
    add_visit(db_session, wang, vol, at(5), p.NO_ANSWER)  # living alone: opens a follow-up
    add_visit(db_session, wang, vol, at(9), p.MET)  # … closed
    add_visit(db_session, li, vol, at(12), p.REFUSED)
    # 30 November 23:30 in China is still November; 1 December 00:30 is not.
    add_visit(db_session, chen, vol, datetime(2025, 11, 30, 23, 30, tzinfo=CHINA), p.MET)
    add_visit(db_session, li, vol, datetime(2025, 12, 1, 0, 30, tzinfo=CHINA), p.MET)
    db_session.commit()


def test_the_report_page_counts_the_month(as_user, scenario, november):
    web = as_user("kunwu_sup")
    response = web.get(f"/reports/monthly?month=2025-11&area={scenario.communities['kunwu'].id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2025年11月" in html and "月探访率" in html
    # 昆吾社区 had four residents on the roster in November (the rest joined today):
    # 张利霞, 王秀英, 陈玉珍 met; 李桂兰 refused.
    tile = re.search(r'id="tile-monthly-rate"><span class="big">([^<]+)<', html).group(1)
    assert tile == "75.0%"
    assert "应访 4 位，已见到 3 位" in html
    by_area = html[html.index('id="rate-by-area"'):]
    assert "昆吾社区第1网格" in by_area[:by_area.index("</table>")]
    needs = html[html.index('id="needs"'):]
    needs = needs[:needs.index("</table>")]
    assert re.search(r"<td>买药</td><td class=\"num\">2</td><td class=\"num\">1</td>", needs)
    assert "medicine" not in html and "no_answer" not in html
    assert re.search(r"<span class=\"big\">1 / 1</span>", html)  # follow-ups opened / closed


def test_the_report_workbook_is_chinese(as_user, scenario, db_session, november):
    web = as_user("kunwu_sup")
    response = web.get("/reports/monthly/download?month=2025-11")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == ["总览", "按区域", "按关爱类别", "按风险等级"]
    summary = {row[0]: row[1] for row in book["总览"].iter_rows(min_row=2, values_only=True)}
    assert summary["月份"] == "2025年11月" and summary["月探访率"] == "75.0%"
    assert summary["应访人数（位）"] == 4 and summary["新增待回访（项）"] == 1
    rates = list(book["按关爱类别"].iter_rows(values_only=True))
    assert rates[0] == ("关爱类别", "应访人数", "已探访人数", "月探访率")
    alone = next(row for row in rates if row[0] == "独居")
    assert alone[1:3] == (3, 3) and alone[3] == 1
    assert book["按关爱类别"]["D2"].number_format == "0.0%"
    methods = {row[0]: row[1] for row in book["走访方式"].iter_rows(min_row=2, values_only=True)}
    assert methods == {"上门": 6}  # outcomes have their own sheet, not rows under 走访方式
    outcomes = list(book["走访结果"].iter_rows(values_only=True))
    assert outcomes[0] == ("走访结果", "走访记录（条）")
    assert dict(outcomes[1:])[next(o for o, _n in outcomes[1:] if "拒绝" in o)] == 1
    words = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for c in row if isinstance(c, str))
    assert not re.search(r"[A-Za-z]{4,}", words), words
    assert db_session.query(AuditEntry).filter_by(action="export").one().detail["kind"] == \
        "monthly_report"


def test_the_dashboard_shows_this_months_rate_and_a_trend_with_a_text_alternative(as_user):
    html = as_user("kunwu_sup").get("/").get_data(as_text=True)
    card = html[html.index('id="monthly-card"'):]
    today = today_local()
    assert f"{today.year}年{today.month}月" in card
    assert re.search(r'id="monthly-rate">\d+\.\d%<', card)
    assert "<svg" in card and 'role="img"' in card and "<desc" in card
    table = card[card.index('id="trend-table"'):]
    table = table[:table.index("</table>")]
    assert table.count("<th class=\"num\">") == 6  # six months, each with its figure in text
    assert "http" not in card.split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org", "")  # nothing fetched from elsewhere


def test_english_report_and_bad_month(as_user, scenario):
    web = as_user("kunwu_sup")
    english = web.get("/reports/monthly?month=2025-11&lang=en").get_data(as_text=True)
    assert "Monthly visit rate" in english and "月探访率" not in english
    bad = web.get("/reports/monthly?month=2025-13&lang=zh_CN")
    assert bad.status_code == 400 and "月份" in bad.get_data(as_text=True)
    assert web.get("/reports/monthly?month=next").status_code == 400
    other = scenario.communities["pushang"].id
    assert web.get(f"/reports/monthly?area={other}").status_code == 404


def test_an_administrator_sees_the_district_by_street(as_user, scenario, november):
    html = as_user("admin").get("/reports/monthly?month=2025-11").get_data(as_text=True)
    by_area = html[html.index('id="rate-by-area"'):]
    by_area = by_area[:by_area.index("</table>")]
    assert "长庆路街道" in by_area and "中原路街道" in by_area
    last_month = today_local().replace(day=1) - timedelta(days=1)
    assert as_user("admin").get(f"/reports/monthly?month={month_param(last_month)}") \
        .status_code == 200


def correct(session, resident, author, when, outcome, corrects: str, correction: str) -> None:
    import uuid
    from server.sync.batch import ChangeBatch
    batch = ChangeBatch(session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": resident.id,
                     "grid_id": resident.grid_id, "author_id": author.id, "device_id": None,
                     "visited_at": when, "device_time": when, "recorded_at": when,
                     "outcome": outcome, "details": {}, "corrects_id": corrects,
                     "correction": correction}, author.display_name, resident)
    batch.flush()


def test_the_dashboard_counts_like_the_report(as_user, scenario, db_session):
    """The dashboard's card is counted by the database, the report by shared.monthly: the same
    month gives the same rate, voided and amended visits included."""
    from datetime import timezone
    from shared.clock import utcnow
    today = today_local()
    start = datetime(today.year, today.month, 1, 1, tzinfo=CHINA).astimezone(timezone.utc)
    when = min(utcnow(), max(start, utcnow() - timedelta(hours=1)))
    vol = scenario.people["vol_a"]
    li, chen = scenario.residents["li"], scenario.residents["chen"]
    voided = add_visit(db_session, li, vol, when, p.MET)
    correct(db_session, li, vol, when, None, voided, p.VOID)
    wrong = add_visit(db_session, chen, vol, when, p.NO_ANSWER)
    correct(db_session, chen, vol, when, p.MET, wrong, p.AMEND)
    db_session.commit()
    web = as_user("kunwu_sup")
    card = web.get("/").get_data(as_text=True)
    card_rate = re.search(r'id="monthly-rate">([^<]+)<', card).group(1)
    report = web.get(f"/reports/monthly?month={month_param(today)}").get_data(as_text=True)
    report_rate = re.search(r'id="tile-monthly-rate"><span class="big">([^<]+)<',
                            report).group(1)
    assert card_rate == report_rate
    trend = report[report.index('id="trend-table"'):]
    dashboard_trend = card[card.index('id="trend-table"'):]
    assert trend[:trend.index("</table>")] == dashboard_trend[:dashboard_trend.index("</table>")]


def test_levels_tiers_and_outcomes_are_listed_in_the_programmes_order(as_user, scenario,
                                                                       db_session, november):
    """GB/T 42195's levels from able to unable, tiers from high risk down, the unassessed last,
    whatever order the residents happen to come in."""
    zhang, wang, li, chen = (scenario.residents[k] for k in ("zhang", "wang", "li", "chen"))
    for resident, level, tier in ((zhang, "moderate", "routine"), (wang, "intact", "high"),
                                  (li, "complete", "key"), (chen, None, None)):
        resident.ability_level, resident.risk_tier = level, tier
    db_session.commit()
    book = load_workbook(io.BytesIO(as_user("kunwu_sup").get(
        "/reports/monthly/download?month=2025-11").data))
    header = next(book["关爱类别与能力等级"].iter_rows(values_only=True))
    assert header[1:-1] == ("能力完好", "中度失能", "完全失能", "未评估")
    tiers = [row[0] for row in book["按风险等级"].iter_rows(min_row=2, values_only=True)]
    assert tiers[:3] == ["高风险", "重点关注", "一般关注"] and len(tiers) == 4
    outcomes = [row[0] for row in book["走访结果"].iter_rows(min_row=2, values_only=True)]
    assert outcomes.index("见到本人") < outcomes.index(next(o for o in outcomes if "拒绝" in o))


def test_a_phone_call_counts_only_where_the_district_says_so(as_user, scenario, db_session,
                                                             november):
    """The default rules count only door visits for high-risk residents: a phone call that
    reached 李桂兰 (high risk) leaves her unvisited; the same call counts for a routine tier."""
    li = scenario.residents["li"]
    add_visit(db_session, li, scenario.people["vol_a"], datetime(2025, 11, 15, 10, tzinfo=CHINA),
              p.MET, method="phone")
    li.risk_tier = "high"
    db_session.commit()
    web = as_user("kunwu_sup")

    def rate() -> str:
        html = web.get("/reports/monthly?month=2025-11").get_data(as_text=True)
        return re.search(r'id="tile-monthly-rate"><span class="big">([^<]+)<', html).group(1)
    assert rate() == "75.0%"
    li.risk_tier = "routine"
    db_session.commit()
    assert rate() == "100.0%"
