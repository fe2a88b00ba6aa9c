"""Text built in code is punctuated for its language through one helper (LANGUAGE.md rule 2)."""
from __future__ import annotations

from shared import punctuation as pu


def test_lists_labels_and_units_in_chinese():
    assert pu.items(["独居", "", None, "空巢"], "zh_CN") == "独居、空巢"
    assert pu.labelled("跌倒报警器", "正常", "zh_CN") == "跌倒报警器：正常"
    assert pu.with_unit("收缩压", "mmHg", "zh_CN") == "收缩压（mmHg）"
    assert pu.with_unit("姓名", None, "zh_CN") == "姓名"
    assert pu.clauses(["血压偏高 ", "请再量一次"], "zh_CN") == "血压偏高，请再量一次"
    assert pu.range_of("2026-11-01", "2026-11-30", "zh_CN") == "2026-11-01至2026-11-30"
    assert pu.alternatives(["姓名：不能为空", "电话：不对"], "zh_CN") == "姓名：不能为空；电话：不对"


def test_the_same_in_english():
    assert pu.items(["Living alone", "Empty nest"], "en") == "Living alone, Empty nest"
    assert pu.labelled("Fall alarm", "Working", "en") == "Fall alarm: Working"
    assert pu.with_unit("Systolic", "mmHg", "en") == "Systolic (mmHg)"
    assert pu.range_of("2026-11-01", "2026-11-30", "en") == "2026-11-01 to 2026-11-30"


def test_full_width_keeps_numbers_and_times():
    assert pu.full_width("血压偏高,已提醒(按时服药):09:30复查,共1,234元") == \
        "血压偏高，已提醒（按时服药）：09:30复查，共1,234元"
