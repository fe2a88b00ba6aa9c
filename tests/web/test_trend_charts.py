"""Pictures where people would rather look than read (issue 11, screens 5): a resident's blood
pressure with the normal range marked, residents met per week in an area, each person's visits
per week. Drawn on the server, no links inside, each with its numbers as a table."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

from server.sync.batch import ChangeBatch
from server.web.trends import NORMAL_DIASTOLIC, NORMAL_SYSTOLIC, blood_pressure_trend
from shared import protocol as p
from shared.clock import utcnow
from testkit.web_scenario import add_visit


def svg_of(html: str, figure_id: str) -> str:
    figure = re.search(rf'<figure class="trend" id="{figure_id}">(.*?)</figure>', html, re.S)
    assert figure, figure_id
    return figure.group(1)


def void(session, resident, author, visit_id: str) -> None:
    batch, now = ChangeBatch(session), utcnow()
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": resident.id,
                     "grid_id": resident.grid_id, "author_id": author.id, "device_id": None,
                     "visited_at": now, "device_time": now, "recorded_at": now,
                     "outcome": None, "details": {}, "corrects_id": visit_id,
                     "correction": p.VOID}, author.display_name, resident)
    batch.flush()


def test_blood_pressure_is_a_trend_with_the_normal_range_marked(around_midnight, as_user,
                                                                 scenario, db_session):
    zhang, vol_a = scenario.residents["zhang"], scenario.people["vol_a"]
    earlier = add_visit(db_session, zhang, vol_a, utcnow() - timedelta(days=5), p.MET,
                        readings={"systolic": 150, "diastolic": 95})
    mistaken = add_visit(db_session, zhang, vol_a, utcnow() - timedelta(days=4), p.MET,
                         readings={"systolic": 240, "diastolic": 150})
    void(db_session, zhang, vol_a, mistaken)
    db_session.commit()
    html = as_user("kunwu_sup").get(f"/residents/{zhang.id}").get_data(as_text=True)
    figure = svg_of(html, "bp-trend")
    values = sorted(int(v) for v in re.findall(r'data-value="(\d+)"', figure))
    assert values == [95, 100, 150, 185]  # the voided 240/150 is not drawn
    assert f'data-low="{NORMAL_SYSTOLIC[0]}" data-high="{NORMAL_SYSTOLIC[1]}"' in figure
    assert f'data-low="{NORMAL_DIASTOLIC[0]}" data-high="{NORMAL_DIASTOLIC[1]}"' in figure
    assert "<a " not in figure.split("</svg>")[0] and 'role="img"' in figure
    caption = re.search(r'<figcaption id="bp-trend-caption">([^<]*)<', figure).group(1)
    assert "正常范围" in caption and not re.search(r"[A-Za-z]{4,}", caption.replace("mmHg", ""))
    rows = re.findall(r'<td class="num">(\d+)</td><td class="num">(\d+)</td>', figure)
    assert rows == [("185", "100"), ("150", "95")]  # newest first
    assert earlier


def test_no_chart_without_a_reading(as_user, scenario):
    html = as_user("kunwu_sup").get(f"/residents/{scenario.residents['wang'].id}") \
        .get_data(as_text=True)
    assert 'id="bp-trend"' not in html


def test_a_single_reading_is_drawn_in_the_middle():
    chart = blood_pressure_trend([(utcnow(), {"systolic": 120, "diastolic": 80})])
    assert [len(line.points) for line in chart.lines] == [1, 1]
    assert chart.lines[0].points[0].x == chart.left + (chart.width - chart.left - chart.right) / 2
    assert blood_pressure_trend([(utcnow(), {"pulse": 70})]) is None


def test_an_area_shows_residents_met_week_by_week(as_user, scenario):
    html = as_user("kunwu_sup").get(f"/areas/{scenario.communities['kunwu'].id}") \
        .get_data(as_text=True)
    figure = svg_of(html, "met-per-week")
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', figure)]
    # 王秀英, 李桂兰, 刘德华 and 张利霞 were each met once (王秀英's later knock went unanswered)
    assert len(counts) == 12 and sum(counts) == 4
    assert "<a " not in figure.split("</svg>")[0]


def test_a_person_page_shows_their_visits_per_week(as_user, scenario):
    html = as_user("kunwu_sup").get(f"/people/{scenario.people['vol_a'].id}") \
        .get_data(as_text=True)
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', svg_of(html, "visits-per-week"))]
    assert len(counts) == 12 and sum(counts) == 4  # 王秀英, 刘德华, 张利霞, 孙玉兰
