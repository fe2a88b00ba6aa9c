"""Full-width punctuation in Chinese text, none inside English (issue 11, screens 10)."""
from __future__ import annotations

import re

from babel.messages.pofile import read_po

from server.web.i18n import TRANSLATIONS_DIR
from server.web.typography import ascii_punctuation_in_chinese, to_full_width


def test_the_chinese_catalog_uses_full_width_punctuation():
    path = TRANSLATIONS_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    found = {message.string: ascii_punctuation_in_chinese(message.string)
             for message in catalog if message.id and isinstance(message.string, str)}
    assert {text: marks for text, marks in found.items() if marks} == {}


def test_the_english_catalog_has_no_full_width_punctuation():
    path = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    # Chinese words quoted in English keep theirs: only marks between Latin text are wrong.
    assert [m.string for m in catalog if m.id and isinstance(m.string, str)
            and re.search("[A-Za-z0-9 ][，：；（）！？][A-Za-z0-9 ]", m.string)] == []


def test_making_text_full_width_leaves_placeholders_and_english_alone():
    assert to_full_width("行数过多(最多 %(max)s 行)。") == "行数过多（最多 %(max)s 行）。"
    assert to_full_width("%(field)s:必填项不能为空。") == "%(field)s：必填项不能为空。"
    assert to_full_width("未找到,或不在您的管辖范围内") == "未找到，或不在您的管辖范围内"
    assert to_full_width("Password: at least 8 (eight) characters.") == \
        "Password: at least 8 (eight) characters."


def test_labels_joined_on_a_page_use_the_languages_colon_and_separator(as_user, scenario):
    web, grid = as_user("kunwu_sup"), scenario.grids["kunwu1"].id
    chinese = web.get(f"/grids/{grid}").get_data(as_text=True)
    assert re.search(r"：<b>\d+</b>", chinese) and not re.search(r": <b>\d+</b>", chinese)
    english = web.get(f"/grids/{grid}?lang=en").get_data(as_text=True)
    assert re.search(r": <b>\d+</b>", english)
    zhang = web.get(f"/residents/{scenario.residents['zhang'].id}?lang=zh_CN") \
        .get_data(as_text=True)
    assert "需求：" in zhang
