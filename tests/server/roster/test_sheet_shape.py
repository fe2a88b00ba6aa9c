"""Header rows, column names, footer rows, grid names and community words (pure)."""
from __future__ import annotations

import pytest

from server.roster.columns import (
    apply_choices,
    column_field,
    find_header,
    is_blank,
    is_footer,
)
from server.roster.grids import GridChoice, chinese_number, match_grid
from server.roster.idnumber import check_character
from server.roster.rows import read_row
from server.roster.words import KEEP_AS_NOTE, living_code


@pytest.mark.parametrize("header, field", [
    ("姓名", "name"), ("姓 名", "name"), ("*姓名", "name"), ("性别", "sex"),
    ("出生日期", "birth"), ("出生年月", "birth"), ("出生年份", "birth"), ("出生年月日", "birth"),
    ("身份证号", "id_number"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
    ("住址", "address"), ("家庭住址", "address"), ("地址", "address"),
    ("联系电话", "phone"), ("电话", "phone"), ("手机", "phone"),
    ("紧急联系人", "emergency_contact"), ("紧急联系人(及电话)", "emergency_both"),
    ("紧急联系人（及电话）", "emergency_both"), ("联系人电话", "emergency_phone"),
    ("居住情况", "living_situation"), ("类别", "living_situation"),
    ("关爱类别", "living_situation"), ("所属网格", "grid"), ("网格", "grid"),
    ("备注", "care_notes"), ("序号", "seq"), ("年龄", "age"),
    ("走访周期（天）", "visit_cadence_days"), ("name", "name"), ("birth_year", "birth"),
    ("出生日期(年月日)", "birth"), ("身份证号（18位）", "id_number"),
    ("兴隆社区", None), ("", None),
])
def test_column_names_and_their_variants(header, field):
    assert column_field(header) == field


def test_the_header_is_found_below_a_merged_title_and_a_note_line():
    table = [["兴隆社区60岁以上老年人花名册", "", "", ""],
             ["填报单位：兴隆社区居委会", "", "", "填报日期：2024年3月"],
             ["序号", "姓名", "性别", "出生日期", "住址"],
             ["1", "王秀英", "女", "1944.3.2", "建设路51号院2号楼4单元202"]]
    header = find_header(table)
    assert header.row == 2 and header.data_start == 3
    assert header.fields == ["seq", "name", "sex", "birth", "address"]


def test_a_two_line_header_is_merged():
    table = [["序号", "姓名", "性别", "出生日期", "联系方式", "", "住址"],
             ["", "", "", "", "本人电话", "子女电话", ""],
             ["1", "王秀英", "女", "1944.3.2", "13812345678", "13912345678", "建设路51号"]]
    header = find_header(table)
    assert header.data_start == 2
    assert header.fields == ["seq", "name", "sex", "birth", "phone", "emergency_phone",
                             "address"]


def test_no_header_at_all():
    assert find_header([["王秀英", "女", "1944"], ["李桂兰", "女", "1950"]]) is None


def test_the_supervisor_corrects_a_column():
    header = find_header([["姓名", "性别", "出生日期", "住址", "家属电话"]])
    assert header.fields[4] is None and "emergency_phone" not in header.fields
    apply_choices(header, {4: "emergency_phone", 3: "address"})
    assert header.fields == ["name", "sex", "birth", "address", "emergency_phone"]
    apply_choices(header, {4: "address"})  # one column per field: the other one lets go
    assert header.fields == ["name", "sex", "birth", None, "address"]
    apply_choices(header, {4: "nonsense", 99: "name"})  # ignored
    assert header.fields == ["name", "sex", "birth", None, "address"]


def test_footer_and_blank_rows():
    header = find_header([["序号", "姓名", "性别", "出生日期", "住址"]])
    assert is_footer(["合计", "", "", "", "共 25 人"], 1)
    assert is_footer(["", "制表人：张丽", "", "填表日期：2024.3.1", ""], 1)
    assert not is_footer(["3", "王秀英", "女", "1944", "备注:独居"], 1)
    assert is_blank(["21", "", "", "", ""], header)
    assert is_blank(["", " ", "　", "", ""], header)
    assert not is_blank(["", "王秀英", "", "", ""], header)


GRIDS = [GridChoice(1, "XL01", "兴隆社区第1网格", "兴隆社区"),
         GridChoice(2, "XL02", "兴隆社区第2网格", "兴隆社区"),
         GridChoice(3, "HX01", "和谐社区第1网格", "和谐社区"),
         GridChoice(12, "XL12", "兴隆社区第12网格", "兴隆社区")]


@pytest.mark.parametrize("label, ids", [
    ("XL02", [2]), ("xl02", [2]), ("兴隆社区第2网格", [2]), ("第二网格", [2]), ("2网格", [2]),
    ("网格2", [2]), ("第十二网格", [12]), ("兴隆社区第1网格", [1]), ("兴隆第一网格", [1]),
    ("第一网格", [1, 3]),  # ambiguous in a street with two communities
    ("和谐社区1网格", [3]), ("濮上社区第1网格", []), ("第9网格", []), ("兴隆社区", []),
])
def test_grid_names_as_communities_write_them(label, ids):
    assert [grid.id for grid in match_grid(label, GRIDS)] == ids


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("一", "十", "十二", "二十一", "12", "零")] == \
        [1, 10, 12, 21, 12, 0]


