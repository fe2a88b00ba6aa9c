"""The one search rule (shared/search.py): every way a volunteer types a resident."""
import pytest

from shared.search import (EXACT, FUZZY, INITIALS, address_codes, keys_are_current, matches,
                           rank, search_keys)
from shared.surnames import SURNAMES

ADDRESS = "建设路51号院3号楼2单元401"


def found(query: str, name: str, address: str = ADDRESS, phone: str | None = None) -> bool:
    return matches(query, name, address, search_keys(name, address, phone))


def ranked(query: str, names: list[str]) -> list[str]:
    """The names a search finds, best first (a stable sort, as the lists do)."""
    hits = [(rank(query, name, ADDRESS, search_keys(name, ADDRESS)), name) for name in names]
    return [name for match, name in sorted((h for h in hits if h[0] is not None),
                                           key=lambda h: h[0])]


SURNAME_READINGS = [("翟", "zhai"), ("单", "shan"), ("曾", "zeng"), ("区", "ou"), ("仇", "qiu"),
                    ("解", "xie"), ("查", "zha"), ("朴", "piao"), ("盖", "ge"), ("缪", "miao"),
                    ("乐", "yue"), ("覃", "qin"), ("尉迟", "yuchi"), ("万俟", "moqi")]


@pytest.mark.parametrize("surname, reading", SURNAME_READINGS)
def test_a_surname_is_read_as_a_surname(surname, reading):
    name = surname + "秀英"
    keys = search_keys(name, ADDRESS)
    assert rank(reading + "xiuying", name, ADDRESS, keys) == EXACT
    assert matches(reading + "xy", name, ADDRESS, keys)
    initials = "".join(syllable[0] for syllable in SURNAMES[surname].split())
    assert rank(initials + "xy", name, ADDRESS, keys) == INITIALS


def test_the_surname_readings_come_from_a_surname_dictionary_single_and_double():
    assert len(SURNAMES) > 400
    assert sum(len(name) == 2 for name in SURNAMES) > 50
    assert SURNAMES["欧阳"] == "ou yang" and SURNAMES["曾"] == "zeng"
    assert found("ouyangxiuying", "欧阳秀英") and found("oyxy", "欧阳秀英")


def test_a_surname_reading_does_not_hide_the_characters_other_readings():
    # A volunteer who reads 单 as dan still finds her; the surname reading ranks the same.
    assert found("danxiuying", "单秀英") and found("shanxiuying", "单秀英")


@pytest.mark.parametrize("query", ["lvxiulan", "luxiulan", "lxl", "lvxl", "luxl", "lv", "lu",
                                   "l"])
def test_u_umlaut_is_typed_as_v_u_or_its_initial(query):
    assert found(query, "吕秀兰")


def test_full_pinyin_initials_and_a_mix_of_both():
    for query in ("zhanglixia", "zlx", "zhanglx", "zhangLX", "zhang lx", "ZHANG LI XIA",
                  "zhlixia", "ｚｌｘ", "lixia", "lx"):
        assert found(query, "张利霞"), query
    for query in ("wxy", "zhangx", "lxz", "zhanglixiaa"):
        assert not found(query, "张利霞"), query


def test_polyphonic_characters_in_a_given_name_match_any_reading():
    for query in ("zhangle", "zhangyue", "zhangyy", "zhangll", "zhangleyue"):
        assert found(query, "张乐乐"), query
    for query in ("lichanglin", "lizhanglin"):
        assert found(query, "李长林"), query


def test_chinese_substrings_of_the_name():
    assert found("利霞", "张利霞") and found("张", "张利霞")
    assert not found("利英", "张利霞")


def test_address_fragments_with_numbers_kept_whole():
    assert found("3号楼", "张利霞") and found("建设路", "张利霞") and found("2单元", "张利霞")
    assert found("401", "张利霞")
    assert not found("3号楼", "张利霞", "建设路51号院13号楼2单元401")
    assert not found("01", "张利霞")
    assert not found("1号楼", "张利霞")


def test_building_unit_room_against_the_written_address():
    assert address_codes(ADDRESS) == ["3-2-401"]
    assert address_codes("长庆路3栋1401室") == ["3-1401"]
    assert address_codes("长庆路17号") == []
    for query in ("3-2-401", "3-2", "３－２－４０１"):
        assert found(query, "张利霞"), query
    for query in ("3-2-402", "3-3", "13-2-401", "51-3"):
        assert not found(query, "张利霞"), query


def test_the_last_four_digits_of_a_phone():
    assert found("5678", "张利霞", phone="138 1234 5678")
    assert found("5678", "张利霞", phone="010-8765-5678")
    assert not found("1234", "张利霞", phone="13812345678")
    assert not found("5678", "张利霞", phone=None)


def test_the_exact_name_first_then_initials_then_fuzzy_matches():
    names = ["张利霞娟", "赵丽娴", "张利霞", "周兰英"]
    assert ranked("张利霞", names) == ["张利霞", "张利霞娟"]
    assert ranked("zhanglixia", names) == ["张利霞", "张利霞娟"]
    assert ranked("zlx", names) == ["赵丽娴", "张利霞", "张利霞娟"]
    assert rank("zlx", "张利霞", ADDRESS, search_keys("张利霞")) == INITIALS
    assert rank("zlxj", "张利霞娟", ADDRESS, search_keys("张利霞娟")) == INITIALS
    assert rank("zl", "张利霞", ADDRESS, search_keys("张利霞")) == FUZZY


def test_keys_of_an_older_format_are_stale_and_still_searched():
    old_keys = "zlx zhanglixia"  # the format before shared.search.KEY_FORMAT
    assert not keys_are_current(old_keys) and keys_are_current(search_keys("张利霞"))
    assert rank("zhaixy", "翟秀英", ADDRESS, "dxy dixiuying") == FUZZY
    assert matches("3-2-401", "张利霞", ADDRESS, old_keys)


def test_an_empty_query_keeps_everyone_and_odd_names_do_not_break_the_rule():
    assert rank("  ", "张利霞", ADDRESS, search_keys("张利霞")) == FUZZY
    for name in ("阿依古丽·买买提", "Anna 李", "𠮷祥", "〇"):
        keys = search_keys(name, "", "12")
        assert keys_are_current(keys)
        assert matches(name, name, "", keys)
    assert found("aygl", "阿依古丽·买买提")
