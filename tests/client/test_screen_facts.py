"""What the screens say agrees with itself (issue 11, the screens 1 and 2): age-based facts come
from the birth year, and colour means something (red and orange only for what needs action)."""
from __future__ import annotations

from datetime import date

import pytest

from client.service import ResidentDetail, ResidentSummary
from client.ui import i18n
from client.ui import presenters as pr
from shared import protocol as p
from shared.due import DueStatus


pytestmark = pytest.mark.usefixtures("chinese")  # tests/client/conftest.py


def summary(**changes) -> ResidentSummary:
    values = dict(id="r1", name="王秀英", address="建设路51号院2号楼4单元202", sex="F", age=71,
                  grid_id=1, grid_name="网格1", care_categories=[p.ALONE], status="active",
                  due=DueStatus("not_due", date(2026, 12, 20), 0), last_visit_at=None,
                  follow_up_since=None, unsent=0)
    values.update(changes)
    return ResidentSummary(**values)


def detail(resident: ResidentSummary) -> ResidentDetail:
    return ResidentDetail(summary=resident, record={"care_categories":
                                                    list(resident.care_categories)})


def living_fact(view) -> str:
    return dict(view.facts)[i18n._(pr.FIELD_LABELS["care_categories"])]


def test_a_71_year_old_tagged_80_plus_is_not_called_aged():
    young = summary(age=71, care_categories=[p.ALONE, p.AGED_80_PLUS])
    assert pr.today_row(young)["title"] == "王秀英  71岁  独居"
    assert living_fact(pr.resident_view(detail(young))) == "独居"


def test_an_87_year_old_without_the_tag_is_aged_everywhere():
    old = summary(age=87, care_categories=[p.ALONE])
    assert pr.today_row(old)["title"] == "王秀英  87岁  独居、高龄"
    assert living_fact(pr.resident_view(detail(old))) == "独居、高龄"


def test_aged_from_80_this_year_and_alone_when_nothing_else_is_recorded():
    assert pr.today_row(summary(age=80, care_categories=[]))["title"] == "王秀英  80岁  高龄"
    assert pr.today_row(summary(age=79, care_categories=[]))["title"] == "王秀英  79岁"
    assert living_fact(pr.resident_view(detail(summary(age=79, care_categories=[])))) == \
        "未登记"


def test_aged_is_never_offered_as_a_choice_to_tick():
    offered = [code for code, _text in pr.choices("care_categories")]
    assert p.AGED_80_PLUS not in offered and p.ALONE in offered


def test_an_edit_keeps_a_stored_tag_it_no_longer_offers_and_sends_nothing():
    form = pr.EditForm({"care_categories": [p.ALONE, p.AGED_80_PLUS]},
                       frozenset({"care_categories"}))
    assert form.changes() == {}


@pytest.mark.parametrize("unsent", [0, 1, 40])
def test_no_signal_with_records_waiting_is_calm_not_orange(unsent):
    state = pr.ConnectionState(online=False, unsent=unsent)
    assert state.tone() not in ("alert", "warn")
    assert pr.ConnectionState(online=None, unsent=unsent).tone() not in ("alert", "warn")


def test_an_unsent_count_on_a_row_is_not_drawn_in_orange():
    from pathlib import Path

    layout = (Path(pr.__file__).parents[1] / "screens" / "today.kv").read_text()
    unsent = layout[layout.index("text: root.unsent_text"):][:120]
    assert "warn" not in unsent and "alert" not in unsent


def test_the_today_list_is_grouped_under_headers_with_counts():
    from datetime import datetime, timezone

    residents = [
        summary(id="a", name="甲", follow_up_since=datetime(2026, 11, 28, tzinfo=timezone.utc)),
        summary(id="b", name="乙", due=DueStatus("overdue", date(2026, 11, 1), 29)),
        summary(id="c", name="丙", due=DueStatus("overdue", date(2026, 11, 20), 10)),
        summary(id="d", name="丁", due=DueStatus("due_today", date(2026, 11, 30), 0)),
        summary(id="e", name="戊", due=DueStatus("due_this_week", date(2026, 12, 3), 0)),
        summary(id="f", name="己"),
    ]
    rows = pr.today_rows(sorted(residents, key=pr.today_sort_key), grouped=True)
    assert [row["header"] for row in rows] == ["待回访 · 1 位", "已逾期 · 2 位", "",
                                               "今天要访 · 1 位", "本周要访 · 1 位",
                                               "以后再访 · 1 位"]
    # a search keeps its best-match order: no headers
    assert all(row["header"] == "" for row in pr.today_rows(residents))


def test_regrouping_after_a_visit_moves_the_header_and_keeps_untouched_rows():
    rows = pr.today_rows([summary(id="b", name="乙", due=DueStatus("overdue", date(2026, 11, 1),
                                                                 29)),
                          summary(id="c", name="丙", due=DueStatus("overdue", date(2026, 11, 2),
                                                                 28))], grouped=True)
    visited = pr.today_row(summary(id="b", name="乙"))
    regrouped = pr.group_rows([rows[1], visited])
    assert [row["header"] for row in regrouped] == ["已逾期 · 1 位", "以后再访 · 1 位"]
    assert pr.group_rows(regrouped)[1] is regrouped[1]  # unchanged rows are not copied


def test_no_space_after_a_chinese_full_stop_between_two_sentences():
    from client.sync import SyncReport

    report = SyncReport(started_at="x", ok=True, pushed=3, pulled=3, rejected=1)
    view = pr.sync_view(None, report, [], [])
    assert "。 " not in view.last_result and view.last_result.endswith("见下方。")
    i18n.set_language("en")
    assert ". 1 refused" in pr.sync_view(None, report, [], []).last_result


def test_no_screens_presenter_hides_another_ones_name_in_the_package():
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(pr.__path__):
        module = importlib.import_module(f"{pr.__name__}.{info.name}")
        for name, value in vars(module).items():
            if not name.startswith("_") and getattr(value, "__module__", None) == \
                    module.__name__:
                assert getattr(pr, name) is value, f"{info.name}.{name} is shadowed"