@pytest.mark.parametrize("word, code", [
    ("独居", "alone"), ("独居老人", "alone"), ("空巢", "empty_nest"), ("空巢老人", "empty_nest"),
    ("高龄", "aged_80_plus"), ("失能", "disabled"), ("半失能", "disabled"),
    ("alone", "alone"), ("高龄（80岁以上）", "aged_80_plus"), ("高龄(80岁以上)", "aged_80_plus"),
    ("独居老人（子女在外地）", "alone"), ("孤寡", None), ("残疾", None),
    # 关爱类别 now (issue 12): read as the national and local categories
    ("失独", "bereaved_one_child"), ("低保", "subsistence"), ("特困", "destitute"),
    ("留守老人", "left_behind"), ("重残", "severe_disability"), ("subsistence", "subsistence"),
])
def test_living_words(word, code):
    assert living_code(word) == code


def test_the_supervisors_meaning_for_an_unknown_word():
    assert living_code("孤寡", {"孤寡": "alone"}) == "alone"
    assert living_code("低保", {"低保": KEEP_AS_NOTE}) == KEEP_AS_NOTE


def _id(birth: str, sequence: str) -> str:
    return "410902" + birth + sequence + check_character("410902" + birth + sequence)


def test_a_hand_typed_row_reads_into_resident_fields():
    header = find_header([["序号", "姓名", "性别", "出生日期", "身份证号", "住址", "联系电话",
                           "紧急联系人(及电话)", "居住情况", "网格", "备注"]])
    cells = ["3", "王 芳", "女", "1946年5月20日", _id("19460520", "124"),
             "建设路51号院2号楼4单元202 ", "１３８１２３４５６７８，0393-8123456",
             "李明（儿子）13912345678", "空巢老人、低保", "第一网格", "耳背"]
    reading = read_row(cells, header, lambda number: f"hash:{number[-4:]}",
                       {"低保": KEEP_AS_NOTE})
    assert reading.fields == {
        "name": "王芳", "sex": "F", "birth_year": 1946, "address": "建设路51号院2号楼4单元202",
        "phone": "13812345678", "emergency_contact": "李明(儿子)",
        "emergency_phone": "13912345678", "living_situation": ["empty_nest"],
        "care_notes": "耳背\n联系电话: 0393-8123456\n居住情况: 低保"}
    assert reading.grid_label == "第一网格" and reading.id_hash.startswith("hash:")
    assert not reading.problems and not reading.warnings


def test_a_row_whose_id_number_disagrees_is_warned_and_one_with_bad_cells_is_not_read():
    header = find_header([["姓名", "性别", "出生日期", "身份证号", "住址", "居住情况"]])
    disagree = read_row(["王芳", "男", "1946-05-21", _id("19460520", "124"), "建设路1号", ""],
                        header, str)
    assert [problem.message for _column, problem in disagree.warnings] == [
        "The ID number says born %(id_date)s, the birth date column %(date)s.",
        "The ID number says %(id_sex)s, the sex column %(sex)s."]
    bad = read_row(["王芳", "女士", "1946-02-30", "4.10902E+17", "建设路1号", "孤寡"], header, str)
    assert [column for column, _problem in bad.problems] == [1, 2, 3, 5]
    assert bad.unknown_living == ["孤寡"] and bad.id_hash is None


def test_sex_and_birth_come_from_the_id_number_when_the_columns_are_missing():
    header = find_header([["姓名", "身份证号", "住址"]])
    reading = read_row(["王芳", _id("19381102", "131"), "建设路1号"], header, str)
    assert reading.fields["sex"] == "M" and reading.fields["birth_year"] == 1938
