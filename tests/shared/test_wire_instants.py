"""The wire format of instants and text: what one side writes, the other reads back."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.clock import isoformat, parse_instant
from shared.schemas import printable, text_problem


@pytest.mark.parametrize("moment", [datetime(1, 1, 1, tzinfo=timezone.utc),
                                    datetime(999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
                                    datetime(1970, 1, 1, tzinfo=timezone.utc),
                                    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
                                    datetime(2026, 11, 27, 9, 30, 5, 999_999,
                                             tzinfo=timezone(timedelta(hours=8)))])
def test_every_instant_is_written_with_a_four_digit_year_and_reads_back(moment):
    text = isoformat(moment)
    assert len(text) == 20 and text.endswith("Z") and text[4] == "-"
    assert parse_instant(text) == moment.replace(microsecond=0)


def test_text_no_database_can_store_is_named_and_quoted_safely():
    assert text_problem("张利霞 😀") is None
    assert "NUL" in text_problem("a\x00b")
    assert "surrogate" in text_problem("a\ud800b")
    assert printable("键\ud800\x00").encode("utf-8") == "键\\ud800\\x00".encode("utf-8")
