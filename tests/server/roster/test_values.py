"""The roster's value parsers: dates, ID numbers, phones, text (pure, no database)."""
from __future__ import annotations

from datetime import date

import pytest

from server.roster.dates import Birth, parse_birth
from server.roster.idnumber import check_character, keyed_hash, parse_id
from server.roster.phones import parse_phone, split_phones
from server.roster.problems import Problem
from server.roster.sheet import cell_text
from server.roster.text import clean, compact


def make_id(birth: str, sequence: str = "123", region: str = "410902") -> str:
    """A synthetic ID number with a correct check character."""
    first17 = region + birth + sequence
    return first17 + check_character(first17)


@pytest.mark.parametrize("typed, birth", [
    ("1938.11.02", Birth(1938, 11, 2)), ("1938/11/2", Birth(1938, 11, 2)),
    ("1938-11-02", Birth(1938, 11, 2)), ("1946年5月20日", Birth(1946, 5, 20)),
    ("1946年5月", Birth(1946, 5)), ("194605", Birth(1946, 5)), ("19460520", Birth(1946, 5, 20)),
    ("1946", Birth(1946)), ("1946年", Birth(1946)), ("１９４６．５．２０", Birth(1946, 5, 20)),
    (" 1946 - 05 - 20 ", Birth(1946, 5, 20)), ("1946-05-20 00:00:00", Birth(1946, 5, 20)),
    ("16942", Birth(1946, 5, 20)),  # an Excel serial number
    ("16942.0", Birth(1946, 5, 20)),
])
def test_every_date_form_people_type(typed, birth):
    assert parse_birth(typed) == birth


@pytest.mark.parametrize("typed, says", [
    ("1946.13.02", "no month 13"), ("1946-02-30", "no day 30"), ("1946年2月29日", "no day 29"),
    ("194613", "no month 13"), ("十九四六", "not a date"), ("1946.5.20.1", "not a date"),
])
def test_impossible_dates_are_named(typed, says):
    with pytest.raises(Problem) as error:
        parse_birth(typed)
    assert says in str(error.value)


def test_a_leap_day_is_a_date():
    assert parse_birth("1944-02-29") == Birth(1944, 2, 29)


def test_full_width_and_stray_spaces():
    assert clean("　张　 三 ") == "张 三"
    assert compact("１３８ ００１３　８０００") == "13800138000"
    assert clean("（儿子）") == "(儿子)"


def test_check_character_with_x():
    # the weights sum to a remainder of 2 → X
    number = next(make_id(f"194605{day:02d}") for day in range(1, 29)
                  if make_id(f"194605{day:02d}").endswith("X"))
    parsed = parse_id(number.lower())
    assert parsed.number == number and parsed.number.endswith("X")


def test_an_id_number_gives_birth_date_and_sex():
    woman = parse_id(make_id("19460520", "124"))  # 17th digit even: female
    man = parse_id(make_id("19381102", "131"))
    assert woman.birth == Birth(1946, 5, 20) and woman.sex == "F"
    assert man.birth == Birth(1938, 11, 2) and man.sex == "M"


def test_a_first_generation_id_number_is_read_as_its_18_digit_form():
    old = "410902460520124"  # YYMMDD, no check digit
    assert parse_id(old).number == make_id("19460520", "124")


@pytest.mark.parametrize("typed, says", [
    ("4.10902E+17", "lost its last digits"), ("4.10902194605201E+17", "lost its last digits"),
    ("410902194605201000", "lost its last digits"),
    ("410902194605201240.0", "lost its last digits"),
    ("41090219460520", "18 characters"), (make_id("19461320"), "does not exist"),
])
def test_bad_and_untrustworthy_id_numbers(typed, says):
    with pytest.raises(Problem) as error:
        parse_id(typed)
    assert says in str(error.value)


def test_a_mistyped_digit_fails_the_check():
    good = make_id("19460520")
    wrong = good[:5] + str((int(good[5]) + 1) % 10) + good[6:]
    with pytest.raises(Problem, match="check digit"):
        parse_id(wrong)


def test_a_number_cell_excel_made_of_an_id_reads_as_untrustworthy():
    text = cell_text(float(make_id("19460520")[:17] + "1"))
    assert "E+17" in text
    with pytest.raises(Problem, match="lost its last digits"):
        parse_id(text)
    assert cell_text(123456789012345) == "123456789012345"  # 15 digits are exact


def test_keyed_hash_needs_the_key():
    number = make_id("19460520")
    assert keyed_hash("k1", number) == keyed_hash("k1", number)
    assert keyed_hash("k1", number) != keyed_hash("k2", number)
    assert number not in keyed_hash("k1", number) and len(keyed_hash("k1", number)) == 64


@pytest.mark.parametrize("typed, number", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
    ("+86 138 1234 5678", "13812345678"), ("8613812345678", "13812345678"),
    ("0393-8123456", "0393-8123456"), ("(0393)81234567", "0393-81234567"),
    ("039381234567", "0393-81234567"), ("010-61234567", "010-61234567"),
    ("8123456", "8123456"),
])
def test_phones_as_rosters_hold_them(typed, number):
    assert parse_phone(typed) == number


@pytest.mark.parametrize("typed, says", [
    ("1381234567", "11 digits"), ("12812345678", "starts with 13 to 19"),
    ("456", "not a phone number"), ("无", "not a phone number"),
])
def test_bad_phones_say_what_is_wrong(typed, says):
    with pytest.raises(Problem) as error:
        parse_phone(typed)
    assert says in str(error.value)


def test_a_cell_with_two_phones():
    assert split_phones("13812345678，0393-8123456") == ["13812345678", "0393-8123456"]


def test_excel_date_cells_read_as_dates():
    from datetime import datetime
    assert cell_text(datetime(1946, 5, 20)) == "1946-05-20"
    assert cell_text(date(1946, 5, 20)) == "1946-05-20"
    assert cell_text(1936.0) == "1936"
